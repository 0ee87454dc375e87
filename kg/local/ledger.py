"""The build's ledger and raw triple records in the build store, document by document.

Three tables: ``ledger_entries`` (one entry per input item, in build order: the dict
:class:`kg.run.sink.ResumableSink` writes to ``documents.jsonl``), ``ledger_triples`` (each processed
document's triple records, as the exact lines :func:`kg.run.sink.triple_line` writes to ``triples.jsonl``)
and ``ledger_dirty`` (the ids of documents whose triples changed since the derived state — link state,
graph rows — was last brought up to date).

:class:`Ledger` is the build's :class:`kg.run.sink.Sink`: it behaves as ``ResumableSink(..., replace=True)``
does for ``kg build``, but each document is one transaction touching only that document's rows.  The
build order is an integer ``position`` given once to an entry; an edit keeps its document's position, so
:meth:`Ledger.lines` reproduces ``triples.jsonl`` as a clean build of the current documents writes it.
The caller holds the build's lock (:func:`kg.run.sink.locked`): one writer at a time.

>>> from kg.local.db import connect
>>> from kg.records import Document
>>> from kg.run.stats import DocResult
>>> ledger = Ledger(connect(":memory:"))
>>> ledger.record(Document("a", "Lo met Sato."), DocResult("a", [], 1, 3))
>>> [e["id"] for e in ledger.entries()], ledger.dirty()
(['a'], ['a'])
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from ..errors import UserError
from ..records import Document, Rejection, Triple
from ..run.sink import _complete_lines, _doc_id, ledger_entry, triple_line
from ..run.stats import DocResult, RunStats
from .db import schema, transaction

log = logging.getLogger(__name__)

schema("""
CREATE TABLE IF NOT EXISTS ledger_entries (
    position INTEGER PRIMARY KEY AUTOINCREMENT,  -- build order: an edit keeps it, none is used twice
    doc_id TEXT,                                 -- NULL for an input rejected before it had an id
    status TEXT NOT NULL,
    entry TEXT NOT NULL                          -- the documents.jsonl line, without its newline
);
CREATE INDEX IF NOT EXISTS ledger_entries_doc ON ledger_entries (doc_id);
CREATE UNIQUE INDEX IF NOT EXISTS ledger_entries_processed ON ledger_entries (doc_id) WHERE status = 'processed';
CREATE TABLE IF NOT EXISTS ledger_triples (
    position INTEGER NOT NULL,                   -- the processed entry's
    seq INTEGER NOT NULL,                        -- the record's place within its document
    line TEXT NOT NULL,                          -- as triple_line writes it, newline included
    PRIMARY KEY (position, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_dirty (
    doc_id TEXT PRIMARY KEY
) WITHOUT ROWID;
""")

#: The files a build directory of earlier kg versions kept (see :func:`import_legacy`).
LEGACY_TRIPLES, LEGACY_LEDGER = "triples.jsonl", "documents.jsonl"

_PROCESSED = "SELECT position FROM ledger_entries WHERE doc_id = ? AND status = 'processed'"


class Ledger:
    """The build's ledger and triple records in the store ``conn`` (a :class:`kg.run.sink.Sink`).

    ``done`` maps the id of every processed document to its entry (read from the store when asked);
    ``replaced`` counts the edits this object recorded.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.done: Mapping[str, dict] = _Done(conn)
        self.replaced = 0

    # -- the Sink interface

    def committed(self, doc_id: str) -> Optional[dict]:
        """The entry of ``doc_id`` when it is processed, marked ``on_change: replace`` (an edit replaces it)."""
        entry = self.done.get(doc_id)
        return {**entry, "on_change": "replace"} if entry is not None else None

    def pending(self, items: Iterable, stats: RunStats) -> Iterator:
        """Every item: documents done before are left out by the driver's :func:`kg.run.unique.once_each`."""
        return iter(items)

    def record(self, item: Union[Document, Rejection], result: Union[DocResult, Rejection]) -> None:
        """Commit one item's result in one transaction: its entry, its triple records and (processed) its
        dirty mark.  A document whose id is held as processed is an edit: every entry of that id and the old
        triple records go, the new ones take the processed entry's position, and the id is marked dirty."""
        entry = ledger_entry(item, result)
        lines = [] if isinstance(result, Rejection) else [triple_line(t) for t in result.triples]
        edit = False
        with transaction(self.conn):
            old = self.conn.execute(_PROCESSED, (item.id,)).fetchone() if isinstance(item, Document) else None
            if old is not None:
                edit = True
                self._drop(item.id)
            position = self.conn.execute(
                "INSERT INTO ledger_entries (position, doc_id, status, entry) VALUES (?, ?, ?, ?)",
                (old[0] if edit else None, entry["id"], entry["status"], json.dumps(entry, ensure_ascii=False)),
            ).lastrowid
            self.conn.executemany("INSERT INTO ledger_triples (position, seq, line) VALUES (?, ?, ?)",
                                  ((position, seq, line) for seq, line in enumerate(lines)))
            if edit or entry["status"] == "processed":
                self.conn.execute("INSERT OR IGNORE INTO ledger_dirty (doc_id) VALUES (?)", (item.id,))
        if edit:
            self.replaced += 1

    def finish(self) -> None:
        """Nothing to do: every document was committed as it came."""

    # -- removals

    def forget(self, doc_ids: Iterable[str]) -> list[str]:
        """Remove the documents ``doc_ids`` (entries and triple records) in one transaction and mark them
        dirty; returns the ids the ledger held, in the order given.  Ids it does not hold are left alone."""
        gone = []
        with transaction(self.conn):
            for doc_id in dict.fromkeys(doc_ids):
                if self._drop(doc_id):
                    self.conn.execute("INSERT OR IGNORE INTO ledger_dirty (doc_id) VALUES (?)", (doc_id,))
                    gone.append(doc_id)
        return gone

    def _drop(self, doc_id: str) -> bool:
        """Delete every entry of ``doc_id`` and its triple records (inside the caller's transaction);
        True when there was one."""
        positions = self.conn.execute("SELECT position FROM ledger_entries WHERE doc_id = ?", (doc_id,)).fetchall()
        self.conn.executemany("DELETE FROM ledger_triples WHERE position = ?", positions)
        self.conn.execute("DELETE FROM ledger_entries WHERE doc_id = ?", (doc_id,))
        return bool(positions)

    # -- readers

    def entries(self) -> list[dict]:
        """The ledger's entries in build order (one per input item recorded)."""
        return [json.loads(e) for (e,) in self.conn.execute("SELECT entry FROM ledger_entries ORDER BY position")]

    def lines(self) -> Iterator[str]:
        """The triple records of every processed document as JSON lines (newline included), in build order:
        the bytes of the ``triples.jsonl`` a clean build of the same documents writes."""
        for (line,) in self.conn.execute("SELECT line FROM ledger_triples ORDER BY position, seq"):
            yield line

    def documents(self, doc_ids: Optional[Iterable[str]] = None) -> Iterator[tuple[str, list[Triple]]]:
        """``(doc_id, triples)`` of each processed document (of ``doc_ids`` when given; ids not held are
        left out), in build order; a document without triples comes with an empty list."""
        if doc_ids is None:
            rows = self.conn.execute(
                "SELECT e.position, e.doc_id, t.line FROM ledger_entries e "
                "LEFT JOIN ledger_triples t ON t.position = e.position "
                "WHERE e.status = 'processed' ORDER BY e.position, t.seq")
        else:
            rows = (row for position, doc_id in sorted((p, d) for d, p in self.positions(doc_ids).items())
                    for row in self._rows(position, doc_id))
        for (_, doc_id), group in itertools.groupby(rows, key=lambda row: row[:2]):
            yield doc_id, [Triple.from_dict(json.loads(line)) for _, _, line in group if line is not None]

    def _rows(self, position: int, doc_id: str) -> list[tuple]:
        found = self.conn.execute("SELECT ?, ?, line FROM ledger_triples WHERE position = ? ORDER BY seq",
                                  (position, doc_id, position)).fetchall()
        return found or [(position, doc_id, None)]

    def positions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """``{doc_id: position}`` of the processed documents among ``doc_ids``: their places in build order
        (kept by an edit; larger is later)."""
        found = {}
        for doc_id in dict.fromkeys(doc_ids):
            row = self.conn.execute(_PROCESSED, (doc_id,)).fetchone()
            if row is not None:
                found[doc_id] = row[0]
        return found

    def dirty(self) -> list[str]:
        """The ids (sorted) of the documents recorded, replaced or forgotten since their marks were cleared."""
        return [d for (d,) in self.conn.execute("SELECT doc_id FROM ledger_dirty ORDER BY doc_id")]

    def clear_dirty(self, doc_ids: Iterable[str]) -> None:
        """Unmark ``doc_ids`` (inside the caller's transaction, the one that brought their derived state up to date)."""
        self.conn.executemany("DELETE FROM ledger_dirty WHERE doc_id = ?", ((d,) for d in doc_ids))


class _Done(Mapping):
    """The processed documents' entries by id, read from the store on each look-up."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __getitem__(self, doc_id: str) -> dict:
        row = self.conn.execute("SELECT entry FROM ledger_entries WHERE doc_id = ? AND status = 'processed'",
                                (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return json.loads(row[0])

    def __iter__(self) -> Iterator[str]:
        rows = self.conn.execute("SELECT doc_id FROM ledger_entries WHERE status = 'processed' ORDER BY position")
        return (d for (d,) in rows.fetchall())

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM ledger_entries WHERE status = 'processed'").fetchone()[0]


def import_legacy(conn: sqlite3.Connection, out: Union[str, os.PathLike]) -> int:
    """Copy the build in directory ``out`` kept by earlier kg versions (``triples.jsonl`` + ``documents.jsonl``)
    into the empty store ``conn``, in one transaction, every document marked dirty; returns the number of
    ledger entries imported.

    The files are first recovered as :meth:`kg.run.sink.ResumableSink.recover` does (a half-written tail is
    cut away, so they may be rewritten); the caller holds the build's lock.  The triple lines are kept as
    written, so :meth:`Ledger.lines` gives back the recovered ``triples.jsonl``.
    """
    from ..run.sink import ResumableSink

    out = Path(out)
    if not (out / LEGACY_LEDGER).is_file() and not (out / LEGACY_TRIPLES).is_file():
        return 0
    if conn.execute("SELECT 1 FROM ledger_entries LIMIT 1").fetchone() is not None:
        raise UserError(f"{out}: the build store already holds a ledger; nothing imported")
    state = ResumableSink(out / LEGACY_TRIPLES, out / LEGACY_LEDGER, lock=None, name=str(out))
    state.recover()
    entries = state.entries()
    with transaction(conn):
        positions = {}
        for entry in entries:
            position = conn.execute("INSERT INTO ledger_entries (doc_id, status, entry) VALUES (?, ?, ?)",
                                    (entry.get("id"), str(entry.get("status")),
                                     json.dumps(entry, ensure_ascii=False))).lastrowid
            if entry.get("status") == "processed":
                positions[entry.get("id")] = position
        seqs: dict[int, int] = {}

        def rows():
            for raw in _complete_lines(state.data_path):
                position = positions[_doc_id(raw)]  # recovery kept only the lines of processed documents
                seqs[position] = seq = seqs.get(position, -1) + 1
                yield position, seq, raw.decode("utf-8")

        conn.executemany("INSERT INTO ledger_triples (position, seq, line) VALUES (?, ?, ?)", rows())
        conn.executemany("INSERT OR IGNORE INTO ledger_dirty (doc_id) VALUES (?)",
                         ((e.get("id"),) for e in entries if isinstance(e.get("id"), str)))
    log.info("%s: %d ledger entries imported into the build store; %s and %s are no longer read or written",
             out, len(entries), LEGACY_TRIPLES, LEGACY_LEDGER)
    return len(entries)
