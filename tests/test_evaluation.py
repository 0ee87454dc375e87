"""``kg eval``: the news metric (kg.scoring), its parity with the shipped score.py, the per-rule and
per-kind tables (kg.diagnostics), the set options, and one end-to-end run on the bundled set."""
import json
import random
from pathlib import Path

import pytest

from kg import evaluation as ev
from kg import scoring
from kg.cli import main
from kg.diagnostics import KINDS, kind_table, miss_kind, precision_map, rule_table
from kg.errors import UsageError, UserError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
needs_shared = pytest.mark.skipif(not (SHARED / "score.py").is_file(),
                                  reason=f"no evaluation material at {SHARED} (../shared/eval beside the clone)")


def gold(doc, s, r, o, speaker=None, negated=False):
    return {"doc_id": doc, "subject": s, "relation": r, "object": o, "speaker": speaker, "negated": negated}


def pred(doc, s, r, o, **kw):
    return {"doc_id": doc, "subject": s, "relation": r, "object": o, **kw}


GOLD = [
    gold("d1", ["Velora Energy", "Velora"], ["buy", "agree to buy"], ["Castell Hydro"]),
    gold("d1", ["Martin Okafor"], ["chief executive of"], ["Velora Energy"], speaker=None),
    gold("d1", ["European Commission"], ["alias"], ["EC"]),
    gold("d2", ["Liberal Democratic Party"], ["support"], ["Taiwan"], speaker="Lo Chih-cheng"),
]


def test_exact_precision_recall_f1_and_documents_without_gold_are_ignored():
    preds = [pred("d1", "Velora", "agree to buy", "Castell Hydro"),       # match
             pred("d1", "European Commission", "alias", "EC"),            # match
             pred("d1", "EC", "alias", "European Commission"),            # swapped alias: see below
             pred("d1", "Velora", "sell", "Castell Hydro"),               # relation wrong
             pred("d9", "A", "b", "C")]                                   # no gold for d9: not scored
    r = scoring.evaluate(GOLD, preds)
    assert (r["matched"], r["n_pred"], r["n_gold"]) == (2, 4, 4)
    assert r["precision"] == pytest.approx(2 / 4) and r["recall"] == pytest.approx(2 / 4)
    assert r["f1"] == pytest.approx(0.5)
    assert sorted(r["pairs"]) == [(0, 0), (1, 2)]
    assert [g["relation"][0] for g in r["misses"]] == ["chief executive of", "support"]
    assert [p["relation"] for p in r["extras"]] == ["alias", "sell"]


def test_a_swapped_alias_does_not_match_as_in_score_py():
    # score.py swaps the slots of an alias only when the relation's tokens are ["alias"], but its
    # stemmer makes them ["alia"]; kg's scorer keeps the same numbers
    assert scoring.tokens("alias") == ["alia"]
    r = scoring.evaluate(GOLD[2:3], [pred("d1", "EC", "alias", "European Commission")])
    assert r["matched"] == 0


def test_matching_is_one_to_one_and_best_pairs_first():
    g = [gold("d", ["Acme Corp"], ["buy"], ["Blue Ltd"]), gold("d", ["Acme"], ["buy"], ["Blue"])]
    preds = [pred("d", "Acme", "buy", "Blue"), pred("d", "Acme", "buy", "Blue")]
    r = scoring.evaluate(g, preds)
    # each prediction takes one gold triple; the exact pair (score 3.0) is taken first
    assert r["matched"] == 2 and r["precision"] == 1.0 and r["recall"] == 1.0
    r = scoring.evaluate(g[:1], preds)
    assert r["matched"] == 1 and r["precision"] == 0.5 and len(r["extras"]) == 1


def test_strict_threshold_keeps_apart_names_that_share_words():
    g = [gold("d", ["Liberal Democratic Party"], ["support"], ["Taiwan"])]
    p = [pred("d", "Democratic Progressive Party", "support", "Taiwan")]
    assert scoring.slot_score("Democratic Progressive Party", ["Liberal Democratic Party"]) == pytest.approx(2 / 3)
    assert scoring.evaluate(g, p)["matched"] == 1
    assert scoring.evaluate(g, p, threshold=scoring.STRICT)["matched"] == 0


def test_pair_recall_speaker_and_negation_accuracy():
    preds = [pred("d2", "Liberal Democratic Party", "support", "Taiwan", speaker="Tsai", negated=True),
             pred("d1", "Castell Hydro", "be owned by", "Velora Energy")]   # pair right, relation wrong
    r = scoring.evaluate(GOLD, preds)
    assert r["matched"] == 1
    assert r["entity_pair_recall"] == pytest.approx(2 / 4)   # d2's pair and d1's Velora–Castell pair
    assert r["speaker_accuracy"] == 0.0
    preds[0]["speaker"] = "Lo"                               # "lo" vs "lo chih cheng": token F1 0.5
    assert scoring.evaluate(GOLD, preds)["speaker_accuracy"] == 1.0
    assert r["negation_accuracy"] == 0.0


def test_empty_in_empty_out():
    r = scoring.evaluate([], [])
    assert (r["precision"], r["recall"], r["f1"], r["speaker_accuracy"]) == (0.0, 0.0, 0.0, None)


def _perturbed_predictions(gold_rows, seed):
    """Predictions made from gold by the edits extractors make: other alternatives, cut or extra
    words, swapped arguments, wrong relations, duplicates, speakers and negation flipped."""
    rnd = random.Random(seed)
    out = []
    for g in gold_rows:
        for _ in range(rnd.randint(0, 2)):
            s, r, o = rnd.choice(g["subject"]), rnd.choice(g["relation"]), rnd.choice(g["object"])
            edit = rnd.randrange(6)
            if edit == 1:
                s = " ".join(s.split()[: max(1, len(s.split()) // 2)])
            elif edit == 2:
                o = o + " of the " + rnd.choice(["region", "company", "year"])
            elif edit == 3:
                s, o = o, s
            elif edit == 4:
                r = rnd.choice(["say", "be", "have", r + " to"])
            out.append(pred(g["doc_id"], s, r, o, speaker=rnd.choice([None, g.get("speaker"), "someone"]),
                            negated=rnd.random() < 0.2))
    rnd.shuffle(out)
    return out


@needs_shared
@pytest.mark.parametrize("name, seeds", [("dev", 3), ("news_dev2", 1)])
def test_kg_scorer_gives_exactly_the_numbers_of_score_py(name, seeds):
    shipped = ev.load_scorer(SHARED / "score.py")
    gold_rows = scoring.read_jsonl(SHARED / f"{name}_gold.jsonl")
    for seed in range(seeds):
        preds = _perturbed_predictions(gold_rows, seed)
        for threshold in (scoring.LENIENT, scoring.STRICT):
            ours = scoring.evaluate(gold_rows, preds, threshold=threshold)
            ours.pop("pairs")
            assert ours == ev.score_news(gold_rows, preds, threshold=threshold, scorer=shipped)


def test_rule_table_credits_matches_to_the_rule_that_produced_them():
    preds = [pred("d1", "Velora", "buy", "Castell Hydro", rule="svo+xcomp"),
             pred("d1", "Martin Okafor", "executive of", "Velora Energy", rule="role-appos"),
             pred("d1", "Martin Okafor", "chief executive of", "Velora Energy", rule="role-title"),
             pred("d1", "LYON", "buy", "Castell Hydro", rule="svo+xcomp")]
    r = scoring.evaluate(GOLD, preds)
    table = rule_table(preds, [i for i, _ in r["pairs"]])
    assert table == [{"rule": "svo+xcomp", "n": 2, "matched": 1, "precision": 0.5},
                     {"rule": "role-appos", "n": 1, "matched": 0, "precision": 0.0},
                     {"rule": "role-title", "n": 1, "matched": 1, "precision": 1.0}]
    assert scoring.pair_score(preds[1], GOLD[1]) > 0
    # both role triples match Okafor's gold triple; one-to-one gives it to the exact one
    assert precision_map(table)["role-title"] == {"n": 1, "matched": 1, "precision": 1.0}


TEXT = ("BRAGA, Portugal (Meridian Wire) -- Lawmakers from Mayor Rui Tavares' party voted against the budget.\n"
        "Dutch economist Anna Verhoeven advises the Lumen Institute and the Civic Forum.\n"
        "The plant was closed by regulators, and Acme did not comment.")


@pytest.mark.parametrize("triple, kind", [
    (gold("d", ["Lumen Institute"], ["alias"], ["LI"]), "alias"),
    (gold("d", ["Anna Verhoeven"], ["nationality"], ["Netherlands"]), "nationality"),
    (gold("d", ["Anna Verhoeven"], ["economist of"], ["Netherlands"]), "nationality"),  # demonym + role
    (gold("d", ["Rui Tavares"], ["mayor of"], ["Braga"]), "role/title"),
    (gold("d", ["Okafor"], ["chief executive of"], ["Velora"]), "role/title"),
    (gold("d", ["Castell Hydro"], ["be based in"], ["Grenoble"]), "noun-phrase place/owner"),
    (gold("d", ["Norvik Sky"], ["unit of"], ["Norvik Systems"]), "noun-phrase place/owner"),
    (gold("d", ["protesters"], ["be from"], ["Civic Forum"]), "noun-phrase place/owner"),
    (gold("d", ["plant"], ["be located southeast of"], ["Braga"]), "noun-phrase place/owner"),
    (gold("d", ["exports"], ["be on fire in"], ["March"]), "other verb"),   # a preposition alone, or nothing
    (gold("d", ["Rui Tavares"], ["belong to"], ["Civic Union"]), "role/title"),
    (gold("d", ["plant"], ["be closed by", "close"], ["regulators"]), "passive"),
    (gold("d", ["aid workers"], ["be handed"], ["five-year sentences"]), "passive"),
    (gold("d", ["Acme"], ["comment on"], ["closure"], negated=True), "negated"),
    (gold("d", ["Anna Verhoeven"], ["advise"], ["Civic Forum"]), "coordination"),
    (gold("d", ["Anna Verhoeven"], ["advise"], ["Lumen Institute"], speaker="Acme"), "coordination"),
    (gold("d", ["Acme"], ["buy"], ["plant"], speaker="Lo"), "speech-attributed"),
    (gold("d", ["Rui Tavares' party"], ["vote against"], ["budget"]), "other verb"),
    (pred("d", "Acme", "buy", "plant"), "other verb"),   # predicted rows: slots are strings
])
def test_miss_kind(triple, kind):
    assert miss_kind(triple, TEXT) == kind


def test_a_comma_before_and_joins_clauses_not_arguments():
    t = gold("d", ["regulators"], ["close"], ["plant"])
    assert miss_kind(t, "The plant was closed by regulators, and Acme did not comment.") == "other verb"


def test_kind_table_groups_misses_and_extras_in_kind_order():
    misses = [gold("d", ["Acme"], ["buy"], ["plant"], speaker="Lo"), gold("d", ["Acme"], ["alias"], ["AC"])]
    extras = [pred("d", "Acme", "buy", "plant")]
    table = kind_table(misses, extras, {"d": TEXT})
    assert list(table) == ["alias", "speech-attributed", "other verb"]
    assert table["other verb"] == {"missed": [], "extra": extras}
    assert set(table) <= set(KINDS)


def _args(*argv):
    import argparse

    from kg.commands import eval as cmd

    p = argparse.ArgumentParser()
    cmd.configure(p)
    return cmd._sets(p.parse_args(list(argv)))


def test_sets_default_to_the_bundled_one_and_positional_gold_docs_still_work(tmp_path):
    news, conll, carb = _args()
    assert [s.name for s in news] == ["bundled"] and not conll and not carb
    assert news[0].gold.is_file() and news[0].docs.is_file()
    news, _, carb = _args("x/dev_gold.jsonl", "x/dev_docs.jsonl", "--carb", "x/carb")
    assert [s.name for s in news] == ["dev"] and carb[0].scorer == Path("x/carb_score.py")
    news, _, _ = _args("--bundled", "--news", "a/s_gold.jsonl", "a/s_docs.jsonl", "--news", "b/s_gold.jsonl", "b/d")
    assert [s.name for s in news] == ["bundled", "a/s", "b/s"]
    with pytest.raises(UsageError):
        _args("only_gold.jsonl")


def test_shared_finds_every_set_in_a_folder(tmp_path):
    for name in ("dev_gold.jsonl", "dev_docs.jsonl", "news_dev2_gold.jsonl", "news_dev2_docs.jsonl",
                 "lonely_gold.jsonl", "conll04_pairs.py"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "conll04").mkdir()
    (tmp_path / "conll04" / "conll04_dev.json").write_text("[]", encoding="utf-8")
    (tmp_path / "carb").mkdir()
    (tmp_path / "carb" / "dev_sentences.txt").write_text("", encoding="utf-8")
    news, conll, carb = _args("--shared", str(tmp_path))
    assert [s.name for s in news] == ["dev", "news_dev2"]   # a gold file without docs is not a set
    assert conll[0].scorer == tmp_path / "conll04_pairs.py" and carb[0].scorer == tmp_path / "carb_score.py"
    with pytest.raises(UserError, match="dev_gold.tsv"):
        ev.check_sets(news, conll, carb)


def test_a_missing_file_is_one_error_line(tmp_path, capsys):
    code = main(["-q", "eval", str(tmp_path / "gold.jsonl"), str(tmp_path / "docs.jsonl")])
    assert code == 1 and "not found:" in capsys.readouterr().err


@pytest.mark.model
def test_kg_eval_on_the_bundled_set_end_to_end(tmp_path, capsys):
    precision_file = tmp_path / "precision.json"
    code = main(["-q", "eval", "--json", "--write-precision", str(precision_file)])
    out, _ = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"model", "news", "conll04", "carb", "rules", "kinds"}
    bundled = report["news"]["bundled"]
    assert bundled["documents"] == 8 and bundled["gold"] == 78
    for system in ("kg", "textacy"):
        for mode in ("lenient", "strict"):
            r = bundled[system][mode]
            assert all(0.0 <= r[k] <= 1.0 for k in ("precision", "recall", "f1", "entity_pair_recall"))
    assert bundled["kg"]["lenient"]["n_pred"] > 0 and bundled["kg"]["lenient"]["matched"] > 0
    assert sum(r["n"] for r in report["rules"]) == bundled["kg"]["lenient"]["n_pred"]
    assert sum(r["matched"] for r in report["rules"]) == bundled["kg"]["lenient"]["matched"]
    assert sum(k["missed"] for k in report["kinds"].values()) == 78 - bundled["kg"]["lenient"]["matched"]
    written = json.loads(precision_file.read_text(encoding="utf-8"))
    assert written and all(set(v) == {"n", "matched", "precision"} and 0 <= v["precision"] <= 1
                           for v in written.values())


@needs_shared
@pytest.mark.model
def test_conll04_textacy_pairs_are_the_shipped_scorers_and_kg_records_are_read_by_it(tmp_path):
    from kg.nlp import load_model

    mod = ev.load_scorer(SHARED / "conll04_pairs.py")
    sents, docs = ev.conll04_documents(mod, SHARED / "conll04" / "conll04_dev.json")
    sents, docs = sents[:25], docs[:25]
    triples, ours = ev.predict_news(docs, load_model(), baseline=ev.textacy_pairs)
    theirs = mod.textacy_args([(d.id, d.text) for d in docs])
    assert ours and {k: v for k, v in ours.items()} == {k: v for k, v in theirs.items()}
    res = ev.score_conll04(mod, sents, triples, tmp_path, ours)
    assert res["kg"]["n_pairs"] == sum(len(s[3]) for s in sents)
    assert 0.0 <= res["textacy"]["pair_recall"] <= res["kg"]["pair_recall"] <= 1.0


@needs_shared
@pytest.mark.model
def test_kg_scorer_gives_the_numbers_of_score_py_on_kg_predictions():
    from kg.nlp import load_model

    shipped = ev.load_scorer(SHARED / "score.py")
    gold_rows = scoring.read_jsonl(SHARED / "dev_gold.jsonl")
    docs = ev.read_gold_documents(SHARED / "dev_docs.jsonl")
    triples, _ = ev.predict_news(docs, load_model(), baseline=None)
    rows = [ev.news_row(t) for t in triples]
    for threshold in (scoring.LENIENT, scoring.STRICT):
        ours = scoring.evaluate(gold_rows, rows, threshold=threshold)
        ours.pop("pairs")
        assert ours == ev.score_news(gold_rows, rows, threshold=threshold, scorer=shipped)


CARB_SENTENCES = ["Japan signed the pact .",
                  "The ministry -LRB- MOF -RRB- said Japan signed the `` trade pact '' with Chile .",
                  "The council approved the plan on Monday The mayor praised the council .",
                  "Japan signed the pact ."]  # a sentence given twice is two sentences to predict


def test_each_carb_sentence_is_a_document_of_its_own():
    docs = ev.carb_documents(CARB_SENTENCES)
    assert [d.id for d in docs] == ["carb:0", "carb:1", "carb:2", "carb:3"]
    assert docs[1].text == "The ministry ( MOF ) said Japan signed the \" trade pact \" with Chile ."
    assert docs[0].text == docs[3].text


@pytest.mark.model
def test_carb_predictions_through_the_run_driver_are_each_sentence_extracted_alone():
    """Every sentence's lines, in order, as extracting its parse alone gives them; identical sentences twice."""
    from kg.extractor import triples_from_parses
    from kg.nlp import load_model, pieces

    nlp = load_model()
    kg_lines, base_lines = ev.predict_carb(CARB_SENTENCES, nlp)
    expected, expected_base = [], []
    for doc, sentence in zip(ev.carb_documents(CARB_SENTENCES), CARB_SENTENCES):
        [piece] = pieces(doc.text)
        sdoc = nlp(piece.text)
        expected += ["\t".join([sentence, f"{t.confidence:.3f}", t.predicate.text, t.subject.text, t.object.text])
                     for t in triples_from_parses(doc, [(piece, sdoc)], options=ev.CARB_OPTIONS)]
        expected_base += ["\t".join([sentence, "1.0", *spans]) for spans in ev.textacy_carb(doc, [(piece, sdoc)])]
    assert kg_lines == expected and base_lines == expected_base
    assert {line.split("\t")[0] for line in kg_lines} == set(CARB_SENTENCES)
    twice = [line for line in kg_lines if line.startswith("Japan signed the pact .\t")]
    assert twice and len(twice) % 2 == 0 and twice[: len(twice) // 2] == twice[len(twice) // 2:]
    assert ev.predict_carb(CARB_SENTENCES, nlp, baseline=False) == (kg_lines, [])


@pytest.mark.model
def test_kg_eval_scores_a_carb_split_with_its_scorer(tmp_path, capsys):
    """``kg eval --carb DIR`` scores the predictions of every sentence with the CaRB scorer beside DIR."""
    split = tmp_path / "carb"
    split.mkdir()
    (split / "dev_sentences.txt").write_text("".join(s + "\n" for s in CARB_SENTENCES[:3]), encoding="utf-8")
    (split / "dev_gold.tsv").write_text("\t".join([CARB_SENTENCES[0], "signed", "Japan", "the pact"]) + "\n",
                                        encoding="utf-8")
    (tmp_path / "carb_score.py").write_text(
        "def read_gold(path):\n"
        "    return [line.rstrip('\\n').split('\\t') for line in open(path, encoding='utf-8')]\n"
        "def read_pred(path):\n"
        "    return [line.rstrip('\\n').split('\\t') for line in open(path, encoding='utf-8')]\n"
        "def evaluate(gold, pred):\n"
        "    hits = sum(1 for p in pred if [p[0], p[2], p[3], p[4]] in gold)\n"
        "    return {'precision': hits / len(pred), 'recall': hits / len(gold), 'f1': 0.0, 'auc': 0.0,\n"
        "            'sentences_predicted': len({p[0] for p in pred}), 'curve': []}\n", encoding="utf-8")
    assert main(["-q", "eval", "--json", "--no-baseline", "--carb", str(split)]) == 0
    carb = json.loads(capsys.readouterr().out)["carb"]["carb_dev"]
    assert carb["sentences"] == 3 and "textacy" not in carb
    assert carb["kg"]["recall"] == 1.0 and carb["kg"]["sentences_predicted"] == 3
