"""Extract, resolve, build the graph, store it and draw views, in one go (state kept in --out)."""
from __future__ import annotations

import argparse
import os
import sys

from ..build import build, resolved_triples
from ..records import Rejection
from ._common import progress, report_rejection
from .extract import add_extraction_options, options_from


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg build``."""
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt/.jsonl/.csv files, directories, or - for stdin")
    p.add_argument("--out", default="kg-out", help="output directory (default kg-out); re-runs reuse it")
    p.add_argument("--neo4j", metavar="URI", help="also load Neo4j (default: NEO4J_URI when set)")
    p.add_argument("--no-neo4j", action="store_true", help="never load Neo4j, even when NEO4J_URI is set")
    p.add_argument("--no-views", action="store_true", help="skip the HTML view")
    p.add_argument("--view-max-nodes", type=int, default=300, help="entities in the overview page (default 300)")
    add_extraction_options(p)


def run(args) -> int:
    """``kg build``: the whole pipeline with progress per stage and a closing summary."""
    return run_build(args.inputs, args, out=args.out, neo4j_uri=_neo4j_uri(args), views=not args.no_views,
                     view_max_nodes=args.view_max_nodes)


def _neo4j_uri(args):
    if getattr(args, "no_neo4j", False):
        return None
    return args.neo4j or os.environ.get("NEO4J_URI") or None


def run_build(inputs, args, *, out, neo4j_uri, views=True, view_max_nodes=300, view_by="pagerank",
              label="build") -> int:
    """Shared by ``kg build`` and ``kg run``."""
    options = options_from(args)
    with progress(f"{label}: extract", quiet=args.quiet) as bar:
        def on_item(item):
            bar.update(1)
            if isinstance(item, Rejection):
                report_rejection(label, item)

        report = build(inputs, out=out, model=args.model, workers=args.workers, fmt=args.fmt, options=options,
                       views=views, view_max_nodes=view_max_nodes, view_by=view_by, on_item=on_item,
                       engine=getattr(args, "engine", "local"), scheduler=getattr(args, "scheduler", None))
    loaded = ""
    if neo4j_uri:
        loaded = "; " + load_into_neo4j(neo4j_uri, report, quiet=args.quiet, label=label)
    ex = report.extraction
    for name, path in report.outputs.items():
        print(f"kg {label}: {name}: {path}", file=sys.stderr)
    print(f"kg {label}: {report.summary()}{loaded}; model {ex.model or args.model}", file=sys.stderr)
    nothing = ex.read > 0 and ex.processed == 0 and report.skipped == 0
    return 1 if nothing else 0


def load_into_neo4j(uri: str, report, *, quiet: bool, label: str) -> str:
    """Load the build's resolved triples into Neo4j; returns a summary fragment."""
    from .. import neo4j_store as store
    from ..build import Workspace

    ws = Workspace(report.out)
    driver = store.connect(store.config_from_env(uri=uri))
    try:
        store.ensure_schema(driver)
        with progress(f"{label}: neo4j", quiet=quiet, total=report.triples, unit="triple") as bar:
            result = store.load_triples(driver, resolved_triples(ws), progress=bar.update)
    finally:
        driver.close()
    return f"Neo4j {uri}: {result.summary() if hasattr(result, 'summary') else result}"
