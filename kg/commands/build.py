"""Extract, resolve, build the graph, store it and draw views, in one go (state kept in --out)."""
from __future__ import annotations

import argparse
import os
import sys

from ..build import build, build_size, load_into_neo4j
from ..errors import writing
from ..extractor import ExtractOptions
from ..records import Rejection
from ._common import progress, report_rejection
from .extract import add_extraction_options, options_from
from .neo4j_options import add_connection_options, config_from_args


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg build``."""
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt/.jsonl/.csv files, directories, or - for stdin")
    p.add_argument("--out", default="kg-out", help="output directory (default kg-out); re-runs reuse it")
    p.add_argument("--no-neo4j", action="store_true", help="never load Neo4j, even when NEO4J_URI is set")
    p.add_argument("--no-views", action="store_true", help="skip the HTML view")
    p.add_argument("--view-max-nodes", type=int, default=300, help="entities in the overview page (default 300)")
    add_extraction_options(p)
    add_connection_options(p)


def run(args) -> int:
    """``kg build``: the whole pipeline with progress per stage and a closing summary."""
    config = None
    if not args.no_neo4j and (args.neo4j or os.environ.get("NEO4J_URI")):
        config = config_from_args(args)
    return run_build(args.inputs, out=args.out, model=args.model, workers=args.workers, fmt=args.fmt,
                     options=options_from(args), quiet=args.quiet, engine=args.engine, scheduler=args.scheduler,
                     neo4j=config, views=not args.no_views, view_max_nodes=args.view_max_nodes, wait=args.wait)


def run_build(inputs, *, out, model: str, workers: int, fmt: str, options: ExtractOptions, quiet: bool,
              engine: str = "local", scheduler=None, neo4j=None, views=True, view_max_nodes=300,
              view_by="pagerank", label="build", wait: bool = False) -> int:
    """Build with progress bars and the closing summary; shared by ``kg build`` and ``kg run``."""
    with progress(f"{label}: extract", quiet=quiet) as bar:
        def on_item(item):
            bar.update(1)
            if isinstance(item, Rejection):
                report_rejection(label, item)

        with writing(out):
            report = build(inputs, out=out, model=model, workers=workers, fmt=fmt, options=options,
                           views=views, view_max_nodes=view_max_nodes, view_by=view_by, on_item=on_item,
                           engine=engine, scheduler=scheduler, wait=wait)
    ex = report.extraction
    loaded, load_ok = "", True
    if neo4j is not None:
        with progress(f"{label}: neo4j", quiet=quiet, total=build_size(report.out), unit="triple") as bar:
            load = load_into_neo4j(neo4j, report.out, progress=bar.update)
        load_ok = load.ok
        for failed in load.failed:
            print(f"kg {label}: neo4j: {failed.describe()}", file=sys.stderr)
        loaded = (f"; Neo4j {neo4j.uri}: {load.written} of {load.triples} triples written"
                  + (f", {len(load.failed)} batches failed" if load.failed else "")
                  + (f", {load.skipped} not attempted (server gone; run again to finish)" if load.skipped else ""))
    for name, path in report.outputs.items():
        print(f"kg {label}: {name}: {path}", file=sys.stderr)
    print(f"kg {label}: {report.summary()}{loaded}; model {ex.model or model}", file=sys.stderr)
    nothing = ex.read > 0 and ex.processed == 0 and report.skipped == 0
    return 1 if nothing or not load_ok else 0
