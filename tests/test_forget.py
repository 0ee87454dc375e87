"""Change in a build directory: an edited document replaces its facts, ``kg forget`` removes documents;
either way the directory equals a clean build of the current documents, byte for byte."""
import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.records import Argument, Document, Predicate, Rejection, Triple
from kg.run.sink import ResumableSink, locked
from kg.run.stats import DocResult, RunStats
from kg.run.unique import once_each

OUTPUTS = ("triples.jsonl", "documents.jsonl", "graph.json", "view.html")
A = {"id": "a", "text": "The Liberal Democratic Party (LDP) pledged to support Taiwan."}
B = {"id": "b", "text": "Japan condemned the missile test. Toyota opened a plant in Kentucky."}
B2 = {"id": "b", "text": "Japan condemned the missile test. Honda closed a factory in Ohio."}
C = {"id": "c", "text": "The LDP thanked the Philippine government."}


def kg(capsys, *args):
    code = main(["-q", *map(str, args)])
    return code, capsys.readouterr().err


def corpus(tmp_path, name, *docs) -> Path:
    """``docs`` as ``NAME/docs.jsonl`` (one file name for every corpus, so origins compare equal)."""
    path = tmp_path / name / "docs.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def build(capsys, inputs, out):
    return kg(capsys, "build", inputs, "--out", out, "--no-neo4j")


def outputs(out: Path) -> dict:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def nodes(out: Path) -> set:
    return {n["id"] for n in json.loads((out / "graph.json").read_text(encoding="utf-8"))["nodes"]}


def sentences(out: Path) -> set:
    return {json.loads(x)["sentence"] for x in (out / "triples.jsonl").read_text(encoding="utf-8").splitlines()}


@pytest.mark.model
def test_an_edited_document_replaces_exactly_its_facts_and_equals_a_clean_build(tmp_path, capsys):
    out = tmp_path / "incremental" / "out"
    assert build(capsys, corpus(tmp_path, "v1", A, B, C), out)[0] == 0
    assert any("Toyota" in s for s in sentences(out))
    code, err = build(capsys, corpus(tmp_path, "v2", A, B2, C), out)
    assert code == 0 and "3 documents read (2 already built, 1 processed, 1 replaced, 0 rejected)" in err
    assert not any("Toyota" in s for s in sentences(out)) and any("Honda" in s for s in sentences(out))
    clean = tmp_path / "clean" / "out"
    assert build(capsys, corpus(tmp_path, "v2-clean", A, B2, C), clean)[0] == 0
    assert outputs(out) == outputs(clean)
    # idempotent: the edited document is now the built one
    code, err = build(capsys, corpus(tmp_path, "v2-again", A, B2, C), out)
    assert code == 0 and "3 already built, 0 processed, 0 rejected" in err
    assert outputs(out) == outputs(clean)


@pytest.mark.model
def test_forget_removes_documents_and_equals_a_clean_build_of_the_rest(tmp_path, capsys):
    out = tmp_path / "incremental" / "out"
    assert build(capsys, corpus(tmp_path, "all", A, B, C), out)[0] == 0
    assert "org:toyota" in nodes(out)
    code, err = kg(capsys, "forget", "b", "nope", "--out", out)
    assert code == 0
    assert err.splitlines()[0] == f"kg forget: not in {out}: nope"
    assert "1 documents forgotten; graph of 2 documents" in err
    clean = tmp_path / "clean" / "out"
    assert build(capsys, corpus(tmp_path, "rest", A, C), clean)[0] == 0
    assert outputs(out) == outputs(clean)
    assert "org:toyota" not in nodes(out) and "org:liberal democratic party" in nodes(out)
    # idempotent: forgetting it again changes nothing and says so in one line
    code, err = kg(capsys, "forget", "b", "--out", out)
    assert code == 1 and err.splitlines() == [f"kg forget: not in {out}: b; nothing forgotten"]
    assert outputs(out) == outputs(clean)
    # a forgotten document given again is built again like a new one
    code, err = build(capsys, corpus(tmp_path, "again", A, B, C), out)
    assert code == 0 and "2 already built, 1 processed, 0 rejected" in err


def test_forget_on_a_directory_without_a_build_is_an_error_and_creates_nothing(tmp_path, capsys):
    code, err = kg(capsys, "forget", "a", "--out", tmp_path / "none")
    assert code == 1 and err.strip() == f"kg forget: error: {tmp_path / 'none'} holds no build (no documents.jsonl)"
    assert not (tmp_path / "none").exists()


# --- the sink without a model ------------------------------------------------------------

def sink(tmp_path, replace=True):
    return ResumableSink(tmp_path / "triples.jsonl", tmp_path / "documents.jsonl", lock=tmp_path / ".lock",
                         name=str(tmp_path), replace=replace)


def triples(doc_id, n, word="thanked"):
    arg = Argument("Japan", "Japan", "place:japan", "GPE", 0, 5)
    return [Triple(doc_id, f"{doc_id}:{i}", f"Japan {word} Chile.", arg, Predicate(word, word), arg) for i in range(n)]


def record(s, doc_id, n, text="Japan thanked Chile.", word="thanked"):
    doc = Document(doc_id, text, source="in.jsonl")
    s.record(doc, DocResult(doc_id, triples(doc_id, n, word), 1, 3) if n >= 0 else Rejection("in.jsonl", "bad", doc_id))


def files(tmp_path) -> tuple[bytes, bytes]:
    return (tmp_path / "triples.jsonl").read_bytes(), (tmp_path / "documents.jsonl").read_bytes()


@pytest.mark.parametrize("edit", [("b", 3), ("b", 0), ("b", -1), ("a", 2), ("c", 4)])
def test_an_edit_takes_the_place_of_the_old_document_in_both_files(tmp_path, edit):
    """Middle, first and last documents; an edit with no triples, and one now rejected."""
    doc_id, n = edit
    (tmp_path / "inc").mkdir()
    (tmp_path / "clean").mkdir()
    with sink(tmp_path / "inc") as s:
        for d in "abc":
            record(s, d, 2)
    with sink(tmp_path / "inc") as s:
        record(s, doc_id, n, text="Japan praised Chile.", word="praised")
        assert s.replaced == 1
    with sink(tmp_path / "clean") as s:
        for d in "abc":
            record(s, d, *((n, "Japan praised Chile.", "praised") if d == doc_id else (2,)))
    assert files(tmp_path / "inc") == files(tmp_path / "clean")


def test_without_replace_the_sink_appends_and_the_rule_refuses_other_content(tmp_path):
    with sink(tmp_path, replace=False) as s:
        record(s, "a", 1)
    with sink(tmp_path, replace=False) as s:
        out = list(once_each([Document("a", "Japan praised Chile.", source="two.jsonl")], RunStats(),
                             committed=s.committed))
    assert [type(x).__name__ for x in out] == ["Rejection"]


def test_an_edit_passes_once_per_run_and_the_rule_holds_within_the_run(tmp_path):
    with sink(tmp_path) as s:
        record(s, "a", 1)
    stats = RunStats()
    with sink(tmp_path) as s:
        edited = Document("a", "Japan praised Chile.", source="two.jsonl")
        out = list(once_each([edited, Document("a", "Japan met Chile.", source="three.jsonl"), edited,
                              Document("a", "Japan thanked Chile.", source="in.jsonl")], stats,
                             committed=s.committed))
    assert out[0] is edited
    assert [x.reason for x in out[1:]] == ["id 'a' is already used by a different document (in two.jsonl)"] * 2
    assert stats.duplicates == 1


def test_forget_drops_every_line_of_the_documents_and_is_idempotent(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "clean").mkdir()
    with sink(tmp_path / "inc") as s:
        for d, n in (("a", 2), ("b", 3), ("c", -1), ("d", 1)):
            record(s, d, n)
    with sink(tmp_path / "inc") as s:
        assert s.forget(["c", "b", "x", "b"]) == ["c", "b"]
        assert s.committed("b") is None
        record(s, "e", 1)  # appending after a forget goes to the new files
    with sink(tmp_path / "inc") as s:
        assert s.forget(["b", "c"]) == []
    with sink(tmp_path / "clean") as s:
        for d, n in (("a", 2), ("d", 1), ("e", 1)):
            record(s, d, n)
    assert files(tmp_path / "inc") == files(tmp_path / "clean")


def test_a_forget_stopped_before_the_graph_is_finished_by_the_next_one(tmp_path):
    """The sink's files are rewritten first: forgetting again (nothing left to remove) rebuilds the graph."""
    from kg.build import BuildReport, build_state, forget, write_outputs

    out, clean = tmp_path / "out", tmp_path / "clean"
    for d, ids in ((out, "ab"), (clean, "a")):
        with build_state(d) as s:
            for doc_id in ids:
                record(s, doc_id, 2, word="praised" if doc_id == "b" else "thanked")
            write_outputs(s, BuildReport(out=d), views=False)
    with build_state(out) as s:
        assert s.forget(["b"]) == ["b"]  # and the process dies here
    report = forget(["b"], out=out)
    assert report.forgotten == [] and report.unknown == ["b"]
    assert [(out / n).read_bytes() for n in OUTPUTS[:3]] == [(clean / n).read_bytes() for n in OUTPUTS[:3]]


def test_forget_stops_while_a_build_holds_the_directory(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text("", encoding="utf-8")
    with locked(out / ".lock", name=str(out)):
        code, err = kg(capsys, "forget", "a", "--out", out)
    assert code == 1 and "is being built by process" in err


def test_a_crash_between_the_two_rewrites_is_recovered(tmp_path):
    """The data file is rewritten first: a ledger line left without its triples is extracted again."""
    with sink(tmp_path) as s:
        for d in "ab":
            record(s, d, 2)
    data = tmp_path / "triples.jsonl"
    data.write_bytes(b"".join(x for x in data.read_bytes().splitlines(keepends=True) if b'"doc_id": "a"' not in x))
    with sink(tmp_path) as s:
        assert s.committed("a") is None and s.committed("b") is not None

