"""Countries named in text: datasets/countries.yml (ISO alpha-2 codes and names)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.exc import DatasetError
from tracker.problems import Problem
from tracker.settings import datasets_path
from tracker.text import nfkc_fold

#: File of datasets/ with the country names.
COUNTRIES_FILE = "countries.yml"

#: Languages the names are given in.
LANGUAGES = ("en", "ru", "uk", "zh", "de")


class Country(BaseModel):
    """One country of datasets/countries.yml with its names by language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: ISO 3166-1 alpha-2, lower case as in the data files.
    iso2: str = Field(pattern=r"^[a-z]{2}$")
    #: English short name.
    name: str = Field(min_length=1)
    #: ISO 3166-1 alpha-3, lower case (customs data often uses it).
    alpha3: str | None = Field(default=None, pattern=r"^[a-z]{3}$")
    #: Names, short forms and adjectives by language.
    aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    note: str = ""

    @property
    def code(self) -> str:
        """The ISO alpha-2 code in upper case, as shown to users."""
        return self.iso2.upper()


def _parse(path: Path, rel: str) -> tuple[dict[str, Country], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Country] = {}
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        return out, [Problem(rel, None, None, f"unreadable YAML: {exc}")]
    if not isinstance(data, list):
        return out, [Problem(rel, None, None, "expected a list of countries")]
    seen_alias: dict[tuple[str, str], str] = {}
    alpha3_seen: dict[str, str] = {}
    for n, item in enumerate(data, start=1):
        where = f"{rel} item {n}"
        if not isinstance(item, dict):
            problems.append(Problem(where, None, None, "expected a mapping"))
            continue
        try:
            country = Country(**item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or None
                problems.append(
                    Problem(
                        where, None, loc, f"{err['msg']} (value {err.get('input')!r})"
                    )
                )
            continue
        if country.iso2 in out:
            problems.append(
                Problem(where, None, "iso2", f"duplicate country {country.iso2!r}")
            )
            continue
        if country.alpha3 is not None and country.alpha3 in alpha3_seen:
            problems.append(
                Problem(
                    where,
                    None,
                    "alpha3",
                    f"{country.alpha3!r} is also the code of {alpha3_seen[country.alpha3]!r}",
                )
            )
        if country.alpha3 is not None:
            alpha3_seen[country.alpha3] = country.iso2
        for lang, names in country.aliases.items():
            if lang not in LANGUAGES:
                problems.append(
                    Problem(
                        where,
                        None,
                        f"aliases.{lang}",
                        f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}",
                    )
                )
            for name in names:
                if name.strip() == "":
                    problems.append(
                        Problem(where, None, f"aliases.{lang}", "empty name")
                    )
                    continue
                key = (lang, name.casefold())
                other = seen_alias.get(key)
                if other is not None and other != country.iso2:
                    problems.append(
                        Problem(
                            where,
                            None,
                            f"aliases.{lang}",
                            f"name {name!r} is also a name of {other!r}",
                        )
                    )
                seen_alias[key] = country.iso2
        out[country.iso2] = country
    return out, problems


def country_key(name: str) -> str:
    """Return a country name or cell in the form :func:`country_names` keys use.

    NFKC, case-folded, ё as е, dots as spaces, one space between words.

    Examples:
        >>> country_key("  U.S.A. ")
        'u s a'
    """
    return " ".join(nfkc_fold(name).replace(".", " ").split())


def country_names(countries: Mapping[str, Country]) -> dict[str, str]:
    """Map every name, alias and alpha-3 code (as :func:`country_key`) to ISO alpha-2.

    The first country that uses a name keeps it.
    """
    out: dict[str, str] = {}
    for iso, country in countries.items():
        names = [country.name, *(a for v in country.aliases.values() for a in v)]
        if country.alpha3 is not None:
            names.append(country.alpha3)
        for name in names:
            out.setdefault(country_key(name), iso)
    return out


def validate_countries(root: Path) -> list[Problem]:
    """Return the problems of ``root``/countries.yml (none if the file is absent)."""
    path = root / COUNTRIES_FILE
    if not path.is_file():
        return []
    return _parse(path, COUNTRIES_FILE)[1]


@functools.cache
def _load_cached(root: Path) -> dict[str, Country]:
    path = root / COUNTRIES_FILE
    if not path.is_file():
        raise DatasetError(
            f"{path} is missing: tracker scan needs it to find countries"
        )
    countries, problems = _parse(path, COUNTRIES_FILE)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        raise DatasetError(
            f"invalid {COUNTRIES_FILE} in {root}: {shown}; run 'tracker datasets validate'"
        )
    return countries


def load_countries(path: Path | None = None) -> dict[str, Country]:
    """Load datasets/countries.yml: lower-case ISO alpha-2 -> Country (cached).

    Args:
        path: a datasets folder; default: the one in use (see settings).

    Raises:
        DatasetError: the file is missing or invalid.
    """
    root = (path if path is not None else datasets_path()).resolve()
    return _load_cached(root)
