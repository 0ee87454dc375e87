"""Where a run's results go so that a killed or repeated run goes on where it stopped.

:class:`ResumableSink` is the resumable output of ``kg extract`` (``kg build`` keeps its state in its
store, :mod:`kg.local`, behind the same :class:`Sink` interface and :func:`locked`): ``kg extract --resume``'s ``OUTPUT`` +
``OUTPUT.done`` and each shard of ``kg extract --shards DIR`` (``part-00000.jsonl`` +
``part-00000.jsonl.done``) are each a *data* file (triple records, appended document
by document) and a *ledger* (one JSON line per document: id, origin, status, counts,
content digest).  A document's triple lines are written and synced first, then its
ledger line: the ledger line is the commit point.

While a sink is open it holds an exclusive lock (:func:`locked`) on its lock file,
so a second run on the same output stops at once ("DIR is being built by process
N"), or waits for the first with ``wait=True``.  The lock is the kernel's
(``flock``): a run that dies, however it dies, releases it, so a lock file left by
a dead process is simply taken over.

On opening, under the lock, whatever an interrupted run left behind is cut away
(:meth:`ResumableSink.recover`): a partial last line in either file, the triple
lines of a document that never reached the ledger, and a ledger entry whose
document does not have exactly the triple lines it recorded (that document is
extracted again).  Every committed, intact document is kept.

A sharded output (:mod:`kg.run.shards`) is one such sink per input partition,
under the lock of its directory; it resumes a shard after the ledger entries that
record the partition's first items (:func:`records`, :meth:`ResumableSink.keep_first`).
Each follows the :class:`Sink` interface the driver (:func:`kg.run.driver.run`) writes to.
"""
from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import re
import time
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Protocol, Union

from ..errors import UserError
from ..files import atomic_path, write_atomic
from ..records import Document, Rejection
from .stats import DocResult, RunStats
from .unique import content_digest

log = logging.getLogger(__name__)

#: The start of a triple line as :func:`triple_line` writes it: its document id, read without the rest.
_DOC_ID = re.compile(rb'\{"doc_id": ("(?:[^"\\\n]|\\.)*")[,}]')


class Sink(Protocol):
    """What the driver writes a run's results to (in input order)."""

    def committed(self, doc_id: str) -> Optional[dict]:
        """The ledger entry of document ``doc_id`` when an earlier run finished it, else None.

        An entry with ``"on_change": "replace"`` says that another document with that id is an edit
        of it (:func:`kg.run.unique.once_each` lets it through), not a reuse of the id.
        """

    def pending(self, items: Iterable, stats: RunStats) -> Iterator:
        """The input items still to do (what earlier runs finished is counted in ``stats`` and left out)."""

    def record(self, item: Union[Document, Rejection], result: Union[DocResult, Rejection]) -> None:
        """Commit the result of one input item."""

    def finish(self) -> None:
        """Called once after the last result."""


# ------------------------------------------------------------ the lock

@contextlib.contextmanager
def locked(path: Union[str, os.PathLike], *, name: str, doing: str = "built", wait: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created when missing) while the block runs.

    When another process holds it, raise a :class:`UserError` "NAME is being
    DOING by process N", or with ``wait`` say so once and wait for it.  The file
    keeps the holder's process id; it is never removed (removing it would let two
    processes lock two different files of one name).
    """
    path = Path(path)
    f = open(path, "a+", encoding="ascii")
    try:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = f"{name} is being {doing} by process {_holder(path)}"
            if not wait:
                raise UserError(busy) from None
            log.warning("%s; waiting for it to finish", busy)
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(f"{os.getpid()}\n")
        f.flush()
        yield
    finally:
        f.close()  # closing releases the lock


def _holder(path: Path) -> str:
    """The process id written in a lock file (its holder writes it right after locking)."""
    for _ in range(20):
        with contextlib.suppress(OSError):
            text = path.read_text(encoding="ascii", errors="replace").strip()
            if text.isdigit():
                return text
        time.sleep(0.025)
    return "(unknown)"


# ------------------------------------------------------------ the resumable sink

class ResumableSink:
    """Triple lines appended to ``data`` and one ledger line per document appended to ``ledger``.

    Use it as a context manager: entering takes the lock and recovers; ``done``
    maps the id of every document finished before to its ledger entry.  A document given
    again with other content is refused (:func:`kg.run.unique.once_each`).
    ``lock=None`` is for files under a lock the caller holds (a shard directory's).
    """

    def __init__(self, data: Union[str, os.PathLike], ledger: Union[str, os.PathLike], *,
                 lock: Optional[Union[str, os.PathLike]], name: str, doing: str = "built", wait: bool = False):
        self.data_path, self.ledger_path = Path(data), Path(ledger)
        self.lock_path = Path(lock) if lock is not None else None
        self.name, self.doing, self.wait = name, doing, wait
        self.done: dict[str, dict] = {}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "ResumableSink":
        with contextlib.ExitStack() as stack:  # on any failure, what was opened is closed again
            self.data_path.parent.mkdir(parents=True, exist_ok=True)
            if self.lock_path is not None:
                stack.enter_context(locked(self.lock_path, name=self.name, doing=self.doing, wait=self.wait))
            self.done = self.recover()
            self._open()
            stack.callback(self._close)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _open(self) -> None:
        self._data: IO[str] = open(self.data_path, "a", encoding="utf-8", newline="\n")
        try:
            self._ledger: IO[str] = open(self.ledger_path, "a", encoding="utf-8", newline="\n")
        except BaseException:
            self._data.close()
            raise

    def _close(self) -> None:
        self._data.close()
        self._ledger.close()

    # -- the Sink interface

    def committed(self, doc_id: str) -> Optional[dict]:
        """The ledger entry of ``doc_id`` when it is done."""
        return self.done.get(doc_id)

    def pending(self, items: Iterable, stats: RunStats) -> Iterator:
        """Every item: documents done before are left out by the driver's :func:`kg.run.unique.once_each`."""
        return iter(items)

    def record(self, item, result) -> None:
        """Append the document's triple lines (synced), then its ledger line."""
        entry = ledger_entry(item, result)
        if not isinstance(result, Rejection) and result.triples:
            self._data.write("".join(triple_line(t) for t in result.triples))
            self._data.flush()
            os.fsync(self._data.fileno())
        self._ledger.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._ledger.flush()
        if entry["status"] == "processed":
            self.done[entry["id"]] = entry

    def finish(self) -> None:
        """Nothing to do: every document was committed as it came."""

    def entries(self) -> list[dict]:
        """The ledger's entries in the order they were recorded (one per input item)."""
        return list(_ledger_entries(self.ledger_path))

    def keep_first(self, n: int) -> None:
        """Cut the output back to its first ``n`` ledger entries and their documents' triple lines
        (the ledger first: it is the commit point); what followed them is to be recorded again."""
        entries = self.entries()
        if len(entries) <= n:
            return
        kept = {e.get("id") for e in entries[:n] if e.get("status") == "processed"}
        log.info("%s: %d recorded documents are not the input's next ones; they will be extracted again",
                 self.name, len(entries) - n)
        self._close()
        try:
            _rewrite(self.ledger_path, itertools.islice(
                (raw for raw in _complete_lines(self.ledger_path) if _ledger_record(raw) is not None), n))
            _keep_lines(self.data_path, _doc_id, lambda doc_id: doc_id in kept, why="cut back to the input")
        finally:
            self._open()
        self.done = {doc_id: e for doc_id, e in self.done.items() if doc_id in kept}

    # -- start-up recovery

    def recover(self) -> dict[str, dict]:
        """Documents finished by earlier runs; cut both files back to what was committed intact."""
        if self.ledger_path.exists():
            entries = list(_ledger_entries(self.ledger_path))
        else:  # output of a run that kept no ledger: the documents found in it are done
            entries = [{"id": doc_id, "status": "processed"} for doc_id in _ids_in(self.data_path)]
            if entries:
                write_atomic(self.ledger_path, "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries),
                             fsync=True)
        done = {e["id"]: e for e in entries if e.get("status") == "processed" and isinstance(e.get("id"), str)}
        lines, size = _lines_per_document(self.data_path)
        broken = {doc_id for doc_id, e in done.items()
                  if isinstance(e.get("triples"), int) and lines.get(doc_id, (0, 0))[0] != e["triples"]}
        for doc_id in sorted(broken):
            log.warning("%s: document %s lacks some of its triples; it will be extracted again", self.name, doc_id)
            del done[doc_id]
        _keep_lines(self.ledger_path, _ledger_record,
                    lambda e: e is not None and not (e.get("id") in broken and e.get("status") == "processed"))
        if sum(lines.get(doc_id, (0, 0))[1] for doc_id in done) != size:  # one pass when nothing is to cut
            _keep_lines(self.data_path, _doc_id, lambda doc_id: doc_id in done)
        return done


def records(entry: dict, item: Union[Document, Rejection]) -> bool:
    """True when ledger ``entry`` is the one :meth:`ResumableSink.record` writes for input ``item``: the same
    document (id, content and origin) processed or rejected, or the same rejected input."""
    if isinstance(item, Document):
        processed = entry.get("status") == "processed"
        return (entry.get("id") == item.id and entry.get("digest") == content_digest(item)
                and entry.get("origin") == (item.source if processed else item.source or item.id)
                and (processed or entry.get("status") == "rejected"))
    return (entry.get("status") == "rejected" and entry.get("id") == item.doc_id
            and entry.get("origin") == item.origin and entry.get("reason") == item.reason)


def ledger_entry(item: Union[Document, Rejection], result: Union[DocResult, Rejection]) -> dict:
    """The ledger entry of one input item's result: id, origin, status, and counts with the content digest
    (processed) or the reason (rejected; with the digest when the item is a document whose extraction failed)."""
    if isinstance(result, Rejection):
        entry = {"id": result.doc_id, "origin": result.origin, "status": "rejected", "reason": result.reason}
        if isinstance(item, Document):
            entry["digest"] = content_digest(item)
        return entry
    return {"id": result.doc_id, "origin": item.source, "status": "processed", "sentences": result.sentences,
            "triples": len(result.triples), "digest": content_digest(item)}


def triple_line(triple) -> str:
    """A triple record as one JSON line (the form of every triples file kg writes)."""
    return json.dumps(triple.to_dict(), ensure_ascii=False) + "\n"


def _complete_lines(path: Path) -> Iterator[bytes]:
    """Every newline-terminated line of a file, streamed (a line cut short by a crash is left out)."""
    if not path.exists():
        return
    with open(path, "rb") as f:
        for raw in f:
            if raw.endswith(b"\n"):
                yield raw


def _ledger_record(raw: bytes):
    """A ledger line as a dict (a bare JSON string is an id, as older ``.done`` files kept them), else None."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, str):
        return {"id": value, "status": "processed"}
    return value if isinstance(value, dict) else None


def _ledger_entries(path: Path) -> Iterator[dict]:
    for raw in _complete_lines(path):
        rec = _ledger_record(raw)
        if rec is not None:
            yield rec


def _rewrite(path: Path, lines: Iterable[bytes]) -> None:
    """Write ``lines`` (read lazily, possibly from ``path`` itself) as ``path``'s new content, atomically."""
    with atomic_path(path, fsync=True) as tmp, open(tmp, "wb") as f:
        f.writelines(lines)


def _doc_id(raw: bytes) -> Optional[str]:
    """The ``doc_id`` of a triple line; read from the line's start when it is written as kg writes it."""
    start = _DOC_ID.match(raw)
    try:
        if start:
            return json.loads(start.group(1))
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return value["doc_id"] if isinstance(value, dict) and isinstance(value.get("doc_id"), str) else None


def _ids_in(path: Path) -> list[str]:
    return list(dict.fromkeys(d for d in map(_doc_id, _complete_lines(path)) if d is not None))


def _lines_per_document(path: Path) -> tuple[dict[str, tuple[int, int]], int]:
    """``({doc_id: (lines, bytes)}, file size)`` of a triples file, in one pass."""
    per: dict[str, tuple[int, int]] = {}
    for raw in _complete_lines(path):
        doc_id = _doc_id(raw)
        if doc_id is not None:
            n, size = per.get(doc_id, (0, 0))
            per[doc_id] = (n + 1, size + len(raw))
    return per, path.stat().st_size if path.exists() else 0


def _keep_lines(path: Path, read, keep, *, why: str = "recovered after an interrupted run") -> None:
    """Rewrite ``path`` (atomically) with its complete lines whose ``keep(read(line))`` is true, in order;
    left untouched when that is every byte already (``why`` is logged when it is not)."""
    if not path.exists():
        return
    size = path.stat().st_size
    kept = sum(len(raw) for raw in _complete_lines(path) if keep(read(raw)))
    if kept == size:
        return
    log.info("%s: %s (%d bytes dropped)", path, why, size - kept)
    _rewrite(path, (raw for raw in _complete_lines(path) if keep(read(raw))))
