"""Terminal tables and JSON/CSV emitters for the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.checking import STANDING_NOTE as _STANDING_NOTE
from tracker.models import Match

#: The sentence every output that reports "not listed" carries (defined
#: with the verdicts, in tracker.checking).
STANDING_NOTE = _STANDING_NOTE

#: Characters that make a spreadsheet program read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Return text that cannot run as a formula (OWASP CSV injection guidance).

    A string starting with ``= + - @`` (or tab / carriage return) gets a leading
    apostrophe; other values are returned unchanged.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def stdout_console() -> Console:
    """Return a console on stdout.

    Its width is ``COLUMNS`` when set, else the terminal's, else 160 (a pipe).
    Colour follows rich: none when stdout is not a terminal or ``NO_COLOR``
    is set.
    """
    columns = os.environ.get("COLUMNS", "")
    width: int | None = None
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif not sys.stdout.isatty():
        width = 160
    return Console(file=sys.stdout, soft_wrap=False, width=width)


def stderr_console() -> Console:
    return Console(file=sys.stderr)


def emit_json(data: Any, out: TextIO | None = None) -> None:
    """Write ``data`` as indented UTF-8 JSON with a final newline."""
    stream = out if out is not None else sys.stdout
    json.dump(data, stream, ensure_ascii=False, indent=2, default=str)
    stream.write("\n")


def emit_csv(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    out: TextIO | None = None,
) -> None:
    """Write rows as CSV with a header; formula-like text is neutralised."""
    stream = out if out is not None else sys.stdout
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            ["" if row.get(c) is None else neutralize(row.get(c)) for c in columns]
        )


def make_table(
    title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Table:
    """Build a rich table with the given header and rows."""
    table = Table(title=title, show_lines=False, header_style="bold", expand=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


VERDICT_STYLE = {
    "listed": "bold red",
    "listed-if": "yellow",
    "not-listed": "bright_black",
    "indeterminate": "magenta",
}


def styled_verdict(verdict: str) -> str:
    """Wrap a verdict in rich markup for its colour."""
    style = VERDICT_STYLE.get(verdict, "")
    return f"[{style}]{verdict}[/]" if style else verdict


def shorten(text: str, limit: int | None) -> str:
    """Cut ``text`` to ``limit`` characters with an ellipsis (None: keep it whole)."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


# --- Fitted terminal output ---------------------------------------------------
#
# The terminal output of `lookup` and `check` fits the console width: cells and
# paragraphs wrap at spaces, a cell longer than its line budget (or a word longer
# than its column) is shortened with "…", and low-value columns are dropped when
# the terminal is narrow. No word is ever split across lines.

#: Spaces between two columns of a fitted table.
COLUMN_GAP = 2

#: Rows per list, and in all, of the short table of `lookup` and `check` for
#: one item (every list that lists it keeps one row; --details shows all).
ROWS_PER_LIST = 2
MAX_ROWS = 10

#: Verdict words, longest first so that "listed" does not match inside "listed-if".
_VERDICT_WORDS = re.compile(
    r"(?<![\w-])(listed-if|not-listed|listed|indeterminate|concern)(?![\w-])"
)

#: The sentence of Catalog.staleness(); caveats of this shape are summarised.
_STALE = re.compile(
    r"^(?P<key>\S+): bundled data is as of (?P<as_of>\d{4}-\d\d-\d\d), "
    r"(?P<days>\d+) days before (?P<on>\d{4}-\d\d-\d\d); later changes to the "
    r"list are not bundled$"
)


def _cut(word: str, width: int) -> str:
    """Shorten one word to ``width`` cells, ending in "…"."""
    if cell_len(word) <= width:
        return word
    out = word
    while out and cell_len(out) + 1 > width:
        out = out[:-1]
    return out + "…"


def _close(line: str, width: int) -> str:
    """End a kept line with "…" (the text went on), dropping words to make room."""
    words = line.split(" ")
    while len(words) > 1 and cell_len(" ".join(words)) + 1 > width:
        words.pop()
    kept = " ".join(words).rstrip(" ,;:")
    if cell_len(kept) + 1 > width:
        return _cut(kept, width)
    return kept + "…"


def wrap_text(
    text: str, width: int, max_lines: int | None = None, *, hang: int = 0
) -> list[str]:
    """Wrap ``text`` at spaces into lines of at most ``width`` cells.

    A word longer than a line is shortened with "…", never split; with
    ``max_lines`` the last kept line ends in "…" when text was left out.
    Lines after the first are ``hang`` cells narrower (for a hanging indent).

    Example:
        >>> wrap_text("Telescopic sights for arms", 12, max_lines=2)
        ['Telescopic', 'sights for…']
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        room = max(width - (hang if lines else 0), 2)
        word = _cut(word, room)
        if current == "":
            current = word
        elif cell_len(current) + 1 + cell_len(word) <= room:
            current += " " + word
        else:
            lines.append(current)
            room = max(width - hang, 2)
            current = _cut(word, room)
    if current != "":
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        room = max(width - (hang if max_lines > 1 else 0), 2)
        lines[-1] = _close(lines[-1], room)
    return lines or [""]


def styled_text(text: str, style: str = "") -> Text:
    """Return plain text (never read as markup) with verdict words coloured."""
    out = Text(text, style=style)
    for found in _VERDICT_WORDS.finditer(text):
        word_style = VERDICT_STYLE.get(found.group(1), "")
        if word_style:
            out.stylize(word_style, found.start(), found.end())
    return out


def print_wrapped(
    console: Console,
    text: str,
    *,
    indent: int = 0,
    hang: int = 2,
    max_lines: int | None = None,
    style: str = "",
    bold_prefix: int = 0,
) -> None:
    """Print a paragraph wrapped at spaces to the console width.

    Args:
        console: where to print.
        text: the paragraph (plain text, verdict words are coloured).
        indent: spaces before every line.
        hang: extra spaces before the lines after the first.
        max_lines: shorten with "…" beyond this many lines (None: no limit).
        style: style of the whole paragraph.
        bold_prefix: make the first characters bold (an item name).
    """
    lines = wrap_text(text, console.width - indent, max_lines, hang=hang)
    for n, line in enumerate(lines):
        pad = " " * (indent + (hang if n else 0))
        out = styled_text(line, style)
        if n == 0 and bold_prefix:
            out.stylize("bold", 0, bold_prefix)
        console.print(Text(pad) + out, no_wrap=True, overflow="ignore", crop=False)


@dataclass(frozen=True)
class Column:
    """One column of a fitted table."""

    header: str
    #: Narrowest useful width; a narrower terminal drops the column instead.
    min_width: int = 8
    #: Most lines a cell may take (None: as many as the text needs).
    max_lines: int | None = None
    #: Columns with a higher number are dropped first when the table is too
    #: wide; 0: never dropped.
    drop: int = 0
    #: Colour the cells as verdicts.
    verdict: bool = False
    #: Width a never-dropped column gets before the others share the rest
    #: (None: its longest cell).
    comfort: int | None = None
    #: Never shorten a word: the column is at least as wide as its longest
    #: word (up to 40 cells), or dropped.
    whole_words: bool = False


def _widths(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int
) -> dict[int, int]:
    natural = [
        max([cell_len(c.header)] + [cell_len(r[i]) for r in rows])
        for i, c in enumerate(columns)
    ]
    least = []
    for i, c in enumerate(columns):
        floor = max(c.min_width, cell_len(c.header))
        if c.whole_words:
            words = [cell_len(w) for r in rows for w in r[i].split()]
            floor = max(floor, min(max(words, default=0), 40))
        least.append(min(natural[i], floor))
    # Low-value columns go first while the others lack a comfortable width.
    wanted = [
        least[i]
        if c.drop or c.comfort is None
        else max(least[i], min(natural[i], c.comfort))
        for i, c in enumerate(columns)
    ]
    active = list(range(len(columns)))

    def needed(sizes: list[int]) -> int:
        return sum(sizes[i] for i in active) + COLUMN_GAP * (len(active) - 1)

    while needed(wanted) > width:
        droppable = [i for i in active if columns[i].drop > 0]
        if not droppable:
            break
        active.remove(max(droppable, key=lambda i: columns[i].drop))
    out = {i: least[i] for i in active}
    spare = width - needed(least)
    # First the columns that are never dropped, up to a comfortable width …
    for i in active:
        comfort = columns[i].comfort
        if columns[i].drop == 0 and spare > 0:
            target = natural[i] if comfort is None else min(natural[i], comfort)
            add = max(0, min(spare, target - out[i]))
            out[i] += add
            spare -= add
    # … then every column, in proportion to what it lacks.
    while spare > 0:
        short = {i: natural[i] - out[i] for i in active if natural[i] > out[i]}
        if not short:
            break
        total = sum(short.values())
        given = 0
        for i, lack in short.items():
            add = min(lack, max(1, spare * lack // total), spare - given)
            out[i] += add
            given += add
            if given >= spare:
                break
        spare -= given
    return out


def fit_table(
    columns: Sequence[Column], rows: Sequence[Sequence[str | None]], width: int
) -> tuple[Table, list[str]]:
    """Build a table that fits ``width`` cells without splitting a word.

    Columns are dropped (highest ``drop`` first) until the others fit at their
    ``min_width``; spare width goes to the columns whose text is longest.

    Returns:
        The rich table and the headers of the columns left out.
    """
    cells = [["" if v is None else " ".join(str(v).split()) for v in r] for r in rows]
    widths = _widths(columns, cells, width)
    table = Table(
        box=None,
        show_edge=False,
        pad_edge=False,
        padding=(0, COLUMN_GAP // 2),
        header_style="bold",
        expand=False,
    )
    for i, col in enumerate(columns):
        if i in widths:
            table.add_column(
                col.header,
                width=widths[i],
                min_width=widths[i],
                max_width=widths[i],
                no_wrap=True,
                overflow="ellipsis",
            )
    for row in cells:
        out: list[Text] = []
        for i, col in enumerate(columns):
            if i not in widths:
                continue
            text = "\n".join(wrap_text(row[i], widths[i], col.max_lines))
            style = VERDICT_STYLE.get(row[i], "") if col.verdict else ""
            out.append(Text(text, style=style))
        table.add_row(*out)
    dropped = [c.header for i, c in enumerate(columns) if i not in widths]
    return table, dropped


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | None]],
    *,
    indent: int = 2,
) -> list[str]:
    """Print a fitted table indented by ``indent``; return the dropped headers."""
    table, dropped = fit_table(columns, rows, console.width - indent)
    options = console.options.update_width(console.width - indent)
    for segments in console.render_lines(table, options, pad=False):
        line = Text(" " * indent)
        for seg in segments:
            if not seg.control:
                line.append(seg.text, seg.style)
        line.rstrip()
        console.print(line, no_wrap=True, overflow="ignore", crop=False)
    return dropped


def strongest_matches(
    matches: Iterable[Match], per_list: int = ROWS_PER_LIST, limit: int = MAX_ROWS
) -> list[Match]:
    """Pick the strongest matches of each list, lists in the order given.

    Every list keeps its strongest match; then each list in turn gets its next
    one, up to ``per_list`` a list and ``limit`` in all. Strongest means the
    highest verdict, then the closest basis (exact before prefix …); among
    equals, an entry with another control code (another annex or tier) comes
    before a second one of the same.
    """
    from tracker.checking import VERDICT_RANK
    from tracker.matching import BASIS_ORDER

    def strength(m: Match) -> tuple[int, int]:
        return (-VERDICT_RANK[m.verdict], BASIS_ORDER[m.basis])

    by_list: dict[str, list[Match]] = {}
    for m in matches:
        by_list.setdefault(m.list_key, []).append(m)
    ranked: dict[str, list[Match]] = {}
    for key, own in by_list.items():
        rest = sorted(own, key=strength)
        order: list[Match] = []
        while rest:
            codes = {p.control_code for p in order}
            best = next(
                (
                    m
                    for m in rest
                    if strength(m) == strength(rest[0]) and m.control_code not in codes
                ),
                rest[0],
            )
            order.append(best)
            rest.remove(best)
        ranked[key] = order
    picked = {key: order[:1] for key, order in ranked.items()}
    room = limit - len(picked)
    for depth in range(1, per_list):
        for key, order in ranked.items():
            if room > 0 and len(order) > depth:
                picked[key].append(order[depth])
                room -= 1
    return [m for key in ranked for m in picked[key]]


def verdict_line(name: str, overall: str, lists: Sequence[tuple[str, str]]) -> str:
    """Return the one-line verdict of an item or code.

    ``lists`` holds (list key, verdict) for every list; the line gives the
    overall verdict, then the lists by verdict, strongest first:
    ``nitrocellulose → listed: eu_russia · listed-if: eu_military ·
    indeterminate: uk_russia, us_ear_russia``. Not-listed lists are left out.
    """
    groups = []
    for verdict in ("listed", "listed-if", "indeterminate"):
        keys = [k for k, v in lists if v == verdict]
        if keys:
            groups.append(f"{verdict}: {', '.join(keys)}")
    if not groups:
        return f"{name} → {overall}: no entry of any bundled list applies"
    return f"{name} → " + " · ".join(groups)


def match_table(
    console: Console,
    matches: Sequence[Match],
    *,
    details: bool = False,
    show_query: bool = False,
    condition_chars: int | None = None,
) -> list[str]:
    """Print the table of matches shared by lookup and check.

    The short table (``details=False``) gives each match one line: list,
    entry, basis, verdict and since, then the condition (two lines at most),
    verification and source URL while the width allows. ``details=True`` wraps
    every cell in full (a condition is cut at ``condition_chars``) and adds the
    CHPL tier, the act that added the entry and the source reference.

    Returns:
        The headers of the columns left out for lack of width.
    """
    one = None if details else 1
    urls = max((cell_len(m.source_url) for m in matches), default=0)
    spec: list[tuple[Column, Callable[[Match], str | None]]] = [
        (Column("list", min_width=13, max_lines=one), lambda m: m.list_key),
        (
            Column("entry", min_width=16, max_lines=one, comfort=45, whole_words=True),
            lambda m: f"{m.control_code}: {m.title}",
        ),
        (Column("basis", min_width=8), lambda m: m.basis),
    ]
    if show_query:
        spec.append((Column("query", min_width=6, drop=3), lambda m: m.query_value))
    spec.append((Column("verdict", min_width=9, verdict=True), lambda m: m.verdict))
    if details and any(m.tier for m in matches):
        spec.append((Column("tier", min_width=4, drop=4), lambda m: m.tier))
    spec.append(
        (Column("since", min_width=10), lambda m: str(m.added or "")),
    )
    if details:
        spec.append(
            (
                Column("act", min_width=20, drop=5, whole_words=True),
                lambda m: m.added_act,
            )
        )
    spec += [
        (
            Column(
                "condition",
                min_width=20,
                max_lines=None if details else 2,
                drop=6,
                whole_words=True,
            ),
            lambda m: shorten(m.condition, condition_chars),
        ),
        (Column("verified", min_width=10, drop=7), lambda m: m.verification),
        # A URL is shown whole or not at all.
        (
            Column("source", min_width=min(urls, 100), max_lines=one, drop=8),
            lambda m: f"{m.source_ref} {m.source_url}" if details else m.source_url,
        ),
    ]
    rows = [[get(m) for _, get in spec] for m in matches]
    return print_table(console, [c for c, _ in spec], rows)


def data_line(dates: Iterable[tuple[str, dt.date]]) -> str:
    """Return ``Data: chpl as of 2024-02-23, eu_russia 2025-10-24, …``."""
    parts = [f"{k} {d.isoformat()}" for k, d in dates]
    if not parts:
        return "Data: no list"
    head, *rest = parts
    key, _, day = head.partition(" ")
    return "Data: " + ", ".join([f"{key} as of {day}", *rest])


def caveat_lines(caveats: Iterable[str]) -> list[str]:
    """Return the data-age caveats as few lines: stale lists in one sentence.

    Caveats of Catalog.staleness()'s shape for the same day are summarised as
    ``Data age on 2026-12-02: chpl 1013 days, … ; later changes to these lists
    are not bundled``; any other caveat is kept as it is.
    """
    unique = list(dict.fromkeys(caveats))
    parsed = [_STALE.match(c) for c in unique]
    days = {m.group("on") for m in parsed if m is not None}
    out: list[str] = []
    if len(days) == 1:
        stale = [m for m in parsed if m is not None]
        ages = ", ".join(f"{m.group('key')} {m.group('days')} days" for m in stale)
        out.append(
            f"Data age on {days.pop()}: {ages}; later changes to "
            + ("this list are" if len(stale) == 1 else "these lists are")
            + " not bundled."
        )
        unique = [c for c, m in zip(unique, parsed, strict=True) if m is None]
    out.extend(f"Data age: {c}" for c in unique)
    return out


def print_footer(
    console: Console,
    dates: Iterable[tuple[str, dt.date]],
    caveats: Iterable[str],
    *,
    dropped: Iterable[str] = (),
) -> None:
    """Print the closing lines: data dates, data-age caveats, the standing note."""
    left_out = list(dict.fromkeys(dropped))
    if left_out:
        print_wrapped(
            console,
            f"Columns left out at this width: {', '.join(left_out)} (a wider "
            "terminal, --format json or csv show them).",
            style="dim",
        )
    print_wrapped(console, data_line(dates), style="dim")
    for line in caveat_lines(caveats):
        print_wrapped(console, line, style="yellow")
    print_wrapped(console, f"Note: {STANDING_NOTE}", style="dim")
