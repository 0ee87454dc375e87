"""Identity across documents: generic concepts stay in their document, descriptive ones in their
story, bare surnames never join two articles, and every merge says why (kg/identity.py, kg/link.py)."""
import json

import pytest

from kg.graph import build_graph, read_triples
from kg.identity import (CROSS_DOCUMENT_KEY, cross_document_concepts, identity_report, is_generic_name,
                         merge_reasons, name_merge, scoped_key)
from kg.link import resolved_file
from kg.records import Argument, Predicate, Triple, entity_key


def arg(text, type_="CONCEPT", name=None, start=20):
    name = name or text
    return Argument(text, name, entity_key(name, type_), type_, start, start + len(text))


def fact(doc, i, subject, lemma, obj, sentence=None):
    sentence = sentence or f"Someone said that {subject.text} will {lemma} {obj.text} in the end."
    return Triple(doc, f"{doc}:{i}", sentence, subject, Predicate(lemma, lemma), obj, sentence_start=0)


def alias(doc, i, entity, short):
    return Triple(doc, f"{doc}:{i}", f"{entity.name} ({short}) spoke.", entity, Predicate(f"({short})", "alias"),
                  Argument(short, short, entity.key, entity.type, 0, len(short)), rule="alias-parenthesis")


def linked(tmp_path, triples):
    path = tmp_path / "triples.jsonl"
    path.write_text("".join(json.dumps(t.to_dict(), ensure_ascii=False) + "\n" for t in triples), encoding="utf-8")
    return path, build_graph(resolved_file(path))


CGA = arg("Coast Guard Administration", "ORG")
MAC = arg("Mainland Affairs Council", "ORG")
TAIWAN = arg("Taiwan", "GPE")


def test_generic_concepts_stay_in_their_document_named_ones_join(tmp_path):
    triples = [fact("d1", 0, TAIWAN, "unveil", arg("the plan", name="plan")),
               fact("d2", 0, arg("Nairobi", "GPE"), "unveil", arg("the plan", name="plan")),
               fact("d1", 1, TAIWAN, "push", arg("Taiwan's CPTPP bid")),
               fact("d2", 1, arg("Japan", "GPE"), "back", arg("Taiwan's CPTPP bid"))]
    path, g = linked(tmp_path, triples)
    assert "concept:plan" not in g
    assert g.has_edge("place:taiwan", scoped_key("concept:plan", "d1"), "unveil")
    assert g.has_edge("place:nairobi", scoped_key("concept:plan", "d2"), "unveil")
    bid = g.nodes["concept:taiwan cptpp bid"]
    assert bid["docs"] == ["d1", "d2"] and bid["merges"] == [CROSS_DOCUMENT_KEY]
    assert g.nodes["place:taiwan"]["merges"] == []  # in one document only: nothing was merged
    before = cross_document_concepts(build_graph(resolved_file(path, scope=False)))
    assert [(name, generic) for _, name, _, generic in before] == [("plan", True), ("Taiwan's CPTPP bid", False)]
    assert [(name, generic) for _, name, _, generic in cross_document_concepts(g)] == [("Taiwan's CPTPP bid", False)]


def test_descriptive_concepts_join_documents_of_one_story_only(tmp_path):
    waters = arg("restricted waters")
    triples = [fact("d1", 0, CGA, "patrol", waters), fact("d2", 0, CGA, "guard", waters),
               fact("d2", 1, MAC, "discuss", arg("fishing rules")),
               fact("d3", 0, arg("Port Authority", "ORG"), "map", waters)]  # another story: no shared entity
    _, g = linked(tmp_path, triples)
    # two stories: each its own node, named after its first document
    assert "concept:restricted waters" not in g
    assert g.nodes[scoped_key("concept:restricted waters", "d1")]["docs"] == ["d1", "d2"]
    assert g.nodes[scoped_key("concept:restricted waters", "d3")]["docs"] == ["d3"]
    # one story: the plain key
    _, g = linked(tmp_path, triples[:3])
    assert g.nodes["concept:restricted waters"]["docs"] == ["d1", "d2"]
    # a place shared by two documents is no evidence that they are one story
    _, g = linked(tmp_path, [fact("d1", 0, TAIWAN, "patrol", waters), fact("d2", 0, TAIWAN, "map", waters)])
    assert "concept:restricted waters" not in g and len([k for k in g if k.startswith("concept:")]) == 2


def test_two_chens_and_a_ship_named_like_a_person_stay_apart(tmp_path):
    shu_fen, ming_tang = arg("Chen Shu-fen", "PERSON"), arg("Chen Ming-tang", "PERSON")
    triples = [fact("d1", 0, shu_fen, "warn", arg("Chinese ships")),
               fact("d1", 1, arg("Chen", "PERSON", name="Chen Shu-fen"), "thank", arg("Japan", "GPE")),
               fact("d2", 0, ming_tang, "want", arg("fishing rules")),
               fact("d2", 1, arg("Chen", "PERSON"), "call for", arg("fishing agreement with Xiamen")),  # two Chens: unresolved
               fact("d3", 0, arg("Chen", "PERSON"), "visit", arg("Kinmen", "GPE")),
               fact("d4", 0, arg("Kenji Hoshino", "PERSON"), "lead", arg("the delegation", name="delegation")),
               fact("d5", 0, arg("Hoshino", "ORG"), "rescue", arg("nine crew members")),
               fact("d6", 0, arg("Hoshino", "ORG"), "reach", arg("the trawler", name="trawler"))]
    _, g = linked(tmp_path, triples)
    assert "person:chen" not in g and "org:hoshino" not in g
    assert {k for k in g if "chen" in k} == {"person:chen shu-fen", "person:chen ming-tang", "person:chen@d2",
                                             "person:chen@d3"}
    assert g.nodes["person:chen shu-fen"]["merges"] == ["short name: Chen"]
    assert g.nodes["person:kenji hoshino"]["docs"] == ["d4"]
    assert g.nodes["org:hoshino@d5"]["docs"] == ["d5"] and g.nodes["org:hoshino@d6"]["docs"] == ["d6"]


def test_a_one_word_name_the_corpus_writes_as_a_common_noun_stays_in_its_document(tmp_path):
    council = arg("Council", "ORG")
    triples = [fact("d1", 0, council, "approve", arg("port expansion"), "Council approves port expansion."),
               fact("d1", 1, arg("Mayor Grey", "PERSON"), "thank", arg("the council", name="council")),
               fact("d2", 0, council, "propose", arg("talks with China"), "Council proposes talks with China."),
               fact("d1", 2, arg("Kyushu", "ORG"), "supply", arg("power")),
               fact("d2", 1, arg("Kyushu", "ORG"), "host", arg("suppliers"))]
    _, g = linked(tmp_path, triples)
    assert "org:council" not in g and {"org:council@d1", "org:council@d2"} <= set(g)
    assert g.nodes["org:kyushu"]["docs"] == ["d1", "d2"]  # never written in lower case: one entity
    # nor does a common word the tagger took for a place make a concept named
    _, g = linked(tmp_path, triples + [fact("d1", 3, arg("Plan", "GPE"), "mean", arg("Kyushu", "ORG")),
                                       fact("d1", 4, TAIWAN, "unveil", arg("the plan", name="plan")),
                                       fact("d2", 2, TAIWAN, "drop", arg("the plan", name="plan"))])
    assert "concept:plan" not in g and {"concept:plan@d1", "concept:plan@d2"} <= set(g)


def test_an_alias_from_another_document_resolves_an_acronym_concept_not_a_common_word(tmp_path):
    hac = arg("Hsinchu Advanced Circuits", "ORG")
    plan = arg("Pacific Long-term Access Network", "ORG")
    triples = [alias("d1", 0, hac, "HAC"), alias("d1", 1, plan, "PLAN"),
               fact("d2", 0, arg("HAC"), "open", arg("a plant in Kumamoto", name="plant in Kumamoto")),
               fact("d3", 0, TAIWAN, "unveil", arg("the plan", name="plan"))]
    _, g = linked(tmp_path, triples)
    hac_node = g.nodes["org:hsinchu advanced circuits"]
    assert hac_node["docs"] == ["d1", "d2"] and "concept:hac" not in g
    assert hac_node["merges"] == ["acronym: HAC", CROSS_DOCUMENT_KEY]
    assert g.has_edge("place:taiwan", scoped_key("concept:plan", "d3"), "unveil")


@pytest.mark.parametrize("triple, expected", [
    (alias("d", 0, arg("Liberal Democratic Party", "ORG"), "LDP"), [("org:liberal democratic party", "acronym: LDP")]),
    (alias("d", 0, arg("Lo Chih-cheng", "PERSON"), "羅致政"), [("person:lo chih-cheng", "native script: 羅致政")]),
    (alias("d", 0, arg("Repsol", "ORG"), "REP.MC"), [("org:repsol", "ticker: REP.MC")]),
    (fact("d", 0, arg("Lo", "PERSON", name="Lo Chih-cheng"), "back", arg("the LDP's", "ORG", name="Liberal Democratic Party")),
     [("person:lo chih-cheng", "short name: Lo"), ("org:liberal democratic party", "acronym: LDP")]),
    (fact("d", 0, arg("she", "PERSON", name="Chen Shu-fen"), "warn", arg("the company", "ORG", name="HAC")), []),
    (fact("d", 0, arg("Taiwan", "GPE"), "back", arg("the plan", name="plan")), []),
])
def test_merge_reasons(triple, expected):
    assert merge_reasons(triple) == expected


@pytest.mark.parametrize("text, name, reason", [
    ("Chen", "Chen Shu-fen", "short name: Chen"),
    ("Shu-fen", "Chen Shu-fen", "short name: Shu-fen"),
    ("Hoshino's", "Kenji Hoshino", "short name: Hoshino"),
    ("the CGA", "Coast Guard Administration", "acronym: CGA"),
    ("LDP representatives", "Liberal Democratic Party", None),
    ("the ministry", "Ministry of Foreign Affairs", None),
    ("Venezuelan", "Venezuela", None),
])
def test_name_merge(text, name, reason):
    assert name_merge(text, name) == reason


@pytest.mark.parametrize("name, generic", [
    ("plan", True), ("The two sides", True), ("officials", True), ("150 billion yen", True),
    ("restricted waters", False), ("Kumamoto plant", False), ("HAC", False), ("陳淑芬", False),
])
def test_is_generic_name(name, generic):
    assert is_generic_name(name) is generic


def test_identity_report_prints_before_and_after(tmp_path):
    path, _ = linked(tmp_path, [fact("d1", 0, TAIWAN, "unveil", arg("the plan", name="plan")),
                                fact("d2", 0, arg("Nairobi", "GPE"), "unveil", arg("the plan", name="plan"))])
    report = identity_report(path)
    assert report.splitlines()[0] == "aliases only: 1 concept nodes link 2+ documents, 1 of them only a generic noun"
    assert "identity rules: 0 concept nodes link 2+ documents, 0 of them only a generic noun" in report


def test_linking_twice_gives_the_same_records(tmp_path):
    path, _ = linked(tmp_path, [fact("d1", 0, CGA, "patrol", arg("restricted waters")),
                                fact("d2", 0, CGA, "guard", arg("restricted waters"))])
    first = [t.to_dict() for t in resolved_file(path)]
    assert first == [t.to_dict() for t in resolved_file(path)]
    records = [t for t in first if t["rule"] == "cross-document-key"]
    assert [(r["doc_id"], r["subject"]["key"]) for r in records] == [("d2", "org:coast guard administration"),
                                                                      ("d2", "concept:restricted waters")]
    assert list(read_triples(path))  # the input file is left as it was


@pytest.mark.neo4j
def test_neo4j_keeps_merge_reasons_across_loads_and_matches_the_local_graph(tmp_path, neo4j_conn):
    """The second load brings new reasons for entities the server has (the merge path, not the
    create path): the property grows, and the server's graph is the local one."""
    from kg.graph import graph_to_data
    from kg.neo4j import store

    shu_fen = arg("Chen Shu-fen", "PERSON")
    triples = [alias("d1", 0, shu_fen, "陳淑芬"), fact("d1", 1, shu_fen, "warn", arg("Chinese ships")),
               fact("d2", 0, arg("Chen", "PERSON", name="Chen Shu-fen"), "thank", arg("Japan", "GPE")),
               fact("d2", 1, arg("Chen", "PERSON"), "visit", arg("Kinmen", "GPE")),
               fact("d3", 0, arg("Chen Ming-tang", "PERSON"), "want", arg("the plan", name="plan")),
               fact("d4", 0, TAIWAN, "unveil", arg("the plan", name="plan"))]
    path, g = linked(tmp_path, triples)
    resolved = list(resolved_file(path))
    first = [t for t in resolved if t.doc_id == "d1"]
    assert store.load_triples(neo4j_conn, first, batch_size=2).ok
    assert store.load_triples(neo4j_conn, resolved, batch_size=2).ok
    rows = store.run_query(neo4j_conn, "MATCH (e:Entity) WHERE e.key STARTS WITH 'person:chen' "
                                       "RETURN e.key, e.merges ORDER BY e.key")[1]
    assert [[k, sorted(m)] for k, m in rows] == [
        ["person:chen ming-tang", []],
        ["person:chen shu-fen", [CROSS_DOCUMENT_KEY, "native script: 陳淑芬", "short name: Chen"]],
        ["person:chen@d2", []]]
    assert graph_to_data(store.whole_graph(neo4j_conn)) == graph_to_data(g)


@pytest.mark.model
def test_bundled_multi_outlet_sample(tmp_path):
    """samples/world: unrelated stories share no generic concept, the Chens and the ship Hoshino stay
    apart, and the coast guard spokeswoman named in four articles is one person."""
    from pathlib import Path

    from kg.build import build
    from kg.cli import main

    world = Path(__file__).resolve().parents[1] / "samples" / "world"
    out = tmp_path / "out"
    build([str(world)], out=out, views=False)
    triples = tmp_path / "exported.jsonl"
    assert main(["export", "--format", "triples", "--graph", str(out), "-o", str(triples)]) == 0
    before = cross_document_concepts(build_graph(resolved_file(triples, scope=False)))
    g = build_graph(resolved_file(triples))
    after = cross_document_concepts(g)
    assert sum(generic for *_, generic in before) >= 10 and [a for a in after if a[3]] == []
    assert {name for _, name, _, _ in after} >= {"Kumamoto plant", "restricted waters", "trial production"}
    people = {d["name"] for k, d in g.nodes(data=True) if k.startswith("person:chen ")}
    assert people >= {"Chen Yi-ming", "Chen Wei-lun", "Chen Shu-fen", "Chen Ming-tang"}
    assert "person:chen" not in g and "org:hoshino" not in g
    assert len(g.nodes["person:chen shu-fen"]["docs"]) >= 2
    assert "cross-document key" in g.nodes["person:chen shu-fen"]["merges"]
