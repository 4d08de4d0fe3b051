"""Look up goods codes: normalise each one and list every entry that may cover it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from pydantic import BaseModel, ConfigDict

from tracker.catalog import Catalog
from tracker.hs import DEFAULT_EDITION, format_code, normalize_code
from tracker.matching import match_code
from tracker.models import Match


class ListGap(BaseModel):
    """A list that cannot answer for the date asked, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    list_key: str
    reason: str


class CodeLookup(BaseModel):
    """The answer for one query code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    query: str
    code: str
    display: str
    edition: str
    hs_code: str | None
    hs_description: str | None
    as_of: dt.date | None
    matches: tuple[Match, ...]
    gaps: tuple[ListGap, ...]


def lookup_code(
    catalog: Catalog,
    raw: str,
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> CodeLookup:
    """Normalise ``raw`` and return every entry that may cover it.

    Raises:
        CodeError: ``raw`` is not a code of a valid shape.
    """
    digits = normalize_code(raw)
    described = catalog.describe_code(digits)
    matches = tuple(match_code(catalog, digits, as_of=as_of, lists=lists))
    matched_lists = {m.list_key for m in matches}
    gaps: list[ListGap] = []
    for key in catalog.lists:
        if lists is not None and key not in lists:
            continue
        reason = catalog.list_gap(key, as_of)
        note = catalog.coverage_note(key, as_of, [digits])
        if reason is None and note and key not in matched_lists:
            reason = f"no bundled entry matched, but {note}"
        if reason is not None:
            gaps.append(ListGap(list_key=key, reason=reason))
    return CodeLookup(
        query=raw,
        code=digits,
        display=format_code(digits),
        edition=DEFAULT_EDITION,
        hs_code=described[0] if described else None,
        hs_description=described[1] if described else None,
        as_of=as_of,
        matches=matches,
        gaps=tuple(gaps),
    )


def lookup_codes(
    catalog: Catalog,
    raws: Iterable[str],
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[CodeLookup]:
    """Look up several codes, in order; the first malformed code raises CodeError."""
    return [lookup_code(catalog, raw, as_of=as_of, lists=lists) for raw in raws]
