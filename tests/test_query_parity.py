"""The Cypher patterns the docs promise answer the same on the local graph and on the real Neo4j server."""
import json
from pathlib import Path

import pytest

from kg.cli import main
from kg.graph import build_graph, read_triples, write_graph
from kg.local_query import NeedsNeo4j, prepare, run_local_query

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")

QUERIES = [
    ("labels", "MATCH (e:Person) RETURN e.name ORDER BY e.name", {}),
    ("relationship type", "MATCH (a)-[r:SUPPORT]->(b) RETURN a.name, r.predicate, b.name, r.count", {}),
    ("where with a parameter", "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.name = $n RETURN b.name ORDER BY b.name",
     {"n": "Liberal Democratic Party"}),
    ("where on a relationship", "MATCH (a)-[r]->(b) WHERE r.negated = true RETURN a.name, b.name, r.speakers", {}),
    ("count", "MATCH (e:Organization) RETURN COUNT(e)", {}),
    ("lower-case count", "MATCH (e:Concept) RETURN count(e)", {}),
    ("order and limit", "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.name, b.name ORDER BY b.name DESC LIMIT 2", {}),
    ("property map with single quotes", "MATCH (a {name: 'Hsieh Pei-fen'})-[r]->(b) RETURN r.predicate, b.name", {}),
    ("evidence sentence ids", "MATCH (a:Person)-[r:ATTEND]->(b) RETURN a.name, r.evidence", {}),
]


def rows_of(columns, rows):
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


@pytest.fixture(scope="module")
def local_graph():
    return build_graph(read_triples(DATA))


@pytest.mark.neo4j
@pytest.mark.parametrize("name, query, params", QUERIES, ids=[q[0] for q in QUERIES])
def test_same_answer_on_both_backends(name, query, params, local_graph, neo4j_conn):
    from kg.neo4j import store as neo4j_store

    neo4j_store.load_triples(neo4j_conn, read_triples(DATA))
    l_cols, l_rows = run_local_query(local_graph, query, params)
    n_cols, n_rows = neo4j_store.run_query(neo4j_conn, query, params)
    assert [c.lower() for c in l_cols] == [c.lower() for c in n_cols]
    assert l_rows, "the query should return something"
    if "ORDER BY" in query:
        assert l_rows == n_rows
    else:
        assert rows_of(l_cols, l_rows) == rows_of(n_cols, n_rows)


@pytest.mark.parametrize("query", ["CREATE (n:X) RETURN n", "MATCH (n) DETACH DELETE n", "MATCH (n) SET n.x = 1",
                                   "MATCH (a) WITH a RETURN a", "CALL db.labels()",
                                   "MATCH p = shortestPath((a)-[*]-(b)) RETURN p"])
def test_what_needs_neo4j_is_said_plainly(query, local_graph):
    with pytest.raises(NeedsNeo4j, match="needs a Neo4j server"):
        run_local_query(local_graph, query)


def test_strings_are_not_mistaken_for_clauses_and_params_are_literals(local_graph):
    cols, rows = run_local_query(local_graph, "MATCH (a) WHERE a.name = $n RETURN a.name", {"n": 'x" OR 1=1 //'})
    assert rows == []
    assert prepare("MATCH (a {name: 'CREATE'}) RETURN a") == 'MATCH (a {name: "CREATE"}) RETURN a'


def test_query_command_uses_the_local_graph_without_a_server(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    graph = tmp_path / "graph.json"
    write_graph(build_graph(read_triples(DATA)), graph)
    assert main(["query", "--graph", str(graph), "--json", "MATCH (e:Person) RETURN e.name ORDER BY e.name"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == [{"e.name": "Hsieh Pei-fen"}, {"e.name": "Lo Chih-cheng"}]
    assert main(["query", "--graph", str(graph), "MERGE (n:X) RETURN n"]) == 1
    assert "needs a Neo4j server" in capsys.readouterr().err
    assert main(["query", "--graph", str(tmp_path / "none.json"), "MATCH (n) RETURN n"]) == 1
    assert (f"no Neo4j server configured (NEO4J_URI / --neo4j), and {tmp_path / 'none.json'}: no build or graph file"
            in capsys.readouterr().err)


@pytest.mark.model
def test_query_command_reads_the_build_in_kg_out_by_default(news_build, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    query = ["--json", "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.name, r.predicate, b.name ORDER BY a.name, b.name"]
    assert main(["export", "--format", "json", "--graph", str(news_build), "-o", str(tmp_path / "g.json")]) == 0
    capsys.readouterr()
    answers = []
    for graph in (["--graph", str(tmp_path / "g.json")], ["--graph", str(news_build)], []):
        monkeypatch.chdir(news_build.parent)
        assert main(["query", *graph, *query]) == 0
        answers.append(json.loads(capsys.readouterr().out))
    assert len(answers[0]) > 10 and answers[0] == answers[1] == answers[2]
    monkeypatch.chdir(tmp_path)
    assert main(["query", *query]) == 1
    assert "kg-out: no build or graph file (run `kg build --out kg-out` first" in capsys.readouterr().err


def test_saved_changes_query_lists_the_facts_stated_since_a_date(local_graph):
    from kg.queries import saved_queries

    q = saved_queries()["changes"]
    cols, rows = run_local_query(local_graph, q.cypher, q.bind(["2021-09"]))
    assert cols[:3] == ["first_seen", "last_seen", "subject"]
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
        ("Liberal Democratic Party", "discuss", True, "<img src=x onerror=alert(1)>")]
    _, rows = run_local_query(local_graph, q.cypher, q.bind(["2021", "2"]))
    assert len(rows) == 2 and all(r[1] >= "2021" for r in rows)


@pytest.mark.neo4j
@pytest.mark.parametrize("since", ["2021", "2021-08-28", "2021-09", "2022"])
def test_saved_changes_query_answers_the_same_on_both_backends(since, local_graph, neo4j_conn):
    from kg.neo4j import store as neo4j_store
    from kg.queries import saved_queries

    q = saved_queries()["changes"]
    neo4j_store.load_triples(neo4j_conn, read_triples(DATA))
    assert run_local_query(local_graph, q.cypher, q.bind([since])) == neo4j_store.run_query(
        neo4j_conn, q.cypher, q.bind([since]))
