"""Tests for the `tracker screen` workbook's print layout, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tracker.cli import app
from tracker.report.workbook import VERDICT_COLOURS

runner = CliRunner()

ROWS = (
    "HS code,Description,Destination,Date\n"
    "854231,processors,RU,2024-06-01\n"
    '=HYPERLINK("x"),guncotton,Atlantis,soon\n'
    "610910,shirts,DE,2024-07-01\n"
)


@pytest.fixture
def workbook(tmp_path: Path, use_mini_datasets: Path) -> Path:
    src = tmp_path / "f.csv"
    src.write_text(ROWS)
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_every_sheet_has_a_page_setup(workbook: Path) -> None:
    wb = load_workbook(workbook)
    orientation = {ws.title: ws.page_setup.orientation for ws in wb.worksheets}
    assert orientation == {
        "Summary": "portrait",
        "Rows": "landscape",
        "Issues": "landscape",
        "Sources": "landscape",
    }
    for ws in wb.worksheets:
        props = ws.sheet_properties.pageSetUpPr
        assert props is not None and props.fitToPage, ws.title
        assert ws.page_setup.fitToWidth in (1, 2), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.oddHeader.left.text == "tracker screen report: f.csv", ws.title
        assert ws.oddHeader.right.text.startswith("Run "), ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        if ws.title != "Summary":
            assert ws.print_title_rows == "$1:$1", ws.title
    # the Summary is one page wide; its charts sit below its tables
    summary = wb["Summary"]
    assert summary.page_setup.fitToWidth == 1
    for chart in summary._charts:
        assert chart.anchor._from.col == 0


def test_status_colours_follow_the_verdicts(workbook: Path) -> None:
    wb = load_workbook(workbook)
    rows = wb["Rows"]
    header = [c.value for c in rows[1]]
    col = header.index("tracker_status") + 1
    expected = {"match": "listed", "indeterminate": "indeterminate"}
    expected["no-match"] = "not-listed"
    for r in range(2, rows.max_row + 1):
        cell = rows.cell(row=r, column=col)
        verdict = expected[cell.value]
        assert cell.fill.fgColor.rgb.endswith(VERDICT_COLOURS[verdict].fill)


def test_lists_are_named_and_links_kept(workbook: Path) -> None:
    wb = load_workbook(workbook)
    summary = wb["Summary"]
    names = [c.value for c in summary["A"] if isinstance(c.value, str)]
    assert any(n.endswith("(alpha)") and n != "alpha" for n in names)
    sources = wb["Sources"]
    header = [c.value for c in sources[1]]
    url = sources.cell(row=2, column=header.index("url") + 1)
    assert url.hyperlink is not None
    assert url.hyperlink.target == url.value  # the full address, on paper too
    issues = wb["Issues"]
    assert issues["A1"].fill.fgColor.rgb.endswith("1F4E78")  # a visible header


def test_long_cells_wrap_and_text_stays_text(workbook: Path) -> None:
    wb = load_workbook(workbook)
    rows = wb["Rows"]
    assert rows["A3"].value == '=HYPERLINK("x")'
    assert rows["A3"].data_type == "s"
    issues = wb["Issues"]
    message = issues.cell(row=2, column=5)
    assert message.alignment.wrap_text
    summary = wb["Summary"]
    note = summary["A2"]
    assert str(note.value).startswith("Note: ")
    assert note.alignment.wrap_text
    assert (summary.row_dimensions[2].height or 0) > 15
