"""Hand-built parses: pin a rule to a dependency tree, independent of any model."""
from spacy.tokens import Doc
from spacy.lang.en import English

_VOCAB = English().vocab


def parse(spec: str, ents: dict | None = None) -> Doc:
    """A Doc from ``word/POS/TAG/dep/head[/lemma]`` items separated by spaces.

    ``head`` is the 0-based index of the head token (its own index for the root).
    ``ents`` maps "start:end" token ranges to labels.
    """
    words, pos, tags, deps, heads, lemmas = [], [], [], [], [], []
    for item in spec.split():
        parts = item.split("/")
        word, p, tag, dep, head = parts[:5]
        words.append(word.replace("_", " "))
        pos.append(p)
        tags.append(tag)
        deps.append(dep)
        heads.append(int(head))
        lemmas.append(parts[5] if len(parts) > 5 else word.lower())
    iob = ["O"] * len(words)
    for rng, label in (ents or {}).items():
        start, end = map(int, rng.split(":"))
        iob[start] = f"B-{label}"
        for i in range(start + 1, end):
            iob[i] = f"I-{label}"
    spaces = [True] * len(words)
    for i, w in enumerate(words[1:], 1):
        if w in {".", ",", "'s", ")", "n't"}:
            spaces[i - 1] = False
    return Doc(_VOCAB, words=words, spaces=spaces, pos=pos, tags=tags, deps=deps, heads=heads,
               lemmas=lemmas, ents=iob, sent_starts=[True] + [False] * (len(words) - 1))
