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
        # XlsxWriter leaves out fitToWidth="1": 1 is the attribute's default
        assert (ws.page_setup.fitToWidth or 1) in (1, 2), ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.oddHeader.left.text == "tracker screen report: f.csv", ws.title
        assert ws.oddHeader.right.text.startswith("Run "), ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        if ws.title != "Summary":
            assert ws.print_title_rows == "$1:$1", ws.title
    # the Summary is one page wide; its charts sit below its tables
    summary = wb["Summary"]
    assert (summary.page_setup.fitToWidth or 1) == 1
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


RISKY = ["=1+1", "+cmd|' /C calc'!A0", "-5", "@SUM(A1)", "=" + "x" * 80]


def test_formula_like_text_is_written_as_text(
    tmp_path: Path, use_mini_datasets: Path
) -> None:
    import csv
    import zipfile

    src = tmp_path / "f.csv"
    with src.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["HS code", "Note", "Destination"])
        for value in RISKY:
            # risky text as a note, as a code (an issue too) and as a destination
            out.writerow(["854231", value, "RU"])
            out.writerow([value, "n", value])
    xlsx = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["screen", str(src), "-o", str(xlsx), "-q"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode(), name  # no formula cell
    rows = load_workbook(xlsx)["Rows"]
    for i, value in enumerate(RISKY):
        note = rows.cell(row=2 + 2 * i, column=2)
        code = rows.cell(row=3 + 2 * i, column=1)
        dest = rows.cell(row=3 + 2 * i, column=3)
        for cell in (note, code, dest):
            assert (cell.value, cell.data_type) == (value, "s")
    # the long one wraps: its row is taller, every cell at the top
    tall = 2 + 2 * (len(RISKY) - 1)
    assert (rows.row_dimensions[tall].height or 0) > 15
    assert rows.cell(row=tall, column=2).alignment.wrap_text
    assert rows.cell(row=tall, column=1).alignment.vertical == "top"
    issues = load_workbook(xlsx)["Issues"]
    values = {c.value: c.data_type for c in issues["D"][1:] if c.value}
    assert values.get("=1+1") == "s"


def test_control_characters_and_numbers_survive(
    tmp_path: Path, use_mini_datasets: Path
) -> None:
    src = tmp_path / "f.csv"
    src.write_text('HS code,Note\n854231,"a\x01b"\n')
    xlsx = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["screen", str(src), "-o", str(xlsx), "-q"])
    assert result.exit_code == 0, result.output
    rows = load_workbook(xlsx)["Rows"]
    header = [c.value for c in rows[1]]
    # written as Excel's escape _x0001_ (valid XML); Excel shows the character,
    # openpyxl returns the escape as it is
    assert rows.cell(row=2, column=2).value in ("a\x01b", "a_x0001_b")
    row_number = rows.cell(row=2, column=header.index("tracker_row") + 1)
    assert (row_number.value, row_number.data_type) == (2, "n")


def test_row_heights_do_not_pile_up_in_memory(tmp_path: Path) -> None:
    # XlsxWriter keeps every row's height until the workbook closes, even in
    # constant-memory mode; the writer drops them once a row is written, and
    # the heights still reach the file.
    import pyarrow as pa

    from tracker.report.screen_excel import _SLICE_ROWS, ScreenExcelWriter

    rows = 2 * _SLICE_ROWS + 10
    long = " ".join(["word"] * 60)  # wraps over several lines
    table = pa.table(
        {
            "HS code": pa.array(["854231"] * rows),
            "Note": pa.array([long if i % 2 else "short" for i in range(rows)]),
        }
    )
    out = tmp_path / "rows.xlsx"
    writer = ScreenExcelWriter(out, ["HS code", "Note"])
    writer.write(table)
    ws = writer._sheets[0].ws
    assert len(ws.row_info) <= _SLICE_ROWS
    writer.abort()
    writer = ScreenExcelWriter(out, ["HS code", "Note"])
    writer.write(table)
    writer._wb.close()  # the other sheets need a catalogue: not here
    writer._tmp.replace(out)
    sheet = load_workbook(out)["Rows"]
    for row in (2, 3, rows, rows + 1):  # 1-based, below the header
        tall = row % 2 == 1  # data row i = row - 2 is long when odd
        height = sheet.row_dimensions[row].height
        assert (height is not None and height > 15) == tall, (row, height)
        assert bool(sheet.cell(row=row, column=2).alignment.wrap_text) == tall


def test_empty_texts_are_no_cells(workbook: Path) -> None:
    # An empty text (no lists, no notes, ...) is left out, as XlsxWriter's
    # write() leaves it: no empty inline strings in the Rows sheet.
    import zipfile

    rows = load_workbook(workbook)["Rows"]
    header = [c.value for c in rows[1]]
    lists = header.index("tracker_lists") + 1
    statuses = [
        rows.cell(row=r, column=header.index("tracker_status") + 1).value
        for r in range(2, rows.max_row + 1)
    ]
    empty = [
        r
        for r, s in zip(range(2, rows.max_row + 1), statuses, strict=True)
        if s != "match"
    ]
    assert empty, statuses
    for r in empty:
        assert rows.cell(row=r, column=lists).value is None
    with zipfile.ZipFile(workbook) as z:
        # Summary is the first sheet, Rows the second (bordered table cells of
        # the other sheets are empty strings with a format, on purpose)
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert '<c r="A2"' in xml  # the Rows sheet
    assert "<t></t>" not in xml and "<t/>" not in xml
