"""Dates: the date of a document and the dates its sentences state, resolved offline.

Two questions, answered by pure functions over plain values:

- :func:`document_date`: when was this article written? From its metadata date, else
  its dateline ("SEOUL, Dec. 12 (Yonhap) --", whose year comes from the metadata), else
  a "Published 28 Aug 2021" / "Updated: 2021-08-28" line at its top.
- :func:`resolve`: what date does an expression ("yesterday", "on Tuesday", "last
  month", "in February 2019", "Jan. 15", "1910-45") stand for, given the document date?
  :func:`date_mentions` and :func:`event_date` apply it to the ``DATE`` entities of a
  parsed sentence.

Values are ISO strings of the precision the text states: ``2021-08-27`` (day),
``2021-08`` (month), ``2021`` (year); a week or a decade is a range (``value`` ..
``end_value``). An expression that cannot be resolved keeps its raw text and gets
``value=None``: no document date for a relative expression, vague time ("recently",
"at one time", "the past decade"), time relative to the story rather than to the
document ("the following day", "that week"), a duration ("two years") or an age.
Nothing here reads today's date.
"""
from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from .dateline import openings, parse_dateline

log = logging.getLogger(__name__)

__all__ = ["DateMention", "DocumentDate", "date_mentions", "day_bounds", "document_date", "event_date",
           "parse_date", "resolve"]

_MONTHS = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_WEEKDAYS = {name: i for i, names in enumerate(
    (("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thurs"),
     ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"))) for name in names}
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": None, "few": None}

_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WD = r"(?:(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
_ABSOLUTE = [re.compile(p) for p in (
    rf"{_YEAR}-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?:[t ][\d:.+\-z ]*)?",
    rf"{_YEAR}/(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})",
    rf"{_WD}{_MON}\s+{_DAY}(?:,?\s+{_YEAR})?",
    rf"{_WD}{_DAY}\s+(?:of\s+)?{_MON},?(?:\s+{_YEAR})?",
    rf"{_MON},?\s+{_YEAR}",
    rf"{_MON}",
    rf"{_YEAR}",
)]
# Words around an expression that do not change what it refers to.
_LEADING = re.compile(
    r"^(?:(?:on|in|at|by|during|since|from|until|till|through|throughout|of|as of|before|after|no later than|"
    r"the|this past|past|earlier|later|early|late|mid|middle|end|the end|beginning|the beginning|start|"
    r"the start|first half|second half|first quarter|second quarter|third quarter|fourth quarter|"
    r"spring|summer|autumn|fall|winter)(?:\s+|-|$)(?:of\s+)?)+")
_TRAILING = re.compile(r"(?<!last)(?<!this)(?:[\s,]+(?:morning|afternoon|evening|night|local time|at \S+ (?:a\.m\.|p\.m\.)|"
                       r"\d{1,2}(?::\d\d)? ?(?:a\.m\.|p\.m\.|am|pm|gmt|utc)))+$")
_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month",
          "year": "year", "years": "year"}
_AGO = re.compile(r"^(?P<n>\d+|[a-z]+)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago$")
_DURATION = re.compile(r"^(?:(?:the\s+)?(?:past|last|next|coming|previous|first|few|several|about|nearly|almost|"
                       r"more than|over|some|\d+|[a-z]+)\s+)*(?:\d+|[a-z]+)?[\s-]*"
                       r"(?:days?|nights?|weeks?|months?|years?|decades?|centuries|century|hours?|minutes?)(?:[\s-]+old|-long)?$")
_AGE = re.compile(r"\d+[\s-]+years?[\s-]+old|\baged?\b")
_RANGE = re.compile(r"^(?:between\s+|from\s+)?(?P<a>.+?)\s*(?:–|—|-|\s+to\s+|\s+and\s+|\s+through\s+|\s+until\s+)"
                    r"\s*(?P<b>.+)$")
_YEAR_RANGE = re.compile(r"^(?P<a>\d{4})\s*(?P<sep>[-–—/])\s*(?P<b>\d{2}|\d{4})$")
#: Words that make a date a deadline: it lies ahead of the document ("must leave by March").
_DEADLINE = re.compile(r"^(?:by|until|till|til|no later than|not later than)\b")
_DECADE = re.compile(r"^(?:the\s+)?(?P<y>\d{3}0)'?s$")


@dataclass(frozen=True)
class DateMention:
    """A date expression of a sentence: ``text`` at ``start:end`` (document offsets), resolved.

    ``value`` / ``end_value`` are ISO strings of the known ``precision`` (``day``, ``week``,
    ``month``, ``year``, ``decade``), or ``None`` when the expression stays raw.
    """

    text: str
    start: int
    end: int
    value: Optional[str] = None
    end_value: Optional[str] = None
    precision: Optional[str] = None

    def record(self) -> dict:
        """The form kept on a triple: ``{"text", "date", "end"}``."""
        return {"text": self.text, "date": self.value, "end": self.end_value}


@dataclass(frozen=True)
class DocumentDate:
    """The date of a document (ISO day or ``None``), where it came from and the text it was read from."""

    value: Optional[str]
    source: Optional[str] = None  # "metadata", "dateline" or "published"
    text: Optional[str] = None


def parse_date(text: str) -> Optional[tuple]:
    """``(year, month, day)`` of an absolute date written out, with ``None`` for the parts not stated.

    >>> parse_date("Dec. 12, 2021"), parse_date("28 Aug 2021"), parse_date("2021-08-28T10:00:00Z")
    ((2021, 12, 12), (2021, 8, 28), (2021, 8, 28))
    >>> parse_date("Jan. 15"), parse_date("February 2019"), parse_date("2019"), parse_date("soon")
    ((None, 1, 15), (2019, 2, None), (2019, None, None), None)
    """
    s = " ".join(text.strip().lower().replace("’", "'").split())
    for pattern in _ABSOLUTE:
        m = pattern.fullmatch(s)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["year"]) if g.get("year") else None
        month = int(g["m"]) if g.get("m") else (_MONTHS[g["mon"]] if g.get("mon") else None)
        day = int(g["d"]) if g.get("d") else (int(g["day"]) if g.get("day") else None)
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
            return None
        if year is not None and not 1000 <= year <= 2999:
            return None
        return (year, month, day)
    return None


def day_bounds(value: Optional[str]) -> Optional[tuple[str, str]]:
    """The first and last day (ISO) of a year, month or day as kg writes them; ``None`` for anything else.

    >>> day_bounds("2021"), day_bounds("2020-02"), day_bounds("2021-08-28"), day_bounds("soon")
    (('2021-01-01', '2021-12-31'), ('2020-02-01', '2020-02-29'), ('2021-08-28', '2021-08-28'), None)
    """
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value or "")
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2) and int(m.group(2)), m.group(3) and int(m.group(3))
    try:
        if day:
            return (date(year, month, day).isoformat(),) * 2
        if month:
            return date(year, month, 1).isoformat(), date(year, month, calendar.monthrange(year, month)[1]).isoformat()
    except ValueError:
        return None
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _iso_day(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def document_date(text: str, meta_date: Optional[str] = None) -> DocumentDate:
    """The date a document was written: metadata, else dateline (year from metadata), else a published line.

    >>> document_date("SEOUL, Dec. 12 (Yonhap) -- Talks resumed.", "2021")
    DocumentDate(value='2021-12-12', source='dateline', text='Dec. 12')
    >>> document_date("Published 28 Aug 2021\\nTalks resumed.").value
    '2021-08-28'
    >>> document_date("SEOUL, Dec. 12 (Yonhap) -- Talks resumed.").value is None
    True
    """
    meta = parse_date(re.sub(r"\s+\d{1,2}:\d\d.*$", "", meta_date)) if meta_date else None
    if meta and None not in meta:
        return DocumentDate(date(*meta).isoformat(), "metadata", meta_date)
    year = meta[0] if meta else None
    # The openings first; then a publication line further down the top of the text.
    lines = [parse_dateline(ln) for ln in [ln for ln in text.split("\n") if ln.strip()][:6]]
    for opening in [*openings(text), *(d for d in lines if d is not None and d.published)]:
        found = parse_date(opening.date) if opening.date else None
        if found and found[1] and found[2] and (found[0] or year):
            return DocumentDate(date(found[0] or year, found[1], found[2]).isoformat(),
                                "published" if opening.published else "dateline", opening.date)
    return DocumentDate(None)


def _number(word: str) -> Optional[int]:
    return int(word) if word.isdigit() else _NUMBERS.get(word)


def _month_add(d: date, months: int) -> tuple[int, int]:
    n = d.year * 12 + d.month - 1 + months
    return n // 12, n % 12 + 1


def _week(d: date) -> tuple[str, str, str]:
    monday = d - timedelta(days=d.weekday())
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "week"


def _absolute(s: str, doc: Optional[date], future: bool = False) -> Optional[tuple]:
    """(value, end, precision) of an absolute date, a missing year taken from the document date."""
    found = parse_date(s)
    if not found:
        return None
    year, month, day = found
    if year is None:
        if doc is None:
            return None
        year = doc.year
        # A month (and day) without a year is the latest one not after the document date,
        # or, said of the future, the first one not before it.
        if future and (month, day or 31) < (doc.month, doc.day):
            year += 1
        elif not future and (month, day or 1) > (doc.month, doc.day):
            year -= 1
    if day is not None:
        return date(year, month, day).isoformat(), None, "day"
    if month is not None:
        return f"{year:04d}-{month:02d}", None, "month"
    return f"{year:04d}", None, "year"


def _relative(s: str, doc: date, future: bool = False) -> Optional[tuple]:
    """(value, end, precision) of an expression relative to the document date."""
    if s in ("today", "tonight", "this morning", "this afternoon", "this evening", "now"):
        return doc.isoformat(), None, "day"
    if s in ("yesterday", "last night"):
        return (doc - timedelta(days=1)).isoformat(), None, "day"
    if s == "tomorrow":
        return (doc + timedelta(days=1)).isoformat(), None, "day"
    words = s.split()
    if words and words[-1].rstrip(".") in _WEEKDAYS and len(words) <= 2:
        wd = _WEEKDAYS[words[-1].rstrip(".")]
        back = (doc.weekday() - wd) % 7
        if len(words) == 1 and future:
            return (doc + timedelta(days=(wd - doc.weekday()) % 7)).isoformat(), None, "day"
        if len(words) == 1 or words[0] == "this" and back == 0:
            return (doc - timedelta(days=back)).isoformat(), None, "day"
        if words[0] == "last":
            return (doc - timedelta(days=back or 7)).isoformat(), None, "day"
        if words[0] == "next":
            return (doc + timedelta(days=(wd - doc.weekday()) % 7 or 7)).isoformat(), None, "day"
        return None
    if len(words) == 2 and words[0] in ("this", "last", "next") and words[1] in ("week", "month", "year"):
        step = {"this": 0, "last": -1, "next": 1}[words[0]]
        if words[1] == "week":
            return _week(doc + timedelta(weeks=step))
        if words[1] == "month":
            y, m = _month_add(doc, step)
            return f"{y:04d}-{m:02d}", None, "month"
        return f"{doc.year + step:04d}", None, "year"
    m = _AGO.match(s)
    if m:
        n = _number(m.group("n"))
        if n is None:
            return None
        unit = _UNITS[m.group("unit")]
        if unit == "day":
            return (doc - timedelta(days=n)).isoformat(), None, "day"
        if unit == "week":
            return _week(doc - timedelta(weeks=n))
        if unit == "month":
            y, mo = _month_add(doc, -n)
            return f"{y:04d}-{mo:02d}", None, "month"
        return f"{doc.year - n:04d}", None, "year"
    return None


def _normalise(text: str) -> str:
    s = " ".join(text.lower().replace("’", "'").replace("–", " – ").replace("—", " — ").split())
    s = s.replace(" – ", "–").replace(" — ", "—")
    s = _TRAILING.sub("", s)
    prev = None
    while prev != s:
        prev = s
        s = _LEADING.sub("", s).strip(" ,.")
        s = re.sub(r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day),?\s+(?=\S+\s+\d|\d)", "", s)
    return s


def _single(s: str, doc: Optional[date], future: bool = False) -> Optional[tuple]:
    found = _absolute(s, doc, future)
    if found is None and doc is not None:
        found = _relative(s, doc, future)
    return found


def resolve(text: str, doc_date: Optional[str], *, future: bool = False, past: bool = False) -> tuple:
    """``(value, end_value, precision)`` of a date expression against the document date (ISO or ``None``).

    A weekday or a month without a year is the latest one on or before the document date,
    or with ``future`` (the clause speaks of what will happen) the first one on or after it.
    A deadline ("by March", "until 2026", "no later than Friday") lies ahead: it resolves
    forward — unless ``past`` (the clause is in a past tense: "had left by March", "extended
    the ban until March") and reading it forward or back gives two dates: then it stays raw.
    Unresolvable expressions give ``(None, None, None)``.

    >>> resolve("yesterday", "2021-08-28"), resolve("last month", "2021-08-28")
    (('2021-08-27', None, 'day'), ('2021-07', None, 'month'))
    >>> resolve("1910-45", None), resolve("recently", "2021-08-28"), resolve("yesterday", None)
    (('1910', '1945', 'year'), (None, None, None), (None, None, None))
    >>> resolve("by March", "2021-08-28"), resolve("by March", "2021-08-28", past=True)
    (('2022-03', None, 'month'), (None, None, None))
    """
    if _DEADLINE.match(" ".join(text.lower().split())):
        ahead = _resolve(text, doc_date, future=True)
        if past and ahead != _resolve(text, doc_date, future=False):
            return None, None, None  # a deadline told in the past: met already, or still ahead?
        return ahead
    return _resolve(text, doc_date, future=future)


def _resolve(text: str, doc_date: Optional[str], *, future: bool = False) -> tuple:
    doc = _iso_day(doc_date)
    raw = " ".join(text.lower().split())
    if _AGE.search(raw):
        return None, None, None
    s = _normalise(text)
    if not s:
        return None, None, None
    m = _DECADE.match(s)
    if m:
        y = int(m.group("y"))
        return f"{y:04d}", f"{y + 9:04d}", "decade"
    m = _YEAR_RANGE.match(s)
    if m:
        a, b = int(m.group("a")), m.group("b")
        end = int(b) if len(b) == 4 else a // 100 * 100 + int(b)
        if end > a:
            return f"{a:04d}", f"{end:04d}", "year"
        if m.group("sep") == "-" and len(b) == 2 and 1 <= int(b) <= 12:
            return f"{a:04d}-{int(b):02d}", None, "month"  # ISO year-month, not a range
        return None, None, None
    found = _single(s, doc, future)
    if found is not None:
        return found
    if _DURATION.match(s):
        return None, None, None
    m = _RANGE.match(s)
    if m:
        return _range(m.group("a").strip(" ,"), m.group("b").strip(" ,"), doc, future)
    return None, None, None


def _range(a: str, b: str, doc: Optional[date], future: bool = False) -> tuple:
    """A range "March and May", "Jan. 5-7", "2010 to 2015": the end resolved first, the start in its year."""
    b = _normalise(b)
    a = _normalise(a)
    pa = parse_date(a)
    short = re.fullmatch(r"(\d{1,2})(?:,?\s+(\d{4}))?", b)
    if pa and pa[2] is not None and short:  # "Jan. 5-7", "March 3 to 5, 2020": the end shares the start's month
        b = f"{calendar.month_name[pa[1]]} {short.group(1)}" + (f" {short.group(2) or pa[0]}"
                                                               if short.group(2) or pa[0] else "")
    end = _single(b, doc, future)
    if end is None:
        return None, None, None
    end_year = int(end[0][:4])
    pa = parse_date(a)
    if pa is None and a.isdigit() and end[2] == "day":  # "Jan. 5-7": the start shares the end's month
        pa = (None, int(end[0][5:7]), int(a))
        if not 1 <= pa[2] <= 31:
            return None, None, None
    if pa is None:
        return None, None, None
    year, month, day = pa
    if year is None:
        year = end_year
        pb = parse_date(b) or (end_year, None, None)
        if month is not None and pb[1] is not None and (month, day or 1) > (pb[1], pb[2] or 1):
            year -= 1
    try:
        start = _compose(year, month, day)
    except ValueError:
        return None, None, None
    precision = "day" if day is not None else "month" if month is not None else "year"
    return start, end[0] if end[1] is None else end[1], precision if precision == end[2] else end[2]


def _compose(year: int, month: Optional[int], day: Optional[int]) -> str:
    if day is not None:
        return date(year, month, day).isoformat()
    if month is not None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def date_mentions(sentence, doc_date: Optional[str], *, offset: int = 0) -> list[DateMention]:
    """The ``DATE`` entities of a parsed sentence (a spaCy ``Span``), resolved against ``doc_date``.

    ``offset`` is added to the character offsets (the piece's place in the document).
    """
    out = []
    for ent in sentence.ents:
        if ent.label_ != "DATE":
            continue
        value, end, precision = resolve(ent.text, doc_date)
        out.append(DateMention(ent.text, ent.start_char + offset, ent.end_char + offset, value, end, precision))
    return out


_CLAUSE_POS = {"VERB", "AUX"}
_CHAIN_DEPS = {"xcomp", "aux", "auxpass"}
_EVENT_PREPS = {"on", "in", "at", "during"}
_FUTURE_AUX = {"will", "wo", "'ll", "’ll", "shall"}
_FUTURE_HEADS = {"plan", "schedule", "due", "set", "expect", "intend", "aim", "prepare"}  # "is due to meet"


def _clause_head(ent):
    """The verb the date entity ``ent`` modifies, or ``None`` when it dates a thing rather than a fact.

    Prepositions may stand between them ("met *on* Tuesday", "took power *in* 1949"), and
    one noun when the date hangs on it by on/in/at/during ("during the meeting on
    Saturday", "unveiled plans on Monday"); other paths through a noun date that thing
    ("a pull-out date of December 2011", "Thursday's vote", "a 1965 treaty").
    """
    t, nouns = ent.root, 0
    first_prep = ent.root.head if ent.root.dep_ == "pobj" else None
    while t.head.i != t.i:
        t = t.head
        if t.pos_ in _CLAUSE_POS:
            return t
        if ent.start <= t.i < ent.end or t.pos_ == "ADP":
            continue
        nouns += 1
        if nouns > 1 or first_prep is None or first_prep.lower_ not in _EVENT_PREPS or t.i != first_prep.head.i:
            return None
    return None


def event_date(sentence, verbs, doc_date: Optional[str], *, offset: int = 0) -> Optional[DateMention]:
    """The date expression of ``sentence`` whose clause is headed by one of ``verbs`` (tokens), resolved.

    A date inside the clause (on the verb through ``prep``/``npadvmod``, or on a word of
    the clause) counts; an age or a duration does not. Resolved dates come before raw
    ones, dates on the verb itself before dates deeper in the clause. A clause in the
    future ("will meet on Tuesday", "is due to vote in May") resolves forward.
    """
    chain = {}
    for v in verbs:
        if v is None:
            continue
        chain[v.i] = v
        t = v
        while t.dep_ in _CHAIN_DEPS and t.head.i != t.i:  # "pledged to support": the date may sit on "pledged"
            t = t.head
            chain[t.i] = t
    if not chain:
        return None
    heads = set(chain)
    future = any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for t in chain.values() for c in t.children) or any(
        t.lemma_ in _FUTURE_HEADS and any(c.dep_ == "xcomp" and c.i in heads for c in t.children)
        for t in chain.values())
    best = None
    for ent in sentence.ents:
        head = _clause_head(ent) if ent.label_ == "DATE" else None
        if head is None or head.i not in heads:
            continue
        # "by March": the deadline word is the preposition before the entity
        prep = ent.root.head if ent.root.dep_ == "pobj" and ent.root.head.i == ent.start - 1 else None
        said = f"{prep.lower_} {ent.text}" if prep is not None and _DEADLINE.match(prep.lower_) else ent.text
        value, end, precision = resolve(said, doc_date, future=future, past=not future and _past_tense(head))
        if value is None and _is_not_a_date(ent.text):
            continue
        rank = (value is None, ent.root.head.i not in heads, ent.start)
        if best is None or rank < best[0]:
            best = (rank, DateMention(ent.text, ent.start_char + offset, ent.end_char + offset, value, end,
                                      precision))
    return best[1] if best else None


def _past_tense(verb) -> bool:
    """The verb is in a past tense ("extended", "had left"), not an infinitive under one ("hoped to have")."""
    return verb.tag_ == "VBD" or verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have"
                                                            for c in verb.children)


def _is_not_a_date(text: str) -> bool:
    """An age or a duration ("58-year-old", "two years", "the past decade"): a DATE entity but no point in time."""
    if resolve(text, "2000-01-01")[0] is not None:  # a date relative to the document ("last month")
        return False
    raw = " ".join(text.lower().split())
    return bool(raw.isdigit() and len(raw) < 4 or _AGE.search(raw) or _DURATION.match(_normalise(raw)) and not _AGO.match(_normalise(raw))
                or raw.startswith(("for ", "within ", "over the ")) or raw in ("annual", "weekly", "daily"))
