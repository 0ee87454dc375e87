"""The bulk import path: ``kg export --format neo4j-csv`` → the real ``neo4j-admin database import``
→ the same graph as the batched Bolt load of the same triples."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from kg.neo4j import store
from kg.cli import main
from kg.graph import read_triples
from kg.neo4j.bulk_csv import ARRAY_DELIMITER, FACT_HEADER, import_rows
from kg.link import resolved_file
from tests.neo4j_process import Neo4jProcess, launcher_classpath
from tests.test_neo4j_store import dump

pytestmark = pytest.mark.neo4j
SAMPLE = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")


#: Ids and text fields that broke the importer or gave another graph than ``kg load``.
HOSTILE = ["a\x1fb", "line\nbreak", "cr\rlf\r\n", 'say "hi", then', "=HYPERLINK(\"http://x\",\"y\")", "back\\slash\\",
           "tab\there", "u\u2028v", "semi;colon", "nul\x00x", " padded "]


@pytest.fixture
def corpus(tmp_path):
    """The sample plus facts seen in several sentences, with and without speakers, one in more
    documents and with more speakers than a fact lists, a ';' in a name, and documents whose ids,
    titles, sentences and names are hostile (:data:`HOSTILE`)."""
    lines = open(SAMPLE, encoding="utf-8").read().splitlines()
    base = json.loads(lines[0])
    for i, speaker in enumerate([None, {"name": "Lo Chih-cheng", "key": "person:lo chih-cheng"}, None]):
        rec = json.loads(json.dumps(base))
        rec.update(doc_id=f"d{3 + i}", sentence_id=f"d{3 + i}:0", speaker=speaker, doc={"date": f"2022-0{i + 1}-01"})
        lines.append(json.dumps(rec, ensure_ascii=False))
    for i in range(store.LISTED_LIMIT + 40):  # a quarter without a speaker: still more speakers than listed
        rec = json.loads(json.dumps(base))
        rec["object"].update(name="Tokyo", key="place:tokyo", type="GPE")
        rec.update(doc_id=f"m{i:03d}", sentence_id=f"m{i:03d}:0", doc={"date": f"2022-{1 + i % 12:02d}-01"},
                   speaker={"name": f"Speaker {i}", "key": f"person:speaker {i}"} if i % 4 else None)
        lines.append(json.dumps(rec, ensure_ascii=False))
    rec = json.loads(json.dumps(base))
    rec["object"].update(name="A; B", key="concept:a b")
    rec.update(doc_id="d9", sentence_id="d9:0")
    lines.append(json.dumps(rec, ensure_ascii=False))
    for i, text in enumerate(HOSTILE):
        rec = json.loads(json.dumps(base))
        rec.update(doc_id=text, sentence_id=f"{text}:0", sentence=f"{text} backs Taiwan.",
                   doc={"title": text, "url": text, "date": "2023-01-01"},
                   speaker={"name": text, "key": f"person:{text}"} if i % 2 else None)
        rec["subject"].update(name=text, key=f"org:{text}")
        rec["predicate"].update(text=text)
        lines.append(json.dumps(rec, ensure_ascii=False))
    path = tmp_path / "triples.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bulk_import(csv_dir, home):
    home.mkdir(parents=True, exist_ok=True)
    args = (csv_dir / "import.args").read_text(encoding="utf-8").split("\n")
    proc = subprocess.run(["java", "-Xmx512m", "-cp", launcher_classpath(), "org.neo4j.cli.AdminTool",
                           *filter(None, args), f"--report-file={home / 'import-report.txt'}"],
                          env={**os.environ, "NEO4J_HOME": str(home)}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc.stdout


def test_rows_keep_arrays_and_labels():
    rows = import_rows(read_triples(SAMPLE))
    ldp = [r for r in rows["entities"] if r[0] == "org:liberal democratic party"][0]
    assert ldp[3] == "LDP" and ldp[4] == "acronym: LDP" and ldp[5] == "d1:0"
    assert ldp[6].split(ARRAY_DELIMITER) == ["Entity", "Organization"]
    neg = [r for r in rows["facts"] if r[4] == "discuss"][0]
    column = dict(zip(FACT_HEADER, neg))
    assert column["negated:boolean"] == "true" and column["evidence:string[]"].split(ARRAY_DELIMITER) == ["d2:0"]
    assert (column["count:int"], column["speakers:string[]"], column["first_seen"]) == (1, "Lo Chih-cheng", "2021-09-01")
    [evidence] = [r for r in rows["evidence"] if r[3] == neg[3]]
    assert evidence == ["d2:0", "org:liberal democratic party", "EVIDENCE", neg[3], "d2", "d2\x01010", "Lo Chih-cheng",
                        "had not discussed", 0.6, "2021-09-01"]


def test_bulk_import_gives_the_same_graph_as_the_bolt_load(tmp_path, neo4j_conn, corpus):
    csv_dir = tmp_path / "csv"
    assert main(["export", "--format", "neo4j-csv", "--triples", str(corpus), "-o", str(csv_dir)]) == 0
    home = tmp_path / "store"
    out = bulk_import(csv_dir, home)
    assert "IMPORT DONE" in out
    imported = Neo4jProcess.start(home)
    try:
        assert main(["-q", "load", "--after-import", "--neo4j", imported.uri]) == 0
        with store.connect(store.config_from_env(uri=imported.uri)) as conn:
            bulk = dump(conn)
            # a later incremental load on top of the import works and changes nothing for known triples
            report = store.load_triples(conn, resolved_file(corpus))
            assert report.ok and report.nodes_created == 0 and report.relationships_created == 0
            assert dump(conn) == bulk
    finally:
        imported.stop()
    store.load_triples(neo4j_conn, resolved_file(corpus), batch_size=7)  # facts grow across batches
    bolt = dump(neo4j_conn)
    rels = [json.loads(r) for r in bolt["rels"]]  # [start, type, properties, end]
    evidence = [(a, p) for a, t, p, _ in rels if t == "EVIDENCE"]
    stated = {(t.sentence_id, t.subject.key, t.predicate.lemma, t.negated, t.object.key)
              for t in read_triples(corpus) if not t.is_alias}
    assert len(evidence) == len(stated) > store.LISTED_LIMIT  # one EVIDENCE per sentence and fact
    assert ("d4:0", {"fact": store.fact_id("org:liberal democratic party", "support", False, "concept:taiwan cptpp bid"),
                     "doc_id": "d4", "order": "d4\x01010", "speaker": "Lo Chih-cheng",
                     "predicate_text": "pledged to support", "confidence": 0.82, "date": "2022-02-01"}) in evidence
    assert sum("speaker" not in p for _, p in evidence) > store.LISTED_LIMIT // 4  # no speaker: no property
    [tokyo] = [p for _, t, p, b in rels if b == "place:tokyo" and t != "MENTIONS"]
    assert tokyo["count"] == store.LISTED_LIMIT + 40
    assert len(tokyo["docs"]) == len(tokyo["speakers"]) == len(tokyo["evidence"]) == store.LISTED_LIMIT
    assert any('"docs": ["a b"]' in r for r in bolt["rels"]) and not any("\\n" in r for r in bolt["nodes"])
    assert bulk == bolt, json.dumps({"only bulk": sorted(set(bulk["nodes"] + bulk["rels"]) - set(bolt["nodes"] + bolt["rels"]))[:5],
                                     "only bolt": sorted(set(bolt["nodes"] + bolt["rels"]) - set(bulk["nodes"] + bulk["rels"]))[:5]},
                                    indent=1)
