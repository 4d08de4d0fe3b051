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


def test_dataset_schemas_match_the_models() -> None:
    from tracker.schema import stale_schemas

    assert stale_schemas(REPO / "datasets" / "schema") == []
    runner = CliRunner()
    result = runner.invoke(
        app, ["datasets", "schema", "--check", str(REPO / "datasets" / "schema")]
    )
    assert result.exit_code == 0, result.output


def test_stale_schema_is_reported(tmp_path: object) -> None:
    from pathlib import Path

    from tracker.schema import write_schemas

    folder = Path(str(tmp_path))
    write_schemas(folder)
    (folder / "publisher.json").write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["datasets", "schema", "--check", str(folder)])
    assert result.exit_code == 1
    assert "publisher.json: out of date; run 'tracker datasets schema'" in result.stdout
