"""The one way kg runs extraction: :func:`run` (items in, one result per item out, in input order).

Every command and the evaluation go through it: ``kg extract`` (to a file, to
stdout, ``--resume``, ``--shards``), ``kg build`` / ``kg run`` and
:func:`kg.evaluation.predict_news` / :func:`kg.evaluation.predict_carb`.  What it does, in order:

1. gives every document id to one document only (:func:`kg.run.unique.once_each`);
2. leaves out what an earlier run into the same ``sink`` finished (``sink.pending``);
3. extracts on the chosen engine: ``local`` (this process, or a pool of ``workers``
   processes, :mod:`kg.run.local`) or ``dask`` (a Dask cluster, :mod:`kg.run.dask`);
4. hands each result, in input order, to ``sink.record`` (the commit) and yields it.

The order is the input's for every engine, worker count and resume, so the
output bytes are the same whichever way a corpus is run.
"""
from __future__ import annotations

import itertools
import logging
import os
import time
from collections import deque
from typing import Callable, Iterable, Iterator, Optional

from ..extractor import ExtractOptions
from ..nlp import DEFAULT_MODEL
from ..records import Document, Rejection, Triple
from ..sources import iter_documents, make_document
from . import local
from .sink import Sink
from .stats import RunStats
from .unique import once_each

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
#: Documents per Dask task unless told otherwise.
PARTITION_DOCS = 64


def run(items: Iterable, *, engine: str = "local", scheduler: Optional[str] = None, model: str = DEFAULT_MODEL,
        workers: int = 1, options: ExtractOptions = ExtractOptions(), stats: Optional[RunStats] = None,
        sink: Optional[Sink] = None, partition_docs: int = PARTITION_DOCS, batch_docs: int = local.BATCH_DOCS,
        also: Optional[Callable] = None, nlp=None, measure_rss: bool = False) -> Iterator:
    """Every input item's result (``DocResult`` or ``Rejection``) in input order; documents an earlier run
    into ``sink`` finished, and repeated documents, are counted in ``stats`` and not run again.

    ``also(document, parses)`` and ``nlp`` (an already loaded pipeline) are for the local engine;
    ``measure_rss`` records the Dask workers' peak memory in ``stats.worker_peak_rss_mb``.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    stats = stats if stats is not None else RunStats()
    started = time.perf_counter()
    todo = once_each(items, stats, committed=sink.committed if sink is not None else None)
    if sink is not None:
        todo = sink.pending(todo, stats)
    first = next(todo, None)
    if first is not None:  # with nothing to do, no model is loaded and no cluster started
        fed: deque = deque()

        def feed():
            for item in itertools.chain([first], todo):
                fed.append(item)
                yield item

        if engine == "local":
            results = local.results(feed(), model=model, workers=workers, options=options, stats=stats,
                                    batch_docs=batch_docs, also=also, nlp=nlp)
        else:
            from . import dask

            results = dask.results(feed(), scheduler=scheduler, workers=workers, model=model, options=options,
                                   stats=stats, partition_docs=partition_docs, measure_rss=measure_rss)
        for result in results:
            item = fed.popleft()
            stats.add(result)
            stats.seconds = time.perf_counter() - started
            if sink is not None:
                sink.record(item, result)
            yield result
    elif not stats.model:
        stats.model = local.describe_installed(model)
    if sink is not None:
        sink.finish()
    stats.seconds = time.perf_counter() - started


def extract(inputs, *, model: str = DEFAULT_MODEL, workers: int = 1, fmt: str = "auto",
            options: ExtractOptions = ExtractOptions(), stats: Optional[RunStats] = None) -> Iterator[Triple]:
    """Triples of every document in ``inputs`` (paths, ``-``, :class:`Document` objects or plain strings).

    Rejected inputs are counted in ``stats`` (a :class:`RunStats`) and logged, never raised.

    >>> from kg import extract
    >>> [t.predicate.lemma for t in extract(["Japan condemned the talks."])]  # doctest: +SKIP
    ['condemn']
    """
    if isinstance(inputs, (str, Document)) or hasattr(inputs, "__fspath__"):
        inputs = [inputs]
    docs = (make_document("text", x) if isinstance(x, str) and not _looks_like_path(x) else x for x in inputs)
    for r in run(iter_documents(docs, fmt=fmt), model=model, workers=workers, options=options, stats=stats):
        if isinstance(r, Rejection):
            log.warning("rejected %s: %s", r.origin, r.reason)
        else:
            yield from r.triples


def _looks_like_path(x: str) -> bool:
    return x == "-" or ("\n" not in x and len(x) < 4096 and os.path.exists(x))
