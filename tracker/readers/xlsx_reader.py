"""XLSX: workbook loading, sheet and header choice, cell text."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from tracker.exc import InputError
from tracker.readers.columns import _show, detect_columns, unique_headers
from tracker.readers.issues import RowIssue
from tracker.readers.source import TableSource, _RowBuffer


def _load_workbook(path: Path) -> Any:
    from openpyxl import load_workbook

    try:
        # data_only=False: formulas are read as their text, never evaluated.
        return load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise InputError(
            f"{path.name} is not a readable XLSX workbook (truncated or corrupt: "
            f"{type(exc).__name__})"
        ) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad XML
        raise InputError(
            f"{path.name} is not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None


def cell_text(value: Any) -> str:
    """Return a cell value as the text it shows (numbers without '.0' noise kept).

    Integers print as digits, floats with Python's repr (``8542310000.0``), so
    the screening can see float artefacts; dates as ISO text; None as "".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value)


def _header_of(ws: Any) -> tuple[int, list[str]] | None:
    for idx, row in enumerate(ws.iter_rows(values_only=True, max_row=50), start=1):
        cells = [cell_text(v) for v in row]
        if any(c.strip() != "" for c in cells):
            while cells and cells[-1].strip() == "":
                cells.pop()
            return idx, cells
    return None


def _open_xlsx(path: Path, sheet: str | None) -> TableSource:
    wb = _load_workbook(path)
    try:
        names = list(wb.sheetnames)
        issues: list[RowIssue] = []
        if sheet is not None:
            if sheet not in names:
                raise InputError(
                    f"{path.name} has no sheet {sheet!r}; sheets: {_show(names)}"
                )
            chosen = sheet
            found = _header_of(wb[sheet])
        else:
            chosen, found = None, None
            candidates: list[tuple[str, tuple[int, list[str]]]] = []
            for name in names:
                head = _header_of(wb[name])
                if head is not None:
                    candidates.append((name, head))
            for name, head in candidates:
                unique, _ = unique_headers(head[1])
                try:
                    detect_columns(unique)
                except InputError:
                    continue
                chosen, found = name, head
                break
            if chosen is None and candidates:
                chosen, found = candidates[0]
            if chosen is None:
                chosen = names[0]
            for name, _head in candidates:
                if name != chosen:
                    issues.append(
                        RowIssue(
                            "sheet-skipped",
                            None,
                            None,
                            name,
                            f"sheet {name!r} was not screened (screened {chosen!r}; "
                            "use --sheet to choose)",
                        )
                    )
        if found is None:
            raise InputError(f"{path.name} sheet {chosen!r} has no header row")
        header_row, header = found
        columns, header_issues = unique_headers(header)
        for issue in header_issues:
            issues.append(
                RowIssue(
                    issue.code, header_row, issue.column, issue.value, issue.message
                )
            )
    finally:
        wb.close()
    return TableSource(
        reader=_iter_xlsx,
        path=path,
        format="xlsx",
        headers=header,
        columns=columns,
        issues=issues,
        sheet=chosen,
        header_row=header_row,
    )


def _iter_xlsx(source: TableSource, chunk_rows: int) -> Iterator[pa.Table]:
    wb = _load_workbook(source.path)
    n = len(source.columns)
    try:
        ws = wb[source.sheet]
        out = _RowBuffer(source.columns)
        row = source.header_row
        blank_run: list[int] = []
        try:
            for values in ws.iter_rows(min_row=source.header_row + 1, values_only=True):
                row += 1
                cells = [cell_text(v) for v in values[:n]]
                extra = [cell_text(v) for v in values[n:]]
                if any(c != "" for c in extra):
                    source.issues.append(
                        RowIssue(
                            "row-long",
                            row,
                            None,
                            "; ".join(e for e in extra if e != ""),
                            f"row {row} has cells right of the last header column: "
                            "they are not screened (value shows them)",
                        )
                    )
                if all(c.strip() == "" for c in cells):
                    # Trailing empty rows are formatting, not data; empty rows
                    # between data rows are kept (added when data follows).
                    blank_run.append(row)
                    continue
                for blank in blank_run:
                    out.append([""] * n, blank)
                blank_run = []
                cells += [""] * (n - len(cells))
                out.append(cells, row)
                if len(out) >= chunk_rows:
                    yield out.take()
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - corrupt sheet XML
            raise InputError(
                f"{source.path.name} is not a readable XLSX workbook (sheet "
                f"{source.sheet!r} is corrupt near row {row}: {type(exc).__name__})"
            ) from None
        if len(out):
            yield out.take()
    finally:
        wb.close()
