"""Sharded, resumable extraction output (``kg extract --shards DIR``): one JSONL shard per input
partition plus a manifest; :class:`ShardSink` is the resumable sink protocol of :mod:`kg.run.sink`
at partition grain.

The input stream is cut into fixed-size partitions in document order
(:func:`partitions`).  Each partition becomes one shard, ``part-00000.jsonl``,
whose lines are the partition's triple records in input order (document by document, each
document's triples in the order extraction gave them).
``manifest.json`` holds, per shard, the content hash of its inputs, the counts
of documents read / processed / rejected, the rejections with their reasons,
a hash of the shard file and ``complete: true``.  A shard file is written to a
temporary name and renamed; the manifest entry written after it is the commit
point.

Re-running over the same directory skips every shard whose entry is complete,
whose inputs hash and settings are unchanged and whose file is intact
(:func:`is_complete`).  One run at a time writes a directory (the lock of
:func:`kg.run.sink.locked`).  :func:`merge_shards` concatenates the shards in partition
order, so the result is in input order and byte-identical whichever engine and
however many workers produced the shards, and to a run without shards.

>>> docs = [Document(f"d{i}", "Japan thanked Chile.") for i in range(5)]
>>> [(p.name, len(p.items)) for p in partitions(docs, size=2)]
[('part-00000.jsonl', 2), ('part-00001.jsonl', 2), ('part-00002.jsonl', 1)]
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Union

from ..errors import UserError
from ..extractor import ExtractOptions
from ..files import batched, write_atomic
from ..records import Document, Rejection
from .sink import locked, triple_line
from .stats import PART_COUNTS, RunStats

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
LOCK = ".lock"
#: 2: shard lines in input order (version 1 sorted them by document id).
MANIFEST_VERSION = 2
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
    """SHA-256 over the fingerprints of ``items`` in order."""
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


# ------------------------------------------------------------ one shard's content

@dataclass
class ShardOutput:
    """The extracted content of one partition: record lines in input order and the counts of the partition."""

    lines: list = field(default_factory=list)
    read: int = 0
    processed: int = 0
    rejected: int = 0
    sentences: int = 0
    words: int = 0
    triples: int = 0
    rejections: list = field(default_factory=list)


def shard_output(results: Iterable) -> ShardOutput:
    """Turn a partition's results (a ``DocResult`` or ``Rejection`` per item, in order) into a shard.

    The lines keep the order of ``results``, and each document's triples the
    order extraction gave them: the order of a run without shards.
    """
    counts, rejections, lines = RunStats(), [], []
    for r in results:
        counts.add(r)
        if isinstance(r, Rejection):
            rejections.append(r.to_dict())  # every one: the manifest lists them all
            continue
        lines.extend(triple_line(t) for t in r.triples)
    return ShardOutput(lines=lines, rejections=rejections, **{k: getattr(counts, k) for k in PART_COUNTS})


# ------------------------------------------------------------ the shard directory

class ShardSink:
    """A directory of shards and its manifest, written to by the driver (:func:`kg.run.driver.run`).

    Use it as a context manager (entering takes the directory's lock and reads the
    manifest).  ``on_shard(name, manifest_entry, fresh)`` is called as each shard is
    settled: written by this run (``fresh``) or found complete.
    """

    def __init__(self, path: Union[str, os.PathLike], *, settings: dict, partition_docs: int,
                 on_shard: Callable = lambda name, entry, fresh: None, wait: bool = False):
        self.path = Path(path)
        self.settings = settings
        self.partition_docs = partition_docs
        self.on_shard = on_shard
        self.wait = wait
        self.names: list = []
        self.extracted = 0
        self.skipped = 0
        self.manifest: dict = {}
        self._queue: list = []
        self._current: list = []
        self._lock = None

    def __enter__(self) -> "ShardSink":
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = locked(self.path / LOCK, name=str(self.path), doing="written", wait=self.wait)
            self._lock.__enter__()
        except OSError as exc:
            raise UserError(f"cannot write shards in {self.path}: {exc.strerror or exc}") from None
        self.manifest = self._load()
        for stale in self.path.glob(".part-*.tmp"):  # left by a run killed while writing
            stale.unlink(missing_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        self._lock.__exit__(*exc)

    def _load(self) -> dict:
        fresh = {"version": MANIFEST_VERSION, "settings": self.settings, "partition_docs": self.partition_docs,
                 "shards": {}}
        path = self.path / MANIFEST
        if not path.exists():
            return fresh
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("%s is unreadable; every shard will be extracted again", path)
            return fresh
        if (old.get("version") != MANIFEST_VERSION or old.get("settings") != self.settings
                or old.get("partition_docs") != self.partition_docs):
            log.info("%s: model, options or partition size changed; every shard will be extracted again", path)
            return fresh
        return old

    # -- the Sink interface

    def committed(self, doc_id: str) -> Optional[dict]:
        """Shards are resumed by partition, not by document: always None."""
        return None

    def pending(self, items: Iterable[Item], stats: RunStats) -> Iterator[Item]:
        """The items of every partition not complete yet; complete ones are counted in ``stats``."""
        for part in partitions(items, size=self.partition_docs):
            self.names.append(part.name)
            if self.is_complete(part):
                self.skipped += 1
                stats.add_counts(self.entry(part.name), work=False)
                self.on_shard(part.name, self.entry(part.name), False)
                continue
            self._queue.append(part)
            yield from part.items

    def record(self, item, result) -> None:
        """Keep one result; a partition's last result writes its shard."""
        self._current.append(result)
        part = self._queue[0]
        if len(self._current) == len(part.items):
            self._queue.pop(0)
            entry = self.write(part, shard_output(self._current))
            self._current = []
            self.extracted += 1
            self.on_shard(part.name, entry, True)

    def finish(self) -> None:
        """Forget shards past the input's last partition (the input shrank)."""
        self.forget_beyond(len(self.names))

    # -- the directory

    def summary(self) -> str:
        """Fragment for the closing line."""
        return f"{len(self.names)} shards ({self.extracted} extracted, {self.skipped} already complete) in {self.path}"

    def paths(self) -> list:
        """The shard files of the input, in partition order."""
        return [self.path / name for name in self.names]

    def is_complete(self, part: Partition) -> bool:
        """True when the shard of ``part`` was finished before from the same inputs and is intact on disk."""
        return is_complete(self.manifest["shards"].get(part.name), part.digest, self.path / part.name)

    def entry(self, name: str) -> dict:
        """The manifest entry of shard ``name`` (empty when unknown)."""
        return self.manifest["shards"].get(name, {})

    def write(self, part: Partition, output: ShardOutput) -> dict:
        """Write the shard atomically, then commit its manifest entry."""
        data = "".join(output.lines).encode("utf-8")
        write_atomic(self.path / part.name, data, fsync=True)
        entry = {"inputs": part.digest, **{k: getattr(output, k) for k in PART_COUNTS}, "bytes": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "rejections": output.rejections, "complete": True}
        self.manifest["shards"][part.name] = entry
        self.save()
        return entry

    def save(self) -> None:
        """Write the manifest atomically."""
        text = json.dumps(self.manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        write_atomic(self.path / MANIFEST, text.encode("utf-8"), fsync=True)

    def forget_beyond(self, count: int) -> None:
        """Drop manifest entries of shards past the current input's last partition (the input shrank)."""
        stale = [n for n in self.manifest["shards"] if n >= shard_name(count)]
        for name in stale:
            del self.manifest["shards"][name]
            (self.path / name).unlink(missing_ok=True)
        if stale:
            log.info("%s: %d shards beyond the input's end removed", self.path, len(stale))
            self.save()


def is_complete(entry: Optional[dict], digest: str, path: Path) -> bool:
    """The resume decision for one shard: complete entry, same inputs, file present with the recorded size and hash."""
    if not entry or entry.get("complete") is not True or entry.get("inputs") != digest:
        return False
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return len(data) == entry.get("bytes") and hashlib.sha256(data).hexdigest() == entry.get("sha256")


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


def entry_counts(entry: dict) -> dict:
    """The counts of a manifest entry (for summaries)."""
    return {k: entry.get(k, 0) for k in PART_COUNTS}
