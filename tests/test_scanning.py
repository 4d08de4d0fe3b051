"""Finding goods, codes and countries in text (tracker.scanning)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import FIXTURES, MINI_DATASETS, REAL_DATASETS
from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.checking import check_items
from tracker.exc import DatasetError
from tracker.scan_check import check_scan, scan_destinations, scan_items
from tracker.scanning import (
    Scanner,
    ScanResult,
    _Sentences,
    scan_text,
)
from tracker.text import code_points, iter_source_text, open_text, sentence_at

CORPUS = FIXTURES / "scan_corpus"
EXPECTED = {
    name: spec
    for name, spec in json.loads(
        (CORPUS / "expected.json").read_text(encoding="utf-8")
    ).items()
    if not name.startswith("_")
}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner.from_catalog(load_catalog(REAL_DATASETS))


def _scan(scanner: Scanner, text: str) -> ScanResult:
    return scanner.scan(text)


def _strong(result: ScanResult) -> list[str | None]:
    return [m.category for m in result.mentions if m.strength == "strong"]


def test_corpus_has_twenty_texts_in_five_languages() -> None:
    assert len(EXPECTED) >= 20
    assert {name.split("_")[0] for name in EXPECTED} >= {"en", "ru", "uk", "zh", "de"}
    assert sorted(EXPECTED) == sorted(
        p.name for p in CORPUS.iterdir() if p.name != "expected.json"
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_text_gives_the_expected_findings(scanner: Scanner, name: str) -> None:
    result = scanner.scan(iter_source_text(open_text(str(CORPUS / name))))
    spec = EXPECTED[name]
    got = {
        "strong": {m.category for m in result.mentions if m.strength == "strong"},
        "weak": {m.category for m in result.mentions if m.strength == "weak"},
        "codes": set(result.code_values()),
        "countries": {c.iso2 for c in result.countries()},
    }
    for kind in ("strong", "weak", "codes", "countries"):
        assert got[kind] == set(spec[kind]), (name, kind, result)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Нитроцеллюлоза поступила.", "nitrocellulose"),
        ("Партия нитроцеллюлозы задержана.", "nitrocellulose"),
        ("Они купили нитроцеллюлозу.", "nitrocellulose"),
        ("Торговля нитроцеллюлозой растёт.", "nitrocellulose"),
        ("Новый станок прибыл.", "machine_tools"),
        ("Станки прибыли.", "machine_tools"),
        ("Ввоз станков вырос.", "machine_tools"),
        ("Спрос на станки с ЧПУ.", "machine_tools"),
        ("Імпорт верстатів зріс.", "machine_tools"),
        ("Купили нітроцелюлозу.", "nitrocellulose"),
        ("They ship machine tools.", "machine_tools"),
        ("They ship machine-tools.", "machine_tools"),
        ("They ship a machine tool.", "machine_tools"),
        ("Two CNC-machines.", "machine_tools"),
        ("Deliveries of ball-bearings.", "bearings"),
        ("Lieferung von Werkzeugmaschinen.", "machine_tools"),
        ("Schießpulver und mehr", "propellant_powder"),
        ("SCHIESSPULVER und mehr", "propellant_powder"),
        ("企业出口硝化纤维到国外", "nitrocellulose"),
        ("进口数控机床", "machine_tools"),
        ("Russia's drones", "uavs"),
    ],
)
def test_inflected_and_variant_forms(
    scanner: Scanner, text: str, category: str
) -> None:
    assert _strong(_scan(scanner, text)) == [category], text


@pytest.mark.parametrize(
    "text",
    [
        "The start-up uses machine learning for routing.",
        "Fibre-optic broadband reaches the village.",
        "A famous optical illusion.",
        "The frame has a powder coating.",
        "Bearing in mind the costs, they waited.",
        "Стартап применяет машинное обучение.",
        "这家公司用机器学习。",
        "Die Firma nutzt maschinelles Lernen.",
        "Opticians and lensing effects, chinaware and Irani-style",
        "Tell us about it.",
        "A primer on export controls; the flour mill; sea shells.",
        "The power supply to the city was cut again.",
        "双方会谈火药味十足，他在镜头前发言。",
    ],
)
def test_traps_and_word_boundaries_give_nothing(scanner: Scanner, text: str) -> None:
    result = _scan(scanner, text)
    assert (result.mentions, result.codes, result.country_mentions) == ((), (), ())


def test_country_names_written_as_they_must_be(scanner: Scanner) -> None:
    # US and КНДР count only as written (upper case), listed or counted.
    text = (
        "Exports to the US rose. Tell us more, Us. Поставки в КНДР и в кндр, "
        "Кндр. US-made optics to the USA and U.S."
    )
    listed = scanner.scan(text)
    assert [(m.text, m.start) for m in listed.country_mentions] == [
        ("US", 15),
        ("КНДР", 53),
        ("US", 74),
        ("USA", 96),
        ("U.S.", 104),
    ]
    counted = scanner.scan(text, country_mentions=False)
    assert counted.countries() == listed.countries()
    assert [(c.iso2, c.count, c.aliases) for c in counted.countries()] == [
        ("US", 4, ("US", "USA", "U.S.")),
        ("KP", 1, ("КНДР",)),
    ]


def test_weak_words_are_weak_and_longest_match_wins(scanner: Scanner) -> None:
    result = _scan(scanner, "Machines, machine tools and electronic components.")
    found = [(m.text, m.category, m.strength) for m in result.mentions]
    assert found == [
        ("Machines", "machine_tools", "weak"),
        ("machine tools", "machine_tools", "strong"),
        ("electronic components", "electronics", "strong"),
    ]
    assert result.categories() == ["machine_tools", "electronics"]
    assert result.categories(include_weak=True) == ["machine_tools", "electronics"]


def test_mention_carries_span_sentence_alias_and_codes(scanner: Scanner) -> None:
    text = "Straße news. Большие партии нитроцеллюлозы ушли в КНР. Ende."
    result = _scan(scanner, text)
    (m,) = result.mentions
    assert text[m.start : m.end] == m.text == "нитроцеллюлозы"
    assert (m.alias, m.language, m.rule) == ("нитроцеллюлоза", "ru", "alias")
    assert m.sentence == "Большие партии нитроцеллюлозы ушли в КНР."
    assert m.hs_codes == ("391220",)
    (c,) = result.country_mentions
    assert (c.iso2, c.alias, text[c.start : c.end]) == ("CN", "КНР", "КНР")


def test_parent_category_lists_the_codes_below_it(scanner: Scanner) -> None:
    (m,) = _scan(scanner, "They sell optics.").mentions
    assert m.category == "optics"
    assert "901310" in m.hs_codes and "9005" in m.hs_codes


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("under HS 8482.10 and CN code 9013 10 90", ["848210", "90131090"]),
        ("ТН ВЭД 8457", ["8457"]),
        ("line 8525 89 00 covered cameras", ["85258900"]),
        ("海关编码：8542310000", ["8542310000"]),
        ("HS codes 8482.10, 8482.20 and 8482.30", ["848210", "848220", "848230"]),
        ("Zolltarifnummer 3912 20", ["391220"]),
        ("In 2023 prices rose 12.5% to 1 200 000.", []),
        ("Invoice 2024.03.15 paid; cost $1234.56", []),
        ("Sold 8482 units for 9013.10 euros", []),
        ("under HS 2022 the heading changed", []),
        ("version 3.4.7 and 8525 8900", []),
        ("crosswalks HS07/HS12 and HS10 statistics; HS 85 is a chapter", ["85"]),
    ],
)
def test_codes_need_a_label_or_a_code_shape(
    scanner: Scanner, text: str, codes: list[str]
) -> None:
    assert _scan(scanner, text).code_values() == codes


def test_code_mention_keeps_label_and_raw_form(scanner: Scanner) -> None:
    (c,) = _scan(scanner, "Поставки по ТН ВЭД 8457 10 выросли.").codes
    assert (c.code, c.normalised, c.display, c.rule, c.label) == (
        "8457 10",
        "845710",
        "8457.10",
        "labelled",
        "ТН ВЭД",
    )


def test_longest_country_name_wins(scanner: Scanner) -> None:
    result = _scan(scanner, "白俄罗斯和俄罗斯; North Korea and South Korea; the DPRK")
    assert [c.iso2 for c in result.country_mentions] == ["BY", "RU", "KP", "KR", "KP"]


def test_small_chunks_give_the_same_findings(scanner: Scanner) -> None:
    text = " ".join(
        (CORPUS / name).read_text(encoding="utf-8")
        for name in sorted(EXPECTED)
        if name.endswith(".txt")
    )
    whole = scanner.scan(text)
    pieces = [text[i : i + 50] for i in range(0, len(text), 50)]
    chunked = scanner.scan(pieces, chunk_size=300)
    assert chunked == whole
    for m in chunked.mentions:
        assert text[m.start : m.end] == m.text


def _corpus_text() -> str:
    return " ".join(
        (CORPUS / name).read_text(encoding="utf-8")
        for name in sorted(EXPECTED)
        if name.endswith(".txt")
    )


def test_worker_processes_give_the_same_findings(scanner: Scanner) -> None:
    text = _corpus_text()
    for detail in (True, False):
        alone = scanner.scan(text, chunk_size=400, country_mentions=detail)
        shared = scanner.scan(text, chunk_size=400, country_mentions=detail, workers=2)
        assert shared == alone
        assert shared.countries() == alone.countries()


def test_goods_encoded_where_found_are_the_rows_in_blocks(scanner: Scanner) -> None:
    import pickle

    text = _corpus_text()
    plain = scanner.scan(text, chunk_size=400, country_mentions=False)
    assert len(plain.goods_rows) > 20
    for workers in (1, 2):
        encoded = scanner.scan(
            text,
            chunk_size=400,
            country_mentions=False,
            workers=workers,
            encode_goods=pickle.dumps,
        )
        assert encoded.goods_rows == []
        assert encoded.goods_blocks is not None and len(encoded.goods_blocks) > 1
        rows = [row for block in encoded.goods_blocks for row in pickle.loads(block)]
        assert rows == plain.goods_rows
        assert encoded.goods_count == len(plain.goods_rows)
        for weak in (False, True):
            assert encoded.categories(include_weak=weak) == plain.categories(
                include_weak=weak
            )
        assert encoded.code_rows == plain.code_rows
        assert encoded.countries() == plain.countries()
        with pytest.raises(ValueError, match="encoded"):
            _ = encoded.mentions


def test_counting_countries_gives_the_same_counts(scanner: Scanner) -> None:
    text = _corpus_text()
    counted = scanner.scan(text, country_mentions=False)
    listed = scanner.scan(text)
    assert counted.countries() == listed.countries()
    assert counted.mentions == listed.mentions
    assert counted.codes == listed.codes
    assert sum(c.count for c in listed.countries()) == len(listed.country_mentions)
    with pytest.raises(ValueError, match="only counted"):
        _ = counted.country_mentions


@given(
    st.lists(
        st.sampled_from(
            [
                "Iran",
                "North Korea",
                "Korea",
                "South Korea",
                "КНДР",
                "кндр",
                "Kazakhstan",
                "Kazakh",
                "the US",
                "us",
                "Russian Federation",
                "Russia",
                "Росії",
                "香港",
                "伊朗",
                "optics",
                "goods.",
                "\n",
            ]
        ),
        max_size=40,
    ),
    st.sampled_from([40, 200, 100_000]),
)
def test_counted_countries_equal_the_listed_ones(
    scanner: Scanner, words: list[str], chunk_size: int
) -> None:
    # Country names alone (counted in bulk, in text order) and overlapping
    # (North Korea, Korea), in one chunk or many.
    text = " ".join(words)
    counted = scanner.scan(text, chunk_size=chunk_size, country_mentions=False)
    listed = scanner.scan(text, chunk_size=chunk_size)
    assert counted.countries() == listed.countries()
    assert sum(c.count for c in listed.countries()) == len(listed.country_mentions)


@given(
    st.text(alphabet="ab .!?…\t\n。！？", max_size=1400),
    st.integers(0, 1400),
    st.integers(0, 30),
)
def test_sentences_are_those_of_sentence_at(text: str, start: int, width: int) -> None:
    start = min(start, len(text))
    end = min(len(text), start + width)
    expected = sentence_at(text, start, end)
    assert _Sentences(text).around(start, end) == expected
    # The marks found from the code points (a text of several chunks): the same.
    assert _Sentences(text, code_points(text)).around(start, end) == expected


@given(
    st.text(alphabet="ab  .!?…\t\n。！？", min_size=1, max_size=1400),
    st.lists(st.tuples(st.integers(0, 1400), st.integers(0, 30)), min_size=32),
)
def test_sentences_of_many_spans_at_once_are_those_of_sentence_at(
    text: str, spans: list[tuple[int, int]]
) -> None:
    pairs = []
    for start, width in spans:
        start = min(start, len(text))
        pairs.append((start, min(len(text), start + width)))
    expected = [sentence_at(text, s, e) for s, e in pairs]
    assert _Sentences(text, code_points(text)).around_all(pairs) == expected
    assert _Sentences(text).around_all(pairs) == expected


def test_sentences_of_every_short_span_at_mark_and_window_edges() -> None:
    # Spans that end inside a two-character mark, and marks that end just at
    # or one past the start of the window (starts 500-530 of the long texts;
    # after a dot and a tab, the window's first space is further on).
    head = "ab. cd.\tef! gh\nij。kl? mn"
    for text in (head * 3, head + "z" * 600, "ab.\tcd ef" + "z" * 600):
        spans = [
            (s, e)
            for s in range(len(text) + 1)
            for e in range(s, min(len(text), s + 4) + 1)
        ]
        expected = [sentence_at(text, s, e) for s, e in spans]
        assert _Sentences(text, code_points(text)).around_all(spans) == expected


def test_sentences_of_many_spans_in_a_long_sentence_start_after_a_space() -> None:
    # No mark within the window before a span: the sentence starts after the
    # first space in the window (the branch the property test rarely reaches).
    text = "intro. " + "word " * 400 + "end."
    pairs = [(1500 + k, 1504 + k) for k in range(40)]
    expected = [sentence_at(text, s, e) for s, e in pairs]
    assert not expected[0].startswith("intro")
    assert _Sentences(text, code_points(text)).around_all(pairs) == expected


@given(st.text(alphabet="ab .!?…\t\n。！？", max_size=200))
def test_sentence_marks_from_code_points_are_those_of_the_pattern(text: str) -> None:
    from tracker.sentence_index import _SENTENCE_MARK, _mark_ends

    points = code_points(text)
    assert points is not None
    marks = [m.end() for m in _SENTENCE_MARK.finditer(text)]
    assert _mark_ends(points).tolist() == marks


def test_destinations_rule(scanner: Scanner) -> None:
    catalog = scanner.catalog
    result = _scan(scanner, "Iran and China supply Syria; North Korea too.")
    assert scan_destinations(catalog, result) == ["RU", "IR", "SY", "KP"]
    assert scan_destinations(catalog, result, "kz") == ["KZ"]
    assert scan_destinations(catalog, _scan(scanner, "Optics.")) == ["RU"]


def test_check_scan_checks_strong_goods_and_codes(scanner: Scanner) -> None:
    catalog = scanner.catalog
    result = _scan(scanner, "Nitrocellulose, machines and HS 8482.10 went to Iran.")
    assert [i.query for i in scan_items(catalog, result)] == [
        "nitrocellulose",
        "848210",
    ]
    weak = scan_items(catalog, result, include_weak=True)
    assert [i.query for i in weak] == ["nitrocellulose", "machine_tools", "848210"]
    checks = check_scan(catalog, result)
    assert [c.destination for c in checks] == ["RU", "IR"]
    assert [c.item.query for c in checks[0].items] == ["nitrocellulose", "848210"]
    assert checks[0].items[0].verdict == "listed"


def test_check_scan_finds_the_matches_of_an_item_once_for_all_destinations(
    scanner: Scanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.checking as checking

    catalog = scanner.catalog
    result = _scan(
        scanner,
        "Nitrocellulose, CNC lathes, drones and HS 8482.10 went to Iran, "
        "Belarus and North Korea; HS 9013 10 90 too.",
    )
    items = scan_items(catalog, result)
    dests = scan_destinations(catalog, result)
    assert len(items) >= 4 and len(dests) == 4
    each = [check_items(catalog, items, destination=d) for d in dests]
    calls: list[str] = []
    find = checking._item_matches

    def counted(*args: Any) -> Any:
        calls.append(args[1].query)
        return find(*args)

    monkeypatch.setattr(checking, "_item_matches", counted)
    assert check_scan(catalog, result) == each
    assert calls == [i.query for i in items]


def test_scan_text_on_the_mini_catalogue(mini_catalog: Catalog) -> None:
    result = scan_text(mini_catalog, "Microchips and guncotton from China.")
    assert _strong(result) == ["integrated_circuits", "nitrocellulose"]
    assert [c.iso2 for c in result.countries()] == ["CN"]


def _copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, root)
    return root


def test_validate_reports_country_and_rule_problems(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    (root / "countries.yml").write_text(
        '- iso2: "RUS"\n  name: Russia\n'
        '- iso2: "cn"\n  name: China\n  aliases: {xx: [China]}\n',
        encoding="utf-8",
    )
    (root / "scan_rules.yml").write_text(
        "weak:\n  - category: nonsense\n    aliases: {en: [stuff]}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in validate_datasets(root).problems]
    assert problems == [
        "countries.yml item 1 field 'iso2': String should match pattern "
        "'^[a-z]{2}$' (value 'RUS')",
        "countries.yml item 2 field 'aliases.xx': unknown language 'xx'; use one "
        "of en, ru, uk, zh, de",
        "scan_rules.yml field 'weak.0.category': unknown category 'nonsense'",
    ]


def test_missing_countries_file_is_a_dataset_error(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path)
    (root / "countries.yml").unlink()
    with pytest.raises(DatasetError, match="countries.yml is missing"):
        Scanner.from_catalog(load_catalog(root))


def test_real_scan_files_are_valid() -> None:
    report = validate_datasets(REAL_DATASETS)
    assert report.valid, report.problems


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".txt")))
def test_case_and_spacing_do_not_change_goods(scanner: Scanner, name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    goods = {(m.category, m.strength) for m in scanner.scan(text).mentions}
    for variant in (text.upper(), text.replace(" ", "  "), text.replace(" ", "\n")):
        assert {(m.category, m.strength) for m in scanner.scan(variant).mentions} >= (
            goods
        ), (name, variant)


# -- one goods-name matcher: Traditional Chinese, CNC ---------------------------


@pytest.mark.parametrize(
    ("traditional", "simplified", "category"),
    [
        ("無人機", "无人机", "uavs"),
        ("晶片", "芯片", "integrated_circuits"),  # Taiwan's word for the chip
        ("電晶體", "晶体管", "semiconductors"),  # Taiwan's word for the transistor
        ("慣性導航系統", "惯性导航系统", "navigation_gnss"),
    ],
)
def test_traditional_chinese_is_read_as_simplified(
    scanner: Scanner, traditional: str, simplified: str, category: str
) -> None:
    text = f"出口{traditional}到俄罗斯。"
    result = scanner.scan(text)
    assert _strong(result) == [category]
    (m,) = result.mentions
    assert (m.text, m.start, m.end) == (traditional, 2, 2 + len(traditional))
    assert _strong(scanner.scan(simplified)) == [category]


def test_traditional_navigation_system_reads_as_the_simplified_one(
    scanner: Scanner,
) -> None:
    # 导航系统 alone names no category (the alias is 惯性导航系统); the
    # Traditional form says the same.
    assert _strong(scanner.scan("導航系統")) == _strong(scanner.scan("导航系统"))


def test_converted_phrase_of_another_length_keeps_offsets(scanner: Scanner) -> None:
    # OpenCC reads 記憶體晶片 as 内存芯片 (5 characters as 4): the chip is
    # still found at 晶片 in the original text.
    text = "我們的記憶體晶片和無人機。"
    found = [(m.text, m.start, m.end) for m in scanner.scan(text).mentions]
    assert found == [("晶片", 6, 8), ("無人機", 9, 12)]


def test_computer_numerical_control_is_no_computer(scanner: Scanner) -> None:
    for text in (
        "computer numerical control (CNC) lathes",
        "Computer-Numerical-Control machines",
        "computer numerically controlled milling machine",
    ):
        assert "computers" not in _strong(scanner.scan(text)), text
    assert "numerical_controls" in _strong(
        scanner.scan("computer numerical control (CNC)")
    )
    # the trap is about the phrase only
    assert "computers" in _strong(scanner.scan("a computer and a CNC lathe"))


def test_goods_names_are_the_strong_mentions(scanner: Scanner) -> None:
    text = "CNC lathes, machine-tools and spare parts; нитроцеллюлозы"
    assert scanner.goods_names(text) == [
        ("CNC lathe", "cnc_lathes"),
        ("machine tools", "machine_tools"),
        ("нитроцеллюлоза", "nitrocellulose"),
    ]
    assert scanner.goods_names("") == []


def test_shortcuts_of_confirmation_change_no_finding(
    scanner: Scanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain aliases without their regex (or decided by the characters after
    their key), the first of several plain aliases of one thing standing for
    all, one search for the aliases with a lead (and a substring test of each
    one's first word), and Chinese names taken as found, find what running
    every alias's own pattern finds."""
    import tracker.scanning as scanning

    edge = (
        "Iran, Iran_x Iranx iran. Irans; Kazakhstan Kazakh lasers laser_ LASERS "
        "a sewing machine, CNC machines and a machine; im Lager, Kugellager, Lager. "
        "fibre optics, optics_ optic Нитроцеллюлоза нитроцеллюлозы_ Россия Iran "
        "China, Chinas chinese Belarus; Belarusian laser, lasers Laser-Diode "
        "Китаю Китайский китаец Китаем, Ірану Іраном іранці Kazakhstan Kazakhs "
        "Kyrgyzstan Росією россиянин Беларуси_ Irans1 lasers2 "
        "经哈萨克斯坦和香港转运的无人机与数控机床 "
    )
    text = _corpus_text() + " " + edge
    fast = scanner.scan(text, country_mentions=True)
    assert any(s.plain for s in scanner._specs)
    monkeypatch.setattr(scanning, "_is_plain", lambda pattern, key: False)
    monkeypatch.setattr(scanning, "_lead_filter", lambda specs: None)
    monkeypatch.setattr(scanning, "_first_plain", lambda specs: None)
    monkeypatch.setattr(scanning, "_is_literal", lambda pattern, key: False)
    slow_scanner = Scanner(scanner.catalog, scanner.countries, scanner.rules)
    assert not any(s.plain or s.literal for s in slow_scanner._specs)
    assert any(s.literal for s in scanner._specs)
    slow = slow_scanner.scan(text, country_mentions=True)
    assert fast == slow
    assert fast.countries() == slow.countries()
    assert len(fast.goods_rows) > 50


def test_plain_aliases_are_one_word_with_endings() -> None:
    from tracker.scanning import _is_plain

    assert _is_plain(r"laser(?:es|s)?(?!\w)", "laser")
    assert _is_plain(r"iran(?!\w)", "iran")
    assert not _is_plain(r"laser(?:es|s)?(?!\w)", "lase")
    assert not _is_plain(r"cnc(?:s)?(?:[\s\-]+|)machine(?:es|s)?(?!\w)", "cnc")
    assert not _is_plain(r"含能材料", "含能材料")


def _keep_longest_reference(hits: list[Any]) -> list[Any]:
    """_keep_longest as first written (tuples for the spans)."""
    hits = sorted(hits)
    kept: list[Any] = []
    group: list[Any] = []
    group_span = (-1, -1)
    max_end = -1
    max_span = (-1, -1)
    for s, neg, rank, _, spec in hits:
        e = s - neg
        if e <= max_end and (s, e) != max_span:
            continue
        if (s, e) == group_span:
            if any(k.rank < rank or k.target == spec.target for k in group):
                continue
            group.append(spec)
        else:
            group = [spec]
            group_span = (s, e)
        kept.append((s, e, spec))
        if e > max_end:
            max_end, max_span = e, (s, e)
    return kept


@given(
    st.lists(
        st.tuples(
            st.integers(0, 12), st.integers(1, 5), st.integers(0, 2), st.integers(0, 2)
        ),
        max_size=30,
    )
)
def test_keep_longest_keeps_what_it_kept_with_tuples(
    raw: list[tuple[int, int, int, int]],
) -> None:
    from types import SimpleNamespace

    from tracker.scanning import _keep_longest

    specs = [
        SimpleNamespace(rank=rank, target=str(target))
        for rank in range(3)
        for target in range(3)
    ]
    hits: list[Any] = [
        (s, -width, rank, seq, specs[rank * 3 + target])
        for seq, (s, width, rank, target) in enumerate(raw)
    ]
    expected = _keep_longest_reference(list(hits))
    assert _keep_longest(list(hits)) == expected


def test_first_plain_alias_stands_only_for_aliases_of_the_same_thing() -> None:
    from tracker.scanning import _compile, _first_plain

    def spec(kind: Any, target: str, alias: str, lang: str = "en") -> Any:
        compiled = _compile(kind, target, alias, lang)
        assert compiled is not None
        return compiled[1]

    iran_en, iran_de = (
        spec("country", "ir", "Iran"),
        spec("country", "ir", "Iran", "de"),
    )
    assert _first_plain([iran_en, iran_de]) is iran_en
    assert _first_plain([iran_en, spec("country", "xx", "Iran")]) is None
    assert (
        _first_plain([spec("strong", "ir", "Iran"), spec("weak", "ir", "Iran")]) is None
    )
    assert _first_plain([iran_en, spec("country", "ir", "IRAN")]) is None  # acronym
    assert _first_plain([iran_en, spec("country", "ir", "Iran Republic")]) is None
    assert _first_plain([spec("trap", "", "Iran"), spec("trap", "", "Iran")]) is None


def _key_hits_reference(keys: list[str], text: str) -> list[tuple[int, int, int]]:
    """Every occurrence of every key, by end and, of one end, longest first."""
    hits = []
    for i, key in enumerate(keys):
        at = text.find(key)
        while at >= 0:
            hits.append((i, at, at + len(key)))
            at = text.find(key, at + 1)
    return sorted(hits, key=lambda h: (h[2], h[1]))


@given(
    st.lists(st.text("abс中文 ", min_size=1, max_size=4), min_size=1, max_size=8),
    st.text("abс中文 .", max_size=60),
)
def test_key_search_finds_every_occurrence_in_the_order_collect_reads(
    keys: list[str], text: str
) -> None:
    # Scanner._collect confirms key hits in this order (later hits of one
    # span lose ties in _keep_longest); a plain search is the reference.
    from tracker.scanning import _finder

    keys = list(dict.fromkeys(keys))
    assert _finder(keys)(text, overlapping=True) == _key_hits_reference(keys, text)


def test_cjk_keys_are_found_in_the_whole_text_as_in_its_cjk_words(
    scanner: Scanner,
) -> None:
    # The CJK keys are searched for in the whole text: they must hit there
    # exactly where they hit in the runs of CJK characters (and the word
    # characters after them) that they were once searched for in.
    import re

    from tracker.text import CJK_CHARS, fold

    words = re.compile(f"[{CJK_CHARS}][{CJK_CHARS}\\w]*")
    text = fold(
        "硝化纤维和数控机床经香港转运。CNC数控机床x轴承,轴承7 无人机-无人机 "
        "gps模块 集成电路ab集成电路。热像仪 热 像仪 俄罗斯伊朗 Кита 中国Russia"
        + _corpus_text()
    )
    find = scanner._find_cjk
    assert find is not None
    whole = find(text, overlapping=True)
    by_word = [
        (i, w.start() + s, w.start() + e)
        for w in words.finditer(text)
        for i, s, e in find(w.group(), overlapping=True)
    ]
    assert whole == by_word
    assert len(whole) > 20


@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, "optics", "lasers", "drones"]),
            st.sampled_from(["strong", "weak"]),
            st.booleans(),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_categories_in_order_of_first_mention(
    rows: list[tuple[str | None, str, bool]], include_weak: bool
) -> None:
    # Rows of one alias share an info tuple, or carry an equal copy of it (as
    # after merging the chunks of forked workers).
    shared: dict[tuple[str | None, str], Any] = {}
    goods_rows: list[Any] = []
    for category, strength, copy in rows:
        info = shared.setdefault(
            (category, strength),
            (category, None, (), "alias", "en", "alias", strength),
        )
        if copy:
            info = tuple(list(info))
        goods_rows.append((info, "text", 0, 4, "sentence"))
    expected = list(
        dict.fromkeys(
            c for c, strength, _ in rows if c and (include_weak or strength == "strong")
        )
    )
    result = ScanResult(goods_rows=goods_rows)
    assert result.categories(include_weak=include_weak) == expected


@given(st.text(alphabet="0123456789 .,-hs:код", max_size=120))
def test_codes_found_from_code_points_are_those_found_from_the_text(text: str) -> None:
    from tracker.code_mentions import find_codes

    points = code_points(text)
    assert points is not None
    assert find_codes(text, points) == find_codes(text)


def test_codes_found_from_code_points_in_a_folded_chunk() -> None:
    from tracker.code_mentions import find_codes
    from tracker.text import Folded, prepare_code_point_tables

    prepare_code_point_tables()
    text = (
        "Ｐｒｉｃｅ 12 ｕｎｄｅｒ HS ８５４２.３１, 8471 and 2023.10.05; ТН ВЭД 8526 91 "
        * 20
    )
    folded = Folded.of(text, code_points(text))
    assert folded.points is not None
    found = find_codes(folded.text, folded.points)
    assert found == find_codes(folded.text)
    assert {hit[4] for hit in found} >= {"854231", "8471", "852691"}


def test_a_failure_while_reading_ends_the_worker_processes(scanner: Scanner) -> None:
    import multiprocessing
    import time

    from tracker.exc import InputError

    def pieces() -> Iterator[str]:
        for _ in range(5):
            yield "Lasers went to Iran through Armenia. " * 20
        raise InputError("sample.txt: byte 0xff at offset 4000 does not decode")

    with pytest.raises(InputError, match="does not decode"):
        scanner.scan(pieces(), chunk_size=300, workers=2)
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    "text",
    [
        "Перед Китаями стоят. Перед Китаямиш стоят. Kazakhs; Kazakhsx.",
        "Перед Китаямиш стоят. Перед Китаями стоят. Kazakhsx; Kazakhs.",
    ],
)
def test_a_plain_alias_is_decided_by_the_characters_after_its_key(
    scanner: Scanner, text: str
) -> None:
    # The same key with the same ending, then a word character or not: the
    # remembered answer of one must not decide the other (either order).
    fresh = Scanner.from_catalog(scanner.catalog)
    once = fresh.scan(text, country_mentions=True)
    again = fresh.scan(text, country_mentions=True)
    assert again == once
    named = sorted((m.text, m.iso2) for m in once.country_mentions)
    assert named == [("Kazakhs", "KZ"), ("Китаями", "CN")]


def test_the_automata_of_long_texts_find_the_same_key_hits(scanner: Scanner) -> None:
    from tracker.scanning import _finder
    from tracker.text import fold

    text = fold(_corpus_text())
    for keys in (scanner._keys, scanner._cjk_keys):
        compact = _finder(keys)(text, overlapping=True)
        assert len(compact) > 30
        assert _finder(keys, dense=True)(text, overlapping=True) == compact
