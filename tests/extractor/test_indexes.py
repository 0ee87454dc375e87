"""The resolver's look-up tables give exactly what a scan of every entity or mention gives."""
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extractor.acronyms import initials
from kg.extractor.entities import Entity, Mention
from kg.extractor.indexes import EntityIndex, OrganisationMentions
from kg.records import normalise_name

WORDS = ["Lo", "Sato", "Chih", "South", "Korea", "Japan", "Japanese", "Bank", "Central", "Taiwan", "Tai",
         "China", "Venezuela", "Ministry", "Foreign", "Affairs", "of", "the", "LDP", "Liberal", "Democratic", "Party"]
TYPES = ["PERSON", "ORG", "GPE", "LOC", "NORP"]

names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
entities = st.lists(st.tuples(names, st.sampled_from(TYPES)), max_size=25)


def indexed(found):
    """The entities in naming order (one per normalised name, as the resolver keeps them) and their index."""
    by_name, index = {}, EntityIndex()
    for name, type_ in found:
        if normalise_name(name) not in by_name:
            by_name[normalise_name(name)] = Entity(name, type_)
            index.add(by_name[normalise_name(name)])
    return list(by_name.values()), index


def scan_short_name(entities, words, places):
    targets = ("GPE", "LOC") if places else ("PERSON",)
    hits = [e for e in entities if e.type in targets
            and len(normalise_name(e.name).split()) > len(words)
            and (normalise_name(e.name).split()[-len(words):] == words
                 or normalise_name(e.name).split()[:len(words)] == words)]
    return hits[-1] if len({h.name for h in hits}) == 1 else None


def scan_initialism(entities, name):
    hits = {e.key: e for e in entities if e.type == "ORG" and initials(e.name) == name}
    return next(iter(hits.values())) if len(hits) == 1 else None


def places_fitting(entities, demonym):
    """Places whose name shares 4 letters or more with the demonym, all but at most its last letter."""
    out = []
    for e in entities:
        place = normalise_name(e.name)
        common = next((i for i, (a, b) in enumerate(zip(place, demonym)) if a != b), min(len(place), len(demonym)))
        if e.type in ("GPE", "LOC") and common >= 4 and common >= len(place) - 1:
            out.append(e)
    return out


@settings(max_examples=300, deadline=None)
@given(entities, names, st.booleans())
def test_short_names_are_the_scans(found, query, places):
    known, index = indexed(found)
    words = normalise_name(query).split()[:2]
    assert index.short_name(words, places) is scan_short_name(known, words, places)


@settings(max_examples=300, deadline=None)
@given(entities, st.sampled_from(["LDP", "CB", "TSM", "BCJ", "MFA", "SK"]))
def test_initialisms_and_keys_are_the_scans(found, acronym):
    known, index = indexed(found)
    assert index.initialism(acronym) is scan_initialism(known, acronym)
    for e in known:
        assert index.by_key(e.key) is next(x for x in known if x.key == e.key)
    assert index.by_key("org:nobody") is None


@settings(max_examples=300, deadline=None)
@given(entities, st.sampled_from(["japanese", "taiwanese", "korean", "venezuelan", "chinese", "south korean", "tai"]))
def test_places_like_a_demonym_hold_every_fitting_place_in_naming_order(found, demonym):
    known, index = indexed(found)
    candidates = index.places_like(demonym)
    assert [e for e in candidates if e in places_fitting(known, demonym)] == places_fitting(known, demonym)
    assert candidates == [e for e in known if e in candidates]


def test_a_place_one_letter_longer_than_the_shared_part_is_found():
    _, index = indexed([("Venezuela", "GPE"), ("Japan", "GPE"), ("China", "GPE"), ("Venezuela Bank", "ORG")])
    assert [e.name for e in index.places_like("venezuelan")] == ["Venezuela"]
    assert [e.name for e in index.places_like("japanese")] == ["Japan"]
    assert [e.name for e in index.places_like("chinese")] == ["China"]
    assert index.places_like("jap") == []


mention_lists = st.lists(st.lists(st.tuples(names, st.sampled_from(["ORG", "PERSON"])), max_size=4), max_size=8)


@settings(max_examples=300, deadline=None)
@given(mention_lists, st.sampled_from(["bank", "ministry", "party", "lo", "affairs"]), st.data())
def test_latest_organisation_mention_is_the_backward_scan(sentences, lemma, data):
    mentions = [[Mention(k, 2 * i, Entity(name, type_), False, False) for i, (name, type_) in enumerate(s)]
                for k, s in enumerate(sentences)]
    si = data.draw(st.integers(0, max(0, len(mentions) - 1)))
    token = data.draw(st.integers(0, 9))
    expected = None
    for k in range(min(si, len(mentions) - 1), -1, -1):
        for m in reversed(mentions[k]):
            if k == si and m.token_index >= token:
                continue
            words = normalise_name(m.entity.name).split()
            if m.entity.type == "ORG" and (words[-1:] == [lemma] or words[:1] == [lemma]):
                expected = m.entity
                break
        if expected is not None:
            break
    assert OrganisationMentions(mentions).latest(lemma, si, token) is expected
