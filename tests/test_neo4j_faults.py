"""Faults during a load, against a real Neo4j 5.26 server of this module's own.

The server is killed with SIGKILL in the middle of loads and restarted on the same store;
after the same load is run again the database must equal a clean single load, compared as a
full dump (every node and relationship with all properties).  The module starts its own
server (``tests/neo4j_process.py``) so the session's server is never killed under other tests.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import neo4j
import pytest
from neo4j import exceptions as neo4j_errors

from kg.neo4j import store
from kg.records import Argument, Predicate, Triple
from tests.neo4j_server import running_neo4j
from tests.synthetic import full_dump, synthetic_triples, wipe, write_jsonl

pytestmark = pytest.mark.neo4j

ROOT = Path(__file__).parent.parent
PASSWORD = "kg-faults-password"
TRIPLES = 3000
BATCH = 200
KILL_AFTER = 3  # batches committed before the kill
CORPUS = list(synthetic_triples(TRIPLES))
PREFIX = CORPUS[:KILL_AFTER * BATCH]
#: Where the document after the one cut by the end of PREFIX starts: a streamed load decides a
#: document (by its digest) once it has read all of it, so it writes PREFIX after reading this far.
AFTER_CUT = next(i for i in range(len(PREFIX), TRIPLES) if CORPUS[i].doc_id != PREFIX[-1].doc_id)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Neo4j process of this module only: killing it disturbs no other test."""
    with running_neo4j(tmp_path_factory.mktemp("neo4j-faults"), PASSWORD, "a Neo4j server for the fault tests") as proc:
        yield proc


def config(server, retry_seconds: float = 30.0) -> store.Neo4jConfig:
    return store.Neo4jConfig(uri=server.uri, password=PASSWORD, retry_seconds=retry_seconds)


@pytest.fixture(scope="module")
def reference(server):
    """Full dumps of clean single loads into an empty database: the whole corpus and its first batches."""
    dumps = {}
    with store.connect(config(server)) as conn:
        for name, triples in (("prefix", PREFIX), ("full", CORPUS)):
            wipe(conn)
            assert store.load_triples(conn, triples, batch_size=5000).ok
            if name == "prefix":  # the document PREFIX cuts is not complete: a load records no digest for it
                store.run_query(conn, "MATCH (d:Document {id: $id}) REMOVE d.digest", {"id": PREFIX[-1].doc_id},
                                write=True)
            dumps[name] = full_dump(conn)
        wipe(conn)
    assert len(dumps["full"]["nodes"]) > 1500 and len(dumps["full"]["relationships"]) > 8000
    return dumps


@pytest.fixture
def conn(server, reference):
    """A connection to the module's server, emptied first; the server is running again afterwards."""
    if server.proc.poll() is not None:
        server.restart(kill=True)
    c = store.connect(config(server))
    wipe(c)
    yield c
    c.close()
    if server.proc.poll() is not None:
        server.restart(kill=True)


def evidence_entries(triples) -> int:
    """How many evidence sentences the facts of these triples hold once they are loaded."""
    return len({(t.subject.key, t.predicate.lemma, t.negated, t.object.key, t.sentence_id)
                for t in triples if not t.is_alias})


def stored_evidence(conn) -> int:
    """EVIDENCE relationships in the database: one per sentence and fact."""
    return store.run_query(conn, "MATCH (:Sentence)-[e:EVIDENCE]->(:Entity) RETURN count(e)")[1][0][0]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_cli_load_killed_mid_way_reports_and_rerun_equals_clean_load(server, conn, reference, tmp_path):
    """``kg extract | kg load -`` shape: the server dies after three committed batches."""
    path = tmp_path / "triples.jsonl"
    write_jsonl(CORPUS, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    env = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    env.pop("NEO4J_URI", None)
    load = subprocess.Popen([sys.executable, "-m", "kg", "-v", "load", "-", "--batch-size", str(BATCH),
                             "--retry-seconds", "2", "--neo4j", server.uri], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    # stderr is read as it comes: the loader logs each batch once the client has its commit, which
    # is later than the moment the server shows the batch (a kill in between loses the reply).
    err_lines: list[str] = []

    def read_stderr():
        for line in load.stderr:
            err_lines.append(line)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # Three batches of input and the first line of the next document after them: the loader
        # writes the three batches, then waits for more.
        load.stdin.write("".join(lines[:AFTER_CUT + 1]))
        load.stdin.flush()
        done = f"batch {KILL_AFTER} written (triples {(KILL_AFTER - 1) * BATCH + 1}-{KILL_AFTER * BATCH})"
        wait_until(lambda: any(done in line for line in err_lines), 120, "the first three batches to commit")
        assert stored_evidence(conn) == evidence_entries(PREFIX)
        assert load.poll() is None
        server.kill()
        load.stdin.write("".join(lines[AFTER_CUT + 1:]))
        load.stdin.close()
        load.wait(timeout=180)  # the driver retries the refused connection for 2-4 s first
        reader.join(timeout=30)
        out, err = load.stdout.read(), "".join(err_lines)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()
    assert load.returncode == 1 and out == ""
    batch4 = CORPUS[KILL_AFTER * BATCH:(KILL_AFTER + 1) * BATCH]
    first_doc = batch4[0].doc_id
    assert f"kg load: batch 4 (triples 601-800; documents {first_doc}, " in err
    assert "failed: Neo4j is unavailable" in err
    assert f"600 of {TRIPLES} triples loaded" in err and f"{TRIPLES - 800} triples not attempted" in err
    assert "run the same command again" in err

    server.restart(kill=True)
    with store.connect(config(server)) as after:
        # Every committed batch survived the crash whole; nothing of batch 4 is there.
        assert full_dump(after) == reference["prefix"]
        rerun = subprocess.run([sys.executable, "-m", "kg", "-q", "load", str(path), "--batch-size", str(BATCH),
                                "--neo4j", server.uri], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        assert f"{TRIPLES} of {TRIPLES} triples loaded" in rerun.stderr
        assert full_dump(after) == reference["full"]


def test_kill_inside_a_batch_leaves_a_partial_batch_that_a_rerun_completes(server, conn, reference, monkeypatch):
    """The kill lands between two steps of batch 4: its entities are committed, the rest is not.

    The wrapper only chooses the moment; the fault (a SIGKILLed server) is real.
    """
    real_retrying = store._retrying
    state = {"batches": 0}

    def kill_before_documents(c, step, arg, **kwargs):
        if state["batches"] == KILL_AFTER and step is store._document_step:
            server.kill()
        return real_retrying(c, step, arg, **kwargs)

    monkeypatch.setattr(store, "_retrying", kill_before_documents)
    with store.connect(config(server, retry_seconds=2)) as short:
        report = store.load_triples(short, CORPUS, batch_size=BATCH,
                                    progress=lambda n: state.__setitem__("batches", state["batches"] + 1))
    monkeypatch.setattr(store, "_retrying", real_retrying)

    assert not report.ok and report.batches == KILL_AFTER and report.written == KILL_AFTER * BATCH
    [failed] = report.failed
    batch4 = CORPUS[KILL_AFTER * BATCH:(KILL_AFTER + 1) * BATCH]
    assert (failed.index, failed.first, failed.last) == (KILL_AFTER, 601, 800)
    assert failed.doc_ids == list(dict.fromkeys(t.doc_id for t in batch4)) and failed.triples == batch4
    assert failed.error.startswith("Neo4j is unavailable")
    assert report.skipped == TRIPLES - 800 and report.triples == TRIPLES

    server.restart(kill=True)
    with store.connect(config(server)) as after:
        partial = full_dump(after)
        assert partial["relationships"] == reference["prefix"]["relationships"]
        keys = {k for [k] in store.run_query(after, "MATCH (e:Entity) RETURN e.key")[1]}
        batch4_keys = {a.key for t in batch4 for a in (t.subject, t.object) if not t.is_alias}
        assert batch4_keys <= keys  # the committed entity step of the cut batch
        assert len(partial["nodes"]) > len(reference["prefix"]["nodes"])
        again = store.load_triples(after, CORPUS, batch_size=BATCH)
        assert again.ok and again.written == TRIPLES
        assert full_dump(after) == reference["full"]


def test_server_restarted_within_the_retry_window_the_load_carries_on(server, conn, reference):
    """Killed after three batches and started again (same port, same store) while batch 4 retries."""
    restarted = threading.Event()
    port = server.port

    def kill_and_restart(n: int, state={"batches": 0}):  # noqa: B006 - one load only
        state["batches"] += 1
        if state["batches"] == KILL_AFTER:
            server.kill()
            threading.Thread(target=lambda: (server.restart(kill=True), restarted.set()), daemon=True).start()

    with store.connect(config(server, retry_seconds=150)) as patient:
        report = store.load_triples(patient, CORPUS, batch_size=BATCH, progress=kill_and_restart)
    assert restarted.wait(60) and server.port == port
    assert report.ok and report.written == TRIPLES and report.batches == TRIPLES // BATCH
    with store.connect(config(server)) as after:
        assert full_dump(after) == reference["full"]


def test_lost_commit_reply_is_retried_and_changes_nothing(conn, reference, monkeypatch, caplog):
    """``IncompleteCommit`` (the commit happened, its reply was lost) cannot be caused on demand with a
    real server, so here alone it is simulated: the transaction really commits, then the error is raised."""
    real = neo4j.Session.execute_write
    calls = {"n": 0, "lost": 0}

    def reply_lost(self, work, *args, **kwargs):
        result = real(self, work, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] % 4 == 2:
            calls["lost"] += 1
            raise neo4j_errors.IncompleteCommit("the commit reply was lost")
        return result

    monkeypatch.setattr(neo4j.Session, "execute_write", reply_lost)
    with caplog.at_level(logging.INFO, logger="kg.neo4j.store"):
        report = store.load_triples(conn, CORPUS, batch_size=1000)
    monkeypatch.setattr(neo4j.Session, "execute_write", real)
    assert calls["lost"] >= 3
    assert report.ok and report.written == TRIPLES
    assert sum("retried after IncompleteCommit" in r.getMessage() for r in caplog.records) == calls["lost"]
    assert full_dump(conn) == reference["full"]


def poison(doc_id: str, *, name: str | None = None, like: Triple) -> Triple:
    """A triple the server refuses for good: a value over Neo4j's index size limit (8 kB)."""
    subject = like.subject if name is None else Argument(name, name, "org:poison", "ORG", 0, 1)
    return Triple(doc_id, f"{doc_id}:0", "Poison.", subject, Predicate("backs", "support"), like.object,
                  doc={"title": "poison"})


def test_a_document_the_server_refuses_fails_alone_and_the_rest_loads(conn, reference):
    """Real refusals: a 10,000-character document id (its entities already exist) and a
    9,000-character entity name.  Only those two documents fail, each listed with its triples."""
    long_id = "d" * 10_000
    fact = lambda i: next(t for t in CORPUS[i:] if not t.is_alias)  # noqa: E731 - entities that exist anyway
    boundary = lambda i: next(j for j in range(i, TRIPLES) if CORPUS[j].doc_id != CORPUS[j - 1].doc_id)  # noqa: E731
    first, second = boundary(250), boundary(900)  # between two documents: kg writes a document's triples together
    bad_id = poison(long_id, like=fact(first))
    bad_name = poison("doc-long-name", name="N" * 9_000, like=fact(second))
    triples = CORPUS[:first] + [bad_id] + CORPUS[first:second] + [bad_name] + CORPUS[second:]
    failed = [(first + 1, first + 1, [long_id], [bad_id]), (second + 2, second + 2, ["doc-long-name"], [bad_name])]
    report = store.load_triples(conn, triples, batch_size=BATCH)
    assert [(f.index, f.first, f.last, f.doc_ids, f.triples) for f in report.failed] == [
        (first // BATCH, *failed[0]), ((second + 1) // BATCH, *failed[1])]
    assert all("too large to index" in f.error for f in report.failed)
    assert report.written == TRIPLES and report.skipped == 0
    assert report.batches == len(triples) // BATCH + 1  # every batch wrote its good documents
    described = report.failed[0].describe()
    assert described.startswith(f"batch {first // BATCH + 1} (triples {first + 1}-{first + 1}; documents ddd")
    assert len(described) < 600
    assert full_dump(conn) == reference["full"]
    # They fail for good: the same on a re-run, which writes only them (the rest is unchanged).
    again = store.load_triples(conn, triples, batch_size=BATCH)
    assert [(f.first, f.last, f.doc_ids, f.triples) for f in again.failed] == failed
    assert again.written == TRIPLES and again.unchanged == len({t.doc_id for t in CORPUS}) and again.batches == 0
    assert full_dump(conn) == reference["full"]


#: ``kg load`` run in-process by a child, which then prints its own peak RSS (VmHWM, KiB).
MEASURED_LOAD = ("import sys; from kg.cli import main; code = main(sys.argv[1:]); "
                 "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1], "
                 "file=sys.stderr); sys.exit(code)")


def test_kg_load_streams_peak_memory_flat_for_ten_times_the_input(server, conn, tmp_path):
    """Holding 10,000 triples costs ~22 MiB here; a streaming load's peak grows far less than that."""
    env = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    peaks = []
    for n in (1000, 10_000):
        path = tmp_path / f"{n}.jsonl"
        write_jsonl(synthetic_triples(n, seed=5), path)
        wipe(conn)
        proc = subprocess.run([sys.executable, "-c", MEASURED_LOAD, "-q", "load", str(path), "--batch-size", "1000",
                               "--neo4j", server.uri], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        lines = proc.stderr.splitlines()
        assert proc.returncode == 0 and f"{n} of {n} triples loaded" in lines[-2], proc.stderr
        peaks.append(int(lines[-1]) / 1024)
    assert peaks[1] - peaks[0] < 8, f"peak RSS {peaks[0]:.0f} MiB for 1,000 triples, {peaks[1]:.0f} MiB for 10,000"
