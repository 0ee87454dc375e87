"""The whole job in one call: extract → resolve across documents → graph → store → views.

A build keeps its state in an output directory (default ``kg-out/``):

- ``kg.sqlite``: the build store (:mod:`kg.local`) — one entry per document seen (id, origin,
  status, counts and content digest, or reason), the triple records of every processed document
  (as ``kg extract`` writes them), the cross-document link state, and the local graph that
  ``kg query``, ``kg view``, ``kg brief`` and ``kg export`` read (:func:`read_build_graph`);
  ``kg export --format json|triples`` writes the graph or the triple records as files;
- ``view.html``: the interactive view of the most important part of the graph.

Re-running on the same input changes nothing: documents already built are skipped.  Adding a
file extracts only that file.  A document whose id is built but whose content digest differs
(an edited or corrected article) replaces the built one, and :func:`forget` (``kg forget``)
removes documents.  Each change touches the rows of the documents it reaches — the document
itself, and those whose cross-document resolution it changes — so its cost follows the change,
not the size of the build; afterwards the store holds what a clean build of the current
documents holds.  A run that is killed part-way keeps every document it committed; the next run
brings the graph up to date with them.  One build at a time holds the directory (``.lock``; a
second one stops, or waits with ``wait=True``), and a document id names one document within a
run (:mod:`kg.run.unique`).  A directory built by an earlier kg (``triples.jsonl`` and
``documents.jsonl``) is taken into a new store the first time it is opened.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import UserError
from .extractor import ExtractOptions
from .local.db import store_path
from .local.ledger import Ledger
from .local.store import BuildStore, has_build, read_store, resolved_stream, store_counts, triple_count
from .nlp import DEFAULT_MODEL
from .records import Triple
from .run.driver import run
from .run.stats import RunStats
from .sources import iter_documents

log = logging.getLogger(__name__)

VIEW = "view.html"


@dataclass
class BuildReport:
    """What a build did, for the closing summary."""

    out: Path
    extraction: RunStats = field(default_factory=RunStats)
    skipped: int = 0
    replaced: int = 0
    documents: int = 0
    entities: int = 0
    facts: int = 0
    outputs: dict = field(default_factory=dict)
    neo4j: Optional[object] = None

    def summary(self) -> str:
        """One line for the end of the run."""
        e = self.extraction
        duplicates = f", {e.duplicates} duplicates skipped" if e.duplicates else ""
        replaced = f", {self.replaced} replaced" if self.replaced else ""
        parts = [f"{e.read + self.skipped + e.duplicates} documents read ({self.skipped} already built, "
                 f"{e.processed} processed{replaced}, {e.rejected} rejected{duplicates})",
                 f"{e.sentences} new sentences",
                 f"graph of {self.documents} documents: {self.entities} entities, {self.facts} facts",
                 "outputs in " + str(self.out)]
        return "; ".join(parts)


def build_state(out: str | os.PathLike, *, wait: bool = False) -> BuildStore:
    """The store of the build in ``out``, under its lock: its ``ledger`` is the sink extraction writes
    to (an edited document replaces the built one)."""
    return BuildStore(out, wait=wait)


def extract_new(inputs: Iterable, state: BuildStore, *, model: str = DEFAULT_MODEL, workers: int = 1,
                fmt: str = "auto", options: ExtractOptions = ExtractOptions(), report: BuildReport,
                on_item: Callable = lambda item: None, engine: str = "local", scheduler: Optional[str] = None) -> None:
    """Extract the documents of ``inputs`` not yet in the build's state, recording each as it finishes."""
    for result in run(iter_documents(inputs, fmt=fmt), engine=engine, scheduler=scheduler, model=model,
                      workers=workers, options=options, stats=report.extraction, sink=state.ledger):
        on_item(result)
    report.skipped = report.extraction.skipped
    report.replaced = state.ledger.replaced


def read_build_graph(out: str | os.PathLike):
    """The local graph of the build in ``out`` (what ``kg query``, ``kg view``, ``kg brief`` and
    ``kg export`` read); a directory without a build is a :class:`kg.errors.UserError`."""
    from .local.graph_rows import read_graph

    with read_store(out) as conn:
        return read_graph(conn)


def build_triples(out: str | os.PathLike) -> Iterator[Triple]:
    """The raw triple records of the build in ``out``, in build order (as ``kg extract`` writes them)."""
    with read_store(out) as conn:
        for _, triples in Ledger(conn).documents():
            yield from triples


def build_triple_lines(out: str | os.PathLike) -> Iterator[str]:
    """The raw triple records of the build in ``out`` as JSON lines (newline included), in build order:
    the bytes ``kg extract`` writes for the same documents."""
    with read_store(out) as conn:
        yield from Ledger(conn).lines()


def build_entries(out: str | os.PathLike) -> list[dict]:
    """The ledger of the build in ``out``: one entry per document read (id, origin, status, counts,
    digest or reason), in the order they were recorded."""
    with read_store(out) as conn:
        return Ledger(conn).entries()


def resolved_triples(out: str | os.PathLike) -> Iterator[Triple]:
    """Stream the triples of the build in ``out`` with cross-document resolution (for loading into a store)."""
    with read_store(out) as conn:
        yield from resolved_stream(conn)


def build(inputs: Iterable, *, out: str | os.PathLike = "kg-out", model: str = DEFAULT_MODEL, workers: int = 1,
          fmt: str = "auto", options: ExtractOptions = ExtractOptions(), views: bool = True,
          view_max_nodes: int = 300, view_by: str = "pagerank", on_item: Callable = lambda item: None,
          engine: str = "local", scheduler: Optional[str] = None, wait: bool = False) -> BuildReport:
    """Run extraction, cross-document resolution, the local graph and the view into ``out``.

    The whole build holds ``out``'s lock: another build of ``out`` stops at once
    (a :class:`kg.errors.UserError` naming the process), or with ``wait`` waits for it.
    Loading into Neo4j is a separate step (:func:`kg.neo4j.store.load_triples` over
    :func:`resolved_triples`), done by ``kg build --neo4j``.
    """
    out = Path(out)
    report = BuildReport(out=out)
    with build_state(out, wait=wait) as state:
        extract_new(inputs, state, model=model, workers=workers, fmt=fmt, options=options, report=report,
                    on_item=on_item, engine=engine, scheduler=scheduler)
        write_outputs(state, report, views=views, view_max_nodes=view_max_nodes, view_by=view_by)
    return report


def write_outputs(state: BuildStore, report: BuildReport, *, views: bool = True, view_max_nodes: int = 300,
                  view_by: str = "pagerank") -> None:
    """Bring the build's link state and graph up to date with its documents (and with ``views`` redraw
    the view), under the lock ``state`` holds; fill ``report``'s counts."""
    out = report.out
    state.refresh()
    _count(state, report)
    report.outputs["store"] = store_path(out)
    if views:
        from .views import build_view, write_view

        report.outputs["view"] = write_view(build_view(state.graph(), title="kg: " + out.name,
                                                       max_nodes=view_max_nodes, by=view_by), out / VIEW)


def _count(state: BuildStore, report: BuildReport) -> None:
    counts = store_counts(state.conn)
    report.documents, report.entities, report.facts = counts["documents"], counts["entities"], counts["facts"]


@dataclass
class ForgetReport:
    """What :func:`forget` did: the ids it removed, those the build did not hold, and the graph left."""

    build: BuildReport
    forgotten: list = field(default_factory=list)
    unknown: list = field(default_factory=list)


def forget(doc_ids: Iterable[str], *, out: str | os.PathLike = "kg-out", wait: bool = False) -> ForgetReport:
    """Remove documents from the build in ``out``: their triples, their ledger entries, and every fact,
    mention and entity only they supported.

    Holds the build's lock like :func:`build`.  The store then holds what a clean build of the
    remaining documents holds; the view is redrawn (default settings) when the build has one.
    Forgetting ids the build does not hold changes nothing.
    """
    out = Path(out)
    if not has_build(out):
        raise UserError(f"{out} holds no build (no {store_path(out).name})")
    ids = list(dict.fromkeys(doc_ids))
    report = ForgetReport(BuildReport(out=out))
    with build_state(out, wait=wait) as state:
        report.forgotten = state.ledger.forget(ids)
        gone = set(report.forgotten)
        report.unknown = [d for d in ids if d not in gone]
        if gone:
            write_outputs(state, report.build, views=(out / VIEW).exists())
        else:
            _count(state, report.build)
    return report


def build_size(out: str | os.PathLike) -> int:
    """About how many triples loading the build in ``out`` reads (its raw triple records), for a progress bar."""
    with read_store(out) as conn:
        return triple_count(conn)


def load_into_neo4j(config, out: str | os.PathLike, *, progress: Optional[Callable[[int], object]] = None):
    """Load the resolved triples of the build in ``out`` into Neo4j (idempotent); returns the
    store's :class:`kg.neo4j.store.LoadReport`.  ``progress(n)`` is called after each batch."""
    from .neo4j import store

    with store.connect(config) as conn:
        return store.load_triples(conn, resolved_triples(out), progress=progress)
