"""Tests for tracker.checking: item resolution, per-list verdicts, dates, destinations."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.checking import (
    AmbiguousItemError,
    CheckResult,
    ItemCheck,
    ListVerdict,
    UnknownItemError,
    check_items,
    normalize_name,
    resolve_item,
)
from tracker.exc import CodeError, InputError

from .conftest import MINI_DATASETS


def _verdict(check: ItemCheck, list_key: str) -> ListVerdict:
    return next(v for v in check.verdicts if v.list_key == list_key)


def _entries(check: ItemCheck, list_key: str) -> dict[str, str]:
    return {m.entry_id: m.verdict for m in check.matches if m.list_key == list_key}


# --- resolve_item (mini catalogue) ----------------------------------------


@pytest.mark.parametrize(
    ("text", "category", "how"),
    [
        ("integrated_circuits", "integrated_circuits", "key"),
        ("Integrated Circuits", "integrated_circuits", "key"),
        ("integrated-circuits", "integrated_circuits", "key"),
        ("CNC Milling Machines", "cnc_milling", "title"),
        ("  cnc   milling-machines ", "cnc_milling", "title"),
        ("MICROCHIPS", "integrated_circuits", "alias"),
        ("ＭＩＣＲＯＣＨＩＰＳ", "integrated_circuits", "alias"),  # full-width: NFKC
        ("Микросхема", "integrated_circuits", "alias"),
        ("CNC-Milling machine", "cnc_milling", "alias"),
        ("nitrocellulose", "nitrocellulose", "key"),
    ],
)
def test_resolve_item_by_name(
    mini_catalog: Catalog, text: str, category: str, how: str
) -> None:
    item = resolve_item(mini_catalog, text)
    assert (item.kind, item.category, item.resolved_by) == ("category", category, how)
    assert item.query == text


def test_resolve_parent_covers_children(mini_catalog: Catalog) -> None:
    item = resolve_item(mini_catalog, "electronics")
    assert item.categories == ("electronics", "integrated_circuits")
    assert item.codes == ("8542", "854231", "854232")


def test_resolve_code(mini_catalog: Catalog) -> None:
    item = resolve_item(mini_catalog, "8459.61")
    assert item.kind == "code"
    assert item.codes == ("845961",)
    assert item.category is None
    assert item.title.startswith("HS 8459.61: ")


def test_resolve_unknown_names_closest(mini_catalog: Catalog) -> None:
    with pytest.raises(UnknownItemError) as info:
        resolve_item(mini_catalog, "nitrocelulose")
    assert str(info.value) == (
        "Unknown item 'nitrocelulose': not a category name or an HS/CN/HTS code; "
        "closest known names: nitrocellulose"
    )
    assert isinstance(info.value, InputError)


def test_resolve_unknown_without_close_names(mini_catalog: Catalog) -> None:
    with pytest.raises(UnknownItemError, match="see 'tracker items'"):
        resolve_item(mini_catalog, "zzzz")


def test_resolve_bad_code_shape_is_a_code_error(mini_catalog: Catalog) -> None:
    with pytest.raises(CodeError, match="5 digits"):
        resolve_item(mini_catalog, "84591")


def test_normalize_name() -> None:
    assert normalize_name(" Machine–Tools_x ") == "machine tools x"
    assert normalize_name("ＣＮＣ") == "cnc"


def _copy_mini(tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, root)
    return root


def _add_categories(root: Path, extra: list[dict[str, object]]) -> None:
    path = root / "categories.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.extend(extra)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shared_alias_of_parent_and_child_means_the_parent(tmp_path: Path) -> None:
    root = _copy_mini(tmp_path)
    _add_categories(
        root,
        [
            {
                "key": "memories",
                "title": "Memories",
                "parent": "integrated_circuits",
                "hs_codes": ["854232"],
                "aliases": {"en": ["chips"]},
            },
            {
                "key": "chips_all",
                "title": "Chips all",
                "parent": None,
                "hs_codes": ["8542"],
                "aliases": {"en": ["chipset"]},
            },
        ],
    )
    # integrated_circuits is renamed to share the alias "chips" with its child
    text = (root / "categories.yml").read_text(encoding="utf-8")
    (root / "categories.yml").write_text(
        text.replace("- microchips", "- microchips\n    - chips"), encoding="utf-8"
    )
    catalog = load_catalog(root)
    assert resolve_item(catalog, "chips").category == "integrated_circuits"


def test_shared_alias_of_unrelated_categories_is_ambiguous(tmp_path: Path) -> None:
    root = _copy_mini(tmp_path)
    _add_categories(
        root,
        [
            {
                "key": "cotton",
                "title": "Cotton",
                "hs_codes": ["3912"],
                "aliases": {"en": ["guncotton"]},
            }
        ],
    )
    catalog = load_catalog(root)
    with pytest.raises(AmbiguousItemError) as info:
        resolve_item(catalog, "guncotton")
    assert "nitrocellulose, cotton" in str(info.value)


# --- check_items (mini catalogue) -----------------------------------------


def test_check_keeps_order_and_duplicates(mini_catalog: Catalog) -> None:
    result = check_items(mini_catalog, ["8459.61", "electronics", "8459.61"])
    assert [c.item.query for c in result.items] == ["8459.61", "electronics", "8459.61"]
    assert result.destination == "RU"
    assert result.as_of is None


def test_parent_category_matches_children_codes(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["electronics"]).items
    alpha = {m.entry_id: m for m in check.matches if m.list_key == "alpha"}
    assert set(alpha) == {"854231", "854232"}
    assert alpha["854231"].basis == "exact"
    assert alpha["854231"].query_value == "854231"
    assert _verdict(check, "alpha").tiers == ("1",)
    assert check.verdict == "listed"


def test_one_match_per_list_and_entry(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["electronics"]).items
    keys = [(m.list_key, m.entry_id) for m in check.matches]
    assert len(keys) == len(set(keys)), keys
    art2 = next(m for m in check.matches if m.entry_id == "ART2")
    assert art2.basis == "derived"
    assert art2.list_value == "alpha:854231; alpha:854232"


def test_strongest_basis_wins(mini_catalog: Catalog) -> None:
    # XXIII-3912 is both a heading of the code (prefix) and linked to the category
    (check,) = check_items(mini_catalog, ["nitrocellulose"]).items
    (match,) = [m for m in check.matches if m.entry_id == "XXIII-3912"]
    assert (match.basis, match.query_value, match.list_value) == (
        "prefix",
        "391220",
        "3912",
    )


def test_category_link_and_listed_if_condition(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["cnc milling machine"]).items
    (match,) = [m for m in check.matches if m.entry_id == "P-845951"]
    assert match.verdict == "listed-if"
    assert match.condition.startswith("only if positioning repeatability")
    assert _verdict(check, "beta").verdict == "listed"  # ART2 via alpha 845961


def test_not_listed_when_nothing_matches(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["nitrocellulose"]).items
    v = _verdict(check, "alpha")
    assert (v.verdict, v.goods_verdict, v.entries, v.reason) == (
        "not-listed",
        "not-listed",
        (),
        "",
    )


def test_as_of_before_list_data_is_indeterminate(mini_catalog: Catalog) -> None:
    result = check_items(mini_catalog, ["8459.61"], as_of=dt.date(2024, 1, 1))
    (check,) = result.items
    v = _verdict(check, "alpha")
    assert v.verdict == "indeterminate"
    assert v.reason == (
        "the bundled alpha data starts on 2024-02-23; what the list said on "
        "2024-01-01 is not bundled"
    )
    assert check.verdict == "indeterminate"
    assert result.lists[0].gap == v.reason


def test_remembered_verdicts_keep_their_own_date_and_destination(
    mini_catalog: Catalog,
) -> None:
    # list verdicts are memoised (screen asks again and again); what a reason
    # names, the date of a gap or the destination, must be the one asked
    for day in (dt.date(2024, 1, 1), dt.date(2023, 6, 30), dt.date(2024, 1, 1)):
        (check,) = check_items(mini_catalog, ["8459.61"], as_of=day).items
        assert f"what the list said on {day} is not bundled" in (
            _verdict(check, "alpha").reason
        )
    for dest in ("de", "fr", "de"):
        (check,) = check_items(mini_catalog, ["8459.61"], destination=dest).items
        assert _verdict(check, "alpha").reason.startswith(
            f"does not apply to destination {dest.upper()} "
        )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 12, 18), "not-listed"),
        (dt.date(2023, 12, 19), "listed"),
    ],
)
def test_as_of_leaves_out_entries_added_later(
    mini_catalog: Catalog, day: dt.date, expected: str
) -> None:
    (check,) = check_items(mini_catalog, ["391220"], as_of=day).items
    assert _verdict(check, "beta").verdict == expected


def test_destination_outside_list_scope(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["8459.61"], destination="de").items
    v = _verdict(check, "alpha")
    assert (v.verdict, v.goods_verdict, v.applicability) == (
        "not-listed",
        "listed",
        "not-applicable",
    )
    assert v.reason == "does not apply to destination DE (it restricts exports to RU)"
    # the match itself is still shown
    assert [m.entry_id for m in check.matches if m.list_key == "alpha"] == ["845961"]
    assert _verdict(check, "beta").applicability == "applies"


def test_destination_concern(mini_catalog: Catalog) -> None:
    (check,) = check_items(mini_catalog, ["8459.61"], destination="KZ").items
    v = _verdict(check, "alpha")
    assert (v.verdict, v.applicability) == ("listed", "concern")
    assert v.reason.startswith("a due-diligence concern for KZ")


@pytest.mark.parametrize("bad", ["XX", "R", "12", "", "Atlantis"])
def test_bad_destination(mini_catalog: Catalog, bad: str) -> None:
    with pytest.raises(InputError, match="^Unknown destination "):
        check_items(mini_catalog, ["8459.61"], destination=bad)


@pytest.mark.parametrize("given", ["RU", "rus", "Russia", "Россия", "俄罗斯"])
def test_destination_by_code_or_name(mini_catalog: Catalog, given: str) -> None:
    assert check_items(mini_catalog, ["8459.61"], destination=given).destination == "RU"


def test_lists_used_and_counts(mini_catalog: Catalog) -> None:
    result = check_items(mini_catalog, ["electronics", "nitrocellulose"])
    alpha = result.lists[0]
    assert (alpha.key, alpha.version, alpha.entries) == (
        "alpha",
        "Test edition 2024",
        3,
    )
    assert alpha.verification == {"official": 2, "secondary": 1, "unverified": 0}
    assert set(alpha.sha256) == {"lists/alpha/alpha.yml", "lists/alpha/entries.csv"}
    assert set(result.dataset_files) == {"categories.yml", "hs2022.csv"}
    assert result.counts()["alpha"] == {
        "listed": 1,
        "listed-if": 0,
        "indeterminate": 0,
        "not-listed": 1,
    }
    assert result.regimes == ()


def test_result_round_trips_as_json(mini_catalog: Catalog) -> None:
    result = check_items(mini_catalog, ["electronics"], as_of=dt.date(2024, 6, 1))
    again = CheckResult.model_validate_json(result.model_dump_json())
    assert again == result


# --- destinations.yml loading -------------------------------------------------


def test_destinations_are_loaded_and_shown(tmp_path: Path) -> None:
    root = _copy_mini(tmp_path)
    (root / "destinations.yml").write_text(
        """
kp:
  name: Test country
  regimes:
    - name: Test embargo
      jurisdiction: multilateral
      legal_basis: Test resolution 1
      restricts: Everything in the test.
      source_url: https://example.org/embargo
      verification: unverified
      lists: [beta]
""",
        encoding="utf-8",
    )
    catalog = load_catalog(root)
    result = check_items(catalog, ["8459.61"], destination="KP")
    assert result.destination_name == "Test country"
    assert [r.name for r in result.regimes] == ["Test embargo"]
    assert "destinations.yml" in result.dataset_files


def test_destinations_problems_name_file_and_field(tmp_path: Path) -> None:
    root = _copy_mini(tmp_path)
    (root / "destinations.yml").write_text(
        """
KP:
  name: Upper-case key
xx:
  name: Bad regime
  regimes:
    - name: R
      jurisdiction: un
      legal_basis: L
      restricts: S
      source_url: example.org
      verification: official
yy:
  name: Unknown list
  regimes:
    - name: R
      jurisdiction: eu
      legal_basis: L
      restricts: S
      source_url: ftp.example.org
      verification: official
      lists: [gamma]
""",
        encoding="utf-8",
    )
    report = validate_datasets(root)
    found = {(p.file, p.field) for p in report.problems}
    assert ("destinations.yml country 'KP'", None) in found
    assert ("destinations.yml country 'xx'", "regimes.0.jurisdiction") in found
    assert ("destinations.yml country 'yy'", "regimes.0.source_url") in found
    assert ("destinations.yml country 'yy'", "regimes.0.lists") in found
    messages = [p.message for p in report.problems]
    assert "unknown list 'gamma'" in messages


# --- acceptance facts on the real datasets ------------------------------------

SEED = ["nitrocellulose", "optics", "machine tools"]


@pytest.fixture
def seed(real_catalog: Catalog) -> dict[str, ItemCheck]:
    result = check_items(real_catalog, SEED)
    return {c.item.query: c for c in result.items}


def test_real_seed_items_resolve(real_catalog: Catalog) -> None:
    assert resolve_item(real_catalog, "machine tools").category == "machine_tools"
    assert resolve_item(real_catalog, "硝化纤维").category == "nitrocellulose"
    assert resolve_item(real_catalog, "станок с ЧПУ").category == "machine_tools"
    assert resolve_item(real_catalog, "optics").categories[0] == "optics"
    assert len(resolve_item(real_catalog, "optics").categories) > 1


def test_real_nitrocellulose(seed: dict[str, ItemCheck]) -> None:
    check = seed["nitrocellulose"]
    ban = next(m for m in check.matches if m.entry_id == "XXIII-3912")
    assert ban.list_key == "eu_russia"
    assert ban.verdict == "listed"
    assert ban.added == dt.date(2023, 12, 19)
    assert "2023/2878" in ban.added_act
    note = next(m for m in check.matches if m.entry_id == "ML8-note-nitrocellulose")
    assert note.verdict == "listed-if"
    assert "compounded or mixed" in note.condition
    assert _verdict(check, "chpl").verdict == "not-listed"


def test_real_optics(seed: dict[str, ItemCheck]) -> None:
    check = seed["optics"]
    tiers = {m.entry_id: m.tier for m in check.matches if m.list_key == "chpl"}
    assert tiers["901310"] == "3.B"
    assert tiers["901380"] == "3.B"
    assert tiers["852589"] == "3.A"
    dual = {m.entry_id: m for m in check.matches if m.list_key == "eu_dual_use"}
    for entry in ("6A002", "6A003", "6A004", "6A005"):
        assert dual[entry].verdict == "listed-if", entry
        assert dual[entry].condition.startswith("only if"), entry


def test_real_machine_tools(seed: dict[str, ItemCheck]) -> None:
    check = seed["machine tools"]
    chpl = {m.entry_id: m.tier for m in check.matches if m.list_key == "chpl"}
    for code in ("845710", "845811", "845891", "845961", "846693"):
        assert chpl.get(code) == "4.B", code
    dual = [m for m in check.matches if m.list_key == "eu_dual_use"]
    codes = {m.control_code.split(".")[0]: m.verdict for m in dual}
    assert codes["2B001"] == "listed-if"
    assert codes["2B201"] == "listed-if"
    assert all(m.condition for m in dual)


def test_real_as_of_nitrocellulose_ban(real_catalog: Catalog) -> None:
    before = check_items(real_catalog, ["nitrocellulose"], as_of=dt.date(2023, 6, 30))
    after = check_items(real_catalog, ["nitrocellulose"], as_of=dt.date(2024, 1, 31))
    assert "XXIII-3912" not in _entries(before.items[0], "eu_russia")
    assert _entries(after.items[0], "eu_russia")["XXIII-3912"] == "listed"


def test_real_as_of_cnc_on_chpl_before_annex_xl(real_catalog: Catalog) -> None:
    result = check_items(real_catalog, ["machine tools"], as_of=dt.date(2024, 3, 31))
    (check,) = result.items
    chpl = _entries(check, "chpl")
    eu = _entries(check, "eu_russia")
    for code in ("845710", "845811", "845891", "845961", "846693"):
        assert chpl.get(code) == "listed", code
        assert f"XL-{code}" not in eu, code
    current = check_items(real_catalog, ["machine tools"]).items[0]
    assert "XL-845710" in _entries(current, "eu_russia")


def test_real_destinations(real_catalog: Catalog) -> None:
    for iso in ("RU", "BY", "KP", "IR", "SY"):
        result = check_items(real_catalog, ["optics"], destination=iso)
        assert result.regimes, iso
        assert all(r.source_url.startswith("https://") for r in result.regimes)
    ru = check_items(real_catalog, ["optics"], destination="RU")
    assert {"eu_russia", "chpl"} <= {k for r in ru.regimes for k in r.lists}
    de = check_items(real_catalog, ["optics"], destination="DE").items[0]
    assert _verdict(de, "eu_russia").verdict == "not-listed"
    assert _verdict(de, "eu_russia").applicability == "not-applicable"
    assert _verdict(de, "eu_dual_use").verdict == "listed-if"
    kz = check_items(real_catalog, ["optics"], destination="KZ").items[0]
    assert _verdict(kz, "chpl").applicability == "concern"
    assert _verdict(kz, "chpl").verdict == "listed"


@pytest.mark.parametrize(
    ("text", "category", "alias"),
    [
        ("нитроцеллюлозы", "nitrocellulose", "нитроцеллюлоза"),
        ("токарные станки с ЧПУ", "cnc_lathes", "токарный станок с ЧПУ"),
        ("Werkzeugmaschinen", "machine_tools", "Werkzeugmaschinen"),
    ],
)
def test_inflected_names_resolve_through_the_scanner(
    real_catalog: Catalog, text: str, category: str, alias: str
) -> None:
    item = resolve_item(real_catalog, text)
    assert (item.category, item.resolved_by, item.matched_name) == (
        category,
        "alias",
        alias,
    )


@pytest.mark.parametrize(
    "text", ["machine learning", "optics and lasers", "nitrocelulose"]
)
def test_no_guess_beyond_one_whole_goods_mention(
    real_catalog: Catalog, text: str
) -> None:
    with pytest.raises(InputError, match=f"Unknown item {text!r}"):
        resolve_item(real_catalog, text)


def test_hs2017_split_code_is_indeterminate_where_a_successor_is_listed() -> None:
    from tests.conftest import REAL_DATASETS

    catalog = load_catalog(REAL_DATASETS)
    result = check_items(catalog, ["852580"], as_of=dt.date(2024, 6, 1))
    verdicts = {v.list_key: v for v in result.items[0].verdicts}
    assert result.items[0].item.edition == "HS2017"
    assert verdicts["chpl"].verdict == "indeterminate"
    assert "8525.89 (852589)" in verdicts["chpl"].reason
    # the EU Annex XXIII heading 8525 covers the old code directly
    assert verdicts["eu_russia"].verdict == "listed"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Микросхемами", "integrated_circuits"),
        ("нитроцеллюлозы", "nitrocellulose"),
        ("Микросхемы", "integrated_circuits"),
        ("無人機", "uavs"),
        ("晶片", "integrated_circuits"),
        ("電晶體", "semiconductors"),
        ("慣性導航系統", "navigation_gnss"),
    ],
)
def test_item_names_beyond_exact_names_go_through_the_scanner(
    real_catalog: Catalog, text: str, category: str
) -> None:
    from tracker.scanning import Scanner

    item = resolve_item(real_catalog, text)
    assert (item.category, item.resolved_by) == (category, "alias")
    # the name is the alias tracker scan's mention names
    (m,) = [
        m
        for m in Scanner.from_catalog(real_catalog).scan(text).mentions
        if m.strength == "strong"
    ]
    assert (m.category, m.alias) == (category, item.matched_name)


def test_computer_numerical_control_is_not_a_computer(real_catalog: Catalog) -> None:
    # the scanner's CNC trap: no computers mention, so no guess either
    with pytest.raises(UnknownItemError, match="numerical control"):
        resolve_item(real_catalog, "computer numerical control")
