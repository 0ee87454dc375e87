"""One document per id: the rule every run applies before extracting.

A document id names one document in an output (its sentence ids are ``ID:N``),
so an id is never given to two different texts:

- an id seen again with the **same content** (text, title, date and url) is a
  duplicate: skipped, counted in ``RunStats.duplicates`` (or ``skipped`` when an
  earlier run into the same output finished it), with a warning naming both places;
- an id seen again with **different content** is refused: a :class:`Rejection` whose
  reason names where the id was first used; the rest of the input goes on.

"Seen" means earlier in this run, or committed by an earlier run into the same
resumable output (:class:`kg.run.sink.ResumableSink`).  An output that takes edits
(``kg build``'s, whose ledger entries say ``"on_change": "replace"``) lets a document
with other content than the committed one through once per run: it is an edited
article, and the sink puts it in the old one's place.  Within one run the rule is the same.  A run keeps each id it
has seen with a short digest of its content (about 150 bytes per document).

>>> from kg.records import Document
>>> from kg.run.stats import RunStats
>>> stats = RunStats()
>>> out = list(once_each([Document("a", "Lo met Sato.", source="one.jsonl"),
...                       Document("a", "Lo met Sato.", source="one.jsonl"),
...                       Document("a", "Sato met Lo.", source="two.jsonl")], stats))
>>> [type(x).__name__ for x in out], stats.duplicates
(['Document', 'Rejection'], 1)
>>> out[1].reason
"id 'a' is already used by a different document (in one.jsonl)"
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
from typing import Callable, Iterable, Iterator, Optional

from ..records import Document, Rejection
from ..sources import one_line
from .stats import RunStats

log = logging.getLogger(__name__)


def content_digest(doc: Document) -> str:
    """SHA-256 (hex) of what makes two documents with one id the same document: text, title, date, url."""
    fields = [doc.text, doc.title, doc.date, doc.url]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def once_each(items: Iterable, stats: RunStats, *,
              committed: Optional[Callable[[str], Optional[dict]]] = None) -> Iterator:
    """``items`` with every document id used once: duplicates left out, reused ids refused (see the module)."""
    seen: dict[str, tuple[bytes, str]] = {}
    for item in items:
        if not isinstance(item, Document):
            yield item
            continue
        digest, where = content_digest(item), sys.intern(item.source or item.id)
        short = bytes.fromhex(digest[:32])
        earlier = None
        if item.id in seen:  # this run first: the ledger also holds what this run has committed so far
            first_digest, first = seen[item.id]
            same = first_digest == short
        elif committed is not None and (earlier := committed(item.id)) is not None:
            first, same = earlier.get("origin") or "an earlier run", earlier.get("digest") in (None, digest)
            if not same and earlier.get("on_change") == "replace":  # an edit of a committed document
                seen[item.id] = (short, where)
                yield item
                continue
        else:
            seen[item.id] = (short, where)
            yield item
            continue
        if not same:
            yield Rejection(where, one_line(f"id {item.id!r} is already used by a different document (in {first})"),
                            item.id)
        elif earlier is not None:
            stats.skipped += 1
        else:
            stats.duplicates += 1
            log.warning("%s: document %s is given again with the same content (first in %s); skipped",
                        one_line(where), one_line(item.id), one_line(first))
