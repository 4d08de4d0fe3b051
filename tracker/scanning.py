"""Find goods, goods codes and countries named in free text (news, reports)."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import ahocorasick
from pydantic import BaseModel, ConfigDict

from tracker.alias_patterns import compile_alias
from tracker.catalog import Catalog
from tracker.checking import (
    DEFAULT_DESTINATION,
    CheckResult,
    ResolvedItem,
    check_items,
    resolve_item,
)
from tracker.code_mentions import CodeRule, find_codes
from tracker.countries import Country, load_countries, parse_destination
from tracker.hs import format_code
from tracker.scan_rules import ScanRules, load_scan_rules
from tracker.text import (
    CHUNK_CHARS,
    CJK_CHARS,
    Folded,
    is_cjk,
    iter_chunks,
    sentence_at,
)

#: How specific a goods mention is.
#: strong: a specific name of a category (cross-checked against the lists);
#: weak: a generic word ("machines", "components"), reported but only
#: cross-checked with --include-weak.
Strength = Literal["strong", "weak"]

#: Which rule found a goods mention.
#: alias: an alias or the title of the category (categories.yml);
#: weak_alias: a weak alias of the category (categories.yml);
#: scan_rule: a weak word of datasets/scan_rules.yml.
MentionRule = Literal["alias", "weak_alias", "scan_rule"]

# ------------------------------------------------------------------ models


class Mention(BaseModel):
    """A goods mention: which words named which category, where."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Category key, or None for a generic weak word that names no category.
    category: str | None
    category_title: str | None
    #: HS 2022 codes of the category (empty for no category or a parent).
    hs_codes: tuple[str, ...]
    #: The alias (as written in the data) that fired, and its language.
    alias: str
    language: str
    rule: MentionRule
    strength: Strength
    #: The words as written in the text, and their character offsets.
    text: str
    start: int
    end: int
    sentence: str


class CodeMention(BaseModel):
    """An explicit HS/CN/HTS code in the text, normalised."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The code as written (without its label).
    code: str
    #: Digits only (tracker.hs.normalize_code).
    normalised: str
    display: str
    rule: CodeRule
    #: The label in front of it ("" for a shape match).
    label: str
    start: int
    end: int
    sentence: str


class CountryMention(BaseModel):
    """A country named in the text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: ISO 3166-1 alpha-2, upper case.
    iso2: str
    name: str
    alias: str
    language: str
    text: str
    start: int
    end: int
    sentence: str


class CountryCount(BaseModel):
    """A country with how often and where the text names it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iso2: str
    name: str
    count: int
    #: Distinct aliases that fired, in order of first appearance.
    aliases: tuple[str, ...]
    first_start: int
    first_sentence: str


class ScanResult(BaseModel):
    """Everything found in a text, in text order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mentions: tuple[Mention, ...] = ()
    codes: tuple[CodeMention, ...] = ()
    country_mentions: tuple[CountryMention, ...] = ()
    #: Characters scanned.
    characters: int = 0

    def countries(self) -> list[CountryCount]:
        """Return each country named, in order of first mention, with counts."""
        seen: dict[str, list[CountryMention]] = {}
        for m in self.country_mentions:
            seen.setdefault(m.iso2, []).append(m)
        return [
            CountryCount(
                iso2=iso2,
                name=ms[0].name,
                count=len(ms),
                aliases=tuple(dict.fromkeys(m.alias for m in ms)),
                first_start=ms[0].start,
                first_sentence=ms[0].sentence,
            )
            for iso2, ms in seen.items()
        ]

    def categories(self, *, include_weak: bool = False) -> list[str]:
        """Return the category keys mentioned, in order of first mention."""
        keys = [
            m.category
            for m in self.mentions
            if m.category is not None and (include_weak or m.strength == "strong")
        ]
        return list(dict.fromkeys(keys))

    def code_values(self) -> list[str]:
        """Return the normalised codes found, in order of first mention."""
        return list(dict.fromkeys(c.normalised for c in self.codes))


SpecKind = Literal["strong", "weak", "country", "trap"]


@dataclass(frozen=True)
class _Spec:
    """One alias compiled for matching."""

    kind: SpecKind
    #: Category key (goods, traps: "" = any), or lower-case ISO code (countries).
    target: str | None
    alias: str
    language: str
    rule: MentionRule
    #: The alias as written must appear with this case (acronyms: US, КНДР).
    case_sensitive: bool
    regex: re.Pattern[str]
    #: For traps: the category keys the trap applies to (empty: any).
    scope: frozenset[str]
    #: At most this many characters of the alias come before its key word
    #: (0: the key is the first word).
    lead: int = 0


def _compile(
    kind: SpecKind,
    target: str | None,
    alias: str,
    lang: str,
    rule: MentionRule = "alias",
    scope: frozenset[str] = frozenset(),
) -> tuple[tuple[str, ...], _Spec] | None:
    pattern = compile_alias(alias, lang)
    if pattern is None:
        return None
    spec = _Spec(
        kind=kind,
        target=target,
        alias=pattern.alias,
        language=lang,
        rule=rule,
        case_sensitive=pattern.case_sensitive,
        regex=pattern.regex,
        scope=scope,
        lead=pattern.lead,
    )
    return pattern.keys, spec


# ------------------------------------------------------------------- scanner

_Hit = tuple[int, int, _Spec]


class Scanner:
    """Multi-language matcher of category aliases, codes and country names.

    Build it once (``Scanner.from_catalog``) and scan many texts. Aliases are
    folded (NFKC, case-folded, ё as е), reduced to stems and put into one
    Aho-Corasick automaton; each stem hit is confirmed at that position by the
    alias's own pattern (case endings, plurals, hyphen or space between words)
    and a word boundary (none for Chinese).
    """

    def __init__(
        self,
        catalog: Catalog,
        countries: dict[str, Country],
        rules: ScanRules,
    ) -> None:
        self.catalog = catalog
        self.countries = countries
        self.rules = rules
        self._specs: list[_Spec] = []
        # Two automata: keys starting with a Chinese/Japanese/Korean character
        # are searched only in runs of such characters (an automaton whose root
        # has hundreds of CJK children is slow on every other character).
        self._automaton: Any = ahocorasick.Automaton()
        self._cjk_automaton: Any = ahocorasick.Automaton()
        self._descendants = {
            key: frozenset(catalog.category_descendants(key))
            for key in catalog.categories
        }
        self._codes: dict[str, tuple[str, ...]] = {}
        for key, cat in catalog.categories.items():
            codes = list(cat.hs_codes)
            if not codes:
                for sub in catalog.category_descendants(key):
                    codes.extend(catalog.categories[sub].hs_codes)
            self._codes[key] = tuple(dict.fromkeys(codes))
        table: dict[str, list[_Spec]] = {}

        def add(compiled: tuple[tuple[str, ...], _Spec] | None) -> None:
            if compiled is None:
                return
            keys, spec = compiled
            self._specs.append(spec)
            for key in keys:
                slot = table.setdefault(key, [])
                if all(
                    s.regex.pattern != spec.regex.pattern
                    or s.target != spec.target
                    or s.kind != spec.kind
                    for s in slot
                ):
                    slot.append(spec)

        for cat in catalog.categories.values():
            # Aliases before the title, so a mention names the alias as written.
            for lang, name in [*cat.all_aliases()[1:], ("en", cat.title)]:
                add(_compile("strong", cat.key, name, lang))
            for lang, names in cat.weak_aliases.items():
                for name in names:
                    add(_compile("weak", cat.key, name, lang, "weak_alias"))
        for weak in rules.weak:
            for lang, names in weak.aliases.items():
                for name in names:
                    add(_compile("weak", weak.category, name, lang, "scan_rule"))
        for trap in rules.traps:
            scope: set[str] = set()
            for key in trap.categories:
                scope.update(self._descendants.get(key, {key}))
            for lang, names in trap.phrases.items():
                for name in names:
                    add(
                        _compile(
                            "trap", None, name, lang, "scan_rule", frozenset(scope)
                        )
                    )
        for country in countries.values():
            for lang, names in country.aliases.items():
                for name in names:
                    add(_compile("country", country.iso2, name, lang))
            add(_compile("country", country.iso2, country.name, "en"))
        for key, specs in table.items():
            if is_cjk(key[0]):
                self._cjk_automaton.add_word(key, (len(key), False, tuple(specs)))
            else:
                self._automaton.add_word(key, (len(key), True, tuple(specs)))
        for automaton in (self._automaton, self._cjk_automaton):
            if len(automaton) == 0:
                automaton.add_word("\x00\x00", (2, False, ()))
            automaton.make_automaton()

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Scanner:
        """Build a scanner from a catalogue and the countries and scan rules next to it.

        Raises:
            DatasetError: countries.yml is missing or invalid, or scan_rules.yml
                is invalid.
        """
        return _scanner_for(catalog)

    # -- matching

    def _hits(self, folded: str) -> list[_Hit]:
        hits: list[_Hit] = []
        seen: set[tuple[int, int, int]] = set()
        keys: list[tuple[int, tuple[_Spec, ...]]] = []
        for end, (length, _, specs) in self._automaton.iter(folded):
            start = end - length + 1
            if start == 0 or not folded[start - 1].isalnum():
                keys.append((start, specs))
        for run in _CJK_RUN.finditer(folded):
            base = run.start()
            for end, (length, _, specs) in self._cjk_automaton.iter(run.group()):
                keys.append((base + end - length + 1, specs))
        for start, specs in keys:
            for spec in specs:
                if spec.lead:
                    m = _match_before(spec, folded, start)
                else:
                    m = spec.regex.match(folded, start)
                if m is None:
                    continue
                key = (m.start(), m.end(), id(spec))
                if key in seen:
                    continue
                seen.add(key)
                hits.append((m.start(), m.end(), spec))
        return hits

    def scan_chunk(
        self, chunk: str, offset: int = 0
    ) -> tuple[list[Mention], list[CodeMention], list[CountryMention]]:
        """Scan one piece of text; offsets in the findings are ``offset`` + position.

        Returns:
            Goods mentions, codes and country mentions, each in text order.
        """
        folded = Folded.of(chunk)
        hits = self._hits(folded.text)
        code_hits = find_codes(folded.text)
        if not hits and not code_hits:
            return [], [], []

        def span(s: int, e: int) -> tuple[int, int]:
            return folded.original_span(s, e)

        traps = sorted((s, e, spec) for s, e, spec in hits if spec.kind == "trap")
        trap_starts = [t[0] for t in traps]
        longest_trap = max((e - s for s, e, _ in traps), default=0)
        goods: list[_Hit] = []
        places: list[_Hit] = []
        for s, e, spec in hits:
            if spec.kind == "trap":
                continue
            if spec.case_sensitive:
                os_, oe = span(s, e)
                if not chunk.startswith(spec.alias, os_):
                    continue
            if spec.kind == "country":
                places.append((s, e, spec))
                continue
            if traps and _trapped(s, e, spec, traps, trap_starts, longest_trap):
                continue
            goods.append((s, e, spec))
        goods = _keep_longest(goods)
        places = _keep_longest(places)

        mentions: list[Mention] = []
        for s, e, spec in goods:
            os_, oe = span(s, e)
            cat = self.catalog.categories.get(spec.target) if spec.target else None
            mentions.append(
                Mention(
                    category=spec.target,
                    category_title=cat.title if cat else None,
                    hs_codes=self._codes.get(spec.target or "", ()),
                    alias=spec.alias,
                    language=spec.language,
                    rule=spec.rule,
                    strength="strong" if spec.kind == "strong" else "weak",
                    text=chunk[os_:oe],
                    start=offset + os_,
                    end=offset + oe,
                    sentence=sentence_at(chunk, os_, oe),
                )
            )
        found_places: list[CountryMention] = []
        for s, e, spec in places:
            os_, oe = span(s, e)
            country = self.countries[spec.target or ""]
            found_places.append(
                CountryMention(
                    iso2=country.code,
                    name=country.name,
                    alias=spec.alias,
                    language=spec.language,
                    text=chunk[os_:oe],
                    start=offset + os_,
                    end=offset + oe,
                    sentence=sentence_at(chunk, os_, oe),
                )
            )
        codes: list[CodeMention] = []
        for s, e, rule, label_span, digits in code_hits:
            os_, oe = span(s, e)
            label = ""
            if label_span is not None:
                ls, le = span(*label_span)
                label = " ".join(chunk[ls:le].split())
            codes.append(
                CodeMention(
                    code=chunk[os_:oe],
                    normalised=digits,
                    display=format_code(digits),
                    rule=rule,
                    label=label,
                    start=offset + os_,
                    end=offset + oe,
                    sentence=sentence_at(chunk, os_, oe),
                )
            )
        return mentions, codes, found_places

    def iter_scan(
        self, pieces: Iterable[str], *, chunk_size: int = CHUNK_CHARS
    ) -> Iterator[tuple[int, list[Mention], list[CodeMention], list[CountryMention]]]:
        """Scan text arriving in pieces, chunk by chunk (sentence-aligned).

        Yields (characters scanned so far, mentions, codes, countries) per
        chunk; memory stays bounded by the chunk size.
        """
        total = 0
        for offset, chunk in iter_chunks(pieces, chunk_size):
            mentions, codes, places = self.scan_chunk(chunk, offset)
            total = offset + len(chunk)
            yield total, mentions, codes, places

    def scan(
        self, pieces: Iterable[str] | str, *, chunk_size: int = CHUNK_CHARS
    ) -> ScanResult:
        """Scan a whole text (a string or its pieces) and collect the findings.

        Args:
            pieces: the text, or an iterable of consecutive pieces of it.
            chunk_size: characters scanned at a time (cut at a sentence end).

        Returns:
            A ScanResult with goods mentions, codes and countries in text order;
            offsets count characters of the text (after HTML is reduced to text).
        """
        source = [pieces] if isinstance(pieces, str) else pieces
        mentions: list[Mention] = []
        codes: list[CodeMention] = []
        places: list[CountryMention] = []
        total = 0
        for scanned, m, c, p in self.iter_scan(source, chunk_size=chunk_size):
            total = scanned
            mentions.extend(m)
            codes.extend(c)
            places.extend(p)
        return ScanResult(
            mentions=tuple(mentions),
            codes=tuple(codes),
            country_mentions=tuple(places),
            characters=total,
        )

    def aliases(self) -> list[str]:
        """Return every goods alias, weak word and country name (for benchmarks)."""
        return [s.alias for s in self._specs if s.kind != "trap"]


_CJK_RUN = re.compile(f"[{CJK_CHARS}][{CJK_CHARS}\\w]*")


def _match_before(spec: _Spec, folded: str, key_start: int) -> re.Match[str] | None:
    """Match an alias whose key word starts at ``key_start``, from a word start before it."""
    lo = max(0, key_start - spec.lead)
    for i in range(key_start - 1, lo - 1, -1):
        if folded[i].isalnum() and (i == 0 or not folded[i - 1].isalnum()):
            m = spec.regex.match(folded, i)
            if m is not None and m.end() > key_start:
                return m
    return None


def _trapped(
    s: int,
    e: int,
    spec: _Spec,
    traps: list[_Hit],
    trap_starts: list[int],
    longest: int,
) -> bool:
    """Return True when a trap phrase overlapping [s, e) applies to the hit."""
    i = bisect.bisect_left(trap_starts, s - longest)
    while i < len(traps) and traps[i][0] < e:
        ts, te, tspec = traps[i]
        if te > s and (not tspec.scope or (spec.target or "") in tspec.scope):
            return True
        i += 1
    return False


def _keep_longest(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits inside a longer hit, or equal to a stronger one; keep text order."""
    rank = {"strong": 0, "country": 0, "weak": 1, "trap": 2}
    ordered = sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]), rank[h[2].kind]))
    kept: list[_Hit] = []
    by_span: dict[tuple[int, int], list[_Spec]] = {}
    max_end = -1
    max_span = (-1, -1)
    for hit in ordered:
        s, e, spec = hit
        if e <= max_end and (s, e) != max_span:
            continue
        same = by_span.get((s, e))
        if same is not None and any(
            rank[k.kind] < rank[spec.kind] or k.target == spec.target for k in same
        ):
            continue
        kept.append(hit)
        by_span.setdefault((s, e), []).append(spec)
        if e > max_end:
            max_end, max_span = e, (s, e)
    return kept


_SCANNERS: dict[int, tuple[Catalog, Scanner]] = {}


def _scanner_for(catalog: Catalog) -> Scanner:
    cached = _SCANNERS.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    countries = load_countries(catalog.path)
    rules = load_scan_rules(catalog.path, catalog.categories)
    scanner = Scanner(catalog, countries, rules)
    _SCANNERS[id(catalog)] = (catalog, scanner)
    return scanner


def scan_text(catalog: Catalog, text: str | Iterable[str]) -> ScanResult:
    """Find goods mentions, codes and countries in a text.

    Args:
        catalog: the loaded catalogue (categories.yml gives the goods aliases;
            countries.yml and scan_rules.yml are read from the same folder).
        text: the text, or an iterable of consecutive pieces of it.

    Returns:
        A ScanResult; see :class:`Mention`, :class:`CodeMention` and
        :class:`CountryMention` for what each finding carries.

    Examples:
        >>> r = scan_text(catalog, "Nitrocellulose from China")  # doctest: +SKIP
        >>> [m.category for m in r.mentions], [c.iso2 for c in r.countries()]
        (['nitrocellulose'], ['CN'])
    """
    return Scanner.from_catalog(catalog).scan(text)


# ------------------------------------------------------------- cross-check


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
    return [
        check_items(catalog, items, destination=dest, as_of=as_of)
        for dest in scan_destinations(catalog, result, destination)
    ]
