"""`tracker changes`: entries added or ended between two dates."""

from __future__ import annotations

import datetime as dt
import json

from typer.testing import CliRunner

from tracker.catalog import Catalog
from tracker.changes import list_act_changes, list_changes
from tracker.cli import app


def test_changes_in_the_mini_catalogue(mini_catalog: Catalog) -> None:
    found = list_changes(mini_catalog, dt.date(2023, 12, 18), dt.date(2023, 12, 19))
    assert [(c.kind, c.list_key, c.entry_id, c.act) for c in found] == [
        ("added", "beta", "XXIII-3912", "Act 2023/9"),
        ("ended", "beta", "XXIII-391211", "Act 2023/9"),
    ]
    # The start date is exclusive: nothing changed after the 19th up to the 20th.
    assert (
        list_changes(mini_catalog, dt.date(2023, 12, 19), dt.date(2023, 12, 20)) == []
    )


def test_changes_can_be_limited_to_lists(mini_catalog: Catalog) -> None:
    found = list_changes(
        mini_catalog, dt.date(2024, 1, 1), dt.date(2024, 12, 31), lists=["alpha"]
    )
    assert {c.entry_id for c in found} == {"854231", "854232", "845961"}
    assert all(c.date == dt.date(2024, 2, 23) for c in found)


def test_14th_package_added_cnc_machine_tools_to_annex_xl(
    real_catalog: Catalog,
) -> None:
    found = list_changes(
        real_catalog, dt.date(2024, 6, 24), dt.date(2024, 6, 25), lists=["eu_russia"]
    )
    xl = sorted(c.codes[0] for c in found if c.entry_id.startswith("XL-"))
    assert xl == ["845710", "845811", "845891", "845961", "846693"]
    assert all("2024/1745" in c.act for c in found)


def test_changes_cli(use_mini_datasets: object) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["changes", "--since", "2023-12-18", "--until", "2023-12-19", "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(d["kind"], d["entry"], d["codes"]) for d in data] == [
        ("added", "XXIII-3912", ["3912"]),
        ("ended", "XXIII-391211", []),
    ]
    bad = runner.invoke(
        app, ["changes", "--since", "2024-01-02", "--until", "2024-01-01"]
    )
    assert bad.exit_code == 2
    assert "--until 2024-01-01 is before --since 2024-01-02" in bad.stderr


def test_changes_by_act_lists_what_the_14th_package_added(
    real_catalog: Catalog,
) -> None:
    by_number = list_act_changes(real_catalog, "2024/1745", lists=["eu_russia"])
    by_package = list_act_changes(real_catalog, "14", lists=["eu_russia"])
    assert by_number == by_package
    xl = sorted(
        c.codes[0]
        for c in by_number
        if c.kind == "added" and c.control_code == "Annex XL"
    )
    assert xl == ["845710", "845811", "845891", "845961", "846693"]
    assert all(c.date == dt.date(2024, 6, 25) for c in by_number)


def test_changes_by_act_says_when_a_line_was_widened(real_catalog: Catalog) -> None:
    # the 11th package replaced Annex XXIII lines such as 8482 20 by the heading 8482
    found = list_act_changes(real_catalog, "2023/1214", lists=["eu_russia"])
    bearing = next(
        c for c in found if c.kind == "ended" and c.entry_id == "XXIII-848220"
    )
    assert bearing.widened_to == "8482"
    assert bearing.date == dt.date(2023, 6, 24)
    twelfth = list_act_changes(real_catalog, "2023/2878", lists=["eu_russia"])
    added = next(c for c in twelfth if c.entry_id == "XXIII-3912")
    assert added.wind_down_until == dt.date(2024, 3, 20)


def test_changes_cli_by_act(use_real_datasets: object) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["changes", "--act", "19", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data and all("2025/2033" in d["act"] for d in data)
    bad = runner.invoke(app, ["changes", "--act", "nineteen"])
    assert bad.exit_code == 2
    assert "not an act number" in bad.output
    both = runner.invoke(app, ["changes", "--act", "19", "--since", "2024-01-01"])
    assert both.exit_code == 2
