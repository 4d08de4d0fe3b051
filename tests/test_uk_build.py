"""Building uk_russia from the transcribed SI 2019/855 schedules."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.conftest import REAL_DATASETS
from tracker.catalog import Catalog
from tracker.checking import check_items
from tracker.models.control import ENTRY_COLUMNS
from tracker.problems import Problem
from tracker.uk_build import build_uk_russia

HEADER = "position,part,written,code,ex,note\n"
HS = {
    "85": "Electrical machinery",
    "8541": "Semiconductor devices",
    "854140": "Photosensitive semiconductor devices",
    "8419": "Industrial heating equipment",
    "841940": "Distilling or rectifying plant",
    "88": "Aircraft and parts",
    "8802": "Powered aircraft",
    "880211": "Light helicopters",
    "2204": "Wine",
    "220410": "Sparkling wine",
}
ITEM = dict.fromkeys(ENTRY_COLUMNS, "") | {
    "entry_id": "schedule-2A",
    "control_code": "Schedule 2A",
    "title": "Critical-industry goods",
    "description": "Goods of Schedule 2A.",
    "verdict": "listed-if",
    "condition": "only if the goods are in Schedule 2A",
    "added": "2022-04-14",
    "source_ref": "SI 2019/855, Schedule 2A",
    "source_url": "https://www.legislation.gov.uk/uksi/2019/855",
    "verification": "secondary",
}


def _version(root: Path, version: str, tables: dict[str, str]) -> None:
    folder = root / "sources" / "uk_russia" / version
    folder.mkdir(parents=True)
    (folder / "source.yml").write_text(
        f'version: "{version}"\nwhat: "copy of {version}"\n', encoding="utf-8"
    )
    for name, body in tables.items():
        (folder / f"{name}.csv").write_text(HEADER + body, encoding="utf-8")


def _tree(root: Path) -> None:
    base = root / "sources" / "uk_russia"
    base.mkdir(parents=True)
    with (base / "items.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=ENTRY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerow(ITEM)
    _version(
        root,
        "2019-04-11",
        {
            "3": "1,Part 2 para 2,8541 40 00,85414000,0,\n"
            "2,Part 3 para 5,8401 to 8418,8401,0,Crimea\n",
            "3E": "1,para (2),8541 40,854140,0,\n",
        },
    )
    _version(
        root,
        "2022-07-15",
        {
            "2C": "1,Part 2 para 3,chapter 88,88,0,the whole of chapter 88\n",
            "2D": "1,Part 2 para 2,ex 8419 40 00,84194000,1,\n"
            "2,Part 2 para 2,ex 8419 40 00,84194000,1,\n"
            "3,Part 2 para 2,ex 8418 60 00,84186000,1,\n",
            "3A": "1,Part 2 para 5,2204 10 11,22041011,0,sales price > £250 per item\n"
            "2,Part 2 para 11,2204 10 91,22041091,0,no price condition\n",
            "3B": "1,Part 2 para 2,7208 10 00,72081000,0,IMPORT\n",
        },
    )
    # a later copy of 3E replaces the earlier one entirely
    _version(root, "2022-07-21", {"3E": "1,para (2),8802 11,880211,0,\n"})


def _rows(text: str | None) -> dict[str, dict[str, str]]:
    assert text is not None
    return {r["entry_id"]: r for r in csv.DictReader(io.StringIO(text))}


def test_synthetic_sources_build(tmp_path: Path) -> None:
    _tree(tmp_path)
    problems: list[Problem] = []
    text = build_uk_russia(tmp_path, HS, problems)
    rows = _rows(text)
    assert text is not None and text.splitlines()[0] == ",".join(ENTRY_COLUMNS)
    # items kept unchanged and first
    assert next(iter(rows)) == "schedule-2A"
    assert rows["schedule-2A"] == ITEM
    # latest folder wins: 3E of 2019-04-11 is replaced by the 2022-07-21 copy
    assert "3E-854140" not in rows
    assert rows["3E-880211"]["verdict"] == "listed"
    assert rows["3E-880211"]["note"].startswith(
        "Line '8802 11' (para (2), position 1) read in copy of 2022-07-21."
    )
    assert "first listed is not known" in rows["3E-880211"]["note"]
    assert rows["3E-880211"]["added"] == ""
    assert rows["3E-880211"]["source_ref"] == "SI 2019/855, Schedule 3E, para (2)"
    # Schedule 3: Part 2 only (Part 3 is the Crimea list)
    assert rows["3-854140"]["codes"] == "854140"
    assert rows["3-854140"]["code_edition"] == "UKGT2019"
    assert not any(k.startswith("3-8401") for k in rows)
    # ex lines, repeats and the schedule-wide 2D condition
    assert rows["2D-ex841940"]["ex_codes"] == "841940"
    assert rows["2D-ex841940"]["codes"] == ""
    assert rows["2D-ex841940"]["verdict"] == "listed-if"
    assert rows["2D-ex841940"]["condition"].startswith("only if")
    assert rows["2D-ex841940"]["title"] == "Part of: Distilling or rectifying plant"
    assert "2D-ex841940-2" in rows
    # 3A price thresholds
    priced = rows["3A-22041011"]
    assert priced["verdict"] == "listed-if"
    assert priced["condition"] == (
        "only if the sales price (excluding VAT) exceeds £250 per item"
    )
    assert priced["thresholds"] == "sales price > £250 per item"
    assert rows["3A-22041091"]["verdict"] == "listed"
    assert rows["2C-88"]["codes"] == "88"
    # import schedules give no entries
    assert not any(k.startswith("3B") for k in rows)
    # a code in no HS edition whose heading is unknown too is a problem naming the
    # file and row
    assert "2D-ex841860" not in rows
    assert [str(p) for p in problems] == [
        "sources/uk_russia/2022-07-15/2D.csv row 4 field 'code': 'ex 8418 60 00' "
        "is in neither the HS 2022 reference (hs2022.csv) nor the HS 2017 codes "
        "(hs2017_splits.csv)"
    ]
    # with its heading known, the misprinted subheading is kept as an ex line of
    # the heading, and says so
    problems = []
    rows = _rows(build_uk_russia(tmp_path, {**HS, "8418": "Refrigerators"}, problems))
    kept = rows["2D-ex8418"]
    assert (kept["verdict"], kept["ex_codes"]) == ("listed-if", "8418")
    assert "a code in no HS edition" in kept["note"]
    assert problems == []


def test_unknown_schedule_and_part_are_problems(tmp_path: Path) -> None:
    _tree(tmp_path)
    _version(
        tmp_path,
        "2023-01-01",
        {
            "9Z": "1,para 1,8541 40,854140,0,\n",
            "3": "1,Part 4 para 1,8541 40,854140,0,\n",
        },
    )
    problems: list[Problem] = []
    build_uk_russia(tmp_path, HS, problems)
    messages = [str(p) for p in problems]
    assert any("2023-01-01/9Z.csv" in m and "'9Z'" in m for m in messages), messages
    assert any("2023-01-01/3.csv row 2 field 'part'" in m for m in messages), messages


def test_no_sources_gives_none(tmp_path: Path) -> None:
    assert build_uk_russia(tmp_path, HS, []) is None


def test_real_entries_are_the_build() -> None:
    problems: list[Problem] = []
    hs_path = REAL_DATASETS / "hs2022.csv"
    with hs_path.open(encoding="utf-8", newline="") as fh:
        hs = {r["code"]: r["description"] for r in csv.DictReader(fh)}
    text = build_uk_russia(REAL_DATASETS, hs, problems)
    target = REAL_DATASETS / "lists" / "uk_russia" / "entries.csv"
    assert text == target.read_text(encoding="utf-8")
    # Schedule 2D prints "ex 8418 60 00", in no HS edition: kept at heading 8418
    assert problems == []


def _uk(catalog: Catalog, item: str) -> tuple[str, tuple[str, ...], str]:
    result = check_items(catalog, [item])
    v = {x.list_key: x for x in result.items[0].verdicts}["uk_russia"]
    return v.verdict, v.entries, v.reason


def test_real_oil_refining_and_3e_codes_are_listed(real_catalog: Catalog) -> None:
    verdict, entries, _ = _uk(real_catalog, "8419.40")
    assert verdict == "listed-if", entries
    assert "2D-ex841940" in entries
    verdict, entries, _ = _uk(real_catalog, "3907.21")
    assert (verdict, entries[:1]) == ("listed", ("3E-390721",))
    verdict, entries, _ = _uk(real_catalog, "8802.40")
    assert (verdict, entries) == ("listed", ("2C-88",))


def test_real_code_on_no_schedule_is_indeterminate(real_catalog: Catalog) -> None:
    verdict, entries, reason = _uk(real_catalog, "0901.21")
    assert (verdict, entries) == ("indeterminate", ())
    assert "April 2023 extension" in reason, reason


def test_real_schedule_counts(real_catalog: Catalog) -> None:
    entries = real_catalog.entries_of("uk_russia")
    counts: dict[str, int] = {}
    for e in entries:
        if not e.entry_id.startswith("schedule-") and e.entry_id != "military-goods":
            counts[e.control_code] = counts.get(e.control_code, 0) + 1
    assert counts == {
        "Schedule 2C": 1,
        "Schedule 2D": 63,
        "Schedule 3": 30,
        "Schedule 3A": 337,
        "Schedule 3E": 642,
    }
    assert all(e.added is None for e in entries if e.verification == "official")
