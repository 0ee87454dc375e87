"""The news metric: predicted triples against gold triples with alternatives (standard library only).

The same definition as the gold data's ``score.py``, so ``kg eval`` works without it
(``tests/test_evaluation.py`` checks that both give the same numbers):

- a slot is normalised to tokens (lower case, quotes and possessives removed,
  punctuation dropped, articles dropped, a crude suffix stemmer);
- a slot matches when its token F1 against any alternative reaches the threshold
  (0.5 lenient, 0.8 strict);
- a prediction matches a gold triple of the same document when all three slots
  match (for relation ``alias`` subject and object may be swapped); matching is
  one-to-one per document, best pairs first (sum of the three slot F1s);
- only documents that appear in the gold are scored.

Beyond ``score.py``, :func:`evaluate` also returns the matched pairs, so a match can
be credited to the rule that produced the prediction.

>>> gold = [{"doc_id": "d", "subject": ["Acme Corp", "Acme"], "relation": ["buy"],
...          "object": ["Blue Ltd"], "speaker": None, "negated": False}]
>>> pred = [{"doc_id": "d", "subject": "Acme", "relation": "buy", "object": "Blue Ltd"}]
>>> r = evaluate(gold, pred)
>>> r["precision"], r["recall"], r["pairs"]
(1.0, 1.0, [(0, 0)])
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Iterable, Sequence

ARTICLES = frozenset({"the", "a", "an"})
LENIENT = 0.5
STRICT = 0.8
_SUFFIXES = (("ing", 5), ("ies", 4), ("ed", 4), ("es", 4), ("s", 3))
_QUOTES = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}
_POSSESSIVE = re.compile(r"'s\b|s'(?=\s|$)")


def _stem(tok: str) -> str:
    for suf, keep in _SUFFIXES:
        if tok.endswith(suf) and len(tok) > keep:
            return tok[: -len(suf)] + ("y" if suf == "ies" else "")
    return tok


def tokens(text: str | None) -> list[str]:
    """Normalised tokens of one slot.

    >>> tokens("The Acme's buying units")
    ['acme', 'buy', 'unit']
    """
    return list(_tokens(text or ""))


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    t = unicodedata.normalize("NFKC", text or "").lower()
    for a, b in _QUOTES.items():
        t = t.replace(a, b)
    t = _POSSESSIVE.sub(lambda m: "" if m.group(0) == "'s" else "s", t)
    t = "".join(ch if (ch.isalnum() or ch.isspace() or ch == "-") else " " for ch in t)
    t = t.replace("-", " ")
    return tuple(_stem(w) for w in t.split() if w not in ARTICLES)


def token_f1(a: Sequence[str], b: Sequence[str]) -> float:
    """F1 of two token lists as multisets.

    >>> token_f1(["acme", "corp"], ["acme"])
    0.6666666666666666
    """
    if not a or not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def slot_score(pred: str, alternatives: Iterable[str]) -> float:
    """Best token F1 of a predicted slot against the gold alternatives.

    >>> slot_score("Acme", ["Acme Corp", "Acme"])
    1.0
    """
    pt = _tokens(pred or "")
    return max((token_f1(pt, _tokens(alt or "")) for alt in alternatives), default=0.0)


def pair_score(p: dict, g: dict, *, threshold: float = LENIENT) -> float:
    """Sum of the three slot F1s when every slot reaches ``threshold``, else 0."""
    best = 0.0
    orders = [(p["subject"], p["object"])]
    if any(tokens(r) == ["alias"] for r in g["relation"]):
        orders.append((p["object"], p["subject"]))
    for subj, obj in orders:
        s = slot_score(subj, g["subject"])
        r = slot_score(p["relation"], g["relation"])
        o = slot_score(obj, g["object"])
        if min(s, r, o) >= threshold:
            best = max(best, s + r + o)
    return best


def read_jsonl(path) -> list[dict]:
    """The objects of a JSON Lines file."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def match_document(golds: Sequence[dict], preds: Sequence[dict], *,
                   threshold: float = LENIENT) -> list[tuple[int, int]]:
    """One-to-one matches ``(pred index, gold index)`` of one document, best pairs first.

    Ties are broken as ``score.py`` does: higher prediction index, then higher gold index first.
    """
    scored = sorted(((pair_score(p, g, threshold=threshold), i, j) for i, p in enumerate(preds)
                     for j, g in enumerate(golds)), reverse=True)
    used_p, used_g, out = set(), set(), []
    for score, i, j in scored:
        if score <= 0 or i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _pair_hit(g: dict, preds: Sequence[dict], threshold: float) -> bool:
    def ok(a, alts):
        return slot_score(a, alts) >= threshold
    return any((ok(p["subject"], g["subject"]) and ok(p["object"], g["object"]))
               or (ok(p["object"], g["subject"]) and ok(p["subject"], g["object"])) for p in preds)


def evaluate(gold: Sequence[dict], pred: Sequence[dict], *, threshold: float = LENIENT) -> dict:
    """Precision, recall, F1, entity-pair recall, speaker and negation accuracy of ``pred``.

    The keys of ``score.py``'s result (``misses`` and ``extras`` are the unmatched
    gold and predicted rows) plus ``pairs``: the matches as ``(pred index, gold
    index)`` into the given lists.
    """
    gold_by_doc: dict[str, list[int]] = defaultdict(list)
    pred_by_doc: dict[str, list[int]] = defaultdict(list)
    for j, g in enumerate(gold):
        gold_by_doc[str(g["doc_id"])].append(j)
    for i, p in enumerate(pred):
        if str(p.get("doc_id")) in gold_by_doc:
            pred_by_doc[str(p["doc_id"])].append(i)
    pairs, pair_hits, speaker_ok, speaker_total, negation_ok = [], 0, 0, 0, 0
    misses, extras = [], []
    for doc, gidx in gold_by_doc.items():
        pidx = pred_by_doc.get(doc, [])
        golds, preds = [gold[j] for j in gidx], [pred[i] for i in pidx]
        found = match_document(golds, preds, threshold=threshold)
        for i, j in found:
            g, p = golds[j], preds[i]
            pairs.append((pidx[i], gidx[j]))
            negation_ok += bool(p.get("negated")) == bool(g.get("negated"))
            if g.get("speaker"):
                speaker_total += 1
                speaker_ok += token_f1(tokens(p.get("speaker") or ""), tokens(g["speaker"])) >= threshold
        used_g, used_p = {j for _, j in found}, {i for i, _ in found}
        pair_hits += sum(_pair_hit(g, preds, threshold) for g in golds)
        misses += [g for j, g in enumerate(golds) if j not in used_g]
        extras += [p for i, p in enumerate(preds) if i not in used_p]
    matched, n_gold = len(pairs), len(gold)
    n_pred = sum(len(v) for v in pred_by_doc.values())
    precision = matched / n_pred if n_pred else 0.0
    recall = matched / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "matched": matched,
            "n_pred": n_pred, "n_gold": n_gold,
            "entity_pair_recall": pair_hits / n_gold if n_gold else 0.0,
            "speaker_accuracy": speaker_ok / speaker_total if speaker_total else None,
            "negation_accuracy": negation_ok / matched if matched else None,
            "misses": misses, "extras": extras, "pairs": pairs}
