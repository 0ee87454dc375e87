"""Named analyst queries: one readable ``NAME.cypher`` file each, shipped with the package.

Each file starts with two comment lines::

    // NAME ARGS: what it answers
    // params: first, second=default

``kg query --saved NAME ARG...`` fills the parameters in that order; ``kg query --list``
prints them.  The Cypher is plain text: copy it into Neo4j Browser as it is.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class SavedQuery:
    """A named query: its description, parameters (name, default or ``None``) and Cypher."""

    name: str
    description: str
    params: tuple[tuple[str, Any], ...]
    cypher: str

    def usage(self) -> str:
        """``NAME ARG [ARG]`` as typed on the command line."""
        args = [p.upper() if d is None else f"[{p.upper()}]" for p, d in self.params]
        return " ".join([self.name, *args])

    def bind(self, args: list[str]) -> dict:
        """Parameters from positional arguments; raises ``ValueError`` on a wrong count."""
        required = sum(1 for _, d in self.params if d is None)
        if not required <= len(args) <= len(self.params):
            raise ValueError(f"{self.usage()} takes {required}"
                             + (f" to {len(self.params)}" if len(self.params) > required else "")
                             + f" argument(s), got {len(args)}")
        values = {}
        for (name, default), arg in zip(self.params, args + [None] * len(self.params)):
            # Required arguments are names: text as typed ("2024" stays a string).
            values[name] = default if arg is None else arg if default is None else parse_value(arg)
        return values


def parse_value(text: str) -> Any:
    """A parameter value: JSON when it parses as JSON (numbers, true, lists), else the text.

    >>> parse_value("10"), parse_value("Taiwan"), parse_value('"10"')
    (10, 'Taiwan', '10')
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``--param NAME=VALUE`` options as query parameters (values through :func:`parse_value`).

    Raises ``ValueError`` for an item without ``=`` or without a name.

    >>> parse_params(["name=Lo Chih-cheng", "n=41"])
    {'name': 'Lo Chih-cheng', 'n': 41}
    """
    params = {}
    for item in pairs:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise ValueError(f"--param wants NAME=VALUE, got {item!r}")
        params[name.strip()] = parse_value(value)
    return params


def parse_saved(name: str, text: str) -> SavedQuery:
    """Read one ``.cypher`` file's header and body."""
    lines = text.splitlines()
    if len(lines) < 3 or not lines[0].startswith("//") or not lines[1].startswith("// params:"):
        raise ValueError(f"saved query {name}: missing the two header comment lines")
    description = lines[0][2:].split(":", 1)[-1].strip()
    params = []
    for item in filter(None, (p.strip() for p in lines[1].split(":", 1)[1].split(","))):
        key, eq, default = item.partition("=")
        params.append((key.strip(), parse_value(default.strip()) if eq else None))
    return SavedQuery(name, description, tuple(params), "\n".join(lines[2:]).strip())


def saved_queries() -> dict[str, SavedQuery]:
    """Every saved query by name, sorted."""
    out = {}
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            out[name] = parse_saved(name, entry.read_text(encoding="utf-8"))
    return out
