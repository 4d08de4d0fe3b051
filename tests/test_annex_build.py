"""Replaying act source tables: replace, add, delete, ex, wind-down, re-listing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from textwrap import dedent

import pytest

from tracker.act_sources import load_eu_sources
from tracker.annex_build import build_eu_russia, canonical_code, replay_acts
from tracker.problems import Problem

HEADER = "position,part,op,written,code,ex,item,note\n"
HS = {
    "8482": "Bearings",
    "848220": "Tapered roller bearings",
    "8471": "Computers",
    "9013": "Optical devices",
    "901310": "Sights",
    "3912": "Cellulose",
    "391220": "Nitrocellulose",
}
ANNEXES = dedent(
    """\
    T:
      name: Annex T
      article: Article 9
      kind: export-ban
      meaning: test goods.
      created_by: "2001/1"
    TA:
      name: Annex TA
      article: Article 9
      kind: transition
      meaning: transition list.
      entries: false
      created_by: "2002/2"
    """
)


def _act(
    root: Path,
    folder: str,
    eif: str,
    annexes: str,
    tables: dict[str, str],
    wind_downs: str = "[]",
) -> None:
    year, num = folder.split("-")
    d = root / "sources" / "eu_833" / "acts" / folder
    d.mkdir(parents=True)
    (d / "act.yml").write_text(
        dedent(
            f"""\
            act: "{year}/{int(num)}"
            title: Test Regulation {year}/{int(num)}
            package: {int(num)}
            celex: "3{year}R{num}"
            document_date: "{eif}"
            published: "{eif}"
            entry_into_force: "{eif}"
            eif_evidence: test
            url: https://example.org/{year}/{int(num)}
            read_in: {{repo: r, path: p, commit: c}}
            read_by: test
            checked_by: test
            wind_downs: {wind_downs}
            annexes: {annexes}
            """
        ),
        encoding="utf-8",
    )
    for name, body in tables.items():
        (d / name).write_text(HEADER + dedent(body), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "sources" / "eu_833"
    (base / "acts").mkdir(parents=True)
    (base / "annexes.yml").write_text(ANNEXES, encoding="utf-8")
    _act(
        tmp_path,
        "2001-0001",
        "2001-03-01",
        "[{annex: T, operation: create, file: T.csv}]",
        {
            "T.csv": "1,A,list,8482 20,848220,0,,\n2,A,list,ex 8471,8471,1,,\n3,A,list,9013 10,901310,0,,\n"
        },
    )
    _act(
        tmp_path,
        "2002-0002",
        "2002-06-01",
        "[{annex: T, operation: replace, file: T.csv}, {annex: TA, operation: create, file: TA.csv}]",
        {
            # 9013 10 dropped, 8482 20 widened to 8482, ex 8471 kept
            "T.csv": "1,,list,8482,8482,0,,\n2,,list,ex 8471,8471,1,,\n3,,list,3912,3912,0,,\n",
            "TA.csv": "1,,list,3912 20,391220,0,,\n",
        },
        wind_downs="[{provision: Art. 9(3), annex: T, lines: TA, contracts_before: '2002-06-01', until: '2002-09-01'}]",
    )
    _act(
        tmp_path,
        "2003-0003",
        "2003-01-15",
        "[{annex: T, operation: amend, file: T.csv}, {annex: TA, operation: delete-annex}]",
        {"T.csv": "1,,add,9013 10,901310,0,,\n2,,delete,3912,3912,0,,\n"},
    )
    return tmp_path


def test_replay_dates_each_line_by_the_acts(root: Path) -> None:
    problems: list[Problem] = []
    sources = load_eu_sources(root, problems)
    assert sources is not None
    replay = replay_acts(sources, problems)
    assert problems == []
    on = {
        d: {(p.code, p.ex) for p in replay.state("T", dt.date.fromisoformat(d))}
        for d in ("2001-02-28", "2001-03-01", "2002-05-31", "2002-06-01", "2003-01-15")
    }
    assert on["2001-02-28"] == set()
    assert on["2001-03-01"] == {("848220", False), ("8471", True), ("901310", False)}
    assert on["2002-05-31"] == on["2001-03-01"]
    # replace: 9013 10 ends, 8482 20 ends and 8482 starts, 3912 starts
    assert on["2002-06-01"] == {("8482", False), ("8471", True), ("3912", False)}
    # amend: 9013 10 listed again (a new period), 3912 deleted
    assert on["2003-01-15"] == {("8482", False), ("8471", True), ("901310", False)}
    assert replay.deleted["TA"].act == "2003/3"


def test_build_rows_ids_periods_ex_and_wind_down(root: Path) -> None:
    problems: list[Problem] = []
    text = build_eu_russia(
        root,
        HS,
        {"bearings": ["8482"]},
        problems,
    )
    assert problems == []
    assert text is not None
    rows = {r["entry_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {
        "T-848220",
        "T-8482",
        "T-ex8471",
        "T-901310",
        "T-901310-2",
        "T-3912",
    }
    assert (rows["T-848220"]["added"], rows["T-848220"]["ended"]) == (
        "2001-03-01",
        "2002-06-01",
    )
    assert rows["T-848220"]["categories"] == "bearings"
    assert rows["T-8482"]["title"] == "Bearings"
    # re-listing opens a new period with its own id
    assert (rows["T-901310"]["added"], rows["T-901310"]["ended"]) == (
        "2001-03-01",
        "2002-06-01",
    )
    assert (rows["T-901310-2"]["added"], rows["T-901310-2"]["ended"]) == (
        "2003-01-15",
        "",
    )
    # ex lines are listed-if, with the code among the ex codes
    ex = rows["T-ex8471"]
    assert (ex["verdict"], ex["codes"], ex["ex_codes"]) == ("listed-if", "", "8471")
    assert ex["condition"].startswith("only if")
    # wind-down from the transition table applies only to the overlapping new line
    assert rows["T-3912"]["wind_down_until"] == "2002-09-01"
    assert "3912 20" in rows["T-3912"]["note"]
    assert rows["T-8482"]["wind_down_until"] == ""
    assert rows["T-3912"]["ended_act"] == "Test Regulation 2003/3 (3rd package)"
    # transition tables make no entries
    assert not any(k.startswith("TA-") for k in rows)


def test_build_is_deterministic(root: Path) -> None:
    a = build_eu_russia(root, HS, {})
    b = build_eu_russia(root, HS, {})
    assert a == b


def test_codes_unknown_in_both_editions_are_problems(root: Path) -> None:
    problems: list[Problem] = []
    build_eu_russia(root, {k: v for k, v in HS.items() if k != "901310"}, {}, problems)
    assert [str(p) for p in problems] == [
        "sources/eu_833/acts/2001-0001/T.csv row 4 field 'code': '9013 10' is in "
        "neither the HS 2022 reference (hs2022.csv) nor the HS 2017 codes "
        "(hs2017_splits.csv)",
        "sources/eu_833/acts/2003-0003/T.csv row 2 field 'code': '9013 10' is in "
        "neither the HS 2022 reference (hs2022.csv) nor the HS 2017 codes "
        "(hs2017_splits.csv)",
    ]


def test_padded_codes_are_the_same_line() -> None:
    assert canonical_code("84822000") == "848220"
    assert canonical_code("61010000") == "6101"
    assert canonical_code("360100") == "3601"
    assert canonical_code("97000000") == "97"
    assert canonical_code("84717098") == "84717098"


def test_operations_on_missing_lines_are_problems(root: Path) -> None:
    _act(
        root,
        "2004-0004",
        "2004-01-01",
        "[{annex: T, operation: amend, file: T.csv}]",
        {
            "T.csv": "1,,delete,7308 90,730890,0,,\n2,,add,8482,8482,0,,\n3,,list,8501,8501,0,,\n"
        },
    )
    problems: list[Problem] = []
    sources = load_eu_sources(root, problems)
    assert sources is not None
    replay_acts(sources, problems)
    messages = [str(p) for p in problems]
    assert any(
        "row 2" in m and "deletes '7308 90', which is not listed" in m for m in messages
    ), messages
    assert any(
        "row 3" in m and "adds '8482', which is listed already" in m for m in messages
    ), messages
    assert any(
        "row 4" in m and "'list' in a table the act says to amend" in m
        for m in messages
    ), messages


def test_written_and_code_must_agree(root: Path) -> None:
    _act(
        root,
        "2004-0004",
        "2004-01-01",
        "[{annex: T, operation: amend, file: T.csv}]",
        {
            "T.csv": "1,,add,8501 10,850120,0,,\n2,,add,ex 8502,8502,0,,\n3,,add,85011,85011,0,,\n"
        },
    )
    problems: list[Problem] = []
    load_eu_sources(root, problems)
    messages = [str(p) for p in problems]
    assert any("row 2" in m and "differs from the digits" in m for m in messages), (
        messages
    )
    assert any("row 3" in m and "ex=0" in m for m in messages), messages
    assert any(
        "row 4" in m and "expected 2, 4, 6, 8 or 10 digits" in m for m in messages
    ), messages


def test_create_of_existing_and_amend_of_missing_table(root: Path) -> None:
    _act(
        root,
        "2004-0004",
        "2004-01-01",
        "[{annex: T, operation: create, file: T.csv}, {annex: TA, operation: amend, file: TA.csv}]",
        {"T.csv": "1,,list,8482,8482,0,,\n", "TA.csv": "1,,add,8482,8482,0,,\n"},
    )
    problems: list[Problem] = []
    sources = load_eu_sources(root, problems)
    assert sources is not None
    replay_acts(sources, problems)
    messages = [str(p) for p in problems]
    assert any("creates table 'T', which exists already" in m for m in messages), (
        messages
    )
    assert any("amend of table 'TA', which is not in force" in m for m in messages), (
        messages
    )
