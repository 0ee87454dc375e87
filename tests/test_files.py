"""kg.files: atomic writes and batching."""
import pytest

from kg.files import atomic_path, batched, temp_name, write_atomic


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "graph.json"
    target.write_text("old")
    assert write_atomic(target, "new ✓") == target
    assert target.read_text(encoding="utf-8") == "new ✓"
    write_atomic(target, b"bytes", fsync=True)
    assert target.read_bytes() == b"bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "view.html"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp == temp_name(target) and tmp.parent == tmp_path and tmp.name.startswith(".")
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["view.html"]


@pytest.mark.parametrize("n, size, lengths", [(0, 3, []), (7, 3, [3, 3, 1]), (6, 3, [3, 3]), (2, 5, [2])])
def test_batched_keeps_order_and_cuts_at_size(n, size, lengths):
    batches = list(batched(iter(range(n)), size))
    assert [len(b) for b in batches] == lengths
    assert [x for b in batches for x in b] == list(range(n))


def test_batched_refuses_a_size_below_one():
    with pytest.raises(ValueError):
        list(batched([1], 0))
