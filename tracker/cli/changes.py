"""`tracker changes`: what the lists added or ended between two dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from tracker.cli.options import FormatOpt, ListsOpt, OutputFormat, parse_date

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
    "wind_down_until",
    "widened_to",
]


def changes(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Start date, exclusive (YYYY-MM-DD).", metavar="DATE"
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="End date, inclusive (default: today).", metavar="DATE"
        ),
    ] = None,
    act: Annotated[
        str | None,
        typer.Option(
            "--act",
            help="What one act added and removed: 2024/1745, or a package number (14).",
            metavar="ACT",
        ),
    ] = None,
    lists: ListsOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List the entries the lists added or ended between two dates, with the act.

    Use it to see what a sanctions package changed (--act), or what moved between
    the date of a shipment and today (--since/--until). Entries whose start date is
    unknown are not shown.

    \b
    Examples:
        tracker changes --act 2024/1745
        tracker changes --act 19 --format csv
        tracker changes --since 2023-12-18 --until 2023-12-19
        tracker changes --since 2024-01-01 --list eu_russia --format csv
    """
    if (since is None) == (act is None):
        raise typer.BadParameter(
            "give either --since (with an optional --until) or --act",
            param_hint="--since/--act",
        )
    from tracker.catalog import load_catalog
    from tracker.changes import list_act_changes, list_changes
    from tracker.hs import format_code
    from tracker.report.console import emit_csv, emit_json, make_table, stdout_console

    catalog = load_catalog()
    if lists:
        unknown = [k for k in lists if k not in catalog.lists]
        if unknown:
            raise typer.BadParameter(
                f"unknown list {unknown[0]!r}", param_hint="--list"
            )
    if act is not None:
        try:
            found = list_act_changes(catalog, act, lists=lists)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--act") from None
        title = f"Changes made by {act}: {len(found)}"
    else:
        start = parse_date(since)
        end = parse_date(until) or dt.date.today()
        assert start is not None
        if end < start:
            raise typer.BadParameter(f"--until {end} is before --since {start}")
        found = list_changes(catalog, start, end, lists=lists)
        title = f"Changes after {start} up to {end}: {len(found)}"
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
            "wind_down_until": (
                c.wind_down_until.isoformat() if c.wind_down_until else None
            ),
            "widened_to": c.widened_to,
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
            title,
            ["date", "change", "list", "entry", "codes", "act"],
            (
                [
                    r["date"],
                    r["kind"]
                    + (f" (widened to {r['widened_to']})" if r["widened_to"] else "")
                    + (
                        f" (wind-down to {r['wind_down_until']})"
                        if r["wind_down_until"]
                        else ""
                    ),
                    r["list"],
                    f"{r['control_code']}: {r['title']}",
                    " ".join(r["codes"]),
                    r["act"],
                ]
                for r in records
            ),
        )
    )
