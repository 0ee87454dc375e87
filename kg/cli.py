"""The ``kg`` command line: parse options, call the library, print a one-line summary.

Each subcommand lives in ``kg/commands/<name>.py`` with two functions:
``configure(parser)`` adds its options and ``run(args) -> int`` does the work.
Exit codes: 0 success, 1 nothing could be done, 2 usage error.  A user's
mistake (a missing file, an unreachable server) is one line on stderr, never a
traceback: commands raise :class:`kg.errors.UserError` for those.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from . import __version__
from .errors import UserError, io_error_message

#: subcommand -> one-line help; the module is ``kg.commands.<name>``.
COMMANDS = {
    "extract": "extract triples from documents to JSON Lines",
    "build": "extract, resolve, build the graph, store it and draw views",
    "forget": "remove documents and what only they supported from a build",
    "run": "run a pipeline file (pipelines/NAME.toml)",
    "load": "load triple records into Neo4j",
    "query": "answer a Cypher query (Neo4j when configured, else the local graph)",
    "view": "write an interactive HTML view of the graph",
    "export": "export the graph (graphml, gexf, json, neo4j-csv)",
    "brief": "write a Markdown brief of each community of the graph",
    "eval": "score extraction against a gold set",
}


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    """The argument parser with every available subcommand, and the modules behind them."""
    parser = argparse.ArgumentParser(prog="kg", description="Evidence-linked knowledge graphs from news text.")
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = {}
    for name, help_ in COMMANDS.items():
        try:
            module = importlib.import_module(f"kg.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"kg.commands.{name}":
                raise
            continue
        p = sub.add_parser(name, help=help_, description=(module.__doc__ or help_).strip().splitlines()[0])
        module.configure(p)
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kg`` console script."""
    parser, modules = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(modules[args.command].run(args) or 0)
    except UserError as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # the commands name their outputs (kg.errors.writing); this is the last net
        print(f"kg {args.command}: error: {io_error_message(exc, verb='read or write')}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
