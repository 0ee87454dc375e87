"""Measuring extraction: kg and a peer baseline through the same scorers, in one run.

Two benchmarks:

- *news*: documents plus gold entity–relation triples with alternatives, scored by
  ``score.py`` (slot token-F1 ≥ 0.5, and strict ≥ 0.8). Predictions use canonical
  names (``subject.name``, ``predicate.lemma``, ``object.name``) and the speaker.
- *CaRB*: open information extraction on single sentences, scored by
  ``carb_score.py``; predictions use surface spans (predicate text, subject and
  object text), with unresolved pronouns kept.

The baseline is textacy's ``subject_verb_object_triples`` run on the same spaCy
parses.  The scorers are plain Python files shipped with the gold data; they are
loaded from where they are (``--scorer``), not copied.
"""
from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Iterable

from .extractor import ExtractOptions, triples_from_parses
from .extractor.rules import OPEN_RULES
from .errors import UserError
from .nlp import model_description, pieces
from .records import Document, Triple
from .sources import iter_documents

log = logging.getLogger(__name__)


def load_scorer(path: str | os.PathLike):
    """Import a scorer module from a file path."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"scorer not found: {path}")
    spec = importlib.util.spec_from_file_location(f"kg_scorer_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def news_row(t: Triple) -> dict:
    """A triple in the news scorer's prediction form."""
    return {"doc_id": t.doc_id, "subject": t.subject.name, "relation": t.predicate.lemma,
            "object": t.object.name, "speaker": t.speaker.name if t.speaker else None,
            "negated": t.negated, "confidence": t.confidence, "rule": t.rule}


def _textacy_rows(doc_id: str, sdoc) -> list[dict]:
    from textacy.extract import subject_verb_object_triples

    rows = []
    for svo in subject_verb_object_triples(sdoc):
        rel = " ".join(t.lemma_ for t in svo.verb if t.dep_ not in ("aux", "auxpass", "neg")) or \
            " ".join(t.lemma_ for t in svo.verb)
        rows.append({"doc_id": doc_id, "subject": " ".join(t.text for t in svo.subject),
                     "relation": rel, "object": " ".join(t.text for t in svo.object),
                     "subject_text": " ".join(t.text for t in svo.subject),
                     "relation_text": " ".join(t.text for t in svo.verb),
                     "object_text": " ".join(t.text for t in svo.object)})
    return rows


def read_gold_documents(path: str | os.PathLike) -> list[Document]:
    """The documents of a gold set (JSONL with ``id`` and ``text``)."""
    docs = [d for d in iter_documents([str(path)]) if isinstance(d, Document)]
    if not docs:
        raise UserError(f"no documents in {path}")
    return docs


def predict_news(docs: list[Document], nlp, *, options: ExtractOptions = ExtractOptions(),
                 baseline: bool = True) -> tuple[list[dict], list[dict]]:
    """kg's and (optionally) textacy's predictions for documents, parsed once."""
    kg_rows, base_rows = [], []
    for d in docs:
        ps = [(p, nlp(p.text)) for p in pieces(d.text)]
        kg_rows.extend(news_row(t) for t in triples_from_parses(d, ps, options=options))
        if baseline:
            for _, sdoc in ps:
                base_rows.extend(_textacy_rows(d.id, sdoc))
    return kg_rows, base_rows


def score_news(scorer, gold: list[dict], rows: list[dict], *, threshold: float = 0.5) -> dict:
    """Scores of predictions against gold with the news scorer at a slot threshold."""
    old = scorer.THRESHOLD
    scorer.THRESHOLD = threshold
    try:
        res = scorer.evaluate(gold, rows)
    finally:
        scorer.THRESHOLD = old
    return res


def read_carb_sentences(path: str | os.PathLike) -> list[str]:
    """CaRB sentences, one per line."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def _carb_text(sentence: str) -> str:
    for esc, ch in {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"', "''": '"'}.items():
        sentence = sentence.replace(esc, ch)
    return sentence


def predict_carb(sentences: list[str], nlp, *, baseline: bool = True) -> tuple[list[str], list[str]]:
    """CaRB TSV prediction lines (sentence, confidence, relation, arg1, arg2) of kg and textacy."""
    options = ExtractOptions(keep_unresolved=True, aliases=False, rules=OPEN_RULES)
    kg_lines, base_lines = [], []
    texts = [_carb_text(s) for s in sentences]
    for sentence, sdoc in zip(sentences, nlp.pipe(texts, batch_size=64)):
        doc = Document(id="carb", text=sdoc.text)
        piece = next(iter(pieces(sdoc.text)), None)
        if piece is None:
            continue
        for t in triples_from_parses(doc, [(piece, sdoc)], options=options):
            kg_lines.append("\t".join([sentence, f"{t.confidence:.3f}", _one_line(t.predicate.text),
                                       _one_line(t.subject.text), _one_line(t.object.text)]))
        if baseline:
            for r in _textacy_rows("carb", sdoc):
                base_lines.append("\t".join([sentence, "1.0", r["relation_text"], r["subject_text"], r["object_text"]]))
    return kg_lines, base_lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def score_carb(scorer, gold_path: str | os.PathLike, lines: Iterable[str], workdir: Path) -> dict:
    """Scores of CaRB prediction lines with the CaRB scorer."""
    pred = workdir / "carb_pred.tsv"
    pred.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    res = scorer.evaluate(scorer.read_gold(str(gold_path)), scorer.read_pred(str(pred)))
    return {k: v for k, v in res.items() if k != "curve"}


def model_name(nlp) -> str:
    """Description of the pipeline used."""
    return model_description(nlp)

