"""HS / CN / HTS code value type: normalise, validate, level, prefixes, display."""

from __future__ import annotations

import re
from typing import Literal

from tracker.exc import CodeError

#: Code lengths that exist: chapter (2), heading (4), HS subheading (6),
#: CN / HTS 8-digit line (8), TARIC / HTS statistical line (10).
VALID_LENGTHS = (2, 4, 6, 8, 10)

#: Code systems. HS: the international 2/4/6-digit Harmonized System;
#: CN: EU Combined Nomenclature (8 digits); TARIC: EU 10-digit integrated tariff;
#: HTS: US Harmonized Tariff Schedule (8 or 10 digits); UKGT: UK commodity code.
CodeSystem = Literal["HS", "CN", "TARIC", "HTS", "UKGT"]

#: Default nomenclature edition for codes typed by a user.
DEFAULT_EDITION = "HS2022"

# A label in front of the digits: "HS", "HS code", "CN code", "HTS", "TARIC",
# "ТН ВЭД", "ТН ВЭД ЕАЭС", "УКТ ЗЕД", "код", "commodity code", "heading", "subheading", "Nr."
_LABEL = re.compile(
    r"^\s*(?:(?:hs|cn|hts|htsus|taric|schedule\s*b|commodity|tariff|customs|"
    r"heading|subheading|code|codes|no\.?|nr\.?|тн\s*вэд(?:\s*еаэс)?|укт\s*зед|"
    r"код(?:\s*товара)?|海关编码|税号|编码|hs编码)\s*[:#.]?\s*)+",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s.\-/\u00a0\u2009\u202f]+")
_DIGITS = re.compile(r"^\d+$")


def normalize_code(raw: str) -> str:
    """Return the digits of an HS/CN/HTS code typed in any common form.

    Accepts ``8542.31``, ``8542 31 90``, ``85423190``, ``8542310000``,
    ``HS 8542.31``, ``CN code 9013 10 90``, ``ТН ВЭД 8457``.

    Raises:
        CodeError: the value is not 2, 4, 6, 8 or 10 digits once labels and
            separators are removed.

    Examples:
        >>> normalize_code("HS 8542.31")
        '854231'
        >>> normalize_code("8542 31 90")
        '85423190'
    """
    if not isinstance(raw, str):
        raise CodeError(f"Invalid code {raw!r}: codes are text, not numbers")
    text = _LABEL.sub("", raw.strip())
    digits = _SEPARATORS.sub("", text)
    if digits == "":
        raise CodeError(f"Invalid code {raw!r}: no digits")
    if not _DIGITS.match(digits) or not digits.isascii():
        raise CodeError(
            f"Invalid code {raw!r}: expected digits with optional dots or spaces, "
            "e.g. 8542.31 or 8542 31 90"
        )
    if len(digits) not in VALID_LENGTHS:
        raise CodeError(
            f"Invalid code {raw!r}: {len(digits)} digits; expected 2, 4, 6, 8 or 10"
        )
    return digits


def is_valid_code(value: str) -> bool:
    """Return True when ``value`` is already a normalised code (digits, valid length)."""
    return value.isascii() and value.isdigit() and len(value) in VALID_LENGTHS


def code_level(digits: str) -> int:
    """Return the number of digits (2, 4, 6, 8 or 10) of a normalised code."""
    return len(digits)


def hs6(digits: str) -> str | None:
    """Return the international HS subheading (first 6 digits), or None if shorter."""
    return digits[:6] if len(digits) >= 6 else None


def heading(digits: str) -> str:
    """Return the 4-digit heading (or the 2-digit chapter for a chapter code)."""
    return digits[:4]


def prefixes(digits: str) -> list[str]:
    """Return the code and every shorter valid code containing it, longest first.

    Examples:
        >>> prefixes("85423190")
        ['85423190', '854231', '8542', '85']
    """
    return [digits[:n] for n in sorted(VALID_LENGTHS, reverse=True) if n <= len(digits)]


def format_code(digits: str) -> str:
    """Display a code with the customary dots: ``8542.31``, ``8542.31.90``.

    Examples:
        >>> format_code("8542310000")
        '8542.31.90.00'
    """
    if len(digits) <= 4:
        return digits
    parts = [digits[:4]] + [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join(parts)


def code_system(digits: str, jurisdiction: str) -> CodeSystem:
    """Name the nomenclature a code of this length belongs to in a jurisdiction."""
    if len(digits) <= 6:
        return "HS"
    if jurisdiction == "us":
        return "HTS"
    if jurisdiction == "uk":
        return "UKGT"
    return "CN" if len(digits) == 8 else "TARIC"
