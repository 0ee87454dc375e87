"""The build's ledger in the build store (commit, resume, edit in place, forget, rejected inputs, triple
lines byte for byte those of ``kg extract``'s resumable sink), the dirty marks, the import of a build
directory of an earlier kg (``triples.jsonl`` + ``documents.jsonl``), and a writer killed mid-record."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bench.forget import documents, edited
from kg.errors import UserError
from kg.local.db import connect, transaction
from kg.local.ledger import Ledger, import_legacy
from kg.records import Document, Rejection
from kg.run.driver import run
from kg.run.sink import ResumableSink, triple_line
from kg.run.stats import DocResult, RunStats

ROOT = Path(__file__).resolve().parents[1]
DOCS = documents(8)


def result(doc, triples):
    return DocResult(doc.id, triples, len({t.sentence_id for t in triples}), len(doc.text.split()))


def steps(docs=DOCS[:5]):
    """Processed documents, one with no triples, a document whose extraction failed, an unreadable input."""
    out = [(doc, result(doc, triples)) for doc, triples in docs]
    empty = Document("empty", "Nothing here.", source="in.jsonl")
    failed = Document("failed", "Too long.", source="in.jsonl")
    out[2:2] = [(empty, result(empty, [])), (failed, Rejection("in.jsonl", "too long", "failed"))]
    out.append((Rejection("in.jsonl", "line 9 is not JSON"),) * 2)
    return out


def open_ledger(tmp_path) -> Ledger:
    return Ledger(connect(tmp_path / "kg.sqlite"))


def feed(sink, items) -> None:
    for item, res in items:
        sink.record(item, res)


def files_of(items, out: Path) -> tuple[bytes, bytes]:
    """``triples.jsonl`` and ``documents.jsonl`` as a resumable sink writes them for ``items`` (the files a
    build directory of an earlier kg kept)."""
    out.mkdir(parents=True, exist_ok=True)
    with ResumableSink(out / "triples.jsonl", out / "documents.jsonl", lock=out / ".lock", name=str(out)) as state:
        feed(state, items)
    return (out / "triples.jsonl").read_bytes(), (out / "documents.jsonl").read_bytes()


def exported(ledger: Ledger) -> tuple[bytes, bytes]:
    return ("".join(ledger.lines()).encode("utf-8"),
            "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ledger.entries()).encode("utf-8"))


def test_lines_and_entries_are_the_bytes_the_build_sink_writes(tmp_path):
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    assert exported(ledger) == files_of(steps(), tmp_path / "files")
    statuses = [e["status"] for e in ledger.entries()]
    assert statuses == ["processed"] * 3 + ["rejected"] + ["processed"] * 3 + ["rejected"]
    assert ledger.replaced == 0


def test_a_committed_document_is_done_with_its_triples_and_a_reopened_store_skips_it(tmp_path):
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    (doc, triples) = DOCS[0]
    assert ledger.committed(doc.id)["on_change"] == "replace" and ledger.committed(doc.id)["triples"] == len(triples)
    assert ledger.committed("failed") is None and ledger.committed("nope") is None
    ledger.conn.close()
    again = open_ledger(tmp_path)
    assert list(again.done) == [d.id for d, _ in DOCS[:2]] + ["empty"] + [d.id for d, _ in DOCS[2:5]]
    assert dict(again.documents([doc.id])) == {doc.id: triples}
    stats = RunStats()  # the driver leaves out what the store holds: no model is loaded
    assert list(run([d for d, _ in DOCS[:5]], sink=again, stats=stats)) == [] and stats.skipped == 5


@pytest.mark.parametrize("position, n", [(1, 3), (1, 0), (1, -1), (0, 2), (4, 4)])
def test_an_edit_takes_the_old_documents_place_as_a_clean_build_of_the_final_documents(tmp_path, position, n):
    """Middle, first and last documents; an edit with no triples, and one now rejected."""
    doc, triples = DOCS[position]
    new_doc, new_result = edited(doc, triples[:max(n, 0)], 1)
    if n < 0:
        new_result = Rejection(doc.source, "too long", doc.id)
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    before = ledger.positions([doc.id])
    ledger.record(new_doc, new_result)
    assert ledger.replaced == 1
    assert ledger.positions([doc.id]) == ({} if n < 0 else before)
    final = [(new_doc, new_result) if item is doc else (item, res) for item, res in steps()]
    assert exported(ledger) == files_of(final, tmp_path / "clean")
    if n >= 0:
        assert dict(ledger.documents([doc.id])) == {doc.id: new_result.triples}


def test_forget_removes_the_documents_held_in_the_order_given_and_leaves_unknown_ids_alone(tmp_path):
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    a, b = DOCS[1][0].id, DOCS[3][0].id
    assert ledger.forget(["failed", b, "x", b, a]) == ["failed", b, a]
    assert ledger.committed(b) is None and ledger.positions([a, b]) == {}
    feed(ledger, [(DOCS[6][0], result(*DOCS[6]))])  # a new document after a forget goes last
    assert ledger.forget([b, "failed"]) == []
    rest = [(item, res) for item, res in steps() if getattr(item, "id", None) not in ("failed", a, b)]
    assert exported(ledger) == files_of(rest + [(DOCS[6][0], result(*DOCS[6]))], tmp_path / "clean")
    feed(ledger, [(DOCS[3][0], result(*DOCS[3]))])  # a forgotten document given again is a new one
    assert list(ledger.done)[-1] == b


def test_dirty_marks_follow_every_change_of_triples_until_cleared(tmp_path):
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    processed = sorted(ledger.done)
    assert ledger.dirty() == processed  # the rejected inputs changed no triples
    with transaction(ledger.conn):
        ledger.clear_dirty(processed[:-1])
    assert ledger.dirty() == processed[-1:]
    with transaction(ledger.conn):
        ledger.clear_dirty(processed)
    assert ledger.dirty() == []
    ledger.record(*edited(DOCS[1][0], DOCS[1][1], 1))
    ledger.forget([DOCS[0][0].id, "nope"])
    ledger.record(Document("bad", "x", source="in.jsonl"), Rejection("in.jsonl", "too long", "bad"))
    assert ledger.dirty() == sorted([DOCS[0][0].id, DOCS[1][0].id])
    ledger.conn.close()
    assert open_ledger(tmp_path).dirty() == sorted([DOCS[0][0].id, DOCS[1][0].id])


def test_documents_come_in_build_order_with_their_triples(tmp_path):
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    ids = [d.id for d, _ in DOCS[:5]]
    everything = list(ledger.documents())
    assert [d for d, _ in everything] == ids[:2] + ["empty"] + ids[2:]
    assert dict(everything) == {**{d.id: t for d, t in DOCS[:5]}, "empty": []}
    assert list(ledger.documents([ids[3], "nope", "empty", ids[0], "failed"])) == [
        (ids[0], DOCS[0][1]), ("empty", []), (ids[3], DOCS[3][1])]
    positions = ledger.positions(ids)
    assert sorted(positions, key=positions.get) == ids


def test_a_legacy_build_directory_with_a_half_written_tail_is_imported_once(tmp_path):
    out = tmp_path / "out"
    items = steps()
    items[1] = edited(DOCS[1][0], DOCS[1][1], 1)  # an edit, as an earlier kg put it in place
    data, ledger_file = files_of(items, out)
    with open(out / "triples.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"doc_id": "cut", "sentence_id": "cut:0"}) + "\n" + '{"doc_id": "cut", "sen')  # a crash
    store = connect(tmp_path / "kg.sqlite")
    assert import_legacy(store, out) == len(items)
    ledger = Ledger(store)
    assert exported(ledger) == (data, ledger_file)
    assert (out / "triples.jsonl").read_bytes() == data
    assert ledger.dirty() == sorted({item.id for item, _ in items if isinstance(item, Document)})
    assert ledger.committed(DOCS[1][0].id)["digest"] != ledger.committed(DOCS[0][0].id)["digest"]
    with pytest.raises(UserError, match="already holds a ledger"):
        import_legacy(store, out)


def test_no_per_document_operation_reads_the_whole_ledger(tmp_path):
    """Every statement run by record, replace, forget and committed searches an index (cost independent
    of the number of documents held); none scans a table."""
    ledger = open_ledger(tmp_path)
    feed(ledger, steps())
    statements = []
    ledger.conn.set_trace_callback(statements.append)
    ledger.record(DOCS[6][0], result(*DOCS[6]))
    ledger.record(*edited(DOCS[1][0], DOCS[1][1], 1))
    ledger.forget([DOCS[2][0].id, "nope"])
    ledger.committed(DOCS[3][0].id)
    ledger.positions([DOCS[3][0].id])
    ledger.conn.set_trace_callback(None)
    plans = [detail for sql in statements if sql.split()[0] in ("SELECT", "INSERT", "DELETE", "UPDATE")
             for *_, detail in ledger.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert any(p.startswith("SEARCH") for p in plans)
    assert not [p for p in plans if p.startswith("SCAN")]


WRITER = """
import sys
from bench.forget import documents
from kg.local.db import connect
from kg.local.ledger import Ledger
from kg.run.stats import DocResult
ledger = Ledger(connect(sys.argv[1]))
for i, (doc, triples) in enumerate(documents(int(sys.argv[2]))):
    ledger.record(doc, DocResult(doc.id, triples, 1, 1))
    if i == 20:
        print("committing", flush=True)
"""


def test_a_writer_killed_mid_record_leaves_every_committed_document_whole(tmp_path):
    docs = documents(3000)
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "kg.sqlite"), "3000"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "committing\n"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    ledger = open_ledger(tmp_path)
    held = list(ledger.done)
    assert 20 < len(held) < 3000
    assert held == [doc.id for doc, _ in docs[:len(held)]]
    assert list(ledger.documents()) == [(doc.id, triples) for doc, triples in docs[:len(held)]]
    assert [e["triples"] for e in ledger.entries()] == [len(t) for _, t in docs[:len(held)]]
    assert "".join(ledger.lines()) == "".join(triple_line(t) for _, triples in docs[:len(held)] for t in triples)
    assert ledger.dirty() == sorted(held)
