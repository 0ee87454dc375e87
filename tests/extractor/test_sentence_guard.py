"""The sentence guard: the parser never starts a sentence right after a function word."""
import pytest
import spacy

from kg.nlp import DEFAULT_MODEL, load_model
from kg.sentence_guard import COMPONENT, NO_END_TAGS

pytestmark = pytest.mark.model

# The bare small model cuts this sentence after "to" (it reads "Yes" as a new sentence's interjection).
QUOTE = ('"I also want to pay tribute to Yes Scotland for a well-fought campaign and to say to all those who '
         'did vote for independence — we hear you," he added.')


def test_the_bare_model_cuts_the_sentence_after_a_preposition():
    bare = spacy.load(DEFAULT_MODEL, exclude=["senter"])
    assert [s.text for s in bare(QUOTE).sents][0].endswith("tribute to")


def test_kg_keeps_the_sentence_whole():
    nlp = load_model()
    assert COMPONENT in nlp.pipe_names and nlp.pipe_names.index(COMPONENT) < nlp.pipe_names.index("parser")
    assert [s.text for s in nlp(QUOTE).sents] == [QUOTE]


def test_no_sentence_of_the_bundled_texts_ends_on_a_function_word():
    from pathlib import Path

    from kg.evaluation import bundled_set, read_gold_documents

    nlp = load_model()
    root = Path(__file__).resolve().parents[2]
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "samples" / "news").glob("*.txt"))]
    texts += [d.text for d in read_gold_documents(bundled_set().docs)]
    sentences = [s for doc in nlp.pipe(texts) for s in doc.sents]
    assert len(sentences) > 40
    assert not [s.text for s in sentences if s[-1].tag_ in NO_END_TAGS]
