"""Destination: the sanctions and embargo regimes that concern one country."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tracker.models.control import Jurisdiction, Verification


class Regime(BaseModel):
    """One legal regime that restricts exports to a destination (datasets/destinations.yml)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: Short name, e.g. "EU sanctions on Russia".
    name: str
    #: Who issues it: eu, us, uk or multilateral (UN).
    jurisdiction: Jurisdiction
    #: The act(s), e.g. "Council Regulation (EU) No 833/2014".
    legal_basis: str
    #: What it restricts, in the curators' own words.
    restricts: str
    #: Where the legal basis can be read.
    source_url: str
    #: official: read in the legal text; secondary: reliable secondary source;
    #: unverified: not checked, shown as such.
    verification: Verification
    #: Keys of bundled lists that implement (part of) the regime.
    lists: tuple[str, ...] = ()
    note: str = ""


class Destination(BaseModel):
    """A destination country with the regimes that restrict exports to it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: ISO 3166-1 alpha-2, lower case.
    key: str
    name: str
    regimes: tuple[Regime, ...] = ()
    note: str = ""
