"""Small helpers shared by the subcommands: the local graph to read, output files, progress bars, rejection lines."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from ..errors import UsageError, UserError, io_error_message
from ..files import atomic_path
from ..records import Rejection
from ..sources import one_line


#: Where ``kg build`` keeps its state unless told otherwise (``--out``), and what the readers read.
DEFAULT_BUILD = "kg-out"
#: The help of the readers' ``--graph`` option.
GRAPH_HELP = (f"the build directory to read (default {DEFAULT_BUILD}), or a graph JSON file "
              "(kg export --format json)")


def read_local_graph(path: str | os.PathLike):
    """The local graph at ``path``: the build in a directory (:func:`kg.build.read_build_graph`), or a
    node-link graph JSON file as ``kg export --format json`` writes (:func:`kg.graph.read_graph`).

    What ``kg query``, ``kg view``, ``kg export`` (``--graph``) and ``kg brief`` (``--out``) read;
    a missing path or a foreign file is a :class:`UserError`.
    """
    from ..build import read_build_graph
    from ..graph import read_graph

    path = Path(path)
    if path.is_dir():
        return read_build_graph(path)
    if not path.exists():
        raise UserError(f"{path}: no build or graph file (run `kg build --out {path}` first, "
                        "or give a graph JSON file written by kg export --format json)")
    try:
        return read_graph(path)
    except ValueError as exc:
        raise UserError(str(exc)) from None


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
        raise UserError(io_error_message(exc, path)) from None
    with atomic_path(target) as tmp:
        try:
            f = open(tmp, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UserError(io_error_message(exc, path)) from None
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
