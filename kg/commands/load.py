"""Load triple records (JSON Lines from ``kg extract``) into Neo4j, idempotently.

Loading the same records again changes nothing (each document's digest is recorded: an unchanged
document is skipped); records of new documents merge with what is there (same entity key, same
node; new evidence sentences are added and counts grow); a document loaded before with other
triples (an edited article) replaces its old facts (:mod:`kg.neo4j.change`).
"""
from __future__ import annotations

import argparse
import dataclasses
import logging
import sys

from ..errors import UserError
from .neo4j_options import add_connection_options, config_from_args

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``kg load``."""
    from ..neo4j.config import DEFAULT_BATCH_SIZE

    parser.add_argument("triples", nargs="?", metavar="TRIPLES.jsonl",
                        help="triple records, one JSON object a line ('-' for stdin)")
    parser.add_argument("--link", action="store_true",
                        help="resolve entities across documents first, as kg build --neo4j does (a file only: "
                             "stdin is loaded as it comes)")
    parser.add_argument("--after-import", action="store_true",
                        help="first finish a bulk import (kg export --format neo4j-csv): constraints, empty lists")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help=f"triples per write batch (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--retry-seconds", type=float, default=None, metavar="S",
                        help="how long to keep retrying a batch while the server is unreachable before "
                             "giving up on the rest of the input (default 30; the driver's last wait "
                             "may add up to as much again)")
    add_connection_options(parser)


def run(args: argparse.Namespace) -> int:
    """Read, load, report one line; exit 1 when nothing could be loaded or a batch failed.

    The progress bar (stderr) shows only on a terminal, and never with ``kg -q``.
    """
    from ..graph import read_triples
    from ..neo4j import store as neo4j_store
    from tqdm import tqdm

    if args.batch_size < 1:
        raise UserError("--batch-size must be at least 1", exit_code=2)
    if args.retry_seconds is not None and args.retry_seconds < 0:
        raise UserError("--retry-seconds must be 0 or more", exit_code=2)
    config = config_from_args(args)
    if args.retry_seconds is not None:
        config = dataclasses.replace(config, retry_seconds=args.retry_seconds)
    if args.after_import:
        with neo4j_store.connect(config) as conn:
            neo4j_store.finish_import(conn)
            where = conn.config.where
        print(f"kg load: bulk import finished at {where} (constraints created, empty lists filled)", file=sys.stderr)
        if not args.triples:
            return 0
    if not args.triples:
        raise UserError("give TRIPLES.jsonl (or '-' for stdin), or --after-import", exit_code=2)
    if args.link and args.triples == "-":
        raise UserError("--link reads the file twice: give TRIPLES.jsonl, not stdin", exit_code=2)
    reader = read_triples(args.triples)
    try:
        total = reader.count_lines()
    except OSError as exc:
        raise UserError(f"cannot read {args.triples}: {exc.strerror or exc}") from None
    triples = reader
    if args.link:
        from ..link import resolved

        triples = resolved(reader)
    with neo4j_store.connect(config) as conn:
        with tqdm(total=total, unit="triple", file=sys.stderr, disable=True if args.quiet else None, leave=False) as bar:
            report = neo4j_store.load_triples(conn, triples, batch_size=args.batch_size, progress=bar.update)
    for failed in report.failed:
        print(f"kg load: {failed.describe()}", file=sys.stderr)
    print(f"kg load: {summary(report, reader.rejected, conn.config.where)}", file=sys.stderr)
    if report.failed or report.skipped:
        print("kg load: loading is idempotent: run the same command again to finish", file=sys.stderr)
        return 1
    return 1 if reader.rejected and not report.triples else 0


def summary(report, rejected: int, where: str) -> str:
    """The closing line of ``kg load``."""
    text = (f"{report.written} of {report.triples} triples loaded into {where} in {report.batches} batch(es): "
            f"{report.nodes_created} nodes and {report.relationships_created} relationships created, "
            f"{report.properties_set} properties set ({report.seconds:.1f} s)")
    if report.unchanged or report.replaced:
        text += f"; {report.unchanged} documents unchanged (skipped), {report.replaced} replaced"
    if rejected:
        text += f"; {rejected} malformed line(s) skipped"
    if report.skipped:
        text += f"; {report.skipped} triples not attempted"
    return text
