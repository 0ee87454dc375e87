"""Where extraction runs: ``local`` (the process pool behind ``--workers``) or ``dask`` (a Dask cluster).

Two ways to consume an input stream:

- :func:`run` yields a result per input item in input order, like
  :func:`kg.pool.run` (which it is, for the local engine); ``kg build``
  records document by document from it.
- :func:`run_sharded` writes one shard per input partition plus a manifest
  (:mod:`kg.shards`), skipping shards finished by an earlier run; ``kg extract
  --shards DIR`` merges them into one sorted file.

Both engines run the same per-document code, :func:`kg.pool.extract_documents`.
"""
from __future__ import annotations

import itertools
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .extractor import ExtractOptions
from .nlp import DEFAULT_MODEL
from .pool import RunStats, _describe_installed
from .pool import run as run_local
from .shards import PARTITION_DOCS, Partition, ShardDir, extract_items, extract_partition, partitions, \
    settings_digest, shard_output

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
#: Documents per Dask task when results are needed in input order (``kg build``).
ORDERED_PARTITION_DOCS = 64


def run(items: Iterable, *, engine: str = "local", scheduler: Optional[str] = None, model: str = DEFAULT_MODEL,
        workers: int = 1, options: ExtractOptions = ExtractOptions(), stats: Optional[RunStats] = None) -> Iterator:
    """Every input item's result (``DocResult`` or ``Rejection``) in input order, on the chosen engine."""
    if engine == "local":
        yield from run_local(items, model=model, workers=workers, options=options, stats=stats)
        return
    from . import dask_engine

    stats = stats if stats is not None else RunStats()
    stats.model = _describe_installed(model)
    with dask_engine.client_for(scheduler, workers=workers) as client:
        parts = partitions(items, size=ORDERED_PARTITION_DOCS)
        for _, results in dask_engine.map_ordered(client, extract_items, parts, model, options):
            for r in results:
                stats.add(r)
                yield r


@dataclass
class ShardedRun:
    """What a sharded run did: shard names in partition order, how many were extracted or skipped."""

    directory: Path
    names: list = field(default_factory=list)
    extracted: int = 0
    skipped: int = 0
    worker_peak_rss_mb: dict = field(default_factory=dict)

    def summary(self) -> str:
        """Fragment for the closing line."""
        return (f"{len(self.names)} shards ({self.extracted} extracted, {self.skipped} already complete) "
                f"in {self.directory}")


def run_sharded(items: Iterable, directory, *, engine: str = "local", scheduler: Optional[str] = None,
                model: str = DEFAULT_MODEL, workers: int = 1, options: ExtractOptions = ExtractOptions(),
                partition_docs: int = PARTITION_DOCS, stats: Optional[RunStats] = None,
                on_shard: Callable = lambda name, entry, fresh: None, measure_rss: bool = False) -> ShardedRun:
    """Extract ``items`` into one shard per partition under ``directory``; skip shards already complete.

    ``stats`` receives the document and triple counts of every shard (skipped
    ones from the manifest), so read = processed + rejected over the whole
    input; its sentences and words are those extracted by this run.
    ``on_shard(name, manifest_entry, fresh)`` is called as each shard is settled.
    """
    started = time.perf_counter()
    stats = stats if stats is not None else RunStats()
    shard_dir = ShardDir(directory, settings=settings_digest(model, options), partition_docs=partition_docs)
    report = ShardedRun(directory=shard_dir.path)

    def todo() -> Iterator[Partition]:
        for part in partitions(items, size=partition_docs):
            report.names.append(part.name)
            if shard_dir.is_complete(part):
                report.skipped += 1
                stats.add_counts(shard_dir.entry(part.name), work=False)
                on_shard(part.name, shard_dir.entry(part.name), False)
                continue
            yield part

    for part, output in _outputs(todo(), engine=engine, scheduler=scheduler, model=model, workers=workers,
                                 options=options, stats=stats, report=report, measure_rss=measure_rss):
        entry = shard_dir.write(part, output)
        report.extracted += 1
        stats.add_counts(entry)
        stats.seconds = time.perf_counter() - started
        on_shard(part.name, entry, True)
    shard_dir.forget_beyond(len(report.names))
    stats.seconds = time.perf_counter() - started
    if not stats.model:
        stats.model = _describe_installed(model)
    return report


def _outputs(parts: Iterator[Partition], *, engine, scheduler, model, workers, options, stats, report,
             measure_rss) -> Iterator[tuple]:
    """``(partition, ShardOutput)`` for each partition to do, on the chosen engine."""
    if engine == "local":
        yield from _local_outputs(parts, model=model, workers=workers, options=options, stats=stats)
        return
    if engine != "dask":
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    from . import dask_engine

    stats.model = _describe_installed(model)
    with dask_engine.client_for(scheduler, workers=workers) as client:
        yield from dask_engine.map_unordered(client, extract_partition, parts, model, options)
        if measure_rss:
            report.worker_peak_rss_mb = dask_engine.peak_rss_mb(client)


def _local_outputs(parts: Iterator[Partition], *, model, workers, options, stats) -> Iterator[tuple]:
    """Run the local pool over the partitions' items back to back and cut its in-order results per partition."""
    parts = iter(parts)
    first = next(parts, None)
    if first is None:  # every shard already complete: no need to load the model
        return
    parts = itertools.chain([first], parts)
    queue: deque = deque()

    def feed():
        for part in parts:
            queue.append(part)
            yield from part.items

    inner = RunStats()
    current: list = []
    for r in run_local(feed(), model=model, workers=workers, options=options, stats=inner):
        stats.model = inner.model
        current.append(r)
        if len(current) == len(queue[0].items):
            yield queue.popleft(), shard_output(current)
            current = []
