"""`tracker scan`: goods, codes and countries named in a text, cross-checked."""

from __future__ import annotations

import functools
import gc
import os
import shlex
import sys
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer

from tracker.cli.options import (
    AsOfOpt,
    destination_option,
    output_option,
    parse_date,
)
from tracker.exc import InputError
from tracker.hs import format_code

if TYPE_CHECKING:
    from tracker.checking import CheckResult
    from tracker.report.excel import RunInfo
    from tracker.scanning import GoodsEncoder, GoodsRow, ScanResult
    from tracker.text import TextSource

#: Columns of the Mentions sheet of the Excel report.
MENTION_COLUMNS = (
    "kind",
    "finding",
    "category",
    "title",
    "hs_codes",
    "strength",
    "cross_checked",
    "alias",
    "language",
    "rule",
    "start",
    "end",
    "sentence",
)


class ScanFormat(StrEnum):
    """Output formats of `tracker scan`."""

    table = "table"
    json = "json"
    csv = "csv"


#: Columns of `tracker scan --format csv`: one row per goods mention, code and
#: country found (``kind`` says which); empty where a column does not apply.
CSV_COLUMNS = [
    "kind",
    "text",
    "category",
    "title",
    "alias",
    "language",
    "strength",
    "code",
    "iso2",
    "count",
    "start",
    "end",
    "sentence",
]


def csv_rows(result: ScanResult, *, include_weak: bool) -> list[dict[str, Any]]:
    """Rows of `tracker scan --format csv`: mentions, then codes, then countries."""
    rows: list[dict[str, Any]] = [
        {"kind": "goods", **m}
        for m in mention_records(result, include_weak=include_weak)
    ]
    rows.extend(
        {
            "kind": "code",
            "text": code,
            "code": digits,
            "start": start,
            "end": end,
            "sentence": sentence,
        }
        for code, digits, _display, _rule, _label, start, end, sentence in (
            result.code_rows
        )
    )
    rows.extend(
        {
            "kind": "country",
            "text": c.name,
            "iso2": c.iso2,
            "count": c.count,
            "start": c.first_start,
            "sentence": c.first_sentence,
        }
        for c in result.countries()
    )
    return rows


def mention_records(result: ScanResult, *, include_weak: bool) -> list[dict[str, Any]]:
    """Return the JSON objects of the goods mentions."""
    return _mention_dicts(result.goods_rows, include_weak)


#: Records of a bulk key (see write_scan_json) built and written this many at
#: a time: a dense text has hundreds of thousands, and one list of them all
#: took longer to build and to write (and more memory) than batches.
JSON_BATCH = 5000


class RecordBatches:
    """The records of a bulk key of the scan JSON, in batches built on demand."""

    def __init__(self, batches: Iterator[list[dict[str, Any]]]) -> None:
        self.batches = batches


class EncodedRecords:
    """The records of a bulk key of the scan JSON, encoded (see _encode_records)."""

    def __init__(self, blocks: list[bytes]) -> None:
        self.blocks = blocks


def mention_batches(
    result: ScanResult, *, include_weak: bool
) -> RecordBatches | EncodedRecords:
    """The JSON objects of the goods mentions, JSON_BATCH at a time (or as encoded)."""
    if result.goods_blocks is not None:
        return EncodedRecords(result.goods_blocks)
    rows = result.goods_rows
    return RecordBatches(
        _mention_dicts(rows[i : i + JSON_BATCH], include_weak)
        for i in range(0, len(rows), JSON_BATCH)
    )


def mention_encoder(*, include_weak: bool) -> GoodsEncoder:
    """The encoder of goods mentions that ``Scanner.scan`` runs where they are found.

    A chunk's mentions become the bytes that write_scan_json would write for
    them as records of the "mentions" list (see _encode_records), so the JSON
    of a large text is built in the scanning processes, in parallel.
    """
    # Imported here, before the scanning processes are forked, not in each.
    import orjson  # noqa: F401

    return functools.partial(_encode_mentions, include_weak=include_weak)


def _encode_mentions(rows: list[GoodsRow], *, include_weak: bool) -> bytes:
    return _encode_records(_mention_dicts(rows, include_weak))


def _mention_dicts(rows: list[GoodsRow], include_weak: bool) -> list[dict[str, Any]]:
    return [
        {
            "category": category,
            "title": title,
            "hs_codes": list(hs_codes),
            "alias": alias,
            "language": language,
            "rule": rule,
            "strength": strength,
            "cross_checked": category is not None
            and (strength == "strong" or include_weak),
            "text": text,
            "start": start,
            "end": end,
            "sentence": sentence,
        }
        for (
            (category, title, hs_codes, alias, language, rule, strength),
            text,
            start,
            end,
            sentence,
        ) in rows
    ]


def scan_record(
    source: TextSource,
    result: ScanResult,
    checks: list[CheckResult],
    *,
    include_weak: bool,
) -> dict[str, Any]:
    """Return the JSON object of `tracker scan --format json`."""
    from tracker.checking import STANDING_NOTE
    from tracker.cli.check import item_record

    return {
        "source": {
            "name": source.name,
            "encoding": source.encoding,
            "format": "html" if source.is_html else "text",
            "characters": result.characters,
        },
        "mentions": mention_batches(result, include_weak=include_weak),
        "codes": [
            {
                "code": code,
                "normalised": digits,
                "display": display,
                "rule": rule,
                "label": label,
                "start": start,
                "end": end,
                "sentence": sentence,
            }
            for code, digits, display, rule, label, start, end, sentence in (
                result.code_rows
            )
        ],
        "countries": [
            {
                "iso2": c.iso2,
                "name": c.name,
                "count": c.count,
                "aliases": list(c.aliases),
                "first_start": c.first_start,
                "first_sentence": c.first_sentence,
            }
            for c in result.countries()
        ],
        "destinations": [r.destination for r in checks],
        "results": [item_record(r, c) for r in checks for c in r.items],
        "note": STANDING_NOTE,
    }


#: Top-level keys of the scan JSON that may hold hundreds of thousands of
#: findings; orjson writes them (the standard library's encoder took a third
#: of the time of a dense text).
_BULK_KEYS = frozenset({"mentions", "codes", "countries"})


def write_scan_json(data: dict[str, Any], stream: BinaryIO) -> None:
    """Write ``data`` as ``emit_json`` does (UTF-8, 2-space indent, final newline).

    The findings (lists, or :class:`RecordBatches`, under the bulk keys) go
    through orjson, JSON_BATCH records at a time, whose indented output is
    byte-for-byte that of ``json.dump(..., ensure_ascii=False, indent=2)`` for
    strings, integers, booleans, None, lists and dicts; the other values (the
    cross-check, which may hold dates) through the standard library.
    """
    import json

    stream.write(b"{")
    for i, (key, value) in enumerate(data.items()):
        head = "," if i else ""
        stream.write(f"{head}\n  {json.dumps(key, ensure_ascii=False)}: ".encode())
        if key in _BULK_KEYS and isinstance(value, EncodedRecords):
            _write_blocks(value.blocks, stream)
            continue
        if key in _BULK_KEYS and isinstance(value, (list, RecordBatches)):
            batches = (
                value.batches
                if isinstance(value, RecordBatches)
                else (
                    value[j : j + JSON_BATCH] for j in range(0, len(value), JSON_BATCH)
                )
            )
            _write_blocks(map(_encode_records, batches), stream)
            continue
        body = json.dumps(value, ensure_ascii=False, indent=2, default=str).encode()
        # One level deeper than at the top: JSON text holds no raw line break
        # inside a string, so every line break is a line of the layout.
        stream.write(body.replace(b"\n", b"\n  "))
    stream.write(b"\n}\n" if data else b"}\n")


# orjson.dumps({"": [item, ...]}, option=OPT_INDENT_2) is
# b'{\n  "": [' + b",".join(b"\n    " + item...) + b"\n  ]\n}'.
_NESTED_HEAD = len(b'{\n  "": [')
_NESTED_TAIL = len(b"\n  ]\n}")


def _encode_records(records: list[Any]) -> bytes:
    """Records as write_scan_json lays them out in a list one level below the top.

    Each record on its own lines, after a line break and four spaces; the
    records are separated by commas; nothing before the first or after the
    last (b"" for no records). Blocks of records are joined with a comma.
    """
    import orjson

    if not records:
        return b""
    # The batch as the value of a key of an object: its items laid out one
    # level below the top, as here (no pass to re-indent them).
    return orjson.dumps({"": records}, option=orjson.OPT_INDENT_2)[
        _NESTED_HEAD:-_NESTED_TAIL
    ]


def _write_blocks(blocks: Iterable[bytes], stream: BinaryIO) -> None:
    """Write a list one level below the top, from blocks of its records (_encode_records)."""
    stream.write(b"[")
    empty = True
    for block in blocks:
        if not block:
            continue
        if not empty:
            stream.write(b",")
        stream.write(block)
        empty = False
    stream.write(b"]" if empty else b"\n  ]")


def mention_rows(result: ScanResult, *, include_weak: bool) -> list[list[Any]]:
    """Return the rows of the Mentions sheet: goods, codes and countries, in text order."""
    rows: list[tuple[int, list[Any]]] = []
    for m in result.mentions:
        checked = m.category is not None and (m.strength == "strong" or include_weak)
        rows.append(
            (
                m.start,
                [
                    "goods",
                    m.text,
                    m.category,
                    m.category_title,
                    " ".join(format_code(c) for c in m.hs_codes),
                    m.strength,
                    "yes" if checked else "no",
                    m.alias,
                    m.language,
                    m.rule,
                    m.start,
                    m.end,
                    m.sentence,
                ],
            )
        )
    for c in result.codes:
        rows.append(
            (
                c.start,
                [
                    "code",
                    c.code,
                    None,
                    c.display,
                    c.normalised,
                    "strong",
                    "yes",
                    c.label,
                    "",
                    c.rule,
                    c.start,
                    c.end,
                    c.sentence,
                ],
            )
        )
    for p in result.country_mentions:
        rows.append(
            (
                p.start,
                [
                    "country",
                    p.text,
                    p.iso2,
                    p.name,
                    None,
                    None,
                    "no",
                    p.alias,
                    p.language,
                    "alias",
                    p.start,
                    p.end,
                    p.sentence,
                ],
            )
        )
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


def destination_rows(checks: list[CheckResult]) -> list[list[Any]]:
    """Return one row per destination and item: the verdict and the matching lists."""
    rows: list[list[Any]] = []
    for result in checks:
        for check in result.items:
            lists = "; ".join(
                f"{v.list_key}: {v.verdict}"
                for v in check.verdicts
                if v.verdict != "not-listed"
            )
            rows.append(
                [
                    result.destination,
                    result.destination_name,
                    check.item.query,
                    check.item.title,
                    check.verdict,
                    lists,
                ]
            )
    return rows


def _command_line(
    file: str,
    encoding: str | None,
    destination: str | None,
    as_of: str | None,
    output: Path | None,
    fmt: str,
    include_weak: bool,
) -> str:
    args = ["tracker", "scan", file]
    if encoding is not None:
        args += ["--encoding", encoding]
    if destination is not None:
        args += ["--destination", destination]
    if as_of is not None:
        args += ["--as-of", as_of]
    if output is not None:
        args += ["-o", str(output)]
    if fmt != ScanFormat.table.value:
        args += ["--format", fmt]
    if include_weak:
        args.append("--include-weak")
    return shlex.join(args)


def _print_table(
    source: TextSource,
    result: ScanResult,
    checks: list[CheckResult],
    include_weak: bool,
) -> None:
    from tracker.report.console import (
        STANDING_NOTE,
        make_table,
        shorten,
        stdout_console,
        styled_verdict,
    )

    console = stdout_console()
    kind = "HTML" if source.is_html else "text"
    console.print(
        f"[bold]{source.name}[/] ({kind}, {source.encoding}, "
        f"{result.characters} characters): "
        f"{len(result.goods_rows)} goods mentions, {len(result.code_rows)} codes, "
        f"{len(result.countries())} countries"
    )
    if result.mentions:
        console.print(
            make_table(
                "Goods",
                ["strength", "category", "alias", "text", "at", "sentence"],
                (
                    [
                        m.strength,
                        m.category or "(none)",
                        f"{m.alias} ({m.language})",
                        m.text,
                        f"{m.start}-{m.end}",
                        shorten(m.sentence, 90),
                    ]
                    for m in result.mentions
                ),
            )
        )
    if result.codes:
        console.print(
            make_table(
                "Codes",
                ["code", "normalised", "rule", "at", "sentence"],
                (
                    [
                        c.code,
                        c.display,
                        f"{c.rule} {c.label}".strip(),
                        f"{c.start}-{c.end}",
                        shorten(c.sentence, 90),
                    ]
                    for c in result.codes
                ),
            )
        )
    countries = result.countries()
    if countries:
        console.print(
            make_table(
                "Countries",
                ["iso2", "name", "count", "as written"],
                ([c.iso2, c.name, c.count, ", ".join(c.aliases)] for c in countries),
            )
        )
    weak = sum(1 for row in result.goods_rows if row[0][6] == "weak")
    if weak and not include_weak:
        console.print(
            f"[dim]{weak} weak mention(s) are listed but not cross-checked; "
            "add --include-weak to check them.[/]"
        )
    for check in checks:
        dest = check.destination + (
            f" ({check.destination_name})" if check.destination_name else ""
        )
        if not check.items:
            console.print(f"Destination {dest}: nothing to cross-check.")
            continue
        console.print(
            make_table(
                f"Cross-check for destination {dest}",
                ["item", "title", "verdict", "lists"],
                (
                    [
                        c.item.query,
                        c.item.title,
                        styled_verdict(c.verdict),
                        "; ".join(
                            f"{v.list_key}: {v.verdict}"
                            for v in c.verdicts
                            if v.verdict != "not-listed"
                        ),
                    ]
                    for c in check.items
                ),
            )
        )
    for caveat in dict.fromkeys(c for check in checks for c in check.caveats):
        console.print(f"[yellow]Data age:[/] {caveat}")
    console.print(f"[dim]Note: {STANDING_NOTE}[/]")


def scan(
    file: Annotated[
        str,
        typer.Argument(
            help="Text, Markdown or HTML file; - reads standard input.",
            metavar="FILE|-",
        ),
    ],
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            "-e",
            help="Text encoding (default: detected: UTF-8/16, cp1251, GB18030).",
            metavar="E",
        ),
    ] = None,
    destination: Annotated[
        str | None,
        destination_option(
            "Cross-check for this destination only: ISO alpha-2 or alpha-3 "
            "code or a name (default: RU plus BY, KP, IR, SY when the text "
            "names them)."
        ),
    ] = None,
    as_of: AsOfOpt = None,
    output: Annotated[
        Path | None,
        output_option("Write the Excel report here (.xlsx), with a Mentions sheet."),
    ] = None,
    fmt: Annotated[
        ScanFormat,
        typer.Option("--format", "-f", help="Output format: table, json or csv."),
    ] = ScanFormat.table,
    include_weak: Annotated[
        bool,
        typer.Option(
            "--include-weak",
            help="Also cross-check categories named only by generic words.",
        ),
    ] = False,
) -> None:
    """Find the goods, codes and countries a text names, and cross-check them.

    Reads plain text, Markdown or HTML (tags stripped, entities decoded) in
    UTF-8, UTF-16, cp1251 or GB18030 (detected, or --encoding). Finds goods
    by the category names in English, Russian, Ukrainian, Chinese and German
    (with case endings and plurals), explicit codes (HS 8482.10, ТН ВЭД 8457,
    8525 89 00) and countries. Strong mentions and codes are cross-checked as
    by tracker check; weak ones (generic words such as "machines") only with
    --include-weak. Without --destination the destinations are RU plus BY,
    KP, IR and SY when the text names them. Offsets count characters of the
    text (of the visible text for HTML).

    \b
    Examples:
        tracker scan article.txt
        tracker scan page.html --format json
        cat note.md | tracker scan - -d KZ -o report.xlsx
    """
    from tracker.catalog import load_catalog
    from tracker.countries import parse_destination
    from tracker.scan_check import check_scan
    from tracker.scanning import Scanner
    from tracker.text import iter_source_text, open_text

    on = parse_date(as_of)
    if destination is not None:
        # An unknown destination is an InputError (exit 1) with a suggestion.
        destination = parse_destination(destination)
    if output is not None and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(
            f"{str(output)!r}: the report is an Excel file; use a .xlsx name",
            param_hint="--output",
        )
    run: RunInfo | None = None
    if output is not None:
        # openpyxl (half a second to import) only for the report.
        from tracker.report.excel import RunInfo

        run = RunInfo.now(
            _command_line(
                file, encoding, destination, as_of, output, fmt.value, include_weak
            )
        )
    catalog = load_catalog()
    scanner = Scanner.from_catalog(catalog)
    source = open_text(file, encoding=encoding)
    # The Mentions sheet lists every country mention; the JSON and the
    # terminal only count them.
    result = scanner.scan(
        iter_source_text(source),
        country_mentions=output is not None,
        workers=len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 1,
        # The JSON alone needs the mentions only as JSON: written where they
        # are found (in the scanning processes, in parallel).
        encode_goods=mention_encoder(include_weak=include_weak)
        if fmt is ScanFormat.json and output is None
        else None,
    )
    # The findings live until the process ends: keep the garbage collector
    # from walking them again and again while the output is built (it took
    # three quarters of the time of building the JSON of a dense text).
    gc.freeze()
    checks = check_scan(
        catalog,
        result,
        destination=destination,
        as_of=on,
        include_weak=include_weak,
    )
    if output is not None:
        from tracker.report.excel import SheetSpec, write_check_report

        assert run is not None  # set above whenever there is an output
        sheets = [
            SheetSpec(
                title="Mentions",
                columns=MENTION_COLUMNS,
                rows=mention_rows(result, include_weak=include_weak),
                widths={"sentence": 80.0},
            )
        ]
        if len(checks) > 1:
            sheets.append(
                SheetSpec(
                    title="Destinations",
                    columns=[
                        "destination",
                        "name",
                        "item",
                        "title",
                        "verdict",
                        "lists",
                    ],
                    rows=destination_rows(checks),
                )
            )
        try:
            write_check_report(checks[0], output, run_info=run, extra_sheets=sheets)
        except OSError as exc:
            raise InputError(
                f"Cannot write the report {str(output)!r}: {exc.strerror or exc}"
            ) from exc
    if fmt is ScanFormat.csv:
        from tracker.report.console import emit_csv

        emit_csv(csv_rows(result, include_weak=include_weak), CSV_COLUMNS)
    elif fmt is ScanFormat.json:
        sys.stdout.flush()
        write_scan_json(
            scan_record(source, result, checks, include_weak=include_weak),
            sys.stdout.buffer,
        )
        sys.stdout.buffer.flush()
    else:
        _print_table(source, result, checks, include_weak)
    if output is not None:
        from tracker.report.console import stderr_console

        stderr_console().print(
            f"Wrote {output} ({len(result.goods_rows)} mentions, "
            f"{len(result.code_rows)} codes, destination {checks[0].destination}"
            + (
                "; other destinations in the Destinations sheet"
                if len(checks) > 1
                else ""
            )
            + ")"
        )
