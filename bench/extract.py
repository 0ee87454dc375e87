"""Extraction speed and memory, measured against bare spaCy in the same run.

    python bench/extract.py [--docs N] [--repeats R] [--model NAME]

Prints, as medians of R repeats on the same generated corpus:
- words/s of bare ``nlp.pipe`` over the documents (the baseline),
- words/s of kg's extraction (reading, line pieces, parsing, rules, resolution,
  JSON records) in one process, and the ratio to the baseline (target >= 0.85); the
  same ratio per CPU second of the process, which other programs on the machine do
  not move,
- words/s with 2 worker processes and the ratio to 1 worker (target >= 1.7),
- peak RSS of ``kg extract`` as a child process on the corpus and on a corpus 10x
  larger (target: flat, since input is streamed).

The corpus is generated deterministically from the bundled sample articles and the
sentences below: sentences are shuffled per document with a fixed seed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extractor import ExtractOptions  # noqa: E402
from kg.nlp import DEFAULT_MODEL, load_model, model_description  # noqa: E402
from kg.run.driver import run  # noqa: E402
from kg.run.stats import RunStats  # noqa: E402
from kg.sources import iter_documents  # noqa: E402

EXTRA = [
    "The European Commission fined the search company for abusing its dominant position.",
    "Officials from the African Union, pledging to mediate, arrived in Addis Ababa on Monday.",
    "The agreement was signed by the foreign ministers of Chile and Peru.",
    "Brazil asked Argentina to lower its tariffs on steel imports, a trade official said.",
    "The central bank did not change its benchmark interest rate, according to Reuters.",
    "Germany and France agreed to invest in a joint satellite program.",
    "The World Health Organization (WHO) warned that cholera cases were rising in the region.",
    "Prime Minister Narendra Modi met President Joe Biden at the White House.",
    "Protesters gathered outside the parliament, which was debating a new security law.",
    "The company, founded in 1998, employs about 40,000 people in 12 countries.",
]


def sample_sentences() -> list[str]:
    """Sentences of the bundled sample plus a few of this script's own."""
    sentences = list(EXTRA)
    for item in iter_documents([str(ROOT / "samples" / "news")]):
        text = getattr(item, "text", "")
        sentences.extend(line.strip() for line in text.split("\n") if len(line.split()) > 5)
    return sentences


def make_corpus(path: Path, n_docs: int, *, seed: int = 7) -> int:
    """Write ``n_docs`` JSONL documents of 8-14 sentences; returns the number of lines written."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n_docs):
            k = rng.randint(8, 14)
            paras = rng.sample(sentences, k) if k <= len(sentences) else rng.choices(sentences, k=k)
            f.write(json.dumps({"id": f"bench-{i}", "text": "\n".join(paras)}) + "\n")
    return n_docs


def texts_of(path: Path) -> list[str]:
    """The documents' texts."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def bare_pipe(nlp, texts: list[str]) -> tuple[float, int, float]:
    """Seconds, words and CPU seconds of this process for plain ``nlp.pipe`` over the texts."""
    t0, c0 = time.perf_counter(), time.process_time()
    words = 0
    for doc in nlp.pipe(texts):
        words += sum(1 for t in doc if not (t.is_punct or t.is_space))
    return time.perf_counter() - t0, words, time.process_time() - c0


def kg_run(path: Path, model: str, workers: int) -> tuple[float, int, int, float]:
    """Seconds, words, triples and CPU seconds of this process for kg's extraction of the corpus, records
    serialised (with one worker everything runs in this process, so its CPU time is the whole cost)."""
    stats = RunStats()
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for r in run(iter_documents([str(path)]), model=model, workers=workers, options=ExtractOptions(), stats=stats):
            for t in getattr(r, "triples", ()):
                sink.write(json.dumps(t.to_dict(), ensure_ascii=False) + "\n")
                n += 1
    return time.perf_counter() - t0, stats.words, n, time.process_time() - c0


_CHILD = """
import sys
from kg.cli import main
code = main(sys.argv[1:])
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print(hwm, file=sys.stderr)
sys.exit(code)
"""


def peak_rss_mb(path: Path, model: str) -> float:
    """Peak resident memory (MB) of ``kg extract`` in a child process (its own VmHWM, not the parent's)."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, "-q", "extract", str(path), "--model", model,
                           "-o", os.devnull], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"kg extract failed on {path}: {proc.stderr[-500:]}")
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600, help="documents in the speed corpus (default 600)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--skip-rss", action="store_true")
    a = ap.parse_args(argv)
    nlp = load_model(a.model)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(corpus, a.docs)
        texts = texts_of(corpus)
        bare_pipe(nlp, texts[:20])  # warm up
        base, one, two, base_cpu, one_cpu = [], [], [], [], []
        for _ in range(a.repeats):
            s, w, c = bare_pipe(nlp, texts)
            base.append(w / s)
            base_cpu.append(w / c)
            s, w1, n, c = kg_run(corpus, a.model, 1)
            one.append(w1 / s)
            one_cpu.append(w1 / c)
            s, w2, _, _ = kg_run(corpus, a.model, 2)
            two.append(w2 / s)
        b, k1, k2, bc, kc = (statistics.median(x) for x in (base, one, two, base_cpu, one_cpu))
        print(f"model {model_description(nlp)}; corpus {a.docs} documents, {w:,} words (bare count), "
              f"{w1:,} words (kg count), {n:,} triples; medians of {a.repeats}")
        print(f"bare nlp.pipe           {b:10,.0f} words/s")
        print(f"kg extract, 1 process   {k1:10,.0f} words/s   ratio to bare {k1 / b:.2f}  (target >= 0.85)")
        # CPU seconds of this process: the same ratio, unmoved by other programs sharing the cores
        print(f"  per CPU second: bare {bc:,.0f}, kg {kc:,.0f} words   ratio to bare {kc / bc:.2f}")
        print(f"kg extract, 2 workers   {k2:10,.0f} words/s   ratio to 1 process {k2 / k1:.2f}  (target >= 1.7)")
        if not a.skip_rss:
            small, large = Path(tmp) / "small.jsonl", Path(tmp) / "large.jsonl"
            make_corpus(small, a.docs, seed=11)
            make_corpus(large, a.docs * 10, seed=11)
            r_small, r_large = peak_rss_mb(small, a.model), peak_rss_mb(large, a.model)
            print(f"peak RSS of kg extract: {a.docs} docs {r_small:.0f} MB, {a.docs * 10} docs {r_large:.0f} MB, "
                  f"ratio {r_large / r_small:.2f}  (target: flat, ~1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
