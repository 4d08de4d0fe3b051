"""Reading code and date cells: what is repaired and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.cells import (
    DateCells,
    DateConvention,
    date_convention,
    parse_iso_date,
    read_code,
    read_date,
    read_dates,
)

CODE_CASES = [
    # raw, state, code
    ("8542310000", "ok", "8542310000"),
    ("8542.31", "ok", "854231"),
    ("  3912 20 00 ", "ok", "39122000"),
    ("HS 8542.31", "ok", "854231"),
    ("Код ТН ВЭД 8457", "ok", "8457"),
    ("0101", "ok", "0101"),
    ("8542310000.0", "repaired", "8542310000"),  # float column, no digit lost
    ("854231.0", "repaired", "854231"),
    ("1012100", "repaired", "01012100"),  # lost leading zero, chapter 01
    ("101210000", "repaired", "0101210000"),
    ("101210000.0", "repaired", "0101210000"),
    ("8.54231E+05", "repaired", "854231"),  # every digit in the mantissa
    ("8.54231E+09", "digits-lost", None),  # zeros stand for lost digits
    ("8,54231E+09", "digits-lost", None),
    ("8542319", "malformed", None),  # 7 digits, 0854 is no heading
    ("391220000", "malformed", None),  # 9 digits, 0391 is no heading
    ("85423100000", "malformed", None),
    ("abc", "malformed", None),
    ("=1+1", "malformed", None),
    ("854231.00", "ambiguous", None),  # number 854231 or dotted 85423100
    ("", "missing", None),
    ("   ", "missing", None),
]


@pytest.mark.parametrize(("raw", "state", "code"), CODE_CASES)
def test_read_code(raw: str, state: str, code: str | None) -> None:
    reading = read_code(raw)
    assert (reading.state, reading.code) == (state, code), reading
    if state not in ("ok",):
        assert reading.message != "", reading


def test_repairs_say_what_they_did() -> None:
    assert "leading zero restored" in read_code("1012100").message
    assert "'.0'" in read_code("8542310000.0").message


@given(st.sampled_from([2, 4, 6, 8, 10]), st.data())
def test_clean_digit_codes_are_read_unchanged(length: int, data: st.DataObject) -> None:
    digits = data.draw(st.text("0123456789", min_size=length, max_size=length))
    if digits[:2] == "00":
        return
    assert read_code(digits).code == digits


_NO_DAY = "no such day; expected a date"
DATE_CASES = [
    # raw, state, date, text the note/reason starts with ("" = no message)
    ("2023-12-19", "ok", dt.date(2023, 12, 19), ""),
    ("2023-12-19 00:00:00", "ok", dt.date(2023, 12, 19), ""),
    ("2023-12-19T10:00:00Z", "ok", dt.date(2023, 12, 19), ""),
    ("2023/12/19", "ok", dt.date(2023, 12, 19), ""),
    ("20231219", "ok", dt.date(2023, 12, 19), ""),
    ("19.12.2023", "ok", dt.date(2023, 12, 19), ""),  # dots: always day-first
    ("03.04.2024", "ok", dt.date(2024, 4, 3), ""),
    ("19.12.23", "ok", dt.date(2023, 12, 19), ""),
    ("13/02/2024", "ok", dt.date(2024, 2, 13), ""),  # only day-first is a day
    ("02/13/2024", "ok", dt.date(2024, 2, 13), ""),  # only month-first is a day
    ("13-02-2024", "ok", dt.date(2024, 2, 13), ""),
    ("05/05/2024", "ok", dt.date(2024, 5, 5), ""),  # both orders give one day
    ("03/04/2024", "ambiguous", None,
     "date-ambiguous: '03/04/2024' is 2024-04-03 (day first) or 2024-03-04 (month "
     "first); no other date of the column shows which comes first"),
    ("45463", "ok", dt.date(2024, 6, 20), ""),  # Excel serial number
    ("45463.0", "ok", dt.date(2024, 6, 20), ""),
    ("45463.75", "ok", dt.date(2024, 6, 20), ""),  # with a time of day
    ("2015-01", "period", dt.date(2015, 1, 31),
     "date-period: 2015-01 read as 2015-01-31 (end of the month)"),
    ("01/2015", "period", dt.date(2015, 1, 31),
     "date-period: 01/2015 read as 2015-01-31 (end of the month)"),
    ("2015M01", "period", dt.date(2015, 1, 31),
     "date-period: 2015M01 read as 2015-01-31 (end of the month)"),
    ("2015/01", "period", dt.date(2015, 1, 31),
     "date-period: 2015/01 read as 2015-01-31 (end of the month)"),
    ("2016-02", "period", dt.date(2016, 2, 29),
     "date-period: 2016-02 read as 2016-02-29 (end of the month)"),
    ("Q1 2015", "period", dt.date(2015, 3, 31),
     "date-period: Q1 2015 read as 2015-03-31 (end of the quarter)"),
    ("2015Q1", "period", dt.date(2015, 3, 31),
     "date-period: 2015Q1 read as 2015-03-31 (end of the quarter)"),
    ("2015-Q4", "period", dt.date(2015, 12, 31),
     "date-period: 2015-Q4 read as 2015-12-31 (end of the quarter)"),
    ("2015", "period", dt.date(2015, 12, 31),
     "date-period: 2015 read as 2015-12-31 (end of the year)"),
    ("", "missing", None, ""),
    ("   ", "missing", None, ""),
    ("soon", "unreadable", None, "date-unreadable: 'soon' (expected a date"),
    ("31.02.2023", "unreadable", None, f"date-unreadable: '31.02.2023' ({_NO_DAY}"),
    ("31/04/2024", "unreadable", None, f"date-unreadable: '31/04/2024' ({_NO_DAY}"),
    ("2024-13", "unreadable", None, "date-unreadable: '2024-13' (no such month"),
    ("Q5 2015", "unreadable", None, "date-unreadable: 'Q5 2015'"),
    ("8542.31", "unreadable", None, "date-unreadable: '8542.31'"),
    ("12345", "unreadable", None, "date-unreadable: '12345'"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "state", "date", "message"), DATE_CASES)
def test_read_date(raw: str, state: str, date: dt.date | None, message: str) -> None:
    reading = read_date(raw)
    assert (reading.state, reading.date) == (state, date), reading
    if message == "":
        assert reading.message == "", reading
    else:
        assert reading.message.startswith(message), reading


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # an unambiguous cell of the column decides the ambiguous ones
        (["03/04/2024", "13/02/2024"], [dt.date(2024, 4, 3), dt.date(2024, 2, 13)]),
        (["03/04/2024", "02/13/2024"], [dt.date(2024, 3, 4), dt.date(2024, 2, 13)]),
        # nothing decides, or the column shows both orders: no date
        (["03/04/2024", "2024-02-13"], [None, dt.date(2024, 2, 13)]),
        (["03/04/2024", "13/02/2024", "02/13/2024"],
         [None, dt.date(2024, 2, 13), dt.date(2024, 2, 13)]),
    ],
)  # fmt: skip
def test_ambiguous_dates_follow_the_column(
    column: list[str], expected: list[dt.date | None]
) -> None:
    assert [r.date for r in read_dates(column)] == expected


def test_the_row_says_which_order_decided() -> None:
    first = read_dates(["03/04/2024", "13/02/2024"])[0]
    assert first.message == (
        "date-order: 03/04/2024 read day-first as 2024-04-03, like 13/02/2024 in "
        "the same column"
    )
    mixed = read_dates(["03/04/2024", "13/02/2024", "02/13/2024"])[0]
    assert mixed.state == "ambiguous"
    assert mixed.message.endswith(
        "the column has day-first (13/02/2024) and month-first (02/13/2024) dates"
    )


def test_convention_from_elsewhere_in_the_file() -> None:
    sample = date_convention(["13/02/2024"])
    assert sample == DateConvention(day_first="13/02/2024")
    assert read_dates(["03/04/2024"], sample)[0].date == dt.date(2024, 4, 3)
    # this chunk shows the other order too: no guess
    assert read_dates(["03/04/2024", "02/13/2024"], sample)[0].state == "ambiguous"


@pytest.mark.parametrize("text", ["2024-01-31", " 2024-01-31 "])
def test_parse_iso_date(text: str) -> None:
    assert parse_iso_date(text) == dt.date(2024, 1, 31)


@pytest.mark.parametrize("text", ["31.01.2024", "2024-01", "20240131", "2024-02-30"])
def test_parse_iso_date_is_strict(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date; use YYYY-MM-DD"):
        parse_iso_date(text)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2199, 12, 31)))
def test_every_day_reads_back(day: dt.date) -> None:
    assert read_date(day.isoformat()).date == day
    assert read_date(day.strftime("%d.%m.%Y")).date == day


def test_date_cells_read_chunks_as_read_dates_does() -> None:
    """Readings kept across chunks never hide a d/m/y cell from its chunk's evidence."""
    chunks = [
        ["03/04/2024", "2024-01-02", "31.12.2023", ""],
        ["03/04/2024", "13/02/2024", "2024-01-02", "2015Q1"],  # day-first here
        ["03/04/2024", "02/13/2024", "31.12.2023", "45463"],  # month-first here
        ["03/04/2024", "2024-01-02", "bad"],  # no evidence again
    ]
    cells = DateCells()
    for values in chunks:
        assert cells.read(values) == read_dates(values)
        for convention in (
            DateConvention(day_first="13/02/2024"),
            DateConvention(month_first="02/13/2024"),
        ):
            assert cells.read(values, convention) == read_dates(values, convention)
    readings = [cells.read(values)[0] for values in chunks]
    assert [r.state for r in readings] == ["ambiguous", "ok", "ok", "ambiguous"]
    assert readings[1].date != readings[2].date
