"""Change in a build directory: an edited document replaces its facts, ``kg forget`` removes documents;
either way the build holds what a clean build of the current documents holds, byte for byte (its
graph and triple records as ``kg export`` writes them, its ledger, its view)."""
import json
from pathlib import Path

import pytest

from kg.build import build_entries, build_triples, read_build_graph
from kg.cli import main
from kg.graph import graph_to_data
from kg.records import Argument, Document, Predicate, Rejection, Triple
from kg.run.sink import locked, triple_line
from kg.run.stats import DocResult

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


def contents(out: Path) -> dict:
    """What a build holds: its graph as ``kg export --format json`` writes it, its triple records as
    ``kg export --format triples`` writes them, and its ledger."""
    return {"graph": json.dumps(graph_to_data(read_build_graph(out)), ensure_ascii=False, sort_keys=True),
            "triples": "".join(triple_line(t) for t in build_triples(out)),
            "ledger": json.dumps(build_entries(out), ensure_ascii=False)}


def outputs(out: Path) -> dict:
    """:func:`contents` and the view."""
    return {**contents(out), "view": (out / "view.html").read_bytes()}


def nodes(out: Path) -> set:
    return set(read_build_graph(out).nodes)


def sentences(out: Path) -> set:
    return {t.sentence for t in build_triples(out)}


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
    assert code == 1 and err.strip() == f"kg forget: error: {tmp_path / 'none'} holds no build (no kg.sqlite)"
    assert not (tmp_path / "none").exists()


# --- the store without a model ------------------------------------------------------------

def triples(doc_id, n, word="thanked"):
    arg = Argument("Japan", "Japan", "place:japan", "GPE", 0, 5)
    other = Argument("Chile", "Chile", "place:chile", "GPE", len(f"Japan {word} "), len(f"Japan {word} Chile"))
    return [Triple(doc_id, f"{doc_id}:{i}", f"Japan {word} Chile.", arg, Predicate(word, word), other)
            for i in range(n)]


def record(s, doc_id, n, text="Japan thanked Chile.", word="thanked"):
    doc = Document(doc_id, text, source="in.jsonl")
    s.ledger.record(doc, DocResult(doc_id, triples(doc_id, n, word), 1, 3) if n >= 0
                    else Rejection("in.jsonl", "bad", doc_id))


def made(out: Path, docs) -> Path:
    """A build of ``docs`` ((id, number of triples, word) …) recorded in that order, brought up to date."""
    from kg.build import BuildReport, build_state, write_outputs

    with build_state(out) as s:
        for doc_id, n, word in docs:
            record(s, doc_id, n, text=f"Japan {word} Chile.", word=word)
        write_outputs(s, BuildReport(out=out), views=False)
    return out


@pytest.mark.parametrize("edit", [("b", 3), ("b", 0), ("b", -1), ("a", 2), ("c", 4)])
def test_an_edit_takes_the_place_of_the_old_document_and_the_build_equals_a_clean_one(tmp_path, edit):
    """Middle, first and last documents; an edit with no triples, and one now rejected."""
    from kg.build import BuildReport, build_state, write_outputs

    doc_id, n = edit
    out = made(tmp_path / "inc", [(d, 2, "thanked") for d in "abc"])
    with build_state(out) as s:
        record(s, doc_id, n, text="Japan praised Chile.", word="praised")
        assert s.ledger.replaced == 1
        write_outputs(s, BuildReport(out=out), views=False)
    clean = made(tmp_path / "clean", [(d, n, "praised") if d == doc_id else (d, 2, "thanked") for d in "abc"])
    assert contents(out) == contents(clean)


def test_forget_drops_the_documents_and_is_idempotent(tmp_path):
    from kg.build import forget

    out = made(tmp_path / "inc", [("a", 2, "thanked"), ("b", 3, "praised"), ("c", -1, "x"), ("d", 1, "met")])
    assert forget(["c", "b", "x", "b"], out=out).forgotten == ["c", "b"]
    assert forget(["b", "c"], out=out).forgotten == []
    clean = made(tmp_path / "clean", [("a", 2, "thanked"), ("d", 1, "met")])
    assert contents(out) == contents(clean)


def test_a_build_stopped_before_its_graph_was_brought_up_to_date_is_finished_by_the_next_one(tmp_path):
    """A document is committed first, the graph brought up to date after: a process that dies in between
    leaves the document marked, and the next one to open the build finishes it."""
    from kg.build import build_state, forget

    out = made(tmp_path / "out", [("a", 2, "thanked")])
    with build_state(out) as s:
        record(s, "b", 2, text="Japan praised Chile.", word="praised")  # and the process dies here
    assert "b" not in {d for _, _, d in read_build_graph(out).edges(data="docs") for d in d}
    report = forget(["x"], out=out)
    assert report.forgotten == [] and report.unknown == ["x"]
    clean = made(tmp_path / "clean", [("a", 2, "thanked"), ("b", 2, "praised")])
    assert contents(out) == contents(clean)


def test_forget_stops_while_a_build_holds_the_directory(tmp_path, capsys):
    out = made(tmp_path / "out", [("a", 1, "thanked")])
    with locked(out / ".lock", name=str(out)):
        code, err = kg(capsys, "forget", "a", "--out", out)
    assert code == 1 and "is being built by process" in err


def test_an_extract_output_appends_and_the_rule_refuses_other_content(tmp_path):
    """``kg extract --resume``'s sink takes no edits: a document id given again with other content is refused."""
    from kg.run.sink import ResumableSink
    from kg.run.stats import RunStats
    from kg.run.unique import once_each

    with ResumableSink(tmp_path / "t.jsonl", tmp_path / "t.jsonl.done", lock=None, name="t") as s:
        s.record(Document("a", "Japan thanked Chile.", source="in.jsonl"), DocResult("a", triples("a", 1), 1, 3))
    with ResumableSink(tmp_path / "t.jsonl", tmp_path / "t.jsonl.done", lock=None, name="t") as s:
        out = list(once_each([Document("a", "Japan praised Chile.", source="two.jsonl")], RunStats(),
                             committed=s.committed))
    assert [type(x).__name__ for x in out] == ["Rejection"]


def test_a_build_brought_up_to_date_a_few_documents_at_a_time_equals_one_done_at_once(tmp_path, monkeypatch):
    import kg.local.store

    docs = [(f"d{i}", i % 4, ("thanked", "praised", "met")[i % 3]) for i in range(12)]
    once = made(tmp_path / "once", docs)
    monkeypatch.setattr(kg.local.store, "REFRESH_BATCH", 5)
    assert contents(made(tmp_path / "batches", docs)) == contents(once)
