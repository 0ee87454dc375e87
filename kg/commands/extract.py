"""Extract triples from documents to JSON Lines (one triple record per line).

With ``--resume``, output is appended document by document and a killed run,
started again with the same command, skips the documents it already finished.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile

from ..dask_engine import require_distributed
from ..engines import ENGINES, run_sharded
from ..errors import UsageError, UserError, writing
from ..extractor import ExtractOptions
from ..nlp import DEFAULT_MODEL
from ..pool import RunStats
from ..pool import run as run_pool
from ..records import Document, Rejection
from ..shards import PARTITION_DOCS, merge_shards
from ..sources import FORMATS, iter_documents
from ._common import ResumableOutput, open_output, progress, report_rejection


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg extract``."""
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt/.jsonl/.csv files, directories, or - for stdin")
    p.add_argument("-o", "--output", default="-", help="output JSON Lines file (default: stdout)")
    p.add_argument("--resume", action="store_true",
                   help="append to OUTPUT, skipping documents an earlier (interrupted) run finished; "
                        "progress is kept in OUTPUT.done")
    p.add_argument("--shards", metavar="DIR",
                   help="write one shard per input partition plus manifest.json into DIR, skip shards an earlier "
                        "run finished, and join them into the output in input order "
                        "(implied, in a temporary directory, by --engine dask)")
    p.add_argument("--partition-docs", type=int, default=PARTITION_DOCS,
                   help=f"documents per partition / shard (default {PARTITION_DOCS})")
    add_extraction_options(p)


def add_extraction_options(p: argparse.ArgumentParser) -> None:
    """Options shared by every command that extracts."""
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"spaCy pipeline name or path (default {DEFAULT_MODEL})")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (default 1); with --engine dask, the size of the local cluster it starts")
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: a process pool on this machine (default); dask: a Dask cluster (needs kg[dask])")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); "
                        "without it --engine dask starts a local cluster")
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="auto",
                   help="input format (default: by file ending; stdin is text)")
    p.add_argument("--min-confidence", type=float, default=0.0, help="drop triples below this confidence")
    p.add_argument("--rejects", metavar="FILE", help="also write rejected inputs with reasons as JSON Lines")


def options_from(args) -> ExtractOptions:
    """Extraction options from parsed arguments (``kg extract``, ``kg build``)."""
    return extraction_options(workers=args.workers, min_confidence=args.min_confidence, engine=args.engine,
                              scheduler=args.scheduler, partition_docs=getattr(args, "partition_docs", 1))


def extraction_options(*, workers: int, min_confidence: float, engine: str = "local", scheduler=None,
                       partition_docs: int = 1) -> ExtractOptions:
    """Checked extraction settings: a :class:`UsageError` for an impossible combination."""
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if scheduler and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if partition_docs < 1:
        raise UsageError("--partition-docs must be at least 1")
    if engine == "dask":
        require_distributed()
    return ExtractOptions(min_confidence=min_confidence)


def run_extraction(args, sink, *, label: str, skip=frozenset(), on_document=None) -> RunStats:
    """Extract every input of ``args``; call ``sink(triple)`` per triple; report rejections.

    Documents whose id is in ``skip`` are counted as skipped and not extracted;
    ``on_document(doc_id)`` is called after the triples of each processed document.
    """
    stats = RunStats()
    options = options_from(args)
    rejects = open(args.rejects, "w", encoding="utf-8") if getattr(args, "rejects", None) else None
    try:
        items = iter_documents(args.inputs, fmt=args.fmt)
        if skip:
            items = _skipping(items, skip, stats)
        with progress(label, quiet=args.quiet) as bar:
            for r in run_pool(items, model=args.model, workers=args.workers, options=options, stats=stats):
                bar.update(1)
                if isinstance(r, Rejection):
                    report_rejection(label, r)
                    if rejects:
                        rejects.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
                    continue
                for t in r.triples:
                    sink(t)
                if on_document is not None:
                    on_document(r.doc_id)
    finally:
        if rejects:
            rejects.close()
    return stats


def _skipping(items, skip, stats: RunStats):
    """``items`` without the documents in ``skip``, counted in ``stats.skipped``."""
    for item in items:
        if isinstance(item, Document) and item.id in skip:
            stats.skipped += 1
        else:
            yield item


def _line(t) -> str:
    return json.dumps(t.to_dict(), ensure_ascii=False) + "\n"


def run(args) -> int:
    """``kg extract``: write triple records, then one summary line on stderr."""
    if args.resume and (args.shards or args.engine != "local"):
        raise UsageError("--resume is for single-file output; with --shards DIR a re-run resumes by itself")
    if args.resume:
        return _run_resumable(args)
    if args.shards or args.engine != "local":
        return run_sharded_extraction(args)
    with writing(args.output), open_output(args.output) as out:
        stats = run_extraction(args, lambda t: out.write(_line(t)), label="extract")
    print(f"kg extract: {stats.summary()}", file=sys.stderr)
    return 0 if stats.processed else 1


def _run_resumable(args) -> int:
    """``kg extract --resume -o FILE``: append per document, skip what an earlier run finished."""
    if args.output == "-":
        raise UsageError("--resume needs an output file (-o FILE)")
    with writing(args.output), ResumableOutput(args.output) as out:
        stats = run_extraction(args, lambda t: out.write(_line(t)), label="extract",
                               skip=out.done, on_document=out.document_done)
    print(f"kg extract: {stats.summary()}", file=sys.stderr)
    return 0 if stats.processed or stats.skipped else 1


def run_sharded_extraction(args) -> int:
    """``kg extract`` through shards: extract the partitions not yet complete, then merge every shard."""
    options = options_from(args)
    stats = RunStats()
    directory = args.shards or tempfile.mkdtemp(prefix="kg-shards-")
    try:
        with progress("extract", quiet=args.quiet) as bar:
            def on_shard(name, entry, fresh):
                bar.update(entry.get("read", 0))
                for r in entry.get("rejections", ()) if fresh else ():
                    report_rejection("extract", Rejection(**r))

            try:
                report = run_sharded(iter_documents(args.inputs, fmt=args.fmt), directory, engine=args.engine,
                                     scheduler=args.scheduler, model=args.model, workers=args.workers,
                                     options=options, partition_docs=args.partition_docs, stats=stats,
                                     on_shard=on_shard)
            except OSError as exc:
                raise UserError(f"cannot write shards in {directory}: {exc.strerror or exc}") from None
        with writing(args.output), open_output(args.output) as out:
            merge_shards([report.directory / name for name in report.names], out)
        if args.rejects:
            with open(args.rejects, "w", encoding="utf-8") as f:
                for r in stats.rejections:
                    f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if not args.shards:
            shutil.rmtree(directory, ignore_errors=True)
    kept = f"{report.summary()}" if args.shards else f"{len(report.names)} shards"
    print(f"kg extract: {stats.summary()}; engine {args.engine}; {kept}", file=sys.stderr)
    return 0 if stats.processed else 1
