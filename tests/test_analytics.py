from pathlib import Path

import networkx as nx
import pytest

from kg import analytics
from kg.analytics import Cut, NotFound
from kg.graph import build_graph, read_triples

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")
LDP = "org:liberal democratic party"
XSS = "concept:img src x onerror alert 1"


@pytest.fixture(scope="module")
def g():
    return build_graph(read_triples(DATA))


def star(n_leaves=5):
    g = nx.MultiDiGraph()
    for i in range(n_leaves):
        g.add_edge("hub", f"leaf{i}", "say", count=1)
    g.add_edge("x", "y", "meet", count=1)
    return g


@pytest.mark.parametrize("by", ["pagerank", "degree"])
def test_importance_ranks_the_hub_first_and_scales_to_one(by):
    scores = analytics.importance(star(), by=by)
    assert scores["hub"] == 1.0
    assert all(0 < v < 1 for k, v in scores.items() if k != "hub")


def test_importance_rejects_unknown_measure_and_handles_empty():
    with pytest.raises(ValueError, match="unknown importance"):
        analytics.importance(star(), by="fame")
    assert analytics.importance(nx.MultiDiGraph()) == {}


def test_betweenness_finds_the_broker():
    g = nx.MultiDiGraph([("a", "b", "x"), ("b", "c", "x"), ("c", "d", "x")])
    c = analytics.centrality(g, kind="betweenness")
    assert c["b"] == c["c"] > c["a"] == c["d"] == 0


def test_communities_are_deterministic_and_split_components():
    g = nx.MultiDiGraph()
    for a, b in [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f")]:
        g.add_edge(a, b, "x")
    first = analytics.communities(g, seed=1)
    assert first == [{"a", "b", "c"}, {"d", "e", "f"}]
    assert first == analytics.communities(g, seed=1)


@pytest.mark.parametrize("query", [LDP, "Liberal Democratic Party", "liberal democratic party", "LDP", "ldp"])
def test_find_entity_by_key_name_or_alias_case_insensitive(g, query):
    assert analytics.find_entity(g, query) == LDP


def test_find_entity_lists_close_matches(g):
    with pytest.raises(NotFound) as err:
        analytics.find_entity(g, "Liberal Democrats")
    assert "Liberal Democratic Party" in err.value.matches
    assert "close matches: Liberal Democratic Party" in str(err.value)


def test_neighbourhood_depths(g):
    assert set(analytics.neighbourhood(g, "LDP", depth=0)) == {LDP}
    one = analytics.neighbourhood(g, "LDP", depth=1)
    assert set(one) == {LDP, "concept:taiwan cptpp bid", XSS}
    assert one.number_of_edges() == 2
    assert one.nodes[LDP]["aliases"] == ["LDP"]  # attributes travel with the subgraph


def test_document_subgraph_keeps_only_that_documents_evidence(g):
    d2 = analytics.document_subgraph(g, "d2")
    assert set(d2) == {LDP, XSS}
    (s, o, k, e), = d2.edges(keys=True, data=True)
    assert e["negated"] and {ev["doc_id"] for ev in e["evidence"]} == {"d2"} and e["docs"] == ["d2"]
    assert list(d2.graph["documents"]) == ["d2"]
    with pytest.raises(NotFound, match="no document matches 'd3'"):
        analytics.document_subgraph(g, "d3")


def test_top_subgraph_cut_counts(g):
    sub, cut = analytics.top_subgraph(g, 3, by="degree")
    assert cut == Cut(3, 7, sub.number_of_edges(), 4, "degree")
    assert LDP in sub and cut.is_partial
    assert cut.describe().startswith("showing 3 of 7 entities (the most important by degree)")
    whole, cut = analytics.top_subgraph(g, None)
    assert whole is g and not cut.is_partial and cut.describe() == "7 entities, 4 facts"


def test_top_subgraph_can_rank_named_entities_before_concepts(g):
    sub, _ = analytics.top_subgraph(g, 4, by="degree", named_first=True)
    assert all(analytics.is_named(g, n) for n in sub)
    sub, _ = analytics.top_subgraph(g, 4, by="degree")
    assert not all(analytics.is_named(g, n) for n in sub)  # the concepts around the LDP outrank the people


def test_fold_leaves_moves_concept_leaves_into_their_entity(g):
    h, folded = analytics.fold_leaves(g)
    assert sorted(n for n in g if n not in h) == [XSS, "concept:taiwan cptpp bid", "concept:videoconference"]
    assert sorted(folded) == [LDP, "person:lo chih-cheng"]
    assert h.number_of_edges() + sum(map(len, folded.values())) == g.number_of_edges()
    ldp = {(f["direction"], f["predicate"], f["negated"], f["other"]) for f in folded[LDP]}
    assert ("out", "support", False, "Taiwan's CPTPP bid") in ldp and ("out", "discuss", True, "<img src=x onerror=alert(1)>") in ldp
    assert analytics.fold_leaves(h)[1] == {}  # nothing left to fold
    g2 = nx.MultiDiGraph(g)
    g2.add_edge("person:hsieh pei-fen", "concept:taiwan cptpp bid", "back", predicate="back")
    assert "concept:taiwan cptpp bid" in analytics.fold_leaves(g2)[0]  # two entities: not a leaf


def test_between_keeps_facts_whose_days_meet_the_range():
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", "x", first_seen="2019", last_seen="2019-06")
    g.add_edge("b", "c", "y", first_seen="2021-08-28", last_seen="2021-08-28")
    g.add_edge("c", "d", "z", first_seen=None, last_seen=None)
    assert analytics.between(g) is g
    assert sorted(analytics.between(g, since="2019-06-30").edges(keys=True)) == [("a", "b", "x"), ("b", "c", "y")]
    assert sorted(analytics.between(g, until="2019-01").edges(keys=True)) == [("a", "b", "x")]
    assert sorted(analytics.between(g, "2020", "2021-08-27").edges(keys=True)) == []
    assert sorted(analytics.between(g, since="2021-08")) == ["b", "c"]
    with pytest.raises(ValueError, match="since wants a date"):
        analytics.between(g, since="last week")


def test_between_keeps_each_fact_with_only_its_sentences_in_range():
    entry = {"text": "…", "predicate_text": "backs", "speaker": None}
    evidence = [{**entry, "sentence_id": "d1:0", "doc_id": "d1", "confidence": 0.9, "date": "2019-05"},
                {**entry, "sentence_id": "d2:3", "doc_id": "d2", "confidence": 0.6, "date": "2021-08-28",
                 "speaker": "Lo"},
                {**entry, "sentence_id": "d3:1", "doc_id": "d3", "confidence": 0.7, "date": None}]
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", "back", evidence=evidence, count=3, confidence=0.9, speakers=["Lo"],
               docs=["d1", "d2", "d3"], first_seen="2019-05", last_seen="2021-08-28")
    g.add_edge("b", "c", "meet", evidence=[{**evidence[0], "sentence_id": "d1:1"}], count=1,
               first_seen="2019-05", last_seen="2019-05")
    new = analytics.between(g, since="2020")
    assert list(new.edges(keys=True)) == [("a", "b", "back")] and sorted(new) == ["a", "b"]
    e = new.edges["a", "b", "back"]
    assert [ev["sentence_id"] for ev in e["evidence"]] == ["d2:3"]
    assert (e["count"], e["confidence"], e["speakers"], e["docs"], e["first_seen"], e["last_seen"]) == (
        1, 0.6, ["Lo"], ["d2"], "2021-08-28", "2021-08-28")
    # the fact's span 2019-05 .. 2021-08-28 meets 2020, but none of its sentences is dated in it
    assert analytics.between(g, "2020", "2020").number_of_edges() == 0
    assert g.edges["a", "b", "back"]["count"] == 3  # the graph itself is unchanged


def test_document_subgraph_recomputes_confidence_and_dates_from_that_document():
    from tests.synthetic import synthetic_triples

    g = build_graph(synthetic_triples(2000))
    shared = [(s, o, k) for s, o, k, d in g.edges(keys=True, data=True)
              if len({(ev["confidence"], ev["date"]) for ev in d["evidence"]}) > 1 and len(d["docs"]) > 1]
    assert len(shared) > 10
    for s, o, k in shared[:50]:
        whole = g.edges[s, o, k]
        for doc in whole["docs"]:
            part = analytics.document_subgraph(g, doc).edges[s, o, k]
            mine = [ev for ev in whole["evidence"] if ev["doc_id"] == doc]
            assert part["confidence"] == max(ev["confidence"] for ev in mine)
            assert part["first_seen"] == min((ev["date"] for ev in mine if ev["date"]), default=None)


def test_shortest_path_and_no_path(g):
    assert analytics.shortest_path(g, "Taiwan's CPTPP bid", XSS) == ["concept:taiwan cptpp bid", LDP, XSS]
    with pytest.raises(NotFound, match="no path"):
        analytics.shortest_path(g, "LDP", "Hsieh Pei-fen")


def test_layout_is_deterministic_spread_out_and_covers_every_node():
    g = nx.MultiDiGraph()
    big = nx.barabasi_albert_graph(700, 2, seed=3)  # above the direct-layout size: community path
    for a, b in big.edges:
        g.add_edge(f"n{a}", f"n{b}", "x", count=1)
    for i in range(20):
        g.add_edge(f"p{i}", f"q{i}", "y", count=1)
    pos = analytics.layout(g, seed=0)
    assert set(pos) == set(g) and pos == analytics.layout(g, seed=0)
    xs = sorted(pos.values())
    assert len(set(xs)) == len(xs)  # no two entities on the same spot
    width = max(x for x, _ in xs) - min(x for x, _ in xs)
    assert width > 1000  # about 70 px apart, not squeezed into a unit square
