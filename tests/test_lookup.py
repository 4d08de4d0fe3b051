"""Code lookup against the miniature catalogue: bases, verdicts, dates, derived lists."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import MINI_DATASETS
from tracker.catalog import Catalog, load_catalog
from tracker.exc import CodeError
from tracker.lookup import lookup_code
from tracker.matching import (
    code_candidates,
    match_category,
    match_code,
    match_keywords,
    matches_on,
)

AFTER = dt.date(2024, 7, 1)


def _ids(matches: object) -> list[tuple[str, str, str, str]]:
    return [(m.list_key, m.entry_id, m.basis, m.verdict) for m in matches]  # type: ignore[attr-defined]


def test_exact_match_carries_provenance(mini_catalog: Catalog) -> None:
    matches = match_code(mini_catalog, "854231", as_of=AFTER, lists=["alpha"])
    assert _ids(matches) == [("alpha", "854231", "exact", "listed")]
    m = matches[0]
    assert m.tier == "1"
    assert m.query_value == "854231" and m.list_value == "854231"
    assert m.source_url == "https://example.org/alpha"
    assert m.list_version == "Test edition 2024"
    assert m.detail == "code 8542.31 equals HS 8542.31 (HS2022) of alpha 854231"


def test_longer_code_matches_by_prefix(mini_catalog: Catalog) -> None:
    matches = match_code(mini_catalog, "8542319000", as_of=AFTER)
    assert ("alpha", "854231", "prefix", "listed") in _ids(matches)
    ex = next(m for m in matches if m.entry_id == "XXIII-854231")
    assert ex.basis == "prefix"
    assert ex.verdict == "listed-if"
    assert "'ex' line" in ex.condition


def test_broader_code_matches_narrower_entries_as_listed_if(
    mini_catalog: Catalog,
) -> None:
    matches = match_code(mini_catalog, "8542", as_of=AFTER, lists=["alpha"])
    assert {(m.entry_id, m.basis, m.verdict) for m in matches} == {
        ("854231", "narrower", "listed-if"),
        ("854232", "narrower", "listed-if"),
    }
    assert matches[0].condition == "only if the goods fall under 8542.31"


def test_derived_entry_follows_the_list_it_covers(mini_catalog: Catalog) -> None:
    matches = match_code(mini_catalog, "854232", as_of=AFTER)
    derived = [m for m in matches if m.basis == "derived"]
    assert _ids(derived) == [("beta", "ART2", "derived", "listed")]
    assert derived[0].list_value == "alpha:854232"


def test_as_of_applies_added_and_ended_dates(mini_catalog: Catalog) -> None:
    before = match_code(mini_catalog, "391220", as_of=dt.date(2023, 6, 30))
    assert before == []
    after = match_code(mini_catalog, "391220", as_of=dt.date(2024, 1, 31))
    assert _ids(after) == [("beta", "XXIII-3912", "prefix", "listed")]
    assert after[0].wind_down_until == dt.date(2024, 3, 20)


def test_list_without_data_for_the_date_is_a_gap(mini_catalog: Catalog) -> None:
    result = lookup_code(mini_catalog, "8542.31", as_of=dt.date(2023, 6, 30))
    assert [g.list_key for g in result.gaps] == ["alpha"]
    assert "starts on 2024-02-23" in result.gaps[0].reason
    assert all(m.list_key != "alpha" for m in result.matches)


def test_lookup_normalises_and_describes(mini_catalog: Catalog) -> None:
    result = lookup_code(mini_catalog, "HS 8542.31", as_of=AFTER)
    assert result.code == "854231"
    assert result.display == "8542.31"
    assert result.hs_code == "854231"
    assert result.hs_description == "Integrated circuits: processors and controllers"


def test_lookup_rejects_bad_codes(mini_catalog: Catalog) -> None:
    with pytest.raises(CodeError, match="Invalid code '12345'"):
        lookup_code(mini_catalog, "12345")


def test_category_and_keyword_matches(mini_catalog: Catalog) -> None:
    cat = match_category(mini_catalog, "cnc_milling", as_of=AFTER)
    assert {(m.list_key, m.entry_id, m.basis) for m in cat} == {
        ("alpha", "845961", "category"),
        ("beta", "P-845951", "category"),
    }
    kw = match_keywords(mini_catalog, ["Processor"], as_of=AFTER)
    assert _ids(kw) == [("beta", "XXIII-854231", "keyword", "listed")]


extension = st.text(alphabet="0123456789", min_size=0, max_size=4).filter(
    lambda s: len(s) in (0, 2, 4)
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["854231", "854232", "845961"]), extension)
def test_any_extension_of_a_listed_code_finds_its_entry(code: str, ext: str) -> None:
    catalog = load_catalog(MINI_DATASETS)
    matches = match_code(catalog, code + ext, as_of=AFTER, lists=["alpha"])
    assert [(m.entry_id, m.verdict) for m in matches] == [(code, "listed")]


def test_hs2017_code_moved_one_to_one_is_looked_up_in_hs2022(
    real_catalog: Catalog,
) -> None:
    # HS 2017 8803.30 became HS 2022 8807.30, which is on the CHPL (tier 3.B)
    result = lookup_code(real_catalog, "8803.30", as_of=dt.date(2024, 6, 1))
    assert result.edition == "HS2017"
    assert "8807.30" in result.edition_note
    chpl = [m for m in result.matches if m.list_key == "chpl"]
    assert [(m.entry_id, m.query_value) for m in chpl] == [("880730", "880730")]


def test_hs2017_split_code_names_the_listed_successors(real_catalog: Catalog) -> None:
    # HS 2017 8541.40 split into 8541.41/42/43/49; 8541.49 is on the CHPL
    result = lookup_code(real_catalog, "854140", as_of=dt.date(2024, 6, 1))
    assert not [m for m in result.matches if m.list_key == "chpl"]
    gap = next(g for g in result.gaps if g.list_key == "chpl")
    assert gap.reason.startswith("8541.40 is an HS 2017 code; in HS 2022 it split")
    assert "8541.49 (854149)" in gap.reason


def test_old_data_carries_a_caveat(real_catalog: Catalog) -> None:
    old = lookup_code(real_catalog, "854231", lists=["chpl"])
    assert any(
        c.startswith("chpl: bundled data is as of 2024-02-23") for c in old.caveats
    )
    fresh = lookup_code(
        real_catalog, "854231", as_of=dt.date(2024, 3, 1), lists=["chpl"]
    )
    assert fresh.caveats == ()


def test_candidates_of_a_code_give_each_dates_matches(real_catalog: Catalog) -> None:
    """One set of candidates per code (screen keeps it) answers every date alike.

    On each date: every code match's entry is in force and its list has data;
    every derived match comes from a code match of that date and its covering
    entry is in force; nothing is repeated; and the matches change exactly on
    the dates of the entries involved.
    """
    cands = code_candidates(real_catalog, "8542310000")
    assert cands.derived, "8542.31 is dual-use: EU 833/2014 Art. 2 covers it"
    changes = {
        d
        for e in (*cands.entries, *(c for c, _, _ in cands.derived))
        for d in (e.added, e.ended, real_catalog.lists[e.list_key].covers_from)
        if d is not None
    }
    days = sorted(changes | {d - dt.timedelta(days=1) for d in changes})
    by_id = {(e.list_key, e.entry_id): e for e in real_catalog.entries}
    seen_kinds = set()
    for day in [*days, None]:
        found = matches_on(real_catalog, cands, as_of=day)
        assert found == match_code(real_catalog, "8542310000", as_of=day)
        direct = {(m.list_key, m.entry_id) for m in found if m.basis != "derived"}
        for m in found:
            entry = by_id[(m.list_key, m.entry_id)]
            assert entry.in_force(day)
            assert real_catalog.list_gap(m.list_key, day) is None
            if m.basis == "derived":
                assert tuple(m.list_value.split(":", 1)) in direct
        keys = [(m.list_key, m.entry_id, m.basis, m.list_value) for m in found]
        assert len(keys) == len(set(keys))
        seen_kinds.add(frozenset(keys))
    # before Art. 2 and the first entries, and after: not one answer for all dates
    assert len(seen_kinds) > 2
    # a covering entry of a list not asked for brings nothing
    only_ccl = matches_on(real_catalog, cands, lists=["us_ccl"])
    assert [(m.list_key, m.basis) for m in only_ccl] == [("us_ccl", "prefix")]


def _keyword_matches_entry_by_entry(
    catalog: Catalog, words: list[str], as_of: dt.date | None, lists: list[str] | None
) -> list[tuple[str, str, str]]:
    """What match_keywords answers, worked out entry by entry (the reference)."""
    from tracker.matching import _usable

    wanted = {w.casefold().strip(): w for w in words if w.strip()}
    out = []
    for entry in catalog.entries:
        if not _usable(catalog, entry, as_of, lists):
            continue
        for kw in entry.keywords:
            if kw.casefold() in wanted:
                out.append((entry.list_key, entry.entry_id, kw))
                break
    return out


def test_keyword_matches_are_those_found_entry_by_entry(real_catalog: Catalog) -> None:
    keywords = sorted({kw for e in real_catalog.entries for kw in e.keywords})
    assert len(keywords) > 50
    # Several keywords of one entry wanted at once: the entry's first one counts.
    several = [e for e in real_catalog.entries if len(e.keywords) > 2][0]
    cases = [
        [kw.upper() for kw in keywords],
        list(reversed(several.keywords)),
        [" " + keywords[0] + " ", "no such word", ""],
    ]
    lists = sorted(real_catalog.lists)[:3]
    for words in cases:
        for as_of in (None, dt.date(2022, 6, 1), dt.date(2015, 1, 1)):
            for chosen in (None, lists):
                got = match_keywords(real_catalog, words, as_of=as_of, lists=chosen)
                expected = _keyword_matches_entry_by_entry(
                    real_catalog, words, as_of, chosen
                )
                assert [(m.list_key, m.entry_id, m.list_value) for m in got] == expected
    assert match_keywords(real_catalog, keywords)
