"""Read goods-code, date and country cells of trade spreadsheets, repairing only what is safe."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from tracker.countries import country_key
from tracker.exc import CodeError
from tracker.hs import VALID_LENGTHS, normalize_code

#: How a code cell was read.
#: ok: a code as typed (labels, dots and spaces removed);
#: repaired: a number-formatting artefact was undone without guessing (see note);
#: missing: the cell is empty;
#: malformed: not a 2/4/6/8/10-digit code and not safely repairable;
#: digits-lost: a number format dropped digits (scientific notation, rounding);
#: ambiguous: two readings are possible.
CodeState = Literal[
    "ok", "repaired", "missing", "malformed", "digits-lost", "ambiguous"
]


@dataclass(frozen=True)
class CodeReading:
    """The result of reading one code cell."""

    state: CodeState
    #: Digits of the code, or None when it cannot be used.
    code: str | None
    #: One sentence: what was repaired, or why the cell cannot be used.
    message: str = ""


# Headings (first 4 digits) of HS 2022 chapters 01-09, checked by hand against
# the HS 2022 nomenclature (chapter 05 has no 0503 or 0509). A code that lost
# its leading zero can only come from these chapters.
_LOW_HEADINGS = {
    "01": range(1, 7),
    "02": range(1, 11),
    "03": range(1, 10),
    "04": range(1, 11),
    "05": (1, 2, 4, 5, 6, 7, 8, 10, 11),
    "06": range(1, 5),
    "07": range(1, 15),
    "08": range(1, 15),
    "09": range(1, 11),
}
_FLOAT_ZERO = re.compile(r"^(\d+)\.0$")
_DOTTED_ZEROS = re.compile(r"^(\d+)\.(0+)$")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_ONLY_DIGITS = re.compile(r"^\d+$")


def _low_heading_ok(code: str) -> bool:
    chapter = code[:2]
    if chapter not in _LOW_HEADINGS:
        return False
    if len(code) == 2:
        return True
    return int(code[2:4]) in _LOW_HEADINGS[chapter]


def _leading_zero(digits: str, raw: str) -> CodeReading:
    """Read an odd-length digit string as a code that lost its leading zero."""
    candidate = "0" + digits
    if len(candidate) in VALID_LENGTHS and _low_heading_ok(candidate):
        return CodeReading(
            "repaired",
            candidate,
            f"{raw!r} has {len(digits)} digits: read as {candidate} (leading zero "
            "restored; a number format drops it)",
        )
    return CodeReading(
        "malformed",
        None,
        f"{raw!r} has {len(digits)} digits; expected 2, 4, 6, 8 or 10",
    )


def read_code(raw: str) -> CodeReading:
    """Read a goods-code cell: normalise it, repair safe artefacts, or say why not.

    Repairs (state ``repaired``), each only when exactly one reading exists:
    a float artefact (``8542310000.0``); a lost leading zero (7-digit
    ``1012100`` → ``01012100``, only for chapters 01–09 headings that exist);
    scientific notation whose mantissa holds every digit (``8.54231E+05``).
    Scientific notation that implies zeros (``8.54231E+09``) lost digits.

    Examples:
        >>> read_code("8542310000.0").code
        '8542310000'
        >>> read_code("8.54231E+09").state
        'digits-lost'
        >>> read_code("1012100").code
        '01012100'
    """
    text = raw.strip()
    if text == "":
        return CodeReading("missing", None, "no goods code in the cell")
    if _SCIENTIFIC.match(text):
        return _scientific(text, raw)
    m = _DOTTED_ZEROS.match(text)
    if m is not None:
        return _trailing_zeros(m.group(1), m.group(2), raw)
    try:
        return CodeReading("ok", normalize_code(text))
    except CodeError:
        pass
    digits = _strip_code(text)
    if digits is not None and _ONLY_DIGITS.match(digits) and digits.isascii():
        if len(digits) % 2 == 1 and len(digits) < 10:
            return _leading_zero(digits, raw)
        return CodeReading(
            "malformed",
            None,
            f"{raw!r} has {len(digits)} digits; expected 2, 4, 6, 8 or 10",
        )
    return CodeReading(
        "malformed", None, f"{raw!r} is not a goods code (expected digits)"
    )


#: ``read_code`` with a bounded memory of recent cells: the screening kernel
#: and its summary read the same problem cells of a chunk one after the other.
read_code_cached = functools.lru_cache(maxsize=1 << 16)(read_code)


def _strip_code(text: str) -> str | None:
    # The labels and separators tracker.hs.normalize_code removes.
    from tracker.hs import _LABEL, _SEPARATORS

    return _SEPARATORS.sub("", _LABEL.sub("", text))


def _from_integer(digits: str, raw: str, how: str) -> CodeReading:
    if len(digits) in VALID_LENGTHS:
        return CodeReading("repaired", digits, f"{raw!r} read as {digits} ({how})")
    if len(digits) % 2 == 1 and len(digits) < 10:
        reading = _leading_zero(digits, raw)
        if reading.code is not None:
            return CodeReading(
                "repaired",
                reading.code,
                f"{raw!r} read as {reading.code} ({how}; leading zero restored)",
            )
        return reading
    return CodeReading(
        "malformed",
        None,
        f"{raw!r} has {len(digits)} digits; expected 2, 4, 6, 8 or 10",
    )


def _trailing_zeros(whole: str, zeros: str, raw: str) -> CodeReading:
    """``854231.0`` is a float artefact; ``8548.00`` may be a dotted code."""
    as_number = _from_integer(whole, raw, "a number format added '.0'")
    dotted = whole + zeros
    if len(zeros) == 1:
        # A single trailing '.0' is how a number prints; codes are dotted in
        # pairs of digits (8542.31.00), never with one digit after a dot.
        return as_number
    dotted_ok = len(dotted) in VALID_LENGTHS
    if dotted_ok and as_number.code is not None and as_number.code != dotted:
        return CodeReading(
            "ambiguous",
            None,
            f"{raw!r} reads as {as_number.code} (number) or {dotted} (dotted code)",
        )
    if dotted_ok:
        return CodeReading("ok", dotted)
    return as_number


def _scientific(text: str, raw: str) -> CodeReading:
    mantissa = re.split(r"[eE]", text)[0].replace(",", ".")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return CodeReading("malformed", None, f"{raw!r} is not a goods code")
    if value != value.to_integral_value():
        return CodeReading(
            "digits-lost", None, f"{raw!r} is not a whole number: digits were lost"
        )
    digits = str(int(value))
    significant = len(mantissa.replace(".", "").lstrip("0"))
    if significant < len(digits):
        # The mantissa does not spell out every digit: the trailing zeros may
        # stand for digits that were rounded away.
        return CodeReading(
            "digits-lost",
            None,
            f"{raw!r} is scientific notation with {significant} significant digits "
            f"for a {len(digits)}-digit number: digits were lost; format the column "
            "as text and export again",
        )
    return _from_integer(digits, raw, "scientific notation with every digit")


# --------------------------------------------------------------------------
# Dates

#: Excel serial day numbers 20000-79999 (1954-10-03 .. 2119-01-10).
_EXCEL_SERIAL = re.compile(r"^([2-7]\d{4})(?:\.0+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%Y%m%d", "%d.%m.%y")


def read_date(raw: str) -> dt.date | None:
    """Read a date cell: ISO (with or without time), 31.12.2024, 31/12/2024 ….

    Day-first is assumed for d/m/y forms (the customs convention in the EU and
    EAEU). A 5-digit number is an Excel serial date (``45463`` = 2024-06-20).
    Returns None when the text is not a date.

    Examples:
        >>> read_date("19.12.2023")
        datetime.date(2023, 12, 19)
        >>> read_date("2023-12-19 00:00:00")
        datetime.date(2023, 12, 19)
    """
    text = raw.strip()
    if text == "":
        return None
    serial = _EXCEL_SERIAL.match(text)
    if serial is not None:
        # An Excel date stored as a number (days since 1899-12-30).
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial.group(1)))
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.split(" ")[0], fmt).date()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------
# Countries


def read_country(raw: str, names: Mapping[str, str]) -> str | None:
    """Return the lower-case ISO alpha-2 code of a country cell, or None.

    Accepts alpha-2 (``RU``), and through ``names`` (see
    ``tracker.countries.country_names``: datasets/countries.yml) alpha-3 codes
    (``RUS``) and names in several languages (``Russia``, ``Россия``, ``俄罗斯``),
    with an optional code prefix as in ``RU - Russia``.

    Examples:
        >>> read_country("KAZ", {"kaz": "kz"})
        'kz'
        >>> read_country("RU - Russia", {})
        'ru'
    """
    text = country_key(raw)
    if text == "":
        return None
    if len(text) == 2 and text.isascii() and text.isalpha():
        return "gb" if text == "uk" else text
    if text in names:
        return names[text]
    # "RU - Russia", "RU Russia", "Russia (RU)"
    head = re.split(r"[\s\-–(),/]+", text)
    for part in head:
        if part in names:
            return names[part]
    first = head[0] if head else ""
    if len(first) == 2 and first.isascii() and first.isalpha():
        return first
    return None
