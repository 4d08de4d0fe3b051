"""`tracker lookup`: every list entry that may cover an HS/CN/HTS code."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import (
    AsOfOpt,
    DetailsOpt,
    FormatOpt,
    ListsOpt,
    OutputFormat,
    parse_date,
)

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
            help="HS/CN/HTS codes, e.g. 8542.31 or 8542 31 90.", metavar="CODE"
        ),
    ],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    lists: ListsOpt = None,
    details: DetailsOpt = False,
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
    from tracker.report.console import emit_csv, emit_json

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
    used = [k for k in catalog.lists if lists is None or k in lists]
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
    _print_table(results, [(k, catalog.lists[k].as_of) for k in used], details)


def _print_table(
    results: list[CodeLookup], dates: list[tuple[str, dt.date]], details: bool
) -> None:
    from tracker.checking import VERDICT_RANK
    from tracker.models import Verdict
    from tracker.report.console import (
        match_table,
        print_footer,
        print_wrapped,
        stdout_console,
        strongest_matches,
        verdict_line,
    )

    console = stdout_console()
    dropped: list[str] = []
    for n, r in enumerate(results):
        if n:
            console.print()
        # A list's verdict, as `tracker check` gives it: its strongest match,
        # or indeterminate when it cannot answer for the code and date.
        verdicts: dict[str, Verdict] = {}
        for m in r.matches:
            old = verdicts.get(m.list_key, "not-listed")
            if VERDICT_RANK[m.verdict] > VERDICT_RANK[old]:
                verdicts[m.list_key] = m.verdict
        for gap in r.gaps:
            verdicts[gap.list_key] = "indeterminate"
        overall: Verdict = max(
            verdicts.values(), key=VERDICT_RANK.__getitem__, default="not-listed"
        )
        print_wrapped(
            console,
            verdict_line(r.display, overall, list(verdicts.items())),
            bold_prefix=len(r.display),
        )
        desc = (
            f"HS 2022 {r.hs_code}: {r.hs_description}"
            if r.hs_code
            else "not in the bundled HS 2022 reference (only codes the lists use)"
        )
        when = f"; lists as of {r.as_of}" if r.as_of else ""
        print_wrapped(console, desc + when, indent=2)
        if r.edition_note:
            print_wrapped(console, r.edition_note, indent=2, style="yellow")
        if details:
            shown = list(r.matches)
        else:
            rank = {"listed": 0, "listed-if": 1}
            deciding = sorted(
                (k for k, v in verdicts.items() if v in rank),
                key=lambda k: rank[verdicts[k]],
            )
            order = {k: i for i, k in enumerate(deciding)}
            shown = strongest_matches(
                sorted(
                    (m for m in r.matches if m.list_key in order),
                    key=lambda m: order[m.list_key],
                )
            )
        if shown:
            dropped += match_table(console, shown, details=details)
        elif not r.matches:
            print_wrapped(
                console, "no entry of any bundled list matches this code", indent=2
            )
        for gap in r.gaps:
            print_wrapped(
                console,
                f"indeterminate {gap.list_key}: {gap.reason}",
                indent=2,
                max_lines=None if details else 1,
            )
        hidden = len(r.matches) - len(shown)
        if hidden:
            print_wrapped(
                console,
                f"… {hidden} more matching {'entry' if hidden == 1 else 'entries'}; "
                "--details shows all.",
                indent=2,
                style="dim",
            )
    console.print()
    caveats = dict.fromkeys(c for r in results for c in r.caveats)
    print_footer(console, dates, caveats, dropped=dropped if details else ())
