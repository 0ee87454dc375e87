"""Datelines, bylines and kickers: the metadata that opens a news article.

"SEOUL, Dec. 12 (Yonhap) -- South Korean …" states where and by whom the story was
filed, not a fact: the place must never become a subject or an antecedent.
:func:`parse_dateline` finds such an opening at the start of a line and says where
the article's own text begins; :func:`kg.nlp.pieces` starts parsing there, and the
extractor records the place, agency and date text with the document.

Recognised openings (the place in capitals, or in title case when an agency in
parentheses follows it):

- ``SEOUL, Dec. 12 (Yonhap) --`` · ``BUENOS AIRES (Reuters) -`` · ``PISCO, Peru (Reuters) -``
- ``TAIPEI, Jan. 16 (CNA) –`` · ``WASHINGTON —`` · ``(Bloomberg) --``
- a kicker in capitals before a colon: ``UNRELENTING: China attempted …``
- a byline line on its own: ``By Jane Doe and John Roe``
- a publication line on its own: ``Published 28 Aug 2021`` · ``Updated: 2021-08-28 10:32 GMT``
  · ``Published: Saturday, August 28, 2021 at 10:32 AM`` (its date is the document's when the
  metadata has none, see :func:`kg.dates.document_date`)
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Optional

_MONTH = (r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?")
_CAPS_WORD = r"[A-Z][A-Z.'’\-]+"
_TITLE_WORD = r"[A-Z][a-zA-Z.'’\-]+"
_PLACE_CAPS = rf"{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{0,3}}"
_PLACE_TITLE = rf"{_TITLE_WORD}(?:\s+{_TITLE_WORD}){{0,2}}"
_REGION = rf"(?:,\s*(?P<region>{_TITLE_WORD}(?:\s+{_TITLE_WORD}){{0,2}}))"
_DATE = rf"(?:,?\s*(?P<date>{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?))"
_AGENCY = r"(?:\s*\((?P<agency>[A-Z][^()\n]{0,38})\))"
_DASH = r"\s*(?:--|[-–—])\s+"

_CAPS_DATELINE = re.compile(rf"(?P<place>{_PLACE_CAPS}){_REGION}?{_DATE}?{_AGENCY}?{_DASH}")
_TITLE_DATELINE = re.compile(rf"(?P<place>{_PLACE_TITLE}){_REGION}?{_DATE}?{_AGENCY}{_DASH}")
_AGENCY_ONLY = re.compile(rf"{_AGENCY}{_DASH}")
_KICKER = re.compile(r"[‘'\"“]?(?P<kicker>[A-Z][A-Z0-9 ,'’\-]{2,40}[A-Z0-9])[’'\"”]?:\s+(?=[A-Z‘'\"“])")
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Tues|Wed|Thu|Thurs|Fri|Sat|Sun)\.?,?\s+"
_PUBLISHED_DATE = (rf"(?P<date>(?:{_WEEKDAY})?(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
                   r"|\d{4}-\d{2}-\d{2}))")
# The rest of a publication line: a time, a zone, then anything after a separator ("| 3 min read").
_PUBLISHED_REST = (r"(?:\s*(?:,|at|-|–|—)?\s*(?:T?\d{1,2}[:.]\d\d(?::\d\d)?(?:\s*[ap]\.?m\.?)?)"
                   r"(?:\s*(?:[A-Z]{2,5}|Z)(?:\s*[+-]\d{1,2}(?::?\d\d)?)?)?)?\.?\s*(?:[|·].*)?")
_PUBLISHED = re.compile(r"(?:Published|Updated|Posted|Last updated|First published)(?:\s+on)?\s*:?\s+"
                        rf"{_PUBLISHED_DATE}{_PUBLISHED_REST}", re.IGNORECASE)
_BYLINE = re.compile(r"By\s+(?P<author>[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3}"
                     r"(?:(?:,\s*|\s+and\s+)[A-Z][\w.'’\-]*(?:\s+[A-Z][\w.'’\-]*){0,3})*)\s*$")


@dataclass(frozen=True)
class Dateline:
    """Metadata opening a line: ``text[start:end]`` is not part of the article's prose."""

    start: int
    end: int
    place: Optional[str] = None
    region: Optional[str] = None
    date: Optional[str] = None
    agency: Optional[str] = None
    kicker: Optional[str] = None
    author: Optional[str] = None
    #: A publication line ("Published 28 Aug 2021"): ``date`` is its date text.
    published: bool = False

    def meta(self) -> dict:
        """The fields found, for the document record (``None`` values left out)."""
        return {k: v for k, v in (("dateline_place", self.place), ("dateline_region", self.region),
                                  ("published" if self.published else "dateline_date", self.date),
                                  ("agency", self.agency), ("kicker", self.kicker), ("author", self.author)) if v}


def parse_dateline(line: str) -> Optional[Dateline]:
    """The dateline, kicker or byline opening ``line``, or ``None``.

    >>> line = "SEOUL, Dec. 12 (Yonhap) -- South Korean Foreign Minister Chung met Hayashi."
    >>> d = parse_dateline(line)
    >>> d.place, d.date, d.agency, line[d.end:d.end + 5]
    ('SEOUL', 'Dec. 12', 'Yonhap', 'South')
    >>> parse_dateline("PISCO, Peru (Reuters) - Peruvians looted pharmacies.").region
    'Peru'
    >>> parse_dateline("UNRELENTING: China attempted cyberattacks.").kicker
    'UNRELENTING'
    >>> parse_dateline("By Jane Doe and John Roe").author
    'Jane Doe and John Roe'
    >>> parse_dateline("Published: Saturday, August 28, 2021 at 10:32 AM").date
    'Saturday, August 28, 2021'
    >>> parse_dateline("Japan - the world's third economy - grew.") is None
    True
    """
    stripped = len(line) - len(line.lstrip())
    text = line[stripped:]
    m = _BYLINE.match(text)
    if m:
        return Dateline(stripped, len(line), author=m.group("author"))
    m = _PUBLISHED.fullmatch(text.rstrip())
    if m:
        return Dateline(stripped, len(line), date=m.group("date"), published=True)
    for pattern in (_CAPS_DATELINE, _TITLE_DATELINE):
        m = pattern.match(text)
        if m and (pattern is _TITLE_DATELINE or _all_caps(m.group("place"))):
            return Dateline(stripped, stripped + m.end(), place=m.group("place"), region=m.group("region"),
                            date=m.group("date"), agency=m.group("agency"))
    m = _AGENCY_ONLY.match(text)
    if m:
        return Dateline(stripped, stripped + m.end(), agency=m.group("agency"))
    m = _KICKER.match(text)
    if m and _all_caps(m.group("kicker")):
        return Dateline(stripped, stripped + m.end(), kicker=m.group("kicker"))
    return None


def _all_caps(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


#: How many non-empty lines at the top of a document may hold a headline, byline or dateline.
OPENING_LINES = 4


def openings(text: str) -> list[Dateline]:
    """The metadata openings at the top of a document, with offsets into ``text``.

    Headlines (lines without final punctuation), bylines and publication lines may come
    before the dateline; the first line of prose ends the search.

    >>> text = "Talks resume\\nBy Jane Doe\\nSEOUL (Yonhap) -- Talks resumed."
    >>> [(d.author or d.place, text[d.end:]) for d in openings(text)][1]
    ('SEOUL', 'Talks resumed.')
    """
    found, pos, seen = [], 0, 0
    for line in text.split("\n"):
        if line.strip():
            seen += 1
            d = parse_dateline(line)
            if d is not None:
                found.append(dataclasses.replace(d, start=pos + d.start, end=pos + d.end))
                if d.author is None and not d.published:
                    break  # the article's prose follows on this line
            elif line.rstrip()[-1:] in ".!?\"”’" or seen >= OPENING_LINES:
                break
        pos += len(line) + 1
    return found


def opening_meta(text: str) -> dict:
    """Document metadata read from the openings of ``text`` (place, agency, date, author, kicker)."""
    meta: dict = {}
    for d in openings(text):
        for k, v in d.meta().items():
            meta.setdefault(k, v)
    return meta
