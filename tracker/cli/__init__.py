"""Command-line interface: the only place that calls sys.exit."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer import _click
from typer.core import TyperGroup

from tracker.__about__ import __version__
from tracker.exc import TrackerError


class _Group(TyperGroup):
    """Print a TrackerError as one line (exit 1), and a bad option value or other
    usage error of a command as one line naming the option (exit 2), unless
    --debug was given."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except _click.exceptions.NoArgsIsHelpError:
            raise
        except _click.exceptions.UsageError as exc:
            if ctx.params.get("debug"):
                raise
            typer.echo(f"Error: {_shorten(exc.format_message())}", err=True)
            ctx.exit(exc.exit_code)


def _shorten(message: str, limit: int = 300) -> str:
    """One line, at most ``limit`` characters (a pasted value is not echoed whole)."""
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


app = typer.Typer(
    name="tracker",
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=(
        "Check goods against sourced export-control and sanctions lists "
        "(EU dual-use and military lists, EU Russia annexes, the Common High "
        "Priority List, US CCL and EAR Part 746, UK Russia schedules)."
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tracker {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks on errors.")
    ] = False,
) -> None:
    """tracker: which control lists cover these goods, why, and since when."""


from tracker.cli import catalog as _catalog  # noqa: E402
from tracker.cli import changes as _changes  # noqa: E402
from tracker.cli import check as _check  # noqa: E402
from tracker.cli import datasets as _datasets  # noqa: E402
from tracker.cli import lookup as _lookup  # noqa: E402
from tracker.cli import scan as _scan  # noqa: E402
from tracker.cli import screen as _screen  # noqa: E402

app.command("lookup")(_lookup.lookup)
app.command("check")(_check.check)
app.command("scan")(_scan.scan)
app.command("screen")(_screen.screen)
app.command("changes")(_changes.changes)
app.command("lists")(_catalog.lists)
app.command("items")(_catalog.items)
app.add_typer(_datasets.app, name="datasets")


def main() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    if "--debug" in args:
        # --debug is accepted anywhere on the line, not only before the command.
        args = ["--debug", *(a for a in args if a != "--debug")]
    try:
        app(args=args, prog_name="tracker")
    except KeyboardInterrupt:
        sys.exit(130)
