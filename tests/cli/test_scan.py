"""`tracker scan` through the CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tracker.cli import app

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("use_real_datasets")

CORPUS = FIXTURES / "scan_corpus"
PARTNERS = CORPUS / "en_01_partners.txt"


def test_scan_json_shape() -> None:
    result = runner.invoke(app, ["scan", str(PARTNERS), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"source", "mentions", "codes", "countries", "results"}
    assert data["source"]["encoding"] == "utf-8"
    first = data["mentions"][0]
    assert {
        "category",
        "hs_codes",
        "alias",
        "start",
        "end",
        "sentence",
        "strength",
    } <= set(first)
    assert (first["category"], first["hs_codes"], first["strength"]) == (
        "nitrocellulose",
        ["391220"],
        "strong",
    )
    text = PARTNERS.read_text(encoding="utf-8")
    for m in data["mentions"]:
        assert text[m["start"] : m["end"]] == m["text"]
    assert [c["iso2"] for c in data["countries"]] == ["US", "CN", "RU", "IR", "KP"]
    # RU by default, then the named destinations with regimes of their own.
    assert data["destinations"] == ["RU", "IR", "KP"]
    items = [(r["destination"]["code"], r["item"]) for r in data["results"]]
    assert items[:3] == [
        ("RU", "nitrocellulose"),
        ("RU", "propellant_powder"),
        ("RU", "optics"),
    ]
    assert len(items) == 9
    weak = [m for m in data["mentions"] if m["strength"] == "weak"]
    assert [(m["category"], m["cross_checked"]) for m in weak] == [
        ("machine_tools", False)
    ]


def test_scan_codes_in_json(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text("Bearings under HS 8482.10; in 2023 prices rose.", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(path), "-f", "json", "-d", "kz"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["codes"][0]["code"] == "8482.10"
    assert data["codes"][0]["normalised"] == "848210"
    assert data["destinations"] == ["KZ"]
    assert [r["item"] for r in data["results"]] == ["bearings", "848210"]


def test_scan_include_weak_checks_weak_categories() -> None:
    result = runner.invoke(
        app, ["scan", str(PARTNERS), "-f", "json", "-d", "RU", "--include-weak"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["item"] for r in data["results"]] == [
        "nitrocellulose",
        "propellant_powder",
        "optics",
        "machine_tools",
    ]


def test_scan_table_output() -> None:
    result = runner.invoke(app, ["scan", str(CORPUS / "ru_01_customs.txt")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "нитроцеллюлозу" in out
    assert "Cross-check for destination RU" in out
    assert "does not mean that no licence is needed" in out


def test_scan_stdin_html_and_legacy_encoding() -> None:
    html = "<p>Поставки нитроцеллюлозы &amp; лазеров в Иран</p>".encode("cp1251")
    result = runner.invoke(app, ["scan", "-", "-f", "json"], input=html)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == {
        "name": "<stdin>",
        "encoding": "cp1251",
        "format": "html",
        "characters": 42,
    }
    assert [m["category"] for m in data["mentions"]] == ["nitrocellulose", "lasers"]


def test_scan_writes_report_with_mentions_sheet(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text(
        "=cmd| nitrocellulose and HS 8482.10 for North Korea.", encoding="utf-8"
    )
    out = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["scan", str(path), "-o", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert "Mentions" in wb.sheetnames and "Destinations" in wb.sheetnames
    ws = wb["Mentions"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["kind", "finding", "category"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["goods", "code", "country"]
    assert rows[0][1:3] == ["nitrocellulose", "nitrocellulose"]
    sentence = rows[0][header.index("sentence")]
    assert sentence.startswith("=cmd|")
    cell = ws.cell(row=2, column=header.index("sentence") + 1)
    assert cell.data_type == "s"
    dest = [[c.value for c in row] for row in wb["Destinations"].iter_rows(min_row=2)]
    assert {r[0] for r in dest} == {"RU", "KP"}


def test_scan_missing_file_is_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = runner.invoke(app, ["scan", str(missing)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: No such file: '{missing}'\n"


def test_scan_folder_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: '{tmp_path}' is a folder, not a file\n"


def test_scan_undecodable_input_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"optics \xff\xfe")
    result = runner.invoke(app, ["scan", str(path), "--encoding", "utf-8"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: cannot decode byte 7 as utf-8 (invalid start byte); "
        "pass --encoding\n"
    )


def test_scan_unknown_destination_is_one_error_line() -> None:
    result = runner.invoke(app, ["scan", str(PARTNERS), "-d", "UR"])
    assert result.exit_code == 1
    assert result.stderr == "Error: Unknown destination 'UR'; did you mean RU?\n"


def test_scan_destination_by_name() -> None:
    result = runner.invoke(app, ["scan", str(PARTNERS), "-d", "Russia", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["destinations"] == ["RU"]


def test_scan_report_mode_follows_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "scan.xlsx"
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["scan", str(PARTNERS), "-o", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
