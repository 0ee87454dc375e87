"""One long document against the same text as 30 documents: time and peak memory of ``kg extract``.

    python bench/long_document.py [--chars N] [--parts 30] [--repeats R] [--model NAME]

The text is built from the bundled articles (``samples/news`` and ``kg/eval_data/docs.jsonl``),
copied until it is ``--chars`` long (default 2,900,000, the size of a long report; ``--chars
300000`` runs in a couple of minutes).  Each copy takes the articles in another order and gives
their names another ending ("Velora Energy" → "Veloramira Energymira"), so the long document
keeps meeting new people and organisations as a real one does.  The same text is written once as
one document and once cut at line breaks into ``--parts`` documents of about equal length.

``kg extract`` runs on each in a child process, alternating, ``--repeats`` times; printed are the
medians of wall time, CPU time of the child and its peak RSS (VmHWM), and the ratios one
document / parts (targets: time <= 2.0, peak RSS <= 1.5).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.nlp import DEFAULT_MODEL  # noqa: E402
from kg.sources import iter_documents  # noqa: E402

#: Endings that make a copy's names new names: copy n spells n with them (bijective base 8).
SYLLABLES = ("mi", "ra", "ko", "len", "sa", "tor", "vi", "bel")
#: Capitalised words that are not names and keep their spelling.
KEEP = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
# A capitalised word inside a sentence (after a lower-case word or a comma): a name, not a sentence start.
_NAME_WORD = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{2,}\b")


def articles() -> list[str]:
    """Texts of the bundled articles."""
    return [d.text for d in iter_documents([str(ROOT / "samples" / "news"), str(ROOT / "kg" / "eval_data" / "docs.jsonl")])
            if hasattr(d, "text")]


def ending(n: int) -> str:
    """The name ending of copy ``n`` (copy 0 keeps the names)."""
    out = ""
    while n:
        n, digit = divmod(n - 1, len(SYLLABLES))
        out += SYLLABLES[digit]
    return out


def name_words(texts: list[str]) -> re.Pattern:
    """A pattern matching every word that stands capitalised inside a sentence of ``texts`` (names)."""
    words = {m.group() for t in texts for m in _NAME_WORD.finditer(t)} - KEEP
    return re.compile(r"\b(?:%s)\b" % "|".join(sorted(words, key=len, reverse=True)))


def vary(text: str, n: int, names: re.Pattern) -> str:
    """``text`` with the names of copy ``n``: every word of ``names`` gets the copy's ending."""
    suffix = ending(n)
    return names.sub(lambda m: m.group() + suffix, text) if suffix else text


def long_text(chars: int, *, seed: int = 7) -> str:
    """Copies of the bundled articles, each in another order and with other names, about ``chars`` long."""
    rng = random.Random(seed)
    base = articles()
    names = name_words(base)
    copies, size, n = [], 0, 0
    while size < chars:
        order = rng.sample(base, len(base))
        copy = "\n".join(vary(a, n, names) for a in order)
        copies.append(copy)
        size += len(copy) + 1
        n += 1
    return "\n".join(copies)[:chars].rsplit("\n", 1)[0]


def split(text: str, parts: int) -> list[str]:
    """``text`` cut at line breaks into ``parts`` pieces of about equal length."""
    lines = text.split("\n")
    target = len(text) / parts
    out, current, size = [], [], 0
    for line in lines:
        current.append(line)
        size += len(line) + 1
        if size >= target * (len(out) + 1) and len(out) < parts - 1:
            out.append("\n".join(current))
            current = []
    out.append("\n".join(current))
    return [p for p in out if p.strip()]


def write_jsonl(path: Path, texts: list[str], prefix: str) -> None:
    """One JSON record per text."""
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": f"{prefix}-{i}", "text": text}) + "\n")


_CHILD = """
import resource, sys
from kg.cli import main
code = main(sys.argv[1:])
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
usage = resource.getrusage(resource.RUSAGE_SELF)
print(hwm, usage.ru_utime + usage.ru_stime, file=sys.stderr)
sys.exit(code)
"""


def kg_extract(path: Path, model: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MB) and triples of ``kg extract`` on ``path`` in a child process."""
    out = path.with_suffix(".triples.jsonl")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, "-q", "extract", str(path), "--model", model, "-o", str(out)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"kg extract failed on {path}: {proc.stderr[-500:]}")
    hwm, cpu = proc.stderr.strip().splitlines()[-1].split()
    with open(out, encoding="utf-8") as f:
        triples = sum(1 for _ in f)  # one triple a line
    return wall, float(cpu), int(hwm) / 1024, triples


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=2_900_000, help="length of the text (default 2,900,000)")
    ap.add_argument("--parts", type=int, default=30, help="documents the same text is cut into (default 30)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    a = ap.parse_args(argv)
    text = long_text(a.chars)
    pieces = split(text, a.parts)
    with tempfile.TemporaryDirectory() as tmp:
        one, many = Path(tmp) / "one.jsonl", Path(tmp) / "parts.jsonl"
        write_jsonl(one, [text], "long")
        write_jsonl(many, pieces, "part")
        runs: dict[str, list] = {"one": [], "parts": []}
        for _ in range(a.repeats):
            runs["one"].append(kg_extract(one, a.model))
            runs["parts"].append(kg_extract(many, a.model))
    med = {k: [statistics.median(r[i] for r in v) for i in range(3)] for k, v in runs.items()}
    triples = {k: v[-1][3] for k, v in runs.items()}
    print(f"text {len(text):,} characters, {text.count(chr(10)) + 1:,} lines; medians of {a.repeats} runs of kg extract")
    for k, label in (("one", "1 document"), ("parts", f"{len(pieces)} documents")):
        wall, cpu, rss = med[k]
        print(f"{label:14} {wall:8.1f} s wall {cpu:8.1f} s CPU {rss:8.0f} MB peak RSS {triples[k]:8,} triples")
    (w1, c1, r1), (wn, cn, rn) = med["one"], med["parts"]
    print(f"ratio 1 / {len(pieces)}: time {w1 / wn:.2f} (CPU {c1 / cn:.2f}; target <= 2.0), "
          f"peak RSS {r1 / rn:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
