"""Hostile corpus benchmark: thousands of generated bad documents through the real pipeline.

    python bench/hostile.py [--docs 10000] [--workers 1] [--seed 7] [--memory]

Documents are generated lazily from a seed (the same seed gives the same corpus):
random unicode, control characters, right-to-left and CJK text, emoji sequences,
combining marks, long tokens, run-on sentences, whitespace, HTML, markdown,
invalid UTF-8 and binary bytes, JSON records, plus news-like sentences so that
triples are produced.  Prints documents read / processed / rejected / crashed
(an exception that escaped the pipeline: must be 0), rejection reasons grouped,
triples, elapsed seconds and peak RSS.  Every triple's offsets are checked
against its document.

``--memory`` instead runs a streamed corpus of tiny documents at two sizes
(2k and 20k by default), each in a fresh process, and prints the peak RSS of
each and their ratio: a flat pipeline keeps the ratio near 1.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.run.driver import run  # noqa: E402
from kg.run.stats import RunStats  # noqa: E402
from kg.records import Document, Rejection  # noqa: E402
from kg.sources import _decode, make_document, read_jsonl  # noqa: E402

NEWS = [
    "The United Nations condemned the missile test on Tuesday.",
    "Germany pledged to support Ukraine's reconstruction.",
    "The World Health Organization (WHO) praised Vietnam.",
    "Lai Ching-te (賴清德) visited Paraguay.",
    "Jens Stoltenberg, the secretary general of NATO, visited Kyiv.",
    "Canada said it would send more troops to Latvia.",
    "Samsung will invest in a new factory in Texas.",
    "Brazil asked Argentina to lower its import tariffs.",
]
EMOJI = ["👩\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "👍🏽", "🇯🇵", "🧑\u200d💻"]
RANGES = {"arabic": (0x0600, 0x06FF), "hebrew": (0x0590, 0x05FF), "cjk": (0x4E00, 0x9FFF),
          "kana": (0x3040, 0x30FF), "combining": (0x0300, 0x036F), "controls": (0x00, 0x9F)}


def _chars(rng: random.Random, lo: int, hi: int, n: int) -> str:
    return "".join(chr(rng.randint(lo, hi)) for _ in range(n))


def _any_unicode(rng: random.Random, n: int) -> str:
    out = []
    while len(out) < n:
        c = rng.randint(0, 0x10FFFF)
        if not 0xD800 <= c <= 0xDFFF:
            out.append(chr(c))
    return "".join(out)


def _news(rng: random.Random, k: int = 3) -> str:
    return " ".join(rng.choice(NEWS) for _ in range(k))


def generate(rng: random.Random, i: int):
    """One hostile input as ``(category, text or bytes)``."""
    kind = rng.choice(CATEGORIES)
    return kind, GENERATORS[kind](rng)


GENERATORS = {
    "news": lambda r: "\n\n".join(_news(r) for _ in range(r.randint(1, 4))),
    "unicode": lambda r: _any_unicode(r, r.randint(1, 400)),
    "controls": lambda r: _chars(r, *RANGES["controls"], r.randint(1, 200)),
    "controls+news": lambda r: _chars(r, 0, 31, 5) + _news(r) + "\x1b[31m\x7f" + _news(r, 1),
    "rtl": lambda r: " ".join(_chars(r, *RANGES[r.choice(["arabic", "hebrew"])], r.randint(2, 9))
                              for _ in range(r.randint(5, 60))) + " \u202e" + _news(r, 1),
    "cjk": lambda r: _chars(r, *RANGES[r.choice(["cjk", "kana"])], r.randint(10, 3000)),
    "emoji": lambda r: " ".join(r.choice(EMOJI) * r.randint(1, 4) for _ in range(r.randint(1, 80))) + " " + _news(r, 1),
    "combining": lambda r: "".join(c + _chars(r, *RANGES["combining"], r.randint(0, 3)) for c in _news(r, 2)),
    "long-token": lambda r: r.choice(["x", "\"'(", "a.b-", "日本", "👍🏽"]) * r.randint(1_000, 50_000) + " " + _news(r, 1),
    "run-on": lambda r: " and ".join(r.choice(NEWS).rstrip(".") for _ in range(r.randint(20, 200))) + ".",
    "whitespace": lambda r: "".join(r.choice(" \t\n\r\u00a0\u3000\u200b\ufeff") for _ in range(r.randint(0, 50))),
    "html": lambda r: (f"<html><head><title>T{r.random()}</title><script>var x='<p>';</script></head><body>"
                       + "".join(f"<p>{_news(r, 1)}</p>" for _ in range(r.randint(1, 5))) + "<a" * r.randint(0, 3000)
                       + "</body></html>"),
    "markdown": lambda r: f"# {r.choice(NEWS)}\n\n* {_news(r, 1)}\n* **{_news(r, 1)}**\n\n```\ncode()\n```\n> [x](http://e.org)",
    "invalid-utf8": lambda r: _news(r, 1).encode("latin-1", "replace") + bytes([r.randint(0x80, 0xFF)]) + b"\xc3\x28",
    "binary": lambda r: bytes(r.randint(0, 255) for _ in range(r.randint(1, 600))),
    "png": lambda r: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(r.randint(0, 255) for _ in range(200)),
    "jsonl": lambda r: r.choice([json.dumps({"id": r.randint(0, 50), "text": _news(r, 1)}), "{bad", "[" * 5000,
                                 json.dumps({"text": None}), json.dumps({"text": "\ud800" + _news(r, 1)}), "42"]),
}
CATEGORIES = sorted(GENERATORS)


def documents(n: int, seed: int, tally: collections.Counter):
    """``n`` generated inputs as documents or rejections, streamed; ``tally`` counts categories."""
    rng = random.Random(seed)
    for i in range(n):
        kind, data = generate(rng, i)
        tally[kind] += 1
        origin = f"{kind}-{i}"
        if kind == "jsonl":
            yield from read_jsonl([data], origin)
        elif isinstance(data, bytes):
            text = _decode(data, origin)
            yield text if isinstance(text, Rejection) else make_document(origin, text)
        else:
            yield make_document(origin, text=data)


REASON_DIGITS = re.compile(r"\d[\d,]*")


def reason_group(reason: str) -> str:
    """A rejection reason without its numbers, so like reasons count together."""
    return REASON_DIGITS.sub("N", reason.split(" (")[0] if not reason.startswith("extraction") else reason)[:90]


def corpus_run(n: int, workers: int, seed: int) -> dict:
    """Run the generated corpus; count everything; check offsets; never let an exception pass unseen."""
    tally: collections.Counter = collections.Counter()
    reasons: collections.Counter = collections.Counter()
    stats = RunStats()
    inputs: collections.deque = collections.deque()
    crashed, bad_offsets, triples = 0, 0, 0
    started = time.perf_counter()
    items = documents(n, seed, tally)

    def remember(items):  # results come back in input order, one per item
        for item in items:
            inputs.append(item)
            yield item

    try:
        for r in run(remember(items), workers=workers, stats=stats):
            item = inputs.popleft()
            if isinstance(r, Rejection):
                reasons[reason_group(r.reason)] += 1
                continue
            text = item.text
            for t in r.triples:
                triples += 1
                bad_offsets += any(text[a.start:a.end] != a.text for a in (t.subject, t.object))
    except Exception as exc:  # counted: the benchmark's point is that this never happens
        crashed += 1
        print(f"CRASH: {type(exc).__name__}: {exc}", file=sys.stderr)
    return {"inputs": n, "read": stats.read, "processed": stats.processed, "rejected": stats.rejected,
            "crashed": crashed, "triples": triples, "bad_offsets": bad_offsets,
            "seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": peak_rss_mb(),
            "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "categories": dict(sorted(tally.items())), "reasons": dict(reasons.most_common())}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def tiny_run(n: int) -> dict:
    """A streamed run over ``n`` tiny generated documents; peak RSS at the end."""
    stats = RunStats()
    docs = (Document(f"t{i}", f"{NEWS[i % len(NEWS)]} Item {i}.") for i in range(n))
    for _ in run(docs, stats=stats):
        pass
    return {"docs": n, "processed": stats.processed, "peak_rss_mb": peak_rss_mb()}


def memory_check(small: int, large: int) -> None:
    """Peak RSS of a small and a large streamed run, each in a fresh process."""
    results = []
    for n in (small, large):
        out = subprocess.run([sys.executable, __file__, "--tiny", str(n)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout))
    a, b = results
    print(f"streamed tiny documents: {a['docs']:,} -> peak RSS {a['peak_rss_mb']} MB; "
          f"{b['docs']:,} -> {b['peak_rss_mb']} MB; ratio {b['peak_rss_mb'] / a['peak_rss_mb']:.2f} "
          f"for {b['docs'] / a['docs']:.0f}x the documents")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--memory", nargs="*", type=int, metavar="N", help="peak RSS at two corpus sizes (default 2000 20000)")
    ap.add_argument("--tiny", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if args.tiny:
        print(json.dumps(tiny_run(args.tiny)))
        return
    if args.memory is not None:
        small, large = (args.memory + [2000, 20000][len(args.memory):])[:2]
        memory_check(small, large)
        return
    r = corpus_run(args.docs, args.workers, args.seed)
    if args.json:
        print(json.dumps(r, ensure_ascii=False))
        return
    print(f"hostile corpus: {r['inputs']:,} generated inputs (seed {args.seed}), workers {args.workers}")
    print(f"  read {r['read']:,}  processed {r['processed']:,}  rejected {r['rejected']:,}  crashed {r['crashed']}")
    print(f"  read = processed + rejected: {r['read'] == r['processed'] + r['rejected']}")
    print(f"  triples {r['triples']:,}, with offsets not matching their text: {r['bad_offsets']}")
    workers = f", largest worker {r['worker_peak_rss_mb']} MB" if args.workers > 1 else ""
    print(f"  {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB{workers}")
    print("  categories: " + ", ".join(f"{k} {v}" for k, v in r["categories"].items()))
    print("  rejection reasons:")
    for reason, count in r["reasons"].items():
        print(f"    {count:6,}  {reason}")
    sys.exit(1 if r["crashed"] or r["bad_offsets"] or r["read"] != r["processed"] + r["rejected"] else 0)


if __name__ == "__main__":
    main()
