"""`tracker check`: cross-check goods against every list, with an Excel report."""

from __future__ import annotations

import functools
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import (
    AsOfOpt,
    DetailsOpt,
    FormatOpt,
    OutputFormat,
    destination_option,
    output_option,
    parse_date,
)
from tracker.exc import InputError
from tracker.hs import format_code

if TYPE_CHECKING:
    from tracker.checking import CheckResult, ItemCheck
    from tracker.models import Regime

#: Columns of `tracker check --format csv` that describe the item; Match.record()
#: fields follow them in CSV_COLUMNS.
_ITEM_COLUMNS = (
    "item",
    "item_kind",
    "category",
    "destination",
    "as_of",
    "applicability",
)

#: tracker.checking.DEFAULT_DESTINATION, written out so that `tracker --help` does
#: not import the checker (tests/test_startup.py keeps the two equal).
_DEFAULT_DESTINATION = "RU"


@functools.cache
def _csv_columns() -> tuple[str, ...]:
    from tracker.models import MATCH_FIELDS

    return (*_ITEM_COLUMNS, *MATCH_FIELDS)


def __getattr__(name: str) -> Any:
    # CSV_COLUMNS (the item, then Match.record() fields) needs the models, which
    # are imported on first use only.
    if name == "CSV_COLUMNS":
        return _csv_columns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def regime_record(regime: Regime) -> dict[str, Any]:
    """Return the JSON object of one destination regime."""
    return {
        "name": regime.name,
        "jurisdiction": regime.jurisdiction,
        "legal_basis": regime.legal_basis,
        "restricts": regime.restricts,
        "source_url": regime.source_url,
        "verification": regime.verification,
        "lists": list(regime.lists),
    }


def item_record(result: CheckResult, check: ItemCheck) -> dict[str, Any]:
    """Return the JSON object of one checked item."""
    item = check.item
    versions = {lst.key: lst for lst in result.lists}
    return {
        "item": item.query,
        "kind": item.kind,
        "resolved_by": item.resolved_by,
        "matched_name": item.matched_name,
        "category": item.category,
        "title": item.title,
        "categories": list(item.categories),
        "codes": list(item.codes),
        "destination": {
            "code": result.destination,
            "name": result.destination_name,
            "regimes": [regime_record(r) for r in result.regimes],
        },
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "verdict": check.verdict,
        "verdicts": {
            v.list_key: {
                "verdict": v.verdict,
                "goods_verdict": v.goods_verdict,
                "applicability": v.applicability,
                "reason": v.reason,
                "entries": list(v.entries),
                "tiers": list(v.tiers),
                "list_version": versions[v.list_key].version,
                "list_as_of": versions[v.list_key].as_of.isoformat(),
            }
            for v in check.verdicts
        },
        "matches": [m.record() for m in check.matches],
        "edition": item.edition,
        "edition_note": item.edition_note,
        "caveats": list(result.caveats),
    }


def csv_rows(result: CheckResult) -> list[dict[str, Any]]:
    """Return the CSV rows: one per match; an indeterminate list or an item
    without any match gets a row of its own, so that no item is lost."""
    rows: list[dict[str, Any]] = []
    for check in result.items:
        base = {
            "item": check.item.query,
            "item_kind": check.item.kind,
            "category": check.item.category,
            "destination": result.destination,
            "as_of": result.as_of.isoformat() if result.as_of else None,
        }
        applicability = {v.list_key: v.applicability for v in check.verdicts}
        start = len(rows)
        for m in check.matches:
            rows.append(
                {**base, "applicability": applicability[m.list_key], **m.record()}
            )
        matched = {m.list_key for m in check.matches}
        for v in check.verdicts:
            if v.verdict == "indeterminate" and v.list_key not in matched:
                rows.append(
                    {
                        **base,
                        "applicability": v.applicability,
                        "list": v.list_key,
                        "verdict": "indeterminate",
                        "detail": v.reason,
                    }
                )
        if len(rows) == start:
            rows.append({**base, "verdict": "not-listed"})
    return rows


def _command_line(
    items: list[str], destination: str, as_of: str | None, output: Path | None, fmt: str
) -> str:
    args = ["tracker", "check", *items, "--destination", destination]
    if as_of is not None:
        args += ["--as-of", as_of]
    if output is not None:
        args += ["-o", str(output)]
    if fmt != OutputFormat.table.value:
        args += ["--format", fmt]
    return shlex.join(args)


#: Longest condition shown by --details; JSON, CSV and Excel carry the full text.
_CONDITION_CHARS = 160


def _item_context(check: ItemCheck) -> str:
    item = check.item
    if item.kind == "category":
        what = f"category {item.category} ({item.title})"
        if len(item.categories) > 1:
            n = len(item.categories) - 1
            what += f" with {n} sub-categor{'y' if n == 1 else 'ies'}"
    else:
        what = item.title
    codes = " ".join(format_code(c) for c in item.codes) or "none"
    return f"{what}; HS {codes}"


def _print_table(result: CheckResult, *, details: bool = False) -> None:
    from tracker.report.console import (
        Column,
        match_table,
        print_footer,
        print_table,
        print_wrapped,
        stdout_console,
        strongest_matches,
        verdict_line,
    )

    console = stdout_console()
    when = (
        f"as of {result.as_of}"
        if result.as_of
        else "on the bundled data (each list as of its own date)"
    )
    dest = result.destination + (
        f" ({result.destination_name})" if result.destination_name else ""
    )
    print_wrapped(console, f"Destination {dest}, {when}.", style="dim")
    dropped: list[str] = []
    for check in result.items:
        item = check.item
        console.print()
        verdicts = [(v.list_key, v.verdict) for v in check.verdicts]
        print_wrapped(
            console,
            verdict_line(item.query, check.verdict, verdicts),
            bold_prefix=len(item.query),
        )
        print_wrapped(
            console, _item_context(check), indent=2, max_lines=None if details else 1
        )
        if item.edition_note:
            print_wrapped(console, item.edition_note, indent=2, style="yellow")
        if details:
            dropped += print_table(
                console,
                [
                    Column("list", min_width=13),
                    Column("verdict", min_width=13, verdict=True),
                    Column("entries", min_width=16, comfort=40, whole_words=True),
                    Column("tiers", min_width=5, drop=2),
                    Column("note", min_width=20, drop=1),
                ],
                [
                    [
                        v.list_key,
                        v.verdict,
                        ", ".join(v.entries),
                        ", ".join(v.tiers),
                        v.reason,
                    ]
                    for v in check.verdicts
                ],
            )
            shown = list(check.matches)
        else:
            # The hits that decide the verdict: the strongest entries of each
            # list that lists the goods for the destination, strongest list first.
            rank = {"listed": 0, "listed-if": 1}
            deciding = sorted(
                (v for v in check.verdicts if v.verdict in rank),
                key=lambda v: rank[v.verdict],
            )
            order = {v.list_key: n for n, v in enumerate(deciding)}
            shown = strongest_matches(
                sorted(
                    (m for m in check.matches if m.list_key in order),
                    key=lambda m: order[m.list_key],
                )
            )
        if shown:
            dropped += match_table(
                console,
                shown,
                details=details,
                show_query=details,
                condition_chars=_CONDITION_CHARS,
            )
        elif not check.matches:
            print_wrapped(
                console, "no entry of any bundled list matches this item", indent=2
            )
        if not details:
            for v in check.verdicts:
                if v.reason and (
                    v.verdict == "indeterminate"
                    or v.applicability == "concern"
                    or v.goods_verdict != "not-listed"
                ):
                    label = (
                        "concern"
                        if v.applicability == "concern" and v.verdict != "indeterminate"
                        else v.verdict
                    )
                    print_wrapped(
                        console,
                        f"{label} {v.list_key}: {v.reason}",
                        indent=2,
                        max_lines=1,
                    )
            hidden = len(check.matches) - len(shown)
            if hidden:
                print_wrapped(
                    console,
                    f"… {hidden} more matching "
                    f"{'entry' if hidden == 1 else 'entries'}; --details shows all.",
                    indent=2,
                    style="dim",
                )
    console.print()
    if not result.regimes:
        print_wrapped(
            console,
            f"No country regimes are bundled for {result.destination}; dual-use "
            "and military lists apply to every destination.",
        )
    elif details:
        console.print(f"Regimes for {dest}:")
        dropped += print_table(
            console,
            [
                Column("regime", min_width=20),
                Column("legal basis", min_width=20, drop=1),
                Column("verified", min_width=10, drop=2),
                Column(
                    "source",
                    min_width=min(max(len(r.source_url) for r in result.regimes), 100),
                    drop=3,
                ),
            ],
            [
                [r.name, r.legal_basis, r.verification, r.source_url]
                for r in result.regimes
            ],
        )
    else:
        print_wrapped(
            console,
            f"Regimes for {dest}: " + "; ".join(r.name for r in result.regimes) + ".",
        )
    print_footer(
        console,
        [(lst.key, lst.as_of) for lst in result.lists],
        result.caveats,
        dropped=dropped if details else (),
    )


def check(
    items: Annotated[
        list[str],
        typer.Argument(
            help=(
                "Category keys, names or aliases in any supported language, or "
                "HS/CN/HTS codes."
            ),
            metavar="ITEM",
        ),
    ],
    destination: Annotated[
        str,
        destination_option(
            "Destination country: ISO alpha-2 or alpha-3 code or a name, "
            "e.g. RU, RUS, Russia, Россия (default RU)."
        ),
    ] = _DEFAULT_DESTINATION,
    as_of: AsOfOpt = None,
    output: Annotated[
        Path | None, output_option("Write the Excel report here (.xlsx).")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    details: DetailsOpt = False,
) -> None:
    """Cross-check goods against every list, for a destination and a date.

    Each ITEM is a category (key, name or alias in any supported language,
    e.g. optics, "machine tools", "станок с ЧПУ", 硝化纤维) or an HS/CN/HTS
    code. A category covers its sub-categories. For each item and list the
    verdict is listed, listed-if (condition given), indeterminate (reason
    given) or not-listed; a list that does not restrict exports to the
    destination is not-listed with that reason. "Not listed" does not mean
    "no licence needed". With -o, an auditable Excel report is written too.

    \b
    Examples:
        tracker check nitrocellulose optics "machine tools" -o report.xlsx
        tracker check "станок с ЧПУ" --as-of 2024-03-31
        tracker check 8459.61 --destination KZ --format json
    """
    from tracker.catalog import load_catalog
    from tracker.checking import check_items
    from tracker.countries import parse_destination
    from tracker.report.console import emit_csv, emit_json, stderr_console
    from tracker.report.excel import RunInfo, write_check_report

    on = parse_date(as_of)
    # An unknown destination is an InputError (exit 1) with a suggestion.
    dest = parse_destination(destination)
    if output is not None and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(
            f"{str(output)!r}: the report is an Excel file; use a .xlsx name",
            param_hint="--output",
        )
    run = RunInfo.now(_command_line(items, dest, as_of, output, fmt.value))
    catalog = load_catalog()
    result = check_items(catalog, items, destination=dest, as_of=on)
    if output is not None:
        try:
            write_check_report(result, output, run_info=run)
        except OSError as exc:
            raise InputError(
                f"Cannot write the report {str(output)!r}: {exc.strerror or exc}"
            ) from exc
    if fmt is OutputFormat.json:
        emit_json([item_record(result, c) for c in result.items])
    elif fmt is OutputFormat.csv:
        emit_csv(csv_rows(result), _csv_columns())
    else:
        _print_table(result, details=details)
    if output is not None:
        n = sum(len(c.matches) for c in result.items)
        stderr_console().print(
            f"Wrote {output} ({len(result.items)} items, {n} matches)"
        )
