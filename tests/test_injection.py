"""Hostile text in every field of a triple record, against the real Neo4j and real Chromium.

Relation lemmas, entity names, keys and types, document and sentence ids, titles, speakers and
sentences carry Cypher fragments, quotes, backticks, bidirectional and zero-width characters,
markup and script ends, and very long strings.  They must never change the schema or other
data, must be stored verbatim, and must never execute in a view drawn from Neo4j or from the
triples.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.neo4j import store
from kg.cli import main
from kg.graph import read_triples
from kg.records import Argument, Predicate, Speaker, Triple, relation_type
from tests.synthetic import full_dump, wipe
from tests.test_views_browser import EDGE_POINT, NODE_POINT, counts, hover

pytestmark = pytest.mark.neo4j

CANARY = Path(__file__).parent / "data" / "triples_small.jsonl"
LONG = "<script>window.__kgPwned='long'</script>" * 250  # 10,250 characters
HOSTILE = [
    "`) DETACH DELETE n //",
    "}]->() DETACH DELETE n //",
    "x' OR 1=1 //",
    '"quoted" \\"escaped\\" `back`tick`',
    "$(x) ${x} $x {x}",
    "CALL db.clearQueryCaches() YIELD * RETURN 1",
    "MATCH (n) DETACH DELETE n",
    "\u202eevil\u202c \u200bzero\u200dwidth\ufeff",
    "<script>window.__kgPwned=1</script>",
    "</script><script>window.__kgPwned=2</script>",
    "<img src=x onerror=window.__kgPwned=3>",
    "javascript:window.__kgPwned=4",
    '<a href="javascript:window.__kgPwned=5">href</a>',
    '"><svg onload=window.__kgPwned=6>',
    "Ω" * 2000,
]
HOSTILE_TYPES = ["ORG`) DETACH DELETE n //", "Person:Admin", "PERSON", "}]->() DETACH DELETE n //", "GPE"]
KG_LABELS = store.ENTITY_NODE_LABELS | {"Entity", "Document", "Sentence"}
KG_PROPERTIES = {"key", "name", "type", "aliases", "merges", "id", "title", "date", "url", "source", "text", "doc_id",
                 "predicate", "negated", "count", "confidence", "evidence", "speakers", "docs", "first_seen",
                 "last_seen", "fact", "speaker", "predicate_text"}


def hostile_triples() -> list[Triple]:
    """One triple per hostile string, the string in every field; the first one also 10k characters long."""
    out = []
    for i, h in enumerate(HOSTILE):
        doc_id = f"{h}#{i}"
        long = i == 0
        subject = Argument(h, h, f"{h}|s{i}", HOSTILE_TYPES[i % len(HOSTILE_TYPES)], 0, len(h))
        obj = Argument(h, f"{h} (object)", f"{h}|o{i}", "GPE", 0, len(h))
        out.append(Triple(doc_id, f"{doc_id}:{h}", LONG if long else f"{h} said it.", subject,
                          Predicate(LONG if long else h, LONG if long else h), obj,
                          Speaker(h, f"person:{h}") if i % 2 else None, i % 3 == 0, 0.5, h, 0,
                          {"title": LONG if long else h, "date": "2024-01-02", "source": h,
                           "url": "javascript:window.__kgPwned=7"}))
    return out


def schema_state(conn) -> dict:
    q = lambda c: store.run_query(conn, c)[1]  # noqa: E731
    return {
        "constraints": sorted(json.dumps(r) for r in q(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN *")),
        "indexes": sorted(json.dumps(r) for r in q(
            "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state RETURN *")),
        "labels": {r[0] for r in q("CALL db.labels()")},
        "types": {r[0] for r in q("CALL db.relationshipTypes()")},
        "properties": {r[0] for r in q("CALL db.propertyKeys()")},
    }


def load(conn, triples) -> store.LoadReport:
    report = store.load_triples(conn, triples, batch_size=7)  # several batches, one shared schema step
    assert report.ok and report.written == len(triples), [f.describe() for f in report.failed]
    return report


def test_hostile_records_touch_nothing_else_and_are_stored_verbatim(neo4j_conn):
    conn, hostile = neo4j_conn, hostile_triples()
    load(conn, list(read_triples(CANARY)))
    canary, before = full_dump(conn), schema_state(conn)
    wipe(conn)
    load(conn, hostile)
    alone = full_dump(conn)
    wipe(conn)
    load(conn, list(read_triples(CANARY)))
    load(conn, hostile)
    both, after = full_dump(conn), schema_state(conn)

    # The canary is untouched and the hostile records made exactly their own nodes and relationships.
    assert both == {k: sorted(canary[k] + alone[k]) for k in both}
    assert after["constraints"] == before["constraints"] and after["indexes"] == before["indexes"]
    assert after["labels"] - before["labels"] <= KG_LABELS
    assert after["properties"] - before["properties"] <= KG_PROPERTIES
    new_types = after["types"] - before["types"]
    assert all(store.TYPE_PATTERN.fullmatch(t) and len(t) <= store.MAX_TYPE_LENGTH for t in new_types)

    q = lambda c, **p: store.run_query(conn, c, p)[1]  # noqa: E731
    for i, (h, t) in enumerate(zip(HOSTILE, hostile)):
        [[name, type_, labels]] = q("MATCH (e:Entity {key: $k}) RETURN e.name, e.type, labels(e)", k=t.subject.key)
        assert (name, type_) == (h, t.subject.type) and set(labels) <= KG_LABELS and "Entity" in labels
        [[title, url, source, text]] = q("MATCH (d:Document {id: $d})-[:HAS_SENTENCE]->(s:Sentence {id: $s}) "
                                         "RETURN d.title, d.url, d.source, s.text", d=t.doc_id, s=t.sentence_id)
        assert (title, url, source, text) == (t.doc["title"], t.doc["url"], h, t.sentence)
        [[rtype, props]] = q("MATCH (:Entity {key: $a})-[r]->(:Entity {key: $b}) RETURN type(r), properties(r)",
                             a=t.subject.key, b=t.object.key)
        assert rtype == store.checked_type(relation_type(t.predicate.lemma))
        assert props["predicate"] == t.predicate.lemma and props["evidence"] == [t.sentence_id]
        assert props["negated"] is t.negated
        assert q("MATCH (:Sentence {id: $s})-[e:EVIDENCE {fact: $f}]->(:Entity {key: $a}) RETURN e.predicate_text",
                 s=t.sentence_id, f=props["id"], a=t.subject.key) == [[t.predicate.text]]
        assert props["speakers"] == ([h] if t.speaker else [])


def kg(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.browser
def test_hostile_records_through_the_cli_and_both_views_run_nothing(neo4j_conn, neo4j_env, capsys, tmp_path,
                                                                    open_page):
    path = tmp_path / "hostile.jsonl"
    hostile = hostile_triples()
    # The record as JSON text: the type field is free text, e.g. "ORG`) DETACH DELETE n //".
    path.write_text("".join(json.dumps(t.to_dict(), ensure_ascii=False) + "\n" for t in hostile), encoding="utf-8")
    code, _, err = kg(capsys, "-q", "load", str(CANARY))
    assert code == 0, err
    code, _, err = kg(capsys, "-q", "load", str(path), "--batch-size", "4")
    assert code == 0 and f"{len(hostile)} of {len(hostile)} triples loaded" in err and err.count("\n") == 1
    via_cli = full_dump(neo4j_conn)
    wipe(neo4j_conn)
    load(neo4j_conn, list(read_triples(CANARY)) + hostile)
    assert full_dump(neo4j_conn) == via_cli

    from_neo4j, from_triples = tmp_path / "neo4j.html", tmp_path / "triples.html"
    for args, out in ((("--neo4j", neo4j_env.uri), from_neo4j), ((str(path),), from_triples)):
        code, _, err = kg(capsys, "-q", "view", *args, "--max-nodes", "0", "--no-fold", "--title", HOSTILE[9],
                          "-o", str(out))
        assert code == 0, err
    entities = {a.key: a.name for t in hostile for a in (t.subject, t.object)}
    for page, expected_nodes in ((from_neo4j, len(entities) + 7), (from_triples, len(entities))):
        r = open_page(page)
        assert counts(r.page) == [expected_nodes, len(hostile) + (4 if page == from_neo4j else 0)]
        if page == from_neo4j:  # every tooltip shown (the page from the triples: edges only, for time)
            for key, name in entities.items():
                assert hover(r.page, NODE_POINT, key).startswith(name[:500])  # the names are text
        for edge in r.page.evaluate("edges.getIds()"):
            hover(r.page, EDGE_POINT, edge)
        r.page.fill("#kg-search", HOSTILE[10])
        r.page.press("#kg-search", "Enter")
        assert sorted(r.page.evaluate("network.getSelectedNodes()")) == sorted(
            [hostile[10].subject.key, hostile[10].object.key])  # "name" and "name (object)"
        assert r.page.inner_text("#kg-title") == HOSTILE[9]
        assert r.xss() == [] and r.page_errors == [] and r.console_errors == [] and r.outside_requests == []


def test_values_over_the_index_limit_fail_alone_and_are_named_in_one_line(neo4j_conn, neo4j_env, capsys, tmp_path):
    """Neo4j refuses an indexed value over 8 kB (entity key and name, document and sentence id):
    only that document fails, loudly and in one line, and the rest of the batch is loaded."""
    good = list(read_triples(CANARY))
    base = hostile_triples()[3]
    huge_doc = Triple("D" * 10_000, "D" * 10_000 + ":0", "s", base.subject, base.predicate, base.object)
    huge_name = Argument("N", "N" * 10_000, "concept:huge", "CONCEPT", 0, 1)
    huge_entity = Triple("doc-huge-name", "doc-huge-name:0", "s", huge_name, base.predicate, base.object)
    path = tmp_path / "mixed.jsonl"
    records = good[:3] + [huge_doc] + good[3:] + [huge_entity]
    path.write_text("".join(json.dumps(t.to_dict()) + "\n" for t in records), encoding="utf-8")
    code, _, err = kg(capsys, "-q", "load", str(path))
    lines = err.splitlines()
    assert code == 1 and len(lines) == 4 and all(len(line) < 700 for line in lines)
    assert lines[0].startswith("kg load: batch 1 (triples 4-4; documents " + "D" * 77 + "...) failed: "
                               "Property value is too large to index")
    assert lines[1].startswith("kg load: batch 1 (triples 8-8; documents doc-huge-name) failed: "
                               "Property value is too large to index")
    assert lines[2].startswith(f"kg load: {len(good)} of {len(records)} triples loaded")
    ids = {r[0] for r in store.run_query(neo4j_conn, "MATCH (d:Document) RETURN d.id")[1]}
    assert ids == {t.doc_id for t in good}
    assert store.run_query(neo4j_conn, "MATCH (e:Entity {key: 'concept:huge'}) RETURN count(e)")[1] == [[0]]
