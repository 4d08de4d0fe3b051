"""The DataFrame API of the screening kernel: screen_frame and screen_pandas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from tracker.catalog import Catalog
from tracker.exc import InputError
from tracker.readers import ColumnMapping, RowIssue
from tracker.screen_kernel import ADDED_COLUMNS, Screener, plain_strings
from tracker.screening_summary import ScreeningSummary

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class ScreeningResult:
    """The screened rows (input columns untouched, tracker_* added) and the summary."""

    frame: pd.DataFrame
    summary: ScreeningSummary

    @property
    def issues(self) -> list[RowIssue]:
        """Problems found in the input (first 10,000 row issues)."""
        return self.summary.all_issues()


def _to_arrow(df: pd.DataFrame, columns: ColumnMapping, first_row: int) -> pa.Table:
    """The mapped columns of ``df`` as Arrow text, plus ``tracker_row``."""
    import pandas as pd

    arrays = []
    names = []
    for name in dict.fromkeys(c for c in columns.roles().values() if c is not None):
        if name not in df.columns:
            raise InputError(f"No column {name!r} in the DataFrame")
        series = df[name]
        text = series.astype(object).where(series.notna(), "").astype(str)
        arrays.append(pa.array(text.astype(object), type=pa.string()))
        names.append(name)
    if "tracker_row" in df.columns:
        rows = pd.to_numeric(df["tracker_row"]).astype("int64").to_numpy()
    else:
        rows = np.arange(first_row, first_row + len(df), dtype=np.int64)
    arrays.append(pa.array(rows, type=pa.int64()))
    names.append("tracker_row")
    return pa.Table.from_arrays(arrays, names=names)


def screen_pandas(
    screener: Screener, df: pd.DataFrame, columns: ColumnMapping, first_row: int = 2
) -> tuple[pd.DataFrame, pa.Table]:
    """Screen ``df`` and return (df's columns untouched + tracker_*, kernel output).

    The input columns are copied as they are (values and dtypes); only the
    mapped columns are read, as text.
    """
    import pandas as pd

    out = screener.screen(_to_arrow(df, columns, first_row), columns)
    added = plain_strings(out.select(list(ADDED_COLUMNS))).to_pandas()
    added.index = df.index
    base = df.drop(columns=["tracker_row"]) if "tracker_row" in df.columns else df
    return pd.concat([base.copy(), added], axis=1), out


def screen_frame(
    df: pd.DataFrame,
    catalog: Catalog,
    *,
    columns: ColumnMapping,
    destination: str | None = None,
    as_of: dt.date | None = None,
    first_row: int = 2,
    screener: Screener | None = None,
) -> ScreeningResult:
    """Screen a DataFrame of text cells; every row comes out, in order.

    Args:
        df: the rows (not modified). Mapped columns should hold text; a
            ``tracker_row`` column, if present, gives the row numbers.
        catalog: the loaded catalogue.
        columns: which column holds the code, description, destination, date.
        destination: ISO alpha-2 for rows without a destination (None: every
            list applies).
        as_of: date for rows without a date (None: today).
        first_row: row number of the first row when ``df`` has no
            ``tracker_row`` (2 = the row below a header).
        screener: a prepared ``Screener`` to reuse (faster across calls).

    Returns:
        ``ScreeningResult``: ``frame`` = ``df``'s columns untouched plus
        ``ADDED_COLUMNS``; ``summary`` = counts and issues.

    Example:
        >>> from tracker import load_catalog  # doctest: +SKIP
        >>> res = screen_frame(df, load_catalog(), columns=ColumnMapping(code="HS"))
        >>> res.frame["tracker_status"].value_counts()  # doctest: +SKIP
    """
    scr = (
        screener
        if screener is not None
        else Screener(catalog, destination=destination, as_of=as_of)
    )
    summary = ScreeningSummary()
    frame, out = screen_pandas(scr, df, columns, first_row)
    scr.account(out, columns, summary)
    return ScreeningResult(frame=frame, summary=summary)
