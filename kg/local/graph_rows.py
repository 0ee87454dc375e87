"""The local graph in the build store, kept as each document's contribution to its nodes and edges.

A document contributes, to every node it mentions, one row (``graph_node_docs``: its earliest
mention of the node, the aliases it gives it and the merge reasons it shows) and, to every fact it
states, one evidence row per sentence (``graph_evidence``; the fact itself is a ``graph_edges`` row);
its metadata is a ``graph_documents`` row.  :func:`apply` replaces a document's rows, found through
the ``doc`` indexes, so its cost follows the document, not the build: no row shared with other
documents (a hub's ``docs`` list, a hub–hub fact's evidence) is read or rewritten.
:func:`read_graph` folds the rows into the graph :func:`kg.graph.build_graph` makes of the same
resolved triples — node name and type from the earliest mention in sentence order, sorted
``docs`` / ``aliases`` / ``merges``, evidence in sentence order with :func:`kg.facts.summarise`
over it — and the reason ``cross-document key`` on every node of two or more documents (what
the cross-document ``alias`` records of :mod:`kg.link` add to a graph, and all they add).
"""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

import networkx as nx

from ..facts import EVIDENCE_FIELDS, evidence_date, evidence_entry, summarise
from ..graph import GRAPH_FORMAT, edge_key, paused_gc, sentence_order
from ..identity import CROSS_DOCUMENT_KEY, CROSS_DOCUMENT_RULE, merge_reasons
from ..records import Argument, Triple, node_label, relation_type
from .db import has_row, read_transaction, schema

log = logging.getLogger(__name__)

schema("""
CREATE TABLE IF NOT EXISTS graph_documents (
    doc TEXT PRIMARY KEY,
    meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS graph_node_docs (
    node TEXT NOT NULL,
    doc TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    named_by TEXT NOT NULL,
    aliases TEXT,
    merges TEXT,
    PRIMARY KEY (node, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS graph_node_docs_doc ON graph_node_docs (doc);
CREATE TABLE IF NOT EXISTS graph_edges (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    key TEXT NOT NULL,
    predicate TEXT NOT NULL,
    negated INTEGER NOT NULL,
    UNIQUE (source, target, key)
);
CREATE TABLE IF NOT EXISTS graph_evidence (
    edge INTEGER NOT NULL,
    doc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sentence_id TEXT NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT,
    predicate_text TEXT NOT NULL,
    confidence REAL NOT NULL,
    date TEXT,
    PRIMARY KEY (edge, doc, seq)
);
CREATE INDEX IF NOT EXISTS graph_evidence_doc ON graph_evidence (doc, edge);
CREATE TABLE IF NOT EXISTS graph_counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO graph_counts VALUES ('documents', 0), ('entities', 0), ('facts', 0);
""")

# The evidence columns after (edge, doc, seq), in the order of kg.facts.EVIDENCE_FIELDS (doc_id is ``doc``).
_ENTRY_COLUMNS = tuple(f for f in EVIDENCE_FIELDS if f != "doc_id")


@dataclass
class NodePart:
    """One document's contribution to a node: its earliest mention there (sentence order, then
    triple order), and the aliases and merge reasons the document gives the node."""

    name: str
    type: str
    named_by: str
    aliases: set = field(default_factory=set)
    merges: set = field(default_factory=set)


@dataclass
class EdgePart:
    """One document's contribution to a fact: one evidence entry per sentence, the first triple of
    the sentence giving it, in the document's order."""

    predicate: str
    negated: bool
    evidence: dict = field(default_factory=dict)  # sentence id -> kg.facts.evidence_entry


@dataclass
class DocumentPart:
    """Everything one document adds to the graph (:func:`document_part`)."""

    meta: dict
    nodes: dict  # node key -> NodePart
    edges: dict  # (source, target, edge key) -> EdgePart


def document_part(doc_id: str, triples: Iterable[Triple]) -> Optional[DocumentPart]:
    """What the resolved triples of document ``doc_id`` add to the graph, as
    :func:`kg.graph.build_graph` adds them; ``None`` when there are none.  Cross-document
    ``alias`` records are skipped (:func:`read_graph` derives what they add).

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "Liberal Democratic Party", "org:liberal democratic party", "ORG", 0, 3)
    >>> b = Argument("Taiwan", "Taiwan", "place:taiwan", "GPE", 12, 18)
    >>> part = document_part("d1", [Triple("d1", "d1:0", "LDP backs Taiwan.", a, Predicate("backs", "back"), b)])
    >>> sorted(part.nodes), part.nodes["org:liberal democratic party"].merges
    (['org:liberal democratic party', 'place:taiwan'], {'acronym: LDP'})
    """
    meta: Optional[dict] = None
    nodes: dict[str, NodePart] = {}
    edges: dict[tuple, EdgePart] = {}
    for t in triples:
        if t.is_alias and t.rule == CROSS_DOCUMENT_RULE:
            continue
        if t.doc_id != doc_id:
            raise ValueError(f"a triple of document {t.doc_id!r} given as one of {doc_id!r}")
        if meta is None or (t.doc and not meta):
            meta = dict(t.doc)
        _mention(nodes, t.subject, t.sentence_id)
        if not t.is_alias:
            _mention(nodes, t.object, t.sentence_id)
        for key, reason in merge_reasons(t):
            nodes[key].merges.add(reason)
        if t.is_alias:
            if t.object.name != t.subject.name:
                nodes[t.subject.key].aliases.add(t.object.name)
            continue
        k = (t.subject.key, t.object.key, edge_key(t.predicate.lemma, t.negated))
        edge = edges.get(k)
        if edge is None:
            edge = edges[k] = EdgePart(t.predicate.lemma, t.negated)
        if t.sentence_id not in edge.evidence:
            edge.evidence[t.sentence_id] = evidence_entry(
                t.sentence_id, t.doc_id, t.sentence, t.speaker.name if t.speaker else None, t.predicate.text,
                t.confidence, evidence_date(t.event_date, meta.get("date")))
    return None if meta is None else DocumentPart(meta, nodes, edges)


def _mention(nodes: dict, arg: Argument, sentence_id: str) -> None:
    node = nodes.get(arg.key)
    if node is None:
        nodes[arg.key] = NodePart(arg.name, arg.type, sentence_id)
    elif sentence_order(sentence_id) < sentence_order(node.named_by):
        node.name, node.type, node.named_by = arg.name, arg.type, sentence_id


def apply(conn: sqlite3.Connection, changes: Mapping[str, Optional[list[Triple]]]) -> None:
    """Replace the contribution of each document of ``changes`` (document id → its resolved
    triples in document order, or ``None`` when the document is gone) with the new one.

    Runs inside the caller's transaction (:func:`kg.local.db.transaction`); it does not commit.

    >>> from kg.local.db import connect, transaction
    >>> from kg.records import Argument, Predicate
    >>> a = Argument("Taiwan", "Taiwan", "place:taiwan", "GPE", 0, 6)
    >>> b = Argument("Japan", "Japan", "place:japan", "GPE", 12, 17)
    >>> conn = connect(":memory:")
    >>> with transaction(conn):
    ...     apply(conn, {"d1": [Triple("d1", "d1:0", "Taiwan thanks Japan.", a, Predicate("thanks", "thank"), b)],
    ...                  "d2": [Triple("d2", "d2:4", "Japan thanks Taiwan.", b, Predicate("thanks", "thank"), a)]})
    >>> read_graph(conn).nodes["place:taiwan"]["merges"]
    ['cross-document key']
    >>> with transaction(conn):
    ...     apply(conn, {"d2": None})
    >>> read_graph(conn).nodes["place:taiwan"]
    {'aliases': [], 'docs': ['d1'], 'label': 'Place', 'merges': [], 'name': 'Taiwan', 'named_by': 'd1:0', 'type': 'GPE'}
    """
    touched: set[int] = set()
    edge_ids: dict[tuple, int] = {}
    parts = {doc_id: document_part(doc_id, triples) if triples else None for doc_id, triples in changes.items()}
    nodes = {key for part in parts.values() if part is not None for key in part.nodes}
    for doc_id in parts:
        nodes.update(k for (k,) in conn.execute("SELECT node FROM graph_node_docs WHERE doc = ?", (doc_id,)))
    nodes_before = _held(conn, nodes)
    docs_before = _held(conn, parts, table="graph_documents", column="doc")
    new_edges = 0
    for doc_id, part in parts.items():
        touched.update(e for (e,) in conn.execute("SELECT DISTINCT edge FROM graph_evidence WHERE doc = ?", (doc_id,)))
        conn.execute("DELETE FROM graph_evidence WHERE doc = ?", (doc_id,))
        conn.execute("DELETE FROM graph_node_docs WHERE doc = ?", (doc_id,))
        conn.execute("DELETE FROM graph_documents WHERE doc = ?", (doc_id,))
        if part is not None:
            new_edges += _insert(conn, doc_id, part, edge_ids)
    orphans = [(e,) for e in touched
               if conn.execute("SELECT 1 FROM graph_evidence WHERE edge = ? LIMIT 1", (e,)).fetchone() is None]
    conn.executemany("DELETE FROM graph_edges WHERE id = ?", orphans)
    conn.executemany("UPDATE graph_counts SET value = value + ? WHERE name = ?", [
        (_held(conn, nodes) - nodes_before, "entities"),
        (_held(conn, parts, table="graph_documents", column="doc") - docs_before, "documents"),
        (new_edges - len(orphans), "facts")])
    log.debug("graph rows: %d documents applied, %d facts gone", len(changes), len(orphans))


def _held(conn: sqlite3.Connection, keys, *, table: str = "graph_node_docs", column: str = "node") -> int:
    """How many of ``keys`` have a row in ``table`` (index look-ups only)."""
    return sum(has_row(conn, table, column, k) for k in keys)


def _insert(conn: sqlite3.Connection, doc_id: str, part: DocumentPart, edge_ids: dict) -> int:
    """Add a document's rows; returns the number of facts it created."""
    conn.execute("INSERT INTO graph_documents (doc, meta) VALUES (?, ?)",
                 (doc_id, json.dumps(part.meta, ensure_ascii=False)))
    conn.executemany(
        "INSERT INTO graph_node_docs (node, doc, name, type, named_by, aliases, merges) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(key, doc_id, n.name, n.type, n.named_by, _json_set(n.aliases), _json_set(n.merges))
         for key, n in part.nodes.items()])
    rows = []
    created = 0
    for k, edge in part.edges.items():
        edge_id, new = _edge_id(conn, k, edge, edge_ids)
        created += new
        rows.extend((edge_id, doc_id, seq, *(entry[f] for f in _ENTRY_COLUMNS))
                    for seq, entry in enumerate(edge.evidence.values()))
    conn.executemany(f"INSERT INTO graph_evidence (edge, doc, seq, {', '.join(_ENTRY_COLUMNS)}) "
                     f"VALUES ({', '.join('?' * (3 + len(_ENTRY_COLUMNS)))})", rows)
    return created


def _edge_id(conn: sqlite3.Connection, k: tuple, edge: EdgePart, edge_ids: dict) -> tuple[int, bool]:
    """The id of fact ``k`` (source, target, edge key), its row added when it is new; and whether it was."""
    edge_id = edge_ids.get(k)
    created = False
    if edge_id is None:
        row = conn.execute("SELECT id FROM graph_edges WHERE source = ? AND target = ? AND key = ?", k).fetchone()
        if row is None:
            edge_id = conn.execute("INSERT INTO graph_edges (source, target, key, predicate, negated) "
                                   "VALUES (?, ?, ?, ?, ?)", (*k, edge.predicate, int(edge.negated))).lastrowid
            created = True
        else:
            edge_id = row[0]
        edge_ids[k] = edge_id
    return edge_id, created


def _json_set(values: set) -> Optional[str]:
    return json.dumps(sorted(values), ensure_ascii=False) if values else None


def read_graph(conn: sqlite3.Connection) -> nx.MultiDiGraph:
    """The graph of every document applied: the graph :func:`kg.graph.build_graph` makes of their
    resolved triples (with the cross-document records), attribute for attribute — in the order a
    graph read from its node-link JSON file (:func:`kg.graph.read_graph`) has them: nodes and edges
    sorted, each one's attributes (and each evidence entry's fields) by name."""
    g = nx.MultiDiGraph()
    with read_transaction(conn), paused_gc():
        g.graph["documents"] = {doc: _by_name(json.loads(meta)) for doc, meta in conn.execute(
            "SELECT doc, meta FROM graph_documents ORDER BY doc")}
        g.graph["format"] = GRAPH_FORMAT
        _read_nodes(conn, g)
        _read_edges(conn, g)
    log.debug("graph rows: read %d nodes, %d edges", g.number_of_nodes(), g.number_of_edges())
    return g


def _read_nodes(conn: sqlite3.Connection, g: nx.MultiDiGraph) -> None:
    rows = conn.execute("SELECT node, doc, name, type, named_by, aliases, merges FROM graph_node_docs "
                        "ORDER BY node, doc")
    key = None
    for node, doc, name, type_, named_by, aliases, merges in rows:
        if node != key:
            if key is not None:
                _add_node(g, key, best, docs, alias_set, merge_set)
            key, best, docs, alias_set, merge_set = node, None, [], set(), set()
        docs.append(doc)
        order = (sentence_order(named_by), doc)
        if best is None or order < best[0]:
            best = (order, name, type_, named_by)
        if aliases is not None:
            alias_set.update(json.loads(aliases))
        if merges is not None:
            merge_set.update(json.loads(merges))
    if key is not None:
        _add_node(g, key, best, docs, alias_set, merge_set)


def _add_node(g: nx.MultiDiGraph, key: str, best: tuple, docs: list, aliases: set, merges: set) -> None:
    _, name, type_, named_by = best
    if len(docs) >= 2:
        merges.add(CROSS_DOCUMENT_KEY)
    g.add_node(key, aliases=sorted(aliases), docs=docs, label=node_label(type_), merges=sorted(merges), name=name,
               named_by=named_by, type=type_)


def _read_edges(conn: sqlite3.Connection, g: nx.MultiDiGraph) -> None:
    evidence: dict[int, list] = {}
    for edge, doc, seq, *values in conn.execute(
            f"SELECT edge, doc, seq, {', '.join(_ENTRY_COLUMNS)} FROM graph_evidence"):
        entry = dict(zip(_ENTRY_COLUMNS, values))
        entry["doc_id"] = doc
        evidence.setdefault(edge, []).append(((sentence_order(entry["sentence_id"]), doc, seq), _by_name(entry)))
    for edge, source, target, key, predicate, negated in conn.execute(
            "SELECT id, source, target, key, predicate, negated FROM graph_edges ORDER BY source, target, key"):
        entries = [entry for _, entry in sorted(evidence.get(edge, ()), key=_first)]
        g.add_edge(source, target, key=key, **_by_name({
            "predicate": predicate, "type": relation_type(predicate), "negated": bool(negated), "evidence": entries,
            **summarise(entries)}))


def _by_name(d: dict) -> dict:
    """``d`` with its keys in sorted order (as JSON written with ``sort_keys`` reads back)."""
    return dict(sorted(d.items()))


def _first(item: tuple):
    return item[0]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """``documents``, ``entities`` and ``facts`` of the graph (kept by :func:`apply`; the graph is not read)."""
    return dict(conn.execute("SELECT name, value FROM graph_counts"))
