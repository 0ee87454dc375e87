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
