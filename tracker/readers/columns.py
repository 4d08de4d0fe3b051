"""Column naming and mapping: unique headers, aliases and the code column by values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracker.cells import DateConvention, date_convention, read_date
from tracker.exc import InputError
from tracker.readers.issues import IssueCode, RowIssue
from tracker.text import nfkc_fold

#: Column roles and the header names recognised for them. Headers and aliases
#: are compared as words (``header_words``: ``hs_code``, ``HS10 Code``,
#: ``hsCode`` and ``HS-Code`` are all ``hs code``), first whole, then a
#: header containing a multi-word alias (``HS code (8 digits)``).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "hs code",
        "hs tariff code",
        "hs no",
        "hs number",
        "hs",
        "hscode",
        "hs codes",
        "hs6",
        "hs 6",
        "hs2022",
        "commodity code",
        "commodity no",
        "commodity number",
        "cn code",
        "cn no",
        "cn",
        "cn8",
        "taric",
        "taric code",
        "tariff code",
        "tariff no",
        "tariff number",
        "customs tariff code",
        "customs tariff number",
        "hts",
        "hts code",
        "htsus",
        "schedule b",
        "customs code",
        "goods code",
        "product code",
        "warennummer",
        "zolltarifnummer",
        "код тн вэд",
        "код тн вэд еаэс",
        "тн вэд",
        "тн вэд еаэс",
        "код тнвэд",
        "тнвэд",
        "код товара",
        "код товара по тн вэд",
        "код укт зед",
        "укт зед",
        "商品编码",
        "海关编码",
        "hs编码",
        "税号",
    ),
    "description": (
        "description",
        "goods description",
        "goods name",
        "description of goods",
        "product description",
        "commodity description",
        "item description",
        "goods",
        "product",
        "описание товара",
        "описание",
        "наименование товара",
        "наименование",
        "товар",
        "商品名称",
        "品名",
    ),
    "destination": (
        "destination",
        "country of destination",
        "destination country",
        "destination country code",
        "country of destination code",
        "dest",
        "dest country",
        "страна назначения",
        "страна получателя",
        "目的国",
    ),
    "date": (
        "date",
        "declaration date",
        "shipment date",
        "shipping date",
        "export date",
        "invoice date",
        "date of declaration",
        "date of shipment",
        "date of export",
        "дата",
        "дата декларации",
        "дата оформления",
        "дата отгрузки",
        "日期",
    ),
    "origin": (
        "origin",
        "country of origin",
        "origin country",
        "страна происхождения",
        "原产国",
    ),
    "value": (
        "value",
        "statistical value",
        "customs value",
        "invoice value",
        "value usd",
        "value eur",
        "стоимость",
        "таможенная стоимость",
        "фактурная стоимость",
        "статистическая стоимость",
        "金额",
        "价值",
    ),
}

#: CLI flag that names each role's column.
ROLE_FLAGS = {
    "code": "--code-column",
    "description": "--description-column",
    "destination": "--destination-column",
    "date": "--date-column",
    "origin": "--origin-column",
    "value": "--value-column",
}

#: Prefix of every column tracker adds; input headers using it are renamed.
ADDED_PREFIX = "tracker_"


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (by output name) plays which role; None when absent."""

    code: str
    description: str | None = None
    destination: str | None = None
    date: str | None = None
    origin: str | None = None
    value: str | None = None
    #: Roles whose column was chosen by its values, not its header.
    by_values: tuple[str, ...] = ()
    #: Order of day and month shown by unambiguous cells of the date column in
    #: a sample of the file (see ``tracker.cells.date_convention``).
    date_convention: DateConvention | None = None

    def roles(self) -> dict[str, str | None]:
        """Return role -> column name."""
        return {
            "code": self.code,
            "description": self.description,
            "destination": self.destination,
            "date": self.date,
            "origin": self.origin,
            "value": self.value,
        }


def header_key(text: str) -> str:
    """Return a header reduced for comparison: NFKC, casefold, words only.

    Examples:
        >>> header_key("  HS-Code: ")
        'hs code'
        >>> header_key("Код ТН ВЭД")
        'код тн вэд'
    """
    return " ".join(re.findall(r"\w+", nfkc_fold(text)))


def unique_headers(headers: Sequence[str]) -> tuple[list[str], list[RowIssue]]:
    """Return one unique, non-empty name per header, and an issue per rename.

    Rules (applied left to right): a blank header becomes ``column_<N>``
    (N = 1-based position); a header equal to an earlier name, or starting
    with ``tracker_``, becomes ``<name>_<k>`` with the smallest free k >= 2.
    Every other header is kept exactly as written.
    """
    names: list[str] = []
    issues: list[RowIssue] = []
    taken: set[str] = set()
    for pos, raw in enumerate(headers, start=1):
        name = raw
        code: IssueCode | None = None
        if raw.strip() == "":
            name = f"column_{pos}"
            code = "header-blank"
        if name in taken or name.startswith(ADDED_PREFIX):
            if code is None:
                code = (
                    "header-reserved"
                    if name.startswith(ADDED_PREFIX)
                    else "header-duplicate"
                )
            k = 2
            while f"{name}_{k}" in taken:
                k += 1
            name = f"{name}_{k}"
        while name in taken:  # a generated name can collide with a later header
            name = f"{name}_"
        taken.add(name)
        names.append(name)
        if code is not None:
            issues.append(
                RowIssue(
                    code,
                    1,
                    name,
                    raw,
                    f"header {raw!r} in column {pos} is written as {name!r}",
                )
            )
    return names, issues


def header_words(text: str) -> list[str]:
    """Return the words of a header: split at punctuation, ``_``, camelCase and digits.

    Examples:
        >>> header_words("HS10 Code")
        ['hs', '10', 'code']
        >>> header_words("declarationDate")
        ['declaration', 'date']
        >>> header_words("HSCode")
        ['hs', 'code']
        >>> header_words("Код ТН ВЭД")
        ['код', 'тн', 'вэд']
    """
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for i, ch in enumerate(text):
        if i > 0:
            prev = text[i - 1]
            after = text[i + 1] if i + 1 < len(text) else ""
            if (
                (prev.islower() and ch.isupper())
                # "HSCode": the last capital of a run starts the next word
                or (prev.isupper() and ch.isupper() and after.islower())
                or (prev.isdigit() and ch.isalpha())
                or (prev.isalpha() and ch.isdigit())
            ):
                out.append(" ")
        out.append(ch)
    return re.findall(r"[^\W_]+", nfkc_fold("".join(out)))


def _role_words(text: str) -> tuple[str, ...]:
    """Header words without numbers (``HS10 Code``, ``CN8`` name the same role)."""
    return tuple(w for w in header_words(text) if not w.isdigit())


_ALIAS_WORDS: dict[str, list[tuple[str, ...]]] = {
    role: [_role_words(a) for a in aliases] for role, aliases in COLUMN_ALIASES.items()
}


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))


def _by_header(
    columns: Sequence[str], found: dict[str, str | None], used: set[str]
) -> None:
    """Fill the roles not in ``found`` from headers: whole aliases, then contained."""
    words = {c: _role_words(c) for c in columns}
    for role, aliases in _ALIAS_WORDS.items():
        if role in found:
            continue
        found[role] = None
        for alias in aliases:
            hit = next(
                (c for c in columns if c not in used and words[c] == alias), None
            )
            if hit is not None:
                found[role] = hit
                used.add(hit)
                break
    for role, aliases in _ALIAS_WORDS.items():
        if found[role] is not None:
            continue
        # A header containing a multi-word alias ("HS code (8 digits)",
        # "Export declaration date"); the longest alias wins, then the
        # leftmost column. Single words ("date") are too loose to contain.
        best: tuple[int, int, str] | None = None
        for pos, c in enumerate(columns):
            if c in used:
                continue
            for alias in aliases:
                if len(alias) > 1 and _contains(words[c], alias):
                    key = (-len(alias), pos, c)
                    best = key if best is None or key < best else best
        if best is not None:
            found[role] = best[2]
            used.add(best[2])


#: A cell that looks like a goods code: 4-10 digits, dots and spaces allowed.
_CODE_LIKE = re.compile(r"^\d[\d. ]*\d$")
#: Share of a column's non-empty cells that must look like codes.
CODE_SHARE = 0.8


def _code_digits(cell: str) -> int:
    """Digits of a code-like cell (0 when the cell does not look like a code)."""
    text = cell.strip()
    if not text.isascii() or not _CODE_LIKE.match(text):
        return 0
    n = sum(ch.isdigit() for ch in text)
    return n if 4 <= n <= 10 else 0


def _code_by_values(
    columns: Sequence[str],
    values: Mapping[str, Sequence[str]],
    used: set[str],
    where: str,
) -> str | None:
    """The column whose cells look like goods codes (see ``CODE_SHARE``).

    A column whose cells mostly read as dates (years, ``20240131``, Excel
    serial numbers) is not a code column. Among the columns that qualify,
    the one with most 6/8/10-digit cells wins, then most even-length cells;
    a tie is an error (no guess).
    """
    scored: list[tuple[float, float, str]] = []
    for c in columns:
        if c in used:
            continue
        cells = [v for v in values.get(c, ()) if v.strip() != ""]
        if not cells:
            continue
        digits = [_code_digits(v) for v in cells]
        if sum(d > 0 for d in digits) / len(cells) < CODE_SHARE:
            continue
        dates = sum(read_date(v).date is not None for v in cells) / len(cells)
        if dates >= CODE_SHARE:
            continue
        long = sum(d in (6, 8, 10) for d in digits) / len(cells)
        even = sum(d in (4, 6, 8, 10) for d in digits) / len(cells)
        scored.append((long, even, c))
    if not scored:
        return None
    scored.sort(key=lambda t: (-t[0], -t[1]))
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        tied = [c for lg, ev, c in scored if (lg, ev) == scored[0][:2]]
        raise InputError(
            f"No goods-code header found{where}, and several columns hold "
            f"code-like values: {_show(tied)}; name the column with --code-column"
        )
    return scored[0][2]


def detect_columns(
    columns: Sequence[str],
    overrides: Mapping[str, str | None] | None = None,
    *,
    path: Path | None = None,
    values: Mapping[str, Sequence[str]] | None = None,
) -> ColumnMapping:
    """Find the code, description, destination, date, origin and value columns.

    Headers are compared as words (see ``header_words`` and
    ``COLUMN_ALIASES``). When no header names the code column, ``values``
    decide: the column where at least 80 % of the non-empty cells are 4-10
    digits (dots and spaces allowed) and not dates (``by_values`` says so).

    Args:
        columns: the (unique) column names of the file.
        overrides: role -> column name given by the user (flags); a name is
            matched exactly, then by ``header_key``.
        path: the file, for messages.
        values: column -> sample cells (see ``TableSource.sample``), used when
            no header names the code column, and for the date convention.

    Raises:
        InputError: a named column does not exist, or no code column is found
            (the message lists the headers seen and the flag to use).

    Examples:
        >>> detect_columns(["hs_code", "description", "destination", "date"]).code
        'hs_code'
        >>> detect_columns(["A", "B"], values={"A": ["x"], "B": ["8542.31"]}).code
        'B'
    """
    overrides = overrides or {}
    where = f" in {path.name}" if path is not None else ""
    by_key: dict[str, str] = {}
    for name in columns:
        by_key.setdefault(header_key(name), name)
    found: dict[str, str | None] = {}
    used: set[str] = set()
    for role in COLUMN_ALIASES:
        wanted = overrides.get(role)
        if wanted is not None:
            if wanted in columns:
                found[role] = wanted
            elif header_key(wanted) in by_key:
                found[role] = by_key[header_key(wanted)]
            else:
                raise InputError(
                    f"No column {wanted!r}{where} ({ROLE_FLAGS[role]}); "
                    f"headers seen: {_show(columns)}"
                )
            used.add(found[role] or "")
    _by_header(columns, found, used)
    by_values: tuple[str, ...] = ()
    if found["code"] is None and values is not None:
        found["code"] = _code_by_values(columns, values, used, where)
        if found["code"] is not None:
            by_values = ("code",)
    if found["code"] is None:
        raise InputError(
            f"No goods-code column found{where}; headers seen: {_show(columns)}; "
            "name the column with --code-column"
        )
    convention = None
    if found["date"] is not None and values is not None:
        convention = date_convention(values.get(found["date"], ()))
    code = found.pop("code")
    assert code is not None
    return ColumnMapping(
        code=code, **found, by_values=by_values, date_convention=convention
    )


def _show(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:20])
    return shown + (f" … ({len(columns)} columns)" if len(columns) > 20 else "")
