"""Run the screening kernel on Dask (partitioned CSV/Parquet, local or a cluster).

Every partition goes through the same kernel as the local engine
(``tracker.screening.Screener.screen``), so the results are identical. Dask is
an optional dependency (``pip install "tracker[dask]"``) imported only here.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from tracker.catalog import Catalog, load_catalog
from tracker.exc import InputError
from tracker.readers import ColumnMapping, TableSource
from tracker.screening import ADDED_COLUMNS, Screener, screen_pandas
from tracker.screening_summary import ScreeningSummary


def _import_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - depends on the install
        raise InputError(
            'the dask engine needs Dask: pip install "tracker[dask]"'
        ) from None
    return dd


@functools.cache
def _screener(root: Path, destination: str | None, as_of: dt.date | None) -> Screener:
    # One prepared screener per worker process (the catalogue loads once).
    return Screener(load_catalog(root), destination=destination, as_of=as_of)


def _screen_partition(
    df: Any,
    root: Path,
    columns: ColumnMapping,
    destination: str | None,
    as_of: dt.date | None,
) -> Any:
    frame, _ = screen_pandas(_screener(root, destination, as_of), df, columns)
    return frame


def _meta(columns: list[str]) -> Any:
    import pandas as pd

    data: dict[str, Any] = {c: pd.Series([], dtype=object) for c in columns}
    for name in ADDED_COLUMNS:
        data[name] = pd.Series([], dtype="int64" if name == "tracker_row" else object)
    return pd.DataFrame(data)


def screen_dask(
    ddf: Any,
    catalog: Catalog,
    *,
    columns: ColumnMapping,
    destination: str | None = None,
    as_of: dt.date | None = None,
    first_row: int = 2,
) -> Any:
    """Screen a Dask DataFrame of text cells, partition by partition.

    Args:
        ddf: ``dask.dataframe.DataFrame`` whose cells are text ("" for empty).
            Without a ``tracker_row`` column, rows are numbered from
            ``first_row`` in partition order (this computes partition lengths).
        catalog: the loaded catalogue; workers load the same datasets folder
            (``catalog.path`` must be readable by them).
        columns: the column mapping (see ``tracker.readers.detect_columns``).
        destination: ISO alpha-2 for rows without a destination cell.
        as_of: date for rows without a date cell (None: today).
        first_row: row number of the first row.

    Returns:
        A lazy Dask DataFrame: the input columns plus the tracker_* columns.

    Example:
        >>> import dask.dataframe as dd  # doctest: +SKIP
        >>> ddf = dd.read_csv("parts/*.csv", dtype=str, keep_default_na=False)
        >>> out = screen_dask(ddf, load_catalog(), columns=ColumnMapping(code="HS"))
        >>> out.to_parquet("screened/")
    """
    if "tracker_row" not in ddf.columns:
        ddf = with_row_numbers(ddf, first_row)
    data_columns = [c for c in ddf.columns if c != "tracker_row"]
    if as_of is None:
        as_of = dt.date.today()  # fixed once, so every worker agrees
    return ddf.map_partitions(
        _screen_partition,
        catalog.path,
        columns,
        destination,
        as_of,
        meta=_meta(data_columns),
        align_dataframes=False,
    )


def with_row_numbers(ddf: Any, first_row: int = 2) -> Any:
    """Add ``tracker_row`` (int64) numbering rows across partitions in order."""
    lengths = ddf.map_partitions(len).compute()
    offsets = np.concatenate([[0], np.cumsum(list(lengths))[:-1]]) + first_row

    def number(df: Any, partition_info: Any = None) -> Any:
        start = int(offsets[partition_info["number"]]) if partition_info else first_row
        out = df.copy()
        out["tracker_row"] = np.arange(start, start + len(df), dtype="int64")
        return out

    meta = ddf._meta.copy()
    meta["tracker_row"] = np.array([], dtype="int64")
    return ddf.map_partitions(number, meta=meta)


def read_dask(source: TableSource, *, blocksize: str | int = "64MB") -> Any:
    """Open a CSV or Parquet file as a Dask DataFrame of text, numbered rows.

    Raises:
        InputError: the file is an XLSX workbook (use the local engine).
    """
    dd = _import_dask()
    if source.format == "xlsx":
        raise InputError(
            f"{source.path.name}: the dask engine reads CSV and Parquet; "
            "use --engine local for XLSX"
        )
    if source.format == "parquet":
        ddf = dd.read_parquet(str(source.path))
        ddf.columns = source.columns
        ddf = ddf.map_partitions(_as_text_frame, meta=_text_meta(source.columns))
    else:
        from tracker.readers import _header_skip

        path = source.path
        enc = (source.encoding or "utf-8").lower().replace("_", "-")
        if enc not in ("utf-8", "utf8", "utf-8-sig"):
            from tracker.readers import _utf8_copy

            path = _utf8_copy(source)
        before = _header_skip(path, source) - 1  # blank lines above the header
        ddf = dd.read_csv(
            str(path),
            sep=source.delimiter or ",",
            header=0,
            names=source.columns,
            skiprows=before if before > 0 else None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            blocksize=blocksize,
            quotechar='"',
            doublequote=True,
        )
    return with_row_numbers(ddf, source.header_row + 1)


def _text_meta(columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _as_text_frame(df: Any) -> Any:
    from tracker.readers import _as_text

    table = pa.Table.from_pandas(df, preserve_index=False)
    arrays = [_as_text(table.column(i)) for i in range(table.num_columns)]
    out = pa.Table.from_arrays(arrays, names=list(df.columns)).to_pandas()
    out.index = df.index
    return out


def _small_strings(table: pa.Table) -> pa.Table:
    """Cast large_string columns (pandas' Arrow strings) to string, as locally."""
    for i, fld in enumerate(table.schema):
        if pa.types.is_large_string(fld.type):
            table = table.set_column(i, fld.name, table.column(i).cast(pa.string()))
    return table


def iter_screened_dask(
    source: TableSource,
    catalog: Catalog,
    *,
    columns: ColumnMapping,
    destination: str | None = None,
    as_of: dt.date | None = None,
    summary: ScreeningSummary,
    scheduler: str | None = None,
    blocksize: str | int = "64MB",
) -> Iterator[pa.Table]:
    """Screen a file on Dask and yield the partitions' results in row order.

    Args:
        scheduler: address of a ``distributed`` scheduler (``tcp://host:8786``);
            None runs Dask's local threaded scheduler.
        blocksize: bytes of CSV per partition.

    The summary is rebuilt from the returned rows on the client, so it equals
    the local engine's.
    """
    client: Any = None
    if scheduler is not None:
        import distributed

        client = distributed.Client(scheduler)  # type: ignore[no-untyped-call]
    try:
        ddf = read_dask(source, blocksize=blocksize)
        screened = screen_dask(
            ddf, catalog, columns=columns, destination=destination, as_of=as_of
        )
        parts = screened.to_delayed()
        for issue in source.issues:
            summary.add_issue(issue)
        local = Screener(catalog, destination=destination, as_of=as_of)
        if client is not None:
            futures = client.compute(parts)
            results: Iterator[Any] = (f.result() for f in futures)
        else:
            results = (p.compute() for p in parts)
        for frame in results:
            table = _small_strings(pa.Table.from_pandas(frame, preserve_index=False))
            local.account(table, columns, summary)
            yield table
    finally:
        if client is not None:
            client.close()
