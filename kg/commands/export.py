"""Export the graph as GraphML, GEXF, node-link JSON, or CSV files for neo4j-admin import."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError, writing
from ..exports import FORMATS


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg export``."""
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="output file (a directory for neo4j-csv)")
    p.add_argument("--graph", default="kg-out/graph.json", help="local graph file (default kg-out/graph.json)")
    p.add_argument("--triples", help="for neo4j-csv: the triple records (default: triples.jsonl beside --graph)")


def run(args) -> int:
    """``kg export``: read the local graph, write one format."""
    from .. import exports
    from ..graph import read_graph

    graph_path = Path(args.graph)
    if args.format == "neo4j-csv":
        from ..neo4j.bulk_csv import write_import_files

        triples = Path(args.triples) if args.triples else graph_path.parent / "triples.jsonl"
        if not triples.exists():
            raise UserError(f"no triple records at {triples} (run kg build first, or pass --triples)")
        with writing(args.output):
            report = write_import_files(triples, args.output)
        print(f"kg export: {report}", file=sys.stderr)
        return 0
    if not graph_path.exists():
        raise UserError(f"no local graph at {graph_path} (run kg build first, or pass --graph)")
    try:
        g = read_graph(graph_path)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    writer = {"graphml": exports.write_graphml, "gexf": exports.write_gexf, "json": exports.write_json}[args.format]
    with writing(args.output):
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        path = writer(g, args.output)
    print(f"kg export: {args.format}: {g.number_of_nodes()} entities, {g.number_of_edges()} facts -> {path}",
          file=sys.stderr)
    return 0
