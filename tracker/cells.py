"""Read goods-code and date cells of trade spreadsheets, repairing only what is safe."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

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

#: Order of day and month in a ``d/m/y``-shaped cell.
DateOrder = Literal["day-first", "month-first"]

#: How a date cell was read.
#: ok: a calendar day (ISO, d.m.y, an Excel serial number …; see message when
#: the column's convention decided the order of day and month);
#: period: a month, quarter or year, read as its last day (see message);
#: missing: the cell is empty;
#: unreadable: not a date tracker understands, or no such day;
#: ambiguous: day and month can be swapped and nothing in the column says which.
DateState = Literal["ok", "period", "missing", "unreadable", "ambiguous"]


@dataclass(frozen=True)
class DateReading:
    """The result of reading one date cell."""

    state: DateState
    #: The day the row is screened for, or None when the cell cannot be used.
    date: dt.date | None
    #: For ``period`` and convention-decided ``ok``: the note the row carries;
    #: for ``unreadable`` / ``ambiguous``: the reason (``date-<state>: …``).
    message: str = ""
    #: The order of day and month this cell proves (``13/02/2024``), if any.
    order: DateOrder | None = None


@dataclass(frozen=True)
class DateConvention:
    """Which order of day and month the unambiguous cells of a column show.

    Each field holds the first cell seen that proves that order (None: none).
    """

    day_first: str | None = None
    month_first: str | None = None

    @property
    def order(self) -> DateOrder | None:
        """The column's order, or None when no cell or both orders show."""
        if self.day_first is not None and self.month_first is None:
            return "day-first"
        if self.month_first is not None and self.day_first is None:
            return "month-first"
        return None

    def merge(self, other: DateConvention) -> DateConvention:
        """Return the evidence of both (the first example of each order kept)."""
        return DateConvention(
            self.day_first if self.day_first is not None else other.day_first,
            self.month_first if self.month_first is not None else other.month_first,
        )


#: Excel serial day numbers 20000-79999 (1954-10-03 .. 2119-01-10); a
#: fraction is the time of day.
_EXCEL_SERIAL = re.compile(r"^([2-7]\d{4})(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# A time after the date: "2024-06-20 10:30", "2024-06-20T10:30:00Z".
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_DAY = re.compile(rf"^(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# 13/02/2024, 02-13-2024: day and month may be either way round.
_SWAPPABLE_DAY = re.compile(rf"^(\d{{1,2}})([/-])(\d{{1,2}})\2(\d{{4}}){_TIME}$")
# 19.12.2023, 19.12.23: dotted dates are day-first in every convention that
# writes them (month-first dates are written with slashes, as in the US).
_DOTTED_DAY = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}|\d{{2}}){_TIME}$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")  # 01/2015
_YEAR_MONTH = re.compile(r"^(\d{4})(?:[-/.]|\s*[Mm])(\d{1,2})$")  # 2015-01, 2015M01
_QUARTER = re.compile(
    r"^(?:[Qq]([1-4])[\s/-]*(\d{4})|(\d{4})[\s/-]*[Qq]([1-4]))$"
)  # Q1 2015, 2015Q1, 2015-Q1
_YEAR = re.compile(r"^(\d{4})$")
#: Years accepted in a date cell; outside them a cell is not read as a date.
_YEARS = range(1900, 2200)
_EXPECTED = (
    "expected a date such as 2024-01-31, 31.01.2024 or 31/01/2024, an Excel "
    "serial number, or a period such as 2024-01, Q1 2024 or 2024"
)


def _day(year: int, month: int, day: int) -> dt.date | None:
    if year not in _YEARS:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _period_end(raw: str, year: int, month: int, what: str) -> DateReading:
    if year not in _YEARS or not 1 <= month <= 12:
        return _unreadable(raw, "no such month")
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return DateReading(
        "period",
        last,
        f"date-period: {raw.strip()} read as {last.isoformat()} (end of the {what})",
    )


def _unreadable(raw: str, why: str = "") -> DateReading:
    detail = f"{why}; " if why else ""
    return DateReading(
        "unreadable", None, f"date-unreadable: {raw!r} ({detail}{_EXPECTED})"
    )


def _swappable(
    raw: str, first: int, second: int, year: int, convention: DateConvention | None
) -> DateReading:
    day_first = _day(year, second, first)
    month_first = _day(year, first, second)
    if day_first is None and month_first is None:
        return _unreadable(raw, "no such day")
    if month_first is None:
        return DateReading("ok", day_first, order="day-first" if first > 12 else None)
    if day_first is None:
        return DateReading(
            "ok", month_first, order="month-first" if second > 12 else None
        )
    if day_first == month_first:  # 05/05/2024
        return DateReading("ok", day_first)
    order = convention.order if convention is not None else None
    if order == "day-first" and convention is not None:
        return DateReading(
            "ok",
            day_first,
            f"date-order: {raw.strip()} read day-first as {day_first.isoformat()}, "
            f"like {convention.day_first} in the same column",
        )
    if order == "month-first" and convention is not None:
        return DateReading(
            "ok",
            month_first,
            f"date-order: {raw.strip()} read month-first as "
            f"{month_first.isoformat()}, like {convention.month_first} in the same "
            "column",
        )
    both = (
        f"{day_first.isoformat()} (day first) or {month_first.isoformat()} "
        "(month first)"
    )
    if convention is not None and convention.day_first and convention.month_first:
        why = (
            f"the column has day-first ({convention.day_first}) and month-first "
            f"({convention.month_first}) dates"
        )
    else:
        why = "no other date of the column shows which comes first"
    return DateReading("ambiguous", None, f"date-ambiguous: {raw!r} is {both}; {why}")


def read_date(raw: str, convention: DateConvention | None = None) -> DateReading:
    """Read a date cell: a day, an Excel serial number or a period.

    Days: ISO (``2024-01-31``, with or without a time; ``2024/01/31``,
    ``20240131``), dotted day-first (``31.01.2024``, ``31.01.24``), and
    ``31/01/2024`` or ``01/31/2024`` (slashes or dashes) when only one order
    of day and month gives a real day. When both do (``03/04/2024``), the
    ``convention`` of the column decides (see ``date_convention``); without
    one the cell is ``ambiguous``. A 5-digit number is an Excel serial date
    (``45463`` = 2024-06-20).

    Periods (``2015-01``, ``01/2015``, ``2015M01``, ``2015/01``, ``Q1 2015``,
    ``2015Q1``, ``2015``) are read as their last day: a list in force at the end
    of the period covers the whole period's later shipments, and the reading
    says so in ``message``.

    Anything else is ``unreadable`` (never a default date).

    Examples:
        >>> read_date("19.12.2023").date
        datetime.date(2023, 12, 19)
        >>> read_date("01/2015").message
        'date-period: 01/2015 read as 2015-01-31 (end of the month)'
        >>> read_date("03/04/2024").state
        'ambiguous'
        >>> read_date("03/04/2024", DateConvention(day_first="13/02/2024")).date
        datetime.date(2024, 4, 3)
    """
    text = raw.strip()
    if text == "":
        return DateReading("missing", None)
    m = _ISO_DAY.match(text)
    if m is not None:
        day = _day(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        return DateReading("ok", day) if day else _unreadable(raw, "no such day")
    m = _SWAPPABLE_DAY.match(text)
    if m is not None:
        first, second, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        return _swappable(raw, first, second, year, convention)
    m = _DOTTED_DAY.match(text)
    if m is not None:
        year = int(m.group(3))
        if len(m.group(3)) == 2:  # as strptime's %y: 00-68 -> 20xx, 69-99 -> 19xx
            year += 2000 if year < 69 else 1900
        day = _day(year, int(m.group(2)), int(m.group(1)))
        return DateReading("ok", day) if day else _unreadable(raw, "no such day")
    m = _COMPACT_DAY.match(text)
    if m is not None:
        day = _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return DateReading("ok", day) if day else _unreadable(raw, "no such day")
    m = _EXCEL_SERIAL.match(text)
    if m is not None:
        # An Excel date stored as a number (days since 1899-12-30).
        return DateReading("ok", _EXCEL_EPOCH + dt.timedelta(days=int(m.group(1))))
    m = _YEAR_MONTH.match(text)
    if m is not None:
        return _period_end(raw, int(m.group(1)), int(m.group(2)), "month")
    m = _MONTH_YEAR.match(text)
    if m is not None:
        return _period_end(raw, int(m.group(2)), int(m.group(1)), "month")
    m = _QUARTER.match(text)
    if m is not None:
        quarter = int(m.group(1) or m.group(4))
        year = int(m.group(2) or m.group(3))
        return _period_end(raw, year, 3 * quarter, "quarter")
    m = _YEAR.match(text)
    if m is not None:
        return _period_end(raw, int(m.group(1)), 12, "year")
    return _unreadable(raw)


def date_convention(values: Iterable[str]) -> DateConvention:
    """Return the order of day and month the unambiguous cells of a column show.

    Only ``d/m/y``-shaped cells (slashes or dashes) count: ``13/02/2024``
    proves day-first, ``02/13/2024`` month-first.

    Examples:
        >>> date_convention(["03/04/2024", "13/02/2024"]).order
        'day-first'
        >>> date_convention(["13/02/2024", "02/13/2024"]).order is None
        True
    """
    day_first: str | None = None
    month_first: str | None = None
    for raw in values:
        m = _SWAPPABLE_DAY.match(raw.strip())
        if m is None:
            continue
        order = read_date(raw).order
        if order == "day-first" and day_first is None:
            day_first = raw.strip()
        elif order == "month-first" and month_first is None:
            month_first = raw.strip()
        if day_first is not None and month_first is not None:
            break
    return DateConvention(day_first, month_first)


def read_dates(
    values: Sequence[str], convention: DateConvention | None = None
) -> list[DateReading]:
    """Read the cells of one date column, ambiguous days following the column.

    Args:
        values: the cells (typically the distinct cells of a column).
        convention: evidence gathered elsewhere in the file (merged with the
            evidence of ``values``).

    Returns:
        One ``DateReading`` per value, in order.
    """
    seen = date_convention(values)
    if convention is not None:
        seen = convention.merge(seen)
    return [read_date(v, seen) for v in values]


class DateCells:
    """``read_dates`` for a column read in chunks: readings are kept across chunks.

    Only a ``d/m/y``-shaped cell's reading depends on the other cells (the
    column's convention, see ``date_convention``): those are read with every
    chunk, and only they give the convention evidence, so the readings equal
    ``read_dates`` of each chunk's values. Thread-safe (dict get and set).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self._known: dict[str, DateReading] = {}
        self._limit = limit

    def read(
        self, values: Sequence[str], convention: DateConvention | None = None
    ) -> list[DateReading]:
        """``read_dates(values, convention)``."""
        known = self._known
        found = [known.get(v) for v in values]
        todo = [i for i, r in enumerate(found) if r is None]
        if todo:
            fresh = read_dates([values[i] for i in todo], convention)
            for i, reading in zip(todo, fresh, strict=True):
                found[i] = reading
                value = values[i]
                if (
                    len(known) < self._limit
                    and _SWAPPABLE_DAY.match(value.strip()) is None
                ):
                    known[value] = reading
        return [r for r in found if r is not None]


def parse_iso_date(text: str) -> dt.date:
    """Read a strict ISO date (``YYYY-MM-DD``), as options and data files write it.

    Raises:
        ValueError: the text is not a strict ISO date of a real day.

    Examples:
        >>> parse_iso_date("2024-01-31")
        datetime.date(2024, 1, 31)
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    day = _day(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    if day is None:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2024-01-31")
    return day
