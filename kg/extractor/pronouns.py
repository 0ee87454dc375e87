"""Pronouns: who "he", "it", "they", "we" and "I" stand for in one document.

:class:`Pronouns` is the part of :class:`kg.extractor.resolve.DocResolver` that finds
antecedents. It reads the resolver's mentions (named entities by sentence, subjects
first) and groups (coordinations and meetings), and never makes an entity of its own.
"""
from __future__ import annotations

from typing import Optional

from .entities import Entity, Mention
from .syntax import clause_verb, subjects
from .vocab import (AGENT_NOUNS, FIRST_PERSON_PLURAL, FIRST_PERSON_SINGULAR, NAMED_TYPES, PERSON_PRONOUNS,
                    PLURAL_PRONOUNS, THING_PRONOUNS)

PERSONISH = {"PERSON"}
THINGISH = NAMED_TYPES - PERSONISH
GROUPISH = {"ORG", "GPE", "NORP"}


def _coordinated(tok) -> bool:
    return tok.dep_ == "conj" or any(c.dep_ == "conj" for c in tok.children)


class Pronouns:
    """Antecedents for a :class:`~kg.extractor.resolve.DocResolver` (its ``mentions``, ``groups``,
    ``sentences`` and ``argument``)."""

    def _pronoun_group(self, pron, si: int) -> list:
        """The people or parties "they" stands for: the latest group of two or more that was an argument
        of a verb, earlier in this sentence or in the one before (where no group fits, a single antecedent)."""
        for k in range(si, max(-1, si - 2), -1):
            for start, entities, argument in reversed(self.groups[k]):
                if argument and (k < si or start < pron.i) and all(e.type in ("PERSON", "ORG", "GPE")
                                                                  for e in entities):
                    return entities
        return []

    def antecedent(self, pron, si: int, *, speaker_subjects=()) -> Optional[Entity]:
        """The entity a pronoun refers to: the speaker of its clause, else the nearest fitting mention."""
        low = pron.lower_
        if low in PERSON_PRONOUNS:
            types, plural = PERSONISH, False
        elif low in THING_PRONOUNS:
            types, plural = THINGISH - {"NORP"}, False
        elif low in PLURAL_PRONOUNS:
            types, plural = GROUPISH, True
        elif low in FIRST_PERSON_SINGULAR | FIRST_PERSON_PLURAL:
            return self._speaker_side(low, si, speaker_subjects)
        else:
            return None  # you: the listener, not resolvable to a node here
        if low in THING_PRONOUNS and pron.dep_ not in ("nsubj", "nsubjpass", "poss"):
            # "JAXA said … a plane carrying it touched down": an "it" that is no subject is rarely the speaker
            speaker_subjects = ()
        if pron.dep_ == "poss":
            # "Brazil asked Argentina to lower its tariffs": its = the subject of its own clause
            verb = clause_verb(pron.head)
            clause_subjects = subjects(verb)[0] if verb is not None else []
            speaker_subjects = tuple(clause_subjects[:1]) + tuple(speaker_subjects)
        for subj in speaker_subjects:
            if subj.left_edge.i <= pron.i <= subj.right_edge.i or (subj.pos_ == "PRON" and subj.dep_ == "poss"):
                continue  # a noun phrase cannot be the antecedent of a pronoun inside it
            resolved = self.argument(subj, si)
            if resolved is None:
                continue
            arg = resolved.argument
            fits = arg.type in types or (arg.type == "CONCEPT" and subj.pos_ == "NOUN" and low not in PERSON_PRONOUNS
                                         and ((subj.tag_ in ("NNS", "NNPS")) == plural
                                              or plural and subj.lemma_.lower() in AGENT_NOUNS))
            if fits:
                return self._entity_by_key(arg.key) or Entity(arg.name, arg.type)
        for k in range(si, max(-1, si - 4), -1):
            candidates = [m for m in self.mentions[k] if (k < si or m.token_index < pron.i)
                          and m.entity.type in types]
            if not plural:
                candidates = [m for m in candidates if not m.plural or m.entity.type in ("ORG", "GPE")
                              and not _coordinated(self.sentences[k].doc[m.token_index])]
            if not candidates:
                continue
            best = max(m.salience for m in candidates)
            choice = [m for m in candidates if m.salience == best][-1]
            if low in ("it", "itself") and self._thing_between(choice, k, pron, si):
                return None  # "blocked the merger …, ruling that it would …": "it" may be the merger
            return choice.entity
        return None

    def _speaker_side(self, low: str, si: int, speaker_subjects) -> Optional[Entity]:
        """"I" in a quote is its speaker; "we" is the speaker's organisation (the one a title or apposition
        gives them in the document: "JAXA Vice President Kuninaka … 'We made the decision'"), or the
        speaker when that is an organisation. Without a speaker, nobody."""
        for subj in speaker_subjects:
            resolved = self.argument(subj, si)
            if resolved is None or resolved.argument.type == "CONCEPT":
                continue
            entity = self._entity_by_key(resolved.argument.key)
            if entity is None:
                continue
            if low in FIRST_PERSON_SINGULAR:
                return entity if entity.type == "PERSON" else None
            if entity.type in ("ORG", "GPE", "NORP"):
                return entity
            return self.organisation_of(entity)
        return None

    def organisation_of(self, person: Entity) -> Optional[Entity]:
        """The organisation a person's title or apposition names in this document, when there is one."""
        if person.key not in self._employers:
            hit = self._workplaces().get(id(person))
            self._employers[person.key] = hit[1] if hit is not None and hit[0] is person else None
        return self._employers[person.key]

    def _workplaces(self) -> dict:
        """id of a person → (the person, the first organisation a title or apposition gives them), for
        the whole document, made once."""
        if self._first_workplaces is None:
            from .rules import roles  # rules never import the resolver back

            found: dict = {}
            for sent in self.sentences:
                for rel in roles(sent):
                    subj, org = self.entity_of(rel.subj), self.entity_of(rel.obj)
                    if subj is not None and org is not None and org[0].type == "ORG":
                        found.setdefault(id(subj[0]), (subj[0], org[0]))
            self._first_workplaces = found
        return self._first_workplaces

    def _thing_between(self, mention: Mention, k: int, pron, si: int) -> bool:
        """A singular common noun argument stands between a candidate antecedent and "it"."""
        spans = [(self.sentences[j], mention.token_index if j == k else self.sentences[j].start,
                  pron.i if j == si else self.sentences[j].end) for j in range(k, si + 1)]
        for sent, start, end in spans:
            doc = sent.doc if hasattr(sent, "doc") else None
            for t in doc[max(start + 1, sent.start):min(end, sent.end)]:
                if (t.pos_ == "NOUN" and t.tag_ == "NN" and t.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj")
                        and not t.ent_type_ and t.lemma_.lower() not in {"time", "year", "day", "week", "month"}):
                    return True
        return False
