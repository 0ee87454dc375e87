"""Replacing one edited document and forgetting one, on builds of 2,000 and 20,000 documents.

    python bench/forget.py [--docs 2000,20000] [--repeat 5] [--views] [--triples FILE]

Each build directory is made without a model: the deterministic synthetic triples of
``tests/synthetic.py`` (3-6 sentences, 1-3 triples a sentence, hub entities shared across
documents) are committed document by document through the build's own sink, then the
store is brought up to date as ``kg build`` does.  With ``--triples FILE`` the documents are the
first ones of a ``kg extract`` output instead — e.g. of the news-like corpus of ``bench/scale.py``
(``python bench/scale.py --keep DIR``, or ``kg extract`` of its ``make_corpus``), whose generic and
descriptive concepts, scoped names and aliases exercise the identity rules that synthetic
triples do not.  Then, on each size, ``--repeat`` times:

- **replace**: a document of the middle of the build comes back with other content (its
  triples alternate between two versions): open the build (lock, store), put the new
  result in the old one's place, bring the link state and the graph up to date —
  :func:`kg.build.build` minus extracting that one document, whose cost does not depend on the
  build's size;
- **forget**: :func:`kg.build.forget` of one document (a different one each time).

It prints the median seconds of each operation per size, with the part spent bringing the
link state and the graph up to date; the ratio of the largest size to the smallest (target:
within 2x); and, as the baseline measured in the same run, each operation against reading the
build's whole graph (what ``kg query`` and ``kg view`` do at each call).
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.build import BuildReport, build_state, forget, read_build_graph, write_outputs  # noqa: E402
from kg.graph import read_triples  # noqa: E402
from kg.records import Document  # noqa: E402
from kg.run.stats import DocResult  # noqa: E402
from tests.synthetic import synthetic_triples  # noqa: E402

#: Triples per synthetic document to generate (about 9 on average: 3-6 sentences of 1-3 triples).
TRIPLES_PER_DOC = 10


def documents(n_docs: int) -> list[tuple[Document, list]]:
    """``n_docs`` synthetic documents with their triples (the last, partial one left out)."""
    by_doc = itertools.groupby(synthetic_triples(n_docs * TRIPLES_PER_DOC + 50), key=lambda t: t.doc_id)
    docs = []
    for doc_id, group in by_doc:
        triples = list(group)
        text = " ".join(dict.fromkeys(t.sentence for t in triples))
        docs.append((Document(doc_id, text, title=triples[0].doc.get("title"), date=triples[0].doc.get("date"),
                              url=triples[0].doc.get("url"), source="synthetic.jsonl"), triples))
        if len(docs) == n_docs:
            break
    return docs


def documents_of(path: Path, n_docs: int) -> list[tuple[Document, list]]:
    """The first ``n_docs`` documents of a triples file (``kg extract`` output) with their triples."""
    docs = []
    for doc_id, group in itertools.groupby(read_triples(path), key=lambda t: t.doc_id):
        triples = list(group)
        meta = triples[0].doc
        docs.append((Document(doc_id, " ".join(dict.fromkeys(t.sentence for t in triples)), title=meta.get("title"),
                              date=meta.get("date"), url=meta.get("url"), source=path.name), triples))
        if len(docs) == n_docs:
            break
    return docs


def make_build(out: Path, docs, *, views: bool) -> None:
    """A build directory holding ``docs``, written through the build's sink and brought up to date."""
    with build_state(out) as state:
        for doc, triples in docs:
            state.ledger.record(doc, DocResult(doc.id, triples, len({t.sentence_id for t in triples}),
                                               len(doc.text.split())))
        write_outputs(state, BuildReport(out=out), views=views)


def edited(doc: Document, triples: list, version: int) -> tuple[Document, DocResult]:
    """``doc`` with other content: its text and every triple's sentence end in ``(version N)``."""
    mark = f" (version {version})"
    new = [dataclasses.replace(t, sentence=t.sentence + mark) for t in triples]
    doc2 = Document(doc.id, doc.text + mark, title=doc.title, date=doc.date, url=doc.url, source=doc.source)
    return doc2, DocResult(doc.id, new, len({t.sentence_id for t in new}), len(doc2.text.split()))


def replace_once(out: Path, doc: Document, result: DocResult, *, views: bool) -> tuple[float, float]:
    """Seconds to replace one document as ``kg build`` does, and the part spent bringing the link
    state and the graph up to date."""
    started = time.perf_counter()
    with build_state(out) as state:
        state.ledger.record(doc, result)
        graph_started = time.perf_counter()
        write_outputs(state, BuildReport(out=out), views=views)
    done = time.perf_counter()
    assert state.ledger.replaced == 1
    return done - started, done - graph_started


def forget_once(out: Path, doc_id: str) -> float:
    """Seconds of :func:`kg.build.forget` of one document."""
    started = time.perf_counter()
    report = forget([doc_id], out=out)
    assert report.forgotten == [doc_id]
    return time.perf_counter() - started


def graph_seconds(out: Path) -> float:
    """Seconds to read the build's whole graph (what every ``kg query`` or ``kg view`` call does)."""
    started = time.perf_counter()
    read_build_graph(out)
    return time.perf_counter() - started


def measure(n_docs: int, repeat: int, *, views: bool, tmp: Path, triples: Path | None = None) -> dict:
    """Median seconds of replace and forget on a build of ``n_docs`` documents (synthetic, or the first
    ones of a ``triples`` file)."""
    out = tmp / f"build-{n_docs}"
    docs = documents(n_docs) if triples is None else documents_of(triples, n_docs)
    started = time.perf_counter()
    make_build(out, docs, views=views)
    made = time.perf_counter() - started
    middle = len(docs) // 2
    doc, triples = docs[middle]
    replace, replace_graph = [], []
    for i in range(repeat):
        seconds, graph = replace_once(out, *edited(doc, triples, i), views=views)
        replace.append(seconds)
        replace_graph.append(graph)
    forgot = [forget_once(out, docs[middle + 1 + i][0].id) for i in range(repeat)]
    size = sum(p.stat().st_size for p in out.glob("kg.sqlite*"))
    return {"docs": len(docs), "made": made, "replace": statistics.median(replace),
            "replace_graph": statistics.median(replace_graph), "forget": statistics.median(forgot),
            "graph": statistics.median(graph_seconds(out) for _ in range(3)), "mb": size / 1e6}


def main(argv=None) -> int:
    """Measure and print the medians and the ratio largest/smallest."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", default="2000,20000", help="build sizes, comma-separated (default 2000,20000)")
    p.add_argument("--repeat", type=int, default=5, help="operations per size; medians are quoted (default 5)")
    p.add_argument("--views", action="store_true", help="also redraw view.html, as a default kg build does")
    p.add_argument("--triples", type=Path, metavar="FILE",
                   help="take the documents from a triples file (kg extract output, e.g. of bench/scale.py's "
                        "corpus) instead of synthetic ones")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.docs.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-forget-") as tmp:
        for n in sizes:
            r = measure(n, args.repeat, views=args.views, tmp=Path(tmp), triples=args.triples)
            rows.append(r)
            print(f"{r['docs']:>6} docs ({r['mb']:.1f} MB store, made in {r['made']:.1f}s): "
                  f"replace one {r['replace']:.3f}s (graph {r['replace_graph']:.3f}s), "
                  f"forget one {r['forget']:.3f}s; reading the whole graph {r['graph']:.3f}s "
                  f"[medians of {args.repeat}]", flush=True)
    small, large = rows[0], rows[-1]
    for op in ("replace", "forget"):
        ratio = large[op] / small[op]
        verdict = "within" if ratio <= 2 else "NOT within"
        baseline = ", ".join(f"{r[op] / r['graph']:.2f}x at {r['docs']}" for r in rows)
        print(f"{op}: {large['docs']}/{small['docs']} docs = {ratio:.1f}x ({verdict} the 2x target); "
              f"against reading the whole graph: {baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
