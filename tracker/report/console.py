"""Terminal tables and JSON/CSV emitters for the CLI."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from tracker.models import Match

#: The sentence every output that reports "not listed" carries.
STANDING_NOTE = (
    "'not listed' / no match does not mean that no licence is needed: catch-all "
    "clauses, end-use and end-user rules, and sanctions on parties apply on top of "
    "these lists; HS codes are indicators, and parameter-based entries are listed "
    "only if their condition holds."
)

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
    """Return a console on stdout; 160 columns wide when not a terminal."""
    width = None if sys.stdout.isatty() else 160
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


def match_table(
    matches: Iterable[Match],
    *,
    show_query: bool = False,
    condition_chars: int | None = None,
) -> Table:
    """Build the terminal table of matches shared by lookup, check and scan."""
    columns = ["list", "entry", "basis"]
    if show_query:
        columns.append("query")
    columns += ["verdict", "tier", "condition", "since", "verified", "source"]
    rows: list[list[str | None]] = []
    for m in matches:
        row: list[str | None] = [m.list_key, f"{m.control_code}: {m.title}", m.basis]
        if show_query:
            row.append(m.query_value)
        row += [
            styled_verdict(m.verdict),
            m.tier,
            shorten(m.condition, condition_chars),
            " ".join(x for x in (str(m.added or ""), m.added_act) if x),
            m.verification,
            f"{m.source_ref} {m.source_url}",
        ]
        rows.append(row)
    return make_table(None, columns, rows)
