"""Replacing one edited document and forgetting one in Neo4j, on databases of 2,000 and 20,000 documents.

    python bench/forget_neo4j.py [--docs 2000,20000] [--repeat 5] [--triples FILE]

Uses the server at NEO4J_URI (NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE) when set, else
starts the project's own Neo4j 5.26 (``make neo4j-jars`` builds it) on a scratch store.
THE DATABASE IS EMPTIED before each size: never point it at a database you care about.

The documents are those of ``bench/forget.py`` (the deterministic synthetic triples of
``tests/synthetic.py``: 3-6 sentences, 1-3 triples a sentence, hub entities shared by many
documents; with ``--triples FILE`` the first documents of a ``kg extract`` output, as
``bench/forget.py --triples`` takes them), written with the batched loader (:func:`kg.neo4j.store.load_triples`, batches of
5,000; faster to set up here than a bulk import, which needs the server stopped).  Then, on
each size, ``--repeat`` times:

- **replace**: ``kg load`` of a document of the middle of the database that comes back with
  other content (its sentences end in "(version N)"): its digest differs, so the load forgets
  it and writes it again (:mod:`kg.neo4j.change`);
- **forget**: :func:`kg.neo4j.change.forget_documents` of one document (another each time);
- **forget first**: the same for one of the first documents in id order (the first, then the
  second ...): they name the entities they share with later documents and hold the first
  sentences, documents and speakers facts list, so their facts and entities change most.

Each operation runs once more first, as a warm-up (the server compiles its query plans), and
is not counted.

The baseline, measured in the same run before each size's database is loaded: the same
``kg load`` call for that one document into an empty database.  It prints the median seconds
of each operation per size, the ratio of the largest size to the smallest (target: within 2x),
and each operation against the baseline.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.forget import documents, documents_of  # noqa: E402
from bench.load import bench_neo4j, clear  # noqa: E402
from kg.neo4j import store  # noqa: E402
from kg.neo4j.change import forget_documents  # noqa: E402
from tests.neo4j_process import LauncherError  # noqa: E402


def edited(triples: list, version: int) -> list:
    """The triples of a document with other content: every sentence ends in ``(version N)``."""
    return [dataclasses.replace(t, sentence=f"{t.sentence} (version {version})") for t in triples]


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def measure(conn: store.Connection, n_docs: int, repeat: int, triples: Path | None = None) -> dict:
    """Median seconds of the baseline, of replace and of forget on a database of ``n_docs`` documents
    (synthetic, or the first ones of a ``triples`` file)."""
    docs = documents(n_docs) if triples is None else documents_of(triples, n_docs)
    middle = len(docs) // 2
    doc, triples = docs[middle]
    baseline = []
    for i in range(repeat + 1):
        clear(conn)
        seconds, report = timed(store.load_triples, conn, edited(triples, 100 + i))
        assert report.ok
        baseline.append(seconds)
    baseline = baseline[1:]
    clear(conn)
    made, report = timed(store.load_triples, conn, (t for _, ts in docs for t in ts))
    assert report.ok
    replace, forgot, first = [], [], []
    earliest = sorted(d.id for d, _ in docs)
    for i in range(repeat + 1):  # the first of each is a warm-up (query plans), not counted
        seconds, report = timed(store.load_triples, conn, edited(triples, i))
        assert report.ok and report.replaced == 1, report
        replace.append(seconds)
        doc_id = docs[middle + 1 + i][0].id
        seconds, report = timed(forget_documents, conn, [doc_id])
        assert report.forgotten == [doc_id]
        forgot.append(seconds)
        seconds, report = timed(forget_documents, conn, [earliest[i]])
        assert report.forgotten == [earliest[i]]
        first.append(seconds)
    replace, forgot, first = replace[1:], forgot[1:], first[1:]
    return {"docs": len(docs), "triples": sum(len(ts) for _, ts in docs), "made": made,
            "baseline": statistics.median(baseline), "replace": statistics.median(replace),
            "forget": statistics.median(forgot), "forget first": statistics.median(first), "doc_triples": len(triples)}


def main(argv=None) -> int:
    """Measure and print the medians, the ratio largest/smallest and each operation against the baseline."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--docs", default="2000,20000", help="database sizes, comma-separated (default 2000,20000)")
    p.add_argument("--repeat", type=int, default=5, help="operations per size; medians are quoted (default 5)")
    p.add_argument("--triples", type=Path, metavar="FILE", help="take the documents from a triples file (kg extract "
                   "output, e.g. of bench/scale.py's corpus) instead of synthetic ones")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.docs.split(",")]
    rows = []
    try:
        with bench_neo4j() as config, store.connect(config) as conn:
            for n in sizes:
                r = measure(conn, n, args.repeat, args.triples)
                rows.append(r)
                print(f"{r['docs']:>6} docs ({r['triples']} triples, loaded in {r['made']:.1f}s): "
                      f"replace one ({r['doc_triples']} triples) {r['replace']:.3f}s, forget one {r['forget']:.3f}s, "
                      f"forget one of the first {r['forget first']:.3f}s; "
                      f"baseline (the same load into an empty database) {r['baseline']:.3f}s "
                      f"[medians of {args.repeat}]", flush=True)
            clear(conn)
    except LauncherError as exc:
        print(f"bench/forget_neo4j.py: {exc}", file=sys.stderr)
        return 1
    small, large = rows[0], rows[-1]
    for op in ("replace", "forget", "forget first"):
        print(f"{op}: {large['docs']}/{small['docs']} docs = {large[op] / small[op]:.2f}x (target: within 2x); "
              + ", ".join(f"{r['docs']} docs {r[op] / r['baseline']:.2f}x the baseline" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
