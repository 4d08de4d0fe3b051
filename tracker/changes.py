"""What changed: entries that lists added or ended between two dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker.catalog import Catalog
from tracker.models import ControlEntry

#: added: the entry took effect in the period; ended: it stopped applying in it.
ChangeKind = Literal["added", "ended"]


class Change(BaseModel):
    """One entry that took effect or stopped applying between two dates."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

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
    #: Last day older contracts could still be executed (added entries), if any.
    wind_down_until: dt.date | None = None
    #: For an ended line: the wider line of the same annex added by the same act
    #: that still covers it (e.g. 8482 20 widened to the heading 8482), else "".
    widened_to: str = ""


def _act_pattern(act: str) -> re.Pattern[str]:
    """A pattern for an act number (``2024/1745``) or a package (``14``, ``14th``)."""
    text = act.strip()
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?(?: package)?", text)
    if m is not None:
        n = int(m.group(1))
        return re.compile(rf"\({n}(?:st|nd|rd|th) package\)")
    m = re.fullmatch(
        r"(?:reg(?:ulation)?\.?\s*(?:\(eu\)\s*)?)?(\d{4})/(\d{1,4})", text, re.I
    )
    if m is None:
        raise ValueError(
            f"{act!r} is not an act number (2024/1745) or a package number (14)"
        )
    return re.compile(rf"(?<![\d/]){m.group(1)}/0*{int(m.group(2))}(?!\d)")


def list_act_changes(
    catalog: Catalog, act: str, *, lists: Collection[str] | None = None
) -> list[Change]:
    """Return the entries an act added or ended, annex by annex.

    Args:
        act: an act number (``2024/1745``) or a sanctions package (``14``).

    Raises:
        ValueError: ``act`` is neither.
    """
    pattern = _act_pattern(act)
    out = [
        _change(e, kind, date, label)
        for e, kind, date, label in _dated_changes(catalog, lists)
        if label != "" and pattern.search(label) is not None
    ]
    added = [c for c in out if c.kind == "added"]
    widened: list[Change] = []
    for c in out:
        if c.kind != "ended" or not c.codes:
            widened.append(c)
            continue
        wider = [
            a
            for a in added
            if a.list_key == c.list_key
            and a.control_code == c.control_code
            and any(
                code.startswith(w) and len(w) < len(code)
                for code in c.codes
                for w in a.codes
            )
        ]
        shown = ", ".join(w for a in wider for w in a.codes)
        widened.append(c.model_copy(update={"widened_to": shown}) if wider else c)
    order = {key: i for i, key in enumerate(catalog.lists)}
    widened.sort(
        key=lambda c: (order[c.list_key], c.control_code, c.kind, c.codes, c.entry_id)
    )
    return widened


def _dated_changes(
    catalog: Catalog, lists: Collection[str] | None
) -> Iterator[tuple[ControlEntry, ChangeKind, dt.date, str]]:
    """(entry, added/ended, date, act) for every dated start and end of an entry."""
    for e in catalog.entries:
        if lists is not None and e.list_key not in lists:
            continue
        if e.added is not None:
            yield e, "added", e.added, e.added_act
        if e.ended is not None:
            yield e, "ended", e.ended, e.ended_act


def _change(e: ControlEntry, kind: ChangeKind, date: dt.date, act: str) -> Change:
    return Change(
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
        wind_down_until=e.wind_down_until if kind == "added" else None,
    )


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
    for e, kind, date, act in _dated_changes(catalog, lists):
        if since < date <= until:
            out.append(_change(e, kind, date, act))
    order = {key: i for i, key in enumerate(catalog.lists)}
    out.sort(key=lambda c: (c.date, order[c.list_key], c.kind, c.entry_id))
    return out
