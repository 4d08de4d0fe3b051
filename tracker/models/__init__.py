"""Pydantic models of the catalogue and of matches."""

from tracker.models.category import ItemCategory
from tracker.models.control import (
    Assertions,
    Code,
    ControlEntry,
    ControlList,
    CoveragePeriod,
    EntryVerdict,
    Jurisdiction,
    Verification,
)
from tracker.models.destination import Destination, Regime
from tracker.models.finding import MATCH_FIELDS, Match, MatchBasis, Verdict
from tracker.models.provenance import Publisher

__all__ = [
    "MATCH_FIELDS",
    "Assertions",
    "Code",
    "ControlEntry",
    "ControlList",
    "CoveragePeriod",
    "Destination",
    "EntryVerdict",
    "ItemCategory",
    "Jurisdiction",
    "Match",
    "MatchBasis",
    "Publisher",
    "Regime",
    "Verdict",
    "Verification",
]
