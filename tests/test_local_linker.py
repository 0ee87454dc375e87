"""The link kept document by document (kg.local.linker) against the corpus pass (kg.link.resolved)."""
from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import pytest

from kg.graph import read_triples
from kg.identity import CROSS_DOCUMENT_RULE
from kg.link import resolved, with_cross_document_records
from kg.local.db import connect, transaction
from kg.local.linker import _NEW_NAMES, Linker
from kg.records import Argument, Predicate, Speaker, Triple, entity_key

SAMPLE = Path(__file__).parent / "data" / "sample_triples.jsonl"


def sample_documents() -> dict:
    """The bundled samples' triple records, by document, in build order."""
    return {d: list(ts) for d, ts in itertools.groupby(read_triples(SAMPLE), key=lambda t: t.doc_id)}


def relabel(triples, doc_id):
    """Another document's triples, said by document ``doc_id``."""
    return [dataclasses.replace(t, doc_id=doc_id, sentence_id=f"{doc_id}:{t.sentence_id.rpartition(':')[2]}")
            for t in triples]


NAMED = [("Liberal Democratic Party", "ORG"), ("Labour Development Party", "ORG"), ("Council", "ORG"),
         ("Apex Corp", "ORG"), ("Chen Shu-fen", "PERSON"), ("Chen", "PERSON"), ("Kenji Hoshino", "PERSON"),
         ("Hoshino", "ORG"), ("Taiwan", "GPE"), ("Japan", "GPE"), ("Trade Act", "LAW")]
CONCEPTS = ["restricted waters", "trial production", "the plan", "chip exports", "Kumamoto plant", "Apex Corp bid",
            "the council", "new council rules", "hoshino grills"]
ALIASES = [("Liberal Democratic Party", "LDP"), ("Labour Development Party", "LDP"), ("Apex Corp", "APX")]


def made_up_document(rng: random.Random, doc_id: str) -> list:
    """A document of 2-6 made-up sentences over a small world of names and concepts, chosen so that
    aliases clash, one-word names are common words elsewhere, and descriptive concepts span stories."""
    triples = []
    for i in range(rng.randint(2, 6)):
        sid = f"{doc_id}:{i}"
        if rng.random() < 0.2:
            full, short = rng.choice(ALIASES)
            sentence = f"The {full} ({short}) met."
            s = Argument(full, full, entity_key(full, "ORG"), "ORG", 4, 4 + len(full))
            o = Argument(short, short, s.key, "ORG", 6 + len(full), 6 + len(full) + len(short))
            triples.append(Triple(doc_id, sid, sentence, s, Predicate(f"({short})", "alias"), o, rule="appos"))
            continue
        args = []
        for _ in range(2):
            if rng.random() < 0.5:
                name, type_ = rng.choice(NAMED)
                if rng.random() < 0.2 and name in dict(ALIASES):
                    name = dict(ALIASES)[name]
            else:
                name, type_ = rng.choice(CONCEPTS), "CONCEPT"
            args.append((name, type_))
        (sn, st), (on, ot) = args
        sentence = f"{sn} told {on} about the plan."
        s = Argument(sn, sn, entity_key(sn, st), st, 0, len(sn))
        o = Argument(on, on, entity_key(on, ot), ot, len(sn) + 6, len(sn) + 6 + len(on))
        speaker = Speaker("Chen", entity_key("Chen", "PERSON")) if rng.random() < 0.2 else None
        triples.append(Triple(doc_id, sid, sentence, s, Predicate("told", "tell"), o, speaker=speaker,
                              doc={"title": doc_id}))
    return triples


def expected(docs: dict) -> dict:
    """Per document, the resolved triples of a corpus pass over ``docs`` (in their order)."""
    out = {d: [] for d in docs}
    for t in resolved([t for ts in docs.values() for t in ts]):
        if t.rule != CROSS_DOCUMENT_RULE:
            out[t.doc_id].append(t)
    return out


class Corpus:
    """Documents in build order, kept in a store's link state."""

    def __init__(self, path):
        self.conn = connect(path)
        self.linker = Linker(self.conn)
        self.docs: dict = {}
        self.seq: dict = {}
        self.next = 0

    def change(self, new: dict) -> dict:
        """Put ``new`` (doc id → triples, or None to remove) in; returns what the linker resolved again."""
        changed = {}
        for d, triples in new.items():
            if triples is None:
                self.docs.pop(d, None)
                changed[d] = None
                continue
            if d not in self.seq:
                self.seq[d], self.next = self.next, self.next + 1
            self.docs[d] = triples
            changed[d] = (self.seq[d], triples)
        self.docs = dict(sorted(self.docs.items(), key=lambda kv: self.seq[kv[0]]))
        with transaction(self.conn):
            again = self.linker.update(changed, lambda ids: {d: self.docs[d] for d in ids})
            every_key = {k for (k,) in self.conn.execute("SELECT key FROM link_keys UNION SELECT key FROM link_fresh")}
            assert self.linker._update_folds(every_key) == set(), "the folds kept differ from those computed whole"
            assert self.linker._update_set("link_name_set", _NEW_NAMES) == set(), "the names kept differ"
            assert self.linker.rescope() == (set(), set()), "the scopes kept differ from those computed whole"
        return again

    def stored(self) -> dict:
        """Each document's triples resolved with the stored link state."""
        resolve = self.linker.resolver()
        return {d: r for d, r in ((d, resolve(ts)) for d, ts in self.docs.items()) if r}


def test_a_corpus_taken_in_at_once_resolves_as_the_corpus_pass(tmp_path):
    docs = sample_documents()
    corpus = Corpus(tmp_path / "kg.sqlite")
    corpus.change(docs)
    want = expected(docs)
    assert {d: ts for d, ts in want.items() if ts} == corpus.stored()
    resolve_many = corpus.linker.resolver(many=True)
    assert {d: r for d, r in ((d, resolve_many(ts)) for d, ts in docs.items()) if r} == corpus.stored()
    stream = list(with_cross_document_records(t for ts in corpus.stored().values() for t in ts))
    assert stream == list(resolved([t for ts in docs.values() for t in ts]))


@pytest.mark.parametrize("seed", range(3))
def test_documents_added_replaced_and_removed_one_by_one_resolve_as_a_corpus_pass(tmp_path, seed):
    rng = random.Random(seed)
    pool = sample_documents()
    ids = list(pool)
    corpus = Corpus(tmp_path / "kg.sqlite")
    for step in range(40):
        op = rng.choice(["add", "add", "replace", "remove"]) if corpus.docs else "add"
        if op == "add":
            d = f"new{step}"
            new = {d: relabel(pool[rng.choice(ids)], d)}
        elif op == "replace":
            d = rng.choice(list(corpus.docs))
            source = pool[rng.choice(ids)]
            new = {d: relabel(rng.sample(source, max(1, len(source) // 2)), d)}
        else:
            new = {rng.choice(list(corpus.docs)): None}
        before = corpus.stored()
        again = corpus.change(new)
        want = {d: ts for d, ts in expected(corpus.docs).items() if ts}
        got = corpus.stored()
        assert got == want, (step, op, sorted(new))
        moved = {d for d in want.keys() | before.keys() if want.get(d) != before.get(d)}
        assert moved <= set(again), (step, op)  # every document whose resolution changed was resolved again


@pytest.mark.parametrize("seed", range(4))
def test_made_up_worlds_with_clashing_aliases_common_words_and_stories_resolve_as_a_corpus_pass(tmp_path, seed):
    rng = random.Random(seed)
    corpus = Corpus(tmp_path / "kg.sqlite")
    corpus.change({f"d{i}": made_up_document(rng, f"d{i}") for i in range(12)})
    assert corpus.stored() == {d: ts for d, ts in expected(corpus.docs).items() if ts}
    for step in range(40):
        op = rng.choice(["add", "replace", "replace", "reword", "remove"]) if len(corpus.docs) > 2 else "add"
        if op == "add":
            new = {f"n{step}": made_up_document(rng, f"n{step}")}
        elif op == "replace":
            d = rng.choice(list(corpus.docs))
            new = {d: made_up_document(rng, d)}
        elif op == "reword":  # a correction that names the same things
            d = rng.choice(list(corpus.docs))
            new = {d: [dataclasses.replace(t, sentence=t.sentence + f" (corrected {step})") for t in corpus.docs[d]]}
        else:
            new = {rng.choice(list(corpus.docs)): None}
        before = corpus.stored()
        again = corpus.change(new)
        want = {d: ts for d, ts in expected(corpus.docs).items() if ts}
        assert corpus.stored() == want, (step, op, sorted(new))
        moved = {d for d in want.keys() | before.keys() if want.get(d) != before.get(d)}
        assert moved <= set(again), (step, op, sorted(moved - set(again)))


def test_made_up_worlds_have_what_they_are_made_for():
    from kg.link import link_pass

    rng = random.Random(0)
    triples = [t for i in range(12) for t in made_up_document(rng, f"d{i}")]
    table, plan = link_pass(triples)
    assert plan.stories and plan.per_document and table
