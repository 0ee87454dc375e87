"""Graph analytics over the kg graph: importance, communities, cuts, paths, layout.

Plain functions over the :class:`networkx.MultiDiGraph` built by
:func:`kg.graph.build_graph` (graph first, options keyword-only).  Every
result is deterministic: same graph and options, same answer, so views and
reports built from them are reproducible.  The views use them, and so can
analysts from Python:

>>> from kg.graph import build_graph, read_triples
>>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
>>> [n for n, score in importance(g, by="degree").items() if score == 1.0]
['org:liberal democratic party']
"""
from __future__ import annotations

import difflib
import logging
import math
from dataclasses import dataclass
from typing import Hashable

import networkx as nx

from .facts import summarise

log = logging.getLogger(__name__)

#: Ways to rank entities by importance.
IMPORTANCE = ("pagerank", "degree")

#: Components up to this many nodes get one force-directed layout; larger ones are
#: laid out community by community (force-directed layout is quadratic in nodes).
_DIRECT_LAYOUT_MAX = 300


class NotFound(LookupError):
    """An entity or document is not in the graph; ``matches`` lists close candidates."""

    def __init__(self, what: str, query: str, matches: list[str]):
        hint = f"; close matches: {', '.join(matches)}" if matches else ""
        super().__init__(f"no {what} matches {query!r}{hint}")
        self.query = query
        self.matches = matches


@dataclass(frozen=True)
class Cut:
    """What a size-limited view kept of a graph."""

    shown_nodes: int
    total_nodes: int
    shown_edges: int
    total_edges: int
    by: str = "pagerank"

    @property
    def hidden_nodes(self) -> int:
        """Entities left out."""
        return self.total_nodes - self.shown_nodes

    @property
    def hidden_edges(self) -> int:
        """Facts left out."""
        return self.total_edges - self.shown_edges

    @property
    def is_partial(self) -> bool:
        """True when anything was left out."""
        return self.hidden_nodes > 0 or self.hidden_edges > 0

    def describe(self) -> str:
        """One human sentence, e.g. ``showing 300 of 12,345 entities by PageRank; 9 facts hidden``.

        >>> Cut(300, 12345, 800, 809, "pagerank").describe()
        'showing 300 of 12,345 entities (the most important by PageRank); 9 facts hidden'
        >>> Cut(5, 5, 4, 4).describe()
        '5 entities, 4 facts'
        """
        if not self.is_partial:
            return f"{_count(self.total_nodes, 'entity', 'entities')}, {_count(self.total_edges, 'fact', 'facts')}"
        by = {"pagerank": "PageRank", "degree": "degree"}.get(self.by, self.by)
        return (f"showing {self.shown_nodes:,} of {self.total_nodes:,} entities (the most important by {by}); "
                f"{_count(self.hidden_edges, 'fact', 'facts')} hidden")


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def simple_graph(g: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of ``g``; edge ``weight`` = number of supporting sentences.

    >>> g = nx.MultiDiGraph([("a", "b", "x", {"count": 2}), ("b", "a", "y", {"count": 1})])
    >>> simple_graph(g)["a"]["b"]["weight"]
    3
    """
    u = nx.Graph()
    u.add_nodes_from(sorted(g.nodes))
    for s, o, data in g.edges(data=True):
        if s == o:
            continue
        w = max(int(data.get("count", 1) or 1), 1)
        if u.has_edge(s, o):
            u[s][o]["weight"] += w
        else:
            u.add_edge(s, o, weight=w)
    return u


def importance(g: nx.MultiDiGraph, *, by: str = "pagerank") -> dict[Hashable, float]:
    """Importance of every entity in ``[0, 1]`` (the most important is 1.0).

    ``by="pagerank"`` ranks entities linked to important entities, over facts in
    either direction and weighted by sentence count (in news, the actor of a fact
    matters as much as its target); ``by="degree"`` counts the facts an entity
    takes part in.

    >>> g = nx.MultiDiGraph([("a", "b", "x"), ("c", "b", "y")])
    >>> importance(g, by="degree")
    {'a': 0.5, 'b': 1.0, 'c': 0.5}
    """
    if by not in IMPORTANCE:
        raise ValueError(f"unknown importance {by!r}; choose from {', '.join(IMPORTANCE)}")
    if g.number_of_nodes() == 0:
        return {}
    if by == "degree":
        raw = dict(g.degree())
    else:
        raw = nx.pagerank(simple_graph(g), weight="weight")
    top = max(raw.values()) or 1.0
    return {n: round(raw[n] / top, 6) for n in sorted(raw)}


def centrality(g: nx.MultiDiGraph, *, kind: str = "betweenness") -> dict[Hashable, float]:
    """A centrality score per entity over the undirected fact graph.

    ``kind`` is ``degree``, ``betweenness`` (brokers between groups), ``closeness``
    or ``eigenvector``.

    >>> g = nx.MultiDiGraph([("a", "b", "x"), ("b", "c", "y")])
    >>> centrality(g, kind="betweenness")["b"]
    1.0
    """
    u = simple_graph(g)
    funcs = {
        "degree": nx.degree_centrality,
        "betweenness": nx.betweenness_centrality,
        "closeness": nx.closeness_centrality,
        "eigenvector": lambda h: nx.eigenvector_centrality_numpy(h) if h.number_of_edges() else dict.fromkeys(h, 0.0),
    }
    if kind not in funcs:
        raise ValueError(f"unknown centrality {kind!r}; choose from {', '.join(funcs)}")
    if u.number_of_nodes() == 0:
        return {}
    scores = funcs[kind](u)
    return {n: round(float(scores[n]), 6) for n in sorted(scores)}


def communities(g: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0) -> list[set]:
    """Groups of densely connected entities (Louvain; seeded, so deterministic).

    Largest group first; ties broken by the smallest key in the group.

    >>> g = nx.MultiDiGraph([("a", "b", "x"), ("b", "c", "x"), ("a", "c", "x"), ("d", "e", "x")])
    >>> [sorted(c) for c in communities(g)]
    [['a', 'b', 'c'], ['d', 'e']]
    """
    u = simple_graph(g)
    if u.number_of_nodes() == 0:
        return []
    groups = nx.community.louvain_communities(u, weight="weight", resolution=resolution, seed=seed)
    return sorted((set(c) for c in groups), key=lambda c: (-len(c), min(map(str, c))))


def find_entity(g: nx.MultiDiGraph, entity: str) -> Hashable:
    """The node key for ``entity``: a key, a name or an alias, case-insensitive.

    Raises :class:`NotFound` listing close matches when nothing matches.

    >>> from kg.graph import build_graph, read_triples
    >>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
    >>> find_entity(g, "ldp")
    'org:liberal democratic party'
    """
    if entity in g:
        return entity
    wanted = entity.casefold().strip()
    names: dict[str, Hashable] = {}
    for n in sorted(g.nodes, key=str):
        attrs = g.nodes[n]
        for name in [str(n), attrs.get("name", ""), *attrs.get("aliases", [])]:
            names.setdefault(str(name).casefold(), n)
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)
    shown = [str(g.nodes[names[c]].get("name", names[c])) for c in close]
    raise NotFound("entity", entity, list(dict.fromkeys(shown)))


def neighbourhood(g: nx.MultiDiGraph, entity: str, *, depth: int = 1) -> nx.MultiDiGraph:
    """Entities within ``depth`` facts of ``entity`` (either direction), with the facts between them.

    >>> from kg.graph import build_graph, read_triples
    >>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
    >>> sorted(neighbourhood(g, "LDP", depth=1))  # doctest: +NORMALIZE_WHITESPACE
    ['concept:img src x onerror alert 1', 'concept:taiwan cptpp bid', 'org:liberal democratic party']
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    start = find_entity(g, entity)
    reach = nx.single_source_shortest_path_length(g.to_undirected(as_view=True), start, cutoff=depth)
    return g.subgraph(reach).copy()


def document_subgraph(g: nx.MultiDiGraph, doc_id: str) -> nx.MultiDiGraph:
    """The graph as one document states it: its entities and facts, with only its evidence.

    Each fact's summary (count, confidence, speakers, documents, dates) is recomputed from that
    document's sentences (:func:`kg.facts.summarise`).  Raises :class:`NotFound` when no entity or fact comes from ``doc_id``.

    >>> from kg.graph import build_graph, read_triples
    >>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
    >>> d = document_subgraph(g, "d2")
    >>> d.number_of_nodes(), d.number_of_edges()
    (2, 1)
    """
    out = nx.MultiDiGraph()
    out.graph.update(g.graph)
    docs = g.graph.get("documents", {})
    if doc_id in docs:
        out.graph["documents"] = {doc_id: docs[doc_id]}
    for n, attrs in g.nodes(data=True):
        if doc_id in attrs.get("docs", []):
            out.add_node(n, **attrs)
    for s, o, k, attrs in g.edges(keys=True, data=True):
        evidence = [ev for ev in attrs.get("evidence", []) if ev.get("doc_id") == doc_id]
        if not evidence:
            continue
        out.add_edge(s, o, key=k, **{**attrs, "evidence": evidence, **summarise(evidence)})
        for n in (s, o):
            out.nodes[n].update({**g.nodes[n], **out.nodes[n]})
    if out.number_of_nodes() == 0:
        known = sorted({d for _, a in g.nodes(data=True) for d in a.get("docs", [])} | set(docs))
        raise NotFound("document", doc_id, difflib.get_close_matches(doc_id, known, n=5, cutoff=0.5))
    return out


def is_named(g: nx.MultiDiGraph, key: Hashable) -> bool:
    """True for a named entity (a person, an organisation, a place …), False for a concept."""
    return g.nodes[key].get("label", "Concept") != "Concept"


def top_subgraph(g: nx.MultiDiGraph, max_nodes: int | None, *, by: str = "pagerank",
                 named_first: bool = False) -> tuple[nx.MultiDiGraph, Cut]:
    """The ``max_nodes`` most important entities and the facts between them, plus what was cut.

    ``max_nodes=None`` keeps everything.  Ties in importance keep the smaller key.  With
    ``named_first`` every named entity ranks before every concept.

    >>> g = nx.MultiDiGraph([("a", "b", "x"), ("c", "b", "y"), ("d", "e", "z")])
    >>> sub, cut = top_subgraph(g, 2, by="degree")
    >>> sorted(sub), cut.describe()
    (['a', 'b'], 'showing 2 of 5 entities (the most important by degree); 2 facts hidden')
    """
    total_n, total_e = g.number_of_nodes(), g.number_of_edges()
    if max_nodes is None or total_n <= max_nodes:
        return g, Cut(total_n, total_n, total_e, total_e, by)
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    score = importance(g, by=by)
    keep = sorted(g.nodes, key=lambda n: (named_first and not is_named(g, n), -score[n], str(n)))[:max_nodes]
    sub = g.subgraph(keep).copy()
    return sub, Cut(sub.number_of_nodes(), total_n, sub.number_of_edges(), total_e, by)


def fold_leaves(g: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[Hashable, list[dict]]]:
    """The graph without its concept leaves, and the facts folded into each named entity.

    A concept leaf is a concept whose every fact links it to one and the same named entity
    ("LDP —support→ Taiwan's CPTPP bid"); it says something about that entity only.  Each
    folded fact is ``{"direction": "out"|"in", "predicate", "negated", "other", "count",
    "first_seen", "last_seen"}``, sorted by (predicate, other).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("org:ldp", name="LDP", label="Organization"); g.add_node("concept:bid", name="bid", label="Concept")
    >>> g.add_edge("org:ldp", "concept:bid", "support", predicate="support", count=2)
    'support'
    >>> h, folded = fold_leaves(g)
    >>> list(h), [(f["predicate"], f["other"]) for f in folded["org:ldp"]]
    (['org:ldp'], [('support', 'bid')])
    """
    folded: dict[Hashable, list[dict]] = {}
    leaves = set()
    for n in sorted(g.nodes, key=str):
        if is_named(g, n):
            continue
        neighbours = set(g.predecessors(n)) | set(g.successors(n))
        if len(neighbours) != 1:
            continue
        (owner,) = neighbours
        if owner == n or not is_named(g, owner):
            continue
        leaves.add(n)
        name = str(g.nodes[n].get("name") or n)
        for s, o, k, attrs in [*g.in_edges(n, keys=True, data=True), *g.out_edges(n, keys=True, data=True)]:
            folded.setdefault(owner, []).append({
                "direction": "out" if s == owner else "in", "predicate": str(attrs.get("predicate") or k),
                "negated": bool(attrs.get("negated")), "other": name, "count": int(attrs.get("count") or 1),
                "first_seen": attrs.get("first_seen"), "last_seen": attrs.get("last_seen")})
    if not leaves:
        return g, {}
    h = g.copy()  # faster than copying a subgraph view
    h.remove_nodes_from(leaves)
    for facts in folded.values():
        facts.sort(key=lambda f: (f["predicate"], f["other"], f["direction"], f["negated"]))
    return h, folded


def between(g: nx.MultiDiGraph, since: str | None = None, until: str | None = None) -> nx.MultiDiGraph:
    """The facts stated within [``since``, ``until``] (ISO years, months or days), each with only the
    sentences dated in the range, and their entities.

    A sentence is within when the days of its evidence date meet the range; a fact keeps the
    sentences within, and its count, confidence, speakers, documents and dates are computed from
    them (:func:`kg.facts.summarise`).  Undated sentences are left out as soon as a bound is given.
    A fact whose evidence entries carry no dates (a graph file written before they did) is kept
    or left out whole, by the days from its ``first_seen`` to its ``last_seen``.

    >>> g = nx.MultiDiGraph()
    >>> ev = [{"sentence_id": f"d{i}:0", "doc_id": f"d{i}", "speaker": None, "confidence": 0.5, "date": d}
    ...       for i, d in enumerate(["2019-06", "2021-08-28"])]
    >>> g.add_edge("a", "b", "x", evidence=ev, first_seen="2019-06", last_seen="2021-08-28", count=2)
    'x'
    >>> h = between(g, since="2021")
    >>> h.edges["a", "b", "x"]["count"], h.edges["a", "b", "x"]["first_seen"]
    (1, '2021-08-28')
    """
    from .dates import day_bounds
    from .facts import fact_span

    if since is None and until is None:
        return g
    bounds = {name: day_bounds(value) for name, value in (("since", since), ("until", until)) if value}
    for name, found in bounds.items():
        if found is None:
            raise ValueError(f"{name} wants a date written 2021, 2021-08 or 2021-08-28")
    low = bounds["since"][0] if since else "0000-00-00"
    high = bounds["until"][1] if until else "9999-99-99"

    def within(span) -> bool:
        return bool(span) and span[0] <= high and span[1] >= low

    facts, ends = [], set()
    for s, o, k, attrs in g.edges(keys=True, data=True):
        evidence = attrs.get("evidence") or []
        if evidence and all("date" in ev for ev in evidence):
            kept = [ev for ev in evidence if within(day_bounds(ev["date"]) if ev["date"] else None)]
            if not kept:
                continue
            attrs = {**attrs, "evidence": kept, **summarise(kept)}
        elif not within(fact_span(attrs)):
            continue
        facts.append((s, o, k, attrs))
        ends.update((s, o))
    h = nx.MultiDiGraph()
    h.graph.update(g.graph)
    h.add_nodes_from((n, dict(a)) for n, a in g.nodes(data=True) if n in ends)
    h.add_edges_from(facts)
    return h


def shortest_path(g: nx.MultiDiGraph, source: str, target: str) -> list[Hashable]:
    """Entity keys on a shortest chain of facts from ``source`` to ``target`` (any direction).

    Both ends are matched like :func:`find_entity`.  Raises :class:`NotFound` when
    the two are not connected.

    >>> from kg.graph import build_graph, read_triples
    >>> g = build_graph(read_triples("tests/data/triples_small.jsonl"))
    >>> shortest_path(g, "Taiwan's CPTPP bid", "<img src=x onerror=alert(1)>")
    ['concept:taiwan cptpp bid', 'org:liberal democratic party', 'concept:img src x onerror alert 1']
    """
    a, b = find_entity(g, source), find_entity(g, target)
    try:
        return nx.shortest_path(simple_graph(g), a, b)
    except nx.NetworkXNoPath:
        raise NotFound("path", f"{source} -> {target}", []) from None


def layout(g: nx.MultiDiGraph, *, seed: int = 0, spacing: float = 90.0) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions (pixels), about ``spacing`` apart, for drawing without physics.

    Each connected component is laid out in its own disc: small ones force-directed,
    large ones community by community (each community in a disc, discs placed by a
    force-directed layout of the community graph).  Discs are then packed around the
    largest.  Cost is about linear in the number of entities, unlike a force-directed
    layout of the whole graph.

    >>> pos = layout(nx.MultiDiGraph([("a", "b", "x")]))
    >>> sorted(pos), pos == layout(nx.MultiDiGraph([("a", "b", "x")]))
    (['a', 'b'], True)
    """
    u = simple_graph(g)
    if u.number_of_nodes() == 0:
        return {}
    comps = sorted(nx.connected_components(u), key=lambda c: (-len(c), min(map(str, c))))
    discs = [_disc(u.subgraph(c), seed, spacing) for c in comps]
    pos: dict[Hashable, tuple[float, float]] = {}
    for (local, _), (cx, cy) in zip(discs, _pack([r for _, r in discs], spacing)):
        for n, (x, y) in local.items():
            pos[n] = (round(cx + x, 1), round(cy + y, 1))
    return {n: pos[n] for n in sorted(pos, key=str)}


def _disc(u: nx.Graph, seed: int, spacing: float) -> tuple[dict, float]:
    """Positions of one connected component centred on 0, and the radius they fill."""
    n = u.number_of_nodes()
    if n <= _DIRECT_LAYOUT_MAX:
        return _spring_disc(u, seed, spacing * math.sqrt(n / math.pi) if n > 2 else spacing / 2)
    groups = sorted(nx.community.louvain_communities(u, weight="weight", seed=seed),
                    key=lambda c: (-len(c), min(map(str, c))))
    if len(groups) == 1:
        return _spring_disc(u, seed, spacing * math.sqrt(n / math.pi))
    inner = [_disc(u.subgraph(c), seed, spacing) for c in groups]
    centres = _place_groups(u, groups, [r for _, r in inner], seed, spacing)
    pos = {m: (cx + x, cy + y) for (local, _), (cx, cy) in zip(inner, centres) for m, (x, y) in local.items()}
    radius = max(math.hypot(cx, cy) + r for (_, r), (cx, cy) in zip(inner, centres))
    return pos, radius


def _spring_disc(u: nx.Graph, seed: int, radius: float) -> tuple[dict, float]:
    """Force-directed positions of ``u`` scaled into a disc of ``radius``."""
    nodes = sorted(u.nodes, key=str)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}, radius
    if len(nodes) == 2:
        return {nodes[0]: (-radius, 0.0), nodes[1]: (radius, 0.0)}, radius
    h = nx.Graph()
    h.add_nodes_from(nodes)
    h.add_edges_from(sorted((a, b) if str(a) < str(b) else (b, a) for a, b in u.edges))
    iterations = 50 if len(nodes) <= 150 else 30
    raw = nx.spring_layout(h, seed=seed, iterations=iterations)
    far = max(math.hypot(x, y) for x, y in raw.values()) or 1.0
    return {m: (float(x) / far * radius, float(y) / far * radius) for m, (x, y) in raw.items()}, radius


def _place_groups(u: nx.Graph, groups: list[set], radii: list[float], seed: int, spacing: float) -> list[tuple]:
    """Centres for community discs: a weighted force layout of the community graph, then overlap removal."""
    import numpy as np

    where = {m: i for i, c in enumerate(groups) for m in c}
    cg = nx.Graph()
    cg.add_nodes_from(range(len(groups)))
    for a, b, w in u.edges(data="weight"):
        i, j = sorted((where[a], where[b]))
        if i != j:
            cg.add_edge(i, j, weight=cg[i][j]["weight"] + w if cg.has_edge(i, j) else w)
    raw = nx.spring_layout(cg, seed=seed, weight="weight", iterations=50)
    r = np.array(radii, dtype=float)
    xy = np.array([raw[i] for i in range(len(groups))], dtype=float) * r.sum()
    for _ in range(60):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1]) + np.eye(len(r))
        need = r[:, None] + r[None, :] + spacing / 2
        push = np.clip(need - dist, 0, None)
        np.fill_diagonal(push, 0)
        if not push.any():
            break
        xy += ((delta / dist[..., None]) * (push / 2)[..., None]).sum(axis=1)
    xy -= xy.mean(axis=0)
    return [tuple(p) for p in xy]


def _pack(radii: list[float], spacing: float) -> list[tuple[float, float]]:
    """Centres for discs, largest first: the first at 0, the rest on a golden-angle spiral, never overlapping."""
    import numpy as np

    if not radii:
        return []
    golden = math.pi * (3 - math.sqrt(5))
    xs, ys, rs = np.zeros(len(radii)), np.zeros(len(radii)), np.asarray(radii, dtype=float)
    dist = rs[0] + spacing
    for k in range(1, len(radii)):
        angle, r = k * golden, rs[k]
        dist = max(dist * 0.97, rs[0] + r + spacing / 2)
        while True:
            x, y = dist * math.cos(angle), dist * math.sin(angle)
            gap = np.hypot(xs[:k] - x, ys[:k] - y) - rs[:k] - r - spacing / 2
            if gap.min() >= 0:
                break
            dist += max(-gap.min(), spacing / 4)
        xs[k], ys[k] = x, y
    return [(float(x), float(y)) for x, y in zip(xs, ys)]
