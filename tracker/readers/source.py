"""An opened input file (TableSource), a file read whole (Table), Arrow helpers."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from tracker.readers.columns import ColumnMapping
from tracker.readers.issues import RowIssue

if TYPE_CHECKING:  # pandas loads only where a whole file becomes a DataFrame
    import pandas as pd

#: Formats read_table understands.
TableFormat = Literal["csv", "xlsx", "parquet"]


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
    #: Streams the data rows (source, rows per chunk -> Arrow tables); set by the
    #: format module that opened the file.
    reader: Callable[[TableSource, int], Iterator[pa.Table]] | None = None
    #: The first rows for ``sample`` (source, rows -> table or None), where a
    #: format reads them faster than ``reader`` starts, without adding to
    #: ``issues`` (so ``reader`` may already run in another thread); None:
    #: ``reader``.
    sampler: Callable[[TableSource, int], pa.Table | None] | None = None

    def iter_chunks(self, chunk_rows: int = 200_000) -> Generator[pa.Table, None, None]:
        """Yield the data rows as Arrow tables of strings, in file order.

        Every table has the ``columns`` names plus ``tracker_row`` (int64, the
        row number a spreadsheet program shows). Empty cells are "".
        """
        # The format module that opened the file set ``reader``: this module
        # does not import the format modules (they import it).
        if self.reader is None:
            raise TypeError(f"no reader for {self.format!r} was set on {self.path}")
        yield from self.reader(self, chunk_rows)

    def sample(self, rows: int = 10_000) -> dict[str, list[str]]:
        """Return the cells of the first ``rows`` data rows, by column.

        Issues found while reading them are not kept (reading the whole
        file reports them once).
        """
        if self.sampler is not None:  # keeps its issues to itself
            first = self.sampler(self, rows)
        else:
            kept = len(self.issues)
            try:
                with contextlib.closing(self.iter_chunks(rows)) as chunks:
                    first = next(chunks, None)
            finally:
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


def _with_rows(table: pa.Table, first_row: int) -> pa.Table:
    import numpy as np

    rows = pa.array(np.arange(first_row, first_row + table.num_rows, dtype="int64"))
    return table.append_column("tracker_row", rows)


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


def text_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return a column of text cells as one Arrow array, with nulls as ""."""
    import pyarrow.compute as pc

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if arr.null_count == 0:
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    out = pc.fill_null(arr, "")
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
