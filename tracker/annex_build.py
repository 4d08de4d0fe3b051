"""Replay the acts of the EU 833/2014 source tables into dated entries.

``replay_acts`` applies each act's annex operations in order of entry into force
and returns one :class:`LinePeriod` per stretch of time a line was in an annex:
``added`` is the entry into force of the act that listed it, ``ended`` that of
the act that dropped it (a line listed again opens a new period). ``build_rows``
turns the periods, the annex meanings (``annexes.yml``) and the curated items
(``items.csv``) into the rows of ``lists/eu_russia/entries.csv``. The build is
pure: the same source tables give the same file, byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tracker.act_sources import ActTables, EuSources, load_eu_sources
from tracker.dataset_csv import read_fixed_csv
from tracker.models.act import Act, AnnexLine
from tracker.models.control import ENTRY_COLUMNS
from tracker.problems import Problem

#: Columns of sources/eu_833/items.csv: entries that are not CN lines (articles,
#: Annex VII Part A technical entries), with their meaning in our own words and
#: the act that added them (the date comes from that act).
ITEM_COLUMNS = (
    "entry_id",
    "table",
    "item",
    "control_code",
    "title",
    "description",
    "verdict",
    "condition",
    "codes",
    "ex_codes",
    "keywords",
    "categories",
    "covers_list",
    "added_by",
    "ended_by",
    "source_ref",
    "note",
)


@dataclass
class LinePeriod:
    """One stretch of time during which a line was in an annex table."""

    table: str
    code: str
    ex: bool
    item: str
    written: str
    added: Act
    ended: Act | None = None
    #: Parts (groups, tables) the line stood in, in order of first appearance.
    parts: list[str] = field(default_factory=list)
    #: Acts whose text (re)states the line while it is in force.
    stated_by: list[str] = field(default_factory=list)
    wind_down_until: dt.date | None = None
    wind_down_note: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, bool, str]:
        return (self.code, self.ex, self.item)

    def in_force(self, on: dt.date) -> bool:
        """True when the line applied on ``on``."""
        if on < self.added.entry_into_force:
            return False
        return self.ended is None or on < self.ended.entry_into_force


@dataclass
class Replay:
    """The periods of every line, and the state of each table at the end."""

    periods: list[LinePeriod]
    #: table -> act that deleted it (tables still in force are absent)
    deleted: dict[str, Act] = field(default_factory=dict)
    #: table -> act that created it
    created: dict[str, Act] = field(default_factory=dict)

    def state(self, table: str, on: dt.date) -> list[LinePeriod]:
        """Lines of ``table`` in force on ``on``, in order of (code, ex, item)."""
        return sorted(
            (p for p in self.periods if p.table == table and p.in_force(on)),
            key=lambda p: (p.code, p.ex, p.item),
        )

    def by_act(self, act: str) -> tuple[list[LinePeriod], list[LinePeriod]]:
        """(lines the act added, lines it dropped)."""
        added = [p for p in self.periods if p.added.act == act]
        ended = [p for p in self.periods if p.ended is not None and p.ended.act == act]
        return added, ended


def canonical_code(code: str) -> str:
    """The code without trailing ``00`` pairs.

    In the CN a final ``00`` pair means "not subdivided further", so ``8482 20 00``
    is the whole subheading 8482 20, ``3601 00`` the whole heading 3601, and a
    heading printed with padding (``6101 00 00``) the heading 6101. Acts print the
    same line both ways; replaying them as one line keeps its date. A heading
    ends in 01-99, so a 4-digit ``XX00`` can only mean the chapter.
    """
    out = code
    while len(out) > 2 and out.endswith("00"):
        # a 4-digit XX00 is no heading: acts print a whole chapter as "9700 00 00"
        out = out[:-2]
    return out


def _key(line: AnnexLine) -> tuple[str, bool, str]:
    return (canonical_code(line.code), line.ex, line.item)


def _overlaps(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def replay_acts(sources: EuSources, problems: list[Problem] | None = None) -> Replay:
    """Apply every act's annex operations in order and return the line periods.

    Problems (a delete of a line that is not there, an add of a line already
    there, an amendment of a table that does not exist) are appended to
    ``problems``, naming the act's file and row.
    """
    found = problems if problems is not None else []
    periods: list[LinePeriod] = []
    open_: dict[str, dict[tuple[str, bool, str], LinePeriod]] = {}
    replay = Replay(periods=periods)
    root = sources.root
    for tables in sources.acts:
        act = tables.act
        new_in_act: dict[str, list[LinePeriod]] = {}
        for annex in act.annexes:
            table = annex.table
            rel = str((tables.folder / (annex.file or "act.yml")).relative_to(root))
            info = sources.annexes.get(table)
            current = open_.get(table)
            if annex.operation == "delete-annex":
                if current is None:
                    found.append(
                        Problem(
                            rel,
                            None,
                            "annexes",
                            f"deletes table {table!r}, which is not in force",
                        )
                    )
                    continue
                for p in current.values():
                    p.ended = act
                del open_[table]
                replay.deleted[table] = act
                continue
            if not annex.file:
                continue  # recorded in act.yml, lines not transcribed
            lines = _lines_of(tables, annex.file, table)
            if annex.operation == "create":
                if current is not None:
                    found.append(
                        Problem(
                            rel,
                            None,
                            None,
                            f"creates table {table!r}, which exists already",
                        )
                    )
                current = open_.setdefault(table, {})
                replay.created[table] = act
            elif current is None:
                if info is not None and info.created_by is not None:
                    found.append(
                        Problem(
                            rel,
                            None,
                            None,
                            f"{annex.operation} of table {table!r}, which is not in force",
                        )
                    )
                current = open_.setdefault(table, {})
            added_here = new_in_act.setdefault(table, [])
            if annex.operation in ("create", "replace", "replace-part"):
                if annex.operation == "replace-part":
                    dropped = [
                        k
                        for k, q in current.items()
                        if q.parts and _in_parts(q.parts[-1], annex.parts)
                    ]
                else:
                    dropped = list(current)
                listed = {_key(line): line for line in lines}
                for k in dropped:
                    if k not in listed:
                        current.pop(k).ended = act
                for line in lines:
                    known = current.get(_key(line))
                    if known is None:
                        known = _open(table, line, act)
                        current[_key(line)] = known
                        periods.append(known)
                        added_here.append(known)
                    else:
                        _restate(known, line, act)
            else:  # amend
                for line in lines:
                    found_p = current.get(_key(line))
                    if line.op == "add":
                        if found_p is not None:
                            found.append(
                                Problem(
                                    rel,
                                    line.row,
                                    "op",
                                    f"adds {line.written!r}, which is listed already",
                                )
                            )
                            _restate(found_p, line, act)
                            continue
                        opened = _open(table, line, act)
                        current[_key(line)] = opened
                        periods.append(opened)
                        added_here.append(opened)
                    else:
                        if found_p is None:
                            found.append(
                                Problem(
                                    rel,
                                    line.row,
                                    "op",
                                    f"deletes {line.written!r}, which is not listed",
                                )
                            )
                            continue
                        current.pop(_key(line)).ended = act
        _apply_wind_downs(
            tables,
            new_in_act,
            {t: list(lines_open.values()) for t, lines_open in open_.items()},
            found,
        )
    return replay


def _in_parts(part: str, parts: Iterable[str]) -> bool:
    return any(part == p or part.startswith(f"{p}.") for p in parts)


def _lines_of(tables: ActTables, file: str | None, table: str) -> list[AnnexLine]:
    return list(tables.lines.get(table, ()))


def _open(table: str, line: AnnexLine, act: Act) -> LinePeriod:
    p = LinePeriod(
        table=table,
        code=canonical_code(line.code),
        ex=line.ex,
        item=line.item,
        written=line.written,
        added=act,
    )
    _restate(p, line, act)
    return p


def _restate(p: LinePeriod, line: AnnexLine, act: Act) -> None:
    if line.part and (not p.parts or p.parts[-1] != line.part):
        p.parts.append(line.part)
    if act.act not in p.stated_by:
        p.stated_by.append(act.act)
    p.written = line.written
    if line.note and line.note not in p.notes:
        p.notes.append(line.note)


def _apply_wind_downs(
    tables: ActTables,
    new_in_act: Mapping[str, list[LinePeriod]],
    in_force: Mapping[str, list[LinePeriod]],
    found: list[Problem],
) -> None:
    act = tables.act
    for wd in act.wind_downs:
        # "all": every line of the annex in force after the act (a regime change
        # such as an authorisation requirement turned into a ban); else new lines
        targets = (
            in_force.get(wd.annex, [])
            if wd.lines == "all"
            else new_in_act.get(wd.annex, [])
        )
        if wd.codes:
            codes = list(wd.codes)
        elif wd.lines not in ("all", "all-new", "codes"):
            codes = [ln.code for ln in tables.lines.get(wd.lines, ()) if ln.code]
            if not codes:
                found.append(
                    Problem(
                        str(tables.folder.name) + "/act.yml",
                        None,
                        "wind_downs",
                        f"{wd.provision}: no table {wd.lines!r} in this act",
                    )
                )
                continue
        else:
            codes = []
        chosen: list[tuple[LinePeriod, str]] = []
        if not codes:
            chosen = [(p, "") for p in targets]
        else:
            for p in targets:
                hit = [c for c in codes if _overlaps(c, p.code)]
                if hit:
                    chosen.append((p, ", ".join(_fmt(c) for c in hit)))
        for p, which in chosen:
            if p.wind_down_until is None or wd.until > p.wind_down_until:
                p.wind_down_until = wd.until
            before = (
                f"concluded before {wd.contracts_before.isoformat()} "
                if wd.contracts_before is not None
                else ""
            )
            where = (
                f", listed in Annex {wd.lines}"
                if wd.lines not in ("all", "all-new", "codes")
                else ""
            )
            scope = f" (for CN {which}{where})" if which else ""
            p.wind_down_note = (
                f"{wd.provision}: contracts {before}could still be executed until "
                f"{wd.until.isoformat()}{scope}."
            )


def _fmt(code: str) -> str:
    """``84823000`` -> ``8482 30 00`` (the way the annexes print CN codes)."""
    if len(code) <= 4:
        return code
    return " ".join([code[:4], *[code[i : i + 2] for i in range(4, len(code), 2)]])


# -- entries -------------------------------------------------------------


def _describe(code: str, hs: Mapping[str, str]) -> str:
    for n in (6, 4, 2):
        if len(code) >= n and code[:n] in hs:
            return hs[code[:n]]
    return ""


def _categories(code: str, category_codes: Mapping[str, Iterable[str]]) -> str:
    out = [
        key
        for key, codes in category_codes.items()
        if code and any(_overlaps(code, c) for c in codes)
    ]
    return ";".join(sorted(out))


def read_items(path: Path, problems: list[Problem]) -> list[dict[str, str]]:
    """Rows of ``items.csv`` (curated non-CN entries), with their line as ``_row``."""
    if not path.is_file():
        return []
    return [
        {**row, "_row": str(n)}
        for n, row in read_fixed_csv(path, ITEM_COLUMNS, path.name, problems)
    ]


def build_rows(
    sources: EuSources,
    replay: Replay,
    hs: Mapping[str, str],
    category_codes: Mapping[str, Iterable[str]],
    problems: list[Problem] | None = None,
    root: Path | None = None,
) -> list[dict[str, str]]:
    """The rows of ``lists/eu_russia/entries.csv``: curated items, then one row
    per line period of every annex table that holds entries, in table order."""
    found = problems if problems is not None else []
    acts = {t.act.act: t.act for t in sources.acts}
    hs2017 = load_hs2017(root) if root is not None else {}
    rows: list[dict[str, str]] = []
    item_periods = {
        (p.table, p.item): p for p in replay.periods if p.item and p.ended is None
    }
    for item in read_items(sources.root / "sources" / "eu_833" / "items.csv", found):
        added = acts.get(item["added_by"])
        ended = acts.get(item["ended_by"]) if item["ended_by"] else None
        where = f"sources/eu_833/items.csv row {item['_row']}"
        if added is None:
            found.append(
                Problem(
                    where,
                    None,
                    "added_by",
                    f"no act {item['added_by']!r} in the sources",
                )
            )
            continue
        if item["ended_by"] and ended is None:
            found.append(
                Problem(
                    where,
                    None,
                    "ended_by",
                    f"no act {item['ended_by']!r} in the sources",
                )
            )
            continue
        period = (
            item_periods.get((item["table"], item["item"])) if item["item"] else None
        )
        if period is not None and period.added.act != added.act:
            found.append(
                Problem(
                    where,
                    None,
                    "added_by",
                    f"the act tables list {item['item']} from {period.added.act}, not {added.act}",
                )
            )
        rows.append(
            {
                "entry_id": item["entry_id"],
                "control_code": item["control_code"],
                "title": item["title"],
                "description": item["description"],
                "verdict": item["verdict"],
                "condition": item["condition"],
                "thresholds": "",
                "tier": "",
                "codes": item["codes"],
                "ex_codes": item["ex_codes"],
                "code_edition": "",
                "keywords": item["keywords"],
                "categories": item["categories"],
                "covers_list": item["covers_list"],
                "added": added.entry_into_force.isoformat(),
                "added_act": added.label,
                "ended": ended.entry_into_force.isoformat() if ended else "",
                "ended_act": ended.label if ended else "",
                "wind_down_until": "",
                "source_ref": item["source_ref"],
                "source_url": added.url,
                "verification": "official",
                "note": item["note"],
            }
        )
    order = {key: i for i, key in enumerate(sources.annexes)}
    counts: Counter[tuple[str, str]] = Counter()
    periods = sorted(
        (
            p
            for p in replay.periods
            if p.code
            and p.table in sources.annexes
            and sources.annexes[p.table].entries
        ),
        key=lambda p: (order[p.table], p.code, p.ex, p.added.entry_into_force),
    )
    for p in periods:
        info = sources.annexes[p.table]
        base = f"{p.table}-{'ex' if p.ex else ''}{p.code}"
        counts[(p.table, base)] += 1
        n = counts[(p.table, base)]
        entry_id = base if n == 1 else f"{base}-{n}"
        desc = _describe(p.code, hs)
        shown = p.written if p.written else _fmt(p.code)
        title = desc if desc else f"CN {shown}"
        if p.ex:
            title = f"Part of: {title}"
        conditions = []
        if info.condition:
            conditions.append(info.condition)
        if p.ex:
            conditions.append(
                f"only if the goods are of the part of CN {_fmt(p.code)} that the "
                f"'ex' line names ({info.name})"
            )
        verdict = "listed-if" if conditions else "listed"
        condition = "; and ".join(conditions)
        if condition and not condition.startswith("only if"):
            condition = f"only if {condition}"
        parts = ", ".join(p.parts)
        part_ref = (
            f", {'parts' if len(p.parts) > 1 else 'part'} {parts}" if parts else ""
        )
        notes = [
            f"CN line '{shown}' read in {p.added.label} (in force "
            f"{p.added.entry_into_force.isoformat()})"
            + (
                f" and restated by {', '.join(a for a in p.stated_by if a != p.added.act)}"
                if len(p.stated_by) > 1
                else ""
            )
            + "."
        ]
        if p.ended is not None:
            notes.append(
                f"Not in the annex as set by {p.ended.label} (in force "
                f"{p.ended.entry_into_force.isoformat()})."
            )
        if p.wind_down_note:
            notes.append(p.wind_down_note)
        notes.extend(f"{n_}." if not n_.endswith(".") else n_ for n_ in p.notes)
        if not _known(p.code, hs):
            c = p.code
            succ = hs2017.get(c[:6]) or hs2017.get(c[:4]) or ()
            notes.append(
                f"The act prints {_fmt(c)}, a code of the HS 2017 edition that HS 2022 "
                f"no longer has; its goods are now under "
                f"{', '.join(_fmt(x) for x in succ)}."
            )
        checked = all(acts[a].checked_by for a in p.stated_by if a in acts)
        if not checked:
            notes.append("Source table not yet checked by a second reader.")
        rows.append(
            {
                "entry_id": entry_id,
                "control_code": info.name,
                "title": title,
                "description": (
                    f"CN {shown}{f' ({desc})' if desc else ''} in {info.name} of "
                    f"Regulation (EU) No 833/2014: {info.meaning}"
                ),
                "verdict": verdict,
                "condition": condition,
                "thresholds": "",
                "tier": "",
                "codes": "" if p.ex else p.code,
                "ex_codes": p.code if p.ex else "",
                "code_edition": (
                    f"CN{p.added.entry_into_force.year}"
                    if _known(p.code, hs)
                    else "HS2017"
                ),
                "keywords": "",
                "categories": _categories(p.code, category_codes),
                "covers_list": "",
                "added": p.added.entry_into_force.isoformat(),
                "added_act": p.added.label,
                "ended": p.ended.entry_into_force.isoformat() if p.ended else "",
                "ended_act": p.ended.label if p.ended else "",
                "wind_down_until": (
                    p.wind_down_until.isoformat() if p.wind_down_until else ""
                ),
                "source_ref": (
                    f"Regulation (EU) No 833/2014, {info.name}{part_ref} ({info.article})"
                ),
                "source_url": p.added.url,
                "verification": "official",
                "note": " ".join(notes),
            }
        )
    return rows


def render_csv(rows: Iterable[Mapping[str, str]]) -> str:
    """The entries CSV text (LF line ends, minimal quoting)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=ENTRY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row[k] for k in ENTRY_COLUMNS})
    return buf.getvalue()


def load_hs2017(root: Path) -> dict[str, tuple[str, ...]]:
    """HS 2017 code -> its HS 2022 successors (``hs2017_splits.csv``)."""
    from tracker.hs_splits import _parse_splits

    splits, _ = _parse_splits(root)
    return {k: v.hs2022 for k, v in splits.items()}


def _known(code: str, hs: Mapping[str, str]) -> bool:
    c = canonical_code(code)
    return (c[:6] if len(c) >= 6 else c) in hs


def check_nomenclature(
    sources: EuSources, hs: Mapping[str, str], hs2017: Mapping[str, tuple[str, ...]]
) -> list[Problem]:
    """Problems for codes of the act tables that exist in neither HS edition.

    Acts print CN codes of their year (HS 2022 based from 2022 on); a code that
    HS 2022 no longer has must at least be an HS 2017 code (``hs2017_splits.csv``).
    """
    out: list[Problem] = []
    for tables in sources.acts:
        for annex in tables.act.annexes:
            if not annex.file:
                continue
            rel = str((tables.folder / annex.file).relative_to(sources.root))
            for line in tables.lines.get(annex.table, ()):
                if not line.code or _known(line.code, hs):
                    continue
                c = canonical_code(line.code)
                if c[:6] in hs2017 or c[:4] in hs2017:
                    continue
                out.append(
                    Problem(
                        rel,
                        line.row,
                        "code",
                        f"{line.written!r} is in neither the HS 2022 reference "
                        "(hs2022.csv) nor the HS 2017 codes (hs2017_splits.csv)",
                    )
                )
    return out


def build_eu_russia(
    root: Path,
    hs: Mapping[str, str],
    category_codes: Mapping[str, Iterable[str]],
    problems: list[Problem] | None = None,
) -> str | None:
    """Replay the EU 833/2014 source tables under ``root`` into entries CSV text.

    Returns None when ``root`` has no source tables.
    """
    found = problems if problems is not None else []
    sources = load_eu_sources(root, found)
    if sources is None:
        return None
    replay = replay_acts(sources, found)
    found.extend(check_nomenclature(sources, hs, load_hs2017(root)))
    return render_csv(build_rows(sources, replay, hs, category_codes, found, root))
