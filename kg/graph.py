"""Triples to a networkx graph, and the local graph file.

The graph is a :class:`networkx.MultiDiGraph` whose nodes are entity keys and
whose edges are facts, one edge per (subject, predicate lemma, object, negated),
carrying every sentence that states it.  ``alias`` triples become the
``aliases`` of their subject node instead of edges.  Everything on nodes and
edges is a plain JSON value, so the graph round-trips through node-link JSON
(:func:`write_graph` / :func:`read_graph`) unchanged.

Node attributes: ``name``, ``type`` (spaCy label or ``CONCEPT``), ``label``
(``Person``, ``Organization`` …) — those of the entity's earliest mention in sentence order,
``named_by`` (that sentence's id), so the graph does not depend on the order documents come in —
``aliases`` (sorted list), ``docs`` (sorted document ids),
``merges`` (sorted reasons the entity's mentions were merged: ``acronym: LDP``, ``short name: Chen``,
``cross-document key`` …; see :func:`kg.identity.merge_reasons`).

Edge attributes (edge key ``"<lemma>"`` or ``"<lemma>|negated"``):
``predicate`` (lemma), ``type`` (relationship type, ``[A-Z][A-Z0-9_]*``),
``negated``, ``evidence`` (one entry per sentence, sorted by sentence order:
``{sentence_id, doc_id, text, speaker, predicate_text, confidence, date}``, see
:data:`kg.facts.EVIDENCE_FIELDS`), and the summary properties computed from it
(:data:`kg.facts.FACT_SUMMARY`): ``count`` (sentences), ``confidence`` (max), ``speakers`` and
``docs`` (sorted), ``first_seen`` / ``last_seen`` (the earliest and latest evidence date, ISO
strings of the precision the text gives — ``2021``, ``2021-08``, ``2021-08-28`` — or ``None``;
see :func:`kg.facts.evidence_date`).
"""
from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator

import networkx as nx

from .facts import Summary, append_new, evidence_date, evidence_entry
from .files import atomic_path
from .records import Triple, node_label, relation_type

log = logging.getLogger(__name__)

GRAPH_FORMAT = "kg-graph/1"


@contextlib.contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector for the block (it is switched back on after).

    Reading triples and building a graph allocate millions of small objects that live on and
    form no cycles; each collection the allocations trigger walks all of them, which made up
    about 40 % of rebuilding a graph of 180,000 triples.  The result is the same either way.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def edge_key(lemma: str, negated: bool) -> str:
    """The multigraph key of a fact edge."""
    return f"{lemma}|negated" if negated else lemma


def build_graph(triples: Iterable[Triple], graph: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
    """Add triples to ``graph`` (a new one by default) and return it.

    Adding the same triple twice changes nothing: evidence is keyed by sentence id.

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "Liberal Democratic Party", "org:liberal democratic party", "ORG", 0, 3)
    >>> b = Argument("Taiwan", "Taiwan", "place:taiwan", "GPE", 12, 18)
    >>> t = Triple("d1", "d1:0", "LDP backs Taiwan.", a, Predicate("backs", "back"), b)
    >>> g = build_graph([t, t])
    >>> g.edges["org:liberal democratic party", "place:taiwan", "back"]["count"]
    1
    """
    from .identity import merge_reasons

    g = graph if graph is not None else nx.MultiDiGraph()
    g.graph.setdefault("format", GRAPH_FORMAT)
    docs = g.graph.setdefault("documents", {})
    merge = _Merge(g)
    n = 0
    for t in triples:
        n += 1
        if t.doc_id not in docs or (t.doc and not docs[t.doc_id]):
            docs[t.doc_id] = dict(t.doc)
        merge.node(t.subject.key, t.subject.name, t.subject.type, t.doc_id, t.sentence_id)
        if not t.is_alias:
            merge.node(t.object.key, t.object.name, t.object.type, t.doc_id, t.sentence_id)
        for key, reason in merge_reasons(t):
            merge.reason(key, reason)
        if t.is_alias:
            aliases = set(g.nodes[t.subject.key]["aliases"])
            if t.object.name != t.subject.name:
                aliases.add(t.object.name)
            g.nodes[t.subject.key]["aliases"] = sorted(aliases)
            continue
        merge.fact(t, evidence_date(t.event_date, docs.get(t.doc_id, {}).get("date")))
    merge.finish()
    log.debug("graph: %d triples added, %d nodes, %d edges", n, g.number_of_nodes(), g.number_of_edges())
    return g


class _Merge:
    """Adds nodes and facts to a graph in time linear in their documents and sentences.

    The lists a node or an edge keeps sorted (``docs``, ``evidence``, ``speakers``) are
    appended to, with sets beside them for the duplicate checks, and sorted once by
    :meth:`finish`: the same lists as sorting after every triple (the sorts are stable), without
    its cost on an entity or a fact named in thousands of sentences.  A list is copied when
    first touched, so a graph sharing lists with another (``g.copy()``) never changes the other.
    """

    def __init__(self, g: nx.MultiDiGraph):
        self.g = g
        self.node_docs: dict[str, set] = {}
        self.edges: dict[tuple, tuple[set, Summary]] = {}  # per fact touched: its sentence ids and summary
        self.lengths: dict[tuple, int] = {}  # of each list when first touched: only lists that grew are sorted

    def node(self, key: str, name: str, type_: str, doc_id: str, sentence_id: str) -> None:
        """Add an entity and the document that names it; its name and type are those of its earliest
        mention in sentence order (``named_by``), whatever order the triples come in."""
        g = self.g
        if key not in g:
            g.add_node(key, name=name, type=type_, label=node_label(type_), named_by=sentence_id, aliases=[], docs=[],
                       merges=[])
        node = g.nodes[key]
        named_by = node.get("named_by")
        if named_by is not None and sentence_order(sentence_id) < sentence_order(named_by):
            node.update(name=name, type=type_, label=node_label(type_), named_by=sentence_id)
        seen = self.node_docs.get(key)
        if seen is None:
            node["docs"] = list(node["docs"])
            seen = self.node_docs[key] = set(node["docs"])
            self.lengths[key, "docs"] = len(node["docs"])
        append_new(node["docs"], seen, doc_id)

    def reason(self, key: str, reason: str) -> None:
        """Record why the entity's mentions were merged (reasons are few: a sorted list, copied)."""
        node = self.g.nodes[key]
        if reason not in node.setdefault("merges", []):
            node["merges"] = sorted([*node["merges"], reason])

    def fact(self, t: Triple, date: str | None) -> None:
        """Add a triple's sentence to its fact edge; a sentence already there changes nothing."""
        g = self.g
        s, o, k = t.subject.key, t.object.key, edge_key(t.predicate.lemma, t.negated)
        if not g.has_edge(s, o, k):
            g.add_edge(s, o, key=k, predicate=t.predicate.lemma, type=relation_type(t.predicate.lemma),
                       negated=t.negated, evidence=[])
        state = self.edges.get((s, o, k))
        if state is None:
            e = g.edges[s, o, k]
            e["evidence"] = list(e["evidence"])
            self.lengths[s, o, k, "evidence"] = len(e["evidence"])
            state = self.edges[s, o, k] = ({ev["sentence_id"] for ev in e["evidence"]}, Summary(e))
        sentences, summary = state
        if t.sentence_id in sentences:
            return
        sentences.add(t.sentence_id)
        entry = evidence_entry(t.sentence_id, t.doc_id, t.sentence, t.speaker.name if t.speaker else None,
                               t.predicate.text, t.confidence, date)
        summary.props["evidence"].append(entry)
        summary.add(entry)

    def finish(self) -> None:
        """Sort every list that grew: documents by value, a fact's lists as :class:`kg.facts.Summary` keeps them,
        its evidence by sentence order."""
        for key in self.node_docs:
            docs = self.g.nodes[key]["docs"]
            if len(docs) > self.lengths[key, "docs"]:
                docs.sort()
        for (s, o, k), (_, summary) in self.edges.items():
            evidence = summary.props["evidence"]
            if len(evidence) > self.lengths[s, o, k, "evidence"]:
                evidence.sort(key=lambda ev: sentence_order(ev["sentence_id"]))
                summary.sorted_lists()


def sentence_order(sentence_id: str) -> tuple:
    """The order of sentences everywhere kg keeps them (local graph and Neo4j): by document id,
    then position.

    >>> sorted(["d1:10", "d1:2", "a:0"], key=sentence_order)
    ['a:0', 'd1:2', 'd1:10']
    """
    doc, _, idx = sentence_id.rpartition(":")
    return (doc, int(idx)) if idx.isdigit() else (sentence_id, 0)


def sentence_key(sentence_id: str) -> str:
    """:func:`sentence_order` as one string that sorts the same way, character by character (as
    Neo4j orders strings, and an index on them): the id's part before the position, a control
    character (never in an id: :func:`kg.records.clean_field`), then the position with its number
    of digits in front.

    >>> ids = ["d1:10", "d1:2", "d1 x:0", "d1:x", "a:0", "d10:1"]
    >>> sorted(ids, key=sentence_key) == sorted(ids, key=sentence_order)
    True
    """
    doc, position = sentence_order(sentence_id)
    digits = str(position)
    return f"{doc}\x01{len(digits):02d}{digits}"


def graph_to_data(g: nx.MultiDiGraph) -> dict:
    """The graph as a node-link JSON-ready dict (deterministic order)."""
    data = nx.node_link_data(g, edges="edges")
    data["nodes"].sort(key=lambda n: n["id"])
    data["edges"].sort(key=lambda e: (e["source"], e["target"], e["key"]))
    return data


def graph_from_data(data: dict) -> nx.MultiDiGraph:
    """Inverse of :func:`graph_to_data`."""
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")


def write_graph(g: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """Write the graph as node-link JSON, atomically (a crash leaves the old file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # json.dumps, not json.dump: only the one-shot encoder is the C one (several times faster on a big graph)
    text = json.dumps(graph_to_data(g), ensure_ascii=False, sort_keys=True)
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def read_graph(path: str | os.PathLike) -> nx.MultiDiGraph:
    """Read a graph written by :func:`write_graph`; raises ``ValueError`` if it is not one."""
    with open(path, encoding="utf-8") as f, paused_gc():
        try:
            data = json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not a kg graph file ({exc})") from None
        if not isinstance(data, dict) or data.get("graph", {}).get("format") != GRAPH_FORMAT:
            raise ValueError(f"{path}: not a kg graph file")
        return graph_from_data(data)


def read_triples(path: str | os.PathLike) -> "TripleReader":
    """Stream triple records from a JSON Lines file; bad lines are reported and skipped
    (see :class:`TripleReader`).

    >>> sum(1 for _ in read_triples("tests/data/triples_small.jsonl"))
    6
    """
    return TripleReader(path)


class TripleReader:
    """The triples of a JSON Lines file (``-`` is stdin), streamed; iterable again for files.

    A line that is not valid UTF-8, not JSON or breaks the record contract
    (:meth:`kg.records.Triple.from_dict`) never stops the rest: it is logged as one warning
    naming the file, line number and reason (the first :data:`SHOW_REJECTED`; then only
    counted), skipped, and counted in :attr:`rejected` for the caller's summary.  A second pass
    over the same reader (the link step reads a file twice) counts them again without repeating
    the warnings.
    """

    #: How many rejected lines are named one by one before the rest are only counted.
    SHOW_REJECTED = 5

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self.rejected = 0
        self.passes = 0

    def count_lines(self) -> int | None:
        """Number of non-blank lines, for a progress bar (``None`` for stdin)."""
        if self.path == "-":
            return None
        with open(self.path, "rb") as f:
            return sum(1 for line in f if line.strip())

    def __iter__(self) -> Iterator[Triple]:
        self.rejected = 0
        self.passes += 1
        f = sys.stdin.buffer if self.path == "-" else open(self.path, "rb")
        try:
            for n, raw in enumerate(f, 1):
                if raw.strip():
                    triple = self._parse(raw, n)
                    if triple is not None:
                        yield triple
        finally:
            if self.path != "-":
                f.close()

    def _parse(self, raw: bytes, n: int) -> Triple | None:
        try:
            return Triple.from_dict(json.loads(raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON ({exc.msg} at column {exc.colno})"
        except (ValueError, RecursionError) as exc:
            reason = str(exc) or type(exc).__name__
        self.rejected += 1
        if self.passes == 1 and self.rejected <= self.SHOW_REJECTED:
            log.warning("%s:%d: skipped: %s", self.path, n, reason[:200])
        elif self.passes == 1 and self.rejected == self.SHOW_REJECTED + 1:
            log.warning("%s: more malformed lines skipped (counted in the summary)", self.path)
        return None
