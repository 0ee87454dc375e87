"""Pytest plugin: the suite keeps its hands off the user's things.

- The user's ``NEO4J_URI`` / ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE`` are
  removed from the environment when the session starts, so no test, and no command a test runs
  (subprocesses inherit the cleaned environment), can reach the server they name.  Neo4j tests use
  the server of ``tests/neo4j_server.py``.
- Every test runs in its own scratch directory, so nothing written to a default path
  (``kg-out/``, ``lib/``, ...) lands in the directory the suite was started from.
"""
from __future__ import annotations

import os

import pytest

#: The variables that name the user's own Neo4j server.
USER_NEO4J_VARS = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def pytest_configure(config) -> None:
    """Forget the user's Neo4j settings for the whole session."""
    for name in USER_NEO4J_VARS:
        os.environ.pop(name, None)


@pytest.fixture(autouse=True)
def _scratch_working_directory(tmp_path, monkeypatch):
    """Run the test in its own ``tmp_path``."""
    monkeypatch.chdir(tmp_path)


#: Fixtures that need a service, and the marker a test using them must carry.
SERVICE_FIXTURES = {"neo4j_server": "neo4j", "neo4j_config": "neo4j", "neo4j_uri": "neo4j", "neo4j_env": "neo4j",
                    "neo4j_conn": "neo4j", "browser": "browser", "open_page": "browser"}


def pytest_collection_modifyitems(config, items) -> None:
    """Refuse a test that uses a service without its marker: ``-m "not neo4j and not browser"``
    must leave out every test that starts Neo4j or Chromium."""
    wrong = [f"{item.nodeid} (uses {name}, not marked {marker})"
             for item in items for name, marker in SERVICE_FIXTURES.items()
             if name in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None]
    if wrong:
        raise pytest.UsageError("tests without the marker their fixtures need:\n  " + "\n  ".join(wrong))
