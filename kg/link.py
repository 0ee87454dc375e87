"""Cross-document resolution: the same entity named differently in two articles.

Extraction resolves names inside one document.  This step runs after it, over
keys only, so no extraction worker needs another's state: an alias stated in any
document ("Liberal Democratic Party (LDP)") maps the bare "LDP" of every other
document to the same entity.  An alias claimed by two different entities is
ambiguous and left alone.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable, Iterator

from .records import Argument, Speaker, Triple, normalise_name

log = logging.getLogger(__name__)


def alias_table(triples: Iterable[Triple]) -> dict[str, tuple[str, str, str]]:
    """Normalised alias → (key, name, type) of the one entity that claims it.

    >>> from kg.records import Argument, Predicate
    >>> ldp = Argument("Liberal Democratic Party", "Liberal Democratic Party", "org:liberal democratic party", "ORG", 0, 24)
    >>> alias = Argument("LDP", "LDP", "org:liberal democratic party", "ORG", 26, 29)
    >>> alias_table([Triple("d", "d:0", "…", ldp, Predicate("(LDP)", "alias"), alias)])
    {'ldp': ('org:liberal democratic party', 'Liberal Democratic Party', 'ORG')}
    """
    claims: dict[str, set] = {}
    names: dict[str, tuple[str, str]] = {}
    for t in triples:
        if not t.is_alias:
            continue
        norm = normalise_name(t.object.name)
        claims.setdefault(norm, set()).add(t.subject.key)
        names[t.subject.key] = (t.subject.name, t.subject.type)
    table = {}
    for norm, keys in claims.items():
        if len(keys) == 1:
            (key,) = keys
            table[norm] = (key, *names[key])
        else:
            log.info("alias %r is claimed by %d entities; left unresolved", norm, len(keys))
    return table


def _resolve_arg(arg: Argument, table: dict) -> Argument:
    if arg.type == "CONCEPT":
        return arg
    hit = table.get(normalise_name(arg.name))
    if hit is None or hit[0] == arg.key:
        return arg
    key, name, type_ = hit
    return Argument(arg.text, name, key, type_, arg.start, arg.end)


def resolve_across_documents(triples: Iterable[Triple], table: dict) -> Iterator[Triple]:
    """Triples with every bare alias replaced by its entity (see :func:`alias_table`)."""
    for t in triples:
        if t.is_alias:
            yield t
            continue
        s, o = _resolve_arg(t.subject, table), _resolve_arg(t.object, table)
        if s.key == o.key:
            continue  # "LDP backs the Liberal Democratic Party" says nothing once both are one entity
        speaker = t.speaker
        if speaker is not None and normalise_name(speaker.name) in table:
            key, name, _ = table[normalise_name(speaker.name)]
            speaker = Speaker(name, key)
        if s is t.subject and o is t.object and speaker is t.speaker:
            yield t
        else:
            yield replace(t, subject=s, object=o, speaker=speaker)


def resolved_file(path) -> Iterator[Triple]:
    """The triples of a JSON Lines file with aliases resolved across documents (two streamed passes)."""
    from .graph import read_triples

    table = alias_table(read_triples(path))
    return resolve_across_documents(read_triples(path), table)
