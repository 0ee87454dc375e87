"""What one Neo4j load has written itself, kept in a temporary SQLite file.

kg is the only writer while it loads (one writer per database), so a fact with an end the load
created exists exactly when the load wrote it, and a fact the load wrote or found keeps its
relationship id for the rest of the load.  :class:`LoadMemory` remembers both, so the loader can
create such a fact outright or give it new evidence by id, with no search among the
relationships of its ends (the costly part of a ``MERGE`` on a well-connected entity).  The
memory lives in a SQLite file in a temporary directory (a small page cache in RAM), so the
load's own memory stays flat however long the input, and it remembers everything the load
wrote, not only its recent part.  Whenever a step is retried or fails, what it wrote is
uncertain: the loader empties the memory, and its ``MERGE`` path is always correct.

>>> with LoadMemory() as memory:
...     memory.add_entities(["a", "b"])
...     memory.add_facts([({"s": "a", "predicate": "meet", "negated": False, "o": "x"}, "5:db:7")])
...     memory.owned([{"s": "a", "o": "x"}, {"s": "x", "o": "y"}])
...     memory.fact_ids([{"s": "a", "predicate": "meet", "negated": False, "o": "x"}])
[True, False]
['5:db:7']
"""
from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterable

from ..files import batched

#: Entries (entities and facts) before the memory is emptied and starts again: ~30 bytes each
#: on disk, so a 10-million-triple load's file stays near 300 MB.
LOAD_MEMORY_LIMIT = 10_000_000
_CHUNK = 900  # parameters per lookup: under SQLite's oldest limit of 999

_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -4096;
CREATE TABLE entities (key BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE facts (key BLOB PRIMARY KEY, rid NOT NULL) WITHOUT ROWID;
"""


class LoadMemory:
    """The entities one load created and the relationship id of every fact it wrote or found.

    ``limit`` entries at most (0: remember nothing, so every fact is looked up); at the limit the
    memory is emptied and starts again.  Keys are 88-bit hashes (collisions are out of reach);
    a relationship id is kept as the number after the database's common ``elementId`` prefix.
    Close it (or use ``with``) to remove its file.
    """

    def __init__(self, limit: int = LOAD_MEMORY_LIMIT):
        self.limit = limit
        self.entries = 0
        self._rid_prefix: str | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._db: sqlite3.Connection | None = None

    def __len__(self) -> int:
        return self.entries

    def __enter__(self) -> "LoadMemory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the file and remove its directory."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def forget(self) -> None:
        """Drop everything: later facts are looked up until new entities are created."""
        if self._db is not None:
            self._db.executescript("DELETE FROM entities; DELETE FROM facts;")
        self.entries = 0

    def add_entities(self, keys: Iterable[str]) -> None:
        """Record entities this load created."""
        self._insert("INSERT OR IGNORE INTO entities VALUES (?)", [(_hash88(k),) for k in keys])

    def add_facts(self, written: Iterable[tuple[dict, str]]) -> None:
        """Record the relationship id of each (fact, id) the load wrote or found."""
        rows = []
        for fact, rid in written:
            prefix, _, number = rid.rpartition(":")
            if number.isdigit() and self._rid_prefix in (None, prefix + ":"):
                self._rid_prefix = prefix + ":"
                rows.append((_fact_key(fact), int(number)))
            else:
                rows.append((_fact_key(fact), rid))
        self._insert("INSERT OR REPLACE INTO facts VALUES (?, ?)", rows)

    def owned(self, facts: list[dict]) -> list[bool]:
        """For each fact: has it an end this load created (so the memory knows whether it exists)?"""
        ends = [(_hash88(f["s"]), _hash88(f["o"])) for f in facts]
        created = self._found("entities", {key for pair in ends for key in pair})
        return [s in created or o in created for s, o in ends]

    def fact_ids(self, facts: list[dict]) -> list[str | None]:
        """For each fact: its relationship id if the load wrote or found it, else None."""
        keys = [_fact_key(f) for f in facts]
        rids = self._found("facts", set(keys))
        return [None if (rid := rids.get(key)) is None
                else rid if isinstance(rid, str) else f"{self._rid_prefix}{rid}" for key in keys]

    def _insert(self, sql: str, rows: list[tuple]) -> None:
        if self.limit <= 0 or not rows:
            return
        if self.entries + len(rows) > self.limit:
            self.forget()
        db = self._open()
        before = db.total_changes
        db.execute("BEGIN")
        db.executemany(sql, rows)
        db.execute("COMMIT")
        self.entries += db.total_changes - before

    def _found(self, table: str, keys: set[bytes]) -> dict[bytes, Any]:
        if self._db is None or not keys:
            return {}
        found: dict[bytes, Any] = {}
        column = "rid" if table == "facts" else "1"
        for chunk in batched(keys, _CHUNK):
            found.update(self._db.execute(
                f"SELECT key, {column} FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self._dir = tempfile.TemporaryDirectory(prefix="kg-load-memory-")
            self._db = sqlite3.connect(Path(self._dir.name) / "memory.sqlite", isolation_level=None)
            self._db.executescript(_SCHEMA)
        return self._db


def _fact_key(fact: dict) -> bytes:
    """An 88-bit key of (subject, predicate, negated, object)."""
    return _hash88("\x1f".join((fact["s"], fact["predicate"], "1" if fact["negated"] else "0", fact["o"])))


def _hash88(text: str) -> bytes:
    """An 88-bit hash of ``text``."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=11).digest()
