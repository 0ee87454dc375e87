"""The graph kept in the build store (kg.local.graph_rows) is, byte for byte, the graph ``kg build``
writes of the same documents, however the documents came, changed and went."""
import dataclasses
import json
import random
from pathlib import Path

import pytest

from kg.graph import build_graph, graph_to_data, read_triples
from kg.identity import CROSS_DOCUMENT_KEY, CROSS_DOCUMENT_RULE
from kg.link import resolved
from kg.local import db, graph_rows
from kg.records import Argument, Predicate, Speaker, Triple, entity_key
from tests.synthetic import synthetic_triples

DATA = Path(__file__).resolve().parent / "data" / "triples_small.jsonl"


def graph_json(g) -> str:
    return json.dumps(graph_to_data(g), sort_keys=True, ensure_ascii=False)


def per_document(triples) -> dict[str, list[Triple]]:
    """Resolved triples grouped by document, without the cross-document records."""
    out: dict[str, list[Triple]] = {}
    for t in triples:
        if not (t.is_alias and t.rule == CROSS_DOCUMENT_RULE):
            out.setdefault(t.doc_id, []).append(t)
    return out


def by_document(raw) -> dict[str, list[Triple]]:
    docs: dict[str, list[Triple]] = {}
    for t in raw:
        docs.setdefault(t.doc_id, []).append(t)
    return docs


def flatten(docs: dict) -> list[Triple]:
    return [t for triples in docs.values() for t in triples]


@pytest.fixture
def conn(tmp_path):
    c = db.connect(db.store_path(tmp_path))
    yield c
    c.close()


def apply(conn, changes):
    with db.transaction(conn):
        graph_rows.apply(conn, changes)


def assert_same_as_build(conn, raw):
    """The store's graph and the graph ``kg build`` makes of ``raw`` serialise to the same bytes."""
    expected = build_graph(resolved(list(raw)))
    assert graph_json(graph_rows.read_graph(conn)) == graph_json(expected)
    return expected


def build_into(conn, raw):
    apply(conn, per_document(resolved(list(raw))))
    return assert_same_as_build(conn, raw)


# --- hand-made triples -------------------------------------------------------------------

def arg(name, type_="PERSON", text=None, key=None):
    return Argument(text or name, name, key or entity_key(name, type_), type_, 0, len(text or name))


def fact(doc, pos, subject, lemma, obj, *, sentence=None, speaker=None, negated=False, confidence=0.5,
         meta=None, event_date=None, predicate_text=None):
    return Triple(doc, f"{doc}:{pos}", sentence or f"Sentence {pos} of {doc}.", subject,
                  Predicate(predicate_text or f"{lemma}s", lemma), obj,
                  Speaker(speaker, entity_key(speaker, "PERSON")) if speaker else None, negated, confidence, "test",
                  0, {"title": f"About {doc}", "date": "2024-03-01"} if meta is None else meta, event_date)


def alias(doc, pos, subject, name, meta=None):
    return fact(doc, pos, subject, "alias", Argument(name, name, subject.key, subject.type, 0, len(name)),
                predicate_text=f"({name})", meta=meta)


HUB, OTHER = arg("Taiwan", "GPE"), arg("Japan", "GPE")
LO = arg("Lo Chih-cheng")


# --- the contract on real-looking data -----------------------------------------------------

def test_synthetic_corpus_is_the_graph_kg_build_writes(conn):
    raw = list(synthetic_triples(2500))
    g = build_into(conn, raw)
    hub = max(g.nodes, key=lambda n: len(g.nodes[n]["docs"]))
    assert len(g.nodes[hub]["docs"]) > 100 and CROSS_DOCUMENT_KEY in g.nodes[hub]["merges"]
    assert any(d["negated"] for *_, d in g.edges(data=True)) and any(d["speakers"] for *_, d in g.edges(data=True))


def test_triples_file_with_aliases_speakers_and_negation(conn):
    g = build_into(conn, read_triples(DATA))
    assert g.nodes["person:lo chih-cheng"]["aliases"] == ["羅致政"]
    assert set(g.graph["documents"]) == {"d1", "d2"}


def test_same_sentence_stating_a_fact_twice_keeps_its_first_triple(conn):
    raw = [fact("a", 0, HUB, "back", OTHER, confidence=0.4, predicate_text="backs"),
           fact("a", 0, HUB, "back", OTHER, confidence=0.9, predicate_text="strongly backs"),
           fact("a", 1, HUB, "back", OTHER, confidence=0.6)]
    g = build_into(conn, raw)
    e = g.edges[HUB.key, OTHER.key, "back"]
    assert [ev["predicate_text"] for ev in e["evidence"]] == ["backs", "backs"] and e["confidence"] == 0.6


def test_hub_in_many_documents_and_removing_one(conn):
    raw = [fact(f"d{i:03d}", 0, HUB, "visit", arg(f"Minister {i}"), speaker="Lo Chih-cheng" if i % 3 else None)
           for i in range(150)]
    raw += [fact(f"d{i:03d}", 1, HUB, "back", OTHER, confidence=i / 200) for i in range(150)]
    build_into(conn, raw)
    apply(conn, {"d149": None, "d000": [fact("d000", 0, OTHER, "back", HUB, negated=True)]})
    raw = [t for t in raw if t.doc_id not in ("d149", "d000")] + [fact("d000", 0, OTHER, "back", HUB, negated=True)]
    g = assert_same_as_build(conn, raw)
    assert g.edges[HUB.key, OTHER.key, "back"]["confidence"] == 0.74


def test_document_of_alias_triples_only(conn):
    raw = [fact("a", 0, LO, "meet", HUB), alias("b", 0, LO, "羅致政"), alias("b", 1, LO, "Lo Chih-cheng")]
    g = build_into(conn, raw)
    assert g.nodes[LO.key]["docs"] == ["a", "b"] and g.nodes[LO.key]["aliases"] == ["羅致政"]
    assert g.nodes[LO.key]["merges"] == [CROSS_DOCUMENT_KEY, "native script: 羅致政"]
    apply(conn, {"a": None})
    g = assert_same_as_build(conn, raw[1:])
    assert g.nodes[LO.key]["merges"] == ["native script: 羅致政"] and "a" not in g.graph["documents"]


def test_node_named_by_an_earlier_mention_that_is_removed(conn):
    short = arg("Lo Chih-cheng", text="Lo")
    raw = [fact("b", 2, LO, "meet", HUB), fact("a", 3, HUB, "host", LO), fact("a", 1, short, "visit", OTHER),
           fact("c", 0, arg("LO CHIH-CHENG"), "meet", OTHER)]
    g = build_into(conn, raw)
    assert (g.nodes[LO.key]["named_by"], g.nodes[LO.key]["name"]) == ("a:1", "Lo Chih-cheng")
    apply(conn, {"a": None})
    assert_same_as_build(conn, [t for t in raw if t.doc_id != "a"])
    apply(conn, {"b": None})
    g = assert_same_as_build(conn, raw[3:])
    assert g.nodes[LO.key]["name"] == "LO CHIH-CHENG" and g.nodes[LO.key]["merges"] == []


def test_document_metadata_comes_from_its_first_triple_that_has_some(conn):
    dated = {"title": "Talks", "date": "2021-08-28"}
    raw = [fact("a", 0, HUB, "meet", OTHER, meta={}), fact("a", 1, HUB, "back", OTHER, meta=dated),
           fact("a", 2, HUB, "warn", OTHER, meta={"title": "Other"},
                event_date={"text": "in 2019", "date": "2019", "end": None}),
           fact("b", 0, OTHER, "meet", HUB, meta={})]
    g = build_into(conn, raw)
    assert g.graph["documents"] == {"a": dated, "b": {}}
    assert g.edges[HUB.key, OTHER.key, "meet"]["first_seen"] is None
    assert g.edges[HUB.key, OTHER.key, "warn"]["first_seen"] == "2019"


def test_document_whose_resolved_triples_are_all_dropped_is_absent(conn):
    ldp = arg("Liberal Democratic Party", "ORG", text="LDP")
    raw = [fact("a", 0, ldp, "meet", HUB), alias("a", 0, ldp, "LDP"),
           fact("b", 0, arg("LDP", "ORG"), "lead", ldp)]  # LDP leads itself once LDP is resolved
    g = build_into(conn, raw)
    assert list(g.graph["documents"]) == ["a"] and g.nodes[ldp.key]["docs"] == ["a"]


def test_empty_store_and_empty_changes(conn):
    apply(conn, {})
    apply(conn, {"gone": None, "empty": []})
    assert graph_json(graph_rows.read_graph(conn)) == graph_json(build_graph([]))


def test_a_triple_of_another_document_is_refused(conn):
    with pytest.raises(ValueError, match="given as one of"):
        apply(conn, {"b": [fact("a", 0, HUB, "meet", OTHER)]})


# --- documents coming, changing and going ---------------------------------------------------

def relabel(triples, doc_id, mark):
    """``triples`` as the content of document ``doc_id``, sentences marked with ``mark``."""
    return [dataclasses.replace(t, doc_id=doc_id, sentence_id=f"{doc_id}:{t.sentence_id.rpartition(':')[2]}",
                                sentence=f"{t.sentence} {mark}", doc=dict(t.doc, title=f"{doc_id} {mark}"))
            for t in triples]


def identity_rule_documents():
    """Documents the identity rules act on: generic concepts scoped to their document, a descriptive
    one shared by a story, a surname, aliases of one entity in several documents."""
    plan, waters = arg("the plan", "CONCEPT"), arg("restricted waters", "CONCEPT")
    chen, council = arg("Chen", "PERSON"), arg("Council", "ORG")
    return {
        "x1": [fact("x1", 0, plan, "worry", HUB, sentence="The plan worries Taiwan."),
               fact("x1", 1, LO, "enter", waters, sentence="Lo entered restricted waters."),
               alias("x1", 2, LO, "羅致政")],
        "x2": [fact("x2", 0, LO, "reject", plan, sentence="Lo rejected the plan."),
               fact("x2", 1, chen, "criticise", council, sentence="Chen criticised the council.")],
        "x3": [fact("x3", 0, waters, "worry", OTHER, sentence="restricted waters worry Japan."),
               fact("x3", 1, council, "meet", chen, sentence="The Council met Chen.")],
        "x4": [fact("x4", 0, arg("Chen Shu-fen"), "meet", LO, sentence="Chen Shu-fen met Lo."),
               alias("x4", 1, LO, "LCC")],
    }


def test_random_sequence_of_adds_replacements_and_removals(conn):
    rng = random.Random(20261202)
    synthetic = list(by_document(synthetic_triples(700, seed=5, entities=60)).values())
    rules = list(identity_rule_documents().values())
    current: dict[str, list[Triple]] = {}
    applied: dict[str, list[Triple]] = {}
    kinds, reached = set(), 0
    for step in range(60):
        kind = rng.choice(["add", "add", "replace", "remove"] if current else ["add"])
        kinds.add(kind)
        if kind == "remove":
            del current[rng.choice(sorted(current))]
        else:
            doc_id = f"n{step:02d}" if kind == "add" else rng.choice(sorted(current))
            content = rng.choice(rules if rng.random() < 0.4 else synthetic)
            current[doc_id] = relabel(content, doc_id, f"(step {step})")
        now = per_document(resolved(flatten(current)))
        changes = {d: now.get(d) for d in sorted(set(now) | set(applied)) if now.get(d) != applied.get(d)}
        assert changes
        reached += len(changes) > 1  # the identity rules changed the keys of other documents
        apply(conn, changes)
        applied = now
        assert graph_json(graph_rows.read_graph(conn)) == graph_json(build_graph(resolved(flatten(current)))), step
    assert kinds == {"add", "replace", "remove"} and reached
    for table in ("graph_edges", "graph_evidence", "graph_node_docs", "graph_documents"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
    apply(conn, dict.fromkeys(applied))
    assert graph_json(graph_rows.read_graph(conn)) == graph_json(build_graph([]))
    for table in ("graph_edges", "graph_evidence", "graph_node_docs", "graph_documents"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_read_graph_sees_one_state_while_a_build_commits(conn, tmp_path):
    raw = [fact("a", 0, HUB, "meet", OTHER), fact("b", 0, OTHER, "back", LO)]
    build_into(conn, raw)
    reader = db.connect(db.store_path(tmp_path), create=False)
    committed = []

    def commit_while_reading(sql):
        if "FROM graph_node_docs" in sql and not committed:
            committed.append(sql)
            apply(conn, {"b": None})

    reader.set_trace_callback(commit_while_reading)
    seen = graph_rows.read_graph(reader)
    reader.set_trace_callback(None)
    assert committed and graph_json(seen) == graph_json(build_graph(resolved(raw)))
    assert not reader.in_transaction
    assert graph_json(graph_rows.read_graph(reader)) == graph_json(build_graph(resolved(raw[:1])))
    reader.close()


def test_read_graph_inside_the_writers_transaction_sees_its_changes(conn):
    with db.transaction(conn):
        graph_rows.apply(conn, {"a": [fact("a", 0, HUB, "meet", OTHER)]})
        assert list(graph_rows.read_graph(conn).edges(keys=True)) == [(HUB.key, OTHER.key, "meet")]


def test_applying_a_document_searches_by_index_and_never_scans(conn):
    build_into(conn, list(synthetic_triples(400)))
    statements = []
    conn.set_trace_callback(statements.append)
    apply(conn, {"doc-00003": None, "doc-00005": [fact("doc-00005", 0, HUB, "meet", OTHER)]})
    conn.set_trace_callback(None)
    plans = {sql: [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
             for sql in statements if sql.startswith(("SELECT", "DELETE"))}
    assert any("graph_evidence" in sql for sql in plans) and any("graph_edges" in sql for sql in plans)
    for sql, plan in plans.items():
        assert plan and all(step.startswith("SEARCH") for step in plan), (sql, plan)
