"""The Catalog: loaded lists, entries and categories with code and category indexes."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.hs import VALID_LENGTHS
from tracker.models import (
    Code,
    ControlEntry,
    ControlList,
    Destination,
    ItemCategory,
    Publisher,
)

#: A list whose data is older than this many days at the date asked about gets a
#: staleness caveat.
STALE_AFTER_DAYS = 180


@dataclass(frozen=True)
class CodeHit:
    """A code of an entry found for a query code, with how they relate."""

    entry: ControlEntry
    code: Code
    #: "exact", "prefix" (entry code contains query) or "narrower".
    relation: str


#: verification_counts of a list without entries.
_NO_ENTRIES = {"official": 0, "secondary": 0, "unverified": 0}


@dataclass
class Catalog:
    """Every list, entry, category and HS reference row, with lookup indexes."""

    path: Path
    publishers: dict[str, Publisher]
    lists: dict[str, ControlList]
    entries: tuple[ControlEntry, ...]
    categories: dict[str, ItemCategory]
    hs_reference: dict[str, str]
    #: list key -> {relative file path: sha256}
    file_hashes: dict[str, dict[str, str]]
    #: lower-case ISO alpha-2 -> Destination (datasets/destinations.yml; may be empty)
    destinations: dict[str, Destination] = field(default_factory=dict)
    _by_code: dict[str, list[tuple[ControlEntry, Code]]] = field(
        default_factory=dict, repr=False
    )
    _sorted_codes: list[str] = field(default_factory=list, repr=False)
    #: digits -> hits of find_code (the catalogue does not change once loaded)
    _hits: dict[str, tuple[CodeHit, ...]] = field(default_factory=dict, repr=False)
    #: Memo tables of derived answers that depend only on the catalogue (name ->
    #: key -> value), e.g. a list's applicability to a destination.
    memo: dict[str, dict[Any, Any]] = field(default_factory=dict, repr=False)
    #: tracker.catalog_cache.digest of the files it was loaded from (None:
    #: built otherwise); what a kept scanner of it is keyed by.
    files_digest: bytes | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[tuple[ControlEntry, Code]]] = defaultdict(list)
        for entry in self.entries:
            for code in entry.codes:
                index[code.value].append((entry, code))
        self._by_code = dict(index)
        self._sorted_codes = sorted(index)

    @functools.cached_property
    def list_order(self) -> dict[str, int]:
        """List key -> its position in the catalogue (for sorting)."""
        return {key: i for i, key in enumerate(self.lists)}

    @functools.cached_property
    def covering_entries(self) -> tuple[ControlEntry, ...]:
        """Entries that cover a whole other list (``covers_list``), in file order."""
        return tuple(e for e in self.entries if e.covers_list is not None)

    @functools.cached_property
    def _entries_by_list(self) -> dict[str, tuple[ControlEntry, ...]]:
        """List key -> its entries, in file order."""
        index: dict[str, list[ControlEntry]] = defaultdict(list)
        for entry in self.entries:
            index[entry.list_key].append(entry)
        return {key: tuple(found) for key, found in index.items()}

    @functools.cached_property
    def _entries_by_category(self) -> dict[str, tuple[ControlEntry, ...]]:
        """Category key -> the entries the curators linked to it, in file order."""
        index: dict[str, list[ControlEntry]] = defaultdict(list)
        for entry in self.entries:
            for key in dict.fromkeys(entry.categories):
                index[key].append(entry)
        return {key: tuple(found) for key, found in index.items()}

    def entries_of(self, list_key: str) -> list[ControlEntry]:
        """Return the entries of one list, in file order."""
        return list(self._entries_by_list.get(list_key, ()))

    def entries_linked_to(self, category_key: str) -> tuple[ControlEntry, ...]:
        """Return the entries linked to a category (``categories``), in file order."""
        return self._entries_by_category.get(category_key, ())

    def verification_counts(self, list_key: str) -> dict[str, int]:
        """Return how many entries of a list are official, secondary, unverified."""
        return dict(self._verification_counts.get(list_key, _NO_ENTRIES))

    @functools.cached_property
    def _verification_counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for key, entries in self._entries_by_list.items():
            counts = out[key] = dict(_NO_ENTRIES)
            for e in entries:
                counts[e.verification] += 1
        return out

    def find_code(self, digits: str) -> list[CodeHit]:
        """Return every entry code related to ``digits`` (any date, any list).

        Order: exact and containing codes (longest first), then narrower codes.
        """
        found = self._hits.get(digits)
        if found is None:
            found = self._find_code(digits)
            if len(self._hits) < 100_000:
                self._hits[digits] = found
        return list(found)

    def _find_code(self, digits: str) -> tuple[CodeHit, ...]:
        hits: list[CodeHit] = []
        for n in sorted(VALID_LENGTHS, reverse=True):
            if n > len(digits):
                continue
            prefix = digits[:n]
            relation = "exact" if n == len(digits) else "prefix"
            for entry, code in self._by_code.get(prefix, ()):
                hits.append(CodeHit(entry, code, relation))
        start = bisect.bisect_right(self._sorted_codes, digits)
        for key in self._sorted_codes[start:]:
            if not key.startswith(digits):
                break
            for entry, code in self._by_code[key]:
                hits.append(CodeHit(entry, code, "narrower"))
        return tuple(hits)

    def describe_code(self, digits: str) -> tuple[str, str] | None:
        """Return (HS code, description) of the most precise known HS level."""
        for n in (6, 4):
            if len(digits) >= n and digits[:n] in self.hs_reference:
                return digits[:n], self.hs_reference[digits[:n]]
        return None

    def list_gap(self, list_key: str, as_of: dt.date | None) -> str | None:
        """Return why a list has no bundled data for ``as_of``, or None."""
        meta = self.lists[list_key]
        if (
            as_of is not None
            and meta.covers_from is not None
            and (as_of < meta.covers_from)
        ):
            return (
                f"the bundled {meta.key} data starts on {meta.covers_from}; "
                f"what the list said on {as_of} is not bundled"
            )
        return None

    def coverage_scope(
        self, list_key: str, codes: Iterable[str] | None
    ) -> tuple[int, ...] | None:
        """Which of a list's coverage periods limited to some codes concern ``codes``.

        All that ``coverage_note`` reads of the codes (None: the list has no
        such period, so the codes do not matter; ``codes`` None: any code).
        """
        scoped = self._coverage_scoped
        if not scoped[list_key]:
            return None
        wanted = tuple(codes) if codes is not None else (None,)
        memo = self._scopes
        found = memo.get((list_key, wanted))
        if found is None:
            meta = self.lists[list_key]
            found = tuple(
                i
                for i, p in enumerate(meta.coverage)
                if p.codes and any(p.concerns(c) for c in wanted)
            )
            if len(memo) >= 100_000:
                memo.clear()  # bounded memory
            memo[(list_key, wanted)] = found
        return found

    @functools.cached_property
    def _coverage_scoped(self) -> dict[str, bool]:
        """Per list: has it a coverage period limited to some codes."""
        return {k: any(p.codes for p in m.coverage) for k, m in self.lists.items()}

    @functools.cached_property
    def _scopes(self) -> dict[tuple[str, tuple[str | None, ...]], tuple[int, ...]]:
        """coverage_scope's answers (list key, codes) -> period indexes."""
        return {}

    def coverage_note(
        self,
        list_key: str,
        as_of: dt.date | None,
        codes: Iterable[str] | None = None,
    ) -> str:
        """Return what the bundled data of a list leaves out on ``as_of``, or "".

        A no-match on such a list is ``indeterminate`` with this reason, never
        ``not-listed``. ``as_of`` None means the current data (today). With
        ``codes``, a gap limited to some codes counts only if it concerns one of
        them (e.g. an annex of chapter 73 goods does not concern 8542 31).
        """
        meta = self.lists[list_key]
        on = as_of if as_of is not None else dt.date.today()
        wanted = list(codes) if codes is not None else [None]
        memo = self.memo.setdefault("coverage_note", {})
        memo_key = (list_key, on, self.coverage_scope(list_key, codes))
        found = memo.get(memo_key)
        if found is not None:
            return str(found)
        notes = [
            period.note
            for period in meta.coverage
            if period.contains(on)
            and not period.complete
            and any(period.concerns(c) for c in wanted)
        ]
        if meta.coverage_gap:
            notes.append(meta.coverage_gap)
        text = "; ".join(dict.fromkeys(notes))
        if len(memo) < 100_000:
            memo[memo_key] = text
        return text

    def staleness(self, list_key: str, as_of: dt.date | None) -> str:
        """Return a one-line caveat when the data may be stale for ``as_of``, or "".

        Stale means: the date asked about (today if None) is after the last act the
        data reflects and more than :data:`STALE_AFTER_DAYS` days after ``as_of``, or
        after the last act when the list knows of later acts it does not bundle.
        """
        meta = self.lists[list_key]
        on = as_of if as_of is not None else dt.date.today()
        last = meta.data_until or meta.as_of
        if on <= last:
            return ""
        age = (on - meta.as_of).days
        if age <= STALE_AFTER_DAYS:
            return ""
        return (
            f"{meta.key}: bundled data is as of {meta.as_of.isoformat()}, "
            f"{age} days before {on.isoformat()}; later changes to the list are "
            "not bundled"
        )

    def category_descendants(self, key: str) -> list[str]:
        """Return ``key`` and every category below it, depth first."""
        children: dict[str | None, list[str]] = defaultdict(list)
        for cat in self.categories.values():
            children[cat.parent].append(cat.key)
        out: list[str] = []
        stack = [key]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(children.get(current, [])))
        return out
