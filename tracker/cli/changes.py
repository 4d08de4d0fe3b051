"""`tracker changes`: what the lists added or ended between two dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from tracker.catalog import load_catalog
from tracker.changes import list_changes
from tracker.cli.options import FormatOpt, ListsOpt, OutputFormat, parse_date
from tracker.hs import format_code
from tracker.report.console import emit_csv, emit_json, make_table, stdout_console

_COLUMNS = [
    "date",
    "kind",
    "list",
    "entry",
    "control_code",
    "title",
    "codes",
    "act",
    "tier",
    "verification",
    "source_url",
]


def changes(
    since: Annotated[
        str,
        typer.Option(
            "--since", help="Start date, exclusive (YYYY-MM-DD).", metavar="DATE"
        ),
    ],
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="End date, inclusive (default: today).", metavar="DATE"
        ),
    ] = None,
    lists: ListsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List the entries the lists added or ended between two dates, with the act.

    Use it to see what a sanctions package changed, or what moved between the date
    of a shipment and today. Entries whose start date is unknown are not shown.

    \\b
    Examples:
        tracker changes --since 2023-12-18 --until 2023-12-19
        tracker changes --since 2024-01-01 --list eu_russia --format csv
    """
    start = parse_date(since)
    end = parse_date(until) or dt.date.today()
    assert start is not None
    if end < start:
        raise typer.BadParameter(f"--until {end} is before --since {start}")
    catalog = load_catalog()
    if lists:
        unknown = [k for k in lists if k not in catalog.lists]
        if unknown:
            raise typer.BadParameter(
                f"unknown list {unknown[0]!r}", param_hint="--list"
            )
    found = list_changes(catalog, start, end, lists=lists)
    records: list[dict[str, Any]] = [
        {
            "date": c.date.isoformat(),
            "kind": c.kind,
            "list": c.list_key,
            "entry": c.entry_id,
            "control_code": c.control_code,
            "title": c.title,
            "codes": [format_code(x) for x in c.codes],
            "act": c.act,
            "tier": c.tier,
            "verification": c.verification,
            "source_url": c.source_url,
        }
        for c in found
    ]
    if fmt is OutputFormat.json:
        emit_json(records)
        return
    if fmt is OutputFormat.csv:
        emit_csv(({**r, "codes": ";".join(r["codes"])} for r in records), _COLUMNS)
        return
    console = stdout_console()
    console.print(
        make_table(
            f"Changes after {start} up to {end}: {len(records)}",
            ["date", "change", "list", "entry", "codes", "act"],
            (
                [
                    r["date"],
                    r["kind"],
                    r["list"],
                    f"{r['control_code']}: {r['title']}",
                    " ".join(r["codes"]),
                    r["act"],
                ]
                for r in records
            ),
        )
    )
