"""`tracker screen`: screen every row of a shipment or trade-data spreadsheet."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tracker.cli.options import (
    AsOfOpt,
    CodeColumnOpt,
    DateColumnOpt,
    DescriptionColumnOpt,
    DestinationColumnOpt,
    OriginColumnOpt,
    ValueColumnOpt,
    destination_option,
    output_option,
    parse_date,
)
from tracker.exc import InputError

if TYPE_CHECKING:
    import pyarrow as pa

    from tracker.report.run_info import ScreenRunInfo
    from tracker.screening_summary import ScreeningSummary


class Engine(StrEnum):
    """Where the screening kernel runs."""

    local = "local"
    dask = "dask"


class ScreenFormat(StrEnum):
    """Output formats of `tracker screen`."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


#: Output file suffix -> format.
_SUFFIX_FORMATS = {
    ".csv": ScreenFormat.csv,
    ".json": ScreenFormat.json,
    ".parquet": ScreenFormat.parquet,
    ".xlsx": ScreenFormat.xlsx,
}

#: Default --destination: the destination of `tracker check` (Russia, the
#: country the bundled lists are about).
_DEFAULT_DESTINATION = "RU"

#: Columns of --format table (the terminal has no room for the input's).
_TABLE_COLUMNS = (
    "tracker_row",
    "tracker_code",
    "tracker_status",
    "tracker_lists",
    "tracker_verdicts",
    "tracker_destination",
    "tracker_as_of",
    "tracker_reason",
)


def _output_format(fmt: ScreenFormat | None, output: Path | None) -> ScreenFormat:
    """The output format: --format, else the -o suffix, else CSV on stdout."""
    from tracker.exc import shown

    if output is None:
        if fmt in (ScreenFormat.xlsx, ScreenFormat.parquet):
            raise typer.BadParameter(
                f"{fmt.value} is written to a file; give -o/--output",
                param_hint="--format",
            )
        return fmt if fmt is not None else ScreenFormat.csv
    by_suffix = _SUFFIX_FORMATS.get(output.suffix.lower())
    if fmt is ScreenFormat.table:
        raise typer.BadParameter(
            "table prints to the terminal; with -o use csv, json, parquet or xlsx",
            param_hint="--format",
        )
    if fmt is None:
        if by_suffix is None:
            raise typer.BadParameter(
                f"{shown(str(output))}: the output must end in .csv, .json, "
                ".parquet or .xlsx (or give --format)",
                param_hint="-o/--output",
            )
        return by_suffix
    if by_suffix is not None and by_suffix is not fmt:
        raise typer.BadParameter(
            f"{fmt.value} does not match the output name {shown(str(output))}",
            param_hint="--format",
        )
    return fmt


class _Progress:
    """Rows, rows/s and ETA on stderr; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self._progress: Any = None
        self._task: Any = None
        if enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            from tracker.report.console import stderr_console

            self._progress = Progress(
                TextColumn("screening"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("rows · {task.fields[rate]} rows/s · ETA"),
                TimeRemainingColumn(),
                console=stderr_console(),
                transient=True,
            )
            self._task = self._progress.add_task("rows", total=total, rate="0")
            self._progress.start()

    def advance(self, rows: int) -> None:
        self.done += rows
        if self._progress is not None:
            rate = self.done / max(time.monotonic() - self.start, 1e-6)
            total = self.total if self.total and self.total > self.done else None
            self._progress.update(
                self._task, completed=self.done, total=total, rate=f"{rate:,.0f}"
            )

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _estimate_rows(path: Path, fmt: str, known: int | None) -> int | None:
    if known is not None:
        return known
    if fmt != "csv":
        return None
    size = path.stat().st_size
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    lines = sample.count(b"\n")
    if lines <= 1:
        return None
    return int(size / (len(sample) / lines))


def screen(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV/TSV, XLSX or Parquet file with one goods row per line; - "
            "reads CSV from standard input.",
            metavar="FILE|-",
        ),
    ],
    output: Annotated[
        Path | None,
        output_option(
            "Write the result here: .csv, .json, .parquet or .xlsx "
            "(default: stdout, see --format).",
            metavar="OUT",
        ),
    ] = None,
    fmt: Annotated[
        ScreenFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, csv, xlsx or parquet (default: from the -o "
            "name, else csv on stdout).",
            show_default=False,
        ),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="XLSX sheet to read.", metavar="NAME"),
    ] = None,
    code_column: CodeColumnOpt = None,
    description_column: DescriptionColumnOpt = None,
    destination_column: DestinationColumnOpt = None,
    date_column: DateColumnOpt = None,
    origin_column: OriginColumnOpt = None,
    value_column: ValueColumnOpt = None,
    destination: Annotated[
        str,
        destination_option(
            "Destination for rows without one in their destination column "
            "(or for every row when there is no such column): ISO alpha-2 or "
            "alpha-3 code or a name (default RU)."
        ),
    ] = _DEFAULT_DESTINATION,
    as_of: AsOfOpt = None,
    fail_on_match: Annotated[
        bool,
        typer.Option("--fail-on-match", help="Exit with code 3 if any row matches."),
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option("--engine", help="local (Arrow, streaming) or dask."),
    ] = Engine.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (with "
            "--engine dask; default: local threads).",
            metavar="ADDRESS",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            help="Text encoding of a CSV (default: detected).",
            metavar="E",
        ),
    ] = None,
) -> None:
    """Screen every row of a trade spreadsheet against the bundled lists.

    Each input row comes out once, in order, with its columns untouched and
    tracker_* columns added: the row number, the normalised code, a status
    (match, no-match or indeterminate, with the reason and its code), the
    lists, entries, tiers and verdicts that matched, and goods names found in
    the description. The lists apply as they stood on the row's date (else
    --as-of, else today) and for the row's destination (else --destination,
    default RU); a row whose destination is not a known country is
    indeterminate. Output: -o with the format taken from its name, or
    --format (CSV on stdout by default). A summary line goes to stderr.
    'no-match' does not mean that no licence is needed.

    \b
    Examples:
        tracker screen shipments.xlsx -o screened.xlsx
        tracker screen declarations.csv -d KZ -o out.parquet
        cat shipments.csv | tracker screen - -o out.csv
        tracker screen big.csv --engine dask -o out.parquet --quiet
        tracker screen export.csv --code-column "Tariff" --fail-on-match
    """
    # Imported here: pandas and pyarrow load only when a file is screened.
    from tracker.catalog import load_catalog
    from tracker.countries import parse_destination
    from tracker.exc import shown
    from tracker.readers import map_columns, open_table
    from tracker.report.run_info import ScreenRunInfo
    from tracker.screen_stream import Prefetch
    from tracker.screening import ADDED_COLUMNS, iter_screened
    from tracker.screening_summary import ScreeningSummary

    on = parse_date(as_of)
    if scheduler is not None and engine is not Engine.dask:
        raise typer.BadParameter(
            "--scheduler needs --engine dask", param_hint="--scheduler"
        )
    kind = _output_format(fmt, output)
    catalog = load_catalog()
    # The catalogue lives until the process ends: the garbage collector need
    # not walk its objects again at every full collection while rows stream.
    # No collection first: after loading it finds nothing to free and walks
    # the 70,000 objects there are for 40-70 ms (a cycle left over would be
    # kept until the command ends).
    gc.freeze()
    # An unknown destination is an InputError (exit 1) with a suggestion.
    dest = parse_destination(destination, catalog.path)
    if output is not None and output.is_dir():
        raise InputError(f"{shown(str(output))} is a folder, not a file")
    started = time.monotonic()
    source = open_table(file, sheet=sheet, encoding=encoding)
    # A CSV is read ahead from now on (Arrow, without the GIL) while the
    # columns are mapped and the screener is built; its sample is read apart.
    # Arrow imports pandas on its first conversion from Python objects: that
    # happens here first, or the two threads wait on each other's import
    # (0.2-0.3 s).
    import pyarrow as pa

    pa.array([0])
    chunk_rows = 25_000 if kind is ScreenFormat.xlsx else 200_000
    reader = (
        Prefetch(source.iter_chunks(chunk_rows))
        if source.format == "csv" and engine is Engine.local
        else None
    )
    try:
        if sheet is not None and source.format != "xlsx":
            raise typer.BadParameter(
                f"{file.name} is {source.format.upper()}, not a workbook",
                param_hint="--sheet",
            )
        if engine is Engine.dask and source.format == "xlsx":
            raise InputError(
                f"{file.name}: the dask engine reads CSV and Parquet; "
                "use --engine local for XLSX"
            )
        overrides = {
            "code": code_column,
            "description": description_column,
            "destination": destination_column,
            "date": date_column,
            "origin": origin_column,
            "value": value_column,
        }
        mapping = map_columns(source, overrides)
        for role in mapping.by_values:
            chosen = mapping.roles()[role]
            typer.echo(f"{role} column: {chosen!r} (chosen by its values)", err=True)
        summary = ScreeningSummary()
        if engine is Engine.dask:
            from tracker.distributed import iter_screened_dask

            chunks: Iterator[pa.Table] = iter_screened_dask(
                source,
                catalog,
                columns=mapping,
                destination=dest,
                as_of=on,
                summary=summary,
                scheduler=scheduler,
            )
        else:
            chunks = iter_screened(
                source,
                catalog,
                columns=mapping,
                destination=dest,
                as_of=on,
                summary=summary,
                # A workbook is written a few thousand rows a second: smaller
                # chunks keep the rows screened ahead of it (memory) small.
                chunk_rows=chunk_rows,
                reader=reader,
            )
        run = ScreenRunInfo(
            input_path=file,
            input_format=source.format,
            columns=mapping.roles(),
            destination=dest,
            as_of=on,
            engine=engine.value,
            sheet=source.sheet,
            encoding=source.encoding,
            delimiter=source.delimiter,
        )
        names = [*source.columns, *ADDED_COLUMNS]
        show = not quiet and sys.stderr.isatty()
        progress = _Progress(
            show, _estimate_rows(source.path, source.format, source.row_count)
        )
        # No automatic garbage collection while rows stream: the screener's
        # caches grow to a few hundred thousand objects, which every full
        # collection walked again (0.3-0.5 s of a 5M-row run, holding the
        # GIL), and screening makes almost no reference cycles (60 objects
        # after 5M rows). Turned back on with what exists frozen, as the
        # catalogue is: the next collection would walk the caches once more.
        gc.disable()
        try:
            _write(chunks, names, output, kind, summary, run, catalog, progress)
        finally:
            gc.freeze()
            gc.enable()
            progress.stop()
        run.seconds = time.monotonic() - started
    finally:
        if reader is not None:
            reader.close()
        source.close()
    for issue in summary.all_issues()[:5]:
        if issue.code in ("sheet-skipped", "header-blank", "header-duplicate"):
            typer.echo(f"Warning: {issue.message}", err=True)
    typer.echo(summary.line(), err=True)
    if output is not None:
        typer.echo(f"Wrote {output} ({summary.rows_out} rows)", err=True)
    if output is not None and run.full_result is not None:
        typer.echo(
            f"The workbook holds the first rows only; every row is in "
            f"{run.full_result}",
            err=True,
        )
    if not quiet:
        # rows carry their own dates; the caveat is for the date asked (or today)
        for key in catalog.lists:
            caveat = catalog.staleness(key, on)
            if caveat:
                typer.echo(f"Data age: {caveat}", err=True)
        from tracker.report.console import STANDING_NOTE

        typer.echo(f"Note: {STANDING_NOTE}", err=True)
    if fail_on_match and summary.status["match"] > 0:
        raise typer.Exit(3)


def _empty(names: list[str]) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {
            n: pa.array([], pa.int64() if n == "tracker_row" else pa.string())
            for n in names
        }
    )


def _write(
    chunks: Iterator[pa.Table],
    names: list[str],
    output: Path | None,
    kind: ScreenFormat,
    summary: ScreeningSummary,
    run: ScreenRunInfo,
    catalog: Any,
    progress: _Progress,
) -> None:
    from tracker.report.screen_files import (
        CsvSink,
        JsonSink,
        ParquetSink,
        RowSink,
        Sinks,
    )

    if output is None:
        if kind is ScreenFormat.table:
            _write_table(chunks, progress)
        elif kind is ScreenFormat.json:
            stdout = JsonSink(None, sys.stdout)
            for chunk in chunks:
                stdout.write(chunk)
                progress.advance(chunk.num_rows)
            stdout.close()
        else:
            _write_stdout(chunks, names, progress)
        return
    if kind is ScreenFormat.xlsx:
        from tracker.report.screen_excel import ScreenExcelWriter  # rich, XlsxWriter

        writer = ScreenExcelWriter(output, names)
        try:
            for chunk in chunks:
                writer.write(chunk)
                progress.advance(chunk.num_rows)
            run.seconds = time.monotonic() - progress.start
            writer.close(summary, run, catalog)
        except BaseException:
            writer.abort()
            raise
        return
    sink: RowSink
    if kind is ScreenFormat.csv:
        sink = CsvSink(output, names)
    elif kind is ScreenFormat.json:
        sink = JsonSink(output)
    else:
        sink = ParquetSink(output)
    with Sinks([sink]) as sinks:
        wrote = False
        for chunk in chunks:
            sinks.write(chunk)
            wrote = True
            progress.advance(chunk.num_rows)
        if not wrote and kind is ScreenFormat.parquet:
            sinks.write(_empty(names))
        sinks.finish()


def _write_table(chunks: Iterator[pa.Table], progress: _Progress) -> None:
    from tracker.report.console import make_table, stdout_console
    from tracker.screening import plain_strings

    rows: list[list[Any]] = []
    for chunk in chunks:
        part = plain_strings(chunk.select(list(_TABLE_COLUMNS)))
        rows.extend([r[c] for c in _TABLE_COLUMNS] for r in part.to_pylist())
        progress.advance(chunk.num_rows)
    columns = [c.removeprefix("tracker_") for c in _TABLE_COLUMNS]
    stdout_console().print(make_table(None, columns, rows))


def _write_stdout(
    chunks: Iterator[pa.Table], names: list[str], progress: _Progress
) -> None:
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    from tracker.report.console import neutralize
    from tracker.report.screen_files import neutralize_table

    out = sys.stdout
    csv.writer(out, lineterminator="\n").writerow([neutralize(n) for n in names])
    from tracker.screening import plain_strings

    for chunk in chunks:
        safe = plain_strings(neutralize_table(chunk))
        safe = safe.rename_columns([f"c{i}" for i in range(safe.num_columns)])
        buf = pa.BufferOutputStream()
        pacsv.write_csv(
            safe, buf, write_options=pacsv.WriteOptions(include_header=False)
        )
        out.write(buf.getvalue().to_pybytes().decode("utf-8"))
        progress.advance(chunk.num_rows)
    out.flush()


__all__ = ["screen"]
