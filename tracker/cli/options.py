"""Shared command-line options, defined once."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

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
DetailsOpt = Annotated[
    bool,
    typer.Option(
        "--details",
        "-v",
        help="Show every matching entry and every column the width allows "
        "(default: one verdict line per item and its strongest entries).",
    ),
]


def output_option(help: str, metavar: str = "FILE") -> Any:
    """Return the ``-o/--output`` option; each command says what it writes."""
    return typer.Option("--output", "-o", help=help, metavar=metavar)


def destination_option(help: str) -> Any:
    """Return the ``-d/--destination`` option; each command says how it applies."""
    return typer.Option("--destination", "-d", help=help, metavar="COUNTRY")


# Columns of an input spreadsheet (tracker.readers.ROLE_FLAGS names the flags).
CodeColumnOpt = Annotated[
    str | None,
    typer.Option("--code-column", help="Column with the HS/CN codes.", metavar="C"),
]
DescriptionColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--description-column",
        help="Column with the goods description.",
        metavar="C",
    ),
]
DestinationColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--destination-column",
        help="Column with the destination country.",
        metavar="C",
    ),
]
DateColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--date-column",
        help="Column with the declaration/shipment date.",
        metavar="C",
    ),
]
OriginColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--origin-column", help="Column with the origin country.", metavar="C"
    ),
]
ValueColumnOpt = Annotated[
    str | None,
    typer.Option("--value-column", help="Column with the value.", metavar="C"),
]
