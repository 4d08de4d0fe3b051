"""Models built by tracker.models.trusted are the models model_construct and validation build."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel

from tracker.catalog import Catalog
from tracker.checking import ListVerdict, list_verdicts
from tracker.matching import match_code
from tracker.models import Match
from tracker.models.trusted import trusted


@pytest.mark.parametrize("cls", [Match, ListVerdict])
def test_models_built_trusted_have_what_trusted_cannot_set(
    cls: type[BaseModel],
) -> None:
    # trusted() sets the values and nothing else: a model it builds may have
    # no aliases, private attributes, extra values or post-init hook.
    assert all(
        f.alias is None and f.validation_alias is None
        for f in cls.model_fields.values()
    )
    assert not cls.__private_attributes__
    assert cls.model_config.get("extra") == "forbid"
    assert cls.__pydantic_post_init__ is None


def _matches(catalog: Catalog) -> list[Match]:
    found: list[Match] = []
    for code in ("854231", "8542", "85", "930100", "880610", "2804", "8471300000"):
        found.extend(match_code(catalog, code, as_of=dt.date(2025, 6, 1)))
    return found


def test_trusted_matches_equal_validated_ones(real_catalog: Catalog) -> None:
    found = _matches(real_catalog)
    assert len({m.list_key for m in found}) >= 3  # several lists, derived ones too
    assert any(m.basis == "derived" for m in found)
    for m in found:
        assert list(m.__dict__) == list(Match.model_fields)  # every field, in order
        assert m.model_fields_set == set(Match.model_fields)
        assert m == Match.model_validate(m.model_dump())
        assert m == Match.model_construct(**m.model_dump())
        assert (
            m.model_dump_json()
            == Match.model_validate(m.model_dump()).model_dump_json()
        )
        assert hash(m) == hash(Match.model_validate(m.model_dump()))
        with pytest.raises(ValueError, match="frozen"):
            m.detail = "changed"  # type: ignore[misc]


def test_trusted_list_verdicts_equal_validated_ones(real_catalog: Catalog) -> None:
    real_catalog.memo.clear()
    found = _matches(real_catalog)
    for dest in ("ru", "cn", "de", None):
        verdicts = list_verdicts(real_catalog, found, dest, dt.date(2025, 6, 1))
        assert {v.list_key for v in verdicts} == set(real_catalog.lists)
        for v in verdicts:
            assert list(v.__dict__) == list(ListVerdict.model_fields)
            assert v == ListVerdict.model_validate(v.model_dump())
            assert repr(v) == repr(ListVerdict.model_validate(v.model_dump()))


def test_trusted_takes_the_dict_given() -> None:
    made = trusted(
        ListVerdict,
        {
            "list_key": "k",
            "list_title": "t",
            "verdict": "listed",
            "goods_verdict": "listed",
            "applicability": "applies",
            "reason": "",
            "entries": ("a",),
            "tiers": (),
        },
    )
    assert made == ListVerdict(
        list_key="k",
        list_title="t",
        verdict="listed",
        goods_verdict="listed",
        applicability="applies",
        entries=("a",),
    )
    assert made.model_extra is None
