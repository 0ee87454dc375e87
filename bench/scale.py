"""Extraction past one process: local pool and Dask against bare spaCy, in one run.

    python bench/scale.py [--docs N] [--partition-docs P] [--model NAME] [--skip-rss]

On one deterministically generated corpus (default 20,000 documents) it measures,
one after the other in the same run:
- words/s of bare ``nlp.pipe`` in this process (the baseline),
- words/s of sharded ``kg extract`` with the local engine, 1 process and 2 processes,
- words/s of sharded ``kg extract`` with the Dask engine, a LocalCluster of 2 workers,
and prints each with its ratio to bare spaCy and to one kg process (target: Dask with
2 workers >= 1.6x one process on a 2-core machine).  Every engine's merged output
must be byte-identical; the script checks it.

Memory: the peak RSS (VmHWM) of each Dask worker process on a corpus of N/10 documents
and on the N-document corpus (target: flat, since partitions are bounded and input is
streamed).

Graph size: from the merged triples, per article: sentences, triples, facts (non-alias
triples), distinct entities, and the Neo4j nodes and relationships the §4 model would
hold for one article before cross-article merging of entities.

The corpus mixes the sentences of the bundled sample (``samples/news``) with this
script's and ``bench/extract.py``'s own sentences: 8-14 per document, drawn with a
fixed seed, so the same ``--docs`` always gives the same corpus.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract import bare_pipe, sample_sentences  # noqa: E402

from kg.run.driver import run  # noqa: E402
from kg.extractor import ExtractOptions  # noqa: E402
from kg.nlp import DEFAULT_MODEL, load_model, model_description  # noqa: E402
from kg.run.shards import ShardSink, merge_shards, settings_digest  # noqa: E402
from kg.run.stats import RunStats  # noqa: E402

OWN = [
    "The Kenyan government said on Tuesday that it would expand the port of Mombasa.",
    "Canada imposed sanctions on three Russian banks, the finance ministry said.",
    "The International Monetary Fund (IMF) approved a loan of $3 billion for Egypt.",
    "Indonesia's President Joko Widodo visited the new capital Nusantara with Chinese investors.",
    "Police in Lagos arrested dozens of protesters who were blocking the main highway.",
    "Toyota recalled 300,000 cars in the United States because of faulty airbags.",
    "The United Nations Security Council condemned the attack on the peacekeepers in Mali.",
    "Spain and Portugal asked the European Union to fund a new gas pipeline.",
    "Microsoft agreed to buy the video game maker for $69 billion, the company said.",
    "The Mexican Senate approved a reform of the judiciary after a long debate.",
    "Australian Prime Minister Anthony Albanese did not rule out an early election.",
    "Thousands of farmers protested in Brussels against cheap imports from Ukraine.",
    "The Philippine coast guard accused Chinese vessels of blocking a supply mission.",
    "South Korea's central bank kept its policy rate at 3.5 percent on Thursday.",
    "Nigeria's electoral commission declared Bola Tinubu the winner of the election.",
    "Apple opened its first store in India, in the financial capital Mumbai.",
]


def corpus_sentences() -> list[str]:
    """The sentence pool: the bundled sample and ``bench/extract.py``'s sentences plus this script's own."""
    return sample_sentences() + OWN


def make_corpus(path: Path, n_docs: int, *, seed: int = 2024) -> int:
    """Write ``n_docs`` JSONL documents of 8-14 sentences (one per line); deterministic for a given seed."""
    rng = random.Random(seed)
    pool = corpus_sentences()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n_docs):
            k = rng.randint(8, 14)
            f.write(json.dumps({"id": f"scale-{i:07d}", "text": "\n".join(rng.sample(pool, k)),
                                "date": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"}) + "\n")
    return n_docs


def kg_sharded(corpus: Path, work: Path, *, engine: str, workers: int, model: str, partition_docs: int,
               measure_rss: bool = False) -> dict:
    """One sharded extraction of the corpus and the merge; seconds, counts, output hash, worker RSS."""
    from kg.sources import iter_documents

    shards, merged = work / f"shards-{engine}-{workers}", work / f"merged-{engine}-{workers}.jsonl"
    stats = RunStats()
    t0 = time.perf_counter()
    with ShardSink(shards, settings=settings_digest(model, ExtractOptions()), partition_docs=partition_docs) as sink:
        for _ in run(iter_documents([str(corpus)]), engine=engine, workers=workers, model=model,
                     options=ExtractOptions(), partition_docs=partition_docs, stats=stats, sink=sink,
                     measure_rss=measure_rss):
            pass
    t1 = time.perf_counter()
    with open(merged, "w", encoding="utf-8", newline="\n") as out:
        merge_shards(sink.paths(), out)
    t2 = time.perf_counter()
    digest = hashlib.sha256(merged.read_bytes()).hexdigest()
    return {"seconds": t2 - t0, "extract_seconds": t1 - t0, "merge_seconds": t2 - t1, "words": stats.words,
            "triples": stats.triples, "processed": stats.processed, "sha256": digest, "merged": merged,
            "shards": len(sink.names), "rss": sorted(stats.worker_peak_rss_mb.values())}


def graph_size(merged: Path, articles: int) -> dict:
    """Per-article graph size from merged triple records (before entities merge across articles)."""
    sentences, entities, facts, triples = set(), set(), Counter(), 0
    with open(merged, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            triples += 1
            sentences.add(r["sentence_id"])
            doc = r["doc_id"]
            entities.add((doc, r["subject"]["key"]))
            if r["predicate"]["lemma"] != "alias":
                entities.add((doc, r["object"]["key"]))
                facts[(doc, r["subject"]["key"], r["predicate"]["lemma"], r["object"]["key"])] += 1
    per = {"sentences with triples": len(sentences) / articles, "triples": triples / articles,
           "distinct entities (within the article)": len(entities) / articles,
           "fact edges (distinct subject-predicate-object within the article)": len(facts) / articles}
    # Neo4j model (NOTES §4): Document + Sentence + Entity nodes; HAS_SENTENCE + MENTIONS + fact relationships.
    per["nodes (Document + evidence Sentences + Entities)"] = 1 + per["sentences with triples"] + per[
        "distinct entities (within the article)"]
    return per


def mentions_per_article(merged: Path, articles: int) -> float:
    """Distinct (sentence, entity) pairs per article: the MENTIONS relationships of the §4 model."""
    pairs = set()
    with open(merged, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            pairs.add((r["sentence_id"], r["subject"]["key"]))
            pairs.add((r["sentence_id"], r["object"]["key"]))
    return len(pairs) / articles


def load_note() -> str:
    """Wall-clock time and the 1-minute load average: the machine is shared, so each line says how busy it was."""
    return f"[{time.strftime('%H:%M:%S')}, load {os.getloadavg()[0]:.1f}]"


def rss_only(a, part: int) -> int:
    """Peak RSS of each Dask worker on N/10 and on N documents (the memory target alone)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(a.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        rss = {}
        for n in (max(1, a.docs // 10), a.docs):
            corpus = work / f"corpus-{n}.jsonl"
            make_corpus(corpus, n)
            (work / f"run-{n}").mkdir(exist_ok=True)
            r = kg_sharded(corpus, work / f"run-{n}", engine="dask", workers=2, model=a.model,
                           partition_docs=part, measure_rss=True)
            rss[n] = r["rss"]
            print(f"{n:,} docs, partitions of {part}: dask worker peak RSS {', '.join(f'{x:.0f}' for x in r['rss'])} MB "
                  f"({r['seconds']:.0f} s) {load_note()}", flush=True)
        small, big = (statistics.median(v) for v in rss.values())
        print(f"ratio of medians {big / small:.2f} for {a.docs // max(1, a.docs // 10)}x the corpus (target: flat, ~1.0)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000, help="documents in the corpus (default 20000)")
    ap.add_argument("--partition-docs", type=int, default=0,
                    help="documents per partition (default: docs/40, between 10 and 500)")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--skip-rss", action="store_true", help="skip the Dask run on N/10 documents")
    ap.add_argument("--rss-only", action="store_true",
                    help="only the memory part: Dask 2 workers on N and on N/10 documents, peak RSS of each worker")
    ap.add_argument("--keep", metavar="DIR", help="keep the corpus and merged outputs in DIR")
    a = ap.parse_args(argv)
    part = a.partition_docs or min(500, max(10, a.docs // 40))
    if a.rss_only:
        return rss_only(a, part)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(a.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        corpus = work / "corpus.jsonl"
        make_corpus(corpus, a.docs)
        with open(corpus, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f]
        nlp = load_model(a.model)
        bare_pipe(nlp, texts[:20])  # warm up
        print(f"model {model_description(nlp)}; corpus {a.docs:,} documents ({corpus.stat().st_size / 1e6:.1f} MB), "
              f"partitions of {part}; cores {os.cpu_count()}", flush=True)
        s, w, _ = bare_pipe(nlp, texts)
        base = w / s
        del texts
        print(f"bare nlp.pipe            {base:10,.0f} words/s  ({w:,} words, {s:.0f} s) {load_note()}", flush=True)
        runs = {}
        for label, engine, workers in (("kg local, 1 process", "local", 1), ("kg local, 2 processes", "local", 2),
                                       ("kg dask, 2 workers", "dask", 2)):
            r = kg_sharded(corpus, work, engine=engine, workers=workers, model=a.model, partition_docs=part,
                           measure_rss=engine == "dask")
            runs[label] = r
            rate = r["words"] / r["seconds"]
            one = runs["kg local, 1 process"]
            ratio_one = rate / (one["words"] / one["seconds"])
            print(f"{label:24} {rate:10,.0f} words/s  ratio to bare {rate / base:.2f}, to 1 process {ratio_one:.2f}"
                  f"  ({r['seconds']:.0f} s, merge {r['merge_seconds']:.1f} s, {r['shards']} shards) {load_note()}",
                  flush=True)
        hashes = {r["sha256"] for r in runs.values()}
        print(f"merged outputs byte-identical across engines: {len(hashes) == 1} "
              f"({runs['kg local, 1 process']['triples']:,} triples, sha256 {next(iter(hashes))[:16]})")
        dask = runs["kg dask, 2 workers"]
        print("target: dask 2 workers >= 1.6x one process: "
              f"{(dask['words'] / dask['seconds']) / (runs['kg local, 1 process']['words'] / runs['kg local, 1 process']['seconds']):.2f}x")
        if not a.skip_rss:
            small_corpus = work / "corpus-tenth.jsonl"
            make_corpus(small_corpus, max(1, a.docs // 10))
            small = kg_sharded(small_corpus, work / "tenth", engine="dask", workers=2, model=a.model,
                               partition_docs=part, measure_rss=True)
            big_rss, small_rss = dask["rss"], small["rss"]
            print(f"dask worker peak RSS: {a.docs // 10:,} docs {', '.join(f'{x:.0f}' for x in small_rss)} MB; "
                  f"{a.docs:,} docs {', '.join(f'{x:.0f}' for x in big_rss)} MB; ratio of medians "
                  f"{statistics.median(big_rss) / statistics.median(small_rss):.2f} (target: flat, ~1.0) {load_note()}")
        size = graph_size(dask["merged"], a.docs)
        size["MENTIONS (distinct sentence-entity pairs)"] = mentions_per_article(dask["merged"], a.docs)
        size["relationships (HAS_SENTENCE + MENTIONS + facts)"] = (
            size["sentences with triples"] + size["MENTIONS (distinct sentence-entity pairs)"]
            + size["fact edges (distinct subject-predicate-object within the article)"])
        print("per article: " + "; ".join(f"{k} {v:.2f}" for k, v in size.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
