"""The one destination parser: ISO alpha-2/alpha-3 codes and country names."""

from __future__ import annotations

import pytest

from tests.conftest import REAL_DATASETS
from tracker.countries import (
    UnknownDestinationError,
    destination_index,
    load_countries,
    parse_destination,
)
from tracker.exc import InputError, shown


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("RU", "RU"),
        ("ru", "RU"),
        (" RU ", "RU"),
        ("RUS", "RU"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Российская Федерация", "RU"),
        ("Росія", "RU"),
        ("俄罗斯", "RU"),
        ("Russland", "RU"),
        ("Казахстан", "KZ"),
        ("kaz", "KZ"),
        ("RU - Russia", "RU"),
        ("Russia (RU)", "RU"),
        ("UK", "GB"),
        ("U.S.A.", "US"),
    ],
)
def test_parse_destination(raw: str, expected: str) -> None:
    assert parse_destination(raw, REAL_DATASETS) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("UR", "Unknown destination 'UR'; did you mean RU?"),
        ("RSU", "Unknown destination 'RSU'; did you mean RU?"),
        ("Rusia", "Unknown destination 'Rusia'; did you mean RU?"),
        ("Germny", "Unknown destination 'Germny'; did you mean DE?"),
        (
            "XX",
            "Unknown destination 'XX': not an ISO 3166 alpha-2 or alpha-3 code or "
            "a country name in datasets/countries.yml",
        ),
        (
            "Atlantis",
            "Unknown destination 'Atlantis': not an ISO 3166 alpha-2 or alpha-3 "
            "code or a country name in datasets/countries.yml",
        ),
    ],
)
def test_unknown_destination_says_what_was_meant(raw: str, message: str) -> None:
    with pytest.raises(UnknownDestinationError) as info:
        parse_destination(raw, REAL_DATASETS)
    assert str(info.value) == message
    assert isinstance(info.value, InputError)


@pytest.mark.parametrize("raw", ["QQ", "ZZ", "AB", "12", "R", ""])
def test_two_letters_are_not_accepted_blindly(raw: str) -> None:
    assert destination_index(REAL_DATASETS).read(raw) is None


def test_every_country_of_the_data_is_read_by_code_name_and_alpha3() -> None:
    for iso, country in load_countries(REAL_DATASETS).items():
        for text in (iso, iso.upper(), country.name):
            assert parse_destination(text, REAL_DATASETS) == iso.upper(), text
        if country.alpha3 is not None:
            got = parse_destination(country.alpha3.upper(), REAL_DATASETS)
            assert got == iso.upper(), country.alpha3
        for names in country.aliases.values():
            for name in names:
                assert parse_destination(name, REAL_DATASETS) == iso.upper(), name


def test_long_values_are_cut_in_messages() -> None:
    with pytest.raises(UnknownDestinationError) as info:
        parse_destination("x" * 500, REAL_DATASETS)
    assert len(str(info.value)) < 200
    assert shown("x" * 500).endswith("…'")


def test_iso_codes_beyond_the_scanned_countries_are_destinations() -> None:
    # Norway is not among the countries tracker scans texts for, but is ISO 3166
    assert parse_destination("NO") == "NO"
    assert parse_destination("nor") == "NO"
    assert parse_destination("Norway") == "NO"
    with pytest.raises(UnknownDestinationError):
        parse_destination("QQ")
