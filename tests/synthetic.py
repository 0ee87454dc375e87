"""Deterministic synthetic triples, and a full, order-free dump of a Neo4j database.

Used by the fault and injection tests and by ``bench/neo4j_faults.py``; the corpus needs no model.
"""
from __future__ import annotations

import json
import random
from typing import Iterator

from kg.records import Argument, Predicate, Speaker, Triple, entity_key

TYPES = ("PERSON", "ORG", "GPE", "NORP", "CONCEPT", "EVENT")
LEMMAS = ("support", "oppose", "meet", "criticise", "visit", "sign", "invest in", "call for", "warn", "join",
          "lead", "discuss", "announce", "reject", "approve")
#: List properties compared without their order.
SETS = ("evidence", "speakers", "docs", "aliases", "merges")


def synthetic_triples(n: int, *, seed: int = 11, entities: int | None = None) -> Iterator[Triple]:
    """``n`` triples: documents of 3-6 sentences, 1-3 triples a sentence, a few hub entities shared
    by many documents (so facts gather evidence across batches), speakers, negations, aliases, dates.

    >>> len(list(synthetic_triples(50)))
    50
    """
    rng = random.Random(seed)
    pool = [(f"Entity {i} {rng.choice(('Alpha', 'Beta', 'Gamma'))}", TYPES[i % len(TYPES)])
            for i in range(entities or max(40, n // 20))]
    hubs = pool[:8]
    people = [e for e in pool if e[1] == "PERSON"]
    made, d = 0, 0
    while made < n:
        doc_id = f"doc-{d:05d}"
        meta = {"title": f"Report {d}", "date": f"2024-{1 + d % 12:02d}-{1 + d % 28:02d}",
                "url": f"https://example.org/{doc_id}", "source": f"wire-{d % 3}"}
        for s in range(rng.randint(3, 6)):
            sid = f"{doc_id}:{s}"
            text = f"Sentence {s} of {doc_id}."
            speaker = rng.choice(people) if rng.random() < 0.2 else None
            for _ in range(rng.randint(1, 3)):
                if made == n:
                    return
                subj = rng.choice(hubs) if rng.random() < 0.4 else rng.choice(pool)
                obj = rng.choice(pool)
                if subj == obj:
                    obj = pool[(pool.index(obj) + 1) % len(pool)]
                if rng.random() < 0.03:
                    lemma, obj = "alias", (subj[0].split()[1] + "X", subj[1])
                else:
                    lemma = rng.choice(LEMMAS)
                made += 1
                yield Triple(doc_id, sid, text, _arg(subj), Predicate(f"{lemma}s", lemma), _arg(obj),
                             Speaker(speaker[0], entity_key(*speaker)) if speaker else None,
                             rng.random() < 0.08, round(rng.uniform(0.3, 0.95), 3), "synthetic", 0, meta)
        d += 1


def _arg(entity: tuple[str, str]) -> Argument:
    name, type_ = entity
    return Argument(name, name, entity_key(name, type_), type_, 0, len(name))


def write_jsonl(triples, path) -> int:
    """Write triple records as ``kg extract`` does; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for t in triples:
            f.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


# --- comparing databases ---------------------------------------------------------------

NODES = "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props"
RELATIONSHIPS = ("MATCH (a)-[r]->(b) RETURN coalesce(a.key, a.id) AS a, type(r) AS type, "
                 "properties(r) AS props, coalesce(b.key, b.id) AS b")


def full_dump(conn) -> dict[str, list[str]]:
    """Every node (labels, properties) and relationship (ends, type, properties), sorted.

    The lists of :data:`SETS` are compared sorted; every EVIDENCE relationship is a line of its own.
    """
    from kg.neo4j import store

    nodes = [{"labels": sorted(labels), "props": _canonical(props)}
             for labels, props in store.run_query(conn, NODES)[1]]
    rels = [{"a": a, "type": t, "props": _canonical(props), "b": b}
            for a, t, props, b in store.run_query(conn, RELATIONSHIPS)[1]]
    as_text = lambda rows: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)  # noqa: E731
    return {"nodes": as_text(nodes), "relationships": as_text(rels)}


def _canonical(props: dict) -> dict:
    out = dict(props)
    for k in SETS:
        if isinstance(out.get(k), list):
            out[k] = sorted(out[k])
    return out


def wipe(conn) -> None:
    """Delete every node and relationship (the schema stays)."""
    with conn.session() as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
