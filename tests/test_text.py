"""Text input and folding: encodings, HTML, chunks, offsets back to the original."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tracker.text as text_module
from tracker.decoding import detect_encoding
from tracker.exc import InputError
from tracker.text import (
    Folded,
    code_points,
    fold,
    html_to_text,
    iter_chunks,
    iter_source_text,
    open_text,
    sentence_at,
)

RUSSIAN = "Поставки нитроцеллюлозы и станков в Россию выросли, сообщает таможня. " * 3
CHINESE = "据报道，中国企业向俄罗斯出口硝化纤维、光学仪器和数控机床。" * 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain text", "utf-8"),
        (RUSSIAN.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + RUSSIAN.encode("utf-8"), "utf-8-sig"),
        (RUSSIAN.encode("utf-16"), "utf-16"),
        ("optics and lasers".encode("utf-16-le"), "utf-16-le"),
        (RUSSIAN.encode("cp1251"), "cp1251"),
        (CHINESE.encode("gb18030"), "gb18030"),
    ],
)
def test_detect_encoding(data: bytes, expected: str) -> None:
    encoding = detect_encoding(data)
    assert encoding == expected
    assert data.decode(encoding).lstrip("\ufeff") in (RUSSIAN, CHINESE) or (
        data.decode(encoding).isascii()
    )


def test_binary_input_is_one_clear_error() -> None:
    with pytest.raises(InputError, match=r"^x\.bin: looks like a binary file"):
        detect_encoding(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", name="x.bin")


def _read(path: Path, encoding: str | None = None) -> str:
    return "".join(iter_source_text(open_text(str(path), encoding=encoding)))


def test_open_text_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^No such file: '.*nope\.txt'$"):
        open_text(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match=r"' is a folder, not a file$"):
        open_text(str(tmp_path))


def test_open_text_reads_legacy_encodings(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    source = open_text(str(path))
    assert (source.encoding, source.is_html) == ("cp1251", False)
    assert "".join(source.pieces) == RUSSIAN


def test_open_text_reports_the_byte_that_does_not_decode(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"optics " * 10 + b"\xff\xfe lasers")
    with pytest.raises(InputError) as info:
        _read(path, encoding="utf-8")
    assert str(info.value) == (
        f"{path}: cannot decode byte 70 as utf-8 (invalid start byte); pass --encoding"
    )


def test_unknown_encoding_option(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("optics", encoding="utf-8")
    with pytest.raises(InputError, match=r"^unknown encoding 'klingon'$"):
        open_text(str(path), encoding="klingon")


def test_html_is_reduced_to_visible_text(tmp_path: Path) -> None:
    html = (
        "<!doctype html><html><head><title>T</title><style>p {}</style></head>"
        "<body><p>Optics &amp; lasers&nbsp;now</p><script>var x = 'drone';</script>"
        "<p>Second</p></body></html>"
    )
    text = html_to_text(html)
    assert "Optics & lasers\u00a0now" in text
    assert "drone" not in text and "<p>" not in text
    assert "\nSecond\n" in text
    path = tmp_path / "page.txt"  # detected by content, not by name
    path.write_text(html, encoding="utf-8")
    assert open_text(str(path)).is_html
    assert _read(path) == text


def test_markdown_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Title\n\n*Optics* and <b>lasers</b>\n", encoding="utf-8")
    assert not open_text(str(path)).is_html
    assert _read(path) == "# Title\n\n*Optics* and <b>lasers</b>\n"


def test_fold_casefolds_and_merges_yo() -> None:
    assert fold("ЁЛКА Нитроцеллюлоза") == "елка нитроцеллюлоза"
    assert fold("Straße ﬁbre ８４８２") == "strasse fibre 8482"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Die Straße führt zu Kugellagern", "Kugellagern"),
        ("ﬁne ﬁbre optics here", "optics"),
        ("price\u00a0list: ＨＳ ８４８２.１０ and lasers", "lasers"),
        ("е\u0308лка and ё: optics", "optics"),
    ],
)
def test_folded_offsets_map_back_to_the_original(text: str, word: str) -> None:
    folded = Folded.of(text)
    start = folded.text.index(fold(word))
    s, e = folded.original_span(start, start + len(fold(word)))
    assert text[s:e] == word


@given(st.text(max_size=60))
def test_folded_spans_are_monotonic_and_in_range(text: str) -> None:
    folded = Folded.of(text)
    last = 0
    for i in range(len(folded.text)):
        s, e = folded.original_span(i, i + 1)
        assert 0 <= s < e <= len(text)
        assert s >= last
        last = s


def test_chunks_end_at_sentences_and_keep_every_character() -> None:
    text = "".join(f"Sentence number {i} is here. " for i in range(200))
    pieces = [text[i : i + 97] for i in range(0, len(text), 97)]
    chunks = list(iter_chunks(pieces, size=500))
    assert "".join(c for _, c in chunks) == text
    for offset, chunk in chunks:
        assert text[offset : offset + len(chunk)] == chunk
    assert all(c.endswith(". ") for _, c in chunks[:-1])
    assert all(len(c) <= 500 for _, c in chunks)


def _last_end_from_lo(text: str, lo: int, hi: int) -> int:
    last = -1
    for m in text_module._CUT.finditer(text, lo, hi):
        last = m.end()
    return last


@given(
    st.lists(
        st.sampled_from(["a", " ", ".", "!", "\n", "\t", "。", "x. ", ".\n"]),
        max_size=80,
    ),
    st.integers(0, 9000),
    st.data(),
)
def test_last_sentence_end_searched_from_the_end_equals_a_full_search(
    parts: list[str], pad: int, data: st.DataObject
) -> None:
    # Long filler puts the marks on either side of the 4096-character windows
    # that the search from the end steps through.
    text = "".join(parts) + "a" * pad + "".join(reversed(parts))
    hi = data.draw(st.integers(0, len(text)))
    lo = data.draw(st.integers(0, hi))
    assert text_module._last_end(text, lo, hi) == _last_end_from_lo(text, lo, hi)


def test_last_sentence_end_at_a_window_edge() -> None:
    # ". " straddles the first window start (hi - 4096): the search from there
    # sees the space alone, which is no sentence end; the one from lo sees ". ".
    hi = 10_000
    for mark in (". ", ".\n", "!\t"):
        text = "a" * (hi - 4097) + mark + "a" * 4095
        assert text_module._last_end(text, 0, hi) == hi - 4095
        assert text_module._last_end(text, hi - 4096, hi) == (
            hi - 4095 if mark == ".\n" else -1
        )
    text = "a" * (hi - 4097) + ". " + "。" + "a" * 4094
    assert text_module._last_end(text, 0, hi) == hi - 4094


def test_sentence_at_a_span() -> None:
    text = "First one. Second has optics in it! Third.\nFourth"
    at = text.index("optics")
    assert sentence_at(text, at, at + 6) == "Second has optics in it!"
    at = text.index("Fourth")
    assert sentence_at(text, at, at + 6) == "Fourth"
    at = text.index("First")
    assert sentence_at(text, at, at + 5) == "First one."
    long = "word " * 600 + "optics " + "word " * 600
    at = long.index("optics")
    assert len(sentence_at(long, at, at + 6)) <= 2 * 500 + 6


_FOLD_ALPHABET = (
    "ab Ё ё,.，。ＨＳ８ﬁßİ\u0301\u2f00"  # specials: one-character, longer, combining, radical
    "硝化纤维经香港转运晶片電晶體記憶體無人機"  # Simplified, and Traditional that OpenCC changes
    "ΣςЖ\uf900\U0001d400"  # casefold is not lower; a compatibility ideograph; beyond U+FFFF
)


@given(st.text(alphabet=_FOLD_ALPHABET, max_size=40))
def test_folding_in_bulk_equals_folding_piece_by_piece(text: str) -> None:
    from tracker.text import _HAN_RUN, _special_chars

    han = _HAN_RUN.search(text) is not None
    expected = Folded._of_pieces(text, _special_chars(), han)
    assert Folded.of(text) == expected
    # From the code points (a text of several chunks): the same.
    assert Folded.of(text, code_points(text)) == expected


def test_code_points_leave_text_beyond_the_basic_plane_to_the_str_path() -> None:
    assert code_points("ab\U0001d400") is None
    points = code_points("aЖ硝")
    assert points is not None and points.tolist() == [0x61, 0x416, 0x785D]


def test_folding_in_bulk_reads_full_width_commas_and_simplified_chinese() -> None:
    text = "Customs，Ёлка 报道称，硝化纤维经香港转运。" * 50
    folded = Folded.of(text)
    assert folded.text == text.replace("，", ",").casefold().replace("ё", "е")
    assert folded.original_span(3, 9) == (3, 9)
    # Traditional Chinese still maps back through its pieces.
    trad = "記憶體，晶片"
    assert Folded.of(trad).text == "内存,芯片"
    assert Folded.of(trad).original_span(3, 5) == (4, 6)
