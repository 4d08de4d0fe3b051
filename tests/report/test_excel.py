"""Tests for the Excel check report, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tracker.catalog import Catalog, load_catalog
from tracker.checking import CheckResult, check_items
from tracker.models import MATCH_FIELDS
from tracker.report.excel import (
    FIXED_SHEETS,
    MATCH_COLUMNS,
    RunInfo,
    SheetSpec,
    write_check_report,
)
from tracker.report.workbook import VERDICT_COLOURS

from ..conftest import MINI_DATASETS

RUN = RunInfo(
    command="tracker check electronics nitrocellulose -o r.xlsx",
    run_at=dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.UTC),
    tool_version="9.9.9",
)


@pytest.fixture
def result(mini_catalog: Catalog) -> CheckResult:
    return check_items(
        mini_catalog, ["electronics", "nitrocellulose", "8459.61"], destination="RU"
    )


def _rows(ws: Worksheet) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _find(ws: Worksheet, value: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell.row, cell.column
    raise AssertionError(f"{value!r} not on sheet {ws.title}")


def test_sheets_and_headers(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    wb = load_workbook(path)
    assert wb.sheetnames == list(FIXED_SHEETS)
    matches = wb["Matches"]
    assert _rows(matches)[0] == MATCH_COLUMNS
    assert matches.freeze_panes == "C2"
    assert matches.auto_filter.ref is not None
    assert matches.auto_filter.ref.startswith("A1:")
    header = matches["A1"]
    assert header.font.bold
    assert header.fill.fgColor.rgb.endswith("1F4E78")
    matrix = wb["Matrix"]
    assert _rows(matrix)[0] == ("item", "resolved as", "overall", "alpha", "beta")
    assert wb["Items"]["A1"].value == "item"
    assert wb["Sources"]["A1"].value == "list"
    assert wb["Notes"]["A1"].value == "topic"
    for name in ("Matrix", "Matches", "Items", "Sources", "Notes"):
        assert wb[name].freeze_panes is not None, name


def test_summary_cells(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Summary"]
    labels = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
        for r in range(1, 14)
    }
    assert "as of" in str(labels["Data dates"])
    # the miniature lists are years old on the day the test runs
    assert "bundled data is as of" in str(labels["Data age"])
    assert labels["Question"] == (
        "Which bundled lists cover electronics, nitrocellulose, 8459.61 for export "
        "to RU, on the bundled (current) data?"
    )
    assert labels["Destination"] == "RU"
    assert labels["Run at (UTC)"] == "2026-11-29 12:00:00"
    assert labels["tracker version"] == "9.9.9"
    assert labels["Command"] == RUN.command
    assert str(labels["Important"]).startswith("'not listed' / no match does not mean")
    row, col = _find(ws, "Items per verdict and list")
    head = [ws.cell(row=row + 1, column=c).value for c in range(1, 7)]
    assert head == [
        "list",
        "listed",
        "listed-if",
        "indeterminate",
        "not-listed",
        "applies to destination",
    ]
    alpha = [ws.cell(row=row + 2, column=c).value for c in range(1, 7)]
    assert alpha == ["Alpha priority list (alpha)", 2, 0, 0, 1, "applies"]
    assert len(ws._charts) == 1
    row, _ = _find(ws, "Overall verdict per item")
    assert ws.cell(row=row + 2, column=3).value == "listed"


def test_matrix_verdicts_and_legend(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Matrix"]
    rows = _rows(ws)
    assert rows[1][:5] == ("electronics", "electronics", "listed", "listed", "listed")
    assert rows[2][:5] == (
        "nitrocellulose",
        "nitrocellulose",
        "listed",
        "not-listed",
        "listed",
    )
    assert rows[3][:2] == ("8459.61", "8459.61")
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    formulas = sorted(r.formula[0] for r in rules)
    assert formulas == ['"indeterminate"', '"listed"', '"listed-if"', '"not-listed"']
    _find(ws, "Legend")
    _find(ws, "listed-if")
    comment = ws["D2"].comment
    assert comment is not None
    assert "entries: 854231, 854232" in comment.text


def test_matches_rows_and_links(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Matches"]
    rows = _rows(ws)
    n = sum(len(c.matches) for c in result.items)
    assert len(rows) == n + 1
    first = dict(zip(MATCH_COLUMNS, rows[1], strict=True))
    assert first["item"] == "electronics"
    assert first["list"] == "Alpha priority list (alpha)"
    assert first["entry"] == "854231"
    assert first["basis"] == "exact"
    assert first["query"] == "854231"  # a code is text, never a number
    assert first["since"] == "2024-02-23"
    url_col = MATCH_COLUMNS.index("source_url") + 1
    cell = ws.cell(row=2, column=url_col)
    assert cell.hyperlink is not None
    assert cell.hyperlink.target == "https://example.org/alpha"
    assert cell.value == "example.org"  # the domain shows, the link is whole
    assert set(MATCH_FIELDS) <= set(MATCH_COLUMNS)


def test_items_and_sources(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    wb = load_workbook(path)
    items = _rows(wb["Items"])
    assert items[1][0] == "electronics"
    assert items[1][8] == "8542 8542.31 8542.32"
    assert items[2][9] == "en: nitrocellulose, guncotton"
    sources = wb["Sources"]
    rows = _rows(sources)
    alpha = dict(zip(rows[0], rows[1], strict=True))
    assert alpha["list"] == "alpha"
    assert alpha["version"] == "Test edition 2024"
    assert alpha["as_of"] == "2024-02-23"
    assert alpha["official"] == 2
    digest = result.lists[0].sha256["lists/alpha/entries.csv"]
    assert f"lists/alpha/entries.csv {digest}" in alpha["sha256 of dataset files"]
    _find(sources, "categories.yml")
    row, _ = _find(sources, "Command")
    assert sources.cell(row=row, column=2).value == RUN.command


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    root = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, root)
    entries = root / "lists" / "beta" / "entries.csv"
    text = entries.read_text(encoding="utf-8")
    entries.write_text(
        text.replace("Heading 3912,Whole heading.", "=HYPERLINK(1),@SUM(A1)"),
        encoding="utf-8",
    )
    catalog = load_catalog(root)
    result = check_items(catalog, ["nitrocellulose"])
    path = tmp_path / "report.xlsx"
    extra = SheetSpec("Mentions", ["text", "n"], [["+1+2", 3], ["-cmd", None]])
    write_check_report(result, path, run_info=RUN, extra_sheets=[extra])
    wb = load_workbook(path)
    ws = wb["Matches"]
    title_col = MATCH_COLUMNS.index("title") + 1
    cell = ws.cell(row=2, column=title_col)
    assert cell.value == "=HYPERLINK(1)"
    assert cell.data_type == "s"
    mentions = wb["Mentions"]
    assert mentions["A2"].value == "+1+2"
    assert mentions["A2"].data_type == "s"
    assert mentions["B2"].value == 3
    assert mentions["A3"].data_type == "s"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)


def test_extra_sheets_come_after_matches(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    spec = SheetSpec(
        "Mentions",
        ["mention", "source"],
        [["optics", "https://example.org/a"]],
        link_columns=["source"],
    )
    write_check_report(result, path, run_info=RUN, extra_sheets=[spec])
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Summary",
        "Matrix",
        "Matches",
        "Mentions",
        "Items",
        "Sources",
        "Notes",
    ]
    ws = wb["Mentions"]
    assert _rows(ws)[:2] == [("mention", "source"), ("optics", "example.org")]
    assert ws["B2"].hyperlink is not None
    assert ws["B2"].hyperlink.target == "https://example.org/a"
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("title", ["Matches", "Summary"])
def test_extra_sheet_title_clash(
    tmp_path: Path, result: CheckResult, title: str
) -> None:
    with pytest.raises(ValueError, match="already used"):
        write_check_report(
            result,
            tmp_path / "r.xlsx",
            run_info=RUN,
            extra_sheets=[SheetSpec(title, ["a"], [])],
        )
    assert not (tmp_path / "r.xlsx").exists()


def test_same_inputs_same_cells(tmp_path: Path, mini_catalog: Catalog) -> None:
    def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
        wb = load_workbook(path)
        out = {}
        for ws in wb.worksheets:
            out[ws.title] = [
                tuple(v for v in row)
                for row in ws.iter_rows(values_only=True)
                if "Run at (UTC)" not in row
            ]
        return out

    on = dt.date(2024, 6, 1)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_check_report(
        check_items(mini_catalog, ["electronics"], as_of=on), a, run_info=RUN
    )
    later = RunInfo(
        command=RUN.command,
        run_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        tool_version=RUN.tool_version,
    )
    write_check_report(
        check_items(mini_catalog, ["electronics"], as_of=on), b, run_info=later
    )
    assert cells(a) == cells(b)


def test_written_atomically(
    tmp_path: Path, result: CheckResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("tracker.report.excel.os.replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_check_report(result, path, run_info=RUN)
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_file_mode_follows_umask(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_real_report_has_regimes(tmp_path: Path, real_catalog: Catalog) -> None:
    result = check_items(real_catalog, ["nitrocellulose"], destination="KP")
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Summary"]
    row, _ = _find(ws, "Regimes for destination KP (North Korea (DPRK))")
    assert ws.cell(row=row + 1, column=1).value == "regime"
    names = [ws.cell(row=r, column=1).value for r in range(row + 2, row + 5)]
    assert "UN sanctions on the DPRK" in names


def test_sources_say_what_the_bundled_data_leaves_out(
    tmp_path: Path, real_catalog: Catalog
) -> None:
    result = check_items(real_catalog, ["nitrocellulose"])
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Sources"]
    _, col = _find(ws, "what the bundled data leaves out")
    row, _ = _find(ws, "us_ear_russia")
    assert "Supplements No. 2, 4, 5, 6 and 7" in ws.cell(row=row, column=col).value
    chpl_row, _ = _find(ws, "chpl")
    assert ws.cell(row=chpl_row, column=col).value in (None, "")


def test_print_setup(tmp_path: Path, real_catalog: Catalog) -> None:
    result = check_items(
        real_catalog, ["nitrocellulose", "optics", "machine tools"], destination="RU"
    )
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    wb = load_workbook(path)
    orientation = {ws.title: ws.page_setup.orientation for ws in wb.worksheets}
    assert orientation == {
        "Summary": "portrait",
        "Matrix": "landscape",
        "Matches": "landscape",
        "Items": "portrait",
        "Sources": "landscape",
        "Notes": "portrait",
    }
    for ws in wb.worksheets:
        props = ws.sheet_properties.pageSetUpPr
        assert props is not None and props.fitToPage, ws.title
        # never more than two pages wide, never squeezed in height
        assert ws.page_setup.fitToWidth in (1, 2), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.oddHeader.left.text.startswith("tracker check report: "), ws.title
        assert "nitrocellulose, optics, machine tools" in ws.oddHeader.left.text
        assert ws.oddHeader.right.text == "Run 2026-11-29 12:00 UTC"
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.oddFooter.left.text == "&A"
        if ws.title != "Summary":
            assert ws.print_title_rows == "$1:$1", ws.title
    # the sheets an analyst reads in full fit one page wide
    for name in ("Summary", "Matrix", "Items"):
        assert wb[name].page_setup.fitToWidth == 1, name
    # the wide ones print on two, the item column repeated on the second
    for name in ("Matches", "Sources"):
        assert wb[name].page_setup.fitToWidth == 2, name
        assert wb[name].print_title_cols == "$A:$A", name


def test_headings_are_kept_with_their_tables(
    tmp_path: Path, real_catalog: Catalog
) -> None:
    result = check_items(
        real_catalog, ["nitrocellulose", "optics", "machine tools"], destination="RU"
    )
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Summary"]
    regimes, _ = _find(ws, "Regimes for destination RU (Russia)")
    starts = [b.id + 1 for b in ws.row_breaks.brk]
    assert starts, "the Summary is longer than a page"
    # a page never ends just after a heading
    headings = {
        _find(ws, text)[0]
        for text in (
            "Overall verdict per item",
            "Items per verdict and list",
            "Regimes for destination RU (Russia)",
        )
    }
    for start in starts:
        assert start - 1 not in headings
        assert start - 2 not in headings
    assert regimes in starts or all(s > regimes + 2 or s < regimes for s in starts)


def test_verdict_colours_are_one_scheme(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    wb = load_workbook(path)

    def fills(ws: Worksheet) -> dict[str, str]:
        return {
            r.formula[0].strip('"'): r.dxf.fill.fgColor.rgb[-6:]
            for rng in ws.conditional_formatting
            for r in rng.rules
        }

    matrix, matches = fills(wb["Matrix"]), fills(wb["Matches"])
    assert matrix == matches
    expected = {v: c.fill for v, c in VERDICT_COLOURS.items()}
    assert matrix == expected
    chart = wb["Summary"]._charts[0]
    bars = [str(s.graphicalProperties.solidFill.srgbClr) for s in chart.series]
    assert bars == [VERDICT_COLOURS[v].chart for v in VERDICT_COLOURS]
    for colour in VERDICT_COLOURS.values():
        for rgb in (colour.fill, colour.chart):
            red, green, blue = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
            assert max(red, green, blue) > 0x90, "never black"
            assert not (green > red and green > blue), "never green"
    legend_row, _ = _find(wb["Matrix"], "Legend")
    legend = wb["Matrix"].cell(row=legend_row + 3, column=1)
    assert legend.value == "indeterminate"
    assert legend.fill.fgColor.rgb.endswith(VERDICT_COLOURS["indeterminate"].fill)


def test_matrix_names_its_lists(tmp_path: Path, result: CheckResult) -> None:
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Matrix"]
    row, _ = _find(ws, "Lists (column headings)")
    assert ws.cell(row=row + 1, column=1).value == "alpha"
    assert str(ws.cell(row=row + 1, column=2).value).startswith("Alpha priority list")


def test_long_text_wraps_and_rows_grow(tmp_path: Path, real_catalog: Catalog) -> None:
    result = check_items(real_catalog, ["optics"], destination="RU")
    path = tmp_path / "report.xlsx"
    write_check_report(result, path, run_info=RUN)
    ws = load_workbook(path)["Matches"]
    col = MATCH_COLUMNS.index("condition") + 1
    long = [
        c
        for c in ws.iter_cols(min_col=col, max_col=col, min_row=2)
        for c in c
        if c.value and len(str(c.value)) > 100
    ]
    assert long
    for cell in long:
        assert cell.alignment.wrap_text
        assert (ws.row_dimensions[cell.row].height or 0) > 30
    url_col = MATCH_COLUMNS.index("source_url") + 1
    link = ws.cell(row=2, column=url_col)
    assert link.hyperlink is not None
    assert link.hyperlink.target.startswith("https://")
    assert link.value in link.hyperlink.target and "/" not in link.value
