"""Change in Neo4j: forget documents, and replace a document loaded again with other triples.

A document is its id plus the digest of its triples (:func:`document_digest`), which
``(:Document {digest})`` records once all of them are written.  :func:`forget_documents` removes
documents with their sentences, and recomputes from what the database keeps exactly what they
touched, so the graph is then what a clean load of the remaining documents writes:

- every fact one of their sentences stated: from its remaining EVIDENCE relationships (each holds
  the speaker, confidence and date of its sentence), or deleted when none is left;
- every entity one of their sentences mentioned: deleted when nothing mentions it any more, else
  its aliases and merge reasons lose what only they supplied (each MENTIONS holds what its
  sentence supplied) and, when they named it, its name and type come from its earliest
  remaining mention.

The work is proportional to the documents' sentences, the evidence of the facts they stated and,
only where the name or an alias an entity keeps came from them, the mentions of that entity;
never to the size of the graph.  :class:`LoadPlan` is the loader's side: it cuts the input into
documents (a document's triples are contiguous in what kg writes), skips a document whose digest
the database holds, and forgets one stored with another digest before it is loaded again.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import neo4j
from neo4j import exceptions as neo4j_errors

from ..facts import EVIDENCE_PROPERTIES, summarise
from ..graph import sentence_order
from ..records import Triple, node_label
from .store import (COUNTERS, UPDATE_ENTITIES, Connection, LoadMemory, LoadReport, _first_line, _retrying, _run_statements,
                    checked_label, listed)

#: Documents forgotten per transaction.
FORGET_BATCH = 200

STORED_DIGESTS = """
UNWIND $ids AS id
MATCH (d:Document {id: id})
RETURN id, d.digest AS digest
"""

SET_DIGESTS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.id})
SET d.digest = row.digest
"""

# Facts stated by the documents' sentences, found between the two entities the sentence
# mentions (Expand(Into) walks the relationships of the end with fewer of them); a fact from an
# entity to itself, if any, apart (its search walks that entity's relationships).
TOUCHED_FACTS = """
UNWIND $ids AS id
MATCH (:Document {id: id})-[:HAS_SENTENCE]->(s:Sentence)-[ev:EVIDENCE]->(a:Entity)
MATCH (s)-[:MENTIONS]->(b:Entity) WHERE b <> a
MATCH (a)-[r]->(b) WHERE r.id = ev.fact
RETURN DISTINCT elementId(r) AS rid, ev.fact AS fact
"""

STATED_FACTS = """
UNWIND $ids AS id
MATCH (:Document {id: id})-[:HAS_SENTENCE]->(:Sentence)-[ev:EVIDENCE]->(a:Entity)
RETURN DISTINCT ev.fact AS fact, a.key AS subject
"""

SELF_FACTS = """
UNWIND $rows AS row
MATCH (a:Entity {key: row.subject})-[r]->(a) WHERE r.id = row.fact
RETURN elementId(r) AS rid, row.fact AS fact
"""

TOUCHED_ENTITIES = """
UNWIND $ids AS id
MATCH (:Document {id: id})-[:HAS_SENTENCE]->(s:Sentence)-[m:MENTIONS]->(e:Entity)
RETURN e.key AS key, e.named_by AS named_by, e.type AS type, e.aliases AS aliases, e.merges AS merges,
       collect(m.aliases) AS mention_aliases, collect(m.merges) AS mention_merges, collect(s.id) AS sentences
"""

DELETE_DOCUMENTS = """
UNWIND $ids AS id
MATCH (d:Document {id: id})
OPTIONAL MATCH (d)-[:HAS_SENTENCE]->(s:Sentence)
DETACH DELETE s
WITH DISTINCT d, id
DETACH DELETE d
RETURN id
"""

FACT_EVIDENCE = """
UNWIND $facts AS fact
MATCH (s:Sentence)-[ev:EVIDENCE {fact: fact}]->()
RETURN fact, s.id AS sentence_id, s.doc_id AS doc_id, %s
""" % ", ".join(f"ev.{name} AS {name}" for name in EVIDENCE_PROPERTIES)

UPDATE_FACTS = """
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rid
SET r += row.props
"""

DELETE_FACTS = """
UNWIND $rids AS rid
MATCH ()-[r]->() WHERE elementId(r) = rid
DELETE r
"""

DELETE_UNMENTIONED = """
UNWIND $keys AS key
MATCH (e:Entity {key: key})
WHERE NOT EXISTS { (e)<-[:MENTIONS]-() }
DETACH DELETE e
RETURN key
"""

ENTITY_MENTIONS = """
UNWIND $keys AS key
MATCH (:Entity {key: key})<-[m:MENTIONS]-(s:Sentence)
RETURN key, s.id AS sentence, m.name AS name, m.type AS type
"""

# Which of the values (aliases or merge reasons) a forgotten mention supplied another mention
# still supplies: the search stops at the first one found.
STILL_SUPPLIED = """
UNWIND $rows AS row
MATCH (e:Entity {key: row.key})
UNWIND row.values AS value
WITH row, value, e WHERE EXISTS { (e)<-[m:MENTIONS]-() WHERE value IN m[row.field] }
RETURN row.key AS key, row.field AS field, collect(value) AS kept
"""


# Everything an entity's properties are computed from: all its mentions (for repairs only).
ENTITY_ALL_MENTIONS = """
UNWIND $keys AS key
MATCH (e:Entity {key: key})<-[m:MENTIONS]-(s:Sentence)
RETURN key, e.type AS stored_type, s.id AS sentence, m.name AS name, m.type AS type, m.aliases AS aliases,
       m.merges AS merges
"""


def document_digest(triples: Iterable[Triple]) -> str:
    """The digest of a document's triples: 32 hex digits of a hash of their records in canonical
    JSON (sorted keys), in order.

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "LDP", "org:ldp", "ORG", 0, 3)
    >>> t = Triple("d1", "d1:0", "LDP backs LDP.", a, Predicate("backs", "back"), a)
    >>> document_digest([t]) == document_digest([t]) != document_digest([t, t])
    True
    """
    h = hashlib.blake2b(digest_size=16)
    for t in triples:
        h.update(json.dumps(t.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()


@dataclass
class DocumentRun:
    """Consecutive triples of one document, with their digest."""

    doc_id: str
    triples: list[Triple]
    first: bool = True  # the first run of its document in the load

    @property
    def digest(self) -> str:
        """:func:`document_digest` of the run."""
        return document_digest(self.triples)


def document_runs(triples: Iterable[Triple]) -> Iterator[DocumentRun]:
    """The input cut where the document id changes (a document kg writes is one run).

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "LDP", "org:ldp", "ORG", 0, 3)
    >>> t = lambda doc: Triple(doc, f"{doc}:0", "LDP backs LDP.", a, Predicate("backs", "back"), a)
    >>> [(r.doc_id, len(r.triples)) for r in document_runs([t("a"), t("a"), t("b"), t("a")])]
    [('a', 2), ('b', 1), ('a', 1)]
    """
    run: DocumentRun | None = None
    for t in triples:
        if run is None or t.doc_id != run.doc_id:
            if run is not None:
                yield run
            run = DocumentRun(t.doc_id, [])
        run.triples.append(t)
    if run is not None:
        yield run


def first_run_digests(triples: Iterable[Triple]) -> dict[str, str]:
    """Each document's digest as a load records it: of its first run (see :class:`LoadPlan`)."""
    digests: dict[str, str] = {}
    for run in document_runs(triples):
        digests.setdefault(run.doc_id, run.digest)
    return digests


def fact_props(evidence: list[dict]) -> dict:
    """A fact's stored properties from all its evidence (entries with the :data:`kg.facts.EVIDENCE_FIELDS`
    ``sentence_id``, ``doc_id``, ``speaker``, ``confidence`` and ``date``): what a clean load of
    those sentences writes (pure; the summary is :func:`kg.facts.summarise`, the lists cut by
    :func:`kg.neo4j.store.listed`).

    >>> p = fact_props([{"sentence_id": "b:1", "doc_id": "b", "speaker": None, "confidence": 0.5, "date": "2024"},
    ...                 {"sentence_id": "a:0", "doc_id": "a", "speaker": "Lo", "confidence": 0.7, "date": None}])
    >>> p["count"], p["confidence"], p["evidence"], p["speakers"], p["first_seen"], p["last_seen"]
    (2, 0.7, ['a:0', 'b:1'], ['Lo'], '2024', '2024')
    """
    return listed({"evidence": [ev["sentence_id"] for ev in evidence], **summarise(evidence)})


@dataclass
class ForgetReport:
    """What :func:`forget_documents` did."""

    forgotten: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    facts_deleted: int = 0
    facts_updated: int = 0
    entities_deleted: int = 0
    entities_updated: int = 0

    def add(self, other: "ForgetReport") -> None:
        """Add the counts of another report (the ids lists are extended)."""
        self.forgotten += other.forgotten
        self.unknown += other.unknown
        for name in ("facts_deleted", "facts_updated", "entities_deleted", "entities_updated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def forget_documents(conn: Connection, doc_ids: Iterable[str], *, attempts: int = 3) -> ForgetReport:
    """Remove documents and everything only they supported (idempotent: absent ids change nothing
    and come back in ``unknown``); :data:`FORGET_BATCH` documents per transaction."""
    ids = list(dict.fromkeys(doc_ids))
    report = ForgetReport()
    totals: dict = {}
    for start in range(0, len(ids), FORGET_BATCH):
        report.add(_retrying(conn, _forget_step, ids[start:start + FORGET_BATCH], totals=totals, attempts=attempts))
    return report


def _forget_step(tx: neo4j.ManagedTransaction, ids: list[str]):
    """One transaction of :func:`forget_documents`: returns (counters, :class:`ForgetReport`)."""
    facts = [r.data() for r in tx.run(TOUCHED_FACTS, ids=ids)]
    found = {f["fact"] for f in facts}
    others = [r.data() for r in tx.run(STATED_FACTS, ids=ids) if r["fact"] not in found]
    if others:
        facts += [r.data() for r in tx.run(SELF_FACTS, rows=others)]
    entities = [r.data() for r in tx.run(TOUCHED_ENTITIES, ids=ids)]
    gone = {r["id"] for r in tx.run(DELETE_DOCUMENTS, ids=ids)}
    report = ForgetReport(forgotten=[d for d in ids if d in gone], unknown=[d for d in ids if d not in gone])
    evidence: dict[str, list[dict]] = {}
    for r in tx.run(FACT_EVIDENCE, facts=[f["fact"] for f in facts]):
        evidence.setdefault(r["fact"], []).append(r.data())
    updates = [{"rid": f["rid"], "props": fact_props(evidence[f["fact"]])} for f in facts if f["fact"] in evidence]
    deleted = [f["rid"] for f in facts if f["fact"] not in evidence]
    tx.run(UPDATE_FACTS, rows=updates).consume()
    tx.run(DELETE_FACTS, rids=deleted).consume()
    report.facts_updated, report.facts_deleted = len(updates), len(deleted)
    removed = {r["key"] for r in tx.run(DELETE_UNMENTIONED, keys=[e["key"] for e in entities])}
    left = [e for e in entities if e["key"] not in removed]
    rows = _entity_changes(tx, left, forgotten_sentences={s for e in entities for s in e["sentences"]})
    _run_statements(tx, [(UPDATE_ENTITIES, rows)])
    report.entities_deleted, report.entities_updated = len(removed), len(rows)
    return dict.fromkeys(COUNTERS, 0), report


def _entity_changes(tx: neo4j.ManagedTransaction, entities: list[dict], *, forgotten_sentences: set) -> list[dict]:
    """:data:`UPDATE_ENTITIES` rows for entities that lost mentions but stay: the aliases and merge
    reasons no remaining mention supplies leave, a name from a forgotten sentence is replaced."""
    checks = []
    for e in entities:
        for name, supplied in (("aliases", e["mention_aliases"]), ("merges", e["mention_merges"])):
            values = sorted({v for values in supplied for v in values} & set(e[name] or []))
            if values:
                checks.append({"key": e["key"], "field": name, "values": values})
    kept = {(r["key"], r["field"]): set(r["kept"]) for r in tx.run(STILL_SUPPLIED, rows=checks)}
    renamed = [e["key"] for e in entities if e["named_by"] in forgotten_sentences]
    first: dict[str, dict] = {}
    for r in tx.run(ENTITY_MENTIONS, keys=renamed):
        if r["key"] not in first or sentence_order(r["sentence"]) < sentence_order(first[r["key"]]["sentence"]):
            first[r["key"]] = r.data()
    by_key = {e["key"]: e for e in entities}
    changes: dict[str, dict] = {}
    for check in checks:
        lost = set(check["values"]) - kept.get((check["key"], check["field"]), set())
        if lost:
            values = by_key[check["key"]][check["field"]]
            changes.setdefault(check["key"], {"key": check["key"], "props": {}, "label": None, "old_label": None})[
                "props"][check["field"]] = [v for v in values if v not in lost]
    for key, m in first.items():
        row = changes.setdefault(key, {"key": key, "props": {}, "label": None, "old_label": None})
        row["props"].update(name=m["name"], type=m["type"], named_by=m["sentence"])
        old, new = by_key[key]["type"], m["type"]
        if node_label(old) != node_label(new):
            row["label"], row["old_label"] = checked_label(node_label(new)), checked_label(node_label(old))
    return list(changes.values())


def repair_entities(conn: Connection, keys: Iterable[str], *, attempts: int = 3) -> None:
    """Recompute entities from all their mentions, deleting those nothing mentions: after a document
    failed once its batch's entity step was committed, what it alone gave them goes."""
    keys = sorted(set(keys))
    if keys:
        _retrying(conn, _repair_step, keys, totals={}, attempts=attempts)


def _repair_step(tx: neo4j.ManagedTransaction, keys: list[str]):
    tx.run(DELETE_UNMENTIONED, keys=keys).consume()
    mentions: dict[str, list[dict]] = {}
    for r in tx.run(ENTITY_ALL_MENTIONS, keys=keys):
        mentions.setdefault(r["key"], []).append(r.data())
    rows = []
    for key, ms in mentions.items():
        first = min(ms, key=lambda m: sentence_order(m["sentence"]))
        old, new = checked_label(node_label(ms[0]["stored_type"])), checked_label(node_label(first["type"]))
        rows.append({"key": key, "label": new, "old_label": old if old != new else None,
                     "props": {"name": first["name"], "type": first["type"], "named_by": first["sentence"],
                               "aliases": sorted({a for m in ms for a in m["aliases"] or []}),
                               "merges": sorted({x for m in ms for x in m["merges"] or []})}})
    return _run_statements(tx, [(UPDATE_ENTITIES, rows)])


def stored_digests(conn: Connection, ids: list[str]) -> dict[str, str | None]:
    """The digest each of these documents was loaded with (``None``: not completely loaded); absent ids are left out."""
    with conn.session(read=True) as session:
        return session.execute_read(lambda tx: {r["id"]: r["digest"] for r in tx.run(STORED_DIGESTS, ids=ids)})


class LoadPlan:
    """Decides, document by document, what a load writes, and records digests once written.

    The input is cut into runs (:func:`document_runs`) gathered in groups that fill the batch of
    ``batch_size`` triples being gathered; per group one query reads the stored digests.  A document the
    database holds with the same digest is skipped (counted in ``report.unchanged``); one held
    with another digest, or without one (a load cut short), is forgotten, then loaded (counted
    in ``report.replaced``).  A later run of a document already met in this load is loaded as
    before (merged into it): its triples are not in its digest, so an edit of that part alone is
    not seen as a change by a later load.  :meth:`stream` yields (input position, triple) of what
    is to be written; :meth:`written` records the digests of the documents completely written.
    """

    def __init__(self, conn: Connection, report: LoadReport, memory: LoadMemory, *, batch_size: int,
                 attempts: int = 3):
        self.conn, self.report, self.memory = conn, report, memory
        self.group_size, self.attempts = batch_size, attempts
        self.read = 0
        self.yielded = 0
        self.unchanged_triples = 0  # not yet reported as progress
        self.gone: str | None = None
        self.seen: set[str] = set()
        self.failed: set[str] = set()
        self.pending: list[tuple[str, str, int]] = []  # (doc id, digest, position of its last triple)

    def stream(self, triples: Iterable[Triple]) -> Iterator[tuple[int, Triple]]:
        """(input position, triple) for every triple to write, decided a group of documents at a time.

        A group is closed as soon as it would fill the batch being gathered, so a stream is read
        at most one document ahead of the batch it completes (``kg extract | kg load -``)."""
        group: list[DocumentRun] = []
        size = 0
        for run in document_runs(triples):
            group.append(run)
            size += len(run.triples)
            if self.yielded + size >= (self.yielded // self.group_size + 1) * self.group_size:
                yield from self._decide(group)
                group, size = [], 0
        yield from self._decide(group)

    def _decide(self, group: list[DocumentRun]) -> Iterator[tuple[int, Triple]]:
        firsts = []
        for run in group:
            run.first = run.doc_id not in self.seen
            self.seen.add(run.doc_id)
            if run.first:
                firsts.append(run)
        stored: dict = {}
        digests = {r.doc_id: r.digest for r in firsts}
        if firsts and self.gone is None:
            try:
                stored = stored_digests(self.conn, [r.doc_id for r in firsts])
                replace = [d for d, digest in digests.items() if d in stored and stored[d] != digest]
                if replace:
                    self.memory.forget()
                    forget_documents(self.conn, replace, attempts=self.attempts)
                    self.report.replaced += len(replace)
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.AuthError) as exc:
                self.gone = _first_line(exc)
                stored = {}
        for run in group:
            start = self.read
            self.read += len(run.triples)
            if run.first and run.doc_id in stored and stored[run.doc_id] == digests[run.doc_id]:
                self.report.unchanged += 1
                self.unchanged_triples += len(run.triples)
                continue
            self.yielded += len(run.triples)
            for i, t in enumerate(run.triples, start + 1):
                yield i, t
            if run.first and self.gone is None:
                self.pending.append((run.doc_id, digests[run.doc_id], self.read))

    def take_unchanged(self) -> int:
        """Triples of skipped documents not yet reported as progress."""
        n, self.unchanged_triples = self.unchanged_triples, 0
        return n

    def written(self, last_position: int, failed_docs: Iterable[str]) -> None:
        """Record the digests of the documents whose last triple is at or before ``last_position``
        and none of whose triples failed in this load."""
        self.failed.update(failed_docs)
        done = [p for p in self.pending if p[2] <= last_position]
        if not done:
            return
        self.pending = [p for p in self.pending if p[2] > last_position]
        rows = [{"id": d, "digest": digest} for d, digest, _ in done if d not in self.failed]
        if rows:
            _retrying(self.conn, _set_digests, rows, totals={}, attempts=self.attempts)


def _set_digests(tx: neo4j.ManagedTransaction, rows: list[dict]):
    return _run_statements(tx, [(SET_DIGESTS, rows)])
