"""Export a build (or a graph file) as GraphML, GEXF, node-link JSON, CSV files for neo4j-admin import,
or the build's triple records as JSON Lines."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError, UserError, writing
from ..exports import FORMATS
from ._common import DEFAULT_BUILD, GRAPH_HELP, open_output, read_local_graph


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg export``."""
    p.add_argument("--format", required=True, choices=FORMATS,
                   help="triples: the build's triple records as JSON Lines (as kg extract writes them)")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="output file (a directory for neo4j-csv; - for stdout with triples)")
    p.add_argument("--graph", default=DEFAULT_BUILD, metavar="DIR | FILE", help=GRAPH_HELP)
    p.add_argument("--triples", metavar="FILE",
                   help="for neo4j-csv: a file of triple records to export instead of the build's "
                        "(resolved across documents as kg build does); needed when --graph is a file")


def run(args) -> int:
    """``kg export``: read the build (or the graph file), write one format."""
    if args.format == "neo4j-csv":
        report = _neo4j_csv(args)
    elif args.format == "triples":
        report = _triples(args)
    else:
        report = _graph(args)
    print(f"kg export: {report}", file=sys.stderr)
    return 0


def built(path: str) -> Path:
    """``path`` as the directory of a build, for the formats a graph file does not hold."""
    from ..local.store import has_build

    out = Path(path)
    if out.is_file():
        raise UsageError(f"{path} is a graph file: --format triples and neo4j-csv read a build directory "
                         "(neo4j-csv also reads --triples FILE)")
    if not has_build(out):
        raise UserError(f"{path}: no build here (run `kg build --out {path}` first)")
    return out


def _graph(args) -> str:
    from .. import exports

    g = read_local_graph(args.graph)
    writer = {"graphml": exports.write_graphml, "gexf": exports.write_gexf, "json": exports.write_json}[args.format]
    with writing(args.output):
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        path = writer(g, args.output)
    return f"{args.format}: {g.number_of_nodes()} entities, {g.number_of_edges()} facts -> {path}"


def _triples(args) -> str:
    from ..build import build_triple_lines

    if args.triples:
        raise UsageError("--triples goes with --format neo4j-csv")
    out = built(args.graph)
    with writing(args.output), open_output(args.output) as f:
        n = 0
        for n, line in enumerate(build_triple_lines(out), 1):
            f.write(line)
    return f"triples: {n} triple records of {out} -> {'stdout' if args.output == '-' else args.output}"


def _neo4j_csv(args) -> str:
    from ..neo4j.bulk_csv import write_import_files

    if args.triples:
        from ..link import resolved_file

        if not Path(args.triples).is_file():
            raise UserError(f"{args.triples}: no such file")
        triples = resolved_file(args.triples)
    else:
        from ..build import resolved_triples

        triples = resolved_triples(built(args.graph))
    with writing(args.output):
        return str(write_import_files(triples, args.output))
