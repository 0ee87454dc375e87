"""The data contract every stage takes or returns.

A :class:`Triple` is one fact found in one sentence of one document, with its
provenance.  Its JSON form (``Triple.to_dict`` / ``Triple.from_dict``) is the
line format of ``kg extract`` and is read back by ``kg load``, ``kg build`` and
the evaluation.  Only plain values live here: no spaCy, no networkx, no I/O.
"""
from __future__ import annotations

import copy

import hashlib
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

#: The entity types kg keeps (spaCy's named-entity labels, and CONCEPT for other noun phrases), each with
#: the node label it gets in Neo4j and the prefix of its keys: adding a type is one line here.
ENTITY_TYPES = {
    "PERSON": ("Person", "person"),
    "ORG": ("Organization", "org"),
    "GPE": ("Place", "place"),
    "LOC": ("Place", "place"),
    "FAC": ("Place", "place"),
    "NORP": ("Group", "group"),
    "EVENT": ("Event", "event"),
    "PRODUCT": ("Product", "product"),
    "LAW": ("Law", "law"),
    "WORK_OF_ART": ("Work", "work"),
    "LANGUAGE": ("Language", "language"),
    "CONCEPT": ("Concept", "concept"),
}
#: The node label of each entity type in Neo4j.
ENTITY_LABELS = {type_: label for type_, (label, _) in ENTITY_TYPES.items()}
#: Prefix of an entity key, by type: the key is ``prefix:normalised name``.
KEY_PREFIX = {type_: prefix for type_, (_, prefix) in ENTITY_TYPES.items()}

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_NOT_KEY = re.compile(r"[^\w\s-]+|_")
_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?!\w)")


def normalise_name(name: str) -> str:
    """Lower-cased, quote-folded, punctuation-free form of a name used inside keys.

    >>> normalise_name("Taiwan’s CPTPP bid")
    'taiwan cptpp bid'
    >>> normalise_name("Lo Chih-cheng")
    'lo chih-cheng'
    """
    text = name.translate(_QUOTES).casefold()
    text = _POSSESSIVE.sub("", text)
    text = _NOT_KEY.sub(" ", text)
    return " ".join(text.split())


def entity_key(name: str, type_: str) -> str:
    """The stable identity of an entity: ``prefix:normalised name``.

    >>> entity_key("Liberal Democratic Party", "ORG")
    'org:liberal democratic party'
    """
    return f"{KEY_PREFIX.get(type_, 'concept')}:{normalise_name(name)}"


def node_label(type_: str) -> str:
    """The Neo4j / view label for an entity type (``ORG`` -> ``Organization``)."""
    return ENTITY_LABELS.get(type_, "Concept")


def relation_type(lemma: str) -> str:
    """Relationship type for a predicate lemma: upper snake case, ``[A-Z][A-Z0-9_]*``.

    >>> relation_type("invest in")
    'INVEST_IN'
    >>> relation_type("spokeswoman of")
    'SPOKESWOMAN_OF'
    """
    words = re.findall(r"[A-Za-z0-9]+", lemma.upper())
    rel = "_".join(words)
    if not rel or not rel[0].isalpha():
        rel = "REL_" + rel if rel else "RELATED_TO"
    return rel


def document_id(origin: str, text: str) -> str:
    """A stable id for a document without one: its origin plus a hash of its text."""
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{origin}#{digest}" if origin else digest


#: A document's metadata fields, in the order every output lists them.
DOCUMENT_FIELDS = ("title", "date", "url", "source")


@dataclass(frozen=True)
class Document:
    """One input document: stable ``id``, its ``text`` and optional metadata."""

    id: str
    text: str
    title: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    source: Optional[str] = None

    def meta(self) -> dict:
        """Metadata without the text, ``None`` values left out."""
        return {k: getattr(self, k) for k in DOCUMENT_FIELDS if getattr(self, k) is not None}


@dataclass(frozen=True)
class Rejection:
    """An input that could not be processed, with a one-line reason."""

    origin: str
    reason: str
    doc_id: Optional[str] = None

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Argument:
    """The subject or object of a triple: surface span plus resolved identity."""

    text: str
    name: str
    key: str
    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Predicate:
    """The relation: its surface ``text`` and the normalised ``lemma``."""

    text: str
    lemma: str


@dataclass(frozen=True)
class Speaker:
    """Who a reported statement is attributed to."""

    name: str
    key: str


@dataclass(frozen=True)
class Triple:
    """One fact found in one sentence of one document (NOTES §3 record)."""

    doc_id: str
    sentence_id: str
    sentence: str
    subject: Argument
    predicate: Predicate
    object: Argument
    speaker: Optional[Speaker] = None
    negated: bool = False
    confidence: float = 0.5
    rule: str = ""
    sentence_start: int = 0
    doc: dict = field(default_factory=dict)
    #: The date the sentence gives the fact: ``{"text": raw, "date": ISO or None, "end": ISO or None}``.
    event_date: Optional[dict] = None

    @property
    def is_alias(self) -> bool:
        """True for the ``alias`` triples that state another name of the subject."""
        return self.predicate.lemma == "alias"

    def to_dict(self) -> dict:
        """JSON-ready form, the line format of ``kg extract``."""
        d = {"doc_id": self.doc_id, "sentence_id": self.sentence_id, "sentence": self.sentence,
             "subject": _argument_dict(self.subject),
             "predicate": {"text": self.predicate.text, "lemma": self.predicate.lemma},
             "object": _argument_dict(self.object),
             "speaker": None if self.speaker is None else {"name": self.speaker.name, "key": self.speaker.key},
             "negated": self.negated, "confidence": round(self.confidence, 3), "rule": self.rule,
             "sentence_start": self.sentence_start}
        if self.doc:
            d["doc"] = copy.deepcopy(self.doc)
        if self.event_date is not None:  # undated facts keep the line they had before dates existed
            d["event_date"] = dict(self.event_date)
        return d

    @classmethod
    def from_dict(cls, d: Any) -> "Triple":
        """Inverse of :meth:`to_dict`, strict about the record contract (NOTES §3).

        Strings must be strings (without lone surrogates; control characters and line breaks
        become spaces, see :func:`clean_field`), ``negated`` a real boolean, ``confidence`` a
        number in [0, 1], offsets non-negative integers, ``speaker`` null or ``{name, key}``.
        Raises ``ValueError`` naming the first field that breaks it.

        >>> Triple.from_dict({"doc_id": "d1", "negated": "false"})
        Traceback (most recent call last):
        ...
        ValueError: negated is a string, not true or false
        """
        if not isinstance(d, dict):
            raise ValueError(f"record is {_kind(d)}, not an object")
        sp = _optional(d, "speaker", None)
        if sp is not None:
            sp = _obj(d, "speaker")
            sp = Speaker(name=_str(sp, "name", "speaker."), key=_str(sp, "key", "speaker.", id_=True))
        negated = _optional(d, "negated", False)
        if not isinstance(negated, bool):
            raise ValueError(f"negated is {_kind(negated)}, not true or false")
        confidence = _optional(d, "confidence", 0.5)
        if not _is_number(confidence):
            raise ValueError(f"confidence is {_kind(confidence)}, not a number")
        if not 0 <= confidence <= 1:
            raise ValueError(f"confidence {confidence!r} is not between 0 and 1")
        doc = _optional(d, "doc", {})
        if not isinstance(doc, dict):
            raise ValueError(f"doc is {_kind(doc)}, not an object")
        return cls(
            doc_id=_str(d, "doc_id", id_=True),
            sentence_id=_str(d, "sentence_id", id_=True),
            sentence=_str(d, "sentence", default=""),
            subject=_arg(d, "subject"),
            predicate=Predicate(text=_str(_obj(d, "predicate"), "text", "predicate."),
                                lemma=_str(_obj(d, "predicate"), "lemma", "predicate.")),
            object=_arg(d, "object"),
            speaker=sp,
            negated=negated,
            confidence=float(confidence),
            rule=_str(d, "rule", default=""),
            sentence_start=_int(d, "sentence_start", default=0),
            doc={k: (_str(doc, k, "doc.") if isinstance(v, str) or k in DOCUMENT_FIELDS else v)
                 for k, v in doc.items() if v is not None},
            event_date=_event_date(d),
        )


def _argument_dict(a: Argument) -> dict:
    return {"text": a.text, "name": a.name, "key": a.key, "type": a.type, "start": a.start, "end": a.end}


# Characters no stored id or text field keeps: C0/C1 controls (line breaks and tabs included;
# U+001F is the importer's array delimiter) and the Unicode line/paragraph separators.
_NOT_IN_FIELD = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Either of the above: most fields have neither, and one search settles them.
_NEEDS_CHECK = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_REQUIRED = object()


def clean_field(value: str) -> str:
    """An id or text field as every store keeps it: each control character, line break or tab
    becomes one space (so character offsets still hold).  Applied once, where documents and
    triple records are read, so ``kg load``, the bulk import, the local graph and the views
    all see the same values.

    >>> clean_field("a\\x1fb\\ntitle\\t")
    'a b title '
    """
    return _NOT_IN_FIELD.sub(" ", value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", int: "a number", float: "a number",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _optional(d: dict, name: str, default: Any) -> Any:
    value = d.get(name)
    return default if value is None else value


def _obj(d: dict, name: str, prefix: str = "") -> dict:
    value = d.get(name)
    if not isinstance(value, dict):
        raise ValueError(f"{prefix}{name} is missing" if value is None else
                         f"{prefix}{name} is {_kind(value)}, not an object")
    return value


def _str(d: dict, name: str, prefix: str = "", *, default: Any = _REQUIRED, id_: bool = False) -> str:
    value = d.get(name)
    if value is None and default is not _REQUIRED:
        return default
    if value is None:
        raise ValueError(f"{prefix}{name} is missing")
    if not isinstance(value, str):
        raise ValueError(f"{prefix}{name} is {_kind(value)}, not a string")
    if _NEEDS_CHECK.search(value):
        bad = _LONE_SURROGATE.search(value)
        if bad:
            raise ValueError(f"{prefix}{name} has a lone surrogate (U+{ord(bad.group()):04X} at character {bad.start()})")
        value = clean_field(value)
    if id_ and not value.strip():
        raise ValueError(f"{prefix}{name} is empty")
    return value


def _int(d: dict, name: str, prefix: str = "", *, default: Any = _REQUIRED) -> int:
    value = d.get(name)
    if value is None and default is not _REQUIRED:
        return default
    if value is None:
        raise ValueError(f"{prefix}{name} is missing")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{prefix}{name} is {_kind(value)}, not a whole number of 0 or more")
    return value


def _event_date(d: dict) -> Optional[dict]:
    """The record's ``event_date``: null, or ``{text, date, end}`` with ``date``/``end`` strings or null."""
    if d.get("event_date") is None:
        return None
    e = _obj(d, "event_date")
    return {"text": _str(e, "text", "event_date."), "date": _str(e, "date", "event_date.", default=None),
            "end": _str(e, "end", "event_date.", default=None)}


def _arg(d: dict, name: str) -> Argument:
    a = _obj(d, name)
    p = f"{name}."
    return Argument(text=_str(a, "text", p), name=_str(a, "name", p), key=_str(a, "key", p, id_=True),
                    type=_str(a, "type", p, id_=True), start=_int(a, "start", p), end=_int(a, "end", p))
