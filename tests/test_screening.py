"""The screening kernel: statuses, reasons, equality with match_code, nothing lost."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import MINI_DATASETS, REAL_DATASETS
from tracker.catalog import Catalog, load_catalog
from tracker.hs_splits import load_splits, validate_splits
from tracker.matching import match_code
from tracker.readers import ColumnMapping
from tracker.screening import (
    ADDED_COLUMNS,
    KeywordScanner,
    Screener,
    screen_frame,
)

COLS = ColumnMapping(
    code="HS code", description="Description", destination="Dest", date="Date"
)


def frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["HS code", "Description", "Dest", "Date"])


def screened(catalog: Catalog, rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return screen_frame(frame(rows), catalog, columns=COLS).frame


# -- equality with match_code ------------------------------------------------------


def _random_codes(catalog: Catalog, rng: random.Random, count: int) -> list[str]:
    listed = sorted({c.value for e in catalog.entries for c in e.codes})
    codes = []
    for _ in range(count):
        pick = rng.random()
        if pick < 0.5:
            base = rng.choice(listed)
            extra = "".join(rng.choice("0123456789") for _ in range(10))
            length = rng.choice([n for n in (2, 4, 6, 8, 10)])
            codes.append((base + extra)[:length])
        else:
            length = rng.choice([2, 4, 6, 8, 10])
            first = f"{rng.randint(1, 97):02d}"
            rest = "".join(rng.choice("0123456789") for _ in range(length - 2))
            codes.append(first + rest)
    return codes


@pytest.mark.parametrize("which", ["mini", "real"])
def test_kernel_equals_match_code(
    which: str, mini_catalog: Catalog, real_catalog: Catalog
) -> None:
    catalog = mini_catalog if which == "mini" else real_catalog
    rng = random.Random(20240219)
    codes = _random_codes(catalog, rng, 400)
    start = dt.date(2021, 1, 1).toordinal()
    dates = [dt.date.fromordinal(start + rng.randint(0, 6 * 365)) for _ in codes]
    df = pd.DataFrame(
        {"HS code": codes, "Date": [d.isoformat() for d in dates]}, dtype=object
    )
    out = screen_frame(
        df, catalog, columns=ColumnMapping(code="HS code", date="Date")
    ).frame
    for code, on, entries, status in zip(
        codes, dates, out["tracker_entries"], out["tracker_status"], strict=True
    ):
        expected = []
        for m in match_code(catalog, code, as_of=on):
            key = f"{m.list_key}:{m.entry_id}"
            if key not in expected:
                expected.append(key)
        got = [e for e in entries.split(";") if e != ""]
        assert sorted(got) == sorted(expected), (code, on, status)
        if expected and len(code) != 2:
            assert status == "match", (code, on)


def _hs2017_codes(catalog: Catalog, rng: random.Random, count: int) -> list[str]:
    """HS 2017 codes HS 2022 lacks, with random national digits after them."""
    vanished = sorted(load_splits(catalog.path))
    codes = []
    for _ in range(count):
        base = rng.choice(vanished)
        extra = "".join(rng.choice("0123456789") for _ in range(10))
        length = rng.choice([n for n in (4, 6, 8, 10) if n >= len(base)])
        codes.append((base + extra)[:length])
    return codes


@pytest.mark.parametrize("kind", ["listed and random", "hs2017"])
def test_grouped_answers_equal_the_per_row_reference(
    kind: str, real_catalog: Catalog
) -> None:
    # The kernel screens one decision group per code signature, answer span
    # (dates between which nothing concerning the code changes) and
    # destination class; each row must get what the per-row reference says
    # for its own code, date and destination.
    rng = random.Random(20261202)
    codes = (
        _random_codes(real_catalog, rng, 300)
        if kind == "listed and random"
        else _hs2017_codes(real_catalog, rng, 200)
    )
    start = dt.date(2020, 6, 1).toordinal()
    dests = ["RU", "BY", "KZ", "CN", "DE", "US", ""]
    rows = [
        (
            code,
            "",
            rng.choice(dests),
            dt.date.fromordinal(start + rng.randint(0, 6 * 365)).isoformat(),
        )
        for code in codes
        for _ in range(3)
    ]
    out = screen_frame(frame(rows), real_catalog, columns=COLS).frame
    reference = Screener(real_catalog)
    fields = ["status", "lists", "entries", "tiers", "verdicts", "notes", "reason"]
    for i, (code, _, dest, day) in enumerate(rows):
        ans = reference.answer(code, dt.date.fromisoformat(day), dest.lower() or None)
        got = [out[f"tracker_{f}"][i] for f in fields]
        want = [getattr(ans, f) for f in fields]
        want[-1] = want[-1].replace(f" on {day}", " on the row's date")
        assert got == want, (code, dest, day)


def test_a_period_limited_to_some_codes_splits_only_their_answer_spans(
    real_catalog: Catalog,
) -> None:
    # The bundled EU dual-use data leaves some entries undated from 7 Jan 2022
    # to 12 Jan 2023 for a few headings only (8542 among them): the rows of
    # those codes are screened apart on both sides of 12 Jan 2023, rows of
    # other codes in one group across it, and each row still gets what the
    # per-row reference says for its own date.
    scr = Screener(real_catalog)
    (period,) = [p for p in real_catalog.lists["eu_dual_use"].coverage if p.codes]
    assert period.end == dt.date(2023, 1, 12) and "8542" in period.codes
    day = scr._bounds.index(period.end) + 1  # the epoch that starts on it
    concerned, other = scr.epoch_starts("854239"), scr.epoch_starts("620520")
    assert concerned[day] == day
    assert other[day] == other[day - 1]
    codes = ["854239", "85423911", "8542", "85", "290410", "620520", "940350", "8471"]
    days = ["2022-06-01", "2023-01-11", "2023-01-12", "2023-06-01", "2021-12-01"]
    rows = [(c, "", d, day_) for c in codes for day_ in days for d in ("RU", "DE", "")]
    out = screen_frame(frame(rows), real_catalog, columns=COLS).frame
    fields = ["status", "lists", "entries", "tiers", "verdicts", "notes", "reason"]
    for i, (code, _, dest, on) in enumerate(rows):
        ans = scr.answer(code, dt.date.fromisoformat(on), dest.lower() or None)
        want = [getattr(ans, f) for f in fields]
        want[-1] = want[-1].replace(f" on {on}", " on the row's date")
        assert [out[f"tracker_{f}"][i] for f in fields] == want, (code, dest, on)


def test_the_dates_of_a_period_limited_to_some_codes_split_only_their_rows(
    tmp_path: Path,
) -> None:
    # A coverage gap of alpha for heading 8471 alone (no alpha entry there):
    # its rows are indeterminate inside it and no-match outside, so they are
    # screened apart on each side of its dates; rows of other codes are not.
    tree = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, tree)
    spec = tree / "lists" / "alpha" / "alpha.yml"
    spec.write_text(
        spec.read_text(encoding="utf-8")
        + "coverage:\n"
        + '  - {start: "2024-06-01", end: "2024-09-01", complete: false,\n'
        + '     note: "heading 8471 was not read for this period", codes: ["8471"]}\n',
        encoding="utf-8",
    )
    catalog = load_catalog(tree)
    scr = Screener(catalog)
    opens = scr._bounds.index(dt.date(2024, 6, 1)) + 1  # the epoch it starts
    closes = scr._bounds.index(dt.date(2024, 9, 1)) + 1
    concerned, other = scr.epoch_starts("847130"), scr.epoch_starts("620520")
    assert (concerned[opens], concerned[closes]) == (opens, closes)
    assert other[opens] == other[opens - 1] and other[closes] == other[closes - 1]
    days = ["2024-05-15", "2024-07-01", "2024-10-01"]
    rows = [(c, "", "RU", d) for c in ("847130", "84", "620520") for d in days]
    out = screen_frame(frame(rows), catalog, columns=COLS).frame
    for i, (code, _, dest, on) in enumerate(rows):
        ans = scr.answer(code, dt.date.fromisoformat(on), dest.lower())
        assert out["tracker_status"][i] == ans.status, (code, on)
        assert out["tracker_reason"][i] == ans.reason.replace(
            f" on {on}", " on the row's date"
        )
    assert out["tracker_status"][:3].tolist() == [
        "no-match",
        "indeterminate",
        "no-match",
    ]


def test_signatures_that_cannot_be_packed_get_the_same_answers(
    real_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A signature whose parts outgrow the int64 packing (never met on real
    # data) is looked up part by part, in a dict: the rows get the same
    # answers as through the packed tables.
    rng = random.Random(20261203)
    codes = _random_codes(real_catalog, rng, 150) + _hs2017_codes(real_catalog, rng, 50)
    start = dt.date(2021, 6, 1).toordinal()
    rows = [
        (
            code,
            "",
            rng.choice(["RU", "KZ", "CN", "DE", ""]),
            dt.date.fromordinal(start + rng.randint(0, 5 * 365)).isoformat(),
        )
        for code in codes
        for _ in range(2)
    ]
    packed = screen_frame(frame(rows), real_catalog, columns=COLS).frame
    monkeypatch.setattr(Screener, "_pack", lambda self, parts: None)
    unpacked = screen_frame(frame(rows), real_catalog, columns=COLS).frame
    pd.testing.assert_frame_equal(packed, unpacked)


def test_answer_per_row_equals_vectorised(mini_catalog: Catalog) -> None:
    scr = Screener(mini_catalog, destination="ru")
    rows = [("854231", "", "", "2024-06-01"), ("845961", "", "DE", "2024-06-01")]
    out = screen_frame(frame(rows), mini_catalog, columns=COLS, screener=scr).frame
    for (code, _d, dest, day), entries in zip(
        rows, out["tracker_entries"], strict=True
    ):
        ans = scr.answer(code, dt.date.fromisoformat(day), dest.lower() or "ru")
        assert ans.entries == entries


# -- statuses and reasons ------------------------------------------------------------


def test_statuses_reasons_and_dates(mini_catalog: Catalog) -> None:
    out = screened(
        mini_catalog,
        [
            ("3912 20", "nitrocellulose", "RU", "2023-12-18"),  # before the XXIII line
            ("3912 20", "nitrocellulose", "RU", "2023-12-19"),  # from 19 Dec 2023
            ("6109 10", "cotton t-shirts", "RU", "2024-06-01"),
            ("", "guncotton", "RU", "2024-06-01"),
            ("abc", "", "RU", "2024-06-01"),
            ("8.54231E+09", "", "RU", "2024-06-01"),
            ("8542310000.0", "", "RU", "2024-06-01"),
            ("85", "", "RU", "2024-06-01"),
        ],
    )
    assert out["tracker_status"].tolist() == [
        # alpha has no bundled data before 2024-02-23: no answer, not "no match"
        "indeterminate",
        "match",
        "no-match",
        "indeterminate",
        "indeterminate",
        "indeterminate",
        "match",
        # chapter 85 holds listed codes: listed-if, as lookup and check say, with a
        # note asking for at least 4 digits
        "match",
    ]
    assert out["tracker_reason"][0].startswith("list-not-bundled: alpha")
    assert out["tracker_entries"][1] == "beta:XXIII-3912"
    assert out["tracker_verdicts"][1] == "listed"
    assert out["tracker_reason"][3] == (
        "code-missing: no goods code in the cell; the description mentions "
        "guncotton (nitrocellulose)"
    )
    assert out["tracker_reason"][4].startswith("code-malformed: 'abc'")
    assert out["tracker_reason"][5].startswith("code-digits-lost: '8.54231E+09'")
    assert out["tracker_code"][6] == "8542310000"
    assert "a number format added '.0'" in out["tracker_notes"][6]
    assert out["tracker_notes"][7].startswith("code-too-short: chapter 85")
    assert out["tracker_as_of"].tolist()[:2] == ["2023-12-18", "2023-12-19"]


def test_listed_if_only_is_a_match(mini_catalog: Catalog) -> None:
    out = screened(mini_catalog, [("845951", "", "DE", "2024-06-01")])
    assert out["tracker_status"][0] == "match"
    assert out["tracker_verdicts"][0] == "listed-if"


def test_destination_decides_which_lists_apply(mini_catalog: Catalog) -> None:
    # alpha restricts exports to ru only (a concern for kz); beta's ART2 covers
    # every alpha entry and applies everywhere, so it stays.
    out = screened(
        mini_catalog,
        [
            ("845961", "", "RU", "2024-06-01"),
            ("845961", "", "DE", "2024-06-01"),
            ("845961", "", "Kazakhstan", "2024-06-01"),
            ("845961", "", "Atlantis", "2024-06-01"),
        ],
    )
    # to a concern destination (KZ) alpha is part of the answer as a red flag
    assert out["tracker_entries"].tolist() == [
        "alpha:845961;beta:ART2",
        "beta:ART2",
        "alpha:845961;beta:ART2",
        "",
    ]
    assert out["tracker_verdicts"][2] == "due-diligence;listed"
    # an unknown destination is never answered for a default one
    assert out["tracker_status"].tolist() == ["match"] * 3 + ["indeterminate"]
    assert out["tracker_tiers"].tolist() == ["alpha:4.B", "", "alpha:4.B", ""]
    assert (
        "do not restrict exports to this destination: alpha"
        in (out["tracker_notes"][1])
    )
    assert "alpha: due-diligence concern" in out["tracker_notes"][2]
    assert out["tracker_destination"].tolist() == ["RU", "DE", "KZ", ""]
    assert out["tracker_reason"][3].startswith("destination-unknown: 'Atlantis': ")


def test_no_list_applies_is_no_match(real_catalog: Catalog) -> None:
    # 3912 11 is on EU Annex XXIII (ru only); 8542 32 on the CHPL (ru, by; a
    # due-diligence concern for kz) and EU Annex VII
    out = screened(
        real_catalog,
        [
            ("391211", "", "RU", "2024-06-01"),
            ("391211", "", "DE", "2024-06-01"),
            ("854232", "", "RU", "2024-06-01"),
            ("854232", "", "KZ", "2024-06-01"),
        ],
    )
    # to DE no Russia list applies; the US CCL (every destination) has no bundled
    # data for 2024, so the row is indeterminate rather than no-match
    assert out["tracker_status"].tolist() == [
        "match",
        "indeterminate",
        "match",
        "match",
    ]
    # 3912 11 is also on UK Schedule 3E (from 21 Jul 2022)
    assert out["tracker_lists"][0] == "eu_russia;uk_russia"
    assert out["tracker_reason"][1].startswith("list-not-bundled: us_ccl")
    assert "this destination: eu_russia" in out["tracker_notes"][1]
    assert out["tracker_tiers"][2] == "chpl:1"
    # to a transit country the CHPL is part of the answer, as a due-diligence red flag
    assert "chpl: due-diligence concern" in out["tracker_notes"][3]
    assert out["tracker_lists"][3].split(";")[0] == "chpl"
    assert out["tracker_verdicts"][3].split(";")[0] == "due-diligence"


def test_default_destination_and_date(real_catalog: Catalog) -> None:
    df = pd.DataFrame({"HS code": ["391211", "391211"]})
    res = screen_frame(
        df,
        real_catalog,
        columns=ColumnMapping(code="HS code"),
        destination="de",
        as_of=dt.date(2024, 6, 1),
    )
    # no Russia list applies to DE; the US CCL has no bundled data for 2024
    assert res.frame["tracker_status"].tolist() == ["indeterminate", "indeterminate"]
    assert res.frame["tracker_as_of"].tolist() == ["2024-06-01", "2024-06-01"]
    res = screen_frame(
        df, real_catalog, columns=ColumnMapping(code="HS code"), destination="ru"
    )
    assert res.frame["tracker_status"].tolist() == ["match", "match"]
    assert res.frame["tracker_as_of"][0] == dt.date.today().isoformat()


def test_list_without_bundled_data_for_the_date(mini_catalog: Catalog) -> None:
    # alpha's data starts on 2024-02-23
    out = screened(mini_catalog, [("845961", "", "RU", "2024-01-10")])
    assert out["tracker_status"][0] == "indeterminate"
    assert out["tracker_reason"][0].startswith(
        "list-not-bundled: alpha — alpha: the bundled alpha data starts on 2024-02-23"
    )


def test_hs2017_split_is_indeterminate(mini_catalog: Catalog) -> None:
    assert "854230" in load_splits(mini_catalog.path)
    out = screened(mini_catalog, [("854230", "", "RU", "2024-06-01")])
    assert out["tracker_status"][0] == "indeterminate"
    assert out["tracker_reason"][0].startswith("code-hs2017-split: alpha, beta — ")
    assert "8542.30 is an HS 2017 code" in out["tracker_reason"][0]


def test_real_hs2017_split_code_is_indeterminate(real_catalog: Catalog) -> None:
    out = screen_frame(
        pd.DataFrame({"c": ["8525800000", "8525890000"]}),
        real_catalog,
        columns=ColumnMapping(code="c"),
        destination="ru",
        # before 21 Apr 2023: from then on uk_russia's chapter-85 indicator
        # (schedule-3E-2023-04) matches any code of chapter 85, split or not
        as_of=dt.date(2023, 3, 1),
    ).frame
    assert out["tracker_status"].tolist() == ["indeterminate", "match"]
    reason = out["tracker_reason"][0]
    assert reason.startswith("code-hs2017-split: ")
    assert (
        "eu_dual_use: 8525.80 is an HS 2017 code; in HS 2022 it split into "
        "8525.81/8525.82/8525.83/8525.89" in reason
    )


def test_old_aircraft_part_code_is_caught_by_the_chapter_88_line(
    real_catalog: Catalog,
) -> None:
    # HS 2017 8803.30 became 8807.30; Annex XI lists the whole of chapter 88, so
    # both editions' codes match it directly.
    out = screen_frame(
        pd.DataFrame({"c": ["8803300000", "8807300000"]}),
        real_catalog,
        columns=ColumnMapping(code="c"),
        destination="ru",
        as_of=dt.date(2024, 6, 1),
    ).frame
    assert out["tracker_status"].tolist() == ["match", "match"]
    # UK Schedule 2C also lists the whole of chapter 88; the HS 2017 code is also
    # read as its one HS 2022 successor 8807.30 (CHPL, Annex XL), as lookup and check do
    old, new = out["tracker_entries"][0].split(";"), out["tracker_entries"][1]
    assert "eu_russia:XI-88" in old and "uk_russia:2C-88" in old
    assert "chpl:880730" in old and "chpl:880730" in new


def test_splits_file_is_validated(tmp_path: Path) -> None:
    (tmp_path / "hs2017_splits.csv").write_text(
        "hs2017,hs2022,note\n852580,852581;85258,x\n852580,852581,y\n8525,,z\n"
    )
    problems = [str(p) for p in validate_splits(tmp_path)]
    assert problems == [
        "hs2017_splits.csv row 2: not a 4/6-digit code: '85258'",
        "hs2017_splits.csv row 4 field 'hs2022': no successor",
    ]
    assert validate_splits(REAL_DATASETS) == []


def test_unusable_dates_are_indeterminate_never_a_default(
    mini_catalog: Catalog,
) -> None:
    res = screen_frame(
        frame(
            [
                ("845961", "", "RU", "soon"),
                ("845961", "", "RU", ""),
                ("845961", "", "RU", "03/04/2024"),
                ("845961", "", "RU", "2024-05"),
                ("=1+1", "", "RU", "soon"),
            ]
        ),
        mini_catalog,
        columns=COLS,
        as_of=dt.date(2024, 6, 1),
    )
    out = res.frame
    assert out["tracker_status"][0] == "indeterminate"
    assert out["tracker_reason"][0].startswith("date-unreadable: 'soon' (expected")
    assert out["tracker_as_of"].tolist() == [
        "",
        "2024-06-01",  # an empty cell: the --as-of date, with a note
        "",
        "2024-05-31",
        "",
    ]
    assert "no date: screened as of 2024-06-01" in out["tracker_notes"][1]
    assert out["tracker_status"][2] == "indeterminate"
    assert out["tracker_reason"][2].startswith("date-ambiguous: '03/04/2024' is ")
    assert out["tracker_status"][3] != "indeterminate"
    assert out["tracker_notes"][3] == (
        "date-period: 2024-05 read as 2024-05-31 (end of the month)"
    )
    # both cells unusable: both reasons
    assert out["tracker_reason"][4].startswith("code-malformed: ")
    assert "; date-unreadable: 'soon'" in out["tracker_reason"][4]
    assert [(i.code, i.row, i.value) for i in res.issues if i.column == "Date"] == [
        ("date-invalid", 2, "soon"),
        ("date-ambiguous", 4, "03/04/2024"),
        ("date-invalid", 6, "soon"),
    ]


def test_reason_code_is_the_reasons_slug_and_the_summary_counts_it(
    mini_catalog: Catalog,
) -> None:
    res = screen_frame(
        frame(
            [
                ("845961", "", "RU", "2024-01-10"),  # list-not-bundled
                ("845961", "", "RU", "2024-06-01"),  # match: no reason
                ("", "guncotton", "RU", "2024-06-01"),
                ("abc", "", "RU", "soon"),  # code-malformed; date-unreadable
                ("8.54231E+09", "", "RU", "2024-06-01"),
                ("854231.00", "", "RU", "2024-06-01"),
                ("854230", "", "RU", "2024-06-01"),  # code-hs2017-split
                ("845961", "", "Atlantis", "2024-06-01"),
                ("845961", "", "Atlantis", "soon"),  # destination-unknown; date
                ("845961", "", "RU", "soon"),
                ("845961", "", "RU", "03/04/2024"),
                ("8542310000.0", "", "RU", "2024-06-01"),  # a repair: a note
                ("abc", "", "RU", "2024-06-01"),
            ]
        ),
        mini_catalog,
        columns=COLS,
    )
    out = res.frame
    assert list(out.columns).index("tracker_reason_code") == (
        list(out.columns).index("tracker_reason") + 1
    )
    pairs = zip(out["tracker_reason"], out["tracker_reason_code"], strict=True)
    for reason, code in pairs:
        if reason == "":
            assert code == ""
        else:
            assert reason.startswith(f"{code}: "), (code, reason)
    assert out["tracker_reason_code"].tolist() == [
        "list-not-bundled",
        "",
        "code-missing",
        "code-malformed",
        "code-digits-lost",
        "code-ambiguous",
        "code-hs2017-split",
        "destination-unknown",
        "destination-unknown",
        "date-unreadable",
        "date-ambiguous",
        "",
        "code-malformed",
    ]
    codes = out.loc[out["tracker_reason_code"] != "", "tracker_reason_code"]
    assert dict(res.summary.reason_codes) == codes.value_counts().to_dict()
    # secondary parts of a reason are still read as issues of their cells
    assert [(i.code, i.row) for i in res.issues if i.column == "Date"] == [
        ("date-invalid", 5),
        ("date-invalid", 10),
        ("date-invalid", 11),
        ("date-ambiguous", 12),
    ]
    assert ("code-repaired", 13) in [(i.code, i.row) for i in res.issues]


def test_ambiguous_dates_follow_the_column(mini_catalog: Catalog) -> None:
    rows = [("845961", "", "RU", d) for d in ("03/04/2024", "13/02/2024")]
    out = screen_frame(frame(rows), mini_catalog, columns=COLS).frame
    assert out["tracker_as_of"].tolist() == ["2024-04-03", "2024-02-13"]
    assert out["tracker_notes"][0] == (
        "date-order: 03/04/2024 read day-first as 2024-04-03, like 13/02/2024 in "
        "the same column"
    )


# -- nothing lost ------------------------------------------------------------------------


def test_every_row_out_in_order_with_columns_untouched(mini_catalog: Catalog) -> None:
    df = pd.DataFrame(
        {
            "HS code": ["854231", "", "=1+1", "6109"] * 50,
            "Other": [f"v{i}" for i in range(200)],
        },
        index=range(100, 300),
    )
    before = df.copy()
    res = screen_frame(df, mini_catalog, columns=ColumnMapping(code="HS code"))
    pd.testing.assert_frame_equal(df, before)  # the caller's frame is not changed
    out = res.frame
    assert list(out.columns) == ["HS code", "Other", *ADDED_COLUMNS]
    assert list(out.index) == list(df.index)
    assert out["Other"].tolist() == df["Other"].tolist()
    assert out["HS code"].tolist() == df["HS code"].tolist()
    assert out["tracker_row"].tolist() == list(range(2, 202))
    assert res.summary.rows_in == res.summary.rows_out == 200
    assert sum(res.summary.status.values()) == 200
    assert res.summary.line() == (
        "200 rows in, 200 rows out: 50 match, 50 no-match, 100 indeterminate"
    )


def test_summary_counts_by_list_destination_and_month(mini_catalog: Catalog) -> None:
    res = screen_frame(
        frame(
            [
                ("854231", "", "RU", "2024-06-01"),
                ("845961", "", "RU", "2024-07-02"),
                ("3912", "", "DE", "2024-07-03"),
            ]
        ),
        mini_catalog,
        columns=COLS,
    )
    s = res.summary
    assert s.by_list_tier[("alpha", "1")] == 1
    assert s.by_list_tier[("alpha", "4.B")] == 1
    assert s.by_list_tier[("beta", "")] == 3
    assert s.by_destination[("RU", "match")] == 2
    assert s.by_month[("2024-07", "match")] == 2


def test_keyword_scanner_word_bounds(mini_catalog: Catalog) -> None:
    scan = KeywordScanner(mini_catalog)
    assert scan.scan("Nitrocellulose, 20 kg") == [("nitrocellulose", "nitrocellulose")]
    assert scan.scan("anitrocelluloses") == []
    # Russian endings are allowed after a Cyrillic alias
    assert ("микросхема", "integrated_circuits") in scan.scan("микросхемами")


def test_keyword_scanner_reads_a_replaced_russian_ending(mini_catalog: Catalog) -> None:
    scan = KeywordScanner(mini_catalog)
    assert scan.scan("Микросхемы памяти") == [("микросхема", "integrated_circuits")]


def test_screen_frame_keeps_dtypes_and_reads_numbers(real_catalog: Catalog) -> None:
    df = pd.DataFrame(
        {
            "c": [8542310000, None, 101210000.0],
            "when": pd.to_datetime(["2024-01-01"] * 3),
            "mixed": [1, "a", None],
        }
    )
    res = screen_frame(df, real_catalog, columns=ColumnMapping(code="c"))
    out = res.frame
    assert out.dtypes.tolist()[:3] == df.dtypes.tolist()
    pd.testing.assert_frame_equal(out[["c", "when", "mixed"]], df)
    assert out["tracker_code"].tolist() == ["8542310000", "", "0101210000"]
    assert "leading zero restored" in out["tracker_notes"][2]


def test_screen_frame_on_an_empty_frame(mini_catalog: Catalog) -> None:
    df = pd.DataFrame({"c": pd.Series([], dtype=object)})
    res = screen_frame(df, mini_catalog, columns=ColumnMapping(code="c"))
    assert list(res.frame.columns) == ["c", *ADDED_COLUMNS]
    assert res.summary.line() == (
        "0 rows in, 0 rows out: 0 match, 0 no-match, 0 indeterminate"
    )


# -- descriptions are read by the scanner of `tracker scan` ---------------------


@pytest.mark.parametrize(
    ("description", "keywords"),
    [
        ("CNC lathes", "cnc lathe (cnc_lathes)"),
        ("machine-tools", "machine tools (machine_tools)"),
        ("нитроцеллюлозы", "нитроцеллюлоза (nitrocellulose)"),
        ("Микросхемы памяти", "микросхема (integrated_circuits)"),
        ("無人機零件", "无人机零件 (uav_parts)"),
        ("晶片", "芯片 (integrated_circuits)"),
        ("電晶體", "晶体管 (semiconductors)"),
        ("無人機", "无人机 (uavs)"),
        ("慣性導航系統", "惯性导航系统 (navigation_gnss)"),
        (
            "computer numerical control (CNC) lathe",
            "numerical control (numerical_controls); lathe (cnc_lathes)",
        ),
        ("cotton t-shirts", ""),
    ],
)
def test_descriptions_are_read_as_tracker_scan_reads_them(
    real_catalog: Catalog, description: str, keywords: str
) -> None:
    from tracker.scanning import Scanner

    out = screened(real_catalog, [("", description, "RU", "2024-06-01")])
    assert out["tracker_keywords"][0] == keywords
    # the same goods as tracker scan's strong mentions
    scan = Scanner.from_catalog(real_catalog).scan(description)
    found = {m.category for m in scan.mentions if m.strength == "strong"}
    assert {k for _, k in KeywordScanner(real_catalog).scan(description)} == found
    if keywords:
        assert out["tracker_reason"][0].endswith(f"the description mentions {keywords}")


def test_each_distinct_description_is_scanned_once(
    mini_catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.scanning import Scanner

    seen: list[str] = []
    original = Scanner.goods_names

    def counting(self: Scanner, text: str) -> list[tuple[str, str]]:
        seen.append(text)
        return original(self, text)

    monkeypatch.setattr(Scanner, "goods_names", counting)
    rows = [("854231", d, "RU", "2024-06-01") for d in ["Микросхемы", "x"] * 50]
    out = screened(mini_catalog, rows)
    assert sorted(seen) == sorted(["Микросхемы", "x"])
    assert (
        out["tracker_keywords"].tolist()
        == [
            "микросхема (integrated_circuits)",
            "",
        ]
        * 50
    )


def test_issues_of_rows_with_a_bad_code_read_dates_with_the_column(
    mini_catalog: Catalog,
) -> None:
    """A bad code's row is checked for date issues with the column's day order."""
    rows = [
        ("abc", "", "RU", "03/04/2024"),  # day-first, like row 3
        ("abc", "", "RU", "2024-02-30"),  # no such day
        ("845961", "", "RU", "13/02/2024"),
    ]
    issues = screen_frame(frame(rows), mini_catalog, columns=COLS).issues
    assert [(i.code, i.row) for i in issues if i.column == "Date"] == [
        ("date-invalid", 3)
    ]
    # both orders in the column: the cell stays ambiguous
    rows.append(("845961", "", "RU", "02/13/2024"))
    issues = screen_frame(frame(rows), mini_catalog, columns=COLS).issues
    assert [(i.code, i.row) for i in issues if i.column == "Date"] == [
        ("date-ambiguous", 2),
        ("date-invalid", 3),
    ]


def test_prefetch_reads_ahead_from_the_start_and_stops_on_close() -> None:
    import threading

    from tracker.screen_stream import Prefetch

    produced: list[int] = []
    first = threading.Event()

    def items() -> Iterator[int]:
        for i in range(100):
            produced.append(i)
            first.set()
            yield i

    reader = Prefetch(items(), depth=2)
    # reading starts before anyone asks (the screener is built meanwhile)
    assert first.wait(timeout=5)
    it = iter(reader)
    assert [next(it), next(it), next(it)] == [0, 1, 2]
    reader.close()
    assert not reader._thread.is_alive()
    assert len(produced) < 10  # a few items ahead, not the whole source

    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("bad record")

    with Prefetch(failing()) as reader:
        got = iter(reader)
        assert next(got) == 1
        with pytest.raises(ValueError, match="bad record"):
            next(got)


def test_sorted_ids_find_what_was_added_and_keep_the_first_id() -> None:
    import numpy as np

    from tracker.screen_kernel import _SortedIds

    table = _SortedIds()
    keys = np.array([2**61, 5, -3, 40], dtype=np.int64)
    assert table.find(keys).tolist() == [-1, -1, -1, -1]
    table.add(keys[:2], np.array([7, 8], dtype=np.int64))
    table.add(np.array([5, 40], dtype=np.int64), np.array([99, 9], dtype=np.int64))
    assert table.find(keys).tolist() == [7, 8, -1, 9]
    assert table.find(np.array([], dtype=np.int64)).tolist() == []
    assert table.find(np.array([41, 6, 2**62], dtype=np.int64)).tolist() == [-1] * 3


def test_sorted_ids_keep_rows_of_ints() -> None:
    import numpy as np

    from tracker.screen_kernel import _SortedIds

    table = _SortedIds(width=3)
    assert table.find(np.array([9], dtype=np.int64)).tolist() == [[-1, -1, -1]]
    table.add(np.array([9, 2], dtype=np.int64), np.array([[0, 0, 2], [0, 1, 1]]))
    table.add(np.array([4, 9], dtype=np.int64), np.array([[0, 1, 2], [5, 5, 5]]))
    found = table.find(np.array([2, 3, 9, 4], dtype=np.int64))
    assert found.tolist() == [[0, 1, 1], [-1, -1, -1], [0, 0, 2], [0, 1, 2]]


def test_answer_texts_number_equal_texts_alike_and_renumber_when_full() -> None:
    from tracker.screen_answer import GroupAnswer
    from tracker.screen_kernel import _AnswerTexts

    a = GroupAnswer("match", "", "eu_russia", "eu_russia:X", "", "listed", "n1")
    b = GroupAnswer("match", "", "chpl", "chpl:854231", "chpl:1", "listed", "")
    twin = GroupAnswer("match", "", "eu_russia", "eu_russia:X", "", "listed", "n1")
    texts = _AnswerTexts(limit=2)
    ids, values = texts.ids([a, b, twin, a])
    assert ids.shape == (4, len(_AnswerTexts.FIELDS))
    for row, answer in zip(ids.tolist(), [a, b, twin, a], strict=True):
        shown = [values[f][i] for f, i in enumerate(row)]
        assert shown == [getattr(answer, f) for f in _AnswerTexts.FIELDS]
    assert ids[0].tolist() == ids[2].tolist() == ids[3].tolist()
    assert ids[0, 0] == ids[1, 0]  # both "match"
    assert ids[0, 2] != ids[1, 2]
    # three answers known (limit 2): the next call starts a fresh numbering
    ids2, values2 = texts.ids([b])
    assert values2 is not values
    assert [values2[f][i] for f, i in enumerate(ids2[0].tolist())][1] == "chpl"


def test_picker_takes_the_parts_of_the_wanted_lists_in_order() -> None:
    from tracker.screen_answer import _picker

    lists = ("a", "b", "c")
    parts = (("a", True, ""), ("b", False, "gap"), ("c", True, ""))
    for wanted in ("ac", "b", "", "abc"):
        pick = _picker(lists, {k: k in wanted for k in lists})
        assert pick(parts) == tuple(p for p in parts if p[0] in wanted)
