"""Extraction on a Dask cluster: one task per input partition.

Dask is optional (``pip install 'kg[dask]'``).  Without a scheduler address a
:class:`distributed.LocalCluster` of worker processes on 127.0.0.1 is started
and stopped here; with ``scheduler="tcp://host:8786"`` the same tasks run on an
existing cluster, whose workers need kg and the spaCy model installed.

A task is :func:`kg.shards.extract_partition` (or :func:`kg.shards.extract_items`)
on a list of documents: a pure function whose worker loads the spaCy pipeline
once through the per-process cache of :func:`kg.nlp.load_model`; the pipeline
is never pickled.  At most a few partitions per worker thread are in flight, so
the driver's memory stays flat however large the input.  When a worker dies,
Dask runs its tasks again elsewhere; their results are the same.
"""
from __future__ import annotations

import contextlib
import logging
from collections import deque
from typing import Callable, Iterable, Iterator, Optional

from .errors import UserError

log = logging.getLogger(__name__)

INSTALL_HINT = ("the dask engine needs Dask's distributed scheduler: pip install 'kg[dask]' "
                "(or pip install 'dask[distributed]')")
#: How long to keep trying to reach a scheduler given by address.
CONNECT_TIMEOUT = "15s"
#: Partitions in flight per worker thread.
INFLIGHT_PER_THREAD = 2
#: Dask settings for the local cluster kg starts.  The workers' statistical profiler keeps a
#: call tree of every stack it samples (about 8,500 dicts per partition of 500 articles here),
#: so a worker grew by ~100 MB over its first ten partitions; without it the worker stays flat.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}


def require_distributed():
    """The ``distributed`` module, or a :class:`UserError` that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise UserError(INSTALL_HINT) from None
    return distributed


@contextlib.contextmanager
def client_for(scheduler: Optional[str] = None, *, workers: int = 2):
    """A Dask client: connected to ``scheduler``, or to a local cluster of ``workers`` processes it starts."""
    distributed = require_distributed()
    import dask

    _quiet_dask_logs()
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UserError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        else:
            stack.enter_context(dask.config.set(LOCAL_CLUSTER_CONFIG))  # workers (and their restarts) inherit it
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}))
            client = distributed.Client(cluster)
        with client:
            yield client


def _quiet_dask_logs() -> None:
    """Dask logs every start and stop at INFO; show them only when kg itself is verbose (-v)."""
    if logging.getLogger().getEffectiveLevel() >= logging.WARNING:
        logging.getLogger("distributed").setLevel(logging.WARNING)


def worker_threads(client) -> int:
    """Worker threads currently in the cluster (at least 1)."""
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(w.get("nthreads", 1) for w in workers.values()))


def _submit(client, fn: Callable, part, args: tuple):
    return client.submit(fn, part.items, *args, key=f"kg-{fn.__name__}-{part.name}-{part.digest[:16]}",
                         pure=False, retries=1)


def map_unordered(client, fn: Callable, parts: Iterable, *args, inflight: Optional[int] = None) -> Iterator[tuple]:
    """``(partition, fn(partition.items, *args))`` as tasks finish, with a bounded number in flight."""
    distributed = require_distributed()
    limit = inflight or INFLIGHT_PER_THREAD * worker_threads(client)
    parts = iter(parts)
    pending: dict = {}
    done = distributed.as_completed()

    def submit_next() -> None:
        part = next(parts, None)
        if part is not None:
            fut = _submit(client, fn, part, args)
            pending[fut.key] = part
            done.add(fut)

    for _ in range(limit):
        submit_next()
    for fut in done:
        part = pending.pop(fut.key)
        result = _result(fut, part)
        fut.release()
        submit_next()
        yield part, result


def map_ordered(client, fn: Callable, parts: Iterable, *args, inflight: Optional[int] = None) -> Iterator[tuple]:
    """Like :func:`map_unordered`, but yields in partition order (for callers that record document by document)."""
    limit = inflight or INFLIGHT_PER_THREAD * worker_threads(client)
    pending: deque = deque()
    for part in parts:
        pending.append((part, _submit(client, fn, part, args)))
        while len(pending) > limit:
            part, fut = pending.popleft()
            yield part, _result(fut, part)
    while pending:
        part, fut = pending.popleft()
        yield part, _result(fut, part)


def _result(fut, part):
    try:
        return fut.result()
    except UserError:
        raise
    except Exception as exc:  # a worker-side failure of the whole partition (e.g. workers killed repeatedly)
        raise UserError(f"partition {part.name} failed on the Dask cluster: {type(exc).__name__}: {exc}") from None


def peak_rss_mb(client) -> dict:
    """Peak resident memory (MB, from VmHWM) of each worker process, by worker address."""
    return client.run(_own_peak_rss_mb)


def _own_peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
