"""Screen trade rows against the lists: one vectorised kernel for pandas, files and Dask.

The kernel (``Screener.screen``) works on an Arrow table of text cells. Per row
it reads the code (``tracker.cells.read_code``), the date and the destination,
then looks the code up in a prefix index built from the catalogue. Rows whose
code touches no list entry are decided without Python per row; the others are
grouped by *what decides their answer* (code length, which entry codes are its
prefixes or lie under it, the date interval between two catalogue dates, and
which lists apply to the destination) and each group is answered once with
``tracker.matching.match_code`` on a representative code and date. The answer
therefore equals ``match_code`` for every row, by construction.

The parts live in their own modules; this module is the public entry point
and re-exports them: ``tracker.screen_answer`` (per-group answers),
``tracker.screen_kernel`` (the vectorised kernel), ``tracker.screen_keywords``
(goods names in descriptions), ``tracker.screen_dataframe`` (``screen_frame``,
``screen_pandas``) and ``tracker.screen_stream`` (``iter_screened``).
"""

from __future__ import annotations

from tracker.screen_answer import STATUSES, GroupAnswer, RowStatus
from tracker.screen_dataframe import ScreeningResult, screen_frame, screen_pandas
from tracker.screen_kernel import ADDED_COLUMNS, Screener, plain_strings
from tracker.screen_keywords import KeywordScanner
from tracker.screen_stream import iter_screened, prefetch

__all__ = [
    "ADDED_COLUMNS",
    "STATUSES",
    "GroupAnswer",
    "KeywordScanner",
    "RowStatus",
    "Screener",
    "ScreeningResult",
    "iter_screened",
    "plain_strings",
    "prefetch",
    "screen_frame",
    "screen_pandas",
]
