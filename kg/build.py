"""The whole job in one call: extract → resolve across documents → graph → store → views.

A build keeps its state in an output directory (default ``kg-out/``):

- ``triples.jsonl``: the triple records of every processed document (as ``kg extract`` writes them),
- ``documents.jsonl``: one line per document seen (id, origin, status, counts and content digest, or reason),
- ``graph.json``: the local graph (node-link JSON) that ``kg query``, ``kg view`` and
  ``kg export`` reuse,
- ``view.html``: the interactive view of the most important part of the graph.

Re-running on the same input changes nothing: documents already in
``documents.jsonl`` are skipped, and the graph is a function of all triples.
Adding a file extracts only that file.  A document whose id is built but whose
content digest differs (an edited or corrected article) replaces the built one:
its old triples leave ``triples.jsonl``, its new ones take their place, and the
graph is rebuilt, so the directory is what a clean build of the current documents
would write, byte for byte.  :func:`forget` (``kg forget``) removes documents the
same way.  A run that is killed part-way leaves at
most one document half-written; the next run drops it and does it again.
The state is a :class:`kg.run.sink.ResumableSink`: one build at a time holds the
directory (``.lock``; a second one stops, or waits with ``wait=True``), and a
document id names one document within a run (:mod:`kg.run.unique`).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .link import resolved_file
from .errors import UserError
from .extractor import ExtractOptions
from .graph import build_graph, paused_gc, write_graph
from .nlp import DEFAULT_MODEL
from .run.driver import run
from .run.sink import ResumableSink
from .run.stats import RunStats
from .sources import iter_documents

log = logging.getLogger(__name__)

TRIPLES = "triples.jsonl"
DOCUMENTS = "documents.jsonl"
GRAPH = "graph.json"
VIEW = "view.html"
LOCK = ".lock"


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
    triples: int = 0
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


def build_state(out: str | os.PathLike, *, wait: bool = False) -> ResumableSink:
    """The resumable state of the build in ``out``: ``triples.jsonl`` with its ledger ``documents.jsonl``
    (an edited document replaces the built one)."""
    out = Path(out)
    return ResumableSink(out / TRIPLES, out / DOCUMENTS, lock=out / LOCK, name=str(out), doing="built", wait=wait,
                         replace=True)


def extract_new(inputs: Iterable, state: ResumableSink, *, model: str = DEFAULT_MODEL, workers: int = 1,
                fmt: str = "auto", options: ExtractOptions = ExtractOptions(), report: BuildReport,
                on_item: Callable = lambda item: None, engine: str = "local", scheduler: Optional[str] = None) -> None:
    """Extract the documents of ``inputs`` not yet in the build's state, recording each as it finishes."""
    for result in run(iter_documents(inputs, fmt=fmt), engine=engine, scheduler=scheduler, model=model,
                      workers=workers, options=options, stats=report.extraction, sink=state):
        on_item(result)
    report.skipped = report.extraction.skipped
    report.replaced = state.replaced


def build_local_graph(out: str | os.PathLike, report: BuildReport):
    """The graph of every triple of the build in ``out``, with aliases resolved across documents."""
    with paused_gc():
        counted = _Counter(resolved_triples(out))
        g = build_graph(counted)
    report.triples = counted.n
    report.documents = len(g.graph.get("documents", {}))
    report.entities = g.number_of_nodes()
    report.facts = g.number_of_edges()
    return g


class _Counter:
    def __init__(self, items):
        self.items, self.n = items, 0

    def __iter__(self):
        for x in self.items:
            self.n += 1
            yield x


def resolved_triples(out: str | os.PathLike):
    """Stream the triples of the build in ``out`` with cross-document resolution (for loading into a store)."""
    path = Path(out) / TRIPLES
    if not path.exists():
        return iter(())
    return resolved_file(path)


def read_build_graph(out: str | os.PathLike):
    """The local graph of the build in ``out`` (what ``kg query``, ``kg view``, ``kg brief`` and
    ``kg export`` read); a directory without a build is a :class:`kg.errors.UserError`."""
    from .graph import read_graph

    path = Path(out) / GRAPH
    if not path.is_file():
        raise UserError(f"{out}: no build here (run `kg build --out {out}` first)")
    try:
        return read_graph(path)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def build_triples(out: str | os.PathLike):
    """The raw triple records of the build in ``out``, in build order (as ``kg extract`` writes them)."""
    from .graph import read_triples

    path = Path(out) / TRIPLES
    return iter(read_triples(path)) if path.exists() else iter(())


def build_entries(out: str | os.PathLike) -> list[dict]:
    """The ledger of the build in ``out``: one entry per document read (id, origin, status, counts,
    digest or reason), in the order they were recorded."""
    from .run.sink import _ledger_entries

    return list(_ledger_entries(Path(out) / DOCUMENTS))


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


def write_outputs(state: ResumableSink, report: BuildReport, *, views: bool = True, view_max_nodes: int = 300,
                  view_by: str = "pagerank") -> None:
    """Rebuild ``graph.json`` (and with ``views`` the view) from the triples ``state`` holds (under its lock)."""
    out = report.out
    g = build_local_graph(out, report)
    report.outputs["triples"] = state.data_path
    report.outputs["graph"] = write_graph(g, out / GRAPH)
    if views:
        from .views import build_view, write_view

        report.outputs["view"] = write_view(build_view(g, title="kg: " + out.name, max_nodes=view_max_nodes,
                                                       by=view_by), out / VIEW)


@dataclass
class ForgetReport:
    """What :func:`forget` did: the ids it removed, those the build did not hold, and the graph left."""

    build: BuildReport
    forgotten: list = field(default_factory=list)
    unknown: list = field(default_factory=list)


def forget(doc_ids: Iterable[str], *, out: str | os.PathLike = "kg-out", wait: bool = False) -> ForgetReport:
    """Remove documents from the build in ``out``: their triples, their ledger lines, and (by rebuilding
    the graph from what is left) every fact, mention and entity only they supported.

    Holds the build's lock like :func:`build`.  The directory is then what a clean build of the
    remaining documents writes; the view is redrawn (default settings) when the build has one.
    Forgetting ids the build does not hold changes nothing, except that a graph older than the
    triples (a forget stopped before its graph was written) is rebuilt.
    """
    out = Path(out)
    if not (out / DOCUMENTS).is_file():
        raise UserError(f"{out} holds no build (no {DOCUMENTS})")
    ids = list(dict.fromkeys(doc_ids))
    report = ForgetReport(BuildReport(out=out))
    with build_state(out, wait=wait) as state:
        report.forgotten = state.forget(ids)
        gone = set(report.forgotten)
        report.unknown = [d for d in ids if d not in gone]
        if gone or _graph_behind(out):
            write_outputs(state, report.build, views=(out / VIEW).exists())
    return report


def _graph_behind(out: Path) -> bool:
    """True when ``graph.json`` is missing or older than the triples or the ledger it is built from."""
    try:
        graph = (out / GRAPH).stat().st_mtime_ns
    except FileNotFoundError:
        return True
    return any(p.exists() and p.stat().st_mtime_ns > graph for p in (out / TRIPLES, out / DOCUMENTS))


def load_into_neo4j(config, out: str | os.PathLike, *, progress: Optional[Callable[[int], object]] = None):
    """Load the resolved triples of the build in ``out`` into Neo4j (idempotent); returns the
    store's :class:`kg.neo4j.store.LoadReport`.  ``progress(n)`` is called after each batch."""
    from .neo4j import store

    with store.connect(config) as conn:
        return store.load_triples(conn, resolved_triples(out), progress=progress)
