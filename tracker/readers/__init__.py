"""Read trade spreadsheets (CSV/TSV, XLSX, Parquet) as text, with column mapping."""

from tracker.readers.columns import (
    ADDED_PREFIX,
    CODE_SHARE,
    COLUMN_ALIASES,
    ROLE_FLAGS,
    ColumnMapping,
    detect_columns,
    header_key,
    header_words,
    unique_headers,
)

# Used by tracker.distributed and the tests.
from tracker.readers.csv_reader import _header_skip as _header_skip
from tracker.readers.csv_reader import _iter_csv_arrow as _iter_csv_arrow
from tracker.readers.csv_reader import _iter_csv_python as _iter_csv_python
from tracker.readers.csv_reader import _utf8_copy as _utf8_copy
from tracker.readers.issues import IssueCode, RowIssue
from tracker.readers.opening import detect_format, map_columns, open_table, read_table
from tracker.readers.parquet_reader import _as_text as _as_text
from tracker.readers.source import Table, TableFormat, TableSource, text_array
from tracker.readers.xlsx_reader import cell_text

__all__ = [
    "ADDED_PREFIX",
    "CODE_SHARE",
    "COLUMN_ALIASES",
    "ROLE_FLAGS",
    "ColumnMapping",
    "IssueCode",
    "RowIssue",
    "Table",
    "TableFormat",
    "TableSource",
    "cell_text",
    "detect_columns",
    "detect_format",
    "header_key",
    "header_words",
    "map_columns",
    "open_table",
    "read_table",
    "text_array",
    "unique_headers",
]
