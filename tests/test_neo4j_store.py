"""kg.neo4j.store against the real Neo4j 5.26 server the session starts (no mock driver)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from kg.neo4j import store
from kg.errors import UserError
from kg.graph import build_graph, graph_to_data, read_triples
from kg.records import Argument, Predicate, Speaker, Triple

DATA = Path(__file__).parent / "data" / "triples_small.jsonl"
HOSTILE = [
    "`) DETACH DELETE n //",
    "}]->() DETACH DELETE n //",
    "x' OR 1=1 --",
    'say "hello" `back`tick',
    "支持 وَدَعَم поддержать",
    "MATCH (n) DETACH DELETE n",
    "support " * 300,
    "",
]


@pytest.fixture(scope="module")
def small() -> list[Triple]:
    return list(read_triples(DATA))


def dump(conn) -> dict:
    """Every node and relationship with labels/type and all properties, order-free."""
    nodes = store.run_query(conn, "MATCH (n) RETURN labels(n) AS l, properties(n) AS p")[1]
    rels = store.run_query(conn, "MATCH (a)-[r]->(b) RETURN coalesce(a.key, a.id) AS a, type(r) AS t, "
                                 "properties(r) AS p, coalesce(b.key, b.id) AS b")[1]
    canon = lambda rows: sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)  # noqa: E731
    return {"nodes": canon(nodes), "rels": canon(rels)}


def schema(conn) -> list:
    return sorted(json.dumps(r) for r in store.run_query(
        conn, "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties RETURN *")[1])


def triple(doc, sid, subj, lemma, obj, *, speaker=None, negated=False, conf=0.7, text=None, date="2024-01-02"):
    def arg(name):
        return Argument(name, name, f"concept:{name.lower()}", "CONCEPT", 0, len(name))
    return Triple(doc, sid, text or f"{subj} {lemma} {obj}.", arg(subj), Predicate(lemma, lemma), arg(obj),
                  Speaker(speaker, f"person:{speaker.lower()}") if speaker else None, negated, conf,
                  "test", 0, {"title": f"Doc {doc}", "date": date})


# --- pure row building -------------------------------------------------------------------

def test_rows_group_entities_sentences_and_evidence(small):
    rows = store.rows_for_triples(small)
    assert {e["key"] for e in rows["entities"]} == {
        "org:liberal democratic party", "concept:taiwan cptpp bid", "person:lo chih-cheng",
        "concept:videoconference", "person:hsieh pei-fen", "org:democratic progressive party",
        "concept:img src x onerror alert 1"}
    ldp = next(e for e in rows["entities"] if e["key"] == "org:liberal democratic party")
    assert ldp["label"] == "Organization" and ldp["props"]["aliases"] == ["LDP"]
    assert [s["id"] for s in rows["sentences"]] == ["d1:0", "d1:1", "d2:0"]
    assert len(rows["facts"]) == 4  # the two alias triples are not facts
    neg = next(f for f in rows["facts"] if f["negated"])
    assert neg["type"] == "DISCUSS" and neg["props"]["speakers"] == ["Lo Chih-cheng"]


@pytest.mark.parametrize("lemma", HOSTILE)
def test_hostile_predicates_become_safe_types(lemma):
    row = store.rows_for_triples([triple("d", "d:0", "A", lemma, "B")])["facts"][0]
    assert store.TYPE_PATTERN.fullmatch(row["type"]) and len(row["type"]) <= store.MAX_TYPE_LENGTH
    assert row["predicate"] == lemma  # the text itself is kept, as a property value


@pytest.mark.parametrize("bad", ["A`B", "SUPPORT]->() DELETE", "lower", "", "1ABC", "ÄB"])
def test_checked_type_refuses_anything_outside_the_pattern(bad):
    with pytest.raises(ValueError):
        store.checked_type(bad)


def test_checked_label_accepts_only_the_fixed_set():
    assert store.checked_label("Person") == "Person"
    for bad in ("Person`) DETACH DELETE n //", "Entity:Admin", "person"):
        with pytest.raises(ValueError):
            store.checked_label(bad)


# --- the real server --------------------------------------------------------------------

@pytest.mark.neo4j
def test_schema_constraints_are_created(neo4j_conn):
    store.ensure_schema(neo4j_conn)
    store.ensure_schema(neo4j_conn)  # twice is fine
    rows = store.run_query(neo4j_conn, "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
                                       "RETURN type, labelsOrTypes[0] AS label, properties[0] AS prop")[1]
    assert {(t, label, prop) for t, label, prop in rows} >= {
        ("UNIQUENESS", "Entity", "key"), ("UNIQUENESS", "Document", "id"), ("UNIQUENESS", "Sentence", "id")}


@pytest.mark.neo4j
def test_load_counts_and_model(neo4j_conn, small):
    report = store.load_triples(neo4j_conn, small)
    assert report.ok and report.triples == 6 and report.written == 6
    q = lambda c: store.run_query(neo4j_conn, c)[1]  # noqa: E731
    assert q("MATCH (e:Entity) RETURN count(e)") == [[7]]
    assert q("MATCH (d:Document) RETURN count(d)") == [[2]]
    assert q("MATCH (:Document)-[:HAS_SENTENCE]->(s:Sentence) RETURN count(s)") == [[3]]
    assert q("MATCH (:Sentence)-[m:MENTIONS]->(:Entity) RETURN count(m)") == [[8]]
    assert q("MATCH (:Entity)-[r]->(:Entity) RETURN type(r) ORDER BY type(r)") == [
        ["ATTEND"], ["DISCUSS"], ["SPOKESWOMAN_OF"], ["SUPPORT"]]
    assert q("MATCH (e:Person) RETURN e.name ORDER BY e.name") == [["Hsieh Pei-fen"], ["Lo Chih-cheng"]]
    assert q("MATCH (e:Entity {key: 'org:liberal democratic party'}) RETURN e.aliases, labels(e)") == [
        [["LDP"], ["Entity", "Organization"]]]
    [[props]] = q("MATCH ()-[r:DISCUSS]->() RETURN properties(r)")
    fact = store.fact_id("org:liberal democratic party", "discuss", True, "concept:img src x onerror alert 1")
    assert props == {"id": fact, "predicate": "discuss", "negated": True, "count": 1, "confidence": 0.6,
                     "evidence": ["d2:0"], "speakers": ["Lo Chih-cheng"],
                     "docs": ["d2"], "first_seen": "2021-09-01", "last_seen": "2021-09-01"}
    assert q("MATCH (:Sentence)-[e:EVIDENCE]->(:Entity) RETURN count(e)") == [[4]]  # one per fact and sentence
    assert store.run_query(neo4j_conn, "MATCH (s:Sentence)-[e:EVIDENCE {fact: $f}]->(a) RETURN s.id, a.key, "
                                       "properties(e)", {"f": fact})[1] == [
        ["d2:0", "org:liberal democratic party", {"fact": fact, "doc_id": "d2", "order": "d2\x01010",
                                                  "speaker": "Lo Chih-cheng", "predicate_text": "had not discussed",
                                                  "confidence": 0.6, "date": "2021-09-01"}]]
    assert q("MATCH (d:Document {id: 'd2'}) RETURN d.title") == [["Second <b>article</b>"]]


@pytest.mark.neo4j
def test_reload_changes_nothing(neo4j_conn, small):
    store.load_triples(neo4j_conn, small)
    before = dump(neo4j_conn)
    again = store.load_triples(neo4j_conn, small, batch_size=2)  # other batch cuts, same result
    assert (again.nodes_created, again.relationships_created, again.properties_set) == (0, 0, 0)
    assert dump(neo4j_conn) == before


@pytest.mark.neo4j
def test_graph_from_neo4j_equals_build_graph(neo4j_conn, small):
    store.load_triples(neo4j_conn, small)
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(build_graph(small))


@pytest.mark.neo4j
def test_graph_from_neo4j_on_a_cypher_result(neo4j_conn, small):
    store.load_triples(neo4j_conn, small)
    g = store.graph_from_neo4j(neo4j_conn, "MATCH p = (a:Entity {name: $n})-[r]->() RETURN p",
                               {"n": "Liberal Democratic Party"})
    assert sorted(g.nodes) == ["concept:img src x onerror alert 1", "concept:taiwan cptpp bid",
                               "org:liberal democratic party"]
    assert sorted(k for _, _, k in g.edges(keys=True)) == ["discuss|negated", "support"]
    ev = g.edges["org:liberal democratic party", "concept:taiwan cptpp bid", "support"]["evidence"]
    assert ev == [{"sentence_id": "d1:0", "doc_id": "d1", "text": small[0].sentence, "speaker": None,
                   "predicate_text": "pledged to support", "confidence": 0.82, "date": "2021-08-27"}]


@pytest.mark.neo4j
def test_second_document_merges_and_appends_evidence(neo4j_conn):
    first = [triple("a", "a:0", "Japan", "support", "Taiwan", conf=0.6, date="2021-05-01")]
    second = [triple("b", "b:3", "Japan", "support", "Taiwan", speaker="Kishida", conf=0.9, date="2020-01-01"),
              triple("b", "b:3", "Japan", "support", "Taiwan", negated=True, date="2020-01-01"),
              triple("b", "b:4", "Japan", "criticise", "China", date="2020-01-01")]
    store.load_triples(neo4j_conn, first)
    store.load_triples(neo4j_conn, second)
    store.load_triples(neo4j_conn, second)  # the second document again: nothing new
    q = lambda c: store.run_query(neo4j_conn, c)[1]  # noqa: E731
    assert q("MATCH (e:Entity) RETURN count(e)") == [[3]]
    assert q("MATCH (e:Entity {key: 'concept:japan'})<-[:MENTIONS]-(s) RETURN s.id ORDER BY s.id") == [
        ["a:0"], ["b:3"], ["b:4"]]
    [[r]] = q("MATCH (:Entity {key: 'concept:japan'})-[r:SUPPORT {negated: false}]->() RETURN properties(r)")
    assert r["evidence"] == ["a:0", "b:3"] and r["count"] == 2 and r["confidence"] == 0.9
    assert r["speakers"] == ["Kishida"]
    assert q("MATCH (s)-[e:EVIDENCE]->(:Entity {key: 'concept:japan'}) WHERE e.fact = '%s' "
             "RETURN s.id, e.speaker ORDER BY s.id" % r["id"]) == [["a:0", None], ["b:3", "Kishida"]]
    assert r["docs"] == ["a", "b"] and (r["first_seen"], r["last_seen"]) == ("2020-01-01", "2021-05-01")
    assert q("MATCH ()-[r:SUPPORT {negated: true}]->() RETURN r.count") == [[1]]  # kept apart


def dated(doc, sid, date, event):
    """A "Japan support Taiwan" triple of a document dated ``date`` whose sentence states ``event`` (or None)."""
    t = triple(doc, sid, "Japan", "support", "Taiwan", date=date)
    return dataclasses.replace(t, event_date=event and {"text": event[0], "date": event[1], "end": None})


DATED = [dated("a", "a:0", "2021-08-28", ("last month", "2021-07")),
         dated("b", "b:0", "2021-09-01", ("recently", None)),  # raw: the document date counts
         dated("c", "c:0", "2021-09-03", ("in 2019", "2019"))]


def test_rows_date_facts_by_event_date_else_document_date():
    [fact] = store.rows_for_triples(DATED[:2])["facts"]
    assert (fact["props"]["first_seen"], fact["props"]["last_seen"]) == ("2021-07", "2021-09-01")
    assert fact["ev_date"] == ["2021-07", "2021-09-01"]


@pytest.mark.neo4j
def test_event_dates_in_neo4j_as_in_the_local_graph(neo4j_conn):
    store.load_triples(neo4j_conn, DATED[:2])
    store.load_triples(neo4j_conn, DATED[2:])  # an existing fact absorbs an earlier event
    [[first, last]] = store.run_query(neo4j_conn, "MATCH ()-[r:SUPPORT]->() RETURN r.first_seen, r.last_seen")[1]
    assert (first, last) == ("2019", "2021-09-01")
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(build_graph(DATED))


@pytest.mark.neo4j
def test_hostile_text_leaves_graph_and_schema_unharmed(neo4j_conn, small):
    store.load_triples(neo4j_conn, small)
    constraints = schema(neo4j_conn)
    hostile = [dataclasses.replace(
        triple(f"doc`}}]->() DETACH DELETE n // {i}", f"s'{i}\" //:0", name, lemma, "B`) DELETE n //"),
        doc={"title": "</script><script>alert(1)</script>", "date": "2024'; DROP"})
        for i, (name, lemma) in enumerate(zip(HOSTILE[::-1], HOSTILE))]
    report = store.load_triples(neo4j_conn, hostile)
    assert report.ok
    q = lambda c: store.run_query(neo4j_conn, c)[1]  # noqa: E731
    assert q("MATCH (e:Entity {key: 'org:liberal democratic party'}) RETURN e.name") == [["Liberal Democratic Party"]]
    assert q("MATCH (n) WHERE n.id IN ['d1', 'd2'] OR n.key IS NOT NULL RETURN count(n)")[0][0] == 7 + 2 + len(hostile) + 1
    assert q("MATCH (:Entity)-[r]->(:Entity) RETURN count(r)") == [[4 + len(hostile)]]
    stored = {p for [p] in q("MATCH (:Entity)-[r]->(:Entity) RETURN r.predicate")}
    assert set(HOSTILE) <= stored
    types = {t for [t] in q("CALL db.relationshipTypes()")}
    assert all(store.TYPE_PATTERN.fullmatch(t) and len(t) <= store.MAX_TYPE_LENGTH for t in types)
    labels = {label for [label] in q("CALL db.labels()")}
    assert labels <= store.ENTITY_NODE_LABELS | {"Entity", "Document", "Sentence"}
    assert schema(neo4j_conn) == constraints
    assert q("MATCH (d:Document) WHERE d.id STARTS WITH 'doc`' RETURN d.title LIMIT 1") == [
        ["</script><script>alert(1)</script>"]]
    before = dump(neo4j_conn)
    store.load_triples(neo4j_conn, hostile)
    assert dump(neo4j_conn) == before


@pytest.mark.neo4j
def test_run_query_returns_plain_values_and_refuses_writes(neo4j_conn, small):
    store.load_triples(neo4j_conn, small)
    cols, rows = store.run_query(neo4j_conn, "MATCH (e:Person {name: $n}) RETURN e, date('2024-05-01') AS d",
                                 {"n": "Lo Chih-cheng"})
    assert cols == ["e", "d"]
    assert rows == [[{"_labels": ["Entity", "Person"], "key": "person:lo chih-cheng", "name": "Lo Chih-cheng",
                      "type": "PERSON", "aliases": ["羅致政"], "merges": ["native script: 羅致政"],
                      "named_by": "d1:1"}, "2024-05-01"]]
    with pytest.raises(UserError, match="--write"):
        store.run_query(neo4j_conn, "CREATE (:Entity {key: 'x'})")
    with pytest.raises(UserError, match="syntax"):
        store.run_query(neo4j_conn, "MATC (n) RETURN n")
    assert store.run_query(neo4j_conn, "MATCH (e:Entity {key: 'x'}) RETURN count(e)")[1] == [[0]]


@pytest.mark.neo4j
def test_connection_errors_are_one_clear_line(neo4j_config):
    cases = {
        "cannot reach Neo4j": dataclasses.replace(neo4j_config, uri="bolt://127.0.0.1:1"),
        "refused the credentials": dataclasses.replace(neo4j_config, password="wrong-password"),
        "has no database 'nosuchdb'": dataclasses.replace(neo4j_config, database="nosuchdb"),
        "not a Neo4j Bolt URI": dataclasses.replace(neo4j_config, uri="http://127.0.0.1:7474"),
    }
    for expected, config in cases.items():
        with pytest.raises(UserError) as err:
            store.connect(config)
        assert expected in str(err.value) and "\n" not in str(err.value)


def test_config_from_env_prefers_arguments():
    env = {"NEO4J_URI": "neo4j://env:7687", "NEO4J_USERNAME": "u", "NEO4J_PASSWORD": "p", "NEO4J_DATABASE": "db"}
    assert store.config_from_env(environ=env) == store.Neo4jConfig("neo4j://env:7687", "u", "p", "db")
    assert store.config_from_env("bolt://flag:1", "v", "q", "other", environ=env) == store.Neo4jConfig(
        "bolt://flag:1", "v", "q", "other")
    assert store.config_from_env(environ={}) == store.Neo4jConfig()
    assert "p" not in repr(store.config_from_env(environ={"NEO4J_PASSWORD": "p"})).replace("password", "")


@pytest.mark.neo4j
@pytest.mark.parametrize("memory_limit", [store.LOAD_MEMORY_LIMIT, 40, 0])
def test_created_facts_shortcut_gives_the_merged_graph(neo4j_conn, memory_limit):
    """Facts with an end the load created are written without a MERGE (LoadMemory); remembered
    for the whole load, emptied every few batches (40 entries) or turned off (0), the graph in
    Neo4j is the one kg.graph builds from the same triples, and a re-load adds nothing."""
    from tests.synthetic import synthetic_triples

    corpus = list(synthetic_triples(1500, entities=120))  # facts recur across batches of 100
    first = store.load_triples(neo4j_conn, corpus, batch_size=100, memory_limit=memory_limit)
    assert first.ok
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(build_graph(corpus))
    again = store.load_triples(neo4j_conn, corpus, batch_size=100, memory_limit=memory_limit)
    assert (again.nodes_created, again.relationships_created, again.properties_set) == (0, 0, 0)


@pytest.mark.neo4j
@pytest.mark.parametrize("min_walk", [0, 10**9])
def test_facts_merged_by_typed_and_dynamic_statements_give_the_same_graph(neo4j_conn, monkeypatch, min_walk):
    """Facts the database holds are merged by one statement per type (every type: minimum walk 0)
    or by the dynamic one (none): either way the graph is kg.graph's and a re-load adds nothing."""
    from tests.synthetic import synthetic_triples

    monkeypatch.setattr(store, "STATIC_TYPE_MIN_WALK", min_walk)
    corpus = list(synthetic_triples(1500, entities=120))
    assert store.load_triples(neo4j_conn, corpus[:700], batch_size=100, memory_limit=0).ok
    assert store.load_triples(neo4j_conn, corpus, batch_size=100, memory_limit=0).ok
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(build_graph(corpus))
    again = store.load_triples(neo4j_conn, corpus, batch_size=100, memory_limit=0)
    assert (again.nodes_created, again.relationships_created, again.properties_set) == (0, 0, 0)


def test_types_whose_rows_walk_far_get_a_statement_of_their_own(monkeypatch):
    monkeypatch.setattr(store, "STATIC_TYPE_MIN_WALK", 100)
    rows = [{"type": "SAY", "i": 0}, {"type": "SAY", "i": 1}, {"type": "MEET", "i": 2}, {"type": "VISIT", "i": 3}]
    statements = store._by_type("MERGE (a)-[r:$(row.type)]->(b)", rows, [60, 50, 99, 500])
    assert statements == [("MERGE (a)-[r:$(row.type)]->(b)", [rows[2]]),
                          ("MERGE (a)-[r:`SAY`]->(b)", rows[:2]),
                          ("MERGE (a)-[r:`VISIT`]->(b)", [rows[3]])]


@pytest.mark.neo4j
@pytest.mark.parametrize("memory_limit", [store.LOAD_MEMORY_LIMIT, 0])
def test_a_fact_stated_in_many_sentences_keeps_each_once_in_order(neo4j_conn, memory_limit):
    """One fact in 600 sentences of 60 documents, batches of 7 triples that cut documents apart:
    new sentences get their EVIDENCE without a search (APPEND_EVIDENCE), sentences the database
    has are checked (a second, overlapping load), the fact's own lists stop at LISTED_LIMIT
    entries in sentence order (whatever the load order), and the graph read back (from the EVIDENCE relationships) is kg.graph's."""
    corpus = [triple(f"d{d}", f"d{d}:{k}", "Japan", "support", "Taiwan", speaker="Lo" if k % 3 == 0 else None,
                     conf=round(0.5 + (d * 10 + k) % 40 / 100, 3), date=f"2024-01-{1 + d % 28:02d}")
              for d in range(60) for k in range(10)]
    corpus += [triple(f"d{d}", f"d{d}:10", "Japan", "meet", f"Guest{d % 9}", date=f"2024-01-{1 + d % 28:02d}")
               for d in range(60)]
    assert store.load_triples(neo4j_conn, corpus[:300], batch_size=7, memory_limit=memory_limit).ok
    assert store.load_triples(neo4j_conn, corpus, batch_size=7, memory_limit=memory_limit).ok
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(build_graph(corpus))
    [[count, evidence, docs, speakers, stated]] = store.run_query(
        neo4j_conn, "MATCH ()-[r:SUPPORT]->() RETURN r.count, r.evidence, r.docs, r.speakers, "
                    "COUNT { (:Sentence)-[:EVIDENCE {fact: r.id}]->() }")[1]
    assert count == stated == 600 and speakers == ["Lo"]
    assert evidence == sorted((f"d{d}:{k}" for d in range(60) for k in range(10)),
                              key=store.sentence_order)[:store.LISTED_LIMIT]
    assert evidence[20] == "d10:0"  # documents sort by id: d1, d10, d11 …
    assert docs == sorted(f"d{d}" for d in range(60)) and store.LISTED_LIMIT < 600
