"""``kg build`` / ``kg run``: the whole job, idempotent re-runs, incremental additions, crash recovery."""
import json
import shutil
from pathlib import Path

import pytest

from kg.build import build_entries, build_triples, read_build_graph
from kg.cli import main
from kg.graph import graph_to_data, read_triples
from kg.link import alias_table, resolve_across_documents

pytestmark = pytest.mark.model
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "news"


@pytest.fixture
def articles(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "one.txt").write_text("The Liberal Democratic Party (LDP) pledged to support Taiwan.\n"
                               "Japan condemned the missile test.", encoding="utf-8")
    (d / "two.txt").write_text("The LDP thanked the Philippine government.", encoding="utf-8")
    return d


def build(capsys, *args):
    code = main(["-q", "build", *args, "--no-neo4j"])
    return code, capsys.readouterr().err


def contents(out: Path) -> dict:
    """What a build holds (graph, triple records, ledger) and its view, as bytes or plain data."""
    return {"graph": json.dumps(graph_to_data(read_build_graph(out)), sort_keys=True),
            "triples": [t.to_dict() for t in build_triples(out)], "ledger": build_entries(out),
            "view": (out / "view.html").read_bytes()}


def test_build_writes_every_output_and_a_summary(articles, tmp_path, capsys):
    out = tmp_path / "out"
    code, err = build(capsys, str(articles), "--out", str(out))
    assert code == 0
    for name in ("kg.sqlite", "view.html"):
        assert (out / name).stat().st_size > 0
    assert len(build_entries(out)) == 2 and len(list(build_triples(out))) > 2
    summary = err.strip().splitlines()[-1]
    assert "2 documents read (0 already built, 2 processed, 0 rejected)" in summary
    g = read_build_graph(out)
    assert g.nodes["org:liberal democratic party"]["aliases"] == ["LDP"]


def test_aliases_resolve_across_documents(articles, tmp_path, capsys):
    out = tmp_path / "out"
    build(capsys, str(articles), "--out", str(out))
    g = read_build_graph(out)
    # "two.txt" only says "LDP"; "one.txt" defines it
    assert g.has_edge("org:liberal democratic party", "concept:philippine government", "thank")
    assert "org:ldp" not in g


def test_rerun_changes_nothing_and_a_new_file_adds_only_its_facts(articles, tmp_path, capsys):
    out = tmp_path / "out"
    build(capsys, str(articles), "--out", str(out))
    before = contents(out)
    code, err = build(capsys, str(articles), "--out", str(out))
    assert code == 0 and "2 already built, 0 processed" in err, err
    assert contents(out) == before
    (articles / "three.txt").write_text("Germany pledged to support Ukraine.", encoding="utf-8")
    code, err = build(capsys, str(articles), "--out", str(out))
    assert "2 already built, 1 processed" in err
    after = contents(out)["triples"]
    assert after[:len(before["triples"])] == before["triples"] and len(after) > len(before["triples"])
    g = read_build_graph(out)
    assert g.has_edge("place:germany", "place:ukraine", "support")


def test_an_interrupted_build_is_finished_by_the_next_run(articles, tmp_path, capsys):
    """A run killed after committing a document, before bringing the graph up to date with it."""
    from kg.build import build_state
    from kg.run.stats import DocResult
    from kg.sources import iter_documents

    clean, broken = tmp_path / "clean", tmp_path / "broken"
    build(capsys, str(articles), "--out", str(clean))
    (articles / "two.txt").rename(tmp_path / "two.txt")
    build(capsys, str(articles), "--out", str(broken))
    (tmp_path / "two.txt").rename(articles / "two.txt")
    entry = build_entries(clean)[1]
    two = [t for t in build_triples(clean) if t.doc_id == entry["id"]]
    doc = next(d for d in iter_documents([str(articles)]) if d.id == entry["id"])
    with build_state(broken) as state:  # and the process dies here
        state.ledger.record(doc, DocResult(doc.id, two, entry["sentences"], len(doc.text.split())))
    code, err = build(capsys, str(articles), "--out", str(broken))
    assert code == 0 and "2 already built, 0 processed" in err, err
    want, got = contents(clean), contents(broken)
    assert got["graph"] == want["graph"] and got["triples"] == want["triples"]


def test_run_pipeline_file(tmp_path, capsys):
    pipe = tmp_path / "p.toml"
    shutil.copytree(SAMPLE, tmp_path / "news")
    pipe.write_text('[pipeline]\nname = "t"\ninputs = ["news"]\nout = "out"\n[views]\nmax_nodes = 50\n'
                    '[neo4j]\nload = false\n', encoding="utf-8")
    assert main(["-q", "run", str(pipe)]) == 0
    err = capsys.readouterr().err
    assert "kg run t:" in err and (tmp_path / "out" / "kg.sqlite").exists()
    g = read_build_graph(tmp_path / "out")
    assert g.number_of_edges() > 20


@pytest.mark.parametrize("body, message", [
    ("[pipeline]\ninputs = []\n", "inputs is empty"),
    ("[pipeline]\ninputs = ['x']\n[model]\nnmae = 'x'\n", "unknown key(s) in [model]: nmae"),
    ("[pipline]\n", "unknown section(s): pipline"),
    ("not toml = = =", "not valid TOML"),
])
def test_bad_pipeline_files_are_usage_errors(tmp_path, capsys, body, message):
    pipe = tmp_path / "p.toml"
    pipe.write_text(body, encoding="utf-8")
    assert main(["run", str(pipe)]) == 2
    assert message in capsys.readouterr().err


def test_alias_claimed_by_two_entities_is_left_alone(tmp_path):
    lines = []
    for i, (name, key) in enumerate([("Democratic Party", "org:democratic party"), ("Demokratic Partei", "org:demokratic partei")]):
        arg = {"text": name, "name": name, "key": key, "type": "ORG", "start": 0, "end": len(name)}
        alias = {"text": "DP", "name": "DP", "key": key, "type": "ORG", "start": 0, "end": 2}
        lines.append({"doc_id": f"d{i}", "sentence_id": f"d{i}:0", "sentence": "x", "subject": arg,
                      "predicate": {"text": "(DP)", "lemma": "alias"}, "object": alias})
    p = tmp_path / "t.jsonl"
    p.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(lines[0]) + "\n", encoding="utf-8")
    assert alias_table(read_triples(one)) == {"dp": ("org:democratic party", "Democratic Party", "ORG")}
    assert alias_table(read_triples(p)) == {}
    resolved = list(resolve_across_documents(read_triples(p), {}))
    assert [t.subject.key for t in resolved] == ["org:democratic party", "org:demokratic partei"]


@pytest.mark.neo4j
def test_build_loads_neo4j_and_the_server_holds_the_local_graph(articles, tmp_path, capsys, neo4j_conn, neo4j_env):
    from kg.neo4j import store as neo4j_store
    from kg.graph import graph_to_data

    out = tmp_path / "out"
    assert main(["-q", "build", str(articles), "--out", str(out), "--neo4j", neo4j_env.uri]) == 0
    err = capsys.readouterr().err
    assert "Neo4j " in err and "triples written" in err
    local = read_build_graph(out)
    remote = neo4j_store.whole_graph(neo4j_conn)
    assert sorted(remote.nodes) == sorted(local.nodes)
    assert sorted(remote.edges(keys=True)) == sorted(local.edges(keys=True))
    # a re-run changes nothing in Neo4j either
    before = graph_to_data(neo4j_store.whole_graph(neo4j_conn))
    assert main(["-q", "build", str(articles), "--out", str(out), "--neo4j", neo4j_env.uri]) == 0
    assert graph_to_data(neo4j_store.whole_graph(neo4j_conn)) == before
