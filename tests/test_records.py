"""kg.records: the triple record contract (NOTES §3) is checked field by field, types included."""
import json
from pathlib import Path

import pytest

from kg.records import Triple, clean_field

DATA = Path(__file__).parent / "data" / "triples_small.jsonl"
GOOD = json.loads(DATA.read_text(encoding="utf-8").splitlines()[0])


def edited(path: str, value):
    """GOOD with one field (dotted path) replaced; ``...`` removes it."""
    rec = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    d = rec
    for p in parents:
        d = d[p]
    if value is ...:
        del d[last]
    else:
        d[last] = value
    return rec


@pytest.mark.parametrize("path, value, reason", [
    ("negated", "false", "negated is a string, not true or false"),
    ("negated", 0, "negated is a number, not true or false"),
    ("subject.name", ["LDP"], "subject.name is a list, not a string"),
    ("object.key", {"k": 1}, "object.key is an object, not a string"),
    ("predicate.lemma", 3, "predicate.lemma is a number, not a string"),
    ("doc_id", "d\ud800", "doc_id has a lone surrogate (U+D800 at character 1)"),
    ("sentence", "x\udc80", "sentence has a lone surrogate"),
    ("confidence", "0.9", "confidence is a string, not a number"),
    ("confidence", 1.5, "confidence 1.5 is not between 0 and 1"),
    ("confidence", float("nan"), "confidence is a number, not a number"),
    ("subject.start", "3", "subject.start is a string, not a whole number"),
    ("subject.end", True, "subject.end is a boolean, not a whole number"),
    ("object.start", -1, "object.start is a number, not a whole number of 0 or more"),
    ("speaker", "Lo", "speaker is a string, not an object"),
    ("speaker", {"name": "Lo"}, "speaker.key is missing"),
    ("sentence_id", ..., "sentence_id is missing"),
    ("subject", ..., "subject is missing"),
    ("doc_id", "  ", "doc_id is empty"),
    ("doc", ["title"], "doc is a list, not an object"),
    ("doc", {"title": ["a", "b"]}, "doc.title is a list, not a string"),
])
def test_a_record_that_breaks_the_contract_names_the_field(path, value, reason):
    with pytest.raises(ValueError) as exc:
        Triple.from_dict(edited(path, value))
    assert str(exc.value).startswith(reason)


@pytest.mark.parametrize("record", [None, [], "x", 3])
def test_a_record_that_is_not_an_object_is_refused(record):
    with pytest.raises(ValueError, match="not an object"):
        Triple.from_dict(record)


def test_optional_fields_take_their_defaults_and_good_records_round_trip():
    t = Triple.from_dict(edited("negated", ...) | {"speaker": None, "confidence": None, "rule": None})
    assert (t.negated, t.speaker, t.confidence, t.rule) == (False, None, 0.5, "")
    assert Triple.from_dict(GOOD).to_dict() == GOOD


def test_ids_and_text_fields_lose_control_characters_and_line_breaks_once():
    t = Triple.from_dict(edited("doc_id", "a\x1fb") | {"doc": {"title": "two\nlines\r\t=HYPERLINK(\"x\")"}})
    assert t.doc_id == "a b" and t.doc["title"] == 'two lines  =HYPERLINK("x")'
    assert clean_field(clean_field("a\u2028b\x00")) == "a b "
    assert Triple.from_dict(t.to_dict()) == t
