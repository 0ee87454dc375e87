"""One type per name in a document: the tagger's majority vote.

The small English model may tag the same name differently in two sentences of one article
("Sagamihara" a place twice and a person once). The rules read entity types token by token,
so before they run, every mention of a name takes the type its name has most often in the
document. A tie decides nothing (the tagger is as likely wrong either way): those mentions,
and names tagged the same everywhere, are left alone.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from ..records import normalise_name
from .vocab import NAMED_TYPES

#: Types that vote: the named kinds the rules tell apart (numbers, dates and the like never change).
VOTING_TYPES = NAMED_TYPES


def harmonise_entity_types(docs: Iterable) -> int:
    """Relabel each mention to its name's majority type across ``docs`` (the pieces of one
    document, spaCy ``Doc`` objects, changed in place); returns how many mentions changed."""
    docs = list(docs)
    votes: dict[str, Counter] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in VOTING_TYPES:
                name = normalise_name(ent.text)
                votes.setdefault(name, Counter())[ent.label_] += 1
    winner = {}
    for name, count in votes.items():
        ranked = count.most_common(2)
        if len(ranked) == 2 and ranked[0][1] > ranked[1][1]:
            winner[name] = ranked[0][0]
    changed = 0
    if not winner:
        return changed
    from spacy.tokens import Span

    for doc in docs:
        ents = []
        for ent in doc.ents:
            label = winner.get(normalise_name(ent.text)) if ent.label_ in VOTING_TYPES else None
            if label is not None and label != ent.label_:
                ents.append(Span(doc, ent.start, ent.end, label=label))
                changed += 1
            else:
                ents.append(ent)
        doc.ents = ents
    return changed
