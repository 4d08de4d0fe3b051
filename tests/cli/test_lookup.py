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
    result = runner.invoke(app, ["lookup", "8542.31", "--as-of", "2024-07-01"])
    assert result.exit_code == 0, result.output
    assert "8542.31" in result.stdout
    assert "Tier 1: Processors" in result.stdout
    assert "https://example.org/alpha" in result.stdout
    assert "does not mean that no licence is needed" in result.stdout


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
