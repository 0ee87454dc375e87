"""Read input documents: ``.txt`` files, directories, ``.jsonl``, ``.csv`` and stdin.

Everything is streamed: :func:`iter_documents` yields one :class:`Document` or
one :class:`Rejection` at a time, so a corpus of any size never sits in memory.
A bad input is a :class:`Rejection` with a one-line reason; it never stops the
rest of the batch.

Document ids are stable: the given ``id`` of a JSONL/CSV record, else the
input's name plus a hash of its text (see :func:`kg.records.document_id`), so
reading the same file again yields the same ids.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Iterable, Iterator, Union

from .nlp import UNCHECKED_CHARS, available_memory, memory_refusal
from .records import DOCUMENT_FIELDS, Document, Rejection, clean_field, document_id

log = logging.getLogger(__name__)

#: Documents larger than this (characters) are rejected rather than parsed; so is a shorter one
#: that would need more memory than the machine has free (see :func:`kg.nlp.memory_refusal`).
MAX_DOCUMENT_CHARS = 50_000_000
#: File name endings read as one document per record.
RECORD_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
FORMATS = ("auto", "txt", "jsonl", "csv")

Item = Union[Document, Rejection]

#: Files larger than this (bytes) are rejected without being read.
MAX_FILE_BYTES = 4 * MAX_DOCUMENT_CHARS

# C0/C1 control characters other than newline and carriage return (tabs too, so a triple read
# back is the triple written, see kg.records.clean_field), line/paragraph separators, and lone
# surrogates (from JSON "\\ud800" escapes or undecodable file names).
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A "<" with no ">" before the next "<": stdlib HTMLParser rescans to the end for each one.
_STRAY_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")
_HTML_START = re.compile(r"\A\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_TAG = re.compile(r"</?(p|div|span|a|br|script|style|table|li|h[1-6])\b[^>]*>", re.I)


def clean_text(text: str) -> str:
    """Normalise line ends and replace control characters (tabs included) by spaces.

    Line breaks are kept (they end sentences); ``\\r\\n`` and ``\\r`` become ``\\n``.

    >>> clean_text("a\\x00b\\r\\nc\\td")
    'a b\\nc d'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text)


def safe_label(value: str) -> str:
    """A file name or id fit for JSON output and one-line messages: lone surrogates become U+FFFD.

    >>> safe_label("caf\\udce9.txt")
    'caf\ufffd.txt'
    """
    return _SURROGATE.sub("\ufffd", value)


def one_line(message: str) -> str:
    """A message with control characters and line breaks shown as escapes, so it stays one line.

    >>> one_line("bad\\nname\\x1b[31m")
    'bad\\\\nname\\\\x1b[31m'
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), safe_label(message))


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML page or fragment rather than plain prose."""
    if _HTML_START.match(text):
        return True
    return len(_HTML_TAG.findall(text[:20_000])) >= 3


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
              "article", "blockquote", "title", "header", "footer", "ul", "ol", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP and tag != "head":
            self._skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and tag != "head" and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible text of an HTML page (one paragraph per block element) and its title."""
    parser = _TextExtractor()
    parser.feed(_STRAY_LT.sub("&lt;", html))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    text = "\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title).split()) or None
    return text, title


def make_document(origin: str, text: str, *, id: str | None = None, **meta) -> Item:
    """Check and clean one document's text; a :class:`Rejection` says why it cannot be used."""
    if not isinstance(text, str):
        return Rejection(origin, f"text is {type(text).__name__}, not a string", id)
    if len(text) > MAX_DOCUMENT_CHARS:
        return Rejection(origin, f"document too large ({len(text):,} characters; limit {MAX_DOCUMENT_CHARS:,})", id)
    if len(text) > UNCHECKED_CHARS:
        refusal = memory_refusal(len(text), available_memory())
        if refusal is not None:
            return Rejection(origin, refusal, id)
    if "\x00" in text[:8192] and text[:8192].count("\x00") > 8:
        return Rejection(origin, "binary content (NUL bytes), not text", id)
    if looks_like_html(text):
        text, title = html_to_text(text)
        meta.setdefault("title", title)
        log.info("%s: HTML converted to plain text", origin)
    text = clean_text(text)
    if not text.strip():
        return Rejection(origin, "empty document (no text)", id)
    letters = sum(ch.isalpha() for ch in text[:10_000])
    if letters < 0.2 * min(len(text), 10_000):
        return Rejection(origin, "not prose: fewer than 20% letters", id)
    # ids and metadata are single-line fields in every store (see kg.records.clean_field)
    meta = {k: (None if v is None or v == "" else clean_field(safe_label(str(v)))) for k, v in meta.items()
            if k in DOCUMENT_FIELDS}
    doc_id = clean_field(safe_label(str(id)) if id not in (None, "") else document_id(safe_label(origin), text))
    return Document(id=doc_id, text=text, **meta)


def _decode(data: bytes, origin: str) -> str | Rejection:
    if data.count(b"\x00") > 8 or (data[:4096] and b"\x00" in data[:4096]):
        return Rejection(origin, "binary file (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(origin, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")


def read_text_file(path: Path, origin: str) -> Iterator[Item]:
    """One plain-text file as one document."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield Rejection(origin, f"file too large ({size:,} bytes; limit {MAX_FILE_BYTES:,})")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Rejection(origin, f"cannot read: {exc.strerror or exc}")
        return
    text = _decode(data, origin)
    if isinstance(text, Rejection):
        yield text
        return
    yield make_document(origin, text, source=origin)


def read_jsonl(stream: IO[str], origin: str) -> Iterator[Item]:
    """One document per JSON line: ``text`` required; ``id``, ``title``, ``date``, ``url``, ``source`` optional."""
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        where = f"{origin}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except (RecursionError, ValueError) as exc:  # nesting too deep, numbers too long
            yield Rejection(where, f"unreadable JSON ({type(exc).__name__})")
            continue
        yield _record(rec, where)


def read_csv(stream: IO[str], origin: str) -> Iterator[Item]:
    """One document per CSV row with a header; a ``text`` column is required."""
    csv.field_size_limit(MAX_DOCUMENT_CHARS)
    try:
        reader = csv.DictReader(stream)
        if reader.fieldnames is None or "text" not in reader.fieldnames:
            yield Rejection(origin, f"CSV needs a 'text' column (found: {', '.join(reader.fieldnames or []) or 'none'})")
            return
        for n, row in enumerate(reader, 2):
            yield _record(row, f"{origin}:{n}")
    except csv.Error as exc:
        yield Rejection(origin, one_line(f"malformed CSV: {exc}; records after that point were not read"))


def _record(rec: object, where: str) -> Item:
    if not isinstance(rec, dict):
        return Rejection(where, "record is not an object")
    if "text" not in rec or rec["text"] is None:
        return Rejection(where, "record has no 'text'", _opt_id(rec))
    meta = {k: rec.get(k) for k in DOCUMENT_FIELDS}
    meta["source"] = meta["source"] or where.rsplit(":", 1)[0]
    return make_document(where, rec["text"], id=_opt_id(rec), **meta)


def _opt_id(rec: dict) -> str | None:
    value = rec.get("id")
    return None if value in (None, "") else str(value)


def _open_text(path: Path, origin: str) -> IO[str] | Rejection:
    try:
        return open(path, encoding="utf-8-sig", errors="strict", newline="")
    except OSError as exc:
        return Rejection(origin, f"cannot read: {exc.strerror or exc}")


def _read_records(path: Path, origin: str, fmt: str) -> Iterator[Item]:
    stream = _open_text(path, origin)
    if isinstance(stream, Rejection):
        yield stream
        return
    reader = read_jsonl if fmt == "jsonl" else read_csv
    with stream:
        try:
            yield from reader(stream, origin)
        except UnicodeDecodeError as exc:
            yield Rejection(origin, f"not valid UTF-8 (offset {exc.start}); records after that point were not read")


def _file_format(path: Path, fmt: str) -> str:
    return fmt if fmt != "auto" else RECORD_FORMATS.get(path.suffix.lower(), "txt")


def iter_path(path: Path, *, fmt: str = "auto", origin: str | None = None) -> Iterator[Item]:
    """Documents of one file or of every file below a directory (sorted, hidden files skipped)."""
    origin = safe_label(origin or str(path))
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        if not files:
            yield Rejection(origin, "directory has no files")
        for p in files:
            yield from iter_path(p, fmt=fmt, origin=safe_label(f"{path.name}/{p.relative_to(path).as_posix()}"))
        return
    if not path.exists():
        yield Rejection(origin, "no such file or directory")
        return
    kind = _file_format(path, fmt)
    if kind == "txt":
        yield from read_text_file(path, origin if origin != safe_label(str(path)) else safe_label(path.name))
    else:
        yield from _read_records(path, origin if origin != safe_label(str(path)) else safe_label(path.name), kind)


def iter_stdin(stream: IO[bytes] | None = None, *, fmt: str = "auto") -> Iterator[Item]:
    """Documents from standard input: one text document, or records with ``fmt`` jsonl/csv."""
    raw = stream if stream is not None else sys.stdin.buffer
    if fmt in ("jsonl", "csv"):
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
        reader = read_jsonl if fmt == "jsonl" else read_csv
        try:
            yield from reader(text, "stdin")
        except UnicodeDecodeError as exc:
            yield Rejection("stdin", f"not valid UTF-8 (offset {exc.start}); later records not read")
        return
    text = _decode(raw.read(), "stdin")
    yield text if isinstance(text, Rejection) else make_document("stdin", text, source="stdin")


def iter_documents(inputs: Iterable[Union[str, os.PathLike, Item]], *, fmt: str = "auto") -> Iterator[Item]:
    """Stream documents and rejections from paths, ``-`` (stdin) or ready :class:`Document` objects.

    >>> [type(x).__name__ for x in iter_documents([Document("d1", "Lo met Sato.")])]
    ['Document']
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown input format {fmt!r} (choose from {', '.join(FORMATS)})")
    for item in inputs:
        if isinstance(item, (Document, Rejection)):
            yield item
        elif str(item) == "-":
            yield from iter_stdin(fmt=fmt)
        else:
            yield from iter_path(Path(item), fmt=fmt)
