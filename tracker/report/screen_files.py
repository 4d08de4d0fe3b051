"""Write screened rows to CSV, JSON and Parquet, chunk by chunk, atomically."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO

import pyarrow as pa
import pyarrow.compute as pc

#: Text starting with one of these is a formula to spreadsheet programs
#: (OWASP CSV injection guidance); tab and carriage return too.
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralize_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix an apostrophe to every string that a spreadsheet would run.

    Same rule as ``tracker.report.console.neutralize``, vectorised.
    """
    if pa.types.is_dictionary(arr.type):
        # Neutralise the distinct values only.
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        fixed = [
            pa.DictionaryArray.from_arrays(c.indices, neutralize_array(c.dictionary))
            for c in chunks
        ]
        return pa.chunked_array(fixed, type=arr.type)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr
    risky = pc.fill_null(pc.match_substring_regex(arr, _FORMULA_START), False)
    if not pc.any(risky).as_py():
        return arr
    return pc.if_else(risky, pc.binary_join_element_wise("'", arr, ""), arr)


def neutralize_table(table: pa.Table) -> pa.Table:
    """Neutralise every string column of ``table`` (see ``neutralize_array``)."""
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        new = neutralize_array(col)
        if new is not col:
            table = table.set_column(i, name, new)
    return table


def temp_beside(path: Path) -> Path:
    """Return a new temporary file in ``path``'s folder (for os.replace).

    mkstemp creates the file 0600; it gets the mode a new file would get
    (0644 under umask 022), so that the renamed output is like any other file.

    The file is new and empty: write it in append mode, not truncating it.
    On ext4 a file truncated by its opening ("w") has all its data flushed
    to disk when it is closed (``auto_da_alloc``): 0.1 s for the Parquet of
    5M screened rows, for nothing, as the renamed file is flushed anyway
    when it replaces an existing one.
    """
    fd, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path(".")
    )
    os.close(fd)
    os.chmod(name, 0o666 & ~current_umask())
    return Path(name)


def current_umask() -> int:
    """Return the process umask (read by setting it and putting it back)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


class RowSink(Protocol):
    """Something screened chunks are written to, in order."""

    path: Path

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class CsvSink:
    """CSV (UTF-8, comma, header = the table's column names), formula-safe.

    The file appears under its name only when ``close`` succeeds.
    """

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self._tmp = temp_beside(path)
        self._fh = self._tmp.open("ab")  # (new and empty: see temp_beside)
        # The header is written by the csv module so that duplicate or odd
        # names are quoted exactly like data.
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow([_neutral(c) for c in columns])
        self._fh.write(header.getvalue().encode("utf-8"))
        self._columns = columns

    def write(self, table: pa.Table) -> None:
        import pyarrow.csv as pacsv

        from tracker.screening import plain_strings

        safe = plain_strings(neutralize_table(table))
        # Arrow needs unique names; the header is already written.
        safe = safe.rename_columns([f"c{i}" for i in range(safe.num_columns)])
        buf = pa.BufferOutputStream()
        pacsv.write_csv(
            safe,
            buf,
            write_options=pacsv.WriteOptions(
                include_header=False, quoting_style="needed"
            ),
        )
        # Arrow writes UTF-8: the bytes go to the file as they are.
        self._fh.write(memoryview(buf.getvalue()))

    def close(self) -> None:
        self._fh.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)


def _neutral(value: str) -> str:
    from tracker.report.console import neutralize

    out: str = neutralize(value)
    return out


class JsonSink:
    """A JSON array with one object per row (column name -> value), UTF-8.

    JSON is data, not a spreadsheet: values are written as they are. With
    ``stream`` the array goes there (stdout); otherwise to ``path``, which
    appears only when ``close`` succeeds.
    """

    def __init__(self, path: Path | None, stream: TextIO | None = None) -> None:
        self.path = path if path is not None else Path("-")
        self._tmp: Path | None = None
        if stream is None:
            self._tmp = temp_beside(self.path)
            # (new and empty: appended to, see temp_beside)
            stream = self._tmp.open("a", encoding="utf-8", newline="\n")
        self._fh = stream
        self._fh.write("[")
        self._first = True

    def write(self, table: pa.Table) -> None:
        import json

        from tracker.screening import plain_strings

        names = table.column_names
        for row in plain_strings(table).to_pylist():
            self._fh.write("\n" if self._first else ",\n")
            self._first = False
            self._fh.write(json.dumps({n: row[n] for n in names}, ensure_ascii=False))

    def close(self) -> None:
        self._fh.write("\n]\n" if not self._first else "]\n")
        if self._tmp is None:
            self._fh.flush()
            return
        self._fh.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._tmp is not None:
            self._fh.close()
            self._tmp.unlink(missing_ok=True)


class ParquetSink:
    """Parquet with the table's schema. Values are stored as they are.

    Parquet is data, not a spreadsheet: formula-like text is kept raw (a tool
    that turns it into a spreadsheet must neutralise it).
    """

    def __init__(self, path: Path, schema: pa.Schema | None = None) -> None:
        self.path = path
        self._tmp = temp_beside(path)
        self._writer: Any = None
        self._stream: Any = None
        self._schema = schema

    def write(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            # The kernel fills every tracker_* cell: stored as required
            # columns they need no definition levels (a sixth less time to
            # write). Input columns keep their nulls.
            self._schema = pa.schema(
                [
                    f.with_nullable(False) if f.name.startswith("tracker_") else f
                    for f in table.schema
                ]
            )
            # store_schema=False: readers see plain text columns, not the
            # dictionary encoding used in memory.
            # Dictionary pages only for the low-cardinality tracker_* texts and
            # statistics only for the row number: twice as fast to write as
            # the defaults, for a slightly larger file.
            # Input columns the kernel returns dictionary-encoded (destination,
            # date, description) are written with their dictionaries too.
            low = [
                f.name
                for f in table.schema
                if (
                    f.name.startswith("tracker_")
                    and f.name not in ("tracker_row", "tracker_code")
                )
                or pa.types.is_dictionary(f.type)
            ]
            # Row numbers count up one by one: as deltas they take no room
            # (20 MB of 5M rows before) and half the time to write.
            rows = (
                {"tracker_row": "DELTA_BINARY_PACKED"}
                if "tracker_row" in table.schema.names
                else None
            )
            from pyarrow import fs

            # (new and empty: appended to, see temp_beside; Parquet is
            # written front to back)
            self._stream = fs.LocalFileSystem().open_append_stream(str(self._tmp))
            self._writer = pq.ParquetWriter(
                self._stream,
                self._schema,
                store_schema=False,
                use_dictionary=low,
                compression="lz4",
                write_statistics=["tracker_row"],
                column_encoding=rows,
            )
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            schema = self._schema if self._schema is not None else pa.schema([])
            pq.write_table(schema.empty_table(), str(self._tmp))
        else:
            self._writer.close()
            self._stream.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            with contextlib.suppress(Exception):
                self._stream.close()
        self._tmp.unlink(missing_ok=True)


class Sinks:
    """Several sinks driven together from a background thread, in order.

    Writing (Parquet encoding, CSV formatting) releases the GIL, so it runs
    while the next chunk is screened. Every sink is aborted if one fails.
    """

    def __init__(self, sinks: list[RowSink], depth: int = 2) -> None:
        import queue
        import threading

        self.sinks = sinks
        self._queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="tracker-writer", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        while True:
            table = self._queue.get()
            if table is None:
                return
            if self._error is not None:
                continue
            try:
                for sink in self.sinks:
                    sink.write(table)
            except BaseException as exc:  # noqa: BLE001 - re-raised by write/finish
                self._error = exc

    def write(self, table: pa.Table) -> None:
        """Queue a chunk; raise the writer's error, if any."""
        if self._error is not None:
            raise self._error
        self._queue.put(table)

    def finish(self) -> None:
        """Wait for every queued chunk and close the sinks (files appear)."""
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        for sink in self.sinks:
            sink.close()

    def __enter__(self) -> Sinks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            if self._thread.is_alive():
                self._queue.put(None)
                self._thread.join()
            for sink in self.sinks:
                with contextlib.suppress(Exception):
                    sink.abort()
