"""Neo4j: load triples with their provenance, answer Cypher, read a subgraph back.

With :mod:`kg.neo4j.bulk_csv`, the only code that imports the ``neo4j`` driver.  The model (one writer per database):

- ``(:Entity:<Label> {key, name, type, aliases, merges, named_by})`` — ``key`` is unique; the second
  label is one of the fixed set in :data:`kg.records.ENTITY_LABELS`.  ``name`` and ``type`` are
  those of the earliest mention in sentence order (``named_by``, see :func:`kg.graph.sentence_order`);
  ``aliases`` and ``merges`` (why mentions became one entity) are sorted unions over its mentions.
- ``(:Document {id, title, date, url, source, digest})-[:HAS_SENTENCE]->(:Sentence {id, text, doc_id})``
  and ``(:Sentence)-[:MENTIONS {entity, order, name, type, aliases, merges}]->(:Entity)`` for the
  subject and object of every triple, holding what that sentence supplies (``aliases`` / ``merges``
  absent when none); ``entity`` (:func:`entity_ref`, a hash of the entity's key) and ``order``
  (the sentence's :func:`kg.graph.sentence_key`) are indexed together, so an entity's earliest
  mention is one index seek away.  ``digest`` is recorded once all of a document's triples are written
  (:mod:`kg.neo4j.change`).
- One typed relationship per fact between two entities, keyed by ``predicate`` (the lemma) and
  ``negated``, with ``id`` (:func:`fact_id`), ``count`` (distinct evidence sentences),
  ``confidence`` (max), ``first_seen`` / ``last_seen`` (evidence dates:
  :func:`kg.facts.evidence_date`) and the first :data:`LISTED_LIMIT` sentence ids (in sentence
  order), speakers and documents (sorted) as ``evidence``, ``speakers``, ``docs``.  ``alias``
  triples fill ``aliases`` instead.
- ``(:Sentence)-[:EVIDENCE {fact, doc_id, order, speaker, predicate_text, confidence, date}]->(:Entity)``
  for every sentence stating a fact, to the fact's subject; ``fact`` is the fact's ``id`` (indexed),
  ``doc_id`` and ``order`` the sentence's document and place in sentence order
  (:func:`kg.graph.sentence_key`); ``speaker`` (absent when the sentence is not reported speech),
  ``confidence`` and ``date`` are what the sentence gives the fact.  Each property a fact's summary
  is computed from has an index with ``fact`` (:data:`EVIDENCE_INDEXES`), so the next sentences
  in order, the next documents, the highest confidence of a fact are one index seek away however
  many sentences state it.  Adding a sentence to a fact creates one relationship and touches only
  short lists, so a fact stated in n sentences costs time linear in n.

Nothing stored depends on the order documents were loaded in, and everything on a fact or an
entity can be recomputed from its EVIDENCE or MENTIONS relationships: what
:func:`kg.neo4j.change.forget_documents` does for what a forgotten document touched.

Loading is idempotent: only what the database does not hold is created (checked by key in the
same transaction, or known from :class:`LoadMemory`), everything else is matched or merged, and
evidence is added only for sentences without an EVIDENCE relationship to the fact, so loading
the same records twice leaves the graph as after once; a document already loaded with the same
digest is not written at all, one loaded with another is replaced (:class:`kg.neo4j.change.LoadPlan`).
Writes go as ``UNWIND $rows`` batches, constraints first, then per batch one transaction per step:
entities; documents with their sentences and mentions; facts with their evidence (nodes before
relationships).
Relationship types come from text: they are made by :func:`kg.records.relation_type`, checked
again against ``[A-Z][A-Z0-9_]*`` here, and reach Cypher only as parameters (dynamic types).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import networkx as nx
import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.graph import Node, Path, Relationship

from .. import __version__
from ..errors import UserError
from ..facts import (EVIDENCE_COLUMNS, EVIDENCE_FIELDS, EVIDENCE_PROPERTIES, FACT_SUMMARY, Summary, evidence_date,
                     evidence_entry, summarise)
from ..files import batched
from ..graph import GRAPH_FORMAT, edge_key, sentence_key, sentence_order
from ..identity import merge_reasons
from ..records import DOCUMENT_FIELDS, ENTITY_LABELS, Triple, node_label, relation_type
from .memory import LOAD_MEMORY_LIMIT, LoadMemory
# The connection settings are part of this module's interface too (store.Neo4jConfig, ...).
from .config import DEFAULT_BATCH_SIZE, DEFAULT_URI, DEFAULT_USER, URI_SCHEMES, Neo4jConfig, config_from_env  # noqa: F401

log = logging.getLogger(__name__)

#: Relationship types longer than this are shortened (prefix + hash); Neo4j keeps every type
#: name forever in its token store, so a runaway predicate must not become a huge token.
MAX_TYPE_LENGTH = 120
#: A relationship type whose rows in a batch would walk at least this many relationships
#: (the lesser degree of each fact's ends, summed) gets a statement of its own: about what one
#: more statement costs (~2 ms on a cached plan), as measured by bench/load.py.
STATIC_TYPE_MIN_WALK = 10_000
TYPE_PATTERN = re.compile(r"[A-Z][A-Z0-9_]*")
LABEL_PATTERN = re.compile(r"[A-Z][A-Za-z]*")
#: Labels an entity may get besides ``Entity``: a fixed set, never text from the input.
ENTITY_NODE_LABELS = frozenset(ENTITY_LABELS.values())
#: Relationship types of the provenance layer (not facts).
PROVENANCE_TYPES = frozenset({"HAS_SENTENCE", "MENTIONS", "EVIDENCE"})
#: A fact keeps at most this many sentence ids, speakers and documents in its own lists (the
#: first in sentence order / sorted); its EVIDENCE relationships hold every sentence.  Lists on a relationship
#: are rewritten whole on every change, so unbounded ones would make a fact stated in n
#: sentences cost n² to load.
LISTED_LIMIT = 100

#: The EVIDENCE properties indexed together with ``fact``: ``order``, and the source of every
#: summary property that is not a count (:data:`kg.facts.FACT_SUMMARY`).  A composite index
#: holds the relationships that have both properties, in order of the second for each fact.
EVIDENCE_INDEXES = ("order", *dict.fromkeys(p.source for p in FACT_SUMMARY if p.rule != "count"))

SCHEMA = (
    "CREATE CONSTRAINT kg_entity_key IF NOT EXISTS FOR (e:Entity) REQUIRE e.key IS UNIQUE",
    "CREATE CONSTRAINT kg_document_id IF NOT EXISTS FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "CREATE CONSTRAINT kg_sentence_id IF NOT EXISTS FOR (s:Sentence) REQUIRE s.id IS UNIQUE",
    "CREATE INDEX kg_entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name)",
    "CREATE INDEX kg_evidence_fact IF NOT EXISTS FOR ()-[e:EVIDENCE]-() ON (e.fact)",
    *(f"CREATE INDEX kg_evidence_fact_{name} IF NOT EXISTS FOR ()-[e:EVIDENCE]-() ON (e.fact, e.{name})"
      for name in EVIDENCE_INDEXES),
    "CREATE INDEX kg_mentions_entity_order IF NOT EXISTS FOR ()-[m:MENTIONS]-() ON (m.entity, m.order)",
)


def summary_updates() -> str:
    """The Cypher ``SET`` items that add new sentences to an existing fact ``r``, one per
    :data:`kg.facts.FACT_SUMMARY` property, from ``p`` (the new sentences' summary) and, for the
    ``set`` lists, ``row.lists`` (:func:`merged_lists`).

    >>> summary_updates().split(",\\n")[0]
    'r.count = r.count + p.count'
    """
    items = []
    for prop in FACT_SUMMARY:
        r, v = f"r.{prop.name}", f"p.{prop.name}"
        if prop.rule == "count":
            items.append(f"{r} = {r} + {v}")
        elif prop.rule == "set":
            items.append(f"{r} = row.lists.{prop.name}")
        else:
            better = ">" if prop.rule == "max" else "<"
            items.append(f"{r} = CASE WHEN {r} IS NULL OR {v} {better} {r} THEN {v} ELSE {r} END")
    return ",\n    ".join(items)


def new_summary() -> str:
    """A Cypher map of the summary (:data:`kg.facts.FACT_SUMMARY`, ``set`` lists left out) of the sentences
    ``new`` (indexes into a fact row's ``ev_<field>`` lists).

    >>> new_summary().startswith("{count: size(new), confidence: reduce(")
    True
    """
    items = []
    for prop in FACT_SUMMARY:
        if prop.rule == "count":
            items.append(f"{prop.name}: size(new)")
        elif prop.rule != "set":
            better = ">" if prop.rule == "max" else "<"
            items.append(f"{prop.name}: reduce(m = null, i IN new | CASE WHEN row.ev_{prop.source}[i] IS NOT NULL AND "
                         f"(m IS NULL OR row.ev_{prop.source}[i] {better} m) THEN row.ev_{prop.source}[i] ELSE m END)")
    return "{" + ", ".join(items) + "}"


# --- Cypher for one batch.  Text from the input only ever arrives as $rows. -----------------
# Each statement creates what is new in one step from values computed in Python (``props``),
# and does the read-modify-write merge only where something already exists.

# An entity the database has gets what a batch adds to it, computed in Python from what it
# holds (KNOWN_ENTITIES): the union of aliases and merge reasons, and the name and type of the
# earliest mention in sentence order (its label follows its type).
UPDATE_ENTITIES = """
UNWIND $rows AS row
MATCH (e:Entity {key: row.key})
SET e += row.props
WITH e, row WHERE row.old_label IS NOT NULL
REMOVE e:$(row.old_label)
SET e:$(row.label)
"""

# The fast path: what is certainly new (checked in the same transaction) is CREATEd, which
# costs no lookup of existing relationships; the rest goes through the MERGE statements.
KNOWN_ENTITIES = """
UNWIND $keys AS key MATCH (e:Entity {key: key})
RETURN key, e.name AS name, e.type AS type, e.named_by AS named_by, e.aliases AS aliases, e.merges AS merges
"""

CREATE_ENTITIES = """
UNWIND $rows AS row
CREATE (e:Entity {key: row.key})
SET e += row.props, e:$(row.label)
"""

KNOWN_DOCUMENTS = """
UNWIND $ids AS id
OPTIONAL MATCH (d:Document {id: id})
OPTIONAL MATCH (s:Sentence {id: id})
WITH id WHERE d IS NOT NULL OR s IS NOT NULL
RETURN id
"""

# A document not in the database, none of whose sentences is: the document, its sentences
# and their mentions in one statement.
CREATE_DOCUMENTS = """
UNWIND $rows AS row
CREATE (d:Document {id: row.id})
SET d += row.meta
WITH d, row
UNWIND row.sentences AS s
CREATE (d)-[:HAS_SENTENCE]->(sentence:Sentence {id: s.id, text: s.text, doc_id: row.id})
WITH sentence, s
UNWIND s.mentions AS m
MATCH (e:Entity {key: m.key})
CREATE (sentence)-[mention:MENTIONS]->(e)
SET mention = m.props
"""

# A fact with an end this load created, and that this load has not written: it cannot exist.
CREATE_FACTS = """
UNWIND $rows AS row
MATCH (a:Entity {key: row.s})
MATCH (b:Entity {key: row.o})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
RETURN row.i AS i, elementId(r) AS rid
"""

UPSERT_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Document {id: row.id})
WITH d, row
WHERE size(keys(row.meta)) > 0
  AND d.title IS NULL AND d.date IS NULL AND d.url IS NULL AND d.source IS NULL
SET d += row.meta
"""

# A new sentence cannot have relationships yet: CREATE them.  A known one (its triples split
# over two batches) gets the missing MENTIONS by MERGE, and the aliases and merge reasons a
# mention it has gains (kept sorted; its name and type are those of its first triple).
UPSERT_SENTENCES = """
UNWIND $rows AS row
OPTIONAL MATCH (known:Sentence {id: row.id})
CALL (row, known) {
  WITH row, known WHERE known IS NULL
  MATCH (d:Document {id: row.doc_id})
  CREATE (d)-[:HAS_SENTENCE]->(s:Sentence {id: row.id, text: row.text, doc_id: row.doc_id})
  WITH s, row
  UNWIND row.mentions AS m
  MATCH (e:Entity {key: m.key})
  CREATE (s)-[mention:MENTIONS]->(e)
  SET mention = m.props
}
CALL (row, known) {
  WITH row, known WHERE known IS NOT NULL
  UNWIND row.mentions AS m
  MATCH (e:Entity {key: m.key})
  MERGE (known)-[mention:MENTIONS]->(e)
    ON CREATE SET mention = m.props
  WITH mention, m WHERE m.props.aliases IS NOT NULL OR m.props.merges IS NOT NULL
  CALL (mention, m) {
    UNWIND coalesce(mention.aliases, []) + coalesce(m.props.aliases, []) AS a
    WITH DISTINCT a ORDER BY a RETURN collect(a) AS aliases
  }
  CALL (mention, m) {
    UNWIND coalesce(mention.merges, []) + coalesce(m.props.merges, []) AS r
    WITH DISTINCT r ORDER BY r RETURN collect(r) AS merges
  }
  SET mention.aliases = CASE WHEN size(aliases) > 0 THEN aliases END,
      mention.merges = CASE WHEN size(merges) > 0 THEN merges END
}
"""

# Which facts exist: exactly those with an EVIDENCE relationship (a fact and its evidence are
# written in one transaction), found by the index on EVIDENCE.fact.  Facts that do not are
# CREATEd; a MERGE would walk the relationships of one of its ends, which on two well-connected
# entities costs their degree (the whole cost of a large load, as measured by bench/load.py).
# For those that do, ``walk`` is that cost (the lesser degree, read from the degree store).
KNOWN_FACTS = """
UNWIND $rows AS row
WITH row WHERE EXISTS { ()-[:EVIDENCE {fact: row.id}]->() }
MATCH (a:Entity {key: row.s})
MATCH (b:Entity {key: row.o})
WITH row, COUNT { (a)-->() } AS out, COUNT { (b)<--() } AS in
RETURN row.id AS id, CASE WHEN out < in THEN out ELSE in END AS walk
"""

# A new fact gets all its properties at once (``row.props``).  Returns the rows whose fact already
# existed, with the relationship's id, for APPEND_EVIDENCE or MERGE_EVIDENCE.  A row whose
# sentences this batch created (``row.fresh``) cannot share evidence with an existing fact: the
# fact existed exactly when its first listed sentence is not the row's.  Other rows come with
# ``props`` of a fact without evidence and all go on to MERGE_EVIDENCE (which only adds what is
# missing), so a fact this statement created gets its evidence and sums there.
UPSERT_FACTS = """
UNWIND $rows AS row
MATCH (a:Entity {key: row.s})
MATCH (b:Entity {key: row.o})
MERGE (a)-[r:$(row.type) {predicate: row.predicate, negated: row.negated}]->(b)
  ON CREATE SET r += row.props
WITH row, r
WHERE NOT row.fresh OR r.evidence[0] <> row.props.evidence[0]
RETURN row.i AS i, elementId(r) AS rid
"""

# One EVIDENCE relationship per sentence stating a fact, from the sentence to the fact's subject;
# for facts and sentences where it cannot exist yet (new facts, sentences this batch created).
CREATE_EVIDENCE = """
UNWIND $rows AS row
MATCH (s:Sentence {id: row.sentence})
MATCH (a:Entity {key: row.subject})
CREATE (s)-[:EVIDENCE {fact: row.fact, %s}]->(a)
""" % ", ".join(f"{name}: row.{name}" for name in EVIDENCE_COLUMNS)

# The sums of an existing fact (found by relationship id) for new sentences that this batch
# created: their EVIDENCE relationships are created by CREATE_EVIDENCE, nothing is searched, and
# the lists the fact keeps (at most LISTED_LIMIT entries, ``row.lists``: see :func:`merged_lists`)
# are short, so a fact stated in many sentences costs time linear in them.
APPEND_EVIDENCE = """
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rid
WITH r, row, row.props AS p
SET r.evidence = row.lists.evidence,
    %s
""" % summary_updates()

#: The short lists of existing facts (by relationship id), to merge a batch's sentences into.
FACT_LISTS = """
UNWIND $rows AS rid
MATCH ()-[r]->() WHERE elementId(r) = rid
RETURN rid, r.evidence AS evidence, r.speakers AS speakers, r.docs AS docs
"""

# Adds to existing facts (by relationship id) the sentences they lack: an EVIDENCE relationship is
# looked for among the sentence's own (a few), never among the fact's; the sums and short lists
# grow by what was created.
MERGE_EVIDENCE = """
UNWIND $rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.rid
WITH r, row, startNode(r) AS a
CALL (r, row, a) {
  UNWIND range(0, size(row.evidence) - 1) AS i
  MATCH (s:Sentence {id: row.evidence[i]})
  WHERE NOT EXISTS { (s)-[:EVIDENCE {fact: row.fact}]->(a) }
  CREATE (s)-[:EVIDENCE {fact: row.fact, %s}]->(a)
  RETURN collect(i) AS new
}
WITH r, row, new WHERE size(new) > 0
WITH r, row, %s AS p
SET r.evidence = row.lists.evidence,
    %s
""" % (", ".join(f"{name}: row.ev_{name}[i]" for name in EVIDENCE_COLUMNS), new_summary(), summary_updates())

# After ``neo4j-admin database import``: the importer leaves out empty lists; the Bolt load
# always writes them.  Run in batches so a large graph does not need one huge transaction.
FINISH_IMPORT = (
    "MATCH (e:Entity) WHERE e.aliases IS NULL OR e.merges IS NULL CALL (e) { SET e.aliases = coalesce(e.aliases, []), "
    "e.merges = coalesce(e.merges, []) } IN TRANSACTIONS OF 10000 ROWS",
    "MATCH ()-[r]->() WHERE r.evidence IS NOT NULL AND r.speakers IS NULL "
    "CALL (r) { SET r.speakers = [] } IN TRANSACTIONS OF 10000 ROWS",
)

#: Every entity with the facts that leave it: the whole knowledge graph for :func:`graph_from_neo4j`.
WHOLE_GRAPH = "MATCH (e:Entity) OPTIONAL MATCH (e)-[r]->(:Entity) RETURN e, r"


# --- connection -----------------------------------------------------------------------------

class Connection:
    """An open driver plus the database to use; close it (or use ``with``) when done."""

    def __init__(self, driver: neo4j.Driver, config: Neo4jConfig):
        self.driver, self.config = driver, config
        self.schema_ready = False  # ensure_schema ran on this connection

    @property
    def database(self) -> Optional[str]:
        """The database every call of this connection uses."""
        return self.config.database

    def session(self, *, read: bool = False) -> neo4j.Session:
        """A session on the configured database (read access mode refuses writes) for kg's own
        statements: the server's "property key does not exist" notes are not wanted there (a first
        load into a new database reads properties nothing has written yet)."""
        mode = neo4j.READ_ACCESS if read else neo4j.WRITE_ACCESS
        return self.driver.session(database=self.database, default_access_mode=mode,
                                   notifications_disabled_classifications=[
                                       neo4j.NotificationDisabledClassification.UNRECOGNIZED])

    def close(self) -> None:
        """Close the driver and its connections."""
        self.driver.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(config: Neo4jConfig | None = None) -> Connection:
    """Open and check a connection; every failure a user can fix becomes one-line :class:`UserError`.

    Checks that the server answers, accepts the credentials and has the database.
    """
    config = config or config_from_env()
    scheme = config.uri.partition("://")[0].lower()
    if scheme not in URI_SCHEMES:
        raise UserError(f"not a Neo4j Bolt URI: {config.uri!r} (expected e.g. bolt://localhost:7687 "
                        f"or neo4j://host:7687; schemes: {', '.join(URI_SCHEMES)})")
    auth = neo4j.basic_auth(config.user, config.password) if config.password else None
    try:
        driver = neo4j.GraphDatabase.driver(
            config.uri, auth=auth, user_agent=f"kg/{__version__}",
            connection_timeout=config.connection_timeout,
            max_transaction_retry_time=config.retry_seconds)
    except (neo4j_errors.ConfigurationError, ValueError) as exc:
        raise UserError(f"not a usable Neo4j URI {config.uri!r}: {_first_line(exc)} "
                        "(expected e.g. bolt://localhost:7687 or neo4j://host:7687)") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=config.database, routing_=neo4j.RoutingControl.READ)
    except BaseException as exc:
        driver.close()
        raise _connection_error(exc, config) from None
    log.debug("connected to %s", config.where)
    return Connection(driver, config)


def _connection_error(exc: BaseException, config: Neo4jConfig) -> BaseException:
    """The one-line :class:`UserError` for a failed connection (other errors pass through)."""
    if isinstance(exc, neo4j_errors.AuthError):
        return UserError(f"Neo4j at {config.uri} refused the credentials of user {config.user!r} "
                         "(check NEO4J_USERNAME / NEO4J_PASSWORD or --user / --password)")
    if isinstance(exc, neo4j_errors.ClientError) and exc.code == "Neo.ClientError.Database.DatabaseNotFound":
        return UserError(f"Neo4j at {config.uri} has no database {config.database!r} "
                         "(check NEO4J_DATABASE or --database; Community Edition has only 'neo4j')")
    if isinstance(exc, (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError)):
        return UserError(f"cannot reach Neo4j at {config.uri}: is the server running? "
                         "(start one with `docker compose up -d`, or set NEO4J_URI)")
    if isinstance(exc, neo4j_errors.Neo4jError):
        return UserError(f"Neo4j at {config.uri}: {_first_line(exc.message or exc)}")
    return exc


def ensure_schema(conn: Connection) -> None:
    """Create the uniqueness constraints and the indexes (idempotent) and wait for them."""
    with conn.session() as session:
        for statement in SCHEMA:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    conn.schema_ready = True


# --- rows: pure functions from triples to the parameters of one batch ------------------------

def finish_import(conn: Connection) -> None:
    """Make a graph written by the bulk importer identical to a Bolt load: constraints, empty lists."""
    ensure_schema(conn)
    with conn.session() as session:
        for cypher in FINISH_IMPORT:
            session.run(cypher).consume()


def rows_for_triples(triples: Iterable[Triple]) -> dict[str, list[dict]]:
    """The ``$rows`` of each write step for a batch of triples (pure; no server needed).

    Returns ``{"entities", "documents", "sentences", "facts"}`` lists, each deduplicated: one
    row per entity key, document id, sentence id (with a row per entity it mentions: the name and
    type its first triple there gives, and the aliases and merge reasons its triples there add) and
    fact (subject, predicate lemma, negated, object).  ``props`` holds the properties a new node or
    relationship gets (a fact's lists whole: :func:`listed` cuts them to what is stored); an
    entity's name and type are those of its earliest mention in sentence order (``named_by``);
    a fact's ``ev_<field>`` lists (:data:`kg.facts.EVIDENCE_COLUMNS`), index for index with its
    ``evidence``, hold each sentence's document, place in sentence order, speaker (``None`` when
    not reported speech), words as written, confidence and date.

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "Liberal Democratic Party", "org:liberal democratic party", "ORG", 0, 3)
    >>> b = Argument("Taiwan", "Taiwan", "place:taiwan", "GPE", 12, 18)
    >>> t = Triple("d1", "d1:0", "LDP backs Taiwan.", a, Predicate("backs", "back"), b)
    >>> rows = rows_for_triples([t, t])
    >>> [len(rows[k]) for k in ("entities", "documents", "sentences", "facts")]
    [2, 1, 1, 1]
    >>> rows["facts"][0]["type"], rows["facts"][0]["props"]["evidence"], rows["facts"][0]["props"]["count"]
    ('BACK', ['d1:0'], 1)
    >>> rows["facts"][0]["ev_predicate_text"], rows["facts"][0]["ev_speaker"]
    (['backs'], [None])
    >>> rows["sentences"][0]["mentions"][0]["props"]
    {'entity': 'a67d98d5464f34986d1308ff', 'order': 'd1\\x01010', 'name': 'Liberal Democratic Party', 'type': 'ORG', 'merges': ['acronym: LDP']}
    """
    entities: dict[str, dict] = {}
    documents: dict[str, dict] = {}
    sentences: dict[str, dict] = {}
    mentions: dict[tuple[str, str], dict] = {}  # (sentence id, entity key) -> the mention's props
    facts: dict[tuple, dict] = {}
    seen: dict[tuple, tuple[set, Summary]] = {}  # per fact: its sentence ids and summary
    for t in triples:
        doc = documents.setdefault(t.doc_id, {"id": t.doc_id, "meta": {}})
        if not doc["meta"]:
            doc["meta"] = _doc_meta(t.doc)
        sentence = sentences.setdefault(t.sentence_id, {"id": t.sentence_id, "text": t.sentence,
                                                        "doc_id": t.doc_id, "mentions": []})
        _entity_row(entities, mentions, t.subject, sentence)
        if not t.is_alias:
            _entity_row(entities, mentions, t.object, sentence)
        for key, reason in merge_reasons(t):
            _add_once(mentions[t.sentence_id, key], "merges", reason)
        if t.is_alias:
            if t.object.name != t.subject.name:
                _add_once(mentions[t.sentence_id, t.subject.key], "aliases", t.object.name)
            continue
        _add_evidence(facts, seen, t, evidence_date(t.event_date, doc["meta"].get("date")))
    for (_, key), props in mentions.items():
        entity = entities[key]["props"]
        for name in ("aliases", "merges"):
            if name in props:
                props[name].sort()
                entity[name].extend(x for x in props[name] if x not in entity[name])
    for row in entities.values():
        row["props"]["aliases"].sort()
        row["props"]["merges"].sort()
    fact_rows = list(facts.values())
    for i, row in enumerate(fact_rows):
        row["i"] = i
    return {"entities": list(entities.values()), "documents": list(documents.values()),
            "sentences": list(sentences.values()), "facts": fact_rows}


def _entity_row(entities: dict, mentions: dict, arg, sentence: dict) -> dict:
    """The entity row of an argument, named by its earliest sentence; records the sentence's mention."""
    if (sentence["id"], arg.key) not in mentions:
        props = mentions[sentence["id"], arg.key] = {"entity": entity_ref(arg.key), "order": sentence_key(sentence["id"]),
                                                     "name": arg.name, "type": arg.type}
        sentence["mentions"].append({"key": arg.key, "props": props})
    row = entities.get(arg.key)
    if row is None:
        row = entities[arg.key] = {"key": arg.key, "label": checked_label(node_label(arg.type)),
                                   "props": {"name": arg.name, "type": arg.type, "aliases": [], "merges": [],
                                             "named_by": sentence["id"]}}
    elif sentence_order(sentence["id"]) < sentence_order(row["props"]["named_by"]):
        row["label"] = checked_label(node_label(arg.type))
        row["props"].update(name=arg.name, type=arg.type, named_by=sentence["id"])
    return row


def _add_once(props: dict, name: str, value: str) -> None:
    values = props.setdefault(name, [])
    if value not in values:
        values.append(value)


@functools.lru_cache(maxsize=65536)
def _fact_type(lemma: str) -> str:
    """The checked relationship type of a predicate lemma (lemmas repeat: computed once each)."""
    return checked_type(relation_type(lemma))


def _add_evidence(facts: dict, seen: dict, t: Triple, date: str | None) -> None:
    """Add one triple's sentence to its fact row; a sentence already there changes nothing.

    ``seen`` holds sets beside each row's lists, so a fact stated in many sentences costs
    constant time per sentence."""
    fkey = (t.subject.key, t.predicate.lemma, t.negated, t.object.key)
    row = facts.get(fkey)
    if row is None:
        row = facts[fkey] = {
            "s": t.subject.key, "o": t.object.key, "predicate": t.predicate.lemma, "negated": t.negated,
            "type": _fact_type(t.predicate.lemma), "props": {"id": fact_id(*fkey), "evidence": []},
            **{f"ev_{name}": [] for name in EVIDENCE_COLUMNS}}
        seen[fkey] = (set(), Summary(row["props"]))
    p = row["props"]
    sentences, summary = seen[fkey]
    if t.sentence_id in sentences:
        return
    sentences.add(t.sentence_id)
    entry = evidence_entry(t.sentence_id, t.doc_id, t.sentence, t.speaker.name if t.speaker else None,
                           t.predicate.text, t.confidence, date)
    entry["order"] = sentence_key(t.sentence_id)
    p["evidence"].append(t.sentence_id)
    summary.add(entry)
    for name in EVIDENCE_COLUMNS:
        row[f"ev_{name}"].append(entry[name])


def fact_id(subject: str, predicate: str, negated: bool, obj: str) -> str:
    """The ``id`` of a fact relationship, which its EVIDENCE relationships name in ``fact``:
    24 hex digits of a hash of (subject key, predicate lemma, negated, object key).

    >>> fact_id("org:ldp", "support", False, "place:taiwan") == fact_id("org:ldp", "support", False, "place:taiwan")
    True
    >>> len(fact_id("org:ldp", "support", False, "place:taiwan"))
    24
    """
    return _hash24("\x1f".join((subject, predicate, "1" if negated else "0", obj)))


def _hash24(text: str) -> str:
    """24 hex digits of a hash of ``text``: the ids kg makes for facts and entity references."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def entity_ref(key: str) -> str:
    """An entity as its MENTIONS name it in ``entity``: 24 hex digits of a hash of its key (a key
    can be long, and an index entry of (entity, order) must stay within Neo4j's key size limit).

    >>> len(entity_ref("org:liberal democratic party")), entity_ref("a") != entity_ref("b")
    (24, True)
    """
    return _hash24(key)


def listed(props: dict) -> dict:
    """A fact's properties as stored: ``evidence`` (in sentence order), ``speakers`` and ``docs``
    (sorted) cut to their first :data:`LISTED_LIMIT` entries (``count`` and the EVIDENCE
    relationships keep every sentence).  The same entries whatever order the sentences were
    loaded in, so a fact can be recomputed from its EVIDENCE relationships alone.

    >>> listed({"count": 150, "evidence": [f"d:{i}" for i in range(150)][::-1], "speakers": [], "docs": ["d"]})["evidence"][-1]
    'd:99'
    """
    return {**props, **merged_lists({"evidence": [], "speakers": [], "docs": []}, props)}


def merged_lists(current: dict, new: dict) -> dict:
    """The ``evidence``, ``speakers`` and ``docs`` a fact stores once ``new`` entries join its ``current``
    ones: the first :data:`LISTED_LIMIT` of their union in sentence order (evidence) or sorted.

    Since ``current`` holds the first entries of everything the fact had, these are the first
    entries of everything it has now.

    >>> merged_lists({"evidence": ["b:0"], "speakers": ["Lo"], "docs": ["b"]},
    ...              {"evidence": ["a:3", "b:0"], "speakers": ["Kao", None], "docs": ["a"]})
    {'evidence': ['a:3', 'b:0'], 'speakers': ['Kao', 'Lo'], 'docs': ['a', 'b']}
    """
    def union(name):
        return {x for x in (*current[name], *new[name]) if x is not None}
    return {"evidence": sorted(union("evidence"), key=sentence_order)[:LISTED_LIMIT],
            "speakers": sorted(union("speakers"))[:LISTED_LIMIT],
            "docs": sorted(union("docs"))[:LISTED_LIMIT]}


def evidence_rows(fact: dict) -> list[dict]:
    """One row per evidence sentence of a fact row, for :data:`CREATE_EVIDENCE` (and the bulk CSV):
    the sentence, the fact's subject and id, and the :data:`EVIDENCE_COLUMNS`.

    >>> evidence_rows({"s": "a", "props": {"id": "f1", "evidence": ["d:0"]}, "ev_doc_id": ["d"],
    ...                "ev_order": ["d\\x01010"], "ev_speaker": [None], "ev_predicate_text": ["backs"],
    ...                "ev_confidence": [0.5], "ev_date": [None]})[0]["confidence"]
    0.5
    """
    p = fact["props"]
    return [{"sentence": sid, "subject": fact["s"], "fact": p["id"],
             **{name: fact[f"ev_{name}"][i] for name in EVIDENCE_COLUMNS}} for i, sid in enumerate(p["evidence"])]


def _doc_meta(doc: dict) -> dict:
    """The stored document fields: known keys with string values only."""
    return {k: str(doc[k]) for k in DOCUMENT_FIELDS if doc.get(k) is not None}


def checked_type(rel_type: str) -> str:
    """A relationship type that is safe as a Neo4j token: ``[A-Z][A-Z0-9_]*``, at most
    :data:`MAX_TYPE_LENGTH` characters (longer ones keep a prefix and a hash).

    Raises ``ValueError`` for anything else: it never reaches Cypher.

    >>> checked_type("SUPPORT")
    'SUPPORT'
    >>> len(checked_type("X" * 500))
    120
    """
    if not TYPE_PATTERN.fullmatch(rel_type):
        raise ValueError(f"not a safe relationship type: {rel_type[:80]!r}")
    if len(rel_type) > MAX_TYPE_LENGTH:
        digest = hashlib.sha1(rel_type.encode()).hexdigest()[:10].upper()
        rel_type = f"{rel_type[:MAX_TYPE_LENGTH - 11]}_{digest}"
    return rel_type


def checked_label(label: str) -> str:
    """An entity label from the fixed set; raises ``ValueError`` for anything else."""
    if label not in ENTITY_NODE_LABELS or not LABEL_PATTERN.fullmatch(label):
        raise ValueError(f"not an entity label: {label[:80]!r}")
    return label


# --- loading ----------------------------------------------------------------------------------

@dataclass
class FailedBatch:
    """A batch that could not be written, with what it held."""

    index: int
    first: int  # 1-based position of its first triple in the input
    last: int
    doc_ids: list[str]
    error: str
    triples: list[Triple] = field(default_factory=list, repr=False)

    @property
    def size(self) -> int:
        """How many triples failed (a document's triples need not be contiguous in the batch)."""
        return len(self.triples) if self.triples else self.last - self.first + 1

    def describe(self) -> str:
        """One line: which triples and documents, and why (ids cut to 80 characters)."""
        shown = [d if len(d) <= 80 else d[:77] + "..." for d in self.doc_ids[:5]]
        docs = ", ".join(shown) + (f" and {len(self.doc_ids) - 5} more" if len(self.doc_ids) > 5 else "")
        return f"batch {self.index + 1} (triples {self.first}-{self.last}; documents {docs}) failed: {self.error}"


@dataclass
class LoadReport:
    """What a load did, from the server's own counters."""

    triples: int = 0
    batches: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0
    failed: list[FailedBatch] = field(default_factory=list)
    skipped: int = 0  # triples not attempted after the server went away
    unchanged: int = 0  # documents the database holds with the same digest (not written again)
    replaced: int = 0  # documents the database held with another digest (forgotten, then loaded)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every batch was written."""
        return not self.failed and not self.skipped

    @property
    def written(self) -> int:
        """Triples in batches that were committed."""
        return self.triples - sum(f.size for f in self.failed) - self.skipped

    def add(self, counters: dict) -> None:
        """Add one committed batch's counters."""
        self.batches += 1
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + counters.get(name, 0))


ProgressFn = Callable[[int], Any]


def load_triples(conn: Connection, triples: Iterable[Triple], *, batch_size: int = DEFAULT_BATCH_SIZE,
                 progress: ProgressFn | None = None, schema: bool = True,
                 memory_limit: int = LOAD_MEMORY_LIMIT) -> LoadReport:
    """Write triples (streamed, ``batch_size`` at a time) and return a :class:`LoadReport`.

    Document by document (:class:`kg.neo4j.change.LoadPlan`): one the database holds with the
    same digest is skipped, one it holds with another digest is forgotten and loaded again, and
    each document's digest is recorded once all its triples are written.
    Transient errors are retried with back-off (by the driver, then once more here for a
    commit whose reply was lost: safe because every write is idempotent).  A batch the server
    refuses (e.g. a value too large for an index) is written again document by document, so
    one bad document does not take the others with it; each document that still fails is
    recorded in ``report.failed`` with its triples and the load goes on.  If the server is
    gone, the batch is recorded whole and the rest of the input is counted in
    ``report.skipped`` instead of tried.
    ``progress(n)`` is called with the number of triples after each batch.  ``memory_limit``
    bounds the :class:`LoadMemory` of the load (entries; 0 turns it off).
    """
    from .change import LoadPlan

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    start = time.perf_counter()
    if schema:
        ensure_schema(conn)
    report = LoadReport()
    with LoadMemory(memory_limit) as memory:
        _load(conn, triples, report, LoadPlan(conn, report, memory, batch_size=batch_size), memory,
              batch_size=batch_size, progress=progress)
    report.seconds = time.perf_counter() - start
    log.info("loaded %d triples in %d batches (%.1f s)", report.triples, report.batches, report.seconds)
    return report


def _load(conn: Connection, triples: Iterable[Triple], report: LoadReport, plan, memory: LoadMemory, *,
          batch_size: int, progress: ProgressFn | None) -> None:
    """The batches of :func:`load_triples`, written into ``report``."""
    gone: str | None = None
    for index, items in enumerate(batched(plan.stream(triples), batch_size)):
        positions = [p for p, _ in items]
        batch = [t for _, t in items]
        if gone is not None:
            report.skipped += len(batch)
            continue
        failures: list[FailedBatch] = []
        if plan.gone is not None:  # the server went away while the plan read digests for this batch
            gone = plan.gone
            report.failed.append(_failed(index, positions, batch, f"Neo4j is unavailable: {gone}"))
            continue
        try:
            report.add(write_batch(conn, rows_for_triples(batch), memory=memory))
            log.info("batch %d written (triples %d-%d)", index + 1, positions[0], positions[-1])
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.AuthError) as exc:
            memory.forget()
            gone = _first_line(exc)
            failures = [_failed(index, positions, batch, f"Neo4j is unavailable: {gone}")]
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
            memory.forget()
            try:
                failures = _write_by_document(conn, report, index, positions, batch, exc)
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.AuthError) as gone_exc:
                gone = _first_line(gone_exc)
                failures = [_failed(index, positions, batch, f"Neo4j is unavailable: {gone}")]
            for failed in failures:
                log.warning("%s", failed.describe())
            if gone is None and failures:
                from .change import repair_entities

                repair_entities(conn, {a.key for f in failures for t in f.triples for a in (t.subject, t.object)})
        report.failed.extend(failures)
        if gone is None:
            try:
                plan.written(positions[-1], [d for f in failures for d in f.doc_ids])
            except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.AuthError) as exc:
                gone = _first_line(exc)
        if progress is not None:
            progress(len(batch) + plan.take_unchanged())
    if plan.gone is None and gone is None and plan.pending:
        plan.written(plan.read, [])
    if progress is not None and plan.unchanged_triples:
        progress(plan.take_unchanged())
    report.triples = plan.read


def write_batch(conn: Connection, rows: dict[str, list[dict]], *, attempts: int = 3,
                memory: LoadMemory | None = None) -> dict:
    """Write one batch's rows; returns the server's counters.

    Three steps, each one transaction, nodes before the relationships that join them:
    entities; documents with their sentences and mentions; facts.  Within a step, what the
    database does not hold yet (checked in that transaction, or known from ``memory``, the
    :class:`LoadMemory` of the load this batch belongs to) is created outright, and only the
    rest is merged.  Every step is idempotent, so a batch cut short by a failure is completed
    by writing it again.
    """
    if memory is None:
        with LoadMemory() as memory:
            return write_batch(conn, rows, attempts=attempts, memory=memory)
    totals: dict[str, int] = {}
    run = functools.partial(_retrying, conn, totals=totals, attempts=attempts, on_retry=memory.forget)
    if rows.get("entities"):
        memory.add_entities(run(_entity_step, rows["entities"]))
    fresh: frozenset = frozenset()
    if rows.get("documents") or rows.get("sentences"):
        fresh = run(_document_step, _documents_with_sentences(rows))
    facts = [{**f, "fresh": all(sid in fresh for sid in f["props"]["evidence"])} for f in rows.get("facts", [])]
    new, known, rest = [], [], []
    for f, rid, owned in zip(facts, memory.fact_ids(facts), memory.owned(facts)):
        if rid is not None:
            known.append({**f, "rid": rid})
        else:
            (new if owned else rest).append(f)
    if facts:
        # After a lost commit reply the facts may be there: the retry merges every fact and checks
        # every sentence (the memory, emptied by the retry, then records what the retry wrote).
        written = run(_fact_step, (new, known, rest),
                      safe_step=(_fact_step, ([], [], [{**f, "fresh": False} for f in facts])))
        memory.add_facts((facts[i], rid) for i, rid in written)
    return totals


def _fact_step(tx: neo4j.ManagedTransaction, groups: tuple[list[dict], list[dict], list[dict]]):
    """Write a batch's facts with their evidence in one transaction; returns (counters, the
    (row number, relationship id) of each fact it created or found by ``MERGE``).

    ``groups`` is (facts known to be new, facts known to exist with their ``rid``, the rest).
    Of the rest, those without evidence in the database (:data:`KNOWN_FACTS`) are created, the
    others merged.  A fact that existed gets its new sentences by APPEND_EVIDENCE when the
    batch created them all (``fresh``), else by MERGE_EVIDENCE, which checks each one.
    """
    new, known, rest = groups
    _, known_facts = _run_statements(tx, [(KNOWN_FACTS, [{"id": f["props"]["id"], "s": f["s"], "o": f["o"]}
                                                         for f in rest])])
    walks = dict(known_facts)
    new = new + [f for f in rest if f["props"]["id"] not in walks]
    rest = [f for f in rest if f["props"]["id"] in walks]
    counters, stale = _run_statements(tx, _by_type(UPSERT_FACTS, [_upserted(f) for f in rest],
                                                   [walks[f["props"]["id"]] for f in rest]))
    made, created = _run_statements(tx, [(CREATE_FACTS, [_created_fact(f) for f in new])])
    by_number = {f["i"]: f for f in rest}
    existed = known + [{**by_number[i], "rid": rid} for i, rid in stale]
    returned = {i for i, _ in stale}
    appended = [f for f in existed if f["fresh"]]
    fresh = new + [f for f in rest if f["fresh"] and f["i"] not in returned] + appended
    current = {}
    if existed:
        _, stored = _run_statements(tx, [(FACT_LISTS, [f["rid"] for f in existed])])
        current = {rid: {"evidence": evidence, "speakers": speakers, "docs": docs}
                   for rid, evidence, speakers, docs in stored}
    lists = {f["rid"]: merged_lists(current[f["rid"]], _new_entries(f)) for f in existed if f["rid"] in current}
    added, _ = _run_statements(tx, [
        (CREATE_EVIDENCE, [row for f in fresh for row in evidence_rows(f)]),
        (APPEND_EVIDENCE, [{"rid": f["rid"], "props": f["props"], "lists": lists.get(f["rid"])} for f in appended]),
        (MERGE_EVIDENCE, [{**_merged(f), "lists": lists.get(f["rid"])} for f in existed if not f["fresh"]])])
    for name in COUNTERS:
        counters[name] += made[name] + added[name]
    return counters, created + stale


def _new_entries(fact: dict) -> dict:
    """A fact row's sentences, speakers and documents, for :func:`merged_lists`."""
    return {"evidence": fact["props"]["evidence"], "speakers": fact["ev_speaker"], "docs": fact["ev_doc_id"]}


def _upserted(fact: dict) -> dict:
    """A fact row for :data:`UPSERT_FACTS`: a fresh row creates the fact whole, any other one
    creates it without evidence (MERGE_EVIDENCE then adds every sentence and its sums)."""
    props = listed(fact["props"]) if fact["fresh"] else {
        "id": fact["props"]["id"], "evidence": [], **Summary({}).props}
    return {"i": fact["i"], "s": fact["s"], "o": fact["o"], "type": fact["type"], "predicate": fact["predicate"],
            "negated": fact["negated"], "fresh": fact["fresh"], "props": props}


def _merged(fact: dict) -> dict:
    """A fact row for :data:`MERGE_EVIDENCE`: its sentences with what each one adds."""
    return {"rid": fact["rid"], "fact": fact["props"]["id"], "evidence": fact["props"]["evidence"],
            **{f"ev_{name}": fact[f"ev_{name}"] for name in EVIDENCE_COLUMNS}}


def _entity_step(tx: neo4j.ManagedTransaction, rows: list[dict]):
    """Create the entities the database lacks, update the others (:func:`entity_update`); returns the created keys."""
    known = {record["key"]: record.data() for record in tx.run(KNOWN_ENTITIES, keys=[r["key"] for r in rows])}
    new = [r for r in rows if r["key"] not in known]
    updates = [u for u in (entity_update(known[r["key"]], r) for r in rows if r["key"] in known) if u is not None]
    counters, _ = _run_statements(tx, [(CREATE_ENTITIES, new), (UPDATE_ENTITIES, updates)])
    return counters, [r["key"] for r in new]


def entity_update(stored: dict, row: dict) -> dict | None:
    """The :data:`UPDATE_ENTITIES` row that adds an entity row to the entity the database holds
    (``stored``: its name, type, named_by, aliases, merges), or ``None`` when it adds nothing.

    >>> stored = {"name": "Chen", "type": "PERSON", "named_by": "b:0", "aliases": [], "merges": []}
    >>> row = {"key": "person:chen", "label": "Person", "props": {"name": "Chen Shu-fen", "type": "PERSON",
    ...        "named_by": "a:2", "aliases": ["陳淑芬"], "merges": []}}
    >>> entity_update(stored, row)["props"]
    {'aliases': ['陳淑芬'], 'name': 'Chen Shu-fen', 'type': 'PERSON', 'named_by': 'a:2'}
    """
    props: dict = {}
    for name in ("aliases", "merges"):
        merged = sorted(set(stored.get(name) or []) | set(row["props"][name]))
        if merged != (stored.get(name) or []):
            props[name] = merged
    old_label = None
    named_by = stored.get("named_by")
    if named_by is None or sentence_order(row["props"]["named_by"]) < sentence_order(named_by):
        p = row["props"]
        props.update(name=p["name"], type=p["type"], named_by=p["named_by"])
        if stored.get("type") != p["type"]:
            old_label = checked_label(node_label(stored["type"])) if stored.get("type") else None
    if not props:
        return None
    return {"key": row["key"], "props": props, "label": row["label"],
            "old_label": old_label if old_label != row["label"] else None}


def _document_step(tx: neo4j.ManagedTransaction, documents: list[dict]):
    """Create new documents whole; merge into documents (or sentences) the database already has.

    Returns the ids of the documents and sentences this step created."""
    ids = [d["id"] for d in documents] + [s["id"] for d in documents for s in d["sentences"]]
    known = {record[0] for record in tx.run(KNOWN_DOCUMENTS, ids=ids)}
    new, old = [], []
    for d in documents:
        seen = d["id"] in known or any(s["id"] in known for s in d["sentences"])
        (old if seen else new).append(d)
    statements = [(CREATE_DOCUMENTS, new),
                  (UPSERT_DOCUMENTS, [{"id": d["id"], "meta": d["meta"]} for d in old]),
                  (UPSERT_SENTENCES, [s for d in old for s in d["sentences"]])]
    counters, _ = _run_statements(tx, statements)
    created = {d["id"] for d in new}
    created.update(s["id"] for d in documents for s in d["sentences"] if s["id"] not in known)
    return counters, frozenset(created)


def _documents_with_sentences(rows: dict[str, list[dict]]) -> list[dict]:
    """Document rows, each with the rows of its sentences (``rows_for_triples`` lists them apart)."""
    documents = {d["id"]: {**d, "sentences": []} for d in rows.get("documents", [])}
    for s in rows.get("sentences", []):
        documents.setdefault(s["doc_id"], {"id": s["doc_id"], "meta": {}, "sentences": []})["sentences"].append(s)
    return list(documents.values())


def _created_fact(fact: dict) -> dict:
    """A fact row for :data:`CREATE_FACTS`: every property of the new relationship in ``props``."""
    return {"i": fact["i"], "s": fact["s"], "o": fact["o"], "type": fact["type"],
            "props": {"predicate": fact["predicate"], "negated": fact["negated"], **listed(fact["props"])}}


def _by_type(cypher: str, rows: list[dict], walks: list[int]) -> list[tuple[str, list[dict]]]:
    """A fact statement's (Cypher, rows): types whose rows would walk many relationships get their
    own statement, the rest one dynamic one.

    With ``$(row.type)`` the planner cannot restrict the MERGE's expansion to one type and walks
    every relationship of the lesser-degree end (``walks``, one per row), which on
    well-connected entities grows with the graph.  A statement per type walks only that type's
    relationships, but costs a round trip (and a plan compilation the first time), so only
    types whose walk repays it (:data:`STATIC_TYPE_MIN_WALK`) get one.  Static types are
    checked again here and written in backticks.
    """
    groups: dict[str, list[dict]] = {}
    walked: dict[str, int] = {}
    for row, walk in zip(rows, walks):
        groups.setdefault(row["type"], []).append(row)
        walked[row["type"]] = walked.get(row["type"], 0) + walk
    static = {t for t, walk in walked.items() if walk >= STATIC_TYPE_MIN_WALK}
    statements = [(cypher, [row for t, group in groups.items() if t not in static for row in group])]
    statements += [(cypher.replace("$(row.type)", f"`{checked_type(t)}`"), groups[t]) for t in sorted(static)]
    return statements


def _retrying(conn: Connection, step: Callable, arg: Any, *, totals: dict, attempts: int,
              safe_step: tuple[Callable, Any] | None = None, on_retry: Callable[[], Any] | None = None) -> Any:
    """Run ``step(tx, arg)`` (returning ``(counters, value)``) in one write transaction; returns the value.

    The driver retries transient errors; a commit whose reply was lost (it may or may not have
    happened) is retried here with back-off, as ``safe_step`` when given (a step that is
    idempotent where ``step`` is not).
    """
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            with conn.session() as session:
                counters, value = session.execute_write(step, arg)
            break
        except (neo4j_errors.IncompleteCommit, neo4j_errors.TransientError) as exc:
            # The driver does not retry a commit whose outcome is unknown; every step is idempotent.
            if attempt == attempts:
                raise
            log.info("step retried after %s (attempt %d)", type(exc).__name__, attempt)
            if on_retry is not None:
                on_retry()
            if safe_step is not None:
                step, arg = safe_step
            time.sleep(delay)
            delay *= 2
    for name in COUNTERS:
        totals[name] = totals.get(name, 0) + counters[name]
    return value


COUNTERS = ("nodes_created", "relationships_created", "properties_set", "labels_added")


def _run_statements(tx: neo4j.ManagedTransaction, statements: list[tuple[str, list[dict]]]):
    """Run (Cypher, rows) statements with rows; returns the summed counters and the records' values
    (one value per record when a statement returns one column, else a tuple)."""
    counters = dict.fromkeys(COUNTERS, 0)
    values: list = []
    for cypher, rows in statements:
        if not rows:
            continue
        result = tx.run(cypher, rows=rows)
        values.extend(record[0] if len(record) == 1 else tuple(record.values()) for record in result)
        summary = result.consume().counters
        for name in COUNTERS:
            counters[name] += getattr(summary, name)
    return counters, values


def _write_by_document(conn: Connection, report: LoadReport, index: int, positions: list[int], batch: list[Triple],
                       exc: Exception) -> list[FailedBatch]:
    """Write a refused batch again one document at a time; the documents that still fail.

    ``positions`` are the input positions of the batch's triples.  Safe because every step is
    idempotent: what the failed attempt committed is matched, not doubled.
    """
    where_by_doc: dict[str, list[int]] = {}
    for pos, t in enumerate(batch):
        where_by_doc.setdefault(t.doc_id, []).append(pos)
    if len(where_by_doc) < 2:
        return [_failed(index, positions, batch, _error_text(exc))]
    failures, totals = [], {}
    for doc_id, where in where_by_doc.items():
        part = [batch[p] for p in where]
        try:
            counters = write_batch(conn, rows_for_triples(part))
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.AuthError):
            raise
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as doc_exc:
            failures.append(FailedBatch(index, positions[where[0]], positions[where[-1]], [doc_id],
                                        _error_text(doc_exc), part))
            continue
        for name in COUNTERS:
            totals[name] = totals.get(name, 0) + counters.get(name, 0)
    if len(failures) < len(where_by_doc):
        report.add(totals)
    return failures


def _error_text(exc: Exception) -> str:
    """The server's own message when there is one (not the driver's long rendering)."""
    return _first_line(getattr(exc, "message", None) or exc)


def _failed(index: int, positions: list[int], batch: list[Triple], error: str) -> FailedBatch:
    doc_ids = list(dict.fromkeys(t.doc_id for t in batch))
    return FailedBatch(index, positions[0], positions[-1], doc_ids, error, batch)


# --- queries ------------------------------------------------------------------------------

def run_query(conn: Connection, cypher: str, params: dict | None = None, *,
              write: bool = False) -> tuple[list[str], list[list]]:
    """Run Cypher and return ``(columns, rows)`` of plain Python values.

    Read-only unless ``write=True`` (the server refuses writes in a read transaction).
    Nodes become ``{"_labels": [...], **properties}``, relationships
    ``{"_type", "_start", "_end", **properties}`` (ends by entity key when they have one),
    paths ``{"nodes": [...], "relationships": [...]}``, temporal values ISO strings.
    """
    routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
    try:
        result = conn.driver.execute_query(cypher, params or {}, routing_=routing, database_=conn.database)
    except neo4j_errors.Neo4jError as exc:
        raise query_error(exc) from None
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
        raise _connection_error(exc, conn.config) from None
    return list(result.keys), [[to_plain(v) for v in record.values()] for record in result.records]


def query_error(exc: Exception) -> UserError:
    """A one-line :class:`UserError` for a query the server rejected."""
    code = getattr(exc, "code", "") or ""
    message = _first_line(getattr(exc, "message", None) or exc)
    if code == "Neo.ClientError.Statement.AccessMode" or "in read access mode" in message:
        return UserError("this query writes to the database; pass --write to allow it")
    if code == "Neo.ClientError.Statement.ParameterMissing":
        return UserError(f"{message} (give it with --param NAME=VALUE)")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return UserError(f"Cypher syntax error: {message}")
    return UserError(f"Neo4j refused the query: {message}")


def to_plain(value: Any) -> Any:
    """A driver value as plain JSON-ready Python data."""
    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_type": value.type, "_start": _node_ref(value.start_node), "_end": _node_ref(value.end_node),
                **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _node_ref(node) -> Any:
    if node is None:
        return None
    return node.get("key") or node.get("id") or node.element_id


# --- reading a subgraph back into the kg/graph.py schema ---------------------------------

NODES_BY_ID = """
MATCH (e:Entity) WHERE elementId(e) IN $ids
RETURN e.key AS key, e.name AS name, e.type AS type, e.named_by AS named_by, coalesce(e.aliases, []) AS aliases,
       coalesce(e.merges, []) AS merges,
       COLLECT { MATCH (e)<-[:MENTIONS]-(s:Sentence) RETURN DISTINCT s.doc_id } AS docs
"""
FACTS_BY_ID = """
MATCH (a:Entity)-[r]->(b:Entity) WHERE elementId(r) IN $ids
RETURN elementId(a) AS a_id, elementId(b) AS b_id, a.key AS s, b.key AS o, type(r) AS type,
       properties(r) AS props
"""
EVIDENCE_OF_FACTS = """
UNWIND $ids AS fact
MATCH (s:Sentence)-[e:EVIDENCE {fact: fact}]->()
RETURN fact, s.id AS sentence_id, s.doc_id AS doc_id, s.text AS text, %s
""" % ", ".join(f"e.{name} AS {name}" for name in EVIDENCE_PROPERTIES)
DOCUMENTS_BY_ID = "MATCH (d:Document) WHERE d.id IN $ids RETURN d.id AS id, properties(d) AS props"


def graph_from_neo4j(conn: Connection, cypher: str = WHOLE_GRAPH, params: dict | None = None) -> nx.MultiDiGraph:
    """The entities and facts a Cypher query returns, as a graph in the ``kg.graph`` schema.

    Every Entity node and fact relationship anywhere in the result (also inside paths and
    lists) is kept, with both ends of each fact; documents, sentences and other values are
    used only as provenance.  Node ids are entity keys; attributes are exactly those of
    :func:`kg.graph.build_graph`, so views and exports treat both the same.
    """
    try:
        with conn.session(read=True) as session:
            found = session.execute_read(lambda tx: tx.run(cypher, params or {}).graph())
            node_ids = {n.element_id for n in found.nodes if "Entity" in n.labels}
            rel_ids = [r.element_id for r in found.relationships if r.type not in PROVENANCE_TYPES]
            facts = session.execute_read(_fetch, FACTS_BY_ID, ids=rel_ids) if rel_ids else []
            for f in facts:
                node_ids.update((f["a_id"], f["b_id"]))
            nodes = session.execute_read(_fetch, NODES_BY_ID, ids=sorted(node_ids)) if node_ids else []
            fact_ids = sorted({f["props"]["id"] for f in facts if "id" in f["props"]})
            evidence = session.execute_read(_fetch, EVIDENCE_OF_FACTS, ids=fact_ids) if fact_ids else []
            doc_ids = sorted({d for n in nodes for d in n["docs"]} | {e["doc_id"] for e in evidence})
            documents = session.execute_read(_fetch, DOCUMENTS_BY_ID, ids=doc_ids)
    except neo4j_errors.Neo4jError as exc:
        raise query_error(exc) from None
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as exc:
        raise _connection_error(exc, conn.config) from None
    return _assemble_graph(nodes, facts, evidence, documents)


def whole_graph(conn: Connection) -> nx.MultiDiGraph:
    """Every entity and fact in the database as a ``kg.graph`` graph."""
    return graph_from_neo4j(conn, WHOLE_GRAPH)


def _fetch(tx: neo4j.ManagedTransaction, cypher: str, **params) -> list[dict]:
    return [record.data() for record in tx.run(cypher, params)]




def _assemble_graph(nodes: list[dict], facts: list[dict], evidence: list[dict],
                    documents: list[dict]) -> nx.MultiDiGraph:
    """Build the networkx graph from fetched rows (pure).

    A fact's evidence comes from its EVIDENCE rows (``fact`` = its ``id``), every one of them
    (the lists stored on the relationship are cut short), and its summary is computed from them
    as the local graph computes it (:func:`kg.facts.summarise`)."""
    g = nx.MultiDiGraph()
    g.graph["format"] = GRAPH_FORMAT
    g.graph["documents"] = {d["id"]: {k: v for k, v in d["props"].items() if k in DOCUMENT_FIELDS}
                            for d in sorted(documents, key=lambda d: d["id"])}
    for n in sorted(nodes, key=lambda n: n["key"]):
        g.add_node(n["key"], name=n["name"], type=n["type"], label=node_label(n["type"]), named_by=n["named_by"],
                   aliases=sorted(n["aliases"]), docs=sorted(d for d in n["docs"] if d is not None),
                   merges=sorted(n["merges"]))
    by_fact: dict[str, list[dict]] = {}
    for e in evidence:
        by_fact.setdefault(e["fact"], []).append({k: e[k] for k in EVIDENCE_FIELDS})
    for f in facts:
        p = f["props"]
        sentences = sorted(by_fact.get(p.get("id"), []), key=lambda ev: sentence_order(ev["sentence_id"]))
        g.add_edge(f["s"], f["o"], key=edge_key(p["predicate"], p["negated"]), predicate=p["predicate"],
                   type=f["type"], negated=p["negated"], evidence=sentences, **summarise(sentences))
    return g


def _first_line(exc: Any) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
