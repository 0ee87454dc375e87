"""A load killed half way, restarted and run again, against a clean load; and kg load's memory.

    python bench/neo4j_faults.py [--triples 50000] [--batch-size 5000] [--memory 10000]

Always starts the project's own Neo4j 5.26 (``make neo4j-jars`` builds it) on a scratch store,
since it kills it with SIGKILL: never a server of yours.  Steps, each timed:

1. a clean single load of the synthetic corpus (``tests/synthetic.py``) and a full dump;
2. an empty database, ``python -m kg load FILE`` in a child process, SIGKILL to the server
   once about half the batches are committed; the load's exit status and report;
3. restart on the same store (crash recovery), the same ``kg load FILE`` again;
4. a full dump compared with step 1: prints IDENTICAL or DIFFERENT.

Then the peak resident memory (VmHWM) of ``kg load`` for N and 10N triples, baseline first,
and the ratio: a streaming load keeps it about flat.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.neo4j import store  # noqa: E402
from tests.neo4j_process import LauncherError, Neo4jProcess  # noqa: E402
from tests.synthetic import full_dump, synthetic_triples, wipe, write_jsonl  # noqa: E402

PASSWORD = "kg-bench-password"
#: ``kg load`` in-process, then its own peak RSS from /proc (Linux): the child's, not ours.
MEASURED_LOAD = ("import sys; from kg.cli import main; code = main(sys.argv[1:]); "
                 "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
                 "print(hwm, file=sys.stderr); sys.exit(code)")


def kg_load(path: Path, uri: str, batch_size: int, *, measure: bool = False, quiet: bool = True):
    """Run ``kg load`` in a child process; (exit status, stderr lines, peak RSS in MiB or None)."""
    env = {**os.environ, "NEO4J_PASSWORD": PASSWORD}
    env.pop("NEO4J_URI", None)
    argv = [*(["-q"] if quiet else []), "load", str(path), "--batch-size", str(batch_size), "--neo4j", uri]
    cmd = [sys.executable, "-c", MEASURED_LOAD, *argv] if measure else [sys.executable, "-m", "kg", *argv]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = proc.stderr.splitlines()
    hwm = int(lines.pop()) / 1024 if measure and lines and lines[-1].isdigit() else None
    return proc.returncode, lines, hwm


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=50_000)
    ap.add_argument("--batch-size", type=int, default=store.DEFAULT_BATCH_SIZE)
    ap.add_argument("--memory", type=int, default=10_000, metavar="N", help="memory runs: N and 10N triples")
    args = ap.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-faults-"))
    try:
        server = Neo4jProcess.start(scratch / "neo4j", password=PASSWORD, quick_start=False)
    except LauncherError as exc:
        print(f"bench/neo4j_faults.py: {exc}", file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)
        return 1
    try:
        return _run(server, scratch, args)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _run(server: Neo4jProcess, scratch: Path, args) -> int:
    corpus = scratch / "corpus.jsonl"
    n = write_jsonl(synthetic_triples(args.triples), corpus)
    batches = -(-n // args.batch_size)
    config = lambda: store.Neo4jConfig(uri=server.uri, password=PASSWORD)  # noqa: E731 - the port may change
    print(f"corpus: {n} triples, batch size {args.batch_size} ({batches} batches); server {server.uri}")

    with store.connect(config()) as conn:
        t = time.perf_counter()
        report = store.load_triples(conn, (t for t in _read(corpus)), batch_size=args.batch_size)
        clean_s = time.perf_counter() - t
        assert report.ok, [f.describe() for f in report.failed]
        clean = full_dump(conn)
        print(f"clean load: {clean_s:.1f} s; {len(clean['nodes'])} nodes, {len(clean['relationships'])} relationships")
        wipe(conn)
        target = max(1, batches // 2) * args.batch_size  # about this many triples in before the kill
        wanted = _sentences_in_first(corpus, target)
        loading = subprocess.Popen([sys.executable, "-m", "kg", "-q", "load", str(corpus), "--batch-size",
                                    str(args.batch_size), "--retry-seconds", "5", "--neo4j", server.uri],
                                   cwd=ROOT, env={**os.environ, "NEO4J_PASSWORD": PASSWORD},
                                   stderr=subprocess.PIPE, text=True)
        t = time.perf_counter()
        while _sentences(conn) < wanted and loading.poll() is None:
            time.sleep(0.05)
    kill_s = time.perf_counter() - t
    server.kill()
    _, err = loading.communicate()
    print(f"killed after {kill_s:.1f} s; kg load exit status {loading.returncode}:")
    for line in err.splitlines():
        print(f"  {line[:200]}")
    t = time.perf_counter()
    server.restart(kill=True)
    print(f"restart (crash recovery): {time.perf_counter() - t:.1f} s")
    with store.connect(config()) as conn:
        t = time.perf_counter()
        code, lines, _ = kg_load(corpus, server.uri, args.batch_size)
        print(f"re-run: {time.perf_counter() - t:.1f} s, exit status {code}: {lines[-1][:200] if lines else ''}")
        verdict = full_dump(conn) == clean
        print(f"after kill, restart and re-run vs a clean load: {'IDENTICAL' if verdict else 'DIFFERENT'}")

        memory = []
        for size in (args.memory, 10 * args.memory):
            path = scratch / f"memory-{size}.jsonl"
            write_jsonl(synthetic_triples(size, seed=3), path)
            wipe(conn)
            t = time.perf_counter()
            code, lines, hwm = kg_load(path, server.uri, args.batch_size, measure=True)
            assert code == 0, lines
            memory.append(hwm)
            print(f"kg load of {size} triples: peak RSS {hwm:.0f} MiB, {time.perf_counter() - t:.1f} s")
        print(f"peak RSS ratio 10N / N: {memory[1] / memory[0]:.2f} (baseline {memory[0]:.0f} MiB)")
    return 0 if verdict else 1


def _read(path: Path):
    from kg.graph import read_triples
    return read_triples(path)


def _sentences(conn) -> int:
    return store.run_query(conn, "MATCH (s:Sentence) RETURN count(s)")[1][0][0]


def _sentences_in_first(path: Path, n: int) -> int:
    seen = set()
    for i, t in enumerate(_read(path)):
        if i == n:
            break
        seen.add(t.sentence_id)
    return len(seen)


if __name__ == "__main__":
    sys.exit(main())
