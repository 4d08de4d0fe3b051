"""Date the entries of lists that change by editions (CHPL, EU dual-use list).

``datasets/sources/<list>/versions.yml`` names the versions (editions or acts) of
a list that were read, oldest first; ``presence.csv`` says, per entry and version,
whether the entry is in it. ``date_entries`` derives each entry's ``added`` and
``ended`` (and their acts) from those tables, so nobody types a date into
``lists/<list>/entries.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tracker.problems import Problem

PRESENCE_COLUMNS = ("entry_id", "version", "present", "note")


class ListVersion(BaseModel):
    """One version (edition, act) of a list that was read."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    version: str
    title: str
    in_force: dt.date
    url: str
    read_in: str
    verification: str
    #: True when every entry was looked up in this version.
    complete: bool
    note: str = ""


def versioned_lists(root: Path) -> list[str]:
    """Keys of the lists that have version tables under ``<root>/sources``."""
    base = root / "sources"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "versions.yml").is_file())


def load_versions(
    root: Path, key: str, problems: list[Problem]
) -> tuple[list[ListVersion], dict[tuple[str, str], bool]]:
    """The versions of list ``key`` (oldest first) and (entry, version) -> present."""
    folder = root / "sources" / key
    rel = f"sources/{key}/versions.yml"
    versions: list[ListVersion] = []
    data = yaml.safe_load((folder / "versions.yml").read_text(encoding="utf-8"))
    if not isinstance(data, list):
        problems.append(Problem(rel, None, None, "expected a list of versions"))
        return versions, {}
    for n, item in enumerate(data):
        try:
            versions.append(ListVersion(**item))
        except (ValidationError, TypeError) as exc:
            problems.append(Problem(rel, None, f"{n}", str(exc).splitlines()[0]))
    if [v.in_force for v in versions] != sorted(v.in_force for v in versions):
        problems.append(Problem(rel, None, "in_force", "versions must be oldest first"))
    known = {v.version for v in versions}
    presence: dict[tuple[str, str], bool] = {}
    prel = f"sources/{key}/presence.csv"
    with (folder / "presence.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != PRESENCE_COLUMNS:
            problems.append(
                Problem(prel, 1, None, f"header must be {','.join(PRESENCE_COLUMNS)}")
            )
            return versions, presence
        for n, row in enumerate(reader, start=2):
            if len(row) != len(PRESENCE_COLUMNS):
                problems.append(Problem(prel, n, None, "expected 4 fields"))
                continue
            entry, version, present, _ = row
            if version not in known:
                problems.append(Problem(prel, n, "version", f"unknown {version!r}"))
            elif present not in ("0", "1"):
                problems.append(Problem(prel, n, "present", "expected 0 or 1"))
            elif (entry, version) in presence:
                problems.append(Problem(prel, n, "entry_id", "duplicate row"))
            else:
                presence[(entry, version)] = present == "1"
    return versions, presence


def entry_dates(
    entry_id: str,
    versions: Sequence[ListVersion],
    presence: dict[tuple[str, str], bool],
) -> tuple[ListVersion | None, ListVersion | None]:
    """(version that added the entry, version that ended it) for one entry.

    Only the last stretch of presence counts: an entry dropped and listed again
    is dated from its return. Versions where the entry was not looked up are
    skipped.
    """
    added: ListVersion | None = None
    ended: ListVersion | None = None
    for v in versions:
        state = presence.get((entry_id, v.version))
        if state is None:
            continue
        if state and (added is None or ended is not None):
            added, ended = v, None
        elif not state and added is not None and ended is None:
            ended = v
    return added, ended


def date_entries(
    text: str,
    versions: Sequence[ListVersion],
    presence: dict[tuple[str, str], bool],
    file: str,
    problems: list[Problem],
) -> str:
    """``entries.csv`` text with added/added_act/ended/ended_act derived."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return text
    columns: Iterable[str] = rows[0].keys()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows, start=2):
        added, ended = entry_dates(row["entry_id"], versions, presence)
        if added is None:
            problems.append(
                Problem(
                    file, n, "entry_id", f"{row['entry_id']!r} is in no version read"
                )
            )
        else:
            row["added"] = added.in_force.isoformat()
            row["added_act"] = added.title
        row["ended"] = ended.in_force.isoformat() if ended is not None else ""
        row["ended_act"] = ended.title if ended is not None else ""
        writer.writerow(row)
    return buf.getvalue()


def build_versioned(root: Path, problems: list[Problem]) -> dict[Path, str]:
    """Target entries file -> its dated text, for every list with version tables."""
    out: dict[Path, str] = {}
    for key in versioned_lists(root):
        versions, presence = load_versions(root, key, problems)
        target = root / "lists" / key / "entries.csv"
        if not target.is_file():
            problems.append(Problem(f"lists/{key}/entries.csv", None, None, "missing"))
            continue
        text = target.read_text(encoding="utf-8")
        out[target] = date_entries(
            text, versions, presence, f"lists/{key}/entries.csv", problems
        )
    return out
