"""The merge rule of a fact, shared by the local graph (:mod:`kg.graph`) and the Neo4j rows
(:mod:`kg.neo4j.store`): what one more sentence stating a fact adds to it.

A fact keeps its distinct sentences (``evidence``, ``count``), the highest confidence, its
distinct speakers and documents in the order first seen, and the range of its evidence dates
(``first_seen`` / ``last_seen``): each sentence's date is the event date it states when that
resolved, else its document's date (:func:`evidence_date`).
Duplicate checks go through sets kept beside the lists, so a fact stated in thousands of
sentences costs constant time per sentence.
"""
from __future__ import annotations

from typing import Hashable, Optional

from .dates import day_bounds


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


def add_sentence_sources(fact: dict, seen: tuple[set, set], *, speaker: Optional[str], doc_id: str,
                         confidence: float, date: Optional[str]) -> None:
    """Update a fact's ``confidence``, ``speakers``, ``docs`` and ``first_seen`` / ``last_seen``
    for one new sentence; ``seen`` is (speakers, documents) as sets.

    >>> fact = {"confidence": 0.5, "speakers": [], "docs": [], "first_seen": None, "last_seen": None}
    >>> add_sentence_sources(fact, (set(), set()), speaker="Lo", doc_id="d1", confidence=0.8, date="2024-05-01")
    >>> fact
    {'confidence': 0.8, 'speakers': ['Lo'], 'docs': ['d1'], 'first_seen': '2024-05-01', 'last_seen': '2024-05-01'}
    """
    speakers, docs = seen
    fact["confidence"] = max(fact["confidence"], confidence)
    if speaker:
        append_new(fact["speakers"], speakers, speaker)
    append_new(fact["docs"], docs, doc_id)
    if date:
        fact["first_seen"] = min(fact.get("first_seen") or date, date)
        fact["last_seen"] = max(fact.get("last_seen") or date, date)


def fact_span(attrs: dict) -> tuple[str, str] | None:
    """The days a fact covers, from the first day of ``first_seen`` to the last of ``last_seen``; ``None`` if undated.

    >>> fact_span({"first_seen": "2019", "last_seen": "2021-08"})
    ('2019-01-01', '2021-08-31')
    """
    first, last = day_bounds(attrs.get("first_seen")), day_bounds(attrs.get("last_seen"))
    return (first[0], last[1]) if first and last else None
