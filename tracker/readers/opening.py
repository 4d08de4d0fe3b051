"""Opening files: format detection, standard input, read_table."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from tracker.exc import InputError, shown
from tracker.readers.columns import ColumnMapping, detect_columns
from tracker.readers.csv_reader import _open_csv
from tracker.readers.parquet_reader import _open_parquet
from tracker.readers.source import Table, TableFormat, TableSource
from tracker.readers.xlsx_reader import _open_xlsx

_XLSX_MAGIC = b"PK\x03\x04"
_PARQUET_MAGIC = b"PAR1"


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
    import pandas as pd  # half a second to import: only for a whole DataFrame

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
