"""HS code normalisation, shapes and prefixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.exc import CodeError
from tracker.hs import format_code, normalize_code, prefixes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8542.31", "854231"),
        ("8542 31 90", "85423190"),
        ("85423190", "85423190"),
        ("8542310000", "8542310000"),
        ("HS 8542.31", "854231"),
        ("hs code: 8542.31", "854231"),
        ("CN code 9013 10 90", "90131090"),
        ("ТН ВЭД 8457", "8457"),
        ("HTS 8537.10.90.30", "8537109030"),
        ("  3912 20 ", "391220"),
        ("84", "84"),
    ],
)
def test_normalize_accepts_common_forms(raw: str, expected: str) -> None:
    assert normalize_code(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12345", "Invalid code '12345': 5 digits; expected 2, 4, 6, 8 or 10"),
        ("abc", "Invalid code 'abc': expected digits"),
        ("8542.3a", "Invalid code '8542.3a': expected digits"),
        ("", "Invalid code '': no digits"),
        ("85423190123", "11 digits"),
    ],
)
def test_normalize_rejects_bad_shapes(raw: str, message: str) -> None:
    with pytest.raises(CodeError) as err:
        normalize_code(raw)
    assert message in str(err.value)


def test_normalize_rejects_numbers() -> None:
    with pytest.raises(CodeError, match="codes are text"):
        normalize_code(854231)  # type: ignore[arg-type]


def test_prefixes_and_format() -> None:
    assert prefixes("8542310000") == ["8542310000", "85423100", "854231", "8542", "85"]
    assert format_code("854231") == "8542.31"
    assert format_code("85423190") == "8542.31.90"
    assert format_code("8457") == "8457"


codes = st.text(alphabet="0123456789", min_size=6, max_size=6)
separators = st.sampled_from(["", " ", ".", "  "])


@given(codes, separators, st.sampled_from(["", "HS ", "CN code ", "ТН ВЭД "]))
def test_formatting_variants_normalise_to_the_same_digits(
    code: str, sep: str, label: str
) -> None:
    typed = f"{label}{code[:4]}{sep}{code[4:]}"
    assert normalize_code(typed) == code


@given(codes)
def test_normalize_is_idempotent_and_round_trips_display(code: str) -> None:
    once = normalize_code(code)
    assert normalize_code(once) == once
    assert normalize_code(format_code(once)) == once
