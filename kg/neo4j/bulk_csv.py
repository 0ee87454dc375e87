"""CSV files for ``neo4j-admin database import full``: the bulk path for a first load.

The files describe exactly the graph :func:`kg.neo4j.store.load_triples` writes over Bolt
(the rows come from the same :func:`kg.neo4j.store.rows_for_triples`), so a bulk import
and a batched load of the same triples give the same nodes, relationships and properties:

- ``entities.csv``   ``key:ID(Entity)``, name, type, ``aliases:string[]``, ``merges:string[]``, named_by,
  ``:LABEL`` (Entity and Person …)
- ``documents.csv``  ``id:ID(Document)``, title, date, url, source, digest (of its triples, so a
  later ``kg load`` of the same file skips them: :mod:`kg.neo4j.change`)
- ``sentences.csv``  ``id:ID(Sentence)``, text, doc_id
- ``has_sentence.csv``, ``mentions.csv`` (entity key, sentence order, name, type and the ``aliases:string[]`` and
  ``merges:string[]`` the sentence supplies), ``facts.csv`` (``:TYPE`` per row, with the fact's
  properties, lists cut as :func:`kg.neo4j.store.listed` cuts them) and ``evidence.csv``
  (one EVIDENCE relationship per sentence of a fact: ``fact``, ``doc_id``, ``order``, ``speaker``,
  ``predicate_text``, ``confidence``, ``date``).

Arrays (and the labels of a node) are separated by U+001F (unit separator), which never
occurs in kg's ids or text (control characters and line breaks become spaces where documents and
triple records are read, :func:`kg.records.clean_field`), so a name containing ``;`` stays whole
and no field spans two lines.  The importer cannot write an empty list, so
:func:`kg.neo4j.store.finish_import` (``kg load --after-import``) fills those in and creates
the constraints once the server is up.
``import.args`` holds the importer's arguments; ``README.txt`` the command to run.
Constraints are not part of an import: ``kg load --after-import`` creates them.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..files import atomic_path, write_atomic
from ..facts import EVIDENCE_COLUMNS, FACT_SUMMARY
from ..records import DOCUMENT_FIELDS, Triple

ARRAY_DELIMITER = "\x1f"
DATABASE = "neo4j"

ENTITY_HEADER = ["key:ID(Entity)", "name", "type", "aliases:string[]", "merges:string[]", "named_by", ":LABEL"]
DOCUMENT_HEADER = ["id:ID(Document)", *DOCUMENT_FIELDS, "digest", ":LABEL"]
SENTENCE_HEADER = ["id:ID(Sentence)", "text", "doc_id", ":LABEL"]
HAS_SENTENCE_HEADER = [":START_ID(Document)", ":END_ID(Sentence)", ":TYPE"]
MENTIONS_HEADER = [":START_ID(Sentence)", ":END_ID(Entity)", ":TYPE", "entity", "order", "name", "type",
                   "aliases:string[]", "merges:string[]"]


def _column(name: str, neo4j_type: str = "string") -> str:
    return name if neo4j_type == "string" else f"{name}:{neo4j_type}"


def _field_type(field: str) -> str:
    """The import type of an evidence field: that of the summary property computed from it (one value)."""
    return next((p.neo4j_type.removesuffix("[]") for p in FACT_SUMMARY if p.source == field), "string")


# A fact's and an EVIDENCE relationship's columns come from the one definition in kg.facts.
FACT_HEADER = [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "id", "predicate", "negated:boolean",
               "evidence:string[]", *(_column(p.name, p.neo4j_type) for p in FACT_SUMMARY)]
EVIDENCE_HEADER = [":START_ID(Sentence)", ":END_ID(Entity)", ":TYPE", "fact",
                   *(_column(name, _field_type(name)) for name in EVIDENCE_COLUMNS)]


@dataclass
class ImportFiles:
    """What :func:`write_import_files` wrote."""

    directory: Path
    entities: int
    documents: int
    sentences: int
    mentions: int
    facts: int
    evidence: int

    def __str__(self) -> str:
        return (f"neo4j-csv: {self.entities} entities, {self.documents} documents, {self.sentences} sentences, "
                f"{self.mentions} mentions, {self.facts} facts, {self.evidence} evidence -> {self.directory} "
                "(see README.txt there)")


def _cell(value) -> object:
    """A property value as a CSV cell: lists joined by :data:`ARRAY_DELIMITER`, ``None`` empty (no property)."""
    if value is None:
        return ""
    return _array(value) if isinstance(value, list) else value


def _array(values: Iterable) -> str:
    return ARRAY_DELIMITER.join("" if v is None else str(v) for v in values)


def import_rows(triples: Iterable[Triple]) -> dict[str, list[list]]:
    """CSV rows per file (pure), from the same aggregation the Bolt load uses."""
    from .change import first_run_digests
    from .store import evidence_rows, listed, rows_for_triples

    triples = list(triples)
    digests = first_run_digests(triples)
    rows = rows_for_triples(triples)
    out: dict[str, list[list]] = {"entities": [], "documents": [], "sentences": [], "has_sentence": [],
                                  "mentions": [], "facts": [], "evidence": []}
    for e in rows["entities"]:
        p = e["props"]
        out["entities"].append([e["key"], p["name"], p["type"], _array(p["aliases"]), _array(p["merges"]),
                                p["named_by"], _array(["Entity", e["label"]])])
    for d in rows["documents"]:
        m = d["meta"]
        out["documents"].append([d["id"], *(m.get(k, "") for k in DOCUMENT_FIELDS), digests[d["id"]], "Document"])
    for s in rows["sentences"]:
        out["sentences"].append([s["id"], s["text"], s["doc_id"], "Sentence"])
        out["has_sentence"].append([s["doc_id"], s["id"], "HAS_SENTENCE"])
        out["mentions"].extend([s["id"], m["key"], "MENTIONS", m["props"]["entity"], m["props"]["order"],
                                m["props"]["name"], m["props"]["type"],
                                _array(m["props"].get("aliases", [])), _array(m["props"].get("merges", []))]
                               for m in s["mentions"])
    for f in rows["facts"]:
        p = listed(f["props"])
        out["facts"].append([f["s"], f["o"], f["type"], p["id"], f["predicate"], str(bool(f["negated"])).lower(),
                             _array(p["evidence"]), *(_cell(p.get(prop.name)) for prop in FACT_SUMMARY)])
        # an empty field is no property: a sentence that is not reported speech has no speaker
        out["evidence"].extend([e["sentence"], e["subject"], "EVIDENCE", e["fact"],
                                *(_cell(e[name]) for name in EVIDENCE_COLUMNS)] for e in evidence_rows(f))
    return out


HEADERS = {"entities": ENTITY_HEADER, "documents": DOCUMENT_HEADER, "sentences": SENTENCE_HEADER,
           "has_sentence": HAS_SENTENCE_HEADER, "mentions": MENTIONS_HEADER, "facts": FACT_HEADER,
           "evidence": EVIDENCE_HEADER}


def importer_arguments(directory: Path) -> list[str]:
    """Arguments of ``neo4j-admin`` for the files in ``directory`` (header line in each file)."""
    d = directory.resolve()
    return ["database", "import", "full", DATABASE,
            f"--nodes={d / 'entities.csv'}", f"--nodes={d / 'documents.csv'}", f"--nodes={d / 'sentences.csv'}",
            f"--relationships={d / 'has_sentence.csv'}", f"--relationships={d / 'mentions.csv'}",
            f"--relationships={d / 'facts.csv'}", f"--relationships={d / 'evidence.csv'}", f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
            "--overwrite-destination=true"]


def write_import_files(triples: Iterable[Triple], directory: str | os.PathLike) -> ImportFiles:
    """Write the import CSVs for triples already resolved across documents: those of a build
    (:func:`kg.build.resolved_triples`) or of a file of triple records (:func:`kg.link.resolved_file`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows = import_rows(triples)
    for name, header in HEADERS.items():
        with atomic_path(directory / f"{name}.csv") as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[name])
    args = importer_arguments(directory)
    write_atomic(directory / "import.args", "\n".join(args) + "\n")
    write_atomic(directory / "README.txt",
                 "Bulk first load into a stopped Neo4j 5.26 (replaces the database):\n\n"
                 f"    neo4j-admin {' '.join(args)}\n\n"
                 "Then start the server and run `kg load --after-import` once: it creates the constraints and\n"
                 "fills in the empty lists the importer cannot write.\n")
    return ImportFiles(directory, len(rows["entities"]), len(rows["documents"]), len(rows["sentences"]),
                       len(rows["mentions"]), len(rows["facts"]), len(rows["evidence"]))
