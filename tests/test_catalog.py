"""Loader and validator: the mini tree loads; broken copies fail with the right message."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import MINI_DATASETS
from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.exc import DatasetError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A writable copy of the miniature datasets tree."""
    dest = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, dest)
    return dest


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _messages(root: Path) -> list[str]:
    return [str(p) for p in validate_datasets(root).problems]


def test_mini_tree_is_valid(mini_catalog: Catalog) -> None:
    report = validate_datasets(MINI_DATASETS)
    assert report.valid, report.problems
    assert report.counts["lists"] == 2
    assert list(mini_catalog.lists) == ["alpha", "beta"]
    entry = mini_catalog.entries_of("alpha")[0]
    assert entry.codes[0].value == "854231"
    assert entry.codes[0].system == "HS"
    assert entry.codes[0].edition == "HS2022"
    assert entry.row == 2


def test_codes_carry_system_and_edition(mini_catalog: Catalog) -> None:
    ex = next(e for e in mini_catalog.entries if e.entry_id == "XXIII-854231")
    assert [(c.value, c.system, c.edition, c.ex) for c in ex.codes] == [
        ("85423190", "CN", "CN2024", True)
    ]


def test_file_hashes_cover_every_list_file(mini_catalog: Catalog) -> None:
    assert set(mini_catalog.file_hashes["alpha"]) == {
        "lists/alpha/alpha.yml",
        "lists/alpha/entries.csv",
    }
    assert all(len(h) == 64 for h in mini_catalog.file_hashes["alpha"].values())


def test_entries_know_their_dates(mini_catalog: Catalog) -> None:
    old = next(e for e in mini_catalog.entries if e.entry_id == "XXIII-391211")
    assert old.in_force(dt.date(2023, 1, 1))
    assert not old.in_force(dt.date(2023, 12, 19))
    assert not old.in_force(None)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "lists/alpha/entries.csv",
            "854232,Tier 1",
            "854231,Tier 1",
            "lists/alpha/entries.csv row 3 field 'entry_id': duplicate entry_id '854231'",
        ),
        (
            "lists/alpha/entries.csv",
            ",1,854232,",
            ",1,85423,",
            "lists/alpha/entries.csv row 3 field 'codes': invalid code '85423'",
        ),
        (
            "lists/alpha/entries.csv",
            ",1,854232,",
            ",1,854299,",
            "lists/alpha/entries.csv row 3 field 'codes': '854299' is not in hs2022.csv",
        ),
        (
            "lists/alpha/entries.csv",
            ",integrated_circuits,,2024-02-23,Test edition 2024,,,,Annex A,https://example.org/alpha,official,\n845961",
            ",chips,,2024-02-23,Test edition 2024,,,,Annex A,https://example.org/alpha,official,\n845961",
            "lists/alpha/entries.csv row 3 field 'categories': unknown category 'chips'",
        ),
        (
            "lists/beta/entries.csv",
            "2022-04-09,Act 2022/1,2023-12-19",
            "2024-04-09,Act 2022/1,2023-12-19",
            "lists/beta/entries.csv row 2 field 'ended': ended 2023-12-19 is before added 2024-04-09",
        ),
        (
            "lists/beta/entries.csv",
            "listed-if,only if positioning repeatability is 1 µm or better",
            "listed-if,",
            "lists/beta/entries.csv row 6 field 'condition': a listed-if entry needs a condition",
        ),
        (
            "lists/beta/entries.csv",
            ",official,\nXXIII-854231",
            ",probably,\nXXIII-854231",
            "lists/beta/entries.csv row 3 field 'verification': Input should be 'official', 'secondary' or 'unverified'",
        ),
        (
            "lists/beta/entries.csv",
            "2022-02-25,Act 2022/0",
            "2022-02-30,Act 2022/0",
            "lists/beta/entries.csv row 5 field 'added'",
        ),
        (
            "lists/alpha/alpha.yml",
            "assertions: {min_entries: 3, max_entries: 3}",
            "assertions: {min_entries: 4, max_entries: 4}",
            "lists/alpha/entries.csv: 3 entries; expected 4 to 4",
        ),
        (
            "lists/alpha/alpha.yml",
            "publisher: test_pub",
            "publisher: nobody",
            "lists/alpha/alpha.yml field 'publisher': unknown publisher 'nobody'",
        ),
        (
            "lists/alpha/alpha.yml",
            "jurisdiction: multilateral",
            "jurisdiction: mars",
            "lists/alpha/alpha.yml field 'jurisdiction'",
        ),
        (
            "lists/alpha/alpha.yml",
            "hs_version: HS2022",
            "hs_version: HS2022\nsurprise: 1",
            "lists/alpha/alpha.yml field 'surprise': Extra inputs are not permitted",
        ),
        (
            "categories.yml",
            "parent: electronics",
            "parent: gadgets",
            "categories.yml category 'integrated_circuits' field 'parent': unknown parent 'gadgets'",
        ),
        (
            "hs2022.csv",
            "854232,Integrated circuits: memories",
            "854232,Integrated circuits: memories\n854232,again",
            "hs2022.csv row 7 field 'code': duplicate code '854232'",
        ),
        (
            "lists/beta/entries.csv",
            "ART2,Art. 2,All alpha entries,Covers the whole alpha list.,listed-if,only if the goods are on the alpha list,,,,,,,,alpha,",
            "ART2,Art. 2,All alpha entries,Covers the whole alpha list.,listed-if,only if the goods are on the alpha list,,,,,,,,gamma,",
            "lists/beta/entries.csv row 5 field 'covers_list': unknown list 'gamma'",
        ),
        (
            "lists/alpha/alpha.yml",
            'tiers:\n  "1": Highest concern.\n',
            'tiers:\n  "2": Other.\n',
            "lists/alpha/entries.csv row 2 field 'tier': unknown tier '1'",
        ),
    ],
)
def test_broken_data_is_reported_with_file_row_and_field(
    tree: Path, file: str, old: str, new: str, message: str
) -> None:
    _replace(tree / file, old, new)
    messages = _messages(tree)
    assert any(message in m for m in messages), messages


def test_wrong_header_is_reported(tree: Path) -> None:
    _replace(
        tree / "lists/beta/entries.csv", "entry_id,control_code", "id,control_code"
    )
    messages = _messages(tree)
    assert any(
        m.startswith("lists/beta/entries.csv row 1: header must be") for m in messages
    )


def test_bom_is_reported(tree: Path) -> None:
    path = tree / "lists/alpha/entries.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert (
        "lists/alpha/entries.csv row 1: remove the UTF-8 byte-order mark"
        in _messages(tree)
    )


def test_tiered_code_outside_every_category_is_reported(tree: Path) -> None:
    _replace(
        tree / "categories.yml",
        'hs_codes: ["845951", "845961"]',
        'hs_codes: ["845951"]',
    )
    assert any(
        "row 4 field 'codes': tiered code '845961' belongs to no category" in m
        for m in _messages(tree)
    )


def test_load_catalog_raises_on_invalid_data(tree: Path) -> None:
    _replace(tree / "lists/alpha/entries.csv", "854232,Tier 1", "854231,Tier 1")
    with pytest.raises(DatasetError, match="duplicate entry_id '854231'"):
        load_catalog(tree)


def test_missing_lists_folder(tmp_path: Path) -> None:
    report = validate_datasets(tmp_path)
    assert not report.valid
    assert "has no lists/ folder" in str(report.problems[0])


def test_entry_indexes_hold_every_entry_in_file_order(real_catalog: Catalog) -> None:
    # entries_of and entries_linked_to are looked up, not searched: they must
    # give what a walk over all entries gives, in the same order.
    catalog = real_catalog
    for key in catalog.lists:
        walked = [e for e in catalog.entries if e.list_key == key]
        assert catalog.entries_of(key) == walked
        counts = {"official": 0, "secondary": 0, "unverified": 0}
        for entry in walked:
            counts[entry.verification] += 1
        assert catalog.verification_counts(key) == counts
    linked = 0
    for key in catalog.categories:
        walked = [e for e in catalog.entries if key in e.categories]
        assert list(catalog.entries_linked_to(key)) == walked
        linked += len(walked)
    assert linked > 50
    assert catalog.entries_of("no-such-list") == []
    assert catalog.entries_linked_to("no-such-category") == ()
    none = {"official": 0, "secondary": 0, "unverified": 0}
    assert catalog.verification_counts("no-such-list") == none
    # Each call gives its own dict: changing one changes no later answer.
    key = next(iter(catalog.lists))
    catalog.verification_counts(key)["official"] = -1
    catalog.verification_counts("no-such-list")["official"] = -1
    assert catalog.verification_counts(key)["official"] >= 0
    assert catalog.verification_counts("no-such-list") == none
