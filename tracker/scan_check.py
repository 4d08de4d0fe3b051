"""Cross-check what a scan found, as ``tracker check`` does, per destination.

Kept apart from ``tracker.scanning`` so that the scanner does not import the
checker (which reads single goods names with the scanner).
"""

from __future__ import annotations

import datetime as dt

from tracker.catalog import Catalog
from tracker.checking import (
    DEFAULT_DESTINATION,
    CheckResult,
    ResolvedItem,
    check_items,
    resolve_item,
)
from tracker.countries import parse_destination
from tracker.models import Match
from tracker.scanning import ScanResult


def scan_destinations(
    catalog: Catalog, result: ScanResult, destination: str | None = None
) -> list[str]:
    """Return the destinations to cross-check a scanned text for (ISO alpha-2).

    Rule: the ``destination`` given, alone; otherwise RU (the default
    destination of ``tracker check``) followed by every other country named in
    the text that datasets/destinations.yml lists as a destination with its
    own regimes (BY, KP, IR, SY in the bundled data), in order of first mention.

    Raises:
        UnknownDestinationError: ``destination`` is not a known country.
    """
    if destination is not None:
        return [parse_destination(destination, catalog.path)]
    out = [DEFAULT_DESTINATION]
    for country in result.countries():
        if country.iso2.lower() in catalog.destinations and country.iso2 not in out:
            out.append(country.iso2)
    return out


def scan_items(
    catalog: Catalog, result: ScanResult, *, include_weak: bool = False
) -> list[ResolvedItem]:
    """Return the items to cross-check: categories (first mention order), then codes.

    Strong mentions always count; weak ones only with ``include_weak`` (and
    only when they name a category).
    """
    items: list[ResolvedItem] = []
    for key in result.categories(include_weak=include_weak):
        items.append(resolve_item(catalog, key))
    for digits in result.code_values():
        items.append(resolve_item(catalog, digits))
    return items


def check_scan(
    catalog: Catalog,
    result: ScanResult,
    *,
    destination: str | None = None,
    as_of: dt.date | None = None,
    include_weak: bool = False,
) -> list[CheckResult]:
    """Cross-check what a scan found, as ``tracker check`` does, per destination.

    Args:
        catalog: the loaded catalogue.
        result: the scan result.
        destination: ISO alpha-2; None applies :func:`scan_destinations`.
        as_of: apply the lists as they stood that day (None: current data).
        include_weak: also check categories named only by weak words.

    Returns:
        One CheckResult per destination, in the order of :func:`scan_destinations`.
    """
    items = scan_items(catalog, result, include_weak=include_weak)
    # The matches of an item are the same for every destination: found once.
    found: dict[tuple[int, dt.date], list[Match]] = {}
    return [
        check_items(catalog, items, destination=dest, as_of=as_of, found=found)
        for dest in scan_destinations(catalog, result, destination)
    ]
