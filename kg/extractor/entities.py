"""The resolver's records: a document's entities, their mentions, and resolved arguments."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Argument, entity_key


@dataclass
class Entity:
    """One entity of a document under its canonical name."""

    name: str
    type: str
    aliases: dict = field(default_factory=dict)  # alias text -> (start, end) of its definition

    @property
    def key(self) -> str:
        return entity_key(self.name, self.type)


@dataclass
class Mention:
    """A resolved mention, remembered for pronoun resolution."""

    sent_index: int
    token_index: int
    entity: Entity
    subject: bool
    plural: bool
    salience: int = 0  # 2 subject, 1 possessor, 0 other


@dataclass
class Resolved:
    """An argument plus how it was found (for the rule name and confidence).

    ``others``: further arguments the same words stand for ("the two companies" → CBS and Viacom).
    """

    argument: Argument
    via: str = ""
    others: tuple = ()

    @property
    def arguments(self) -> tuple:
        """Every argument the words stand for, the first one first."""
        return (self.argument, *self.others)
