"""CSV/TSV: delimiter sniffing, UTF-8 copies, Arrow's CSV reader and the csv-module fallback."""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import pyarrow as pa

from tracker.decoding import detect_encoding
from tracker.exc import InputError
from tracker.readers.columns import unique_headers
from tracker.readers.issues import RowIssue
from tracker.readers.source import TableSource, _RowBuffer, _with_rows

_CSV_DELIMITERS = ",;\t|"
#: Bytes Arrow's CSV reader parses at a time (a record may not be longer).
_ARROW_BLOCK = 4 << 20
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
    # newline="": a line may end in \r alone (old Mac files), as in the reads
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    try:
        for record in reader:
            if record:
                header = record
                break
    except csv.Error as exc:
        raise InputError(
            f"{path.name}: the header row cannot be read ({exc})"
        ) from None
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

    A sample needs a few thousand rows, a few ms for the csv module, while
    Arrow parses a block of several MB at a time. Cells of a well-formed file
    are read alike by both; a malformed file is read by the csv module anyway.
    Its issues are not the source's (the whole read reports them, maybe at
    the same time in another thread).
    """
    chunks = _iter_csv_python(source, _utf8_path(source), rows, issues=[])
    try:
        return next(chunks, None)
    finally:
        chunks.close()


def _iter_csv(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    path = _utf8_path(source)
    try:
        chunks = _iter_csv_arrow(source, path, chunk_rows)
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
            # The rows yielded so far are a correct prefix (Arrow keeps file
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


def _iter_csv_arrow(
    source: TableSource, path: Path, chunk_rows: int
) -> Iterator[pa.Table]:
    """Read with Arrow's streaming CSV reader, ``chunk_rows`` rows a table.

    Arrow parses without the GIL, in blocks of a few MB, while the rows
    already read are screened. Every setting is given (no type inference:
    every cell is text; "" for an empty cell), so it reads a well-formed file
    cell for cell as the csv module does; a record with another number of
    cells than the header, a quote left open or bytes that are not UTF-8 make
    it raise, and the caller lets the csv module read on from there.
    """
    import pyarrow.csv as pacsv

    n = len(source.columns)
    names = [f"c{i}" for i in range(n)]
    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(
            use_threads=False,
            block_size=_ARROW_BLOCK,
            skip_rows=_header_skip(path, source),
            column_names=names,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=source.delimiter or ",",
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            # As the csv module is read: a blank line is no record, except in
            # a one-column file, where it is an empty cell.
            ignore_empty_lines=n > 1,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    row = source.header_row + 1
    pending: list[pa.RecordBatch] = []
    held = 0

    def take(count: int) -> pa.Table:
        nonlocal pending, held, row
        table = pa.Table.from_batches(pending)
        rest = table.slice(count)
        # one chunk per column, as the kernel expects of a table
        out = table.slice(0, count).combine_chunks().rename_columns(source.columns)
        pending = rest.to_batches()
        held -= count
        first, row = row, row + count
        return _with_rows(out, first)

    for batch in reader:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        held += batch.num_rows
        while held >= chunk_rows:
            yield take(chunk_rows)
    if held:
        yield take(held)


def _header_skip(path: Path, source: TableSource) -> int:
    """Physical lines before the first data record (empty lines + header).

    An empty line is one the csv module reads as no record (nothing but its
    line break); a byte-order mark before it does not count.
    """
    skip = 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for line in fh:
            skip += 1
            if line.lstrip("\ufeff") not in ("", "\n", "\r\n", "\r"):
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
    try:
        yield from _read_csv_python(source, path, chunk_rows, skip, issues)
    except csv.Error as exc:
        # (a cell longer than the csv module's limit, a NUL byte ...)
        raise InputError(
            f"{source.path.name}: a record cannot be read ({exc})"
        ) from None


def _read_csv_python(
    source: TableSource,
    path: Path,
    chunk_rows: int,
    skip: int,
    issues: list[RowIssue] | None,
) -> Generator[pa.Table, None, None]:
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
