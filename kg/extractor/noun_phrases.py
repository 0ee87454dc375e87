"""Relations stated inside noun phrases: place, owner, kind and nationality.

Much of what news says about its actors is never a clause: "Spain's Repsol",
"Addis Ababa, Ethiopia", "a mine shaft in Rustenburg", "the city of Pisco",
"Dutch researcher Anna de Vries". These rules read such phrases as the
"synthetic clauses" of ClausIE. The relation is inferred rather than stated by
a verb, so each rule's confidence is below a verb rule's.

=========================  ==========================================  =======================================
rule                       example                                     triple
=========================  ==========================================  =======================================
``possessive-place``       "Spain's Repsol", "Tokyo's Haneda Airport"  Repsol –be based in→ Spain
``possessive-member``      "Macron's Renaissance party"                Macron –member of→ Renaissance party
``listed-members``         "the Andean Group (Colombia, Peru, …)"      Colombia –member of→ Andean Group
``compound-place``         "the U.S. Congress", "a Hong Kong firm"     Congress –be based in→ U.S.
``place-apposition``       "Addis Ababa, Ethiopia"                     Addis Ababa –be in→ Ethiopia
``prep-place``             "the forum in Davos", "Co. of New York"     forum –be in→ Davos
``place-kind-apposition``  "Leninakan, Armenia's second city"          Leninakan –be in→ Armenia
``place-kind``             "the Pacific coast city of Pisco"           Pisco –be→ Pacific coast city
``nationality``            "Dutch researcher Anna de Vries"            Anna de Vries –nationality→ Netherlands
=========================  ==========================================  =======================================

The place an organisation is "based in" and the place a thing is "in" are told
apart by the entity type of the head (an organisation, or anything else).
"""
from __future__ import annotations

from typing import Iterator

from .syntax import Relation, conjuncts, entity_spans, tokens
from .vocab import GROUP_MEMBER_NOUNS, PLACE_KIND_NOUNS, PLACE_QUALIFIERS, PLACE_TYPES, SKIP_TYPES

#: Entity labels of things that are somewhere (places, buildings, organisations, events).
LOCATED_TYPES = {"GPE", "LOC", "FAC", "ORG", "EVENT"}
#: Prepositions that place a noun: "the forum in Davos", "a lawyer from Lyon".
PLACE_PREPS = {"in": "be in", "at": "be at", "near": "be near", "from": "be from", "of": "be in"}
#: Common nouns for things that are somewhere: a facility, an institution, a gathering.
#: Other common nouns ("developments in Venezuela", "exports in March") are not located things.
LOCATED_NOUNS = {
    "airport", "base", "bank", "border", "branch", "building", "camp", "campus", "centre", "center", "church",
    "clinic", "company", "conference", "consulate", "court", "dam", "embassy", "factory", "facility", "farm",
    "field", "firm", "forum", "headquarters", "hospital", "hotel", "mine", "mosque", "museum", "office", "park",
    "plant", "port", "prison", "rally", "reactor", "refinery", "school", "shaft", "shop", "site", "stadium",
    "station", "store", "summit", "temple", "university", "warehouse", "meeting", "talks", "protest", "drill",
    "exercise", "festival", "ceremony", "hub", "lab", "laboratory", "institute", "fab", "mall", "market",
    "bureau", "agency", "ministry", "parliament", "assembly", "council", "school", "zone", "village", "town",
}
#: Head nouns that never take part in a located-in relation: people's numbers, time, quantities.
UNPLACED_HEADS = {"people", "time", "year", "day", "week", "month", "percent", "%", "part", "rest", "number",
                  "majority", "share", "lot", "one", "some", "most", "all", "many", "each", "half"}


def _head_type(tok) -> str:
    """The entity label of the phrase a token heads (its own, or a compound's: "Kyodo News agency")."""
    if tok.ent_type_:
        return tok.ent_type_
    named = [c for c in tok.children if c.dep_ == "compound" and c.ent_type_]
    return named[-1].ent_type_ if named else ""


def _located_lemma(head, prep: str) -> str:
    """"be based in" for an organisation in a place; "be in", "be at", "be from" for anything else."""
    lemma = PLACE_PREPS[prep]
    if _head_type(head) == "ORG" and prep in ("in", "of") and head.lemma_.lower() not in LOCATED_NOUNS:
        return "be based in"
    return lemma


def _is_place(tok) -> bool:
    return tok.ent_type_ in PLACE_TYPES


#: Nouns for where an organisation sits: "NRC headquarters in Rockville".
SEAT_NOUNS = {"headquarters", "seat", "base", "home"}
#: Nouns for a part of a place: "in the southeastern part of Rwanda" places a thing in Rwanda.
REGION_NOUNS = {"part", "area", "region", "outskirts", "edge", "side", "corner", "heart", "centre", "center",
                "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "suburb",
                "suburbs", "coast", "border", "interior"}


def _region_of(tok):
    """The place a region noun belongs to ("part of Rwanda" → Rwanda), else the token itself."""
    if tok.pos_ == "NOUN" and tok.lemma_.lower() in REGION_NOUNS:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    if pobj.dep_ == "pobj" and _is_place(pobj):
                        return pobj
    return tok


def _with_region(place) -> list:
    """A place and the larger places set beside it: "Miami, Fla." → [Miami, Fla.]."""
    return [place] + [c for c in place.children if c.dep_ == "appos" and _is_place(place) and _is_place(c)]


def _is_person(tok) -> bool:
    """A person's name, also one the tagger mislabelled but an age gives away ("Ferraro, 50, of Bethany")."""
    return tok.ent_type_ == "PERSON" or tok.pos_ == "PROPN" and any(
        c.dep_ == "appos" and c.like_num and c.text.isdigit() and 0 < int(c.text) < 120 for c in tok.children)


def listed_members(sent) -> Iterator[Relation]:
    """An organisation with its members in parentheses: "the Andean Group (Colombia, Bolivia and Peru)"
    → each –member of→ Andean Group."""
    doc = sent.doc
    for tok in tokens(sent):
        if tok.dep_ != "appos" or tok.head.ent_type_ != "ORG" or tok.i == 0 or doc[tok.i - 1].text != "(":
            continue
        members = [t for t in conjuncts(tok) if t.ent_type_ in ("GPE", "ORG", "PERSON") and t.i != tok.head.i]
        if len(members) >= 2:
            for m in members:
                yield Relation(m, tok.head, "member of", [], "listed-members", False, 0.55, None, text="(member of)")


def possessive_place(sent) -> Iterator[Relation]:
    """"Spain's Repsol" → Repsol –be based in→ Spain; "Tokyo's Haneda Airport" → –be in→ Tokyo."""
    for tok in tokens(sent):
        if tok.dep_ != "poss" or not _is_place(tok):
            continue
        head = tok.head
        if head.pos_ not in ("PROPN", "NOUN") or head.ent_type_ in SKIP_TYPES or head.ent_type_ == tok.ent_type_ == "":
            continue
        kind = _head_type(head)
        if kind not in LOCATED_TYPES and kind != "PRODUCT":
            continue
        if head.ent_type_ == "" and kind and head.lower_ in UNPLACED_HEADS:
            continue
        yield Relation(head, tok, "be based in" if kind == "ORG" else "be in", [], "possessive-place", False,
                       0.55, None, text="'s")


def possessive_member(sent) -> Iterator[Relation]:
    """"Macron's Renaissance party" → Macron –member of→ Renaissance party;
    "Alphabet's YouTube unit" → YouTube unit –be part of→ Alphabet."""
    for tok in tokens(sent):
        if tok.dep_ != "poss" or tok.head.pos_ not in ("NOUN", "PROPN"):
            continue
        head = tok.head
        if tok.ent_type_ == "PERSON" and (head.lemma_.lower() in ("party", "union", "movement", "faction", "bloc")
                                          or _head_type(head) == "ORG"):
            yield Relation(tok, head, "member of", [], "possessive-member", False, 0.5, None, text="'s")
        elif tok.ent_type_ == "ORG" and (head.lemma_.lower() in PART_NOUNS or _head_type(head) == "ORG"):
            yield Relation(head, tok, "be part of", [], "possessive-member", False, 0.5, None, text="'s")


#: Nouns for a part of an organisation: "Alphabet's YouTube unit", "Sony's music arm".
PART_NOUNS = {"unit", "subsidiary", "division", "arm", "affiliate", "branch", "brand", "label", "wing", "business"}


def compound_place(sent) -> Iterator[Relation]:
    """"the U.S. Congress", "Sun Hung Kai, a Hong Kong construction firm", "the Haitian Parliament"
    → organisation –be based in→ place."""
    for tok in tokens(sent):
        national = tok.ent_type_ == "NORP" and tok.dep_ in ("amod", "compound") and tok.head.ent_type_ == "ORG"
        if not national and (tok.dep_ != "compound" or not _is_place(tok) or tok.head.ent_type_ == tok.ent_type_):
            continue
        head = tok.head
        if head.dep_ == "appos" and head.head.ent_type_ == "ORG" and not head.ent_type_:
            head = head.head  # the organisation the apposition describes
        elif _head_type(head) != "ORG" and head.lemma_.lower() not in ("government", "firm", "company", "group"):
            continue
        # "the Haitian Parliament": a nationality outside the name says the country (resolved as for titles)
        yield Relation(head, tok, "be based in", [], "compound-place" + ("+nationality" if national else ""),
                       False, 0.5, None, text="(based in)")


def place_apposition(sent) -> Iterator[Relation]:
    """"Addis Ababa, Ethiopia" → Addis Ababa –be in→ Ethiopia; "Tainan in southern Taiwan" is prep-place."""
    doc = sent.doc
    for ent in entity_spans(sent):
        # any name: the tagger often takes a small place for a person or a firm ("Porto Alegre, Brazil")
        if ent.label_ in SKIP_TYPES or ent.root.pos_ != "PROPN" and ent.label_ not in PLACE_TYPES | {"FAC"}:
            continue
        nxt = ent.end
        if nxt + 1 >= sent.end or doc[nxt].text != ",":
            continue
        start = nxt + 1  # past a compass word outside the name: "Mohammadia, south-east Algeria"
        while start < sent.end and doc[start].lower_.replace("-", "") in PLACE_QUALIFIERS and not doc[start].ent_type_:
            start += 1
        place = next((e for e in entity_spans(sent) if e.start == start and e.label_ in PLACE_TYPES), None)
        if place is None:
            continue
        root, other = ent.root, place.root
        attached = other.head.i == root.i and (other.dep_ in ("appos", "npadvmod") or other.dep_ == "conj"
                                               and ent.label_ in PLACE_TYPES | {"FAC"})
        listed = any(c.dep_ == "cc" for t in conjuncts(root) for c in t.children) or any(
            c.dep_ == "cc" for c in other.children)
        after = doc[place.end] if place.end < sent.end else None
        closes = after is None or after.is_punct or after.lower_ in ("and", "or") and not listed
        if attached and (other.dep_ == "appos" or not listed) and closes:
            yield Relation(root, other, "be in", [], "place-apposition", False, 0.6, None, text="(in)")


def prep_place(sent) -> Iterator[Relation]:
    """"the forum in Davos", "Manufacturers Hanover Trust Co. of New York", "a Republican from Chicago"."""
    for prep in tokens(sent):
        if prep.dep_ != "prep" or prep.lower_ not in PLACE_PREPS:
            continue
        head = prep.head
        # "Derwinski, a Republican from Chicago", "Ferraro, 50, of Bethany": the person is from there
        described = head.head if head.dep_ == "appos" and _is_person(head.head) else None
        if described is not None and prep.lower_ in ("of", "from"):
            for place in (c for c in prep.children if c.dep_ == "pobj" and _is_place(c)):
                yield Relation(described, place, "be from", [prep], "prep-place", False, 0.5, None)
            continue
        if head.pos_ not in ("NOUN", "PROPN") or head.ent_type_ in SKIP_TYPES | {"NORP"}:
            continue
        if prep.lower_ == "from" and head.pos_ == "NOUN" and head.lemma_.lower() in GROUP_MEMBER_NOUNS:
            # "protesters from the Association of Mineworkers": people who come from an organisation
            orgs = [o for c in prep.children if c.dep_ == "pobj" and c.ent_type_ == "ORG" for o in conjuncts(c)]
            span = (min([c.left_edge.i for c in head.lefts] + [head.i]), head.i + 1)
            for org in orgs:
                yield Relation(head, org, "be from", [prep], "prep-place", False, 0.5, None, subj_span=span)
            if orgs:
                continue
        if head.lower_ in UNPLACED_HEADS or head.lemma_.lower() in PLACE_KIND_NOUNS and prep.lower_ == "of":
            continue
        if not _head_type(head) and head.pos_ != "PROPN" and head.lemma_.lower() not in LOCATED_NOUNS:
            continue  # a name the tagger missed is still placed; a common noun only if it names a located thing
        # "Brazoria, Fort Bend and Harris Counties in Texas": the place of the last holds for all
        first = head
        while first.dep_ == "conj" and first.head.ent_type_ in PLACE_TYPES:
            first = first.head
        group = conjuncts(first) if head.ent_type_ in PLACE_TYPES else [head]
        heads = group if prep.i > max(t.i for t in group) else [head]
        if head.lemma_.lower() in SEAT_NOUNS:  # "NRC headquarters in Rockville": the organisation is based there
            owner = [c for c in head.children if c.dep_ in ("compound", "poss") and c.ent_type_ == "ORG"]
            if owner:
                for pobj in (c for c in prep.children if c.dep_ == "pobj" and _is_place(c)):
                    yield Relation(owner[0], pobj, "be based in", [head, prep], "prep-place", False, 0.6, None)
                continue
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            for place in (r for p in conjuncts(pobj) for r in _with_region(_region_of(p))):
                if not _is_place(place) or place.ent_type_ == _head_type(head) and prep.lower_ == "of":
                    continue
                for other in heads:
                    if other.i != head.i and other.ent_type_ in PLACE_TYPES:
                        yield Relation(other, place, "be in", [prep], "prep-place", False, 0.5, None)
                if _is_person(head) and prep.lower_ in ("of", "from"):
                    yield Relation(head, place, "be from", [prep], "prep-place", False, 0.5, None)
                    continue  # "Virginia Towle of Wallingford"
                if prep.lower_ == "of" and _head_type(head) not in LOCATED_TYPES or head.ent_type_ == "PERSON":
                    continue  # "the people of England", "the economy of Peru": not a location
                # a common noun is named without the phrase that places it: "plant" of "plant in Mexico"
                span = None if head.ent_type_ else (min([c.left_edge.i for c in head.lefts] + [head.i]), head.i + 1)
                yield Relation(head, place, _located_lemma(head, prep.lower_), [prep], "prep-place", False,
                               0.5 if not head.ent_type_ else 0.55, None, subj_span=span)


def place_kind_apposition(sent) -> Iterator[Relation]:
    """A place described by a kind of place that is somewhere: "Leninakan, Armenia's second-largest city",
    "Bosnia's capital, Sarajevo", "Madagascar, an island nation in the Indian Ocean" → X –be in→ Y."""
    for tok in tokens(sent):
        if tok.dep_ != "appos":
            continue
        a, b = tok.head, tok
        pairs = [(a, b), (b, a)]  # the name may come first or second
        for place, kind in pairs:
            if not _is_place(place) or kind.pos_ != "NOUN" or kind.lemma_.lower() not in PLACE_KIND_NOUNS:
                continue
            # the kind says it is a place: a possessor the tagger took for a firm still is one
            owners = [c for c in kind.children if c.dep_ == "poss" and c.pos_ == "PROPN" and c.ent_type_]
            owners += [_region_of(o) for p, o in ((p, o) for p in kind.children if p.dep_ == "prep"
                                                  and p.lower_ in ("in", "of") for o in p.children
                                                  if o.dep_ == "pobj")]
            for owner in owners:
                if (_is_place(owner) or owner.dep_ == "poss") and owner.i != place.i:
                    lemma = "be capital of" if kind.lemma_.lower() == "capital" else "be in"
                    yield Relation(place, owner, lemma, [kind], "place-kind-apposition", False, 0.6, None,
                                   text=f"(is {kind.lemma_.lower()} in)")


def place_kind(sent) -> Iterator[Relation]:
    """"the Pacific coast city of Pisco" → Pisco –be→ Pacific coast city."""
    for noun in tokens(sent):
        if noun.pos_ != "NOUN" or noun.lemma_.lower() not in PLACE_KIND_NOUNS:
            continue
        for prep in (c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"):
            for place in (c for c in prep.children if c.dep_ == "pobj" and _is_place(c)):
                start = min([c.left_edge.i for c in noun.lefts if c.dep_ in ("amod", "compound", "nmod")]
                            + [noun.i])
                yield Relation(place, noun, "be", [], "place-kind", False, 0.6, None,
                               obj_span=(start, noun.i + 1), text="is")


def nationality(sent) -> Iterator[Relation]:
    """"Dutch researcher Anna de Vries", "the Chinese dissident Wei" → person –nationality→ Dutch.

    A nationality word that belongs to a title ("British Prime Minister David Cameron")
    is left to the role rules: there it names the country the title is of.
    """
    for ent in entity_spans(sent):
        if ent.label_ != "PERSON":
            continue
        root = ent.root
        words = [c for c in root.children if c.i < ent.start or c.i < root.i]
        words += [m for c in words if c.pos_ in ("NOUN", "PROPN") for m in c.children if m.i < c.i]
        for w in words:
            if w.ent_type_ == "NORP" and w.dep_ in ("amod", "compound", "nmod") and not _titled(w):
                yield Relation(root, w, "nationality", [], "nationality", False, 0.55, None, text="(nationality)")
                break


def _titled(norp) -> bool:
    """The nationality qualifies a title noun ("British Prime Minister"), not the person."""
    head = norp.head
    return head.pos_ in ("NOUN", "PROPN") and head.ent_type_ != "PERSON" and head.lower_ in _TITLE_HEADS


#: Titles a nationality word can qualify: "South Korean Foreign Minister".
_TITLE_HEADS = {"minister", "president", "premier", "chancellor", "ambassador", "envoy", "secretary", "king",
                "queen", "leader", "governor", "diplomat", "counterpart", "general", "commander", "chief",
                "spokesman", "spokeswoman", "spokesperson", "official", "lawmaker", "senator", "prince"}

def adjacent_place(sent) -> Iterator[Relation]:
    """"from Kassala in eastern Sudan", "people in Bugesera in the southeastern part of Rwanda": a name
    right before "in" + place is in that place, wherever the parser attached the phrase."""
    doc = sent.doc
    for prep in tokens(sent):
        if prep.dep_ != "prep" or prep.lower_ != "in" or prep.i == sent.start:
            continue
        before = doc[prep.i - 1]
        if before.ent_type_ not in LOCATED_TYPES - {"EVENT"} or before.ent_iob_ == "" or before.head.i == prep.i:
            continue
        if prep.head.i == before.i or before.ent_type_ == "ORG" and before.pos_ != "PROPN":
            continue  # attached to the name already: prep_place has it
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            place = _region_of(pobj)
            if _is_place(place) and place.i != before.i:
                yield Relation(before, place, _located_lemma(before, "in"), [prep], "prep-place", False, 0.5, None)


#: The rules of this module, in the order they run.
NOUN_PHRASE_RULES = (possessive_place, possessive_member, listed_members, compound_place, place_apposition, prep_place,
                     adjacent_place, place_kind_apposition, place_kind, nationality)
