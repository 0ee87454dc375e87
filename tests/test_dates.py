"""Date expressions resolved against a document date: one table, one row per expression."""
import pytest

from kg.dateline import opening_meta, parse_dateline
from kg.dates import document_date, parse_date, resolve
from kg.nlp import pieces

# (kind, expression, document date, expected value, expected end)
# 2021-08-28 is a Saturday; 2021-12-12 a Sunday; 2021-01-05 a Tuesday.
ROWS = [
    # relative days
    ("relative", "yesterday", "2021-08-28", "2021-08-27", None),
    ("relative", "today", "2021-08-28", "2021-08-28", None),
    ("relative", "tomorrow", "2021-08-31", "2021-09-01", None),
    ("relative", "last night", "2021-03-01", "2021-02-28", None),
    ("relative", "yesterday afternoon", "2021-01-01", "2020-12-31", None),
    ("relative", "on Tuesday", "2021-08-28", "2021-08-24", None),
    ("relative", "Saturday", "2021-08-28", "2021-08-28", None),
    ("relative", "last Saturday", "2021-08-28", "2021-08-21", None),
    ("relative", "Tuesday night", "2021-08-28", "2021-08-24", None),
    ("relative", "next Monday", "2021-08-28", "2021-08-30", None),
    ("relative", "three days ago", "2021-08-28", "2021-08-25", None),
    # relative weeks, months, years
    ("relative", "last week", "2021-08-28", "2021-08-16", "2021-08-22"),
    ("relative", "this week", "2021-08-28", "2021-08-23", "2021-08-29"),
    ("relative", "last month", "2021-08-28", "2021-07", None),
    ("relative", "last month", "2021-01-05", "2020-12", None),
    ("relative", "earlier this month", "2021-08-28", "2021-08", None),
    ("relative", "next month", "2021-12-12", "2022-01", None),
    ("relative", "earlier this year", "2021-08-28", "2021", None),
    ("relative", "late last year", "2021-08-28", "2020", None),
    ("relative", "two years ago", "2021-08-28", "2019", None),
    ("relative", "six months ago", "2021-03-01", "2020-09", None),
    # absolute, with or without a year
    ("absolute", "in February 2019", None, "2019-02", None),
    ("absolute", "on Jan. 15", "2021-08-28", "2021-01-15", None),
    ("absolute", "Dec. 12", "2021-12-12", "2021-12-12", None),
    ("absolute", "Dec. 12", "2021-08-28", "2020-12-12", None),
    ("absolute", "in May", "2021-01-05", "2020-05", None),
    ("absolute", "2019", None, "2019", None),
    ("absolute", "in 2019", "2021-08-28", "2019", None),
    ("absolute", "Sept. 11, 2001", None, "2001-09-11", None),
    ("absolute", "15 January 2020", None, "2020-01-15", None),
    ("absolute", "March 3rd", "2021-08-28", "2021-03-03", None),
    ("absolute", "Monday, Dec. 6", "2021-12-12", "2021-12-06", None),
    ("absolute", "mid-2019", None, "2019", None),
    ("absolute", "the end of March", "2021-08-28", "2021-03", None),
    ("absolute", "2021-08-27", None, "2021-08-27", None),
    # ranges
    ("range", "1910-45", None, "1910", "1945"),
    ("range", "1939–1945", None, "1939", "1945"),
    ("range", "2010-11", None, "2010", "2011"),
    ("range", "between 2010 and 2015", None, "2010", "2015"),
    ("range", "from 2010 to 2015", None, "2010", "2015"),
    ("range", "between March and May", "2021-08-28", "2021-03", "2021-05"),
    ("range", "between March and May", "2021-04-01", "2020-03", "2020-05"),
    ("range", "Jan. 5-7", "2021-08-28", "2021-01-05", "2021-01-07"),
    ("range", "March 3 to 5, 2020", None, "2020-03-03", "2020-03-05"),
    ("range", "the 1990s", None, "1990", "1999"),
    # deadlines lie ahead of the document
    ("deadline", "by March", "2021-08-28", "2022-03", None),
    ("deadline", "by March", "2021-03-15", "2021-03", None),  # the month of the document: this March
    ("deadline", "until 2026", "2021-08-28", "2026", None),
    ("deadline", "by Friday", "2021-08-28", "2021-09-03", None),
    ("deadline", "until Dec. 20", "2021-12-12", "2021-12-20", None),
    ("deadline", "no later than Jan. 15", "2021-08-28", "2022-01-15", None),
    ("deadline", "by the end of March", "2021-08-28", "2022-03", None),
    ("deadline", "until next month", "2021-08-28", "2021-09", None),
    ("deadline", "till 2019", "2021-08-28", "2019", None),  # a stated year is kept, even behind the document
    # ambiguous: one reading chosen, by rule
    ("ambiguous", "2019-03", None, "2019-03", None),  # ISO year-month, not 2019 to 2003
    ("ambiguous", "Dec. 20", "2021-12-12", "2020-12-20", None),  # a day after the document date: the year before
    ("ambiguous", "Tuesday", "2021-08-31", "2021-08-31", None),  # the document's own weekday: that day
    # unresolvable: stays raw
    ("raw", "yesterday", None, None, None),
    ("raw", "on Tuesday", None, None, None),
    ("raw", "last month", None, None, None),
    ("raw", "Jan. 15", None, None, None),
    ("raw", "recently", "2021-08-28", None, None),
    ("raw", "at one time", "2021-08-28", None, None),
    ("raw", "the following day", "2021-08-28", None, None),
    ("raw", "that week", "2021-08-28", None, None),
    ("raw", "two years", "2021-08-28", None, None),
    ("raw", "the past decade", "2021-08-28", None, None),
    ("raw", "58-year-old", "2021-08-28", None, None),
    ("raw", "decades", "2021-08-28", None, None),
    ("raw", "the 19th century", None, None, None),
    ("raw", "several weeks ago", "2021-08-28", None, None),
    ("raw", "Feb. 30", "2021-08-28", None, None),
    ("raw", "2019–2003", None, None, None),
    ("raw", "by March", None, None, None),
    ("raw", "by then", "2021-08-28", None, None),
    ("raw", "until further notice", "2021-08-28", None, None),
    ("raw", "until recently", "2021-08-28", None, None),
    ("raw", "by the end of the year", "2021-08-28", None, None),
]


@pytest.mark.parametrize("kind, text, doc_date, value, end", ROWS,
                         ids=[f"{k}:{t}@{d}" for k, t, d, _, _ in ROWS])
def test_resolve_table(kind, text, doc_date, value, end):
    got_value, got_end, precision = resolve(text, doc_date)
    assert (got_value, got_end) == (value, end)
    assert (precision is None) == (value is None)


def test_table_size():
    assert len(ROWS) >= 30
    assert sum(1 for row in ROWS if row[0] == "raw") >= 10


def test_table_precision():
    right = sum(resolve(t, d)[:2] == (v, e) for _, t, d, v, e in ROWS)
    raw = [row for row in ROWS if row[0] == "raw"]
    kept_raw = sum(resolve(t, d)[0] is None for _, t, d, _, _ in raw)
    print(f"\ndate table: {right}/{len(ROWS)} resolved right; {kept_raw}/{len(raw)} unresolvable rows kept raw")
    assert right == len(ROWS) and kept_raw == len(raw)


def test_deterministic_and_no_clock():
    assert resolve("yesterday", "2021-08-28") == resolve("yesterday", "2021-08-28")
    assert resolve("today", None) == (None, None, None)


@pytest.mark.parametrize("text, meta, value, source", [
    ("Talks resumed.", "2021-12-12", "2021-12-12", "metadata"),
    ("Talks resumed.", "2021-12-12T08:30:00Z", "2021-12-12", "metadata"),
    ("Talks resumed.", "Sun, 12 Dec 2021 08:30:00 +0000", "2021-12-12", "metadata"),
    ("Talks resumed.", "December 12, 2021", "2021-12-12", "metadata"),
    ("SEOUL, Dec. 12 (Yonhap) -- Talks resumed.", "2021-12-13", "2021-12-13", "metadata"),
    ("SEOUL, Dec. 12 (Yonhap) -- Talks resumed.", "2021", "2021-12-12", "dateline"),
    ("TAIPEI, Jan. 16, 2022 (CNA) – Talks resumed.", None, "2022-01-16", "dateline"),
    ("SEOUL, Dec. 12 (Yonhap) -- Talks resumed.", None, None, None),
    ("Headline here\nPublished 28 Aug 2021\nTalks resumed.", None, "2021-08-28", "published"),
    ("Updated: 2021-08-28 10:32 GMT\nTalks resumed.", None, "2021-08-28", "published"),
    ("Published: Saturday, August 28, 2021 at 10:32 AM\nTalks resumed.", None, "2021-08-28", "published"),
    ("Talks resumed.", "12/08/2021", None, None),  # day/month order unknown: not guessed
    ("Talks resumed.\nPublished 28 Aug 2021", None, "2021-08-28", "published"),
    ("Talks resumed.", None, None, None),
])
def test_document_date(text, meta, value, source):
    got = document_date(text, meta)
    assert (got.value, got.source) == (value, source)


def test_parse_date_rejects_impossible_dates():
    assert parse_date("2021-02-30") is None
    assert parse_date("Feb. 29, 2020") == (2020, 2, 29)


@pytest.mark.parametrize("text, doc_date, value", [
    ("on Tuesday", "2021-08-28", "2021-08-31"),  # "will meet on Tuesday"
    ("Saturday", "2021-08-28", "2021-08-28"),
    ("Dec. 20", "2021-12-12", "2021-12-20"),
    ("in May", "2021-08-28", "2022-05"),
    ("in August", "2021-08-28", "2021-08"),
    ("next month", "2021-08-28", "2021-09"),
    ("yesterday", None, None),
])
def test_resolve_future(text, doc_date, value):
    assert resolve(text, doc_date, future=True)[0] == value


@pytest.mark.parametrize("text, doc_date, value", [
    ("by March", "2021-08-28", None),  # "had left by March" or "extended the ban until March": not guessed
    ("until Friday", "2021-08-28", None),
    ("by March", "2021-03-15", "2021-03"),  # both readings agree
    ("until 2026", "2021-08-28", "2026"),  # a year stated in full is no guess
    ("by Dec. 20, 2021", "2021-12-12", "2021-12-20"),
    ("in March", "2021-08-28", "2021-03"),  # not a deadline: the past reading as always
])
def test_deadline_in_a_past_clause_stays_raw_when_ambiguous(text, doc_date, value):
    assert resolve(text, doc_date, past=True)[0] == value


@pytest.mark.parametrize("line, date", [
    ("Published 28 Aug 2021", "28 Aug 2021"),
    ("Updated: 2021-08-28 10:32 GMT", "2021-08-28"),
    ("Published: Saturday, August 28, 2021 at 10:32 AM", "Saturday, August 28, 2021"),
    ("Last updated on Aug. 28, 2021, 10:32 a.m. | 3 min read", "Aug. 28, 2021"),
    ("  Posted 28 August 2021 09:15 UTC+8", "28 August 2021"),
])
def test_a_publication_line_is_an_opening_not_prose(line, date):
    d = parse_dateline(line)
    assert d is not None and d.published and d.date == date and d.end == len(line)
    text = f"Talks resume\n{line}\nTAIPEI (CNA) – Lo met Sato.\nThey talked."
    assert [p.text for p in pieces(text)] == ["Talks resume", "Lo met Sato.", "They talked."]
    assert opening_meta(text)["published"] == date and opening_meta(text)["dateline_place"] == "TAIPEI"


@pytest.mark.parametrize("line", [
    "Posted on the wall were the names of the dead.",
    "Updated figures on Aug. 28, 2021 showed growth.",
    "Published 28 Aug 2021, the report found rising debt.",
])
def test_prose_that_starts_like_a_publication_line_stays_prose(line):
    assert parse_dateline(line) is None
    assert [p.text for p in pieces(line)] == [line]
