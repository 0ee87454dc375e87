"""Shared pytest setup: fixtures that start real services live in their own plugin modules."""
pytest_plugins: list[str] = ["tests.isolation", "tests.browser", "tests.neo4j_server"]
