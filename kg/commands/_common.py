"""Small helpers shared by the subcommands: output files, progress bars, rejection lines."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..errors import UserError
from ..records import Rejection


@contextlib.contextmanager
def open_output(path: str):
    """A text file to write (``-`` is stdout); written to a temporary name and renamed when complete."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        f = open(tmp, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with f:
            yield f
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def progress(label: str, *, quiet: bool = False, total=None, unit: str = "doc"):
    """A tqdm progress bar on stderr (shown on a terminal, or always with KG_PROGRESS=1)."""
    from tqdm import tqdm

    force = os.environ.get("KG_PROGRESS") == "1"
    disable = True if quiet else (False if force else None)
    bar = tqdm(total=total, desc=f"kg {label}", unit=unit, disable=disable, file=sys.stderr,
               dynamic_ncols=True, mininterval=0.5)
    try:
        yield bar
    finally:
        bar.close()


def report_rejection(label: str, r: Rejection) -> None:
    """One line on stderr for a rejected input."""
    print(f"kg {label}: rejected {r.origin}: {r.reason}", file=sys.stderr)
