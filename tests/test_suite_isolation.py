"""`make test` never touches the user's things: the server ``NEO4J_URI`` names, or ``./kg-out``."""
import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.neo4j import store as neo4j_store
from tests.neo4j_server import TEST_PASSWORD, running_neo4j

ROOT = Path(__file__).resolve().parents[1]
USER_PASSWORD = "users-own-password"

# Run by a second pytest session, as `make test` would be run by a user with NEO4J_* exported: it
# empties and writes the test database, and builds into the default ./kg-out with --neo4j on.
INNER_TEST = '''
import pytest

from kg.cli import main

@pytest.mark.neo4j
def test_writes_where_the_suite_may(neo4j_conn, neo4j_env, tmp_path):
    with neo4j_conn.session() as session:
        session.run("CREATE (:Probe)").consume()
    doc = tmp_path / "news.txt"
    doc.write_text("Japan thanked Chile for its support.\\n", encoding="utf-8")
    assert main(["-q", "build", str(doc), "--no-views"]) == 0
'''


@pytest.mark.neo4j
@pytest.mark.model
@pytest.mark.parametrize("named_test_server", [False, True], ids=["suite-started", "KG_TEST_NEO4J_URI"])
def test_a_test_run_leaves_the_users_server_and_kg_out_alone(tmp_path, named_test_server):
    """With the user's NEO4J_* exported, a test session writes to the server it starts itself, or
    to the one named by KG_TEST_NEO4J_URI (Community: its default database, emptied), never the user's."""
    with contextlib.ExitStack() as stack:
        users = stack.enter_context(running_neo4j(tmp_path / "users-neo4j", USER_PASSWORD, "the user's Neo4j server"))
        kept = (stack.enter_context(running_neo4j(tmp_path / "test-neo4j", TEST_PASSWORD, "a server kept for tests"))
                if named_test_server else None)
        mine = neo4j_store.Neo4jConfig(uri=users.uri, user="neo4j", password=USER_PASSWORD)
        with neo4j_store.connect(mine) as conn, conn.session() as session:
            session.run("CREATE (:Sentinel {name: 'keep me'})").consume()
        started_in = tmp_path / "project"
        started_in.mkdir()
        (started_in / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_TEST_")}
        env.update(NEO4J_URI=users.uri, NEO4J_USERNAME="neo4j", NEO4J_PASSWORD=USER_PASSWORD,
                   PYTHONPATH=str(ROOT))
        if kept is not None:
            env.update(KG_TEST_NEO4J_URI=kept.uri, KG_TEST_NEO4J_USERNAME="neo4j", KG_TEST_NEO4J_PASSWORD=TEST_PASSWORD)
        inner = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                "-p", "tests.isolation", "-p", "tests.browser", "-p", "tests.neo4j_server",
                                "-W", "ignore::pytest.PytestUnknownMarkWarning", "test_inner.py"],
                               cwd=started_in, env=env, capture_output=True, text=True, timeout=600)
        assert inner.returncode == 0, inner.stdout[-3000:] + inner.stderr[-3000:]
        with neo4j_store.connect(mine) as conn, conn.session() as session:
            labels = session.run("MATCH (n) RETURN labels(n) AS l, n.name AS name").data()
        assert labels == [{"l": ["Sentinel"], "name": "keep me"}]
        assert sorted(p.name for p in started_in.iterdir()) == ["test_inner.py"]
        if kept is not None:
            config = neo4j_store.Neo4jConfig(uri=kept.uri, user="neo4j", password=TEST_PASSWORD)
            with neo4j_store.connect(config) as conn, conn.session() as session:
                probes = session.run("MATCH (p:Probe) RETURN count(p) AS n").single()["n"]
                facts = session.run("MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n").single()["n"]
            assert probes == 1 and facts > 0, "the session wrote to the server KG_TEST_NEO4J_URI names"
