"""Extraction in this process or in a pool of local worker processes.

Extracting one document is a pure function of its text and metadata
(:func:`extract_documents` on a batch); the spaCy pipeline is loaded once per
process (:func:`kg.nlp.load_model`'s cache, or the pool's initializer) and never
pickled.  Input is consumed lazily and at most a few batches per worker are in
flight, so memory stays flat however large the corpus.  Results come back in
input order, so any number of workers gives byte-identical output.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator, Optional, Union

from ..extractor import ExtractOptions, triples_from_parses
from ..files import batched
from ..nlp import load_model, model_description, pieces
from ..records import Document, Rejection
from ..sources import one_line
from .stats import DocResult, RunStats

log = logging.getLogger(__name__)

#: Documents parsed together (one ``nlp.pipe`` call; one task for a worker).
BATCH_DOCS = 16
#: Batches in flight per worker (bounds memory; keeps workers busy).
INFLIGHT_PER_WORKER = 3

Item = Union[Document, Rejection]


# ------------------------------------------------------------ the batch step

def extract_documents(docs: list, nlp, options: ExtractOptions, *, also: Optional[Callable] = None) -> list:
    """Pure batch step: documents in, a :class:`DocResult` or :class:`Rejection` for each out.

    All pieces of the batch go through ``nlp.pipe`` together; a document whose
    extraction fails becomes a rejection and the rest of the batch goes on.
    ``also(document, parses)``, when given, is kept as the result's ``extra``
    (for callers that need more of the parses than the triples, such as the evaluation).
    """
    # Strings and lexemes the batch adds to the shared vocabulary are freed when the batch is
    # done (spaCy's memory zone), so a long run does not grow with the words it has seen.
    # Everything that reads the parses happens inside the zone.
    with nlp.memory_zone():
        return _extract_in_zone(docs, nlp, options, also)


def _extract_in_zone(docs: list, nlp, options: ExtractOptions, also: Optional[Callable]) -> list:
    # Pieces are grouped by position in the batch, not by id: two records may share an id.
    jobs = [(p, n) for n, d in enumerate(docs) for p in pieces(d.text)]
    try:
        parsed = list(nlp.pipe(((p.text, (p, n)) for p, n in jobs), as_tuples=True))
        failed_parse = None
    except Exception as exc:  # a pipeline crash on one text must not sink the batch
        parsed, failed_parse = None, exc
    by_doc: list[list] = [[] for _ in docs]
    if parsed is not None:
        for sdoc, (piece, n) in parsed:
            by_doc[n].append((piece, sdoc))
    out = []
    for n, d in enumerate(docs):
        try:
            if parsed is None:
                ps = [(p, nlp(p.text)) for p in pieces(d.text)]
            else:
                ps = by_doc[n]
            triples = triples_from_parses(d, ps, options=options)
            out.append(DocResult(d.id, triples, sum(1 for _, s in ps for _ in s.sents),
                                 sum(1 for _, s in ps for t in s if not (t.is_punct or t.is_space)),
                                 also(d, ps) if also is not None else None))
        except Exception as exc:
            log.debug("extraction failed for %s", d.id, exc_info=True)
            out.append(Rejection(d.source or d.id, one_line(f"extraction failed: {type(exc).__name__}: {exc}")[:300], d.id))
    if failed_parse is not None:
        log.debug("batch parse failed (%s); documents were parsed one by one", failed_parse)
    return out


def documents_in(batch: list) -> list:
    """The documents of a batch of input items (its rejections left out)."""
    return [d for d in batch if isinstance(d, Document)]


def with_rejections(batch: list, results: Iterable) -> list:
    """The batch's results in input order: each rejection as it was, each document replaced by the
    next of ``results`` (the results of :func:`documents_in` of the batch)."""
    done = iter(results)
    return [item if isinstance(item, Rejection) else next(done) for item in batch]


def run_batch(batch: list, nlp, options: ExtractOptions, also: Optional[Callable] = None) -> list:
    """The results of one batch of input items, in order; its rejections pass through."""
    docs = documents_in(batch)
    return with_rejections(batch, extract_documents(docs, nlp, options, also=also) if docs else ())


# ------------------------------------------------------------ in this process

def extract_items(items: Iterable[Item], model: str, options: ExtractOptions, *, batch_docs: int = BATCH_DOCS,
                  also: Optional[Callable] = None, nlp=None) -> Iterator:
    """Results of the input items, in order, extracted in this process, a batch at a time.

    The pipeline is ``nlp`` or ``model`` from :func:`kg.nlp.load_model`'s
    per-process cache, so a process loads it once whatever it runs (a Dask task
    runs this on its partition); it is never pickled.
    """
    logging.getLogger("spacy").setLevel(logging.ERROR)
    for batch in batched(items, batch_docs):
        yield from run_batch(batch, nlp if nlp is not None else load_model(model), options, also)


# ------------------------------------------------------------ a pool of worker processes

_STATE: dict = {}


def _init_worker(model: str, options: ExtractOptions, also: Optional[Callable]) -> None:
    """Pool initializer: load the pipeline once in this process."""
    logging.getLogger("spacy").setLevel(logging.ERROR)
    _STATE["nlp"] = load_model(model)
    _STATE["options"] = options
    _STATE["also"] = also


def _worker_batch(docs: list) -> list:
    return extract_documents(docs, _STATE["nlp"], _STATE["options"], also=_STATE["also"])


def results(items: Iterable[Item], *, model: str, workers: int, options: ExtractOptions, stats: RunStats,
            batch_docs: int = BATCH_DOCS, also: Optional[Callable] = None, nlp=None) -> Iterator:
    """Each input item's result (``DocResult`` or ``Rejection``) in input order, with ``workers`` processes
    (``1``: in this process, with ``nlp`` when given); names the model in ``stats.model``."""
    if max(1, int(workers)) == 1:
        nlp = nlp if nlp is not None else load_model(model)
        stats.model = model_description(nlp)
        return extract_items(items, model, options, batch_docs=batch_docs, also=also, nlp=nlp)
    # Describe the model from the parent without loading it twice into workers' memory.
    stats.model = describe_installed(model)
    return _run_pool(items, model, int(workers), options, batch_docs, also)


def _run_pool(items, model, workers, options, batch_docs, also) -> Iterator:
    """Batches through a process pool, in order; a pool whose worker died is replaced."""
    new_pool = lambda: ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,  # noqa: E731
                                           initargs=(model, options, also))
    pool = new_pool()
    pending: deque = deque()
    limit = workers * INFLIGHT_PER_WORKER
    try:
        for batch in batched(items, batch_docs):
            pending.append((batch, _submit(pool, batch)))
            while len(pending) >= limit:
                pool = yield from _collect_next(pending, pool, new_pool)
        while pending:
            pool = yield from _collect_next(pending, pool, new_pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool, batch: list):
    docs = documents_in(batch)
    return pool.submit(_worker_batch, docs) if docs else None


def _collect_next(pending: deque, pool, new_pool):
    """Yield the results of the oldest batch; return the pool to go on with.

    When a worker process dies (killed, out of memory, a crash in native code), the
    oldest batch is rejected with that reason, and the batches still in flight are
    sent again to a fresh pool.
    """
    batch, future = pending.popleft()
    try:
        yield from _collect(batch, future)
        return pool
    except BrokenProcessPool as exc:
        log.warning("a worker process died; %d documents rejected, starting new workers", _count_docs(batch))
        yield from _reject_batch(batch, f"worker process died while extracting this batch ({exc})")
        pool.shutdown(wait=True, cancel_futures=True)
        pool = new_pool()
        for i, (b, _) in enumerate(pending):
            pending[i] = (b, _submit(pool, b))
        return pool
    except Exception as exc:  # e.g. a result that cannot be sent back between processes
        yield from _reject_batch(batch, f"worker failed: {type(exc).__name__}: {exc}")
        return pool


def _count_docs(batch: list) -> int:
    return sum(isinstance(d, Document) for d in batch)


def _reject_batch(batch: list, reason: str) -> Iterator[Rejection]:
    reason = one_line(reason)[:300]
    for item in batch:
        yield item if isinstance(item, Rejection) else Rejection(item.source or item.id, reason, item.id)


def _collect(batch: list, future) -> list:
    return with_rejections(batch, future.result() if future is not None else ())


def describe_installed(model: str) -> str:
    """The model's name and version from its installed metadata, without loading it."""
    try:
        import spacy

        meta = spacy.info(model) if not os.path.isdir(model) else {}
        return f"{meta.get('lang', 'en')}_{meta.get('name', model)}-{meta.get('version', '?')}"
    except Exception:  # describing is best effort; loading reports real problems
        return model
