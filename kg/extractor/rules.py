"""Relation rules over one sentence's dependency parse.

Each rule is a generator over a sentence (a spaCy ``Span``) yielding
:class:`Relation` records between head *tokens*; turning tokens into named
arguments is the resolver's job.  The rules, in the order of :data:`RULES`:

- ``svo``: active subject – verb – direct object ("Japan condemned the talks").
- ``passive-agent``: "was attended by Lo" → Lo –attend→ it.
- ``verb-prep``: verb + preposition objects ("invest in", "cooperate with", "fly to").
- ``copula``: "X is a partner of Y" → X –be→ partner; X –partner of→ Y.
- ``role``: titles before a name ("DPP spokeswoman Hsieh Pei-fen") and appositions
  ("Maduro, the president of Venezuela") → person –spokeswoman of→ DPP.
- ``member-of``: "Lo Chih-cheng of the DPP" → Lo –member of→ DPP.
- ``as-role``: "Taiwan, as a sovereign country, …" → Taiwan –be→ sovereign country.

Subjects are found through coordination, control and purpose chains
("pledged to support X", "asked Taipei to facilitate X"), relative clauses,
participial modifiers ("representatives pledging …") and nominal infinitives
("Taiwan's bid to join X").  The rule name records how (e.g. ``svo+xcomp``).
"""
from __future__ import annotations

from typing import Callable, Iterator

from .syntax import (Relation, chain_tokens, conjuncts, entity_name, entity_spans, is_passive, is_verb, negated,
                     objects, passive_lemma, patients, prep_objects, relative_head, subjects, tokens, verb_lemma, verbs)
from .noun_phrases import NOUN_PHRASE_RULES, place_kind, prep_place
from .vocab import (IDIOM_VERBS, NAMED_TYPES, NOMINALISATIONS, PURE_SPEECH_VERBS, RELATIVE_PRONOUNS, REPORTING_VERBS,
                    TITLE_WORDS)


def _is_speech(verb) -> bool:
    return verb.lemma_.lower() in PURE_SPEECH_VERBS


# ---------------------------------------------------------------- rules

def svo(sent) -> Iterator[Relation]:
    """Active subject – verb – object, with subjects found through chains."""
    for v in verbs(sent):
        if not is_verb(v) or is_passive(v) or _is_speech(v) or v.lemma_ == "be":
            continue
        objs = objects(v)
        if v.lemma_.lower() in IDIOM_VERBS and any(p.i > v.i for p, _ in prep_objects(v)):
            objs = [o for o in objs if not is_bare(o)]  # "took power in 1949" is said by verb_prep
        if not objs:
            continue
        subjs, how = subjects(v)
        light = v.lemma_.lower() in IDIOM_VERBS
        for s in subjs:
            for o in objs:
                # "has links to Iran", "took a first step toward YPF": a light verb's noun joins the predicate
                merged = [(p, x) for p, x in prep_objects(o) if p.i > o.i and p.lower_ != "of"] if (
                    light and o.pos_ == "NOUN" and not o.ent_type_) else []
                for p, x in merged:
                    yield Relation(s, x, f"{verb_lemma(v)} {o.lemma_.lower()} {p.lower_}", chain_tokens(v) + [o, p],
                                   "svo-light" + how, negated(v), 0.6, v)
                if not merged:
                    yield Relation(s, o, verb_lemma(v), chain_tokens(v), "svo" + how, negated(v),
                                   0.8 if not how else 0.7, v)


def passive_object(sent) -> Iterator[Relation]:
    """A passive with an object of its own: "two aid workers were handed sentences" → be handed."""
    for v in verbs(sent):
        if not is_verb(v) or not is_passive(v) or any(c.dep_ == "agent" for c in v.children):
            continue
        objs = objects(v)
        if not objs:
            continue
        for s in patients(v):
            for o in objs:
                yield Relation(s, o, passive_lemma(v), chain_tokens(v), "passive-object", negated(v), 0.65, v)


def passive_agent(sent, *, open_ie: bool = False) -> Iterator[Relation]:
    """Passive with an agent: "X was attended by Y" → Y –attend→ X.

    With ``open_ie`` the surface order is kept: X –was attended by→ Y.
    """
    for v in verbs(sent):
        # "a consortium led by KHNP": a participle with an agent is a passive too
        if not is_verb(v) or not (is_passive(v) or v.dep_ == "acl" and v.tag_ == "VBN"):
            continue
        agents = [p for c in v.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        if not agents:
            continue
        pats = patients(v)
        how = ""
        if not pats and v.dep_ == "acl" and v.tag_ == "VBN":
            pats, how = [v.head], "+participle"
        if not pats and v.dep_ == "relcl":
            pats, how = [v.head], "+relcl"
        by = [c for c in v.children if c.dep_ == "agent"]
        for a in (t for ag in agents for t in conjuncts(ag)):
            for p in pats:
                if open_ie:
                    yield Relation(p, a, passive_lemma(v) + " by", chain_tokens(v) + by, "passive-agent" + how,
                                   negated(v), 0.75, v)
                else:
                    yield Relation(a, p, verb_lemma(v), chain_tokens(v) + by, "passive-agent" + how, negated(v),
                                   0.75, v)


def open_passive(sent) -> Iterator[Relation]:
    """:func:`passive_agent` in surface order, for open information extraction."""
    return passive_agent(sent, open_ie=True)


def open_speech(sent) -> Iterator[Relation]:
    """Who said what, the content clause as the object (open information extraction only: in the
    graph, speech is the ``speaker`` of the content's own triples)."""
    for v in verbs(sent):
        if not is_verb(v) or v.lemma_.lower() not in REPORTING_VERBS:
            continue
        clauses = [c for c in v.children if c.dep_ == "ccomp"]
        subjs, how = subjects(v)
        for clause in clauses:
            start = next((t.i for t in clause.subtree if t.dep_ != "mark" and not t.is_punct), clause.i)
            end = max(t.i for t in clause.subtree if not t.is_punct) + 1
            for s in subjs:
                yield Relation(s, clause, verb_lemma(v), chain_tokens(v), "speech" + how, negated(v), 0.6, v,
                               obj_span=(start, end))


def verb_prep(sent) -> Iterator[Relation]:
    """Verb + preposition objects: "invest in X", "cooperate with X", "was flown to X"."""
    for v in verbs(sent):
        if not is_verb(v) or _is_speech(v) or v.lemma_ == "be":
            continue
        if is_passive(v):
            if any(c.dep_ == "agent" for c in v.children):
                continue
            subjs = patients(v)
            how = "+passive"
            if not subjs and v.dep_ == "relcl":
                subjs, how = [v.head], "+passive+relcl"
        elif v.dep_ == "acl" and v.tag_ == "VBN" and not any(c.dep_ == "agent" for c in v.children):
            subjs, how = [relative_head(v.head)], "+passive+participle"  # "Peruvians frustrated over slow aid"
        else:
            subjs, how = subjects(v)
        if not subjs:
            continue
        yield from _where(v, subjs, how)
        base = passive_lemma(v) if how.startswith('+passive') else verb_lemma(v)
        # "took power in 1949", "paid tribute to X": a light verb's bare noun is part of the predicate
        idiom = [o for o in objects(v) if is_bare(o)] if v.lemma_.lower() in IDIOM_VERBS else []
        if idiom:
            base, extra = f"{base} {idiom[0].lower_}", [idiom[0]]
        else:
            extra = []
        for prep, o in prep_objects(v):
            if prep.i < v.i:
                continue  # fronted adjuncts ("In June, …", "At this point, …") are circumstances, not objects
            if how == "+passive+participle" and not (o.ent_type_ or subjs[0].ent_type_):
                continue  # "charges related to drug trafficking": a modifier between two concepts, not a fact
            # "went on strike in X", "stood in line in front of X": a bare noun after a light verb or in a
            # set phrase of place joins the predicate ("picked through rubble for survivors" keeps two facts)
            bare = [x for p, x in prep_objects(v) if p.i < prep.i and p.i > v.i and _joins_predicate(v, p, x)]
            words = " ".join(f"{p.lower_} {x.lower_}" for p, x in prep_objects(v) if x in bare)
            lemma = f"{base} {words + ' ' if words else ''}{prep.lower_}"
            if is_bare(o, allow_of=True) and any(p.lower_ == "of" for p, _ in prep_objects(o)):
                # "stood in front of the shop", "acted on behalf of Kyiv": a preposition of several words
                for of, x in prep_objects(o):
                    if of.lower_ == "of":
                        for s in subjs:
                            yield Relation(s, x, f"{lemma} {o.lower_} of", chain_tokens(v) + bare + [prep, o, of],
                                           "verb-prep" + how, negated(v), 0.6, v)
                continue
            if _joins_predicate(v, prep, o) and any(p.i > o.i for p, _ in prep_objects(v)):
                continue  # "went on strike in South Africa": the bare noun joins the predicate below
            for s in subjs:
                yield Relation(s, o, lemma, chain_tokens(v) + extra + bare + [prep], "verb-prep" + how, negated(v),
                               0.6, v)
        # "struck south of Lima", "sprinted away from the lines": an adverb carries the preposition;
        # "thrown out of the party", "ahead of the vote": so does a preposition with no object of its own
        for adv in (c for c in v.children if c.i > v.i and (c.dep_ == "advmod" and c.pos_ in ("ADV", "ADP")
                                                            or c.dep_ == "prep" and c.lower_ not in NOT_PREPOSITIONS
                                                            and not any(
                                                                g.dep_ in ("pobj", "pcomp") for g in c.children))):
            for prep, o in prep_objects(adv):
                for s in subjs:
                    yield Relation(s, o, f"{base} {adv.lower_} {prep.lower_}", chain_tokens(v) + [adv, prep],
                                   "verb-prep" + how, negated(v), 0.6, v)


#: Heads of multi-word prepositions that introduce no object of the verb ("according to" names a source).
NOT_PREPOSITIONS = {"according", "such", "rather", "instead"}


def _joins_predicate(verb, prep, noun) -> bool:
    """A bare noun that is part of the predicate: after a light verb ("take part in") or in a set
    phrase of place or state ("on strike", "in line", "under fire", "at risk")."""
    return is_bare(noun) and (verb.lemma_.lower() in IDIOM_VERBS or prep.lower_ in ("in", "on", "at", "under"))


def is_bare(noun, *, allow_of: bool = False) -> bool:
    """A singular noun with no determiner or modifier, as in an idiom: "go on strike", "take power", "take part".

    ``allow_of``: it may have an "of" phrase ("in front of", "on behalf of").
    """
    return (noun.tag_ == "NN" and not noun.ent_type_ and noun.lemma_.lower() not in ("time", "day", "year")
            and not any(c.dep_ in ("det", "poss", "amod", "compound", "nummod", "prep", "acl", "relcl", "conj",
                                   "nmod", "quantmod") and not (allow_of and c.dep_ == "prep" and c.lower_ == "of")
                        for c in noun.children))


def _where(verb, subjs, how) -> Iterator[Relation]:
    """A relative clause on "where" places its verb at the noun: "the airport, where a plane
    touched down" → plane –touch down at→ airport."""
    if verb.dep_ != "relcl" or not any(c.dep_ == "advmod" and c.lower_ == "where" for c in verb.children):
        return
    place = verb.head
    prep = "in" if place.ent_type_ in ("GPE", "LOC") else "at"
    lemma = f"{passive_lemma(verb) if how.startswith('+passive') else verb_lemma(verb)} {prep}"
    for s in subjs:
        if s.i != place.i:
            yield Relation(s, place, lemma, chain_tokens(verb), "verb-prep+where", negated(verb), 0.55, verb,
                           text=f"{verb.text} ({prep})")


COPULAS = {"be", "become", "remain"}
#: Prepositions that make a copula a relation of place or origin: "is in Tokyo", "was from Lyon".
COPULA_PREPS = {"in", "at", "on", "from", "near", "inside", "outside", "within", "behind", "off", "under"}


def copula(sent, *, open_ie: bool = False) -> Iterator[Relation]:
    """Copular clauses (ClausIE's SVC and SVA), the predicate noun or adjective kept in the relation.

    - "X is a partner of Y" → X –be partner of→ Y (SVC with a prepositional complement);
      "X is a sovereign country" → X –be→ sovereign country.
    - "X is proud of Y" → X –be proud of→ Y; "the samples are in a safe place" → X –be in→ place (SVA).

    With ``open_ie`` the plain "be" form is also made when a prepositional one is.
    """
    for v in tokens(sent):
        if v.lemma_ not in COPULAS:
            continue
        attrs = [t for c in v.children if c.dep_ in ("attr", "acomp") for t in conjuncts(c)]
        adverbials = [(prep, o) for prep, o in prep_objects(v) if prep.i > v.i and prep.lower_ in COPULA_PREPS]
        if not attrs and not adverbials:
            continue
        subjs, how = subjects(v)
        for s in subjs:
            for prep, o in adverbials:
                yield Relation(s, o, f"{v.lemma_} {prep.lower_}", [v, prep], "copula-prep" + how, negated(v), 0.55, v)
            for a in attrs:
                if a.lower_ in RELATIVE_PRONOUNS or a.pos_ == "PRON":
                    continue
                complements = [(prep, o) for prep, o in prep_objects(a) if prep.i > a.i]
                if a.dep_ == "acomp":
                    for prep, o in complements:
                        yield Relation(s, o, f"{v.lemma_} {a.lower_} {prep.lower_}", [v, a, prep],
                                       "copula-adjective" + how, negated(v), 0.6, v)
                    if open_ie and not complements:
                        yield Relation(s, a, v.lemma_, chain_tokens(v), "copula" + how, negated(v), 0.5, v)
                    continue
                if not complements or open_ie:
                    yield Relation(s, a, v.lemma_, chain_tokens(v), "copula" + how, negated(v), 0.6, v)
                for prep, o in complements:
                    words = [c for c in a.lefts if c.dep_ in ("amod", "compound")] if open_ie else []
                    yield Relation(s, o, f"{v.lemma_} {a.lemma_.lower()} {prep.lower_}", [v, *words, a, prep],
                                   "copula-role" + how, negated(v), 0.65, v)


def apposition(sent) -> Iterator[Relation]:
    """"Todd Graves, a former attorney, …" → Todd Graves –be→ former attorney (open IE only).

    Also a title before a name: "Undercover cop Muscles" → Muscles –be→ Undercover cop.
    """
    for tok in tokens(sent):
        if tok.dep_ == "appos" and tok.pos_ in ("NOUN", "PROPN") and tok.head.pos_ in ("NOUN", "PROPN"):
            yield Relation(tok.head, tok, "be", [], "apposition", False, 0.5, None, text="is")
    for ent in entity_spans(sent):
        if ent.label_ != "PERSON":
            continue
        titles = [c for c in ent.root.children if c.dep_ in ("compound", "nmod") and c.i < entity_name(ent)[0]
                  and c.pos_ == "NOUN"]
        for t in titles:
            yield Relation(ent.root, t, "be", [], "title", False, 0.5, None, obj_span=(t.left_edge.i, t.i + 1),
                           text="is")


def description(sent) -> Iterator[Relation]:
    """A name described in apposition or before it: "Kessler Logistics, a freight company, …" → Kessler
    Logistics –be→ freight company; "Linda Schmitt, an assistant product manager" → –be→ assistant product
    manager; "chipmaker TSMC" → TSMC –be→ chipmaker. A description that names an organisation ("the chief
    of NATO") is a role instead."""
    for tok in tokens(sent):
        if tok.dep_ != "appos" or tok.pos_ != "NOUN" or tok.ent_type_ or not tok.head.ent_type_:
            continue
        if tok.head.ent_type_ not in NAMED_TYPES:
            continue
        if any(p.lower_ in ("of", "for", "at", "with") and o.ent_type_ for p, o in prep_objects(tok)):
            continue
        of = [o for p, o in prep_objects(tok) if p.lower_ == "of"]
        if of:  # "Rustenburg, the centre of platinum mining" → –be centre of→ platinum mining
            for o in of:
                yield Relation(tok.head, o, f"be {tok.lemma_.lower()} of", [tok], "description", False, 0.55, None,
                               text=f"(is {tok.lemma_.lower()} of)")
            continue
        start = min([c.left_edge.i for c in tok.lefts if c.dep_ not in ("det", "punct")] + [tok.i])
        yield Relation(tok.head, tok, "be", [], "description", False, 0.55, None, obj_span=(start, tok.i + 1),
                       text="(is)")
    for ent in entity_spans(sent):  # "chipmaker TSMC", "Czech state-controlled power company Elektrarna Dukovany II"
        if ent.label_ not in NAMED_TYPES - {"PERSON"}:
            continue
        for noun in (c for c in ent.root.children if c.dep_ == "compound" and c.pos_ == "NOUN" and c.i < ent.start
                     and not c.ent_type_):
            yield Relation(ent.root, noun, "be", [], "description", False, 0.55, None,
                           obj_span=(noun.left_edge.i, noun.i + 1), text="(is)")


def svo_nary(sent) -> Iterator[Relation]:
    """Object with its following prepositional phrases as one argument (open IE only).

    "assigned all of its powers to the Community" → (Region, assigned, all of its powers to the Community).
    """
    for v in verbs(sent):
        if not is_verb(v) or is_passive(v) or _is_speech(v) or v.lemma_ == "be":
            continue
        objs = [c for c in v.children if c.dep_ == "dobj"]
        preps = [c for c in v.children if c.dep_ == "prep" and c.i > v.i]
        if len(objs) != 1 or not preps:
            continue
        subjs, how = subjects(v)
        end = max(p.right_edge.i for p in preps) + 1
        for s in subjs:
            yield Relation(s, objs[0], verb_lemma(v), chain_tokens(v), "svo-nary" + how, negated(v), 0.45, v,
                           (objs[0].left_edge.i, end))


def open_copula(sent) -> Iterator[Relation]:
    """:func:`copula` with every prepositional object of the attribute."""
    return copula(sent, open_ie=True)


def _people(sent) -> list:
    """Entity spans of people, and names the tagger gave another type that a person's apposition
    gives away ("Harrington, a professor of political science at Queens College")."""
    from spacy.tokens import Span

    def person_apposition(tok) -> bool:
        return any(c.dep_ == "appos" and c.pos_ == "NOUN" and c.lemma_.lower() in PERSON_NOUNS for c in tok.children)

    out = [ent for ent in entity_spans(sent) if ent.label_ == "PERSON"
           or ent.label_ in ("ORG", "GPE", "NORP") and person_apposition(ent.root)]
    for tok in tokens(sent):  # "Tal, a senior Defense Ministry official": a name with no entity at all
        if tok.pos_ == "PROPN" and not tok.ent_type_ and tok.dep_ != "compound" and person_apposition(tok):
            start = min([c.i for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok.i])
            out.append(Span(sent.doc, start, tok.i + 1, label="PERSON"))
    return out


def roles(sent) -> Iterator[Relation]:
    """Titles and appositions: "DPP spokeswoman Hsieh Pei-fen" → Hsieh –spokeswoman of→ DPP."""
    for ent in _people(sent):
        root = ent.root
        name_start = entity_name(ent)[0]
        # a title word just left of the name, attached to it (NER may have put it inside the entity)
        titles = [c for c in root.children if c.dep_ in ("compound", "nmod", "amod") and c.i < name_start
                  and (not c.ent_type_ or c.i >= ent.start) and c.pos_ in ("NOUN", "PROPN")]
        for title in titles:
            orgs = _title_organisations(title)
            if not orgs:  # "Sony's chief executive Kenichiro Yoshida": the possessor hangs on the name
                orgs = [c for c in root.children if c.dep_ == "poss" and c.i < title.i and c.ent_type_ in
                        (("ORG", "GPE", "PERSON") if title.lemma_.lower() in PERSONAL_ROLES else ("ORG", "GPE"))]
            for org in orgs:
                yield Relation(root, org, f"{_title_words(title, org)} {_role_prep(org)}", [title], "role-title", False,
                               0.7, None)
        direct = [c for c in root.children if c.dep_ == "appos"]
        # "Winter, 53, a former Yale law professor": the parser may hang the role on the age
        direct += [a for c in direct if c.ent_type_ in ("DATE", "CARDINAL") for a in c.children if a.dep_ == "appos"]
        appositions = [t for c in direct for t in conjuncts(c) if not t.ent_type_ and t.pos_ == "NOUN"]
        for ap in appositions:
            for org in _title_organisations(ap):
                yield Relation(root, org, f"{_title_words(ap, org)} {_role_prep(org)}", [ap], "role-appos", False, 0.7,
                               None)
    for ent in entity_spans(sent):
        # "its chairman Jerome Powell": the title heads the phrase, the name is its apposition
        title = ent.root.head
        between = sent.doc[title.i + 1:ent.start]
        if (ent.label_ == "PERSON" and ent.root.dep_ == "appos" and title.pos_ == "NOUN" and not title.ent_type_
                and (not any(t.is_punct for t in between) or title.i < ent.start and all(
                    t.text == "," for t in between if t.is_punct) and (
                    any(c.dep_ == "poss" for c in title.children)
                    or any(p.lower_ in ("of", "at") and o.ent_type_ == "ORG" for p, o in prep_objects(title))))):
            for c in title.children:
                if c.i < title.i and (c.dep_ == "poss" or (c.dep_ == "compound" and c.ent_type_ in ("ORG", "GPE", "NORP"))):
                    yield Relation(ent.root, c, f"{_title_words(title, c)} of", [title], "role-title", False, 0.65,
                                   None)
            for prep, o in prep_objects(title):
                if prep.lower_ in ("of", "for", "at"):
                    yield Relation(ent.root, o, f"{_title_words(title, o)} {prep.lower_}", [title], "role-title",
                                   False, 0.65, None)
    for ent in entity_spans(sent):
        if ent.label_ in ("PERSON",) or ent.label_ not in ("ORG", "GPE", "FAC", "LOC"):
            continue
        root = ent.root
        for ap in (c for c in root.children if c.dep_ == "appos" and not c.ent_type_ and c.pos_ == "NOUN"):
            for prep, o in prep_objects(ap):
                if prep.lower_ == "of" and o.ent_type_ in ("ORG", "GPE", "FAC", "LOC"):
                    yield Relation(root, o, f"{_title_words(ap, o)} of", [ap], "part-appos", False, 0.65, None)


#: Nouns only a person can be: an apposition of one of these makes a name a person's.
PERSON_NOUNS = TITLE_WORDS | {
    "professor", "official", "lawyer", "attorney", "economist", "analyst", "manager", "activist", "researcher",
    "scientist", "engineer", "teacher", "student", "journalist", "reporter", "editor", "author", "writer",
    "officer", "soldier", "doctor", "nurse", "farmer", "worker", "founder", "owner", "candidate", "politician",
    "diplomat", "consultant", "expert", "strategist", "lecturer", "dean", "coach", "player", "actor", "singer",
    "artist", "banker", "trader", "investor", "entrepreneur", "spokesperson", "aide", "adviser", "advisor"}
#: Roles a person has towards another person: "Kennedy's assassin", "the son of Sihanouk".
PERSONAL_ROLES = {"assassin", "killer", "murderer", "son", "daughter", "wife", "husband", "widow", "father",
                  "mother", "brother", "sister", "lawyer", "attorney", "aide", "adviser", "advisor", "spokesman",
                  "spokeswoman", "spokesperson", "successor", "predecessor", "deputy", "biographer", "bodyguard"}
#: Words that stay in a title before its head: "former prime minister", "first minister", "acting chief".
TITLE_MODIFIERS = {"former", "first", "acting", "interim", "deputy", "vice", "chief", "senior", "foreign", "prime",
                   "general", "executive", "managing", "assistant", "associate", "lead", "head", "supreme", "top"}


def _title_words(title, org=None) -> str:
    """The whole title: "foreign minister", "vice chairman", "former prime minister", "secretary general".

    Modifiers left of the head word that are part of the title (compounds that name no
    entity, and title adjectives) are kept; the organisation itself is not.
    """
    words, stack = [], [c for c in title.lefts]
    while stack:
        c = stack.pop()
        if org is not None and c.i == org.i:
            continue
        if c.dep_ in ("compound", "amod") and not c.ent_type_ and c.pos_ in ("NOUN", "PROPN", "ADJ") \
                or c.dep_ in ("amod", "compound") and (c.lower_ in TITLE_MODIFIERS or c.ent_type_ == "ORDINAL"):
            words.append(c)
            stack.extend(x for x in c.lefts if x.dep_ in ("compound", "amod"))
    return " ".join([w.lower_ for w in sorted(words, key=lambda t: t.i)] + [title.lemma_.lower()])


def _role_prep(org) -> str:
    """"at" for a role held at a place of work ("an economist at Societe Generale", "with Drexel"), else "of"."""
    return "at" if org.dep_ == "pobj" and org.head.lower_ in ("at", "with") else "of"


def _title_organisations(title) -> list:
    """The organisations a title belongs to: "DPP spokeswoman", "president of Venezuela",
    "vice chairman of the board at CBS and Viacom" (named ones win over common nouns)."""
    found = [o for prep, o in prep_objects(title) if prep.lower_ in ("of", "for", "at", "with")
             and (o.ent_type_ in ("ORG", "GPE", "NORP") or o.pos_ == "NOUN"
                  or o.ent_type_ == "PERSON" and title.lemma_.lower() in PERSONAL_ROLES)]
    # "a professor of political science at Queens College": the organisation may follow the field
    found += [o for f in found if not f.ent_type_ for prep, o in prep_objects(f)
              if prep.lower_ in ("at", "with") and o.ent_type_ == "ORG"]
    named = [o for o in found if o.ent_type_]
    if found:
        return named or found[:1]
    mods = [c for c in title.children if c.dep_ in ("compound", "amod", "nmod", "poss") and c.i < title.i]
    # "CNEN Radioprotection Director": the organisation may modify the title's modifier
    mods += [g for c in mods if c.dep_ == "compound" and not c.ent_type_ for g in c.children
             if g.dep_ == "compound" and g.i < c.i]
    named = [m for m in mods if m.ent_type_ in ("ORG", "GPE")
             or m.ent_type_ == "PERSON" and title.lemma_.lower() in PERSONAL_ROLES  # "McKinley's assassin"
             or m.ent_type_ == "NORP" and title.lower_ in TITLE_WORDS  # "Dutch researcher": a nationality only
             or m.pos_ == "PROPN" and m.text.isupper() and len(m.text) > 1 and m.ent_type_ != "DATE"]
    if named:
        return named[-1:]
    # "division director": a common noun before a title names its unit; "power broker" is no title
    nouns = [m for m in mods if m.pos_ == "NOUN" and m.dep_ == "compound" and not m.ent_type_]
    return nouns[-1:] if title.lower_ in TITLE_WORDS else []


def as_title(sent) -> Iterator[Relation]:
    """"Salmond will step down as first minister of Scotland" → Salmond –first minister of→ Scotland.

    A role named after "as" belongs to the verb's subject ("served as chief executive of X",
    "was named as coach of Y").
    """
    for prep in tokens(sent):
        if prep.dep_ != "prep" or prep.lower_ != "as" or prep.head.pos_ not in ("VERB", "AUX"):
            continue
        verb = prep.head
        for role in (c for c in prep.children if c.dep_ == "pobj" and c.pos_ == "NOUN"):
            orgs = [o for p, o in prep_objects(role) if p.lower_ in ("of", "for", "at") and o.ent_type_]
            if not orgs:
                continue
            subjs = [t for c in verb.children if c.dep_ == "nsubjpass" for t in conjuncts(c)] or subjects(verb)[0]
            for s in subjs:
                for org in orgs:
                    yield Relation(s, org, f"{_title_words(role, org)} of", [role], "role-as", False, 0.6, None)


#: Common nouns for an organisation or a part of one: "of the law firm of Skadden, Arps", "of the DEM's division".
ORGANISATION_NOUNS = {"firm", "company", "division", "department", "office", "unit", "branch", "agency", "bureau",
                      "team", "group", "staff", "board", "committee", "section", "institute", "ministry"}


def _organisation_of(tok):
    """The named organisation a common noun for one belongs to ("the law firm of Skadden" → Skadden), else tok."""
    if tok.ent_type_ or tok.pos_ != "NOUN" or tok.lemma_.lower() not in ORGANISATION_NOUNS:
        return tok
    owners = [c for c in tok.children if c.dep_ in ("poss", "compound") and c.ent_type_ == "ORG"]
    owners += [o for p, o in prep_objects(tok) if p.lower_ == "of" and o.ent_type_ == "ORG"]
    return owners[0] if owners else tok


def member_of(sent) -> Iterator[Relation]:
    """"Lo Chih-cheng and Tsai Shih-ying of the DPP" → each –member of→ DPP."""
    for ent in entity_spans(sent):
        if ent.label_ != "PERSON":
            continue
        root = ent.root
        title = next((c for c in root.children if c.dep_ == "compound" and c.lower_ in TITLE_WORDS and c.i < ent.start
                      or c.i >= ent.start and c.dep_ == "compound" and c.lower_ in TITLE_WORDS), None)
        ages = [c for c in root.children if c.dep_ == "appos" and c.like_num]  # "Merbold, 47, of the ESA"
        for prep, o in [*prep_objects(root), *(po for a in ages for po in prep_objects(a))]:
            if prep.lower_ == "of" and o.ent_type_ == "GPE" and title is not None:
                # "Prime Minister Felipe Gonzalez of Spain"
                yield Relation(root, o, f"{_title_words(title)} of", [title, prep], "member-of", False, 0.65, None)
            o = _organisation_of(o)
            if prep.lower_ in ("of", "at", "with") and o.ent_type_ == "ORG":
                people = [root]
                if root.dep_ == "conj":  # "Lo and Tsai of the DPP": the "of" attaches to the last one
                    head = root.head
                    while head.dep_ == "conj":
                        head = head.head
                    people = conjuncts(head)
                for p in people:
                    if p.ent_type_ == "PERSON":
                        yield Relation(p, o, "member of", [prep], "member-of", False, 0.65, None)


def as_role(sent) -> Iterator[Relation]:
    """"Taiwan, as a sovereign country, has …" → Taiwan –be→ sovereign country."""
    for tok in tokens(sent):
        if tok.dep_ != "prep" or tok.lower_ != "as":
            continue
        head = tok.head
        if head.dep_ in ("nsubj", "nsubjpass") and head.ent_type_:
            named = [head]
        else:  # the parser hangs "as …" on the verb: keep it when it sits between subject and verb
            named = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass") and c.ent_type_
                     and c.i < tok.i < head.i] if head.pos_ in ("VERB", "AUX") else []
        for subj in named:
            for pobj in (c for c in tok.children if c.dep_ == "pobj"):
                yield Relation(subj, pobj, "be", [tok], "as-role", False, 0.55, None)


def nominal_verb(sent) -> Iterator[Relation]:
    """A noun that names an action, with its agent and patient: "Russia's invasion of Ukraine" →
    Russia –invade→ Ukraine; "the assassination of Kennedy by Oswald" → Oswald –assassinate→ Kennedy."""
    for noun in tokens(sent):
        verb = NOMINALISATIONS.get(noun.lemma_.lower()) if noun.pos_ == "NOUN" else None
        if verb is None:
            continue
        affected = [o for prep, o in prep_objects(noun) if prep.lower_ == "of"]
        agents = [o for prep, o in prep_objects(noun) if prep.lower_ == "by"]
        agents += [t for c in noun.children if c.dep_ == "poss" and c.pos_ in ("PROPN", "PRON") for t in conjuncts(c)]
        for agent in agents:
            for patient in affected:
                if agent.ent_type_ or patient.ent_type_:
                    yield Relation(agent, patient, verb, [noun], "nominal-verb", False, 0.55, None, text=noun.text)


def nominal_prep(sent) -> Iterator[Relation]:
    """"Taiwan's participation in the WHO" → Taiwan –participation in→ WHO (names on both ends)."""
    for noun in tokens(sent):
        if noun.pos_ != "NOUN":
            continue
        poss = [c for c in noun.children if c.dep_ == "poss" and c.ent_type_ in ("ORG", "GPE", "PERSON", "NORP")]
        if not poss:
            continue
        for prep, o in prep_objects(noun):
            if o.ent_type_ in ("ORG", "GPE", "PERSON", "LOC", "FAC", "EVENT", "LAW") and prep.lower_ not in ("of",):
                for p in poss:
                    yield Relation(p, o, f"{noun.lemma_.lower()} {prep.lower_}", [noun, prep], "nominal-prep", False, 0.55, None)


#: The rule table: adding a rule is one generator and one line here.
RULES: tuple[Callable, ...] = (svo, passive_object, passive_agent, verb_prep, copula, roles, as_title, member_of,
                               as_role, nominal_verb, nominal_prep, description, *NOUN_PHRASE_RULES)
#: Open information extraction (surface relations for benchmarks such as CaRB) adds these.
OPEN_RULES: tuple[Callable, ...] = (svo, passive_object, open_passive, verb_prep, open_copula, open_speech, as_role,
                                    nominal_prep, prep_place, place_kind, apposition, svo_nary)


def relations(sent, rules=RULES) -> Iterator[Relation]:
    """Every relation the rules find in one sentence, in rule order."""
    for rule in rules:
        yield from rule(sent)
