"""Who is who inside one document: canonical names, aliases, short names, pronouns.

:class:`DocResolver` sees every sentence of a document first, so an acronym
defined late ("… the National Security Bureau (NSB)") still resolves an early
"the NSB".  Then :meth:`DocResolver.argument` turns a head token found by a
rule into an :class:`kg.records.Argument`: a named entity under its canonical
name, an organisation standing behind "LDP representatives", the antecedent of
a pronoun, or a compact noun-phrase concept.  ``None`` means "no usable
argument" (an unresolved pronoun, a date): the triple is dropped.
"""
from __future__ import annotations

from typing import Optional

from ..records import Argument, entity_key, normalise_name
from .acronyms import ACRONYM, TICKER, abbreviation_long_form, is_alias_text, is_non_latin
from .entities import Entity, Mention, Resolved
from .indexes import EntityIndex, OrganisationMentions
from .pronouns import Pronouns
from .syntax import conjuncts, counted, entity_name, entity_spans, relative_head, tokens
from .vocab import (AGENT_NOUNS, CLASS_NOUNS, COMPASS, DEMONSTRATIVES, DEMONYMS, ENTITY_TYPES, LEADING_STRIP,
                    LISTENING_VERBS, PERSON_PRONOUNS, PLACE_KIND_NOUNS, PLURAL_PRONOUNS, RELATIVE_PRONOUNS, SKIP_TYPES,
                    THING_PRONOUNS, TITLE_WORDS)

#: Longest concept name, in tokens, before it is cut to its core.
MAX_CONCEPT_TOKENS = 12
#: Verbs whose subject and object make a pair ("Samsung met Intel …, the two companies …").
MEETING_VERBS = {"meet", "face", "play", "fight", "marry", "host"}
#: How many sentences back "the two companies" may look for the companies.
GROUP_WINDOW = 8
_NUMBERS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}


def _tok_key(tok) -> tuple:
    return (id(tok.doc), tok.i)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _span_text(doc, start: int, end: int) -> str:
    return doc[start:end].text if end > start else ""




#: Nouns for documents that speak for someone: "the report said", "according to the statement".
SOURCE_NOUNS = {"report", "study", "statement", "survey", "analysis", "paper", "document", "assessment",
                "communique", "release", "verdict", "ruling", "filing", "letter", "memo", "poll", "review"}


def _name_before(sent, end: int, ent, ent_range, type_: str) -> Optional[tuple]:
    """The name just before a parenthesis: the named entity that ends there, else the proper nouns
    that do (typed ``type_``)."""
    if ent_range is not None:
        return ent_range[0], ent_range[1], ent.label_
    start = end
    while start > sent.start and sent.doc[start - 1].pos_ == "PROPN":
        start -= 1
    return (start, end, type_) if start < end else None


def _owner(noun):
    """The named author of a document noun: "X's report", "a report by X", "a study from X"."""
    for c in noun.children:
        if c.dep_ == "poss" and c.ent_type_ in ("ORG", "PERSON", "GPE"):
            return c
        if c.dep_ in ("prep", "agent") and c.lower_ in ("by", "from", "of"):
            for o in c.children:
                if o.dep_ == "pobj" and o.ent_type_ in ("ORG", "PERSON", "GPE"):
                    return o
        if c.dep_ == "acl" and c.tag_ == "VBN":  # "a report released by X"
            for a in c.children:
                if a.dep_ == "agent":
                    for o in a.children:
                        if o.dep_ == "pobj" and o.ent_type_ in ("ORG", "PERSON", "GPE"):
                            return o
    # "X released a report", "In a report released on Wednesday, X said": the verb's subject wrote it
    verb = noun.head
    if noun.dep_ == "pobj" and verb.dep_ == "prep" and verb.lower_ == "in":
        verb = verb.head
    elif not (noun.dep_ == "dobj" and verb.lemma_.lower() in ("release", "publish", "issue", "write", "file")):
        return None
    return next((c for c in verb.children if c.dep_ == "nsubj" and c.ent_type_ in ("ORG", "PERSON", "GPE")), None)


def _whose(tok):
    """The antecedent of "whose" when ``tok`` is the subject noun it possesses in a relative clause."""
    if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "relcl" and any(
            c.dep_ == "poss" and c.lower_ == "whose" for c in tok.children):
        return relative_head(tok.head.head)
    return None


class DocResolver(Pronouns):
    """Resolves the mentions of one document (all its parsed sentences)."""

    def __init__(self, sentences: list, *, keep_unresolved: bool = False):
        self.sentences = sentences
        self.keep_unresolved = keep_unresolved
        self.by_name: dict[str, Entity] = {}
        self.alias_of: dict[str, Entity] = {}
        self.alias_defs: list[tuple] = []  # (sent_index, entity, alias span start, end, entity span)
        self.token_entity: dict[tuple, tuple] = {}  # token -> (entity, span start, span end)
        self.mentions: list[list[Mention]] = [[] for _ in sentences]
        self.groups: list[list[tuple]] = [[] for _ in sentences]
        self._employers: dict[str, Optional[Entity]] = {}
        self._first_workplaces: Optional[dict] = None  # see organisation_of, made when first asked
        self._arguments: dict[tuple, Optional[Resolved]] = {}
        self.long_forms: dict[tuple, tuple] = {}
        self._depth = 0
        self._index = EntityIndex()  # the entities of by_name, as they are named
        self._organisations: Optional[OrganisationMentions] = None  # made when first asked
        self.places = frozenset(normalise_name(e.text) for s in sentences for e in s.ents if e.label_ in ("GPE", "LOC"))
        self._find_aliases()
        self._resolve_names()

    # ----------------------------------------------------------- pass 1: aliases
    def _find_aliases(self) -> None:
        for si, sent in enumerate(self.sentences):
            doc = sent.doc
            for tok in tokens(sent):
                if tok.text != "(" or tok.i == sent.start:
                    continue
                close = next((k for k in range(tok.i + 1, min(tok.i + 8, sent.end)) if doc[k].text == ")"), None)
                if close is None or close == tok.i + 1:
                    continue
                alias = _span_text(doc, tok.i + 1, close)
                if not is_alias_text(alias):
                    continue
                long_form = self._long_form(sent, tok.i, alias)
                if long_form is None:
                    continue
                start, end, type_ = long_form
                name = _span_text(doc, start, end)
                if normalise_name(alias) == normalise_name(name):
                    continue
                entity = self._entity(name, type_)
                entity.aliases.setdefault(alias, (doc[tok.i + 1].idx, doc[close - 1].idx + len(doc[close - 1])))
                self.alias_of[normalise_name(alias)] = entity
                self.alias_defs.append((si, entity, tok.i + 1, close, (start, end), sent))
                for i in range(start, end):
                    self.long_forms[(id(doc), i)] = (entity, start, end)

    def _long_form(self, sent, paren: int, alias: str) -> Optional[tuple]:
        """Token range and type of the name an alias in parentheses stands for."""
        doc = sent.doc
        end = paren
        while end > sent.start and doc[end - 1].is_space:
            end -= 1
        ent = next((e for e in entity_spans(sent) if e.start < end <= e.end and e.label_ in ENTITY_TYPES), None)
        ent_range = entity_name(ent, self.places) if ent is not None else None
        if ent_range is not None and ent_range[1] != end:
            ent_range = None
        if TICKER.match(alias):  # "Repsol (REP.MC)": a stock ticker names the company just before it
            return _name_before(sent, end, ent, ent_range, "ORG")
        if not is_non_latin(alias):
            n_letters = sum(ch.isalnum() for ch in alias)
            window = max(sent.start, end - min(n_letters + 5, n_letters * 2))
            found = abbreviation_long_form(doc[window:end], alias)
            if found is not None:
                start = found
                if ent_range is not None and ent_range[0] <= start:
                    start = ent_range[0]  # the named entity may be longer ("Chinese People's Liberation Army")
                return start, end, ent.label_ if ent is not None else "ORG"
            return None
        return _name_before(sent, end, ent, ent_range, "PERSON")

    def _entity(self, name: str, type_: str) -> Entity:
        norm = normalise_name(name)
        if norm in self.alias_of:
            return self.alias_of[norm]
        if norm not in self.by_name:
            if type_ == "PERSON" and name.isupper() and ACRONYM.match(name):
                type_ = "ORG"  # "JAXA", "KHNP": people are not named by initials in capitals
            self.by_name[norm] = Entity(name, type_)
            self._index.add(self.by_name[norm])
        return self.by_name[norm]

    # ----------------------------------------------------------- pass 2: names
    def _resolve_names(self) -> None:
        for si, sent in enumerate(self.sentences):
            doc = sent.doc
            for ent in entity_spans(sent):
                if ent.label_ not in ENTITY_TYPES:
                    continue
                start, end = entity_name(ent, self.places)
                if end <= start:
                    continue
                entity = self.lookup(_span_text(doc, start, end), ent.label_)
                for i in range(ent.start, ent.end):
                    self.token_entity[(id(doc), i)] = (entity, ent.start, ent.end)
                root = ent.root
                self._remember(si, root, entity)
            for i in range(sent.start, sent.end):
                hit = self.long_forms.get((id(doc), i))
                if hit is not None:
                    entity, start, end = hit
                    self.token_entity[(id(doc), i)] = (entity, start, end)
                    if i == end - 1:
                        self._remember(si, doc[i], entity)
            self.mentions[si].sort(key=lambda m: m.token_index)
            self.groups[si] = self._coordinations(sent)

    def _coordinations(self, sent) -> list:
        """(first token, entities, is an argument of a verb) of every coordination of two or more named entities in a sentence."""
        out = []
        doc = sent.doc
        heads = sorted({t.head.i for t in tokens(sent) if t.dep_ == "conj" and t.head.dep_ != "conj"})
        for tok in (doc[i] for i in heads):
            entities = []
            for t in conjuncts(tok):
                hit = self.entity_of(t)
                if hit is not None and hit[0] not in entities:
                    entities.append(hit[0])
            if len(entities) >= 2:
                out.append((tok.i, entities, tok.dep_ in ("nsubj", "nsubjpass", "dobj")
                            or tok.dep_ == "pobj" and tok.head.head.pos_ == "VERB"))
        withs = {t.head.i for t in tokens(sent) if t.dep_ == "prep" and t.lower_ == "with"}
        for verb in tokens(sent):  # "Chung met with Hayashi": the two are a pair ("the two diplomats")
            if verb.pos_ != "VERB" or verb.i not in withs and verb.lemma_ not in MEETING_VERBS:
                continue
            subj = [self.entity_of(c) for c in verb.children if c.dep_ == "nsubj"]
            met = [self.entity_of(c) for c in verb.children if c.dep_ == "dobj"] if verb.lemma_ in MEETING_VERBS else []
            partner = [self.entity_of(p) for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                       for p in c.children if p.dep_ in ("pobj", "appos")]
            partner += [self.entity_of(a) for c in verb.children if c.dep_ == "prep" and c.lower_ == "with"
                        for p in c.children for a in p.children if a.dep_ == "appos"]
            subj, partner = [h for h in subj if h], [h for h in met + partner if h]
            pair = [h[0] for h in subj[:1] + partner[:1]]
            if len(pair) == 2 and pair[0] is not pair[1] and pair[0].type == pair[1].type:
                out.append((verb.i, pair, True))
        out.sort(key=lambda g: g[0])
        return out

    def _remember(self, si: int, root, entity: Entity) -> None:
        if any(m.token_index == root.i for m in self.mentions[si]) or root.dep_ == "amod":
            return  # "his Japanese counterpart": a nationality adjective is nobody a pronoun can mean
        if root.dep_ in ("dative", "dobj") and root.head.lemma_.lower() in LISTENING_VERBS:
            return  # "told Reuters the company would …": who is told is not who the clause is about
        coordinated = root.dep_ == "conj" or any(c.dep_ == "conj" for c in root.children)
        self.mentions[si].append(Mention(si, root.i, entity, root.dep_ in ("nsubj", "nsubjpass"),
                                         entity.type in ("NORP",) or root.tag_ in ("NNS", "NNPS") or coordinated,
                                         2 if root.dep_ in ("nsubj", "nsubjpass") else 1 if root.dep_ == "poss" else 0))

    def lookup(self, name: str, type_: str) -> Entity:
        """The document's entity for a name: alias, earlier full name, or a new entity."""
        norm = normalise_name(name)
        if norm in self.alias_of:
            return self.alias_of[norm]
        if norm in self.by_name:
            return self.by_name[norm]
        short = self._short_name(norm, type_)
        if short is not None:
            return short
        initialism = self._initialism(name)
        if initialism is not None:
            return initialism
        return self._entity(name, type_)

    def _initialism(self, name: str) -> Optional[Entity]:
        """"TSMC" for a "Taiwan Semiconductor Manufacturing Co" named before, when only one fits."""
        if not ACRONYM.match(name) or not name.isupper() or len(name) < 3:
            return None
        return self._index.initialism(name)

    def _short_name(self, norm: str, type_: str) -> Optional[Entity]:
        """"Lo" or "Sato" for a person named in full earlier in the document; "the South" for South Korea
        when it is the one place of the document whose name starts or ends so."""
        words = norm.split()
        if type_ not in ("PERSON", "ORG", "GPE", "NORP", "LOC") or not words or len(words) > 2:
            return None
        places = type_ == "LOC" or type_ == "GPE" and len(words) == 1 and words[0] in COMPASS
        return self._index.short_name(words, places)

    # ----------------------------------------------------------- arguments
    def entity_of(self, tok) -> Optional[tuple]:
        """(entity, span start, span end) for a token inside a named entity."""
        key = _tok_key(tok)
        return self.long_forms.get(key) or self.token_entity.get(key)

    def argument(self, tok, si: int, *, verb=None, speaker_subjects=()) -> Optional[Resolved]:
        """The argument a head token stands for, or ``None`` when it has none (worked out once per token,
        verb and speaker: the rules ask for the same subject many times)."""
        if self._depth > 6:  # pronoun → antecedent → possessive → … chains end here
            return None
        key = (id(tok.doc), tok.i, si, verb.i if verb is not None else -1, tuple(t.i for t in speaker_subjects))
        if self._depth == 0 and key in self._arguments:
            return self._arguments[key]
        self._depth += 1
        try:
            found = self._argument(tok, si, speaker_subjects, verb)
        finally:
            self._depth -= 1
        if self._depth == 0:
            self._arguments[key] = found
        return found

    def _argument(self, tok, si: int, speaker_subjects, verb=None) -> Optional[Resolved]:
        doc = tok.doc
        hit = self.entity_of(tok)
        if hit is not None:
            entity, start, end = hit
            return Resolved(self._arg(entity, doc, start, end))
        what = counted(tok)
        if what is not None:  # "tens of thousands of platinum miners", "one of the country's industries"
            return self.argument(what, si, verb=verb, speaker_subjects=speaker_subjects)
        if tok.ent_type_ in SKIP_TYPES:
            return None
        low = tok.lower_
        if tok.pos_ == "PRON" or low in PERSON_PRONOUNS | THING_PRONOUNS | PLURAL_PRONOUNS:
            if low in RELATIVE_PRONOUNS and tok.head.dep_ == "relcl":
                return self.argument(relative_head(tok.head.head), si)
            group = self._pronoun_group(tok, si) if low in PLURAL_PRONOUNS else []
            if group:  # "Chung met Hayashi … as they attended": both
                args = [Argument(tok.text, e.name, e.key, e.type, tok.idx, tok.idx + len(tok)) for e in group]
                return Resolved(args[0], "+pronoun+group", tuple(args[1:]))
            antecedent = self.antecedent(tok, si, speaker_subjects=speaker_subjects)
            if antecedent is not None:
                return Resolved(Argument(tok.text, antecedent.name, antecedent.key, antecedent.type,
                                         tok.idx, tok.idx + len(tok)), "+pronoun")
            if self.keep_unresolved:
                return Resolved(self._concept_arg(tok, si, exclude=verb))
            return None
        if low in DEMONSTRATIVES and tok.pos_ in ("PRON", "DET", "NUM") and not self.keep_unresolved:
            return None
        if tok.pos_ == "PROPN":
            entity = self._proper_noun(tok)
            if entity is not None:
                span = self._compound_span(tok)
                return Resolved(self._arg(entity, doc, span[0], span[1]))
        named = self._appositive_name(tok) or self._kind_of_place(tok)
        if named is not None:
            entity, start, end = named
            return Resolved(self._arg(entity, doc, start, end))
        owner = _whose(tok)
        if owner is not None:  # "the alliance, whose factions have links to Iran": the alliance has them
            return self.argument(owner, si, verb=verb, speaker_subjects=speaker_subjects)
        agent = self._agent_organisation(tok)
        if agent is not None:
            entity, _ = agent
            start, end = self._concept_range(tok, exclude=verb)
            return Resolved(Argument(_span_text(doc, start, end), entity.name, entity.key, entity.type,
                                     doc[start].idx, doc[end - 1].idx + len(doc[end - 1])), "+agent")
        group = self._group_reference(tok, si)
        if group:
            args = [Argument(tok.text, e.name, e.key, e.type, tok.idx, tok.idx + len(tok)) for e in group]
            return Resolved(args[0], "+group", tuple(args[1:]))
        definite = self._definite_reference(tok, si)
        if definite is not None:
            return Resolved(Argument(tok.text, definite.name, definite.key, definite.type, tok.idx,
                                     tok.idx + len(tok)), "+definite")
        if tok.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ", "X", "VERB") and not self.keep_unresolved:
            return None
        return Resolved(self._concept_arg(tok, si, exclude=verb))

    def source_owner(self, tok, si: int):
        """Whose words a document noun carries: "a report by the Institute for the Study of War" → the
        institute; a later "the report" → the same institute. Other tokens are returned unchanged."""
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in SOURCE_NOUNS:
            return tok
        owner = _owner(tok)
        if owner is not None:
            return owner
        lemma = tok.lemma_.lower()
        for k in range(si, max(-1, si - GROUP_WINDOW), -1):
            for t in reversed(list(self.sentences[k])):
                if (k < si or t.i < tok.i) and t.lemma_.lower() == lemma and t.pos_ == "NOUN":
                    owner = _owner(t)
                    if owner is not None:
                        return owner
        return tok

    def span_argument(self, doc, start: int, end: int) -> Optional[Resolved]:
        """A concept argument for an explicit token range (open IE's wide objects)."""
        while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        if end <= start:
            return None
        text = _span_text(doc, start, end)
        first = start
        while first < end - 1 and doc[first].lower_ in LEADING_STRIP:
            first += 1
        name = _span_text(doc, first, end)
        return Resolved(Argument(text, name, entity_key(name, "CONCEPT"), "CONCEPT",
                                 doc[start].idx, doc[end - 1].idx + len(doc[end - 1])))

    def _arg(self, entity: Entity, doc, start: int, end: int) -> Argument:
        return Argument(_span_text(doc, start, end), entity.name, entity.key, entity.type,
                        doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))

    def _compound_span(self, tok) -> tuple[int, int]:
        left = min([c.i for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"] + [tok.i])
        return left, tok.i + 1

    def _proper_noun(self, tok) -> Optional[Entity]:
        """A proper noun NER missed that names a known entity ("Lo" after "Lo Chih-cheng")."""
        start, end = self._compound_span(tok)
        norm = normalise_name(_span_text(tok.doc, start, end))
        if norm in self.alias_of:
            return self.alias_of[norm]
        if norm in self.by_name:
            return self.by_name[norm]
        return self._short_name(norm, "PERSON")

    def _appositive_name(self, tok) -> Optional[tuple]:
        """"its chairman Jerome Powell", "the publisher Activision Blizzard", "Kennedy's assassin, Lee Harvey
        Oswald": the name right after the noun (after a comma only for a person with a title or a role)."""
        if tok.pos_ != "NOUN" and not (tok.pos_ == "PROPN" and tok.lower_ in TITLE_WORDS):
            return None
        owned = any(c.dep_ == "poss" for c in tok.children)
        for c in tok.children:
            if c.dep_ == "appos" and c.i > tok.i:
                hit = self.entity_of(c)
                if hit is None:
                    continue
                punct = [t for t in tok.doc[tok.i + 1:hit[1]] if t.is_punct]
                titled = owned or tok.lower_ in TITLE_WORDS  # "the 34th President of the United States, Eisenhower"
                if not punct or titled and hit[0].type == "PERSON" and all(t.text == "," for t in punct):
                    return hit
        return None

    def _kind_of_place(self, tok) -> Optional[tuple]:
        """"the Pacific coast city of Pisco", "the southern province of Guangdong": the place itself."""
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in PLACE_KIND_NOUNS:
            return None
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    hit = self.entity_of(pobj) if pobj.dep_ == "pobj" and pobj.ent_type_ in ("GPE", "LOC") else None
                    if hit is not None:
                        return hit
        return None

    def _agent_organisation(self, tok) -> Optional[tuple]:
        """"LDP representatives", "representatives of the LDP" stand for the LDP."""
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in AGENT_NOUNS:
            return None
        for c in tok.children:
            if c.dep_ in ("compound", "poss", "nmod") and c.ent_type_ in ("ORG", "GPE"):
                hit = self.entity_of(c)
                if hit is not None:
                    return hit[0], c
            if c.dep_ == "prep" and c.lower_ in ("of", "from"):
                for p in c.children:
                    hit = self.entity_of(p) if p.dep_ == "pobj" and p.ent_type_ in ("ORG", "GPE") else None
                    if hit is not None:
                        return hit[0], p
        return None

    def _group_reference(self, tok, si: int) -> list:
        """"the two companies", "both sides", "the leaders": the entities of the latest coordination that fits.

        The noun must name a kind of entity (:data:`CLASS_NOUNS`) and carry a definite
        determiner, "both", or a number equal to the size of the coordination.
        """
        if tok.pos_ != "NOUN" or tok.tag_ != "NNS":
            return []
        kinds = CLASS_NOUNS.get(tok.lemma_.lower())
        if kinds is None:
            return []
        size = None
        definite = False
        for c in tok.children:
            if c.dep_ in ("det", "predet", "preconj") and c.lower_ in ("the", "both", "these", "those"):
                definite = True
                size = 2 if c.lower_ == "both" else size
            elif c.dep_ == "nummod":
                size = _NUMBERS.get(c.lower_)
                if size is None:
                    return []
            elif c.dep_ not in ("amod", "compound"):
                return []
        if not definite:
            return []
        fitting = [(argument, entities) for k in range(si, max(-1, si - GROUP_WINDOW), -1)
                   for start, entities, argument in reversed(self.groups[k]) if (k < si or start < tok.i)
                   and all(e.type in kinds for e in entities) and (size is None or len(entities) == size)]
        # the latest group that was an argument of a verb: "the ruling parties of Taiwan and Japan" are not
        # the two sides, the parties are
        return next((entities for argument, entities in fitting if argument), [])

    def _definite_reference(self, tok, si: int) -> Optional[Entity]:
        """"the ministry" for the Ministry of Foreign Affairs named before (the latest such);
        "the company", "the country" for the latest organisation or place (:data:`CLASS_NOUNS`)."""
        if tok.pos_ != "NOUN" or tok.tag_ != "NN":
            return None
        dets = [c for c in tok.children if c.dep_ == "det"]
        if len(dets) != 1 or dets[0].lower_ != "the" or len(list(tok.children)) != 1:
            return None
        lemma = tok.lemma_.lower()
        kinds = set(CLASS_NOUNS.get(lemma, ())) - {"PERSON"}  # "the envoy" may be someone new
        for k in range(si, max(-1, si - 3), -1):
            for m in reversed(self.mentions[k]):
                if (k < si or m.token_index < tok.i) and m.entity.type in kinds and not m.plural:
                    return m.entity
        if self._organisations is None:  # the mentions are all known once the resolver is made
            self._organisations = OrganisationMentions(self.mentions)
        return self._organisations.latest(lemma, si, tok.i)

    def place_of_people(self, arg: Argument) -> Argument:
        """A nationality as its country: the place named in the document ("Venezuelan" → Venezuela),
        else the country of :data:`DEMONYMS` ("British" → Britain), else unchanged."""
        if arg.type != "NORP":
            return arg
        demonym = normalise_name(arg.name)
        best = None
        for entity in self._index.places_like(demonym):
            place = normalise_name(entity.name)
            common = len(_common_prefix(place, demonym))
            if common >= 4 and common >= len(place) - 1 and (best is None or len(place) > len(normalise_name(best.name))):
                best = entity
        if best is None and demonym in DEMONYMS:
            best = self.lookup(DEMONYMS[demonym], "GPE")
        if best is None:
            return arg
        return Argument(arg.text, best.name, best.key, best.type, arg.start, arg.end)

    def _entity_by_key(self, key: str) -> Optional[Entity]:
        return self._index.by_key(key)  # an alias always names an entity of by_name

    # ----------------------------------------------------------- concepts
    def _concept_range(self, tok, exclude=None) -> tuple[int, int]:
        """The contiguous noun phrase around ``tok`` without clauses, appositions or coordinated heads.

        ``exclude``: the verb of the relation; when it modifies ``tok`` ("feet dangling off
        the floor"), its clause is not part of the argument.
        """
        drop = set()
        if exclude is not None and exclude.i != tok.i and tok.left_edge.i <= exclude.i <= tok.right_edge.i:
            if any(a.i == tok.i for a in exclude.ancestors):
                drop.update(t.i for t in exclude.subtree)
        for c in tok.children:
            if c.dep_ in ("appos", "conj", "cc", "punct"):
                drop.update(t.i for t in c.subtree)
        for c in tok.subtree:
            if c.i != tok.i and c.dep_ in ("relcl", "advcl", "parataxis"):
                drop.update(t.i for t in c.subtree)
            if c.dep_ == "acl" and c.tag_ == "VBN" and any(x.dep_ == "agent" for x in c.children):
                drop.update(t.i for t in c.subtree)
        keep = {t.i for t in tok.subtree} - drop
        start = end = tok.i
        while start - 1 in keep:
            start -= 1
        while end + 1 in keep:
            end += 1
        doc = tok.doc
        while end > start and (doc[end].is_punct and doc[end].text != "%" or doc[end].dep_ in ("cc",)
                               or doc[end].is_space):
            end -= 1
        while start < end and (doc[start].is_punct or doc[start].is_space):
            start += 1
        # "Shares of YPF (YPFD.BA": a bracket the phrase opens and does not close is cut off with what follows
        depth, cut = 0, None
        for i in range(start, end + 1):
            if doc[i].text in "([{":
                depth, cut = depth + 1, i if depth == 0 else cut
            elif doc[i].text in ")]}" and depth:
                depth -= 1
        if depth and cut is not None and cut > tok.i:
            end = cut - 1
            while end > start and (doc[end].is_punct or doc[end].is_space):
                end -= 1
        return start, end + 1

    def _concept_arg(self, tok, si: int, exclude=None) -> Argument:
        doc = tok.doc
        start, end = self._concept_range(tok, exclude)
        text = _span_text(doc, start, end)
        name = self._concept_name(tok, start, end, si)
        return Argument(text, name, entity_key(name, "CONCEPT"), "CONCEPT",
                        doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))

    def _concept_name(self, tok, start: int, end: int, si: int) -> str:
        doc = tok.doc
        prefix = ""
        while start < tok.i and doc[start].lower_ in LEADING_STRIP | {"both", "all", "many"} - {"many"}:
            word = doc[start]
            if word.lower_ in THING_PRONOUNS | PERSON_PRONOUNS and word.dep_ == "poss":
                ante = self.antecedent(word, si)
                if ante is not None:
                    prefix = f"{ante.name}'" if ante.name.endswith("s") else f"{ante.name}'s "
                    prefix = prefix if prefix.endswith(" ") else prefix + " "
            start += 1
        # a phrase that only dates the thing is not part of its name: "plans on Monday" → plans;
        dated = [c.i for c in tok.rights if c.dep_ == "prep" and c.i < end and any(
            o.dep_ == "pobj" and o.ent_type_ in ("DATE", "TIME") for o in c.children)]
        # nor does a participle that says more about it ("a capsule containing soil samples"): its own fact
        dated += [c.left_edge.i for c in tok.rights if c.dep_ == "acl" and c.tag_ == "VBG" and c.i < end]
        if dated:
            end = min(dated)
        if end - start > MAX_CONCEPT_TOKENS:
            # keep the head with its left modifiers and, if short, its first prepositional phrase
            end = tok.i + 1
            right = [c for c in tok.rights if c.dep_ in ("prep", "acl")]
            if right:
                sub = [t.i for t in right[0].subtree]
                if max(sub) + 1 - start <= MAX_CONCEPT_TOKENS:
                    end = max(sub) + 1
        words = [t for t in doc[start:end]]
        text = "".join(t.text_with_ws for t in words).strip()
        text = text.strip(" \"“”‘’'.,;:-—–")
        return (prefix + text) if text else tok.text
