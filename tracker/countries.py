"""Countries: datasets/countries.yml (ISO codes and names) and the one destination parser."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.dataset_yaml import YAMLSyntaxError, read_yaml
from tracker.exc import DatasetError, InputError, shown
from tracker.problems import Problem
from tracker.settings import datasets_path
from tracker.text import nfkc_fold

#: File of datasets/ with the country names.
COUNTRIES_FILE = "countries.yml"

#: Languages the names are given in.
LANGUAGES = ("en", "ru", "uk", "zh", "de")


class Country(BaseModel):
    """One country of datasets/countries.yml with its names by language."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

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
        data = read_yaml(path)
    except (OSError, YAMLSyntaxError) as exc:
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
    from tracker import catalog_cache

    path = root / COUNTRIES_FILE
    if not path.is_file():
        raise DatasetError(f"{path} is missing: tracker needs it to read countries")
    # Kept between runs while no file of the datasets changes (as the
    # catalogue is): parsing and validating the file costs about 0.07 s.
    key = catalog_cache.digest(root)
    kept = catalog_cache.read_object(root, key, "countries") if key else None
    if isinstance(kept, dict):
        return kept
    countries, problems = _parse(path, COUNTRIES_FILE)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        raise DatasetError(
            f"invalid {COUNTRIES_FILE} in {root}: {shown}; run 'tracker datasets validate'"
        )
    if key:
        catalog_cache.write_object(root, key, countries, "countries")
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


# --------------------------------------------------------------------------
# Destinations

#: ISO 3166-1 reserves UK for the United Kingdom, whose code is GB; customs
#: data and users write UK.
_RESERVED_CODES = {"uk": "gb"}

#: Separators of a cell that gives a code and a name ("RU - Russia", "Russia (RU)").
_PARTS = re.compile(r"[\s\-–(),/;]+")


class UnknownDestinationError(InputError):
    """A destination is not an ISO code or a country name of datasets/countries.yml."""

    def __init__(self, value: str, suggestion: str | None) -> None:
        self.value = value
        self.suggestion = suggestion
        super().__init__(f"Unknown destination {self.detail}")

    @property
    def detail(self) -> str:
        """The value and the suggestion, e.g. ``'UR'; did you mean RU?``."""
        if self.suggestion is not None:
            return f"{shown(self.value)}; did you mean {self.suggestion}?"
        return (
            f"{shown(self.value)}: not an ISO 3166 alpha-2 or alpha-3 code or a "
            "country name in datasets/countries.yml"
        )


def _iso_country(value: str) -> str | None:
    """Lower-case alpha-2 of an ISO 3166-1 code or English name, from pycountry.

    Covers the countries datasets/countries.yml does not name (that file holds
    the names tracker scans texts for); a value pycountry does not know is None.
    """
    import pycountry

    text = value.strip()
    found = None
    if text.isascii() and text.isalpha() and len(text) == 2:
        found = pycountry.countries.get(alpha_2=text.upper())
    elif text.isascii() and text.isalpha() and len(text) == 3:
        found = pycountry.countries.get(alpha_3=text.upper())
    elif len(text) > 3:
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = None
    return str(found.alpha_2).lower() if found is not None else None


@dataclass(frozen=True)
class DestinationIndex:
    """Every code and name of datasets/countries.yml, as :func:`country_key` keys."""

    #: Lower-case alpha-2 codes.
    codes: frozenset[str]
    #: Names in every language and alpha-3 codes -> lower-case alpha-2.
    names: Mapping[str, str]

    @classmethod
    def build(cls, countries: Mapping[str, Country]) -> DestinationIndex:
        """Index the codes and names of ``countries`` (see :func:`load_countries`)."""
        return cls(frozenset(countries), country_names(countries))

    def read(self, value: str) -> str | None:
        """Return the upper-case alpha-2 code ``value`` names, or None.

        A code (``RU``, ``rus``), a name in any language of the data
        (``Russia``, ``Россия``, ``俄罗斯``), or a code and a name
        (``RU - Russia``, ``Russia (RU)``). Two letters count only when they
        are the code of a country in the data (``UK`` is GB).
        """
        key = country_key(value)
        if key == "":
            return None
        found = self._code(key) or self.names.get(key)
        compact = key.replace(" ", "")
        if found is None and compact != key and len(compact) <= 3:
            # "U.S.A.", "U.K.": an abbreviation written with dots
            found = self._code(compact) or self.names.get(compact)
        if found is None:
            parts = [p for p in _PARTS.split(key) if p != ""]
            found = next((self.names[p] for p in parts if p in self.names), None)
            if found is None and parts:
                found = self._code(parts[0]) or self._code(parts[-1])
        if found is None:
            found = _iso_country(value)
        return found.upper() if found is not None else None

    def _code(self, key: str) -> str | None:
        key = _RESERVED_CODES.get(key, key)
        return key if key in self.codes else None

    def suggest(self, value: str) -> str | None:
        """Return the alpha-2 code ``value`` most likely misspells, or None.

        Swapped letters of a code first (``UR`` -> RU, ``RSU`` -> RU), then
        the closest code or name (difflib) for longer values.
        """
        key = country_key(value)
        compact = key.replace(" ", "")
        if 2 <= len(compact) <= 3 and compact.isascii() and compact.isalpha():
            letters = sorted(compact)
            for code in sorted([*self.codes, *self.names]):
                if len(code) == len(compact) and sorted(code) == letters:
                    return self.read(code)
        if len(compact) < 4:
            return None
        close = difflib.get_close_matches(
            key, sorted({*self.codes, *self.names}), n=1, cutoff=0.8
        )
        return self.read(close[0]) if close else None

    def parse(self, value: str) -> str:
        """Return the upper-case alpha-2 code ``value`` names.

        Raises:
            UnknownDestinationError: no country of the data has that code or
                name; the message suggests the closest one.
        """
        found = self.read(value)
        if found is None:
            raise UnknownDestinationError(value, self.suggest(value))
        return found


@functools.cache
def _index_cached(root: Path) -> DestinationIndex:
    return DestinationIndex.build(_load_cached(root))


def destination_index(path: Path | None = None) -> DestinationIndex:
    """Return the destination index of a datasets folder (cached).

    Args:
        path: a datasets folder; default: the one in use (see settings).

    Raises:
        DatasetError: countries.yml is missing or invalid.
    """
    root = (path if path is not None else datasets_path()).resolve()
    return _index_cached(root)


def parse_destination(value: str, path: Path | None = None) -> str:
    """Read a destination: ISO 3166 alpha-2 or alpha-3 code or a country name.

    The one parser of destinations, for ``--destination`` options, the
    Python API and destination cells. Names are those of
    datasets/countries.yml in English, Russian, Ukrainian, Chinese and German;
    case, dots and spacing do not matter.

    Args:
        value: the text, e.g. ``RU``, ``rus``, ``Russia``, ``Россия``, ``俄罗斯``.
        path: a datasets folder; default: the one in use (see settings).

    Returns:
        The upper-case ISO alpha-2 code.

    Raises:
        UnknownDestinationError: not a code or name of a country in the data
            (any two letters are not enough); the message suggests the closest
            code, e.g. ``Unknown destination 'UR'; did you mean RU?``.
        DatasetError: countries.yml is missing or invalid.

    Examples:
        >>> parse_destination("Russia")
        'RU'
        >>> parse_destination("kaz")
        'KZ'
    """
    return destination_index(path).parse(value)
