"""What a run produces per document and the counts of a whole run (plain data)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..records import Rejection

#: Rejections kept in :attr:`RunStats.rejections` (all are counted; a huge bad input must not fill memory).
KEEP_REJECTIONS = 1000


@dataclass
class DocResult:
    """Extraction result of one document; ``extra`` holds what a run's ``also`` hook made of its parses."""

    doc_id: str
    triples: list
    sentences: int
    words: int
    extra: object = None


#: The counts a part of a run reports (what a shard's ledger records, :func:`kg.run.shards.ledger_counts`).
PART_COUNTS = ("read", "processed", "rejected", "sentences", "words", "triples")


@dataclass
class RunStats:
    """Counts of a run: nothing read goes unaccounted (read = processed + rejected).

    ``skipped`` counts documents an earlier run into the same output already did, and
    ``duplicates`` documents given twice (same id, same content); neither is read again.
    ``rejections`` keeps the first :data:`KEEP_REJECTIONS` rejections; callers see every one as it is yielded.
    """

    model: str = ""
    read: int = 0
    processed: int = 0
    rejected: int = 0
    skipped: int = 0
    duplicates: int = 0
    sentences: int = 0
    words: int = 0
    triples: int = 0
    seconds: float = 0.0
    rejections: list = field(default_factory=list)
    worker_peak_rss_mb: dict = field(default_factory=dict)  # Dask workers' peak memory, when measured

    def add(self, item: Union[DocResult, Rejection]) -> None:
        """Count one result."""
        self.read += 1
        if isinstance(item, Rejection):
            self.rejected += 1
            if len(self.rejections) < KEEP_REJECTIONS:
                self.rejections.append(item)
        else:
            self.processed += 1
            self.sentences += item.sentences
            self.words += item.words
            self.triples += len(item.triples)

    def add_counts(self, counts: dict, *, work: bool = True) -> None:
        """Add the counts of a run part (what a shard's ledger records); ``work=False`` leaves out its
        sentences and words (done by an earlier run), so words/s stay this run's.  All of its
        rejections are kept: a sharded ``kg extract --rejects`` writes them from here."""
        for k in PART_COUNTS if work else tuple(k for k in PART_COUNTS if k not in ("sentences", "words")):
            setattr(self, k, getattr(self, k) + counts.get(k, 0))
        self.rejections.extend(Rejection(**r) for r in counts.get("rejections", ()))

    def summary(self) -> str:
        """One line for the end of a run."""
        rate = f", {self.words / self.seconds:,.0f} words/s" if self.seconds > 0 and self.words else ""
        skipped = f"{self.skipped} documents already done, skipped; " if self.skipped else ""
        duplicates = f"{self.duplicates} duplicates skipped; " if self.duplicates else ""
        return (f"{skipped}{duplicates}{self.read} documents read, {self.processed} processed, "
                f"{self.rejected} rejected; {self.sentences} sentences, {self.triples} triples; model {self.model}; "
                f"{self.seconds:.1f} s{rate}")
