"""Sharded, resumable extraction output (``kg extract --shards DIR``): one resumable file per input partition.

The input stream is cut into fixed-size partitions in input order (:func:`partitions`).
Partition N is written to ``DIR/part-0000N.jsonl`` with its ledger
``DIR/part-0000N.jsonl.done``: a :class:`kg.run.sink.ResumableSink`, the same output
``kg extract --resume`` keeps, committed document by document and recovered by the
same rule.  The whole directory is held by one lock (``DIR/.lock``,
:func:`kg.run.sink.locked`): one run at a time writes it.  ``DIR/manifest.json`` names
the model, extraction options and partition size the shards are made with; when
they change, every shard is extracted again.

A shard's lines are its partition's triple records in input order (document by
document, each document's triples in the order extraction gave them).  A re-run goes
on in each shard after the entries its ledger holds, as long as they record the
partition's first items (same ids, content and origin, in the same order); a shard
whose ledger strays from its partition is cut back to where they agree.  So a killed
run loses at most the documents in flight, and :func:`merge_shards`, which concatenates
the shards in partition order, gives the records in input order, byte-identical
whichever engine and however many workers produced them, and to a run without shards.

>>> docs = [Document(f"d{i}", "Japan thanked Chile.") for i in range(5)]
>>> [(p.name, len(p.items)) for p in partitions(docs, size=2)]
[('part-00000.jsonl', 2), ('part-00001.jsonl', 2), ('part-00002.jsonl', 1)]
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from ..errors import UserError
from ..extractor import ExtractOptions
from ..files import batched, write_atomic
from ..records import Document, Rejection
from .sink import ResumableSink, locked, records
from .stats import PART_COUNTS, RunStats

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LOCK = ".lock"
#: 3: one resumable file and ledger per shard (version 2 kept one manifest entry per shard).
MANIFEST_VERSION = 3
#: The ending of a shard's ledger (after the shard's file name), as ``kg extract --resume`` names its own.
LEDGER = ".done"
#: Documents (and read rejections) per partition unless told otherwise.
PARTITION_DOCS = 500

Item = Union[Document, Rejection]


# ------------------------------------------------------------ partitions

@dataclass
class Partition:
    """A run of consecutive input items and the hash of their content."""

    index: int
    items: list
    digest: str

    @property
    def name(self) -> str:
        """The shard file name of this partition."""
        return shard_name(self.index)


def shard_name(index: int) -> str:
    """File name of shard ``index``.

    >>> shard_name(7)
    'part-00007.jsonl'
    """
    return f"part-{index:05d}.jsonl"


def item_fingerprint(item: Item) -> bytes:
    """Bytes that identify an input item's content (a document's id, text and metadata, or a rejection)."""
    if isinstance(item, Document):
        fields = ["doc", item.id, item.text, item.title, item.date, item.url, item.source]
    else:
        fields = ["rejected", item.origin, item.reason, item.doc_id]
    return json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"


def digest_items(items: Iterable[Item]) -> str:
    """SHA-256 over the fingerprints of ``items`` in order (a Dask task's key tells partitions apart by it)."""
    h = hashlib.sha256()
    for item in items:
        h.update(item_fingerprint(item))
    return h.hexdigest()


def partitions(items: Iterable[Item], *, size: int = PARTITION_DOCS) -> Iterator[Partition]:
    """Cut the stream into partitions of ``size`` items in input order, lazily."""
    if size < 1:
        raise ValueError("partition size must be at least 1")
    for index, batch in enumerate(batched(items, size)):
        yield Partition(index, batch, digest_items(batch))


def settings_digest(model: str, options: ExtractOptions) -> dict:
    """What besides the input decides a shard's content: the model and the extraction options."""
    return {"model": model, "keep_unresolved": options.keep_unresolved, "min_confidence": options.min_confidence,
            "aliases": options.aliases, "rules": [getattr(r, "__name__", repr(r)) for r in options.rules]}


# ------------------------------------------------------------ resuming a shard

def resumed_items(entries: list, items: list) -> int:
    """How many of ``items`` (a partition's, in order) the ledger ``entries`` record as its first entries."""
    n = 0
    for entry, item in zip(entries, items):
        if not records(entry, item):
            break
        n += 1
    return n


def ledger_counts(entries: Iterable[dict]) -> dict:
    """The counts (:data:`kg.run.stats.PART_COUNTS`) and rejections of the items ledger ``entries`` record."""
    counts = dict.fromkeys(PART_COUNTS, 0)
    rejections = []
    for e in entries:
        counts["read"] += 1
        if e.get("status") == "processed":
            counts["processed"] += 1
            counts["sentences"] += e.get("sentences", 0)
            counts["triples"] += e.get("triples", 0)
        else:
            counts["rejected"] += 1
            rejections.append({"origin": e.get("origin"), "reason": e.get("reason"), "doc_id": e.get("id")})
    return {**counts, "rejections": rejections}


# ------------------------------------------------------------ the shard directory

class ShardSink:
    """A directory of shards, each a :class:`kg.run.sink.ResumableSink`, written to by the driver
    (:func:`kg.run.driver.run`).

    Use it as a context manager (entering takes the directory's lock and checks its
    manifest).  ``on_shard(name, resumed, fresh)`` is called as each shard is settled:
    written to by this run (``fresh``) or found complete; ``resumed`` holds the counts
    and rejections of the documents that earlier runs had recorded in it.
    """

    def __init__(self, path: Union[str, os.PathLike], *, settings: dict, partition_docs: int,
                 on_shard: Callable = lambda name, resumed, fresh: None, wait: bool = False):
        self.path = Path(path)
        self.settings = settings
        self.partition_docs = partition_docs
        self.on_shard = on_shard
        self.wait = wait
        self.names: list = []
        self.extracted = 0
        self.skipped = 0
        self._open: deque = deque()  # [shard, name, items still to record, resumed counts], in input order
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "ShardSink":
        with contextlib.ExitStack() as stack:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                stack.enter_context(locked(self.path / LOCK, name=str(self.path), doing="written", wait=self.wait))
            except OSError as exc:
                raise UserError(f"cannot write shards in {self.path}: {exc.strerror or exc}") from None
            self._start()
            stack.callback(self._close_shards)
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _start(self) -> None:
        """Check the manifest: an older layout is refused, changed settings empty the directory."""
        manifest = {"version": MANIFEST_VERSION, "settings": self.settings, "partition_docs": self.partition_docs}
        path = self.path / MANIFEST
        try:
            old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        except (OSError, ValueError):
            log.warning("%s is unreadable; every shard will be extracted again", path)
            old = {}
        if isinstance(old, dict) and "shards" in old:
            raise UserError(f"{self.path} holds shards in the layout of an earlier kg version (one manifest for "
                            f"all shards); delete that directory (or give another --shards DIR) and run again: "
                            f"every shard will be extracted again")
        for stale in self.path.glob(".part-*.tmp"):  # left by a run killed while rewriting a file
            stale.unlink(missing_ok=True)
        if old == manifest:
            return
        if old is not None:
            log.info("%s: model, options or partition size changed; every shard will be extracted again", path)
        self._remove(lambda index: True)
        write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", fsync=True)

    def _shard(self, name: str) -> ResumableSink:
        return ResumableSink(self.path / name, self.path / (name + LEDGER), lock=None, name=str(self.path / name),
                             doing="written")

    def _remove(self, drop: Callable[[int], bool]) -> int:
        """Delete the shards (file and ledger) whose index ``drop`` accepts; returns how many."""
        gone = set()
        for p in self.path.glob("part-*.jsonl*"):
            stem = p.name.split(".", 1)[0]
            index = stem[len("part-"):]
            if index.isdigit() and p.name in (stem + ".jsonl", stem + ".jsonl" + LEDGER) and drop(int(index)):
                p.unlink(missing_ok=True)
                gone.add(index)
        return len(gone)

    def _close_shards(self) -> None:
        while self._open:
            self._open.popleft()[0].__exit__(None, None, None)

    # -- the Sink interface

    def committed(self, doc_id: str):
        """Shards are resumed partition by partition (:meth:`pending`), not by id: always None."""
        return None

    def pending(self, items: Iterable[Item], stats: RunStats) -> Iterator[Item]:
        """The items no shard records yet, partition by partition; what the shards hold is counted in ``stats``."""
        for part in partitions(items, size=self.partition_docs):
            self.names.append(part.name)
            shard = self._shard(part.name).__enter__()
            try:
                held = resumed_items(shard.entries(), part.items)
                shard.keep_first(held)
                resumed = ledger_counts(shard.entries())
            except BaseException:
                shard.__exit__(None, None, None)
                raise
            stats.add_counts(resumed, work=False)
            if held == len(part.items):
                shard.__exit__(None, None, None)
                self.skipped += 1
                self.on_shard(part.name, resumed, False)
                continue
            self._open.append([shard, part.name, len(part.items) - held, resumed])
            yield from part.items[held:]

    def record(self, item, result) -> None:
        """Commit one result to its partition's shard; the partition's last result closes the shard."""
        entry = self._open[0]
        shard, name, _, resumed = entry
        shard.record(item, result)
        entry[2] -= 1
        if entry[2] == 0:
            self._open.popleft()
            shard.__exit__(None, None, None)
            self.extracted += 1
            self.on_shard(name, resumed, True)

    def finish(self) -> None:
        """Delete shards past the input's last partition (the input shrank)."""
        stale = self._remove(lambda index: index >= len(self.names))
        if stale:
            log.info("%s: %d shards beyond the input's end removed", self.path, stale)

    # -- the directory

    def summary(self) -> str:
        """Fragment for the closing line."""
        return f"{len(self.names)} shards ({self.extracted} extracted, {self.skipped} already complete) in {self.path}"

    def paths(self) -> list:
        """The shard files of the input, in partition order."""
        return [self.path / name for name in self.names]


# ------------------------------------------------------------ merging

def merge_shards(paths: list, out) -> int:
    """Write the shards (in partition order) one after another into the text stream ``out``:
    the records in input order.  Returns the lines written."""
    n = 0
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            for line in f:
                out.write(line)
                n += 1
    return n
