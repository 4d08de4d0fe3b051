"""Look up goods codes: normalise each one and list every entry that may cover it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from pydantic import BaseModel, ConfigDict

from tracker.catalog import Catalog
from tracker.checking import list_verdicts
from tracker.editions import read_hs2017, successor_gaps
from tracker.hs import DEFAULT_EDITION, format_code, normalize_code
from tracker.matching import match_code
from tracker.models import Match


class ListGap(BaseModel):
    """A list that cannot answer for the date asked, and why."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    list_key: str
    reason: str


class CodeLookup(BaseModel):
    """The answer for one query code."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    query: str
    code: str
    display: str
    edition: str
    hs_code: str | None
    hs_description: str | None
    as_of: dt.date | None
    matches: tuple[Match, ...]
    gaps: tuple[ListGap, ...]
    #: For an HS 2017 code HS 2022 no longer has: how it was read ("" otherwise).
    edition_note: str = ""
    #: One line per list whose data may be stale for the date asked.
    caveats: tuple[str, ...] = ()


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
    # No date means today, as in `tracker check` and `tracker screen`.
    on = as_of if as_of is not None else dt.date.today()
    described = catalog.describe_code(digits)
    found = match_code(catalog, digits, as_of=on, lists=lists)
    reading = read_hs2017(catalog, digits)
    split_reasons: dict[str, str] = {}
    edition = DEFAULT_EDITION
    if reading is not None:
        edition = "HS2017"
        if reading.translated is not None:
            seen = {(m.list_key, m.entry_id) for m in found}
            found.extend(
                m
                for m in match_code(catalog, reading.translated, as_of=on, lists=lists)
                if (m.list_key, m.entry_id) not in seen
            )
            if described is None:
                described = catalog.describe_code(reading.translated)
        else:
            split_reasons = successor_gaps(
                catalog, reading, found, as_of=on, lists=lists
            )
    matches = tuple(found)
    # The per-list verdicts of `tracker check` (no destination: every list
    # applies); a list they call indeterminate is a gap here.
    codes = [digits]
    if reading is not None and reading.translated is not None:
        codes.append(reading.translated)
    gaps = [
        ListGap(list_key=v.list_key, reason=v.reason)
        for v in list_verdicts(
            catalog, matches, None, on, codes, split_reasons, lists=lists
        )
        if v.goods_verdict == "indeterminate"
    ]
    return CodeLookup(
        query=raw,
        code=digits,
        display=format_code(digits),
        edition=edition,
        hs_code=described[0] if described else None,
        hs_description=described[1] if described else None,
        as_of=as_of,
        matches=matches,
        gaps=tuple(gaps),
        edition_note=reading.note if reading is not None else "",
        caveats=tuple(
            c
            for key in catalog.lists
            if lists is None or key in lists
            for c in [catalog.staleness(key, as_of)]
            if c
        ),
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
