"""The cross-document link (:mod:`kg.link`) kept up to date document by document.

:func:`kg.link.resolved` reads a whole corpus twice: once to gather the alias table and the
statistics of every key (:class:`kg.identity.KeyStats`), once to resolve each triple.  Here each
document's share of those statistics is kept in the store, so when documents change
(:meth:`Linker.update`) only their share is taken out and put back, and only the documents whose
resolution the change reaches are resolved again:

- the documents that changed;
- the documents that name an alias whose entity changed (an alias claimed by a second entity,
  or by none any more);
- the documents that mention a key whose scope changed (a one-word name that became a common
  word of the corpus, a concept that now holds an entity's name …);
- the documents of a descriptive concept whose stories were regrouped.

The plan is computed by the same functions as the corpus pass (:func:`kg.identity.fold_keys`,
:func:`~kg.identity.named_scope`, :func:`~kg.identity.concept_scope`, :func:`~kg.identity.story_map`):
over every key (one row each, no triple read), and for the stories over the concepts the change
reaches.  The result is what :func:`kg.link.resolved` gives for the same documents in the same
order, cross-document records left out (:func:`kg.link.with_cross_document_records` adds them
to a stream of the stored triples).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence

from ..files import batched
from ..identity import (STORY_TYPES, KeyStats, ScopePlan, _Key, _LOWER_WORD, concept_scope, fold_keys,
                        has_proper_word, named_scope, opens_sentence, story_map)
from ..link import alias_target, resolve_triples
from ..records import Triple, normalise_name
from ..run.sink import triple_line
from .db import schema

SCHEMA = schema("""
CREATE TABLE IF NOT EXISTS link_docs (doc TEXT PRIMARY KEY, seq INTEGER NOT NULL, words TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_words (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_mentions (key TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
    pos INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, proper INTEGER NOT NULL,
    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_mentions_doc ON link_mentions (doc);
CREATE TABLE IF NOT EXISTS link_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, pos INTEGER NOT NULL,
    name TEXT NOT NULL, type TEXT NOT NULL, proper INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_claims (doc TEXT NOT NULL, pos INTEGER NOT NULL, seq INTEGER NOT NULL,
    norm TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (doc, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_claims_norm ON link_claims (norm);
CREATE INDEX IF NOT EXISTS link_claims_key ON link_claims (key, seq, pos);
CREATE TABLE IF NOT EXISTS link_names (norm TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (norm, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_names_doc ON link_names (doc);
CREATE TABLE IF NOT EXISTS link_alias (norm TEXT PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL,
    type TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_folds (key TEXT PRIMARY KEY, into_key TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_scoped (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_descriptive (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_stories (key TEXT NOT NULL, doc TEXT NOT NULL, story TEXT NOT NULL,
    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_stories_doc ON link_stories (doc);
CREATE TABLE IF NOT EXISTS link_resolved (key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_resolved_doc ON link_resolved (doc);
CREATE TABLE IF NOT EXISTS link_triples (seq INTEGER NOT NULL, n INTEGER NOT NULL, doc TEXT NOT NULL,
    record TEXT NOT NULL, PRIMARY KEY (seq, n));
CREATE INDEX IF NOT EXISTS link_triples_doc ON link_triples (doc);
""")

#: Ids bound to one ``IN (…)`` query (SQLite allows 999 variables in older builds).
CHUNK = 900


# --------------------------------------------------------------------------- one document's share

@dataclass
class Share:
    """What one document contributes to the corpus statistics of the link (its triples, read once)."""

    words: set = field(default_factory=set)          # words its sentences write in lower case
    mentions: dict = field(default_factory=dict)     # key -> [pos, name, type, proper] of its first mention
    claims: list = field(default_factory=list)       # (pos, alias norm, key, name, type)
    names: set = field(default_factory=set)          # normalised names of its arguments and speakers


def share(triples: Sequence[Triple]) -> Share:
    """The share of one document's raw triples, gathered as :class:`kg.identity.KeyStats` and
    :func:`kg.link.link_pass` gather the corpus's.

    >>> from kg.records import Argument, Predicate
    >>> a = Argument("LDP", "LDP", "org:ldp", "ORG", 0, 3)
    >>> b = Argument("the plan", "the plan", "concept:plan", "CONCEPT", 10, 18)
    >>> s = share([Triple("d", "d:0", "LDP backs the plan.", a, Predicate("backs", "back"), b)])
    >>> sorted(s.words), sorted(s.mentions), sorted(s.names)
    (['backs', 'plan', 'the'], ['concept:plan', 'org:ldp'], ['ldp', 'plan'])
    """
    out = Share()
    last_sentence = None
    for i, t in enumerate(triples):
        if t.sentence_id != last_sentence:
            last_sentence = t.sentence_id
            out.words.update(w.replace("’", "'") for w in _LOWER_WORD.findall(t.sentence))
        args = (t.subject,) if t.is_alias else (t.subject, t.object)
        for j, arg in enumerate(args):
            m = out.mentions.get(arg.key)
            if m is None:
                m = out.mentions[arg.key] = [2 * i + j, arg.name, arg.type, False]
            if arg.type == "CONCEPT" and not m[3]:
                m[3] = has_proper_word(arg.name, opens_sentence=opens_sentence(t, arg))
        out.names.add(normalise_name(t.subject.name))
        out.names.add(normalise_name(t.object.name))
        if t.speaker is not None:
            out.names.add(normalise_name(t.speaker.name))
        if t.is_alias and t.object.name != t.subject.name:
            out.claims.append((i, normalise_name(t.object.name), t.subject.key, t.subject.name, t.subject.type))
    return out


# --------------------------------------------------------------------------- the linker

class Linker:
    """The link state of a build store (its ``link_`` tables), over an open connection.

    Every method runs inside the caller's transaction (:func:`kg.local.db.transaction`).
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    # -- reading

    def resolved_documents(self, doc_ids: Optional[Iterable[str]] = None) -> Iterator[tuple[str, list[Triple]]]:
        """``(doc id, resolved triples)`` of each document (all when ``doc_ids`` is None), in build order."""
        if doc_ids is None:
            rows = self.conn.execute("SELECT doc, record FROM link_triples ORDER BY seq, n")
        else:
            wanted = list(dict.fromkeys(doc_ids))
            rows = sorted((r for chunk in batched(wanted, CHUNK) for r in self.conn.execute(
                f"SELECT seq, n, doc, record FROM link_triples WHERE doc IN ({_marks(chunk)})", chunk)))
            rows = ((doc, record) for _, _, doc, record in rows)
        doc, triples = None, []
        for d, record in rows:
            if d != doc:
                if doc is not None:
                    yield doc, triples
                doc, triples = d, []
            triples.append(Triple.from_dict(json.loads(record)))
        if doc is not None:
            yield doc, triples

    def resolved_lines(self) -> Iterator[str]:
        """The stored resolved triples as JSON lines, in build order (no cross-document records)."""
        for (record,) in self.conn.execute("SELECT record FROM link_triples ORDER BY seq, n"):
            yield record

    # -- changing

    def update(self, changed: Mapping[str, Optional[tuple[int, Sequence[Triple]]]],
               raw_triples: Callable[[list[str]], Mapping[str, Sequence[Triple]]]) -> dict[str, Optional[list[Triple]]]:
        """Take the documents of ``changed`` (doc id → ``(position in build order, raw triples)``, or
        None for a document gone) into the link state; return the resolved triples of every
        document whose resolution changed (None for those gone).  ``raw_triples(ids)`` gives the
        raw triples of other documents that must be resolved again."""
        conn = self.conn
        touched_keys: set[str] = set()
        claim_norms: set[str] = set()
        claim_keys: set[str] = set()
        for doc, new in changed.items():
            self._take_out(doc, touched_keys, claim_norms, claim_keys)
            if new is not None:
                self._put_in(doc, new[0], share(new[1]), touched_keys, claim_norms, claim_keys)
        renamed = self._update_keys(touched_keys)
        changed_norms = self._update_alias_table(claim_norms, claim_keys)
        table = {norm: (key, name, type_) for norm, key, name, type_ in conn.execute("SELECT * FROM link_alias")}

        keys = self._folded_keys(table)
        fold = {raw: into for into, k in keys.items() for raw in k.docs}
        fold_changed = self._update_folds(fold)
        per_document, names = named_scope(keys, self._lower_words(keys))
        descriptive = set()
        for key, k in keys.items():
            scope = concept_scope(k, names)
            if scope == "document":
                per_document.add(key)
            elif scope == "story":
                descriptive.add(key)
        scope_flips = self._update_set("link_scoped", per_document)
        newly_descriptive = self._update_set("link_descriptive", descriptive) & descriptive

        # stories: the descriptive concepts whose documents or whose documents' named keys changed
        docs_of = self._docs_of
        reach_keys = scope_flips | fold_changed | renamed
        story_docs = {d for d, new in changed.items()} | set(docs_of(
            [raw for k in reach_keys for raw in (keys[k].docs if k in keys else {k})]))
        candidates = {fold.get(k, k) for k in touched_keys | fold_changed} | newly_descriptive
        candidates |= {fold.get(k, k) for k in self._keys_in(story_docs)}
        candidates |= {k for (k,) in conn.execute("SELECT DISTINCT key FROM link_stories")} - descriptive
        story_changes = self._update_stories(candidates & descriptive, candidates - descriptive, keys, fold,
                                             per_document)

        affected = {d for d, new in changed.items() if new is not None}
        affected |= set(self._docs_by("link_names", "norm", changed_norms))
        affected |= set(self._docs_by("link_resolved", "key", scope_flips))
        affected |= story_changes
        gone = [d for d, new in changed.items() if new is None]
        return self._resolve_again(affected - set(gone), gone, changed, raw_triples, table, per_document)

    def _take_out(self, doc: str, touched_keys: set, claim_norms: set, claim_keys: set) -> None:
        conn = self.conn
        row = conn.execute("SELECT words FROM link_docs WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            return
        words = json.loads(row[0])
        conn.executemany("UPDATE link_words SET docs = docs - 1 WHERE word = ?", ((w,) for w in words))
        conn.executemany("DELETE FROM link_words WHERE word = ? AND docs <= 0", ((w,) for w in words))
        touched_keys.update(k for (k,) in conn.execute("SELECT key FROM link_mentions WHERE doc = ?", (doc,)))
        for norm, key in conn.execute("SELECT norm, key FROM link_claims WHERE doc = ?", (doc,)):
            claim_norms.add(norm)
            claim_keys.add(key)
        for table in ("link_docs", "link_mentions", "link_claims", "link_names"):
            conn.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))

    def _put_in(self, doc: str, seq: int, s: Share, touched_keys: set, claim_norms: set, claim_keys: set) -> None:
        conn = self.conn
        words = sorted(s.words)
        conn.execute("INSERT INTO link_docs VALUES (?, ?, ?)", (doc, seq, json.dumps(words, ensure_ascii=False)))
        conn.executemany("INSERT INTO link_words VALUES (?, 1) ON CONFLICT (word) DO UPDATE SET docs = docs + 1",
                         ((w,) for w in words))
        conn.executemany("INSERT INTO link_mentions VALUES (?, ?, ?, ?, ?, ?, ?)",
                         ((key, doc, seq, pos, name, type_, int(proper))
                          for key, (pos, name, type_, proper) in s.mentions.items()))
        touched_keys.update(s.mentions)
        conn.executemany("INSERT INTO link_claims VALUES (?, ?, ?, ?, ?, ?, ?)",
                         ((doc, pos, seq, norm, key, name, type_) for pos, norm, key, name, type_ in s.claims))
        claim_norms.update(c[1] for c in s.claims)
        claim_keys.update(c[2] for c in s.claims)
        conn.executemany("INSERT INTO link_names VALUES (?, ?)", ((n, doc) for n in s.names))

    def _update_keys(self, keys: set) -> set:
        """Recompute the first mention and ``proper`` of ``keys``; returns the keys added, removed or
        whose first name or type changed."""
        conn = self.conn
        changed = set()
        for key in keys:
            first = conn.execute("SELECT seq, pos, name, type FROM link_mentions WHERE key = ? "
                                 "ORDER BY seq, pos LIMIT 1", (key,)).fetchone()
            old = conn.execute("SELECT name, type FROM link_keys WHERE key = ?", (key,)).fetchone()
            if first is None:
                conn.execute("DELETE FROM link_keys WHERE key = ?", (key,))
                changed.add(key)
                continue
            proper = conn.execute("SELECT EXISTS (SELECT 1 FROM link_mentions WHERE key = ? AND proper)",
                                  (key,)).fetchone()[0]
            conn.execute("INSERT OR REPLACE INTO link_keys VALUES (?, ?, ?, ?, ?, ?)", (key, *first, proper))
            if old is None or tuple(old) != tuple(first[2:]):
                changed.add(key)
        return changed

    def _update_alias_table(self, norms: set, keys: set) -> set:
        """Recompute the alias table's entries the changed claims reach; returns the norms whose entry changed."""
        conn = self.conn
        norms = set(norms)
        for chunk in batched(sorted(keys), CHUNK):
            norms.update(n for (n,) in conn.execute(
                f"SELECT DISTINCT norm FROM link_claims WHERE key IN ({_marks(chunk)})", chunk))
        changed = set()
        for norm in norms:
            claimers = [k for (k,) in conn.execute("SELECT DISTINCT key FROM link_claims WHERE norm = ?", (norm,))]
            entry = None
            if len(claimers) == 1:
                name, type_ = conn.execute("SELECT name, type FROM link_claims WHERE key = ? "
                                           "ORDER BY seq DESC, pos DESC LIMIT 1", claimers).fetchone()
                entry = (claimers[0], name, type_)
            old = conn.execute("SELECT key, name, type FROM link_alias WHERE norm = ?", (norm,)).fetchone()
            if (tuple(old) if old else None) != entry:
                changed.add(norm)
                if entry is None:
                    conn.execute("DELETE FROM link_alias WHERE norm = ?", (norm,))
                else:
                    conn.execute("INSERT OR REPLACE INTO link_alias VALUES (?, ?, ?, ?)", (norm, *entry))
        return changed

    def _folded_keys(self, table: dict) -> dict:
        """Every key in the order first seen, folded as :meth:`kg.identity.KeyStats.resolve` folds
        them; each :class:`kg.identity._Key`'s ``docs`` holds the raw keys folded into it."""
        keys = {key: _Key(name, type_, {key}, bool(proper)) for key, name, type_, proper in self.conn.execute(
            "SELECT key, name, type, proper FROM link_keys ORDER BY seq, pos")}
        fold_keys(keys, lambda name, type_: alias_target(name, type_, table))
        return keys

    def _update_folds(self, fold: dict) -> set:
        """Store which raw key folds into which; returns the raw keys whose target changed."""
        new = {raw: into for raw, into in fold.items() if raw != into}
        old = dict(self.conn.execute("SELECT key, into_key FROM link_folds"))
        changed = {k for k in new.keys() | old.keys() if new.get(k) != old.get(k)}
        self.conn.executemany("DELETE FROM link_folds WHERE key = ?", ((k,) for k in changed if k not in new))
        self.conn.executemany("INSERT OR REPLACE INTO link_folds VALUES (?, ?)",
                              ((k, new[k]) for k in changed if k in new))
        return changed | {old[k] for k in changed if k in old} | {new[k] for k in changed if k in new}

    def _lower_words(self, keys: dict) -> set:
        """The words the scope rules ask about (one-word names, entity names) that the corpus writes in lower case."""
        asked = set()
        for k in keys.values():
            name = normalise_name(k.name)
            if " " not in name or k.type != "CONCEPT":
                asked.add(name)
            asked.add(name.split()[0] if name else name)
        found = set()
        for chunk in batched(sorted(asked), CHUNK):
            found.update(w for (w,) in self.conn.execute(
                f"SELECT word FROM link_words WHERE word IN ({_marks(chunk)})", chunk))
        return found

    def _update_set(self, table: str, keys: set) -> set:
        """Make ``table`` hold ``keys``; returns the keys that came or went."""
        old = {k for (k,) in self.conn.execute(f"SELECT key FROM {table}")}
        flips = old ^ keys
        self.conn.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in old - keys))
        self.conn.executemany(f"INSERT INTO {table} VALUES (?)", ((k,) for k in keys - old))
        return flips

    def _docs_of(self, raw_keys: Iterable[str]) -> list[str]:
        return self._docs_by("link_mentions", "key", raw_keys)

    def _docs_by(self, table: str, column: str, values: Iterable[str]) -> list[str]:
        docs: set = set()
        for chunk in batched(sorted(set(values)), CHUNK):
            docs.update(d for (d,) in self.conn.execute(
                f"SELECT DISTINCT doc FROM {table} WHERE {column} IN ({_marks(chunk)})", chunk))
        return sorted(docs)

    def _keys_in(self, docs: Iterable[str]) -> set:
        keys: set = set()
        for chunk in batched(sorted(set(docs)), CHUNK):
            keys.update(k for (k,) in self.conn.execute(
                f"SELECT DISTINCT key FROM link_mentions WHERE doc IN ({_marks(chunk)})", chunk))
        return keys

    def _update_stories(self, concepts: set, dropped: set, keys: dict, fold: dict, per_document: set) -> set:
        """Regroup the stories of descriptive ``concepts`` and drop those of ``dropped`` concepts;
        returns the documents whose story key changed."""
        conn = self.conn
        changed_docs: set = set()
        for key in sorted(concepts | dropped):
            old = dict(conn.execute("SELECT doc, story FROM link_stories WHERE key = ?", (key,)))
            new = {}
            if key in concepts:
                docs = self._docs_of(keys[key].docs)
                if len(docs) > 1:
                    story_keys: dict[str, list[str]] = {}
                    for chunk in batched(docs, CHUNK):
                        for raw, d in conn.execute(
                                f"SELECT key, doc FROM link_mentions WHERE doc IN ({_marks(chunk)})", chunk):
                            into = fold.get(raw, raw)
                            k = keys.get(into)
                            if k is not None and k.type in STORY_TYPES and into not in per_document:
                                story_keys.setdefault(d, []).append(into)
                    new = story_map(key, docs, story_keys)
            if new != old:
                changed_docs.update(d for d in old.keys() | new.keys() if old.get(d) != new.get(d))
                conn.execute("DELETE FROM link_stories WHERE key = ?", (key,))
                conn.executemany("INSERT INTO link_stories VALUES (?, ?, ?)", ((key, d, s) for d, s in new.items()))
        return changed_docs

    def _resolve_again(self, docs: set, gone: list, changed: Mapping, raw_triples: Callable, table: dict,
                       per_document: set) -> dict[str, Optional[list[Triple]]]:
        """Resolve ``docs`` again and store their triples; forget those of ``gone``."""
        conn = self.conn
        out: dict[str, Optional[list[Triple]]] = {d: None for d in gone}
        others = sorted(d for d in docs if changed.get(d) is None)
        raw = dict(raw_triples(others)) if others else {}
        for d in docs:
            if changed.get(d) is not None:
                raw[d] = changed[d][1]
        seqs = dict(self._seqs(sorted(docs)))
        for chunk in batched(sorted(docs), CHUNK):
            stories: dict[str, dict[str, str]] = {}
            for key, d, story in conn.execute(
                    f"SELECT key, doc, story FROM link_stories WHERE doc IN ({_marks(chunk)})", chunk):
                stories.setdefault(key, {})[d] = story
            plan = ScopePlan(per_document, stories)
            for d in chunk:
                resolved = list(resolve_triples(raw.get(d, ()), table, plan))
                out[d] = resolved
                self._store(d, seqs[d], resolved, table)
        for d in gone:
            self._store(d, None, [], table)
        return out

    def _seqs(self, docs: list[str]) -> Iterator[tuple[str, int]]:
        for chunk in batched(docs, CHUNK):
            yield from self.conn.execute(f"SELECT doc, seq FROM link_docs WHERE doc IN ({_marks(chunk)})", chunk)

    def _store(self, doc: str, seq: Optional[int], resolved: list[Triple], table: dict) -> None:
        """Keep a document's resolved triples and the (alias-resolved) keys its resolution looked up."""
        conn = self.conn
        conn.execute("DELETE FROM link_triples WHERE doc = ?", (doc,))
        conn.execute("DELETE FROM link_resolved WHERE doc = ?", (doc,))
        if seq is None:
            return
        conn.executemany("INSERT INTO link_triples VALUES (?, ?, ?, ?)",
                         ((seq, n, doc, triple_line(t)[:-1]) for n, t in enumerate(resolved)))
        looked_up = set()
        for t in resolved:
            for arg in (t.subject, t.object):
                looked_up.add(_unscoped(arg.key))
            if t.speaker is not None:
                looked_up.add(_unscoped(t.speaker.key))
        conn.executemany("INSERT INTO link_resolved VALUES (?, ?)", ((k, doc) for k in looked_up))


def _unscoped(key: str) -> str:
    """A key without the document or story it was scoped to."""
    from ..identity import SCOPE_MARK

    return key.split(SCOPE_MARK, 1)[0]


def _marks(chunk: Sequence) -> str:
    return ",".join("?" * len(chunk))
