"""Shared pytest setup: fixtures that start real services live in their own plugin modules."""
from pathlib import Path

import pytest

pytest_plugins: list[str] = ["tests.isolation", "tests.browser", "tests.neo4j_server"]

#: The bundled news sample that ``kg build`` and ``kg extract`` read in the end-to-end tests.
NEWS = Path(__file__).resolve().parents[1] / "samples" / "news"


@pytest.fixture(scope="session")
def news_build(tmp_path_factory):
    """The directory of a ``kg build`` of the bundled news sample (real model; read it, never change it)."""
    from kg.build import build

    out = tmp_path_factory.mktemp("news") / "kg-out"
    build([str(NEWS)], out=out, views=False)
    return out
