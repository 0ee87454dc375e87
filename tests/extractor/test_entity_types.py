"""One type per name in a document: the tagger's majority vote (no model needed)."""
import spacy
from spacy.tokens import Span

from kg.extractor.entity_types import harmonise_entity_types


def _doc(nlp, text, labelled):
    doc = nlp(text)
    ents = []
    for word, label in labelled:
        i = [t.text for t in doc].index(word)
        ents.append(Span(doc, i, i + 1, label=label))
    doc.ents = ents
    return doc


def test_the_majority_type_wins_across_the_pieces_of_a_document():
    nlp = spacy.blank("en")
    a = _doc(nlp, "The capsule reached Sagamihara on Tuesday.", [("Sagamihara", "GPE"), ("Tuesday", "DATE")])
    b = _doc(nlp, "Fans waited in Sagamihara.", [("Sagamihara", "GPE")])
    c = _doc(nlp, "At a news conference in Sagamihara, Kuninaka spoke.", [("Sagamihara", "PERSON"), ("Kuninaka", "PERSON")])
    assert harmonise_entity_types([a, b, c]) == 1
    assert [(e.text, e.label_) for e in c.ents] == [("Sagamihara", "GPE"), ("Kuninaka", "PERSON")]
    assert [(e.text, e.label_) for e in a.ents] == [("Sagamihara", "GPE"), ("Tuesday", "DATE")]


def test_a_tie_changes_nothing():
    nlp = spacy.blank("en")
    a = _doc(nlp, "Velora bought Castell.", [("Velora", "PERSON")])
    b = _doc(nlp, "Velora said so.", [("Velora", "ORG")])
    assert harmonise_entity_types([a, b]) == 0
    assert [e.label_ for e in a.ents] == ["PERSON"] and [e.label_ for e in b.ents] == ["ORG"]
