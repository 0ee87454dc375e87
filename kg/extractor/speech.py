"""Reported speech: who says a clause ("…, Lo said." / "according to Lo")."""
from __future__ import annotations

from typing import Optional

from .syntax import is_passive, subjects, tokens
from .vocab import FIRST_PERSON_PLURAL, FIRST_PERSON_SINGULAR, REPORTING_VERBS

#: Speakers that are no source: the quoted person's "I"/"we" and the reader's "you" ("we believe …" inside a
#: quote is said by whoever the quote is from).
_NO_SOURCE = FIRST_PERSON_SINGULAR | FIRST_PERSON_PLURAL | {"you"}


def is_reporting(tok) -> bool:
    """A verb of saying with a subject of its own or inherited ("adding that …"); a passive one
    ("samples believed to be from the asteroid", "he is said to …") names no one who says it."""
    return (tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in REPORTING_VERBS and not is_passive(tok)
            and not (tok.dep_ == "acl" and tok.tag_ == "VBN"))


def _reporting_subject(verb) -> list:
    subj, _ = subjects(verb)
    return subj[:1]


def speaker_token(verb, sent) -> Optional[object]:
    """The token naming who reports the clause of ``verb``, or ``None``.

    The nearest reporting verb above ``verb`` wins ("Japan said it would invest …");
    else a reporting verb attached to the clause ("X did Y, Lo said"); else "according to X".
    """
    if verb is None:
        return None
    cache = sent.doc.user_data.setdefault("kg_speakers", {})
    if verb.i not in cache:
        cache[verb.i] = _speaker_token(verb, sent)
    found = cache[verb.i]
    return None if found is None else sent.doc[found]


def _speaker_token(verb, sent) -> Optional[int]:
    tok = verb
    while tok.head.i != tok.i:
        tok = tok.head
        if is_reporting(tok) and tok.i != verb.i:
            subj = _source(tok)
            if subj and subj[0].lower_ not in _NO_SOURCE:
                return subj[0].i
    node = verb
    while True:
        for c in node.children:
            if c.dep_ in ("parataxis", "ccomp", "advcl", "conj") and is_reporting(c) and c.i > verb.i \
                    and not any(x.dep_ in ("ccomp", "xcomp") for x in c.children):
                subj = _source(c)
                if subj:
                    return subj[0].i
        if node.head.i == node.i:
            break
        node = node.head
    return _according_to(sent)


def _source(reporting) -> list:
    """Who a reporting verb's clause comes from: the source it cites when it cites one
    ("Kyodo reported, citing the foreign ministry": the ministry, the innermost speaker), else its subject."""
    for c in reporting.children:
        if c.dep_ in ("advcl", "xcomp", "prep") and c.lemma_.lower() in ("cite", "quote"):
            cited = [o for o in c.children if o.dep_ in ("dobj", "pobj")]
            if cited:
                return cited[:1]
    return _reporting_subject(reporting)


def _according_to(sent) -> Optional[int]:
    """"according to X" anywhere in the sentence: X (computed once per sentence)."""
    cache = sent.doc.user_data.setdefault("kg_according", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = None
        for tok in tokens(sent):
            if tok.lower_ == "according" and tok.dep_ == "prep":
                for to in tok.children:
                    for pobj in to.children:
                        if pobj.dep_ == "pobj" and cache[key] is None:
                            cache[key] = pobj.i
    return cache[key]
