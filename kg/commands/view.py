"""Write an interactive, offline HTML view of the graph (whole, an entity's neighbourhood, a document or a Cypher result).

The graph comes from TRIPLES.jsonl when given, else from Neo4j with --neo4j or
--cypher, else from the build directory (or the graph JSON file) ``--graph`` names,
by default the build in ``kg-out``.  The whole graph is
drawn as an overview (named entities first, concept leaves folded into tooltips, a
brief per community); ``--since`` / ``--until`` keep the facts dated in that range.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ..errors import UsageError, UserError, writing
from ._common import DEFAULT_BUILD, GRAPH_HELP, command_line_params, read_local_graph
from .neo4j_options import add_connection_options, config_from_args

log = logging.getLogger(__name__)

DEFAULT_OUTPUT = str(Path(DEFAULT_BUILD) / "view.html")
#: What ``--neo4j`` without ``--cypher`` draws: every fact between entities.
ALL_FACTS = "MATCH (a:Entity)-[r]->(b:Entity) RETURN a, r, b"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``kg view``."""
    from ..views import DEFAULT_MAX_NODES

    parser.add_argument("triples", nargs="?", metavar="TRIPLES.jsonl", help="triple records (kg extract output)")
    parser.add_argument("--graph", metavar="DIR | FILE", default=None, help=GRAPH_HELP)
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--entity", metavar="NAME", help="an entity's neighbourhood (key, name or alias)")
    what.add_argument("--cypher", metavar="QUERY", help="draw what a Cypher query returns (Neo4j)")
    what.add_argument("--doc", metavar="ID", help="one document's entities and facts")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a --cypher parameter ($NAME); VALUE is JSON if it parses (10, true, [1,2]), else text")
    parser.add_argument("--depth", type=int, default=None, metavar="N", help="neighbourhood depth (default 1)")
    parser.add_argument("--max-nodes", type=int, default=DEFAULT_MAX_NODES, metavar="N",
                        help=f"keep the N most important entities (default {DEFAULT_MAX_NODES:,}; 0 = all)")
    parser.add_argument("--by", choices=("pagerank", "degree"), default="pagerank", help="importance measure")
    parser.add_argument("--no-physics", action="store_true", help="draw at once from the layout, never simulate")
    parser.add_argument("--no-fold", action="store_true",
                        help="draw concept leaves as entities instead of folding them into their entity's tooltip")
    parser.add_argument("--since", metavar="DATE", help="only facts dated on or after DATE (2021, 2021-08 or 2021-08-28)")
    parser.add_argument("--until", metavar="DATE", help="only facts dated on or before DATE (2021, 2021-08 or 2021-08-28)")
    parser.add_argument("--title", help="page title")
    parser.add_argument("-o", "--output", metavar="FILE.html", default=DEFAULT_OUTPUT,
                        help=f"where to write the page (default {DEFAULT_OUTPUT})")
    add_connection_options(parser)


def run(args: argparse.Namespace) -> int:
    """Load the graph, pick the part to draw, build and write the page."""
    from .. import analytics
    from ..views import build_view, write_view

    _check(args)
    g, source, skipped = _load(args)
    title = args.title or "Knowledge graph"
    overview = not (args.entity or args.doc or args.cypher or args.no_fold)
    try:
        if args.entity:
            depth = 1 if args.depth is None else args.depth
            g = analytics.neighbourhood(g, args.entity, depth=depth)
            title = args.title or f"{args.entity}: neighbourhood, depth {depth}"
        elif args.doc:
            g = analytics.document_subgraph(g, args.doc)
            doc_title = (g.graph.get("documents", {}).get(args.doc) or {}).get("title")
            title = args.title or (f"Document {args.doc}: {doc_title}" if doc_title else f"Document {args.doc}")
    except analytics.NotFound as exc:
        raise UserError(str(exc)) from None
    if g.number_of_nodes() == 0:
        raise UserError(f"nothing to draw: {source} holds no entities")
    if args.since or args.until:
        g = analytics.between(g, args.since, args.until)
        span = " – ".join(filter(None, (args.since, args.until))) if args.since and args.until else (
            f"since {args.since}" if args.since else f"until {args.until}")
        title = args.title or f"{title}, {span}"
        if g.number_of_edges() == 0:
            raise UserError(f"nothing to draw: no fact of {source} is dated {span}")
    view = build_view(g, title=title, max_nodes=args.max_nodes or None, by=args.by,
                      physics=False if args.no_physics else None, fold=overview)
    with writing(args.output):
        path = write_view(view, args.output)
    tail = f"; {skipped} malformed line(s) skipped" if skipped else ""
    print(f"kg view: {view.summary()} -> {path}{tail}", file=sys.stderr)
    return 0


def _check(args: argparse.Namespace) -> None:
    if args.depth is not None and not args.entity:
        raise UsageError("--depth goes with --entity")
    if args.depth is not None and args.depth < 0:
        raise UsageError("--depth must be 0 or more")
    if args.max_nodes < 0:
        raise UsageError("--max-nodes must be 0 (all) or more")
    if args.param and not args.cypher:
        raise UsageError("--param goes with --cypher")
    if args.triples and (args.graph or args.neo4j or args.cypher):
        raise UsageError("give TRIPLES.jsonl or --graph or Neo4j (--neo4j / --cypher), not several")
    if args.graph and (args.neo4j or args.cypher):
        raise UsageError("give --graph or Neo4j (--neo4j / --cypher), not both")
    check_dates(args)


def check_dates(args: argparse.Namespace) -> None:
    """``--since`` / ``--until`` must be written as kg writes dates: 2021, 2021-08 or 2021-08-28."""
    from ..dates import day_bounds

    for name in ("since", "until"):
        value = getattr(args, name)
        if value is not None and day_bounds(value) is None:
            raise UsageError(f"--{name} wants a date written 2021, 2021-08 or 2021-08-28, not {value!r}")


def _load(args: argparse.Namespace):
    """The graph to draw, a short name of where it came from, and how many lines were skipped."""
    from ..graph import build_graph, read_triples

    if args.triples:
        reader = read_triples(args.triples)
        try:
            return build_graph(reader), args.triples, reader.rejected
        except FileNotFoundError:
            raise UserError(f"{args.triples}: no such file") from None
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if args.neo4j or args.cypher:
        return _from_neo4j(args, args.cypher or ALL_FACTS, command_line_params(args.param)), "the Neo4j query", 0
    path = args.graph or DEFAULT_BUILD
    return read_local_graph(path), path, 0


def _from_neo4j(args: argparse.Namespace, cypher: str, params: dict):
    """The graph a Cypher query returns, in the kg graph schema (see kg.neo4j.store)."""
    from ..neo4j import store as neo4j_store

    with neo4j_store.connect(config_from_args(args)) as conn:
        return neo4j_store.graph_from_neo4j(conn, cypher, params)
