"""Score extraction against gold sets (news, CoNLL04 pairs, CaRB), with textacy as the peer baseline.

    kg eval                                   the gold set bundled with kg
    kg eval GOLD DOCS [--carb DIR]            one news set (and CaRB)
    kg eval --news GOLD DOCS --news ... --conll04 FILE --carb DIR
    kg eval --bundled --shared ../shared/eval every set in an evaluation folder, plus the bundled one
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from .. import evaluation as ev
from ..diagnostics import precision_map
from ..errors import UsageError
from ..nlp import DEFAULT_MODEL, load_model


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg eval``."""
    p.add_argument("gold", metavar="GOLD", nargs="?", help="gold triples (JSON Lines with alternatives per slot)")
    p.add_argument("docs", metavar="DOCS", nargs="?", help="the gold documents (JSON Lines with id and text)")
    p.add_argument("--news", nargs=2, action="append", default=[], metavar=("GOLD", "DOCS"),
                   help="a news set (repeatable)")
    p.add_argument("--conll04", action="append", default=[], metavar="FILE",
                   help="a CoNLL04 split, e.g. conll04/conll04_dev.json (repeatable)")
    p.add_argument("--carb", metavar="DIR", action="append", default=[],
                   help="a CaRB split in DIR (dev_sentences.txt, dev_gold.tsv)")
    p.add_argument("--shared", metavar="DIR",
                   help="every set in an evaluation folder: *_gold.jsonl + *_docs.jsonl, conll04/, carb/")
    p.add_argument("--bundled", action="store_true",
                   help="also the gold set shipped with kg (the default when no set is given)")
    p.add_argument("--scorer", help="score news with this score.py instead of kg's own (same definition)")
    p.add_argument("--carb-scorer", help="CaRB scorer (default: carb_score.py beside DIR)")
    p.add_argument("--conll04-scorer", help="CoNLL04 scorer (default: conll04_pairs.py beside the split's folder)")
    p.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline")
    p.add_argument("--no-baseline", action="store_true", help="skip the textacy baseline")
    p.add_argument("--predictions", metavar="FILE", help="write kg's news predictions here (scorer's JSONL form)")
    p.add_argument("--write-precision", metavar="FILE",
                   help='write each rule\'s measured precision: {rule: {"n", "matched", "precision"}}')
    p.add_argument("--show-misses", action="store_true",
                   help="list missed gold and extra predicted triples, grouped by kind")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")


def _sets(args) -> tuple[list, list, list]:
    if (args.gold is None) != (args.docs is None):
        raise UsageError("give both GOLD and DOCS (or neither)")
    news = [ev.news_set(g, d) for g, d in ([(args.gold, args.docs)] if args.gold else []) + args.news]
    conll = [ev.conll04_set(f, args.conll04_scorer) for f in args.conll04]
    carb = [ev.carb_set(d, args.carb_scorer) for d in args.carb]
    if args.shared:
        more = ev.shared_sets(args.shared)
        news, conll, carb = news + more[0], conll + more[1], carb + more[2]
    if args.bundled or not (news or conll or carb):
        news.insert(0, ev.bundled_set())
    names = [s.name for s in news]
    # two sets named alike are told apart by their folder
    news = [replace(s, name=f"{s.gold.parent.name}/{s.name}") if names.count(s.name) > 1 else s for s in news]
    return news, conll, carb


def _f(x) -> str:
    return "  n/a" if x is None else f"{x:.3f}"


def format_report(r: dict, *, show_misses: bool = False) -> str:
    """The report as text tables."""
    out = [f"model {r['model']}"]
    if r["news"]:
        out += ["", "news sets (slot token-F1 >= 0.5 lenient, >= 0.8 strict; one-to-one per document)",
                f"{'set':<18}{'docs':>5}{'gold':>6}  {'system':<8}{'P':>7}{'R':>7}{'F1':>7}"
                f"{'strictF1':>9}{'pairR':>7}{'speaker':>8}{'pred':>6}"]
        for name, s in r["news"].items():
            for i, system in enumerate(k for k in ("kg", "textacy") if k in s):
                le, st = s[system]["lenient"], s[system]["strict"]
                head = f"{name:<18}{s['documents']:>5}{s['gold']:>6}" if i == 0 else " " * 29
                out.append(f"{head}  {system:<8}{le['precision']:>7.3f}{le['recall']:>7.3f}{le['f1']:>7.3f}"
                           f"{st['f1']:>9.3f}{le['entity_pair_recall']:>7.3f}{_f(le['speaker_accuracy']):>8}"
                           f"{le['n_pred']:>6}")
    for name, s in r["conll04"].items():
        systems = [k for k in ("kg", "textacy") if k in s]
        out += ["", f"CoNLL04 {name}: entity-pair recall ({s['kg']['n_pairs']} gold pairs)",
                f"{'relation':<26}" + "".join(f"{k:>9}" for k in systems)]
        for typ in s["kg"]["by_type"]:
            out.append(f"{typ:<26}" + "".join(f"{s[k]['by_type'][typ]:>9.3f}" for k in systems))
        out.append(f"{'all':<26}" + "".join(f"{s[k]['pair_recall']:>9.3f}" for k in systems))
        out.append(f"{'all, span overlap only':<26}" + "".join(f"{s[k]['pair_recall_overlap_only']:>9.3f}"
                                                              for k in systems))
    for name, s in r["carb"].items():
        out += ["", f"CaRB {name} ({s['sentences']} sentences)", f"{'system':<10}{'P':>7}{'R':>7}{'F1':>7}{'AUC':>7}"]
        for k in ("kg", "textacy"):
            if k in s:
                out.append(f"{k:<10}" + "".join(f"{s[k][m]:>7.3f}" for m in ("precision", "recall", "f1", "auc")))
    if r["rules"]:
        out += ["", "kg rules on the news sets (lenient, one-to-one)",
                f"{'rule':<28}{'triples':>8}{'matched':>8}{'precision':>10}"]
        out += [f"{x['rule']:<28}{x['n']:>8}{x['matched']:>8}{x['precision']:>10.3f}" for x in r["rules"]]
        out += ["", "kg rule families (the rule before the first +)",
                f"{'family':<28}{'triples':>8}{'matched':>8}{'precision':>10}"]
        out += [f"{x['rule']:<28}{x['n']:>8}{x['matched']:>8}{x['precision']:>10.3f}" for x in r["rule_families"]]
    if r["kinds"]:
        out += ["", "kg misses and extras by kind (a diagnostic; see kg/diagnostics.py)",
                f"{'kind':<26}{'missed':>7}{'extra':>7}"]
        out += [f"{k:<26}{len(v['missed']):>7}{len(v['extra']):>7}" for k, v in r["kinds"].items()]
        out.append(f"{'all':<26}{sum(len(v['missed']) for v in r['kinds'].values()):>7}"
                   f"{sum(len(v['extra']) for v in r['kinds'].values()):>7}")
    if show_misses:
        for kind, v in r["kinds"].items():
            out += ["", f"== {kind}"]
            out += [f"MISS  [{g['set']} {g['doc_id']}] {g['subject'][0]} | {g['relation'][0]} | {g['object'][0]}"
                    for g in v["missed"]]
            out += [f"EXTRA [{p['set']} {p['doc_id']}] {p['subject']} | {p['relation']} | {p['object']}"
                    f"  ({p.get('rule')})" for p in v["extra"]]
    return "\n".join(out)


def json_report(r: dict) -> dict:
    """The report for machines: scores, the rule table and miss counts per kind (no row lists)."""
    out = {k: r[k] for k in ("model", "news", "conll04", "carb", "rules", "rule_families")}
    out["kinds"] = {k: {"missed": len(v["missed"]), "extra": len(v["extra"])} for k, v in r["kinds"].items()}
    out["seconds"] = r.get("seconds")
    return out


def run(args) -> int:
    """``kg eval``: scores of kg and the baseline on every set asked for."""
    news, conll, carb = _sets(args)
    ev.check_sets(news, conll, carb)
    scorer = ev.load_scorer(args.scorer) if args.scorer else None
    baseline = not args.no_baseline
    if baseline:
        try:
            import textacy  # noqa: F401
        except ImportError:
            raise UsageError("the textacy baseline needs: pip install 'kg[eval]' (or pass --no-baseline)") from None
    started = time.perf_counter()
    nlp = load_model(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        report = ev.evaluate_sets(nlp, news=news, conll04=conll, carb=carb, baseline=baseline,
                                  scorer=scorer, workdir=Path(tmp))
    report["seconds"] = round(time.perf_counter() - started, 1)
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in report["predictions"])
    if args.write_precision:
        with open(args.write_precision, "w", encoding="utf-8") as f:
            json.dump(precision_map(report["rules"]), f, indent=1, sort_keys=True)
            f.write("\n")
    if args.json:
        print(json.dumps(json_report(report), sort_keys=True))
    else:
        print(format_report(report, show_misses=args.show_misses))
    parts = [f"{n} F1 {s['kg']['lenient']['f1']:.3f}" for n, s in report["news"].items()]
    parts += [f"CoNLL04 {n} pair recall {s['kg']['pair_recall']:.3f}" for n, s in report["conll04"].items()]
    parts += [f"CaRB F1 {s['kg']['f1']:.3f}" for s in report["carb"].values()]
    print(f"kg eval: {'; '.join(parts)} ({report['seconds']} s)", file=sys.stderr)
    return 0
