"""Extraction: one parsed document in, its triple records out (a pure function).

:func:`triples_from_parses` takes a document and the spaCy ``Doc`` of each of
its pieces (see :func:`kg.nlp.pieces`) and returns :class:`kg.records.Triple`
records: the relations found by :mod:`kg.extractor.rules`, with arguments
resolved by :class:`kg.extractor.resolve.DocResolver`, speakers from
:mod:`kg.extractor.speech`, and one ``alias`` triple per alias stated in the text.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Optional

from ..dateline import opening_meta
from ..dates import document_date, event_date
from ..nlp import Piece
from ..records import Argument, Document, Predicate, Speaker, Triple
from .confidence import calibrated
from .entity_types import harmonise_entity_types
from .resolve import DocResolver
from .rules import RULES, Relation, relations
from .speech import speaker_token
from .syntax import clause_verb

log = logging.getLogger(__name__)

__all__ = ["ExtractOptions", "triples_from_parses"]


@dataclass(frozen=True)
class ExtractOptions:
    """Options of extraction (keyword-only everywhere).

    ``keep_unresolved``: keep pronoun and demonstrative arguments that name
    nothing (for open-IE scoring); a knowledge graph wants them dropped.
    ``min_confidence``: triples below it are dropped.
    """

    keep_unresolved: bool = False
    min_confidence: float = 0.0
    aliases: bool = True
    rules: tuple = RULES


@dataclass
class _Sentence:
    index: int
    span: object
    start: int  # offset of the piece in the document


def triples_from_parses(document: Document, parses: Iterable[tuple[Piece, object]],
                        *, options: ExtractOptions = ExtractOptions()) -> list[Triple]:
    """Triples of one document from its parsed pieces, in sentence order."""
    parses = list(parses)
    harmonise_entity_types(d for _, d in parses)
    sentences = [_Sentence(i, sent, piece.start)
                 for i, (piece, sent) in enumerate((p, s) for p, d in parses for s in d.sents)]
    if not sentences:
        log.info("%s: no sentences", document.id)
        return []
    resolver = DocResolver([s.span for s in sentences], keep_unresolved=options.keep_unresolved)
    out: list[Triple] = []
    meta = {**opening_meta(document.text), **document.meta()}
    doc_date = document_date(document.text, document.date).value
    if doc_date and "date" not in meta:  # read from the dateline or a "Published …" line
        meta["date"] = doc_date
    quote = _Quote()
    alias_defs: dict[int, list] = {}  # sentence index -> the aliases it defines
    for definition in resolver.alias_defs:
        alias_defs.setdefault(definition[0], []).append(definition)
    for sentence in sentences:
        sid = f"{document.id}:{sentence.index}"
        text = sentence.span.text
        sent_start = sentence.start + sentence.span.start_char
        seen: dict[tuple, int] = {}
        found = []
        if options.aliases:
            found.extend(_alias_triples(alias_defs.get(sentence.index, ())))
        for rel in relations(sentence.span, options.rules):
            when = event_date(sentence.span, (rel.verb, *rel.pred_tokens), doc_date, offset=sentence.start)
            found.extend((*t, when.record() if when else None) for t in _triples(resolver, sentence, rel))
        found = quote.attribute(sentence.index, text, found)
        for subj, pred, obj, speaker, negated, confidence, rule, when in found:
            if (subj.key == obj.key and pred.lemma != "alias") or confidence < options.min_confidence:
                continue
            ident = (subj.key, pred.lemma, obj.key if pred.lemma != "alias" else obj.name, negated)
            triple = Triple(document.id, sid, text, _shift(subj, sentence.start), pred, _shift(obj, sentence.start),
                            speaker, negated, confidence, rule, sent_start, meta, when)
            if ident in seen:
                if out[seen[ident]].confidence >= confidence:
                    continue
                out[seen[ident]] = triple
            else:
                seen[ident] = len(out)
                out.append(triple)
    return out


OPENING_QUOTES = ('"', "\u201c")
#: How many sentences after its last attributed sentence a quotation may still run on.
QUOTE_REACH = 2


class _Quote:
    """Quotations that run on past their attribution: a sentence that opens with a quotation mark and
    names no speaker continues the quotation of the sentence before ("…," Lo said. "It will also …")."""

    def __init__(self):
        self.speaker: Optional[Speaker] = None
        self.index = -QUOTE_REACH - 1

    def attribute(self, index: int, text: str, found: list) -> list:
        """``found`` (triples as tuples, speaker fourth) with the running speaker filled in where it applies."""
        speakers = [t[3] for t in found if t[3] is not None]
        if speakers:
            if any(q in text for q in OPENING_QUOTES + ("\u201d",)):
                self.speaker, self.index = speakers[0], index
            return found
        if (self.speaker is None or index - self.index > QUOTE_REACH
                or not text.lstrip().startswith(OPENING_QUOTES)):
            return found
        self.index = index
        return [t if t[1].lemma == "alias" else (*t[:3], self.speaker, *t[4:]) for t in found]


def _shift(arg: Argument, offset: int) -> Argument:
    """Offsets within a piece → offsets within the document."""
    return Argument(arg.text, arg.name, arg.key, arg.type, arg.start + offset, arg.end + offset)


def _triples(resolver: DocResolver, sentence: _Sentence, rel: Relation) -> list[tuple]:
    """The triples of one relation: one per argument its subject and object stand for."""
    si = sentence.index
    # a relation without a verb ("Tokyo's Haneda Airport") is said by whoever says its clause
    anchor = rel.verb if rel.verb is not None else clause_verb(rel.subj)
    spk_tok = speaker_token(anchor, sentence.span) if anchor is not None else None
    speaker_subjects = (spk_tok,) if spk_tok is not None else ()
    subj = (resolver.span_argument(rel.subj.doc, *rel.subj_span) if rel.subj_span is not None
            else resolver.argument(rel.subj, si, verb=rel.verb, speaker_subjects=speaker_subjects))
    if rel.obj_span is not None:
        obj = resolver.span_argument(rel.obj.doc, *rel.obj_span)
    else:
        obj = resolver.argument(rel.obj, si, verb=rel.verb, speaker_subjects=speaker_subjects)
    if subj is None or obj is None:
        return []
    objects = obj.arguments
    if rel.rule.startswith(("role", "copula-role", "nationality")) or rel.rule.endswith("+nationality"):
        objects = tuple(resolver.place_of_people(o) for o in objects)
    speaker = None
    if spk_tok is not None:
        spk = resolver.argument(resolver.source_owner(spk_tok, si), si)
        if spk is not None:
            speaker = Speaker(spk.argument.name, spk.argument.key)
    confidence = rel.confidence
    via = subj.via + obj.via
    if "+pronoun" in via:
        confidence -= 0.1
    if subj.argument.type == "CONCEPT":
        confidence -= 0.05
    if obj.argument.type == "CONCEPT" and subj.argument.type == "CONCEPT":
        confidence -= 0.05
    rule = rel.rule + via
    confidence = round(max(0.05, min(calibrated(rule, confidence), 0.99)), 3)
    predicate = Predicate(rel.predicate_text, rel.lemma)
    return [(s, predicate, o, speaker, rel.negated, confidence, rule)
            for s in subj.arguments for o in objects]


def _alias_triples(alias_defs) -> list[tuple]:
    out = []
    for _, entity, a_start, a_end, (n_start, n_end), sent in alias_defs:
        doc = sent.doc
        subj = Argument(doc[n_start:n_end].text, entity.name, entity.key, entity.type,
                        doc[n_start].idx, doc[n_end - 1].idx + len(doc[n_end - 1]))
        alias_text = doc[a_start:a_end].text
        obj = Argument(alias_text, alias_text, entity.key, entity.type,
                       doc[a_start].idx, doc[a_end - 1].idx + len(doc[a_end - 1]))
        pred = Predicate(f"({alias_text})", "alias")
        out.append((subj, pred, obj, None, False, min(calibrated("alias-parenthesis", 0.95), 0.99),
                    "alias-parenthesis", None))
    return out

