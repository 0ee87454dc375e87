"""The examples in kg's docstrings run and give what they show."""
import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import kg

ROOT = Path(__file__).resolve().parents[1]


def modules_with_examples() -> list:
    """Every kg module whose docstrings hold at least one example."""
    finder = doctest.DocTestFinder()
    names = []
    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if info.name.endswith("__main__"):
            continue
        if any(t.examples for t in finder.find(importlib.import_module(info.name))):
            names.append(info.name)
    return sorted(names)


MODULES = modules_with_examples()


def test_the_modules_with_examples_are_found():
    assert {"kg.analytics", "kg.views", "kg.run.shards", "kg.run.unique", "kg.neo4j.store", "kg.records"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module, monkeypatch):
    monkeypatch.chdir(ROOT)  # the examples name files as seen from the project root, and only read them
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
