"""Excel report of `tracker screen`: Summary with charts, Rows, Issues, Sources."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill

from tracker.__about__ import __version__
from tracker.catalog import Catalog
from tracker.hs_splits import SPLITS_FILE
from tracker.report.console import STANDING_NOTE
from tracker.report.screen_files import ParquetSink, temp_beside
from tracker.screening import STATUSES
from tracker.screening_summary import ScreeningSummary

#: Data rows an Excel sheet holds below its header (1,048,576 rows in all).
EXCEL_MAX_ROWS = 1_048_575

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_NOTE = Font(bold=True, color="9C0006")
_STATUS_FILL = {
    "match": PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    "indeterminate": PatternFill("solid", start_color="E4DFEC", end_color="E4DFEC"),
}


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
        self._rows_ws.append([self._header(c) for c in columns])
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
        return cell

    def _cell(self, ws: Any, value: Any) -> Any:
        if isinstance(value, str):
            value = _clean(value)
            if value.startswith("="):
                # Never a formula: an explicit text cell shows the text.
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"
                return cell
        return value

    @property
    def truncated(self) -> bool:
        """True when the Rows sheet holds only the first EXCEL_MAX_ROWS rows."""
        return self._total > EXCEL_MAX_ROWS

    def write(self, table: pa.Table) -> None:
        """Append a screened chunk (in order)."""
        self._full.write(table)
        self._total += table.num_rows
        room = EXCEL_MAX_ROWS - self._written
        if room <= 0:
            return
        part = table.slice(0, room)
        columns = [part.column(i).to_pylist() for i in range(part.num_columns)]
        ws = self._rows_ws
        status_col = self._status_col
        for values in zip(*columns, strict=True):
            row = [self._cell(ws, v) for v in values]
            if status_col is not None and values[status_col] in _STATUS_FILL:
                cell = WriteOnlyCell(ws, value=values[status_col])
                cell.fill = _STATUS_FILL[values[status_col]]
                row[status_col] = cell
            ws.append(row)
        self._written += part.num_rows

    def abort(self) -> None:
        """Drop everything written so far."""
        self._full.abort()

    def close(
        self, summary: ScreeningSummary, run: ScreenRunInfo, catalog: Catalog
    ) -> None:
        """Write Summary, Issues and Sources and save atomically."""
        if self._written:
            last = _col_letter(len(self.columns))
            self._rows_ws.auto_filter.ref = f"A1:{last}{self._written + 1}"
        if self.truncated:
            self._full.close()
            run.full_result = self.full_path
        else:
            self._full.abort()
        _summary(self._summary_ws, summary, run, catalog, self._written)
        _issues(self._wb.create_sheet("Issues"), summary)
        _sources(self._wb.create_sheet("Sources"), catalog)
        tmp = temp_beside(self.path)
        try:
            self._wb.save(str(tmp))
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


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


def _summary(
    ws: Any,
    summary: ScreeningSummary,
    run: ScreenRunInfo,
    catalog: Catalog,
    rows_in_sheet: int,
) -> None:
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 18
    ws.column_dimensions["E"].width = 18
    row = 0

    def put(*values: Any) -> int:
        nonlocal row
        ws.append([_text(ws, v) if i else v for i, v in enumerate(values)])
        row += 1
        return row

    ws.append([_bold(ws, "tracker screen", _TITLE)])
    row += 1
    ws.append([_bold(ws, "Note: " + STANDING_NOTE, _NOTE)])
    row += 1
    put(
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
        ws.append(
            [
                _bold(ws, "Rows sheet", _NOTE),
                _text(
                    ws,
                    f"holds the first {rows_in_sheet} rows only (Excel's limit); "
                    f"every row is in {run.full_result}",
                ),
            ]
        )
        row += 1
    put("Started (UTC)", run.started.strftime("%Y-%m-%d %H:%M:%S"))
    put("Run time (s)", round(run.seconds, 2))
    put("tracker version", __version__)
    put("Datasets", str(catalog.path))
    put()

    def table(title: str, header: list[str], body: list[list[Any]]) -> tuple[int, int]:
        nonlocal row
        ws.append([_bold(ws, title, _TITLE)])
        row += 1
        ws.append([_bold(ws, h) for h in header])
        row += 1
        first = row + 1
        for values in body:
            ws.append([_text(ws, v) for v in values])
            row += 1
        ws.append([])
        row += 1
        return first, first + len(body) - 1

    charts: list[tuple[str, int, int, int]] = []
    first, last = table(
        "Rows by status", ["status", "rows"], [[s, summary.status[s]] for s in STATUSES]
    )
    charts.append(("Rows by status", first, last, 1))

    by_list = sorted(summary.by_list_tier.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    body = [[lst, tier or "-", count] for (lst, tier), count in by_list]
    first, last = table(
        "Matching rows by list and tier", ["list", "tier", "rows"], body
    )
    if body:
        charts.append(("Matching rows by list and tier", first, last, 2))

    dests = sorted({d for d, _ in summary.by_destination})
    body = [
        [d or "(none)", *(summary.by_destination[(d, s)] for s in STATUSES)]
        for d in dests
    ]
    first, last = table("Rows by destination", ["destination", *STATUSES], body)
    if body:
        charts.append(("Rows by destination", first, last, 3))

    months = sorted({m for m, _ in summary.by_month})
    body = [[m, *(summary.by_month[(m, s)] for s in STATUSES)] for m in months]
    first, last = table("Rows by month (row date)", ["month", *STATUSES], body)
    if body:
        charts.append(("Rows by month", first, last, 3))

    anchor_row = 2
    for title, first, last, width in charts:
        chart = BarChart()
        chart.title = title
        chart.height = 7
        chart.width = 16
        if width == 2:
            # list and tier: label column A, values in column C
            data = Reference(ws, min_col=3, min_row=first - 1, max_row=last)
        else:
            data = Reference(
                ws, min_col=2, max_col=1 + width, min_row=first - 1, max_row=last
            )
        cats = Reference(ws, min_col=1, min_row=first, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        if width == 3:
            chart.grouping = "stacked"
            chart.overlap = 100
        ws.add_chart(chart, f"G{anchor_row}")
        anchor_row += 16


def _issues(ws: Any, summary: ScreeningSummary) -> None:
    columns = ["code", "row", "column", "value", "message"]
    ws.freeze_panes = "A2"
    ws.append([_bold(ws, c, _HEADER_FONT) for c in columns])
    issues = summary.all_issues()
    for issue in issues:
        rec = issue.record()
        ws.append([_text(ws, rec[c]) for c in columns])
    shown = len(issues) + 1
    for code, count in sorted(summary.issue_counts.items()):
        listed = sum(1 for i in issues if i.code == code)
        if count > listed:
            ws.append(
                [code, None, None, None, f"{count - listed} more not listed here"]
            )
            shown += 1
    ws.auto_filter.ref = f"A1:E{max(shown, 1)}"


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


def _sources(ws: Any, catalog: Catalog) -> None:
    ws.freeze_panes = "A2"
    ws.append([_bold(ws, c, _HEADER_FONT) for c in SOURCE_COLUMNS])
    n = 1
    for key, meta in catalog.lists.items():
        publisher = catalog.publishers.get(meta.publisher)
        hashes = catalog.file_hashes.get(key, {})
        ws.append(
            [
                _text(ws, v)
                for v in (
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
                )
            ]
        )
        n += 1
    splits = catalog.path / SPLITS_FILE
    if splits.is_file():
        import hashlib

        digest = hashlib.sha256(splits.read_bytes()).hexdigest()
        ws.append(
            [
                _text(ws, v)
                for v in (
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
                )
            ]
        )
        n += 1
    ws.auto_filter.ref = f"A1:K{n}"
