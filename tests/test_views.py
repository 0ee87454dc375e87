import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import build_graph, read_triples
from kg.views import DEFAULT_MAX_NODES, build_view, edge_items, node_items, script_json, write_view
from tests.payloads import hostile_graph

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")
LDP = "org:liberal democratic party"


@pytest.fixture(scope="module")
def g():
    return build_graph(read_triples(DATA))


@pytest.fixture(scope="module")
def page(g):
    return build_view(g, title="<b>Title</b> & co").html


def config(page: str) -> dict:
    return json.loads(page.split('id="kg-config">')[1].split("</script>")[0])


def test_page_is_offline(page):
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap" not in page
    assert "vis-network" in page and "new vis.Network" in page  # library inline


def test_same_graph_gives_byte_identical_html(g):
    assert build_view(g).html == build_view(build_graph(read_triples(DATA))).html


def test_title_legend_and_note_are_escaped(page, g):
    assert "<h1 id=\"kg-title\">&lt;b&gt;Title&lt;/b&gt; &amp; co</h1>" in page
    assert "<title>&lt;b&gt;Title&lt;/b&gt; &amp; co</title>" in page
    assert 'data-type="Person"' in page and "Organization (2)" in page
    assert "negated facts (0)" in page  # the overview folds it into its entity's tooltip
    assert "negated facts (1)" in build_view(g, fold=False).html
    cut = build_view(g, max_nodes=3).html
    assert 'id="kg-note"' in cut and "showing 3 of 4 entities" in cut
    assert 'id="kg-note"' not in page


def test_hostile_text_never_reaches_the_page_as_markup():
    html = build_view(hostile_graph(), title="<script>window.__kgPwned=0</script>").html
    body = html.split("<body>", 1)[1]
    for needle in ["<script>window", "<svg", "<img src=x", "<a href", "<b onmouseover", "</script><img"]:
        assert needle not in body
    assert "popup.innerHTML" not in html  # pyvis's href switch stays off
    # every <script> opened is the one closed: no text ends a script early
    assert body.count("<script") == body.count("</script>")


def test_script_json_escapes_script_ends_and_comments():
    text = script_json({"x": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><!-- & \u2028"}


def test_nodes_carry_colour_size_position_and_aliases(g):
    from kg import analytics

    items = {n["id"]: n for n in node_items(g, scores=analytics.importance(g), positions=analytics.layout(g),
                                            documents=g.graph["documents"])}
    ldp = items[LDP]
    assert ldp["label"] == "Liberal Democratic Party" and ldp["value"] == 1.0
    assert "Also known as: LDP" in ldp["title"] and "Parties meet, 2021-08-27 [d1]" in ldp["title"]
    assert ldp["color"]["background"] != items["person:lo chih-cheng"]["color"]["background"]
    assert isinstance(ldp["x"], float) and "ldp" in ldp["kgSearch"].split("\n")


def test_edges_label_predicate_dash_negation_and_cap_evidence(g):
    e = nx.MultiDiGraph(g)
    ev = e.edges[LDP, "concept:taiwan cptpp bid", "support"]
    ev["evidence"] = [dict(ev["evidence"][0], sentence_id=f"d1:{i}") for i in range(7)]
    items = edge_items(e, documents=g.graph["documents"], max_evidence=3)
    support = next(i for i in items if i["label"] == "support")
    negated = next(i for i in items if i["kgNegated"])
    assert support["dashes"] is False and "pledged to support" in support["title"] and "+4 more" in support["title"]
    assert support["title"].count("[d1:") == 3
    assert negated["dashes"] is True and negated["label"] == "not discuss"
    assert "Said by: Lo Chih-cheng" in negated["title"] and "NOT discuss" in negated["title"]


def test_parallel_facts_curve_apart():
    g = nx.MultiDiGraph()
    g.add_edge("a", "b", "x", predicate="x")
    g.add_edge("a", "b", "y", predicate="y")
    g.add_edge("b", "a", "z", predicate="z")
    smooth = [i.get("smooth") for i in edge_items(g, documents={})]
    assert smooth[0] is None and smooth[1]["roundness"] != smooth[2]["roundness"]


def test_large_graphs_are_cut_and_drawn_without_physics():
    g = nx.MultiDiGraph()
    for i in range(DEFAULT_MAX_NODES + 10):
        g.add_edge(f"n{i}", f"n{(i * 7) % (DEFAULT_MAX_NODES + 10)}", "x", predicate="x", count=1)
    view = build_view(g)
    assert view.cut.shown_nodes == DEFAULT_MAX_NODES and view.cut.hidden_nodes == 10
    assert config(view.html)["physics"] is False
    small = build_view(nx.MultiDiGraph([("a", "b", "x")]))
    assert config(small.html)["physics"] is True


def test_write_view_is_utf8_and_leaves_no_temp_file(tmp_path, g):
    path = write_view(build_view(g, title="羅致政"), tmp_path / "sub" / "v.html")
    assert "<title>羅致政</title>" in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["v.html"]


def test_overview_dates_facts_folds_leaves_and_escapes_the_brief(g):
    html = build_view(g).html
    cfg = config(html)
    assert cfg["days"] == ["2021-08-27", "2021-08-27"]  # the one fact drawn; the rest are folded
    assert cfg["communities"] == {"0": [LDP]}  # the LDP's community, its concepts folded
    assert '<aside id="kg-brief"' in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    full = build_view(g, fold=False)
    assert config(full.html)["days"] == ["2021-08-27", "2021-09-01"]
    assert 'id="kg-since" type="range" min="0" max="5"' in full.html and "undated facts (0)" in full.html
    edges = {e["label"]: e for e in edge_items(g, documents=g.graph["documents"])}
    assert (edges["support"]["kgFrom"], edges["support"]["kgTo"]) == ("2021-08-27", "2021-08-27")
    assert full.folded == 0 and build_view(g).folded == 3
    undated = nx.MultiDiGraph([("a", "b", "x")])
    assert config(build_view(undated).html)["days"] is None and 'id="kg-since"' not in build_view(undated).html


def test_a_cut_overview_briefs_what_it_draws():
    g = nx.MultiDiGraph()
    for prefix, n in (("a", 5), ("b", 3)):  # two cliques: all entities equally important, a-keys first
        for i in range(n):
            g.add_node(f"{prefix}{i}", name=f"{prefix.upper()}{i}", label="Person", type="PERSON")
        for i in range(n):
            for j in range(i + 1, n):
                g.add_edge(f"{prefix}{i}", f"{prefix}{j}", "meet", predicate="meet", count=1)
    whole, cut = build_view(g), build_view(g, max_nodes=5)
    assert sorted(config(whole.html)["communities"]) == ["0", "1"]
    assert list(config(cut.html)["communities"].values()) == [["a0", "a1", "a2", "a3", "a4"]]
    assert "B0" not in cut.html.split('<aside id="kg-brief"')[1].split("</aside>")[0]
