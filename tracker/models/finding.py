"""Match: one explained reason why a list may cover goods."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

#: Why an entry was matched.
#: exact: the query code equals the entry's code;
#: prefix: the entry's code is a heading/subheading containing the query code;
#: narrower: the query code is broader than the entry's code (only part of it is listed);
#: keyword: a word of the item matched the entry's keywords;
#: category: the entry is linked to the item's category by the curators;
#: derived: the entry covers a whole other list, one of whose entries matched.
MatchBasis = Literal["exact", "prefix", "narrower", "keyword", "category", "derived"]

#: Outcome for one entry or one list. Never "permitted".
#: listed: covered; listed-if: covered only if the condition holds;
#: not-listed: no entry of the list matched (not a licence decision);
#: indeterminate: cannot be decided from the data (reason given).
Verdict = Literal["listed", "listed-if", "not-listed", "indeterminate"]


class Match(BaseModel):
    """A list entry that may cover the goods, with the evidence."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    list_key: str
    list_title: str
    list_version: str
    list_as_of: dt.date
    entry_id: str
    control_code: str
    title: str
    basis: MatchBasis
    #: What was looked up (code digits, word or category key).
    query_value: str
    #: What it matched in the list (entry code, keyword, category or entry id).
    list_value: str
    verdict: Verdict
    condition: str = ""
    tier: str | None = None
    legal_basis: str
    source_ref: str
    added: dt.date | None = None
    added_act: str = ""
    ended: dt.date | None = None
    wind_down_until: dt.date | None = None
    verification: str
    source_url: str
    #: One sentence saying which value matched which.
    detail: str

    def record(self) -> dict[str, str | None]:
        """Return the match as a flat dict with the public field names (JSON/CSV)."""
        return {
            "list": self.list_key,
            "entry": self.entry_id,
            "control_code": self.control_code,
            "title": self.title,
            "basis": self.basis,
            "query": self.query_value,
            "matched": self.list_value,
            "verdict": self.verdict,
            "condition": self.condition,
            "tier": self.tier,
            "legal_basis": self.legal_basis,
            "source_ref": self.source_ref,
            "since": self.added.isoformat() if self.added else None,
            "added_act": self.added_act,
            "ended": self.ended.isoformat() if self.ended else None,
            "wind_down_until": (
                self.wind_down_until.isoformat() if self.wind_down_until else None
            ),
            "verification": self.verification,
            "source_url": self.source_url,
            "list_version": self.list_version,
            "list_as_of": self.list_as_of.isoformat(),
            "detail": self.detail,
        }


#: Column order of Match.record(), for CSV and spreadsheets.
MATCH_FIELDS = (
    "list",
    "entry",
    "control_code",
    "title",
    "basis",
    "query",
    "matched",
    "verdict",
    "condition",
    "tier",
    "legal_basis",
    "source_ref",
    "since",
    "added_act",
    "ended",
    "wind_down_until",
    "verification",
    "source_url",
    "list_version",
    "list_as_of",
    "detail",
)
