"""The cross-document link (:mod:`kg.link`) kept up to date document by document.

:func:`kg.link.resolved` reads a whole corpus twice: once to gather the alias table and the
statistics of every key (:class:`kg.identity.KeyStats`), once to resolve each triple.  Here each
document's share of those statistics (:func:`share`: its lower-case words, the first mention of
each key, its alias claims, the names it uses) is kept in the store, and what the identity rules
decide from them is kept too: the alias table, which keys fold into which, which keys are scoped
to their document, which concepts are descriptive, and their stories.  When documents change
(:meth:`Linker.update`), only their share is taken out and put back; the decisions are computed
again for the keys the change can reach (:meth:`Linker._rescope_keys`; every key in one SQL pass,
:meth:`Linker.rescope`, when it reaches more than :data:`WHOLE_SCOPE`); and only the documents
whose resolution changed are resolved again:

- the documents that changed;
- the documents that name an alias whose entity changed (an alias claimed by a second entity,
  or by none any more);
- the documents that mention a key whose scope changed (a one-word name that became a common
  word of the corpus, a concept that now holds an entity's name …);
- the documents of a descriptive concept whose stories were regrouped.

The rules are the corpus pass's: :func:`kg.identity.fold_keys` and :func:`~kg.identity.story_map`
are called as they are; :func:`~kg.identity.named_scope` and :func:`~kg.identity.concept_scope` are
written again as SQL over one row per key, so that a change reads only the rows it reaches
(``tests/test_local_linker.py`` checks both against the corpus pass at every step of random
changes).  A document's triples are resolved on demand
(:meth:`Linker.resolver`) with :func:`kg.link.resolve_triples`: the result is what
:func:`kg.link.resolved` gives for the same documents in the same order, cross-document records
left out (:func:`kg.link.with_cross_document_records` adds them to the stream).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Optional, Sequence

from ..files import batched
from ..extractor.acronyms import is_alias_text
from ..identity import (SCOPABLE_NAMED_TYPES, STORY_TYPES, ScopePlan, _Key, _LOWER_WORD, content_words, fold_keys,
                        has_proper_word, name_runs, opens_sentence, scoped_key, story_map)
from ..link import alias_target, resolve_triples
from ..records import Triple, normalise_name
from .db import has_row, schema

SCHEMA = schema("""
CREATE TABLE IF NOT EXISTS link_docs (doc TEXT PRIMARY KEY, seq INTEGER NOT NULL, words TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_words (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_mentions (key TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
    pos INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, proper INTEGER NOT NULL,
    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_mentions_doc ON link_mentions (doc);
CREATE INDEX IF NOT EXISTS link_mentions_first ON link_mentions (key, seq, pos);
CREATE INDEX IF NOT EXISTS link_mentions_proper ON link_mentions (key) WHERE proper;
CREATE TABLE IF NOT EXISTS link_keys (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, pos INTEGER NOT NULL,
    name TEXT NOT NULL, type TEXT NOT NULL, proper INTEGER NOT NULL, norm TEXT NOT NULL, nwords INTEGER NOT NULL,
    first_word TEXT NOT NULL, last_word TEXT NOT NULL, content INTEGER NOT NULL, alias_ok INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_keys_norm ON link_keys (norm);
CREATE TABLE IF NOT EXISTS link_runs (run TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (run, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_runs_key ON link_runs (key);
CREATE TABLE IF NOT EXISTS link_claims (doc TEXT NOT NULL, pos INTEGER NOT NULL, seq INTEGER NOT NULL,
    norm TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (doc, pos)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_claims_norm ON link_claims (norm, key);
CREATE INDEX IF NOT EXISTS link_claims_key ON link_claims (key, seq, pos);
CREATE TABLE IF NOT EXISTS link_names (norm TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (norm, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_names_doc ON link_names (doc);
CREATE TABLE IF NOT EXISTS link_alias (norm TEXT PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL,
    type TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_alias_key ON link_alias (key);
CREATE TABLE IF NOT EXISTS link_folds (key TEXT PRIMARY KEY, into_key TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_folds_into ON link_folds (into_key);
CREATE TABLE IF NOT EXISTS link_fresh (key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
    norm TEXT NOT NULL, nwords INTEGER NOT NULL, first_word TEXT NOT NULL, last_word TEXT NOT NULL,
    content INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_keys_first ON link_keys (first_word) WHERE type = 'PERSON' AND nwords > 1;
CREATE INDEX IF NOT EXISTS link_keys_last ON link_keys (last_word) WHERE type = 'PERSON' AND nwords > 1;
CREATE TABLE IF NOT EXISTS link_name_set (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_scoped (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_descriptive (key TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS link_stories (key TEXT NOT NULL, doc TEXT NOT NULL, story TEXT NOT NULL,
    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_stories_doc ON link_stories (doc);
CREATE TABLE IF NOT EXISTS link_resolved (key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS link_resolved_doc ON link_resolved (doc);
""")

#: The keys the identity rules see after folding (:func:`kg.identity.fold_keys`): every key not
#: folded into another, and the entities a fold created.
_FOLDED = """fk AS (
    SELECT key, type, proper, norm, nwords, first_word, last_word, content FROM link_keys
    WHERE key NOT IN (SELECT key FROM link_folds)
    UNION ALL SELECT key, type, 0, norm, nwords, first_word, last_word, content FROM link_fresh)"""
#: :func:`kg.identity.named_scope` and :func:`kg.identity.concept_scope` over every key, in SQL:
#: ``plain`` holds the concepts that name nothing, with their number of content words.
_SCOPE = f"""WITH {_FOLDED},
parts AS (SELECT first_word AS w FROM fk WHERE type = 'PERSON' AND nwords > 1
          UNION SELECT last_word FROM fk WHERE type = 'PERSON' AND nwords > 1),
named AS (SELECT key FROM fk WHERE type IN ({",".join(repr(t) for t in sorted(SCOPABLE_NAMED_TYPES))})
          AND nwords = 1 AND (norm IN (SELECT word FROM link_words) OR norm IN (SELECT w FROM parts))),
names AS (SELECT DISTINCT norm FROM fk WHERE type <> 'CONCEPT' AND key NOT IN (SELECT key FROM named)
          AND norm NOT IN (SELECT word FROM link_words)),
plain AS (SELECT key, content FROM fk WHERE type = 'CONCEPT' AND NOT proper
          AND key NOT IN (SELECT r.key FROM link_runs r JOIN names n ON r.run = n.norm))"""
_NEW_SCOPED = _SCOPE + " SELECT key FROM named UNION SELECT key FROM plain WHERE content <= 1"
_NEW_DESCRIPTIVE = _SCOPE + " SELECT key FROM plain WHERE content > 1"
_NEW_NAMES = _SCOPE + " SELECT norm FROM names"
#: The columns of one key of ``fk`` (see :data:`_FOLDED`), looked up by key.
_FOLDED_ROW = """SELECT type, proper, norm, nwords, first_word, last_word, content FROM link_keys
    WHERE key = ?1 AND NOT EXISTS (SELECT 1 FROM link_folds WHERE key = ?1)
    UNION ALL SELECT type, 0, norm, nwords, first_word, last_word, content FROM link_fresh WHERE key = ?1"""
#: Keys reached by a change beyond which every key's scope is computed again (one pass in SQL).
WHOLE_SCOPE = 5000

#: Documents resolved at once beyond which the alias table and the scoped keys are read whole.
MANY = 2000
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
    (['backs', 'plan', 'the'], ['concept:plan', 'org:ldp'], ['ldp', 'the plan'])
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
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS link_new (key TEXT PRIMARY KEY) WITHOUT ROWID")

    # -- resolving

    def resolver(self, *, many: bool = False) -> Callable[[Sequence[Triple]], list[Triple]]:
        """A function that resolves one document's raw triples with the link state as it stands
        (:func:`kg.link.resolve_triples`: aliases, then scopes; no cross-document records).  With
        ``many`` (for a large share of the build) the alias table and the scoped keys are read
        whole first instead of entry by entry."""
        conn = self.conn
        if many:
            table = {norm: (key, name, type_) for norm, key, name, type_ in conn.execute("SELECT * FROM link_alias")}
            scoped = {k for (k,) in conn.execute("SELECT key FROM link_scoped")}
        else:
            table, scoped = _StoredAliases(conn), _StoredSet(conn, "link_scoped")

        def resolve(triples: Sequence[Triple]) -> list[Triple]:
            if not triples:
                return []
            doc = triples[0].doc_id
            stories = {key: {doc: story} for key, story in conn.execute(
                "SELECT key, story FROM link_stories WHERE doc = ?", (doc,))}
            return list(resolve_triples(triples, table, ScopePlan(scoped, stories)))

        return resolve

    # -- changing

    def update(self, changed: Mapping[str, Optional[tuple[int, Sequence[Triple]]]],
               raw_triples: Callable[[list[str]], Mapping[str, Sequence[Triple]]]) -> dict[str, Optional[list[Triple]]]:
        """Take the documents of ``changed`` (doc id → ``(position in build order, raw triples)``, or
        None for a document gone) into the link state; return the resolved triples of every
        document whose resolution changed (None for those gone).  ``raw_triples(ids)`` gives the
        raw triples of other documents that must be resolved again."""
        touched_keys: set[str] = set()
        claim_norms: set[str] = set()
        claim_keys: set[str] = set()
        self._word_delta: dict[str, int] = {}
        moved_keys: set[str] = set()   # keys a document started or stopped mentioning
        gone_keys: dict[str, set] = {}  # the keys each document forgotten mentioned
        kept_moved: set[str] = set()    # keys a document still held started or stopped mentioning
        rekeyed_docs: set[str] = set()  # documents whose keys are not those they had
        for doc, new in changed.items():
            old_keys = self._take_out(doc, touched_keys, claim_norms, claim_keys)
            new_keys = set()
            if new is not None:
                part = share(new[1])
                new_keys = set(part.mentions)
                self._put_in(doc, new[0], part, touched_keys, claim_norms, claim_keys)
            if old_keys != new_keys:
                rekeyed_docs.add(doc)
                moved_keys |= old_keys ^ new_keys
            if new is None:
                gone_keys[doc] = old_keys
            else:
                kept_moved |= old_keys ^ new_keys
        old_names: dict[str, tuple[str, str]] = {}
        renamed = self._update_keys(touched_keys, old_names)
        changed_norms, alias_keys = self._update_alias_table(claim_norms, claim_keys)
        named_so = {k for chunk in batched(sorted(changed_norms), CHUNK) for (k,) in self.conn.execute(
            f"SELECT key FROM link_keys WHERE norm IN ({_marks(chunk)})", chunk)}
        fold_changed = self._update_folds(touched_keys | renamed | alias_keys | named_so)
        reached = touched_keys | renamed | fold_changed
        if len(reached) > WHOLE_SCOPE:
            scope_flips, descriptive_flips = self.rescope()
        else:
            scope_flips, descriptive_flips = self._rescope_keys(reached, old_names, self._flipped_words())

        # stories: the descriptive concepts whose documents, or whose documents' named keys, changed
        # (a document edited without changing what it mentions changes no story)
        reach = scope_flips | fold_changed | renamed
        story_docs = rekeyed_docs | set(self._docs_by("link_mentions", "key", self._members(reach)))
        others = self._folded(kept_moved | fold_changed | self._keys_in(story_docs)) | descriptive_flips
        left = {}  # concept -> the forgotten documents that mentioned it, when that is all that changed for it
        for doc, keys in gone_keys.items():
            for c in self._folded(keys) - others:
                left.setdefault(c, set()).add(doc)
        story_changes = self._update_stories(others | set(left), left, gone_keys)

        affected = {d for d, new in changed.items() if new is not None}
        affected |= set(self._docs_by("link_names", "norm", changed_norms))
        affected |= set(self._docs_by("link_resolved", "key", scope_flips))
        affected |= story_changes
        gone = [d for d, new in changed.items() if new is None]
        return self._resolve_again(sorted(affected - set(gone)), gone, changed, raw_triples)

    def _take_out(self, doc: str, touched_keys: set, claim_norms: set, claim_keys: set) -> set:
        """Take a document's share out; returns the keys it mentioned."""
        conn = self.conn
        row = conn.execute("SELECT words FROM link_docs WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            return set()
        words = json.loads(row[0])
        for w in words:
            self._word_delta[w] = self._word_delta.get(w, 0) - 1
        conn.executemany("UPDATE link_words SET docs = docs - 1 WHERE word = ?", ((w,) for w in words))
        conn.executemany("DELETE FROM link_words WHERE word = ? AND docs <= 0", ((w,) for w in words))
        keys = {k for (k,) in conn.execute("SELECT key FROM link_mentions WHERE doc = ?", (doc,))}
        touched_keys |= keys
        for norm, key in conn.execute("SELECT norm, key FROM link_claims WHERE doc = ?", (doc,)):
            claim_norms.add(norm)
            claim_keys.add(key)
        for table in ("link_docs", "link_mentions", "link_claims", "link_names"):
            conn.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))
        return keys

    def _put_in(self, doc: str, seq: int, s: Share, touched_keys: set, claim_norms: set, claim_keys: set) -> None:
        conn = self.conn
        words = sorted(s.words)
        for w in words:
            self._word_delta[w] = self._word_delta.get(w, 0) + 1
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

    def _update_keys(self, keys: set, old_names: dict) -> set:
        """Recompute the first mention and ``proper`` of ``keys``; returns the keys added, removed or
        whose first name or type changed (``old_names`` gets the name and type each had before)."""
        conn = self.conn
        self._fill_new(keys)
        old = {k: (name, type_) for k, name, type_ in conn.execute(
            "SELECT key, name, type FROM link_keys WHERE key IN (SELECT key FROM temp.link_new)")}
        old_names.update(old)
        rows = []
        for key in keys:
            first = conn.execute("SELECT seq, pos, name, type FROM link_mentions WHERE key = ? ORDER BY seq, pos LIMIT 1",
                                 (key,)).fetchone()
            if first is not None:
                proper = int(conn.execute("SELECT 1 FROM link_mentions INDEXED BY link_mentions_proper "
                                          "WHERE key = ? AND proper LIMIT 1", (key,)).fetchone() is not None)
                rows.append((key, *first, proper))
        changed = set(old) - {r[0] for r in rows}
        conn.executemany("DELETE FROM link_keys WHERE key = ?", ((k,) for k in changed))
        conn.executemany("DELETE FROM link_runs WHERE key = ?", ((k,) for k in changed))
        for key, seq, pos, name, type_, proper in rows:
            conn.execute("INSERT OR REPLACE INTO link_keys VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (key, seq, pos, name, type_, proper, *_name_columns(name),
                          int(type_ != "CONCEPT" or is_alias_text(name.strip()))))
            if old.get(key) != (name, type_):
                changed.add(key)
                conn.execute("DELETE FROM link_runs WHERE key = ?", (key,))
                if type_ == "CONCEPT":
                    conn.executemany("INSERT INTO link_runs VALUES (?, ?)", ((r, key) for r in name_runs(name)))
        return changed

    def _fill_new(self, keys: Iterable[str]) -> None:
        self.conn.execute("DELETE FROM temp.link_new")
        self.conn.executemany("INSERT OR IGNORE INTO temp.link_new VALUES (?)", ((k,) for k in keys))

    def _update_alias_table(self, norms: set, keys: set) -> tuple[set, set]:
        """Recompute the alias table's entries the changed claims reach; returns the norms whose entry
        changed, and the entities those entries named before or name now."""
        conn = self.conn
        norms = set(norms)
        for key in keys:  # an entity whose last claim changed renames every entry that names it
            last = conn.execute("SELECT name, type FROM link_claims WHERE key = ? ORDER BY seq DESC, pos DESC LIMIT 1",
                                (key,)).fetchone()
            norms.update(n for n, name, type_ in conn.execute(
                "SELECT norm, name, type FROM link_alias WHERE key = ?", (key,)) if (name, type_) != tuple(last or ()))
        changed, named = set(), set()
        for norm in norms:
            first, last = conn.execute("SELECT MIN(key), MAX(key) FROM link_claims WHERE norm = ?", (norm,)).fetchone()
            claimers = [first] if first is not None and first == last else []  # one entity claims it, or none or several
            entry = None
            if len(claimers) == 1:
                name, type_ = conn.execute("SELECT name, type FROM link_claims WHERE key = ? "
                                           "ORDER BY seq DESC, pos DESC LIMIT 1", claimers).fetchone()
                entry = (claimers[0], name, type_)
            old = conn.execute("SELECT key, name, type FROM link_alias WHERE norm = ?", (norm,)).fetchone()
            if (tuple(old) if old else None) != entry:
                changed.add(norm)
                named.update(e[0] for e in (old, entry) if e)
                if entry is None:
                    conn.execute("DELETE FROM link_alias WHERE norm = ?", (norm,))
                else:
                    conn.execute("INSERT OR REPLACE INTO link_alias VALUES (?, ?, ?, ?)", (norm, *entry))
        return changed, named

    def _update_folds(self, seeds: set) -> set:
        """Fold, as :func:`kg.identity.fold_keys` folds every key, the keys linked to ``seeds`` through
        the alias table (a key whose name is an alias, the entity it names, keys folded into either);
        keys linked to no seed keep the fold they have.  Returns the keys whose fold changed (folded
        ones and their old and new targets)."""
        conn = self.conn
        group = self._fold_group(seeds)
        rows = []
        for chunk in batched(sorted(group), CHUNK):
            rows += conn.execute(f"SELECT key, seq, pos, name, type, proper FROM link_keys WHERE key IN ({_marks(chunk)})",
                                 chunk).fetchall()
        rows.sort(key=lambda r: (r[1], r[2]))
        keys = {key: _Key(name, type_, {key}, bool(proper)) for key, _, _, name, type_, proper in rows}
        known = set(keys)
        fold_keys(keys, lambda name, type_: alias_target(name, type_, _StoredAliases(conn)))
        new = {raw: into for into, k in keys.items() for raw in k.docs if raw != into}
        fresh = {key: k for key, k in keys.items() if key not in known or key in new}
        old, old_fresh = {}, {}
        for chunk in batched(sorted(group), CHUNK):
            old.update(conn.execute(f"SELECT key, into_key FROM link_folds WHERE key IN ({_marks(chunk)})", chunk))
            old_fresh.update((key, (name, type_)) for key, name, type_ in conn.execute(
                f"SELECT key, name, type FROM link_fresh WHERE key IN ({_marks(chunk)})", chunk))
        changed = {k for k in new.keys() | old.keys() if new.get(k) != old.get(k)}
        conn.executemany("DELETE FROM link_folds WHERE key = ?", ((k,) for k in changed if k not in new))
        conn.executemany("INSERT OR REPLACE INTO link_folds VALUES (?, ?)", ((k, new[k]) for k in changed if k in new))
        new_fresh = {key: (k.name, k.type) for key, k in fresh.items()}
        if old_fresh != new_fresh:
            changed |= old_fresh.keys() ^ new_fresh.keys() | {k for k in new_fresh if old_fresh.get(k) != new_fresh[k]}
            conn.executemany("DELETE FROM link_fresh WHERE key = ?", ((k,) for k in old_fresh))
            conn.executemany("INSERT INTO link_fresh VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             ((key, name, type_, *_name_columns(name)) for key, (name, type_) in new_fresh.items()))
        return changed | {old[k] for k in changed if k in old} | {new[k] for k in changed if k in new}

    def _fold_group(self, seeds: set) -> set:
        """``seeds`` and every key linked to them, step by step, through the alias table and the folds kept."""
        conn = self.conn
        group, todo = set(), set(seeds)
        while todo:
            k = todo.pop()
            if k in group:
                continue
            group.add(k)
            linked = [r[0] for r in conn.execute("""
                SELECT a.key FROM link_keys k JOIN link_alias a ON a.norm = k.norm WHERE k.key = ?1 AND k.alias_ok
                UNION SELECT k.key FROM link_alias a CROSS JOIN link_keys k ON k.norm = a.norm
                    WHERE a.key = ?1 AND k.alias_ok
                UNION SELECT into_key FROM link_folds WHERE key = ?1
                UNION SELECT key FROM link_folds WHERE into_key = ?1""", (k,))]
            todo.update(x for x in linked if x not in group)
        return group

    def _flipped_words(self) -> set:
        """The words whose use in lower case the change started or ended."""
        out = set()
        for w, delta in self._word_delta.items():
            if delta:
                row = self.conn.execute("SELECT docs FROM link_words WHERE word = ?", (w,)).fetchone()
                now = row[0] if row else 0
                if (now > 0) != (now - delta > 0):
                    out.add(w)
        return out

    def rescope(self) -> tuple[set, set]:
        """Compute the scope of every key again (one pass in SQL); returns the keys whose scope
        changed and the concepts that became or stopped being descriptive."""
        self._update_set("link_name_set", _NEW_NAMES)
        return self._update_set("link_scoped", _NEW_SCOPED), self._update_set("link_descriptive", _NEW_DESCRIPTIVE)

    def _rescope_keys(self, keys: set, old_names: dict, words: set) -> tuple[set, set]:
        """Compute the scope of the keys a change can reach again, as :meth:`rescope` would: the keys
        it touched, one-word names that became or stopped being a common word or part of a person's
        name, and concepts holding a name that became or stopped being an entity's name."""
        conn = self.conn
        row = lambda k: conn.execute(_FOLDED_ROW, (k,)).fetchone()  # noqa: E731
        probe = set(words)
        for k in keys:
            r = row(k)
            if r is not None and r[0] == "PERSON" and r[3] > 1:
                probe.update((r[4], r[5]))
        for name, type_ in old_names.values():
            w = normalise_name(name).split()
            if type_ == "PERSON" and len(w) > 1:
                probe.update((w[0], w[-1]))
        named_keys = set(keys)
        for w in probe:
            named_keys.update(k for (k,) in conn.execute(
                "SELECT key FROM link_keys WHERE norm = ? AND nwords = 1 "
                "UNION SELECT key FROM link_fresh WHERE norm = ? AND nwords = 1", (w, w)))
        named = {k for k in named_keys if self._named(row(k))}
        # the entity names the change can reach, and whether each is one now
        norms = set(words) | {normalise_name(name) for name, _ in old_names.values()}
        norms.update(r[2] for r in map(row, named_keys) if r is not None)
        for k in keys:  # a key folded away or gone names nothing any more
            norms.add(k.split(":", 1)[-1])
            norms.update(n for (n,) in conn.execute(
                "SELECT norm FROM link_keys WHERE key = ?1 UNION SELECT norm FROM link_fresh WHERE key = ?1", (k,)))
        scoped = _StoredSet(conn, "link_scoped")
        name_flips = set()
        for n in norms:
            is_name = not has_row(conn, "link_words", "word", n) and any(
                type_ != "CONCEPT" and not (k in named if k in named_keys else k in scoped)
                for k, type_ in conn.execute(
                    "SELECT k.key, k.type FROM link_keys k WHERE k.norm = ?1 "
                    "AND NOT EXISTS (SELECT 1 FROM link_folds f WHERE f.key = k.key) "
                    "UNION ALL SELECT key, type FROM link_fresh WHERE norm = ?1", (n,)))
            if is_name != has_row(conn, "link_name_set", "key", n):
                name_flips.add(n)
                conn.execute("INSERT INTO link_name_set VALUES (?)" if is_name else
                             "DELETE FROM link_name_set WHERE key = ?", (n,))
        concepts = set(named_keys)
        for n in name_flips:
            concepts.update(k for (k,) in conn.execute("SELECT key FROM link_runs WHERE run = ?", (n,)))
        new_scoped, new_descriptive = set(named), set()
        for k in concepts:
            r = row(k)
            if r is None or r[0] != "CONCEPT" or r[1] or conn.execute(
                    "SELECT 1 FROM link_runs r JOIN link_name_set n ON n.key = r.run WHERE r.key = ? LIMIT 1",
                    (k,)).fetchone():
                continue
            (new_scoped if r[6] <= 1 else new_descriptive).add(k)
        return (self._update_members("link_scoped", concepts, new_scoped),
                self._update_members("link_descriptive", concepts, new_descriptive))

    def _named(self, r) -> bool:
        """True when a key (its ``fk`` row) is a one-word name scoped to its document."""
        if r is None or r[0] not in SCOPABLE_NAMED_TYPES or r[3] != 1:
            return False
        w = r[2]
        return has_row(self.conn, "link_words", "word", w) or self.conn.execute(
            """SELECT 1 FROM link_keys k WHERE k.type = 'PERSON' AND k.nwords > 1 AND (k.first_word = ?1 OR k.last_word = ?1)
               AND NOT EXISTS (SELECT 1 FROM link_folds f WHERE f.key = k.key)
               UNION ALL SELECT 1 FROM link_fresh WHERE type = 'PERSON' AND nwords > 1
               AND (first_word = ?1 OR last_word = ?1) LIMIT 1""", (w,)).fetchone() is not None

    def _update_members(self, table: str, keys: set, members: set) -> set:
        """Make ``table`` hold, among ``keys``, exactly ``members``; returns the keys that came or went."""
        flips = {k for k in keys if (k in members) != has_row(self.conn, table, "key", k)}
        self.conn.executemany(f"INSERT INTO {table} VALUES (?)", ((k,) for k in flips if k in members))
        self.conn.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in flips if k not in members))
        return flips

    def _update_set(self, table: str, query: str) -> set:
        """Make ``table`` hold the keys ``query`` selects; returns the keys that came or went."""
        conn = self.conn
        conn.execute("DELETE FROM temp.link_new")
        conn.execute(f"INSERT INTO temp.link_new {query}")
        came = [k for (k,) in conn.execute(f"SELECT key FROM temp.link_new EXCEPT SELECT key FROM {table}")]
        went = [k for (k,) in conn.execute(f"SELECT key FROM {table} EXCEPT SELECT key FROM temp.link_new")]
        conn.executemany(f"DELETE FROM {table} WHERE key = ?", ((k,) for k in went))
        conn.executemany(f"INSERT INTO {table} VALUES (?)", ((k,) for k in came))
        return set(came) | set(went)

    def _folded(self, raw_keys: set) -> set:
        """The keys ``raw_keys`` count as after folding."""
        fold = {}
        for chunk in batched(sorted(raw_keys), CHUNK):
            fold.update(self.conn.execute(f"SELECT key, into_key FROM link_folds WHERE key IN ({_marks(chunk)})", chunk))
        return {fold.get(k, k) for k in raw_keys}

    def _members(self, keys: set) -> set:
        """The raw keys whose mentions count for ``keys`` (themselves and the keys folded into them)."""
        members = set(keys)
        for chunk in batched(sorted(keys), CHUNK):
            members.update(k for (k,) in self.conn.execute(
                f"SELECT key FROM link_folds WHERE into_key IN ({_marks(chunk)})", chunk))
        return members

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

    def _update_stories(self, concepts: set, left: Optional[dict] = None, gone_keys: Optional[dict] = None) -> set:
        """Regroup the stories of ``concepts`` (those no longer descriptive lose theirs); returns the
        documents whose story key changed.  A concept of ``left`` only lost the forgotten documents
        given: when each of them leaves the named keys it linked connected through other documents,
        its stories are the old ones without them (:meth:`_stories_without`), else it is regrouped."""
        conn = self.conn
        descriptive = _StoredSet(conn, "link_descriptive")
        changed_docs: set = set()
        for key in sorted(concepts):
            old = dict(conn.execute("SELECT doc, story FROM link_stories WHERE key = ?", (key,)))
            new = {}
            if key in descriptive:
                kept = None
                if left and key in left:
                    kept = self._stories_without(key, old, left[key], gone_keys)
                if kept is not None:
                    new = kept
                else:
                    docs = self._docs_by("link_mentions", "key", self._members({key}))
                    if len(docs) > 1:
                        new = story_map(key, docs, self._story_keys(docs))
            moved = [d for d in old.keys() | new.keys() if old.get(d) != new.get(d)]
            changed_docs.update(moved)
            conn.executemany("DELETE FROM link_stories WHERE key = ? AND doc = ?", ((key, d) for d in moved))
            conn.executemany("INSERT INTO link_stories VALUES (?, ?, ?)", ((key, d, new[d]) for d in moved if d in new))
        return changed_docs

    def _stories_without(self, concept: str, old: dict, gone: set, gone_keys: dict) -> Optional[dict]:
        """The stories of ``concept`` once the documents ``gone`` left it, from the ``old`` ones, when
        no story splits: each document's named keys that other documents of the concept share still
        meet in one of them (else None: the concept is to be regrouped).  A story named after a
        document gone takes the name of its first document left."""
        conn = self.conn
        members = sorted(self._members({concept}))
        for doc in gone:
            linked = sorted(self._named_keys_of(gone_keys[doc]))
            shared = [k for k in linked if self._meet(members, [k])]
            if any(not self._meet(members, [shared[0], k]) for k in shared[1:]):
                return None
        groups: dict[str, list] = {}
        for d, story in old.items():
            if d not in gone:
                groups.setdefault(story, []).append(d)
        if len(groups) <= 1:
            return {}
        named = {story: scoped_key(concept, min(docs)) for story, docs in groups.items()}
        return {d: named[story] for story, docs in groups.items() for d in docs}

    def _named_keys_of(self, raw_keys: set) -> set:
        """The (folded) keys of a story type, not scoped to a document, that ``raw_keys`` count as."""
        types = ",".join(repr(t) for t in sorted(STORY_TYPES))
        out = set()
        for chunk in batched(sorted(raw_keys), CHUNK):
            out.update(k for (k,) in self.conn.execute(f"""
                WITH {_FOLDED}, m AS (SELECT DISTINCT COALESCE(f.into_key, x.key) AS key FROM temp_keys x
                    LEFT JOIN link_folds f ON f.key = x.key)
                SELECT m.key FROM m JOIN fk ON fk.key = m.key
                WHERE fk.type IN ({types}) AND m.key NOT IN (SELECT key FROM link_scoped)""".replace(
                    "temp_keys x", f"(SELECT value AS key FROM json_each(?)) x"), (json.dumps(chunk),)))
        return out

    def _meet(self, concept_members: list, keys: list) -> bool:
        """True when some document mentions the concept and every one of the (folded) ``keys``."""
        conn = self.conn
        query = "SELECT m.doc FROM link_mentions m WHERE m.key IN (SELECT value FROM json_each(?))"
        args = [json.dumps(concept_members)]
        for k in keys:
            query += (" AND EXISTS (SELECT 1 FROM link_mentions x WHERE x.doc = m.doc AND x.key IN "
                      "(SELECT value FROM json_each(?)))")
            args.append(json.dumps(sorted(self._members({k}))))
        return conn.execute(query + " LIMIT 1", args).fetchone() is not None

    def _story_keys(self, docs: list[str]) -> dict[str, list[str]]:
        """Document → its (folded) keys of a story type that are not scoped to a document."""
        story_keys: dict[str, list[str]] = {}
        types = ",".join(repr(t) for t in sorted(STORY_TYPES))
        for chunk in batched(docs, CHUNK):
            for d, key in self.conn.execute(f"""
                    WITH {_FOLDED}, m AS (
                        SELECT DISTINCT x.doc, COALESCE(f.into_key, x.key) AS key FROM link_mentions x
                        LEFT JOIN link_folds f ON f.key = x.key WHERE x.doc IN ({_marks(chunk)}))
                    SELECT m.doc, m.key FROM m JOIN fk ON fk.key = m.key
                    WHERE fk.type IN ({types}) AND m.key NOT IN (SELECT key FROM link_scoped)""", chunk):
                story_keys.setdefault(d, []).append(key)
        return story_keys

    def _resolve_again(self, docs: list[str], gone: list, changed: Mapping,
                       raw_triples: Callable) -> dict[str, Optional[list[Triple]]]:
        """Resolve ``docs`` again and note the keys each looked up; forget those of ``gone``."""
        out: dict[str, Optional[list[Triple]]] = {d: None for d in gone}
        others = [d for d in docs if changed.get(d) is None]
        raw = dict(raw_triples(others)) if others else {}
        resolve = self.resolver(many=len(docs) > MANY)
        for d in docs:
            triples = changed[d][1] if changed.get(d) is not None else raw.get(d, ())
            out[d] = resolved = resolve(triples)
            self._note_keys(d, resolved)
        for d in gone:
            self._note_keys(d, [])
        return out

    def _note_keys(self, doc: str, resolved: list[Triple]) -> None:
        """Keep the (alias-resolved) keys a document's resolution looked up in the scope plan."""
        looked_up = set()
        for t in resolved:
            for arg in (t.subject, t.object):
                looked_up.add(_unscoped(arg.key))
            if t.speaker is not None:
                looked_up.add(_unscoped(t.speaker.key))
        self.conn.execute("DELETE FROM link_resolved WHERE doc = ?", (doc,))
        self.conn.executemany("INSERT INTO link_resolved VALUES (?, ?)", ((k, doc) for k in looked_up))


class _StoredSet:
    """Membership in a table of keys, looked up one key at a time (and remembered)."""

    def __init__(self, conn: sqlite3.Connection, table: str):
        self.conn, self.table, self.known = conn, table, {}

    def __contains__(self, key) -> bool:
        hit = self.known.get(key)
        if hit is None:
            hit = self.known[key] = has_row(self.conn, self.table, "key", key)
        return hit


class _StoredAliases:
    """The alias table (:func:`kg.link.alias_table`'s mapping) read entry by entry from ``link_alias``."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.known = conn, {}

    def get(self, norm: str, default=None):
        if norm not in self.known:
            row = self.conn.execute("SELECT key, name, type FROM link_alias WHERE norm = ?", (norm,)).fetchone()
            self.known[norm] = tuple(row) if row else None
        hit = self.known[norm]
        return default if hit is None else hit

    def __contains__(self, norm: str) -> bool:
        return self.get(norm) is not None

    def __getitem__(self, norm: str):
        hit = self.get(norm)
        if hit is None:
            raise KeyError(norm)
        return hit


def _name_columns(name: str) -> tuple[str, int, str, str, int]:
    """``norm, nwords, first_word, last_word, content`` of a key's name (what the scope rules read)."""
    norm = normalise_name(name)
    words = norm.split()
    return norm, len(words), words[0] if words else "", words[-1] if words else "", len(content_words(name))


def _unscoped(key: str) -> str:
    """A key without the document or story it was scoped to."""
    from ..identity import SCOPE_MARK

    return key.split(SCOPE_MARK, 1)[0]


def _marks(chunk: Sequence) -> str:
    return ",".join("?" * len(chunk))
