import pytest

from kg.nlp import MAX_PIECE_CHARS, MAX_TOKEN_CHARS, pieces


def test_every_line_is_its_own_piece_with_document_offsets():
    text = "First line.\n\n  Second line.\nThird"
    ps = list(pieces(text))
    assert [p.text for p in ps] == ["First line.", "Second line.", "Third"]
    assert all(text[p.start:p.start + len(p.text)] == p.text for p in ps)


def test_an_over_long_line_is_cut_at_sentence_ends_below_the_limit():
    line = " ".join(f"Sentence number {i} is here." for i in range(2000))
    ps = list(pieces(line, limit=1000))
    assert len(ps) > 1 and all(len(p.text) <= 1000 for p in ps)
    assert all(p.text.endswith(".") for p in ps)
    assert all(line[p.start:p.start + len(p.text)] == p.text for p in ps)
    assert "".join(p.text for p in ps).replace(" ", "") == line.replace(" ", "")


def test_a_line_without_sentence_ends_is_cut_at_spaces_or_hard():
    ps = list(pieces("word " * 500, limit=100))
    assert all(len(p.text) <= 100 for p in ps)
    ps = list(pieces("x" * 150, limit=60))
    assert [len(p.text) for p in ps] == [60, 60, 30]


def test_runs_without_spaces_beyond_the_token_limit_are_not_parsed():
    text = "Lo met Sato. " + "\"'(" * 100 + " Then\t" + "ab" * 5000 + " Tsai left."
    ps = list(pieces(text))
    assert [p.text for p in ps] == ["Lo met Sato.", "Then", "Tsai left."]
    assert all(text[p.start:p.start + len(p.text)] == p.text for p in ps)
    assert all(len(w) <= MAX_TOKEN_CHARS for p in ps for w in p.text.split())


def test_pieces_never_exceed_the_default_limit():
    line = " and ".join(["Japan met Taiwan"] * 5000)
    ps = list(pieces(line))
    assert len(ps) > 1 and all(len(p.text) <= MAX_PIECE_CHARS for p in ps)
    assert all(line[p.start:p.start + len(p.text)] == p.text for p in ps)


def test_a_document_needing_more_memory_than_is_free_is_refused_with_the_figures():
    from kg.nlp import BYTES_PER_CHAR, UNCHECKED_CHARS, memory_refusal

    chars = 10 * UNCHECKED_CHARS
    assert memory_refusal(chars, chars * BYTES_PER_CHAR) is None
    reason = memory_refusal(chars, chars * BYTES_PER_CHAR - 1)
    assert reason.startswith(f"document too large for the free memory ({chars:,} characters need about ")
    assert "\n" not in reason
    assert memory_refusal(chars, None) is None  # nothing known about the machine: not refused
    assert memory_refusal(UNCHECKED_CHARS, 0) is None  # short documents are never refused for memory


def test_available_memory_is_capped_by_KG_MEMORY_LIMIT(monkeypatch, caplog):
    from kg.nlp import available_memory

    monkeypatch.delenv("KG_MEMORY_LIMIT", raising=False)
    free = available_memory()
    assert free is not None and free > 0  # Linux: /proc/meminfo
    monkeypatch.setenv("KG_MEMORY_LIMIT", "64M")
    assert available_memory() == 64 * 2**20
    monkeypatch.setenv("KG_MEMORY_LIMIT", "1.5k")
    assert available_memory() == 1536
    monkeypatch.setenv("KG_MEMORY_LIMIT", "lots")
    assert available_memory() > 2 * 1536  # ignored, with a warning
    assert "KG_MEMORY_LIMIT='lots' is not a size" in caplog.text


@pytest.mark.model
def test_parsed_pieces_keep_their_annotations_but_not_the_token_vectors():
    import spacy

    from kg.nlp import DEFAULT_MODEL, load_model

    text = "The World Health Organization (WHO) praised Vietnam, Health Minister Dao Hong Lan said."
    doc = load_model()(text)
    assert doc.tensor.size == 0
    plain = spacy.load(DEFAULT_MODEL, exclude=["senter"])(text)
    assert plain.tensor.size > 0
    assert [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in doc] == \
        [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.is_sent_start) for t in plain]


@pytest.mark.model
def test_a_long_document_keeps_its_sentence_ids_and_offsets_across_pieces():
    from kg.extractor import triples_from_parses
    from kg.nlp import load_model
    from kg.records import Document

    paragraph = ("The World Health Organization (WHO) praised Vietnam on Monday. "
                 "Health Minister Dao Hong Lan said the WHO had sent experts to Hanoi.")
    text = "\n".join([paragraph] * 40) + "\n" + " ".join([paragraph] * 200)  # lines, then one over-long line
    nlp = load_model()
    ps = list(pieces(text))
    assert len(ps) > 41 and max(len(p.text) for p in ps) <= MAX_PIECE_CHARS
    triples = triples_from_parses(Document("long", text), [(p, d) for d, p in nlp.pipe(((p.text, p) for p in ps),
                                                                                      as_tuples=True)])
    ids = [int(t.sentence_id.split(":")[1]) for t in triples]
    assert ids == sorted(ids) and ids[-1] >= 400  # 2 sentences a paragraph, 240 paragraphs
    for t in triples:
        assert text[t.sentence_start:t.sentence_start + len(t.sentence)] == t.sentence
        assert text[t.subject.start:t.subject.end] == t.subject.text
        assert text[t.object.start:t.object.end] == t.object.text
