"""Excel report of `tracker screen`: Summary with charts, Rows, Issues, Sources."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from tracker.__about__ import __version__
from tracker.catalog import Catalog
from tracker.hs_splits import SPLITS_FILE
from tracker.report.console import STANDING_NOTE
from tracker.report.screen_files import ParquetSink, temp_beside
from tracker.report.workbook import (
    DEFAULT_ROW_POINTS,
    STATUS_VERDICT,
    VERDICT_COLOURS,
    Orientation,
    PrintPlan,
    add_row_breaks,
    is_url,
    keep_with_next,
    link_text,
    list_label,
    print_setup,
)
from tracker.screening import STATUSES
from tracker.screening_summary import ScreeningSummary

#: Data rows an Excel sheet holds below its header (1,048,576 rows in all).
EXCEL_MAX_ROWS = 1_048_575

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_NOTE = Font(bold=True, color="9C0006")
_LINK = Font(color="0563C1", underline="single")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEAD_WRAP = Alignment(wrap_text=True, vertical="center")


def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", start_color=rgb, end_color=rgb)


#: Row status -> fill and font: the verdict colours of the check report.
_STATUS_FILL = {s: _fill(VERDICT_COLOURS[v].fill) for s, v in STATUS_VERDICT.items()}
_STATUS_FONT = {
    s: Font(color=VERDICT_COLOURS[v].font) for s, v in STATUS_VERDICT.items()
}

#: Widths (characters) of the columns the screening adds to the Rows sheet.
_TRACKER_WIDTHS = {
    "tracker_row": 8.0,
    "tracker_code": 10.0,
    "tracker_status": 13.0,
    "tracker_reason": 28.0,
    "tracker_lists": 20.0,
    "tracker_entries": 26.0,
    "tracker_tiers": 9.0,
    "tracker_verdicts": 18.0,
    "tracker_keywords": 18.0,
    "tracker_as_of": 11.0,
    "tracker_destination": 12.0,
    "tracker_notes": 28.0,
}
#: Input columns are sized from their first rows, within these bounds.
_MIN_WIDTH, _MAX_WIDTH = 8.0, 28.0
#: Rows looked at to size the input columns.
_SIZING_ROWS = 1000
_LINE_POINTS = 13.5


def _lines(text: str, width: float) -> int:
    """Wrapped lines ``text`` needs in a column ``width`` wide (word by word)."""
    room = max(1.1 * (width - 1), 1.0)
    total = 0
    for part in text.splitlines() or [""]:
        lines, used = 1, 0.0
        for word in part.split(" "):
            size = len(word)
            if used and used + 1 + size > room:
                lines += 1
                used = 0.0
            used = used + 1 + size if used else float(size)
            while used > room:
                lines += 1
                used -= room
        total += lines
    return total


def _row_height(lines: int) -> float:
    # 409 points is the largest row height Excel accepts
    return min(_LINE_POINTS * lines + 3, 409.0)


@dataclass
class ScreenRunInfo:
    """How the screening ran, for the Summary and Sources sheets."""

    input_path: Path
    input_format: str
    columns: dict[str, str | None]
    destination: str | None
    as_of: dt.date | None
    engine: str = "local"
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seconds: float = 0.0
    #: Where every row is when the workbook holds only the first ones.
    full_result: Path | None = None


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


class ScreenExcelWriter:
    """Stream screened rows into a workbook; write the other sheets at the end.

    Rows beyond Excel's limit are not lost: every row also goes to a Parquet
    file beside the workbook (``<name>.rows.parquet``), kept only when the
    sheet had to stop early; the Summary names it.
    """

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self._wb = Workbook(write_only=True)
        self._summary_ws: Any = self._wb.create_sheet("Summary")
        self._rows_ws: Any = self._wb.create_sheet("Rows")
        self._rows_ws.freeze_panes = "A2"
        self._rows_ws.auto_filter.ref = None
        # the header waits for the first rows: column widths come first
        self._widths: list[float] | None = None
        self._written = 0
        self._total = 0
        self.full_path = path.with_name(path.stem + ".rows.parquet")
        self._full = ParquetSink(self.full_path)
        self._status_col = (
            columns.index("tracker_status") if "tracker_status" in columns else None
        )

    def _header(self, name: str) -> Any:
        cell = WriteOnlyCell(self._rows_ws, value=_clean(name))
        cell.data_type = "s"
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEAD_WRAP
        return cell

    def _start(self, first: pa.Table | None) -> list[float]:
        """Size the Rows columns from the first rows; write the header."""
        sample = (
            [first.column(i).to_pylist() for i in range(first.num_columns)]
            if first is not None
            else [[] for _ in self.columns]
        )
        widths = []
        for name, values in zip(self.columns, sample, strict=True):
            fixed = _TRACKER_WIDTHS.get(name)
            if fixed is None:
                longest = max(
                    [len(name)] + [len(str(v)) for v in values if v is not None]
                )
                fixed = min(max(longest + 2.0, _MIN_WIDTH), _MAX_WIDTH)
            widths.append(fixed)
        ws = self._rows_ws
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        _page(ws, widths, "landscape", "tracker screen report", "", title_cols="A:A")
        lines = max(_lines(n, w) for n, w in zip(self.columns, widths, strict=True))
        if lines > 1:
            ws.row_dimensions[1].height = _row_height(lines)
        ws.append([self._header(c) for c in self.columns])
        ws.row_dimensions.pop(1, None)
        self._widths = widths
        return widths

    def _cell(self, ws: Any, value: Any, width: float) -> tuple[Any, int]:
        """The cell for ``value`` and the lines it takes (wrapped when long)."""
        if isinstance(value, str):
            value = _clean(value)
            long = len(value) > width - 2 or "\n" in value
            if long or value.startswith("="):
                cell = WriteOnlyCell(ws, value=value)
                # Never a formula: an explicit text cell shows the text.
                cell.data_type = "s"
                if long:
                    cell.alignment = _WRAP
                    return cell, _lines(value, width)
                return cell, 1
        return value, 1

    @property
    def truncated(self) -> bool:
        """True when the Rows sheet holds only the first EXCEL_MAX_ROWS rows."""
        return self._total > EXCEL_MAX_ROWS

    def write(self, table: pa.Table) -> None:
        """Append a screened chunk (in order)."""
        widths = self._widths or self._start(table.slice(0, _SIZING_ROWS))
        self._full.write(table)
        self._total += table.num_rows
        room = EXCEL_MAX_ROWS - self._written
        if room <= 0:
            return
        part = table.slice(0, room)
        columns = [part.column(i).to_pylist() for i in range(part.num_columns)]
        ws = self._rows_ws
        dims = ws.row_dimensions
        status_col = self._status_col
        number = self._written + 1
        for values in zip(*columns, strict=True):
            number += 1
            row = []
            lines = 1
            for value, width in zip(values, widths, strict=True):
                cell, n = self._cell(ws, value, width)
                row.append(cell)
                lines = max(lines, n)
            if status_col is not None and values[status_col] in _STATUS_FILL:
                cell = WriteOnlyCell(ws, value=values[status_col])
                cell.fill = _STATUS_FILL[values[status_col]]
                cell.font = _STATUS_FONT[values[status_col]]
                row[status_col] = cell
            if lines > 1:
                # a tall row: every cell at the top, next to the wrapped text
                row = [_top(ws, c) for c in row]
                # the row is written at once: its height need not be kept
                dims[number].height = _row_height(lines)
                ws.append(row)
                del dims[number]
            else:
                ws.append(row)
        self._written += part.num_rows

    def abort(self) -> None:
        """Drop everything written so far."""
        self._full.abort()

    def close(
        self, summary: ScreeningSummary, run: ScreenRunInfo, catalog: Catalog
    ) -> None:
        """Write Summary, Issues and Sources and save atomically."""
        widths = self._widths or self._start(None)
        if self._written:
            last = _col_letter(len(self.columns))
            self._rows_ws.auto_filter.ref = f"A1:{last}{self._written + 1}"
        if self.truncated:
            self._full.close()
            run.full_result = self.full_path
        else:
            self._full.abort()
        title = _report_title(run)
        stamp = _stamp(run)
        _summary(self._summary_ws, summary, run, catalog, self._written, title)
        _page(self._rows_ws, widths, "landscape", title, stamp, title_cols="A:A")
        _issues(self._wb.create_sheet("Issues"), summary, title, stamp)
        _sources(self._wb.create_sheet("Sources"), catalog, title, stamp)
        tmp = temp_beside(self.path)
        try:
            self._wb.save(str(tmp))
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _top(ws: Any, value: Any) -> Any:
    """``value`` as a cell aligned at the top (an existing cell is kept)."""
    if isinstance(value, Cell):
        if not value.alignment.wrap_text:
            value.alignment = _WRAP
        return value
    if value is None:
        return None
    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = _WRAP
    return cell


def _report_title(run: ScreenRunInfo) -> str:
    return f"tracker screen report: {run.input_path.name}"


def _stamp(run: ScreenRunInfo) -> str:
    return "Run " + run.started.strftime("%Y-%m-%d %H:%M UTC")


def _page(
    ws: Any,
    widths: list[float],
    orientation: Orientation,
    title: str,
    stamp: str,
    *,
    title_rows: str | None = "1:1",
    title_cols: str | None = None,
) -> PrintPlan:
    return print_setup(
        ws,
        widths=widths,
        orientation=orientation,
        title=title,
        run_date=stamp,
        title_rows=title_rows,
        title_cols=title_cols,
    )


def _col_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _bold(ws: Any, value: Any, font: Font = _BOLD) -> Any:
    cell = WriteOnlyCell(ws, value=_clean(value))
    cell.font = font
    return cell


def _text(ws: Any, value: Any) -> Any:
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=_clean(value))
        cell.data_type = "s"
        return cell
    return value


#: Summary column widths (characters), A to E: one portrait page at 100 %.
_SUMMARY_WIDTHS = (30.0, 16.0, 16.0, 16.0, 16.0)
#: Chart size (cm): the width of the Summary columns.
_CHART_WIDTH, _CHART_HEIGHT = 17, 7


class _Sheet:
    """Append rows to a write-only sheet, keeping count and row heights."""

    def __init__(self, ws: Any, widths: tuple[float, ...] | list[float]) -> None:
        self.ws = ws
        self.widths = list(widths)
        self.row = 0
        self.heights: dict[int, float] = {}
        for i, width in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width

    def append(self, cells: list[Any], lines: int = 1) -> int:
        self.row += 1
        if lines > 1:
            self.heights[self.row] = _row_height(lines)
            self.ws.row_dimensions[self.row].height = self.heights[self.row]
        self.ws.append(cells)
        return self.row

    def wide(self, value: Any, font: Font | None = None, first: int = 1) -> int:
        """A row with ``value`` wrapped over the columns from ``first`` on."""
        cell = _text(self.ws, value)
        if font is not None:
            cell.font = font
        cell.alignment = _WRAP
        last = len(self.widths)
        self.ws.merged_cells.add(
            CellRange(
                min_col=first, max_col=last, min_row=self.row + 1, max_row=self.row + 1
            )
        )
        lines = _lines(str(value), sum(self.widths[first - 1 :]))
        return self.append([None] * (first - 1) + [cell], lines)

    def table(
        self,
        header: list[str],
        body: list[list[Any]],
        *,
        links: tuple[int, ...] = (),
        short_links: bool = True,
        status: int | None = None,
    ) -> tuple[int, int]:
        """Header and bordered body rows, long text wrapped; return body rows."""
        lines = max(
            (_lines(h, w) for h, w in zip(header, self.widths, strict=False)),
            default=1,
        )
        head = []
        for h in header:
            cell = _bold(self.ws, h, _HEADER_FONT)
            cell.fill = _HEADER_FILL
            cell.alignment = _HEAD_WRAP
            cell.border = _BORDER
            head.append(cell)
        self.append(head, lines)
        first = self.row + 1
        for values in body:
            cells = []
            lines = 1
            for i, value in enumerate(values):
                cell = _text(self.ws, value)
                if not isinstance(cell, Cell):
                    cell = WriteOnlyCell(self.ws, value=value)
                cell.border = _BORDER
                cell.alignment = _WRAP
                if i in links and is_url(value):
                    cell.hyperlink = value
                    cell.font = _LINK
                    if short_links:
                        cell.value = link_text(value)
                if i == status and value in _STATUS_FILL:
                    cell.fill = _STATUS_FILL[value]
                    cell.font = _STATUS_FONT[value]
                if i < len(self.widths) and cell.value is not None:
                    lines = max(lines, _lines(str(cell.value), self.widths[i]))
                cells.append(cell)
            self.append(cells, lines)
        return first, self.row


def _summary(
    ws: Any,
    summary: ScreeningSummary,
    run: ScreenRunInfo,
    catalog: Catalog,
    rows_in_sheet: int,
    title: str,
) -> None:
    sheet = _Sheet(ws, _SUMMARY_WIDTHS)
    # before the first row: a write-only sheet writes its fitting first
    plan = _page(
        ws, list(_SUMMARY_WIDTHS), "portrait", title, _stamp(run), title_rows=None
    )
    blocks: list[tuple[int, int]] = []

    def put(label: str | None = None, value: Any = None, font: Font = _BOLD) -> int:
        if label is None:
            return sheet.append([])
        cell = _bold(ws, label, font)
        cell.alignment = _WRAP
        if isinstance(value, str) and len(value) > sum(_SUMMARY_WIDTHS[1:]) / 2:
            sheet.ws.merged_cells.add(
                CellRange(
                    min_col=2, max_col=5, min_row=sheet.row + 1, max_row=sheet.row + 1
                )
            )
            body = _text(ws, value)
            body.alignment = _WRAP
            return sheet.append([cell, body], _lines(value, sum(_SUMMARY_WIDTHS[1:])))
        return sheet.append([cell, _text(ws, value)])

    sheet.append([_bold(ws, "tracker screen", _TITLE)])
    sheet.wide("Note: " + STANDING_NOTE, _NOTE)
    sheet.wide(
        "A row is a match when an entry of a list that applies to the row's "
        "destination covers its code on the row's date; 'listed-if' entries count "
        "as matches (see tracker_verdicts)."
    )
    put()
    put("Input", str(run.input_path))
    put("Format", run.input_format)
    if run.sheet is not None:
        put("Sheet", run.sheet)
    if run.encoding is not None:
        put("Encoding", run.encoding)
    if run.delimiter is not None:
        put("Delimiter", {"\t": "tab"}.get(run.delimiter, run.delimiter))
    for role, name in run.columns.items():
        put(f"Column: {role}", name if name is not None else "(none)")
    put("Default destination", run.destination or "(none: every list applies)")
    put("Default date", str(run.as_of) if run.as_of else "today")
    put("Engine", run.engine)
    put("Rows in", summary.rows_in)
    put("Rows out", summary.rows_out)
    if run.full_result is not None:
        put(
            "Rows sheet",
            f"holds the first {rows_in_sheet} rows only (Excel's limit); "
            f"every row is in {run.full_result}",
            _NOTE,
        )
    put("Started (UTC)", run.started.strftime("%Y-%m-%d %H:%M:%S"))
    put("Run time (s)", round(run.seconds, 2))
    put("tracker version", __version__)
    put("Datasets", str(catalog.path))
    put()

    def table(
        heading: str, header: list[str], body: list[list[Any]], status: int | None
    ) -> tuple[int, int]:
        top = sheet.append([_bold(ws, heading, _TITLE)])
        first, last = sheet.table(header, body, status=status)
        blocks.append((top, min(last, top + 4)))
        sheet.append([])
        return first, last

    charts: list[tuple[str, int, int, int]] = []
    first, last = table(
        "Rows by status",
        ["status", "rows"],
        [[s, summary.status[s]] for s in STATUSES],
        0,
    )
    charts.append(("Rows by status", first, last, 1))

    by_list = sorted(summary.by_list_tier.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    titles = {key: meta.title for key, meta in catalog.lists.items()}
    body = [
        [list_label(lst, titles.get(lst)), tier or "-", count]
        for (lst, tier), count in by_list
    ]
    first, last = table(
        "Matching rows by list and tier", ["list", "tier", "rows"], body, None
    )
    if body:
        charts.append(("Matching rows by list and tier", first, last, 2))

    dests = sorted({d for d, _ in summary.by_destination})
    body = [
        [d or "(none)", *(summary.by_destination[(d, s)] for s in STATUSES)]
        for d in dests
    ]
    first, last = table("Rows by destination", ["destination", *STATUSES], body, None)
    if body:
        charts.append(("Rows by destination", first, last, 3))

    months = sorted({m for m, _ in summary.by_month})
    body = [[m, *(summary.by_month[(m, s)] for s in STATUSES)] for m in months]
    first, last = table("Rows by month (row date)", ["month", *STATUSES], body, None)
    if body:
        charts.append(("Rows by month", first, last, 3))

    # charts below the tables, one under the other, each kept on one page
    chart_rows = math.ceil(_CHART_HEIGHT / 2.54 * 72 / DEFAULT_ROW_POINTS) + 1
    for heading, first, last, width in charts:
        chart = BarChart()
        chart.title = heading
        chart.height = _CHART_HEIGHT
        chart.width = _CHART_WIDTH
        if width == 2:
            # list and tier: label column A, values in column C
            chart.type = "bar"
            data = Reference(ws, min_col=3, min_row=first - 1, max_row=last)
        else:
            data = Reference(
                ws, min_col=2, max_col=1 + width, min_row=first - 1, max_row=last
            )
        cats = Reference(ws, min_col=1, min_row=first, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        if width == 1:
            # one bar per status, each in its status colour
            series = chart.series[0]
            for i, status in enumerate(STATUSES):
                point = DataPoint(idx=i)
                point.graphicalProperties.solidFill = _status_colour(status)
                series.dPt.append(point)
            chart.legend = None
        elif width == 2:
            chart.series[0].graphicalProperties.solidFill = _status_colour("match")
            chart.legend = None
        else:
            chart.grouping = "stacked"
            chart.overlap = 100
            for series, status in zip(chart.series, STATUSES, strict=True):
                series.graphicalProperties.solidFill = _status_colour(status)
        anchor = sheet.row + 1
        ws.add_chart(chart, f"A{anchor}")
        for _ in range(chart_rows):
            sheet.append([])
        blocks.append((anchor, sheet.row))
    add_row_breaks(ws, keep_with_next(sheet.heights, sheet.row, blocks, plan))


def _status_colour(status: str) -> str:
    return VERDICT_COLOURS[STATUS_VERDICT[status]].chart


def _issues(ws: Any, summary: ScreeningSummary, title: str, stamp: str) -> None:
    columns = ["code", "row", "column", "value", "message"]
    sheet = _Sheet(ws, [22.0, 8.0, 16.0, 24.0, 58.0])
    ws.freeze_panes = "A2"
    _page(ws, sheet.widths, "landscape", title, stamp)
    issues = summary.all_issues()
    body: list[list[Any]] = []
    for issue in issues:
        rec = issue.record()
        body.append([rec[c] for c in columns])
    for code, count in sorted(summary.issue_counts.items()):
        listed = sum(1 for i in issues if i.code == code)
        if count > listed:
            body.append(
                [code, None, None, None, f"{count - listed} more not listed here"]
            )
    sheet.table(columns, body)
    ws.auto_filter.ref = f"A1:E{max(len(body) + 1, 1)}"


SOURCE_COLUMNS = (
    "list",
    "title",
    "publisher",
    "version",
    "as_of",
    "covers_from",
    "destinations",
    "legal_basis",
    "url",
    "verification",
    "files_sha256",
)


def _sources(ws: Any, catalog: Catalog, title: str, stamp: str) -> None:
    sheet = _Sheet(
        ws, [14.0, 22.0, 16.0, 22.0, 11.0, 11.0, 10.0, 22.0, 28.0, 60.0, 66.0]
    )
    ws.freeze_panes = "A2"
    _page(ws, sheet.widths, "landscape", title, stamp, title_cols="A:A")
    body: list[list[Any]] = []
    for key, meta in catalog.lists.items():
        publisher = catalog.publishers.get(meta.publisher)
        hashes = catalog.file_hashes.get(key, {})
        body.append(
            [
                key,
                meta.title,
                publisher.name if publisher is not None else meta.publisher,
                meta.version,
                meta.as_of.isoformat(),
                meta.covers_from.isoformat() if meta.covers_from else "",
                ", ".join(meta.destinations),
                meta.legal_basis,
                meta.url,
                meta.verification,
                "; ".join(f"{p} {h}" for p, h in sorted(hashes.items())),
            ]
        )
    splits = catalog.path / SPLITS_FILE
    if splits.is_file():
        import hashlib

        digest = hashlib.sha256(splits.read_bytes()).hexdigest()
        body.append(
            [
                "hs2017_splits",
                "HS 2017 codes split or moved in HS 2022 (curated table)",
                "tracker datasets",
                "",
                "",
                "",
                "",
                "UNSD HS 2022-HS 2017 correlation (checked by hand)",
                "https://unstats.un.org/unsd/classifications/Econ",
                "see datasets/hs2017_splits.md",
                f"{SPLITS_FILE} {digest}",
            ]
        )
    # the full address: this sheet is where a reader finds each list
    sheet.table(list(SOURCE_COLUMNS), body, links=(8,), short_links=False)
    ws.auto_filter.ref = f"A1:K{len(body) + 1}"
