"""``kg view`` end to end: from triples, from a build and from a graph file, subsets, cuts and user errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.graph import build_graph, read_triples, write_graph

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")


def nodes_in(html: str) -> int:
    """Number of entities a page draws (each node dict carries exactly one kgType)."""
    return html.count('"kgType":')


@pytest.fixture
def graph_file(tmp_path):
    return write_graph(build_graph(read_triples(DATA)), tmp_path / "graph" / "g.json")


def test_view_from_triples(tmp_path, capsys):
    out = tmp_path / "v.html"
    assert main(["view", DATA, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.strip() == f"kg view: 4 entities, 1 fact (+3 facts of concepts in tooltips) -> {out}"
    assert nodes_in(out.read_text(encoding="utf-8")) == 4  # the overview folds the three concept leaves
    assert main(["view", DATA, "--no-fold", "-o", str(out)]) == 0
    assert nodes_in(out.read_text(encoding="utf-8")) == 7


def test_view_from_a_graph_file(graph_file, tmp_path, capsys):
    assert main(["view", "--graph", str(graph_file), "-o", str(tmp_path / "v.html"), "--entity", "LDP",
                 "--depth", "1"]) == 0
    html = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert nodes_in(html) == 3 and "LDP: neighbourhood, depth 1" in html
    assert "3 entities, 2 facts" in capsys.readouterr().err


@pytest.mark.model
def test_view_reads_the_build_in_kg_out_by_default_as_its_exported_graph(news_build, tmp_path, monkeypatch, capsys):
    assert news_build.name == "kg-out"
    exported = tmp_path / "g.json"
    assert main(["export", "--format", "json", "--graph", str(news_build), "-o", str(exported)]) == 0
    argv = ["--entity", "Liberal Democratic Party", "--depth", "1", "--title", "LDP"]
    assert main(["view", "--graph", str(exported), "-o", str(tmp_path / "file.html"), *argv]) == 0
    assert main(["view", "--graph", str(news_build), "-o", str(tmp_path / "dir.html"), *argv]) == 0
    monkeypatch.chdir(news_build.parent)
    assert main(["view", "-o", str(tmp_path / "default.html"), *argv]) == 0
    pages = [(tmp_path / f"{n}.html").read_text(encoding="utf-8") for n in ("file", "dir", "default")]
    assert nodes_in(pages[0]) > 3 and pages[0] == pages[1] == pages[2]
    assert not (news_build / "default.html").exists()
    capsys.readouterr()


def test_view_document_from_graph_option(graph_file, tmp_path, capsys):
    out = tmp_path / "d.html"
    assert main(["view", "--graph", str(graph_file), "--doc", "d2", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert nodes_in(html) == 2 and "Document d2: Second &lt;b&gt;article&lt;/b&gt;" in html
    assert "2 entities, 1 fact ->" in capsys.readouterr().err


def test_max_nodes_cut_is_said_on_stderr_and_on_the_page(tmp_path, capsys):
    out = tmp_path / "cut.html"
    assert main(["view", DATA, "--max-nodes", "3", "--by", "degree", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "showing 3 of 4 entities (the most important by degree)" in err and "facts hidden" in err
    html = out.read_text(encoding="utf-8")
    assert nodes_in(html) == 3 and 'id="kg-note"' in html


def test_since_and_until_keep_the_facts_dated_in_range(graph_file, tmp_path, capsys):
    out = tmp_path / "new.html"
    assert main(["view", "--graph", str(graph_file), "--since", "2021-09", "-o", str(out)]) == 0
    # d2's one fact, dated 2021-09-01 (the rest is from August), folded into the LDP's tooltip
    assert "1 entity, 0 facts (+1 fact of concepts in tooltips) ->" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert nodes_in(html) == 1 and "Knowledge graph, since 2021-09" in html
    assert main(["view", "--graph", str(graph_file), "--since", "2021-08", "--until", "2021-08-31",
                 "-o", str(out)]) == 0
    assert "Knowledge graph, 2021-08 – 2021-08-31" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["view", "--graph", str(graph_file), "--since", "2030", "-o", str(out)]) == 1
    assert "nothing to draw: no fact of" in capsys.readouterr().err
    assert main(["view", "--graph", str(graph_file), "--until", "soon", "-o", str(out)]) == 2
    assert "--until wants a date written 2021, 2021-08 or 2021-08-28, not 'soon'" in capsys.readouterr().err


def test_no_physics_flag(tmp_path):
    out = tmp_path / "p.html"
    assert main(["view", DATA, "--no-physics", "-o", str(out)]) == 0
    config = out.read_text(encoding="utf-8").split('id="kg-config">')[1].split("</script>")[0]
    assert json.loads(config)["physics"] is False


@pytest.mark.parametrize("argv, code, message", [
    (["view", DATA, "--entity", "Liberal Democrats"], 1,
     "kg view: error: no entity matches 'Liberal Democrats'; close matches: Liberal Democratic Party"),
    (["view", DATA, "--doc", "d7"], 1, "kg view: error: no document matches 'd7'"),
    (["view", "missing.jsonl"], 1, "kg view: error: missing.jsonl: no such file"),
    (["view", "--graph", "nowhere.json"], 1, "kg view: error: nowhere.json: no build or graph file"),
    (["view", "--graph", "."], 1, "kg view: error: .: no build here"),
    (["view", DATA, "--depth", "2"], 2, "kg view: error: --depth goes with --entity"),
    (["view", DATA, "--graph", "g.json"], 2, "kg view: error: give TRIPLES.jsonl or --graph"),
])
def test_user_errors_are_one_line(tmp_path, argv, code, message):
    proc = subprocess.run([sys.executable, "-m", "kg", *argv, "-o", str(tmp_path / "x.html")],
                          capture_output=True, text=True)
    assert proc.returncode == code
    assert proc.stderr.startswith(message) and proc.stderr.count("\n") == 1, proc.stderr
    assert not (tmp_path / "x.html").exists()


def test_entity_and_doc_are_exclusive(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kg", "view", DATA, "--entity", "LDP", "--doc", "d1"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr


@pytest.mark.neo4j
def test_cypher_view_from_the_real_server(tmp_path, neo4j_conn, neo4j_env, neo4j_uri, capsys):
    from kg.neo4j import store as neo4j_store

    neo4j_store.load_triples(neo4j_conn, read_triples(DATA))
    out = tmp_path / "c.html"
    argv = ["view", "--neo4j", neo4j_uri, "--cypher",
            "MATCH (a:Entity)-[r]->(b:Entity) WHERE a.name = $n RETURN a, r, b", "--param",
            "n=Liberal Democratic Party", "-o", str(out)]
    assert main(argv) == 0
    page = out.read_text(encoding="utf-8")
    assert nodes_in(page) == 3  # the LDP and the two things it is said to do something to
    assert "CPTPP bid" in page and "videoconference" not in page
    assert main(["view", "--neo4j", neo4j_uri, "-o", str(tmp_path / "all.html")]) == 0
    overview = (tmp_path / "all.html").read_text(encoding="utf-8")
    assert nodes_in(overview) == 4  # the whole graph is the overview: its three concept leaves are folded
    assert "videoconference (1 sentence, 2021-08-27)" in overview  # in Lo Chih-cheng's tooltip
    capsys.readouterr()


def test_view_reads_a_hand_edited_file_like_kg_load_reports_and_skips_bad_lines(tmp_path):
    from tests.test_cli_load_query import hand_edited

    out = tmp_path / "v.html"
    proc = subprocess.run([sys.executable, "-m", "kg", "view", str(hand_edited(tmp_path)),
                           "--entity", "Liberal Democratic Party",
                           "-o", str(out)],
                          capture_output=True, text=True, timeout=120)
    err = proc.stderr
    assert proc.returncode == 0 and "Traceback" not in err, err
    assert [line.split(": skipped: ")[0].rsplit(":", 1)[1] for line in err.splitlines()[:4]] == ["21", "30", "40", "50"]
    assert err.splitlines()[-1].endswith(f"-> {out}; 4 malformed line(s) skipped") and len(err.splitlines()) == 5
    assert '"Thing 20"' not in out.read_text(encoding="utf-8") and "Thing 21" in out.read_text(encoding="utf-8")
