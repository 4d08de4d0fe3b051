"""HS 2017 codes read the same way everywhere: translated when one-to-one, flagged when split.

Customs data from 2021 and many ERP masters still carry HS 2017 codes. A code that
HS 2022 no longer has (``datasets/hs2017_splits.csv``) is translated when its goods
all moved to one HS 2022 code (8803.30 -> 8807.30), and otherwise names the HS 2022
successors the lists name, so the answer is ``indeterminate`` rather than a silent
``not-listed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from tracker.catalog import Catalog
from tracker.hs import format_code
from tracker.hs_splits import Split, load_splits
from tracker.matching import match_code
from tracker.models import Match


@dataclass(frozen=True)
class EditionReading:
    """How an HS 2017 code reads in HS 2022."""

    #: The HS 2017 code (digits, 4 or 6) that HS 2022 no longer has.
    hs2017: str
    #: Its HS 2022 successors.
    successors: tuple[str, ...]
    #: The one successor when the move is one-to-one, else None.
    translated: str | None
    #: One sentence for the user.
    note: str


def read_hs2017(catalog: Catalog, digits: str) -> EditionReading | None:
    """Return how ``digits`` reads when it is an HS 2017 code HS 2022 lacks, else None."""
    splits = load_splits(catalog.path)
    split: Split | None = None
    if len(digits) >= 6:
        split = splits.get(digits[:6])
    if split is None and len(digits) >= 4:
        split = splits.get(digits[:4])
    if split is None:
        return None
    shown = "/".join(format_code(s) for s in split.hs2022)
    if len(split.hs2022) == 1:
        only = split.hs2022[0]
        # keep the digits typed beyond the HS 2017 code (national subdivisions)
        translated = (
            only + digits[len(split.hs2017) :]
            if len(only) == len(split.hs2017)
            else only
        )
        return EditionReading(
            split.hs2017,
            split.hs2022,
            translated,
            f"{format_code(split.hs2017)} is an HS 2017 code; in HS 2022 it is "
            f"{format_code(only)}, which was looked up as well",
        )
    return EditionReading(
        split.hs2017,
        split.hs2022,
        None,
        f"{format_code(split.hs2017)} is an HS 2017 code; in HS 2022 it split into "
        f"{shown}",
    )


def successor_gaps(
    catalog: Catalog,
    reading: EditionReading,
    direct: Collection[Match],
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> dict[str, str]:
    """For a split code: list -> why it is indeterminate (a successor is listed).

    Lists that the code already matches directly are left out.
    """
    matched = {m.list_key for m in direct}
    hits: dict[str, list[str]] = {}
    for succ in reading.successors:
        for m in match_code(catalog, succ, as_of=as_of, lists=lists):
            if m.list_key in matched or m.basis == "narrower":
                continue
            label = f"{format_code(succ)} ({m.entry_id})"
            slot = hits.setdefault(m.list_key, [])
            if label not in slot:
                slot.append(label)
    return {
        key: (
            f"{reading.note}; listed successors: {', '.join(found[:5])}"
            + (" …" if len(found) > 5 else "")
            + ": give the HS 2022 code"
        )
        for key, found in hits.items()
    }
