"""Reported speech: who says a clause ("…, Lo said." / "according to Lo")."""
from __future__ import annotations

from typing import Optional

from .vocab import REPORTING_VERBS


def is_reporting(tok) -> bool:
    """A verb of saying with a subject of its own or inherited ("adding that …")."""
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in REPORTING_VERBS


def _reporting_subject(verb) -> list:
    from .rules import subjects  # local: rules imports nothing from here

    subj, _ = subjects(verb)
    return subj[:1]


def speaker_token(verb, sent) -> Optional[object]:
    """The token naming who reports the clause of ``verb``, or ``None``.

    The nearest reporting verb above ``verb`` wins ("Japan said it would invest …");
    else a reporting verb attached to the clause ("X did Y, Lo said"); else "according to X".
    """
    if verb is None:
        return None
    tok = verb
    while tok.head.i != tok.i:
        tok = tok.head
        if is_reporting(tok) and tok.i != verb.i:
            subj = _reporting_subject(tok)
            if subj:
                return subj[0]
    node = verb
    while True:
        for c in node.children:
            if c.dep_ in ("parataxis", "ccomp", "advcl", "conj") and is_reporting(c) and c.i > verb.i \
                    and not any(x.dep_ in ("ccomp", "xcomp") for x in c.children):
                subj = _reporting_subject(c)
                if subj:
                    return subj[0]
        if node.head.i == node.i:
            break
        node = node.head
    for tok in sent:
        if tok.lower_ == "according" and tok.dep_ == "prep":
            for to in tok.children:
                for pobj in to.children:
                    if pobj.dep_ == "pobj":
                        return pobj
    return None
