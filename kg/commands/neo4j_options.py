"""Connection options shared by the commands that talk to Neo4j (not a command itself)."""
from __future__ import annotations

import argparse


def add_connection_options(parser: argparse.ArgumentParser, *, uri_optional: bool = False) -> None:
    """``--neo4j URI``, ``--user``, ``--password``, ``--database`` (defaults: ``NEO4J_*`` variables).

    With ``uri_optional``, ``--neo4j`` alone (``args.neo4j == ""``) means the URI from ``NEO4J_URI``
    or the default: for commands where the flag chooses Neo4j as well as where it is.
    """
    group = parser.add_argument_group("Neo4j connection (defaults from NEO4J_URI, NEO4J_USERNAME, "
                                      "NEO4J_PASSWORD, NEO4J_DATABASE)")
    if uri_optional:
        group.add_argument("--neo4j", metavar="URI", nargs="?", const="",
                           help="in Neo4j: the server URI, e.g. bolt://localhost:7687 (alone: NEO4J_URI or "
                                "bolt://localhost:7687)")
    else:
        group.add_argument("--neo4j", metavar="URI", help="server URI, e.g. bolt://localhost:7687")
    group.add_argument("--user", metavar="NAME", help="user name (default neo4j)")
    group.add_argument("--password", metavar="SECRET",
                       help="password (prefer NEO4J_PASSWORD: a flag shows in the process list)")
    group.add_argument("--database", metavar="NAME", help="database (default: the server's default)")


def config_from_args(args: argparse.Namespace):
    """The :class:`kg.neo4j.store.Neo4jConfig` for parsed options (flags over environment)."""
    from ..neo4j.config import config_from_env

    return config_from_env(args.neo4j, args.user, args.password, args.database)
