"""The data contract every stage takes or returns.

A :class:`Triple` is one fact found in one sentence of one document, with its
provenance.  Its JSON form (``Triple.to_dict`` / ``Triple.from_dict``) is the
line format of ``kg extract`` and is read back by ``kg load``, ``kg build`` and
the evaluation.  Only plain values live here: no spaCy, no networkx, no I/O.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

#: spaCy entity labels kept as graph entities, and the node label each gets in Neo4j.
ENTITY_LABELS = {
    "PERSON": "Person",
    "ORG": "Organization",
    "GPE": "Place",
    "LOC": "Place",
    "FAC": "Place",
    "NORP": "Group",
    "EVENT": "Event",
    "PRODUCT": "Product",
    "LAW": "Law",
    "WORK_OF_ART": "Work",
    "LANGUAGE": "Language",
    "CONCEPT": "Concept",
}

#: Prefix of an entity key, by type: the key is ``prefix:normalised name``.
KEY_PREFIX = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "EVENT": "event",
    "PRODUCT": "product",
    "LAW": "law",
    "WORK_OF_ART": "work",
    "LANGUAGE": "language",
    "CONCEPT": "concept",
}

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
        return {k: v for k, v in (("title", self.title), ("date", self.date),
                                  ("url", self.url), ("source", self.source)) if v is not None}


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
        d = asdict(self)
        d["confidence"] = round(self.confidence, 3)
        if not self.doc:
            del d["doc"]
        if self.event_date is None:
            del d["event_date"]  # undated facts keep the line they had before dates existed
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Triple":
        """Inverse of :meth:`to_dict`; raises ``ValueError`` on a malformed record."""
        try:
            sp = d.get("speaker")
            return cls(
                doc_id=str(d["doc_id"]),
                sentence_id=str(d["sentence_id"]),
                sentence=str(d.get("sentence", "")),
                subject=Argument(**_arg(d["subject"])),
                predicate=Predicate(text=str(d["predicate"]["text"]), lemma=str(d["predicate"]["lemma"])),
                object=Argument(**_arg(d["object"])),
                speaker=Speaker(name=str(sp["name"]), key=str(sp["key"])) if sp else None,
                negated=bool(d.get("negated", False)),
                confidence=float(d.get("confidence", 0.5)),
                rule=str(d.get("rule", "")),
                sentence_start=int(d.get("sentence_start", 0)),
                doc=dict(d.get("doc") or {}),
                event_date=_event_date(d.get("event_date")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"not a triple record: {exc!r}") from None


def _event_date(d: Optional[dict]) -> Optional[dict]:
    if d is None:
        return None
    return {"text": str(d["text"]), "date": None if d.get("date") is None else str(d["date"]),
            "end": None if d.get("end") is None else str(d["end"])}


def _arg(d: dict) -> dict:
    return {"text": str(d["text"]), "name": str(d["name"]), "key": str(d["key"]),
            "type": str(d["type"]), "start": int(d["start"]), "end": int(d["end"])}
