"""The resumable sink without a model: the lock, start-up recovery, and one document per id across runs."""
import json
import os
import re
import subprocess
import sys
import threading
import time

import pytest

from kg.errors import UserError
from kg.records import Argument, Document, Predicate, Rejection, Triple
from kg.run.sink import ResumableSink, locked, triple_line
from kg.run.stats import DocResult, RunStats
from kg.run.unique import content_digest, once_each


def sink(tmp_path, **kw):
    return ResumableSink(tmp_path / "t.jsonl", tmp_path / "t.jsonl.done", lock=tmp_path / "t.jsonl.lock",
                         name=str(tmp_path / "t.jsonl"), **kw)


def triple(doc_id, n):
    arg = Argument("Japan", "Japan", "place:japan", "GPE", 0, 5)
    return Triple(doc_id, f"{doc_id}:{n}", "Japan thanked Chile.", arg, Predicate("thank", "thank"), arg)


def done_doc(s, doc_id, n_triples, source="one.jsonl", text="Japan thanked Chile."):
    d = Document(doc_id, text, source=source)
    s.record(d, DocResult(doc_id, [triple(doc_id, i) for i in range(n_triples)], 1, 3))
    return d


def test_resume_cuts_a_partial_line_and_an_unfinished_document(tmp_path):
    out = tmp_path / "t.jsonl"
    line = lambda d, n: json.dumps({"doc_id": d, "n": n}) + "\n"  # noqa: E731
    out.write_text(line("a", 1) + line("a", 2) + line("b", 1) + '{"doc_id": "b", "n"', encoding="utf-8")
    (tmp_path / "t.jsonl.done").write_text('"a"\n"z"\n"b', encoding="utf-8")  # ids alone: as older runs kept them
    with sink(tmp_path) as r:
        assert set(r.done) == {"a", "z"}
        done_doc(r, "b", 1)
    assert out.read_text() == line("a", 1) + line("a", 2) + triple_line(triple("b", 0))
    ledger = (tmp_path / "t.jsonl.done").read_text().splitlines()
    assert ledger[:2] == ['"a"', '"z"'] and json.loads(ledger[2])["id"] == "b" and len(ledger) == 3


def test_resume_without_ledger_takes_the_ids_in_the_output(tmp_path):
    out = tmp_path / "t.jsonl"
    out.write_text('{"doc_id": "a"}\n{"doc_id": "b"}\n{"doc', encoding="utf-8")
    with sink(tmp_path) as r:
        assert set(r.done) == {"a", "b"}
    assert out.read_text() == '{"doc_id": "a"}\n{"doc_id": "b"}\n'
    assert [json.loads(x)["id"] for x in (tmp_path / "t.jsonl.done").read_text().splitlines()] == ["a", "b"]


def test_recovery_keeps_every_committed_document_and_redoes_one_whose_triples_are_gone(tmp_path):
    with sink(tmp_path) as s:
        for doc_id, n in (("a", 2), ("b", 1), ("c", 2), ("empty", 0)):
            done_doc(s, doc_id, n)
    out = tmp_path / "t.jsonl"
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    # b's triple line lost (as a second run's recovery used to drop it), and a document cut short at the end
    out.write_text("".join(x for x in lines if '"doc_id": "b"' not in x) + '{"doc_id": "d", "sen',
                   encoding="utf-8")
    with sink(tmp_path) as s:
        assert sorted(s.done) == ["a", "c", "empty"]
        done_doc(s, "b", 1)
    with sink(tmp_path) as s:
        assert sorted(s.done) == ["a", "b", "c", "empty"]
    kept = [json.loads(x)["doc_id"] for x in out.read_text(encoding="utf-8").splitlines()]
    assert kept == ["a", "a", "c", "c", "b"]
    ledger = [json.loads(x) for x in (tmp_path / "t.jsonl.done").read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in ledger] == ["a", "c", "empty", "b"] and ledger[-1]["triples"] == 1


def test_a_second_writer_stops_at_once_naming_the_first_and_nothing_is_lost(tmp_path):
    with sink(tmp_path) as first:
        done_doc(first, "a", 2)
        message = rf"^{re.escape(str(tmp_path / 't.jsonl'))} is being built by process {os.getpid()}$"
        with pytest.raises(UserError, match=message):
            sink(tmp_path).__enter__()
        done_doc(first, "b", 1)  # the first run goes on writing where it was
    with sink(tmp_path) as again:
        assert sorted(again.done) == ["a", "b"]
    assert len((tmp_path / "t.jsonl").read_text().splitlines()) == 3


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "t.jsonl.lock").write_text(dead.stdout)
    with sink(tmp_path) as s:
        done_doc(s, "a", 1)
        assert (tmp_path / "t.jsonl.lock").read_text() == f"{os.getpid()}\n"


def test_wait_waits_for_the_holder(tmp_path):
    lock, order = tmp_path / "x.lock", []

    def second():
        with locked(lock, name="x", wait=True):
            order.append("second")

    with locked(lock, name="x"):
        t = threading.Thread(target=second)
        t.start()
        time.sleep(0.3)
        order.append("first done")
    t.join(10)
    assert order == ["first done", "second"]


def test_an_id_reused_with_other_content_is_refused_on_resume_and_the_same_document_skipped(tmp_path):
    with sink(tmp_path) as s:
        done_doc(s, "dup", 1, source="one.jsonl", text="Mazda sued Subaru.")
    stats = RunStats()
    with sink(tmp_path) as s:
        items = [Document("dup", "Honda met Nissan in Tokyo.", source="two.jsonl"),
                 Document("dup", "Mazda sued Subaru.", source="three.jsonl"),
                 Document("new", "Honda met Nissan in Tokyo.", source="two.jsonl")]
        out = list(once_each(items, stats, committed=s.committed))
        assert s.committed("dup")["digest"] == content_digest(items[1])
    assert [type(x).__name__ for x in out] == ["Rejection", "Document"]
    assert out[0] == Rejection("two.jsonl", "id 'dup' is already used by a different document (in one.jsonl)", "dup")
    assert (stats.skipped, stats.duplicates) == (1, 0)


@pytest.mark.parametrize("second, kept, reason", [
    (Document("a", "Honda met Nissan in Tokyo.", source="two.jsonl"), 1,
     "id 'a' is already used by a different document (in one.jsonl)"),
    (Document("a", "Mazda sued Subaru.", title="Another title", source="two.jsonl"), 1,
     "id 'a' is already used by a different document (in one.jsonl)"),
    (Document("a", "Mazda sued Subaru.", source="two.jsonl"), 1, None),
    (Document("b", "Honda met Nissan in Tokyo.", source="two.jsonl"), 2, None),
])
def test_within_one_run_an_id_names_one_document(second, kept, reason):
    stats = RunStats()
    first = Document("a", "Mazda sued Subaru.", source="one.jsonl")
    out = list(once_each([first, second, Rejection("bad.jsonl:3", "invalid JSON")], stats))
    docs = [x for x in out if isinstance(x, Document)]
    rejected = [x.reason for x in out if isinstance(x, Rejection) and x.doc_id]
    assert len(docs) == kept and docs[0] is first and out[-1].origin == "bad.jsonl:3"
    assert rejected == ([reason] if reason else [])
    assert stats.duplicates == (1 if kept == 1 and not reason else 0)
