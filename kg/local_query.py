"""Cypher over the local graph, for when no Neo4j server is configured.

The local graph (of the build in ``kg-out``, or a graph JSON file) is queried with
grand-cypher, which implements a subset of Cypher over networkx.  Nodes carry the labels
``Entity`` plus their type label (``Person``, ``Organization``, ``Place`` …)
and the properties ``key``, ``name``, ``type``, ``aliases``; relationships
carry their type (``SUPPORT``, ``INVEST_IN`` …) and ``predicate``, ``count``,
``confidence``, ``negated``, ``evidence`` (sentence ids), ``speakers``,
``docs``, ``first_seen``, ``last_seen`` — the same names as in Neo4j, so the
same read queries answer the same way on both.

Supported: ``MATCH`` with labels and relationship types, ``WHERE`` comparisons,
``RETURN`` of properties, ``COUNT``, ``ORDER BY``, ``SKIP``/``LIMIT``.  A query
that writes, or that the engine cannot parse, raises :class:`NeedsNeo4j`.
"""
from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

from .errors import UserError
from .facts import FACT_SUMMARY

#: Clauses the local engine does not offer (they need a Neo4j server).
_NEO4J_ONLY = re.compile(r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|CALL|UNWIND|FOREACH|LOAD\s+CSV|WITH|UNION|"
                         r"OPTIONAL\s+MATCH|EXISTS|shortestPath|allShortestPaths)\b", re.I)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_AGGREGATES = re.compile(r"\b(count|sum|avg|min|max)\s*\(", re.I)


class NeedsNeo4j(UserError):
    """The query is beyond the local engine: it needs a Neo4j server."""


def cypher_view(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The kg graph with Neo4j-style labels and properties, as grand-cypher reads it."""
    h = nx.MultiDiGraph()
    for key, d in g.nodes(data=True):
        h.add_node(key, key=key, name=d.get("name"), type=d.get("type"), named_by=d.get("named_by"),
                   aliases=list(d.get("aliases", [])),
                   docs=list(d.get("docs", [])), __labels__={"Entity", d.get("label", "Concept")})
    for s, o, k, d in g.edges(keys=True, data=True):
        summary = {p.name: (list(d.get(p.name) or []) if p.rule == "set" else d.get(p.name)) for p in FACT_SUMMARY}
        h.add_edge(s, o, key=k, predicate=d.get("predicate"), type=d.get("type"), negated=d.get("negated"),
                   evidence=[e["sentence_id"] for e in d.get("evidence", [])], **summary,
                   __labels__={d.get("type", "RELATED_TO")})
    return h


def _outside_strings(query: str, fn) -> str:
    """Apply ``fn`` to the parts of a query that are not string literals."""
    out, pos = [], 0
    for m in _STRINGS.finditer(query):
        out.append(fn(query[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(query[pos:]))
    return "".join(out)


def prepare(query: str, params: dict[str, Any] | None = None) -> str:
    """Check a query for the local engine and inline its parameters as literals."""
    params = params or {}
    code = _outside_strings(query, lambda part: part)
    bare = _STRINGS.sub("''", code)
    m = _NEO4J_ONLY.search(bare)
    if m:
        raise NeedsNeo4j(f"'{m.group(0)}' needs a Neo4j server (set NEO4J_URI or pass --neo4j); "
                         "the local graph answers MATCH … WHERE … RETURN … ORDER BY … LIMIT")

    def substitute(part: str) -> str:
        part = _AGGREGATES.sub(lambda a: a.group(1).upper() + "(", part)

        def value(p):
            name = p.group(1)
            if name not in params:
                raise UserError(f"query parameter ${name} has no value (pass --param {name}=VALUE)")
            v = params[name]
            return json.dumps(v, ensure_ascii=False) if isinstance(v, (str, int, float, bool)) or v is None \
                else json.dumps(v, ensure_ascii=False)
        return _PARAM.sub(value, part)

    query = _outside_strings(query, substitute)
    # grand-cypher reads double-quoted strings only
    return _STRINGS.sub(lambda s: s.group(0) if s.group(0)[0] == '"' else json.dumps(_unquote(s.group(0))), query)


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def run_local_query(g: nx.MultiDiGraph, query: str, params: dict | None = None) -> tuple[list[str], list[list]]:
    """Columns and rows of a read query over the local graph.

    >>> from kg.graph import build_graph, read_triples
    >>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
    >>> run_local_query(g, "MATCH (p:Person)-[r:SPOKESWOMAN_OF]->(o) RETURN p.name, o.name")
    (['p.name', 'o.name'], [['Hsieh Pei-fen', 'Democratic Progressive Party']])
    """
    from grandcypher import GrandCypher

    prepared = prepare(query, params)
    try:
        result = GrandCypher(cypher_view(g)).run(prepared)
    except Exception as exc:  # the engine's parse errors are many types; all mean "beyond it"
        raise NeedsNeo4j(f"the local graph engine cannot answer this query ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:160] if str(exc) else 'no detail'}); run it against Neo4j "
                         "(set NEO4J_URI or pass --neo4j)") from None
    columns = [str(c) for c in result]
    n = max((len(v) for v in result.values()), default=0)
    rows = [[_plain(result[c][i]) if i < len(result[c]) else None for c in result] for i in range(n)]
    return columns, rows


def _plain(value):
    """Edge values of a multigraph come back as {edge key: value}; one value is shown bare."""
    if isinstance(value, dict) and len(value) == 1 and not {"name", "key"} & set(value):
        return next(iter(value.values()))
    if isinstance(value, set):
        return sorted(value)
    return value
