"""Match codes, categories and words against catalogue entries, with explanations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from tracker.catalog import Catalog, CodeHit
from tracker.hs import format_code
from tracker.models import ControlEntry, Match, MatchBasis, Verdict
from tracker.models.trusted import trusted

#: What binds an exporter to a destination under a list that does not restrict
#: exports to it (see :func:`obligation`).
#: due-diligence: the destination is a diversion route for the goods: enhanced due
#: diligence (CHPL concern destinations; EU 833/2014 Art. 12gb, Annex XLVIII);
#: contract-clause: EU 833/2014 Art. 12g: the exporter must contractually prohibit
#: re-export to Russia of the Annex XL goods it sells to a third country.
Obligation = Literal["due-diligence", "contract-clause"]

#: EU member states (ISO alpha-2, lower case): a shipment between two of them is
#: not an export to a third country.
EU_MEMBERS = frozenset(
    [
        "at",
        "be",
        "bg",
        "cy",
        "cz",
        "de",
        "dk",
        "ee",
        "es",
        "fi",
        "fr",
        "gr",
        "hr",
        "hu",
        "ie",
        "it",
        "lt",
        "lu",
        "lv",
        "mt",
        "nl",
        "pl",
        "pt",
        "ro",
        "se",
        "si",
        "sk",
    ]
)
#: Partner countries of Annex VIII to Regulation (EU) No 833/2014, which Art. 12g(1)
#: exempts from the contract clause: the eight of the consolidated text of
#: 27 Apr 2023 (US, JP, GB, KR, AU, CA, NZ, NO) and Switzerland, added by Annex III of
#: Reg. (EU) 2023/1214 (read in the acts; Annex VIII's title names Art. 12g(1) since
#: Reg. (EU) 2025/2033).
EU_833_PARTNERS = frozenset(["au", "ca", "ch", "gb", "jp", "kr", "no", "nz", "us"])

#: Entries (list key, control code) that bind exports to third countries although
#: their list restricts exports to Russia only: (obligation, legal basis).
#: Reg. (EU) No 833/2014 Art. 12g (inserted by Reg. (EU) 2023/2878): exports of
#: Annex XL goods to a third country other than an Annex VIII partner need a
#: contractual "no re-export to Russia" clause. Art. 12gb (inserted by Reg. (EU)
#: 2025/395): due diligence for Annex XLVIII goods, "as for Annex XL"
#: (datasets/sources/eu_833/annexes.yml, kinds contract-clause and due-diligence).
THIRD_COUNTRY_ENTRIES: dict[tuple[str, str], tuple[Obligation, str]] = {
    ("eu_russia", "Annex XL"): (
        "contract-clause",
        "Reg. (EU) No 833/2014 Art. 12g: exports of Annex XL goods to a third "
        "country need a contractual prohibition of re-export to Russia",
    ),
    ("eu_russia", "Annex XLVIII"): (
        "due-diligence",
        "Reg. (EU) No 833/2014 Art. 12gb: Annex XLVIII goods sold to a third "
        "country call for the due diligence of Annex XL goods",
    ),
}


def obligation(
    catalog: Catalog, match: Match, destination: str | None
) -> Obligation | None:
    """What ``match`` obliges an exporter to ``destination`` to do, when its list
    does not restrict exports there (None: the list restricts them, or nothing).

    A list's concern destinations (CHPL transit countries) get ``due-diligence``;
    entries of :data:`THIRD_COUNTRY_ENTRIES` bind every third country except EU
    members and, for EU 833/2014, the Annex VIII partners.
    """
    meta = catalog.lists[match.list_key]
    if meta.applies_to(destination):
        return None
    if meta.concerns(destination):
        return "due-diligence"
    rule = THIRD_COUNTRY_ENTRIES.get((match.list_key, match.control_code))
    if rule is None or destination is None:
        return None
    dest = destination.lower()
    if dest in EU_MEMBERS or dest in EU_833_PARTNERS:
        return None
    return rule[0]


def obligation_basis(match: Match) -> str:
    """The legal basis of a third-country obligation of ``match`` ("" if none)."""
    rule = THIRD_COUNTRY_ENTRIES.get((match.list_key, match.control_code))
    return rule[1] if rule is not None else ""


def _make_match(
    catalog: Catalog,
    entry: ControlEntry,
    *,
    basis: MatchBasis,
    query_value: str,
    list_value: str,
    verdict: Verdict,
    condition: str,
    detail: str,
) -> Match:
    meta = catalog.lists[entry.list_key]
    # Every value comes from the validated catalogue (or is one of the literals
    # above): validating them again could neither fail nor change one.
    return trusted(
        Match,
        dict(
            list_key=meta.key,
            list_title=meta.title,
            list_version=meta.version,
            list_as_of=meta.as_of,
            entry_id=entry.entry_id,
            control_code=entry.control_code,
            title=entry.title,
            basis=basis,
            query_value=query_value,
            list_value=list_value,
            verdict=verdict,
            condition=condition,
            tier=entry.tier,
            legal_basis=meta.legal_basis,
            source_ref=entry.source_ref,
            added=entry.added,
            added_act=entry.added_act,
            ended=entry.ended,
            wind_down_until=entry.wind_down_until,
            verification=entry.verification,
            source_url=entry.source_url,
            detail=detail,
        ),
    )


def _entry_verdict(entry: ControlEntry) -> tuple[Verdict, str]:
    if entry.verdict == "listed-if":
        return "listed-if", entry.condition
    return "listed", ""


def _code_match(catalog: Catalog, digits: str, hit: CodeHit) -> Match:
    entry, code = hit.entry, hit.code
    verdict, condition = _entry_verdict(entry)
    shown = format_code(code.value)
    query = format_code(digits)
    label = f"{code.system} {shown} ({code.edition})"
    if hit.relation == "exact":
        detail = f"code {query} equals {label} of {entry.list_key} {entry.entry_id}"
    elif hit.relation == "prefix":
        detail = (
            f"code {query} falls under {label} of {entry.list_key} {entry.entry_id}"
        )
    else:
        detail = (
            f"code {query} is broader than {label} of {entry.list_key} "
            f"{entry.entry_id}: only part of it is listed"
        )
        narrower = f"only if the goods fall under {shown}"
        condition = narrower if condition == "" else f"{narrower}, and {condition}"
        verdict = "listed-if"
    if code.ex:
        ex_note = (
            f"only part of {shown} is covered ('ex' line): check the description "
            "of the entry"
        )
        condition = ex_note if condition == "" else f"{ex_note}; {condition}"
        verdict = "listed-if"
        detail += " (ex line)"
    return _make_match(
        catalog,
        entry,
        basis=hit.relation,  # type: ignore[arg-type]
        query_value=digits,
        list_value=code.value,
        verdict=verdict,
        condition=condition,
        detail=detail,
    )


def _usable(
    catalog: Catalog,
    entry: ControlEntry,
    as_of: dt.date | None,
    lists: Collection[str] | None,
) -> bool:
    if lists is not None and entry.list_key not in lists:
        return False
    if catalog.list_gap(entry.list_key, as_of) is not None:
        return False
    return entry.in_force(as_of)


def _derived_match(catalog: Catalog, entry: ControlEntry, m: Match) -> Match:
    """The match of ``entry`` (which covers ``m``'s whole list) that ``m`` brings."""
    verdict: Verdict = "listed-if" if m.verdict != "listed" else "listed"
    condition = m.condition if m.condition else entry.condition
    return _make_match(
        catalog,
        entry,
        basis="derived",
        query_value=m.query_value,
        list_value=f"{m.list_key}:{m.entry_id}",
        verdict=verdict,
        condition=condition,
        detail=(
            f"{entry.list_key} {entry.entry_id} covers every entry of "
            f"{m.list_key}; {m.entry_id} matched ({m.detail})"
        ),
    )


def derived_matches(
    catalog: Catalog,
    matches: Iterable[Match],
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[Match]:
    """Return matches of entries that cover a whole list one of ``matches`` is in.

    Example: EU 833/2014 Art. 2 covers every entry of eu_dual_use, so a 2B001
    match brings an Art. 2 match with it.
    """
    source = list(matches)
    out: list[Match] = []
    if not source:
        return out
    seen: set[tuple[str, str, str]] = set()
    for entry in catalog.covering_entries:
        if not _usable(catalog, entry, as_of, lists):
            continue
        for m in source:
            if m.list_key != entry.covers_list:
                continue
            key = (entry.list_key, entry.entry_id, m.entry_id)
            if key in seen:
                continue
            seen.add(key)
            out.append(_derived_match(catalog, entry, m))
    return out


@dataclass(frozen=True)
class CodeCandidates:
    """Every match a code may have on some date; ``matches_on`` picks one date's.

    ``code``: one match per entry code found for the code (``Catalog.find_code``
    order), ``entries`` their entries; ``derived``: (covering entry, index of
    the code match it derives from, the derived match), in the order
    ``derived_matches`` makes them.
    """

    code: tuple[Match, ...]
    entries: tuple[ControlEntry, ...]
    derived: tuple[tuple[ControlEntry, int, Match], ...]


def code_candidates(catalog: Catalog, digits: str) -> CodeCandidates:
    """Every match of a normalised code on any date (see ``matches_on``)."""
    hits = catalog.find_code(digits)
    code = tuple(_code_match(catalog, digits, hit) for hit in hits)
    derived = tuple(
        (entry, i, _derived_match(catalog, entry, m))
        for entry in catalog.covering_entries
        for i, m in enumerate(code)
        if m.list_key == entry.covers_list
    )
    return CodeCandidates(code, tuple(hit.entry for hit in hits), derived)


def matches_on(
    catalog: Catalog,
    candidates: CodeCandidates,
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[Match]:
    """The matches of ``candidates`` on ``as_of`` (what ``match_code`` returns).

    A code match counts when its entry is usable on the date (its list has
    data for it, the entry is in force, the list is asked for), once per
    entry and basis; a derived match when its covering entry is usable and
    the match it derives from counts, once per covering entry and source entry.
    """
    matches: list[Match] = []
    kept: set[int] = set()
    seen: set[tuple[str, str, str]] = set()
    for i, (entry, m) in enumerate(
        zip(candidates.entries, candidates.code, strict=True)
    ):
        if not _usable(catalog, entry, as_of, lists):
            continue
        key = (m.list_key, m.entry_id, m.basis)
        if key in seen:
            continue
        seen.add(key)
        kept.add(i)
        matches.append(m)
    if kept:
        usable: dict[int, bool] = {}
        derived: set[tuple[str, str, str]] = set()
        for entry, i, m in candidates.derived:
            if i not in kept:
                continue
            ok = usable.get(id(entry))
            if ok is None:
                ok = usable[id(entry)] = _usable(catalog, entry, as_of, lists)
            if not ok:
                continue
            pair = (m.list_key, m.entry_id, candidates.code[i].entry_id)
            if pair in derived:
                continue
            derived.add(pair)
            matches.append(m)
    return sort_matches(catalog, matches)


def match_code(
    catalog: Catalog,
    digits: str,
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[Match]:
    """Return every entry that may cover a normalised code, with its basis.

    Args:
        catalog: the loaded catalogue.
        digits: a normalised code (see ``tracker.hs.normalize_code``).
        as_of: apply the lists as they stood that day (None: current data).
        lists: only these list keys (None: all).

    Returns:
        Matches ordered by list key, then exact/prefix before narrower; each
        carries the matched code, the entry and its source.
    """
    return matches_on(
        catalog, code_candidates(catalog, digits), as_of=as_of, lists=lists
    )


#: Strength of a match basis, strongest first (lower wins).
BASIS_ORDER = {
    "exact": 0,
    "prefix": 1,
    "category": 2,
    "keyword": 3,
    "narrower": 4,
    "derived": 5,
}


def sort_matches(catalog: Catalog, matches: Iterable[Match]) -> list[Match]:
    """Order matches by list (catalogue order), then basis, then entry."""
    order = catalog.list_order
    return sorted(
        matches,
        key=lambda m: (order.get(m.list_key, 99), BASIS_ORDER[m.basis], m.entry_id),
    )


def match_category(
    catalog: Catalog,
    category_key: str,
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[Match]:
    """Return entries the curators linked to a category (basis ``category``)."""
    out: list[Match] = []
    for entry in catalog.entries_linked_to(category_key):
        if not _usable(catalog, entry, as_of, lists):
            continue
        verdict, condition = _entry_verdict(entry)
        out.append(
            _make_match(
                catalog,
                entry,
                basis="category",
                query_value=category_key,
                list_value=category_key,
                verdict=verdict,
                condition=condition,
                detail=(
                    f"{entry.list_key} {entry.entry_id} is linked to category "
                    f"{category_key!r} in the curated data"
                ),
            )
        )
    return out


def match_keywords(
    catalog: Catalog,
    words: Iterable[str],
    *,
    as_of: dt.date | None = None,
    lists: Collection[str] | None = None,
) -> list[Match]:
    """Return entries whose keywords equal one of ``words`` (case-insensitive)."""
    wanted = {w.casefold().strip(): w for w in words if w.strip()}
    index = _keyword_index(catalog)
    # Of each entry, the first of its keywords that is wanted; entries in
    # catalogue order.
    first: dict[int, tuple[int, str]] = {}
    for word in wanted:
        for pos, rank, kw in index.get(word, ()):
            if pos not in first or rank < first[pos][0]:
                first[pos] = (rank, kw)
    out: list[Match] = []
    for pos in sorted(first):
        entry = catalog.entries[pos]
        if not _usable(catalog, entry, as_of, lists):
            continue
        kw = first[pos][1]
        verdict, condition = _entry_verdict(entry)
        out.append(
            _make_match(
                catalog,
                entry,
                basis="keyword",
                query_value=wanted[kw.casefold()],
                list_value=kw,
                verdict=verdict,
                condition=condition,
                detail=(
                    f"word {wanted[kw.casefold()]!r} matched keyword {kw!r} "
                    f"of {entry.list_key} {entry.entry_id}"
                ),
            )
        )
    return out


def _keyword_index(catalog: Catalog) -> dict[str, list[tuple[int, int, str]]]:
    """Case-folded keyword -> (entry position, keyword position, keyword), memoised."""
    memo = catalog.memo.setdefault("keyword_index", {})
    index: dict[str, list[tuple[int, int, str]]] | None = memo.get(None)
    if index is None:
        index = {}
        for pos, entry in enumerate(catalog.entries):
            for rank, kw in enumerate(entry.keywords):
                index.setdefault(kw.casefold(), []).append((pos, rank, kw))
        memo[None] = index
    return index
