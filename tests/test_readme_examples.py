"""Every console example of README.md runs, and shows what tracker really prints.

Each ```console block is split into commands (lines starting with ``$ ``) and the
output shown under each. A command runs with the real bundled datasets, in a
temporary folder where ``examples/`` and ``tests/`` of the repository are
visible (so ``examples/shipments_ru.csv`` and files the command writes, such as
``report.xlsx``, resolve as in a checkout):

- a plain ``tracker …`` command through typer's CliRunner (stdout and stderr in
  the order written) and it must exit 0;
- a command with shell syntax (``|``, ``;``, ``$?``, redirections) through bash,
  with ``tracker`` running this checkout's code and stderr merged into stdout.

Both run with ``NO_COLOR=1`` and ``COLUMNS`` set to the width the README gives
after the block ("(output at N columns …"), else ``DEFAULT_COLUMNS``.

The shown output is compared with the real output line by line:

- whitespace runs count as one space and line ends are ignored (widths);
- ``…`` inside a line matches any text (a shortened cell or line);
- a line that is only ``…`` matches any number of whole lines (left out);
- otherwise the shown lines must be the real lines, in order and consecutive,
  from the first line of the output to the last.

Placeholders for what depends on the day the test runs: the run date
(``date.today()`` in the real output, ``README_DATE`` in the README) both become
``<today>``, and every day count ``N days`` becomes ``<n> days`` (the "Data age
on …" caveat).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REAL_DATASETS, REPO
from tracker.cli import app

README_PATH = REPO / "README.md"
#: The day the README's outputs were taken (its "Data age on …" lines).
README_DATE = "2026-12-02"
#: Width for a block whose text does not say "(output at N columns".
DEFAULT_COLUMNS = 110
ELLIPSIS = "…"
#: Commands that start something other than tracker: such a block is not run.
NOT_RUN = {
    "dask": "needs a Dask scheduler and workers on other hosts",
}
#: README sections whose examples run but may still differ from the output: the
#: scan section is being rewritten in parallel (table borders and wrapped cells
#: are shortened there). An XPASS means the mark can go.
LENIENT_SECTIONS: dict[str, str] = {}
SHELL_SYNTAX = re.compile(r"[|;<>&`]|\$\?|\$\(")


@dataclass
class Command:
    """One ``$ `` line of a console block and the output the README shows."""

    text: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Example:
    """One ```console block of README.md."""

    line: int
    section: str
    columns: int
    commands: list[Command]

    @property
    def id(self) -> str:
        first = self.commands[0].text if self.commands else ""
        return f"L{self.line}:{first[:50]}"


def _examples(readme: str) -> list[Example]:
    out: list[Example] = []
    for match in re.finditer(r"^```console\n(.*?)^```", readme, re.S | re.M):
        before = readme[: match.start()]
        opened = re.findall(r"<!-- (/?)section:(\w+) -->", before)
        section = opened[-1][1] if opened and not opened[-1][0] else ""
        after = readme[match.end() : match.end() + 400]
        width = re.search(r"\(output at (\d+) columns", after.split("```", 1)[0])
        commands: list[Command] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:].strip()))
            elif commands:
                commands[-1].shown.append(line)
        out.append(
            Example(
                line=before.count("\n") + 1,
                section=section,
                columns=int(width.group(1)) if width else DEFAULT_COLUMNS,
                commands=commands,
            )
        )
    return out


EXAMPLES = _examples(README_PATH.read_text(encoding="utf-8"))


def _normalise(line: str, today: str) -> str:
    line = " ".join(line.split())
    line = line.replace(today, "<today>")
    return re.sub(r"\b\d+ days\b", "<n> days", line)


def _pattern(line: str) -> re.Pattern[str]:
    parts = _normalise(line, README_DATE).split(ELLIPSIS)
    body = r"\s*.*?\s*".join(re.escape(p.strip()) for p in parts)
    return re.compile(body, re.S)


def _matches(shown: list[str], real: list[str]) -> bool:
    """Whether ``shown`` (with ``…`` lines as gaps) matches all of ``real``."""
    today = dt.date.today().isoformat()
    got = [_normalise(line, today) for line in real]
    items: list[re.Pattern[str] | None] = [
        None if line.strip() == ELLIPSIS else _pattern(line) for line in shown
    ]
    # can[i][j]: items[i:] match got[j:]
    can = [[False] * (len(got) + 1) for _ in range(len(items) + 1)]
    can[len(items)][len(got)] = True
    for i in range(len(items) - 1, -1, -1):
        for j in range(len(got), -1, -1):
            item = items[i]
            if item is None:
                can[i][j] = can[i + 1][j] or (j < len(got) and can[i][j + 1])
            else:
                can[i][j] = (
                    j < len(got)
                    and item.fullmatch(got[j]) is not None
                    and can[i + 1][j + 1]
                )
    return can[0][0]


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _workdir(tmp_path: Path) -> Path:
    for name in ("examples", "tests"):
        (tmp_path / name).symlink_to(REPO / name, target_is_directory=True)
    return tmp_path


def _env(columns: int) -> dict[str, str]:
    return {
        "COLUMNS": str(columns),
        "NO_COLOR": "1",
        "TRACKER_DATASETS_PATH": str(REAL_DATASETS),
    }


def _run_shell(command: str, columns: int, cwd: Path) -> str:
    env = {
        **os.environ,
        **_env(columns),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "LC_ALL": "C.UTF-8",
    }
    env.pop("FORCE_COLOR", None)
    script = f'tracker() {{ {shlex.quote(sys.executable)} -m tracker "$@"; }}\n'
    done = subprocess.run(
        ["bash", "-c", script + command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    return done.stdout


def _run_cli(command: str, columns: int, monkeypatch: pytest.MonkeyPatch) -> str:
    args = shlex.split(command, comments=True)
    assert args[0] == "tracker", command
    for key, value in _env(columns).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    result = CliRunner().invoke(app, args[1:])
    assert result.exit_code == 0, (command, result.output, result.exception)
    return result.output


def _params() -> list[object]:
    params: list[object] = []
    for example in EXAMPLES:
        marks = []
        if example.section in LENIENT_SECTIONS:
            reason = LENIENT_SECTIONS[example.section]
            marks.append(pytest.mark.xfail(reason=reason, strict=False))
        params.append(pytest.param(example, id=example.id, marks=marks))
    return params


def _not_run(example: Example) -> str:
    for command in example.commands:
        word = command.text.split()[0]
        if word != "tracker":
            return NOT_RUN.get(word, "")
    return ""


def test_readme_has_console_examples() -> None:
    runnable = [e for e in EXAMPLES if not _not_run(e)]
    assert len(runnable) >= 8
    for example in EXAMPLES:
        assert example.commands, f"README line {example.line}: no $ line"
        for command in example.commands:
            word = command.text.split()[0]
            assert word == "tracker" or word in NOT_RUN, (example.line, command)


@pytest.mark.parametrize("example", _params())
def test_readme_console_example(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if _not_run(example):
        pytest.skip(_not_run(example))
    cwd = _workdir(tmp_path)
    monkeypatch.chdir(cwd)
    for command in example.commands:
        if SHELL_SYNTAX.search(command.text.split("#", 1)[0]):
            output = _run_shell(command.text, example.columns, cwd)
        else:
            output = _run_cli(command.text, example.columns, monkeypatch)
        real = _trim(output.splitlines())
        shown = _trim(command.shown)
        assert _matches(shown, real), (
            f"README line {example.line}, `$ {command.text}` at {example.columns} "
            "columns: the README shows\n"
            + "\n".join(shown)
            + "\n\nbut tracker prints\n"
            + "\n".join(real)
        )


# The entry points named in prose under the Quick start, with their example files.
ENTRY_POINTS = [
    "tracker lookup 8542.31",
    "tracker scan examples/article.txt",
    "tracker screen examples/shipments.xlsx -o screened.xlsx",
    "tracker changes --since 2023-12-18",
]


@pytest.mark.parametrize("command", ENTRY_POINTS)
def test_quick_start_entry_points_run(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick_start = README_PATH.read_text(encoding="utf-8").split("## Commands", 1)[0]
    assert f"`{command}`" in " ".join(quick_start.split()), command
    cwd = _workdir(tmp_path)
    monkeypatch.chdir(cwd)
    output = _run_cli(command, DEFAULT_COLUMNS, monkeypatch)
    assert output.strip()
    if "-o screened.xlsx" in command:
        assert (cwd / "screened.xlsx").is_file()


@pytest.mark.parametrize(
    ("text", "real", "expected"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "x", "b"], False),
        (["a", "…", "b"], ["a", "x", "y", "b"], True),
        (["a", "…"], ["a"], True),
        (["a  b…z"], ["a b cut here z"], True),
        (
            ["Data age on 2026-12-02: x 3 days"],
            [f"Data age on {dt.date.today()}: x 9 days"],
            True,
        ),
        (["a"], ["a", "b"], False),
    ],
)
def test_matching_rules(text: list[str], real: list[str], expected: bool) -> None:
    assert _matches(text, real) is expected
