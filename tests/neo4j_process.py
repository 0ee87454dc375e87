"""Start, stop, kill and restart the real Neo4j 5.26 server built in ``tests/neo4j``.

Used by the pytest plugin (``tests/neo4j_server.py``) and by ``bench/load.py``; it imports
neither pytest nor ``kg``.  The server is the launcher in ``tests/neo4j`` (``make neo4j-jars``
builds it from Maven Central): Bolt on 127.0.0.1, the store in a directory of our choice, and
it exits when our end of its stdin closes, so it never outlives the process that started it.

>>> server = Neo4jProcess.start("/tmp/kg-neo4j", password="secret-pw")   # doctest: +SKIP
>>> server.uri                                                          # doctest: +SKIP
'bolt://127.0.0.1:40123'
>>> server.stop()                                                       # doctest: +SKIP
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j"
MAIN_CLASS = "kg.testserver.Launcher"
JVM_FLAGS = [
    "-Xmx1g",
    *(f"--add-opens=java.base/{pkg}=ALL-UNNAMED" for pkg in ("java.nio", "sun.nio.ch", "java.io", "java.lang")),
]
#: C1 only: roughly halves start time on a small machine, but runs queries slower (tests, not benchmarks).
QUICK_START_FLAGS = ["-XX:TieredStopAtLevel=1"]
BUILD_HINT = "run `make neo4j-jars` (builds the Neo4j 5.26 launcher in tests/neo4j from Maven Central)"


class LauncherError(RuntimeError):
    """The Neo4j launcher is not built, or the server did not come up."""


def launcher_classpath(root: Path = LAUNCHER_DIR) -> str:
    """The launcher's Java classpath; raises :class:`LauncherError` when it is not built."""
    classes, lib = root / "target" / "classes", root / "target" / "lib"
    if not (classes / "kg" / "testserver" / "Launcher.class").exists() or not any(lib.glob("neo4j-*.jar")):
        raise LauncherError(f"the Neo4j launcher is not built ({root / 'target'} is missing or incomplete): {BUILD_HINT}")
    if shutil.which("java") is None:
        raise LauncherError("`java` (17 or newer) is not on PATH; the test Neo4j server needs it")
    return f"{classes}{os.pathsep}{lib / '*'}"


class Neo4jProcess:
    """One running launcher process over a store directory ``home``."""

    def __init__(self, home: Path, proc: subprocess.Popen, port: int, password: str | None, quick_start: bool):
        self.home, self.proc, self.port, self.password = home, proc, port, password
        self.quick_start = quick_start

    @property
    def uri(self) -> str:
        """The Bolt URI of the running server."""
        return f"bolt://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, home: str | os.PathLike, *, password: str | None = None, port: int = 0,
              quick_start: bool = True, timeout: float = 180.0) -> "Neo4jProcess":
        """Start a server on the store in ``home`` and wait until Bolt accepts connections.

        ``quick_start`` trades query speed for start time (the JIT's first tier only): right for
        tests, wrong for benchmarks.
        """
        home = Path(home)
        home.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.pop("KG_LAUNCHER_PASSWORD", None)
        if password:
            env["KG_LAUNCHER_PASSWORD"] = password
        log = open(home / "launcher.log", "ab")
        proc = subprocess.Popen(
            ["java", *JVM_FLAGS, *(QUICK_START_FLAGS if quick_start else []), "-cp", launcher_classpath(), MAIN_CLASS, str(home), str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
        log.close()
        try:
            bound = _read_port(proc, timeout)
            _wait_for_socket("127.0.0.1", bound, timeout)
        except BaseException:
            _terminate(proc)
            raise
        return cls(home, proc, bound, password, quick_start)

    def stop(self, timeout: float = 60.0) -> None:
        """Shut the server down cleanly (close its stdin), killing it if it hangs."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _terminate(self.proc)
        self._close_pipes()

    def kill(self) -> None:
        """``kill -9`` the server, as a crash would (the store must recover on the next start)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._close_pipes()

    def restart(self, *, kill: bool = False, timeout: float = 180.0) -> "Neo4jProcess":
        """Stop (or kill) the server and start it again on the same store and, when free, the same port."""
        self.kill() if kill else self.stop()
        try:
            new = Neo4jProcess.start(self.home, password=self.password, port=self.port,
                                     quick_start=self.quick_start, timeout=timeout)
        except LauncherError:
            new = Neo4jProcess.start(self.home, password=self.password, quick_start=self.quick_start,
                                     timeout=timeout)
        self.proc, self.port = new.proc, new.port
        return self

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the launcher's stderr and of Neo4j's own log, for error messages."""
        return _log_tail(self.home, lines)

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe and not pipe.closed:
                try:
                    pipe.close()
                except OSError:
                    pass


def _read_port(proc: subprocess.Popen, timeout: float) -> int:
    """Wait for the one line the launcher prints: the bound Bolt port."""
    box: list[bytes] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    line = box[0].strip() if box else b""
    if not line.isdigit():
        home = Path(proc.args[-2])
        state = "still starting" if proc.poll() is None else f"exited with status {proc.returncode}"
        raise LauncherError(f"Neo4j did not report its Bolt port within {timeout:.0f} s ({state}).\n"
                            + _log_tail(home, 20))
    return int(line)


def _wait_for_socket(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise LauncherError(f"Bolt port {port} never accepted connections") from None
            time.sleep(0.1)


def _terminate(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _log_tail(home: Path, lines: int) -> str:
    out = []
    for path in (home / "launcher.log", home / "logs" / "debug.log"):
        if path.exists():
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path} ---\n" + "\n".join(text))
    return "\n".join(out)
