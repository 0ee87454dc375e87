"""Pytest plugin: a real Neo4j 5.26 server for the whole test session, never the user's.

The suite writes only to a server it started itself or to one named by a test-only variable:

- By default the session starts the project's launcher (``tests/neo4j``, built by
  ``make neo4j-jars``) once, on a scratch store with authentication on, and stops it at the end.
  A missing build fails the tests with the command to run: a Neo4j test is never skipped.
- ``KG_TEST_NEO4J_URI`` (with ``KG_TEST_NEO4J_USERNAME`` / ``KG_TEST_NEO4J_PASSWORD``) names a
  server kept for tests, e.g. a ``docker compose`` one.  The session creates a database of its
  own there and drops it at the end; on Neo4j Community, which has no ``CREATE DATABASE``, it
  uses that server's default database and EMPTIES IT before every Neo4j test.

A user's ``NEO4J_*`` variables are removed when the session starts (``tests/isolation.py``), so
neither the tests nor the commands they run can reach the server those variables name.
"""
from __future__ import annotations

import contextlib
import os
import uuid

import pytest
from neo4j.exceptions import Neo4jError

from kg.neo4j import store as neo4j_store
from tests.neo4j_process import LauncherError, Neo4jProcess

TEST_PASSWORD = "kg-test-password"
#: The test-only variables naming a server the suite may write to.
TEST_URI_VAR, TEST_USER_VAR, TEST_PASSWORD_VAR = "KG_TEST_NEO4J_URI", "KG_TEST_NEO4J_USERNAME", "KG_TEST_NEO4J_PASSWORD"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory) -> Neo4jProcess | None:
    """The launcher process this session started, or ``None`` when ``KG_TEST_NEO4J_URI`` is set.

    Fault tests use ``.kill()`` / ``.restart(kill=True)``; they need the session's own server.
    """
    if os.environ.get(TEST_URI_VAR):
        yield None
        return
    with running_neo4j(tmp_path_factory.mktemp("neo4j"), TEST_PASSWORD, "the test Neo4j server") as server:
        yield server


@contextlib.contextmanager
def running_neo4j(home, password: str, purpose: str):
    """A Neo4j process on ``home``, stopped on exit; a launcher failure fails the test in one line."""
    try:
        server = Neo4jProcess.start(home, password=password)
    except LauncherError as exc:
        pytest.fail(f"cannot start {purpose}: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_config(neo4j_server) -> neo4j_store.Neo4jConfig:
    """Connection settings of the session's server (credentials included)."""
    if neo4j_server is not None:
        yield neo4j_store.Neo4jConfig(uri=neo4j_server.uri, user="neo4j", password=TEST_PASSWORD)
        return
    base = neo4j_store.Neo4jConfig(uri=os.environ[TEST_URI_VAR], user=os.environ.get(TEST_USER_VAR, "neo4j"),
                                   password=os.environ.get(TEST_PASSWORD_VAR) or None)
    with test_database(base) as config:
        yield config


@contextlib.contextmanager
def test_database(base: neo4j_store.Neo4jConfig):
    """A database of the session's own on the test-only server, dropped on exit; the server's default
    database when it cannot create one (Neo4j Community), which the Neo4j tests then empty."""
    name = f"kgtest{uuid.uuid4().hex[:12]}"
    with neo4j_store.connect(base) as conn:
        try:
            conn.driver.execute_query(f"CREATE DATABASE {name} WAIT", database_="system")
        except Neo4jError:
            yield base
            return
        try:
            yield neo4j_store.Neo4jConfig(uri=base.uri, user=base.user, password=base.password, database=name)
        finally:
            conn.driver.execute_query(f"DROP DATABASE {name} IF EXISTS WAIT", database_="system")


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_config) -> str:
    """Bolt URI of the session's server."""
    return neo4j_config.uri


@pytest.fixture
def neo4j_env(neo4j_config, monkeypatch) -> neo4j_store.Neo4jConfig:
    """``NEO4J_*`` environment variables set for the session's server (for CLI tests)."""
    monkeypatch.setenv("NEO4J_URI", neo4j_config.uri)
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_config.user)
    if neo4j_config.password:
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_config.password)
    else:
        monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    if neo4j_config.database:
        monkeypatch.setenv("NEO4J_DATABASE", neo4j_config.database)
    else:
        monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    return neo4j_config


@pytest.fixture
def neo4j_conn(neo4j_config):
    """An open connection to an empty database (schema kept), closed after the test."""
    conn = neo4j_store.connect(neo4j_config)
    try:
        with conn.session() as session:
            session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        yield conn
    finally:
        conn.close()
