"""Small file and stream helpers used across kg: atomic writes, and cutting a stream into batches.

>>> [len(b) for b in batched(range(7), 3)]
[3, 3, 1]
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterable, Iterator, TypeVar, Union

T = TypeVar("T")


def temp_name(path: Path) -> Path:
    """The temporary file :func:`atomic_path` writes before renaming: hidden, beside ``path``, unique per process."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path: Union[str, os.PathLike], *, fsync: bool = False) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed over ``path`` when the block
    ends normally, removed when it fails, so readers see the old file or the new one, never a part.
    ``fsync`` flushes the content to disk before the rename.  The directory must exist.
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        if fsync:
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Union[str, os.PathLike], data: Union[bytes, str], *, fsync: bool = False) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through :func:`atomic_path`; returns the path."""
    path = Path(path)
    with atomic_path(path, fsync=fsync) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last one shorter), read lazily."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
