"""Briefs of communities: pure, deterministic, escaped Markdown; and ``kg brief`` end to end."""
import shutil
from pathlib import Path

import networkx as nx
import pytest

from kg.brief import brief_markdown, community_briefs
from kg.build import read_build_graph
from kg.cli import main
from tests.payloads import hostile_graph



def news_graph() -> nx.MultiDiGraph:
    """Two stories: three parties and their talks (d1, d2), a storm and two towns (d3)."""
    g = nx.MultiDiGraph()
    g.graph["documents"] = {"d1": {"title": "Parties meet", "date": "2021-08-27"},
                            "d2": {"date": "2021-09-01"}, "d3": {"title": "Storm"}}

    def node(key, name, label):
        g.add_node(key, name=name, type=label.upper(), label=label, aliases=[], docs=[])

    def fact(s, o, predicate, sentences, first=None, last=None):
        g.add_edge(s, o, predicate, predicate=predicate, negated=False, count=len(sentences), confidence=0.5,
                   evidence=[{"sentence_id": sid, "doc_id": sid.split(":")[0], "text": text, "speaker": None,
                              "predicate_text": predicate} for sid, text in sentences],
                   speakers=[], docs=sorted({sid.split(":")[0] for sid, _ in sentences}),
                   first_seen=first, last_seen=last or first)

    node("org:ldp", "LDP", "Organization"), node("org:dpp", "DPP", "Organization")
    node("person:lo", "Lo", "Person"), node("concept:talks", "security talks", "Concept")
    node("place:a", "Avon", "Place"), node("place:b", "Bury", "Place"), node("concept:storm", "the storm", "Concept")
    fact("org:ldp", "org:dpp", "meet", [("d1:0", "The LDP met the DPP."), ("d2:1", "The LDP and DPP met again.")],
         "2021-08-27", "2021-09-01")
    fact("org:dpp", "concept:talks", "hold", [("d1:0", "The LDP met the DPP."), ("d1:1", "The DPP held talks.")],
         "2021-08-27")
    fact("person:lo", "org:dpp", "represent", [("d1:2", "Lo represented the DPP.")], "2021-08-27")
    fact("concept:storm", "place:a", "hit", [("d3:0", "The storm hit Avon and Bury.")])
    fact("concept:storm", "place:b", "hit", [("d3:0", "The storm hit Avon and Bury.")])
    return g


def test_each_community_has_entities_relations_and_quotes_with_source():
    first, second = community_briefs(news_graph())
    assert [e.name for e in first.entities] == ["DPP", "LDP", "Lo", "security talks"]  # named first
    # two sentences each, then the more central ends first
    assert [r.text() for r in first.relations] == ["DPP —hold→ security talks", "LDP —meet→ DPP", "Lo —represent→ DPP"]
    assert (first.first_seen, first.last_seen, first.n_facts) == ("2021-08-27", "2021-09-01", 3)
    quote = first.quotes[0]  # the sentence stating two of the community's facts
    assert (quote.text, quote.source()) == ("The LDP met the DPP.", "Parties meet, 2021-08-27 [d1]")
    assert [q.source() for q in first.quotes[1:]] == ["Parties meet, 2021-08-27 [d1]", "2021-09-01 [d2]"]
    assert [e.name for e in second.entities] == ["Avon", "Bury", "the storm"]
    assert second.quotes[0].source() == "Storm [d3]" and second.first_seen is None


def test_brief_is_deterministic_and_leaves_out_small_communities():
    g = news_graph()
    g.add_edge("person:x", "person:y", "see", predicate="see", count=1)
    assert brief_markdown(community_briefs(g)) == brief_markdown(community_briefs(news_graph()))
    assert len(community_briefs(g, min_entities=2)) == 3 and len(community_briefs(g, max_communities=1)) == 1
    assert community_briefs(nx.MultiDiGraph()) == []
    assert "No community" in brief_markdown([])


def test_markdown_escapes_news_text():
    text = brief_markdown(community_briefs(hostile_graph(), min_entities=1), title="<b>t</b>")
    assert "<" not in text and "&lt;script&gt;window.\\_\\_kgPwned=1&lt;/script&gt;" in text
    assert "[" not in text.replace("\\[", "") and "*" not in text.replace("\\*", "").replace("**", "")


@pytest.mark.model
def test_kg_brief_reads_the_build_and_writes_markdown(news_build, tmp_path, capsys):
    out = tmp_path / "kg-out"
    shutil.copytree(news_build, out)
    g = read_build_graph(out)
    assert main(["brief", "--out", str(out)]) == 0
    briefs = community_briefs(g)
    assert capsys.readouterr().err.strip() == (f"kg brief: {len(briefs)} communities of {g.number_of_nodes()} "
                                              f"entities, {g.number_of_edges()} facts -> {out / 'brief.md'}")
    text = (out / "brief.md").read_text(encoding="utf-8")
    assert text == brief_markdown(briefs, title="Brief of kg-out")
    assert text.startswith("# Brief of kg-out\n") and "## Community 1: " in text and "\\[" in text
    assert main(["brief", "--out", str(out), "-o", "-", "--since", "2030"]) == 0
    out_text, err = capsys.readouterr()
    assert "kg brief: 0 communities of " in err and "-> stdout" in err and "No community" in out_text


@pytest.mark.parametrize("argv, code, message", [
    (["brief", "--out", "nowhere"], 1, "kg brief: error: nowhere: no build here (run `kg build --out nowhere` first)"),
    (["brief", "--since", "last week"], 2, "kg brief: error: --since wants a date"),
    (["brief", "--communities", "0"], 2, "kg brief: error: --communities and --min-entities must be 1 or more"),
])
def test_kg_brief_user_errors(argv, code, message, capsys):
    assert main(argv) == code
    assert capsys.readouterr().err.strip().startswith(message)
