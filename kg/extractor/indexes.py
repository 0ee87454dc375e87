"""Look-up tables over a document's entities and mentions, so resolving one name costs the same early
and late in a long document.

The resolver (:mod:`.resolve`) asks the same questions of every name it meets: is this the short
form of a person named before, the initials of an organisation, the country of a nationality, the
organisation "the ministry" stands for.  Scanning every entity or every earlier sentence for each
answer makes a document's cost grow with the square of its length; these tables answer each
question from the few candidates that can fit, with exactly the answer the scan gives.
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Optional

from ..records import normalise_name
from .acronyms import initials
from .entities import Entity
from .vocab import PLACE_TYPES  # the entity types EntityIndex.short_name looks among, with people


class EntityIndex:
    """The entities of a document in the order they were named, indexed as they are added."""

    def __init__(self) -> None:
        self._order: dict[int, int] = {}  # id(entity) -> position
        self._by_key: dict[str, Entity] = {}  # key -> first entity with it
        self._short: dict[tuple, list] = {}  # (kind, words) -> [last entity, first name, one name only]
        self._initials: dict[str, dict[str, Entity]] = {}  # initials -> key -> last organisation with them
        self._places: dict[str, Entity] = {}  # normalised place name -> place
        self._place_stems: dict[str, list[Entity]] = {}  # place name without its last letter -> places

    def add(self, entity: Entity) -> None:
        """Index a new entity (each entity once, in the order they are named)."""
        self._order[id(entity)] = len(self._order)
        self._by_key.setdefault(entity.key, entity)
        norm = normalise_name(entity.name)
        if entity.type == "PERSON" or entity.type in PLACE_TYPES:
            kind = "person" if entity.type == "PERSON" else "place"
            full = norm.split()
            ends = {tuple(part) for n in (1, 2) if len(full) > n for part in (full[-n:], full[:n])}
            for words in ends:
                hit = self._short.get((kind, words))
                if hit is None:
                    self._short[(kind, words)] = [entity, entity.name, True]
                else:
                    hit[0] = entity
                    hit[2] = hit[2] and entity.name == hit[1]
        if entity.type == "ORG":
            self._initials.setdefault(initials(entity.name), {})[entity.key] = entity
        if entity.type in PLACE_TYPES:
            self._places[norm] = entity
            self._place_stems.setdefault(norm[:-1], []).append(entity)

    def by_key(self, key: str) -> Optional[Entity]:
        """The first entity with ``key``."""
        return self._by_key.get(key)

    def short_name(self, words: list[str], places: bool) -> Optional[Entity]:
        """The latest person (or place) whose longer name starts or ends with ``words``, when all such have one name."""
        hit = self._short.get(("place" if places else "person", tuple(words)))
        return hit[0] if hit is not None and hit[2] else None

    def initialism(self, name: str) -> Optional[Entity]:
        """The one organisation (by key) whose initials are ``name``, else ``None``."""
        hits = self._initials.get(name)
        return next(iter(hits.values())) if hits is not None and len(hits) == 1 else None

    def places_like(self, demonym: str) -> list[Entity]:
        """In naming order, the places whose normalised name, or that name without its last letter,
        is a prefix of ``demonym`` at least 4 letters long: every place sharing with ``demonym`` a
        prefix of 4 letters or more that lacks at most their last letter."""
        found = {}
        for n in range(4, len(demonym) + 1):
            prefix = demonym[:n]
            if prefix in self._places:
                found[id(self._places[prefix])] = self._places[prefix]
            for place in self._place_stems.get(prefix, ()):
                found[id(place)] = place
        return sorted(found.values(), key=lambda e: self._order[id(e)])


class OrganisationMentions:
    """The mentions of organisations of a document by the first and the last word of their name,
    in document order (sentence, then token)."""

    def __init__(self, mentions: list[list]) -> None:
        self._by_word: dict[str, tuple[list, list]] = {}  # word -> (positions, entities)
        for k, sentence in enumerate(mentions):
            for m in sentence:
                if m.entity.type != "ORG":
                    continue
                words = normalise_name(m.entity.name).split()
                for word in {words[0], words[-1]} if words else ():
                    positions, entities = self._by_word.setdefault(word, ([], []))
                    positions.append((k, m.token_index))
                    entities.append(m.entity)

    def latest(self, word: str, sentence: int, token: int) -> Optional[Entity]:
        """The organisation of the latest mention before token ``token`` of sentence ``sentence`` whose
        name starts or ends with ``word``."""
        if word not in self._by_word:
            return None
        positions, entities = self._by_word[word]
        at = bisect_left(positions, (sentence, token))
        return entities[at - 1] if at else None
