"""Excel report of `tracker screen`: Summary with charts, Rows, Issues, Sources.

Written with XlsxWriter in constant-memory mode: each row goes to disk as soon
as the next one starts, so memory stays flat however many rows are screened,
and a row costs a few calls instead of a few objects. Rows beyond a sheet's
limit continue on "Rows (2)", "Rows (3)", ... below a repeated header.

Every text goes in with ``write_string``, never ``write``: a value starting
with ``=``, ``+``, ``-`` or ``@`` is shown as text and never run as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracker.__about__ import __version__
from tracker.catalog import Catalog
from tracker.hs_splits import SPLITS_FILE
from tracker.report.console import STANDING_NOTE
from tracker.report.run_info import ScreenRunInfo
from tracker.report.screen_files import temp_beside
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
    wrapped_lines,
)
from tracker.screening import STATUSES
from tracker.screening_summary import ScreeningSummary

#: Data rows an Excel sheet holds below its header (1,048,576 rows in all);
#: further rows continue on the next Rows sheet.
EXCEL_MAX_ROWS = 1_048_575

#: Name of the first sheet of screened rows; the next are "Rows (2)", ...
ROWS_SHEET = "Rows"

Style = dict[str, Any]

_HEADER_FONT: Style = {"bold": True, "font_color": "#FFFFFF"}
_HEADER_FILL: Style = {"bg_color": "#1F4E78", "pattern": 1}
_BOLD: Style = {"bold": True}
_TITLE: Style = {"bold": True, "font_size": 14}
_NOTE: Style = {"bold": True, "font_color": "#9C0006"}
_LINK: Style = {"font_color": "#0563C1", "underline": 1}
_BORDER: Style = {"border": 1, "border_color": "#BFBFBF"}
_WRAP: Style = {"text_wrap": True, "valign": "top"}
_HEAD_WRAP: Style = {"text_wrap": True, "valign": "vcenter"}
_HEADER: Style = {**_HEADER_FONT, **_HEADER_FILL, **_HEAD_WRAP}
_DATE: Style = {"num_format": "yyyy-mm-dd"}
_DATETIME: Style = {"num_format": "yyyy-mm-dd hh:mm:ss"}


#: Row status -> fill and font: the verdict colours of the check report.
_STATUS_STYLE: dict[str, Style] = {
    s: {
        "bg_color": "#" + VERDICT_COLOURS[v].fill,
        "pattern": 1,
        "font_color": "#" + VERDICT_COLOURS[v].font,
    }
    for s, v in STATUS_VERDICT.items()
}


#: Widths (characters) of the columns the screening adds to the Rows sheet.
_TRACKER_WIDTHS = {
    "tracker_row": 8.0,
    "tracker_code": 10.0,
    "tracker_status": 13.0,
    "tracker_reason": 28.0,
    "tracker_reason_code": 18.0,
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
#: Rows turned into Python values at a time (memory stays flat).
_SLICE_ROWS = 8192
_LINE_POINTS = 13.5


def _lines(value: Any, width: float) -> int:
    """Wrapped lines of a long text in a column ``width`` wide; 0 if it fits one line."""
    if value is None or (len(value) <= width - 2 and "\n" not in value):
        return 0
    return wrapped_lines(value, width)


def _forget_written_rows(ws: Any) -> None:
    """Drop the row heights XlsxWriter keeps for rows it has already written.

    In constant-memory mode a row goes to the file once the next one starts,
    but the heights set for it stay in two dictionaries (``row_info``,
    ``row_sizes``) until the workbook closes: memory grows with the rows. They
    are only read for the row being written (and for images, which the Rows
    sheets do not have).
    """
    done = getattr(ws, "previous_row", None)
    if not isinstance(done, int):
        return
    for name in ("row_info", "row_sizes"):
        table = getattr(ws, name, None)
        if isinstance(table, dict):
            for row in [r for r in table if r < done]:
                del table[row]


def _row_height(lines: int) -> float:
    # 409 points is the largest row height Excel accepts
    return min(_LINE_POINTS * lines + 3, 409.0)


class _Formats:
    """XlsxWriter formats by style, each made once."""

    def __init__(self, wb: Any) -> None:
        self._wb = wb
        self._made: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, *styles: Style | None) -> Any:
        props: Style = {}
        for style in styles:
            if style:
                props.update(style)
        if not props:
            return None
        key = tuple(sorted(props.items()))
        fmt = self._made.get(key)
        if fmt is None:
            fmt = self._made[key] = self._wb.add_format(props)
        return fmt


def _put(
    ws: Any, fmt: _Formats, row: int, col: int, value: Any, style: Style | None
) -> None:
    """Write one value (0-based row and column), text always as text."""
    if value is None:
        if style:
            ws.write_blank(row, col, None, fmt(style))
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt(style))
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt(style))
    elif isinstance(value, int | float):
        # NaN and infinities become #NUM! / #DIV/0! (nan_inf_to_errors)
        ws.write_number(row, col, value, fmt(style))
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, fmt(style, _DATETIME))
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, fmt(style, _DATE))
    else:
        ws.write_string(row, col, str(value), fmt(style))


def _fast(ws: Any, name: str) -> Callable[..., Any]:
    # the undecorated writer (no A1-notation check): a third less per cell
    method: Callable[..., Any] = getattr(ws, "_" + name, None) or getattr(ws, name)
    return method


@dataclass
class _RowsSheet:
    """One sheet of screened rows: its worksheet and rows written below the header."""

    ws: Any
    name: str
    written: int = 0


class ScreenExcelWriter:
    """Stream screened rows into a workbook; write the other sheets at the end.

    Rows go to the Rows sheet; past ``EXCEL_MAX_ROWS`` they continue on
    "Rows (2)", "Rows (3)", ..., each with the header repeated. The Summary
    says so.
    """

    def __init__(self, path: Path, columns: list[str]) -> None:
        import xlsxwriter  # type: ignore[import-untyped]

        self.path = path
        self.columns = columns
        self._tmp = temp_beside(path)
        self._wb = xlsxwriter.Workbook(
            str(self._tmp),
            {
                "constant_memory": True,
                # ZIP64 records only where a part passes 4 GB (many millions
                # of rows); small workbooks are unchanged.
                "use_zip64": True,
                "nan_inf_to_errors": True,
                "remove_timezone": True,
                # every cell at the top of its row (next to wrapped text)
                # without a format of its own: most cells need none
                "default_format_properties": {
                    "font_name": "Calibri",
                    "font_size": 11,
                    "valign": "top",
                },
            },
        )
        self._fmt = _Formats(self._wb)
        self._summary_ws: Any = self._wb.add_worksheet("Summary")
        self._sheets: list[_RowsSheet] = []
        # the header waits for the first rows: column widths come first
        self._widths: list[float] | None = None
        self._total = 0
        self._status_col = (
            columns.index("tracker_status") if "tracker_status" in columns else None
        )
        self._new_sheet()

    @property
    def sheet_names(self) -> list[str]:
        """Names of the Rows sheets so far."""
        return [s.name for s in self._sheets]

    def _new_sheet(self) -> _RowsSheet:
        n = len(self._sheets) + 1
        name = ROWS_SHEET if n == 1 else f"{ROWS_SHEET} ({n})"
        sheet = _RowsSheet(self._wb.add_worksheet(name), name)
        sheet.ws.freeze_panes(1, 0)
        self._sheets.append(sheet)
        if self._widths is not None:
            self._header(sheet.ws, self._widths)
        return sheet

    def _header(self, ws: Any, widths: list[float]) -> None:
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        lines = max(
            wrapped_lines(n, w) for n, w in zip(self.columns, widths, strict=True)
        )
        if lines > 1:
            ws.set_row(0, _row_height(lines))
        header = self._fmt(_HEADER)
        for i, name in enumerate(self.columns):
            ws.write_string(0, i, name, header)

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
        self._widths = widths
        for sheet in self._sheets:
            self._header(sheet.ws, widths)
        return widths

    def write(self, table: pa.Table) -> None:
        """Append a screened chunk (in order)."""
        widths = self._widths or self._start(table.slice(0, _SIZING_ROWS))
        self._total += table.num_rows
        done = 0
        while done < table.num_rows:
            sheet = self._sheets[-1]
            room = EXCEL_MAX_ROWS - sheet.written
            if room <= 0:
                self._new_sheet()
                continue
            part = table.slice(done, room)
            self._write_rows(sheet, part, widths)
            done += part.num_rows

    def _write_rows(
        self, sheet: _RowsSheet, part: pa.Table, widths: list[float]
    ) -> None:
        # a slice at a time: Python objects for a few thousand rows only
        for offset in range(0, part.num_rows, _SLICE_ROWS):
            piece = part.slice(offset, _SLICE_ROWS)
            self._write_slice(sheet.ws, sheet.written + 1, piece, widths)
            sheet.written += piece.num_rows
            _forget_written_rows(sheet.ws)

    def _write_slice(
        self, ws: Any, first_row: int, part: pa.Table, widths: list[float]
    ) -> None:
        """Write ``part`` from ``first_row`` (0-based) on: the inner loop."""
        fmt = self._fmt
        write_string = _fast(ws, "write_string")
        write_number = _fast(ws, "write_number")
        wrap = fmt(_WRAP)
        style_of = {None: None, wrap: _WRAP}

        def put_any(row: int, c: int, value: Any, f: Any) -> None:
            if value.__class__ is int or value.__class__ is float:
                write_number(row, c, value, f)
            else:
                _put(ws, fmt, row, c, value, style_of.get(f))

        columns: list[list[Any]] = []
        writers: list[Callable[..., Any]] = []
        # per text column: wrapped lines of each row's value (0: fits one line)
        text_cols: list[int] = []
        text_lines: list[np.ndarray[Any, Any]] = []
        for i, width in enumerate(widths):
            col = part.column(i).combine_chunks()
            if pa.types.is_dictionary(col.type) and (
                pa.types.is_string(col.type.value_type)
                or pa.types.is_large_string(col.type.value_type)
            ):
                # each distinct text is sized once, and shared by its rows; an
                # empty text is no cell at all (None), as XlsxWriter's write()
                # leaves it
                values = col.dictionary.to_pylist()
                at = np.asarray(col.indices.fill_null(len(values)))
                shown = [v or None for v in values] + [None]
                columns.append(list(map(shown.__getitem__, at.tolist())))
                sizes = [_lines(v, width) for v in values] + [0]
                text_lines.append(np.array(sizes, dtype=np.int64)[at])
            elif pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                values = col.to_pylist()
                columns.append([v or None for v in values])
                long = pc.or_(
                    pc.greater(pc.utf8_length(col), width - 2),
                    pc.match_substring(col, "\n"),
                )
                sizes_of = np.zeros(len(values), dtype=np.int64)
                for k in pc.indices_nonzero(long.fill_null(False)).to_pylist():
                    sizes_of[k] = _lines(values[k], width)
                text_lines.append(sizes_of)
            else:
                columns.append(col.to_pylist())
                writers.append(put_any)
                continue
            writers.append(write_string)
            text_cols.append(i)
        if text_lines:
            sized = np.stack(text_lines, axis=1)
            row_lines = np.maximum(sized.max(axis=1), 1)
            # which text columns wrap, as bits (few columns) or as a row of flags
            wraps = sized > 0
            tall: np.ndarray[Any, Any] = np.any(wraps, axis=1)
            if len(text_cols) <= 62:
                bits = (1 << np.arange(len(text_cols), dtype=np.int64)).astype(np.int64)
                masks: list[Any] = (wraps.astype(np.int64) @ bits).tolist()
            else:
                masks = [tuple(r) for r in wraps.tolist()]
        else:
            row_lines = np.ones(part.num_rows, dtype=np.int64)
            tall = np.zeros(part.num_rows, dtype=bool)
            masks = [0] * part.num_rows
        heights = [_row_height(int(n)) for n in row_lines.tolist()]
        tall_rows: list[bool] = tall.tolist()
        status_col = self._status_col
        plain_status: dict[Any, Any] = {s: fmt(st) for s, st in _STATUS_STYLE.items()}
        tall_status: dict[Any, Any] = {
            s: fmt(st, _WRAP) for s, st in _STATUS_STYLE.items()
        }
        plain: list[Any] = [None] * len(widths)
        pairs = list(zip(range(len(widths)), writers, strict=True))
        # formats of a tall row, by its wrapping columns and status
        tall_formats: dict[tuple[Any, Any], list[Any]] = {}
        wrap_sets: dict[Any, list[int]] = {}
        set_row = ws.set_row
        for i, values in enumerate(zip(*columns, strict=True)):
            row = first_row + i
            formats = plain
            status = values[status_col] if status_col is not None else None
            if status_col is not None:
                plain[status_col] = plain_status.get(status)
            if tall_rows[i]:
                # the long texts wrap; every cell is at the top (the default)
                mask = masks[i]
                formats = tall_formats.get((mask, status))  # type: ignore[assignment]
                if formats is None:
                    cols = wrap_sets.get(mask)
                    if cols is None:
                        flags = (
                            mask
                            if isinstance(mask, tuple)
                            else [bool(mask >> j & 1) for j in range(len(text_cols))]
                        )
                        cols = [c for c, f in zip(text_cols, flags, strict=True) if f]
                        wrap_sets[mask] = cols
                    formats = list(plain)
                    for c in cols:
                        formats[c] = (
                            tall_status.get(status, wrap) if c == status_col else wrap
                        )
                    tall_formats[(mask, status)] = formats
                set_row(row, heights[i])
            for c, put in pairs:
                value = values[c]
                if value is not None:
                    put(row, c, value, formats[c])

    def abort(self) -> None:
        """Drop everything written so far."""
        for ws in self._wb.worksheets():
            close = getattr(ws, "_opt_close", None)
            if close is not None:
                close()  # the row data's temporary file
        self._wb.fileclosed = True
        self._tmp.unlink(missing_ok=True)

    def close(
        self, summary: ScreeningSummary, run: ScreenRunInfo, catalog: Catalog
    ) -> None:
        """Write Summary, Issues and Sources and save atomically."""
        widths = self._widths or self._start(None)
        last_col = len(self.columns) - 1
        title = _report_title(run)
        stamp = _stamp(run)
        for sheet in self._sheets:
            if sheet.written:
                sheet.ws.autofilter(0, 0, sheet.written, last_col)
            _page(sheet.ws, widths, "landscape", title, stamp, title_cols="A:A")
        _summary(
            _Sheet(self._summary_ws, self._fmt, _SUMMARY_WIDTHS),
            summary,
            run,
            catalog,
            [(s.name, s.written) for s in self._sheets],
            title,
        )
        _issues(self._wb.add_worksheet("Issues"), self._fmt, summary, title, stamp)
        _sources(self._wb.add_worksheet("Sources"), self._fmt, catalog, title, stamp)
        try:
            self._wb.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self._tmp.unlink(missing_ok=True)
            raise


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


#: Summary column widths (characters), A to E: one portrait page at 100 %.
_SUMMARY_WIDTHS = (30.0, 16.0, 16.0, 16.0, 16.0)
#: Chart size (cm): the width of the Summary columns.
_CHART_WIDTH, _CHART_HEIGHT = 17, 7
_PIXELS_PER_CM = 96 / 2.54


@dataclass(frozen=True)
class _Cell:
    """A value with its style and, for a link, its address."""

    value: Any
    style: Style | None = None
    link: str | None = None


class _Sheet:
    """Write rows one after the other, keeping count and row heights.

    Rows are numbered from 1 as in Excel (XlsxWriter counts from 0).
    """

    def __init__(
        self, ws: Any, fmt: _Formats, widths: tuple[float, ...] | list[float]
    ) -> None:
        self.ws = ws
        self.fmt = fmt
        self.widths = list(widths)
        self.row = 0
        self.heights: dict[int, float] = {}
        for i, width in enumerate(self.widths):
            ws.set_column(i, i, width)

    def append(self, cells: Sequence[Any] = (), lines: int = 1) -> int:
        self.row += 1
        r = self.row - 1
        if lines > 1:
            self.heights[self.row] = _row_height(lines)
            self.ws.set_row(r, self.heights[self.row])
        for c, cell in enumerate(cells):
            self._cell(r, c, cell)
        return self.row

    def _cell(self, r: int, c: int, cell: Any) -> None:
        if not isinstance(cell, _Cell):
            _put(self.ws, self.fmt, r, c, cell, None)
        elif cell.link is not None:
            self.ws.write_url(
                r, c, cell.link, self.fmt(cell.style), string=str(cell.value)
            )
        else:
            _put(self.ws, self.fmt, r, c, cell.value, cell.style)

    def merged(self, first: int, cell: _Cell, lines: int) -> int:
        """A row with ``cell`` merged over the columns from ``first`` (0-based) on."""
        self.row += 1
        r = self.row - 1
        if lines > 1:
            self.heights[self.row] = _row_height(lines)
            self.ws.set_row(r, self.heights[self.row])
        fmt = self.fmt(cell.style)
        # merge_range writes with write(): an empty text, then the value as text
        self.ws.merge_range(r, first, r, len(self.widths) - 1, "", fmt)
        self._cell(r, first, cell)
        return self.row

    def wide(self, value: str, style: Style | None = None, first: int = 0) -> int:
        """A row with ``value`` wrapped over the columns from ``first`` on."""
        lines = wrapped_lines(value, sum(self.widths[first:]))
        return self.merged(first, _Cell(value, {**(style or {}), **_WRAP}), lines)

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
            (wrapped_lines(h, w) for h, w in zip(header, self.widths, strict=False)),
            default=1,
        )
        head_style = {**_HEADER, **_BORDER}
        self.append([_Cell(h, head_style) for h in header], lines)
        first = self.row + 1
        for values in body:
            cells = []
            lines = 1
            for i, value in enumerate(values):
                style: Style = {**_BORDER, **_WRAP}
                shown, link = value, None
                if i in links and is_url(value):
                    style.update(_LINK)
                    link = value
                    if short_links:
                        shown = link_text(value)
                if i == status and value in _STATUS_STYLE:
                    style.update(_STATUS_STYLE[value])
                if i < len(self.widths) and shown is not None:
                    lines = max(lines, wrapped_lines(str(shown), self.widths[i]))
                cells.append(_Cell(shown, style, link))
            self.append(cells, lines)
        return first, self.row


def _summary(
    sheet: _Sheet,
    summary: ScreeningSummary,
    run: ScreenRunInfo,
    catalog: Catalog,
    rows_sheets: list[tuple[str, int]],
    title: str,
) -> None:
    ws = sheet.ws
    plan = _page(
        ws, list(_SUMMARY_WIDTHS), "portrait", title, _stamp(run), title_rows=None
    )
    blocks: list[tuple[int, int]] = []

    def put(label: str | None = None, value: Any = None, style: Style = _BOLD) -> int:
        if label is None:
            return sheet.append()
        cell = _Cell(label, {**style, **_WRAP})
        if isinstance(value, str) and len(value) > sum(_SUMMARY_WIDTHS[1:]) / 2:
            row = sheet.merged(
                1, _Cell(value, _WRAP), wrapped_lines(value, sum(_SUMMARY_WIDTHS[1:]))
            )
            sheet._cell(row - 1, 0, cell)
            return row
        return sheet.append([cell, value])

    sheet.append([_Cell("tracker screen", _TITLE)])
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
    if len(rows_sheets) > 1:
        spread = "; ".join(f"{name}: {n:,}" for name, n in rows_sheets)
        put(
            "Rows sheets",
            f"the rows continue over {len(rows_sheets)} sheets, "
            f"{EXCEL_MAX_ROWS:,} rows each at most (Excel's limit), "
            f"each with the header repeated ({spread})",
            _NOTE,
        )
    put("Started (UTC)", run.started.strftime("%Y-%m-%d %H:%M:%S"))
    put("Run time (s)", round(run.seconds, 2))
    put("tracker version", __version__)
    put("Datasets", str(catalog.path))
    put()

    charts: list[tuple[str, int, int, int, list[str], list[list[Any]]]] = []

    def table(
        heading: str, header: list[str], body: list[list[Any]], status: int | None
    ) -> tuple[int, int]:
        top = sheet.append([_Cell(heading, _TITLE)])
        first, last = sheet.table(header, body, status=status)
        blocks.append((top, min(last, top + 4)))
        sheet.append()
        return first, last

    header = ["status", "rows"]
    body: list[list[Any]] = [[s, summary.status[s]] for s in STATUSES]
    first, last = table("Rows by status", header, body, 0)
    charts.append(("Rows by status", first, last, 1, header, body))

    by_list = sorted(summary.by_list_tier.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    titles = {key: meta.title for key, meta in catalog.lists.items()}
    header = ["list", "tier", "rows"]
    body = [
        [list_label(lst, titles.get(lst)), tier or "-", count]
        for (lst, tier), count in by_list
    ]
    first, last = table("Matching rows by list and tier", header, body, None)
    if body:
        charts.append(("Matching rows by list and tier", first, last, 2, header, body))

    dests = sorted({d for d, _ in summary.by_destination})
    header = ["destination", *STATUSES]
    body = [
        [d or "(none)", *(summary.by_destination[(d, s)] for s in STATUSES)]
        for d in dests
    ]
    first, last = table("Rows by destination", header, body, None)
    if body:
        charts.append(("Rows by destination", first, last, 3, header, body))

    months = sorted({m for m, _ in summary.by_month})
    header = ["month", *STATUSES]
    body = [[m, *(summary.by_month[(m, s)] for s in STATUSES)] for m in months]
    first, last = table("Rows by month (row date)", header, body, None)
    if body:
        charts.append(("Rows by month", first, last, 3, header, body))

    # charts below the tables, one under the other, each kept on one page
    chart_rows = math.ceil(_CHART_HEIGHT / 2.54 * 72 / DEFAULT_ROW_POINTS) + 1
    name = ws.get_name()
    for heading, first, last, width, header, body in charts:
        chart = _chart(sheet, name, heading, first, last, width, header, body)
        anchor = sheet.row + 1
        ws.insert_chart(anchor - 1, 0, chart)
        for _ in range(chart_rows):
            sheet.append()
        blocks.append((anchor, sheet.row))
    add_row_breaks(ws, keep_with_next(sheet.heights, sheet.row, blocks, plan))


def _chart(
    sheet: _Sheet,
    name: str,
    heading: str,
    first: int,
    last: int,
    width: int,
    header: list[str],
    body: list[list[Any]],
) -> Any:
    """A bar chart of a Summary table (rows ``first`` to ``last``, from 1).

    The values go in the chart too (its cache): a reader that does not
    recalculate, or a sheet written in constant-memory mode, still shows bars.
    """
    wb = sheet.fmt._wb
    r0, r1 = first - 1, last - 1
    cats = [row[0] for row in body]
    if width == 2:
        # list and tier: label column A, values in column C, horizontal bars
        chart = wb.add_chart({"type": "bar"})
        value_cols = [2]
    elif width == 1:
        chart = wb.add_chart({"type": "column"})
        value_cols = [1]
    else:
        chart = wb.add_chart({"type": "column", "subtype": "stacked"})
        value_cols = [1, 2, 3]
    for col in value_cols:
        series: dict[str, Any] = {
            "name": [name, r0 - 1, col],
            "name_data": [header[col]],
            "categories": [name, r0, 0, r1, 0],
            "categories_data": cats,
            "values": [name, r0, col, r1, col],
            "values_data": [row[col] for row in body],
        }
        if width == 1:
            # one bar per status, each in its status colour
            series["points"] = [
                {"fill": {"color": "#" + _status_colour(status)}} for status in STATUSES
            ]
        elif width == 2:
            series["fill"] = {"color": "#" + _status_colour("match")}
        else:
            series["fill"] = {"color": "#" + _status_colour(STATUSES[col - 1])}
            series["overlap"] = 100
        chart.add_series(series)
    if width in (1, 2):
        chart.set_legend({"none": True})
    chart.set_title({"name": heading})
    chart.set_size(
        {
            "width": round(_CHART_WIDTH * _PIXELS_PER_CM),
            "height": round(_CHART_HEIGHT * _PIXELS_PER_CM),
        }
    )
    return chart


def _status_colour(status: str) -> str:
    return VERDICT_COLOURS[STATUS_VERDICT[status]].chart


def _issues(
    ws: Any, fmt: _Formats, summary: ScreeningSummary, title: str, stamp: str
) -> None:
    columns = ["code", "row", "column", "value", "message"]
    sheet = _Sheet(ws, fmt, [22.0, 8.0, 16.0, 24.0, 58.0])
    ws.freeze_panes(1, 0)
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
    ws.autofilter(0, 0, len(body), len(columns) - 1)


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


def _sources(ws: Any, fmt: _Formats, catalog: Catalog, title: str, stamp: str) -> None:
    sheet = _Sheet(
        ws, fmt, [14.0, 22.0, 16.0, 22.0, 11.0, 11.0, 10.0, 22.0, 28.0, 60.0, 66.0]
    )
    ws.freeze_panes(1, 0)
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
    ws.autofilter(0, 0, len(body), len(SOURCE_COLUMNS) - 1)
