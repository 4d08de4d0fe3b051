"""The bundled eu_russia data, read in the acts: dates, annexes, coverage, rebuild.

Facts asserted here were read in the Official Journal texts of the amending acts
(see datasets/sources/eu_833/acts/*/act.yml for where).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import REAL_DATASETS
from tracker.act_sources import load_eu_sources
from tracker.annex_build import canonical_code, replay_acts
from tracker.catalog import Catalog, build_datasets
from tracker.lookup import lookup_code
from tracker.problems import Problem

D = dt.date.fromisoformat


def _annexes(catalog: Catalog, code: str, on: str) -> dict[str, str]:
    """control_code -> strongest verdict of eu_russia matches for ``code`` on ``on``."""
    found: dict[str, str] = {}
    for m in lookup_code(catalog, code, as_of=D(on), lists=["eu_russia"]).matches:
        if m.basis == "narrower":
            continue
        if found.get(m.control_code) != "listed":
            found[m.control_code] = m.verdict
    return found


def test_the_committed_entries_equal_a_rebuild_from_the_source_tables() -> None:
    built, problems = build_datasets(REAL_DATASETS)
    assert [str(p) for p in problems] == []
    for target, text in built.items():
        assert target.read_text(encoding="utf-8") == text, (
            f"{target} is stale: run 'tracker datasets build'"
        )


def test_every_act_table_was_checked_by_a_second_reader() -> None:
    problems: list[Problem] = []
    sources = load_eu_sources(REAL_DATASETS, problems)
    assert sources is not None and problems == []
    unchecked = [t.act.act for t in sources.acts if t.act.checked_by.strip() == ""]
    assert unchecked == [], f"acts without a second reader: {unchecked}"


def test_tapered_roller_bearings_listed_from_the_fifth_package(
    real_catalog: Catalog,
) -> None:
    # 8482 20 is a line of the original Annex XXIII (Reg. 2022/576, in force 9 Apr 2022)
    assert "Annex XXIII" not in _annexes(real_catalog, "848220", "2022-04-08")
    assert _annexes(real_catalog, "848220", "2022-06-30")["Annex XXIII"] == "listed"


def test_processors_in_annex_vii_part_b_before_the_tenth_package(
    real_catalog: Catalog,
) -> None:
    # Part B was created by the 8th package (Reg. 2022/1904, in force 7 Oct 2022)
    assert (
        _annexes(real_catalog, "854231", "2023-01-31")["Annex VII Part B"] == "listed"
    )
    assert "Annex VII Part B" not in _annexes(real_catalog, "854231", "2022-10-06")


def test_nitrocellulose_named_in_annex_vii_from_april_2022_and_in_xxiii_from_december_2023(
    real_catalog: Catalog,
) -> None:
    assert "X.C.VIII.004" not in _annexes(real_catalog, "391220", "2022-04-08")
    on_9_april = _annexes(real_catalog, "391220", "2022-04-09")
    assert on_9_april["X.C.VIII.004"] == "listed"
    assert "Annex XXIII" not in _annexes(real_catalog, "391220", "2023-12-18")
    assert _annexes(real_catalog, "391220", "2023-12-19")["Annex XXIII"] == "listed"
    # mixtures (propellant powders) stay conditional
    assert _annexes(real_catalog, "360100", "2022-06-30")["X.C.VIII.004"] == "listed-if"


# Codes each package added, read in the act (the day before its entry into force
# they are on no eu_russia annex line; on that day they are).
ADDED_BY_PACKAGE = {
    # 16th: Reg. (EU) 2025/395, in force 25 Feb 2025: Annex VII Part B group 8 gains
    # 2610 00, 2819 10, 8112 21; Annex XXIII gains 2615, 3604, 3605; new Annex XLVIII
    "2025-02-25": [
        ("261000", "Annex VII Part B"),
        ("281910", "Annex VII Part B"),
        ("811221", "Annex VII Part B"),
        ("261510", "Annex XXIII"),
        ("360410", "Annex XXIII"),
        ("360500", "Annex XXIII"),
        ("850220", "Annex XLVIII"),
        ("853650", "Annex XLVIII"),
    ],
    # 17th: Reg. (EU) 2025/932, in force 21 May 2025: Annex VII Part B groups 6 and 9
    "2025-05-21": [
        ("28045010", "Annex VII Part B"),
        ("282911", "Annex VII Part B"),
        ("760310", "Annex VII Part B"),
        ("810430", "Annex VII Part B"),
        ("848240", "Annex VII Part B"),
        ("90318020", "Annex VII Part B"),
    ],
    # 18th: Reg. (EU) 2025/1494, in force 20 Jul 2025: Part B table 5 gains 8456 30
    # and 8456 50; Annex XXIII gains headings 2613, 2801, 3211, 7312, 9016, 9017
    "2025-07-20": [
        ("845630", "Annex VII Part B"),
        ("845650", "Annex VII Part B"),
        ("261310", "Annex XXIII"),
        ("280110", "Annex XXIII"),
        ("321100", "Annex XXIII"),
        ("731210", "Annex XXIII"),
        ("901600", "Annex XXIII"),
        ("901710", "Annex XXIII"),
    ],
    # 19th: Reg. (EU) 2025/2033, in force 24 Oct 2025: Part B tables 3, 6, 8 gain
    # 9015 10 00, 3912 11 00, 8103 20 00; Annex XXIII gains chapter 25 and headings
    # 4008, 6804, 6902
    "2025-10-24": [
        ("901510", "Annex VII Part B"),
        ("391211", "Annex VII Part B"),
        ("810320", "Annex VII Part B"),
        ("250100", "Annex XXIII"),
        ("400811", "Annex XXIII"),
        ("680410", "Annex XXIII"),
        ("690210", "Annex XXIII"),
    ],
}


@pytest.mark.parametrize("eif", sorted(ADDED_BY_PACKAGE))
def test_codes_added_by_the_recent_packages(real_catalog: Catalog, eif: str) -> None:
    codes = ADDED_BY_PACKAGE[eif]
    assert len(codes) >= 5, "list at least five codes per package"
    before = (D(eif) - dt.timedelta(days=1)).isoformat()
    for code, annex in codes:
        assert annex not in _annexes(real_catalog, code, before), (code, before)
        assert annex in _annexes(real_catalog, code, eif), (code, eif)


def _consolidated(folder: Path, table: str) -> set[tuple[str, bool]]:
    import csv

    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return {
            (canonical_code(r["code"]), r["ex"] == "1")
            for r in csv.DictReader(fh)
            if r["code"]
        }


@pytest.mark.parametrize(
    ("date", "table"),
    [
        ("2022-12-04", "XXIII"),
        ("2022-12-04", "VII-B"),
        ("2023-04-27", "XXIII"),
        ("2023-04-27", "VII-B"),
    ],
)
def test_replay_equals_the_consolidated_text(date: str, table: str) -> None:
    problems: list[Problem] = []
    sources = load_eu_sources(REAL_DATASETS, problems)
    assert sources is not None
    replay = replay_acts(sources, problems)
    folder = REAL_DATASETS / "sources" / "eu_833" / "consolidated" / date
    expected = _consolidated(folder, table)
    got = {(p.code, p.ex) for p in replay.state(table, D(date))}
    assert got - expected == set() and expected - got == set(), (
        sorted(got - expected),
        sorted(expected - got),
    )
