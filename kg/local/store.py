"""A build directory's store: the ledger, the link state and the graph rows of ``kg.sqlite``, kept level.

:class:`BuildStore` is what ``kg build`` and ``kg forget`` hold while they change a build: the
build's lock (:func:`kg.run.sink.locked`), the store's connection, its :class:`~kg.local.ledger.Ledger`
(the sink extraction writes to) and :meth:`BuildStore.refresh`, which brings the link state and
the graph level with the ledger for the documents recorded, replaced or forgotten since the last
refresh, in one transaction.  A build killed between a document's commit and the refresh leaves
that document marked; the next one to open the store refreshes it first.

:func:`read_store` opens a build for reading (``kg query``, ``kg view``, ``kg export``): no lock,
and a writer's transaction in progress is not seen (WAL).
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

from ..errors import UserError
from ..files import batched
from ..link import with_cross_document_records
from ..records import Triple
from ..run.sink import locked
from . import graph_rows
from .db import connect, read_transaction, store_path, transaction
from .ledger import LEGACY_LEDGER, Ledger, import_legacy
from .linker import Linker

log = logging.getLogger(__name__)

LOCK = ".lock"
#: Changed documents brought up to date in one transaction.
REFRESH_BATCH = 5000


@dataclass
class Refresh:
    """What one :meth:`BuildStore.refresh` did: documents taken in, documents whose resolution it redid."""

    changed: int = 0
    resolved_again: int = 0


class BuildStore:
    """The store of the build in ``out``, under the build's lock (use it as a context manager)."""

    def __init__(self, out: Union[str, os.PathLike], *, wait: bool = False):
        self.out = Path(out)
        self.wait = wait
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "BuildStore":
        with contextlib.ExitStack() as stack:
            self.out.mkdir(parents=True, exist_ok=True)
            stack.enter_context(locked(self.out / LOCK, name=str(self.out), doing="built", wait=self.wait))
            path = store_path(self.out)
            new = not path.exists()
            self.conn = connect(path)
            stack.callback(self.conn.close)
            self.ledger = Ledger(self.conn)
            self.linker = Linker(self.conn)
            if new:
                imported = import_legacy(self.conn, self.out)
                if imported:
                    log.info("%s: %d documents of an earlier build taken into %s", self.out, imported, path.name)
            self.refresh()
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def refresh(self) -> Refresh:
        """Bring the link state and the graph level with the documents changed since the last refresh,
        :data:`REFRESH_BATCH` documents a transaction (so a first build of many documents holds a
        batch's triples in memory, not the build's)."""
        report = Refresh()
        for dirty in batched(self.ledger.dirty(), REFRESH_BATCH):
            with transaction(self.conn):
                positions = self.ledger.positions(dirty)
                held = dict(self.ledger.documents(positions))
                changed = {d: (positions[d], held[d]) if d in held else None for d in dirty}
                again = self.linker.update(changed, lambda ids: dict(self.ledger.documents(ids)))
                graph_rows.apply(self.conn, again)
                self.ledger.clear_dirty(dirty)
            report.changed += len(dirty)
            report.resolved_again += len(again)
        return report

    # -- reading (also under the lock)

    def graph(self):
        """The build's graph (:func:`kg.local.graph_rows.read_graph`)."""
        return graph_rows.read_graph(self.conn)

    def resolved_triples(self) -> Iterator[Triple]:
        """Every triple resolved across documents, in build order, with the cross-document records."""
        return resolved_stream(self.conn)


def resolved_stream(conn: sqlite3.Connection) -> Iterator[Triple]:
    """The resolved triples of a store, in build order, with the cross-document records (what
    :func:`kg.link.resolved` gives for the build's raw triples)."""
    resolve = Linker(conn).resolver(many=True)
    return with_cross_document_records(t for _, raw in Ledger(conn).documents() for t in resolve(raw))


@contextlib.contextmanager
def read_store(out: Union[str, os.PathLike]) -> Iterator[sqlite3.Connection]:
    """A connection to the store of the build in ``out``, for reading; a directory without one is a
    :class:`kg.errors.UserError`.  The reads of the block see one committed state."""
    path = store_path(out)
    if not has_build(out):
        raise UserError(f"{out}: no build here (run `kg build --out {out}` first)")
    if not path.is_file():
        with BuildStore(out, wait=True):  # a build of an earlier kg: taken into a store once
            pass
    conn = connect(path, create=False)
    try:
        if conn.execute("SELECT EXISTS (SELECT 1 FROM ledger_dirty)").fetchone()[0]:
            log.warning("%s: a build stopped before its graph was brought up to date; run kg build again "
                        "to finish it", out)
        with read_transaction(conn):
            yield conn
    finally:
        conn.close()


def has_build(out: Union[str, os.PathLike]) -> bool:
    """True when directory ``out`` holds a build: a store, or the ledger of a build of an earlier kg."""
    return store_path(out).is_file() or (Path(out) / LEGACY_LEDGER).is_file()


def store_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Documents, entities and facts of a store's graph, counted without reading the graph."""
    return graph_rows.counts(conn)


def triple_count(conn: sqlite3.Connection) -> int:
    """The number of raw triple records a store holds (about the number a load into Neo4j reads)."""
    return conn.execute("SELECT COALESCE(SUM(json_extract(entry, '$.triples')), 0) FROM ledger_entries "
                        "WHERE status = 'processed'").fetchone()[0]
