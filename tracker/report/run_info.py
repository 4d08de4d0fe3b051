"""How a screening ran (ScreenRunInfo), for the workbook's Summary and Sources sheets.

Kept apart from the workbook writer so that the command line can fill it in
without importing the writer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ScreenRunInfo"]


@dataclass
class ScreenRunInfo:
    """How the screening ran, for the Summary and Sources sheets."""

    input_path: Path
    input_format: str
    columns: dict[str, str | None]
    destination: str | None
    as_of: dt.date | None
    engine: str = "local"
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seconds: float = 0.0
    #: No longer set: rows beyond a sheet's limit continue on the next Rows
    #: sheet instead of going to a Parquet file beside the workbook.
    full_result: Path | None = None
