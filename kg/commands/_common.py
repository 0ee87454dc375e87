"""Small helpers shared by the subcommands: output files, progress bars, rejection lines."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..errors import UsageError, UserError
from ..files import atomic_path
from ..records import Rejection
from ..sources import one_line


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
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    with atomic_path(target) as tmp:
        try:
            f = open(tmp, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
        with f:
            yield f


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
    print(f"kg {label}: rejected {one_line(r.origin)}: {one_line(r.reason)}", file=sys.stderr)


def command_line_params(pairs: list[str]) -> dict:
    """The ``--param NAME=VALUE`` options of ``kg query`` and ``kg view``, one parser for both."""
    from ..queries import parse_params

    try:
        return parse_params(pairs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
