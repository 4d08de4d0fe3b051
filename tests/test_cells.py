"""Reading code, date and country cells: what is repaired and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REAL_DATASETS
from tracker.cells import read_code, read_country, read_date
from tracker.countries import country_names, load_countries

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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-12-19", dt.date(2023, 12, 19)),
        ("2023-12-19 00:00:00", dt.date(2023, 12, 19)),
        ("2023-12-19T10:00:00", dt.date(2023, 12, 19)),
        ("19.12.2023", dt.date(2023, 12, 19)),
        ("19/12/2023", dt.date(2023, 12, 19)),
        ("20231219", dt.date(2023, 12, 19)),
        ("45463", dt.date(2024, 6, 20)),  # Excel serial
        ("45463.0", dt.date(2024, 6, 20)),
        ("", None),
        ("soon", None),
        ("31.02.2023", None),
    ],
)
def test_read_date(raw: str, expected: dt.date | None) -> None:
    assert read_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RU", "ru"),
        ("ru", "ru"),
        ("RUS", "ru"),
        ("Russia", "ru"),
        ("Российская Федерация", "ru"),
        ("Казахстан", "kz"),
        ("俄罗斯", "ru"),
        ("RU - Russia", "ru"),
        ("UK", "gb"),
        ("", None),
        ("Atlantis", None),
    ],
)
def test_read_country(raw: str, expected: str | None) -> None:
    names = country_names(load_countries(REAL_DATASETS))
    assert read_country(raw, names) == expected


def test_read_country_uses_the_names_it_is_given() -> None:
    assert read_country("Republika Srpska", {"republika srpska": "ba"}) == "ba"
    assert read_country("Russia", {}) is None
    assert read_country("RU - Russia", {}) == "ru"


def test_every_country_of_the_data_is_read_by_name_and_alpha3() -> None:
    countries = load_countries(REAL_DATASETS)
    names = country_names(countries)
    for iso, country in countries.items():
        assert read_country(country.name, names) == iso, country.name
        if country.alpha3 is not None:
            assert read_country(country.alpha3.upper(), names) == iso, country.alpha3
