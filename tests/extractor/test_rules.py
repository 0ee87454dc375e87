"""Each rule on hand-built parses: the rule is pinned, not the parser's mood."""
import pytest

from kg.extractor.rules import relations
from .handparse import parse


def found(doc):
    """(subject, lemma, object, rule, negated) of every relation in the sentence."""
    sent = next(iter(doc.sents))
    return {(r.subj.text, r.lemma, r.obj.text, r.rule.split("+")[0], r.negated) for r in relations(sent)}


CASES = [
    ("svo",
     "Japan/PROPN/NNP/nsubj/1 condemned/VERB/VBD/ROOT/1/condemn the/DET/DT/det/3 talks/NOUN/NNS/dobj/1/talk ./PUNCT/./punct/1",
     {("Japan", "condemn", "talks", "svo", False)}),
    ("negated svo",
     "Lo/PROPN/NNP/nsubj/3 did/AUX/VBD/aux/3/do not/PART/RB/neg/3 attend/VERB/VB/ROOT/3 talks/NOUN/NNS/dobj/3/talk",
     {("Lo", "attend", "talks", "svo", True)}),
    ("passive with agent",
     "talks/NOUN/NNS/nsubjpass/2/talk were/AUX/VBD/auxpass/2/be attended/VERB/VBN/ROOT/2/attend by/ADP/IN/agent/2 Lo/PROPN/NNP/pobj/3",
     {("Lo", "attend", "talks", "passive-agent", False)}),
    ("control chain: pledged to support",
     "LDP/PROPN/NNP/nsubj/1 pledged/VERB/VBD/ROOT/1/pledge to/PART/TO/aux/3 support/VERB/VB/xcomp/1 Taiwan/PROPN/NNP/dobj/3",
     {("LDP", "support", "Taiwan", "svo", False)}),
    ("object control: asked Taipei to facilitate",
     "Japan/PROPN/NNP/nsubj/1 asked/VERB/VBD/ROOT/1/ask Taipei/PROPN/NNP/dobj/1 to/PART/TO/aux/4 facilitate/VERB/VB/xcomp/1 investment/NOUN/NN/dobj/4",
     {("Japan", "ask", "Taipei", "svo", False), ("Taipei", "facilitate", "investment", "svo", False)}),
    ("verb + preposition",
     "Taiwan/PROPN/NNP/nsubj/1 invests/VERB/VBZ/ROOT/1/invest in/ADP/IN/prep/1 Japan/PROPN/NNP/pobj/2",
     {("Taiwan", "invest in", "Japan", "verb-prep", False)}),
    ("coordinated subjects and objects",
     "Lo/PROPN/NNP/nsubj/3 and/CCONJ/CC/cc/0 Tsai/PROPN/NNP/conj/0 thanked/VERB/VBD/ROOT/3/thank Japan/PROPN/NNP/dobj/3 and/CCONJ/CC/cc/4 Korea/PROPN/NNP/conj/4",
     {("Lo", "thank", "Japan", "svo", False), ("Lo", "thank", "Korea", "svo", False),
      ("Tsai", "thank", "Japan", "svo", False), ("Tsai", "thank", "Korea", "svo", False)}),
    ("coordinated verbs share the subject",
     "US/PROPN/NNP/nsubj/1 launched/VERB/VBD/ROOT/1/launch strikes/NOUN/NNS/dobj/1/strike and/CCONJ/CC/cc/1 kidnapped/VERB/VBD/conj/1/kidnap Maduro/PROPN/NNP/dobj/4",
     {("US", "launch", "strikes", "svo", False), ("US", "kidnap", "Maduro", "svo", False)}),
    ("participial modifier: representatives pledging",
     "representatives/NOUN/NNS/nsubj/5/representative pledging/VERB/VBG/acl/0/pledge to/PART/TO/aux/3 support/VERB/VB/xcomp/1 Taiwan/PROPN/NNP/dobj/3 met/VERB/VBD/ROOT/5/meet",
     {("representatives", "support", "Taiwan", "svo", False)}),
    ("relative clause",
     "Maduro/PROPN/NNP/nsubj/5 ,/PUNCT/,/punct/0 who/PRON/WP/nsubj/3 leads/VERB/VBZ/relcl/0/lead Venezuela/PROPN/NNP/dobj/3 spoke/VERB/VBD/ROOT/5/speak",
     {("who", "lead", "Venezuela", "svo", False)}),
    ("copula with a role",
     "X/PROPN/NNP/nsubj/1 is/AUX/VBZ/ROOT/1/be a/DET/DT/det/3 partner/NOUN/NN/attr/1 of/ADP/IN/prep/3 Y/PROPN/NNP/pobj/4",
     {("X", "be partner of", "Y", "copula-role", False)}),
    ("title before a name",
     "DPP/PROPN/NNP/compound/1 spokeswoman/NOUN/NN/compound/3 Hsieh/PROPN/NNP/compound/3 Pei-fen/PROPN/NNP/nsubj/4 said/VERB/VBD/ROOT/4/say",
     {("Pei-fen", "spokeswoman of", "DPP", "role-title", False)}),
    ("member of an organisation",
     "Lo/PROPN/NNP/nsubj/4 of/ADP/IN/prep/0 DPP/PROPN/NNP/pobj/1 ,/PUNCT/,/punct/0 spoke/VERB/VBD/ROOT/4/speak",
     {("Lo", "member of", "DPP", "member-of", False)}),
    ("saying is not a fact",
     "Lo/PROPN/NNP/nsubj/1 said/VERB/VBD/ROOT/1/say it/PRON/PRP/nsubj/3 rained/VERB/VBD/ccomp/1/rain",
     set()),
]

ENTS = {
    "title before a name": {"0:1": "ORG", "2:4": "PERSON"},
    "member of an organisation": {"0:1": "PERSON", "2:3": "ORG"},
    "copula with a role": {"0:1": "ORG", "5:6": "ORG"},
}


@pytest.mark.parametrize("name, spec, expected", CASES, ids=[c[0] for c in CASES])
def test_rule_table(name, spec, expected):
    assert found(parse(spec, ENTS.get(name))) == expected


def test_predicate_text_keeps_the_chain_in_sentence_order():
    doc = parse("LDP/PROPN/NNP/nsubj/1 pledged/VERB/VBD/ROOT/1/pledge to/PART/TO/aux/3 support/VERB/VB/xcomp/1 Taiwan/PROPN/NNP/dobj/3")
    (rel,) = list(relations(next(iter(doc.sents))))
    assert rel.predicate_text == "pledged to support"


def test_time_expressions_are_not_objects():
    doc = parse("US/PROPN/NNP/nsubj/1 struck/VERB/VBD/ROOT/1/strike on/ADP/IN/prep/1 Saturday/PROPN/NNP/pobj/2",
                {"3:4": "DATE"})
    assert found(doc) == set()


def found_open(doc):
    from kg.extractor.rules import OPEN_RULES

    sent = next(iter(doc.sents))
    return {(r.subj.text, r.predicate_text, r.obj.text, r.rule.split("+")[0]) for r in relations(sent, OPEN_RULES)}


OPEN_CASES = [
    ("apposition is 'is'",
     "Graves/PROPN/NNP/nsubj/4 ,/PUNCT/,/punct/0 an/DET/DT/det/3 attorney/NOUN/NN/appos/0 resigned/VERB/VBD/ROOT/4/resign",
     ("Graves", "is", "attorney", "apposition")),
    ("adjective complement",
     "boss/NOUN/NN/nsubj/1 is/AUX/VBZ/ROOT/1/be larger/ADJ/JJR/acomp/1/large",
     ("boss", "is", "larger", "copula")),
    ("passive keeps its surface order",
     "sector/NOUN/NN/nsubjpass/2 was/AUX/VBD/auxpass/2/be captured/VERB/VBN/ROOT/2/capture by/ADP/IN/agent/2 Israel/PROPN/NNP/pobj/3",
     ("sector", "was captured by", "Israel", "passive-agent")),
    ("who said what",
     "Leemans/PROPN/NNP/nsubj/1 said/VERB/VBD/ROOT/1/say gene/NOUN/NN/nsubjpass/4 was/AUX/VBD/auxpass/4/be introduced/VERB/VBN/ccomp/1/introduce",
     ("Leemans", "said", "introduced", "speech")),
    ("object with its prepositional phrases",
     "Region/PROPN/NNP/nsubj/1 assigned/VERB/VBD/ROOT/1/assign powers/NOUN/NNS/dobj/1/power to/ADP/IN/prep/1 Community/PROPN/NNP/pobj/3",
     ("Region", "assigned", "powers", "svo-nary")),
]


@pytest.mark.parametrize("name, spec, expected", OPEN_CASES, ids=[c[0] for c in OPEN_CASES])
def test_open_rule_table(name, spec, expected):
    assert expected in found_open(parse(spec))


def test_open_rules_are_not_in_the_knowledge_graph_table():
    doc = parse(OPEN_CASES[0][1])
    assert not any(r.rule == "apposition" for r in relations(next(iter(doc.sents))))


def test_fronted_adjuncts_are_not_verb_objects():
    fronted = parse("In/ADP/IN/prep/4 June/PROPN/NNP/pobj/0 ,/PUNCT/,/punct/4 Japan/PROPN/NNP/nsubj/4 "
                    "passed/VERB/VBD/ROOT/4/pass laws/NOUN/NNS/dobj/4/law")
    after = parse("Japan/PROPN/NNP/nsubj/1 passed/VERB/VBD/ROOT/1/pass laws/NOUN/NNS/dobj/1/law "
                  "in/ADP/IN/prep/1 Tokyo/PROPN/NNP/pobj/3")
    assert [r.lemma for r in relations(next(iter(fronted.sents)))] == ["pass"]
    assert "pass in" in [r.lemma for r in relations(next(iter(after.sents)))]
