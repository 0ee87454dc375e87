"""``kg extract`` over a directory of bad and good files: reasons, summary, exit codes, output, resume."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main
from kg.records import Triple

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
NEWS = ["The United Nations condemned the missile test on Tuesday.",
        "Germany pledged to support Ukraine's reconstruction.",
        "The World Health Organization (WHO) praised Vietnam.",
        "Samsung will invest in a new factory in Texas."]

# file name -> (content, expected reason fragment, or None when the file is processed)
BAD_AND_GOOD = {
    "empty.txt": (b"", "empty document"),
    "blank.txt": (b"   \n\t\r\n  \n", "empty document"),
    "latin1.txt": ("Le Monde a cité le ministre.".encode("latin-1"), "not valid UTF-8"),
    "image.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "binary"),
    "program": (b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x01\x02" * 300, "binary"),
    "controls.txt": (b"\x01\x02\x03\x1b[31m\x7f\x08" * 50, "not prose"),
    "scripts.html": (b"<html><head><script>alert(1)</script></head><body><script>x()</script></body></html>",
                     "empty document"),
    "table.csv": (b"id,body\n1,Japan met Taiwan.\n", "'text' column"),
    "page.html": (f"<!DOCTYPE html><html><head><title>News</title><style>p{{}}</style></head><body>"
                  f"<h1>Talks</h1><p>{NEWS[0]}</p><div>{NEWS[1]}</div></body></html>".encode(), None),
    "notes.md": (f"# Briefing\n\n* {NEWS[2]}\n* **{NEWS[3]}**\n\n> quoted [link](http://x.org)\n".encode(), None),
    "noisy.txt": (f"\x01\x07{NEWS[1]}\x0b\x0c\u2028{NEWS[0]}\x1b[0m\r\n".encode(), None),
    "good.txt": (f"{NEWS[0]}\n\n{NEWS[1]}".encode(), None),
}
RECORDS = [json.dumps({"id": "r1", "text": NEWS[3]}), "{not json", json.dumps({"id": "r3", "title": "no text"}),
           json.dumps({"id": "r4", "text": 42}), json.dumps([1, 2]), "", json.dumps({"text": NEWS[2]})]
RECORD_REASONS = {"records.jsonl:2": "invalid JSON", "records.jsonl:3": "no 'text'",
                  "records.jsonl:4": "not a string", "records.jsonl:5": "not an object"}
REJECTION = re.compile(r"^kg extract: rejected (.+?): (.+)$")
SUMMARY = re.compile(r"(\d+) documents read, (\d+) processed, (\d+) rejected")


def write_mixed(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    for name, (content, _) in BAD_AND_GOOD.items():
        (d / name).write_bytes(content)
    (d / "records.jsonl").write_text("\n".join(RECORDS) + "\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    return write_mixed(tmp_path_factory.mktemp("hostile") / "in")


def kg(capsys, *argv) -> tuple[int, str, str]:
    code = main(["-q", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def summary(err: str) -> tuple[int, int, int]:
    (line,) = [ln for ln in err.splitlines() if ln.startswith("kg extract: ") and "documents read" in ln]
    return tuple(int(x) for x in SUMMARY.search(line).groups())


def rejections(err: str) -> dict:
    return dict(REJECTION.match(ln).groups() for ln in err.splitlines() if REJECTION.match(ln))


def read_triples(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n")
    return [Triple.from_dict(json.loads(line)) for line in text.splitlines()]


def test_each_bad_file_gets_one_line_and_the_batch_goes_on(mixed, tmp_path, capsys):
    out = tmp_path / "t.jsonl"
    code, stdout, err = kg(capsys, "extract", mixed, "-o", out)
    assert code == 0 and stdout == ""
    expected = {f"in/{name}": reason for name, (_, reason) in BAD_AND_GOOD.items() if reason}
    expected.update({f"in/{k}": v for k, v in RECORD_REASONS.items()})
    got = rejections(err)
    assert set(got) == set(expected)
    assert all(expected[origin] in reason for origin, reason in got.items())
    read, processed, rejected = summary(err)
    n_good = sum(reason is None for _, reason in BAD_AND_GOOD.values()) + 2  # + two good records
    assert (read, processed, rejected) == (n_good + len(expected), n_good, len(expected))
    assert len(err.splitlines()) == rejected + 1
    triples = read_triples(out)
    assert {t.doc_id.split("#")[0] for t in triples} >= {"in/page.html", "in/notes.md", "in/noisy.txt", "in/good.txt", "r1"}


def test_workers_give_byte_identical_output(mixed, tmp_path, capsys):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert kg(capsys, "extract", mixed, "-o", one, "--workers", "1")[0] == 0
    code, _, err = kg(capsys, "extract", mixed, "-o", two, "--workers", "2")
    assert code == 0 and one.read_bytes() == two.read_bytes() and one.stat().st_size > 0
    assert summary(err)[0] == len(rejections(err)) + summary(err)[1]


def test_nothing_processed_exits_1_and_usage_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("empty.txt", "image.png", "latin1.txt", "table.csv"):
        (bad / name).write_bytes(BAD_AND_GOOD[name][0])
    code, _, err = kg(capsys, "extract", bad, "-o", tmp_path / "o.jsonl")
    assert code == 1 and summary(err) == (4, 0, 4) and len(rejections(err)) == 4
    assert (tmp_path / "o.jsonl").read_text() == ""
    assert kg(capsys, "extract", bad, "--workers", "0")[0] == 2
    code, _, err = kg(capsys, "extract", bad, "--resume")
    assert code == 2 and "--resume needs an output file" in err


def test_rejection_lines_escape_hostile_file_names(tmp_path, capsys):
    d = tmp_path / "names"
    d.mkdir()
    (d / "evil\x1b[2J\nname.txt").write_bytes(b"")
    (d / "ok.txt").write_text(NEWS[0], encoding="utf-8")
    code, _, err = kg(capsys, "extract", d)
    assert code == 0
    (line,) = [ln for ln in err.splitlines() if REJECTION.match(ln)]
    assert "\x1b" not in err and "evil\\x1b[2J\\nname.txt: empty document" in line


def big_document(paragraph_sep: str) -> str:
    """About 5 MB: short news sentences, each followed by a long run without spaces (not parsed)."""
    blob = ("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" * 300)[:10_000]
    paras = [f"{NEWS[i % len(NEWS)]} {blob}" for i in range(500)]
    return paragraph_sep.join(paras)


@pytest.mark.parametrize("sep", ["\n\n", " "], ids=["paragraphs", "one-line"])
def test_a_5_mb_document_is_split_and_processed(tmp_path, capsys, sep):
    text = big_document(sep)
    assert len(text) > 5_000_000
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "t.jsonl"
    code, _, err = kg(capsys, "extract", tmp_path / "big.txt", "-o", out)
    assert code == 0 and summary(err) == (1, 1, 0)
    triples = read_triples(out)
    assert len({t.sentence_start for t in triples}) >= 400
    assert max(t.subject.start for t in triples) > 4_900_000
    assert all(text[t.subject.start:t.subject.end] == t.subject.text for t in triples)


# ---------------------------------------------------------------- resume

def small_corpus(d: Path, n: int) -> Path:
    d.mkdir()
    for i in range(n):
        body = NEWS[i % len(NEWS)] if i % 5 else "Nothing happened here today."  # some give no triples
        (d / f"doc{i:04d}.txt").write_text(f"{body}\nReport number {i} ends.", encoding="utf-8")
    (d / "zz-empty.txt").write_bytes(b"")
    return d


def test_a_killed_run_resumes_to_the_same_output(tmp_path, capsys):
    corpus = small_corpus(tmp_path / "corpus", 400)
    clean = tmp_path / "clean.jsonl"
    assert kg(capsys, "extract", corpus, "-o", clean)[0] == 0
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "kg", "-q", "extract", str(corpus), "-o", str(out), "--resume"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > 0:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the first run ended before it could be killed"
    partial = out.read_bytes()
    assert 0 < len(partial) < clean.stat().st_size
    done = Path(str(out) + ".done").read_text(encoding="utf-8").splitlines()
    assert 0 < len(done) < 400 and any("doc0000.txt" in d for d in done)  # a document without triples
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    skipped = int(re.search(r"(\d+) documents already done, skipped", again.stderr).group(1))
    read, processed, rejected = summary(again.stderr)
    assert skipped >= len(done) - 1 and skipped + read == 401 and rejected == 1
    clean_lines = clean.read_text(encoding="utf-8").splitlines()
    out_lines = out.read_text(encoding="utf-8").splitlines()
    assert sorted(out_lines) == sorted(clean_lines) and len(set(out_lines)) == len(out_lines)
    assert out_lines == clean_lines
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and out.read_text(encoding="utf-8").splitlines() == clean_lines
    assert "400 documents already done, skipped; 1 documents read, 0 processed, 1 rejected" in again.stderr
