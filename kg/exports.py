"""Exports of the graph for the tools analysts already use.

Each format is a pure "generate" step over the kg graph plus a thin writer:

- GraphML and GEXF (Gephi, Cytoscape, yEd): one node per entity, one edge per fact;
  list and evidence attributes are JSON strings, since both formats hold scalars only.
  Every fact keeps ``first_seen`` / ``last_seen``; in GEXF a dated fact is also a dynamic
  edge (``start`` / ``end``, whole days), so Gephi's timeline can play the graph.
- JSON: node-link JSON, the form :func:`kg.graph.read_graph` reads.
- neo4j-csv: header and data files for ``neo4j-admin database import full`` (see
  :mod:`kg.neo4j.bulk_csv`).
- triples: the raw triple records of a build as JSON Lines, the form ``kg extract`` writes
  (not a graph: ``kg export`` copies them from the build with :func:`kg.build.build_triple_lines`).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx

from .facts import fact_span
from .files import atomic_path, write_atomic
from .graph import graph_to_data

FORMATS = ("graphml", "gexf", "json", "neo4j-csv", "triples")


def _scalar(value):
    if value is None:
        return ""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def flat_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the graph whose attributes are all scalars (lists and dicts as JSON text).

    >>> g = nx.MultiDiGraph(); g.add_node("a", aliases=["A"], type="ORG")
    >>> flat_graph(g).nodes["a"]
    {'aliases': '["A"]', 'type': 'ORG'}
    """
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: _scalar(v) for k, v in d.items()})
    for s, o, k, d in g.edges(keys=True, data=True):
        h.add_edge(s, o, key=k, **{a: _scalar(v) for a, v in d.items()})
    return h


def write_graphml(g: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """GraphML file of the graph."""
    path = Path(path)
    with atomic_path(path) as tmp:
        nx.write_graphml(flat_graph(g), tmp, encoding="utf-8", named_key_ids=True)
    return path


def write_gexf(g: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """GEXF file of the graph (Gephi); edges are labelled with their predicate, dated facts are dynamic."""
    path = Path(path)
    h = flat_graph(g)
    for n, d in h.nodes(data=True):
        d["label"] = d.get("name", n)
    for s, o, k, d in g.edges(keys=True, data=True):
        span = fact_span(d)
        if span:
            h.edges[s, o, k].update(start=span[0], end=span[1])
    with atomic_path(path) as tmp:
        nx.write_gexf(h, tmp, encoding="utf-8")
    return path


def write_json(g: nx.MultiDiGraph, path: str | os.PathLike) -> Path:
    """Node-link JSON of the graph (deterministic order)."""
    return write_atomic(path, json.dumps(graph_to_data(g), ensure_ascii=False, sort_keys=True, indent=1))
