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
    os.environ.update(env)
    for k, v in env.items():
        if v is None:
            os.environ.pop(k, None)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_the_local_graph(path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    nb = execute(path, {})
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "asking local graph" in outputs


def test_there_is_a_notebook():
    assert NOTEBOOKS
