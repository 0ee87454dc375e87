"""Output paths that cannot be written, and a full disk: one line naming the path and the reason,
exit 1, no traceback, and nothing half-written (the old file, or none, and no temporary left).

The unwritable paths are real and fail for root too: a directory where the output file belongs,
and an output under a regular file.  The full disk is real as well: the temporary file an
atomic write goes through (:func:`kg.files.temp_name`) is made a symlink to ``/dev/full``, so
the kernel answers the writes with ENOSPC; no mock.
"""
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import read_build_graph
from kg.cli import main
from kg.files import temp_name
from kg.graph import build_graph, read_triples, write_graph

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "news"
FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


def kg(capsys, *argv):
    """Run the CLI in-process: (exit code, stderr)."""
    code = main(list(argv))
    return code, capsys.readouterr().err


def one_error_line(err: str, command: str, path, reason: str) -> None:
    assert "Traceback" not in err, err
    assert err.splitlines()[-1] == f"kg {command}: error: cannot write {path}: {reason}", err


def disk_full_at(path: Path) -> None:
    """Make the next atomic write of ``path`` in this process hit a full disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_name(path).symlink_to(FULL)


@pytest.fixture
def graph(tmp_path):
    return write_graph(build_graph(read_triples(DATA)), tmp_path / "graph" / "g.json")


@pytest.fixture
def a_file(tmp_path):
    f = tmp_path / "plain.txt"
    f.write_text("not a directory")
    return f


def test_view_output_under_a_file(tmp_path, a_file, capsys):
    code, err = kg(capsys, "view", DATA, "-o", str(a_file / "view.html"))
    assert code == 1
    one_error_line(err, "view", a_file / "view.html", f"{a_file} is not a directory")
    assert a_file.read_text() == "not a directory"


def test_view_output_is_a_directory(tmp_path, capsys):
    target = tmp_path / "view.html"
    target.mkdir()
    code, err = kg(capsys, "view", DATA, "-o", str(target))
    assert code == 1
    one_error_line(err, "view", target, "Is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.html"] and not any(target.iterdir())


@needs_dev_full
def test_view_on_a_full_disk_keeps_the_old_page(tmp_path, capsys):
    target = tmp_path / "out" / "view.html"
    disk_full_at(target)
    target.write_text("old page")
    code, err = kg(capsys, "view", DATA, "-o", str(target))
    assert code == 1
    one_error_line(err, "view", target, "No space left on device")
    assert target.read_text() == "old page" and sorted(p.name for p in target.parent.iterdir()) == ["view.html"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "neo4j-csv"])
def test_export_output_under_a_file(fmt, graph, a_file, capsys):
    target = a_file / "export"
    code, err = kg(capsys, "export", "--format", fmt, "--graph", str(graph), "--triples", DATA, "-o", str(target))
    assert code == 1
    one_error_line(err, "export", target, f"{a_file} is not a directory")


@needs_dev_full
@pytest.mark.parametrize("fmt, name", [("graphml", "g.graphml"), ("gexf", "g.gexf"), ("json", "g.json"),
                                       ("neo4j-csv", "csv/facts.csv")])
def test_export_on_a_full_disk_writes_no_part_file(fmt, name, graph, tmp_path, capsys):
    out = tmp_path / "exported"
    target = out / name
    disk_full_at(target)
    code, err = kg(capsys, "export", "--format", fmt, "--graph", str(graph), "--triples", DATA,
                   "-o", str(out / name.split("/")[0]))
    assert code == 1
    one_error_line(err, "export", out / name.split("/")[0], "No space left on device")
    assert not target.exists() and not any(p.name.endswith(".tmp") for p in out.rglob("*"))


@pytest.mark.model
def test_extract_to_a_full_standard_output():
    proc = subprocess.run(f"{sys.executable} -m kg extract {SAMPLE} -o - > /dev/full", shell=True,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.splitlines()[-1] == "kg extract: error: cannot write standard output: No space left on device"


@pytest.mark.model
def test_extract_output_under_a_file_and_on_a_full_disk(tmp_path, a_file, capsys):
    code, err = kg(capsys, "-q", "extract", str(SAMPLE), "-o", str(a_file / "t.jsonl"))
    assert code == 1
    assert "Traceback" not in err and err.splitlines()[-1].startswith(f"kg extract: error: cannot write {a_file}")
    target = tmp_path / "t.jsonl"
    disk_full_at(target)
    (tmp_path / "t.jsonl.tmp").symlink_to(FULL)  # the temporary name kg extract -o has used too
    code, err = kg(capsys, "-q", "extract", str(SAMPLE), "-o", str(target))
    assert code == 1
    one_error_line(err, "extract", target, "No space left on device")
    assert not target.exists()


@pytest.mark.model
def test_build_out_under_a_file_and_on_a_full_disk(tmp_path, a_file, capsys):
    code, err = kg(capsys, "-q", "build", str(SAMPLE), "--no-neo4j", "--out", str(a_file / "out"))
    assert code == 1
    assert "Traceback" not in err and err.splitlines()[-1].startswith(f"kg build: error: cannot write {a_file / 'out'}")
    out = tmp_path / "out"
    disk_full_at(out / "view.html")
    code, err = kg(capsys, "-q", "build", str(SAMPLE), "--no-neo4j", "--out", str(out))
    assert code == 1
    one_error_line(err, "build", out, "No space left on device")
    assert not (out / "view.html").exists() and not any(p.name.endswith(".tmp") for p in out.rglob("*"))
    # with space again, the re-run finishes the build
    code, err = kg(capsys, "-q", "build", str(SAMPLE), "--no-neo4j", "--out", str(out))
    assert code == 0 and (out / "view.html").stat().st_size > 0
    assert read_build_graph(out).number_of_edges() > 0


@pytest.mark.model
def test_export_triples_under_a_file(news_build, a_file, capsys):
    target = a_file / "t.jsonl"
    code, err = kg(capsys, "export", "--format", "triples", "--graph", str(news_build), "-o", str(target))
    assert code == 1
    one_error_line(err, "export", target, f"{a_file} is not a directory")


@needs_dev_full
@pytest.mark.model
def test_export_triples_on_a_full_disk_writes_no_part_file(news_build, tmp_path, capsys):
    target = tmp_path / "exported" / "t.jsonl"
    disk_full_at(target)
    code, err = kg(capsys, "export", "--format", "triples", "--graph", str(news_build), "-o", str(target))
    assert code == 1
    one_error_line(err, "export", target, "No space left on device")
    assert not target.exists() and not any(p.name.endswith(".tmp") for p in target.parent.rglob("*"))
