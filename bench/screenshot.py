"""Screenshot of a kg view in headless Chromium (the picture in docs/views.md).

    python bench/screenshot.py [TRIPLES.jsonl] [-o docs/img/view.png]

Builds the view of the triples (default: the bundled sample), opens it offline in
Debian's Chromium and saves a PNG with one fact's tooltip open.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.graph import build_graph, read_triples  # noqa: E402
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("triples", nargs="?", default="tests/data/triples_small.jsonl")
    ap.add_argument("-o", "--output", default="docs/img/view.png")
    ap.add_argument("--hover", default="not discuss", help="predicate of the fact whose tooltip is shown")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    view = build_view(build_graph(read_triples(args.triples)), title="kg view: sample news triples")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = write_view(view, Path(tmp) / "view.html")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-background-networking",
                                                                   "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1100, "height": 640}, device_scale_factor=1)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(page_path.as_uri())
        page.wait_for_selector("body[data-kg-ready]", state="attached")
        if args.hover:
            hover_edge(page, args.hover)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=args.output)
        browser.close()
    print(f"{args.output}: {view.summary()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
