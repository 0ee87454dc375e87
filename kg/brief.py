"""Briefs without a language model: what each community of the graph is about, from its own evidence.

:func:`community_briefs` is pure: the kg graph in, one :class:`CommunityBrief` per community
out — its top entities (by PageRank, named entities first), its top relations (the facts
stated in most sentences) and its most representative sentences (those stating the most,
and the most central, of its facts), each with its document and date.  Communities are
:func:`kg.analytics.communities` (Louvain, seeded): the same graph gives the same brief.
:func:`brief_markdown` writes them as Markdown (news text escaped, so no markup of its own
survives a Markdown renderer); the view shows the same briefs in its side panel.

>>> from kg.graph import build_graph, read_triples
>>> [b.entities[0].name for b in community_briefs(build_graph(read_triples("tests/data/triples_small.jsonl")))]
['Liberal Democratic Party']
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
import networkx as nx

from . import analytics
from .files import write_atomic
from .graph import sentence_order

log = logging.getLogger(__name__)

#: Communities with fewer entities are left out of a brief (a pair says what its one fact says).
MIN_ENTITIES = 3
#: How many communities a brief covers, largest first.
MAX_COMMUNITIES = 20


@dataclass(frozen=True)
class Entity:
    """An entity of a community: key, name, label (``Person`` …) and importance in [0, 1]."""

    key: str
    name: str
    label: str
    score: float


@dataclass(frozen=True)
class Relation:
    """A fact of a community, as names: ``subject —predicate→ object`` and how often and when it is stated."""

    subject: str
    predicate: str
    object: str
    negated: bool
    count: int
    first_seen: str | None
    last_seen: str | None

    def text(self) -> str:
        """``LDP —support→ Taiwan's CPTPP bid`` (``—not discuss→`` when negated)."""
        return f"{self.subject} —{'not ' if self.negated else ''}{self.predicate}→ {self.object}"


@dataclass(frozen=True)
class Quote:
    """An evidence sentence with where and when it was written."""

    text: str
    sentence_id: str
    doc_id: str
    title: str | None
    date: str | None

    def source(self) -> str:
        """``Title, 2021-08-27 [d1]``, or ``d1`` alone when the document has neither title nor date."""
        head = ", ".join(p for p in (self.title, self.date) if p)
        return f"{head} [{self.doc_id}]" if head else self.doc_id


@dataclass(frozen=True)
class CommunityBrief:
    """One community: its place by size (0 = largest), members, facts and the span of their dates."""

    index: int
    keys: tuple[str, ...]
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    quotes: tuple[Quote, ...]
    n_facts: int
    first_seen: str | None
    last_seen: str | None

    def heading(self) -> str:
        """``Community 1: LDP, DPP, Lo Chih-cheng`` (its first three entities)."""
        return f"Community {self.index + 1}: " + ", ".join(e.name for e in self.entities[:3])

    def summary(self) -> str:
        """``5 entities · 7 facts · 2021-08-27 – 2021-09-01``."""
        span = (f" · {self.first_seen}" + (f" – {self.last_seen}" if self.last_seen != self.first_seen else "")
                if self.first_seen else "")
        return f"{len(self.keys)} entities · {self.n_facts} fact{'' if self.n_facts == 1 else 's'}{span}"


def community_briefs(g: nx.MultiDiGraph, *, seed: int = 0, max_communities: int = MAX_COMMUNITIES,
                     min_entities: int = MIN_ENTITIES, top_entities: int = 6, top_relations: int = 5,
                     top_quotes: int = 3, communities: list[set] | None = None,
                     scores: dict | None = None) -> list[CommunityBrief]:
    """A brief of each community of at least ``min_entities`` entities, largest first (deterministic).

    ``communities`` and ``scores`` (PageRank importance) may be passed when already computed.
    """
    groups = communities if communities is not None else analytics.communities(g, seed=seed)
    groups = [c for c in groups if len(c) >= min_entities][:max_communities]
    if not groups:
        log.info("brief: no community of %d or more entities", min_entities)
        return []
    score = scores if scores is not None else analytics.importance(g)
    documents = g.graph.get("documents", {}) or {}
    where = {n: i for i, c in enumerate(groups) for n in c}
    facts: list[list[tuple]] = [[] for _ in groups]
    for s, o, k, attrs in g.edges(keys=True, data=True):
        if s in where and where[s] == where.get(o):
            facts[where[s]].append((s, o, k, attrs))
    return [_brief(g, i, group, facts[i], score, documents, top_entities, top_relations, top_quotes)
            for i, group in enumerate(groups)]


def _brief(g: nx.MultiDiGraph, index: int, group: set, facts: list[tuple], score: dict, documents: dict,
           top_entities: int, top_relations: int, top_quotes: int) -> CommunityBrief:
    name = lambda n: str(g.nodes[n].get("name") or n)  # noqa: E731
    ranked = sorted(group, key=lambda n: (not analytics.is_named(g, n), -score.get(n, 0.0), str(n)))
    entities = tuple(Entity(str(n), name(n), str(g.nodes[n].get("label") or "Concept"), score.get(n, 0.0))
                     for n in ranked[:top_entities])
    by_weight = sorted(facts, key=lambda f: (-int(f[3].get("count") or 1), -(score.get(f[0], 0) + score.get(f[1], 0)),
                                             str(f[0]), str(f[2]), str(f[1])))
    relations = tuple(Relation(name(s), str(a.get("predicate") or k), name(o), bool(a.get("negated")),
                               int(a.get("count") or 1), a.get("first_seen"), a.get("last_seen"))
                      for s, o, k, a in by_weight[:top_relations])
    dates = [d for *_, a in facts for d in (a.get("first_seen"), a.get("last_seen")) if d]
    return CommunityBrief(index, tuple(sorted(map(str, group))), entities, relations,
                          _quotes(facts, score, documents, top_quotes), len(facts),
                          min(dates) if dates else None, max(dates) if dates else None)


def _quotes(facts: list[tuple], score: dict, documents: dict, n: int) -> tuple[Quote, ...]:
    """The sentences stating the most, and the most central, facts of the community (then the earliest)."""
    weight: dict[str, float] = {}
    first: dict[str, dict] = {}
    for s, o, _, attrs in facts:
        w = 1.0 + score.get(s, 0.0) + score.get(o, 0.0)
        for ev in attrs.get("evidence") or []:
            sid = ev["sentence_id"]
            weight[sid] = weight.get(sid, 0.0) + w
            first.setdefault(sid, ev)
    best = sorted(weight, key=lambda sid: (-round(weight[sid], 9), sentence_order(sid)))[:n]
    out = []
    for sid in best:
        ev = first[sid]
        meta = documents.get(ev.get("doc_id")) or {}
        out.append(Quote(str(ev.get("text") or ""), sid, str(ev.get("doc_id") or ""), meta.get("title"),
                         meta.get("date")))
    return tuple(out)


# Inline Markdown syntax; every line kg writes starts with its own marker, so line-start syntax cannot form.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]~])")


def md_text(text: str) -> str:
    """News text safe in Markdown: ``&``, ``<`` and ``>`` as entities, Markdown syntax escaped, one line.

    >>> print(md_text("<img src=x onerror=alert(1)> *bold* [link](http://x) Hsieh Pei-fen"))
    &lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[link\\](http://x) Hsieh Pei-fen
    """
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def brief_markdown(briefs: list[CommunityBrief], *, title: str = "Brief") -> str:
    """The briefs as one Markdown document: a section per community."""
    lines = [f"# {md_text(title)}", ""]
    if not briefs:
        lines += [f"No community of {MIN_ENTITIES} or more entities.", ""]
    for b in briefs:
        lines += [f"## {md_text(b.heading())}", "", md_text(b.summary()), "", "**Entities**", ""]
        lines += [f"- {md_text(e.name)} ({md_text(e.label)})" for e in b.entities]
        lines += ["", "**Relations**", ""]
        lines += [f"- {md_text(r.text())} ({r.count} sentence{'' if r.count == 1 else 's'}"
                  + (f", {md_text(r.first_seen)}" if r.first_seen else "") + ")" for r in b.relations]
        lines += ["", "**Evidence**", ""]
        lines += [f"> {md_text(q.text)}  \n> — {md_text(q.source())}\n" for q in b.quotes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_brief(briefs: list[CommunityBrief], path, *, title: str = "Brief"):
    """Write :func:`brief_markdown` as UTF-8, atomically; returns the path."""
    return write_atomic(path, brief_markdown(briefs, title=title))
