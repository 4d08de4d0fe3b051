"""The docs stay honest: Quick start, every command documented and with help."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from tests.conftest import REPO
from tracker.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = [
    "lookup",
    "check",
    "scan",
    "screen",
    "changes",
    "lists",
    "items",
    "datasets validate",
]


def _quick_start_lines() -> list[str]:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_has_exactly_two_one_line_commands() -> None:
    lines = _quick_start_lines()
    assert lines == [
        'pip install . && tracker check nitrocellulose optics "machine tools" -o report.xlsx',
        'pip install ".[test]" && pytest',
    ]


def test_ci_runs_the_quick_start_test_line() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert _quick_start_lines()[1] + "\n" in ci


def test_every_command_is_documented_and_has_help() -> None:
    runner = CliRunner()
    for command in COMMANDS:
        assert f"tracker {command}" in README, command
        result = runner.invoke(app, [*command.split(), "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Examples:" in result.stdout, command


def test_exit_codes_are_documented() -> None:
    table = README.split("## Exit codes", 1)[1]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in table
