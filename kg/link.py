"""Cross-document resolution: the same entity named differently in two articles, and different
entities named alike kept apart.

Extraction resolves names inside one document.  This step runs after it, over keys only, so no
extraction worker needs another's state:

- an alias stated in any document ("Liberal Democratic Party (LDP)") maps the bare "LDP" of
  every other document to the same entity (a concept too, when it is written like an alias:
  "HAC").  An alias claimed by two different entities is ambiguous and left alone;
- the identity rules of :mod:`kg.identity` scope generic concepts ("the plan") and bare
  surnames ("Chen") to their document, and descriptive concepts to their story;
- when a key joins a second document, an ``alias`` record with rule
  :data:`kg.identity.CROSS_DOCUMENT_RULE` follows the triple that joined it, so every store
  records the merge (``merges`` on the entity: :func:`kg.identity.merge_reasons`).

:func:`resolved_file` runs it all over a JSON Lines file in two streamed passes.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable, Iterator, Optional

from .extractor.acronyms import is_alias_text
from .identity import KeyStats, ScopePlan, cross_document_record
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
    return _AliasClaims().add_all(triples).table()


class _AliasClaims:
    """The aliases each entity claims, gathered triple by triple."""

    def __init__(self) -> None:
        self.claims: dict[str, set] = {}
        self.names: dict[str, tuple[str, str]] = {}

    def add(self, t: Triple) -> None:
        if t.is_alias and t.object.name != t.subject.name:
            self.claims.setdefault(normalise_name(t.object.name), set()).add(t.subject.key)
            self.names[t.subject.key] = (t.subject.name, t.subject.type)

    def add_all(self, triples: Iterable[Triple]) -> "_AliasClaims":
        for t in triples:
            self.add(t)
        return self

    def table(self) -> dict[str, tuple[str, str, str]]:
        table = {}
        for norm, keys in self.claims.items():
            if len(keys) == 1:
                (key,) = keys
                table[norm] = (key, *self.names[key])
            else:
                log.info("alias %r is claimed by %d entities; left unresolved", norm, len(keys))
        return table


def alias_target(name: str, type_: str, table: dict) -> Optional[tuple[str, str, str]]:
    """The entity a name stands for by an alias stated in some document, else ``None``.
    A concept counts only when written like an alias ("HAC", not "the plan" for a "PLAN")."""
    if type_ == "CONCEPT" and not is_alias_text(name.strip()):
        return None
    return table.get(normalise_name(name))


def _resolve_arg(arg: Argument, table: dict) -> Argument:
    hit = alias_target(arg.name, arg.type, table)
    if hit is None or hit[0] == arg.key:
        return arg
    key, name, type_ = hit
    return Argument(arg.text, name, key, type_, arg.start, arg.end)


def resolve_across_documents(triples: Iterable[Triple], table: dict,
                             plan: Optional[ScopePlan] = None) -> Iterator[Triple]:
    """Triples with every bare alias replaced by its entity (see :func:`alias_table`); with a
    ``plan`` (:meth:`kg.identity.KeyStats.plan`), keys also scoped to their document or story and
    a cross-document record after each triple that joins a key to another document."""
    resolved = resolve_triples(triples, table, plan)
    return resolved if plan is None else with_cross_document_records(resolved)


def resolve_triples(triples: Iterable[Triple], table: dict, plan: Optional[ScopePlan] = None) -> Iterator[Triple]:
    """Each triple resolved with an alias ``table`` and, when given, a scope ``plan`` (no
    cross-document records); a triple whose two ends become one entity is left out."""
    for t in triples:
        if t.is_alias:
            out = t if plan is None else _scoped(t, t.subject, t.object, t.speaker, plan)
        else:
            s, o = _resolve_arg(t.subject, table), _resolve_arg(t.object, table)
            if s.key == o.key:
                continue  # "LDP backs the Liberal Democratic Party" says nothing once both are one entity
            speaker = t.speaker
            if speaker is not None and normalise_name(speaker.name) in table:
                key, name, _ = table[normalise_name(speaker.name)]
                speaker = Speaker(name, key)
            out = _scoped(t, s, o, speaker, plan) if plan is not None else (
                t if s is t.subject and o is t.object and speaker is t.speaker
                else replace(t, subject=s, object=o, speaker=speaker))
            if out.subject.key == out.object.key:
                continue
        yield out


def with_cross_document_records(triples: Iterable[Triple]) -> Iterator[Triple]:
    """Resolved triples (in build order) with, after each triple that joins a key to a second
    document, the ``alias`` record that says so (:func:`kg.identity.cross_document_record`)."""
    first_doc: dict[str, Optional[str]] = {}
    for out in triples:
        yield out
        for arg in (out.subject,) if out.is_alias else (out.subject, out.object):
            first = first_doc.setdefault(arg.key, out.doc_id)
            if first is not None and first != out.doc_id:
                first_doc[arg.key] = None  # announced once
                yield cross_document_record(out, arg)


def _scoped(t: Triple, s: Argument, o: Argument, speaker: Optional[Speaker], plan: ScopePlan) -> Triple:
    s2, o2 = plan.scope(s, t.doc_id), plan.scope(o, t.doc_id)
    if speaker is not None:
        key = plan.key_for(speaker.key, t.doc_id)
        speaker = speaker if key == speaker.key else Speaker(speaker.name, key)
    if s2 is t.subject and o2 is t.object and speaker is t.speaker:
        return t
    return replace(t, subject=s2, object=o2, speaker=speaker)


def link_pass(triples: Iterable[Triple]) -> tuple[dict, ScopePlan]:
    """One pass over the corpus: its alias table and the scope plan of its keys."""
    claims, stats = _AliasClaims(), KeyStats()
    for t in triples:
        claims.add(t)
        stats.add(t, t.subject)
        if not t.is_alias:
            stats.add(t, t.object)
    table = claims.table()
    stats.resolve(lambda name, type_: alias_target(name, type_, table))
    return table, stats.plan()


def resolved_file(path, *, scope: bool = True) -> Iterator[Triple]:
    """The triples of a JSON Lines file resolved across documents (two streamed passes);
    ``scope=False`` resolves aliases only (no identity rules, no cross-document records)."""
    from .graph import read_triples

    return resolved(read_triples(path), scope=scope)


def resolved(triples: Iterable[Triple], *, scope: bool = True) -> Iterator[Triple]:
    """Triples that can be read twice (a :class:`kg.graph.TripleReader`: one reader for both
    passes, so a bad line is reported once) resolved across documents, as :func:`resolved_file`."""
    if not scope:
        return resolve_across_documents(triples, alias_table(triples))
    table, plan = link_pass(triples)
    return resolve_across_documents(triples, table, plan)
