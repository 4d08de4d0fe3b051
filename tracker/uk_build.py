"""Build the UK Russia schedule entries from the transcribed SI 2019/855 schedules.

``datasets/sources/uk_russia/<version-date>/<schedule>.csv`` hold the commodity
code lines of the schedules of the Russia (Sanctions) (EU Exit) Regulations 2019
(SI 2019/855) as read in one copy of the text (``source.yml`` says which).
``build_uk_russia`` takes each export schedule from the latest folder that has
it, turns every code line into one entry, and puts the curated structural rows
of ``items.csv`` in front. Import schedules (3B, 3F, 3G, 3H) are not export
restrictions and give no entries. The build is pure: the same sources give the
same file, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from tracker.annex_build import canonical_code, load_hs2017, render_csv
from tracker.dataset_csv import read_fixed_csv
from tracker.models.control import ENTRY_COLUMNS
from tracker.problems import Problem

#: Columns of a schedule table (sources/uk_russia/<version>/<schedule>.csv).
LINE_COLUMNS = ("position", "part", "written", "code", "ex", "note")

SOURCE_URL = "https://www.legislation.gov.uk/uksi/2019/855"

#: Folder of the sources, relative to the datasets folder (used in problems).
_REL = "sources/uk_russia"


@dataclass(frozen=True)
class Schedule:
    """An export schedule of SI 2019/855 and what being on it means."""

    name: str
    #: What the schedule restricts, in our own words (ends with a period).
    meaning: str
    #: Parts whose lines are entries (a prefix of the ``part`` column); () = all.
    parts: tuple[str, ...] = ()
    #: Parts read but left out on purpose, with the reason (anything else is a problem).
    skipped_parts: tuple[tuple[str, str], ...] = ()
    #: A condition every line of the schedule carries (starts with "only if").
    condition: str = ""
    #: A caveat about the copy the schedule was read in, added to every note.
    caveat: str = ""


#: The export schedules, in the order their entries are written.
EXPORT_SCHEDULES: dict[str, Schedule] = {
    "2C": Schedule(
        name="Schedule 2C",
        meaning=(
            "aviation and space goods, i.e. anything classified in chapter 88 of "
            "the UK Goods Classification Table (aircraft, spacecraft and their "
            "parts). Part 5 of SI 2019/855 prohibits exporting them to Russia, "
            "supplying or delivering them there and making them available there, "
            "unless licensed."
        ),
    ),
    "2D": Schedule(
        name="Schedule 2D",
        meaning=(
            "oil refining goods: process units and equipment for oil refining and "
            "for liquefying natural gas. Each line pairs a commodity code with a "
            "description, and goods are caught only if they match both. Part 5 "
            "of SI 2019/855 prohibits exporting them to Russia, supplying or "
            "delivering them there and making them available there, unless "
            "licensed."
        ),
        condition=(
            "only if the goods also match the description that Schedule 2D para 2 "
            "prints next to this code (an oil refining or LNG process unit or piece "
            "of equipment; the descriptions are not transcribed)"
        ),
    ),
    "3": Schedule(
        name="Schedule 3",
        meaning=(
            "energy-related goods (Part 2): line pipe and casing, drilling tools, "
            "pumps, boring machinery, drilling derricks and floating drilling "
            "platforms used for oil and gas. Regulation 40 of SI 2019/855 as made "
            "prohibits exporting them for use in Russia (regulations 41 and 42: "
            "supplying, delivering or making them available for use there), "
            "unless licensed."
        ),
        parts=("Part 2",),
        skipped_parts=(
            (
                "Part 3",
                "infrastructure-related goods, restricted for Crimea "
                "(regulation 48 ff.), not for Russia",
            ),
        ),
        caveat=(
            "Schedule 3 was read only in the 2019 text as made; whether Part 2 "
            "was amended before or after 21 Jul 2022 was not checked."
        ),
    ),
    "3A": Schedule(
        name="Schedule 3A",
        meaning=(
            "luxury goods. Most paragraphs catch goods only above a sales price "
            "(excluding VAT) per item, animal, quantity or vehicle; a few have no "
            "price limit or another condition. Part 5 of SI 2019/855 prohibits "
            "exporting them to Russia, supplying or delivering them there and "
            "making them available there, unless licensed."
        ),
    ),
    "3E": Schedule(
        name="Schedule 3E",
        meaning=(
            "G7 dependency and further goods list goods, inserted by SI 2022/850 "
            "(in force 21 Jul 2022). Regulation 46Y of SI 2019/855 (inserted by "
            "the same SI) prohibits exporting them to Russia, supplying or "
            "delivering them there and making them available there, unless "
            "licensed."
        ),
    ),
}

#: Schedules that restrict imports or acquisition from Russia, not exports.
IMPORT_SCHEDULES = frozenset({"3B", "3F", "3G", "3H"})

#: Schedule 3A notes: the price threshold of the line's paragraph.
_PRICE = re.compile(r"^sales price > (?P<limit>£.+)$")
#: Schedule 3A notes that carry no condition.
_NO_CONDITION = ("no price condition", "the whole of chapter 97")
#: Schedule 3A notes that are a condition in their own words.
_OWN_CONDITION = ("only if ",)


@dataclass(frozen=True)
class SourceVersion:
    """One folder of transcribed schedules: a copy of the text read."""

    version: dt.date
    folder: Path
    what: str


@dataclass(frozen=True)
class ScheduleLine:
    """One code line of a schedule table as transcribed."""

    schedule: str
    source: SourceVersion
    file: str
    row: int
    position: str
    part: str
    written: str
    code: str
    ex: bool
    note: str


def load_versions(base: Path, problems: list[Problem]) -> list[SourceVersion]:
    """The version folders under ``base`` (sources/uk_russia), oldest first."""
    out: list[SourceVersion] = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        rel = f"{_REL}/{folder.name}/source.yml"
        try:
            version = dt.date.fromisoformat(folder.name)
        except ValueError:
            problems.append(
                Problem(
                    f"{_REL}/{folder.name}",
                    None,
                    None,
                    "folder name must be an ISO date",
                )
            )
            continue
        meta_path = folder / "source.yml"
        if not meta_path.is_file():
            problems.append(Problem(rel, None, None, "file is missing"))
            continue
        try:
            data = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(Problem(rel, None, None, f"invalid YAML: {exc}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(rel, None, None, "expected a mapping"))
            continue
        if str(data.get("version")) != folder.name:
            problems.append(
                Problem(
                    rel,
                    None,
                    "version",
                    f"{data.get('version')!r} differs from the folder name",
                )
            )
        what = data.get("what")
        if not isinstance(what, str) or what == "":
            problems.append(Problem(rel, None, "what", "say which copy was read"))
            continue
        out.append(SourceVersion(version=version, folder=folder, what=what))
    return out


def latest_tables(
    versions: list[SourceVersion], problems: list[Problem]
) -> dict[str, tuple[SourceVersion, Path]]:
    """Schedule -> (version, table file) of the latest version that has it.

    A later copy of a schedule replaces the earlier one entirely.
    """
    out: dict[str, tuple[SourceVersion, Path]] = {}
    for v in versions:
        for path in sorted(v.folder.glob("*.csv")):
            schedule = path.stem
            if schedule not in EXPORT_SCHEDULES and schedule not in IMPORT_SCHEDULES:
                problems.append(
                    Problem(
                        f"{_REL}/{v.folder.name}/{path.name}",
                        None,
                        None,
                        f"schedule {schedule!r} is neither a known export nor a "
                        "known import schedule",
                    )
                )
                continue
            out[schedule] = (v, path)
    return out


def read_lines(
    schedule: str, source: SourceVersion, path: Path, problems: list[Problem]
) -> list[ScheduleLine]:
    """The code lines of one schedule table."""
    rel = f"{_REL}/{source.folder.name}/{path.name}"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != LINE_COLUMNS:
            problems.append(
                Problem(rel, 1, None, f"header must be {','.join(LINE_COLUMNS)}")
            )
            return []
        out: list[ScheduleLine] = []
        for n, values in enumerate(reader, start=2):
            if len(values) != len(LINE_COLUMNS):
                problems.append(
                    Problem(rel, n, None, f"expected {len(LINE_COLUMNS)} fields")
                )
                continue
            row = dict(zip(LINE_COLUMNS, values, strict=True))
            if not row["code"].isdigit():
                problems.append(
                    Problem(rel, n, "code", f"{row['code']!r} is not digits")
                )
                continue
            if row["ex"] not in ("0", "1"):
                problems.append(Problem(rel, n, "ex", f"{row['ex']!r} is not 0 or 1"))
                continue
            out.append(
                ScheduleLine(
                    schedule=schedule,
                    source=source,
                    file=rel,
                    row=n,
                    position=row["position"],
                    part=row["part"],
                    written=row["written"],
                    code=canonical_code(row["code"]),
                    ex=row["ex"] == "1",
                    note=row["note"],
                )
            )
        return out


def read_items(path: Path, problems: list[Problem]) -> list[dict[str, str]]:
    """Rows of ``items.csv``: curated entries with the entries.csv columns."""
    rel = f"{_REL}/{path.name}"
    if not path.is_file():
        problems.append(Problem(rel, None, None, "file is missing"))
        return []
    return [row for _, row in read_fixed_csv(path, ENTRY_COLUMNS, rel, problems)]


def _title(code: str, hs: Mapping[str, str]) -> str:
    for n in (6, 4, 2):
        if len(code) >= n and code[:n] in hs:
            return hs[code[:n]]
    return ""


def _known(code: str, hs: Mapping[str, str]) -> bool:
    if len(code) == 2:
        return any(k.startswith(code) for k in hs if len(k) > 2)
    return (code[:6] if len(code) >= 6 else code) in hs


def _fmt(code: str) -> str:
    """``84798997`` -> ``8479 89 97`` (the way the schedules print codes)."""
    if len(code) <= 4:
        return code
    return " ".join([code[:4], *[code[i : i + 2] for i in range(4, len(code), 2)]])


def _luxury_terms(line: ScheduleLine, problems: list[Problem]) -> tuple[str, str, str]:
    """(condition, threshold, remaining note) of a Schedule 3A line, from its note."""
    first, _, rest = line.note.partition("; ")
    price = _PRICE.match(first)
    if price is not None:
        limit = price.group("limit")
        return (
            f"only if the sales price (excluding VAT) exceeds {limit}",
            f"sales price > {limit}",
            rest,
        )
    if first.startswith(_NO_CONDITION):
        return "", "", line.note
    if first.startswith(_OWN_CONDITION):
        return first, "", rest
    problems.append(
        Problem(
            line.file,
            line.row,
            "note",
            f"Schedule 3A note {first!r} names no price threshold or known condition",
        )
    )
    return "", "", line.note


def _line_row(
    line: ScheduleLine,
    entry_id: str,
    hs: Mapping[str, str],
    hs2017: Mapping[str, tuple[str, ...]],
    problems: list[Problem],
) -> dict[str, str]:
    info = EXPORT_SCHEDULES[line.schedule]
    desc = _title(line.code, hs)
    conditions: list[str] = []
    threshold = ""
    extra = line.note
    if info.condition:
        conditions.append(info.condition)
    if line.schedule == "3A":
        cond, threshold, extra = _luxury_terms(line, problems)
        if cond:
            conditions.append(cond)
    if line.ex and not info.condition:
        conditions.append(
            f"only if the goods are of the part of {_fmt(line.code)} that the "
            f"description of the 'ex' line in {info.name} names"
        )
    condition = "; and ".join(
        c if i == 0 else c.removeprefix("only if ") for i, c in enumerate(conditions)
    )
    title = desc if desc else f"Commodity code {_fmt(line.code)}"
    if line.ex:
        title = f"Part of: {title}"
    notes = [
        f"Line '{line.written}' ({line.part}, position {line.position}) read in "
        f"{line.source.what}.",
        "The date this line was first listed is not known (not read).",
    ]
    if info.caveat:
        notes.append(info.caveat)
    if extra:
        notes.append(f"Transcriber's note: {extra}.")
    edition = f"UKGT{line.source.version.year}"
    if not _known(line.code, hs):
        c = line.code
        succ = hs2017.get(c[:6]) or hs2017.get(c[:4]) or ()
        edition = "HS2017"
        notes.append(
            f"The schedule prints {_fmt(c)}, an HS 2017 code that HS 2022 no longer "
            f"has; its goods are now under {', '.join(_fmt(x) for x in succ)}."
        )
    part = f", {line.part}" if line.part else ""
    # a whole chapter is printed "chapter 88", a line "ex 8479 89 97"
    shown = (
        line.written.capitalize()
        if line.written.startswith("chapter")
        else f"Commodity code {line.written}"
    )
    return {
        "entry_id": entry_id,
        "control_code": info.name,
        "title": title,
        "description": (
            f"{shown}{f' ({desc})' if desc else ''} in "
            f"{info.name} to SI 2019/855: {info.meaning}"
        ),
        "verdict": "listed-if" if condition else "listed",
        "condition": condition,
        "thresholds": threshold,
        "tier": "",
        "codes": "" if line.ex else line.code,
        "ex_codes": line.code if line.ex else "",
        "code_edition": edition,
        "keywords": "",
        "categories": "",
        "covers_list": "",
        "added": "",
        "added_act": "",
        "ended": "",
        "ended_act": "",
        "wind_down_until": "",
        "source_ref": f"SI 2019/855, {info.name}{part}",
        "source_url": SOURCE_URL,
        "verification": "official",
        "note": " ".join(notes),
    }


def build_rows(
    root: Path,
    hs: Mapping[str, str],
    hs2017: Mapping[str, tuple[str, ...]],
    problems: list[Problem],
) -> list[dict[str, str]] | None:
    """The entry rows: items first, then each export schedule's lines in order."""
    base = root / _REL
    if not base.is_dir():
        return None
    rows = read_items(base / "items.csv", problems)
    tables = latest_tables(load_versions(base, problems), problems)
    counts: Counter[str] = Counter()
    for schedule, info in EXPORT_SCHEDULES.items():
        if schedule not in tables:
            problems.append(
                Problem(
                    _REL,
                    None,
                    None,
                    f"no version folder has {info.name} ({schedule}.csv)",
                )
            )
            continue
        source, path = tables[schedule]
        for line in read_lines(schedule, source, path, problems):
            if info.parts and not line.part.startswith(info.parts):
                if not any(line.part.startswith(p) for p, _ in info.skipped_parts):
                    problems.append(
                        Problem(
                            line.file,
                            line.row,
                            "part",
                            f"part {line.part!r} is neither built nor known to be "
                            "left out",
                        )
                    )
                continue
            c = line.code
            if (
                not _known(c, hs)
                and c[:6] not in hs2017
                and c[:4] not in hs2017
                and len(c) > 4
                and c[:4] in hs
            ):
                # a misprinted subheading (e.g. "ex 8418 60 00", in no HS edition):
                # keep the goods findable at their heading, as an ex line
                line = replace(
                    line,
                    code=c[:4],
                    ex=True,
                    note=(f"{line.note}; " if line.note else "")
                    + f"the schedule prints {line.written!r}, a code in no HS edition; "
                    f"kept as an ex line of heading {c[:4]}",
                )
                c = line.code
            if not _known(c, hs) and c[:6] not in hs2017 and c[:4] not in hs2017:
                problems.append(
                    Problem(
                        line.file,
                        line.row,
                        "code",
                        f"{line.written!r} is in neither the HS 2022 reference "
                        "(hs2022.csv) nor the HS 2017 codes (hs2017_splits.csv)",
                    )
                )
                continue
            base_id = f"{schedule}-{'ex' if line.ex else ''}{c}"
            counts[base_id] += 1
            n = counts[base_id]
            entry_id = base_id if n == 1 else f"{base_id}-{n}"
            rows.append(_line_row(line, entry_id, hs, hs2017, problems))
    return rows


def build_uk_russia(
    root: Path, hs: Mapping[str, str], problems: list[Problem]
) -> str | None:
    """Build ``lists/uk_russia/entries.csv`` from the sources under ``root``.

    Args:
        root: a datasets folder.
        hs: the HS 2022 reference (code -> description, from ``hs2022.csv``).
        problems: problems found in the sources are appended here; a line with
            a code in neither HS edition is reported and left out.

    Returns:
        The entries CSV text, or None when ``root`` has no ``sources/uk_russia``.
    """
    rows = build_rows(root, hs, load_hs2017(root), problems)
    if rows is None:
        return None
    return render_csv(rows)
