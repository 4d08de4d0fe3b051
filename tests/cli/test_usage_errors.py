"""A bad option value is one line naming the option, exit 2, in every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["lookup", "8542.31", "--format", "nope"],
            "Error: Invalid value for '--format' / '-f': ",
        ),
        (
            ["changes", "--act", "99/1"],
            "Error: Invalid value for --act: '99/1' is not an act number",
        ),
        (["check", "8542.31", "--as-of", "31/01/2024"], "Error: Invalid value"),
    ],
)
def test_bad_option_value_is_one_line(
    args: list[str], line: str, use_real_datasets: object
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(line), lines


def test_a_pasted_value_is_not_echoed_whole(use_real_datasets: object) -> None:
    result = runner.invoke(app, ["lookup", "8542.31", "--as-of", "x" * 100_000])
    assert result.exit_code == 2
    assert len(result.output) < 400
