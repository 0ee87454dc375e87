"""How big and how fast kg views are: HTML size, build time, time to drawn and settled in Chromium.

    python bench/view.py [--sizes 500,2000,5000] [--runs 3] [--baseline-timeout 60]

For synthetic graphs in the kg schema (deterministic, news-like: a few hubs, many
small groups) it prints, as medians of --runs:
  - the HTML size and the time to build it (kg.views.build_view, all entities kept);
  - the time from navigation to drawn and settled in headless Chromium (Debian's
    chromium), read from the page itself (``kgState.readyAt``);
and, measured in the same run, the naive pyvis baseline: add_node/add_edge, default
physics, no positions, until vis reports its stabilisation done (the moment pyvis's
loading bar goes and the network shows; it may keep moving after that), or the timeout.
Then it shows what a default view does with 20,000 entities (it keeps the most
important ones).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

from kg.records import node_label, relation_type  # noqa: E402
from kg.views import DEFAULT_MAX_NODES, build_view, write_view  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
TYPES = ["PERSON"] * 4 + ["ORG"] * 3 + ["GPE"] * 2 + ["NORP", "EVENT", "LAW", "CONCEPT", "CONCEPT"]
PREDICATES = ["say", "meet", "support", "criticise", "visit", "sign", "accuse", "join", "lead", "warn"]


def synthetic_graph(n: int, *, seed: int = 0) -> nx.MultiDiGraph:
    """A news-like kg graph of ``n`` entities (~2 facts each): preferential attachment plus small groups."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    g.graph["documents"] = {f"doc{i}": {"title": f"Article {i}", "date": f"2024-01-{i % 28 + 1:02d}"}
                            for i in range(max(n // 10, 1))}
    docs = sorted(g.graph["documents"])
    for i in range(n):
        t = rng.choice(TYPES)
        g.add_node(f"e{i}", name=f"Entity {i}", type=t, label=node_label(t),
                   aliases=[f"E{i}"] if i % 5 == 0 else [], docs=[rng.choice(docs)])
    core = int(n * 0.85)
    hub_graph = nx.barabasi_albert_graph(core, 2, seed=seed)
    pairs = [(a, b) for a, b in hub_graph.edges]
    pairs += [(i, i + 1) for i in range(core, n - 1, 2)]
    for a, b in pairs:
        if rng.random() < 0.5:
            a, b = b, a
        lemma = rng.choice(PREDICATES)
        negated = rng.random() < 0.05
        ev = [{"sentence_id": f"{d}:{k}", "doc_id": d, "speaker": None, "predicate_text": lemma,
               "text": f"Entity {a} did {lemma} Entity {b}, the report said ({k})."}
              for k, d in enumerate(rng.sample(docs, min(len(docs), rng.randint(1, 3))))]
        g.add_edge(f"e{a}", f"e{b}", key=f"{lemma}|negated" if negated else lemma, predicate=lemma,
                   type=relation_type(lemma), negated=negated, count=len(ev), confidence=0.7, evidence=ev,
                   speakers=[], docs=sorted({e["doc_id"] for e in ev}), first_seen=None, last_seen=None)
    return g


def naive_pyvis_html(g: nx.MultiDiGraph) -> str:
    """What a first pyvis script does: add_node/add_edge one by one, default physics, vis inline."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for key, attrs in g.nodes(data=True):
        net.add_node(key, label=attrs["name"], title=attrs["name"])
    for s, o, attrs in g.edges(data=True):
        net.add_edge(s, o, label=attrs["predicate"], title=attrs["predicate"])
    return net.generate_html()


#: Catches pyvis's global ``network`` as it is assigned and notes when vis says stabilisation is done.
STABILISED_HOOK = """
Object.defineProperty(window, "network", {configurable: true, get() { return this.__net; }, set(v) {
  this.__net = v;
  v.once("stabilizationIterationsDone", () => { window.__stabilisedAt = performance.now(); });
}});
"""


def time_page(browser, path: Path, *, kg: bool, timeout_s: float) -> float | None:
    """Seconds from navigation to drawn and settled, or None after ``timeout_s``."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    if not kg:
        page.add_init_script(STABILISED_HOOK)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    try:
        page.goto(path.as_uri(), timeout=timeout_s * 1000)
        if kg:
            page.wait_for_function("window.kgState && kgState.readyAt !== null", timeout=timeout_s * 1000)
            return page.evaluate("kgState.readyAt") / 1000
        page.wait_for_function("window.__stabilisedAt !== undefined", timeout=timeout_s * 1000, polling=100)
        return page.evaluate("window.__stabilisedAt") / 1000
    except Exception as exc:  # playwright's TimeoutError; anything else is worth seeing
        if "Timeout" not in type(exc).__name__:
            raise
        return None
    finally:
        page.close()


def timed(fn, runs: int):
    """Median seconds of ``runs`` calls, and the last result."""
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def fmt(seconds: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if seconds is None else f"{seconds:.2f} s"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-timeout", type=float, default=60.0)
    ap.add_argument("--large", type=int, default=20000, help="size of the graph cut by the default view (0: skip)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"kg view benchmark: medians of {args.runs} runs; baseline = naive pyvis (add_node/add_edge, "
          f"default physics), one run, timeout {args.baseline_timeout:.0f} s")
    print(f"{'entities':>9} {'facts':>6} | {'kg html':>8} {'build':>7} {'drawn+settled':>13} | "
          f"{'naive build':>11} {'naive settled':>13} | ratio")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"])
        for n in sizes:
            g = synthetic_graph(n)
            build_s, view = timed(lambda: build_view(g, max_nodes=None), args.runs)
            path = write_view(view, Path(tmp) / f"kg-{n}.html")
            loads = [time_page(browser, path, kg=True, timeout_s=60) for _ in range(args.runs)]
            draw_s = statistics.median(x if x is not None else float("inf") for x in loads)
            naive_build_s, naive = timed(lambda: naive_pyvis_html(g), 1)
            naive_path = Path(tmp) / f"naive-{n}.html"
            naive_path.write_text(naive, encoding="utf-8")
            naive_s = time_page(browser, naive_path, kg=False, timeout_s=args.baseline_timeout)
            kg_total, naive_total = build_s + draw_s, naive_build_s + (naive_s or args.baseline_timeout)
            ratio = f"{'>' if naive_s is None else ''}{naive_total / kg_total:.1f}x"
            print(f"{n:>9,} {g.number_of_edges():>6,} | {len(view.html.encode()) / 1e6:>6.2f}MB {build_s:>6.2f}s "
                  f"{fmt(draw_s, 60):>13} | {naive_build_s:>10.2f}s {fmt(naive_s, args.baseline_timeout):>13} | "
                  f"{ratio} (build+settled)", flush=True)
        if args.large:
            g = synthetic_graph(args.large)
            build_s, view = timed(lambda: build_view(g), 1)
            path = write_view(view, Path(tmp) / "kg-large.html")
            draw_s = time_page(browser, path, kg=True, timeout_s=60)
            print(f"\n{args.large:,} entities with the default view (max {DEFAULT_MAX_NODES:,}): {view.summary()}; "
                  f"{len(view.html.encode()) / 1e6:.2f} MB, build {build_s:.2f} s, drawn {fmt(draw_s, 60)}")
            build_s, view = timed(lambda: build_view(g, max_nodes=None), 1)
            path = write_view(view, Path(tmp) / "kg-large-all.html")
            draw_s = time_page(browser, path, kg=True, timeout_s=120)
            print(f"{args.large:,} entities, all kept (--max-nodes 0): {len(view.html.encode()) / 1e6:.2f} MB, "
                  f"build {build_s:.2f} s, drawn {fmt(draw_s, 120)}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
