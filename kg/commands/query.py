"""Answer a Cypher query, or a saved analyst query, as a table or JSON.

Examples::

    kg query "MATCH (e:Entity) RETURN e.name AS name, e.type AS type LIMIT 5"
    kg query "MATCH (e:Entity {name: $name})-[r]->(o) RETURN r.predicate, o.name" --param name=Taiwan
    kg query --saved who-supports Taiwan --json
    kg query --list
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from ..errors import UsageError, UserError
from ._common import DEFAULT_BUILD, GRAPH_HELP, command_line_params, read_local_graph
from .neo4j_options import add_connection_options, config_from_args


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``kg query``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "saved queries (kg query --saved NAME ARG...):\n" + _saved_listing()
    parser.add_argument("text", nargs="*", metavar="CYPHER | ARG",
                        help="the Cypher query, or the saved query's arguments with --saved")
    parser.add_argument("--saved", metavar="NAME", help="run a saved query (see the list below)")
    parser.add_argument("--list", action="store_true", help="list the saved queries with their Cypher")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a query parameter ($NAME); VALUE is JSON if it parses (10, true, [1,2]), else text")
    parser.add_argument("--json", action="store_true", help="print rows as a JSON array of objects")
    parser.add_argument("--write", action="store_true", help="allow a query that changes the database")
    parser.add_argument("--graph", default=DEFAULT_BUILD, metavar="DIR | FILE",
                        help=GRAPH_HELP + ", read when no Neo4j server is configured")
    parser.add_argument("--max-width", type=int, default=60, metavar="N",
                        help="cut table cells at N characters (0: never; default 60)")
    add_connection_options(parser)


def run(args: argparse.Namespace) -> int:
    """Resolve the query, pick the backend, print the result and a one-line summary."""
    from ..queries import saved_queries

    if args.list:
        for q in saved_queries().values():
            print(f"{q.usage()}\n    {q.description}\n" + "\n".join("    " + line for line in q.cypher.splitlines()) + "\n")
        return 0
    cypher, params = resolve_query(args)
    started = time.perf_counter()
    columns, rows = run_on_backend(choose_backend(args), args, cypher, params)
    if args.json:
        json.dump([dict(zip(columns, row)) for row in rows], sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_table(columns, rows, max_width=args.max_width))
    print(f"kg query: {len(rows)} row(s) in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def resolve_query(args: argparse.Namespace) -> tuple[str, dict]:
    """The Cypher text and its parameters, from a saved query or the command line."""
    from ..queries import saved_queries

    params = {}
    if args.saved:
        saved = saved_queries().get(args.saved)
        if saved is None:
            raise UsageError(f"no saved query {args.saved!r}; saved queries: {', '.join(saved_queries())}")
        try:
            params = saved.bind(args.text)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        cypher = saved.cypher
    elif len(args.text) == 1 and args.text[0].strip():
        cypher = args.text[0]
    else:
        raise UsageError('give one Cypher query (quoted), e.g. kg query "MATCH (e:Entity) RETURN e.name LIMIT 5", '
                         "or --saved NAME ARG..., or --list")
    return cypher, {**params, **command_line_params(args.param)}


def choose_backend(args: argparse.Namespace) -> str:
    """``"neo4j"`` when a server is configured (``--neo4j`` or ``NEO4J_URI``), else ``"local"``."""
    return "neo4j" if args.neo4j or os.environ.get("NEO4J_URI") else "local"


def run_on_backend(backend: str, args: argparse.Namespace, cypher: str, params: dict) -> tuple[list, list]:
    """Run the query where :func:`choose_backend` said: ``(columns, rows)``."""
    if backend == "neo4j":
        from ..neo4j import store as neo4j_store

        with neo4j_store.connect(config_from_args(args)) as conn:
            return neo4j_store.run_query(conn, cypher, params, write=args.write)
    return run_local(args, cypher, params)


def run_local(args: argparse.Namespace, cypher: str, params: dict) -> tuple[list, list]:
    """The local-graph backend: the graph of the build (or the graph file) ``--graph`` names
    (see :mod:`kg.local_query`)."""
    from ..local_query import run_local_query

    if args.write:
        raise UserError("--write needs a Neo4j server: the local graph is rebuilt by kg build, not edited")
    try:
        g = read_local_graph(args.graph)
    except UserError as exc:
        raise UserError(f"no Neo4j server configured (NEO4J_URI / --neo4j), and {exc}") from None
    return run_local_query(g, cypher, params)


def format_table(columns: list[str], rows: list[list], *, max_width: int = 60) -> str:
    """Rows as an aligned text table with a header line.

    >>> print(format_table(["name", "n"], [["Taiwan", 3], ["LDP", None]]), end="")
    name   | n
    -------+--
    Taiwan | 3
    LDP    |
    """
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines) + "\n"


def _cell(value, max_width: int) -> str:
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    if max_width and len(text) > max_width:
        text = text[: max_width - 1] + "…"
    return text


def _saved_listing() -> str:
    from ..queries import saved_queries

    try:
        return "\n".join(f"  {q.usage():32} {q.description}" for q in saved_queries().values())
    except (OSError, ValueError) as exc:  # the help must not fail on a broken install
        return f"  (unavailable: {exc})"
