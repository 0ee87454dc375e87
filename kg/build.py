"""The whole job in one call: extract → resolve across documents → graph → store → views.

A build keeps its state in an output directory (default ``kg-out/``):

- ``triples.jsonl``: the triple records of every processed document (as ``kg extract`` writes them),
- ``documents.jsonl``: one line per document seen (id, origin, status, counts or reason),
- ``graph.json``: the local graph (node-link JSON) that ``kg query``, ``kg view`` and
  ``kg export`` reuse,
- ``view.html``: the interactive view of the most important part of the graph.

Re-running on the same input changes nothing: documents already in
``documents.jsonl`` are skipped, and the graph is a function of all triples.
Adding a file extracts only that file.  A run that is killed part-way leaves at
most one document half-written; the next run drops it and does it again.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .link import resolved_file
from .extractor import ExtractOptions
from .files import write_atomic
from .graph import build_graph, write_graph
from .nlp import DEFAULT_MODEL
from .engines import run
from .pool import RunStats
from .records import Document, Rejection
from .sources import iter_documents

log = logging.getLogger(__name__)

TRIPLES = "triples.jsonl"
DOCUMENTS = "documents.jsonl"
GRAPH = "graph.json"
VIEW = "view.html"


@dataclass
class BuildReport:
    """What a build did, for the closing summary."""

    out: Path
    extraction: RunStats = field(default_factory=RunStats)
    skipped: int = 0
    documents: int = 0
    entities: int = 0
    facts: int = 0
    triples: int = 0
    outputs: dict = field(default_factory=dict)
    neo4j: Optional[object] = None

    def summary(self) -> str:
        """One line for the end of the run."""
        e = self.extraction
        parts = [f"{e.read + self.skipped} documents read ({self.skipped} already built, {e.processed} processed, "
                 f"{e.rejected} rejected)", f"{e.sentences} new sentences",
                 f"graph of {self.documents} documents: {self.entities} entities, {self.facts} facts",
                 "outputs in " + str(self.out)]
        return "; ".join(parts)


class Workspace:
    """The output directory of a build and its crash-safe, append-only state."""

    def __init__(self, out: str | os.PathLike):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.triples_path = self.out / TRIPLES
        self.documents_path = self.out / DOCUMENTS
        self.done = self._recover()

    def _recover(self) -> dict[str, dict]:
        """Documents finished by earlier runs; drops triples of a document a crash left unfinished."""
        done: dict[str, dict] = {}
        for rec in _read_jsonl_tolerant(self.documents_path):
            if rec.get("status") == "processed":
                done[rec["id"]] = rec
        _rewrite_tolerant(self.documents_path, lambda rec: True)
        _rewrite_tolerant(self.triples_path, lambda rec: rec.get("doc_id") in done)
        return done

    def record(self, result, origin_of: dict) -> None:
        """Append one document's triples, then its line in the manifest (the commit point)."""
        if isinstance(result, Rejection):
            line = {"id": result.doc_id, "origin": result.origin, "status": "rejected", "reason": result.reason}
        else:
            with open(self.triples_path, "a", encoding="utf-8") as f:
                for t in result.triples:
                    f.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
            line = {"id": result.doc_id, "origin": origin_of.pop(result.doc_id, None), "status": "processed",
                    "sentences": result.sentences, "triples": len(result.triples)}
            self.done[result.doc_id] = line
        with open(self.documents_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def _read_jsonl_tolerant(path: Path) -> Iterable[dict]:
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.endswith("\n"):
                break  # a line cut short by a crash
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def _rewrite_tolerant(path: Path, keep: Callable[[dict], bool]) -> None:
    """Rewrite a JSONL file keeping complete lines that ``keep``; untouched when nothing changes."""
    if not path.exists():
        return
    kept, dropped = [], 0
    for rec in _read_jsonl_tolerant(path):
        if keep(rec):
            kept.append(rec)
        else:
            dropped += 1
    size = path.stat().st_size
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
    if dropped or len(text.encode("utf-8")) != size:
        log.info("%s: recovered after an interrupted run (%d records dropped)", path, dropped)
        write_atomic(path, text)


def extract_new(inputs: Iterable, ws: Workspace, *, model: str = DEFAULT_MODEL, workers: int = 1, fmt: str = "auto",
                options: ExtractOptions = ExtractOptions(), report: BuildReport,
                on_item: Callable = lambda item: None, engine: str = "local", scheduler: Optional[str] = None) -> None:
    """Extract the documents of ``inputs`` not yet in the workspace, recording each as it finishes."""
    origin_of: dict[str, str] = {}

    def fresh():
        for item in iter_documents(inputs, fmt=fmt):
            if isinstance(item, Document) and item.id in ws.done:
                report.skipped += 1
                continue
            if isinstance(item, Document):
                origin_of[item.id] = item.source
            yield item

    for result in run(fresh(), engine=engine, scheduler=scheduler, model=model, workers=workers, options=options,
                      stats=report.extraction):
        ws.record(result, origin_of)
        on_item(result)


def build_local_graph(ws: Workspace, report: BuildReport):
    """The graph of every triple in the workspace, with aliases resolved across documents."""
    counted = _Counter(resolved_triples(ws))
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


def resolved_triples(ws: Workspace):
    """Stream the workspace's triples with cross-document resolution (for loading into a store)."""
    if not ws.triples_path.exists():
        return iter(())
    return resolved_file(ws.triples_path)


def build(inputs: Iterable, *, out: str | os.PathLike = "kg-out", model: str = DEFAULT_MODEL, workers: int = 1,
          fmt: str = "auto", options: ExtractOptions = ExtractOptions(), views: bool = True,
          view_max_nodes: int = 300, view_by: str = "pagerank", on_item: Callable = lambda item: None,
          engine: str = "local", scheduler: Optional[str] = None) -> BuildReport:
    """Run extraction, cross-document resolution, the local graph and the view into ``out``.

    Loading into Neo4j is a separate step (:func:`kg.neo4j.store.load_triples` over
    :func:`resolved_triples`), done by ``kg build --neo4j``.
    """
    ws = Workspace(out)
    report = BuildReport(out=ws.out)
    extract_new(inputs, ws, model=model, workers=workers, fmt=fmt, options=options, report=report, on_item=on_item,
                engine=engine, scheduler=scheduler)
    g = build_local_graph(ws, report)
    report.outputs["triples"] = ws.triples_path
    report.outputs["graph"] = write_graph(g, ws.out / GRAPH)
    if views:
        from .views import build_view, write_view

        report.outputs["view"] = write_view(build_view(g, title="kg: " + ws.out.name, max_nodes=view_max_nodes,
                                                       by=view_by), ws.out / VIEW)
    return report


def load_into_neo4j(config, out: str | os.PathLike, *, progress: Optional[Callable[[int], object]] = None):
    """Load the resolved triples of the build in ``out`` into Neo4j (idempotent); returns the
    store's :class:`kg.neo4j.store.LoadReport`.  ``progress(n)`` is called after each batch."""
    from .neo4j import store

    with store.connect(config) as conn:
        return store.load_triples(conn, resolved_triples(Workspace(out)), progress=progress)
