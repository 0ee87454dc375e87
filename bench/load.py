"""Loading speed into a real Neo4j: batched ``kg load`` against one query per triple.

    python bench/load.py [--triples 100000] [--repeats 3] [--batch-size 5000] [--naive 2000]

Uses the server at NEO4J_URI (NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE) when set, else
starts the project's own Neo4j 5.26 (``make neo4j-jars`` builds it) on a scratch store.
THE DATABASE IS EMPTIED before each run: never point it at a database you care about.

The corpus is synthetic and deterministic: documents of a few sentences, two to three triples
per sentence, entities drawn from a Zipf-like distribution (a few hubs, a long tail), a few
hundred predicate types, reported speech, negations, aliases and dates.  It prints the batch
size, the median triples/s of a fresh load and of a re-load (every MERGE matches, nothing
new), the naive loop's triples/s on a smaller sample, and the ratio.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import neo4j_store as store  # noqa: E402
from kg.records import Argument, Predicate, Speaker, Triple, entity_key  # noqa: E402
from tests.neo4j_process import LauncherError, Neo4jProcess  # noqa: E402

TYPES = ("PERSON", "ORG", "GPE", "NORP", "CONCEPT", "EVENT", "LAW")
VERBS = ("support", "oppose", "meet", "criticise", "visit", "sign", "accuse", "praise", "fund", "sanction",
         "invest in", "call for", "warn", "join", "lead", "attack", "discuss", "announce", "reject", "approve")
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
  ON CREATE SET r.evidence = [], r.evidence_speakers = [], r.evidence_predicates = [],
                r.speakers = [], r.docs = [], r.count = 0, r.confidence = 0.0
WITH r WHERE NOT $f.evidence[0] IN r.evidence
SET r.evidence = r.evidence + $f.evidence[0], r.evidence_speakers = r.evidence_speakers + $f.ev_speakers[0],
    r.evidence_predicates = r.evidence_predicates + $f.ev_predicates[0], r.count = size(r.evidence) + 1,
    r.confidence = CASE WHEN $f.ev_conf[0] > r.confidence THEN $f.ev_conf[0] ELSE r.confidence END,
    r.speakers = CASE WHEN $f.ev_speakers[0] = '' OR $f.ev_speakers[0] IN r.speakers THEN r.speakers
                      ELSE r.speakers + $f.ev_speakers[0] END,
    r.docs = CASE WHEN $f.ev_docs[0] IN r.docs THEN r.docs ELSE r.docs + $f.ev_docs[0] END,
    r.first_seen = CASE WHEN r.first_seen IS NULL OR $f.ev_dates[0] < r.first_seen THEN $f.ev_dates[0] ELSE r.first_seen END,
    r.last_seen = CASE WHEN r.last_seen IS NULL OR $f.ev_dates[0] > r.last_seen THEN $f.ev_dates[0] ELSE r.last_seen END
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


def synthetic_corpus(n: int, *, seed: int = 7, entities: int | None = None, predicates: int = 300) -> list[Triple]:
    """``n`` deterministic triples with realistic provenance (see the module docstring)."""
    rng = random.Random(seed)
    n_entities = entities or max(50, n // 5)
    pool = [_entity(i, rng) for i in range(n_entities)]
    weights = _zipf_cumulative(n_entities, 1.1)
    lemmas = _predicates(predicates)
    lemma_weights = _zipf_cumulative(len(lemmas), 0.9)
    people = [e for e in pool[:2000] if e[1] == "PERSON"]
    out: list[Triple] = []
    d = 0
    while len(out) < n:
        doc_id = f"news-{d:06d}"
        meta = {"title": f"Report {d}", "date": f"20{20 + d % 5}-{1 + d % 12:02d}-{1 + d % 28:02d}",
                "source": f"wire-{d % 7}", "url": f"https://example.org/{doc_id}"}
        for s in range(rng.randint(4, 12)):
            sid = f"{doc_id}:{s}"
            speaker = rng.choice(people) if people and rng.random() < 0.15 else None
            chosen = rng.choices(pool, cum_weights=weights, k=6)
            text = f"In {doc_id} sentence {s}, " + ", ".join(e[0] for e in chosen[:4]) + " were reported."
            for k in range(rng.randint(1, 3)):
                subj, obj = chosen[2 * k], chosen[2 * k + 1]
                if subj == obj:
                    continue
                if rng.random() < 0.02:
                    out.append(_triple(doc_id, sid, text, meta, subj, "alias", f"({subj[0][:3].upper()})",
                                       (subj[0][:3].upper(), subj[1]), None, False, 0.95))
                lemma = rng.choices(lemmas, cum_weights=lemma_weights, k=1)[0]
                out.append(_triple(doc_id, sid, text, meta, subj, lemma, lemma, obj, speaker,
                                   rng.random() < 0.05, round(rng.uniform(0.4, 0.95), 3)))
        d += 1
    return out[:n]


def _entity(i: int, rng: random.Random) -> tuple[str, str]:
    return (f"Entity {i} {rng.choice(['Alpha', 'Beta', 'Gamma', 'Delta', 'Omega'])}", TYPES[i % len(TYPES)])


def _predicates(n: int) -> list[str]:
    lemmas = [f"{v} {p}".strip() for p in PARTICLES for v in VERBS]
    return lemmas[:n]


def _zipf_cumulative(n: int, s: float) -> list[float]:
    total, out = 0.0, []
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
                session.run(NAIVE_FACT, params).consume()


def timed(fn, *args, **kwargs) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=store.DEFAULT_BATCH_SIZE)
    ap.add_argument("--naive", type=int, default=2000, help="triples in the naive loop's sample")
    args = ap.parse_args(argv)

    server = None
    if not os.environ.get("NEO4J_URI"):
        try:
            server = Neo4jProcess.start(tempfile.mkdtemp(prefix="kg-bench-neo4j-"), password="kg-bench-password",
                                         quick_start=False)
        except LauncherError as exc:
            print(f"bench/load.py: {exc}", file=sys.stderr)
            return 1
        config = store.config_from_env(server.uri, "neo4j", "kg-bench-password")
    else:
        config = store.config_from_env()
    try:
        return _run(config, args)
    finally:
        if server:
            server.stop()
            shutil.rmtree(server.home, ignore_errors=True)


def _run(config: store.Neo4jConfig, args) -> int:
    t0 = time.perf_counter()
    corpus = synthetic_corpus(args.triples)
    rows = store.rows_for_triples(corpus)
    print(f"corpus: {len(corpus)} triples, {len(rows['documents'])} documents, {len(rows['sentences'])} sentences, "
          f"{len(rows['entities'])} entities, {len(rows['facts'])} distinct facts, "
          f"{len({f['type'] for f in rows['facts']})} relationship types (made in {time.perf_counter() - t0:.1f} s)")
    print(f"server: {config.where}; batch size {args.batch_size} triples")
    with store.connect(config) as conn:
        clear(conn)
        store.ensure_schema(conn)
        sample = corpus[:args.naive]
        # Warm up both paths (plan caches, the JVM's JIT) so no timed run pays for it.
        naive_load(conn, corpus[-200:])
        store.load_triples(conn, corpus[-10000:], batch_size=args.batch_size)
        naive = []
        for _ in range(args.repeats):
            clear(conn)
            naive.append(len(sample) / timed(naive_load, conn, sample))
        naive_rate = statistics.median(naive)
        print(f"naive, one query per triple ({len(sample)} triples): {naive_rate:,.0f} triples/s "
              f"(runs: {', '.join(f'{x:,.0f}' for x in naive)})", flush=True)
        fresh, reload = [], []
        for _ in range(args.repeats):
            clear(conn)
            fresh.append(len(corpus) / timed(store.load_triples, conn, corpus, batch_size=args.batch_size))
            reload.append(len(corpus) / timed(store.load_triples, conn, corpus, batch_size=args.batch_size))
            print(f"  run: fresh {fresh[-1]:,.0f} triples/s, re-load {reload[-1]:,.0f} triples/s", flush=True)
        fresh_rate, reload_rate = statistics.median(fresh), statistics.median(reload)
        print(f"batched fresh load ({len(corpus)} triples): median {fresh_rate:,.0f} triples/s")
        print(f"batched re-load, nothing new: median {reload_rate:,.0f} triples/s")
        print(f"ratio fresh / naive: {fresh_rate / naive_rate:.1f}x; re-load / naive: {reload_rate / naive_rate:.1f}x")
        clear(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
