"""Check goods (categories, names or codes) against every list, for a destination and date."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker.catalog import DESTINATIONS_FILE, HS_REFERENCE_FILE, Catalog
from tracker.countries import parse_destination
from tracker.editions import read_hs2017, successor_gaps
from tracker.exc import CodeError, InputError
from tracker.hs import DEFAULT_EDITION, format_code, normalize_code
from tracker.matching import (
    BASIS_ORDER,
    derived_matches,
    match_category,
    match_code,
    match_keywords,
    obligation,
    obligation_basis,
    sort_matches,
)
from tracker.models import ControlList, Match, Regime, Verdict
from tracker.models.trusted import trusted

#: Default destination of `tracker check` (ISO 3166-1 alpha-2).
DEFAULT_DESTINATION = "RU"

#: The sentence every output that reports "not listed" carries.
STANDING_NOTE = (
    "'not listed' / no match does not mean that no licence is needed: catch-all "
    "clauses, end-use and end-user rules, and sanctions on parties apply on top of "
    "these lists; HS codes are indicators, and parameter-based entries are listed "
    "only if their condition holds."
)

#: Strength of a verdict when several are combined (higher wins).
VERDICT_RANK: dict[Verdict, int] = {
    "listed": 3,
    "listed-if": 2,
    "indeterminate": 1,
    "not-listed": 0,
}

#: How an item was recognised.
#: key / title / alias: the text names a category; code: an HS/CN/HTS code.
ResolvedBy = Literal["key", "title", "alias", "code"]

#: Whether a list restricts exports to the destination.
#: applies: the list's restrictions apply to the destination;
#: concern: the list does not restrict exports to the destination, but binds
#: exporters to it: a due-diligence concern (CHPL transit countries) or entries
#: that bind exports to every third country (EU 833/2014 Annex XL, Art. 12g:
#: contract clause; Annex XLVIII, Art. 12gb: due diligence);
#: not-applicable: the list does not restrict exports to the destination.
Applicability = Literal["applies", "concern", "not-applicable"]


class UnknownItemError(InputError):
    """An item names no known category and is not a goods code."""


class AmbiguousItemError(InputError):
    """An item's name is an alias of several unrelated categories."""


class ResolvedItem(BaseModel):
    """One item the user asked about, as recognised in the catalogue."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: The text as typed.
    query: str
    kind: Literal["category", "code"]
    resolved_by: ResolvedBy
    #: The alias (or key/title) that matched, and its language ("" for key/code).
    matched_name: str
    language: str = ""
    #: Category key (None for a code).
    category: str | None = None
    #: Category title, or the code's HS description (or the display code).
    title: str
    #: The category and every category below it, depth first.
    categories: tuple[str, ...] = ()
    #: Codes checked (digits): the category's and its descendants' HS codes, or
    #: the normalised code.
    codes: tuple[str, ...] = ()
    #: Nomenclature of a typed code.
    edition: str = DEFAULT_EDITION
    #: The category's names by language (empty for a code).
    aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: For an HS 2017 code that HS 2022 no longer has: how it was read.
    edition_note: str = ""


class ListVerdict(BaseModel):
    """What one list says about one item, for the destination and date asked."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    list_key: str
    list_title: str
    #: The verdict for the destination: a list that does not apply to it is
    #: `not-listed` with the reason "does not apply to destination XX".
    verdict: Verdict
    #: What the list says about the goods, whatever the destination.
    goods_verdict: Verdict
    applicability: Applicability
    #: Why the verdict is indeterminate, not applicable or a concern ("" if none).
    reason: str = ""
    #: Matched entry ids, in match order.
    entries: tuple[str, ...] = ()
    #: CHPL tiers of the matched entries (sorted).
    tiers: tuple[str, ...] = ()


class ItemCheck(BaseModel):
    """One item with every match and one verdict per list."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    item: ResolvedItem
    matches: tuple[Match, ...]
    verdicts: tuple[ListVerdict, ...]
    #: The strongest verdict of the lists that apply or concern the destination.
    verdict: Verdict


class ListUsed(BaseModel):
    """A list as used by a check: version, dates, applicability and file hashes."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    key: str
    title: str
    version: str
    legal_basis: str
    as_of: dt.date
    covers_from: dt.date | None
    retrieved: dt.date
    url: str
    destinations: tuple[str, ...]
    applicability: Applicability
    #: Why the list cannot answer for the date asked (None when it can).
    gap: str | None = None
    #: What the bundled entries leave out ("" when nothing), see ControlList.
    coverage_gap: str = ""
    entries: int
    #: Entry counts by verification level (official / secondary / unverified).
    verification: dict[str, int]
    #: Relative path -> SHA-256 of the list's dataset files.
    sha256: dict[str, str]


class CheckResult(BaseModel):
    """The answer of check_items: items in input order, lists and regimes used."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    #: ISO alpha-2, upper case.
    destination: str
    destination_name: str | None
    #: Date asked (None: the current data).
    as_of: dt.date | None
    items: tuple[ItemCheck, ...]
    lists: tuple[ListUsed, ...]
    #: Regimes of datasets/destinations.yml for the destination.
    regimes: tuple[Regime, ...]
    #: SHA-256 of the shared dataset files (categories, HS reference, destinations).
    dataset_files: dict[str, str]
    #: One line per list whose data may be stale for the date asked (or today).
    caveats: tuple[str, ...] = ()

    def counts(self) -> dict[str, dict[Verdict, int]]:
        """Return, per list key, how many items got each verdict."""
        out: dict[str, dict[Verdict, int]] = {
            lst.key: dict.fromkeys(VERDICT_RANK, 0) for lst in self.lists
        }
        for item in self.items:
            for v in item.verdicts:
                out[v.list_key][v.verdict] += 1
        return out


_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212]+")


def normalize_name(text: str) -> str:
    """Return ``text`` for alias comparison: NFKC, case-folded, one space between words.

    Hyphens, underscores and runs of whitespace count as one space, so
    ``Machine-Tools``, ``machine_tools`` and ``machine  tools`` are equal.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def _compact(text: str) -> str:
    """Return the comparison key of a name: normalised, without separators."""
    return normalize_name(text).replace(" ", "")


def _name_index(catalog: Catalog) -> dict[str, list[tuple[str, ResolvedBy, str, str]]]:
    """Map compact name -> [(category key, how, name, language)], best first (memoised)."""
    memo = catalog.memo.setdefault("name_index", {})
    index: dict[str, list[tuple[str, ResolvedBy, str, str]]] | None = memo.get(None)
    if index is None:
        index = memo[None] = _build_name_index(catalog)
    return index


def _build_name_index(
    catalog: Catalog,
) -> dict[str, list[tuple[str, ResolvedBy, str, str]]]:
    index: dict[str, list[tuple[str, ResolvedBy, str, str]]] = {}

    def add(name: str, key: str, how: ResolvedBy, lang: str) -> None:
        norm = _compact(name)
        if norm == "":
            return
        slot = index.setdefault(norm, [])
        if all(k != key for k, *_ in slot):
            slot.append((key, how, name, lang))

    for how in ("key", "title", "alias"):
        for cat in catalog.categories.values():
            if how == "key":
                add(cat.key, cat.key, "key", "")
            elif how == "title":
                add(cat.title, cat.key, "title", "en")
            else:
                for lang, names in cat.aliases.items():
                    for name in names:
                        add(name, cat.key, "alias", lang)
    return index


def _looks_like_code(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 2 and digits * 2 >= len(re.sub(r"\s", "", text))


def _category_item(
    catalog: Catalog, query: str, key: str, how: ResolvedBy, name: str, lang: str
) -> ResolvedItem:
    cat = catalog.categories[key]
    keys = tuple(catalog.category_descendants(key))
    codes: list[str] = []
    for k in keys:
        for code in catalog.categories[k].hs_codes:
            if code not in codes:
                codes.append(code)
    return ResolvedItem(
        query=query,
        kind="category",
        resolved_by=how,
        matched_name=name,
        language=lang,
        category=key,
        title=cat.title,
        categories=keys,
        codes=tuple(codes),
        aliases=dict(cat.aliases),
    )


def _ancestors(catalog: Catalog, key: str) -> list[str]:
    out = []
    parent = catalog.categories[key].parent
    while parent is not None and parent in catalog.categories:
        out.append(parent)
        parent = catalog.categories[parent].parent
    return out


def resolve_item(catalog: Catalog, text: str) -> ResolvedItem:
    """Recognise an item: a category key, title or alias, or an HS/CN/HTS code.

    Names are compared case-insensitively after Unicode NFKC normalisation,
    ignoring hyphens, underscores and whitespace. An
    exact category key wins over a title, a title over an alias. A text that
    names no category and is mostly digits is read as a code. Otherwise an
    inflected or plural form (``нитроцеллюлозы``, ``CNC lathes``) is recognised
    when the whole text is one goods mention as ``tracker scan`` finds them.

    Args:
        catalog: the loaded catalogue.
        text: what the user typed, e.g. ``optics``, ``"machine tools"``,
            ``станки с ЧПУ``, ``硝化纤维`` or ``8459.61``.

    Returns:
        The resolved item, with the category's (and its descendants') codes.

    Raises:
        UnknownItemError: no category has this name and it is not a code; the
            message names the closest known names.
        AmbiguousItemError: the name is an alias of unrelated categories.
        CodeError: the text looks like a code but has an invalid shape.

    Examples:
        >>> resolve_item(catalog, "Machine-Tools").category  # doctest: +SKIP
        'machine_tools'
    """
    index = _name_index(catalog)
    norm = _compact(text)
    candidates = index.get(norm)
    if candidates:
        best_how = candidates[0][1]
        best = [c for c in candidates if c[1] == best_how]
        keys = [c[0] for c in best]
        if len(keys) > 1:
            # A name shared by a category and categories below it means the broader one.
            covering = [
                k
                for k in keys
                if all(o == k or k in _ancestors(catalog, o) for o in keys)
            ]
            if not covering:
                raise AmbiguousItemError(
                    f"Item {text!r} is a name of several categories: "
                    f"{', '.join(keys)}; use one of these keys"
                )
            best = [c for c in best if c[0] == covering[0]]
        key, how, name, lang = best[0]
        return _category_item(catalog, text, key, how, name, lang)
    try:
        digits = normalize_code(text)
    except CodeError:
        if _looks_like_code(text):
            raise
        digits = None
    if digits is not None:
        described = catalog.describe_code(digits)
        reading = read_hs2017(catalog, digits)
        codes: tuple[str, ...] = (digits,)
        edition = DEFAULT_EDITION
        if reading is not None:
            edition = "HS2017"
            if reading.translated is not None:
                codes = (digits, reading.translated)
                described = described or catalog.describe_code(reading.translated)
        title = (
            f"HS {format_code(described[0])}: {described[1]}"
            if described
            else f"code {format_code(digits)}"
        )
        return ResolvedItem(
            query=text,
            kind="code",
            resolved_by="code",
            matched_name=digits,
            title=title,
            codes=codes,
            edition=edition,
            edition_note=reading.note if reading is not None else "",
        )
    inflected = _resolve_word_form(catalog, text)
    if inflected is not None:
        return inflected
    close = difflib.get_close_matches(norm, list(index), n=5, cutoff=0.6)
    names: list[str] = []
    for c in close:
        shown = index[c][0][2]
        if shown not in names:
            names.append(shown)
    hint = (
        f"closest known names: {', '.join(names)}"
        if names
        else "see 'tracker items' for the known categories"
    )
    raise UnknownItemError(
        f"Unknown item {text!r}: not a category name or an HS/CN/HTS code; {hint}"
    )


def _resolve_word_form(catalog: Catalog, text: str) -> ResolvedItem | None:
    """Recognise an inflected or plural alias (нитроцеллюлозы, CNC lathes).

    The text must be one strong goods mention of ``tracker scan`` from its first
    to its last character; anything else (two goods, extra words) is not guessed.
    """
    # Imported here: tracker.scanning cross-checks its findings with this module.
    from tracker.scanning import scan_text

    stripped = text.strip()
    if stripped == "":
        return None
    found = [
        m
        for m in scan_text(catalog, stripped).mentions
        if m.strength == "strong" and m.category is not None
    ]
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(stripped):
        return None
    m = found[0]
    assert m.category is not None
    return _category_item(catalog, text, m.category, "alias", m.alias, m.language)


def _dedupe(matches: Iterable[Match]) -> list[Match]:
    """Keep one match per (list, entry): the strongest basis, then verdict."""
    best: dict[tuple[str, str], Match] = {}
    for m in matches:
        key = (m.list_key, m.entry_id)
        old = best.get(key)
        if old is None:
            best[key] = m
            continue
        new_rank = (BASIS_ORDER[m.basis], -VERDICT_RANK[m.verdict])
        old_rank = (BASIS_ORDER[old.basis], -VERDICT_RANK[old.verdict])
        if new_rank < old_rank:
            best[key] = m
        elif (
            new_rank == old_rank
            and m.basis == "derived"
            and m.list_value not in old.list_value.split("; ")
        ):
            # Say every entry the covering entry was reached through.
            best[key] = old.model_copy(
                update={"list_value": f"{old.list_value}; {m.list_value}"}
            )
    return list(best.values())


def _item_matches(
    catalog: Catalog, item: ResolvedItem, as_of: dt.date | None
) -> list[Match]:
    found: list[Match] = []
    for code in item.codes:
        found.extend(match_code(catalog, code, as_of=as_of))
    if item.kind == "category":
        linked: list[Match] = []
        words: list[str] = []
        for key in item.categories:
            linked.extend(match_category(catalog, key, as_of=as_of))
            for _, name in catalog.categories[key].all_aliases():
                words.append(name)
        linked.extend(match_keywords(catalog, words, as_of=as_of))
        found.extend(linked)
        found.extend(derived_matches(catalog, linked, as_of=as_of))
    return sort_matches(catalog, _dedupe(found))


def _applicability(
    catalog: Catalog, key: str, dest: str | None, shown: str | None = None
) -> tuple[Applicability, str]:
    memo = catalog.memo.setdefault("applicability", {})
    found = memo.get((key, dest, shown))
    if found is None:
        found = memo[(key, dest, shown)] = _applicability_of(catalog, key, dest, shown)
    return found


def _applicability_of(
    catalog: Catalog, key: str, dest: str | None, shown: str | None
) -> tuple[Applicability, str]:
    meta = catalog.lists[key]
    if meta.applies_to(dest):
        return "applies", ""
    assert dest is not None  # applies_to(None) is True
    name = shown if shown is not None else dest.upper()
    where = ", ".join(d.upper() for d in meta.destinations)
    if meta.concerns(dest):
        return (
            "concern",
            f"a due-diligence concern for {name} (diversion risk); "
            f"its restrictions apply to {where}",
        )
    return (
        "not-applicable",
        f"does not apply to destination {name} (it restricts exports to {where})",
    )


def binding_matches(
    catalog: Catalog, verdict: ListVerdict, matches: Sequence[Match], dest: str | None
) -> list[Match]:
    """The matches of ``verdict``'s list that bind an export to ``dest``.

    Every match of a list that applies to (or concerns) the destination; for
    another list, the entries that bind exports to third countries (EU 833/2014
    Annex XL, Art. 12g). Empty when the list's verdict is not listed/listed-if.
    """
    if verdict.verdict not in ("listed", "listed-if"):
        return []
    own = [m for m in matches if m.list_key == verdict.list_key]
    if catalog.lists[verdict.list_key].applies_to(dest) or catalog.lists[
        verdict.list_key
    ].concerns(dest):
        return own
    return [m for m in own if obligation(catalog, m, dest) is not None]


def list_verdicts(
    catalog: Catalog,
    matches: Sequence[Match],
    dest: str | None,
    as_of: dt.date | None,
    codes: Sequence[str] | None = None,
    split: dict[str, str] | None = None,
    lists: Collection[str] | None = None,
    shown_dest: str | None = None,
) -> list[ListVerdict]:
    """One verdict per list for matches of one item, destination and date.

    The one place that decides a list's answer, for ``check``, ``lookup``-style
    gaps and every row of ``screen``: a list with no bundled data for the date
    (``Catalog.list_gap``), a split HS 2017 code with a listed successor
    (``split``) or a coverage gap (``Catalog.coverage_note``) is
    ``indeterminate`` when nothing matched; a list that does not restrict exports
    to ``dest`` is ``not-listed`` for it unless ``dest`` is one of its concern
    destinations or a matched entry binds exports to third countries
    (``tracker.matching.obligation``: applicability ``concern``).

    Args:
        catalog: the loaded catalogue.
        matches: every match of the item (all lists).
        dest: lower-case ISO alpha-2 destination (None: every list applies).
        as_of: the date (None: today).
        codes: the codes checked (limits coverage gaps to the codes they concern).
        split: list -> reason, for a split HS 2017 code.
        lists: only these list keys (None: all).
        shown_dest: how reasons name the destination (default: ``dest`` in
            upper case); screen passes a placeholder and fills it in per row.
    """
    on = as_of if as_of is not None else dt.date.today()
    out: list[ListVerdict] = []
    # A list's verdict depends on its own matches, the destination, the date,
    # the codes (only where its coverage is limited to some codes) and a split
    # reason; screen asks again and again with equal ones (catalogue memo).
    memo: dict[tuple[Any, ...], ListVerdict] = catalog.memo.setdefault(
        "list_verdict", {}
    )
    # per list (in catalogue order): its key and metadata, the dates its gap
    # and coverage answers change on (the only way the date matters here), and
    # whether a coverage period of it is limited to some codes
    static: dict[str, tuple[ControlList, list[dt.date], bool]] | None = (
        catalog.memo.get("list_verdict_lists")
    )
    if static is None:
        # built whole, then published: screen's threads never see half of it
        built: dict[str, tuple[ControlList, list[dt.date], bool]] = {}
        for k, about in catalog.lists.items():
            days = {about.covers_from} if about.covers_from is not None else set()
            for p in about.coverage:
                days.update(d for d in (p.start, p.end) if d is not None)
            scoped = any(p.codes for p in about.coverage)
            built[k] = (about, sorted(days), scoped)
        static = catalog.memo.setdefault("list_verdict_lists", built)
    by_list: dict[str, list[Match]] = {}
    for m in matches:
        by_list.setdefault(m.list_key, []).append(m)
    for key, (meta, change_days, scoped) in static.items():
        if lists is not None and key not in lists:
            continue
        own: Sequence[Match] = by_list.get(key, ())
        memo_key = (
            key,
            tuple([(m.entry_id, m.verdict, m.control_code, m.tier) for m in own])
            if own
            else (),
            dest,
            shown_dest,
            # the gap reason names the date itself
            on
            if meta.covers_from is not None and on < meta.covers_from
            else bisect.bisect_right(change_days, on),
            # (None for a list without periods limited to some codes)
            catalog.coverage_scope(key, codes or None) if scoped else None,
            split.get(key) if split else None,
        )
        known = memo.get(memo_key)
        if known is not None:
            out.append(known)
            continue
        applicability, reason = _applicability(catalog, key, dest, shown_dest)
        binding = own
        if applicability == "not-applicable":
            bound = [m for m in own if obligation(catalog, m, dest) is not None]
            if bound:
                binding = bound
                applicability = "concern"
                basis = "; ".join(dict.fromkeys(obligation_basis(m) for m in bound))
                name = shown_dest if shown_dest is not None else (dest or "").upper()
                reason = f"{basis} ({name}); {reason}"
        gap = catalog.list_gap(key, on)
        goods: Verdict = "not-listed"
        for m in own:
            if VERDICT_RANK[m.verdict] > VERDICT_RANK[goods]:
                goods = m.verdict
        if gap is None and goods == "not-listed" and split and key in split:
            gap = split[key]
        note = ""
        if gap is None and goods == "not-listed":
            note = catalog.coverage_note(key, on, codes or None)
        if gap is not None:
            goods = "indeterminate"
            reason = gap if reason == "" else f"{gap}; {reason}"
        elif note:
            goods = "indeterminate"
            missing = f"no bundled entry matched, but {note}"
            reason = missing if reason == "" else f"{missing}; {reason}"
        bound_verdict: Verdict = goods
        if binding is not own:
            bound_verdict = "not-listed"
            for m in binding:
                if VERDICT_RANK[m.verdict] > VERDICT_RANK[bound_verdict]:
                    bound_verdict = m.verdict
        verdict: Verdict = (
            bound_verdict if applicability != "not-applicable" else "not-listed"
        )
        # built from values of the catalogue and this function: no validation
        # needed (screen calls this once per decision group)
        verdict_of_list = trusted(
            ListVerdict,
            dict(
                list_key=key,
                list_title=meta.title,
                verdict=verdict,
                goods_verdict=goods,
                applicability=applicability,
                reason=reason,
                entries=tuple(dict.fromkeys(m.entry_id for m in own)),
                tiers=tuple(sorted({m.tier for m in own if m.tier is not None})),
            ),
        )
        if len(memo) < 20_000:  # bounded memory
            memo[memo_key] = verdict_of_list
        out.append(verdict_of_list)
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lists_used(catalog: Catalog, dest: str, as_of: dt.date | None) -> list[ListUsed]:
    out: list[ListUsed] = []
    for key, meta in catalog.lists.items():
        entries = catalog.entries_of(key)
        levels = catalog.verification_counts(key)
        out.append(
            ListUsed(
                key=key,
                title=meta.title,
                version=meta.version,
                legal_basis=meta.legal_basis,
                as_of=meta.as_of,
                covers_from=meta.covers_from,
                retrieved=meta.retrieved,
                url=meta.url,
                destinations=meta.destinations,
                applicability=_applicability(catalog, key, dest)[0],
                gap=catalog.list_gap(key, as_of),
                coverage_gap=meta.coverage_gap,
                entries=len(entries),
                verification=levels,
                sha256=dict(catalog.file_hashes.get(key, {})),
            )
        )
    return out


def check_items(
    catalog: Catalog,
    items: Sequence[str | ResolvedItem],
    *,
    destination: str = DEFAULT_DESTINATION,
    as_of: dt.date | None = None,
    found: dict[tuple[int, dt.date], list[Match]] | None = None,
) -> CheckResult:
    """Check each item against every list, for a destination and a date.

    A category item is checked by each of its (and its descendants') HS codes,
    by the curators' category links, by its aliases against entry keywords,
    and through entries that cover whole lists. Each (list, entry) appears
    once, with its strongest basis.

    Args:
        catalog: the loaded catalogue.
        items: texts (resolved with :func:`resolve_item`) or resolved items;
            the result keeps their order.
        destination: country the goods go to (default RU): ISO alpha-2 or
            alpha-3 code or a name, read by
            :func:`tracker.countries.parse_destination`.
        as_of: apply the lists as they stood that day (None: today).
        found: the matches of the items (by position, and date), which do
            not depend on the destination: read from and added to, when the
            same items are checked for several destinations.

    Returns:
        A CheckResult with one ItemCheck per item, the lists used (versions,
        applicability, file hashes) and the destination's regimes.

    Raises:
        UnknownItemError: an item names no category and is not a code.
        UnknownDestinationError: the destination is not a known country.
    """
    dest = parse_destination(destination, catalog.path)
    resolved = [
        i if isinstance(i, ResolvedItem) else resolve_item(catalog, i) for i in items
    ]
    # No date means today, as in `tracker screen` and `tracker lookup`.
    on = as_of if as_of is not None else dt.date.today()
    checks: list[ItemCheck] = []
    for n, item in enumerate(resolved):
        if found is None:
            matches = _item_matches(catalog, item, on)
        else:
            known = found.get((n, on))
            if known is None:
                known = found[(n, on)] = _item_matches(catalog, item, on)
            matches = list(known)
        split: dict[str, str] = {}
        reading = (
            read_hs2017(catalog, item.codes[0])
            if item.kind == "code" and item.edition == "HS2017"
            else None
        )
        if reading is not None and reading.translated is None:
            split = successor_gaps(catalog, reading, matches, as_of=on)
        verdicts = list_verdicts(catalog, matches, dest.lower(), on, item.codes, split)
        overall: Verdict = "not-listed"
        for v in verdicts:
            if VERDICT_RANK[v.verdict] > VERDICT_RANK[overall]:
                overall = v.verdict
        checks.append(
            ItemCheck(
                item=item,
                matches=tuple(matches),
                verdicts=tuple(verdicts),
                verdict=overall,
            )
        )
    country = catalog.destinations.get(dest.lower())
    shared: dict[str, str] = {}
    for name in ("categories.yml", HS_REFERENCE_FILE, DESTINATIONS_FILE):
        path = catalog.path / name
        if path.is_file():
            shared[name] = _sha256(path)
    return CheckResult(
        destination=dest,
        destination_name=country.name if country else None,
        as_of=as_of,
        items=tuple(checks),
        lists=tuple(_lists_used(catalog, dest.lower(), on)),
        regimes=country.regimes if country else (),
        dataset_files=shared,
        caveats=tuple(
            c for key in catalog.lists for c in [catalog.staleness(key, as_of)] if c
        ),
    )
