"""Where extraction quality is won and lost: a per-rule table and a per-kind miss table.

Both take plain rows (the news scorer's form, see :mod:`kg.scoring`) and return plain
data; they are diagnostics for engineers, not metrics.

- :func:`rule_table`: for every ``rule`` name on kg's predictions, how many triples it
  produced, how many matched gold (one-to-one, lenient) and its precision; also per rule
  family (the name before the first ``+``, e.g. ``svo`` for ``svo+xcomp``).
  :func:`precision_map` is the same as the JSON map ``kg eval --write-precision`` writes:
  ``{rule: {"n": produced, "matched": m, "precision": m / n}}``.
- :func:`miss_kind`: the kind of construction a gold (or predicted) triple comes from,
  decided from its slots and the sentence it is in, by the first test that holds:

  ==========================  ===============================================================
  ``alias``                   relation ``alias``
  ``nationality``             relation ``nationality`` / ``citizen of``, or a demonym
                              ("Dutch", "Canadian") just before the subject with relation
                              ``be`` or a role ("Canadian Trade Minister Owen Blackwood")
  ``role/title``              relation is a role noun + preposition ("minister of",
                              "chief executive of", "member of", "economist at"), or
                              "belong to"
  ``noun-phrase place/owner`` relation is a place or owner link ("in", "of", "be in",
                              "be from", "base in", "locate in", "own", "unit of", "capital of")
  ``passive``                 relation "be " + participle ("be sentenced to", "be handed")
  ``negated``                 the triple is negated
  ``coordination``            an argument is a conjunct ("X and Y"), or the verb follows
                              "and" ("... and sold Y")
  ``speech-attributed``       the triple has a speaker
  ``other verb``              anything else
  ==========================  ===============================================================
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from .scoring import tokens

KINDS = ("alias", "nationality", "role/title", "noun-phrase place/owner", "passive", "negated",
         "coordination", "speech-attributed", "other verb")

ROLE_WORDS = frozenset("""
minister president premier chancellor chief executive officer ceo cfo coo chairman chairwoman chair
member director spokesman spokeswoman spokesperson head leader secretary governor mayor founder
co-founder economist analyst professor researcher scientist ambassador envoy commander general
senator lawmaker legislator representative editor reporter correspondent manager employee staff
adviser advisor counsel judge prosecutor official deputy vice king queen prince coach captain
president-elect partner strategist lawyer attorney negotiator diplomat candidate chairperson speaker
""".split())
_ROLE_PREPS = frozenset({"of", "at", "for", "with", "in", "to"})
PLACE_PREPS = frozenset({"in", "of", "at", "on", "near", "from"})
PLACE_OWNER = PLACE_PREPS | frozenset({"base", "based", "locate", "located",
                         "headquarter", "headquartered", "own", "owned", "part", "unit", "subsidiary",
                         "division", "capital", "city", "town", "province", "region", "home",
                         "branch", "arm", "parent"})
NATIONALITY = frozenset({"nationality", "citizen", "national"})
_IRREGULAR_PARTICIPLES = frozenset("""
held born given taken made known found told built sold hit kept left led paid put set shown sent won
bought brought caught thought chosen hurt struck shot seen done beaten bound cut drawn driven eaten
fallen fled forbidden forgotten frozen grown hidden hung laid lent lost meant met quit read ridden
risen run said sought shaken shut sung sunk slain spent split spread stolen stuck sworn swept torn
thrown understood upheld woken worn withdrawn written
""".split())

# a capitalised demonym-like word ("Dutch", "Canadian"), then at most three words (a role) up to the name
_DEMONYM = re.compile(r"\b([A-Z][a-z]{2,}(?:an|ese|ish|ch|i))\s+((?:[A-Za-z-]+\s+){0,3})$")
_FUNCTION_WORDS = frozenset({"the", "a", "an", "that", "this", "of", "and", "or", "to", "in", "on", "at", "for",
                             "with", "by", "from", "said", "says", "told", "who", "which", "was", "is"})
_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def _first(slot) -> str:
    """The canonical form of a slot: a string, or the first of a list of alternatives."""
    if isinstance(slot, (list, tuple)):
        return slot[0] if slot else ""
    return slot or ""


def _alts(slot) -> list[str]:
    return [a for a in slot if a] if isinstance(slot, (list, tuple)) else ([slot] if slot else [])


def sentence_of(triple: dict, text: str) -> str:
    """The sentence of ``text`` with both arguments of the triple, or most of their tokens.

    >>> sentence_of({"subject": "Acme", "object": "Lyon"}, "Acme grew. Acme moved to Lyon.")
    'Acme moved to Lyon.'
    """
    slots = [{t for a in _alts(triple.get(slot)) for t in tokens(a)} for slot in ("subject", "object")]
    best, best_score = "", (-1, -1)
    for sent in _SENTENCE.split(text or ""):
        have = set(tokens(sent))
        # first how many slots are present at all, then how many of their tokens
        score = (sum(bool(slot & have) for slot in slots), sum(len(slot & have) for slot in slots))
        if score > best_score:
            best, best_score = sent, score
    return best


def _is_participle(word: str) -> bool:
    return word in _IRREGULAR_PARTICIPLES or (len(word) > 3 and word.endswith(("ed", "en")))


def _is_role(rel: list[str]) -> bool:
    return len(rel) >= 2 and rel[-1] in _ROLE_PREPS and any(w in ROLE_WORDS for w in rel[:-1])


def _is_place_owner(core: list[str]) -> bool:
    """A bare preposition ("in", "be from"), or a place/owner word with at most a preposition and
    one more word ("base in", "locate southeast of", "unit of", "own")."""
    if not core or core[0] not in PLACE_OWNER:
        return False
    if core[0] in PLACE_PREPS:
        return len(core) == 1
    return len(core) == 1 or (len(core) <= 3 and core[-1] in _ROLE_PREPS | {"by"})


def _has_demonym_before(name: str, sentence: str) -> bool:
    at = sentence.find(name) if name else -1
    m = _DEMONYM.search(sentence[max(0, at - 60):at]) if at > 0 else None
    return bool(m) and m.group(1).lower() not in ROLE_WORDS and \
        not any(w.lower() in _FUNCTION_WORDS for w in m.group(2).split())


def _is_conjunct(alts: list[str], sentence: str) -> bool:
    """An argument joined to another by "and"/"or" (a comma before "and" joins clauses, not names)."""
    for alt in alts:
        name = re.escape(alt)
        if re.search(rf"(?<!,)\s(?:and|or|as well as)\s+(?:the\s+)?{name}\b", sentence) or \
                re.search(rf"\b{name}(?:'s?)?\s+(?:and|or)\s", sentence):
            return True
    return False


def _verb_conjunct(relation: list[str], sentence: str) -> bool:
    """The relation's verb follows "and"/"or": a coordinated verb sharing the subject."""
    if not relation or relation[0] in ("be", "have", "alias"):
        return False
    verb = relation[0]
    stem = verb[:-1] if verb.endswith("e") and len(verb) > 3 else verb
    return bool(re.search(rf"\b(?:and|or)\s+(?:also\s+|then\s+)?{re.escape(stem)}\w*\b", sentence))


def miss_kind(triple: dict, text: str = "") -> str:
    """The kind of construction a gold or predicted triple comes from (first test that holds).

    ``triple`` has slots as strings or lists of alternatives; ``text`` is its document.

    >>> miss_kind({"subject": ["Acme"], "relation": ["be based in"], "object": ["Lyon"]})
    'noun-phrase place/owner'
    >>> miss_kind({"subject": ["Ana Ruiz"], "relation": ["chief executive of"], "object": ["Acme"]})
    'role/title'
    >>> miss_kind({"subject": ["aid workers"], "relation": ["be handed"], "object": ["sentences"]})
    'passive'
    """
    rel = _first(triple.get("relation")).lower().split()
    core = rel[1:] if rel[:1] == ["be"] and len(rel) > 1 else rel
    sentence = sentence_of(triple, text) if text else ""
    if rel == ["alias"]:
        return "alias"
    if NATIONALITY & set(rel) or \
            ((rel == ["be"] or _is_role(core)) and _has_demonym_before(_first(triple.get("subject")), sentence)):
        return "nationality"
    if _is_role(core) or core == ["belong", "to"]:
        return "role/title"
    if _is_place_owner(core):
        return "noun-phrase place/owner"
    if rel[:1] == ["be"] and len(rel) > 1 and _is_participle(rel[1]):
        return "passive"
    if triple.get("negated"):
        return "negated"
    if sentence and (_is_conjunct(_alts(triple.get("subject")), sentence)
                     or _is_conjunct(_alts(triple.get("object")), sentence) or _verb_conjunct(rel, sentence)):
        return "coordination"
    if triple.get("speaker"):
        return "speech-attributed"
    return "other verb"


def rule_family(rule: str) -> str:
    """The rule a compound rule name starts from (``svo+xcomp+pronoun`` → ``svo``)."""
    return rule.split("+", 1)[0]


def rule_table(pred: Sequence[dict], matched: Iterable[int], *, key=None) -> list[dict]:
    """Per rule: triples produced, how many matched gold, precision; most productive first.

    ``matched`` holds indexes into ``pred`` of the matched predictions; ``key`` maps a rule
    name to the row it counts in (e.g. :func:`rule_family`).

    >>> rule_table([{"rule": "svo"}, {"rule": "svo"}, {"rule": "role"}], [0])
    [{'rule': 'svo', 'n': 2, 'matched': 1, 'precision': 0.5}, {'rule': 'role', 'n': 1, 'matched': 0, 'precision': 0.0}]
    """
    hit = set(matched)
    n, m = Counter(), Counter()
    for i, p in enumerate(pred):
        rule = p.get("rule") or "?"
        rule = key(rule) if key else rule
        n[rule] += 1
        m[rule] += i in hit
    return [{"rule": r, "n": n[r], "matched": m[r], "precision": m[r] / n[r]}
            for r in sorted(n, key=lambda r: (-n[r], r))]


def precision_map(table: Iterable[dict]) -> dict:
    """The ``--write-precision`` file: ``{rule: {"n", "matched", "precision"}}`` from :func:`rule_table`."""
    return {row["rule"]: {"n": row["n"], "matched": row["matched"], "precision": round(row["precision"], 4)}
            for row in table}


def kind_table(misses: Iterable[dict], extras: Iterable[dict], texts: dict[str, str]) -> dict:
    """Missed gold and extra predicted triples grouped by :func:`miss_kind`.

    Returns ``{kind: {"missed": [rows], "extra": [rows]}}`` for the kinds that occur, in
    :data:`KINDS` order; ``texts`` maps document id to its text.
    """
    out: dict[str, dict] = defaultdict(lambda: {"missed": [], "extra": []})
    for side, rows in (("missed", misses), ("extra", extras)):
        for row in rows:
            out[miss_kind(row, texts.get(str(row.get("doc_id")), ""))][side].append(row)
    return {k: out[k] for k in KINDS if k in out}
