import io
import json

import pytest

from kg.records import Document, Rejection
from kg.sources import clean_text, html_to_text, iter_documents, iter_stdin, make_document


def docs(*inputs, fmt="auto"):
    return list(iter_documents([str(i) for i in inputs], fmt=fmt))


def test_text_file_is_one_document_with_a_stable_id(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("Japan condemned the talks.\nLo said so.", encoding="utf-8")
    (first,) = docs(p)
    (again,) = docs(p)
    assert isinstance(first, Document) and first.text.startswith("Japan")
    assert first.id == again.id and first.id.startswith("a.txt#")


def test_directory_is_read_sorted_and_hidden_files_skipped(tmp_path):
    (tmp_path / "b.txt").write_text("Second article.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First article.", encoding="utf-8")
    (tmp_path / ".hidden").write_text("secret", encoding="utf-8")
    out = docs(tmp_path)
    assert [d.text for d in out] == ["First article.", "Second article."]
    assert out[0].id.startswith(f"{tmp_path.name}/a.txt#")


def test_jsonl_records_keep_ids_and_metadata_and_reject_bad_lines(tmp_path):
    p = tmp_path / "news.jsonl"
    p.write_text("\n".join([
        json.dumps({"id": "n1", "text": "Japan met Taiwan.", "title": "T", "date": "2024-01-02", "url": "u"}),
        "{not json",
        json.dumps({"id": "n3", "title": "no text"}),
        json.dumps({"text": "No id given."}),
    ]), encoding="utf-8")
    out = docs(p)
    assert isinstance(out[0], Document) and out[0].id == "n1" and out[0].date == "2024-01-02" and out[0].title == "T"
    assert isinstance(out[1], Rejection) and out[1].origin == "news.jsonl:2" and "invalid JSON" in out[1].reason
    assert isinstance(out[2], Rejection) and out[2].doc_id == "n3" and "no 'text'" in out[2].reason
    assert isinstance(out[3], Document) and out[3].id.startswith("news.jsonl:4#")


def test_csv_needs_a_text_column(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text('id,text,title\nc1,"Lo met Sato, who spoke.",Talks\n', encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\n1,hello\n", encoding="utf-8")
    (g,) = docs(good)
    (b,) = docs(bad)
    assert g.id == "c1" and g.text == "Lo met Sato, who spoke." and g.title == "Talks"
    assert isinstance(b, Rejection) and "'text' column" in b.reason


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"   \n\t\n", "empty"),
    (b"caf\xe9 au lait", "not valid UTF-8"),
    (b"\x00\x01\x02" * 100, "binary"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    (b"12345 67890 !!! ??? 000", "not prose"),
])
def test_bad_files_get_a_one_line_reason(tmp_path, content, reason):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    (r,) = docs(p)
    assert isinstance(r, Rejection) and reason in r.reason and "\n" not in r.reason


def test_missing_path_is_rejected_and_the_batch_goes_on(tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("Japan met Taiwan.", encoding="utf-8")
    out = docs(tmp_path / "missing.txt", ok)
    assert isinstance(out[0], Rejection) and "no such file" in out[0].reason
    assert isinstance(out[1], Document)


def test_html_is_converted_to_its_visible_text():
    page = ("<!doctype html><html><head><title>Talks</title><script>var x='Nope.';</script></head>"
            "<body><p>Japan met Taiwan.</p><p>Lo said so &amp; more.</p></body></html>")
    d = make_document("page.html", page)
    assert isinstance(d, Document) and d.title == "Talks"
    assert d.text == "Japan met Taiwan.\nLo said so & more."
    assert html_to_text("<p>a</p><style>b{}</style>")[0] == "a"


def test_control_characters_become_spaces_and_line_ends_are_kept():
    assert clean_text("a\x07b\r\nc\rd\u2028e") == "a b\nc\nd e"


def test_stdin_text_and_records():
    (d,) = iter_stdin(io.BytesIO("Japan met Taiwan.".encode()))
    assert isinstance(d, Document) and d.id.startswith("stdin#")
    recs = list(iter_stdin(io.BytesIO(b'{"id": "s1", "text": "Lo met Sato."}\n'), fmt="jsonl"))
    assert [r.id for r in recs] == ["s1"]


def test_unknown_format_is_a_usage_error():
    with pytest.raises(ValueError, match="unknown input format"):
        list(iter_documents(["x"], fmt="pdf"))


def test_deeply_nested_or_huge_json_lines_are_rejected_not_raised(tmp_path):
    p = tmp_path / "deep.jsonl"
    p.write_text("[" * 100_000 + "]" * 100_000 + "\n" + '{"text": 1' + "0" * 5000 + "}\n"
                 + json.dumps({"id": "ok", "text": "Lo met Sato."}) + "\n", encoding="utf-8")
    out = docs(p)
    assert [type(x).__name__ for x in out] == ["Rejection", "Rejection", "Document"]
    assert "unreadable JSON (RecursionError)" in out[0].reason and "ValueError" in out[1].reason


def test_ids_and_metadata_are_single_line_fields(tmp_path):
    p = tmp_path / "hostile.jsonl"
    p.write_text(json.dumps({"id": "a\x1fb\nc", "title": "two\r\nlines\t\u2028", "url": "u\x00",
                             "text": "Lo met Sato in Taipei."}) + "\n", encoding="utf-8")
    (d,) = docs(p)
    assert (d.id, d.title, d.url) == ("a b c", "two  lines  ", "u ")


def test_lone_surrogates_from_json_escapes_become_encodable(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(json.dumps({"id": "d\ud800", "title": "t\udfff", "text": "Lo met \ud83d Sato in Taipei."}) + "\n",
                 encoding="utf-8")
    (d,) = docs(p)
    assert d.text == "Lo met   Sato in Taipei." and d.id == "d\ufffd" and d.title == "t\ufffd"
    json.dumps(d.__dict__, ensure_ascii=False).encode("utf-8")


def test_undecodable_file_names_give_encodable_origins_and_ids(tmp_path):
    name = b"caf\xe9.txt"
    try:
        (tmp_path / name.decode("utf-8", "surrogateescape")).write_text("Lo met Sato.", encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("file system refuses non-UTF-8 names")
    (d,) = docs(tmp_path)
    assert "\ufffd" in d.id
    d.id.encode("utf-8")


def test_stray_angle_brackets_in_html_are_text_not_tags():
    # Unescaped, each "<" made HTMLParser rescan to the end: 200k of them took minutes.
    d = make_document("x", "<html><body><p>Lo met Sato.</p>" + "<a" * 200_000)
    assert isinstance(d, Document) and d.text.startswith("Lo met Sato.\n<a<a")


def test_oversized_files_are_rejected_before_reading(tmp_path, monkeypatch):
    import kg.sources as sources

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 10)
    p = tmp_path / "big.txt"
    p.write_text("Lo met Sato in Taipei.", encoding="utf-8")
    (r,) = docs(p)
    assert isinstance(r, Rejection) and r.reason.startswith("file too large (22 bytes")


def test_one_line_escapes_line_breaks_and_terminal_controls():
    from kg.sources import one_line

    assert one_line("a\nb\r\x1b[2Jc\u2028") == "a\\nb\\r\\x1b[2Jc\\u2028"


def test_a_document_the_free_memory_cannot_hold_is_refused_before_it_is_parsed(monkeypatch):
    from kg.nlp import BYTES_PER_CHAR

    text = "Lo met Sato in Taipei. " * 20_000  # 460,000 characters
    monkeypatch.setenv("KG_MEMORY_LIMIT", str(len(text) * BYTES_PER_CHAR // 2))
    r = make_document("big.txt", text)
    assert isinstance(r, Rejection) and r.reason.startswith("document too large for the free memory (460,000 characters")
    assert isinstance(make_document("small.txt", text[:100_000]), Document)
    monkeypatch.setenv("KG_MEMORY_LIMIT", str(len(text) * BYTES_PER_CHAR))
    assert isinstance(make_document("big.txt", text), Document)
