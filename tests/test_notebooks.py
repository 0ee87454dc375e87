"""The analyst notebooks run top to bottom: on the local graph, and against the real Neo4j server."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def execute(path: Path, env: dict) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    import os

    old = dict(os.environ)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), **env}
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


@pytest.mark.model
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_the_local_graph(path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    nb = execute(path, {})
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "asking local graph" in outputs


def test_there_is_a_notebook():
    assert [p.name for p in NOTEBOOKS] == ["analyst_walkthrough.ipynb"]
    assert nbformat.read(NOTEBOOKS[0], as_version=4).cells


@pytest.mark.neo4j
@pytest.mark.model
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_against_the_real_neo4j(path, neo4j_conn, neo4j_config):
    env = {"NEO4J_URI": neo4j_config.uri, "NEO4J_USERNAME": neo4j_config.user,
           "NEO4J_PASSWORD": neo4j_config.password or None, "NEO4J_DATABASE": neo4j_config.database or None}
    nb = execute(path, env)
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "asking Neo4j" in outputs and "loaded into Neo4j:" in outputs
    with neo4j_conn.session() as session:
        assert session.run("MATCH (e:Entity) RETURN count(e) AS n").single()["n"] > 20
