"""Shared command-line options, defined once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    """Output formats of listing commands."""

    table = "table"
    json = "json"
    csv = "csv"


def parse_date(value: str | None) -> dt.date | None:
    """Parse an ISO date option, or raise a usage error naming the value."""
    if value is None:
        return None
    # Imported here: tracker.cells loads the country data models, which
    # `tracker --help` does not need.
    from tracker.cells import parse_iso_date

    try:
        return parse_iso_date(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format: table, json or csv."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Apply the lists as they stood on this date (YYYY-MM-DD).",
        metavar="DATE",
    ),
]
ListsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--list", "-l", help="Only this list key (repeatable).", metavar="KEY"
    ),
]
