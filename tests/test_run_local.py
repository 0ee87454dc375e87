"""Extraction in this process and the local process pool (kg.run.local): batching, rejections, worker failures."""
from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from kg.nlp import load_model
from kg.run import local as pool
from kg.run.driver import run
from kg.run.local import extract_documents
from kg.run.stats import KEEP_REJECTIONS, DocResult, RunStats
from kg.extractor import ExtractOptions
from kg.records import Document, Rejection


@pytest.mark.model
def test_documents_sharing_an_id_keep_their_own_triples():
    docs = [Document("same", "Japan condemned the talks."),
            Document("same", "On Monday, Germany pledged to support Ukraine's reconstruction.")]
    out = extract_documents(docs, load_model(), ExtractOptions())
    for d, r in zip(docs, out):
        assert r.triples
        for t in r.triples:
            for arg in (t.subject, t.object):
                assert d.text[arg.start:arg.end] == arg.text


@pytest.mark.model
def test_new_words_do_not_accumulate_in_the_shared_vocabulary():
    # A long run sees millions of distinct words; each batch frees the strings it added.
    nlp = load_model()
    before = len(nlp.vocab.strings)
    for b in range(3):
        docs = [Document(f"d{b}-{i}", f"Zorblax{b}q{i} Corporation said Quentinar{b}q{i} backs Plorvania{b}q{i}.")
                for i in range(20)]
        out = extract_documents(docs, nlp, ExtractOptions())
        assert any(r.triples for r in out)
        assert any(f"q{i}" in t.object.name for r in out for t in r.triples for i in range(20))  # text read in the zone
        assert len(nlp.vocab.strings) == before


@pytest.mark.model
def test_extraction_failures_become_one_line_rejections(monkeypatch):
    def boom(document, parses, *, options):
        raise RuntimeError("bad\nrule\x1b[0m")

    monkeypatch.setattr(pool, "triples_from_parses", boom)
    stats = RunStats()
    (r,) = run([Document("d", "Lo met Sato.")], stats=stats)
    assert isinstance(r, Rejection) and r.reason == "extraction failed: RuntimeError: bad\\nrule\\x1b[0m"
    assert (stats.read, stats.processed, stats.rejected) == (1, 0, 1)


def test_kept_rejections_are_bounded_but_all_counted():
    stats = RunStats()
    for i in range(KEEP_REJECTIONS + 50):
        stats.add(Rejection(f"f{i}", "empty document (no text)"))
    assert stats.rejected == stats.read == KEEP_REJECTIONS + 50
    assert len(stats.rejections) == KEEP_REJECTIONS


class _Pool:
    """Stands in for a process pool: every submitted batch succeeds."""

    def __init__(self):
        self.submitted = 0

    def submit(self, fn, docs):
        self.submitted += 1
        f = Future()
        f.set_result([DocResult(d.id, [], 1, 1) for d in docs])
        return f

    def shutdown(self, **kw):
        pass


def _broken() -> Future:
    f = Future()
    f.set_exception(BrokenProcessPool("A process in the process pool was terminated abruptly"))
    return f


def test_a_dead_worker_rejects_its_batch_and_the_rest_is_resent():
    a, b = [Document("a", "A."), Rejection("x", "empty")], [Document("b", "B.")]
    pending = deque([(a, _broken()), (b, _broken())])
    fresh = _Pool()
    gen = pool._collect_next(pending, _Pool(), lambda: fresh)
    out = []
    try:
        while True:
            out.append(next(gen))
    except StopIteration as stop:
        assert stop.value is fresh
    assert [type(x).__name__ for x in out] == ["Rejection", "Rejection"]
    assert "worker process died" in out[0].reason and out[0].doc_id == "a" and out[1].reason == "empty"
    assert fresh.submitted == 1
    assert list(pool._collect(*pending.popleft())) == [DocResult("b", [], 1, 1)]


def _counting(n: int, pulled: list):
    for i in range(n):
        pulled[0] += 1
        yield Document(f"d{i}", f"Lo met Sato on day {i}.") if i % 7 else Rejection(f"r{i}", "empty document")


@pytest.mark.model
@pytest.mark.parametrize("workers", [1, 2])
def test_input_is_read_lazily_a_few_batches_ahead(workers):
    pulled, ahead = [0], []
    for k, _ in enumerate(run(_counting(200, pulled), workers=workers, batch_docs=8), 1):
        ahead.append(pulled[0] - k)
    assert len(ahead) == 200
    assert max(ahead) <= 8 * max(1, workers * pool.INFLIGHT_PER_WORKER)


@pytest.mark.model
def test_peak_memory_does_not_grow_with_a_streamed_corpus():
    import json
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parents[1] / "bench" / "hostile.py"
    peak = {}
    for n in (200, 2000):
        out = subprocess.run([sys.executable, str(bench), "--tiny", str(n)], capture_output=True, text=True, check=True)
        peak[n] = json.loads(out.stdout)["peak_rss_mb"]
    # 10x the documents; kept results would add tens of MB. Allow allocator noise only.
    assert peak[2000] - peak[200] < 25, peak
