import json
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import main
from kg.exports import write_gexf, write_graphml, write_json
from kg.graph import build_graph, graph_to_data, read_triples, write_graph

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
    assert "no local graph" in capsys.readouterr().err


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
