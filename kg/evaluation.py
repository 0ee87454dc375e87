"""Measuring extraction: kg and a peer baseline through the same scorers, several gold sets in one run.

Three kinds of gold set:

- *news*: documents plus gold entity–relation triples with alternatives, scored by
  :mod:`kg.scoring` (the definition of ``score.py``: slot token-F1 ≥ 0.5, and strict
  ≥ 0.8). Predictions use canonical names (``subject.name``, ``predicate.lemma``,
  ``object.name``) and the speaker. A small set written for kg ships in the package
  (:func:`bundled_set`).
- *CoNLL04*: one document per sentence, made as ``conll04_pairs.py docs`` makes them,
  scored by entity-pair recall with ``conll04_pairs.py`` itself (loaded from its path).
- *CaRB*: open information extraction on single sentences, scored by
  ``carb_score.py`` (loaded from its path); predictions use surface spans
  (predicate text, subject and object text), with unresolved pronouns kept.

The baseline is textacy's ``subject_verb_object_triples`` run on the same spaCy
parses: news and CoNLL04 documents, and each CaRB sentence as a document of its own,
go through the run driver (:func:`kg.run.driver.run`) like any other, with the baseline
computed from each document's parses on the way (its ``also`` hook), so every document
is parsed once.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from . import scoring
from .diagnostics import KINDS, kind_table, rule_family, rule_table
from .extractor import ExtractOptions
from .extractor.rules import OPEN_RULES
from .errors import UserError
from .nlp import model_description
from .records import Document, Rejection, Triple
from .run.driver import run
from .sources import iter_documents

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "eval_data"
CONLL04_TYPES = ("Located_In", "OrgBased_In", "Work_For", "Live_In", "Kill")


@dataclass(frozen=True)
class NewsSet:
    """A news gold set: gold triples and their documents (JSON Lines)."""

    name: str
    gold: Path
    docs: Path


@dataclass(frozen=True)
class Conll04Set:
    """A CoNLL04 split (JSON) and the ``conll04_pairs.py`` that scores it."""

    name: str
    path: Path
    scorer: Path


@dataclass(frozen=True)
class CarbSet:
    """A CaRB split (``dev_sentences.txt``, ``dev_gold.tsv``) and the ``carb_score.py`` that scores it."""

    name: str
    dir: Path
    scorer: Path


def load_scorer(path: str | os.PathLike):
    """Import a scorer module from a file path."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"scorer not found: {path}")
    spec = importlib.util.spec_from_file_location(f"kg_scorer_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def news_set(gold: str | os.PathLike, docs: str | os.PathLike) -> NewsSet:
    """A news set named after its gold file (``news_dev2_gold.jsonl`` → ``news_dev2``)."""
    gold = Path(gold)
    name = gold.stem[: -len("_gold")] if gold.stem.endswith("_gold") else gold.stem
    return NewsSet(name, gold, Path(docs))


def bundled_set() -> NewsSet:
    """The gold set shipped with kg (``kg/eval_data``)."""
    return NewsSet("bundled", BUNDLED_DIR / "gold.jsonl", BUNDLED_DIR / "docs.jsonl")


def conll04_set(path: str | os.PathLike, scorer: Optional[str | os.PathLike] = None) -> Conll04Set:
    """A CoNLL04 split; its scorer defaults to ``conll04_pairs.py`` beside the split's folder."""
    path = Path(path)
    if scorer is None:
        near = [d / "conll04_pairs.py" for d in (path.parent, path.parent.parent)]
        scorer = next((p for p in near if p.is_file()), near[-1])
    return Conll04Set(path.stem, path, Path(scorer))


def carb_set(directory: str | os.PathLike, scorer: Optional[str | os.PathLike] = None) -> CarbSet:
    """The CaRB dev split in ``directory``; its scorer defaults to ``carb_score.py`` beside it."""
    directory = Path(directory)
    return CarbSet("carb_dev", directory, Path(scorer) if scorer else directory.parent / "carb_score.py")


def shared_sets(directory: str | os.PathLike) -> tuple[list[NewsSet], list[Conll04Set], list[CarbSet]]:
    """Every gold set in an evaluation folder: ``*_gold.jsonl`` with its ``*_docs.jsonl``,
    ``conll04/conll04_dev.json`` and ``carb/``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"not a folder: {directory}")
    pairs = [(g, g.with_name(g.name.replace("_gold.jsonl", "_docs.jsonl")))
             for g in sorted(directory.glob("*_gold.jsonl"))]
    news = [news_set(g, d) for g, d in pairs if d.is_file()]
    conll = [conll04_set(p) for p in [directory / "conll04" / "conll04_dev.json"] if p.is_file()]
    carb = [carb_set(d) for d in [directory / "carb"] if (d / "dev_sentences.txt").is_file()]
    return news, conll, carb


def check_sets(news: Iterable[NewsSet] = (), conll04: Iterable[Conll04Set] = (),
               carb: Iterable[CarbSet] = ()) -> None:
    """Raise :class:`UserError` naming the first file of a set that is not there."""
    paths = [p for s in news for p in (s.gold, s.docs)] + [p for s in conll04 for p in (s.path, s.scorer)] + \
        [p for s in carb for p in (s.dir / "dev_sentences.txt", s.dir / "dev_gold.tsv", s.scorer)]
    missing = next((p for p in paths if not p.is_file()), None)
    if missing is not None:
        raise UserError(f"not found: {missing}")


def news_row(t: Triple) -> dict:
    """A triple in the news scorer's prediction form."""
    return {"doc_id": t.doc_id, "subject": t.subject.name, "relation": t.predicate.lemma,
            "object": t.object.name, "speaker": t.speaker.name if t.speaker else None,
            "negated": t.negated, "confidence": t.confidence, "rule": t.rule}


def _textacy_svos(sdoc) -> list[tuple]:
    from textacy.extract import subject_verb_object_triples

    return [(list(s.subject), list(s.verb), list(s.object)) for s in subject_verb_object_triples(sdoc)]


def _textacy_row(doc_id: str, svo: tuple) -> dict:
    subj, verb, obj = svo
    rel = " ".join(t.lemma_ for t in verb if t.dep_ not in ("aux", "auxpass", "neg")) or \
        " ".join(t.lemma_ for t in verb)
    subject, obj_text = " ".join(t.text for t in subj), " ".join(t.text for t in obj)
    return {"doc_id": doc_id, "subject": subject, "relation": rel, "object": obj_text,
            "subject_text": subject, "relation_text": " ".join(t.text for t in verb), "object_text": obj_text}


def read_gold_documents(path: str | os.PathLike) -> list[Document]:
    """The documents of a gold set (JSONL with ``id`` and ``text``)."""
    docs = [d for d in iter_documents([str(path)]) if isinstance(d, Document)]
    if not docs:
        raise UserError(f"no documents in {path}")
    return docs


def textacy_rows(doc: Document, parses: list[tuple]) -> list[dict]:
    """textacy's rows of one parsed document, in the news scorer's form."""
    return [_textacy_row(doc.id, svo) for _, sdoc in parses for svo in _textacy_svos(sdoc)]


def textacy_pairs(doc: Document, parses: list[tuple]) -> list[tuple]:
    """textacy's (subject, object) arguments of one parsed document, in ``conll04_pairs.py``'s form."""
    return [tuple({"spans": [(piece.start + t.idx, piece.start + t.idx + len(t.text)) for t in toks],
                   "strings": [" ".join(t.text for t in toks)]} for toks in (subj, obj))
            for piece, sdoc in parses for subj, _, obj in _textacy_svos(sdoc)]


def predict_news(docs: list[Document], nlp, *, options: ExtractOptions = ExtractOptions(),
                 baseline=textacy_rows) -> tuple[list[Triple], dict]:
    """kg's triples of ``docs`` and, per document id, what ``baseline(document, parses)`` made of the
    same parses (None: no baseline); through the run driver, in ``nlp``, each document parsed once."""
    triples, base = [], {}
    for r in run(docs, nlp=nlp, options=options, also=baseline):
        if isinstance(r, Rejection):
            log.warning("%s: %s", r.origin, r.reason)
            continue
        triples.extend(r.triples)
        if r.extra:
            base.setdefault(r.doc_id, []).extend(r.extra)
    return triples, base


def score_news(gold: list[dict], rows: list[dict], *, threshold: float = scoring.LENIENT,
               scorer=None) -> dict:
    """Scores of predictions against gold at a slot threshold (kg's scorer, or a loaded ``score.py``)."""
    if scorer is None:
        return scoring.evaluate(gold, rows, threshold=threshold)
    old = scorer.THRESHOLD
    scorer.THRESHOLD = threshold
    try:
        return scorer.evaluate(gold, rows)
    finally:
        scorer.THRESHOLD = old


def conll04_documents(scorer, path: str | os.PathLike) -> tuple[list, list[Document]]:
    """The scorer's sentences of a CoNLL04 split and one document per sentence (``conll04_pairs.py docs``)."""
    sents = list(scorer.sentences(str(path)))
    return sents, [Document(id=did, text=text) for did, text, _, _ in sents]


def _type_order(typ: str) -> tuple:
    return (CONLL04_TYPES.index(typ) if typ in CONLL04_TYPES else len(CONLL04_TYPES), typ)


def score_conll04(scorer, sents: list, kg_triples: list[Triple], workdir: Path,
                  base_args: Optional[dict] = None) -> dict:
    """Entity-pair recall, overall and per relation type, of kg (and textacy) with ``conll04_pairs.py``.

    kg's triples go through the scorer's own reader (``kg_args``) as ``kg extract`` records.
    """
    path = workdir / "conll04_triples.jsonl"
    path.write_text("".join(json.dumps(t.to_dict(), ensure_ascii=False) + "\n" for t in kg_triples),
                    encoding="utf-8")
    systems = {"kg": scorer.kg_args(str(path))}
    if base_args is not None:
        systems["textacy"] = base_args
    out = {}
    for name, args in systems.items():
        found, total = scorer.evaluate(sents, args)
        overlap, _ = scorer.evaluate(sents, args, overlap_only=True)
        n = sum(total.values())
        out[name] = {"pair_recall": sum(found.values()) / n if n else 0.0,
                     "pair_recall_overlap_only": sum(overlap.values()) / n if n else 0.0,
                     "by_type": {typ: found[typ] / total[typ] for typ in sorted(total, key=_type_order)},
                     "n_pairs": n, "n_triples": sum(len(v) for v in args.values())}
    return out


def read_carb_sentences(path: str | os.PathLike) -> list[str]:
    """CaRB sentences, one per line."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def _carb_text(sentence: str) -> str:
    for esc, ch in {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"', "''": '"'}.items():
        sentence = sentence.replace(esc, ch)
    return sentence


#: What CaRB asks for: open relations on surface spans, unresolved pronouns kept, no alias triples.
CARB_OPTIONS = ExtractOptions(keep_unresolved=True, aliases=False, rules=OPEN_RULES)


def carb_documents(sentences: list[str]) -> list[Document]:
    """One document per CaRB sentence, ``carb:N`` for the sentence on line N, its PTB escapes undone.

    Each sentence has an id of its own: a run gives one id to one document only, so sentences
    sharing an id would be refused, and two identical sentences are still two lines to predict.
    """
    return [Document(id=f"carb:{n}", text=_carb_text(s)) for n, s in enumerate(sentences)]


def textacy_carb(doc: Document, parses: list[tuple]) -> list[tuple]:
    """textacy's (relation, subject, object) surface spans of one parsed document."""
    return [(r["relation_text"], r["subject_text"], r["object_text"])
            for r in (_textacy_row(doc.id, svo) for _, sdoc in parses for svo in _textacy_svos(sdoc))]


def predict_carb(sentences: list[str], nlp, *, baseline: bool = True) -> tuple[list[str], list[str]]:
    """CaRB TSV prediction lines (sentence, confidence, relation, arg1, arg2) of kg and textacy, through
    the run driver (one document per sentence, each parsed once) in ``nlp``."""
    docs = carb_documents(sentences)
    sentence_of = {d.id: s for d, s in zip(docs, sentences)}
    kg_lines, base_lines = [], []
    for r in run(docs, nlp=nlp, options=CARB_OPTIONS, also=textacy_carb if baseline else None):
        if isinstance(r, Rejection):
            log.warning("%s: %s", r.origin, r.reason)
            continue
        sentence = sentence_of[r.doc_id]
        kg_lines += ["\t".join([sentence, f"{t.confidence:.3f}", _one_line(t.predicate.text),
                                _one_line(t.subject.text), _one_line(t.object.text)]) for t in r.triples]
        base_lines += ["\t".join([sentence, "1.0", *spans]) for spans in r.extra or ()]
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


def _summary(r: dict) -> dict:
    return {k: v for k, v in r.items() if k not in ("misses", "extras", "pairs")}


def evaluate_sets(nlp, *, news: Iterable[NewsSet] = (), conll04: Iterable[Conll04Set] = (),
                  carb: Iterable[CarbSet] = (), baseline: bool = True, scorer=None,
                  workdir: Path) -> dict:
    """Score kg (and textacy) on every set; each set's documents are parsed once.

    Returns ``{"model", "news": {set: {...}}, "conll04": {...}, "carb": {...}, "rules",
    "rule_families", "kinds", "predictions"}``: per news set the lenient and strict scores of
    each system; ``rules`` is the per-rule table over all news sets (lenient, one-to-one),
    ``rule_families`` the same per rule family, and ``kinds``
    the misses and extras of kg grouped by kind (:mod:`kg.diagnostics`); ``predictions``
    kg's news rows.
    """
    report: dict = {"model": model_description(nlp), "news": {}, "conll04": {}, "carb": {}}
    all_rows: list[dict] = []
    matched: list[int] = []
    kinds: dict[str, dict] = {}
    for s in news:
        gold = scoring.read_jsonl(s.gold)
        docs = read_gold_documents(s.docs)
        triples, base = predict_news(docs, nlp, baseline=textacy_rows if baseline else None)
        base_rows = [row for rows in base.values() for row in rows]
        rows = [{**news_row(t), "set": s.name} for t in triples]
        entry = {"documents": len(docs), "gold": len(gold)}
        systems = {"kg": rows, **({"textacy": base_rows} if baseline else {})}
        own = scoring.evaluate(gold, rows)  # its pairs credit the rules
        for name, sys_rows in systems.items():
            lenient = own if name == "kg" and scorer is None else score_news(gold, sys_rows, scorer=scorer)
            entry[name] = {"lenient": _summary(lenient),
                           "strict": _summary(score_news(gold, sys_rows, threshold=scoring.STRICT, scorer=scorer))}
        report["news"][s.name] = entry
        matched += [len(all_rows) + i for i, _ in own["pairs"]]
        all_rows += rows
        table = kind_table([{**g, "set": s.name} for g in own["misses"]], own["extras"],
                           {d.id: d.text for d in docs})
        for kind, sides in table.items():
            for side, found in sides.items():
                kinds.setdefault(kind, {"missed": [], "extra": []})[side].extend(found)
    for s in conll04:
        mod = load_scorer(s.scorer)
        sents, docs = conll04_documents(mod, s.path)
        triples, base_args = predict_news(docs, nlp, baseline=textacy_pairs if baseline else None)
        report["conll04"][s.name] = score_conll04(mod, sents, triples, workdir, base_args if baseline else None)
    for s in carb:
        mod = load_scorer(s.scorer)
        sentences = read_carb_sentences(s.dir / "dev_sentences.txt")
        kg_lines, base_lines = predict_carb(sentences, nlp, baseline=baseline)
        entry = {"sentences": len(sentences), "kg": score_carb(mod, s.dir / "dev_gold.tsv", kg_lines, workdir)}
        if baseline:
            entry["textacy"] = score_carb(mod, s.dir / "dev_gold.tsv", base_lines, workdir)
        report["carb"][s.name] = entry
    report["rules"] = rule_table(all_rows, matched)
    report["rule_families"] = rule_table(all_rows, matched, key=rule_family)
    report["kinds"] = {k: kinds[k] for k in KINDS if k in kinds}
    report["predictions"] = all_rows
    return report
