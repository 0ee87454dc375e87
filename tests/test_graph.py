import json
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import build_graph, read_graph, read_triples, write_graph, graph_to_data
from kg.records import Triple

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")


def test_alias_triples_become_node_aliases_not_edges():
    g = build_graph(read_triples(DATA))
    assert g.nodes["org:liberal democratic party"]["aliases"] == ["LDP"]
    assert g.nodes["person:lo chih-cheng"]["aliases"] == ["羅致政"]
    assert not any(k == "alias" for _, _, k in g.edges(keys=True))


def test_fact_edges_carry_evidence_and_negation():
    g = build_graph(read_triples(DATA))
    e = g.edges["org:liberal democratic party", "concept:taiwan cptpp bid", "support"]
    assert e["type"] == "SUPPORT" and e["count"] == 1 and e["confidence"] == 0.82
    assert e["evidence"][0]["sentence_id"] == "d1:0" and "pledged to support" in e["evidence"][0]["text"]
    neg = g.edges["org:liberal democratic party", "concept:img src x onerror alert 1", "discuss|negated"]
    assert neg["negated"] is True and neg["speakers"] == ["Lo Chih-cheng"]
    assert neg["first_seen"] == neg["last_seen"] == "2021-09-01"


def test_first_and_last_seen_come_from_event_dates_else_document_dates():
    rows = [json.loads(line) for line in open(DATA, encoding="utf-8")]
    support = next(r for r in rows if r["predicate"]["lemma"] == "support")
    again = [dict(support, sentence_id=f"d1:{i}", event_date=event) for i, event in enumerate([
        {"text": "last month", "date": "2021-07", "end": None},
        {"text": "recently", "date": None, "end": None},  # raw: the document date counts
        {"text": "in 2019", "date": "2019", "end": None}], start=5)]
    g = build_graph(Triple.from_dict(r) for r in again[:2])
    e = g.edges["org:liberal democratic party", "concept:taiwan cptpp bid", "support"]
    assert (e["first_seen"], e["last_seen"]) == ("2021-07", support["doc"]["date"])
    build_graph([Triple.from_dict(again[2])], g)
    assert (e["first_seen"], e["last_seen"]) == ("2019", support["doc"]["date"])


def test_adding_the_same_triples_twice_changes_nothing():
    once = graph_to_data(build_graph(read_triples(DATA)))
    g = build_graph(read_triples(DATA))
    twice = graph_to_data(build_graph(read_triples(DATA), g))
    assert once == twice


def test_graph_file_round_trip(tmp_path):
    g = build_graph(read_triples(DATA))
    path = write_graph(g, tmp_path / "graph.json")
    assert graph_to_data(read_graph(path)) == graph_to_data(g)
    assert isinstance(read_graph(path), nx.MultiDiGraph)


def test_read_graph_rejects_other_json(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"nodes": []}))
    with pytest.raises(ValueError, match="not a kg graph file"):
        read_graph(p)


def test_read_triples_reports_and_skips_bad_lines_and_reads_the_rest(tmp_path, caplog):
    p = tmp_path / "t.jsonl"
    good = open(DATA, encoding="utf-8").readline()
    p.write_bytes((good + '{"doc_id": "x"}\n' + good.replace('"negated": false', '"negated": "no"')
                   + "not json\n").encode() + b'{"doc_id": "\xff"}\n' + good.encode())
    reader = read_triples(p)
    assert len(list(reader)) == 2 and reader.rejected == 4
    assert [r.getMessage() for r in caplog.records] == [
        f"{p}:2: skipped: sentence_id is missing",
        f"{p}:3: skipped: negated is a string, not true or false",
        f"{p}:4: skipped: invalid JSON (Expecting value at column 1)",
        f"{p}:5: skipped: not valid UTF-8 (byte 0xff at column 13)"]


def test_triple_record_round_trip():
    for line in open(DATA, encoding="utf-8"):
        d = json.loads(line)
        assert Triple.from_dict(d).to_dict() == d


def test_every_fact_summary_is_what_its_evidence_gives():
    """The summary built sentence by sentence equals the one computed from the evidence entries
    (kg.facts.FACT_SUMMARY is the one definition), on facts with many sentences, speakers and dates."""
    from kg.facts import EVIDENCE_FIELDS, FACT_SUMMARY, summarise
    from tests.synthetic import synthetic_triples

    g = build_graph(synthetic_triples(3000))
    g = build_graph(read_triples(DATA), g)
    busy = max(g.edges(data=True), key=lambda e: e[2]["count"])[2]
    assert busy["count"] >= 3 and len(busy["docs"]) > 1 and busy["first_seen"] < busy["last_seen"]
    assert any(d["speakers"] for *_, d in g.edges(data=True))
    for *_, d in g.edges(data=True):
        assert all(tuple(ev) == EVIDENCE_FIELDS for ev in d["evidence"])
        assert {p.name: d[p.name] for p in FACT_SUMMARY} == summarise(d["evidence"])


def test_the_graph_does_not_depend_on_the_order_documents_come_in():
    """An entity named differently in two documents takes the name of its earliest mention in
    sentence order (as Neo4j does), so reversing the documents gives the same graph."""
    rows = [json.loads(line) for line in open(DATA, encoding="utf-8")]
    other = [dict(r, doc_id="a0", sentence_id=f"a0:{i}",
                  subject=dict(r["subject"], name="Liberal Democrats"), doc={"title": "Earlier"})
             for i, r in enumerate(rows) if r["subject"]["key"] == "org:liberal democratic party"]
    assert other
    forward = [Triple.from_dict(r) for r in rows + other]
    by_doc: dict = {}
    for t in forward:
        by_doc.setdefault(t.doc_id, []).append(t)
    backward = [t for doc in reversed(list(by_doc)) for t in by_doc[doc]]
    assert graph_to_data(build_graph(forward)) == graph_to_data(build_graph(backward))
    node = build_graph(forward).nodes["org:liberal democratic party"]
    assert (node["name"], node["named_by"]) == ("Liberal Democrats", "a0:0")
