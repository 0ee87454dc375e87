"""Remove documents, and every fact, mention and entity only they supported, from a build (--out)."""
from __future__ import annotations

import argparse
import sys

from ..build import forget
from ..errors import writing
from ..sources import one_line


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg forget``."""
    p.add_argument("doc_ids", nargs="+", metavar="DOC_ID", help="ids of the documents to remove")
    p.add_argument("--out", default="kg-out", help="the build directory (default kg-out)")
    p.add_argument("--wait", action="store_true",
                   help="when a build of the directory is running, wait for it (default: stop at once)")


def run(args) -> int:
    """``kg forget``: one line per outcome; exit 1 when none of the ids was in the build."""
    with writing(args.out):
        report = forget(args.doc_ids, out=args.out, wait=args.wait)
    if report.unknown:
        names = ", ".join(one_line(d) for d in report.unknown)
        note = "" if report.forgotten else "; nothing forgotten"
        print(f"kg forget: not in {args.out}: {names}{note}", file=sys.stderr)
    if not report.forgotten:
        return 1
    b = report.build
    print(f"kg forget: {len(report.forgotten)} documents forgotten; graph of {b.documents} documents: "
          f"{b.entities} entities, {b.facts} facts; outputs in {args.out}", file=sys.stderr)
    return 0
