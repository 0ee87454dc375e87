"""Change in Neo4j: forget documents, and replace a document loaded again with other triples.

A document is its id plus the digest of its triples (:func:`document_digest`), which
``(:Document {digest})`` records once all of them are written.  :func:`forget_documents` removes
documents with their sentences, and recomputes from what the database keeps exactly what they
touched, so the graph is then what a clean load of the remaining documents writes:

- every fact one of their sentences stated: deleted when none of its sentences is left, else its
  count loses theirs, and each of its other properties is kept, or, where their sentences gave
  it (the highest confidence, a listed speaker, document or sentence id), read again from the
  remaining EVIDENCE relationships by an index seek (:class:`FactChange`);
- every entity one of their sentences mentioned: deleted when nothing mentions it any more, else
  its aliases and merge reasons lose what only they supplied (each MENTIONS holds what its
  sentence supplied) and, when they named it, its name and type come from its earliest
  remaining mention (an index seek).

The work is proportional to the documents' sentences and the facts they stated, and, only where
an alias or merge reason an entity keeps came from them alone, the mentions of that entity; never
to the size of the graph, nor to how many other sentences state the same facts or name the same
entities.  :class:`LoadPlan` is the loader's side: it cuts the input into
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

from .. import facts as fact_model
from ..graph import sentence_key, sentence_order
from ..records import Triple, node_label
from . import store
from .store import (COUNTERS, UPDATE_ENTITIES, Connection, LoadMemory, LoadReport, _first_line, _retrying, _run_statements,
                    checked_label)

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

#: The sources of a fact's summary that a forgotten sentence's EVIDENCE gives (its id comes from the sentence).
_GONE_FIELDS = tuple(dict.fromkeys(p.source for p in fact_model.FACT_SUMMARY if p.source != "sentence_id"))

# What the documents' sentences gave the facts they state: one row per EVIDENCE relationship.
FORGOTTEN_EVIDENCE = """
UNWIND $ids AS id
MATCH (:Document {id: id})-[:HAS_SENTENCE]->(s:Sentence)-[ev:EVIDENCE]->(a:Entity)
RETURN ev.fact AS fact, a.key AS subject, s.id AS sentence_id, %s
""" % ", ".join(f"ev.{name} AS {name}" for name in _GONE_FIELDS)

# Facts stated by the documents' sentences, with their properties, found between the two
# entities the sentence mentions (Expand(Into) walks the relationships of the end with fewer of
# them); a fact from an entity to itself, if any, apart (its search walks that entity's relationships).
TOUCHED_FACTS = """
UNWIND $ids AS id
MATCH (:Document {id: id})-[:HAS_SENTENCE]->(s:Sentence)-[ev:EVIDENCE]->(a:Entity)
MATCH (s)-[:MENTIONS]->(b:Entity) WHERE b <> a
MATCH (a)-[r]->(b) WHERE r.id = ev.fact
WITH DISTINCT r, ev.fact AS fact
RETURN elementId(r) AS rid, fact, properties(r) AS props
"""

SELF_FACTS = """
UNWIND $rows AS row
MATCH (a:Entity {key: row.subject})-[r]->(a) WHERE r.id = row.fact
RETURN elementId(r) AS rid, row.fact AS fact, properties(r) AS props
"""

# The index look-ups of :class:`FactChange`, one statement per kind and EVIDENCE property (a name
# of kg.neo4j.store.EVIDENCE_INDEXES, never text from the input).  Each names its (fact, property)
# index (left to itself, the planner may take the one on fact alone and sort all of a fact's
# sentences) and orders by both of its properties, which the index then returns in that order:
# the first rows are read, not all of a fact's.

def _first_query(name: str, descending: bool) -> str:
    """The highest (``descending``) or lowest value of an EVIDENCE property among each fact's sentences."""
    order = " DESC" if descending else ""
    return f"""
UNWIND $facts AS fact
CALL (fact) {{
  MATCH ()-[ev:EVIDENCE]->() USING INDEX ev:EVIDENCE(fact, {name}) WHERE ev.fact = fact AND ev.{name} IS NOT NULL
  RETURN ev.{name} AS value ORDER BY ev.fact{order}, ev.{name}{order} LIMIT 1
}}
RETURN fact, value
"""


def _present_query(name: str) -> str:
    """The (fact, value) rows for which a sentence of the fact still gives that value (a seek, not an EXISTS
    subquery: the planner scans the whole index for one of those)."""
    return f"""
UNWIND $rows AS row
CALL (row) {{
  MATCH ()-[ev:EVIDENCE]->() USING INDEX ev:EVIDENCE(fact, {name}) WHERE ev.fact = row.fact AND ev.{name} = row.value
  RETURN ev.{name} AS value LIMIT 1
}}
RETURN row.fact AS fact, value
"""


def _next_query(name: str) -> str:
    """The first ``$limit`` distinct values of an EVIDENCE property after ``row.after`` among each fact's
    sentences, in order; for ``order``, the ids of those sentences."""
    if name == "order":
        pick = ("MATCH (s:Sentence)-[ev:EVIDENCE]->() USING INDEX ev:EVIDENCE(fact, order)\n"
                "  WHERE ev.fact = row.fact AND ev.order > row.after\n"
                "  WITH s, ev ORDER BY ev.fact, ev.order LIMIT $limit\n  RETURN collect(s.id) AS values")
    else:
        pick = (f"MATCH ()-[ev:EVIDENCE]->() USING INDEX ev:EVIDENCE(fact, {name})\n"
                f"  WHERE ev.fact = row.fact AND ev.{name} > row.after\n"
                f"  WITH DISTINCT ev.fact AS fact, ev.{name} AS value ORDER BY fact, value LIMIT $limit\n"
                "  RETURN collect(value) AS values")
    return f"""
UNWIND $rows AS row
CALL (row) {{
  {pick}
}}
RETURN row.fact AS fact, values
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

# The earliest mention of each entity in sentence order, from the (entity, order) index.
FIRST_MENTIONS = """
UNWIND $rows AS row
CALL (row) {
  MATCH (s:Sentence)-[m:MENTIONS]->() USING INDEX m:MENTIONS(entity, order)
  WHERE m.entity = row.ref AND m.order IS NOT NULL
  RETURN s.id AS sentence, m.name AS name, m.type AS type ORDER BY m.entity, m.order LIMIT 1
}
RETURN row.key AS key, sentence, name, type
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


class FactChange:
    """A fact losing some of its sentences (pure): what it keeps follows from what it stored and
    what the lost sentences gave it, except where they gave a value it shows — then an index
    look-up over its remaining sentences (:meth:`lookups`) completes it (:meth:`props`).

    ``stored`` holds the fact's properties (:data:`kg.facts.FACT_SUMMARY` and ``evidence``, lists
    cut by :func:`kg.neo4j.store.listed`); ``gone`` one entry per lost sentence (its
    ``sentence_id`` and the EVIDENCE values of the summary's sources).  A look-up is a tuple:
    ``("first", name, descending)`` (the extreme value left: ``None`` if none), ``("present", name,
    value)`` (whether a sentence left gives it: ``True`` / ``False``), ``("next", name, after, k)``
    (the first ``k`` distinct values after ``after`` in order; for ``order``, sentence ids).

    >>> stored = {"count": 3, "confidence": 0.9, "speakers": ["Kao", "Lo"], "docs": ["a", "b"],
    ...           "first_seen": "2019", "last_seen": "2024", "evidence": ["a:0", "a:1", "b:0"]}
    >>> change = FactChange(stored, [{"sentence_id": "b:0", "doc_id": "b", "speaker": "Lo", "confidence": 0.9,
    ...                               "date": "2021"}])
    >>> change.lookups()
    [('first', 'confidence', True), ('present', 'speaker', 'Lo'), ('present', 'doc_id', 'b')]
    >>> p = change.props({('first', 'confidence', True): 0.7, ('present', 'speaker', 'Lo'): False,
    ...                   ('present', 'doc_id', 'b'): False})
    >>> p["count"], p["confidence"], p["speakers"], p["docs"], p["evidence"], p["first_seen"]
    (2, 0.7, ['Kao'], ['a'], ['a:0', 'a:1'], '2019')
    """

    def __init__(self, stored: dict, gone: list[dict]):
        self.stored, self.gone = stored, gone
        self.count = stored["count"] - len(gone)
        ids = {e["sentence_id"] for e in gone}
        self.listed = stored.get("evidence") or []
        self.kept = [s for s in self.listed if s not in ids]

    @property
    def deleted(self) -> bool:
        """No sentence states the fact any more."""
        return self.count <= 0

    def _given(self, source: str) -> set:
        return {e[source] for e in self.gone if e.get(source) is not None}

    def lookups(self) -> list[tuple]:
        """The index look-ups :meth:`props` needs (none for a deleted fact)."""
        if self.deleted:
            return []
        out = []
        if len(self.kept) < len(self.listed) and self.stored["count"] > len(self.listed):
            out.append(("next", "order", sentence_key(self.listed[-1]), len(self.listed) - len(self.kept)))
        for prop in fact_model.FACT_SUMMARY:
            given, current = self._given(prop.source), self.stored.get(prop.name)
            if prop.rule == "set":
                listed_given = sorted(given.intersection(current or []))  # each may still be given by another
                out += [("present", prop.source, v) for v in listed_given]
                if listed_given and len(current) >= store.LISTED_LIMIT:
                    out.append(("next", prop.source, current[-1], len(listed_given)))
            elif prop.rule in ("max", "min") and given:
                if current is None or (max(given) if prop.rule == "max" else min(given)) == current:
                    out.append(("first", prop.source, prop.rule == "max"))
        return list(dict.fromkeys(out))

    def props(self, answers: dict) -> dict:
        """The fact's summary properties and ``evidence`` list once its lost sentences are gone, given
        the :meth:`lookups` answered (``answers``: look-up -> answer)."""
        following = {lookup[1]: answer for lookup, answer in answers.items() if lookup[0] == "next"}
        props = {"count": self.count, "evidence": (self.kept + following.get("order", []))[:store.LISTED_LIMIT]}
        for prop in fact_model.FACT_SUMMARY:
            current = self.stored.get(prop.name)
            if prop.rule == "set":
                lost = {v for v in self._given(prop.source).intersection(current or [])
                        if not answers.get(("present", prop.source, v), False)}
                kept = [v for v in current or [] if v not in lost]
                props[prop.name] = (kept + following.get(prop.source, []))[:store.LISTED_LIMIT]
            elif prop.rule in ("max", "min"):
                props[prop.name] = answers.get(("first", prop.source, prop.rule == "max"), current)
        return props


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
    and come back in ``unknown``); :data:`FORGET_BATCH` documents per transaction.  The indexes
    its look-ups name are created first if this connection has not yet made sure of them."""
    if not conn.schema_ready:
        store.ensure_schema(conn)
    ids = list(dict.fromkeys(doc_ids))
    report = ForgetReport()
    totals: dict = {}
    for start in range(0, len(ids), FORGET_BATCH):
        report.add(_retrying(conn, _forget_step, ids[start:start + FORGET_BATCH], totals=totals, attempts=attempts))
    return report


def _forget_step(tx: neo4j.ManagedTransaction, ids: list[str]):
    """One transaction of :func:`forget_documents`: returns (counters, :class:`ForgetReport`)."""
    given: dict[str, list[dict]] = {}
    subjects: dict[str, str] = {}
    for r in tx.run(FORGOTTEN_EVIDENCE, ids=ids):
        given.setdefault(r["fact"], []).append(r.data())
        subjects[r["fact"]] = r["subject"]
    facts = {r["fact"]: r.data() for r in tx.run(TOUCHED_FACTS, ids=ids)}
    others = [{"fact": f, "subject": subjects[f]} for f in given if f not in facts]
    if others:
        facts.update((r["fact"], r.data()) for r in tx.run(SELF_FACTS, rows=others))
    entities = [r.data() for r in tx.run(TOUCHED_ENTITIES, ids=ids)]
    gone = {r["id"] for r in tx.run(DELETE_DOCUMENTS, ids=ids)}
    report = ForgetReport(forgotten=[d for d in ids if d in gone], unknown=[d for d in ids if d not in gone])
    changes = {f: FactChange(facts[f]["props"], given[f]) for f in facts}
    answers = _looked_up(tx, {f: c.lookups() for f, c in changes.items()})
    updates = [{"rid": facts[f]["rid"], "props": c.props(answers.get(f, {}))} for f, c in changes.items() if not c.deleted]
    deleted = [facts[f]["rid"] for f, c in changes.items() if c.deleted]
    tx.run(UPDATE_FACTS, rows=updates).consume()
    tx.run(DELETE_FACTS, rids=deleted).consume()
    report.facts_updated, report.facts_deleted = len(updates), len(deleted)
    removed = {r["key"] for r in tx.run(DELETE_UNMENTIONED, keys=[e["key"] for e in entities])}
    left = [e for e in entities if e["key"] not in removed]
    rows = _entity_changes(tx, left, forgotten_sentences={s for e in entities for s in e["sentences"]})
    _run_statements(tx, [(UPDATE_ENTITIES, rows)])
    report.entities_deleted, report.entities_updated = len(removed), len(rows)
    return dict.fromkeys(COUNTERS, 0), report


def _looked_up(tx: neo4j.ManagedTransaction, lookups: dict[str, list[tuple]]) -> dict[str, dict]:
    """The answers to :meth:`FactChange.lookups` of each fact (fact id -> {look-up: answer}): one
    statement per kind of look-up and property."""
    groups: dict[tuple, list[tuple[str, tuple]]] = {}
    for fact, wanted in lookups.items():
        for lookup in wanted:
            kind, name = lookup[:2]
            groups.setdefault((kind, name, lookup[2] if kind == "first" else None), []).append((fact, lookup))
    answers: dict[str, dict] = {}
    for (kind, name, descending), asked in sorted(groups.items(), key=repr):
        if kind == "first":
            found = {r["fact"]: r["value"] for r in tx.run(_first_query(name, descending), facts=[f for f, _ in asked])}
            for fact, lookup in asked:
                answers.setdefault(fact, {})[lookup] = found.get(fact)
        elif kind == "present":
            found = {(r["fact"], r["value"]) for r in tx.run(_present_query(name),
                                                              rows=[{"fact": f, "value": q[2]} for f, q in asked])}
            for fact, lookup in asked:
                answers.setdefault(fact, {})[lookup] = (fact, lookup[2]) in found
        else:
            found = {r["fact"]: r["values"] for r in tx.run(_next_query(name), limit=max(q[3] for _, q in asked),
                                                             rows=[{"fact": f, "after": q[2]} for f, q in asked])}
            for fact, lookup in asked:
                answers.setdefault(fact, {})[lookup] = found.get(fact, [])
    return answers


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
    first = {r["key"]: r.data() for r in tx.run(FIRST_MENTIONS, rows=[{"key": k, "ref": store.entity_ref(k)}
                                                                        for k in renamed])}
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
