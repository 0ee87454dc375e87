"""Small helpers shared by the subcommands: output files, progress bars, rejection lines."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

from ..errors import UsageError, UserError
from ..files import atomic_path
from ..records import Rejection
from ..sources import one_line


@contextlib.contextmanager
def open_output(path: str):
    """A text file to write (``-`` is stdout); written to a temporary name and renamed when complete."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    with atomic_path(target) as tmp:
        try:
            f = open(tmp, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        with f:
            yield f


@contextlib.contextmanager
def progress(label: str, *, quiet: bool = False, total=None, unit: str = "doc"):
    """A tqdm progress bar on stderr (shown on a terminal, or always with KG_PROGRESS=1)."""
    from tqdm import tqdm

    force = os.environ.get("KG_PROGRESS") == "1"
    disable = True if quiet else (False if force else None)
    bar = tqdm(total=total, desc=f"kg {label}", unit=unit, disable=disable, file=sys.stderr,
               dynamic_ncols=True, mininterval=0.5)
    try:
        yield bar
    finally:
        bar.close()


def report_rejection(label: str, r: Rejection) -> None:
    """One line on stderr for a rejected input."""
    print(f"kg {label}: rejected {one_line(r.origin)}: {one_line(r.reason)}", file=sys.stderr)


class ResumableOutput:
    """Triple lines appended to ``path`` so that a killed run can go on where it stopped.

    Each finished document's lines are written and flushed together, then its id
    is appended to the sidecar ``path.done`` (one JSON string per line), so a
    document with no triples counts as done too.  On opening, whatever a crash
    left behind is cut away: a partial last line, and the lines of a document
    whose id never reached ``.done``.  Without a ``.done`` file (output of a run
    without ``--resume``), the ids found in the output are taken as done.
    Lines reach the operating system per document (safe when the process is
    killed); they are not fsync'ed, so a power cut may lose the last ones.
    """

    def __init__(self, path: str):
        self.path = Path(path)
        self.done_path = self.path.with_name(self.path.name + ".done")
        self.done: frozenset = frozenset()
        self._lines: list[str] = []

    def __enter__(self) -> "ResumableOutput":
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.done = frozenset(self._recover())
            self._out = open(self.path, "a", encoding="utf-8", newline="\n")
            self._done_file = open(self.done_path, "a", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UserError(f"cannot resume {self.path}: {exc.strerror or exc}") from None
        return self

    def __exit__(self, *exc) -> None:
        self._out.close()
        self._done_file.close()

    def write(self, line: str) -> None:
        """Keep one output line of the current document."""
        self._lines.append(line)

    def document_done(self, doc_id: str) -> None:
        """Write the current document's lines, then record it as done."""
        self._out.write("".join(self._lines))
        self._out.flush()
        self._lines.clear()
        self._done_file.write(json.dumps(doc_id, ensure_ascii=False) + "\n")
        self._done_file.flush()

    def _recover(self) -> set:
        """Ids done by earlier runs; cut both files back to their last consistent line."""
        if not self.path.exists():
            _truncate(self.done_path, 0)
            return set()
        if self.done_path.exists():
            done, end = _read_done(self.done_path)
            _truncate(self.done_path, end)
            _truncate(self.path, _end_of_done_lines(self.path, done))
            return done
        done, end = set(), 0
        for line, line_end in _complete_lines(self.path):
            doc_id = _doc_id(line)
            if doc_id is None:
                break
            done.add(doc_id)
            end = line_end
        _truncate(self.path, end)
        with open(self.done_path, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in sorted(done))
        return done


def _complete_lines(path: Path):
    """``(line, offset after it)`` for every newline-terminated line of a file, streamed."""
    offset = 0
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                return
            offset += len(raw)
            yield raw, offset


def _doc_id(raw: bytes):
    try:
        value = json.loads(raw)
        return value["doc_id"] if isinstance(value, dict) and isinstance(value.get("doc_id"), str) else None
    except (ValueError, RecursionError):
        return None


def _read_done(path: Path) -> tuple[set, int]:
    done, end = set(), 0
    for raw, line_end in _complete_lines(path):
        try:
            value = json.loads(raw)
        except ValueError:
            break
        if not isinstance(value, str):
            break
        done.add(value)
        end = line_end
    return done, end


def _end_of_done_lines(path: Path, done: set) -> int:
    """Offset after the last line that belongs to a finished document (documents are written in order)."""
    end = 0
    for raw, line_end in _complete_lines(path):
        if _doc_id(raw) not in done:
            break
        end = line_end
    return end


def _truncate(path: Path, size: int) -> None:
    if path.exists() and path.stat().st_size != size:
        with open(path, "r+b") as f:
            f.truncate(size)


def command_line_params(pairs: list[str]) -> dict:
    """The ``--param NAME=VALUE`` options of ``kg query`` and ``kg view``, one parser for both."""
    from ..queries import parse_params

    try:
        return parse_params(pairs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
