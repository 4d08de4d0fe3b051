"""`tracker datasets validate` and `schema`: check the curated data and describe its files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.options import FormatOpt, OutputFormat

app = typer.Typer(no_args_is_help=True, help="Manage and check the bundled datasets.")


@app.command("validate")
def validate(
    path: Annotated[
        Path | None,
        typer.Argument(help="A datasets folder (default: the one in use)."),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """Load every dataset file and report each problem with file, row and field.

    Exits 1 when there is any problem.

    \b
    Examples:
        tracker datasets validate
        tracker datasets validate path/to/datasets
    """
    from tracker.catalog import validate_datasets
    from tracker.report.console import emit_csv, emit_json

    report = validate_datasets(path)
    rows = [
        {"file": p.file, "row": p.row, "field": p.field, "message": p.message}
        for p in report.problems
    ]
    if fmt is OutputFormat.json:
        emit_json(
            {
                "path": str(report.path),
                "valid": report.valid,
                "counts": report.counts,
                "problems": rows,
            }
        )
    elif fmt is OutputFormat.csv:
        emit_csv(rows, ["file", "row", "field", "message"])
    else:
        for p in report.problems:
            typer.echo(str(p))
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        status = "valid" if report.valid else f"{len(report.problems)} problem(s)"
        typer.echo(f"{report.path}: {status}" + (f" ({counts})" if counts else ""))
    if not report.valid:
        raise typer.Exit(1)


@app.command("build")
def build(
    path: Annotated[
        Path | None,
        typer.Argument(help="A datasets folder (default: the one in use)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only check the built files are current (exit 1 if not)."
        ),
    ] = False,
) -> None:
    """Derive the dated entries of eu_russia from the act source tables.

    Replays every act under sources/eu_833/acts in order of entry into force and
    writes lists/eu_russia/entries.csv. Offline and deterministic: the same
    source tables always give the same file. Exits 1 on a problem in the tables.

    \b
    Examples:
        tracker datasets build
        tracker datasets build --check
    """
    from tracker.catalog import build_datasets

    built, problems = build_datasets(path)
    for p in problems:
        typer.echo(str(p), err=True)
    if problems:
        raise typer.Exit(1)
    stale = 0
    for target, text in built.items():
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current == text:
            typer.echo(f"{target}: up to date")
            continue
        stale += 1
        if check:
            typer.echo(f"{target}: out of date; run 'tracker datasets build'")
            continue
        tmp = target.with_suffix(".csv.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
        typer.echo(f"Wrote {target} ({text.count(chr(10)) - 1} entries)", err=True)
    if check and stale:
        raise typer.Exit(1)


@app.command("schema")
def schema(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Where to write (default: <datasets>/schema)."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only check the files are up to date (exit 1 if not)."
        ),
    ] = False,
) -> None:
    """Write the JSON Schemas of the dataset files, generated from the models.

    The schemas describe list metadata, entries, categories, publishers and
    countries for editors and other tools; a test keeps them in step with the code.

    \b
    Examples:
        tracker datasets schema
        tracker datasets schema --check
    """
    from tracker.schema import stale_schemas, write_schemas
    from tracker.settings import datasets_path

    target = folder if folder is not None else datasets_path() / "schema"
    if check:
        stale = stale_schemas(target)
        for name in stale:
            typer.echo(f"{target / name}: out of date; run 'tracker datasets schema'")
        if stale:
            raise typer.Exit(1)
        typer.echo(f"{target}: schemas up to date")
        return
    for name in write_schemas(target):
        typer.echo(f"wrote {target / name}")
