"""CSV/TSV: delimiter sniffing, UTF-8 copies, DuckDB reading and the csv-module fallback."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from tracker.decoding import detect_encoding
from tracker.exc import InputError
from tracker.readers.columns import unique_headers
from tracker.readers.issues import RowIssue
from tracker.readers.source import TableSource, _RowBuffer, _with_rows

_CSV_DELIMITERS = ",;\t|"
_SAMPLE_BYTES = 1 << 20


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
    enc = encoding if encoding is not None else detect_encoding(sample, name=path.name)
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
        reader=_iter_csv,
        sampler=_sample_csv,
        path=path,
        format="csv",
        headers=header,
        columns=names,
        issues=issues,
        encoding=enc,
        delimiter=delimiter,
    )


#: One transcoding at a time: the sample and the reader thread may both ask.
_COPY_LOCK = threading.Lock()


def _utf8_copy(source: TableSource) -> Path:
    """Transcode a non-UTF-8 CSV to a temporary UTF-8 file (streamed), once."""
    with _COPY_LOCK:
        if source._utf8_path is None:
            source._utf8_path = _transcode(source)
        return source._utf8_path


def _transcode(source: TableSource) -> Path:
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
    return Path(name)


def _utf8_path(source: TableSource) -> Path:
    """The file itself if it is UTF-8, else its UTF-8 copy."""
    enc = (source.encoding or "utf-8").replace("_", "-").lower()
    if enc in ("utf-8", "utf8", "utf-8-sig"):
        return source.path
    return _utf8_copy(source)


def _sample_csv(source: TableSource, rows: int) -> pa.Table | None:
    """The first ``rows`` data rows, read by the csv module.

    A sample needs a few thousand rows: starting DuckDB's parallel reader for
    them costs more than reading them (0.3 s against a few ms). Cells of a
    well-formed file are read alike by both; a malformed file is read by the
    csv module anyway. Its issues are not the source's (the whole read reports
    them, maybe at the same time in another thread).
    """
    chunks = _iter_csv_python(source, _utf8_path(source), rows, issues=[])
    try:
        return next(chunks, None)
    finally:
        chunks.close()


def _iter_csv(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    path = _utf8_path(source)
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
    # tracker shows its own progress (or none with --quiet); a connection
    # setting (DuckDB refuses it as a global option in connect's config)
    con.execute("SET enable_progress_bar = false")
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


def _iter_csv_python(
    source: TableSource,
    path: Path,
    chunk_rows: int,
    skip: int = 0,
    issues: list[RowIssue] | None = None,
) -> Generator[pa.Table, None, None]:
    """Read with the csv module (ragged rows allowed); ``skip`` data records.

    Ragged rows are reported to ``issues`` (default: the source's).
    """
    found = source.issues if issues is None else issues
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
                found.append(
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
                found.append(
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
