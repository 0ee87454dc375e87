"""Names in parentheses that stand for a longer name: acronyms, stock tickers, native-script names.

"the Comprehensive and Progressive Agreement for Trans-Pacific Partnership (CPTPP)" defines
CPTPP; "Repsol (REP.MC)" gives Repsol's ticker; "Lo Chih-cheng (羅致政)" its name in Chinese.
These pure functions decide what text is an alias and where its long form starts; the
resolver (:mod:`.resolve`) keeps what they find for the whole document.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from .vocab import LEADING_STRIP

#: A stock ticker with its exchange: "REP.MC", "YPFD.BA", "7203.T", "BRK.B".
TICKER = re.compile(r"^[A-Z0-9]{1,6}\.[A-Z]{1,3}$")
#: An acronym or a short name in capitals: "LDP", "CPTPP", "U.S.", "AT&T".
ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&.\-]{1,11}$")


def is_non_latin(text: str) -> bool:
    """Text whose letters are all outside the Latin script ("羅致政")."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all("LATIN" not in unicodedata.name(ch, "LATIN") for ch in letters)


def is_alias_text(text: str) -> bool:
    """An acronym ("LDP", "CPTPP"), a stock ticker ("7203.T") or a name in a non-Latin script ("羅致政").

    >>> [is_alias_text(t) for t in ("LDP", "REP.MC", "羅致政", "the party")]
    [True, True, True, False]
    """
    text = text.strip()
    if not text or len(text) > 40:
        return False
    if is_non_latin(text) or TICKER.match(text):
        return True
    return bool(ACRONYM.match(text)) and sum(ch.isupper() for ch in text) >= 2


def abbreviation_long_form(span, short: str) -> Optional[int]:
    """Start token of the long form of ``short`` at the end of ``span`` (Schwartz & Hearst, 2003).

    Characters of the short form are matched right to left in the text; the first
    one must begin a word.  Returns ``None`` when the words do not spell it.
    """
    text = span.text
    s_i, l_i = len(short) - 1, len(text) - 1
    while s_i >= 0:
        ch = short[s_i].lower()
        if not ch.isalnum():
            s_i -= 1
            continue
        while l_i >= 0 and (text[l_i].lower() != ch or (s_i == 0 and l_i > 0 and text[l_i - 1].isalnum())):
            l_i -= 1
        if l_i < 0:
            return None
        l_i -= 1
        s_i -= 1
    char_start = text.rfind(" ", 0, l_i + 1) + 1
    offset = span[0].idx + char_start
    for tok in span:
        if tok.idx >= offset:
            start = tok.i
            break
    else:
        return None
    doc = span.doc
    while start < span.end and (doc[start].lower_ in LEADING_STRIP or doc[start].is_punct):
        start += 1
    if start >= span.end or not doc[start].text[:1].isupper():
        return None
    return start


def initials(name: str) -> str:
    """Upper-case initials of a name's content words ("Taiwan Semiconductor Manufacturing Co" → "TSMC")."""
    words = re.findall(r"[A-Za-z][\w']*", name)
    return "".join(w[0].upper() for w in words if w.lower() not in {"of", "and", "the", "for", "in", "on", "to", "a", "an", "&"})
