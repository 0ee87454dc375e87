"""Opening the build store's SQLite file, its format version, and its transactions.

Each module of :mod:`kg.local` declares its tables with :func:`schema` at import time; :func:`connect`
creates them all.  The file is in WAL mode: readers (``kg query``, ``kg view``) read a consistent
state while a build writes, and a build killed part-way leaves the last committed transaction.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator, Union

from ..errors import UserError

#: The store's file name inside a build directory.
STORE = "kg.sqlite"
#: The format of the store, kept in SQLite's ``user_version``; another value is refused.
FORMAT_VERSION = 1

_SCHEMAS: list[str] = []


def schema(sql: str) -> str:
    """Register ``sql`` (``CREATE TABLE IF NOT EXISTS …`` statements) to be run by :func:`connect`."""
    _SCHEMAS.append(sql)
    return sql


def store_path(out: Union[str, os.PathLike]) -> Path:
    """The store file of the build in directory ``out``."""
    return Path(out) / STORE


def connect(path: Union[str, os.PathLike], *, create: bool = True) -> sqlite3.Connection:
    """An open connection to the store at ``path`` (created with every registered table when
    ``create``; else a missing file is a :class:`kg.errors.UserError`).

    The connection is in autocommit mode: writers group their statements with :func:`transaction`.
    """
    from . import graph_rows, ledger, linker  # noqa: F401  (each registers its tables)

    path = Path(path)
    if not create and not path.is_file():
        raise UserError(f"{path}: no build store")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MB
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, FORMAT_VERSION):
            raise UserError(f"{path}: a build store of format {version}, not {FORMAT_VERSION}: "
                            "build it again into a new directory")
        if create:
            with transaction(conn):
                for sql in _SCHEMAS:
                    for statement in _statements(sql):
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={FORMAT_VERSION}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise UserError(f"{path}: not a kg build store ({exc})") from None
    except BaseException:
        conn.close()
        raise
    return conn


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one write transaction (``BEGIN IMMEDIATE``): committed when it ends, rolled
    back when it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block's reads on one committed state of the store (a read transaction, unless the
    caller already holds one): a build committing meanwhile is not half seen."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def has_row(conn: sqlite3.Connection, table: str, column: str, value) -> bool:
    """True when ``table`` has a row whose ``column`` is ``value`` (an index look-up)."""
    return conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1", (value,)).fetchone() is not None
