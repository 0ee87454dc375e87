import json
from pathlib import Path

import networkx as nx
import pytest

from kg.build import build_triples, read_build_graph, resolved_triples
from kg.cli import main
from kg.exports import write_gexf, write_graphml, write_json
from kg.graph import build_graph, graph_to_data, read_graph, read_triples, write_graph
from kg.neo4j.bulk_csv import HEADERS
from kg.run.sink import triple_line
from tests.conftest import NEWS

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")


@pytest.fixture
def g():
    return build_graph(read_triples(DATA))


def test_graphml_keeps_every_entity_fact_and_attribute(g, tmp_path):
    h = nx.read_graphml(write_graphml(g, tmp_path / "g.graphml"), force_multigraph=True)
    assert h.number_of_nodes() == g.number_of_nodes() and h.number_of_edges() == g.number_of_edges()
    assert json.loads(h.nodes["org:liberal democratic party"]["aliases"]) == ["LDP"]
    (e,) = [d for s, o, d in h.edges(data=True) if d["predicate"] == "discuss"]
    assert e["negated"] is True and json.loads(e["evidence"])[0]["sentence_id"] == "d2:0"


def test_gexf_labels_nodes_with_names(g, tmp_path):
    h = nx.read_gexf(write_gexf(g, tmp_path / "g.gexf"))
    assert h.number_of_nodes() == g.number_of_nodes() and h.number_of_edges() == g.number_of_edges()
    assert h.nodes["person:hsieh pei-fen"]["label"] == "Hsieh Pei-fen"


def test_json_is_node_link_and_deterministic(g, tmp_path):
    a, b = write_json(g, tmp_path / "a.json"), write_json(build_graph(read_triples(DATA)), tmp_path / "b.json")
    assert a.read_bytes() == b.read_bytes()
    assert json.loads(a.read_text())["nodes"] == graph_to_data(g)["nodes"]


def test_export_command(g, tmp_path, capsys):
    write_graph(g, tmp_path / "graph.json")
    assert main(["export", "--format", "graphml", "--graph", str(tmp_path / "graph.json"),
                 "-o", str(tmp_path / "x.graphml")]) == 0
    assert "7 entities, 4 facts" in capsys.readouterr().err
    assert main(["export", "--format", "gexf", "--graph", str(tmp_path / "none.json"), "-o", "x"]) == 1
    assert f"{tmp_path / 'none.json'}: no build or graph file" in capsys.readouterr().err


def test_exports_carry_fact_dates_and_gexf_facts_are_dynamic(g, tmp_path):
    e = g.edges["org:liberal democratic party", "concept:taiwan cptpp bid", "support"]
    e["first_seen"], e["last_seen"] = "2019", "2021-08"  # a year and a month: whole days in GEXF
    h = nx.read_graphml(write_graphml(g, tmp_path / "g.graphml"), force_multigraph=True)
    (ml,) = [d for *_, d in h.edges(data=True) if d["predicate"] == "support"]
    assert (ml["first_seen"], ml["last_seen"]) == ("2019", "2021-08")
    path = write_gexf(g, tmp_path / "g.gexf")
    assert 'mode="dynamic"' in path.read_text(encoding="utf-8")
    (gx,) = [d for *_, d in nx.read_gexf(path).edges(data=True) if d["predicate"] == "support"]
    assert (gx["start"], gx["end"]) == ("2019-01-01", "2021-08-31")


# ------------------------------------------------------------------ from a build directory (real model)

@pytest.mark.model
def test_export_triples_writes_the_build_records_as_kg_extract_does(news_build, tmp_path, capsys):
    assert main(["-q", "extract", str(NEWS), "-o", str(tmp_path / "extracted.jsonl")]) == 0
    assert main(["export", "--format", "triples", "--graph", str(news_build), "-o", str(tmp_path / "t.jsonl")]) == 0
    exported = (tmp_path / "t.jsonl").read_bytes()
    assert exported == (tmp_path / "extracted.jsonl").read_bytes()
    assert exported.decode("utf-8") == "".join(map(triple_line, build_triples(news_build)))
    n = len(exported.splitlines())
    assert n > 50 and f"kg export: triples: {n} triple records of {news_build}" in capsys.readouterr().err
    assert main(["export", "--format", "triples", "--graph", str(news_build), "-o", "-"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == exported


@pytest.mark.model
def test_export_reads_a_build_directory_or_a_graph_file(news_build, tmp_path, capsys):
    built = read_build_graph(news_build)
    assert main(["export", "--format", "json", "--graph", str(news_build), "-o", str(tmp_path / "g.json")]) == 0
    assert graph_to_data(read_graph(tmp_path / "g.json")) == graph_to_data(built)
    assert main(["export", "--format", "graphml", "--graph", str(news_build), "-o", str(tmp_path / "a.graphml")]) == 0
    assert main(["export", "--format", "graphml", "--graph", str(tmp_path / "g.json"),
                 "-o", str(tmp_path / "b.graphml")]) == 0
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    err = capsys.readouterr().err
    assert err.count(f"{built.number_of_nodes()} entities, {built.number_of_edges()} facts") == 3


@pytest.mark.model
def test_neo4j_csv_of_a_build_is_that_of_its_resolved_triples(news_build, tmp_path, capsys):
    assert main(["export", "--format", "neo4j-csv", "--graph", str(news_build), "-o", str(tmp_path / "built")]) == 0
    built = read_build_graph(news_build)
    assert (f"neo4j-csv: {built.number_of_nodes()} entities, {len(built.graph['documents'])} documents"
            in capsys.readouterr().err)
    assert main(["export", "--format", "triples", "--graph", str(news_build), "-o", str(tmp_path / "t.jsonl")]) == 0
    assert main(["export", "--format", "neo4j-csv", "--triples", str(tmp_path / "t.jsonl"),
                 "-o", str(tmp_path / "file")]) == 0
    for name in HEADERS:
        a, b = (tmp_path / d / f"{name}.csv" for d in ("built", "file"))
        assert a.read_bytes() == b.read_bytes(), name
    facts = (tmp_path / "built" / "facts.csv").read_text(encoding="utf-8").splitlines()
    assert len(facts) == 1 + built.number_of_edges()
    assert sum(1 for _ in resolved_triples(news_build)) >= built.number_of_edges()


@pytest.mark.model
@pytest.mark.parametrize("args, code, message", [
    (["--format", "neo4j-csv", "--graph", "{graph}"], 2, "{graph} is a graph file: --format triples and neo4j-csv"),
    (["--format", "triples", "--graph", "{graph}"], 2, "{graph} is a graph file"),
    (["--format", "triples", "--graph", "{build}", "--triples", "{graph}"], 2,
     "--triples goes with --format neo4j-csv"),
    (["--format", "triples", "--graph", "{empty}"], 1, "{empty}: no build here (run `kg build --out {empty}` first)"),
    (["--format", "neo4j-csv", "--graph", "{empty}"], 1, "{empty}: no build here"),
    (["--format", "neo4j-csv", "--triples", "{empty}/none.jsonl"], 1, "{empty}/none.jsonl: no such file"),
])
def test_export_user_errors(args, code, message, news_build, tmp_path, capsys):
    names = {"graph": write_graph(read_build_graph(news_build), tmp_path / "g.json"), "build": news_build,
             "empty": tmp_path / "empty"}
    (tmp_path / "empty").mkdir()
    assert main(["export", *(a.format(**names) for a in args), "-o", str(tmp_path / "out")]) == code
    err = capsys.readouterr().err
    assert err.startswith("kg export: error: " + message.format(**names)) and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
