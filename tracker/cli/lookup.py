"""`tracker lookup`: every list entry that may cover an HS/CN/HTS code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import AsOfOpt, FormatOpt, ListsOpt, OutputFormat, parse_date

if TYPE_CHECKING:
    from tracker.lookup import CodeLookup


def lookup_record(result: CodeLookup) -> dict[str, Any]:
    """Return the JSON object of one looked-up code."""
    return {
        "query": result.query,
        "code": result.code,
        "display": result.display,
        "edition": result.edition,
        "hs_code": result.hs_code,
        "hs_description": result.hs_description,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "matches": [m.record() for m in result.matches],
        "gaps": [{"list": g.list_key, "reason": g.reason} for g in result.gaps],
        "edition_note": result.edition_note,
        "caveats": list(result.caveats),
    }


def lookup(
    codes: Annotated[
        list[str],
        typer.Argument(
            help="HS/CN/HTS codes, e.g. 8542.31 or 8542 31 90.", metavar="CODE..."
        ),
    ],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    lists: ListsOpt = None,
) -> None:
    """Show every list entry that may cover each code, with basis and source.

    Codes may be typed as 8542.31, 8542 31 90, 85423190, 8542310000 or
    HS 8542.31. Basis: exact (same code), prefix (the entry's heading or
    subheading contains the code), narrower (the code is broader than the
    entry's; only part of it is listed).

    \b
    Examples:
        tracker lookup 8542.31
        tracker lookup 391220 --as-of 2023-06-30
        tracker lookup 845951 9013.10 --format json
    """
    # Imported here so that `tracker --help` does not load the catalogue code.
    from tracker.catalog import load_catalog
    from tracker.lookup import lookup_codes
    from tracker.models import MATCH_FIELDS
    from tracker.report.console import (
        STANDING_NOTE,
        emit_csv,
        emit_json,
        match_table,
        stdout_console,
    )

    on = parse_date(as_of)
    catalog = load_catalog()
    if lists:
        unknown = [k for k in lists if k not in catalog.lists]
        if unknown:
            raise typer.BadParameter(
                f"unknown list {unknown[0]!r}; known: {', '.join(catalog.lists)}",
                param_hint="--list",
            )
    results = lookup_codes(catalog, codes, as_of=on, lists=lists)
    if fmt is OutputFormat.json:
        emit_json([lookup_record(r) for r in results])
        return
    if fmt is OutputFormat.csv:
        rows: list[dict[str, Any]] = []
        for r in results:
            base = {"query_code": r.query, "code": r.code}
            rows.extend({**base, **m.record()} for m in r.matches)
            rows.extend(
                {
                    **base,
                    "list": g.list_key,
                    "verdict": "indeterminate",
                    "detail": g.reason,
                }
                for g in r.gaps
            )
            if not r.matches and not r.gaps:
                rows.append(
                    {
                        **base,
                        "verdict": "not-listed",
                        "detail": "no entry of any bundled list matches",
                    }
                )
        emit_csv(rows, ["query_code", "code", *MATCH_FIELDS])
        return
    console = stdout_console()
    for r in results:
        desc = (
            f"HS 2022 {r.hs_code}: {r.hs_description}"
            if r.hs_code
            else "not in the bundled HS 2022 reference (only codes the lists use)"
        )
        when = f" as of {r.as_of}" if r.as_of else ""
        console.print(f"[bold]{r.display}[/] ({desc}){when}")
        if r.edition_note:
            console.print(f"  [yellow]{r.edition_note}[/]")
        if r.matches:
            console.print(match_table(r.matches))
        else:
            console.print("  no entry of any bundled list matches this code")
        for gap in r.gaps:
            console.print(f"  [magenta]indeterminate[/] {gap.list_key}: {gap.reason}")
        console.print()
    for caveat in dict.fromkeys(c for r in results for c in r.caveats):
        console.print(f"[yellow]Data age:[/] {caveat}")
    console.print(f"[dim]Note: {STANDING_NOTE}[/]")
