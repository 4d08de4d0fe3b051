"""Problems found in a user's file: RowIssue and the IssueCode vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

#: Kind of problem found in a user's file (kebab-case, stable).
#: header-blank: a header cell is empty (the column is renamed column_<N>);
#: header-duplicate: a header repeats an earlier one (renamed <name>_<k>);
#: header-reserved: a header starts with tracker_ (renamed <name>_<k>);
#: row-short / row-long: a CSV record has fewer / more fields than the header;
#: sheet-skipped: another sheet of the workbook was not screened;
#: code-missing, code-malformed, code-too-short, code-digits-lost,
#: code-repaired, code-hs2017-split: see tracker.screening;
#: date-invalid: a date cell could not be read (the row is indeterminate);
#: date-ambiguous: day and month can be swapped and the column does not say
#: which comes first (the row is indeterminate);
#: destination-unknown: a destination cell could not be read.
IssueCode = Literal[
    "header-blank",
    "header-duplicate",
    "header-reserved",
    "row-short",
    "row-long",
    "sheet-skipped",
    "code-missing",
    "code-malformed",
    "code-too-short",
    "code-digits-lost",
    "code-repaired",
    "code-hs2017-split",
    "date-invalid",
    "date-ambiguous",
    "destination-unknown",
]


@dataclass(frozen=True)
class RowIssue:
    """A problem with one cell, row or header of the user's file (collected, not raised).

    ``row`` is the row number a spreadsheet program shows (header = 1); None for
    problems of the whole file.
    """

    code: IssueCode
    row: int | None
    column: str | None
    value: str | None
    message: str

    def record(self) -> dict[str, Any]:
        """Return the issue as a flat dict (JSON/CSV/Excel)."""
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }
