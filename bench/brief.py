"""How long a brief of 10,000 facts takes, against building the graph of the same facts.

    python bench/brief.py [--facts 10000] [--runs 3]

Makes news-like triple records (the synthetic graph of ``bench/view.py``: a few hubs, many
small groups; one to three sentences a fact, dated documents, some event dates), then
prints, as medians of --runs:
  - baseline: ``kg.graph.build_graph`` of those triples (what every ``kg build`` does);
  - ``kg.brief.community_briefs`` + ``brief_markdown`` of the graph (``kg brief``);
  - ``kg.views.build_view`` of the graph, the overview with its brief panel (``kg view``);
and each as a ratio to the baseline of the same run.  The brief is also built twice and
compared, to show it is deterministic.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from view import synthetic_graph  # noqa: E402

from kg.brief import brief_markdown, community_briefs  # noqa: E402
from kg.graph import build_graph  # noqa: E402
from kg.records import Argument, Predicate, Triple  # noqa: E402
from kg.views import build_view  # noqa: E402


def synthetic_triples(n_facts: int) -> list[Triple]:
    """About ``n_facts`` distinct facts as triple records, one per evidence sentence."""
    g = synthetic_graph(max(int(n_facts / 1.76), 10))
    docs = g.graph["documents"]
    out = []
    for s, o, attrs in g.edges(data=True):
        a, b = g.nodes[s], g.nodes[o]
        for k, ev in enumerate(attrs["evidence"]):
            event = {"text": "last month", "date": "2023-12", "end": None} if k == 1 else None
            out.append(Triple(ev["doc_id"], ev["sentence_id"] + f"/{s}/{o}", ev["text"],
                              Argument(a["name"], a["name"], s, a["type"], 0, 1),
                              Predicate(attrs["predicate"], attrs["predicate"]),
                              Argument(b["name"], b["name"], o, b["type"], 2, 3), negated=attrs["negated"],
                              confidence=0.7, doc={"title": docs[ev["doc_id"]]["title"],
                                                   "date": docs[ev["doc_id"]]["date"]}, event_date=event))
    return out


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    triples = synthetic_triples(args.facts)
    rows = {"graph": [], "brief": [], "view": []}
    texts = set()
    for _ in range(args.runs):
        t, g = timed(lambda: build_graph(triples))
        rows["graph"].append(t)
        t, text = timed(lambda: brief_markdown(community_briefs(g)))
        rows["brief"].append(t)
        texts.add(text)
        rows["view"].append(timed(lambda: build_view(g))[0])
    print(f"{len(triples):,} triple records: {g.number_of_nodes():,} entities, {g.number_of_edges():,} facts; "
          f"median of {args.runs} runs")
    base = statistics.median(rows["graph"])
    labels = {"graph": "build_graph (baseline)", "brief": "brief (communities, ranks, Markdown)",
              "view": "build_view (overview + brief panel)"}
    for name, label in labels.items():
        t = statistics.median(rows[name])
        print(f"  {label:40} {t:7.2f} s   {t / base:5.2f}x baseline")
    print(f"  brief deterministic across runs: {len(texts) == 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
