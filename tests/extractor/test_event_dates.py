"""Event dates on triples, end to end on the real spaCy model, and their round trip through the record."""
import json

import pytest

from kg.extractor import triples_from_parses
from kg.nlp import load_model, pieces
from kg.records import Document, Triple

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def nlp():
    return load_model()


def extract(nlp, text, date=None):
    doc = Document("d", text, date=date)
    return triples_from_parses(doc, [(p, nlp(p.text)) for p in pieces(text)])


def dated(triples):
    return {(t.subject.name, t.predicate.lemma, t.object.name): t.event_date for t in triples}


# 2021-08-28 is a Saturday.
CASES = [
    ("weekday, past", "The United Nations condemned the missile test on Tuesday.", "2021-08-28",
     ("United Nations", "condemn", "missile test"), {"text": "Tuesday", "date": "2021-08-24", "end": None}),
    ("weekday, future", "Iraq's parliament will meet the president on Tuesday.", "2021-08-28",
     ("Iraq's parliament", "meet", "president"), {"text": "Tuesday", "date": "2021-08-31", "end": None}),
    ("yesterday", "Germany yesterday signed a trade agreement with Japan.", "2021-08-28",
     ("Germany", "sign", "trade agreement with Japan"), {"text": "yesterday", "date": "2021-08-27", "end": None}),
    ("month and year", "Microsoft acquired Nuance in February 2019.", "2021-08-28",
     ("Microsoft", "acquire", "Nuance"), {"text": "February 2019", "date": "2019-02", "end": None}),
    ("no document date", "Microsoft acquired Nuance last month.", None,
     ("Microsoft", "acquire", "Nuance"), {"text": "last month", "date": None, "end": None}),
    ("no date", "Microsoft acquired Nuance.", "2021-08-28", ("Microsoft", "acquire", "Nuance"), None),
    ("a date of a thing, not of the fact", "Canada set a firm pull-out date of December 2011.", "2008-03-14",
     ("Canada", "set", "firm pull-out date"), None),
    ("an age is no date", "Huang, 52, met the ambassador.", "2021-08-28", ("Huang", "meet", "ambassador"), None),
    ("a deadline lies ahead", "Troops must leave Kabul by March.", "2021-08-28",
     ("Troops", "leave", "Kabul"), {"text": "March", "date": "2022-03", "end": None}),
    ("a deadline weekday lies ahead", "Japan must decide the matter by Friday.", "2021-08-28",
     ("Japan", "decide", "matter"), {"text": "Friday", "date": "2021-09-03", "end": None}),
    ("a deadline of an infinitive under a past verb lies ahead", "The two firms hoped to close the merger by June 30.",
     "2019-08-07", ("two firms", "close", "merger"), {"text": "June 30", "date": "2020-06-30", "end": None}),
    ("a deadline told in the past is not guessed", "The government extended the ban until March.", "2021-08-28",
     ("government", "extend", "ban"), {"text": "March", "date": None, "end": None}),
]


@pytest.mark.parametrize("text, date, fact, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_event_date(nlp, text, date, fact, expected):
    found = dated(extract(nlp, text, date))
    assert fact in found, sorted(found)
    assert found[fact] == expected


def test_document_date_from_the_dateline_goes_into_doc(nlp):
    text = "TAIPEI, Jan. 16, 2022 (CNA) – Taiwan's cabinet approved the budget on Friday."
    triples = extract(nlp, text)
    assert triples and all(t.doc["date"] == "2022-01-16" for t in triples)
    assert dated(triples)[("Taiwan's cabinet", "approve", "budget")]["date"] == "2022-01-14"


def test_publication_line_dates_the_document_and_is_not_parsed(nlp):
    text = "Parties meet\nPublished 28 Aug 2021\nThe LDP met the DPP yesterday."
    triples = extract(nlp, text)
    assert triples and all(t.doc["date"] == "2021-08-28" and t.doc["published"] == "28 Aug 2021" for t in triples)
    assert all("Published" not in t.sentence for t in triples)
    assert {t.event_date["date"] for t in triples if t.predicate.lemma == "meet"} == {"2021-08-27"}


def test_metadata_date_is_kept_as_given(nlp):
    triples = extract(nlp, "SEOUL, Dec. 12 (Yonhap) -- Seoul approved the budget yesterday.", date="2021-12-12")
    assert triples and all(t.doc["date"] == "2021-12-12" for t in triples)
    assert dated(triples)[("Seoul", "approve", "budget")]["date"] == "2021-12-11"


def test_record_round_trip_and_undated_lines_unchanged(nlp):
    for t in extract(nlp, "Microsoft acquired Nuance yesterday. Apple hired Jane Doe.", "2021-08-28"):
        d = t.to_dict()
        assert ("event_date" in d) == (t.event_date is not None)
        assert Triple.from_dict(json.loads(json.dumps(d))) == t
    legacy = {k: v for k, v in t.to_dict().items() if k != "event_date"}
    assert Triple.from_dict(legacy).event_date is None
