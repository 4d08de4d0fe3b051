"""Reading CSV/TSV, XLSX and Parquet as text, with the column mapping and issues."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tracker.exc import InputError
from tracker.readers import (
    ColumnMapping,
    _iter_csv_arrow,
    _iter_csv_python,
    detect_columns,
    header_key,
    open_table,
    read_table,
    unique_headers,
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- column mapping ----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["HS code", "Goods description", "Country of destination", "Date", "Value"],
            ColumnMapping("HS code", "Goods description", "Country of destination",
                          "Date", None, "Value"),
        ),
        (
            ["Код ТН ВЭД", "Описание товара", "Страна назначения", "Дата декларации",
             "Стоимость"],
            ColumnMapping("Код ТН ВЭД", "Описание товара", "Страна назначения",
                          "Дата декларации", None, "Стоимость"),
        ),
        (["Commodity code", "Description"], ColumnMapping("Commodity code", "Description")),
        (["CN code"], ColumnMapping("CN code")),
        (["TARIC"], ColumnMapping("TARIC")),
        (["Код товара", "Дата"], ColumnMapping("Код товара", date="Дата")),
        (["  hs-code: ", "Origin"], ColumnMapping("  hs-code: ", origin="Origin")),
    ],
)  # fmt: skip
def test_columns_found_from_common_headers(
    headers: list[str], expected: ColumnMapping
) -> None:
    assert detect_columns(headers) == expected


def test_missing_code_column_lists_headers_and_flag() -> None:
    with pytest.raises(InputError) as err:
        detect_columns(["Item", "Qty"], path=Path("x.csv"))
    assert str(err.value) == (
        "No goods-code column found in x.csv; headers seen: 'Item', 'Qty'; "
        "name the column with --code-column"
    )


def test_flag_names_a_column_exactly_or_loosely() -> None:
    assert detect_columns(["Tariff No", "Text"], {"code": "Tariff No"}).code == (
        "Tariff No"
    )
    assert detect_columns(["Tariff No"], {"code": "tariff-no"}).code == "Tariff No"
    with pytest.raises(InputError, match=r"No column 'Nope' \(--code-column\)"):
        detect_columns(["Tariff No"], {"code": "Nope"})


def test_header_key_folds_case_and_punctuation() -> None:
    assert header_key("HS-Code:") == header_key("hs code")
    assert header_key("Дата Декларации") == "дата декларации"


def test_duplicate_blank_and_reserved_headers_are_renamed_with_issues() -> None:
    names, issues = unique_headers(["HS code", "", "HS code", "tracker_status", "x "])
    assert names == ["HS code", "column_2", "HS code_2", "tracker_status_2", "x "]
    assert [(i.code, i.column, i.value) for i in issues] == [
        ("header-blank", "column_2", ""),
        ("header-duplicate", "HS code_2", "HS code"),
        ("header-reserved", "tracker_status_2", "tracker_status"),
    ]


# -- CSV -----------------------------------------------------------------------


def test_cp1251_semicolon_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path / "ru.csv",
        "Код ТН ВЭД;Описание товара\n3912200000;нитроцеллюлоза\n6109100000;футболки\n",
        "cp1251",
    )
    table = read_table(path)
    assert table.source.encoding == "windows-1251" or table.source.encoding == "cp1251"
    assert table.source.delimiter == ";"
    assert table.frame["Описание товара"].tolist() == ["нитроцеллюлоза", "футболки"]
    assert table.frame["tracker_row"].tolist() == [2, 3]


def test_gb18030_csv(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cn.csv",
        "商品编码,商品名称\n8542310000,集成电路处理器\n9013100000,望远镜瞄准具\n" * 2,
        "gb18030",
    )
    table = read_table(path)
    assert table.columns.code == "商品编码"
    assert table.frame["商品名称"].iloc[0] == "集成电路处理器"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "b.csv", "HS code\tDescription\n0101\thorses\n", encoding)
    table = read_table(path)
    assert list(table.frame.columns) == ["HS code", "Description", "tracker_row"]
    assert table.frame["HS code"].tolist() == ["0101"]  # a string, zero kept


def test_encoding_flag_and_unknown_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "HS code\n8542\n")
    assert read_table(path, encoding="latin-1").frame["HS code"].tolist() == ["8542"]
    with pytest.raises(InputError, match="Unknown encoding 'klingon'"):
        read_table(path, encoding="klingon")


def test_wrong_declared_encoding_is_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", "HS code;Описание\n8542;чип\n" * 50, "utf-16")
    with pytest.raises(InputError, match="is not valid utf-8 text"):
        read_table(path, encoding="utf-8")


def test_pipe_delimiter_and_hash_is_not_a_comment(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "HS code|Note\n#8542|x\n3912|y\n")
    table = read_table(path)
    assert table.source.delimiter == "|"
    assert table.frame["HS code"].tolist() == ["#8542", "3912"]


def test_wrong_delimiter_gives_the_header_error(tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "Item Qty Price\nbolts 1 2\n")
    with pytest.raises(InputError, match=r"headers seen: 'Item Qty Price'"):
        read_table(path)


def test_empty_file_header_only_folder_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty.csv is empty: expected a header row"):
        read_table(write(tmp_path / "empty.csv", ""))
    table = read_table(write(tmp_path / "h.csv", "HS code,Description\n"))
    assert len(table.frame) == 0
    assert list(table.frame.columns) == ["HS code", "Description", "tracker_row"]
    with pytest.raises(InputError, match="is a folder, not a file"):
        read_table(tmp_path)
    with pytest.raises(InputError, match="No such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="has no header row"):
        read_table(write(tmp_path / "blank.csv", "\n\n,,\n"))


def test_quoted_newlines_and_ragged_rows_keep_every_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "r.csv",
        'HS code,Description\n8542,"two\nlines"\n3912\n6109,shirts,extra\n',
    )
    table = read_table(path)
    assert table.frame["HS code"].tolist() == ["8542", "3912", "6109"]
    assert table.frame["Description"].tolist() == ["two\nlines", "", "shirts"]
    assert table.frame["tracker_row"].tolist() == [2, 3, 4]
    assert [(i.code, i.row, i.value) for i in table.issues] == [
        ("row-short", 3, None),
        ("row-long", 4, "extra"),
    ]


def test_fast_and_careful_csv_readers_agree(tmp_path: Path) -> None:
    lines = ["HS code;Description;Dest"]
    lines += [f'{8542000000 + i};"item {i}; with ""quotes""";RU' for i in range(3000)]
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    source = open_table(path)
    fast = pa.concat_tables(list(source.iter_chunks(1000)))
    careful = pa.concat_tables(list(_iter_csv_python(source, path, 1000)))
    assert fast.equals(careful)
    assert fast.column("tracker_row").to_pylist() == list(range(2, 3002))


# -- XLSX ----------------------------------------------------------------------


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet(name)
        assert ws is not None
        ws.title = name
        first = False
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_xlsx_numbers_formulas_and_dates_as_text(tmp_path: Path) -> None:
    import datetime as dt

    path = _xlsx(
        tmp_path / "a.xlsx",
        {
            "Data": [
                ["HS code", "Description", "Date"],
                [8542310000.0, '=HYPERLINK("http://x")', dt.datetime(2023, 12, 20)],
                [101210000, "+7 495", None],
            ]
        },
    )
    table = read_table(path)
    # openpyxl stores a whole float as an integer: no '.0' artefact here
    assert table.frame["HS code"].tolist() == ["8542310000", "101210000"]
    # data_only=False: the formula text, never its result
    assert table.frame["Description"].tolist() == ['=HYPERLINK("http://x")', "+7 495"]
    assert table.frame["Date"].tolist() == ["2023-12-20", ""]


def test_xlsx_picks_the_sheet_with_codes_and_reports_the_others(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "s.xlsx",
        {
            "Notes": [["Comment"], ["nothing here"]],
            "Shipments": [["Код ТН ВЭД", "Описание товара"], ["3912200000", "x"]],
        },
    )
    table = read_table(path)
    assert table.source.sheet == "Shipments"
    assert [(i.code, i.value) for i in table.issues] == [("sheet-skipped", "Notes")]
    assert read_table(path, sheet="Notes", columns={"code": "Comment"}).frame[
        "Comment"
    ].tolist() == ["nothing here"]
    with pytest.raises(InputError, match="has no sheet 'Nope'; sheets: 'Notes'"):
        read_table(path, sheet="Nope")


def test_xlsx_merged_header_cells_become_blank_headers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["HS code", "Goods", None, "Date"])
    ws.merge_cells("B1:C1")
    ws.append(["8542", "chips", "extra", "2024-01-01"])
    wb.save(tmp_path / "m.xlsx")
    table = read_table(tmp_path / "m.xlsx")
    assert list(table.frame.columns)[:4] == ["HS code", "Goods", "column_3", "Date"]
    assert table.frame["column_3"].tolist() == ["extra"]
    assert table.issues[0].code == "header-blank"


def test_xlsx_empty_rows_inside_are_kept_trailing_ones_dropped(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "e.xlsx",
        {"D": [["HS code"], ["8542"], [None], ["3912"], [None], [None]]},
    )
    table = read_table(path)
    assert table.frame["HS code"].tolist() == ["8542", "", "3912"]
    assert table.frame["tracker_row"].tolist() == [2, 3, 4]


def test_corrupt_xlsx_is_one_clear_error(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "g.xlsx", {"D": [["HS code"], ["8542"]] * 50})
    data = good.read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"bad.xlsx is not a readable XLSX workbook"):
        read_table(bad)
    # a zip that is not a workbook
    z = tmp_path / "z.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="z.xlsx is not a readable XLSX workbook"):
        read_table(z)


# -- Parquet -------------------------------------------------------------------


def test_parquet_numbers_become_text(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pq.write_table(
        pa.table({"HS code": [8542310000.0, None], "Qty": [1, 2], "Text": ["a", None]}),
        path,
    )
    table = read_table(path)
    assert table.frame["HS code"].tolist() == ["8542310000.0", ""]
    assert table.frame["Qty"].tolist() == ["1", "2"]
    assert table.frame["Text"].tolist() == ["a", ""]
    assert table.source.row_count == 2


def test_frame_is_text_in_order(tmp_path: Path) -> None:
    path = write(
        tmp_path / "o.csv", "HS code\n" + "\n".join(f"{i:04d}" for i in range(1, 60))
    )
    frame = read_table(path).frame
    assert frame["HS code"].tolist() == [f"{i:04d}" for i in range(1, 60)]
    assert isinstance(frame, pd.DataFrame)


def test_ragged_row_deep_in_a_big_csv_loses_nothing(tmp_path: Path) -> None:
    lines = ["HS code;Note"] + [f"{8542000000 + i};n{i}" for i in range(250_000)]
    lines[240_000] += ";extra"
    path = write(tmp_path / "deep.csv", "\n".join(lines) + "\n")
    source = open_table(path)
    table = pa.concat_tables(list(source.iter_chunks(50_000)))
    assert table.column("tracker_row").to_pylist() == list(range(2, 250_002))
    assert table.column("HS code").to_pylist() == [
        str(8542000000 + i) for i in range(250_000)
    ]
    assert [(i.code, i.row, i.value) for i in source.issues] == [
        ("row-long", 240_001, "extra")
    ]


# -- column detection from header words and values --------------------------------


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("hs_code", "code"),
        ("HS10 Code", "code"),
        ("hsCode", "code"),
        ("HSCode", "code"),
        ("HS-Code", "code"),
        ("HS_CODE", "code"),
        ("hs6", "code"),
        ("ТН ВЭД", "code"),
        ("Код ТН ВЭД", "code"),
        ("commodity_code", "code"),
        ("tariff code", "code"),
        ("Tariff No.", "code"),
        ("HS code (8 digits)", "code"),
        ("商品编码", "code"),
        ("goods_description", "description"),
        ("goodsDescription", "description"),
        ("Описание товара", "description"),
        ("destination_country", "destination"),
        ("Country of destination (ISO)", "destination"),
        ("shipment_date", "date"),
        ("declarationDate", "date"),
        ("Date of shipment", "date"),
        ("Export declaration date", "date"),
        ("country_of_origin", "origin"),
        ("customs_value", "value"),
    ],
)
def test_header_variants_name_their_role(header: str, role: str) -> None:
    others = {"code": "HS code", "description": "Description"}
    headers = [header] if role == "code" else [others["code"], header]
    assert detect_columns(headers).roles()[role] == header


@pytest.mark.parametrize("header", ["Item", "Qty", "Destination port", "Birth date"])
def test_loose_headers_name_no_role(header: str) -> None:
    roles = detect_columns(["HS code", header]).roles()
    assert header not in roles.values(), roles


def test_snake_case_file_maps_every_column() -> None:
    assert detect_columns(["hs_code", "description", "destination", "date"]) == (
        ColumnMapping("hs_code", "description", "destination", "date")
    )


def test_values_decide_when_no_header_names_the_code() -> None:
    values = {
        "A": ["bolts", "nuts", "shirts", ""],
        "B": ["8542.31", "6109 10 00", "847130", ""],  # codes, one blank
        "C": ["5", "20", "1200", "3"],  # quantities
        "D": ["2024", "2023", "2022", "2021"],  # years, 4 digits too
    }
    mapping = detect_columns(list(values), values=values)
    assert (mapping.code, mapping.by_values) == ("B", ("code",))
    # a header wins over values
    assert detect_columns(["HS code", *values], values=values).by_values == ()


def test_values_below_the_share_or_tied_are_not_a_guess() -> None:
    few = {"A": ["8542.31", "x", "y", "z", "w"]}
    with pytest.raises(InputError, match="No goods-code column found"):
        detect_columns(["A"], values=few)
    tied = {"A": ["854231", "610910"], "B": ["847130", "090121"]}
    with pytest.raises(InputError, match=r"several columns .*'A', 'B'; name the col"):
        detect_columns(["A", "B"], values=tied)


def test_sample_finds_the_code_column_and_date_order(tmp_path: Path) -> None:
    src = write(
        tmp_path / "f.csv",
        "Ref,Qty,Date\n8542 31,5,03/04/2024\n6109.10,20,13/02/2024\n,1\n",
    )
    table = read_table(src)
    assert (table.columns.code, table.columns.by_values) == ("Ref", ("code",))
    assert table.columns.date_convention is not None
    assert table.columns.date_convention.order == "day-first"
    # the rows the sample read are reported once
    assert [(i.code, i.row) for i in table.issues] == [("row-short", 4)]
    assert table.frame["tracker_row"].tolist() == [2, 3, 4]


def test_a_clean_csv_is_read_by_arrow_not_the_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The csv-module reader is for files Arrow rejects (ragged rows, ...);
    # anything that breaks the Arrow path (e.g. a setting a new Arrow
    # refuses) would silently make every CSV several times slower.
    from tracker.readers import csv_reader

    def no_fallback(*args: object, **kwargs: object) -> None:
        raise AssertionError("fell back to the csv module")

    monkeypatch.setattr(csv_reader, "_iter_csv_python", no_fallback)
    src = tmp_path / "clean.csv"
    src.write_text(
        "HS code,Description\n"
        + "".join(f"854231{i:04d},chips {i}\n" for i in range(500))
    )
    source = open_table(src)
    chunks = list(source.iter_chunks(200))
    assert [c.num_rows for c in chunks] == [200, 200, 100]
    assert chunks[-1].column("HS code").to_pylist()[-1] == "8542310499"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
def test_a_csv_sample_holds_the_cells_the_whole_read_gives(
    tmp_path: Path, encoding: str
) -> None:
    # The sample is read by the csv module (not a block of Arrow's);
    # it must see the same cells as the rows the screen reads.
    src = tmp_path / "goods.csv"
    rows = [
        '854231,"chips, memory",RU,03/04/2024',
        '"8471 30","ноутбук ""X""",KZ,',
        ",,,",
        '930690,"rounds\non two lines",AM,2024-05-01',
    ]
    src.write_bytes(
        ("HS code,Description,Destination,Date\n" + "\n".join(rows) + "\n").encode(
            encoding
        )
    )
    source = open_table(src)
    first = next(source.iter_chunks(10))
    whole = {c: first.column(c).to_pylist() for c in source.columns}
    assert source.sample() == whole
    assert whole["Description"][1] == 'ноутбук "X"'
    assert source.sample(rows=2) == {c: v[:2] for c, v in whole.items()}


_CELL = st.text(alphabet='ab,;"\n é', max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    width=st.integers(1, 3),
    rows=st.lists(st.lists(_CELL, min_size=3, max_size=3), max_size=12),
    quote_all=st.booleans(),
    blank_after=st.sets(st.integers(0, 12), max_size=3),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    lead=st.integers(0, 2),
)
def test_arrow_reads_a_well_formed_csv_as_the_csv_module_does(
    width: int,
    rows: list[list[str]],
    quote_all: bool,
    blank_after: set[int],
    newline: str,
    bom: bool,
    lead: int,
) -> None:
    # Cells with quotes, delimiters, line breaks; lines ending in \n, \r\n or
    # \r alone (old Mac files); blank lines between rows and before the
    # header, a byte-order mark; chunks of 3 rows cut and join Arrow's blocks.
    import csv
    import io
    import tempfile
    from unittest import mock

    from tracker.readers import csv_reader

    out = io.StringIO()
    writer = csv.writer(
        out,
        # (the writer quotes a cell with a line break only if the break is
        # in its line terminator: with \r alone, a \n needs QUOTE_ALL)
        quoting=csv.QUOTE_ALL if quote_all or newline == "\r" else csv.QUOTE_MINIMAL,
        lineterminator=newline,
    )
    out.write(("\ufeff" if bom else "") + newline * lead)
    writer.writerow(["HS code", "Note", "Dest"][:width])
    for i, row in enumerate(rows):
        writer.writerow(row[:width])
        if i in blank_after:
            out.write(newline)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(out.getvalue().encode("utf-8"))
        source = open_table(path)
        assume(source.delimiter == ",")  # (the sniffer may take ; for it)
        # small blocks: a quoted line break may fall on a block's end
        with mock.patch.object(csv_reader, "_ARROW_BLOCK", 80):
            got = list(_iter_csv_arrow(source, path, 3))
        want = list(_iter_csv_python(open_table(path), path, 3))
        assert [t.to_pylist() for t in got] == [t.to_pylist() for t in want]


@settings(max_examples=200, deadline=None)
@given(
    good=st.lists(st.lists(_CELL, min_size=2, max_size=2), max_size=8),
    junk=st.text(alphabet='ab,;"\n\r é', max_size=30),
)
def test_a_csv_arrow_gives_up_on_is_read_on_by_the_csv_module(
    good: list[list[str]], junk: str
) -> None:
    # Whatever follows some good rows, the whole read (Arrow, then the csv
    # module from where Arrow gave up) equals the csv module's, issues too.
    import csv
    import io
    import tempfile

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["HS code", "Note"])
    writer.writerows(good)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes((out.getvalue() + junk).encode("utf-8"))
        source = open_table(path)
        careful = open_table(path)
        got = list(source.iter_chunks(3))
        want = list(_iter_csv_python(careful, path, 3))
        assert [r for t in got for r in t.to_pylist()] == [
            r for t in want for r in t.to_pylist()
        ]
        assert all(t.num_rows == 3 for t in got[:-1])
        assert [i.message for i in source.issues] == [i.message for i in careful.issues]


def test_a_record_the_csv_module_cannot_read_is_one_clear_error(tmp_path: Path) -> None:
    # A ragged row hands the file to the csv module; a cell past its size
    # limit there is an InputError naming the file, not a traceback.
    path = write(
        tmp_path / "huge.csv",
        "HS code,Note\n8542,a,extra\n3912," + "x" * 200_000 + "\n",
    )
    with pytest.raises(InputError, match="huge.csv: a record cannot be read"):
        read_table(path)
