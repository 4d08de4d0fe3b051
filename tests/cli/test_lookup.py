"""`tracker lookup`, `lists`, `items`, `datasets validate` through the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import MINI_DATASETS
from tracker.cli import app

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("use_mini_datasets")


def test_lookup_json_is_one_object_per_code_in_order() -> None:
    result = runner.invoke(
        app, ["lookup", "8542 31 90", "845961", "--as-of", "2024-07-01", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["code"] for d in data] == ["85423190", "845961"]
    first = data[0]["matches"][0]
    assert {"list", "entry", "basis", "verdict", "tier"} <= set(first)
    assert (first["list"], first["entry"], first["basis"], first["tier"]) == (
        "alpha",
        "854231",
        "prefix",
        "1",
    )


def test_lookup_table_names_entry_and_source() -> None:
    result = runner.invoke(
        app, ["lookup", "8542.31", "--as-of", "2024-07-01"], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("8542.31 → listed: alpha, beta\n")
    assert "Tier 1: Processors" in out
    assert "https://example.org/alpha" in out
    assert "Data: alpha as of 2024-02-23, beta 2024-06-25" in out
    assert "does not mean that no licence is needed" in out
    assert "\x1b" not in out


def test_lookup_narrow_table_drops_the_source_first() -> None:
    args = ["lookup", "8542.31", "--as-of", "2024-07-01"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert "https://" not in result.stdout
    assert " verdict " in result.stdout
    details = runner.invoke(app, [*args, "--details"], env={"COLUMNS": "80"})
    assert "Columns left out at this width: " in details.stdout


def test_lookup_gap_is_one_indeterminate_line() -> None:
    result = runner.invoke(
        app, ["lookup", "3912.20", "--as-of", "2023-01-01"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("3912.20 → indeterminate: alpha\n")
    (gap,) = [x for x in result.stdout.splitlines() if "indeterminate alpha:" in x]
    assert gap.startswith("  indeterminate alpha: the bundled alpha data starts")


def test_no_colour_with_no_color() -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "100"}
    coloured = runner.invoke(app, ["lookup", "8542.31"], env=env)
    assert "\x1b[1;31mlisted" in coloured.stdout
    plain = runner.invoke(app, ["lookup", "8542.31"], env={**env, "NO_COLOR": "1"})
    assert "31m" not in plain.stdout and "33m" not in plain.stdout


def test_lookup_csv_keeps_codes_without_matches() -> None:
    result = runner.invoke(
        app, ["lookup", "3912.20", "--as-of", "2023-01-01", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("query_code,code,list,entry")
    assert lines[1].startswith("3912.20,391220,alpha,,")
    assert ",indeterminate," in lines[1] and "starts on 2024-02-23" in lines[1]
    assert len(lines) == 2
    later = runner.invoke(app, ["lookup", "9999", "--as-of", "2024-07-01", "-f", "csv"])
    assert later.stdout.splitlines()[1].startswith("9999,9999,,")
    assert ",not-listed," in later.stdout


def test_bad_code_is_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["lookup", "12345"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: Invalid code '12345': 5 digits; expected 2, 4, 6, 8 or 10\n"
    )
    assert result.stdout == ""


def test_bad_date_is_a_usage_error() -> None:
    result = runner.invoke(app, ["lookup", "8542", "--as-of", "31.01.2024"])
    assert result.exit_code == 2
    assert "'31.01.2024' is not a date; use YYYY-MM-DD" in result.stderr


def test_unknown_list_is_a_usage_error() -> None:
    result = runner.invoke(app, ["lookup", "8542", "--list", "nope"])
    assert result.exit_code == 2
    assert "unknown list 'nope'" in result.stderr


def test_lists_and_items() -> None:
    result = runner.invoke(app, ["lists", "-f", "json"])
    assert result.exit_code == 0
    lists = json.loads(result.stdout)
    assert [(x["key"], x["entries"], x["unverified"]) for x in lists] == [
        ("alpha", 3, 0),
        ("beta", 5, 1),
    ]
    result = runner.invoke(app, ["items", "-f", "json"])
    items = json.loads(result.stdout)
    assert [(i["key"], i["depth"]) for i in items][:2] == [
        ("electronics", 0),
        ("integrated_circuits", 1),
    ]


def test_datasets_validate_reports_problems(tmp_path: Path) -> None:
    good = runner.invoke(app, ["datasets", "validate", str(MINI_DATASETS)])
    assert good.exit_code == 0
    assert "valid (2 lists, 8 entries" in good.stdout
    broken = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, broken)
    entries = broken / "lists/alpha/entries.csv"
    entries.write_text(entries.read_text().replace("854232,Tier 1", "854231,Tier 1"))
    bad = runner.invoke(app, ["datasets", "validate", str(broken)])
    assert bad.exit_code == 1
    assert (
        "lists/alpha/entries.csv row 3 field 'entry_id': duplicate entry_id '854231' "
        "(first on row 2)" in bad.stdout
    )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("tracker ")


def test_python_dash_m_smoke_and_debug_traceback() -> None:
    env = {"TRACKER_DATASETS_PATH": str(MINI_DATASETS), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run(
        [sys.executable, "-m", "tracker", "lookup", "abc"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 1
    assert ok.stderr.strip().splitlines() == [
        "Error: Invalid code 'abc': expected digits with optional dots or spaces, "
        "e.g. 8542.31 or 8542 31 90"
    ]
    debug = subprocess.run(
        [sys.executable, "-m", "tracker", "lookup", "abc", "--debug"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert "CodeError" in debug.stderr


def test_missing_datasets_folder_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DATASETS_PATH", "/nonexistent/datasets")
    result = runner.invoke(app, ["lists"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: TRACKER_DATASETS_PATH='/nonexistent/datasets' is not a folder\n"
    )


def test_lookup_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.test_check import assert_fits
    from tests.conftest import REAL_DATASETS

    monkeypatch.setenv("TRACKER_DATASETS_PATH", str(REAL_DATASETS))
    out = assert_fits(["lookup", "8542.31"], most_lines=30)
    assert out.startswith("8542.31 → listed: chpl, eu_russia · listed-if:")
    details = runner.invoke(app, ["lookup", "8542.31", "--details"])
    assert "Art. 2: All dual-use items of Annex I" in details.stdout
