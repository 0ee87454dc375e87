"""Score extraction against a gold set (precision / recall / F1), with textacy as the peer baseline."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from .. import evaluation as ev
from ..errors import UsageError
from ..nlp import DEFAULT_MODEL, load_model, model_description


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg eval``."""
    p.add_argument("gold", metavar="GOLD", help="gold triples (JSON Lines with alternatives per slot)")
    p.add_argument("docs", metavar="DOCS", help="the gold documents (JSON Lines with id and text)")
    p.add_argument("--scorer", help="news scorer (default: score.py beside GOLD)")
    p.add_argument("--carb", metavar="DIR", help="also score the CaRB split in DIR (dev_sentences.txt, dev_gold.tsv)")
    p.add_argument("--carb-scorer", help="CaRB scorer (default: carb_score.py beside DIR)")
    p.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline")
    p.add_argument("--no-baseline", action="store_true", help="skip the textacy baseline")
    p.add_argument("--predictions", metavar="FILE", help="write kg's news predictions here (scorer's JSONL form)")
    p.add_argument("--show-misses", action="store_true", help="list missed gold and extra predicted triples")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def _line(name: str, r: dict) -> str:
    return (f"  {name:<22} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}"
            + (f"  pair-recall {r['entity_pair_recall']:.3f}" if "entity_pair_recall" in r else "")
            + (f"  ({r['matched']}/{r['n_pred']} pred, {r['n_gold']} gold)" if "matched" in r else ""))


def _summary(r: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items() if k not in ("misses", "extras")}


def run(args) -> int:
    """``kg eval``: news scores (and CaRB with ``--carb``) for kg and the baseline."""
    gold_path = Path(args.gold)
    scorer_path = Path(args.scorer) if args.scorer else gold_path.parent / "score.py"
    scorer = ev.load_scorer(scorer_path)
    gold = scorer.read_jsonl(str(gold_path))
    docs = ev.read_gold_documents(args.docs)
    nlp = load_model(args.model)
    baseline = not args.no_baseline
    if baseline:
        try:
            import textacy  # noqa: F401
        except ImportError:
            raise UsageError("the textacy baseline needs: pip install 'kg[eval]' (or pass --no-baseline)") from None
    kg_rows, base_rows = ev.predict_news(docs, nlp, baseline=baseline)
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in kg_rows)
    report = {"model": model_description(nlp), "news": {}}
    for threshold in (0.5, 0.8):
        tag = f"threshold {threshold}"
        report["news"][tag] = {"kg": ev.score_news(scorer, gold, kg_rows, threshold=threshold)}
        if baseline:
            report["news"][tag]["textacy"] = ev.score_news(scorer, gold, base_rows, threshold=threshold)
    if args.carb:
        carb_dir = Path(args.carb)
        carb_scorer = ev.load_scorer(Path(args.carb_scorer) if args.carb_scorer else carb_dir.parent / "carb_score.py")
        sentences = ev.read_carb_sentences(carb_dir / "dev_sentences.txt")
        kg_lines, base_lines = ev.predict_carb(sentences, nlp, baseline=baseline)
        with tempfile.TemporaryDirectory() as tmp:
            report["carb"] = {"kg": ev.score_carb(carb_scorer, carb_dir / "dev_gold.tsv", kg_lines, Path(tmp))}
            if baseline:
                report["carb"]["textacy"] = ev.score_carb(carb_scorer, carb_dir / "dev_gold.tsv", base_lines, Path(tmp))
    if args.show_misses:
        res = report["news"]["threshold 0.5"]["kg"]
        for g in res["misses"]:
            print(f"MISS  [{g['doc_id']}] {g['subject'][0]} | {g['relation'][0]} | {g['object'][0]}")
        for p in res["extras"]:
            print(f"EXTRA [{p['doc_id']}] {p['subject']} | {p['relation']} | {p['object']}  ({p.get('rule')})")
    if args.json:
        out = {"model": report["model"], "news": {t: {k: _summary(v) for k, v in r.items()}
                                                   for t, r in report["news"].items()}}
        if "carb" in report:
            out["carb"] = {k: _summary(v) for k, v in report["carb"].items()}
        print(json.dumps(out, sort_keys=True))
    else:
        print(f"model {report['model']}; {len(docs)} documents, {len(gold)} gold triples")
        for tag, r in report["news"].items():
            print(f"news, slot match at token-F1 >= {tag.split()[-1]}:")
            for name, res in r.items():
                print(_line(name, res))
        if "carb" in report:
            print(f"CaRB dev ({len(sentences)} sentences):")
            for name, res in report["carb"].items():
                print(_line(name, res) + f"  AUC {res['auc']:.3f}")
    k = report["news"]["threshold 0.5"]["kg"]
    print(f"kg eval: news F1 {k['f1']:.3f} (P {k['precision']:.3f}, R {k['recall']:.3f}, "
          f"pair recall {k['entity_pair_recall']:.3f})"
          + (f"; CaRB F1 {report['carb']['kg']['f1']:.3f}" if "carb" in report else ""), file=sys.stderr)
    return 0
