"""Confidence from measured precision: how often each rule's triples were right on gold news.

``rule_precision.json`` beside this module is written by ``make calibrate``
(``kg eval --bundled --shared … --write-precision``): for every rule name, how many
triples it produced on the development gold sets and how many matched. A triple's
confidence is the precision of its rule, smoothed towards the precision of the rule's
family (the name before the first ``+``), which is smoothed towards the precision of
all rules; a family never measured keeps the confidence its rule states.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

#: Weight, in triples, of the wider estimate a narrower one is pulled towards.
PRIOR_WEIGHT = 5.0
PRECISION_FILE = Path(__file__).with_name("rule_precision.json")


@lru_cache(maxsize=1)
def measured() -> dict:
    """{rule: {"n": produced, "matched": m, "precision": p}} as last calibrated (empty when absent)."""
    try:
        return json.loads(PRECISION_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _rows(table: dict) -> tuple:
    return tuple(sorted((k, v["n"], v["matched"]) for k, v in table.items()))


@lru_cache(maxsize=1)
def _shipped_rows() -> tuple:
    return _rows(measured())


@lru_cache(maxsize=8)
def _families(rows: tuple) -> tuple[dict, float]:
    """Per family (n, matched), and the precision of all rules, from (rule, n, matched) rows."""
    fams: dict = {}
    for rule, n, m in rows:
        fn, fm = fams.get(rule.split("+")[0], (0, 0))
        fams[rule.split("+")[0]] = (fn + n, fm + m)
    total = sum(n for n, _ in fams.values())
    overall = sum(m for _, m in fams.values()) / total if total else 0.5
    return fams, overall


def calibrated(rule: str, stated: float, *, table: dict | None = None) -> float:
    """The confidence of a triple made by ``rule`` (e.g. ``svo+xcomp+pronoun``).

    ``stated``: the rule's own estimate, used when its family was never measured.

    >>> t = {"svo": {"n": 90, "matched": 60, "precision": 0.667}, "svo+pronoun": {"n": 10, "matched": 4, "precision": 0.4}}
    >>> calibrated("svo", 0.8, table=t), calibrated("svo+pronoun", 0.8, table=t), calibrated("apposition", 0.5, table=t)
    (0.665, 0.48, 0.5)
    """
    table = measured() if table is None else table
    fams, overall = _families(_shipped_rows() if table is measured() else _rows(table))
    family = fams.get(rule.split("+")[0])
    if family is None:
        return stated
    n, m = family
    p_family = (m + PRIOR_WEIGHT * overall) / (n + PRIOR_WEIGHT)
    row = table.get(rule)
    if row is None:
        return round(p_family, 3)
    return round((row["matched"] + PRIOR_WEIGHT * p_family) / (row["n"] + PRIOR_WEIGHT), 3)
