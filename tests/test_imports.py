"""Commands import the heavy libraries only when they need them: the Neo4j driver, spaCy and pyvis."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("neo4j", "spacy", "pyvis")
# Runs kg in a fresh interpreter, then prints which of the heavy top-level modules were imported.
PROBE = ("import json, sys\nfrom kg.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
         "print(json.dumps(sorted({m for m in sys.modules if m in %r})), file=sys.stderr)" % (HEAVY,))


def imported_by(*argv: str) -> list:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)
    return json.loads(proc.stderr.splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["extract", "--help"], ["load", "--help"], ["query", "--help"],
                                  ["view", "--help"], ["build", "--help"], ["export", "--help"]])
def test_help_imports_none_of_the_heavy_libraries(argv):
    assert imported_by(*argv) == []


@pytest.mark.model
def test_kg_extract_imports_spacy_only(tmp_path):
    doc = tmp_path / "news.txt"
    doc.write_text("Japan thanked Chile for its support.\n", encoding="utf-8")
    assert imported_by("-q", "extract", str(doc), "-o", str(tmp_path / "out.jsonl")) == ["spacy"]


@pytest.mark.model
def test_reading_a_build_imports_none_of_the_heavy_libraries(news_build, tmp_path):
    assert imported_by("query", "--graph", str(news_build), "MATCH (e:Entity) RETURN e.name LIMIT 1") == []
    assert imported_by("export", "--format", "triples", "--graph", str(news_build), "-o", str(tmp_path / "t")) == []
    assert (tmp_path / "t").stat().st_size > 0
    assert imported_by("brief", "--out", str(news_build), "-o", str(tmp_path / "b.md")) == []
    assert (tmp_path / "b.md").stat().st_size > 0
