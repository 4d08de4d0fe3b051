"""What changed: entries that lists added or ended between two dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker.catalog import Catalog

#: added: the entry took effect in the period; ended: it stopped applying in it.
ChangeKind = Literal["added", "ended"]


class Change(BaseModel):
    """One entry that took effect or stopped applying between two dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    kind: ChangeKind
    list_key: str
    entry_id: str
    control_code: str
    title: str
    codes: tuple[str, ...]
    act: str
    tier: str | None
    verification: str
    source_url: str


def list_changes(
    catalog: Catalog,
    since: dt.date,
    until: dt.date,
    *,
    lists: Collection[str] | None = None,
) -> list[Change]:
    """Return the entries added or ended after ``since`` and up to ``until``.

    An entry added on ``since`` itself already applied that day, so the period is
    ``since < date <= until``. Entries without a known ``added`` date cannot be
    placed in time and are not reported.

    Returns:
        Changes ordered by date, list, kind and entry.
    """
    out: list[Change] = []
    for e in catalog.entries:
        if lists is not None and e.list_key not in lists:
            continue
        for kind, date, act in (
            ("added", e.added, e.added_act),
            ("ended", e.ended, e.ended_act),
        ):
            if date is None or not since < date <= until:
                continue
            out.append(
                Change(
                    date=date,
                    kind=kind,
                    list_key=e.list_key,
                    entry_id=e.entry_id,
                    control_code=e.control_code,
                    title=e.title,
                    codes=tuple(c.value for c in e.codes),
                    act=act,
                    tier=e.tier,
                    verification=e.verification,
                    source_url=e.source_url,
                )
            )
    order = {key: i for i, key in enumerate(catalog.lists)}
    out.sort(key=lambda c: (c.date, order[c.list_key], c.kind, c.entry_id))
    return out
