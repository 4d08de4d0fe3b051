"""Counts and input issues of a screening run, gathered from the kernel's output.

``account`` reads only the screened table (the tracker_* columns and the
mapped input columns of rows the kernel flagged), so the local and Dask
engines give the same summary.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracker.cells import DateConvention, date_convention, read_code_cached, read_date
from tracker.countries import DestinationIndex, UnknownDestinationError
from tracker.readers import ColumnMapping, IssueCode, RowIssue, text_array

#: Row issues kept in a summary (all are counted in issue_counts).
_ISSUE_LIMIT = 10_000
_CODE_ISSUE: dict[str, IssueCode] = {
    "repaired": "code-repaired",
    "missing": "code-missing",
    "malformed": "code-malformed",
    "digits-lost": "code-digits-lost",
    "ambiguous": "code-malformed",
}
#: tracker_reason_code values of cell problems, by the cell they are about.
#: A code cell's problems are code-<state> (see tracker.cells.CodeState).
_BAD_CODE = frozenset(
    f"code-{state}" for state in ("missing", "malformed", "digits-lost", "ambiguous")
)
_BAD_DATE = frozenset({"date-unreadable", "date-ambiguous"})
_BAD_DESTINATION = frozenset({"destination-unknown"})


@dataclass
class ScreeningSummary:
    """Counts and issues gathered while screening, chunk by chunk."""

    rows_in: int = 0
    rows_out: int = 0
    status: Counter[str] = field(default_factory=Counter)
    by_list_tier: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_destination: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_month: Counter[tuple[str, str]] = field(default_factory=Counter)
    issues: list[RowIssue] = field(default_factory=list)
    issue_counts: Counter[str] = field(default_factory=Counter)
    #: Rows by tracker_reason_code (rows without a reason are not counted).
    reason_codes: Counter[str] = field(default_factory=Counter)
    #: (column, value) -> [first row, rows] of destinations not recognised.
    unknown_destinations: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    #: Value -> its error message (with the suggested code, if any).
    destination_messages: dict[str, str] = field(default_factory=dict)

    def all_issues(self) -> list[RowIssue]:
        """Return the kept issues, then one per unrecognised destination value."""
        out = list(self.issues)
        for (column, value), (row, count) in sorted(
            self.unknown_destinations.items(), key=lambda kv: kv[1][0]
        ):
            out.append(
                RowIssue(
                    "destination-unknown",
                    row,
                    column,
                    value,
                    self.destination_messages.get(
                        value, f"Unknown destination {value!r}"
                    )
                    + f" ({count} rows)",
                )
            )
        return out

    def add_issue(self, issue: RowIssue) -> None:
        """Record an issue (all are counted; the first 10,000 are kept)."""
        self.issue_counts[issue.code] += 1
        if len(self.issues) < _ISSUE_LIMIT:
            self.issues.append(issue)

    def line(self) -> str:
        """Return the one-line summary printed on stderr."""
        return (
            f"{self.rows_in} rows in, {self.rows_out} rows out: "
            f"{self.status['match']} match, {self.status['no-match']} no-match, "
            f"{self.status['indeterminate']} indeterminate"
        )


def account(
    out: pa.Table,
    columns: ColumnMapping,
    summary: ScreeningSummary,
    destinations: DestinationIndex | None = None,
) -> None:
    """Add a screened table's counts and input issues to ``summary``.

    Works on the kernel's output only, so the local and Dask engines give
    the same summary.
    """
    n = out.num_rows
    summary.rows_in += n
    summary.rows_out += n
    if n == 0:
        return
    st_vals, st_idx = _codes_of(out.column("tracker_status"))
    for v, c in zip(
        st_vals, np.bincount(st_idx, minlength=len(st_vals)).tolist(), strict=True
    ):
        summary.status[v] += c
    l_vals, l_idx = _codes_of(out.column("tracker_lists"))
    t_vals, t_idx = _codes_of(out.column("tracker_tiers"))
    d_vals, d_idx = _codes_of(out.column("tracker_destination"))
    m_vals, m_idx = _codes_of(out.column("tracker_as_of"))
    # days -> months first: a few dozen (month, status) keys per chunk
    month_of: dict[str, int] = {}
    m_map = np.array(
        [month_of.setdefault(v[:7], len(month_of)) for v in m_vals], dtype=np.int64
    )
    months = list(month_of)
    mo_idx = m_map[m_idx] if len(m_map) else m_idx
    match = np.array([v == "match" for v in st_vals] + [False])[st_idx]
    if match.any():
        key = l_idx[match] * len(t_vals) + t_idx[match]
        keys, counts = np.unique(key, return_counts=True)
        texts: Counter[tuple[str, str]] = Counter()
        for k, c in zip(keys.tolist(), counts.tolist(), strict=True):
            texts[(l_vals[k // len(t_vals)], t_vals[k % len(t_vals)])] += c
        for (lists, tiers), c in texts.items():
            for pair in _list_tier_pairs(lists, tiers):
                summary.by_list_tier[pair] += c
    for labels, idx, counter in (
        (d_vals, d_idx, summary.by_destination),
        (months, mo_idx, summary.by_month),
    ):
        key = idx * len(st_vals) + st_idx
        all_counts = np.bincount(key, minlength=len(labels) * len(st_vals))
        keys = np.flatnonzero(all_counts)
        counts = all_counts[keys]
        for k, c in zip(keys.tolist(), counts.tolist(), strict=True):
            label = labels[k // len(st_vals)] or ""
            counter[(label, st_vals[k % len(st_vals)])] += c
    # Rows are picked by their tracker_reason_code, never by the texts: only
    # rows whose reason names a cell problem (the kernel writes one for each)
    # are read again, so clean rows cost nothing here. A reason that starts
    # with a bad code may go on with the destination's and the date's
    # problems (and one that starts with destination-unknown with the
    # date's), so those rows are read for them too; _cell_issues decides.
    r_vals, r_idx = _codes_of(out.column("tracker_reason_code"))
    r_counts = np.bincount(r_idx, minlength=len(r_vals)).tolist()
    for v, c in zip(r_vals, r_counts, strict=True):
        if v != "" and c:
            summary.reason_codes[v] += c
    n_vals, n_idx = _codes_of(out.column("tracker_notes"))
    rows = out.column("tracker_row")

    def flagged(codes: frozenset[str], note_test: Any = None) -> np.ndarray[Any, Any]:
        fr = np.array([v in codes for v in r_vals] + [False])
        hit = fr[r_idx]
        if note_test is not None:
            # Repairs ("read as …") are notes, not reasons: they have no code.
            fn = np.array([bool(note_test(v)) for v in n_vals] + [False])
            hit = hit | fn[n_idx]
        return np.flatnonzero(hit)

    checks = [(columns.code, "code", flagged(_BAD_CODE, lambda v: "read as" in v))]
    if columns.date is not None:
        checks.append(
            (
                columns.date,
                "date",
                flagged(_BAD_CODE | _BAD_DATE | _BAD_DESTINATION),
            )
        )
    if columns.destination is not None:
        checks.append(
            (
                columns.destination,
                "destination",
                flagged(_BAD_CODE | _BAD_DESTINATION),
            )
        )
    for column, kind, pos in checks:
        if len(pos):
            _cell_issues(
                summary,
                rows,
                out.column(column),
                column,
                kind,
                pos,
                destinations,
                columns.date_convention,
            )


def _cell_issues(
    summary: ScreeningSummary,
    rows: pa.ChunkedArray | pa.Array,
    values: pa.ChunkedArray | pa.Array,
    column: str,
    kind: str,
    pos: np.ndarray[Any, Any],
    destinations: DestinationIndex | None,
    convention: DateConvention | None = None,
) -> None:
    rows = rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows
    raw = text_array(pc.take(values, pa.array(pos)))
    enc = pc.dictionary_encode(raw)
    found: list[tuple[IssueCode, str] | None] = []
    evidence: list[DateConvention] = []

    def column_convention() -> DateConvention | None:
        # The same evidence the kernel used: the whole chunk's column (needed
        # only for a cell that either order of day and month reads).
        if not evidence:
            chunk = pc.unique(text_array(values)).to_pylist()
            seen = date_convention(chunk)
            evidence.append(convention.merge(seen) if convention is not None else seen)
        return evidence[0]

    for v in enc.dictionary.to_pylist():
        if v == "" and kind != "code":
            found.append(None)
        elif kind == "code":
            reading = read_code_cached(v)
            found.append(
                None
                if reading.state == "ok"
                else (_CODE_ISSUE[reading.state], reading.message)
            )
        elif kind == "date":
            date = _read_date_alone(v)
            if date.state == "ambiguous":
                date = read_date(v, column_convention())
            found.append(
                None
                if date.date is not None
                else (
                    "date-invalid" if date.state == "unreadable" else "date-ambiguous",
                    "date " + date.message.split(": ", 1)[-1],
                )
            )
        elif destinations is not None and destinations.read(v) is not None:
            found.append(None)
        else:
            hint = destinations.suggest(v) if destinations is not None else None
            error = UnknownDestinationError(v, hint)
            summary.destination_messages[v] = str(error)
            found.append(("destination-unknown", str(error)))
    bad_u = np.array([f is not None for f in found], dtype=bool)
    if not bad_u.any():
        return
    idx_np = np.asarray(enc.indices)
    bad = np.flatnonzero(bad_u[idx_np])
    where = pos[bad]
    if kind == "destination":
        # One issue per distinct value, at its first row, with the count.
        counts = np.bincount(idx_np[bad], minlength=len(found))
        firsts: dict[int, int] = {}
        for k, u in zip(where.tolist(), idx_np[bad].tolist(), strict=True):
            firsts.setdefault(u, k)
        for u, k in firsts.items():
            key = (column, str(enc.dictionary[u].as_py()))
            seen = summary.unknown_destinations.get(key)
            if seen is None:
                summary.unknown_destinations[key] = [
                    rows[k].as_py(),
                    int(counts[u]),
                ]
            else:
                seen[1] += int(counts[u])
        return
    room = max(0, _ISSUE_LIMIT - len(summary.issues))
    shown = bad[:room]
    for value, u, row in zip(
        pc.take(raw, pa.array(shown)).to_pylist(),
        idx_np[shown].tolist(),
        pc.take(rows, pa.array(where[:room])).to_pylist(),
        strict=True,
    ):
        item = found[u]
        assert item is not None
        summary.add_issue(RowIssue(item[0], row, column, value, item[1]))
    rest = np.bincount(idx_np[bad[room:]], minlength=len(found))
    for u in np.flatnonzero(rest).tolist():
        item = found[u]
        assert item is not None
        summary.issue_counts[item[0]] += int(rest[u])


#: A date cell read without its column: final unless it is ambiguous.
_read_date_alone = functools.lru_cache(maxsize=65_536)(read_date)


def _codes_of(
    column: pa.ChunkedArray | pa.Array,
) -> tuple[list[str], np.ndarray[Any, Any]]:
    """(distinct values, per-row index) of a text column, dictionary or not."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(pc.fill_null(arr, ""))
    values = [v if v is not None else "" for v in arr.dictionary.to_pylist()]
    return values, np.asarray(pc.fill_null(arr.indices, 0)).astype(np.int64)


def _list_tier_pairs(lists: str, tiers: str) -> list[tuple[str, str]]:
    """(list, tier) pairs of a matching row; tier "" for lists without tiers."""
    tier_parts = [t.split(":", 1) for t in tiers.split(";") if ":" in t]
    out: list[tuple[str, str]] = []
    for key in (k for k in lists.split(";") if k != ""):
        found = [t for k, t in tier_parts if k == key]
        out.extend((key, t) for t in found) if found else out.append((key, ""))
    return out
