"""Loading speed into a real Neo4j: batched ``kg load`` against one query per triple.

    python bench/load.py [--triples 100000] [--repeats 3] [--batch-size 5000] [--naive 2000]
    python bench/load.py --shape news --sizes 100000,1000000 [--naive 2000]

Uses the server at NEO4J_URI (NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE) when set, else
starts the project's own Neo4j 5.26 (``make neo4j-jars`` builds it) on a scratch store.
THE DATABASE IS EMPTIED before each run: never point it at a database you care about.

The corpus is synthetic, deterministic and streamed (never held whole).  ``--shape mixed``
(default): documents of a few sentences, two to three triples per sentence; ``--shape news``:
documents of 20 triples.  Both draw entities from a Zipf distribution (a few hubs, a long
tail), a few hundred predicate types, reported speech, negations, aliases and dates.  It prints
the batch size, the median triples/s of a fresh load and of a re-load (every MERGE matches,
nothing new), the naive loop's triples/s on a smaller sample, and the ratio.

With ``--sizes``, each size is loaded fresh by a child process of its own, which reports its
peak resident memory (VmHWM) and rate; the last lines compare the largest size with the
smallest (a streaming load: peak RSS and rate should not change with the input).
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.neo4j import store  # noqa: E402
from bench.load_profile import LoadProfile, format_report  # noqa: E402
from kg.run.dask import own_peak_rss_mb  # noqa: E402
from kg.records import Argument, Predicate, Speaker, Triple, entity_key  # noqa: E402
from tests.neo4j_process import LauncherError, Neo4jProcess  # noqa: E402

SUFFIXES = ("Alpha", "Beta", "Gamma", "Delta", "Omega")
TYPES = ("PERSON", "ORG", "GPE", "NORP", "CONCEPT", "EVENT", "LAW")
VERBS = ("support", "oppose", "meet", "criticise", "visit", "sign", "accuse", "praise", "fund", "sanction",
         "invest in", "call for", "warn", "join", "lead", "attack", "discuss", "announce", "reject", "approve")
#: Triples per document of the news-shaped corpus.
NEWS_DOC_TRIPLES = 20
PARTICLES = ("", "with", "against", "over", "for", "to", "on", "about", "from", "into", "after", "under",
             "through", "by", "at")

# One query per triple: the same MERGE logic as the batched load, for a single record.
NAIVE_FACT = """
MERGE (a:Entity {key: $s.key}) ON CREATE SET a.name = $s.name, a.type = $s.type, a.aliases = [], a:$($s.label)
MERGE (b:Entity {key: $o.key}) ON CREATE SET b.name = $o.name, b.type = $o.type, b.aliases = [], b:$($o.label)
MERGE (d:Document {id: $doc.id}) ON CREATE SET d += $doc.meta
MERGE (s:Sentence {id: $sentence.id}) ON CREATE SET s.text = $sentence.text, s.doc_id = $sentence.doc_id
MERGE (d)-[:HAS_SENTENCE]->(s)
MERGE (s)-[:MENTIONS]->(a)
MERGE (s)-[:MENTIONS]->(b)
MERGE (a)-[r:$($f.type) {predicate: $f.predicate, negated: $f.negated}]->(b)
  ON CREATE SET r.id = $f.props.id, r.evidence = [], r.speakers = [], r.docs = [], r.count = 0, r.confidence = 0.0
WITH r, s, a WHERE NOT EXISTS { (s)-[:EVIDENCE {fact: $f.props.id}]->(a) }
CREATE (s)-[:EVIDENCE {fact: $f.props.id, speaker: $f.ev_speaker[0], predicate_text: $f.ev_predicate_text[0]}]->(a)
SET r.count = r.count + 1,
    r.confidence = CASE WHEN $f.ev_confidence[0] > r.confidence THEN $f.ev_confidence[0] ELSE r.confidence END,
    r.evidence = CASE WHEN size(r.evidence) < $limit THEN r.evidence + s.id ELSE r.evidence END,
    r.speakers = CASE WHEN $f.ev_speaker[0] IS NULL OR $f.ev_speaker[0] IN r.speakers OR size(r.speakers) >= $limit
                      THEN r.speakers ELSE r.speakers + $f.ev_speaker[0] END,
    r.docs = CASE WHEN $f.ev_doc_id[0] IN r.docs OR size(r.docs) >= $limit THEN r.docs ELSE r.docs + $f.ev_doc_id[0] END,
    r.first_seen = CASE WHEN r.first_seen IS NULL OR $f.ev_date[0] < r.first_seen THEN $f.ev_date[0] ELSE r.first_seen END,
    r.last_seen = CASE WHEN r.last_seen IS NULL OR $f.ev_date[0] > r.last_seen THEN $f.ev_date[0] ELSE r.last_seen END
"""
NAIVE_ALIAS = """
MERGE (a:Entity {key: $s.key}) ON CREATE SET a.name = $s.name, a.type = $s.type, a.aliases = [], a:$($s.label)
MERGE (d:Document {id: $doc.id}) ON CREATE SET d += $doc.meta
MERGE (s:Sentence {id: $sentence.id}) ON CREATE SET s.text = $sentence.text, s.doc_id = $sentence.doc_id
MERGE (d)-[:HAS_SENTENCE]->(s)
MERGE (s)-[:MENTIONS]->(a)
WITH a WHERE NOT $alias IN a.aliases
SET a.aliases = a.aliases + $alias
"""


def synthetic_corpus(n: int, *, shape: str = "mixed", seed: int = 7, entities: int | None = None,
                     predicates: int = 300) -> Iterator[Triple]:
    """``n`` deterministic triples with realistic provenance (see the module docstring), made lazily."""
    return itertools.islice(_documents(n, shape=shape, seed=seed, entities=entities, predicates=predicates), n)


def _documents(n: int, *, shape: str, seed: int, entities: int | None, predicates: int) -> Iterator[Triple]:
    rng = random.Random(seed)
    n_entities = entities or max(50, n // 5)
    # The entity pool costs a byte and a float per entity, so the generator's own memory stays
    # small next to the load it feeds (peak RSS is what the benchmark measures).
    suffixes = bytearray(rng.randrange(len(SUFFIXES)) for _ in range(n_entities))
    weights = _zipf_cumulative(n_entities, 1.1)
    lemmas = _predicates(predicates)
    lemma_weights = _zipf_cumulative(len(lemmas), 0.9)

    def entity(i: int) -> tuple[str, str]:
        return f"Entity {i} {SUFFIXES[suffixes[i]]}", TYPES[i % len(TYPES)]

    people = [entity(i) for i in range(min(2000, n_entities)) if TYPES[i % len(TYPES)] == "PERSON"]
    for d in itertools.count():
        doc_id = f"news-{d:06d}"
        meta = {"title": f"Report {d}", "date": f"20{20 + d % 5}-{1 + d % 12:02d}-{1 + d % 28:02d}",
                "source": f"wire-{d % 7}", "url": f"https://example.org/{doc_id}"}
        # mixed: 4-12 sentences of 1-3 triples; news: sentences of 2 triples up to NEWS_DOC_TRIPLES
        sentences = rng.randint(4, 12) if shape == "mixed" else None
        left = NEWS_DOC_TRIPLES if shape == "news" else None
        s = 0
        while s < sentences if left is None else left > 0:
            sid = f"{doc_id}:{s}"
            s += 1
            speaker = rng.choice(people) if people and rng.random() < 0.15 else None
            chosen = [entity(i) for i in rng.choices(range(n_entities), cum_weights=weights, k=6)]
            text = f"In {sid.replace(':', ' sentence ')}, " + ", ".join(e[0] for e in chosen[:4]) + " were reported."
            for k in range(rng.randint(1, 3) if left is None else min(2, left)):
                subj, obj = chosen[2 * k], chosen[2 * k + 1]
                if subj == obj:
                    continue
                if rng.random() < 0.02:
                    yield _triple(doc_id, sid, text, meta, subj, "alias", f"({subj[0][:3].upper()})",
                                  (subj[0][:3].upper(), subj[1]), None, False, 0.95)
                lemma = rng.choices(lemmas, cum_weights=lemma_weights, k=1)[0]
                yield _triple(doc_id, sid, text, meta, subj, lemma, lemma, obj, speaker,
                              rng.random() < 0.05, round(rng.uniform(0.4, 0.95), 3))
                left = None if left is None else left - 1


def _predicates(n: int) -> list[str]:
    lemmas = [f"{v} {p}".strip() for p in PARTICLES for v in VERBS]
    return lemmas[:n]


def _zipf_cumulative(n: int, s: float) -> array:
    total, out = 0.0, array("d")
    for rank in range(1, n + 1):
        total += 1.0 / rank ** s
        out.append(total)
    return out


def _triple(doc_id, sid, text, meta, subj, lemma, ptext, obj, speaker, negated, confidence) -> Triple:
    def arg(e):
        return Argument(e[0], e[0], entity_key(e[0], e[1]), e[1], 0, len(e[0]))
    sp = Speaker(speaker[0], entity_key(speaker[0], "PERSON")) if speaker else None
    return Triple(doc_id, sid, text, arg(subj), Predicate(ptext, lemma), arg(obj), sp, negated,
                  confidence, "synthetic", 0, meta)


def clear(conn: store.Connection) -> None:
    """Empty the database in chunks: relationships first, so no transaction holds a hub's thousands."""
    with conn.session() as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def naive_load(conn: store.Connection, triples: list[Triple]) -> None:
    """One auto-commit query per triple: the baseline."""
    with conn.session() as session:
        for t in triples:
            rows = store.rows_for_triples([t])
            params = {"s": rows["entities"][0], "doc": rows["documents"][0], "sentence": rows["sentences"][0]}
            if t.is_alias:
                session.run(NAIVE_ALIAS, params, alias=t.object.name).consume()
            else:
                ents = {e["key"]: e for e in rows["entities"]}
                params.update(o=ents[t.object.key], f=rows["facts"][0])
                session.run(NAIVE_FACT, params, limit=store.LISTED_LIMIT).consume()


def timed(fn, *args, **kwargs) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--shape", choices=("mixed", "news"), default="mixed", help="corpus shape (see above)")
    ap.add_argument("--sizes", help="comma-separated corpus sizes, each loaded fresh by a child process that "
                                    "reports its peak RSS (e.g. 100000,1000000)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=store.DEFAULT_BATCH_SIZE)
    ap.add_argument("--naive", type=int, default=2000, help="triples in the naive loop's sample")
    ap.add_argument("--memory-limit", type=int, default=store.LOAD_MEMORY_LIMIT,
                    help="entries of the load's LoadMemory (0: off)")
    ap.add_argument("--profile", action="store_true",
                    help="with --sizes: seconds per step and statement per tenth of each load, and the server's "
                         "PROFILE of a batch at a tenth and of the last batch (bench/load_profile.py)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)  # one measured load, for --sizes
    args = ap.parse_args(argv)
    if args.child:
        return _child(store.config_from_env(), args)

    try:
        with bench_neo4j() as config:
            return _run_sizes(config, args) if args.sizes else _run(config, args)
    except LauncherError as exc:
        print(f"bench/load.py: {exc}", file=sys.stderr)
        return 1


@contextlib.contextmanager
def bench_neo4j():
    """The settings of the server at NEO4J_URI when set, else of the project's own Neo4j 5.26 started on a
    scratch store (and removed on exit); raises ``LauncherError`` when it cannot start."""
    if os.environ.get("NEO4J_URI"):
        yield store.config_from_env()
        return
    server = Neo4jProcess.start(tempfile.mkdtemp(prefix="kg-bench-neo4j-"), password="kg-bench-password",
                                quick_start=False)
    try:
        yield store.config_from_env(server.uri, "neo4j", "kg-bench-password")
    finally:
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)


def corpus_summary(triples: Iterator[Triple]) -> str:
    """Counts of a corpus, for the report (holds its keys: not for a process whose memory is measured)."""
    docs, sentences, entities, types, n = set(), set(), set(), set(), 0
    facts: Counter = Counter()
    for t in triples:
        n += 1
        docs.add(t.doc_id)
        sentences.add(t.sentence_id)
        entities.update((t.subject.key, t.object.key) if not t.is_alias else (t.subject.key,))
        if not t.is_alias:
            facts[t.subject.key, t.predicate.lemma, t.negated, t.object.key] += 1
            types.add(t.predicate.lemma)
    return (f"{n} triples, {len(docs)} documents, {len(sentences)} sentences, {len(entities)} entities, "
            f"{len(facts)} distinct facts, {len(types)} predicates; sentences per fact: largest "
            f"{max(facts.values(), default=0)}, {sum(c >= 100 for c in facts.values())} facts with 100 or more")


def _run(config: store.Neo4jConfig, args) -> int:
    t0 = time.perf_counter()
    print(f"corpus ({args.shape}): {corpus_summary(synthetic_corpus(args.triples, shape=args.shape))} "
          f"(made in {time.perf_counter() - t0:.1f} s)")
    print(f"server: {config.where}; batch size {args.batch_size} triples")
    with store.connect(config) as conn:
        clear(conn)
        store.ensure_schema(conn)
        naive_rate = _naive(conn, args)
        fresh, reload = [], []
        for _ in range(args.repeats):
            clear(conn)
            fresh.append(args.triples / timed(store.load_triples, conn, synthetic_corpus(args.triples, shape=args.shape),
                                              batch_size=args.batch_size))
            reload.append(args.triples / timed(store.load_triples, conn, synthetic_corpus(args.triples, shape=args.shape),
                                               batch_size=args.batch_size))
            print(f"  run: fresh {fresh[-1]:,.0f} triples/s, re-load {reload[-1]:,.0f} triples/s", flush=True)
        fresh_rate, reload_rate = statistics.median(fresh), statistics.median(reload)
        print(f"batched fresh load ({args.triples} triples): median {fresh_rate:,.0f} triples/s")
        print(f"batched re-load, nothing new: median {reload_rate:,.0f} triples/s")
        print(f"ratio fresh / naive: {fresh_rate / naive_rate:.1f}x; re-load / naive: {reload_rate / naive_rate:.1f}x")
        clear(conn)
    return 0


def _naive(conn: store.Connection, args) -> float:
    """Warm up both paths (plan caches, the JVM's JIT) so no timed run pays for it, then time the naive loop."""
    sample = list(synthetic_corpus(args.naive, shape=args.shape))
    naive_load(conn, sample[-200:])
    store.load_triples(conn, synthetic_corpus(10_000, shape=args.shape, seed=11), batch_size=args.batch_size)
    naive = []
    for _ in range(args.repeats):
        clear(conn)
        naive.append(len(sample) / timed(naive_load, conn, sample))
    naive_rate = statistics.median(naive)
    print(f"naive, one query per triple ({len(sample)} triples): {naive_rate:,.0f} triples/s "
          f"(runs: {', '.join(f'{x:,.0f}' for x in naive)})", flush=True)
    return naive_rate


def _run_sizes(config: store.Neo4jConfig, args) -> int:
    """Each size loaded fresh by a child process; peak RSS and rate side by side, largest against smallest."""
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"server: {config.where}; batch size {args.batch_size} triples; corpus shape {args.shape}")
    with store.connect(config) as conn:
        clear(conn)
        store.ensure_schema(conn)
        naive_rate = _naive(conn, args)
        clear(conn)
    env = {**os.environ, "NEO4J_URI": config.uri, "NEO4J_USERNAME": config.user,
           "NEO4J_PASSWORD": config.password or "", "NEO4J_DATABASE": config.database or ""}
    results = []
    for n in sizes:
        child = [sys.executable, __file__, "--child", str(n), "--shape", args.shape, "--batch-size",
                 str(args.batch_size), "--memory-limit", str(args.memory_limit)] + (["--profile"] if args.profile else [])
        proc = subprocess.run(child, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        r = json.loads(proc.stdout.splitlines()[-1])
        results.append(r)
        print(f"{n:>9,} triples: {r['rate']:,.0f} triples/s ({r['seconds']:.0f} s), peak RSS {r['peak_rss_mib']:.0f} MiB, "
              f"{r['rate'] / naive_rate:.1f}x naive; corpus: {r['corpus']}", flush=True)
        if "profile" in r:
            print("\n".join(format_report(r["profile"], n)), flush=True)
    first, last = results[0], results[-1]
    print(f"{last['triples']:,} vs {first['triples']:,} triples: peak RSS {last['peak_rss_mib'] / first['peak_rss_mib']:.2f}x, "
          f"rate {last['rate'] / first['rate']:.2f}x")
    return 0


def _child(config: store.Neo4jConfig, args) -> int:
    """Empty the database, load ``args.child`` streamed triples, print one JSON line of figures."""
    batches = -(-args.child // args.batch_size)
    profile = LoadProfile(args.child, args.batch_size, profiled=(batches // 10, batches - 1)) if args.profile else None
    with store.connect(config) as conn:
        clear(conn)
        with profile.installed() if profile else contextlib.nullcontext():
            seconds = timed(store.load_triples, conn, synthetic_corpus(args.child, shape=args.shape),
                            batch_size=args.batch_size, memory_limit=args.memory_limit)
        peak = own_peak_rss_mb()  # MiB: VmHWM in KiB / 1024
        clear(conn)
    figures = {"triples": args.child, "seconds": seconds, "rate": args.child / seconds, "peak_rss_mib": peak,
               "corpus": corpus_summary(synthetic_corpus(args.child, shape=args.shape))}
    if profile:
        figures["profile"] = profile.report()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
