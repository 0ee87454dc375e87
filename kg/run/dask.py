"""Extraction on a Dask cluster: one task per input partition.

Dask is optional (``pip install 'kg[dask]'``).  Without a scheduler address a
:class:`distributed.LocalCluster` of worker processes on 127.0.0.1 is started
and stopped here; with ``scheduler="tcp://host:8786"`` the same tasks run on an
existing cluster, whose workers need kg and the spaCy model installed.

A task is :func:`extract_partition` on a partition of the input (see
:func:`kg.run.shards.partitions`): a pure function whose worker loads the spaCy
pipeline once through the per-process cache of :func:`kg.nlp.load_model`; the
pipeline is never pickled.  Results come back in partition order.  At most a few partitions per worker thread are in flight, so
the driver's memory stays flat however large the input.  When a worker dies,
Dask runs its tasks again elsewhere; their results are the same.

The local cluster runs with kg's worker settings (``dask_config/kg-workers.yaml``:
glibc's own malloc thresholds, no sampling profiler).  A cluster kg did not start
is left as it is; when its workers lack those settings, a run says so once.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections import deque
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from ..errors import UserError
from ..extractor import ExtractOptions
from .local import describe_installed, extract_items
from .shards import partitions
from .stats import RunStats

log = logging.getLogger(__name__)

INSTALL_HINT = ("the dask engine needs Dask's distributed scheduler: pip install 'kg[dask]' "
                "(or pip install 'dask[distributed]')")
#: How long to keep trying to reach a scheduler given by address.
CONNECT_TIMEOUT = "15s"
#: Partitions in flight per worker thread.
INFLIGHT_PER_THREAD = 2
#: Dask settings for workers that run kg (``kg-workers.yaml``, which says why each is there):
#: applied to the local cluster kg starts; workers of an existing cluster read them when started
#: with ``DASK_CONFIG`` set to this directory.
WORKER_CONFIG_DIR = Path(__file__).with_name("dask_config")


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
            advice = settings_advice(client)
            if advice:
                log.warning("%s", advice)
        else:
            stack.enter_context(environ_kept())
            stack.enter_context(dask.config.set(worker_config()))  # workers (and their restarts) inherit it
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}))
            client = distributed.Client(cluster)
        with client:
            yield client


def worker_config() -> dict:
    """The settings of :data:`WORKER_CONFIG_DIR` as dotted keys, ready for ``dask.config.set``.

    >>> worker_config()["distributed.worker.profile.enabled"]
    False
    """
    import dask

    return dict(_dotted(dask.config.collect([str(WORKER_CONFIG_DIR)], env={})))


def _dotted(tree: dict, prefix: str = "") -> Iterator[tuple]:
    # dask.config.set replaces the whole value at a key, so nested settings are set leaf by leaf.
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _dotted(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def worker_settings(dask_worker) -> tuple:
    """For ``client.run``: what of kg's worker settings a worker lacks, as
    ``(profiler on, MALLOC_TRIM_THRESHOLD_ or None)``; ``(False, None)`` is a worker set up for kg."""
    return "profile" in dask_worker.periodic_callbacks, os.environ.get("MALLOC_TRIM_THRESHOLD_")


def settings_advice(client) -> Optional[str]:
    """One line for a cluster whose workers run without kg's worker settings, else None.

    kg does not change a cluster it did not start; it says what the settings
    cost and how to start the workers with them.
    """
    try:
        states = client.run(worker_settings, on_error="return")
    except Exception:  # a worker that cannot answer is the scheduler's business, not a reason to stop
        log.debug("could not read the workers' settings", exc_info=True)
        return None
    costs = set()
    for state in states.values():
        if isinstance(state, BaseException):
            continue
        profiler, trim = state
        if profiler:
            costs.add("Dask's sampling profiler on (a worker's memory grows with every partition)")
        if trim is not None:
            costs.add(f"MALLOC_TRIM_THRESHOLD_={trim} (extraction about 20% slower per core)")
    if not costs:
        return None
    return (f"the Dask workers run with {' and '.join(sorted(costs))}; start them with "
            f'DASK_CONFIG="$(python -m kg.run.dask --config-dir)" (see docs/scale.md)')


@contextlib.contextmanager
def environ_kept():
    """Give this process its environment back on exit: Dask's nanny writes its workers' pre-spawn
    variables (OMP_NUM_THREADS, MALLOC_TRIM_THRESHOLD_, ...) into the environment of the process
    that starts a cluster."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


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


def map_ordered(client, fn: Callable, parts: Iterable, *args, inflight: Optional[int] = None) -> Iterator[tuple]:
    """``(partition, fn(partition.items, *args))`` in partition order, with a bounded number of tasks in flight."""
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
    return client.run(own_peak_rss_mb)


def own_peak_rss_mb() -> float:
    """This process's peak resident memory (MB, from VmHWM in /proc/self/status)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def extract_partition(items: list, model: str, options: ExtractOptions) -> list:
    """A task: the results of one partition's items, in order (run on a worker)."""
    return list(extract_items(items, model, options))


def results(items: Iterable, *, scheduler: Optional[str], workers: int, model: str, options: ExtractOptions,
            stats: RunStats, partition_docs: int, measure_rss: bool = False) -> Iterator:
    """Each input item's result in input order, one task per partition of ``partition_docs`` items on the
    cluster; with ``measure_rss`` the workers' peak memory goes into ``stats.worker_peak_rss_mb``."""
    stats.model = describe_installed(model)
    with client_for(scheduler, workers=workers) as client:
        for _, part_results in map_ordered(client, extract_partition, partitions(items, size=partition_docs),
                                           model, options):
            yield from part_results
        if measure_rss:
            stats.worker_peak_rss_mb = peak_rss_mb(client)


if __name__ == "__main__":  # python -m kg.run.dask --config-dir
    if sys.argv[1:] != ["--config-dir"]:
        sys.exit("usage: python -m kg.run.dask --config-dir   (prints the directory to use as DASK_CONFIG)")
    print(WORKER_CONFIG_DIR)
