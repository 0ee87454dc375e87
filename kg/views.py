"""Interactive HTML views of the kg graph (pyvis / vis-network), standalone and offline.

:func:`build_view` is pure: graph in, one HTML page out, byte-identical for the
same graph and options.  :func:`write_view` writes it (UTF-8, atomically).

The page is pyvis's template rendered with the vis-network library inline, then
made safe and offline:

* the Bootstrap tags that pyvis's template loads from a CDN are removed, so the
  page makes no request at all;
* pyvis's heading (written unescaped) is left empty; kg writes its own escaped
  title bar, legend and note;
* pyvis switches every tooltip to ``innerHTML`` when a node title contains
  ``href``; kg renders the template with that switch off, so vis-network shows
  every title with ``innerText``;
* pyvis's select menu (ids written raw into ``<option>``) is never used: the
  search box is kg's own, filled with ``option.value``;
* every JSON embedded in a ``<script>`` escapes ``<``, ``>`` and ``&``.

Entities are coloured by community (:func:`kg.analytics.communities`, seeded), shaped
by type, sized by importance and placed by :func:`kg.analytics.layout` (so large graphs
draw at once with physics off); the most important named entities carry labels
readable at any zoom.  Facts are labelled by predicate, dashed and red when negated,
and their tooltips carry the evidence sentences, speakers and source documents.

The overview (``fold=True``, the default) ranks named entities before concepts and
folds concept leaves (a concept linked to one named entity only) into that entity's
tooltip.  A date slider hides the facts whose ``first_seen`` … ``last_seen`` days fall
outside the chosen range, and a side panel holds the brief of each community
(:mod:`kg.brief`).

This is the only kg module that imports pyvis (lazily: pyvis imports IPython).
"""
from __future__ import annotations

import html
import json
import logging
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Hashable

import networkx as nx

from . import analytics
from .analytics import Cut
from .brief import CommunityBrief, community_briefs
from .facts import evidence_spans, fact_span
from .files import write_atomic

log = logging.getLogger(__name__)

#: Views with more entities keep the most important ones (see ``bench/view.py``).
DEFAULT_MAX_NODES = 2000
#: Up to this many entities the page settles with physics first; above, it draws at once.
PHYSICS_MAX_NODES = 300
#: Evidence sentences shown in a fact's tooltip before "+N more".
MAX_EVIDENCE = 3
#: Folded concept facts listed in an entity's tooltip before "+N more".
MAX_FOLDED = 12

#: Colour per entity label (Tableau 10: distinct, print- and colour-blind-friendly enough).
PALETTE = {
    "Person": "#4E79A7",
    "Organization": "#F28E2B",
    "Place": "#59A14F",
    "Group": "#B07AA1",
    "Event": "#E15759",
    "Product": "#76B7B2",
    "Law": "#EDC948",
    "Work": "#FF9DA7",
    "Language": "#9C755F",
    "Concept": "#BAB0AC",
}
OTHER_COLOUR = "#8C8C8C"
#: Colour per community, largest first; smaller communities are grey.
COMMUNITY_PALETTE = ("#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7",
                     "#9C755F", "#2F4B7C")
#: Shape per entity label (vis-network shapes that scale with the node's value), and its legend glyph.
SHAPES = {
    "Person": ("dot", "●"),
    "Organization": ("square", "■"),
    "Place": ("triangle", "▲"),
    "Group": ("diamond", "◆"),
    "Event": ("star", "★"),
    "Product": ("hexagon", "⬢"),
    "Law": ("triangleDown", "▼"),
    "Work": ("hexagon", "⬢"),
    "Language": ("diamond", "◆"),
    "Concept": ("dot", "•"),
}
#: How many of the most important named entities are labelled at every zoom.
LABELLED = 20
EDGE_COLOUR = "#9AA0A6"
NEGATED_COLOUR = "#C0392B"

_LABEL_CHARS = 40
_SENTENCE_CHARS = 300


@dataclass(frozen=True)
class View:
    """A built page and what it shows."""

    html: str
    title: str
    cut: Cut
    folded: int = 0  # concept facts shown in their entity's tooltip instead of as edges

    def summary(self) -> str:
        """One line for the command line, e.g. ``5 entities, 4 facts (+2 concept facts in tooltips)``."""
        return self.cut.describe() + (f" (+{_facts(self.folded)} of concepts in tooltips)" if self.folded else "")


def build_view(g: nx.MultiDiGraph, *, title: str = "Knowledge graph", max_nodes: int | None = DEFAULT_MAX_NODES,
               by: str = "pagerank", physics: bool | None = None, seed: int = 0,
               max_evidence: int = MAX_EVIDENCE, fold: bool = True) -> View:
    """An interactive, offline HTML page of ``g`` (cut to ``max_nodes`` most important entities).

    ``physics=None`` settles small views with physics and draws large ones at once;
    ``False`` never runs physics (the button still turns it on).  ``fold`` makes the
    overview: named entities first and concept leaves folded into their entity's tooltip.

    >>> from kg.graph import build_graph, read_triples
    >>> view = build_view(build_graph(read_triples("tests/data/triples_small.jsonl")))
    >>> view.summary(), 'src="http' in view.html
    ('4 entities, 1 fact (+3 facts of concepts in tooltips)', False)
    """
    folded: dict = {}
    drawn, briefs = g, []
    if fold:
        drawn, folded = analytics.fold_leaves(g)
    shown, cut = analytics.top_subgraph(drawn, max_nodes, by=by, named_first=fold)
    # Communities (colours, briefs) of what is drawn, with the leaves folded into it: the whole
    # graph, the same as `kg brief`, unless the view keeps only the most important entities.
    core = g if not cut.is_partial else g.subgraph(set(shown) | _leaves_of(g, drawn, shown))
    if not fold:
        core = shown
    groups = analytics.communities(core, seed=seed)
    if fold:
        briefs = community_briefs(core, seed=seed, communities=groups)
    if physics is None:
        physics = 0 < shown.number_of_nodes() <= PHYSICS_MAX_NODES
    scores = analytics.importance(shown, by=by)
    positions = analytics.layout(shown, seed=seed)
    documents = g.graph.get("documents", {}) or {}
    community = {n: i for i, c in enumerate(groups) for n in c}
    nodes = node_items(shown, scores=scores, positions=positions, documents=documents, community=community,
                       folded=folded)
    edges = edge_items(shown, documents=documents, max_evidence=max_evidence)
    days = date_range(edges)
    header = header_html(title, shown, cut, days=days, undated=sum(1 for e in edges if "kgFrom" not in e),
                         folded=sum(len(f) for f in folded.values()))
    members = {b.index: sorted(str(k) for k in b.keys if k in shown) for b in briefs}
    config = {"physics": bool(physics), "days": days, "communities": {str(i): ids for i, ids in members.items()}}
    page = _render(nodes, edges, vis_options(physics=bool(physics), n_edges=len(edges)), title, header, config,
                   panel=brief_panel_html(briefs, members))
    return View(html=page, title=title, cut=cut, folded=sum(len(f) for f in folded.values()))


def _leaves_of(g: nx.MultiDiGraph, drawn: nx.MultiDiGraph, shown: nx.MultiDiGraph) -> set:
    """The concept leaves of ``g`` folded away from ``drawn`` whose entity is in ``shown``."""
    return {n for n in g if n not in drawn and any(m in shown for m in (*g.pred[n], *g.succ[n]))}


def write_view(view: View | str, path: str | os.PathLike) -> Path:
    """Write a page as UTF-8, atomically (a crash leaves any old file intact)."""
    path = Path(path)
    text = view.html if isinstance(view, View) else view
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(path, text)


# ---------------------------------------------------------------- nodes and edges


def node_items(g: nx.MultiDiGraph, *, scores: dict, positions: dict, documents: dict,
               community: dict | None = None, folded: dict | None = None) -> list[dict]:
    """vis-network node dicts, sorted by key.  Labels and titles are plain text.

    Colour is the entity's community (paler for concepts; by type when ``community`` is
    ``None``), shape its type; the :data:`LABELLED` most important named entities get a
    label drawn at every zoom.
    """
    items = []
    named = [n for n in g.nodes if analytics.is_named(g, n)]
    top = set(sorted(named, key=lambda n: (-scores.get(n, 0.0), str(n)))[:LABELLED])
    for key in sorted(g.nodes, key=str):
        attrs = g.nodes[key]
        name = str(attrs.get("name") or key)
        label = str(attrs.get("label") or "Concept")
        if community is None:
            colour = PALETTE.get(label, OTHER_COLOUR)
        else:
            i = community.get(key)
            colour = COMMUNITY_PALETTE[i] if i is not None and i < len(COMMUNITY_PALETTE) else OTHER_COLOUR
            if label == "Concept":
                colour = _paler(colour)
        x, y = positions.get(key, (0.0, 0.0))
        item = {
            "id": str(key),
            "label": _clip(name, _LABEL_CHARS),
            "title": node_tooltip(g, key, documents, folded=(folded or {}).get(key, [])),
            "value": scores.get(key, 0.0),
            "x": x,
            "y": y,
            "shape": SHAPES.get(label, SHAPES["Concept"])[0],
            "color": {"background": colour, "border": _darker(colour),
                      "highlight": {"background": colour, "border": "#1F2328"},
                      "hover": {"background": colour, "border": "#1F2328"}},
            "kgType": label,
            "kgName": name,
            "kgSearch": "\n".join(dict.fromkeys(s.casefold() for s in [name, *map(str, attrs.get("aliases", []))])),
        }
        if key in top:
            # The page keeps this label's size on screen constant when zoomed out (view.js: sizeLabels).
            item["font"] = {"size": 14}
            item["scaling"] = {"label": {"enabled": False}}
            item["kgLabelled"] = True
        items.append(item)
    return items


def edge_items(g: nx.MultiDiGraph, *, documents: dict, max_evidence: int = MAX_EVIDENCE) -> list[dict]:
    """vis-network edge dicts, sorted by (subject, object, key); parallel facts curve apart."""
    items = []
    seen_pairs: dict[frozenset, int] = {}
    for s, o, k in sorted(g.edges(keys=True), key=lambda e: tuple(map(str, e))):
        attrs = g.edges[s, o, k]
        negated = bool(attrs.get("negated"))
        predicate = str(attrs.get("predicate") or k)
        pair = frozenset((str(s), str(o)))
        nth = seen_pairs.get(pair, 0)
        seen_pairs[pair] = nth + 1
        item = {
            "id": f"e{len(items)}",
            "from": str(s),
            "to": str(o),
            "label": _clip(("not " if negated else "") + predicate, _LABEL_CHARS),
            "title": edge_tooltip(g, s, o, k, documents, max_evidence=max_evidence),
            "value": int(attrs.get("count") or 1),
            "dashes": negated,
            "kgNegated": negated,
        }
        span = fact_span(attrs)
        if span:
            item["kgFrom"], item["kgTo"] = span
            item["kgDays"] = [list(days) for days in evidence_spans(attrs)]
        if negated:
            item["color"] = {"color": NEGATED_COLOUR, "highlight": NEGATED_COLOUR, "hover": NEGATED_COLOUR}
            item["font"] = {"color": NEGATED_COLOUR}
        if nth:
            item["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": round(0.2 * nth, 2)}
        items.append(item)
    return items


def node_tooltip(g: nx.MultiDiGraph, key: Hashable, documents: dict, *, folded: list | None = None) -> str:
    """Plain-text tooltip of an entity: name, type, aliases, why its mentions were merged, documents,
    number of facts, folded facts.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("org:ldp", name="LDP", type="ORG", label="Organization", aliases=["Jimintō"], docs=["d1"],
    ...            merges=["native script: Jimintō"])
    >>> print(node_tooltip(g, "org:ldp", {"d1": {"title": "Parties meet"}},
    ...                    folded=[{"direction": "out", "predicate": "support", "negated": False, "other": "bid",
    ...                             "count": 2, "first_seen": "2021-08-27", "last_seen": "2021-08-27"}]))
    LDP
    Organization (ORG) · org:ldp
    Also known as: Jimintō
    Merged by: native script: Jimintō
    Documents: Parties meet [d1]
    1 fact
    —support→ bid (2 sentences, 2021-08-27)
    """
    attrs = g.nodes[key]
    lines = [str(attrs.get("name") or key),
             f"{attrs.get('label') or 'Concept'} ({attrs.get('type') or '?'}) · {key}"]
    if attrs.get("aliases"):
        lines.append("Also known as: " + ", ".join(map(str, attrs["aliases"])))
    if attrs.get("merges"):
        lines.append("Merged by: " + "; ".join(map(str, attrs["merges"])))
    if attrs.get("docs"):
        lines.append("Documents: " + _docs_text(attrs["docs"], documents))
    folded = folded or []
    n = g.degree(key) + len(folded)
    lines.append(f"{n} fact{'' if n == 1 else 's'}")
    for f in folded[:MAX_FOLDED]:
        verb = ("not " if f["negated"] else "") + f["predicate"]
        when = f", {f['first_seen']}" if f.get("first_seen") else ""
        count = f"{f['count']} sentence{'' if f['count'] == 1 else 's'}"
        arrow = f"—{verb}→ {_clip(f['other'], 80)}" if f["direction"] == "out" else f"← {_clip(f['other'], 80)} —{verb}"
        lines.append(f"{arrow} ({count}{when})")
    if len(folded) > MAX_FOLDED:
        lines.append(f"+{len(folded) - MAX_FOLDED} more")
    return "\n".join(lines)


def edge_tooltip(g: nx.MultiDiGraph, s: Hashable, o: Hashable, k: Hashable, documents: dict, *,
                 max_evidence: int = MAX_EVIDENCE) -> str:
    """Plain-text tooltip of a fact: who did what to whom, support, speakers, documents, evidence."""
    attrs = g.edges[s, o, k]
    name = lambda n: str(g.nodes[n].get("name") or n)  # noqa: E731
    verb = ("NOT " if attrs.get("negated") else "") + str(attrs.get("predicate") or k)
    count = int(attrs.get("count") or 0)
    lines = [f"{name(s)} —{verb}→ {name(o)}",
             f"{count} sentence{'' if count == 1 else 's'} · confidence {float(attrs.get('confidence') or 0):.2f}"]
    if attrs.get("speakers"):
        lines.append("Said by: " + ", ".join(map(str, attrs["speakers"])))
    if attrs.get("docs"):
        lines.append("Documents: " + _docs_text(attrs["docs"], documents))
    evidence = list(attrs.get("evidence") or [])
    for ev in evidence[:max_evidence]:
        who = f" — {ev['speaker']}" if ev.get("speaker") else ""
        lines.append(f"“{_clip(str(ev.get('text', '')), _SENTENCE_CHARS)}” [{ev.get('sentence_id', '?')}]{who}")
    if len(evidence) > max_evidence:
        lines.append(f"+{len(evidence) - max_evidence} more")
    return "\n".join(lines)


def _docs_text(doc_ids: list, documents: dict, limit: int = 5) -> str:
    parts = []
    for d in doc_ids[:limit]:
        meta = documents.get(d) or {}
        title = meta.get("title")
        date = f", {meta['date']}" if meta.get("date") else ""
        parts.append(f"{title}{date} [{d}]" if title else f"{d}{date}")
    more = f" +{len(doc_ids) - limit} more" if len(doc_ids) > limit else ""
    return "; ".join(parts) + more


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _facts(n: int) -> str:
    return f"{n:,} fact{'' if n == 1 else 's'}"


def _paler(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(int(c + (255 - c) * 0.55) for c in (r, g, b)))


def date_range(edges: list[dict]) -> list[str] | None:
    """``[first day, last day]`` over the dated facts of a view (what the slider spans), or ``None``."""
    spans = [(e["kgFrom"], e["kgTo"]) for e in edges if "kgFrom" in e]
    return [min(a for a, _ in spans), max(b for _, b in spans)] if spans else None


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(int(c * 0.7) for c in (r, g, b)))


# ---------------------------------------------------------------- page


def vis_options(*, physics: bool, n_edges: int) -> dict:
    """vis-network options: sizes by value, straight edges, quick capped stabilisation."""
    big = n_edges > 2000
    return {
        "layout": {"improvedLayout": False, "randomSeed": 0},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "scaling": {"min": 8, "max": 30,
                        "label": {"enabled": True, "min": 12, "max": 20, "drawThreshold": 7, "maxVisible": 30}},
            "font": {"face": "system-ui, sans-serif", "color": "#1F2328", "strokeWidth": 3, "strokeColor": "#FFFFFF"},
        },
        "edges": {
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": EDGE_COLOUR, "highlight": "#1F2328", "hover": "#1F2328", "inherit": False},
            "font": {"size": 11, "face": "system-ui, sans-serif", "color": "#57606A", "align": "horizontal",
                     "strokeWidth": 3, "strokeColor": "#FFFFFF"},
            "scaling": {"min": 1, "max": 6, "label": {"enabled": False}},
            "selectionWidth": 1.5,
        },
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.005, "springLength": 160,
                                 "springConstant": 0.05, "avoidOverlap": 0.4},
            "stabilization": {"enabled": True, "iterations": 150, "updateInterval": 25, "fit": True},
            "minVelocity": 1.0,
            "maxVelocity": 40,
            "timestep": 0.5,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True,
                        "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
    }


def header_html(title: str, g: nx.MultiDiGraph, cut: Cut, *, days: list[str] | None = None, undated: int = 0,
                folded: int = 0) -> str:
    """The title bar: title, counts, the cut note, controls, the date slider and a legend of entity types (all escaped)."""
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    counts: dict[str, int] = {}
    for _, label in g.nodes(data="label"):
        counts[str(label or "Concept")] = counts.get(str(label or "Concept"), 0) + 1
    order = [t for t in PALETTE if t in counts] + sorted(t for t in counts if t not in PALETTE)
    legend = "".join(
        f'<li><label><input type="checkbox" data-type="{e(t)}" checked>'
        f'<span class="kg-glyph" aria-hidden="true">{SHAPES.get(t, SHAPES["Concept"])[1]}</span>{e(t)} ({counts[t]:,})</label></li>'
        for t in order)
    negated = sum(1 for *_, neg in g.edges(data="negated") if neg)
    shown = f"{g.number_of_nodes():,} entities, {g.number_of_edges():,} facts"
    if folded:
        shown += f" (+{_facts(folded)} of concepts in tooltips)"
    note = f'<p id="kg-note" role="note">Partial view: {e(cut.describe())}.</p>' if cut.is_partial else ""
    return (
        '<div id="kg-bar">'
        f'<h1 id="kg-title">{e(title)}</h1><span id="kg-summary">{e(shown)}</span>{note}'
        '<div id="kg-controls">'
        '<input id="kg-search" type="search" list="kg-names" placeholder="Find an entity (name or alias)" '
        'aria-label="Find an entity by name or alias"><datalist id="kg-names"></datalist>'
        '<button id="kg-physics" type="button" aria-pressed="false">Physics: off</button>'
        '<button id="kg-fit" type="button">Fit</button>'
        '<button id="kg-brief-toggle" type="button" aria-controls="kg-brief" aria-expanded="true">Brief</button>'
        f'<label><input id="kg-negated" type="checkbox" checked><span class="kg-dash"></span>negated facts ({negated:,})</label>'
        '<span id="kg-status" aria-live="polite"></span>'
        '</div>'
        + (date_controls_html(days, undated) if days else "")
        + f'<ul id="kg-legend" aria-label="Entity types (colour: community)">{legend}</ul>'
        '</div>'
    )


def date_controls_html(days: list[str], undated: int) -> str:
    """Two range inputs over the days of the dated facts (values: days after the first), and the undated box."""
    from datetime import date

    span = (date.fromisoformat(days[1]) - date.fromisoformat(days[0])).days
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    return (
        '<div id="kg-dates" role="group" aria-label="Dates of the facts shown">'
        f'<label>from <input id="kg-since" type="range" min="0" max="{span}" step="1" value="0" '
        'aria-label="Facts dated on or after"></label>'
        f'<output id="kg-since-day" for="kg-since">{e(days[0])}</output>'
        f'<label>to <input id="kg-until" type="range" min="0" max="{span}" step="1" value="{span}" '
        'aria-label="Facts dated on or before"></label>'
        f'<output id="kg-until-day" for="kg-until">{e(days[1])}</output>'
        f'<label><input id="kg-undated" type="checkbox" checked>undated facts ({undated:,})</label>'
        '</div>'
    )


def brief_panel_html(briefs: list[CommunityBrief], members: dict[int, list[str]]) -> str:
    """The side panel: one section per community with entities shown in the view (all text escaped)."""
    e = lambda s: html.escape(str(s), quote=True)  # noqa: E731
    parts = []
    for b in briefs:
        if not members.get(b.index):
            continue
        colour = COMMUNITY_PALETTE[b.index] if b.index < len(COMMUNITY_PALETTE) else OTHER_COLOUR
        rels = "".join(f"<li>{e(r.text())} <span class=\"kg-n\">×{r.count}</span></li>" for r in b.relations)
        quotes = "".join(f"<li><q>{e(q.text)}</q> <cite>{e(q.source())}</cite></li>" for q in b.quotes)
        parts.append(
            f'<section class="kg-community" data-community="{b.index}">'
            f'<h3><button type="button" class="kg-select" data-community="{b.index}">'
            f'<span class="kg-swatch" style="background:{colour}"></span>{e(b.heading())}</button></h3>'
            f'<p class="kg-meta">{e(b.summary())}</p>'
            f'<ul class="kg-relations">{rels}</ul><ul class="kg-quotes">{quotes}</ul></section>')
    body = "".join(parts) or "<p>No community of three or more entities in this view.</p>"
    return f'<aside id="kg-brief" aria-label="Brief of each community"><h2>Brief</h2>{body}</aside>'


def script_json(value) -> str:
    """JSON safe inside ``<script>``: sorted keys, and ``<``, ``>``, ``&``, U+2028/9 escaped.

    >>> script_json({"a": "</script><!--"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


_EXTERNAL_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>",
    re.IGNORECASE)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")


def _render(nodes: list, edges: list, options: dict, title: str, header: str, config: dict, *,
            panel: str = "") -> str:
    """pyvis's template with vis-network inline, then made offline and given kg's bar and controls."""
    from pyvis.network import Network  # lazily: pyvis imports IPython

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    net.nodes, net.edges = nodes, edges  # not add_node/add_edge: those are quadratic
    page = net.templateEnv.get_template(net.path).render(
        height=net.height, width=net.width, nodes=nodes, edges=edges, heading="",
        options=script_json(options), physics_enabled=False, use_DOT=False, dot_lang="", widget=False,
        bgcolor="#ffffff", conf=False, tooltip_link=False, neighborhood_highlight=False,
        select_menu=False, filter_menu=False, notebook=False, cdn_resources="in_line")
    page, n_external = _EXTERNAL_TAG.subn("", page)
    page, n_headings = _EMPTY_HEADING.subn("", page)
    if n_external != 2 or n_headings != 2:
        raise RuntimeError(f"unexpected pyvis template ({n_external} external tags, {n_headings} headings); "
                           "kg expects pyvis 0.3.2")
    css = _asset("view.css")
    js = _asset("view.js")
    page = _insert_once(page, "</head>", f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>")
    page = _insert_once(page, "<body>", f"<body>\n{header}")
    page = _insert_once(page, "</body>",
                        f"{panel}\n"
                        f'<script type="application/json" id="kg-config">{script_json(config)}</script>\n'
                        f"<script>{js}</script>\n</body>", last=True)
    _check_offline(page)
    return page


def _insert_once(page: str, marker: str, replacement: str, *, last: bool = False) -> str:
    """Replace the one occurrence of ``marker`` outside the inline libraries."""
    where = page.rfind(marker) if last else page.find(marker)
    if where < 0:
        raise RuntimeError(f"unexpected pyvis template: no {marker}")
    return page[:where] + replacement + page[where + len(marker):]


def _check_offline(page: str) -> None:
    """Refuse a page that would load anything from elsewhere or show tooltips as HTML."""
    if re.search(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page, re.I):
        raise RuntimeError("the view would load an external resource")
    if "popup.innerHTML" in page:
        raise RuntimeError("the view would show tooltips as HTML")


def _asset(name: str) -> str:
    return resources.files("kg").joinpath("assets", name).read_text(encoding="utf-8")
