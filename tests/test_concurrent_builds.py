"""Two ``kg build`` runs on one ``--out`` (real processes): the second stops at once or waits, a dead
holder's lock is taken over, and no committed document is ever lost; ``kg extract --resume`` likewise."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build_entries, build_triples, read_build_graph
from kg.cli import main
from kg.run.sink import triple_line

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
SENTENCES = ["Japan pledged to support Taiwan's bid to join the trade pact.",
             "Germany and France agreed to invest in a joint satellite program.",
             "Brazil asked Argentina to lower its tariffs on steel imports.",
             "Canada imposed sanctions on three Russian banks, the finance ministry said.",
             "The International Monetary Fund (IMF) approved a loan for Egypt.",
             "Spain asked the European Union to fund a new gas pipeline."]


def corpus(path: Path, n: int, prefix: str) -> Path:
    path.write_text("".join(json.dumps({"id": f"{prefix}-{i:03d}", "text": " ".join(
        SENTENCES[(i + k) % len(SENTENCES)] for k in range(3)) + f" Report {prefix} {i} ends."}) + "\n"
        for i in range(n)), encoding="utf-8")
    return path


def kg(*args) -> list:
    return [sys.executable, "-m", "kg", "-q", *map(str, args)]


def wait_for(check, proc, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert proc.poll() is None, f"the first build ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def lines(path: Path) -> list:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def ledger(out: Path) -> list:
    """The ledger entries a build has committed so far (read while it runs)."""
    return build_entries(out) if (out / "kg.sqlite").exists() else []


def state(out: Path) -> tuple:
    """What a build directory holds: sorted triple lines, processed ids, graph size."""
    processed = sorted(e["id"] for e in build_entries(out) if e["status"] == "processed")
    g = read_build_graph(out)
    return sorted(triple_line(t) for t in build_triples(out)), processed, g.number_of_nodes(), g.number_of_edges()


def test_a_second_build_on_one_out_stops_or_waits_and_nothing_is_lost(tmp_path):
    big, small = corpus(tmp_path / "big.jsonl", 120, "big"), corpus(tmp_path / "small.jsonl", 3, "small")
    out = tmp_path / "out"
    first = subprocess.Popen(kg("build", big, "--out", out, "--no-neo4j", "--no-views"), cwd=ROOT, env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    waiting = None
    try:
        lock = out / ".lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid), first, "it took the lock")
        second = subprocess.run(kg("build", small, "--out", out, "--no-neo4j", "--no-views"), cwd=ROOT, env=ENV,
                                capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first build ended too soon for the test to mean anything"
        assert second.returncode == 1
        assert second.stderr.splitlines() == [f"kg build: error: {out} is being built by process {first.pid}"]
        waiting = subprocess.Popen(kg("build", small, "--out", out, "--no-neo4j", "--no-views", "--wait"), cwd=ROOT,
                                   env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        wait_for(lambda: len(ledger(out)) >= 3, first, "it committed documents")
        assert waiting.poll() is None, "the waiting build did not wait"
        committed = ledger(out)
        os.killpg(first.pid, signal.SIGKILL)  # the holder dies: its lock is taken over
        first.wait()
        assert waiting.wait(timeout=120) == 0, waiting.stderr.read()
    finally:
        for p in (first, waiting):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    after = ledger(out)
    assert after[:len(committed)] == committed, "a document the killed build committed was dropped"
    assert main(["-q", "build", str(big), str(small), "--out", str(out), "--no-neo4j", "--no-views"]) == 0
    clean = tmp_path / "clean"
    assert main(["-q", "build", str(big), str(small), "--out", str(clean), "--no-neo4j", "--no-views"]) == 0
    assert state(out) == state(clean)
    assert len(state(out)[1]) == 123


def test_builds_started_together_leave_one_building_and_one_clear_line(tmp_path):
    small = corpus(tmp_path / "small.jsonl", 4, "small")
    out = tmp_path / "out"
    procs = [subprocess.Popen(kg("build", small, "--out", out, "--no-neo4j"), cwd=ROOT, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = sorted((p.wait(timeout=180), p.stderr.read()) for p in procs)
    (ok, _), (busy, message) = results
    assert (ok, busy) == (0, 1)
    assert message.splitlines()[-1].startswith(f"kg build: error: {out} is being built by process ")
    clean = tmp_path / "clean"
    assert main(["-q", "build", str(small), "--out", str(clean), "--no-neo4j"]) == 0
    assert state(out) == state(clean)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_build_of_an_earlier_kg_is_taken_in_and_a_document_whose_triples_it_lost_is_extracted_again(
        tmp_path, capsys):
    docs = corpus(tmp_path / "docs.jsonl", 5, "doc")
    clean, damaged = tmp_path / "clean", tmp_path / "damaged"
    assert main(["-q", "build", str(docs), "--out", str(clean), "--no-neo4j", "--no-views"]) == 0
    # the files an earlier kg kept (triples.jsonl, documents.jsonl), as concurrent runs of it could
    # leave them: doc-002 in documents.jsonl, its triples gone
    damaged.mkdir()
    (damaged / "documents.jsonl").write_text("".join(json.dumps(e) + "\n" for e in build_entries(clean)),
                                             encoding="utf-8")
    triples = [triple_line(t) for t in build_triples(clean)]
    kept = [x for x in triples if json.loads(x)["doc_id"] != "doc-002"]
    assert len(kept) < len(triples)
    (damaged / "triples.jsonl").write_text("".join(kept), encoding="utf-8")
    capsys.readouterr()
    assert main(["-q", "build", str(docs), "--out", str(damaged), "--no-neo4j", "--no-views"]) == 0
    assert "4 already built, 1 processed" in capsys.readouterr().err
    assert state(damaged) == state(clean)


def test_a_second_extract_resume_on_one_output_stops_at_once(tmp_path):
    big = corpus(tmp_path / "big.jsonl", 60, "big")
    out = tmp_path / "t.jsonl"
    first = subprocess.Popen(kg("extract", big, "-o", out, "--resume"), cwd=ROOT, env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        lock = tmp_path / "t.jsonl.lock"
        wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid), first, "it took the lock")
        second = subprocess.run(kg("extract", big, "-o", out, "--resume"), cwd=ROOT, env=ENV, capture_output=True,
                                text=True, timeout=120)
        assert first.poll() is None, "the first run ended too soon for the test to mean anything"
        assert second.returncode == 1
        assert second.stderr.splitlines() == [f"kg extract: error: {out} is being written by process {first.pid}"]
        assert first.wait(timeout=180) == 0
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    one = tmp_path / "one.jsonl"
    assert main(["-q", "extract", str(big), "-o", str(one)]) == 0
    assert out.read_bytes() == one.read_bytes()
