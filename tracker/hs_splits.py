"""HS 2017 codes that changed in HS 2022: the splits table (datasets/hs2017_splits.csv)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from tracker.exc import DatasetError
from tracker.problems import Problem

#: File of datasets/ with the HS 2017 codes split or moved in HS 2022.
SPLITS_FILE = "hs2017_splits.csv"


@dataclass(frozen=True)
class Split:
    """An HS 2017 code that no longer exists in HS 2022, and its successors."""

    hs2017: str
    hs2022: tuple[str, ...]
    note: str


def _parse_splits(root: Path) -> tuple[dict[str, Split], list[Problem]]:
    path = root / SPLITS_FILE
    out: dict[str, Split] = {}
    problems: list[Problem] = []
    if not path.is_file():
        return out, problems
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != ["hs2017", "hs2022", "note"]:
            problems.append(
                Problem(SPLITS_FILE, 1, None, "header must be hs2017,hs2022,note")
            )
            return out, problems
        for n, row in enumerate(reader, start=2):
            if len(row) != 3:
                problems.append(Problem(SPLITS_FILE, n, None, "expected 3 fields"))
                continue
            old, new, note = (c.strip() for c in row)
            succ = tuple(s.strip() for s in new.split(";") if s.strip() != "")
            bad = [c for c in (old, *succ) if not (c.isdigit() and len(c) in (4, 6))]
            if bad:
                problems.append(
                    Problem(SPLITS_FILE, n, None, f"not a 4/6-digit code: {bad[0]!r}")
                )
            elif not succ:
                problems.append(Problem(SPLITS_FILE, n, "hs2022", "no successor"))
            elif note == "":
                problems.append(Problem(SPLITS_FILE, n, "note", "empty"))
            elif old in out:
                problems.append(
                    Problem(SPLITS_FILE, n, "hs2017", f"duplicate code {old!r}")
                )
            else:
                out[old] = Split(old, succ, note)
    return out, problems


def validate_splits(root: Path) -> list[Problem]:
    """Return the problems of ``root``/hs2017_splits.csv (none if absent)."""
    return _parse_splits(root)[1]


@functools.cache
def load_splits(root: Path) -> dict[str, Split]:
    """Load ``<datasets>/hs2017_splits.csv`` (empty when the folder has none).

    Raises:
        DatasetError: a row is malformed (bad code, duplicate, empty note).
    """
    splits, problems = _parse_splits(root)
    if problems:
        raise DatasetError(
            f"invalid {SPLITS_FILE}: {problems[0]}; run 'tracker datasets validate'"
        )
    return splits
