"""A sentence never ends on a function word: a guard the parser's sentence splitting obeys.

The small English model sometimes starts a sentence at a capitalised word after a preposition
("… pay tribute to | Yes Scotland for a well-fought campaign"), which cuts one clause in two and
loses its facts. Before the parser runs, every token that follows a preposition, determiner,
conjunction, possessive or infinitival "to" is marked as no sentence start; the parser keeps
such marks. Tags come from the tagger, which runs before the parser.
"""
from __future__ import annotations

#: Penn tags a sentence cannot end on (without punctuation after them).
NO_END_TAGS = frozenset({"IN", "DT", "CC", "TO", "PRP$", "PDT", "POS", "WDT"})

COMPONENT = "kg_sentence_guard"


def guard_sentence_starts(doc):
    """Mark each token after a function word as not starting a sentence; returns ``doc``."""
    tags = [t.tag_ for t in doc]
    for i in range(1, len(tags)):
        if tags[i - 1] in NO_END_TAGS:
            doc[i].is_sent_start = False
    return doc


def add_sentence_guard(nlp) -> None:
    """Put :func:`guard_sentence_starts` before the parser of ``nlp`` (once)."""
    from spacy.language import Language

    if COMPONENT in nlp.pipe_names or "parser" not in nlp.pipe_names:
        return
    if not Language.has_factory(COMPONENT):
        Language.component(COMPONENT, func=guard_sentence_starts)
    nlp.add_pipe(COMPONENT, before="parser")
