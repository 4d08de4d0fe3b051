"""Read trade spreadsheets (CSV/TSV, XLSX, Parquet) as text, with column mapping."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from tracker.cells import DateConvention, date_convention, read_date
from tracker.exc import InputError, shown
from tracker.text import nfkc_fold

#: Kind of problem found in a user's file (kebab-case, stable).
#: header-blank: a header cell is empty (the column is renamed column_<N>);
#: header-duplicate: a header repeats an earlier one (renamed <name>_<k>);
#: header-reserved: a header starts with tracker_ (renamed <name>_<k>);
#: row-short / row-long: a CSV record has fewer / more fields than the header;
#: sheet-skipped: another sheet of the workbook was not screened;
#: code-missing, code-malformed, code-too-short, code-digits-lost,
#: code-repaired, code-hs2017-split: see tracker.screening;
#: date-invalid: a date cell could not be read (the row is indeterminate);
#: date-ambiguous: day and month can be swapped and the column does not say
#: which comes first (the row is indeterminate);
#: destination-unknown: a destination cell could not be read.
IssueCode = Literal[
    "header-blank",
    "header-duplicate",
    "header-reserved",
    "row-short",
    "row-long",
    "sheet-skipped",
    "code-missing",
    "code-malformed",
    "code-too-short",
    "code-digits-lost",
    "code-repaired",
    "code-hs2017-split",
    "date-invalid",
    "date-ambiguous",
    "destination-unknown",
]

#: Formats read_table understands.
TableFormat = Literal["csv", "xlsx", "parquet"]

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

_CSV_DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class RowIssue:
    """A problem with one cell, row or header of the user's file (collected, not raised).

    ``row`` is the row number a spreadsheet program shows (header = 1); None for
    problems of the whole file.
    """

    code: IssueCode
    row: int | None
    column: str | None
    value: str | None
    message: str

    def record(self) -> dict[str, Any]:
        """Return the issue as a flat dict (JSON/CSV/Excel)."""
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


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


@dataclass
class TableSource:
    """An opened input file: its format, decoding, headers and how to stream it.

    ``headers`` are the header cells as written; ``columns`` the unique names
    used in every output (blank and duplicate headers renamed, see
    ``unique_headers``).
    """

    path: Path
    format: TableFormat
    headers: list[str]
    columns: list[str]
    issues: list[RowIssue] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    #: Spreadsheet row number of the header (1 unless leading rows are empty).
    header_row: int = 1
    #: Rows in the file when known without reading it (Parquet), else None.
    row_count: int | None = None
    _utf8_path: Path | None = None
    #: Folder holding the copy of standard input (``-``), removed by ``close``.
    _spool_dir: Path | None = None

    def iter_chunks(self, chunk_rows: int = 200_000) -> Generator[pa.Table, None, None]:
        """Yield the data rows as Arrow tables of strings, in file order.

        Every table has the ``columns`` names plus ``tracker_row`` (int64, the
        row number a spreadsheet program shows). Empty cells are "".
        """
        if self.format == "csv":
            yield from _iter_csv(self, chunk_rows)
        elif self.format == "xlsx":
            yield from _iter_xlsx(self, chunk_rows)
        else:
            yield from _iter_parquet(self, chunk_rows)

    def sample(self, rows: int = 10_000) -> dict[str, list[str]]:
        """Return the cells of the first ``rows`` data rows, by column.

        Issues found while reading them are not kept (reading the whole
        file reports them once).
        """
        kept = len(self.issues)
        chunks = self.iter_chunks(rows)
        try:
            first = next(chunks, None)
        finally:
            chunks.close()
            del self.issues[kept:]
        if first is None:
            return {c: [] for c in self.columns}
        return {c: text_array(first.column(c)).to_pylist() for c in self.columns}

    def close(self) -> None:
        """Remove the temporary copies (non-UTF-8 CSV, standard input), if any."""
        if self._utf8_path is not None:
            self._utf8_path.unlink(missing_ok=True)
            self._utf8_path = None
        if self._spool_dir is not None:
            shutil.rmtree(self._spool_dir, ignore_errors=True)
            self._spool_dir = None


@dataclass
class Table:
    """A whole input file read into memory: text cells, mapping and issues."""

    frame: pd.DataFrame
    columns: ColumnMapping
    issues: list[RowIssue]
    source: TableSource


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


def map_columns(
    source: TableSource, overrides: Mapping[str, str | None] | None = None
) -> ColumnMapping:
    """Map the columns of an opened file, reading a sample of its rows.

    As ``detect_columns``, with the cells of the first 10,000 rows: they
    decide the code column when no header names it, and the order of day
    and month of ambiguous dates (``03/04/2024``) when other dates show it.

    Raises:
        InputError: see ``detect_columns``.
    """
    return detect_columns(
        source.columns, overrides, path=source.path, values=source.sample()
    )


def _show(columns: Sequence[str]) -> str:
    shown = ", ".join(repr(c) for c in columns[:20])
    return shown + (f" … ({len(columns)} columns)" if len(columns) > 20 else "")


# --------------------------------------------------------------------------
# Opening files


def detect_format(path: Path) -> TableFormat:
    """Return the format of ``path`` from its first bytes, then its suffix."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head == _PARQUET_MAGIC:
        return "parquet"
    if head == _XLSX_MAGIC:
        return "xlsx"
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".parquet":
        return "parquet"
    return "csv"


def open_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
) -> TableSource:
    """Open a CSV/TSV, XLSX or Parquet file and read its header.

    Args:
        path: the input file; ``-`` reads standard input (copied to a
            temporary file named ``stdin``, removed by ``close``).
        sheet: XLSX sheet name (default: the only sheet, or the first one with
            a goods-code column; other sheets are reported as issues).
        encoding: CSV text encoding (default: detected; UTF-8 with or without
            BOM, UTF-16, cp1251, GB18030 …).

    Raises:
        InputError: the path is missing or a folder, the file is empty or
            unreadable, or has no header.
    """
    if str(path) == "-":
        spool = _spool_stdin()
        try:
            source = _open_path(spool / "stdin", sheet, encoding)
        except BaseException:
            shutil.rmtree(spool, ignore_errors=True)
            raise
        source._spool_dir = spool
        return source
    p = Path(path)
    if not p.exists():
        raise InputError(f"No such file: {shown(str(p))}")
    if p.is_dir():
        raise InputError(f"{shown(str(p))} is a folder, not a file")
    return _open_path(p, sheet, encoding)


def _open_path(p: Path, sheet: str | None, encoding: str | None) -> TableSource:
    if p.stat().st_size == 0:
        raise InputError(f"{p.name} is empty: expected a header row")
    fmt = detect_format(p)
    if fmt == "xlsx":
        return _open_xlsx(p, sheet)
    if fmt == "parquet":
        return _open_parquet(p)
    return _open_csv(p, encoding)


def _spool_stdin() -> Path:
    """Copy standard input to ``<temporary folder>/stdin`` (the readers need a file)."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-"))
    try:
        with (folder / "stdin").open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 22)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    columns: dict[str, str | None] | None = None,
) -> Table:
    """Read a whole file into a DataFrame of strings and map its columns.

    Args:
        path: CSV/TSV, XLSX or Parquet file.
        sheet: XLSX sheet (see ``open_table``).
        encoding: CSV encoding (default: detected).
        columns: role -> column name overrides (``code``, ``description``,
            ``destination``, ``date``, ``origin``, ``value``).

    Returns:
        A ``Table``: ``frame`` has the file's columns (unique names) as text
        ("" for empty cells) plus ``tracker_row``, in file order.

    Raises:
        InputError: see ``open_table`` and ``detect_columns``.

    Example:
        >>> table = read_table("shipments.csv")  # doctest: +SKIP
        >>> table.columns.code  # doctest: +SKIP
        'HS code'
    """
    source = open_table(path, sheet=sheet, encoding=encoding)
    try:
        mapping = map_columns(source, columns)
        parts = list(source.iter_chunks())
    finally:
        source.close()
    if parts:
        frame = pa.concat_tables(parts).to_pandas()
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in source.columns})
        frame["tracker_row"] = pd.Series([], dtype="int64")
    return Table(frame=frame, columns=mapping, issues=source.issues, source=source)


# --------------------------------------------------------------------------
# CSV


def detect_encoding(sample: bytes) -> str:
    """Return the encoding of a CSV sample: BOM, strict UTF-8, then a guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a character fails only at its very end.
        if exc.start >= len(sample) - 3:
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:200_000]).best()
    name = best.encoding if best is not None else "cp1251"
    # GB2312 and GBK are subsets of GB18030; decode with the superset.
    if name in ("gb2312", "gbk", "hz", "big5"):
        return "gb18030" if name != "big5" else name
    return name


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip() != ""]
    if not lines:
        return ","
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=_CSV_DELIMITERS)
        return dialect.delimiter
    except csv.Error:
        pass
    # Fall back to the delimiter that splits the header most often and
    # consistently; a single column has none.
    header = lines[0]
    counts = {d: header.count(d) for d in _CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _open_csv(path: Path, encoding: str | None) -> TableSource:
    with path.open("rb") as fh:
        sample = fh.read(_SAMPLE_BYTES)
    enc = encoding if encoding is not None else detect_encoding(sample)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise InputError(f"Unknown encoding {enc!r} (--encoding)") from None
    try:
        text = sample.decode(enc, errors="strict")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:
            raise InputError(
                f"{path.name} is not valid {enc} text (byte {exc.start}); "
                "give the encoding with --encoding"
            ) from None
        text = sample[: exc.start].decode(enc, errors="strict")
    text = text.lstrip("\ufeff")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    for record in reader:
        if record:
            header = record
            break
    if header is None or all(h.strip() == "" for h in header):
        raise InputError(f"{path.name} has no header row")
    names, issues = unique_headers(header)
    return TableSource(
        path=path,
        format="csv",
        headers=header,
        columns=names,
        issues=issues,
        encoding=enc,
        delimiter=delimiter,
    )


def _utf8_copy(source: TableSource) -> Path:
    """Transcode a non-UTF-8 CSV to a temporary UTF-8 file (streamed)."""
    if source._utf8_path is not None:
        return source._utf8_path
    enc = source.encoding or "utf-8"
    fd, name = tempfile.mkstemp(prefix="tracker-", suffix=".csv")
    with (
        os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
        source.path.open(encoding=enc, errors="strict", newline="") as src,
    ):
        try:
            while True:
                block = src.read(1 << 22)
                if block == "":
                    break
                out.write(block.lstrip("\ufeff") if out.tell() == 0 else block)
        except UnicodeDecodeError as exc:
            Path(name).unlink(missing_ok=True)
            raise InputError(
                f"{source.path.name} is not valid {enc} text ({exc.reason}); "
                "give the encoding with --encoding"
            ) from None
    source._utf8_path = Path(name)
    return source._utf8_path


def _iter_csv(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    enc = (source.encoding or "utf-8").replace("_", "-").lower()
    path = source.path if enc in ("utf-8", "utf8", "utf-8-sig") else None
    if path is None:
        path = _utf8_copy(source)
    try:
        chunks = _iter_csv_duckdb(source, path, chunk_rows)
        first = next(chunks, None)
    except Exception:  # noqa: BLE001 - any parser complaint: use the careful reader
        first, chunks = None, iter(())
        fast_failed = True
    else:
        fast_failed = first is None and _has_data_rows(path)
    if not fast_failed and first is not None:
        yield first
        done = first.num_rows
        try:
            for chunk in chunks:
                yield chunk
                done += chunk.num_rows
            return
        except Exception:  # noqa: BLE001 - a bad record further down
            # The rows yielded so far are a correct prefix (DuckDB keeps file
            # order); the careful reader takes over after them.
            yield from _iter_csv_python(source, path, chunk_rows, skip=done)
            return
    if first is None and not fast_failed:
        return
    yield from _iter_csv_python(source, path, chunk_rows)


def _has_data_rows(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        lines = 0
        for line in fh:
            if line.strip() != "":
                lines += 1
                if lines > 1:
                    return True
    return False


def _iter_csv_duckdb(
    source: TableSource, path: Path, chunk_rows: int
) -> Iterator[pa.Table]:
    import duckdb

    n = len(source.columns)
    # Half the cores parse: the screening threads and the writer need the
    # rest (on 2 cores, 2 DuckDB threads only slowed the whole pipeline).
    con = duckdb.connect(config={"threads": max(1, (os.cpu_count() or 2) // 2)})
    spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n))
    select = ", ".join(f"coalesce(c{i}, '') AS c{i}" for i in range(n))
    # Every setting is given, so DuckDB's sniffer never guesses (it would
    # otherwise treat lines starting with '#' as comments).
    sql = (
        f"SELECT {select} FROM read_csv({_sql_str(str(path))}, header = false, "
        f"skip = {_header_skip(path, source)}, "
        f"delim = {_sql_str(source.delimiter or ',')}, quote = '\"', escape = '\"', "
        f"columns = {{{spec}}}, auto_detect = false, strict_mode = true)"
    )
    # Empty cells come back as NULL; the table promises "".
    rel: Any = con.sql(sql)
    # DuckDB >= 1.4 names it to_arrow_reader; older releases fetch_record_batch.
    fetch = getattr(rel, "to_arrow_reader", None) or rel.fetch_record_batch
    reader = fetch(chunk_rows)
    row = source.header_row + 1
    try:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            table = pa.Table.from_batches([batch]).rename_columns(source.columns)
            yield _with_rows(table, row)
            row += batch.num_rows
    finally:
        con.close()


def _sql_str(text: str) -> str:
    """Quote text as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _header_skip(path: Path, source: TableSource) -> int:
    """Physical lines before the first data record (blank lines + header)."""
    skip = 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for line in fh:
            skip += 1
            if line.strip() != "":
                break
    return skip


def _with_rows(table: pa.Table, first_row: int) -> pa.Table:
    import numpy as np

    rows = pa.array(np.arange(first_row, first_row + table.num_rows, dtype="int64"))
    return table.append_column("tracker_row", rows)


def _iter_csv_python(
    source: TableSource, path: Path, chunk_rows: int, skip: int = 0
) -> Iterator[pa.Table]:
    """Read with the csv module (ragged rows allowed); ``skip`` data records."""
    n = len(source.columns)
    single = n == 1
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=source.delimiter or ",")
        for record in reader:  # the header
            if record:
                break
        out = _RowBuffer(source.columns)
        row = source.header_row
        for record in reader:
            if not record:
                if not single:
                    continue
                record = [""]
            row += 1
            if skip > 0:
                skip -= 1
                continue
            if len(record) < n:
                source.issues.append(
                    RowIssue(
                        "row-short",
                        row,
                        None,
                        None,
                        f"row {row} has {len(record)} fields, the header {n}: "
                        "missing cells read as empty",
                    )
                )
                record = record + [""] * (n - len(record))
            elif len(record) > n:
                extra = record[n:]
                source.issues.append(
                    RowIssue(
                        "row-long",
                        row,
                        None,
                        (source.delimiter or ",").join(extra),
                        f"row {row} has {len(record)} fields, the header {n}: "
                        "the extra cells are not screened (value shows them)",
                    )
                )
                record = record[:n]
            out.append(record, row)
            if len(out) >= chunk_rows:
                yield out.take()
        if len(out):
            yield out.take()


class _RowBuffer:
    """Text cells gathered row by row, taken as Arrow tables with tracker_row."""

    def __init__(self, names: list[str]) -> None:
        self.names = [*names, "tracker_row"]
        self._cells: list[list[str]] = [[] for _ in names]
        self._rows: list[int] = []

    def __len__(self) -> int:
        return len(self._rows)

    def append(self, cells: list[str], row: int) -> None:
        """Add one row (``cells`` holds at least one cell per column)."""
        for column, cell in zip(self._cells, cells, strict=False):
            column.append(cell)
        self._rows.append(row)

    def take(self) -> pa.Table:
        """Return the rows gathered so far and start again empty."""
        arrays = [pa.array(col, type=pa.string()) for col in self._cells]
        arrays.append(pa.array(self._rows, type=pa.int64()))
        self._cells = [[] for _ in self._cells]
        self._rows = []
        return pa.Table.from_arrays(arrays, names=self.names)


# --------------------------------------------------------------------------
# XLSX


def _load_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        # data_only=False: formulas are read as their text, never evaluated.
        return load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise InputError(
            f"{path.name} is not a readable XLSX workbook (truncated or corrupt: "
            f"{type(exc).__name__})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad XML
        raise InputError(
            f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None


def cell_text(value: Any) -> str:
    """Return a cell value as the text it shows (numbers without '.0' noise kept).

    Integers print as digits, floats with Python's repr (``8542310000.0``), so
    the screening can see float artefacts; dates as ISO text; None as "".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def _header_of(ws: Any) -> tuple[int, list[str]] | None:
    for idx, row in enumerate(ws.iter_rows(values_only=True, max_row=50), start=1):
        cells = [cell_text(v) for v in row]
        if any(c.strip() != "" for c in cells):
            while cells and cells[-1].strip() == "":
                cells.pop()
            return idx, cells
    return None


def _open_xlsx(path: Path, sheet: str | None) -> TableSource:
    wb = _load_workbook(path)
    try:
        names = list(wb.sheetnames)
        issues: list[RowIssue] = []
        if sheet is not None:
            if sheet not in names:
                raise InputError(
                    f"{path.name} has no sheet {sheet!r}; sheets: {_show(names)}"
                )
            chosen = sheet
            found = _header_of(wb[sheet])
        else:
            chosen, found = None, None
            candidates: list[tuple[str, tuple[int, list[str]]]] = []
            for name in names:
                head = _header_of(wb[name])
                if head is not None:
                    candidates.append((name, head))
            for name, head in candidates:
                unique, _ = unique_headers(head[1])
                try:
                    detect_columns(unique)
                except InputError:
                    continue
                chosen, found = name, head
                break
            if chosen is None and candidates:
                chosen, found = candidates[0]
            if chosen is None:
                chosen = names[0]
            for name, _head in candidates:
                if name != chosen:
                    issues.append(
                        RowIssue(
                            "sheet-skipped",
                            None,
                            None,
                            name,
                            f"sheet {name!r} was not screened (screened {chosen!r}; "
                            "use --sheet to choose)",
                        )
                    )
        if found is None:
            raise InputError(f"{path.name} sheet {chosen!r} has no header row")
        header_row, header = found
        columns, header_issues = unique_headers(header)
        for issue in header_issues:
            issues.append(
                RowIssue(
                    issue.code, header_row, issue.column, issue.value, issue.message
                )
            )
    finally:
        wb.close()
    return TableSource(
        path=path,
        format="xlsx",
        headers=header,
        columns=columns,
        issues=issues,
        sheet=chosen,
        header_row=header_row,
    )


def _iter_xlsx(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    wb = _load_workbook(source.path)
    n = len(source.columns)
    try:
        ws = wb[source.sheet]
        out = _RowBuffer(source.columns)
        row = source.header_row
        blank_run: list[int] = []
        try:
            for values in ws.iter_rows(min_row=source.header_row + 1, values_only=True):
                row += 1
                cells = [cell_text(v) for v in values[:n]]
                extra = [cell_text(v) for v in values[n:]]
                if any(c != "" for c in extra):
                    source.issues.append(
                        RowIssue(
                            "row-long",
                            row,
                            None,
                            "; ".join(e for e in extra if e != ""),
                            f"row {row} has cells right of the last header column: "
                            "they are not screened (value shows them)",
                        )
                    )
                if all(c.strip() == "" for c in cells):
                    # Trailing empty rows are formatting, not data; empty rows
                    # between data rows are kept (added when data follows).
                    blank_run.append(row)
                    continue
                for blank in blank_run:
                    out.append([""] * n, blank)
                blank_run = []
                cells += [""] * (n - len(cells))
                out.append(cells, row)
                if len(out) >= chunk_rows:
                    yield out.take()
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - corrupt sheet XML
            raise InputError(
                f"{source.path.name} is not a readable XLSX workbook (sheet "
                f"{source.sheet!r} is corrupt near row {row}: {type(exc).__name__})"
            ) from None
        if len(out):
            yield out.take()
    finally:
        wb.close()


# --------------------------------------------------------------------------
# Parquet


def _open_parquet(path: Path) -> TableSource:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} is not a readable Parquet file: {exc}") from None
    header = list(meta.schema_arrow.names)
    columns, issues = unique_headers(header)
    return TableSource(
        path=path,
        format="parquet",
        headers=header,
        columns=columns,
        issues=issues,
        row_count=meta.metadata.num_rows,
    )


def _as_text(array: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    import pyarrow.compute as pc

    typ = array.type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        out = array
    elif pa.types.is_floating(typ):
        # Python's repr keeps float artefacts visible (8542310000.0).
        out = pa.array(
            [None if v is None else repr(v) for v in array.to_pylist()],
            type=pa.string(),
        )
    elif pa.types.is_dictionary(typ):
        return _as_text(array.cast(typ.value_type))
    else:
        out = pc.cast(array, pa.string())
    return pc.fill_null(out.cast(pa.string()), "")


def text_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return a column of text cells as one Arrow array, with nulls as ""."""
    import pyarrow.compute as pc

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if arr.null_count == 0:
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    out = pc.fill_null(arr, "")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _iter_parquet(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(source.path)
    row = source.header_row + 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        arrays = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        table = pa.Table.from_arrays(arrays, names=source.columns)
        yield _with_rows(table, row)
        row += batch.num_rows
