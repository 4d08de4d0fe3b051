"""The real datasets/: they validate, and the facts the product promises hold."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REAL_DATASETS
from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.matching import match_code

LIST_KEYS = {
    "chpl",
    "eu_dual_use",
    "eu_military",
    "eu_russia",
    "us_ccl",
    "us_ear_russia",
    "uk_russia",
}


def test_real_datasets_validate() -> None:
    report = validate_datasets(REAL_DATASETS)
    assert report.valid, "\n".join(str(p) for p in report.problems)
    assert report.counts["lists"] == len(LIST_KEYS)


def test_every_list_is_there(real_catalog: Catalog) -> None:
    assert set(real_catalog.lists) == LIST_KEYS


def test_every_entry_cites_a_source(real_catalog: Catalog) -> None:
    for e in real_catalog.entries:
        assert e.source_url.startswith("https://"), e
        assert e.source_ref, e
        assert e.verification in ("official", "secondary", "unverified"), e


def test_chpl_has_50_codes_in_six_tiers(real_catalog: Catalog) -> None:
    entries = real_catalog.entries_of("chpl")
    codes = [c.value for e in entries for c in e.codes]
    assert len(codes) == len(set(codes)) == 50
    assert all(len(c) == 6 for c in codes)
    assert Counter(e.tier for e in entries) == {
        "1": 4,
        "2": 5,
        "3.A": 16,
        "3.B": 9,
        "4.A": 11,
        "4.B": 5,
    }


def _entries(matches: list, list_key: str) -> set[str]:  # type: ignore[type-arg]
    return {m.entry_id for m in matches if m.list_key == list_key}


def test_8542_31_is_chpl_tier_1(real_catalog: Catalog) -> None:
    matches = match_code(real_catalog, "854231")
    chpl = [m for m in matches if m.list_key == "chpl"]
    assert [(m.tier, m.verdict, m.basis) for m in chpl] == [("1", "listed", "exact")]
    assert chpl[0].source_url.startswith("https://")


def test_knee_type_cnc_milling_is_not_chpl_but_may_be_dual_use(
    real_catalog: Catalog,
) -> None:
    matches = match_code(real_catalog, "845951")
    assert not _entries(matches, "chpl")
    dual = {m.entry_id.split(".")[0] for m in matches if m.list_key == "eu_dual_use"}
    assert {"2B001", "2B201"} <= dual
    assert "2B991" in _entries(matches, "us_ccl")
    for m in matches:
        if m.list_key in ("eu_dual_use", "us_ccl"):
            assert m.verdict == "listed-if" and m.condition, m


def test_nitrocellulose_annex_xxiii_line_starts_with_the_12th_package(
    real_catalog: Catalog,
) -> None:
    def annex_xxiii(on: dt.date | None) -> list:  # type: ignore[type-arg]
        return [
            m
            for m in match_code(real_catalog, "391220", as_of=on)
            if m.list_key == "eu_russia" and m.entry_id.startswith("XXIII")
        ]

    now = annex_xxiii(None)
    assert any(
        m.added == dt.date(2023, 12, 19) and "2023/2878" in m.added_act for m in now
    ), now
    # The April 2022 Annex XXIII excluded cellulose nitrates: no line on 30 Jun 2023.
    assert annex_xxiii(dt.date(2023, 6, 30)) == []
    assert annex_xxiii(dt.date(2024, 1, 31))


def test_nitrocellulose_was_already_an_annex_vii_substance_from_april_2022(
    real_catalog: Catalog,
) -> None:
    # Reg. (EU) 2022/576 added entry X.C.VIII.004 (point o: nitrocellulose) to
    # Annex VII Part A, in force 9 Apr 2022: an Art. 2a ban independent of CN lines.
    on = dt.date(2023, 6, 30)
    vii = [
        m
        for m in match_code(real_catalog, "391220", as_of=on)
        if m.list_key == "eu_russia"
    ]
    assert [m.control_code for m in vii] == ["X.C.VIII.004"], vii
    assert vii[0].added == dt.date(2022, 4, 9)
    # point o names nitrocellulose itself: listed, not conditional
    assert vii[0].verdict == "listed"
    assert not match_code(
        real_catalog, "391220", as_of=dt.date(2022, 4, 8), lists=["eu_russia"]
    )


def test_nitrocellulose_is_not_chpl_and_the_ml8_note_applies(
    real_catalog: Catalog,
) -> None:
    now = match_code(real_catalog, "391220")
    assert not _entries(now, "chpl")
    ml8 = [m for m in now if m.list_key == "eu_military"]
    assert ml8 and all(m.verdict == "listed-if" for m in ml8)
    assert any("compounded or mixed" in m.condition for m in ml8), ml8


def test_annex_xl_grew_from_45_to_50_codes(real_catalog: Catalog) -> None:
    def xl_codes(on: dt.date) -> set[str]:
        return {
            c.value
            for e in real_catalog.entries_of("eu_russia")
            if e.entry_id.startswith("XL-") and e.in_force(on)
            for c in e.codes
        }

    early, late = xl_codes(dt.date(2024, 1, 31)), xl_codes(dt.date(2024, 7, 1))
    assert len(early) == 45
    assert len(late) == 50
    assert late - early == {"845710", "845811", "845891", "845961", "846693"}
    chpl = {c.value for e in real_catalog.entries_of("chpl") for c in e.codes}
    # the annex prints 8534 00 and 8548 00: whole headings, kept as 8534 and 8548
    assert late == (chpl - {"853400", "854800"}) | {"8534", "8548"}


def test_every_category_has_aliases_in_five_languages(real_catalog: Catalog) -> None:
    for cat in real_catalog.categories.values():
        missing = {"en", "ru", "uk", "zh", "de"} - set(cat.aliases)
        assert not missing, (cat.key, missing)


@pytest.fixture(scope="module")
def chpl_codes() -> list[str]:
    catalog = load_catalog(REAL_DATASETS)
    return sorted(c.value for e in catalog.entries_of("chpl") for c in e.codes)


suffix = st.sampled_from(["", "00", "90", "1000", "9099"])


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=49), suffix)
def test_any_extension_of_a_chpl_code_finds_it(index: int, ext: str) -> None:
    catalog = load_catalog(REAL_DATASETS)
    codes = sorted(c.value for e in catalog.entries_of("chpl") for c in e.codes)
    code = codes[index]
    matches = match_code(catalog, code + ext, lists=["chpl"])
    assert [(m.entry_id, m.verdict) for m in matches] == [(code, "listed")], code


def test_lists_without_code_tables_make_no_match_indeterminate(
    real_catalog: Catalog,
) -> None:
    from tracker.checking import check_items
    from tracker.lookup import lookup_code

    coffee = lookup_code(real_catalog, "0901.21", as_of=dt.date(2026, 1, 15))
    assert coffee.matches == ()
    assert {g.list_key for g in coffee.gaps} == {"uk_russia", "us_ear_russia", "us_ccl"}
    assert all("not bundled" in g.reason for g in coffee.gaps)
    result = check_items(real_catalog, ["nitrocellulose"])
    verdicts = {v.list_key: v for v in result.items[0].verdicts}
    assert verdicts["us_ear_russia"].verdict == "indeterminate"
    assert "Supplements No. 2, 4, 5, 6 and 7" in verdicts["us_ear_russia"].reason
    assert verdicts["chpl"].verdict == "not-listed"
