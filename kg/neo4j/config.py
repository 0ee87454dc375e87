"""Where and how to reach Neo4j: settings from flags and ``NEO4J_*`` variables.

Imports no driver, so commands can describe their options without loading it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
#: Triples per transaction: see docs/neo4j.md and bench/load.py for how it was chosen.
DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True)
class Neo4jConfig:
    """Where and how to connect.  ``database=None`` means the server's default database."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: Optional[str] = None
    database: Optional[str] = None
    #: How long the driver keeps retrying a transaction on transient errors (seconds).
    retry_seconds: float = 30.0
    connection_timeout: float = 15.0

    def __repr__(self) -> str:  # never print the password
        return (f"Neo4jConfig(uri={self.uri!r}, user={self.user!r}, password={'***' if self.password else None}, "
                f"database={self.database!r})")

    @property
    def where(self) -> str:
        """The server and database, for messages."""
        return f"{self.uri} (database {self.database!r})" if self.database else self.uri


def config_from_env(uri: str | None = None, user: str | None = None, password: str | None = None,
                    database: str | None = None, *, environ: dict | None = None) -> Neo4jConfig:
    """Connection settings: explicit arguments first, then ``NEO4J_URI`` / ``NEO4J_USERNAME`` /
    ``NEO4J_PASSWORD`` / ``NEO4J_DATABASE``, then ``bolt://localhost:7687`` as user ``neo4j``.

    >>> config_from_env("bolt://db:7687", environ={"NEO4J_PASSWORD": "s3cret-pw"}).password
    's3cret-pw'
    """
    env = os.environ if environ is None else environ
    return Neo4jConfig(uri=uri or env.get("NEO4J_URI") or DEFAULT_URI,
                       user=user or env.get("NEO4J_USERNAME") or DEFAULT_USER,
                       password=password if password is not None else env.get("NEO4J_PASSWORD") or None,
                       database=database or env.get("NEO4J_DATABASE") or None)
