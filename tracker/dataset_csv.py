"""Reading a curated CSV file of datasets/ with a fixed header, problems collected."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from tracker.problems import Problem


def read_fixed_csv(
    path: Path, columns: Sequence[str], rel: str, problems: list[Problem]
) -> list[tuple[int, dict[str, str]]]:
    """(file line, row by column) of a CSV whose header must be ``columns``.

    A wrong header is one problem and no rows; a row with the wrong number of
    fields is a problem and is skipped. ``rel`` names the file in problems.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != tuple(columns):
            problems.append(
                Problem(rel, 1, None, f"header must be {','.join(columns)}")
            )
            return []
        rows: list[tuple[int, dict[str, str]]] = []
        for n, values in enumerate(reader, start=2):
            if len(values) != len(columns):
                problems.append(
                    Problem(rel, n, None, f"expected {len(columns)} fields")
                )
                continue
            rows.append((n, dict(zip(columns, values, strict=True))))
        return rows
