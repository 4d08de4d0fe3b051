"""`tracker screen` end to end: inputs, outputs, errors, exit codes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from tracker.cli import app

runner = CliRunner()

# (code, description, date, expected status) on the real datasets, destination RU
CASES = [
    ("8542 31 00 00", "Микросхемы процессоров", "2024-06-01", "match"),  # CHPL tier 1
    ("8471 50 00 00", "Серверы", "2024-06-01", "match"),  # CHPL
    ("3912 20 11 00", "Нитроцеллюлоза", "2023-12-18", "match"),  # listed-if only
    ("3912 20 11 00", "Нитроцеллюлоза", "2023-12-19", "match"),  # Annex XXIII too
    # no entry matches coffee, but for Russia the US Part 746 HTS tables and the
    # 2024 US CCL are not bundled: no answer, never "no match"
    ("0901 21 00 00", "Кофе жареный", "2024-06-01", "indeterminate"),
    ("", "Кофе", "2024-06-01", "indeterminate"),
    ("O9O1", "Кофе", "2024-06-01", "indeterminate"),
]
HEADERS_RU = ["Код ТН ВЭД", "Описание товара", "Страна назначения", "Дата декларации"]


def _rows(n: int) -> list[list[str]]:
    rng = random.Random(11)
    return [
        [code, desc, "RU", day]
        for code, desc, day, _ in (rng.choice(CASES) for _ in range(n))
    ]


def _expected(rows: list[list[str]]) -> list[str]:
    status = {(c, d): s for c, _, d, s in CASES}
    return [status[(r[0], r[3])] for r in rows]


@pytest.fixture
def real(use_real_datasets: Path) -> Path:
    return use_real_datasets


def test_russian_xlsx_without_flags(tmp_path: Path, real: Path) -> None:
    rows = _rows(2500)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Декларации"
    ws.append(HEADERS_RU)
    for r in rows:
        ws.append(r)
    src = tmp_path / "декларации.xlsx"
    wb.save(src)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["screen", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = pq.read_table(out).to_pandas()
    assert len(frame) == 2500
    assert frame["tracker_row"].tolist() == list(range(2, 2502))
    # row numbers are stored as deltas (next to nothing), with their min and max
    row_column = (
        pq.ParquetFile(out)
        .metadata.row_group(0)
        .column(frame.columns.get_loc("tracker_row"))
    )
    assert "DELTA_BINARY_PACKED" in row_column.encodings
    # tracker_* columns are required (never null), the input columns optional
    stored = pq.ParquetFile(out).schema
    levels = {
        stored.column(i).name: stored.column(i).max_definition_level
        for i in range(len(stored))
    }
    assert {k for k, v in levels.items() if v == 0} == {
        c for c in frame.columns if c.startswith("tracker_")
    }
    assert (row_column.statistics.min, row_column.statistics.max) == (2, 2501)
    assert frame["Код ТН ВЭД"].tolist() == [r[0] for r in rows]
    assert frame["tracker_status"].tolist() == _expected(rows)
    counts = frame["tracker_status"].value_counts()
    assert result.stderr.splitlines()[0] == (
        f"2500 rows in, 2500 rows out: {counts['match']} match, "
        f"{counts.get('no-match', 0)} no-match, {counts['indeterminate']} indeterminate"
    )
    # nitrocellulose: named in Annex VII Part A (X.C.VIII.004) from 9 Apr 2022,
    # and in Annex XXIII from 19 Dec 2023
    nitro = frame[frame["Код ТН ВЭД"] == "3912 20 11 00"]
    before = nitro[nitro["Дата декларации"] == "2023-12-18"]["tracker_entries"]
    after = nitro[nitro["Дата декларации"] == "2023-12-19"]["tracker_entries"]
    assert all("eu_russia:VII-A-XC8004" in v for v in before)
    assert not any("XXIII-3912" in v for v in before)
    assert all("eu_russia:XXIII-3912" in v for v in after)
    chpl = frame[frame["Код ТН ВЭД"] == "8542 31 00 00"]["tracker_tiers"]
    assert set(chpl) == {"chpl:1"}


def test_cp1251_semicolon_csv_without_flags(tmp_path: Path, real: Path) -> None:
    rows = _rows(3000)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS_RU)
    writer.writerows(rows)
    src = tmp_path / "выгрузка.csv"
    src.write_bytes(text.getvalue().encode("cp1251"))
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["screen", str(src), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 3000
    assert frame["Описание товара"].tolist() == [r[1] for r in rows]
    assert frame["tracker_status"].tolist() == _expected(rows)
    blank = frame[frame["Код ТН ВЭД"] == ""]["tracker_reason"]
    assert set(blank) == {"code-missing: no goods code in the cell"}
    bad = frame[frame["Код ТН ВЭД"] == "O9O1"]["tracker_reason"].iloc[0]
    assert bad.startswith("code-malformed: 'O9O1'")


def test_fail_on_match_exit_code(tmp_path: Path, real: Path) -> None:
    src = tmp_path / "a.csv"
    src.write_text("HS code,Destination\n854231,RU\n")
    result = runner.invoke(app, ["screen", str(src), "--fail-on-match", "-q"])
    assert result.exit_code == 3, result.output
    src.write_text("HS code,Destination\n090121,RU\n")
    result = runner.invoke(app, ["screen", str(src), "--fail-on-match", "-q"])
    assert result.exit_code == 0, result.output


@pytest.mark.usefixtures("use_mini_datasets")
class TestWithMiniData:
    def test_stdout_csv_is_neutralised(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text('HS code,Note\n=1+1,"@SUM(A1)"\n854231,-5\n')
        result = runner.invoke(app, ["screen", str(src), "--as-of", "2024-06-01"])
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0][:3] == ["HS code", "Note", "tracker_row"]
        assert rows[1][:2] == ["'=1+1", "'@SUM(A1)"]
        assert rows[2][:2] == ["854231", "'-5"]
        assert result.stderr.startswith("2 rows in, 2 rows out: 1 match")

    def test_xlsx_formulas_are_never_evaluated_and_neutralised(
        self, tmp_path: Path
    ) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["HS code", "Description"])
        ws.append(["854231", "=SUM(1,2)"])
        ws.append(["=A2", "+cmd"])
        src = tmp_path / "f.xlsx"
        wb.save(src)
        out = tmp_path / "o.csv"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(out.open(encoding="utf-8")))
        assert rows[1][:2] == ["854231", "'=SUM(1,2)"]
        assert rows[2][:2] == ["'=A2", "'+cmd"]
        xlsx = tmp_path / "o.xlsx"
        assert runner.invoke(app, ["screen", str(src), "-o", str(xlsx)]).exit_code == 0
        back = load_workbook(xlsx)["Rows"]
        assert (back["B2"].value, back["B2"].data_type) == ("=SUM(1,2)", "s")
        assert (back["A3"].value, back["A3"].data_type) == ("=A2", "s")

    def test_parquet_keeps_raw_values(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code,Note\n=1+1,@x\n")
        out = tmp_path / "o.parquet"
        assert runner.invoke(app, ["screen", str(src), "-o", str(out)]).exit_code == 0
        frame = pq.read_table(out).to_pandas()
        assert frame["HS code"].tolist() == ["=1+1"]
        assert frame["Note"].tolist() == ["@x"]

    def test_xlsx_report_sheets(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text(
            "HS code,Description,Destination,Date,,HS code\n"
            "854231,processors,RU,2024-06-01,a,b\n"
            '=HYPERLINK("x"),guncotton,Atlantis,soon,c,d\n'
            "610910,shirts,DE,2024-07-01,e,f\n"
        )
        out = tmp_path / "report.xlsx"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out)])
        assert result.exit_code == 0, result.output
        wb = load_workbook(out)
        assert wb.sheetnames == ["Summary", "Rows", "Issues", "Sources"]
        rows = wb["Rows"]
        assert rows.freeze_panes == "A2"
        assert rows.auto_filter.ref == "A1:S4"
        header = [c.value for c in rows[1]]
        assert header[:6] == ["HS code", "Description", "Destination", "Date",
                              "column_5", "HS code_2"]  # fmt: skip
        assert rows["A3"].value == '=HYPERLINK("x")'
        assert rows["A3"].data_type == "s"  # text, never a formula
        status_col = header.index("tracker_status") + 1
        assert [rows.cell(r, status_col).value for r in (2, 3, 4)] == [
            "match",
            "indeterminate",
            "no-match",
        ]
        summary = wb["Summary"]
        labels = {r[0].value: r[1].value for r in summary.iter_rows() if r[0].value}
        assert labels["Rows in"] == 3
        assert labels["Column: code"] == "HS code"
        assert len(summary._charts) == 4
        issues = [[c.value for c in r] for r in wb["Issues"].iter_rows(min_row=2)]
        codes = {i[0] for i in issues}
        assert {"header-blank", "header-duplicate", "code-malformed",
                "date-invalid", "destination-unknown"} <= codes  # fmt: skip
        sources = [r[0].value for r in wb["Sources"].iter_rows(min_row=2)]
        assert sources == ["alpha", "beta", "hs2017_splits"]

    def test_xlsx_rows_past_the_sheet_limit_continue_on_more_sheets(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import tracker.report.screen_excel as se

        monkeypatch.setattr(se, "EXCEL_MAX_ROWS", 5)
        src = tmp_path / "f.csv"
        src.write_text("HS code,Note\n" + "".join(f"854231,=n{i}\n" for i in range(12)))
        out = tmp_path / "big.xlsx"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        assert not (tmp_path / "big.rows.parquet").exists()
        wb = load_workbook(out)
        assert wb.sheetnames == [
            "Summary", "Rows", "Rows (2)", "Rows (3)", "Issues", "Sources"
        ]  # fmt: skip
        numbers: list[int] = []
        notes: list[str] = []
        for name, count in (("Rows", 5), ("Rows (2)", 5), ("Rows (3)", 2)):
            ws = wb[name]
            header = [c.value for c in ws[1]]
            assert header[:3] == ["HS code", "Note", "tracker_row"], name
            assert ws["A1"].fill.fgColor.rgb.endswith("1F4E78"), name
            assert ws.max_row == count + 1, name
            assert ws.freeze_panes == "A2", name
            assert ws.auto_filter.ref == f"A1:O{count + 1}", name
            assert ws.print_title_rows == "$1:$1", name
            assert ws.page_setup.orientation == "landscape", name
            numbers += [ws.cell(r, 3).value for r in range(2, count + 2)]
            notes += [ws.cell(r, 2).value for r in range(2, count + 2)]
            assert all(ws.cell(r, 2).data_type == "s" for r in range(2, count + 2))
        assert numbers == list(range(2, 14))  # the input rows, in order
        assert notes == [f"=n{i}" for i in range(12)]
        labels = {r[0].value: r[1].value for r in wb["Summary"].iter_rows()}
        assert labels["Rows in"] == 12
        note = labels["Rows sheets"]
        assert "3 sheets" in note and "Rows (3): 2" in note, note

    def test_header_only_and_empty_file(self, tmp_path: Path) -> None:
        src = tmp_path / "h.csv"
        src.write_text("HS code,Description\n")
        out = tmp_path / "h.parquet"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("0 rows in, 0 rows out")
        assert pq.read_table(out).num_rows == 0
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        result = runner.invoke(app, ["screen", str(empty)])
        assert result.exit_code == 1
        assert result.stderr == "Error: empty.csv is empty: expected a header row\n"

    @pytest.mark.parametrize(
        ("content", "error"),
        [
            (
                "Item,Qty\nbolts,1\n",
                "Error: No goods-code column found in f.csv; headers seen: 'Item', "
                "'Qty'; name the column with --code-column\n",
            ),
        ],
    )
    def test_missing_code_column(
        self, tmp_path: Path, content: str, error: str
    ) -> None:
        src = tmp_path / "f.csv"
        src.write_text(content)
        result = runner.invoke(app, ["screen", str(src)])
        assert result.exit_code == 1
        assert result.stderr == error
        result = runner.invoke(app, ["screen", str(src), "--code-column", "Item"])
        assert result.exit_code == 0, result.output

    def test_missing_path_folder_and_corrupt_xlsx(self, tmp_path: Path) -> None:
        result = runner.invoke(app, ["screen", str(tmp_path / "nope.csv")])
        assert result.exit_code == 1
        assert result.stderr == f"Error: No such file: '{tmp_path / 'nope.csv'}'\n"
        result = runner.invoke(app, ["screen", str(tmp_path)])
        assert result.exit_code == 1
        assert result.stderr == f"Error: '{tmp_path}' is a folder, not a file\n"
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
        result = runner.invoke(app, ["screen", str(bad)])
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "Error: bad.xlsx is not a readable XLSX workbook (truncated or corrupt"
        )
        assert "Traceback" not in result.output

    def test_usage_errors_exit_2(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        result = runner.invoke(app, ["screen", str(src), "-o", str(tmp_path / "x.txt")])
        assert result.exit_code == 2
        result = runner.invoke(app, ["screen", str(src), "--scheduler", "tcp://x:1"])
        assert result.exit_code == 2
        result = runner.invoke(app, ["screen", str(src), "--sheet", "Data"])
        assert result.exit_code == 2

    def test_destination_and_as_of_flags(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854232\n")
        out = tmp_path / "o.csv"
        args = ["screen", str(src), "-o", str(out), "--as-of", "2024-06-01"]
        assert runner.invoke(app, [*args, "--destination", "RU"]).exit_code == 0
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert frame["tracker_destination"].tolist() == ["RU"]
        assert frame["tracker_as_of"].tolist() == ["2024-06-01"]
        assert frame["tracker_status"].tolist() == ["match"]

    def test_dask_engine_writes_the_same_file(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        lines = ["HS code;Destination;Date"]
        lines += [f"{c};RU;2024-0{1 + i % 9}-01" for i, c in
                  enumerate(["854231", "", "3912", "6109", "85"] * 40)]  # fmt: skip
        src.write_text("\n".join(lines) + "\n")
        a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
        assert runner.invoke(app, ["screen", str(src), "-o", str(a)]).exit_code == 0
        result = runner.invoke(
            app, ["screen", str(src), "-o", str(b), "--engine", "dask"]
        )
        assert result.exit_code == 0, result.output
        assert pq.read_table(a).equals(pq.read_table(b))


def test_help_has_examples() -> None:
    result = runner.invoke(app, ["screen", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "tracker screen shipments.xlsx -o screened.xlsx" in result.stdout


def test_python_m_tracker_smoke(tmp_path: Path) -> None:
    src = tmp_path / "s.csv"
    src.write_text("HS code\n090121\n")
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "screen", str(src), "-q", "--as-of",
         dt.date(2024, 6, 1).isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (
        "1 rows in, 1 rows out: 0 match, 0 no-match, 1 indeterminate"
    )


# --- conventions shared with check and scan (issue 12) ------------------------

SMALL = "HS code,Destination\n854231,UR\n854231,Russia\n854231,\n854231,kaz\n"


@pytest.mark.usefixtures("use_mini_datasets")
class TestConventions:
    def test_stdin_dash_reads_csv(self, tmp_path: Path) -> None:
        out = tmp_path / "out.csv"
        result = runner.invoke(
            app, ["screen", "-", "-o", str(out), "-q", "--as-of", "2024-06-01"],
            input="HS code\n854231\n090121\n",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert frame["HS code"].tolist() == ["854231", "090121"]
        assert result.stderr.splitlines()[-1] == f"Wrote {out} (2 rows)"

    def test_empty_stdin_is_one_error_line(self) -> None:
        result = runner.invoke(app, ["screen", "-"], input="")
        assert result.exit_code == 1
        assert result.stderr == "Error: stdin is empty: expected a header row\n"

    def test_unknown_destination_option_is_one_error_line(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        result = runner.invoke(app, ["screen", str(src), "-d", "UR"])
        assert result.exit_code == 1
        assert result.stderr == "Error: Unknown destination 'UR'; did you mean RU?\n"
        result = runner.invoke(app, ["screen", str(src), "--destination", "Atlantis"])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: Unknown destination 'Atlantis': ")

    def test_destination_by_name_and_default_ru(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        for extra, expected in (
            ([], "RU"),
            (["-d", "Russia"], "RU"),
            (["-d", "kz"], "KZ"),
        ):
            result = runner.invoke(
                app, ["screen", str(src), "-q", "-f", "json", *extra]
            )
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout)[0]["tracker_destination"] == expected

    def test_unknown_destination_cell_is_indeterminate(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text(SMALL)
        out = tmp_path / "out.csv"
        args = ["screen", str(src), "-o", str(out), "--as-of", "2024-06-01", "-d", "DE"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert frame["tracker_destination"].tolist() == ["", "RU", "DE", "KZ"]
        assert frame["tracker_status"].tolist()[0] == "indeterminate"
        assert frame["tracker_reason"].tolist()[0] == (
            "destination-unknown: 'UR'; did you mean RU?"
        )
        assert frame["tracker_lists"].tolist()[0] == ""
        assert frame["tracker_status"].tolist()[1] == "match"

    def test_unknown_destination_is_an_issue_in_the_workbook(
        self, tmp_path: Path
    ) -> None:
        src = tmp_path / "f.csv"
        src.write_text(SMALL)
        out = tmp_path / "out.xlsx"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        issues = [
            [c.value for c in r] for r in load_workbook(out)["Issues"].iter_rows()
        ]
        assert [
            "destination-unknown", 2, "Destination", "UR",
            "Unknown destination 'UR'; did you mean RU? (1 rows)",
        ] in issues  # fmt: skip

    @pytest.mark.parametrize("suffix", ["csv", "json", "parquet", "xlsx"])
    def test_output_format_from_the_name_mode_follows_umask(
        self, tmp_path: Path, suffix: str
    ) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        out = tmp_path / f"out.{suffix}"
        old = os.umask(0o022)
        try:
            result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
        finally:
            os.umask(old)
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        assert result.stderr.splitlines()[-1] == f"Wrote {out} (1 rows)"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if suffix == "json":
            assert json.loads(out.read_text())[0]["HS code"] == "854231"
        if suffix == "parquet":
            assert pq.read_table(out).column("HS code").to_pylist() == ["854231"]

    @pytest.mark.parametrize("suffix", ["csv", "json", "parquet", "xlsx"])
    def test_reason_code_column_in_every_format(
        self, tmp_path: Path, suffix: str
    ) -> None:
        src = tmp_path / "f.csv"
        src.write_text('HS code\n854231\nabc\n""\n')
        out = tmp_path / f"out.{suffix}"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        if suffix == "csv":
            frame = pd.read_csv(out, dtype=str, keep_default_na=False)
        elif suffix == "json":
            frame = pd.DataFrame(json.loads(out.read_text()))
        elif suffix == "parquet":
            frame = pq.read_table(out).to_pandas()
        else:
            frame = pd.read_excel(out, sheet_name="Rows", dtype=str).fillna("")
        names = list(frame.columns)
        assert names[names.index("tracker_reason") + 1] == "tracker_reason_code"
        assert frame["tracker_reason_code"].tolist() == [
            "",
            "code-malformed",
            "code-missing",
        ]

    def test_format_option(self, tmp_path: Path) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        result = runner.invoke(app, ["screen", str(src), "-q", "--format", "table"])
        assert result.exit_code == 0, result.output
        assert "status" in result.stdout and "854231" in result.stdout
        out = tmp_path / "out.txt"
        result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-f", "csv"])
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith("HS code,tracker_row")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["-f", "xlsx"], "xlsx is written to a file; give -o/--output"),
            (["-o", "x.csv", "-f", "parquet"], "parquet does not match the output"),
            (["-o", "x.csv", "-f", "table"], "table prints to the terminal"),
            (["-o", "x.txt"], "the output must end in .csv, .json, .parquet or .xlsx"),
        ],
    )
    def test_format_usage_errors(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        src = tmp_path / "f.csv"
        src.write_text("HS code\n854231\n")
        result = runner.invoke(app, ["screen", str(src), *args])
        assert result.exit_code == 2
        assert message in " ".join(result.stderr.split())


def test_snake_case_headers_screen_without_flags(tmp_path: Path, real: Path) -> None:
    rows = _rows(300)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["hs_code", "description", "destination", "date"])
    writer.writerows(rows)
    src = tmp_path / "shipments.csv"
    src.write_text(text.getvalue(), encoding="utf-8")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "chosen by its values" not in result.stderr
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame["tracker_row"].tolist() == [str(r) for r in range(2, 302)]
    assert frame["hs_code"].tolist() == [r[0] for r in rows]
    assert frame["tracker_status"].tolist() == _expected(rows)
    assert frame["tracker_as_of"].tolist() == [r[3] for r in rows]
    assert set(frame["tracker_destination"]) == {"RU"}


@pytest.mark.usefixtures("use_mini_datasets")
def test_code_column_chosen_by_its_values(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text(
        "Item,Ref,Qty,shipmentDate\n"
        "processors,8542.31,5,13/02/2024\n"
        "shirts,6109 10 00,20,03/04/2024\n"
        "bolts,,1,2024-01\n"
    )
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["screen", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "code column: 'Ref' (chosen by its values)"
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame["tracker_code"].tolist() == ["854231", "61091000", ""]
    assert frame["tracker_row"].tolist() == ["2", "3", "4"]
    # 13/02/2024 shows the file is day-first; 2024-01 is a month
    assert frame["tracker_as_of"].tolist() == ["2024-02-13", "2024-04-03", "2024-01-31"]
    assert frame["tracker_notes"][2] == (
        "date-period: 2024-01 read as 2024-01-31 (end of the month)"
    )


def test_screen_turns_garbage_collection_back_on(
    tmp_path: Path, real: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADERS_RU, *_rows(50)])
    seen: list[bool] = []
    from tracker.report import screen_files

    write = screen_files.CsvSink.write

    def spy(self: object, table: object) -> None:
        seen.append(gc.isenabled())
        write(self, table)  # type: ignore[arg-type]

    monkeypatch.setattr(screen_files.CsvSink, "write", spy)
    assert gc.isenabled()
    ok = runner.invoke(app, ["screen", str(src), "-o", str(tmp_path / "o.csv")])
    assert ok.exit_code == 0, ok.output
    assert seen and not any(seen)  # off while rows stream
    assert gc.isenabled()

    # a failure while rows stream (the sink refuses the first chunk)
    def refuse(self: object, table: object) -> None:
        seen.append(gc.isenabled())
        raise OSError("disk full")

    monkeypatch.setattr(screen_files.CsvSink, "write", refuse)
    bad = runner.invoke(app, ["screen", str(src), "-o", str(tmp_path / "o2.csv")])
    assert bad.exit_code != 0
    assert seen[-1] is False
    assert gc.isenabled()


def test_a_csv_read_ahead_stops_when_the_columns_cannot_be_mapped(
    tmp_path: Path, real: Path
) -> None:
    import threading
    import time

    rows = [HEADERS_RU, *_rows(80_000)]
    src = tmp_path / "in.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    # a workbook is read in chunks of 25,000 rows: more than the read-ahead
    out = str(tmp_path / "o.xlsx")
    bad = runner.invoke(app, ["screen", str(src), "-o", out, "--code-column", "Нет"])
    assert bad.exit_code == 1
    assert "Нет" in bad.output
    deadline = time.monotonic() + 5
    while any(t.name == "tracker-prefetch" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the reader thread was left running"
        time.sleep(0.01)
    # a cp1251 file screens (its UTF-8 copy made once, by either thread)
    src = tmp_path / "cp1251.csv"
    with src.open("w", newline="", encoding="cp1251") as fh:
        csv.writer(fh).writerows(rows)
    ok = runner.invoke(app, ["screen", str(src), "-o", str(tmp_path / "o.csv")])
    assert ok.exit_code == 0, ok.output
    with (tmp_path / "o.csv").open(encoding="utf-8") as fh:
        assert sum(1 for _ in csv.reader(fh)) == 80_001
