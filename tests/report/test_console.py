"""Fitted terminal output: wrapping at spaces, shortening with …, dropping columns."""

from __future__ import annotations

from rich.console import Console

from tracker.report.console import Column, caveat_lines, fit_table, wrap_text


def test_wrap_text_breaks_at_spaces_and_shortens_with_an_ellipsis() -> None:
    assert wrap_text("Telescopic sights for arms", 12) == [
        "Telescopic",
        "sights for",
        "arms",
    ]
    assert wrap_text("Telescopic sights for arms", 12, max_lines=2) == [
        "Telescopic",
        "sights for…",
    ]
    assert wrap_text("https://eur-lex.europa.eu/eli/reg/2014/833/oj", 10) == [
        "https://e…"
    ]
    assert wrap_text("", 10) == [""]


def test_fit_table_drops_low_value_columns_first() -> None:
    columns = [
        Column("entry", min_width=10),
        Column("verified", min_width=10, drop=1),
        Column("source", min_width=30, drop=2),
    ]
    rows = [["Machining centres for metal", "official", "https://example.org/" * 2]]
    _, dropped = fit_table(columns, rows, 30)
    assert dropped == ["source"]
    _, dropped = fit_table(columns, rows, 15)
    assert dropped == ["verified", "source"]
    table, dropped = fit_table(columns, rows, 200)
    assert dropped == []
    console = Console(width=200, file=None, record=True)
    with console.capture() as out:
        console.print(table)
    assert "https://example.org/https://example.org/" in out.get()


def test_stale_caveats_are_one_sentence() -> None:
    caveats = [
        "chpl: bundled data is as of 2024-02-23, 1013 days before 2026-12-02; "
        "later changes to the list are not bundled",
        "uk_russia: bundled data is as of 2022-07-21, 1595 days before 2026-12-02; "
        "later changes to the list are not bundled",
        "something else",
    ]
    assert caveat_lines(caveats) == [
        "Data age on 2026-12-02: chpl 1013 days, uk_russia 1595 days; later "
        "changes to these lists are not bundled.",
        "Data age: something else",
    ]
