"""`tracker check` through the CLI: formats, errors, the README's main-job line, golden JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import MINI_DATASETS
from tracker.cli import app
from tracker.cli.check import CSV_COLUMNS

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "check_seed.json"
SEED = ["nitrocellulose", "optics", "machine tools"]


@pytest.mark.usefixtures("use_mini_datasets")
def test_json_is_one_object_per_item_in_order() -> None:
    result = runner.invoke(
        app, ["check", "8459.61", "electronics", "nitrocellulose", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["item"] for d in data] == ["8459.61", "electronics", "nitrocellulose"]
    first = data[0]
    assert first["kind"] == "code"
    assert first["codes"] == ["845961"]
    assert first["destination"]["code"] == "RU"
    assert first["verdict"] == "listed"
    match = first["matches"][0]
    assert {"list", "entry", "basis", "verdict", "tier"} <= set(match)
    assert (match["list"], match["entry"], match["basis"], match["tier"]) == (
        "alpha",
        "845961",
        "exact",
        "4.B",
    )
    alpha = first["verdicts"]["alpha"]
    assert alpha["verdict"] == "listed"
    assert alpha["list_version"] == "Test edition 2024"
    assert list(first["verdicts"]) == ["alpha", "beta"]
    assert data[1]["categories"] == ["electronics", "integrated_circuits"]


@pytest.mark.usefixtures("use_mini_datasets")
def test_destination_and_as_of() -> None:
    result = runner.invoke(
        app,
        ["check", "8459.61", "-d", "de", "--as-of", "2024-07-01", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    (item,) = json.loads(result.stdout)
    assert item["as_of"] == "2024-07-01"
    alpha = item["verdicts"]["alpha"]
    assert (alpha["verdict"], alpha["goods_verdict"], alpha["applicability"]) == (
        "not-listed",
        "listed",
        "not-applicable",
    )
    assert alpha["reason"] == (
        "does not apply to destination DE (it restricts exports to RU)"
    )
    early = runner.invoke(
        app, ["check", "8459.61", "--as-of", "2024-01-01", "-f", "json"]
    )
    (item,) = json.loads(early.stdout)
    assert item["verdicts"]["alpha"]["verdict"] == "indeterminate"


@pytest.mark.usefixtures("use_mini_datasets")
def test_csv_one_row_per_match_and_no_item_lost() -> None:
    result = runner.invoke(
        app,
        ["check", "8459.61", "9999", "--as-of", "2024-01-01", "-f", "csv"],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    # 8459.61 on 2024-01-01: alpha cannot answer, beta has no match
    assert [(r["item"], r["list"], r["verdict"]) for r in rows] == [
        ("8459.61", "alpha", "indeterminate"),
        ("9999", "alpha", "indeterminate"),
    ]
    later = runner.invoke(app, ["check", "9999", "electronics", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(later.stdout)))
    assert rows[0]["item"] == "9999"
    assert (rows[0]["list"], rows[0]["verdict"]) == ("", "not-listed")
    electronics = [r for r in rows if r["item"] == "electronics"]
    assert len(electronics) == 4
    assert electronics[0]["query"] == "854231"


@pytest.mark.usefixtures("use_mini_datasets")
def test_table_output() -> None:
    result = runner.invoke(app, ["check", "electronics", "-d", "KZ"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "electronics → listed: alpha, beta\n" in out
    assert "  category electronics (Electronics) with 1 sub-category; HS" in out
    assert "Tier 1: Processors" in out
    assert "concern alpha: a due-diligence concern for KZ" in out
    assert "No country regimes are bundled for KZ" in out
    assert "Data: alpha as of 2024-02-23, beta 2024-06-25" in out
    assert "does not mean that no licence is needed" in out
    assert "\x1b" not in out, "no colour codes in a pipe"


@pytest.mark.usefixtures("use_mini_datasets")
def test_details_shows_every_entry_and_the_verdict_table() -> None:
    details = runner.invoke(
        app, ["check", "electronics", "--details"], env={"COLUMNS": "160"}
    )
    assert details.exit_code == 0, details.output
    data = json.loads(runner.invoke(app, ["check", "electronics", "-f", "json"]).stdout)
    titles = [f"{m['control_code']}: {m['title']}" for m in data[0]["matches"]]
    assert all(t in details.stdout for t in titles), details.stdout
    assert " list   verdict " in details.stdout
    assert runner.invoke(app, ["check", "electronics", "-v"]).stdout == details.stdout


def _json_words(value: object) -> set[str]:
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, dict):
        return {w for v in value.values() for w in _json_words(v)}
    if isinstance(value, list):
        return {w for v in value for w in _json_words(v)}
    return set() if value is None else {str(value)}


def assert_fits(args: list[str], width: int = 80, most_lines: int = 60) -> str:
    """Run a table command at ``width`` columns: short enough, no word split.

    Every whitespace-separated token of the narrow output must be a whole word
    of the JSON output or of the same table printed without width limits; a
    token shortened with "…" must begin a word.
    """
    narrow = runner.invoke(app, args, env={"COLUMNS": str(width)})
    assert narrow.exit_code == 0, narrow.output
    wide = runner.invoke(app, args, env={"COLUMNS": "1000"})
    data = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)
    words = _json_words(data) | set(wide.stdout.split())
    lines = narrow.stdout.splitlines()
    assert len(lines) <= most_lines, narrow.stdout
    assert all(len(line) <= width for line in lines), narrow.stdout
    for token in narrow.stdout.split():
        if token in words or token == "…":
            continue
        stem = token.rstrip("…")
        assert token.endswith("…"), (token, narrow.stdout)
        assert any(w.startswith(stem) for w in words), (token, narrow.stdout)
    return narrow.stdout


def test_seed_check_fits_80_columns(use_real_datasets: Path) -> None:
    out = assert_fits(["check", *SEED])
    for item in SEED:
        verdict_lines = [x for x in out.splitlines() if x.startswith(f"{item} → ")]
        assert len(verdict_lines) == 1, out
    assert "nitrocellulose → listed: eu_russia · listed-if: eu_military" in out
    assert "  indeterminate uk_russia: no bundled entry matched" in out
    assert "more matching entries; --details shows all." in out
    assert out.splitlines()[-1].endswith("only if their condition holds.")
    assert "\nData: chpl as of 2024-02-23, eu_dual_use 2025-11-14," in out


@pytest.mark.usefixtures("use_mini_datasets")
def test_unknown_item_is_one_error_line() -> None:
    result = runner.invoke(app, ["check", "optics", "nitrocelulose"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: Unknown item 'optics': not a category name or an HS/CN/HTS code; "
        "see 'tracker items' for the known categories\n"
    )
    other = runner.invoke(app, ["check", "nitrocelulose"])
    assert other.exit_code == 1
    assert other.stderr.strip().splitlines() == [
        "Error: Unknown item 'nitrocelulose': not a category name or an HS/CN/HTS "
        "code; closest known names: nitrocellulose"
    ]


@pytest.mark.usefixtures("use_mini_datasets")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2024-13-01"], "is not a date"),
        (["-o", "report.csv"], "use a .xlsx name"),
    ],
)
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "electronics", *args])
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.usefixtures("use_mini_datasets")
def test_unwritable_output_is_one_error_line(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "report.xlsx"
    result = runner.invoke(app, ["check", "electronics", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Cannot write the report '{target}': ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_readme_main_job_line(
    tmp_path: Path, use_real_datasets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # tracker check nitrocellulose optics "machine tools" -o report.xlsx
    result = runner.invoke(app, ["check", *SEED, "-o", "report.xlsx"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Wrote report.xlsx (3 items, ")
    wb = load_workbook(tmp_path / "report.xlsx")
    assert wb.sheetnames == [
        "Summary",
        "Matrix",
        "Matches",
        "Items",
        "Sources",
        "Notes",
    ]
    summary = wb["Summary"]
    assert summary["B9"].value == (
        "tracker check nitrocellulose optics 'machine tools' --destination RU "
        "-o report.xlsx"
    )
    matrix = wb["Matrix"]
    header = [c.value for c in matrix[1]]
    row = {matrix.cell(row=r, column=1).value: r for r in range(2, 5)}
    chpl = header.index("chpl") + 1
    assert matrix.cell(row=row["nitrocellulose"], column=chpl).value == "not-listed"
    assert matrix.cell(row=row["optics"], column=chpl).value == "listed"
    assert matrix.cell(row=row["machine tools"], column=chpl).value == "listed"
    assert "Regimes for RU (Russia)" in result.stdout


def test_golden_seed_json(use_real_datasets: Path, update_golden: bool) -> None:
    result = runner.invoke(app, ["check", *SEED, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    if update_golden:
        GOLDEN.write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    # The caveats say how old the data is on the day the test runs; each age
    # is checked against today here, then compared without it.
    text = json.dumps(data, ensure_ascii=False)
    ages = _AGE.findall(text)
    assert ages
    for since, days, on in ages:
        assert on == dt.date.today().isoformat()
        assert (
            int(days) == (dt.date.fromisoformat(on) - dt.date.fromisoformat(since)).days
        )
    assert _without_age(data) == _without_age(expected), (
        "run pytest --update-golden after a deliberate change"
    )


#: "as of 2024-02-23, 1013 days before 2026-12-02" in a caveat.
_AGE = re.compile(r"as of (\d{4}-\d\d-\d\d), (\d+) days before (\d{4}-\d\d-\d\d)")


def _without_age(data: object) -> object:
    text = json.dumps(data, ensure_ascii=False)
    return json.loads(_AGE.sub(r"as of \1, N days before TODAY", text))


def test_formula_text_is_neutralised_in_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, root)
    entries = root / "lists" / "beta" / "entries.csv"
    entries.write_text(
        entries.read_text(encoding="utf-8").replace("Heading 3912", "=cmd|x"),
        encoding="utf-8",
    )
    monkeypatch.setenv("TRACKER_DATASETS_PATH", str(root))
    result = runner.invoke(app, ["check", "nitrocellulose", "-f", "csv"])
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["title"] == "'=cmd|x"


# --- destinations (one parser, tracker.countries.parse_destination) -----------


def test_unknown_destination_is_one_error_line_with_a_suggestion(
    use_real_datasets: Path,
) -> None:
    result = runner.invoke(app, ["check", "8542.31", "-d", "UR"])
    assert result.exit_code == 1
    assert result.stderr == "Error: Unknown destination 'UR'; did you mean RU?\n"
    result = runner.invoke(app, ["check", "8542.31", "-d", "QQ"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Unknown destination 'QQ': not an ISO 3166 alpha-2 or alpha-3 code "
        "or a country name in datasets/countries.yml\n"
    )


def test_long_destination_is_cut_in_the_error(use_real_datasets: Path) -> None:
    result = runner.invoke(app, ["check", "8542.31", "-d", "Z" * 300])
    assert result.exit_code == 1
    assert len(result.stderr) < 200, result.stderr
    assert "…'" in result.stderr


@pytest.mark.parametrize("given", ["Russia", "RUS", "ru", "Россия"])
def test_destination_by_name_or_alpha3(use_real_datasets: Path, given: str) -> None:
    result = runner.invoke(app, ["check", "8542.31", "-d", given, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["destination"]["code"] == "RU"


def test_report_mode_follows_the_umask(tmp_path: Path, use_mini_datasets: Path) -> None:
    out = tmp_path / "report.xlsx"
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["check", "electronics", "-o", str(out)])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
