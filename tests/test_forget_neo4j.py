"""Change in Neo4j: ``forget_documents`` / ``kg forget --neo4j`` and a re-load of an edited document.

Every result is compared, as a full dump of the database (:func:`tests.test_neo4j_store.dump`:
every node with its labels and properties, every relationship with its type, properties and ends),
with a clean load of the remaining (or current) documents into an empty database.
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from kg.cli import main
from kg.neo4j import store
from kg.neo4j.change import document_digest, forget_documents
from kg.records import Argument, Predicate, Speaker, Triple
from tests.synthetic import synthetic_triples, wipe, write_jsonl
from tests.test_neo4j_store import dump

pytestmark = pytest.mark.neo4j

JAPAN = Argument("Japan", "Japan", "place:japan", "GPE", 0, 5)
TAIWAN = Argument("Taiwan", "Taiwan", "place:taiwan", "GPE", 0, 6)
TOKYO = Argument("Tokyo", "Tokyo", "place:tokyo", "GPE", 0, 5)
LDP = Argument("Liberal Democratic Party", "Liberal Democratic Party", "org:liberal democratic party", "ORG", 0, 24)
CHEN_FULL = Argument("Chen Shu-fen", "Chen Shu-fen", "person:chen", "PERSON", 0, 12)
CHEN = Argument("Chen", "Chen", "person:chen", "PERSON", 0, 4)
FORMOSA_ORG = Argument("Formosa", "Formosa", "concept:formosa", "ORG", 0, 7)
FORMOSA = Argument("Formosa", "Formosa", "concept:formosa", "CONCEPT", 0, 7)


def fact(doc, idx, subj, lemma, obj, *, speaker=None, conf=0.6, date="2024-03-01", event=None, negated=False):
    """One triple of document ``doc`` (dated ``date``), sentence ``idx``; ``event`` = (text, ISO date)."""
    return Triple(doc, f"{doc}:{idx}", f"Sentence {idx} of {doc}.", subj, Predicate(f"{lemma}s", lemma), obj,
                  Speaker(speaker, f"person:{speaker.lower()}") if speaker else None, negated, conf, "test", 0,
                  {"title": f"Doc {doc}", "date": date},
                  event_date={"text": event[0], "date": event[1], "end": None} if event else None)


def alias(doc, idx, subj, name, *, date="2024-03-01"):
    other = Argument(name, name, subj.key, subj.type, 0, len(name))
    return Triple(doc, f"{doc}:{idx}", f"Sentence {idx} of {doc}.", subj, Predicate(f"({name})", "alias"), other,
                  confidence=0.95, rule="alias-parenthesis", doc={"title": f"Doc {doc}", "date": date})


def corpus() -> dict[str, list[Triple]]:
    """Documents a, b, c (b is the one forgotten or edited): b holds a shared fact, a third of a hub
    fact stated in more than LISTED_LIMIT sentences (inside its first LISTED_LIMIT in sentence order),
    the earliest and latest dates and the highest confidence of a fact, its only speaker of one, an
    alias and a merge reason, the earliest mention (name and type) of two entities, an entity
    nothing else mentions, a fact from an entity to itself, and a speaker (Lo) that b and c give a
    fact a gives another speaker (Kao)."""
    a = [fact("a", k, JAPAN, "support", TAIWAN, speaker="Kao" if k == 3 else None, conf=0.5) for k in range(60)]
    a += [alias("a", 60, LDP, "自民党"), fact("a", 61, LDP, "back", TAIWAN, conf=0.5, date="2024-03-01"),
          fact("a", 62, JAPAN, "reform", JAPAN), fact("a", 63, JAPAN, "warn", TAIWAN, speaker="Kao")]
    b = [fact("b", k, JAPAN, "support", TAIWAN, speaker="Lo" if k % 2 else None, conf=0.9, date="2024-02-01")
         for k in range(30)]
    b += [alias("b", 30, LDP, "LDP"),
          fact("b", 31, LDP, "back", TAIWAN, speaker="Lo", conf=0.95, date="2024-02-01", event=("in 2019", "2019")),
          fact("b", 32, LDP, "back", TAIWAN, conf=0.4, date="2024-02-01", event=("next year", "2025")),
          fact("b", 33, JAPAN, "visit", TOKYO, date="2024-02-01"),
          fact("b", 34, CHEN_FULL, "praise", FORMOSA_ORG, date="2024-02-01"),
          fact("b", 35, JAPAN, "meet", TAIWAN, negated=True, date="2024-02-01"),
          fact("b", 36, JAPAN, "reform", JAPAN, date="2024-02-01"),
          fact("b", 37, JAPAN, "warn", TAIWAN, speaker="Lo", date="2024-02-01")]
    c = [fact("c", k, JAPAN, "support", TAIWAN, conf=0.7, date="2024-04-01") for k in range(60)]
    c += [fact("c", 60, LDP, "back", TAIWAN, conf=0.6, date="2024-04-01"),
          fact("c", 61, CHEN, "praise", FORMOSA, date="2024-04-01"),
          fact("c", 62, JAPAN, "meet", TAIWAN, negated=True, date="2024-04-01"),
          fact("c", 63, JAPAN, "warn", TAIWAN, speaker="Lo", date="2024-04-01")]
    return {"a": a, "b": b, "c": c}


def clean(conn, *documents: list[Triple]) -> dict:
    """The dump of a clean load of ``documents`` into the emptied database."""
    wipe(conn)
    assert store.load_triples(conn, [t for doc in documents for t in doc]).ok
    return dump(conn)


def props(conn, cypher: str, params: dict | None = None) -> list:
    return store.run_query(conn, cypher, params)[1]


def test_forgetting_a_document_equals_a_clean_load_of_the_rest(neo4j_conn):
    docs = corpus()
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"] + docs["c"], batch_size=7).ok
    everything = dump(neo4j_conn)
    [[hub]] = props(neo4j_conn, "MATCH (:Entity {key: 'place:japan'})-[r:SUPPORT]->() RETURN properties(r)")
    assert hub["count"] == 150 > store.LISTED_LIMIT and "b:0" in hub["evidence"] and "Lo" in hub["speakers"]
    [[ldp]] = props(neo4j_conn, "MATCH (e:Entity {key: 'org:liberal democratic party'}) RETURN properties(e)")
    assert ldp["aliases"] == ["LDP", "自民党"] and "acronym: LDP" in ldp["merges"]
    assert props(neo4j_conn, "MATCH (e:Entity {key: 'person:chen'}) RETURN e.name") == [["Chen Shu-fen"]]

    report = forget_documents(neo4j_conn, ["b"])
    assert report.forgotten == ["b"] and report.unknown == []
    assert report.facts_deleted == 1 and report.entities_deleted == 1  # visit Tokyo; Tokyo
    forgotten = dump(neo4j_conn)
    [[hub]] = props(neo4j_conn, "MATCH (:Entity {key: 'place:japan'})-[r:SUPPORT]->() RETURN properties(r)")
    assert hub["count"] == 120 and hub["evidence"][60] == "c:0" and hub["speakers"] == ["Kao"]
    assert hub["confidence"] == 0.7 and hub["docs"] == ["a", "c"]
    [[back]] = props(neo4j_conn, "MATCH ()-[r:BACK]->() RETURN properties(r)")
    assert (back["first_seen"], back["last_seen"], back["confidence"]) == ("2024-03-01", "2024-04-01", 0.6)
    assert back["speakers"] == [] and back["count"] == 2
    [[ldp]] = props(neo4j_conn, "MATCH (e:Entity {key: 'org:liberal democratic party'}) RETURN properties(e)")
    assert ldp["aliases"] == ["自民党"] and not any("LDP" in m for m in ldp["merges"])
    assert props(neo4j_conn, "MATCH (e:Entity {key: 'person:chen'}) RETURN e.name, e.named_by") == [["Chen", "c:61"]]
    [[labels, type_]] = props(neo4j_conn, "MATCH (e:Entity {key: 'concept:formosa'}) RETURN labels(e), e.type")
    assert (sorted(labels), type_) == (["Concept", "Entity"], "CONCEPT")
    assert props(neo4j_conn, "MATCH (e:Entity {key: 'place:tokyo'}) RETURN e") == []
    assert props(neo4j_conn, "MATCH (a)-[r:REFORM]->(a) RETURN r.count, r.evidence") == [[1, ["a:62"]]]
    assert props(neo4j_conn, "MATCH (n) WHERE n.id STARTS WITH 'b' RETURN n") == []

    again = forget_documents(neo4j_conn, ["b"])  # idempotent: nothing there, nothing changes
    assert again.forgotten == [] and again.unknown == ["b"]
    assert dump(neo4j_conn) == forgotten
    assert forgotten == clean(neo4j_conn, docs["a"], docs["c"]) != everything


def test_forgetting_every_document_empties_the_graph_and_absent_ids_change_nothing(neo4j_conn):
    docs = corpus()
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"]).ok
    before = dump(neo4j_conn)
    report = forget_documents(neo4j_conn, ["nope", "missing"])
    assert report.forgotten == [] and report.unknown == ["nope", "missing"] and dump(neo4j_conn) == before
    assert forget_documents(neo4j_conn, ["a", "b", "nope"]).forgotten == ["a", "b"]
    assert props(neo4j_conn, "MATCH (n) RETURN count(n)") == [[0]]


def test_a_load_does_not_depend_on_document_order(neo4j_conn):
    docs = corpus()
    forward = clean(neo4j_conn, docs["a"], docs["b"], docs["c"])
    assert forward == clean(neo4j_conn, docs["c"], docs["b"], docs["a"])


def test_reloading_an_edited_document_replaces_exactly_its_facts(neo4j_conn):
    docs = corpus()
    edited = [fact("b", 0, JAPAN, "support", TAIWAN, conf=0.8, date="2024-02-02"),
              fact("b", 1, JAPAN, "visit", TOKYO, speaker="Lo", date="2024-02-02"),
              fact("b", 2, LDP, "court", JAPAN, date="2024-02-02")]
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"] + docs["c"], batch_size=7).ok
    report = store.load_triples(neo4j_conn, docs["a"] + edited + docs["c"], batch_size=7)
    assert report.ok and (report.unchanged, report.replaced) == (2, 1)
    replaced = dump(neo4j_conn)
    unchanged = store.load_triples(neo4j_conn, docs["a"] + edited + docs["c"])  # same digests: nothing written
    assert (unchanged.unchanged, unchanged.replaced, unchanged.batches) == (3, 0, 0) and unchanged.written == unchanged.triples
    assert dump(neo4j_conn) == replaced
    assert replaced == clean(neo4j_conn, docs["a"], edited, docs["c"])


def test_a_document_cut_short_by_a_failed_load_is_replaced_whole(neo4j_conn):
    """A document whose digest was never recorded (its load stopped part-way) is forgotten and loaded again."""
    docs = corpus()
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"][:12]).ok
    store.run_query(neo4j_conn, "MATCH (d:Document {id: 'b'}) REMOVE d.digest", write=True)
    report = store.load_triples(neo4j_conn, docs["a"] + docs["b"])
    assert (report.unchanged, report.replaced) == (1, 1)
    assert dump(neo4j_conn) == clean(neo4j_conn, docs["a"], docs["b"])


def test_digest_is_recorded_once_a_document_is_written(neo4j_conn):
    docs = corpus()
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"], batch_size=5).ok
    assert props(neo4j_conn, "MATCH (d:Document) RETURN d.id, d.digest ORDER BY d.id") == [
        ["a", document_digest(docs["a"])], ["b", document_digest(docs["b"])]]


def test_a_later_run_of_a_document_merges_into_it(neo4j_conn):
    """Triples of one document split by another (not what kg writes): the later run is added to the
    first, whose digest alone is recorded; loading the same input again changes nothing."""
    docs = corpus()
    triples = docs["b"][:10] + docs["a"] + docs["b"][10:]
    assert store.load_triples(neo4j_conn, triples, batch_size=7).ok
    split = dump(neo4j_conn)
    assert props(neo4j_conn, "MATCH (d:Document {id: 'b'}) RETURN d.digest") == [[document_digest(docs["b"][:10])]]
    again = store.load_triples(neo4j_conn, triples)
    assert again.ok and (again.unchanged, again.replaced, again.relationships_created) == (2, 0, 0)
    assert dump(neo4j_conn) == split
    whole = clean(neo4j_conn, docs["a"], docs["b"])
    assert [n for n in split["nodes"] if '"digest"' not in n] == [n for n in whole["nodes"] if '"digest"' not in n]
    assert split["rels"] == whole["rels"]


@pytest.mark.parametrize("forgotten", [["doc-00003"], ["doc-00000", "doc-00017", "doc-00040"]])
def test_forget_on_synthetic_documents_equals_a_clean_load(neo4j_conn, forgotten):
    """Hub entities, aliases, speakers, negations, dates: many facts and entities shared by many documents."""
    triples = list(synthetic_triples(600, entities=40))
    assert store.load_triples(neo4j_conn, triples, batch_size=50).ok
    assert forget_documents(neo4j_conn, forgotten).forgotten == forgotten
    after = dump(neo4j_conn)
    assert after == clean(neo4j_conn, [t for t in triples if t.doc_id not in forgotten])


@pytest.mark.parametrize("gone", ["a", "b", "c"])
def test_forget_with_lists_of_one_equals_a_clean_load(neo4j_conn, monkeypatch, gone):
    """Each document of :func:`corpus` forgotten where a fact lists one sentence, speaker and document:
    forgetting a makes Lo (given by b and c) the hub's listed speaker instead of Kao."""
    monkeypatch.setattr(store, "LISTED_LIMIT", 1)
    docs = corpus()
    assert store.load_triples(neo4j_conn, docs["a"] + docs["b"] + docs["c"], batch_size=7).ok
    assert forget_documents(neo4j_conn, [gone]).forgotten == [gone]
    assert dump(neo4j_conn) == clean(neo4j_conn, *(d for name, d in docs.items() if name != gone))


@pytest.mark.parametrize("forgotten", [["doc-00000"], ["doc-00003"], ["doc-00001", "doc-00002", "doc-00050"]])
def test_forget_refills_short_lists_from_the_index(neo4j_conn, monkeypatch, forgotten):
    """With lists of one entry, a fact whose first document, sentence or speaker goes reads the next
    one from the (fact, property) indexes; few entities, so facts gather several documents."""
    monkeypatch.setattr(store, "LISTED_LIMIT", 1)
    triples = list(synthetic_triples(600, entities=8))
    assert store.load_triples(neo4j_conn, triples, batch_size=50).ok
    before = props(neo4j_conn, "MATCH ()-[r]->() WHERE r.count > 1 AND r.docs[0] IN $gone AND size(r.docs) = 1 "
                               "AND EXISTS { ()-[e:EVIDENCE]->() WHERE e.fact = r.id AND NOT e.doc_id IN $gone } "
                               "RETURN count(r)", {"gone": forgotten})
    assert before[0][0] > 0  # lists this forget has to refill
    assert forget_documents(neo4j_conn, forgotten).forgotten == forgotten
    assert dump(neo4j_conn) == clean(neo4j_conn, [t for t in triples if t.doc_id not in forgotten])


def test_synthetic_edits_equal_a_clean_load(neo4j_conn):
    triples = list(synthetic_triples(600, entities=40))
    edited = {"doc-00002", "doc-00030"}
    v2 = [dataclasses.replace(t, confidence=0.31, object=t.subject, subject=t.object) if t.doc_id in edited
          and not t.is_alias else t for t in triples]
    assert store.load_triples(neo4j_conn, triples, batch_size=50).ok
    report = store.load_triples(neo4j_conn, v2, batch_size=50)
    assert report.ok and report.replaced == 2
    assert dump(neo4j_conn) == clean(neo4j_conn, v2)


# --- the command ------------------------------------------------------------------------

def test_kg_forget_neo4j_command(neo4j_env, neo4j_conn, tmp_path, capsys):
    docs = corpus()
    path = tmp_path / "triples.jsonl"
    write_jsonl(docs["a"] + docs["b"] + docs["c"], path)
    assert main(["-q", "load", str(path)]) == 0
    capsys.readouterr()
    assert main(["-q", "forget", "b", "nope", "--neo4j"]) == 0
    err = capsys.readouterr().err
    assert "kg forget: not in Neo4j" in err and "nope" in err
    assert "1 documents forgotten in Neo4j" in err and "1 facts and 1 entities removed" in err
    assert not (tmp_path / "kg-out").exists()
    after = dump(neo4j_conn)
    assert main(["-q", "forget", "b", "--neo4j"]) == 1  # again: nothing there, nothing changes
    err = capsys.readouterr().err
    assert "not in Neo4j" in err and "nothing forgotten" in err
    assert dump(neo4j_conn) == after == clean(neo4j_conn, docs["a"], docs["c"])


def test_kg_load_reports_unchanged_and_replaced_documents(neo4j_env, neo4j_conn, tmp_path, capsys):
    docs = corpus()
    v1, v2 = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    write_jsonl(docs["a"] + docs["b"], v1)
    write_jsonl(docs["a"] + docs["b"][:5], v2)
    assert main(["-q", "load", str(v1)]) == 0
    capsys.readouterr()
    assert main(["-q", "load", str(v1)]) == 0
    assert "2 documents unchanged (skipped), 0 replaced" in capsys.readouterr().err
    assert main(["-q", "load", str(v2)]) == 0
    assert "1 documents unchanged (skipped), 1 replaced" in capsys.readouterr().err
    assert dump(neo4j_conn) == clean(neo4j_conn, docs["a"], docs["b"][:5])


# --- a build and Neo4j kept level ------------------------------------------------------------

def graph_json(out) -> str:
    """The build's graph as ``kg export --format json`` writes it."""
    from kg.build import read_build_graph
    from kg.graph import graph_to_data

    return json.dumps(graph_to_data(read_build_graph(out)), ensure_ascii=False, sort_keys=True)


def make_build(out, triples: list[Triple]) -> None:
    """A build directory holding the documents of ``triples``, written through the build's own sink
    (no model needed), with its graph."""
    from kg.build import BuildReport, build_state, write_outputs
    from kg.neo4j.change import document_runs
    from kg.records import Document
    from kg.run.stats import DocResult

    with build_state(out) as state:
        for run in document_runs(triples):
            text = " ".join(dict.fromkeys(t.sentence for t in run.triples))
            state.ledger.record(Document(run.doc_id, text, title=run.triples[0].doc.get("title")),
                                DocResult(run.doc_id, run.triples, len({t.sentence_id for t in run.triples}), 1))
        write_outputs(state, BuildReport(out=out), views=False)


def test_kg_forget_out_and_neo4j_keeps_neo4j_level_with_the_build(neo4j_env, neo4j_conn, tmp_path, capsys):
    """Forgetting an early document moves the cross-document records of the link step to later
    documents: their resolved triples change, and they are replaced through their digests."""
    from kg.build import load_into_neo4j

    triples = list(synthetic_triples(400, entities=40))
    gone = ["doc-00000", "doc-00004"]
    out = tmp_path / "build"
    make_build(out, triples)
    assert load_into_neo4j(neo4j_env, out).ok
    capsys.readouterr()
    assert main(["-q", "forget", *gone, "--out", str(out), "--neo4j"]) == 0
    err = capsys.readouterr().err
    assert "2 documents forgotten; graph of" in err and "2 documents forgotten in Neo4j" in err
    replaced = int(err.split("Neo4j level with")[1].split(": ")[1].split(" documents replaced")[0])
    assert replaced > 0  # later documents took over the cross-document records
    after = dump(neo4j_conn)
    clean_out = tmp_path / "clean"
    make_build(clean_out, [t for t in triples if t.doc_id not in gone])
    wipe(neo4j_conn)
    assert load_into_neo4j(neo4j_env, clean_out).ok
    assert dump(neo4j_conn) == after
    assert graph_json(out) == graph_json(clean_out)


def test_an_edit_in_the_build_then_loading_it_keeps_neo4j_level(neo4j_env, neo4j_conn, tmp_path):
    """What ``kg build --neo4j`` does after an edited document replaced its old one in the build:
    the build's resolved triples are loaded, and the digests pick the documents to replace."""
    from kg.build import load_into_neo4j

    triples = list(synthetic_triples(400, entities=40))
    edited = [dataclasses.replace(t, sentence=t.sentence + " (corrected)", object=t.subject, subject=t.object)
              if t.doc_id == "doc-00001" and not t.is_alias else t for t in triples]
    out = tmp_path / "build"
    make_build(out, triples)
    assert load_into_neo4j(neo4j_env, out).ok
    make_build(out, [t for t in edited if t.doc_id == "doc-00001"])  # the build replaces doc-00001
    report = load_into_neo4j(neo4j_env, out)
    assert report.ok and report.replaced >= 1
    after = dump(neo4j_conn)
    clean_out = tmp_path / "clean"
    make_build(clean_out, edited)
    assert graph_json(out) == graph_json(clean_out)
    wipe(neo4j_conn)
    assert load_into_neo4j(neo4j_env, clean_out).ok
    assert dump(neo4j_conn) == after


def test_kg_load_link_loads_what_kg_build_neo4j_loads(neo4j_env, neo4j_conn, tmp_path, capsys):
    """``kg load FILE --link`` resolves across documents first, as ``kg build --neo4j``; a build's
    triples loaded without it differ (no cross-document records), and a later linked load replaces
    exactly the documents whose resolved triples differ."""
    from kg.build import load_into_neo4j

    out = tmp_path / "build"
    make_build(out, list(synthetic_triples(300, entities=40)))
    assert load_into_neo4j(neo4j_env, out).ok
    built = dump(neo4j_conn)
    wipe(neo4j_conn)
    raw = tmp_path / "triples.jsonl"
    assert main(["-q", "export", "--format", "triples", "--graph", str(out), "-o", str(raw)]) == 0
    assert main(["-q", "load", str(raw)]) == 0
    assert dump(neo4j_conn) != built
    capsys.readouterr()
    assert main(["-q", "load", str(raw), "--link"]) == 0
    assert "replaced" in capsys.readouterr().err
    assert dump(neo4j_conn) == built
    assert main(["-q", "load", "-", "--link"]) == 2
    assert "give TRIPLES.jsonl, not stdin" in capsys.readouterr().err
