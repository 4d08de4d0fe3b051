"""Source tables of the EU Russia goods annexes: load and check the acts as written.

Each folder ``datasets/sources/eu_833/acts/<YYYY>-<NNNN>/`` holds ``act.yml`` (the
act, its dates and what it does to each goods annex) and one CSV per annex table
with the lines as the act writes them. See ``datasets/sources/eu_833/README.md``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tracker.models.act import Act, AnnexLine
from tracker.problems import Problem

#: Folder of the EU 833/2014 source tables, relative to the datasets root.
EU_833_SOURCES = Path("sources") / "eu_833"
#: Header of every annex table, in this order.
LINE_COLUMNS = ("position", "part", "op", "written", "code", "ex", "item", "note")

_ACT_FOLDER = re.compile(r"^(\d{4})-(\d{4})$")
_OPS_OF = {
    "create": {"list"},
    "replace": {"list"},
    "replace-part": {"list"},
    "amend": {"add", "delete"},
}


class AnnexInfo(BaseModel):
    """What one annex table means (``annexes.yml``), in our own words."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: Printed name, e.g. "Annex VII Part B".
    name: str
    #: The article of Reg. 833/2014 that the annex serves, e.g. "Article 2a".
    article: str
    #: export-ban, transit-ban, contract-clause, due-diligence, transition.
    kind: str
    #: What being on the annex means, in one sentence of our own.
    meaning: str
    #: Condition for every line (empty: lines are listed as such).
    condition: str = ""
    #: False for tables kept only to date wind-downs (transition lists).
    entries: bool = True
    #: Act that created the table, if bundled; None if it predates the bundle.
    created_by: str | None = None


@dataclass
class ActTables:
    """One act with the lines of each annex table it touches."""

    act: Act
    folder: Path
    #: table key -> lines in file order
    lines: dict[str, list[AnnexLine]] = field(default_factory=dict)


@dataclass
class EuSources:
    """Every act of the EU 833/2014 source tables, ordered by entry into force."""

    root: Path
    annexes: dict[str, AnnexInfo]
    acts: list[ActTables]
    meta: dict[str, Any] = field(default_factory=dict)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _digits_of(written: str) -> str:
    text = written.strip()
    if text.lower().startswith("ex"):
        text = text[2:]
    return "".join(ch for ch in text if ch.isdigit())


def _read_lines(path: Path, root: Path, problems: list[Problem]) -> list[AnnexLine]:
    rel = _rel(path, root)
    out: list[AnnexLine] = []
    if not path.is_file():
        problems.append(Problem(rel, None, None, "file is missing"))
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != LINE_COLUMNS:
            problems.append(
                Problem(
                    rel,
                    1,
                    None,
                    f"header must be {','.join(LINE_COLUMNS)}; got {header!r}",
                )
            )
            return out
        for n, values in enumerate(reader, start=2):
            if len(values) != len(LINE_COLUMNS):
                problems.append(
                    Problem(
                        rel,
                        n,
                        None,
                        f"expected {len(LINE_COLUMNS)} fields, got {len(values)}",
                    )
                )
                continue
            raw = dict(zip(LINE_COLUMNS, (v.strip() for v in values), strict=True))
            if raw["ex"] not in ("0", "1"):
                problems.append(
                    Problem(rel, n, "ex", f"expected 0 or 1, got {raw['ex']!r}")
                )
                continue
            if not raw["position"].isdigit():
                problems.append(
                    Problem(rel, n, "position", f"not a number: {raw['position']!r}")
                )
                continue
            try:
                line = AnnexLine(
                    position=int(raw["position"]),
                    part=raw["part"],
                    op=raw["op"],
                    written=raw["written"],
                    code=raw["code"],
                    ex=raw["ex"] == "1",
                    item=raw["item"],
                    note=raw["note"],
                    row=n,
                )
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"]) or None
                    problems.append(Problem(rel, n, loc, err["msg"]))
                continue
            problems.extend(_check_line(line, rel))
            out.append(line)
    return out


def _check_line(line: AnnexLine, rel: str) -> list[Problem]:
    found: list[Problem] = []
    n = line.row
    if line.item == "" and line.code == "":
        found.append(Problem(rel, n, "code", "a line needs a code or an item"))
        return found
    if line.item != "" and line.code != "":
        found.append(Problem(rel, n, "code", "an item row has no code"))
    if line.code != "":
        if not (line.code.isdigit() and len(line.code) in (2, 4, 6, 8, 10)):
            found.append(
                Problem(
                    rel, n, "code", f"{line.code!r}: expected 2, 4, 6, 8 or 10 digits"
                )
            )
        digits = _digits_of(line.written)
        if digits != line.code:
            found.append(
                Problem(
                    rel,
                    n,
                    "code",
                    f"{line.code!r} differs from the digits of written {line.written!r}",
                )
            )
        marked = line.written.strip().lower().startswith("ex")
        if marked != line.ex:
            found.append(
                Problem(
                    rel, n, "ex", f"ex={int(line.ex)} but written is {line.written!r}"
                )
            )
    return found


def _load_annexes(
    base: Path, root: Path, problems: list[Problem]
) -> dict[str, AnnexInfo]:
    path = base / "annexes.yml"
    rel = _rel(path, root)
    out: dict[str, AnnexInfo] = {}
    if not path.is_file():
        problems.append(Problem(rel, None, None, "file is missing"))
        return out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        problems.append(Problem(rel, None, None, "expected a mapping by table key"))
        return out
    for key, value in data.items():
        try:
            out[str(key)] = AnnexInfo(**value)
        except (ValidationError, TypeError) as exc:
            problems.append(Problem(rel, None, str(key), str(exc).splitlines()[0]))
    return out


def load_eu_sources(
    root: Path, problems: list[Problem] | None = None
) -> EuSources | None:
    """Read every act folder under ``<root>/sources/eu_833``.

    Args:
        root: a datasets folder.
        problems: where to add problems (file, row, field); a new list if None.

    Returns:
        The acts ordered by entry into force (then act number), or None when the
        folder does not exist.
    """
    found = problems if problems is not None else []
    base = root / EU_833_SOURCES
    if not base.is_dir():
        return None
    annexes = _load_annexes(base, root, found)
    meta_path = base / "list.yml"
    meta: dict[str, Any] = {}
    if meta_path.is_file():
        loaded = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            meta = loaded
        else:
            found.append(
                Problem(_rel(meta_path, root), None, None, "expected a mapping")
            )
    acts: list[ActTables] = []
    for folder in sorted(p for p in (base / "acts").iterdir() if p.is_dir()):
        rel = _rel(folder / "act.yml", root)
        m = _ACT_FOLDER.match(folder.name)
        if m is None:
            found.append(
                Problem(_rel(folder, root), None, None, "folder name must be YYYY-NNNN")
            )
            continue
        if not (folder / "act.yml").is_file():
            found.append(Problem(rel, None, None, "file is missing"))
            continue
        try:
            data = yaml.safe_load((folder / "act.yml").read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            found.append(Problem(rel, None, None, f"unreadable YAML: {exc}"))
            continue
        try:
            act = Act(**data)
        except (ValidationError, TypeError) as exc:
            if isinstance(exc, ValidationError):
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"]) or None
                    found.append(Problem(rel, None, loc, f"{err['msg']}"))
            else:
                found.append(Problem(rel, None, None, str(exc)))
            continue
        year, number = m.group(1), int(m.group(2))
        if act.act != f"{year}/{number}":
            found.append(
                Problem(
                    rel,
                    None,
                    "act",
                    f"{act.act!r} does not match folder {folder.name!r}",
                )
            )
        tables = ActTables(act=act, folder=folder)
        for n, annex in enumerate(act.annexes):
            if annex.operation == "delete-annex":
                continue
            if not annex.file:
                # Recorded but not transcribed (e.g. a whole Annex VII Part A text):
                # the act.yml note says why; the replay leaves the table as it was.
                continue
            lines = _read_lines(folder / annex.file, root, found)
            allowed = _OPS_OF[annex.operation]
            frel = _rel(folder / annex.file, root)
            seen: dict[tuple[int, str, str, bool, str, str], int] = {}
            for line in lines:
                if line.op not in allowed:
                    found.append(
                        Problem(
                            frel,
                            line.row,
                            "op",
                            f"{line.op!r} in a table the act says to {annex.operation}",
                        )
                    )
                ident = (
                    line.position,
                    line.op,
                    line.part,
                    line.ex,
                    line.code,
                    line.item,
                )
                if ident in seen:
                    found.append(
                        Problem(
                            frel,
                            line.row,
                            "code",
                            f"duplicate line {line.written!r} (first on row {seen[ident]})",
                        )
                    )
                seen.setdefault(ident, line.row)
            tables.lines.setdefault(annex.table, []).extend(lines)
            if annex.table not in annexes:
                found.append(
                    Problem(
                        rel,
                        None,
                        f"annexes.{n}.file",
                        f"table {annex.table!r} is not in annexes.yml",
                    )
                )
        acts.append(tables)
    acts.sort(key=lambda t: (t.act.entry_into_force, t.folder.name))
    return EuSources(root=root, annexes=annexes, acts=acts, meta=meta)
