"""What writing shards costs: ``kg extract --shards`` against a plain ``kg extract`` in the same run.

    python bench/shards.py [--docs 1000] [--partition-docs 50] [--repeats 3]

One process, the model loaded once.  Per repeat, on the same corpus (``bench/scale.py``'s
generator): the plain run (driver to one file), a sharded run into a fresh directory
(driver, shard files and ledgers, then the merge), and a re-run over the finished shards
(nothing to extract: the cost of finding where every shard stops, and the merge).
Prints the medians and the ratios sharded / plain and re-run / plain; the merged
output must equal the plain one byte for byte.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scale import make_corpus  # noqa: E402

from kg.extractor import ExtractOptions  # noqa: E402
from kg.nlp import DEFAULT_MODEL, load_model  # noqa: E402
from kg.run.driver import run  # noqa: E402
from kg.run.shards import ShardSink, merge_shards, settings_digest  # noqa: E402
from kg.run.sink import triple_line  # noqa: E402
from kg.sources import iter_documents  # noqa: E402


def plain(corpus: Path, out: Path, nlp) -> float:
    """Seconds for a run without shards, written to ``out``."""
    t0 = time.perf_counter()
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for r in run(iter_documents([str(corpus)]), nlp=nlp):
            f.writelines(triple_line(t) for t in getattr(r, "triples", ()))
    return time.perf_counter() - t0


def sharded(corpus: Path, shards: Path, out: Path, nlp, partition_docs: int) -> float:
    """Seconds for a sharded run into ``shards`` and the merge into ``out``."""
    t0 = time.perf_counter()
    with ShardSink(shards, settings=settings_digest(DEFAULT_MODEL, ExtractOptions()),
                   partition_docs=partition_docs) as sink:
        for _ in run(iter_documents([str(corpus)]), nlp=nlp, sink=sink):
            pass
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            merge_shards(sink.paths(), f)
    return time.perf_counter() - t0


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--partition-docs", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    nlp = load_model(DEFAULT_MODEL)
    with tempfile.TemporaryDirectory(prefix="kg-bench-shards-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        make_corpus(corpus, args.docs)
        times: dict[str, list] = {"plain": [], "sharded": [], "re-run": []}
        for i in range(args.repeats):
            shards = work / "shards"
            shutil.rmtree(shards, ignore_errors=True)
            times["plain"].append(plain(corpus, work / "plain.jsonl", nlp))
            times["sharded"].append(sharded(corpus, shards, work / "sharded.jsonl", nlp, args.partition_docs))
            times["re-run"].append(sharded(corpus, shards, work / "again.jsonl", nlp, args.partition_docs))
            same = sha(work / "plain.jsonl") == sha(work / "sharded.jsonl") == sha(work / "again.jsonl")
            print(f"repeat {i + 1}: plain {times['plain'][-1]:.2f} s, sharded {times['sharded'][-1]:.2f} s, "
                  f"re-run {times['re-run'][-1]:.2f} s; outputs identical: {same}", flush=True)
            if not same:
                return 1
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{args.docs} documents, partitions of {args.partition_docs}; medians of {args.repeats}: "
          f"plain {med['plain']:.2f} s, sharded {med['sharded']:.2f} s ({med['sharded'] / med['plain']:.3f}x), "
          f"re-run over finished shards {med['re-run']:.2f} s ({med['re-run'] / med['plain']:.3f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
