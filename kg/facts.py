"""What a fact is, defined once for the local graph (:mod:`kg.graph`), the Neo4j store
(:mod:`kg.neo4j`) and the CSV export: its evidence entries and the summary properties
computed from them.

A fact (subject, predicate lemma, negated, object) is stated by one or more sentences.  Each
sentence contributes one evidence entry (:data:`EVIDENCE_FIELDS`): the local graph keeps them in
an edge's ``evidence`` list, Neo4j as one EVIDENCE relationship per sentence.  Everything else a
fact carries is a :data:`FACT_SUMMARY` property, a rule applied to one field of its entries: the
number of sentences, the highest confidence, its distinct speakers and documents (sorted), and
the range of its evidence dates (``first_seen`` / ``last_seen``; each sentence's date is the
event date it states when that resolved, else its document's date: :func:`evidence_date`).
So a fact can always be recomputed from its evidence (:func:`summarise`) — for one document's
view, for a date range, or after a document is forgotten — and adding a property is one line in
:data:`FACT_SUMMARY`.  Adding sentences one by one (:class:`Summary`) costs constant time per
sentence, however many sentences state the fact.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable, Optional

from .dates import day_bounds

#: One sentence's contribution to a fact, in this order, everywhere a fact's evidence is kept.
EVIDENCE_FIELDS = ("sentence_id", "doc_id", "text", "speaker", "predicate_text", "confidence", "date")
#: The fields a store keeps on the evidence itself (Neo4j's EVIDENCE relationship); the others
#: belong to the sentence (its id, document and text).
EVIDENCE_PROPERTIES = ("speaker", "predicate_text", "confidence", "date")
#: What Neo4j's EVIDENCE relationship and its import file hold besides the fact's id: the sentence's
#: document and place in sentence order (:func:`kg.graph.sentence_key`, so a fact's sentences can
#: be read in order from an index), then the :data:`EVIDENCE_PROPERTIES`.
EVIDENCE_COLUMNS = ("doc_id", "order", *EVIDENCE_PROPERTIES)


@dataclass(frozen=True)
class SummaryProperty:
    """A property of a fact computed from its evidence: ``rule`` over each entry's ``source`` field.

    Rules: ``count`` (entries), ``max`` / ``min`` (of the values given), ``set`` (the distinct
    values given, sorted).  ``neo4j_type`` is its type in neo4j-admin import headers.
    """

    name: str
    source: str
    rule: str
    neo4j_type: str


#: The summary properties of a fact, in the order every store lists them.
FACT_SUMMARY = (
    SummaryProperty("count", "sentence_id", "count", "int"),
    SummaryProperty("confidence", "confidence", "max", "double"),
    SummaryProperty("speakers", "speaker", "set", "string[]"),
    SummaryProperty("docs", "doc_id", "set", "string[]"),
    SummaryProperty("first_seen", "date", "min", "string"),
    SummaryProperty("last_seen", "date", "max", "string"),
)


def evidence_entry(sentence_id: str, doc_id: str, text: str, speaker: Optional[str], predicate_text: str,
                   confidence: float, date: Optional[str]) -> dict:
    """One evidence entry (:data:`EVIDENCE_FIELDS`); ``confidence`` is kept to 3 decimals.

    >>> evidence_entry("d1:0", "d1", "LDP backs Taiwan.", None, "backs", 0.91234, "2021-08-28")["confidence"]
    0.912
    """
    return {"sentence_id": sentence_id, "doc_id": doc_id, "text": text, "speaker": speaker,
            "predicate_text": predicate_text, "confidence": round(float(confidence), 3), "date": date}


class Summary:
    """A fact's summary properties, kept up to date as evidence entries are added.

    ``props`` is the dict the properties live in (an edge's attributes, a Neo4j row's
    ``props``); sets beside the ``set`` lists make each addition constant time.  The ``set``
    lists grow in the order values are first seen: :meth:`sorted_lists` sorts them once, at the end.

    >>> s = Summary({})
    >>> s.add({"sentence_id": "d2:0", "doc_id": "d2", "speaker": "Lo", "confidence": 0.8, "date": "2024-05-01"})
    >>> s.add({"sentence_id": "d1:3", "doc_id": "d1", "speaker": None, "confidence": 0.5, "date": "2021"})
    >>> s.sorted_lists()
    >>> s.props
    {'count': 2, 'confidence': 0.8, 'speakers': ['Lo'], 'docs': ['d1', 'd2'], 'first_seen': '2021', 'last_seen': '2024-05-01'}
    """

    def __init__(self, props: dict):
        self.props = props
        self.seen: dict[str, set] = {}
        for p in FACT_SUMMARY:
            if p.rule == "set":
                props[p.name] = list(props.get(p.name) or [])
                self.seen[p.name] = set(props[p.name])
            else:
                props.setdefault(p.name, 0 if p.rule == "count" else None)

    def add(self, entry: dict) -> None:
        """Add one sentence's entry (the caller makes sure each sentence is added once)."""
        props = self.props
        for p in FACT_SUMMARY:
            value = entry.get(p.source)
            if p.rule == "count":
                props[p.name] += 1
            elif value is None:
                continue
            elif p.rule == "set":
                append_new(props[p.name], self.seen[p.name], value)
            else:
                old = props[p.name]
                if old is None or (value > old if p.rule == "max" else value < old):
                    props[p.name] = value

    def sorted_lists(self) -> None:
        """Sort the ``set`` lists (the order every store keeps them in)."""
        for p in FACT_SUMMARY:
            if p.rule == "set":
                self.props[p.name].sort()


def summarise(evidence: Iterable[dict]) -> dict:
    """The summary properties of a fact stated by ``evidence`` (entries of distinct sentences).

    >>> summarise([{"sentence_id": "d1:0", "doc_id": "d1", "speaker": None, "confidence": 0.6, "date": None}])
    {'count': 1, 'confidence': 0.6, 'speakers': [], 'docs': ['d1'], 'first_seen': None, 'last_seen': None}
    """
    summary = Summary({})
    for entry in evidence:
        summary.add(entry)
    summary.sorted_lists()
    return summary.props


def append_new(items: list, seen: set, value: Hashable) -> bool:
    """Append ``value`` to ``items`` unless ``seen`` holds it (``seen`` mirrors ``items``); True when appended.

    >>> items, seen = ["a"], {"a"}
    >>> append_new(items, seen, "b"), append_new(items, seen, "a"), items
    (True, False, ['a', 'b'])
    """
    if value in seen:
        return False
    seen.add(value)
    items.append(value)
    return True


def evidence_date(event_date: Optional[dict], doc_date: Optional[str]) -> Optional[str]:
    """The date one sentence gives a fact: its resolved event date (the start of a range), else the document date.

    >>> evidence_date({"text": "last month", "date": "2021-07", "end": None}, "2021-08-28")
    '2021-07'
    >>> evidence_date({"text": "recently", "date": None, "end": None}, "2021-08-28")
    '2021-08-28'
    >>> evidence_date(None, None) is None
    True
    """
    if event_date and event_date.get("date"):
        return event_date["date"]
    return doc_date or None


def fact_span(attrs: dict) -> tuple[str, str] | None:
    """The days a fact covers, from the first day of ``first_seen`` to the last of ``last_seen``; ``None`` if undated.

    >>> fact_span({"first_seen": "2019", "last_seen": "2021-08"})
    ('2019-01-01', '2021-08-31')
    """
    first, last = day_bounds(attrs.get("first_seen")), day_bounds(attrs.get("last_seen"))
    return (first[0], last[1]) if first and last else None


def evidence_spans(attrs: dict) -> list[tuple[str, str]]:
    """The distinct day ranges a fact's sentences are dated to, sorted (what a date filter tests);
    a fact whose evidence entries carry no dates (a graph file written before they did) gives its
    whole :func:`fact_span`.

    >>> evidence_spans({"evidence": [{"date": "2021-08"}, {"date": None}, {"date": "2019-05-01"}, {"date": "2021-08"}]})
    [('2019-05-01', '2019-05-01'), ('2021-08-01', '2021-08-31')]
    """
    evidence = attrs.get("evidence") or []
    if evidence and all("date" in ev for ev in evidence):
        return sorted({day_bounds(ev["date"]) for ev in evidence if ev["date"]} - {None})
    span = fact_span(attrs)
    return [span] if span else []
