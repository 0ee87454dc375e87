"""Remove documents, and every fact, mention and entity only they supported: from a build (--out),
from Neo4j (--neo4j), or both."""
from __future__ import annotations

import argparse
import sys

from ..build import forget
from ..errors import writing
from ..sources import one_line
from .neo4j_options import add_connection_options, config_from_args

DEFAULT_OUT = "kg-out"


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg forget``."""
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="ids of the documents to remove")
    p.add_argument("--out", default=None,
                   help=f"the build directory (default {DEFAULT_OUT}; with --neo4j, only when given: then both, "
                        "and Neo4j is brought level with the build)")
    p.add_argument("--wait", action="store_true",
                   help="when a build of the directory is running, wait for it (default: stop at once)")
    add_connection_options(p, uri_optional=True)


def run(args) -> int:
    """``kg forget``: one line per outcome; exit 1 when none of the ids was anywhere it looked."""
    in_neo4j = args.neo4j is not None
    forgotten, ok = False, True
    if args.out is not None or not in_neo4j:
        forgotten |= _forget_local(args, args.out or DEFAULT_OUT)
    if in_neo4j:
        found, ok = _forget_neo4j(args, out=args.out)
        forgotten |= found
    return 0 if forgotten and ok else 1


def _forget_local(args, out: str) -> bool:
    with writing(out):
        report = forget(args.doc_ids, out=out, wait=args.wait)
    if report.unknown:
        names = ", ".join(one_line(d) for d in report.unknown)
        note = "" if report.forgotten else "; nothing forgotten"
        print(f"kg forget: not in {out}: {names}{note}", file=sys.stderr)
    if report.forgotten:
        b = report.build
        print(f"kg forget: {len(report.forgotten)} documents forgotten; graph of {b.documents} documents: "
              f"{b.entities} entities, {b.facts} facts; outputs in {out}", file=sys.stderr)
    return bool(report.forgotten)


def _forget_neo4j(args, *, out: str | None) -> tuple[bool, bool]:
    """Forget in Neo4j; with ``out``, then load the build's resolved triples, which replaces the
    documents whose triples the cross-document link step resolves differently now.
    Returns (whether any id was there, whether that load succeeded)."""
    from ..build import load_into_neo4j
    from ..neo4j import store
    from ..neo4j.change import forget_documents

    config = config_from_args(args)
    with store.connect(config) as conn:
        report = forget_documents(conn, args.doc_ids)
        where = conn.config.where
    if report.unknown:
        names = ", ".join(one_line(d) for d in report.unknown)
        note = "" if report.forgotten else "; nothing forgotten"
        print(f"kg forget: not in Neo4j {where}: {names}{note}", file=sys.stderr)
    if report.forgotten:
        print(f"kg forget: {len(report.forgotten)} documents forgotten in Neo4j {where}: "
              f"{report.facts_deleted} facts and {report.entities_deleted} entities removed, "
              f"{report.facts_updated} facts and {report.entities_updated} entities updated", file=sys.stderr)
    if out is not None:
        load = load_into_neo4j(config, out)
        print(f"kg forget: Neo4j level with {out}: {load.replaced} documents replaced, {load.unchanged} unchanged"
              + (f", {len(load.failed)} batches failed" if load.failed else ""), file=sys.stderr)
        return bool(report.forgotten), load.ok
    return bool(report.forgotten), True
