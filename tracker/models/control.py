"""ControlList (list metadata) and ControlEntry (one row of a list)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: How the entry's listing depends on the goods.
#: listed: goods under the entry's codes are listed as such (CHPL, Annex XXIII lines).
#: listed-if: listed only if a condition holds (parameter-based entries, `ex` lines).
EntryVerdict = Literal["listed", "listed-if"]

#: How a fact was checked.
#: official: read in the legal text; secondary: read in a reliable secondary
#: source; unverified: not checked against any source, shown as such.
Verification = Literal["official", "secondary", "unverified"]

#: Who issues the list's legal basis.
Jurisdiction = Literal["eu", "us", "uk", "multilateral"]


#: Columns of every lists/<key>/entries.csv, in this order.
ENTRY_COLUMNS = (
    "entry_id",
    "control_code",
    "title",
    "description",
    "verdict",
    "condition",
    "thresholds",
    "tier",
    "codes",
    "ex_codes",
    "code_edition",
    "keywords",
    "categories",
    "covers_list",
    "added",
    "added_act",
    "ended",
    "ended_act",
    "wind_down_until",
    "source_ref",
    "source_url",
    "verification",
    "note",
)


class Code(BaseModel):
    """A goods code with its system and nomenclature edition."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: Digits only, 2/4/6/8/10 long, always a string.
    value: str
    #: HS, CN, TARIC, HTS or UKGT.
    system: str
    #: Nomenclature edition, e.g. HS2022, CN2024, HTS2023.
    edition: str
    #: True for `ex` lines: only part of the code is covered.
    ex: bool = False


class Assertions(BaseModel):
    """Expected entry counts, checked by the validator."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    min_entries: int = 0
    max_entries: int = 100_000


class CoveragePeriod(BaseModel):
    """A stretch of time for which the bundled entries are, or are not, the whole list."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    start: dt.date
    #: First day no longer covered by this period (None: open-ended).
    end: dt.date | None = None
    #: True when every line of the list for that time is bundled.
    complete: bool
    #: What the period leaves out (required when not complete), or a caveat.
    note: str = ""
    #: Code prefixes (digits) the gap concerns; empty: every code.
    codes: tuple[str, ...] = ()

    def contains(self, on: dt.date) -> bool:
        """True when ``on`` falls in the period."""
        return self.start <= on and (self.end is None or on < self.end)

    def concerns(self, code: str | None) -> bool:
        """True when the period's note concerns ``code`` (None: any code).

        A code concerns the period when it starts with one of its codes or
        one of its codes starts with it.
        """
        if code is None or not self.codes:
            return True
        codes, prefixes = self._code_sets
        return code in prefixes or any(code[:n] in codes for n in range(1, len(code)))

    @cached_property
    def _code_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        """The period's codes, and every leading part of them (the codes included)."""
        return frozenset(self.codes), frozenset(
            c[:n] for c in self.codes for n in range(len(c) + 1)
        )


class ControlList(BaseModel):
    """Metadata of one list (datasets/lists/<key>/<key>.yml)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    key: str
    title: str
    summary: str
    description: str
    publisher: str
    jurisdiction: Jurisdiction
    legal_basis: str
    url: str
    version: str
    as_of: dt.date
    covers_from: dt.date | None = None
    retrieved: dt.date
    hs_version: str
    license: str
    #: Lower-case ISO alpha-2 codes, or "*" for every destination.
    destinations: tuple[str, ...]
    concern_destinations: tuple[str, ...] = ()
    verification: str
    #: What the bundled entries leave out, so that "no entry matched" cannot be read
    #: as "not listed" (e.g. the code tables of a schedule were not bundled). Empty
    #: when the bundled entries are the whole list for the goods they name.
    coverage_gap: str = ""
    #: Periods for which the bundled entries are or are not the whole list. A date
    #: in an incomplete period is treated like ``coverage_gap``: no match there is
    #: ``indeterminate`` with the period's note.
    coverage: tuple[CoveragePeriod, ...] = ()
    #: Date of the last act the entries reflect; answers for later dates carry a
    #: caveat that later changes are not bundled (None: same as ``as_of``).
    data_until: dt.date | None = None
    tiers: dict[str, str] = Field(default_factory=dict)
    assertions: Assertions = Field(default_factory=Assertions)

    def applies_to(self, destination: str | None) -> bool:
        """Return True when the list restricts exports to ``destination`` (ISO2)."""
        if destination is None or "*" in self.destinations:
            return True
        return destination.lower() in self.destinations

    def concerns(self, destination: str | None) -> bool:
        """Return True when the list is a due-diligence concern for ``destination``."""
        return destination is not None and (
            destination.lower() in self.concern_destinations
        )


class ControlEntry(BaseModel):
    """One row of a list's entries.csv."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    list_key: str
    entry_id: str
    control_code: str
    title: str
    description: str
    verdict: EntryVerdict
    condition: str = ""
    thresholds: tuple[str, ...] = ()
    tier: str | None = None
    codes: tuple[Code, ...] = ()
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    covers_list: str | None = None
    added: dt.date | None = None
    added_act: str = ""
    ended: dt.date | None = None
    ended_act: str = ""
    wind_down_until: dt.date | None = None
    source_ref: str
    source_url: str
    verification: Verification
    note: str = ""
    #: 1-based line of entries.csv (header = 1), for messages.
    row: int = 0

    def in_force(self, on: dt.date | None) -> bool:
        """Return True when the entry applies on date ``on`` (None = today's data)."""
        if on is None:
            return self.ended is None
        if self.added is not None and on < self.added:
            return False
        return self.ended is None or on < self.ended
