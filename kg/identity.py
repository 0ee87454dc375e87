"""Which mentions are one entity across documents, and why: the identity rules of :mod:`kg.link`.

Extraction settles names inside one document; keys (``prefix:normalised name``) are the same
in every document, so without rules two unrelated articles that each mention "the plan", or
two different people each called "Chen" by a document that could not tell which Chen it meant,
share one node.  After extraction, over keys only (pure functions, no spaCy):

- a **generic** concept (one content word, no proper noun: "the plan", "officials", "the two
  sides") is scoped to its document: key ``concept:plan@DOC_ID``.  It never joins stories;
- a **named** concept (a capitalised word that does not merely open the sentence, an acronym,
  a name in another script, or a named entity of the corpus: "Taiwan's CPTPP bid", "Kumamoto
  plant") keeps one key in every document;
- a **descriptive** concept (several content words, none of them a name: "restricted waters",
  "trial production") joins the documents of one story: documents that share a named entity
  other than a place or a nationality.  Documents with no such link keep one node each
  (``…@first doc id`` of each story);
- a one-word **named entity** that is a common word elsewhere in the corpus ("Council", said of
  a different council in each article) or part of a longer person name of the corpus ("Chen"
  beside Chen Shu-fen and Chen Ming-tang, the ship "Hoshino" beside Kenji Hoshino) stays in
  its document: a bare surname is no evidence that two articles mean the same one.

Every merge is recorded on the entity (:func:`merge_reasons`): ``acronym: LDP``,
``native script: 羅致政``, ``ticker: REP.MC`` (an alias in parentheses), ``short name: Chen``
(a shorter name resolved to a full one), ``cross-document key`` (the same key in several
documents; :mod:`kg.link` emits one ``alias`` record for it when the second document joins).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from .extractor.acronyms import TICKER, is_alias_text, is_non_latin
from .records import Argument, Predicate, Triple, normalise_name

#: Separates a scoped key from the document (or story) it is scoped to.
SCOPE_MARK = "@"
#: ``rule`` of the record :mod:`kg.link` writes when a key joins a second document.
CROSS_DOCUMENT_RULE = "cross-document-key"
CROSS_DOCUMENT_KEY = "cross-document key"

#: Words that never make a concept specific: determiners, pronouns, quantities, prepositions,
#: and adjectives that say nothing about which thing is meant.
FUNCTION_WORDS = frozenset("""
a an the this that these those its their his her our my your it they them such another any some every each
both all many most more few several no other same own one two three four five six seven eight nine ten
dozens hundreds thousands millions billions million billion trillion percent first second third last next new latest recent former current main
local further additional whole entire of in on at to for from with by about over under into as and or
""".split())
#: Entity types a one-word name may be scoped to its document for (places and nationalities keep one node).
SCOPABLE_NAMED_TYPES = frozenset({"PERSON", "ORG", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"})
#: Entity types whose sharing says two documents are one story (a place or a nationality does not).
STORY_TYPES = SCOPABLE_NAMED_TYPES | {"LAW"}

_WORD = re.compile(r"[^\W\d_][\w'’.&-]*")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z'’-]*")
_DETERMINERS = ("the ", "a ", "an ")


def scoped_key(key: str, scope: str) -> str:
    """The key of ``key`` inside one document or story.

    >>> scoped_key("concept:plan", "d1")
    'concept:plan@d1'
    """
    return f"{key}{SCOPE_MARK}{scope}"


def content_words(name: str) -> list[str]:
    """The words of a name that say what it is, without determiners, quantities or numbers.

    >>> content_words("the two sides"), content_words("Taiwan's CPTPP bid")
    (['sides'], ['taiwan', 'cptpp', 'bid'])
    """
    return [w for w in normalise_name(name).split() if w not in FUNCTION_WORDS and not w[:1].isdigit()]


def has_proper_word(name: str, *, opens_sentence: bool = False) -> bool:
    """True when a name holds a proper noun: a capitalised word (the first one only if it does not
    merely open the sentence, unless it is an acronym) or a word in another script.

    >>> has_proper_word("Kumamoto plant"), has_proper_word("City council", opens_sentence=True)
    (True, False)
    >>> has_proper_word("HAC", opens_sentence=True), has_proper_word("restricted waters")
    (True, False)
    """
    for i, word in enumerate(_WORD.findall(name)):
        if is_non_latin(word):
            return True
        capitals = sum(ch.isupper() for ch in word)
        if capitals and (i > 0 or not opens_sentence or capitals >= 2):
            return True
    return False


def alias_kind(alias: str) -> str:
    """What kind of alias a name in parentheses is: ``native script``, ``ticker`` or ``acronym``.

    >>> [alias_kind(a) for a in ("羅致政", "REP.MC", "LDP")]
    ['native script', 'ticker', 'acronym']
    """
    if is_non_latin(alias):
        return "native script"
    return "ticker" if TICKER.match(alias) else "acronym"


def _surface(text: str) -> str:
    """A mention without a leading determiner or a trailing possessive ("the LDP's" → "LDP")."""
    text = text.strip()
    low = text.casefold()
    for det in _DETERMINERS:
        if low.startswith(det):
            text = text[len(det):]
            break
    return re.sub(r"['’]s?$", "", text).strip()


def name_merge(text: str, name: str) -> Optional[str]:
    """Why a mention ``text`` stands for the entity called ``name``, when it names it differently.

    >>> name_merge("Chen", "Chen Shu-fen"), name_merge("the LDP's", "Liberal Democratic Party")
    ('short name: Chen', 'acronym: LDP')
    >>> name_merge("she", "Chen Shu-fen") is None, name_merge("Taiwan", "Taiwan") is None
    (True, True)
    """
    if text == name:
        return None
    surface = _surface(text)
    core, full = normalise_name(surface).split(), normalise_name(name).split()
    if not core or core == full:
        return None
    if is_alias_text(surface):
        return f"{alias_kind(surface)}: {surface}"
    n = len(core)
    if surface[:1].isupper() and n < len(full) and (full[:n] == core or full[-n:] == core):
        return f"short name: {surface}"
    return None


def merge_reasons(t: Triple) -> list[tuple[str, str]]:
    """(entity key, reason) for every merge a triple record shows (see the module docstring).

    >>> from kg.records import Argument, Predicate
    >>> lo = Argument("Lo Chih-cheng", "Lo Chih-cheng", "person:lo chih-cheng", "PERSON", 0, 13)
    >>> alias = Argument("羅致政", "羅致政", "person:lo chih-cheng", "PERSON", 15, 18)
    >>> merge_reasons(Triple("d", "d:0", "…", lo, Predicate("(羅致政)", "alias"), alias))
    [('person:lo chih-cheng', 'native script: 羅致政')]
    """
    if t.is_alias:
        if t.rule == CROSS_DOCUMENT_RULE:
            return [(t.subject.key, CROSS_DOCUMENT_KEY)]
        if t.object.name == t.subject.name:
            return []
        return [(t.subject.key, f"{alias_kind(t.object.name)}: {t.object.name}")]
    out = []
    for arg in (t.subject, t.object):
        if arg.type != "CONCEPT" and arg.text != arg.name:
            reason = name_merge(arg.text, arg.name)
            if reason is not None:
                out.append((arg.key, reason))
    return out


def cross_document_record(t: Triple, arg: Argument) -> Triple:
    """The ``alias`` record that says ``arg``'s key joined the document of ``t`` to an earlier one."""
    same = Argument(arg.name, arg.name, arg.key, arg.type, arg.start, arg.end)
    return Triple(t.doc_id, t.sentence_id, t.sentence, arg, Predicate(f"({CROSS_DOCUMENT_KEY})", "alias"), same,
                  confidence=1.0, rule=CROSS_DOCUMENT_RULE, sentence_start=t.sentence_start, doc=t.doc)


def opens_sentence(t: Triple, arg: Argument) -> bool:
    """True when nothing but a determiner comes before ``arg`` in its sentence."""
    lead = t.sentence[:max(0, arg.start - t.sentence_start)]
    return normalise_name(lead) in ("", "the", "a", "an")


# --------------------------------------------------------------------------- the corpus pass

@dataclass
class _Key:
    name: str
    type: str
    docs: set = field(default_factory=set)
    proper: bool = False  # some mention of a concept holds a proper noun


class KeyStats:
    """What the identity rules need to know about a corpus, gathered in one streamed pass.

    Feed it every argument with :meth:`add` (after cross-document alias resolution), then ask
    :meth:`plan` for the key each (key, document) gets.
    """

    def __init__(self) -> None:
        self.keys: dict[str, _Key] = {}
        self.lower_words: set[str] = set()   # words the corpus writes in lower case: common nouns
        self._last_sentence = None

    def add(self, t: Triple, arg: Argument) -> None:
        """Count one argument of one triple record."""
        if t.sentence_id != self._last_sentence:
            self._last_sentence = t.sentence_id
            self.lower_words.update(w.replace("’", "'") for w in _LOWER_WORD.findall(t.sentence))
        k = self.keys.get(arg.key)
        if k is None:
            k = self.keys[arg.key] = _Key(arg.name, arg.type)
        k.docs.add(t.doc_id)
        if arg.type == "CONCEPT" and not k.proper:
            k.proper = has_proper_word(arg.name, opens_sentence=opens_sentence(t, arg))

    def resolve(self, target: Callable[[str, str], Optional[tuple]]) -> None:
        """Fold each key into the entity ``target(name, type)`` resolves its name to (the
        cross-document aliases of :mod:`kg.link`), so the plan counts resolved keys."""
        fold_keys(self.keys, target)

    def plan(self) -> "ScopePlan":
        """The key of every (key, document) that does not keep its own key."""
        per_document, names = named_scope(self.keys, self.lower_words)
        story_keys: dict[str, list[str]] = {}
        for key, k in self.keys.items():
            if k.type in STORY_TYPES and key not in per_document:
                for d in k.docs:
                    story_keys.setdefault(d, []).append(key)
        stories: dict[str, dict[str, str]] = {}
        for key, k in self.keys.items():
            scope = concept_scope(k, names)
            if scope == "document":
                per_document.add(key)
            elif scope == "story" and len(k.docs) > 1:
                mapping = story_map(key, k.docs, story_keys)
                if mapping:
                    stories[key] = mapping
        return ScopePlan(frozenset(per_document), stories)


def fold_keys(keys: dict, target: Callable[[str, str], Optional[tuple]]) -> None:
    """Fold each key of ``keys`` (key → :class:`_Key`, in the order first seen) into the entity
    ``target(name, type)`` resolves its name to: the target's ``docs`` take the folded key's."""
    for key, k in list(keys.items()):
        hit = target(k.name, k.type)
        if hit is None or hit[0] == key:
            continue
        into = keys.setdefault(hit[0], _Key(hit[1], hit[2]))
        into.docs |= keys.pop(key).docs


def named_scope(keys: dict, lower_words) -> tuple[set, set]:
    """The named keys scoped to their document (a one-word name that is a common word of the corpus,
    or part of a longer person name), and the names of the corpus's entities (that are not common
    words); ``lower_words`` holds (at least every one of these names and words that is) a word the
    corpus writes in lower case."""
    person_parts = set()
    for k in keys.values():
        words = normalise_name(k.name).split()
        if k.type == "PERSON" and len(words) > 1:
            person_parts.update((words[0], words[-1]))
    per_document = set()
    for key, k in keys.items():
        words = normalise_name(k.name).split()
        if (k.type in SCOPABLE_NAMED_TYPES and len(words) == 1
                and (words[0] in lower_words or words[0] in person_parts)):
            per_document.add(key)
    names = {normalise_name(k.name) for key, k in keys.items() if k.type != "CONCEPT" and key not in per_document}
    # a common word the tagger took for a name ("Plan") names nothing
    return per_document, {n for n in names if n not in lower_words}


def concept_scope(k: "_Key", names: set) -> Optional[str]:
    """``"document"`` for a generic concept, ``"story"`` for a descriptive one, else None (a named
    concept, or not a concept): see the module docstring."""
    if k.type != "CONCEPT" or k.proper or _holds_name(k.name, names):
        return None
    return "document" if len(content_words(k.name)) <= 1 else "story"


def story_map(key: str, docs: Iterable[str], story_keys) -> dict[str, str]:
    """Document → key of a descriptive concept ``key`` found in ``docs``, one key per story
    (``story_keys[d]``: the named keys of document ``d``); empty when its documents are one story."""
    groups = _stories(sorted(docs), story_keys)
    if len(groups) <= 1:
        return {}
    return {d: scoped_key(key, group[0]) for group in groups for d in group}


def _holds_name(name: str, names: set) -> bool:
    """True when a run of up to four words of ``name`` is the name of an entity of the corpus."""
    return not names.isdisjoint(name_runs(name))


def name_runs(name: str) -> set[str]:
    """The runs of up to four consecutive words of a normalised name (what :func:`concept_scope`
    looks up among the corpus's entity names).

    >>> sorted(name_runs("Taiwan's CPTPP bid"))
    ['bid', 'cptpp', 'cptpp bid', 'taiwan', 'taiwan cptpp', 'taiwan cptpp bid']
    """
    words = normalise_name(name).split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(i + 5, len(words) + 1))}


def _stories(docs: list[str], story_keys: dict) -> list[list[str]]:
    """The documents grouped into stories: linked when they share a named entity (union-find)."""
    parent = {d: d for d in docs}

    def root(d):
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    first: dict[str, str] = {}
    for d in docs:
        for key in story_keys.get(d, ()):
            other = first.setdefault(key, d)
            a, b = root(d), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for d in docs:
        groups.setdefault(root(d), []).append(d)
    return sorted(groups.values())


@dataclass(frozen=True)
class ScopePlan:
    """Which keys are scoped to their document, and which descriptive concepts split into stories."""

    per_document: frozenset = frozenset()
    stories: dict = field(default_factory=dict)  # key -> {doc id: story key}

    def key_for(self, key: str, doc_id: str) -> str:
        """The key a mention of ``key`` in document ``doc_id`` gets."""
        if key in self.per_document:
            return scoped_key(key, doc_id)
        story = self.stories.get(key)
        return story.get(doc_id, key) if story else key

    def scope(self, arg: Argument, doc_id: str) -> Argument:
        """``arg`` under the key it gets in ``doc_id`` (the same object when unchanged)."""
        key = self.key_for(arg.key, doc_id)
        return arg if key == arg.key else Argument(arg.text, arg.name, key, arg.type, arg.start, arg.end)


# --------------------------------------------------------------------------- measuring

def is_generic_name(name: str) -> bool:
    """A concept name that is only a common noun: one content word, no proper noun even after the
    first word (which may be capitalised for opening a sentence).

    >>> is_generic_name("The two sides"), is_generic_name("restricted waters"), is_generic_name("HAC")
    (True, False, False)
    """
    return len(content_words(name)) <= 1 and not has_proper_word(name, opens_sentence=True)


def cross_document_concepts(g) -> list[tuple[str, str, int, bool]]:
    """(key, name, number of documents, generic?) of every concept node that links two or more
    documents, sorted by key: what the identity rules are measured on."""
    return [(key, d["name"], len(d["docs"]), is_generic_name(d["name"]))
            for key, d in sorted(g.nodes(data=True)) if d.get("type") == "CONCEPT" and len(d["docs"]) >= 2]


def identity_report(source) -> str:
    """Concept nodes linking two or more documents in the graph of a build directory or a triples
    file, with aliases resolved only (before the identity rules) and with them (after)."""
    from pathlib import Path

    from .build import build_triples
    from .graph import build_graph, read_triples
    from .link import resolved

    triples = list(build_triples(source)) if Path(source).is_dir() else read_triples(source)
    lines = []
    for label, scope in (("aliases only", False), ("identity rules", True)):
        found = cross_document_concepts(build_graph(resolved(triples, scope=scope)))
        generic = [f for f in found if f[3]]
        lines.append(f"{label}: {len(found)} concept nodes link 2+ documents, {len(generic)} of them "
                     f"only a generic noun")
        lines.extend(f"  {'generic ' if g_ else '        '}{n} docs  {name}" for _, name, n, g_ in found)
    return "\n".join(lines)


if __name__ == "__main__":  # python -m kg.identity [kg-out | triples.jsonl]
    import sys

    print(identity_report(sys.argv[1] if len(sys.argv) > 1 else "kg-out"))
