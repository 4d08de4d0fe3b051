"""Excel workbooks: the auditable report of `tracker check` (and of commands built on it)."""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.__about__ import __version__
from tracker.checking import VERDICT_RANK, CheckResult
from tracker.hs import format_code
from tracker.models import MATCH_FIELDS
from tracker.report.console import STANDING_NOTE
from tracker.report.workbook import (
    DEFAULT_ROW_POINTS,
    VERDICT_COLOURS,
    Orientation,
    add_row_breaks,
    is_url,
    keep_with_next,
    link_text,
    list_label,
    print_setup,
    wrapped_lines,
)

#: Sheets every check report has, in order; extra sheets come after "Matches".
FIXED_SHEETS = ("Summary", "Matrix", "Matches", "Items", "Sources", "Notes")

#: What each verdict means, for the legend.
VERDICT_MEANING = {
    "listed": "an entry of the list covers the goods",
    "listed-if": "covered only if the condition of the entry holds (see Matches)",
    "indeterminate": "the bundled data cannot answer (reason given)",
    "not-listed": (
        "no entry matched, or the list does not apply to the destination; "
        "not a licence decision"
    ),
}

_HEADER_FILL = PatternFill("solid", start_color="1F4E78", end_color="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14)
_LABEL_FONT = Font(bold=True)
_NOTE_FONT = Font(bold=True, color="9C0006")
_LINK_FONT = Font(color="0563C1", underline="single")
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_MAX_WIDTH = 60
_MIN_WIDTH = 8


@dataclass(frozen=True)
class SheetSpec:
    """A plain table sheet another command adds to the report.

    Attributes:
        title: sheet name (at most 31 characters; not one of FIXED_SHEETS).
        columns: header labels, in order.
        rows: one sequence of values per row, in column order. Strings are
            written as text (never as formulas), numbers as numbers, dates as
            ISO text, None as an empty cell.
        link_columns: labels of columns whose http(s) values become hyperlinks.
        widths: optional column width by label (characters); others are sized
            from their content.
    """

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    link_columns: Sequence[str] = ()
    widths: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    """How the report was produced, for the Summary and Sources sheets.

    Attributes:
        command: the command line as typed (e.g. ``tracker check optics -o r.xlsx``).
        run_at: when the run started, in UTC.
        tool_version: tracker's version.
    """

    command: str
    run_at: dt.datetime
    tool_version: str = __version__

    @classmethod
    def now(cls, command: str) -> RunInfo:
        """Return a RunInfo for ``command`` stamped with the current UTC time."""
        return cls(
            command=command, run_at=dt.datetime.now(dt.UTC).replace(microsecond=0)
        )


def _text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "; ".join(str(v) for v in value)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """Write ``value`` to a cell so that it never runs: text stays text.

    A string starting with ``= + - @`` is stored as a string cell (data type
    ``s``), not as a formula; illegal control characters are removed.
    """
    cell = ws.cell(row=row, column=col)
    if not isinstance(cell, Cell):
        raise ValueError(f"cannot write to merged cell at row {row}, column {col}")
    shown = _text(value)
    cell.value = shown
    if isinstance(shown, str):
        cell.data_type = "s"
    return cell


def _link(cell: Cell, url: Any, *, short: bool = True) -> None:
    """Make ``cell`` a link to ``url``, showing only its domain when ``short``."""
    if is_url(url):
        cell.hyperlink = url
        cell.font = _LINK_FONT
        if short:
            cell.value = link_text(url)


def _header(ws: Worksheet, row: int, columns: Sequence[str], col: int = 1) -> None:
    for i, label in enumerate(columns):
        cell = put(ws, row, col + i, label)
        cell.fill = _HEADER_FILL
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = _BORDER


def _size_columns(
    ws: Worksheet,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Mapping[str, float] | None = None,
    first_col: int = 1,
) -> list[float | None]:
    """Set widths from the content; return each wrapped column's width (else None)."""
    wrap: list[float | None] = []
    for i, label in enumerate(columns):
        fixed = widths.get(label) if widths else None
        longest = max(
            [len(str(label))]
            + [
                max((len(line) for line in str(_text(r[i])).splitlines()), default=0)
                for r in rows
                if i < len(r) and r[i] is not None
            ]
        )
        width = (
            fixed
            if fixed is not None
            else min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH)
        )
        ws.column_dimensions[get_column_letter(first_col + i)].width = width
        wrap.append(width if longest + 2 > width else None)
    return wrap


def write_table(
    ws: Worksheet,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    start_row: int = 1,
    link_columns: Sequence[str] = (),
    widths: Mapping[str, float] | None = None,
    freeze: bool = True,
    short_links: bool = True,
) -> tuple[int, int]:
    """Write a styled table (header, borders, autofilter, frozen header).

    Long text wraps, and each row is made tall enough for it. A URL in a
    ``link_columns`` column becomes a link showing its domain (its full text
    when not ``short_links``).

    Returns:
        (first data row, last data row); last < first when there are no rows.
    """
    _header(ws, start_row, columns)
    links = {columns.index(c) for c in link_columns if c in columns}
    shown = [
        [
            link_text(v) if short_links and i in links and is_url(v) else v
            for i, v in enumerate(values)
        ]
        for values in rows
    ]
    wrap = _size_columns(ws, columns, shown, widths)
    header_lines = max(
        wrapped_lines(label, w)
        for label, w in zip(columns, _widths(ws, len(columns)), strict=True)
    )
    _height(ws, start_row, header_lines)
    for r, (values, texts) in enumerate(zip(rows, shown, strict=True), start_row + 1):
        lines = 1
        for c in range(len(columns)):
            value = texts[c] if c < len(texts) else None
            cell = put(ws, r, c + 1, value)
            width = wrap[c]
            cell.alignment = _WRAP if width is not None else _TOP
            if width is not None and value is not None:
                lines = max(lines, wrapped_lines(_text(value), width))
            cell.border = _BORDER
            if c in links:
                _link(cell, values[c], short=short_links)
        # Spreadsheet programs do not grow rows for wrapped text on their own.
        _height(ws, r, lines)
    last = start_row + len(rows)
    ref = f"A{start_row}:{get_column_letter(len(columns))}{max(last, start_row)}"
    ws.auto_filter.ref = ref
    if freeze:
        ws.freeze_panes = f"A{start_row + 1}"
    return start_row + 1, last


def _print(
    ws: Worksheet,
    orientation: Orientation,
    run: RunInfo,
    title: str,
    *,
    header_row: bool = True,
    sections: Sequence[tuple[int, int]] = (),
) -> None:
    """Page setup for printing; a new page before a block that would be split.

    ``sections`` are (first row, last row) blocks to keep on one page: a
    heading with the first rows below it, a chart, a short table.
    """
    count = ws.max_column
    widths = _widths(ws, count)
    plan = print_setup(
        ws,
        widths=widths,
        orientation=orientation,
        title=title,
        run_date="Run " + run.run_at.strftime("%Y-%m-%d %H:%M UTC"),
        title_rows="1:1" if header_row else None,
        title_cols="A:A" if header_row else None,
    )
    heights = {
        r: float(d.height) for r, d in ws.row_dimensions.items() if d.height is not None
    }
    repeated = heights.get(1, DEFAULT_ROW_POINTS) if header_row else 0.0
    add_row_breaks(
        ws, keep_with_next(heights, ws.max_row, sections, plan, repeated=repeated)
    )


def _verdict_formatting(ws: Worksheet, ref: str) -> None:
    for verdict, colour in VERDICT_COLOURS.items():
        ws.conditional_formatting.add(
            ref,
            CellIsRule(  # type: ignore[no-untyped-call]
                operator="equal",
                formula=[f'"{verdict}"'],
                fill=_fill(colour.fill),
                font=Font(color=colour.font, bold=verdict == "listed"),
            ),
        )


def _fill(rgb: str) -> PatternFill:
    return PatternFill("solid", start_color=rgb, end_color=rgb)


def _note(ws: Worksheet, row: int, first: int, last: int, text: str) -> Cell:
    """Write wrapped text merged over columns first..last, with a fitting height."""
    cell = put(ws, row, first, text)
    cell.alignment = _WRAP
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    width = sum(_widths(ws, last)[first - 1 : last])
    _height(ws, row, wrapped_lines(text, width))
    return cell


def _legend(ws: Worksheet, row: int, last_col: int) -> int:
    put(ws, row, 1, "Legend").font = _LABEL_FONT
    for i, (verdict, meaning) in enumerate(VERDICT_MEANING.items(), start=1):
        colour = VERDICT_COLOURS[verdict]
        cell = put(ws, row + i, 1, verdict)
        cell.fill = _fill(colour.fill)
        cell.font = Font(color=colour.font, bold=verdict == "listed")
        cell.border = _BORDER
        _note(ws, row + i, 2, max(last_col, 2), meaning)
    return row + len(VERDICT_MEANING) + 1


def _question(result: CheckResult) -> str:
    items = ", ".join(i.item.query for i in result.items)
    when = (
        f"as of {result.as_of.isoformat()}"
        if result.as_of is not None
        else "on the bundled (current) data"
    )
    return (
        f"Which bundled lists cover {items} for export to {result.destination}, {when}?"
    )


def _destination_label(result: CheckResult) -> str:
    name = result.destination_name
    return f"{result.destination} ({name})" if name else result.destination


#: Summary sheet column widths (characters), columns A to H: one portrait
#: page wide at a legible scale.
_SUMMARY_WIDTHS = (24.0, 13.0, 12.0, 13.0, 12.0, 12.0, 14.0, 17.0)


def _data_facts(result: CheckResult) -> list[tuple[str, str]]:
    """("Data dates", every list's title and date) and ("Data age", the caveats)."""
    return [
        (
            "Data dates",
            "\n".join(
                f"{lst.title} ({lst.key}): as of {lst.as_of.isoformat()}"
                for lst in result.lists
            ),
        ),
        (
            "Data age",
            "\n".join(result.caveats)
            if result.caveats
            else "every list's data is recent for the date asked",
        ),
    ]


def _span(
    ws: Worksheet, row: int, first: int, last: int, value: Any
) -> tuple[Cell, int]:
    """Write ``value`` into columns first..last of ``row`` (merged); return lines needed."""
    cell = put(ws, row, first, value)
    cell.alignment = _WRAP
    cell.border = _BORDER
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    width = sum(_SUMMARY_WIDTHS[first - 1 : last])
    return cell, wrapped_lines(value, width)


def _height(ws: Worksheet, row: int, lines: int) -> None:
    if lines > 1:
        # 409 points is the largest row height Excel accepts
        ws.row_dimensions[row].height = min(13.5 * lines + 3, 409)


def _widths(ws: Worksheet, count: int) -> list[float]:
    out = []
    for i in range(1, count + 1):
        width = ws.column_dimensions[get_column_letter(i)].width
        out.append(float(width) if width else 13.0)
    return out


def _labels(result: CheckResult) -> dict[str, str]:
    """List key -> its short title with the key, for every list used."""
    return {lst.key: list_label(lst.key, lst.title) for lst in result.lists}


def _summary(ws: Worksheet, result: CheckResult, run: RunInfo) -> list[tuple[int, int]]:
    """Write the Summary sheet; return the row blocks to keep on one page."""
    for i, width in enumerate(_SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    labels = _labels(result)
    sections: list[tuple[int, int]] = []
    put(ws, 1, 1, "tracker check report").font = _TITLE_FONT
    facts = [
        ("Question", _question(result)),
        ("Items", ", ".join(i.item.query for i in result.items)),
        ("Destination", _destination_label(result)),
        (
            "As of",
            result.as_of.isoformat()
            if result.as_of is not None
            else "current data (each list as of its own date; see Sources)",
        ),
        ("Run at (UTC)", run.run_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("tracker version", run.tool_version),
        ("Command", run.command),
        ("Important", STANDING_NOTE),
        *_data_facts(result),
    ]
    row = 3
    for label, value in facts:
        label_cell = put(ws, row, 1, label)
        label_cell.font = _LABEL_FONT
        label_cell.alignment = _TOP
        cell, lines = _span(ws, row, 2, 8, value)
        if label == "Important":
            cell.font = _NOTE_FONT
        _height(ws, row, lines)
        row += 1

    row += 1
    heading = row
    put(ws, row, 1, "Overall verdict per item").font = _LABEL_FONT
    row += 1
    _header(ws, row, ["item", "resolved as", "verdict", "lists that list it"])
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
    first = row + 1
    for check in result.items:
        row += 1
        listed = [
            f"{labels.get(v.list_key, v.list_key)}: {v.verdict}"
            for v in check.verdicts
            if v.verdict in ("listed", "listed-if")
        ]
        lines = 1
        for c, value in enumerate(
            [
                check.item.query,
                check.item.category or format_code(check.item.codes[0]),
                check.verdict,
            ],
            start=1,
        ):
            _, n = _span(ws, row, c, c, value)
            lines = max(lines, n)
        _, n = _span(ws, row, 4, 8, "\n".join(listed) or "none")
        _height(ws, row, max(lines, n))
    _verdict_formatting(ws, f"C{first}:C{max(row, first)}")
    sections.append((heading, min(row, heading + 3)))

    row += 2
    heading = row
    put(ws, row, 1, "Items per verdict and list").font = _LABEL_FONT
    row += 1
    verdicts = list(VERDICT_RANK)
    _header(ws, row, ["list", *verdicts, "applies to destination"])
    _height(ws, row, 2)
    head = row
    counts = result.counts()
    for lst in result.lists:
        row += 1
        _, lines = _span(ws, row, 1, 1, labels[lst.key])
        for c, verdict in enumerate(verdicts, start=2):
            put(ws, row, c, counts[lst.key][verdict]).border = _BORDER
        _, n = _span(ws, row, len(verdicts) + 2, len(verdicts) + 2, lst.applicability)
        _height(ws, row, max(lines, n))
    if result.lists:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "Items per verdict and list"
        chart.y_axis.title = "items"
        chart.y_axis.majorUnit = 1
        # list at the top as in the table, not reversed
        chart.x_axis.scaling.orientation = "maxMin"
        chart.height = max(6.0, 0.9 * len(result.lists) + 3)
        # the width of the Summary columns, less a margin
        chart.width = round(0.19 * sum(_SUMMARY_WIDTHS) - 1)
        data = Reference(
            ws, min_col=2, max_col=1 + len(verdicts), min_row=head, max_row=row
        )
        cats = Reference(ws, min_col=1, min_row=head + 1, max_row=row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        for series, verdict in zip(chart.series, verdicts, strict=True):
            colour = VERDICT_COLOURS[verdict].chart
            series.graphicalProperties.solidFill = colour
            series.graphicalProperties.line.solidFill = colour
        sections.append((heading, min(row, heading + 3)))
        ws.add_chart(chart, f"A{row + 2}")
        # rows are planned DEFAULT_ROW_POINTS high; leave room for the chart
        chart_rows = math.ceil(chart.height / 2.54 * 72 / DEFAULT_ROW_POINTS)
        # a chart is never split over two pages
        sections.append((row + 1, row + 2 + chart_rows))
        row += chart_rows + 2

    row += 1
    heading = row
    put(
        ws, row, 1, f"Regimes for destination {_destination_label(result)}"
    ).font = _LABEL_FONT
    row += 1
    if not result.regimes:
        put(
            ws,
            row,
            1,
            f"No country regimes are bundled for {result.destination}; the dual-use "
            "and military lists still apply.",
        )
    else:
        _header(
            ws,
            row,
            [
                "regime",
                "legal basis",
                "",
                "what it restricts",
                "",
                "",
                "verification",
                "source",
            ],
        )
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
        for regime in result.regimes:
            row += 1
            spans = [
                (1, 1, regime.name),
                (2, 3, regime.legal_basis),
                (4, 6, regime.restricts),
                (7, 7, regime.verification),
                (8, 8, regime.source_url),
            ]
            lines = 1
            for first_col, last_col, value in spans:
                cell, n = _span(ws, row, first_col, last_col, value)
                if first_col == 8:
                    _link(cell, value)
                    n = wrapped_lines(cell.value, _SUMMARY_WIDTHS[7])
                lines = max(lines, n)
            _height(ws, row, lines)
    sections.append((heading, min(row, heading + 2)))
    ws.sheet_view.showGridLines = False
    return sections


def _matrix(ws: Worksheet, result: CheckResult) -> list[tuple[int, int]]:
    """Write the Matrix sheet; return the row blocks to keep on one page."""
    keys = [lst.key for lst in result.lists]
    columns = ["item", "resolved as", "overall", *keys]
    rows: list[list[Any]] = []
    for check in result.items:
        rows.append(
            [
                check.item.query,
                check.item.category or format_code(check.item.codes[0]),
                check.verdict,
                *(v.verdict for v in check.verdicts),
            ]
        )
    # wide enough for "indeterminate" and the list keys
    longest_item = max((len(str(r[0])) for r in rows), default=0)
    widths: dict[str, float] = {k: max(14.0, len(k) + 2.0) for k in keys}
    widths["item"] = float(min(max(16, longest_item + 2), 30))
    widths["resolved as"] = 16.0
    widths["overall"] = 14.0
    first, last = write_table(ws, columns, rows, widths=widths)
    for r, check in enumerate(result.items, start=first):
        for c, v in enumerate(check.verdicts, start=4):
            lines = []
            if v.entries:
                lines.append("entries: " + ", ".join(v.entries))
            if v.tiers:
                lines.append("tiers: " + ", ".join(v.tiers))
            if v.reason:
                lines.append(v.reason)
            if v.goods_verdict != v.verdict:
                lines.append(f"the list itself: {v.goods_verdict}")
            if lines:
                ws.cell(row=r, column=c).comment = Comment(
                    "\n".join(lines), "tracker", width=320, height=140
                )
    if last >= first:
        _verdict_formatting(ws, f"C{first}:{get_column_letter(len(columns))}{last}")
    sections: list[tuple[int, int]] = []
    row = max(last, first) + 2
    # the column headings are list keys; say which list each one is
    heading = row
    put(ws, row, 1, "Lists (column headings)").font = _LABEL_FONT
    for lst in result.lists:
        row += 1
        put(ws, row, 1, lst.key).alignment = _TOP
        _note(ws, row, 2, len(columns), f"{lst.title}, as of {lst.as_of.isoformat()}")
    sections.append((heading, row))
    row += 2
    notes = [
        (lst.key, lst.applicability, lst.gap)
        for lst in result.lists
        if lst.applicability != "applies" or lst.gap
    ]
    if notes:
        heading = row
        put(ws, row, 1, "Lists with a limit for this question").font = _LABEL_FONT
        for key, applicability, gap in notes:
            row += 1
            put(ws, row, 1, key).alignment = _TOP
            reason = next(
                (
                    v.reason
                    for check in result.items
                    for v in check.verdicts
                    if v.list_key == key and v.reason
                ),
                gap or applicability,
            )
            _note(ws, row, 2, len(columns), f"{applicability}: {reason}")
        sections.append((heading, row))
        row += 2
    heading = row
    row = _legend(ws, row, len(columns)) + 1
    _note(ws, row, 1, len(columns), STANDING_NOTE).font = _NOTE_FONT
    sections.append((heading, row))
    ws.freeze_panes = "B2"
    return sections


MATCH_COLUMNS = ("item", "applicability", *MATCH_FIELDS)


def match_rows(result: CheckResult) -> list[list[Any]]:
    """Return the Matches sheet rows: one per match, in item order.

    The list is named by its short title and key (``"US Commerce Control List
    (us_ccl)"``).
    """
    labels = _labels(result)
    rows: list[list[Any]] = []
    for check in result.items:
        applicability = {v.list_key: v.applicability for v in check.verdicts}
        for m in check.matches:
            record = m.record()
            record["list"] = labels.get(m.list_key, m.list_key)
            rows.append(
                [check.item.query, applicability[m.list_key]]
                + [record[f] for f in MATCH_FIELDS]
            )
    return rows


def _aliases(names: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{lang}: {', '.join(v)}" for lang, v in names.items())


def _items(result: CheckResult) -> SheetSpec:
    rows = [
        [
            c.item.query,
            c.item.kind,
            c.item.resolved_by,
            c.item.matched_name,
            c.item.language,
            c.item.category,
            c.item.title,
            ", ".join(c.item.categories),
            " ".join(format_code(code) for code in c.item.codes),
            _aliases(c.item.aliases),
        ]
        for c in result.items
    ]
    return SheetSpec(
        "Items",
        [
            "item",
            "kind",
            "resolved by",
            "matched name",
            "language",
            "category",
            "title",
            "categories covered",
            "codes checked",
            "aliases",
        ],
        rows,
    )


def _sources(ws: Worksheet, result: CheckResult, run: RunInfo) -> list[tuple[int, int]]:
    """Write the Sources sheet; return the row blocks to keep on one page."""
    columns = [
        "list",
        "title",
        "version",
        "legal basis",
        "as_of",
        "covers_from",
        "retrieved",
        "destinations",
        "applicability",
        "gap for the date asked",
        "what the bundled data leaves out",
        "entries",
        "official",
        "secondary",
        "unverified",
        "url",
        "sha256 of dataset files",
    ]
    rows = [
        [
            lst.key,
            lst.title,
            lst.version,
            lst.legal_basis,
            lst.as_of,
            lst.covers_from,
            lst.retrieved,
            ", ".join(d.upper() for d in lst.destinations),
            lst.applicability,
            lst.gap,
            lst.coverage_gap,
            lst.entries,
            lst.verification.get("official", 0),
            lst.verification.get("secondary", 0),
            lst.verification.get("unverified", 0),
            lst.url,
            "\n".join(f"{path} {sha}" for path, sha in sorted(lst.sha256.items())),
        ]
        for lst in result.lists
    ]
    # two landscape pages wide; a SHA-256 (64 characters) fits on one line
    widths = {
        "list": 14.0,
        "title": 24.0,
        "version": 22.0,
        "legal basis": 22.0,
        "as_of": 11.0,
        "covers_from": 11.0,
        "retrieved": 11.0,
        "destinations": 12.0,
        "applicability": 13.0,
        "gap for the date asked": 18.0,
        "what the bundled data leaves out": 26.0,
        "entries": 8.0,
        "official": 9.0,
        "secondary": 10.0,
        "unverified": 10.0,
        "url": 30.0,
        "sha256 of dataset files": 66.0,
    }
    # the full address: this sheet is where a reader finds each list
    _, last = write_table(
        ws, columns, rows, link_columns=["url"], widths=widths, short_links=False
    )
    sections: list[tuple[int, int]] = []
    row = max(last, 1) + 2
    heading = row
    put(ws, row, 1, "Other dataset files").font = _LABEL_FONT
    for name, sha in sorted(result.dataset_files.items()):
        row += 1
        put(ws, row, 1, name)
        put(ws, row, 2, sha)
    sections.append((heading, row))
    row += 2
    heading = row
    for label, value in (
        ("tracker version", run.tool_version),
        ("Command", run.command),
        *_data_facts(result),
        ("Run at (UTC)", run.run_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("As of", result.as_of.isoformat() if result.as_of else "current data"),
        ("Destination", _destination_label(result)),
    ):
        put(ws, row, 1, label).font = _LABEL_FONT
        put(ws, row, 1, label).alignment = _TOP
        _note(ws, row, 2, 5, value)
        row += 1
    sections.append((heading, row - 1))
    return sections


NOTES = (
    (
        "What this report is",
        "A screening aid with cited sources, not legal advice. For each item it "
        "shows every entry of every bundled list that may cover the goods, why "
        "(basis), and where the fact can be read (source URL). The legal text "
        "governs.",
    ),
    ("Not listed", STANDING_NOTE),
    (
        "How items are matched",
        "A category is checked by each of its HS 2022 codes and those of the "
        "categories below it (exact code, a heading containing it = prefix, or a "
        "longer entry code = narrower, which is only listed-if), by the curators' "
        "links between entries and categories (category), by its names against "
        "entry keywords (keyword), and through entries that cover a whole other "
        "list (derived, e.g. EU 833/2014 Art. 2 and the EU dual-use list). Each "
        "entry appears once per item, with its strongest basis.",
    ),
    (
        "HS codes are indicators",
        "Customs codes do not define most controls. A code points to where such "
        "goods are usually declared; many goods under a listed code are not "
        "controlled, and a controlled item can be declared under another code.",
    ),
    (
        "Parameter-based entries",
        "Dual-use and military entries are defined by technical parameters or "
        "design purpose. They are reported as listed-if with the condition in "
        "words; only the goods' specification can settle them.",
    ),
    (
        "Dates",
        "With an as-of date, entries added after it or ended on or before it are "
        "left out. A list whose bundled data does not reach back to that date is "
        "indeterminate for every item (see Sources, gap). Without an as-of date "
        "each list is used as of its own date (Sources, as_of).",
    ),
    (
        "Destination",
        "Lists that restrict exports to named countries (EU 833/2014, EAR Part "
        "746, UK Russia schedules, the CHPL) are not-listed for other "
        "destinations, with the reason in the Matrix comments and the "
        "applicability column of Matches; dual-use and military lists apply to "
        "every destination. Country regimes (embargoes, UN measures) are "
        "summarised on the Summary sheet at regime level only.",
    ),
    (
        "Verification",
        "Each entry and regime says how it was checked: official (read in the "
        "legal text), secondary (read in a reliable secondary source) or "
        "unverified (not checked; treat with care). Counts per list are on the "
        "Sources sheet.",
    ),
    (
        "Coverage",
        "Only the entries relevant to the bundled goods categories are included "
        "for some lists (see each list's description). Sanctions on parties "
        "(persons and companies) are not checked.",
    ),
)


#: Matches column widths: two landscape pages wide, what matched and the
#: verdict with its condition on the first, the evidence on the second.
_MATCH_WIDTHS = {
    "item": 14.0,
    "applicability": 12.0,
    "list": 18.0,
    "entry": 15.0,
    "control_code": 12.0,
    "title": 26.0,
    "basis": 9.0,
    "query": 10.0,
    "matched": 14.0,
    "verdict": 14.0,
    "condition": 30.0,
    "tier": 8.0,
    "legal_basis": 22.0,
    "source_ref": 20.0,
    "since": 11.0,
    "added_act": 18.0,
    "ended": 11.0,
    "wind_down_until": 11.0,
    "verification": 11.0,
    "source_url": 18.0,
    "list_version": 20.0,
    "list_as_of": 11.0,
    "detail": 28.0,
}

#: Items column widths: one portrait page wide.
_ITEM_WIDTHS = {
    "item": 12.0,
    "kind": 8.0,
    "resolved by": 9.0,
    "matched name": 12.0,
    "language": 9.0,
    "category": 12.0,
    "title": 13.0,
    "categories covered": 14.0,
    "codes checked": 11.0,
    "aliases": 17.0,
}

#: Page orientation by sheet; other (extra) sheets print landscape.
_ORIENTATION: dict[str, Orientation] = {
    "Summary": "portrait",
    "Items": "portrait",
    "Notes": "portrait",
    "Matrix": "landscape",
    "Matches": "landscape",
    "Sources": "landscape",
}


def _report_title(result: CheckResult) -> str:
    """The page header: what was checked, for where."""
    items = ", ".join(i.item.query for i in result.items)
    if len(items) > 60:
        items = items[:59] + "…"
    when = f", as of {result.as_of.isoformat()}" if result.as_of else ""
    return f"tracker check report: {items} → {result.destination}{when}"


def write_check_report(
    result: CheckResult,
    path: Path,
    *,
    run_info: RunInfo,
    extra_sheets: Sequence[SheetSpec] = (),
) -> None:
    """Write the auditable Excel report of a check, atomically.

    Sheets, in order: Summary (question, destination, date, counts, chart,
    regimes, standing note), Matrix (items x lists, colour-coded, legend),
    Matches (one row per match with its evidence and source link), the
    ``extra_sheets`` in the order given, Items, Sources (list versions, dates,
    verification counts, SHA-256 of the dataset files, tool version, command,
    run time) and Notes (method and limits). Every table has a styled header,
    frozen panes and an autofilter. Text from data is always written as text,
    never as a formula. The same result gives the same cell contents (the run
    time aside). The file is written to a temporary file in the same folder
    and moved into place with ``os.replace``.

    This signature is stable: other commands (e.g. ``tracker scan``) add
    their own sheets through ``extra_sheets``.

    Args:
        result: the result of :func:`tracker.checking.check_items`.
        path: the .xlsx file to write (replaced if it exists).
        run_info: command line, run time (UTC) and tool version.
        extra_sheets: further table sheets, inserted after Matches.

    Raises:
        ValueError: an extra sheet reuses a fixed sheet title or repeats one.
    """
    titles = [s.title for s in extra_sheets]
    for title in titles:
        if title in FIXED_SHEETS or titles.count(title) > 1:
            raise ValueError(f"sheet title {title!r} is already used")
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    sections = {"Summary": _summary(summary, result, run_info)}
    sections["Matrix"] = _matrix(wb.create_sheet("Matrix"), result)
    matches = wb.create_sheet("Matches")
    rows = match_rows(result)
    first, last = write_table(
        matches,
        MATCH_COLUMNS,
        rows,
        link_columns=["source_url"],
        widths=_MATCH_WIDTHS,
    )
    if last >= first:
        col = get_column_letter(MATCH_COLUMNS.index("verdict") + 1)
        _verdict_formatting(matches, f"{col}{first}:{col}{last}")
    matches.freeze_panes = "C2"
    for spec in extra_sheets:
        ws = wb.create_sheet(spec.title)
        write_table(
            ws,
            spec.columns,
            spec.rows,
            link_columns=spec.link_columns,
            widths=spec.widths,
        )
    items = _items(result)
    write_table(
        wb.create_sheet("Items"), items.columns, items.rows, widths=_ITEM_WIDTHS
    )
    sections["Sources"] = _sources(wb.create_sheet("Sources"), result, run_info)
    notes = wb.create_sheet("Notes")
    write_table(
        notes,
        ["topic", "note"],
        [list(n) for n in NOTES],
        widths={"topic": 22.0, "note": 68.0},
    )
    title = _report_title(result)
    for ws in wb.worksheets:
        _print(
            ws,
            _ORIENTATION.get(ws.title, "landscape"),
            run_info,
            title,
            header_row=ws.title != "Summary",
            sections=sections.get(ws.title, ()),
        )
    created = run_info.run_at.replace(tzinfo=None)
    wb.properties.creator = f"tracker {run_info.tool_version}"
    wb.properties.created = created
    wb.properties.title = "tracker check report"
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        # mkstemp creates the file 0600; give it the mode a new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
