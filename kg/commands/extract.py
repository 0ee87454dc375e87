"""Extract triples from documents to JSON Lines (one triple record per line).

With ``--resume``, output is appended document by document and a killed run,
started again with the same command, skips the documents it already finished;
with ``--shards DIR`` each input partition is such an output of its own.  Either way
one run at a time writes an output (a second stops at once, or waits with ``--wait``).
"""
from __future__ import annotations

import argparse
import json
import sys

from ..errors import UsageError, writing
from ..extractor import ExtractOptions
from ..nlp import DEFAULT_MODEL
from ..records import Rejection
from ..run.dask import require_distributed
from ..run.driver import ENGINES, run as run_driver
from ..run.shards import PARTITION_DOCS, ShardSink, merge_shards, settings_digest
from ..run.sink import ResumableSink, triple_line
from ..run.stats import RunStats
from ..sources import FORMATS, iter_documents
from ._common import open_output, progress, report_rejection


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg extract``."""
    p.add_argument("inputs", nargs="+", metavar="INPUT", help=".txt/.jsonl/.csv files, directories, or - for stdin")
    p.add_argument("-o", "--output", default="-", help="output JSON Lines file (default: stdout)")
    p.add_argument("--resume", action="store_true",
                   help="append to OUTPUT, skipping documents an earlier (interrupted) run finished; "
                        "progress is kept in OUTPUT.done")
    p.add_argument("--shards", metavar="DIR",
                   help="write one resumable shard per input partition into DIR, go on where an earlier "
                        "run stopped, and join the shards into the output in input order")
    p.add_argument("--partition-docs", type=int, default=PARTITION_DOCS,
                   help=f"documents per partition / shard, and per Dask task (default {PARTITION_DOCS})")
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
    p.add_argument("--wait", action="store_true",
                   help="when another run is writing the same output, wait for it (default: stop at once)")


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


def run_extraction(args, *, label: str, write=None, sink=None, rejects=None) -> RunStats:
    """Extract every input of ``args`` through the run driver into ``sink``; call ``write(line)`` per
    triple line and ``rejects(rejection)`` per rejection; report rejections on stderr."""
    stats = RunStats()
    options = options_from(args)
    with progress(label, quiet=args.quiet) as bar:
        for r in run_driver(iter_documents(args.inputs, fmt=args.fmt), engine=args.engine, scheduler=args.scheduler,
                            model=args.model, workers=args.workers, options=options, stats=stats, sink=sink,
                            partition_docs=args.partition_docs):
            bar.update(1)
            if isinstance(r, Rejection):
                report_rejection(label, r)
                if rejects is not None:
                    rejects(r)
            elif write is not None:
                for t in r.triples:
                    write(triple_line(t))
    return stats


def run(args) -> int:
    """``kg extract``: write triple records, then one summary line on stderr."""
    if args.resume and args.shards:
        raise UsageError("--resume is for single-file output; with --shards DIR a re-run resumes by itself")
    if args.resume and args.output == "-":
        raise UsageError("--resume needs an output file (-o FILE)")
    options_from(args)  # usage errors before any file is touched
    rejects = open(args.rejects, "w", encoding="utf-8") if args.rejects else None
    write_reject = (lambda r: rejects.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")) if rejects else None
    try:
        if args.shards:
            return _run_sharded(args, write_reject)
        if args.resume:
            with writing(args.output), resumable_output(args.output, wait=args.wait) as sink:
                stats = run_extraction(args, label="extract", sink=sink, rejects=write_reject)
            ok = stats.processed or stats.skipped
        else:
            with writing(args.output), open_output(args.output) as out:
                stats = run_extraction(args, label="extract", write=out.write, rejects=write_reject)
            ok = stats.processed
    finally:
        if rejects:
            rejects.close()
    engine = f"; engine {args.engine}" if args.engine != "local" else ""
    print(f"kg extract: {stats.summary()}{engine}", file=sys.stderr)
    return 0 if ok else 1


def resumable_output(path: str, *, wait: bool = False) -> ResumableSink:
    """``kg extract --resume``'s state: the output file and its ledger ``OUTPUT.done`` (lock ``OUTPUT.lock``)."""
    return ResumableSink(path, path + ".done", lock=path + ".lock", name=path, doing="written", wait=wait)


def _run_sharded(args, write_reject) -> int:
    """``kg extract --shards DIR``: extract what no shard holds yet, then join every shard."""
    def on_shard(name, resumed, fresh):
        if write_reject:  # the rejections an earlier run recorded in a shard still go to --rejects
            for r in resumed["rejections"]:
                write_reject(Rejection(**r))

    sink = ShardSink(args.shards, settings=settings_digest(args.model, options_from(args)),
                     partition_docs=args.partition_docs, on_shard=on_shard, wait=args.wait)
    with writing(args.shards), sink:
        stats = run_extraction(args, label="extract", sink=sink, rejects=write_reject)
        with writing(args.output), open_output(args.output) as out:  # still holding the directory
            merge_shards(sink.paths(), out)
    print(f"kg extract: {stats.summary()}; engine {args.engine}; {sink.summary()}", file=sys.stderr)
    return 0 if stats.processed else 1
