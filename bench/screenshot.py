"""Screenshot of a kg view in headless Chromium (the pictures in README.md and docs/views.md).

    python bench/screenshot.py [TRIPLES.jsonl | --graph FILE] [-o docs/img/view.png]
                               [--hover PREDICATE | --hover-node NAME] [--title TEXT]

Builds the default view (the overview) of the triples or of a graph file written by
``kg build`` (default: the bundled test triples), opens it offline in Debian's Chromium
and saves a PNG, with one fact's or one entity's tooltip open when asked.  The README's
picture is the overview of the bundled samples:

    kg build samples/news --out kg-out --no-neo4j
    python bench/screenshot.py --graph kg-out/graph.json --hover-node "Democratic Progressive Party" \
        --title "kg view: samples/news" -o docs/img/view.png
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.graph import build_graph, read_graph, read_triples  # noqa: E402
from kg.views import build_view, write_view  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def hover_edge(page, predicate: str) -> None:
    """Move the mouse onto the middle of the first fact labelled ``predicate``."""
    box = page.evaluate("""(predicate) => {
        const e = edges.get().find(e => e.label === predicate);
        const p = network.getPositions([e.from, e.to]);
        const mid = network.canvasToDOM({x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2});
        const r = document.getElementById("mynetwork").getBoundingClientRect();
        return {x: r.left + mid.x, y: r.top + mid.y};
    }""", predicate)
    page.mouse.move(box["x"], box["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")


def hover_node(page, name: str) -> None:
    """Move the mouse onto the entity named ``name``."""
    box = page.evaluate("""(name) => {
        const n = nodes.get().find(n => n.kgName === name);
        const p = network.canvasToDOM(network.getPositions([n.id])[n.id]);
        const r = document.getElementById("mynetwork").getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y};
    }""", name)
    page.mouse.move(box["x"], box["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("triples", nargs="?", default="tests/data/triples_small.jsonl")
    ap.add_argument("--graph", help="a graph file written by kg build, instead of triples")
    ap.add_argument("-o", "--output", default="docs/img/view.png")
    ap.add_argument("--hover", help="predicate of the fact whose tooltip is shown")
    ap.add_argument("--hover-node", help="name of the entity whose tooltip is shown")
    ap.add_argument("--title", default="kg view: sample news triples")
    ap.add_argument("--size", default="1280x720", help="viewport, WIDTHxHEIGHT")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    g = read_graph(args.graph) if args.graph else build_graph(read_triples(args.triples))
    view = build_view(g, title=args.title)
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = write_view(view, Path(tmp) / "view.html")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-background-networking",
                                                                   "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-kg-ready]", state="attached")
        if args.hover:
            hover_edge(page, args.hover)
        elif args.hover_node:
            hover_node(page, args.hover_node)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.output)
        browser.close()
    print(f"{args.output}: {view.summary()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
