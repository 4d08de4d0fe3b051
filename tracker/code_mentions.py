"""Goods codes written in free text: after a label (HS 8542.31) or by their shape."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from tracker.exc import CodeError
from tracker.hs import normalize_code

if TYPE_CHECKING:
    from tracker.text import CodePoints

#: How a code was recognised.
#: labelled: a code label (HS, CN code, ТН ВЭД, 海关编码 …) stands before it;
#: shape: dotted or spaced digits shaped like a code (8482.10, 8525 89 00).
CodeRule = Literal["labelled", "shape"]

_LABEL_WORDS = (
    r"hs|cn|hts|htsus|taric|kn|тн\s?вэд(?:\s?еаэс)?|укт\s?зед|"
    r"commodity|tariff|customs|heading|headings|subheading|subheadings|"
    r"zolltarifnummer|warennummer|zolltarif|position|"
    r"code|codes|код|кода|коду|кодом|кодам|кодами|кодов|коды|"
    r"позиция|позиции|позицией|позицію|позиції|товарная|товарной|товарна|товарної"
)
_CJK_LABELS = r"海关商品编码|海关编码|商品编码|hs编码|税则号列|税则号|税号|编码"
# A code at a digit run: 4 digits and up to three pairs (dots, spaces or none
# between), or a 2-digit chapter (only after a label); not part of a decimal.
_CODE_AT = re.compile(r"(?:\d{4}(?:[ .\u00a0]?\d{2}){0,3}|\d{2})(?!\d)(?![.,]\d)")
# A label right before a code, searched for in the characters before a digit run.
_LABEL_BEFORE = re.compile(
    r"(?P<label>(?:(?<![^\W\d_])(?:" + _LABEL_WORDS + r")(?![^\W\d_])\.?"
    r"(?:\s*(?:" + _LABEL_WORDS + r"|no\.?|nr\.?|number|№)(?![^\W\d_])\.?)*"
    r"|(?:" + _CJK_LABELS + r")))"
    r"\s*[:#№]?\s*$"
)
# Dotted or spaced digits shaped like a code, without a label.
_SHAPED_AT = re.compile(r"\d{4}(?:[.\u00a0 ]\d{2}){1,3}(?!\d)(?![.,]\d)")
# Between two codes of one labelled list: "HS 8482.10, 8482.20 and 8482.30".
_LIST_SEPARATOR = re.compile(
    r"\s*(?:,|\band\b|\bor\b|\bи\b|\bили\b|\bта\b|\bі\b|\bund\b|\boder\b|、|和|及|与)\s*"
)
_DIGIT_RUN = re.compile(r"[0-9][0-9]+")
_LABEL_WINDOW = 48
_MONEY_BEFORE = re.compile(r"[$€£¥₽]\s*$")
_MONEY_AFTER = re.compile(
    r"\s*(?:%|usd|eur|rub|руб|долл|евро|млн|млрд|тыс|million|billion|bn|"
    r"元|美元|万|亿|kg|tons|tonnes|тонн|euro|dollar)",
)
_EDITION_LABELS = frozenset({"hs", "cn", "hts", "kn", "тн вэд", "тнвэд"})


def _date_like(digits: str) -> bool:
    year = int(digits[:4])
    month = int(digits[4:6]) if len(digits) >= 6 else 0
    return 1900 <= year <= 2099 and 1 <= month <= 12


#: (start, end, rule, label span or None, normalised digits) of one code found.
CodeHit = tuple[int, int, CodeRule, tuple[int, int] | None, str]


# Last words of code labels (see _LABEL_WORDS), to skip the label search for
# numbers that follow other words.
_LABEL_TAILS = (
    "hs",
    "cn",
    "hts",
    "htsus",
    "taric",
    "kn",
    "вэд",
    "еаэс",
    "зед",
    "commodity",
    "tariff",
    "customs",
    "heading",
    "headings",
    "subheading",
    "subheadings",
    "zolltarifnummer",
    "warennummer",
    "zolltarif",
    "position",
    "code",
    "codes",
    "no",
    "nr",
    "number",
    "код",
    "позици",
    "товарн",
    "码",
    "号",
    "列",
)


def _may_follow_label(text: str, p: int) -> bool:
    """Return True when the word right before position ``p`` may end a label."""
    j = p - 1
    while j >= 0 and text[j] in " \t\n\u00a0:#№":
        j -= 1
    if j >= 0 and text[j] == ".":
        j -= 1
    if j < 0:
        return False
    if text[j] == "№":
        return True
    end = j + 1
    while j >= 0 and text[j].isalpha() and end - j <= 20:
        j -= 1
    word = text[j + 1 : end]
    return word != "" and (
        word in _LABEL_TAILS
        or word.startswith(("код", "позици", "товарн"))
        or word[-1] in "码号列"
    )


def _run_starts(text: str, points: CodePoints | None) -> Iterable[int]:
    """Where each run of two or more ASCII digits starts (_DIGIT_RUN's matches)."""
    if points is None:
        return (m.start() for m in _DIGIT_RUN.finditer(text))
    import numpy as np

    digit = (points >= 0x30) & (points <= 0x39)
    edges = np.flatnonzero(np.diff(digit, prepend=False, append=False))
    starts = edges[::2]
    runs: list[int] = starts[edges[1::2] - starts >= 2].tolist()
    return runs


def find_codes(text: str, points: CodePoints | None = None) -> list[CodeHit]:
    """Return (start, end, rule, label span, digits) of codes in folded text.

    Each run of two or more digits is a candidate: a code when a label stands
    right before it (or it continues a labelled list), or when it has the
    dotted/spaced shape of a code and is not a date, a price or an amount.
    ``points``, the text's code points (tracker.text.Folded.points), finds
    the runs faster in a long text.
    """
    out: list[CodeHit] = []
    last_end = -1
    previous: tuple[int, tuple[int, int]] | None = None
    for p in _run_starts(text, points):
        if p < last_end:
            continue
        decimal = p >= 2 and text[p - 1] in ".," and text[p - 2].isdigit()
        if decimal:
            continue
        label_span: tuple[int, int] | None = None
        label = None
        if _may_follow_label(text, p):
            label = _LABEL_BEFORE.search(text, max(0, p - _LABEL_WINDOW), p)
        if label is not None:
            label_span = label.span("label")
        elif previous is not None and _LIST_SEPARATOR.fullmatch(text, previous[0], p):
            label_span = previous[1]
        if label_span is not None:
            m = _CODE_AT.match(text, p)
            if m is None:
                continue
            raw = m.group()
            digits = re.sub(r"\D", "", raw)
            if len(digits) == 2 and label_span[1] == p:
                continue  # "HS07", "HS10": an edition or a code length, not a chapter
            label_text = " ".join(text[label_span[0] : label_span[1]].split())
            if (
                len(digits) == 4
                and 1988 <= int(digits) <= 2035
                and label_text.rstrip(".") in _EDITION_LABELS
            ):
                continue  # "HS 2022" names the nomenclature edition, not a code
            try:
                digits = normalize_code(raw)
            except CodeError:
                continue
            out.append((p, m.end(), "labelled", label_span, digits))
            last_end = m.end()
            previous = (m.end(), label_span)
            continue
        if p > 0 and text[p - 1] in ".,":
            continue
        m = _SHAPED_AT.match(text, p)
        if m is None:
            continue
        start, end = m.span()
        digits = re.sub(r"\D", "", m.group())
        if not 1 <= int(digits[:2]) <= 97 or _date_like(digits):
            continue
        if _MONEY_BEFORE.search(text, max(0, start - 3), start):
            continue
        if _MONEY_AFTER.match(text, end):
            continue
        try:
            digits = normalize_code(m.group())
        except CodeError:
            continue
        out.append((start, end, "shape", None, digits))
        last_end = end
        previous = None
    return out
