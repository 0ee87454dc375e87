"""Running extraction over a stream of documents, in one process or several.

Extracting one document is a pure function of its text and metadata
(:func:`extract_documents` on a batch); the spaCy pipeline is loaded once per
worker process by the pool's initializer and never pickled.  Input is consumed
lazily and at most a few batches per worker are in flight, so memory stays flat
however large the corpus.  Results come back in input order, so any number of
workers gives byte-identical output.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union

from .extractor import ExtractOptions, triples_from_parses
from .files import batched
from .nlp import DEFAULT_MODEL, load_model, model_description, pieces
from .records import Document, Rejection, Triple
from .sources import iter_documents, make_document, one_line

log = logging.getLogger(__name__)

#: Documents sent to a worker at once.
BATCH_DOCS = 16
#: Batches in flight per worker (bounds memory; keeps workers busy).
INFLIGHT_PER_WORKER = 3
#: Rejections kept in :attr:`RunStats.rejections` (all are counted; a huge bad input must not fill memory).
KEEP_REJECTIONS = 1000


@dataclass
class DocResult:
    """Extraction result of one document."""

    doc_id: str
    triples: list
    sentences: int
    words: int


@dataclass
class RunStats:
    """Counts of a run: nothing read goes unaccounted (read = processed + rejected).

    ``rejections`` keeps the first :data:`KEEP_REJECTIONS` rejections; callers see every one as it is yielded.
    """

    model: str = ""
    read: int = 0
    processed: int = 0
    rejected: int = 0
    skipped: int = 0  # documents done by an earlier run (``kg extract --resume``); not read again
    sentences: int = 0
    words: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejections: list = field(default_factory=list)

    def add(self, item: Union[DocResult, Rejection]) -> None:
        """Count one result."""
        self.read += 1
        if isinstance(item, Rejection):
            self.rejected += 1
            if len(self.rejections) < KEEP_REJECTIONS:
                self.rejections.append(item)
        else:
            self.processed += 1
            self.sentences += item.sentences
            self.words += item.words
            self.triples += len(item.triples)

    def add_counts(self, counts: dict, *, work: bool = True) -> None:
        """Add the counts of a run part (a shard's manifest entry); ``work=False`` leaves out its
        sentences and words (a shard done by an earlier run), so words/s stay this run's.  All of its
        rejections are kept: a sharded ``kg extract --rejects`` writes them from here."""
        for k in ("read", "processed", "rejected", "triples") + (("sentences", "words") if work else ()):
            setattr(self, k, getattr(self, k) + counts.get(k, 0))
        self.rejections.extend(Rejection(**r) for r in counts.get("rejections", ()))

    def summary(self) -> str:
        """One line for the end of a run."""
        rate = f", {self.words / self.seconds:,.0f} words/s" if self.seconds > 0 and self.words else ""
        skipped = f"{self.skipped} documents already done, skipped; " if self.skipped else ""
        return (f"{skipped}{self.read} documents read, {self.processed} processed, {self.rejected} rejected; "
                f"{self.sentences} sentences, {self.triples} triples; model {self.model}; "
                f"{self.seconds:.1f} s{rate}")


# ------------------------------------------------------------ per process

_STATE: dict = {}


def _init_worker(model: str, options: ExtractOptions) -> None:
    """Pool initializer: load the pipeline once in this process."""
    logging.getLogger("spacy").setLevel(logging.ERROR)
    _STATE["nlp"] = load_model(model)
    _STATE["options"] = options


def extract_documents(docs: list, nlp, options: ExtractOptions) -> list:
    """Pure batch step: documents in, a :class:`DocResult` or :class:`Rejection` for each out.

    All pieces of the batch go through ``nlp.pipe`` together; a document whose
    extraction fails becomes a rejection and the rest of the batch goes on.
    """
    # Strings and lexemes the batch adds to the shared vocabulary are freed when the batch is
    # done (spaCy's memory zone), so a long run does not grow with the words it has seen.
    # Everything that reads the parses happens inside the zone.
    with nlp.memory_zone():
        return _extract_in_zone(docs, nlp, options)


def _extract_in_zone(docs: list, nlp, options: ExtractOptions) -> list:
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
                                 sum(1 for _, s in ps for t in s if not (t.is_punct or t.is_space))))
        except Exception as exc:
            log.debug("extraction failed for %s", d.id, exc_info=True)
            out.append(Rejection(d.source or d.id, one_line(f"extraction failed: {type(exc).__name__}: {exc}")[:300], d.id))
    if failed_parse is not None:
        log.debug("batch parse failed (%s); documents were parsed one by one", failed_parse)
    return out


def _worker_batch(docs: list) -> list:
    return extract_documents(docs, _STATE["nlp"], _STATE["options"])


# ------------------------------------------------------------ driver

def run(items: Iterable[Union[Document, Rejection]], *, model: str = DEFAULT_MODEL, workers: int = 1,
        options: ExtractOptions = ExtractOptions(), stats: Optional[RunStats] = None,
        batch_docs: int = BATCH_DOCS) -> Iterator[Union[DocResult, Rejection]]:
    """Extract every document of ``items`` (rejections pass through), in input order.

    ``stats`` (if given) is filled as results are yielded.
    """
    stats = stats if stats is not None else RunStats()
    started = time.perf_counter()
    workers = max(1, int(workers))
    if workers == 1:
        nlp = load_model(model)
        stats.model = model_description(nlp)
        results = (r for batch in batched(items, batch_docs) for r in _run_batch_local(batch, nlp, options))
    else:
        results = _run_pool(items, model, workers, options, batch_docs, stats)
    for r in results:
        stats.add(r)
        stats.seconds = time.perf_counter() - started
        yield r
    stats.seconds = time.perf_counter() - started


def documents_in(batch: list) -> list:
    """The documents of a batch of input items (its rejections left out)."""
    return [d for d in batch if isinstance(d, Document)]


def with_rejections(batch: list, results: Iterable) -> list:
    """The batch's results in input order: each rejection as it was, each document replaced by the
    next of ``results`` (the results of :func:`documents_in` of the batch)."""
    done = iter(results)
    return [item if isinstance(item, Rejection) else next(done) for item in batch]


def _run_batch_local(batch: list, nlp, options: ExtractOptions) -> list:
    docs = documents_in(batch)
    return with_rejections(batch, extract_documents(docs, nlp, options) if docs else ())


def _run_pool(items, model, workers, options, batch_docs, stats) -> Iterator:
    """Batches through a process pool, in order; a pool whose worker died is replaced."""
    # Describe the model from the parent without loading it twice into workers' memory.
    stats.model = _describe_installed(model)
    new_pool = lambda: ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,  # noqa: E731
                                           initargs=(model, options))
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


def _describe_installed(model: str) -> str:
    try:
        import spacy

        meta = spacy.info(model) if not os.path.isdir(model) else {}
        return f"{meta.get('lang', 'en')}_{meta.get('name', model)}-{meta.get('version', '?')}"
    except Exception:  # describing is best effort; loading reports real problems
        return model


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
