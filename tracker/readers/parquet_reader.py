"""Parquet: schema as header, columns cast to text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from tracker.exc import InputError
from tracker.readers.columns import unique_headers
from tracker.readers.source import TableSource, _with_rows


def _open_parquet(path: Path) -> TableSource:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} is not a readable Parquet file: {exc}") from None
    header = list(meta.schema_arrow.names)
    columns, issues = unique_headers(header)
    return TableSource(
        reader=_iter_parquet,
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


def _iter_parquet(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(source.path)
    row = source.header_row + 1
    for batch in pf.iter_batches(batch_size=chunk_rows):
        arrays = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        table = pa.Table.from_arrays(arrays, names=source.columns)
        yield _with_rows(table, row)
        row += batch.num_rows
