"""Every command says how old the bundled data is for the date asked (or today)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()


def test_screen_warns_about_old_lists(tmp_path: Path, use_real_datasets: Path) -> None:
    src = tmp_path / "a.csv"
    src.write_text("HS code,Destination\n854231,RU\n", encoding="utf-8")
    result = runner.invoke(app, ["screen", str(src), "--as-of", "2026-12-02"])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.stderr.splitlines() if x.startswith("Data age: ")]
    assert any(
        x.startswith("Data age: chpl: bundled data is as of 2024-02-23") for x in lines
    )
    # a date close to the data: no caveat for that list
    recent = runner.invoke(app, ["screen", str(src), "--as-of", "2024-03-01"])
    assert "Data age: chpl" not in recent.stderr


def test_scan_warns_about_old_lists(tmp_path: Path, use_real_datasets: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(
        "Processors (HS 8542.31) were shipped to Russia.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["scan", str(src), "--as-of", "2026-12-02"])
    assert result.exit_code == 0, result.output
    assert "Data age: chpl: bundled data is as of 2024-02-23" in result.stdout


def test_scan_csv_has_one_row_per_finding(
    tmp_path: Path, use_real_datasets: Path
) -> None:
    import csv
    import io

    src = tmp_path / "a.txt"
    src.write_text(
        "China ships nitrocellulose (HS 3912.20) to Russia.\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["scan", str(src), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["kind"], r["text"]) for r in rows] == [
        ("goods", "nitrocellulose"),
        ("code", "3912.20"),
        ("country", "China"),
        ("country", "Russia"),
    ]
    assert rows[0]["category"] == "nitrocellulose" and rows[1]["code"] == "391220"
    assert rows[3]["iso2"] == "RU"
