"""What the check and screen workbooks share: verdict colours, list labels,
link display and the page setup that makes a sheet readable on paper.

Print layout is planned for the smaller of A4 and US Letter, so that a sheet
prints the same way on either: a sheet that fits the page width at a legible
scale is fitted to one page wide, a wider one to two pages wide (with its
title column repeated), never shrunk further.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit


@dataclass(frozen=True)
class VerdictColour:
    """How a verdict is shown: cell fill, cell font and chart bar colour (RGB hex)."""

    fill: str
    font: str
    chart: str


#: One colour per verdict, the same in the Matrix, the charts and Matches:
#: red, amber, violet, light grey. Never green ("not listed" is no clearance)
#: and never black.
VERDICT_COLOURS: Mapping[str, VerdictColour] = {
    "listed": VerdictColour("FFC7CE", "9C0006", "E0464E"),
    "listed-if": VerdictColour("FFEB9C", "7F4F00", "F4B400"),
    "indeterminate": VerdictColour("E4DFEC", "4B2A6A", "9B7FC6"),
    "not-listed": VerdictColour("EDEDED", "404040", "C8C8C8"),
}

#: Row status of `tracker screen` -> the verdict whose colour it takes.
STATUS_VERDICT = {
    "match": "listed",
    "indeterminate": "indeterminate",
    "no-match": "not-listed",
}

Orientation = Literal["portrait", "landscape"]

#: Printable width and height (mm) of the smaller of A4 and Letter, with the
#: margins set by :func:`print_setup` (0.5 in left and right, 0.75 in top and
#: bottom, where the header and footer sit).
_PRINTABLE_MM = {"portrait": (184.6, 241.3), "landscape": (254.0, 171.9)}
_MM_PER_POINT = 25.4 / 72

#: The smallest scale a sheet is shrunk to (11 pt text prints at 8.8 pt or more).
MIN_SCALE = 0.8

#: Row height (points) assumed for rows without an explicit height; a little
#: more than Excel's 15 so that a page is never fuller than planned.
DEFAULT_ROW_POINTS = 15.5

_TITLE_SEPARATORS = re.compile(r":\s| [–—-] ")


def wrapped_lines(text: Any, width: float) -> int:
    """Estimate how many wrapped lines ``text`` needs in a cell ``width`` wide.

    Wraps word by word, as spreadsheet programs do. A column ``width`` is
    counted in digits, and text runs a little narrower than digits; a line is
    taken to hold ``1.1 * (width - 1)`` characters, which leaves room.
    """
    room = max(1.1 * (width - 1), 1)
    total = 0
    for part in str(text if text is not None else "").splitlines() or [""]:
        lines, used = 1, 0.0
        for word in part.split(" "):
            size = len(word)
            if used and used + 1 + size > room:
                lines += 1
                used = 0.0
            used = used + 1 + size if used else float(size)
            while used > room:  # a word longer than the line is broken
                lines += 1
                used -= room
        total += lines
    return total


def short_title(title: str, limit: int = 40) -> str:
    """Return the name part of a list title, without its subtitle.

    ``"UK Russia sanctions: goods schedules of …"`` gives ``"UK Russia
    sanctions"``; a title still longer than ``limit`` loses its parenthesised
    part (``"US Commerce Control List (15 CFR Part 774 …)"`` gives ``"US
    Commerce Control List"``).
    """
    name = _TITLE_SEPARATORS.split(title, maxsplit=1)[0].strip() or title
    if len(name) > limit and " (" in name:
        head = name.split(" (", 1)[0].strip()
        if len(head) >= 8:
            name = head
    if len(name) > limit:
        name = name.split(", ", 1)[0]
    return name


def list_label(key: str, title: str | None) -> str:
    """Return a list's short title with its key, e.g. ``"US Commerce Control List (us_ccl)"``."""
    if not title:
        return key
    return f"{short_title(title)} ({key})"


def link_text(url: str) -> str:
    """Return the text a link shows: the domain of ``url`` (``www.`` dropped)."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def is_url(value: Any) -> bool:
    """True for an http(s) URL."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def column_mm(widths: Iterable[float]) -> float:
    """Printed width (mm, at 100 %) of columns of the given widths (characters)."""
    # Calibri 11: a column w characters wide is 7 w + 5 pixels at 96 dpi.
    return sum((7 * w + 5) * 25.4 / 96 for w in widths)


@dataclass(frozen=True)
class PrintPlan:
    """How a sheet prints: pages wide (0 = not fitted) and the resulting scale."""

    pages_wide: int
    scale: float
    orientation: Orientation

    @property
    def page_points(self) -> float:
        """Sheet height (points at 100 %) that fits on one printed page."""
        return _PRINTABLE_MM[self.orientation][1] / _MM_PER_POINT / self.scale


def plan_print(widths: Sequence[float], orientation: Orientation) -> PrintPlan:
    """Decide how a sheet with these column widths fits the page width.

    One page wide if that keeps the scale at MIN_SCALE or more; otherwise two
    pages wide (at the scale that takes, which can be less only for sheets
    more than twice too wide).
    """
    total = column_mm(widths)
    page = _PRINTABLE_MM[orientation][0]
    if total <= page:
        return PrintPlan(1, 1.0, orientation)
    if page / total >= MIN_SCALE:
        return PrintPlan(1, page / total, orientation)
    # whole columns go to a page: allow for the part of a column left over
    return PrintPlan(2, min(1.0, 2 * page * 0.95 / total), orientation)


def print_setup(
    ws: Any,
    *,
    widths: Sequence[float],
    orientation: Orientation,
    title: str,
    run_date: str,
    title_rows: str | None = None,
    title_cols: str | None = None,
) -> PrintPlan:
    """Set orientation, fitting, margins, print titles, header and footer.

    Args:
        ws: an openpyxl worksheet (also a write-only one) or an XlsxWriter
            worksheet (also in constant-memory mode: page setup is written
            when the workbook closes, so it can come after the rows).
        widths: the sheet's column widths (characters), in order.
        orientation: "portrait" or "landscape".
        title: the report's title, printed at the top left of every page.
        run_date: when the report was made, printed at the top right.
        title_rows: rows repeated at the top of every page (e.g. ``"1:1"``).
        title_cols: columns repeated on the left of every page when the
            sheet prints two pages wide (e.g. ``"A:A"``).

    Returns:
        The plan used, for placing page breaks.
    """
    plan = plan_print(widths, orientation)
    if _is_xlsxwriter(ws):
        _xlsxwriter_setup(ws, plan, title, run_date, title_rows, title_cols)
        return plan
    from openpyxl.worksheet.header_footer import HeaderFooter, HeaderFooterItem
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = 9  # A4
    props = ws.sheet_properties.pageSetUpPr
    if props is None:
        props = ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    props.fitToPage = True
    ws.page_setup.fitToWidth = plan.pages_wide
    ws.page_setup.fitToHeight = 0
    ws.page_margins = PageMargins(
        left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    ws.print_options.horizontalCentered = plan.pages_wide == 1
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols and plan.pages_wide > 1:
        ws.print_title_cols = title_cols
    header = HeaderFooterItem()
    header.left.text = _escape(title)
    header.right.text = _escape(run_date)
    footer = HeaderFooterItem()
    footer.left.text = "&A"  # the sheet's name
    footer.right.text = "Page &P of &N"
    for part in (header.left, header.right, footer.left, footer.right):
        part.size = 9
    hf: HeaderFooter = ws.HeaderFooter
    hf.oddHeader = header
    hf.oddFooter = footer
    return plan


def _is_xlsxwriter(ws: Any) -> bool:
    return hasattr(ws, "set_h_pagebreaks")


#: Excel's limit on a header or footer (codes included).
_HEADER_LIMIT = 255


def _xlsxwriter_setup(
    ws: Any,
    plan: PrintPlan,
    title: str,
    run_date: str,
    title_rows: str | None,
    title_cols: str | None,
) -> None:
    """``print_setup`` for an XlsxWriter worksheet (same settings)."""
    if plan.orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(plan.pages_wide, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    if plan.pages_wide == 1:
        ws.center_horizontally()
    if title_rows:
        first, last = (int(r) for r in title_rows.replace("$", "").split(":"))
        ws.repeat_rows(first - 1, last - 1)
    if title_cols and plan.pages_wide > 1:
        first_col, last_col = (
            _col_index(c) for c in title_cols.replace("$", "").split(":")
        )
        ws.repeat_columns(first_col, last_col)
    date = _escape(run_date)
    # XlsxWriter drops a header longer than Excel's limit: shorten the title
    room = _HEADER_LIMIT - len(date) - len("&L&9&R&9")
    text = _escape(title)
    if len(text) > room:
        text = _escape(title[: max(room - 1, 0) // 2]).rstrip("&") + "…"
    ws.set_header(f"&L&9{text}&R&9{date}", margin=0.3)
    ws.set_footer("&L&9&A&R&9Page &P of &N", margin=0.3)


def _col_index(letters: str) -> int:
    """Zero-based index of a column given by its letters (``"A"`` -> 0)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _escape(text: str) -> str:
    # "&" starts a header/footer code; "&&" prints one ampersand
    return text.replace("&", "&&")


def keep_with_next(
    heights: Mapping[int, float],
    last_row: int,
    blocks: Sequence[tuple[int, int]],
    plan: PrintPlan,
    *,
    repeated: float = 0.0,
) -> list[int]:
    """Return the rows to start a new page at, so that no block is split.

    Follows the rows down the pages (a row that does not fit the rest of a
    page goes to the next one, as spreadsheet programs print). A block (first
    row, last row), e.g. a heading with its table header and first rows, or a
    chart, that does not fit the rest of its page starts a new one, unless it
    is longer than a page.

    Args:
        heights: row -> height in points; other rows are DEFAULT_ROW_POINTS.
        last_row: the sheet's last row.
        blocks: (first row, last row) of each block to keep on one page.
        plan: the sheet's print plan (page height and scale).
        repeated: height of rows repeated at the top of each page.
    """
    page = plan.page_points - repeated
    starts = dict(blocks)
    breaks: list[int] = []
    used = 0.0

    def height(row: int) -> float:
        return heights.get(row, DEFAULT_ROW_POINTS)

    for row in range(1, last_row + 1):
        end = starts.get(row)
        if end is not None and used > 0:
            block = sum(height(r) for r in range(row, end + 1))
            if used + block > page >= block:
                breaks.append(row)
                used = 0.0
        h = height(row)
        if used + h > page and used > 0:
            used = 0.0
        used += h
    return breaks


def add_row_breaks(ws: Any, rows: Iterable[int]) -> None:
    """Start a new printed page at each of ``rows``."""
    if _is_xlsxwriter(ws):
        # zero-based: the break goes above that row
        ws.set_h_pagebreaks([row - 1 for row in rows])
        return
    from openpyxl.worksheet.pagebreak import Break

    for row in rows:
        ws.row_breaks.append(Break(id=row - 1))
