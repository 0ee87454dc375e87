"""``kg load`` and ``kg query`` end to end against the real Neo4j server (no mock driver)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.neo4j import store
from kg.cli import main

DATA = Path(__file__).parent / "data" / "triples_small.jsonl"
ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.neo4j


def kg(capsys, *argv):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def loaded(neo4j_conn, neo4j_env, capsys):
    code, _, err = kg(capsys, "-q", "load", str(DATA))
    assert code == 0, err
    return neo4j_conn


def test_load_reports_one_line_and_is_idempotent(neo4j_conn, neo4j_env, capsys):
    code, out, err = kg(capsys, "-q", "load", str(DATA))
    assert code == 0 and out == ""
    assert err.count("\n") == 1 and "6 of 6 triples loaded" in err and "12 nodes and 19 relationships created" in err
    code, _, err = kg(capsys, "-q", "load", str(DATA))
    assert code == 0 and "0 nodes and 0 relationships created, 0 properties set" in err
    assert store.run_query(neo4j_conn, "MATCH (e:Entity) RETURN count(e)")[1] == [[7]]


def test_load_skips_malformed_lines_and_fails_when_nothing_is_valid(neo4j_conn, neo4j_env, capsys, tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("not json\n" + DATA.read_text(encoding="utf-8").splitlines()[0] + '\n{"doc_id": 1}\n')
    code, _, err = kg(capsys, "-q", "load", str(mixed))
    assert code == 0 and "1 of 1 triples loaded" in err and "2 malformed line(s) skipped" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n")
    code, _, err = kg(capsys, "-q", "load", str(bad))
    assert code == 1 and "Traceback" not in err
    code, _, err = kg(capsys, "load", str(tmp_path / "missing.jsonl"))
    assert code == 1 and err.startswith("kg load: error: cannot read") and err.count("\n") == 1


def hand_edited(tmp_path) -> Path:
    """64 triple lines, four of them broken by hand: a lone surrogate (line 21), ``"negated": "false"``
    (line 30), a list for a name (line 40) and an object for a title (line 50)."""
    lines = []
    for i in range(64):
        rec = json.loads(DATA.read_text(encoding="utf-8").splitlines()[0])
        rec.update(doc_id=f"h{i}", sentence_id=f"h{i}:0", negated=False)
        rec["object"].update(name=f"Thing {i}", key=f"concept:thing {i}")
        lines.append(json.dumps(rec, ensure_ascii=False))
    lines[20] = lines[20].replace('"Thing 20"', '"Thing \\ud800 20"')
    lines[29] = lines[29].replace('"negated": false', '"negated": "false"')
    lines[39] = lines[39].replace('"Thing 39"', '["Thing", 39]')
    lines[49] = lines[49][:-1] + ', "doc": {"title": {"a": 1}}}'
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_skips_each_bad_record_with_its_line_and_reason_and_loads_the_rest(neo4j_conn, neo4j_env, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "kg", "-q", "load", "--batch-size", "8", "--neo4j", neo4j_env.uri,
                           str(hand_edited(tmp_path))], cwd=ROOT, capture_output=True, text=True, timeout=300)
    code, err = proc.returncode, proc.stderr
    assert code == 0 and "Traceback" not in err, err
    assert "60 of 60 triples loaded" in err and "4 malformed line(s) skipped" in err
    linked = subprocess.run([sys.executable, "-m", "kg", "-q", "load", "--link", "--neo4j", neo4j_env.uri,
                             str(hand_edited(tmp_path))], cwd=ROOT, capture_output=True, text=True, timeout=300)
    # two passes over the file (the link step), each bad line reported once
    assert linked.returncode == 0 and "4 malformed line(s) skipped" in linked.stderr
    assert linked.stderr.count("edited.jsonl:21: skipped") == 1 and len(linked.stderr.splitlines()) == 5
    assert "edited.jsonl:21: skipped: object.name has a lone surrogate" in err
    assert "edited.jsonl:30: skipped: negated is a string, not true or false" in err
    assert "edited.jsonl:40: skipped: object.name is a list, not a string" in err
    assert "edited.jsonl:50: skipped: doc.title is an object, not a string" in err
    assert len(err.splitlines()) == 5
    facts = store.run_query(neo4j_conn, "MATCH (:Entity)-[r]->(o:Entity) WHERE o.key STARTS WITH 'concept:thing' "
                                        "RETURN count(r), sum(CASE WHEN r.negated THEN 1 ELSE 0 END)")[1]
    assert facts == [[60, 0]]
    names = store.run_query(neo4j_conn, "MATCH (e:Entity) WHERE e.name STARTS WITH '[' RETURN count(e)")[1]
    assert names == [[0]]


def test_query_table_json_and_params(loaded, neo4j_env, capsys):
    code, out, err = kg(capsys, "query", "MATCH (e:Person) RETURN e.name AS name, e.aliases AS aliases ORDER BY name")
    assert code == 0 and "2 row(s)" in err
    lines = out.splitlines()
    assert lines[0].split("|")[0].strip() == "name" and set(lines[1]) <= {"-", "+"}
    assert lines[2].startswith("Hsieh Pei-fen") and '["羅致政"]' in lines[3]
    code, out, _ = kg(capsys, "query", "MATCH (e:Entity {name: $name}) RETURN e.key AS key, $n + 1 AS n",
                      "--param", "name=Lo Chih-cheng", "--param", "n=41", "--json")
    assert code == 0 and json.loads(out) == [{"key": "person:lo chih-cheng", "n": 42}]


def test_saved_queries_return_expected_rows(loaded, neo4j_env, capsys):
    def saved(*args):
        code, out, err = kg(capsys, "query", "--json", "--saved", *args)
        assert code == 0, err
        return json.loads(out)

    [row] = saved("who-supports", "taiwan's cptpp bid")
    assert (row["supporter"], row["predicate"], row["sentences"]) == ("Liberal Democratic Party", "support", 1)
    [ev] = saved("evidence", "LDP", "concept:taiwan cptpp bid")  # by alias and by key
    assert ev["as_written"] == "pledged to support" and ev["doc"] == "d1" and ev["sentence"].startswith("Japan's")
    [claim] = saved("speaker-claims", "lo chih-cheng")
    assert claim["claim"] == "not discuss" and claim["object"] == "<img src=x onerror=alert(1)>"
    near = saved("neighbourhood", "Liberal Democratic Party")
    assert {(r["direction"], r["predicate"], r["negated"]) for r in near} == {
        ("out", "support", False), ("out", "discuss", True)}
    top = saved("most-connected", "2")
    assert len(top) == 2 and top[0]["entity"] == "Liberal Democratic Party" and top[0]["facts"] == 2
    [mention] = saved("mentions", "羅致政")  # by alias; a speaker is not a mention (d2)
    assert (mention["entity"], mention["sentence_id"]) == ("Lo Chih-cheng", "d1:1")


def test_query_user_mistakes_are_one_line(loaded, neo4j_env, capsys):
    for argv, code_expected, text in [
        (["query", "CREATE (:X)"], 1, "--write"),
        (["query", "MATC (n) RETURN n"], 1, "syntax error"),
        (["query", "RETURN $x"], 1, "--param"),
        (["query", "--saved", "nope"], 2, "no saved query"),
        (["query", "--saved", "evidence", "only-one"], 2, "argument"),
        (["query", "RETURN 1", "--param", "novalue"], 2, "NAME=VALUE"),
        (["query"], 2, "give one Cypher query"),
    ]:
        code, out, err = kg(capsys, *argv)
        assert code == code_expected and text in err and err.count("\n") == 1 and "Traceback" not in err, argv


def test_connection_failures_exit_1_with_one_line(neo4j_env, capsys, monkeypatch):
    for flags, text in [(["--neo4j", "bolt://127.0.0.1:1"], "cannot reach Neo4j"),
                        (["--password", "wrong-password"], "refused the credentials"),
                        (["--database", "nosuchdb"], "has no database 'nosuchdb'")]:
        for argv in (["query", "RETURN 1", *flags], ["-q", "load", str(DATA), *flags]):
            code, out, err = kg(capsys, *argv)
            assert code == 1 and text in err and err.count("\n") == 1 and "Traceback" not in err, argv


def test_query_without_a_server_or_a_local_graph_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    code, _, err = kg(capsys, "query", "MATCH (n) RETURN n")
    assert code == 1 and "no Neo4j server configured" in err and err.count("\n") == 1


def test_python_m_kg_wrong_password_in_a_subprocess(neo4j_env):
    env = {"NEO4J_URI": neo4j_env.uri, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "wrong-password",
           "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "kg", "query", "RETURN 1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("kg query: error: Neo4j at") and proc.stderr.count("\n") == 1
