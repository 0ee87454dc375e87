"""Syntax helpers every extraction module shares: spans, conjuncts, subjects, predicates.

The rules (:mod:`.rules`, :mod:`.noun_phrases`), the resolver (:mod:`.resolve`) and
speech attribution (:mod:`.speech`) all read the dependency parse through these
functions, so they agree on what a subject, a conjunct or an entity's name is.
It imports nothing from the other extraction modules but their word lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ..records import normalise_name
from .vocab import LEADING_STRIP, NAMED_TYPES, QUANTITY_NOUNS, SKIP_TYPES, TITLE_WORDS, VERB_PREPS


@dataclass
class Relation:
    """A relation between two head tokens of one sentence, before name resolution."""

    subj: object  # spacy Token
    obj: object
    lemma: str
    pred_tokens: list = field(default_factory=list)
    rule: str = ""
    negated: bool = False
    confidence: float = 0.7
    verb: object = None
    obj_span: Optional[tuple] = None  # (start, end) tokens: an object wider than the head's phrase (open IE)
    subj_span: Optional[tuple] = None  # (start, end) tokens: a subject narrower than its phrase ("plant" of "plant in X")
    text: Optional[str] = None  # predicate text when no word of the sentence says it ("is" of an apposition)

    @property
    def predicate_text(self) -> str:
        """The predicate's words in sentence order, a trailing preposition last ("attended by")."""
        if self.text is not None:
            return self.text
        toks = sorted({t.i: t for t in self.pred_tokens}.values(), key=lambda t: t.i)
        last = [t for t in toks if t.dep_ in ("prep", "agent") and t.head.pos_ in ("VERB", "AUX")]
        if len(last) == 1:
            toks = [t for t in toks if t.i != last[0].i] + last
        return " ".join(t.text for t in toks)


# ---------------------------------------------------------------- helpers

def tokens(sent) -> list:
    """The tokens of a sentence, made once: every rule walks the same list instead of making its own."""
    cache = sent.doc.user_data.setdefault("kg_tokens", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = list(sent)
    return cache[key]


def verbs(sent) -> list:
    """The tokens of a sentence that head a clause (:func:`is_verb`), found once."""
    cache = sent.doc.user_data.setdefault("kg_verbs", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = [t for t in tokens(sent) if is_verb(t)]
    return cache[key]


def conjuncts(tok) -> list:
    """The token and the tokens coordinated with it ("Lo and Tsai" → [Lo, Tsai]), in order.

    Iterative: a list of a thousand names is a chain a thousand deep.
    """
    verbal = tok.pos_ in ("VERB", "AUX")
    out, stack = [], [tok]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(reversed([c for c in t.children
                               if c.dep_ == "conj" and (c.pos_ not in ("VERB", "AUX") or verbal)]))
    return sorted(out, key=lambda t: t.i)


def is_verb(tok) -> bool:
    """A content verb that can head a clause (also one the tagger mislabelled: "to back/ADV its bid")."""
    if tok.pos_ == "VERB":
        return True
    if tok.dep_ not in ("ROOT", "conj", "ccomp", "relcl", "advcl", "xcomp"):
        return False
    if tok.pos_ == "AUX":
        return any(c.dep_ in ("attr", "nsubj", "nsubjpass") for c in tok.children)
    return tok.pos_ in ("ADV", "NOUN", "ADJ") and any(c.dep_ == "dobj" for c in tok.children) \
        and any(c.dep_ in ("aux", "nsubj") for c in tok.children)


def is_passive(verb) -> bool:
    """True when the verb has a passive subject or passive auxiliary, or is a bare participle
    coordinated with a passive ("he was arrested and charged with fraud": charged is passive too)."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    return (verb.dep_ == "conj" and verb.tag_ == "VBN" and verb.head.i < verb.i
            and not any(c.dep_ in ("nsubj", "aux", "csubj", "expl") for c in verb.children)
            and any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.head.children))


def patients(verb, depth: int = 0) -> list:
    """The passive subjects of ``verb`` with their conjuncts; a passive verb coordinated with another
    passive shares its subject ("He has been thrown out of the party and will not be allowed to …")."""
    own = [t for c in verb.children if c.dep_ == "nsubjpass" for t in conjuncts(c)]
    if own or depth > 6 or verb.dep_ != "conj" or any(c.dep_ in ("nsubj", "csubj") for c in verb.children):
        return own
    return patients(verb.head, depth + 1) if is_passive(verb.head) else []


def verb_lemma(verb) -> str:
    """Lemma of a verb with its particle ("brushed off" → "brush off")."""
    lemma = verb.lemma_.lower()
    prt = [c for c in verb.children if c.dep_ == "prt"]
    return " ".join([lemma] + [p.text.lower() for p in prt])


def passive_lemma(verb) -> str:
    """A passive without its agent keeps its voice: "were handed" → "be handed", "was thrown out" → "be thrown out"."""
    prt = [c for c in verb.children if c.dep_ == "prt"]
    return " ".join(["be", verb.lower_] + [p.lower_ for p in prt])


#: Verbs that deny their complement: "failed to agree", "refused to sign".
NEGATING_VERBS = {"fail", "refuse", "decline", "neglect", "reject"}


def negated(verb) -> bool:
    """The verb, or a verb it is governed by through a control chain, is negated ("did not", "failed to")."""
    tok = verb
    flips = 0
    for _ in range(4):
        flips += sum(1 for c in tok.children if c.dep_ == "neg")
        if tok.dep_ in ("xcomp",) and tok.head.i != tok.i:
            tok = tok.head
            flips += tok.lemma_.lower() in NEGATING_VERBS
            continue
        break
    return flips % 2 == 1


def chain_tokens(verb) -> list:
    """Predicate words: the control chain down to ``verb`` with its auxiliaries, negation and particle."""
    toks = [verb]
    toks += [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt")]
    tok = verb
    while tok.dep_ == "xcomp" and tok.head.i != tok.i:
        tok = tok.head
        toks.append(tok)
        toks += [c for c in tok.children if c.dep_ in ("neg",)]
    return toks


def _subject_children(verb, deps=("nsubj", "nsubjpass")) -> list:
    return [c for c in verb.children if c.dep_ in deps]


def clause_verb(tok) -> Optional[object]:
    """The verb of the clause a token is in (itself when it is one), or ``None``."""
    while tok.pos_ not in ("VERB", "AUX"):
        if tok.head.i == tok.i:
            return None
        tok = tok.head
    return tok


def subjects(verb, depth: int = 0) -> tuple[list, str]:
    """The logical subjects of ``verb`` and how they were found ("" when direct)."""
    if depth > 6:
        return [], ""
    own = _subject_children(verb, ("nsubj",))
    if own:
        out = []
        for s in own:
            out.extend(conjuncts(s))
        return out, ""
    if _subject_children(verb, ("nsubjpass", "csubj")):
        return [], ""
    head, dep = verb.head, verb.dep_
    if head.i == verb.i:
        return [], ""
    if dep == "xcomp":
        objs = [c for c in head.children if c.dep_ in ("dobj",)]
        if objs:
            return [t for o in objs for t in conjuncts(o)], "+control"
        passive_subj = patients(head) if is_passive(head) else []
        if passive_subj:
            return passive_subj, "+control"
        subj, how = subjects(head, depth + 1)
        return subj, "+xcomp" + how
    if dep == "conj" and head.pos_ in ("VERB", "AUX"):
        subj, how = subjects(head, depth + 1)
        if not subj:
            passive_subj = _subject_children(head, ("nsubjpass",))
            subj = [t for s in passive_subj for t in conjuncts(s)] if is_passive(head) and not is_passive(verb) else []
        return subj, "+conj" + how
    if dep == "relcl":
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            # "give a combined company more heft to compete": who is given the means acts
            given = [t for c in head.head.children if c.dep_ == "dative" and c.pos_ in ("NOUN", "PROPN")
                     for t in conjuncts(c)] if head.dep_ == "dobj" else []
            return given, "+dative" if given else ""  # else "more heft to compete with X": not the noun

        return [relative_head(head)], "+relcl"
    if dep == "acl":
        if verb.tag_ == "VBG":
            return [relative_head(head)], "+participle"
        if verb.tag_ == "VBN" and depth > 0:  # "Adamson, convicted of murdering Bolles": the noun does the next verb
            return [relative_head(head)], "+participle"
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            poss = [c for c in head.children if c.dep_ == "poss"]
            if poss:
                return poss, "+nominal"
            gov = head.head
            if head.dep_ in ("dobj", "attr") and gov.pos_ in ("VERB", "AUX"):
                subj, how = subjects(gov, depth + 1)
                return subj, "+nominal" + how
        return [], ""
    if dep == "advcl" and (verb.tag_ == "VBG" or any(c.lower_ == "to" and c.dep_ == "aux" for c in verb.children)):
        subj, how = subjects(head, depth + 1)
        return subj, "+advcl" + how
    if dep == "pcomp" and head.dep_ == "prep":
        gov = head.head
        if gov.pos_ in ("VERB", "AUX"):
            objs = [c for c in gov.children if c.dep_ == "dobj"]
            if head.lower_ in ("for", "of") and objs:
                return [t for o in objs for t in conjuncts(o)], "+prep-control"
            done_to = patients(gov) if is_passive(gov) else []
            if done_to:  # "Sirhan was convicted of assassinating Kennedy": the patient did the gerund
                return done_to, "+pcomp"
            subj, how = subjects(gov, depth + 1)
            return subj, "+pcomp" + how
    return [], ""




#: Nouns for a role towards a thing: a "which" clause after "N of X" is about X ("producer of platinum").
RELATIONAL_HEADS = {"producer", "maker", "supplier", "exporter", "importer", "source", "part", "one", "member",
                    "home", "seller", "buyer", "user", "owner", "developer", "manufacturer", "consumer"}


def relative_head(noun):
    """The noun a relative clause or participle is about: the name an apposition describes ("Castell Hydro,
    a producer based in Grenoble" → Castell Hydro); past a copula to its subject when the clause follows
    the noun directly ("the contract is an achievement that proves X" → contract; but "X is the producer
    of platinum, which is used in Y" stays with its noun)."""
    if noun.dep_ == "appos" and noun.head.ent_type_ in NAMED_TYPES and noun.pos_ in ("NOUN", "PROPN"):
        return noun.head  # "Derwinski, a Republican from Chicago who served in Congress": Derwinski served
    relcl = next((c for c in noun.children if c.dep_ == "relcl"), None)
    if relcl is not None and noun.lemma_.lower() in RELATIONAL_HEADS and relcl.left_edge.lower_ in ("which", "that"):
        # "the world's leading producer of platinum, which is used in …": the thing, not its producer
        of = [o for p in noun.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
        if of and all(t.is_punct for t in noun.doc[of[-1].right_edge.i + 1:relcl.left_edge.i]):
            return of[-1]
    adjacent = relcl is not None and all(t.is_punct for t in noun.doc[noun.i + 1:relcl.left_edge.i])
    if noun.dep_ == "attr" and noun.head.lemma_ == "be" and adjacent:
        subj = [c for c in noun.head.children if c.dep_ == "nsubj"]
        if subj:
            return subj[0]
    return noun


def prep_objects(tok) -> Iterator[tuple]:
    """(preposition, object) pairs attached to ``tok`` ("invest in X" → (in, X))."""
    for prep in tok.children:
        # "paid tribute to X": the parser calls some "to" phrases datives
        if not (prep.dep_ == "prep" or prep.dep_ == "dative" and prep.pos_ == "ADP") or prep.lower_ not in VERB_PREPS:
            continue
        for pobj in prep.children:
            if pobj.dep_ == "pobj" and _is_time(pobj) and tok.pos_ in ("VERB", "AUX"):
                # "was born on Feb. 5, 1907, in Portland": a phrase the parser hung on the date is the verb's
                yield from ((p, o) for p, o in prep_objects(pobj) if p.i > pobj.i and not _is_time(o))
            elif pobj.dep_ == "pobj" and not _is_time(pobj):
                for o in conjuncts(pobj):
                    yield prep, o
                    # "against tech heavyweights including Amazon and Apple": the named members too
                    for inc in o.children:
                        if inc.dep_ == "prep" and inc.lower_ == "including":
                            yield from ((prep, m) for g in inc.children if g.dep_ == "pobj" and g.ent_type_
                                        for m in conjuncts(g))


#: Entity types of an amount a verb of change takes as its object.
AMOUNT_TYPES = {"PERCENT", "MONEY", "QUANTITY"}


def counted(tok):
    """The noun a quantity stands before ("thousands of miners" → miners), else ``None``."""
    if tok.lower_ not in QUANTITY_NOUNS and not (tok.ent_type_ in ("CARDINAL", "PERCENT") and tok.pos_ in ("NOUN", "NUM")):
        return None
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for pobj in prep.children:
                if pobj.dep_ == "pobj" and pobj.pos_ in ("NOUN", "PROPN", "PRON") and pobj.lower_ not in QUANTITY_NOUNS:
                    return pobj
                if pobj.dep_ == "pobj":
                    return counted(pobj)
    return None


def _is_time(tok) -> bool:
    """A time or a bare number: not an argument. A counted group is one ("thousands of workers")."""
    if tok.tag_ == "NNS" and tok.ent_type_ == "CARDINAL" and counted(tok) is not None:
        return False
    return tok.ent_type_ in SKIP_TYPES or tok.lemma_.lower() in {"time", "year", "day", "week", "month", "today", "yesterday"}


def objects(verb) -> list:
    """Direct objects of a verb with their conjuncts (times and dates left out).

    A verb coordinated with a later one shares its object when it has none of its own
    ("police shot and killed several miners": both verbs take "miners").
    """
    out = []
    for c in verb.children:
        if c.dep_ == "dobj" and not _is_time(c):
            out.extend(conjuncts(c))
        elif c.dep_ == "npadvmod" and c.ent_type_ in AMOUNT_TYPES:  # "exports rose 18.9%", "fell $2 billion"
            out.append(c)
    if not out and not any(c.dep_ in ("prep", "ccomp", "xcomp", "dative", "attr") for c in verb.children):
        nxt = [c for c in verb.children if c.dep_ == "conj" and c.pos_ == "VERB" and c.i > verb.i]
        if nxt and not any(c.dep_ in ("nsubj", "nsubjpass") for c in nxt[0].children):
            out = [t for c in nxt[0].children if c.dep_ == "dobj" and not _is_time(c) for t in conjuncts(c)]
    return out


def entity_spans(sent) -> list:
    """The sentence's named entities, repaired where NER stopped short of the name's head.

    "Maria Corina" (PERSON) + "Machado" (untagged proper noun the first two modify)
    → "Maria Corina Machado".  Computed once per sentence (``Span.ents`` scans the whole doc).
    """
    doc = sent.doc
    cache = doc.user_data.setdefault("kg_entity_spans", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = _entity_spans(sent)
    return cache[key]


def _entity_spans(sent) -> list:
    from spacy.tokens import Span

    doc = sent.doc
    out = []
    for ent in sent.ents:
        end = ent.end
        while (end < sent.end and doc[end].pos_ == "PROPN" and not doc[end].ent_type_
               and doc[end].lower_ not in TITLE_WORDS  # "Scottish National Party Leader Alex Salmond"
               and doc[end - 1].dep_ == "compound" and doc[end - 1].head.i >= end):
            end += 1
        out.append(ent if end == ent.end else Span(doc, ent.start, end, label=ent.label_))
    return out


def entity_name(span, places=frozenset()) -> tuple[int, int]:
    """Token range of an entity span's name: no leading article or title, no place possessor, no trailing "'s".

    "Japan’s Liberal Democratic Party" → "Liberal Democratic Party" when Japan is a
    place named in the document; "Chinese People’s Liberation Army" stays whole.
    "Venezuelan opposition leader Maria Machado" → "Maria Machado".
    """
    start, end = span.start, span.end
    doc = span.doc
    for i in range(start, end - 1):
        if (doc[i].dep_ == "case" or doc[i].tag_ == "POS") and normalise_name(doc[start:i].text) in places:
            start = i + 1
    while start < end and (doc[start].lower_ in LEADING_STRIP or doc[start].is_punct):
        start += 1
    if span.label_ == "PERSON":
        while end - start > 1 and (doc[start].pos_ != "PROPN" or doc[start].lower_ in TITLE_WORDS
                                   or doc[start].is_lower):
            start += 1
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    paren = next((i for i in range(start, end) if doc[i].text == "("), None)
    if paren is not None and paren > start:
        end = paren
        while end > start and doc[end - 1].is_space:
            end -= 1
    return start, end
