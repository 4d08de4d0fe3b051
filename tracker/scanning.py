"""Find goods, goods codes and countries named in free text (news, reports)."""

from __future__ import annotations

import bisect
import gc
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Literal

import ahocorasick_rs

from tracker.alias_patterns import AliasPattern, compile_alias
from tracker.catalog import Catalog
from tracker.code_mentions import find_codes
from tracker.countries import Country, load_countries
from tracker.forked_map import can_fork, forked_map
from tracker.hs import format_code
from tracker.scan_result import (
    CodeMention,
    CodeRow,
    CountryCount,
    CountryMention,
    CountryTally,
    GoodsEncoder,
    GoodsInfo,
    GoodsRow,
    Mention,
    MentionRule,
    PlaceRow,
    ScanResult,
    Strength,
)
from tracker.scan_rules import ScanRules, load_scan_rules
from tracker.sentence_index import SentenceIndex
from tracker.text import (
    CHUNK_CHARS,
    CJK_CHARS,
    Folded,
    code_points,
    fold_tables,
    fold_tables_kept,
    is_cjk,
    iter_chunks,
    prepare_code_point_tables,
    special_chars_form,
    use_fold_tables,
    use_special_chars,
)

__all__ = [
    "CodeMention",
    "CodeRow",
    "CountryCount",
    "CountryMention",
    "CountryTally",
    "GoodsEncoder",
    "GoodsInfo",
    "GoodsRow",
    "Mention",
    "MentionRule",
    "PlaceRow",
    "ScanResult",
    "Scanner",
    "SpecKind",
    "Strength",
    "scan_text",
]

#: The old private name of SentenceIndex (tests import it from here).
_Sentences = SentenceIndex

SpecKind = Literal["strong", "weak", "country", "trap"]
# Which of two mentions of one span wins (lower first); see _keep_longest.
_RANK: dict[SpecKind, int] = {"strong": 0, "country": 0, "weak": 1, "trap": 2}


@dataclass(eq=False)
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
    pattern: AliasPattern
    #: For traps: the category keys the trap applies to (empty: any).
    scope: frozenset[str]
    #: At most this many characters of the alias come before its key word
    #: (0: the key is the first word).
    lead: int = 0
    rank: int = 0
    #: The same match may be reached from two key hits (several keys, or a
    #: lead): drop repeats.
    dedup: bool = False
    #: What a goods mention of this alias reports (goods only).
    info: GoodsInfo | None = None
    #: ``pattern.regex.match``, set on first use.
    match: Callable[[str, int], re.Match[str] | None] | None = None
    #: The pattern is its one key, optional endings of word characters, and
    #: ``(?!\w)``: at a key hit followed by no word character it matches the
    #: key and nothing more (no need to run it).
    plain: bool = False
    #: For a plain pattern: how many characters after the key decide its
    #: match (the longest ending and the character after it).
    tail: int = 0
    #: The pattern is its one key, as written (a Chinese name): it matches
    #: where its key is found, and just there.
    literal: bool = False

    def __getstate__(self) -> dict[str, object]:
        # Kept without the bound match method (set again on first use).
        return {**self.__dict__, "match": None}


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
        pattern=pattern,
        scope=scope,
        lead=pattern.lead,
        rank=_RANK[kind],
        dedup=pattern.lead > 0 or len(pattern.keys) > 1,
    )
    if len(pattern.keys) == 1 and not pattern.lead:
        spec.plain = _is_plain(pattern.pattern, pattern.keys[0])
        if spec.plain:
            spec.tail = _tail(pattern.pattern, pattern.keys[0])
        spec.literal = _is_literal(pattern.pattern, pattern.keys[0])
    return pattern.keys, spec


# Optional endings of word characters, then no word character: the tail of a
# one-word alias pattern (see tracker.alias_patterns.compile_alias).
_PLAIN_TAIL = re.compile(r"(?:\(\?:(\w+(?:\|\w+)*)\)\?)?\(\?!\\w\)")


def _is_plain(pattern: str, key: str) -> bool:
    """Return True when ``pattern`` is ``key``, optional word endings and ``(?!\\w)``."""
    head = re.escape(key)
    return (
        pattern.startswith(head)
        and _PLAIN_TAIL.fullmatch(pattern, len(head)) is not None
    )


def _is_literal(pattern: str, key: str) -> bool:
    """Return True when ``pattern`` is ``key`` as written (it matches just the key)."""
    return pattern == re.escape(key)


def _tail(pattern: str, key: str) -> int:
    """The characters after the key that decide a plain pattern's match.

    A plain pattern is the key, optional endings (word characters) and no word
    character after them: its longest ending and one more character.
    """
    m = _PLAIN_TAIL.fullmatch(pattern, len(re.escape(key)))
    endings = m.group(1).split("|") if m is not None and m.group(1) else []
    return max(map(len, endings), default=0) + 1


def _matcher(spec: _Spec) -> Callable[[str, int], re.Match[str] | None]:
    if spec.match is None:
        spec.match = spec.pattern.regex.match
    return spec.match


# ------------------------------------------------------------------- scanner

_Hit = tuple[int, int, _Spec]
# A hit as collected: start, minus its length, rank, sequence, spec; sorts
# like _keep_longest wants (longest first, stronger first, then found first).
_RawHit = tuple[int, int, int, int, _Spec]


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
        # are confirmed without word boundaries, and searched for only in a
        # text that has such characters.
        self._find: _Finder | None = None
        self._values: list[_KeyValue] = []
        self._find_cjk: _Finder | None = None
        self._cjk_values: list[_KeyValue] = []
        #: (plain alias, characters after its key) -> length of its match, or
        #: -1 for none (see _collect).
        self._tails: dict[tuple[_Spec, str], int] = {}
        self._descendants = {
            key: frozenset(catalog.category_descendants(key))
            for key in catalog.categories
        }
        #: ISO alpha-2 as shown (upper case) and name, by lower-case code.
        self._country_names = {k: (c.code, c.name) for k, c in countries.items()}
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
            if spec.kind in ("strong", "weak"):
                cat = catalog.categories.get(spec.target) if spec.target else None
                spec.info = (
                    spec.target,
                    cat.title if cat else None,
                    self._codes.get(spec.target or "", ()),
                    spec.alias,
                    spec.language,
                    spec.rule,
                    "strong" if spec.kind == "strong" else "weak",
                )
            self._specs.append(spec)
            for key in keys:
                slot = table.setdefault(key, [])
                if all(
                    s.pattern.pattern != spec.pattern.pattern
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
        keys: list[str] = []
        cjk_keys: list[str] = []
        for key, specs in table.items():
            # The common case, one alias without a lead behind a key, is
            # confirmed inline (see _collect).
            only = specs[0] if len(specs) == 1 else None
            single = only if only and not only.lead and not only.dedup else None
            value = (
                tuple(specs),
                single,
                _lead_filter(specs),
                None if single else _first_plain(specs),
            )
            if not is_cjk(key[0]):
                keys.append(key)
                self._values.append(value)
            elif _CJK_KEY.fullmatch(key):
                cjk_keys.append(key)
                self._cjk_values.append(value)
            # else: a CJK key with a character that no CJK word has (a space,
            # a comma) never matches, as a CJK word is where it may match.
        self._keys = keys
        self._cjk_keys = cjk_keys
        self._build_finders()

    def _build_finders(self, dense: bool = False) -> None:
        self._find = _finder(self._keys, dense) if self._keys else None
        self._find_cjk = _finder(self._cjk_keys, dense) if self._cjk_keys else None
        self._dense = dense

    def _for_long_text(self) -> None:
        """Search with DFAs: a fifth faster than the compact automata, built in 15 ms.

        Worth it for a text of more than one chunk (called before the worker
        processes are forked, so they inherit them).
        """
        if not self._dense:
            self._build_finders(dense=True)

    def __getstate__(self) -> dict[str, object]:
        # Kept (tracker.catalog_cache) without the catalogue it was built
        # from (the caller's), the automata (built again from the keys) and
        # the remembered matches.
        drop = {"catalog", "_find", "_find_cjk", "_dense"}
        state = {k: v for k, v in self.__dict__.items() if k not in drop}
        state["_tails"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._build_finders()

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> Scanner:
        """Build a scanner from a catalogue and the countries and scan rules next to it.

        Raises:
            DatasetError: countries.yml is missing or invalid, or scan_rules.yml
                is invalid.
        """
        return _scanner_for(catalog)

    # -- matching

    def _collect(self, folded: str) -> tuple[list[_RawHit], list[_RawHit], list[_Hit]]:
        """Return the goods, country and trap hits confirmed in folded text."""
        goods: list[_RawHit] = []
        places: list[_RawHit] = []
        traps: list[_Hit] = []
        seen: set[tuple[int, int, int]] = set()
        seq = 0

        def confirm(
            start: int, stop: int, specs: tuple[_Spec, ...], leads: _LeadFilter | None
        ) -> None:
            """Confirm the aliases of a key found at [start, stop)."""
            plain_end = not folded[stop : stop + 1].isalnum() and (
                folded[stop : stop + 1] != "_"
            )
            # No first word of an alias with a lead before the key: none of
            # them can match; the others are confirmed (in the same order).
            window = None
            if leads is not None:
                lo, hi = max(0, start - leads[1]), start - 1 + leads[2]
                if leads[0](folded, lo, hi) is None:
                    specs = leads[3]
                else:
                    window = folded[lo:hi]
            for spec in specs:
                if spec.plain and plain_end:
                    s, e = start, stop
                else:
                    if spec.lead:
                        # Its first word is not in the widest window before
                        # the key: it cannot match (most of them, a substring
                        # test each).
                        if window is not None:
                            for stem in spec.pattern.first:
                                if stem in window:
                                    break
                            else:
                                continue
                        m = _match_before(spec, folded, start)
                    else:
                        m = (spec.match or _matcher(spec))(folded, start)
                    if m is None:
                        continue
                    s, e = m.span()
                if spec.dedup:
                    key = (s, e, id(spec))
                    if key in seen:
                        continue
                    seen.add(key)
                take(s, e, spec)

        def take(s: int, e: int, spec: _Spec) -> None:
            """Keep a confirmed hit of ``spec`` at [s, e), numbered in order found."""
            nonlocal seq
            kind = spec.kind
            if kind == "country":
                places.append((s, s - e, 0, seq, spec))
            elif kind == "trap":
                traps.append((s, e, spec))
            else:
                goods.append((s, s - e, spec.rank, seq, spec))
            seq += 1

        # The common case (one alias without a lead behind a key) is inlined
        # (take() written out: this runs once per key hit);
        # a plain alias followed by no word character matches just its key.
        # Key hits come by end, and of one end the longest first.
        values = self._values
        tails = self._tails
        if len(tails) > 100_000:
            tails.clear()  # bounded memory
        for i, start, e in self._find(folded, overlapping=True) if self._find else ():
            if start and folded[start - 1].isalnum():
                continue
            specs, spec, leads, first = values[i]
            if spec is None:
                # Several plain aliases of one country or category behind the
                # key, followed by no word character: all match the key, and
                # _keep_longest would keep only the first.
                if first is None or (nxt := folded[e : e + 1]).isalnum() or nxt == "_":
                    confirm(start, e, specs, leads)
                    continue
                spec = first
            elif not spec.plain:
                m = (spec.match or _matcher(spec))(folded, start)
                if m is None:
                    continue
                e = m.end()
            elif (nxt := folded[e : e + 1]).isalnum() or nxt == "_":
                # A plain pattern's match is decided by the few characters
                # after its key: worked out once for each (a dense text has
                # the same inflected names again and again).
                probe = (spec, folded[e : e + spec.tail])
                width = tails.get(probe)
                if width is None:
                    m = (spec.match or _matcher(spec))(folded, start)
                    width = tails[probe] = -1 if m is None else m.end() - start
                if width < 0:
                    continue
                e = start + width
            kind = spec.kind
            if kind == "country":
                places.append((start, start - e, 0, seq, spec))
            elif kind == "trap":
                traps.append((start, e, spec))
            else:
                goods.append((start, start - e, spec.rank, seq, spec))
            seq += 1
        # A CJK key starts with a CJK character and has none that a CJK word
        # may not have (see _CJK_KEY): its hits in the whole text are its hits
        # in the CJK words of the text.
        if self._find_cjk is not None and _CJK_CHAR.search(folded) is not None:
            cjk_values = self._cjk_values
            for i, start, e in self._find_cjk(folded, overlapping=True):
                specs, spec, leads, _ = cjk_values[i]
                if spec is None or not spec.literal:
                    confirm(start, e, specs, leads)
                    continue
                # One alias that is its key as written (most Chinese names).
                take(start, e, spec)
        return goods, places, traps

    def _scan_into(
        self,
        chunk: str,
        offset: int,
        result: ScanResult,
        arrays: bool = False,
    ) -> None:
        """Scan one piece of text; add its findings (offsets + ``offset``) to ``result``.

        ``arrays``: fold the chunk and find its sentences with NumPy (worth
        its fixed costs on a text of more than one chunk).
        """
        points = code_points(chunk) if arrays else None
        folded = Folded.of(chunk, points)
        goods, places, traps = self._collect(folded.text)
        code_hits = find_codes(folded.text, folded.points)
        if not goods and not places and not code_hits:
            return
        span = folded.original_span
        sentences = SentenceIndex(chunk, points)

        kept = list(_kept_goods(chunk, folded, goods, traps))
        spans = [span(s, e) for s, e, _ in kept]
        result.goods_rows.extend(
            (
                spec.info,  # type: ignore[misc]  # set for every goods spec
                chunk[os_:oe],
                offset + os_,
                offset + oe,
                sentence,
            )
            for (_, _, spec), (os_, oe), sentence in zip(
                kept, spans, sentences.around_all(spans), strict=True
            )
        )

        if any(spec.case_sensitive for *_, spec in places):
            places = [
                hit
                for hit in places
                if not hit[4].case_sensitive
                or chunk.startswith(hit[4].alias, span(hit[0], hit[0] - hit[1])[0])
            ]
        tallies = result.tallies
        names = self._country_names
        place_rows = result.place_rows
        if place_rows is None:
            # Counted, not listed: per alias at C speed, in order of first
            # mention (a Counter keeps it), with the first hit of each alias
            # that names a country not yet counted. Hits that do not overlap
            # (the country names of a dense text) are all kept, in the order
            # _keep_longest sorts them in; else it decides.
            places.sort()
            apart = _apart(places)
            kept_places = [] if apart else _keep_longest(places)
            counts = Counter(
                map(itemgetter(4), places) if apart else map(itemgetter(2), kept_places)
            )
            # The alias that first names each country not yet counted, and
            # where (the first hits of a few dozen aliases: early in a chunk).
            new: dict[str, _Spec] = {}
            for spec in counts:
                code = names[spec.target or ""][0]
                if code not in tallies and code not in new:
                    new[code] = spec
            firsts: dict[_Spec, tuple[int, int]] = {}
            if new:
                wanted = set(new.values())
                in_order: Iterable[_Hit] = (
                    ((s, s - neg, spec) for s, neg, _, _, spec in places)
                    if apart
                    else kept_places
                )
                for s, e, spec in in_order:
                    if spec in wanted and spec not in firsts:
                        firsts[spec] = (s, e)
                        if len(firsts) == len(wanted):
                            break
            for spec, n in counts.items():
                code, name = names[spec.target or ""]
                tally = tallies.get(code)
                if tally is None:
                    s, e = firsts[spec]
                    os_, oe = span(s, e)
                    tally = tallies[code] = CountryTally(
                        code, name, offset + os_, sentences.around(os_, oe)
                    )
                tally.count += n
                tally.aliases[spec.alias] = None
            kept_places = []
        else:
            kept_places = _keep_longest(places)
        for s, e, spec in kept_places:
            code, name = names[spec.target or ""]
            tally = tallies.get(code)
            if tally is None or place_rows is not None:
                os_, oe = span(s, e)
                sentence = sentences.around(os_, oe)
                if tally is None:
                    tally = tallies[code] = CountryTally(
                        code, name, offset + os_, sentence
                    )
                if place_rows is not None:
                    place_rows.append(
                        (
                            code,
                            name,
                            spec.alias,
                            spec.language,
                            chunk[os_:oe],
                            offset + os_,
                            offset + oe,
                            sentence,
                        )
                    )
            tally.count += 1
            tally.aliases[spec.alias] = None

        code_rows = result.code_rows
        for s, e, rule, label_span, digits in code_hits:
            os_, oe = span(s, e)
            label = ""
            if label_span is not None:
                ls, le = span(*label_span)
                label = " ".join(chunk[ls:le].split())
            code_rows.append(
                (
                    chunk[os_:oe],
                    digits,
                    format_code(digits),
                    rule,
                    label,
                    offset + os_,
                    offset + oe,
                    sentences.around(os_, oe),
                )
            )

    def goods_names(self, text: str) -> list[tuple[str, str]]:
        """The strong goods mentions of a short text, as ``tracker scan`` finds them.

        The one goods-name matcher for short texts (the description cells of
        ``tracker screen``): (alias as written in categories.yml, category key)
        pairs in text order, each pair once. Weak words, codes and countries
        are not looked for.
        """
        if text == "":
            return []
        folded = Folded.of(text)
        goods, _, traps = self._collect(folded.text)
        if not goods:
            return []
        found: dict[tuple[str, str], None] = {}
        for _, _, spec in _kept_goods(text, folded, goods, traps):
            if spec.kind == "strong" and spec.target is not None:
                found[(spec.alias, spec.target)] = None
        return list(found)

    def scan_chunk(
        self, chunk: str, offset: int = 0
    ) -> tuple[list[Mention], list[CodeMention], list[CountryMention]]:
        """Scan one piece of text; offsets in the findings are ``offset`` + position.

        Returns:
            Goods mentions, codes and country mentions, each in text order.
        """
        result = ScanResult(place_rows=[])
        self._scan_into(chunk, offset, result)
        return (
            list(result.mentions),
            list(result.codes),
            list(result.country_mentions),
        )

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
        self,
        pieces: Iterable[str] | str,
        *,
        chunk_size: int = CHUNK_CHARS,
        country_mentions: bool = True,
        workers: int = 1,
        encode_goods: GoodsEncoder | None = None,
    ) -> ScanResult:
        """Scan a whole text (a string or its pieces) and collect the findings.

        Args:
            pieces: the text, or an iterable of consecutive pieces of it.
            chunk_size: characters scanned at a time (cut at a sentence end).
            country_mentions: keep every country mention (with its sentence);
                False only counts them (``ScanResult.countries()``), which
                is all the JSON and the terminal show.
            workers: scan in this many processes (forked, where the platform
                can) when the text has more than one chunk; the findings are
                the same as with one.
            encode_goods: turn each chunk's goods mentions into bytes where
                they are found (in the worker processes too): the result
                holds the blocks (``goods_blocks``), not the rows, for an
                output that needs nothing else of them (the JSON).

        Returns:
            A ScanResult with goods mentions, codes and countries in text order;
            offsets count characters of the text (after HTML is reduced to text).
        """
        source = [pieces] if isinstance(pieces, str) else pieces
        result = ScanResult(
            place_rows=[] if country_mentions else None,
            goods_blocks=None if encode_goods is None else [],
        )
        total = 0
        # The findings are tuples of strings and numbers (no reference cycles),
        # and a dense text has hundreds of thousands: the collector would
        # re-walk them again and again (a third of the scan time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            chunks = iter_chunks(source, chunk_size)
            first = next(chunks, None)
            second = next(chunks, None) if first is not None else None
            # A text of more than one chunk is folded with NumPy (see
            # tracker.text.code_points); the tables are built once, here.
            arrays = second is not None
            if arrays:
                _prepare_fold_tables(self.catalog)
                self._for_long_text()
            if second is None or workers <= 1 or not can_fork():
                for offset, chunk in itertools.chain(
                    [c for c in (first, second) if c is not None], chunks
                ):
                    if encode_goods is None:
                        self._scan_into(chunk, offset, result, arrays)
                    else:
                        result.merge(
                            _scan_part(
                                self,
                                chunk,
                                offset,
                                result.place_rows is not None,
                                arrays,
                                encode_goods,
                            )
                        )
                    total = offset + len(chunk)
            else:
                assert first is not None
                total = self._scan_in_workers(
                    itertools.chain([first, second], chunks),
                    result,
                    workers,
                    encode_goods,
                )
        finally:
            if collecting:
                gc.enable()
        result.characters = total
        return result

    def _scan_in_workers(
        self,
        chunks: Iterable[tuple[int, str]],
        result: ScanResult,
        workers: int,
        encode_goods: GoodsEncoder | None,
    ) -> int:
        """Scan chunks in forked worker processes; merge in text order.

        Returns the characters scanned.
        """
        detail = result.place_rows is not None
        total = 0

        def tasks() -> Iterator[tuple[str, int]]:
            nonlocal total
            for offset, chunk in chunks:
                total = offset + len(chunk)
                yield chunk, offset

        def work(task: tuple[str, int]) -> ScanResult:
            gc.disable()
            return _scan_part(self, task[0], task[1], detail, True, encode_goods)

        for part in forked_map(work, tasks(), workers):
            result.merge(part)
        return total

    def aliases(
        self, kinds: Iterable[SpecKind] = ("strong", "weak", "country")
    ) -> list[str]:
        """Return the aliases of these kinds (default: all but traps; for benchmarks)."""
        wanted = set(kinds)
        return [s.alias for s in self._specs if s.kind in wanted]


#: What a key that starts with a CJK character may be made of: it is looked
#: for in CJK words, runs of a CJK character and word characters after it.
_CJK_KEY = re.compile(f"[{CJK_CHARS}\\w]+")
_CJK_CHAR = re.compile(f"[{CJK_CHARS}]")

#: An automaton's search: (key index, start, end) of every key occurrence,
#: overlapping ones too, in order of end and, of one end, longest first.
_Finder = Callable[..., list[tuple[int, int, int]]]
#: What a key stands for: its aliases, the one alias confirmed inline (if
#: any), the filter of aliases with a lead, and the first plain alias.
_KeyValue = tuple[
    tuple["_Spec", ...], "_Spec | None", "_LeadFilter | None", "_Spec | None"
]


def _finder(keys: list[str], dense: bool = False) -> _Finder:
    """The overlapping search of an Aho-Corasick automaton of ``keys`` (a DFA if ``dense``)."""
    kind = ahocorasick_rs.Implementation
    automaton = ahocorasick_rs.AhoCorasick(
        keys, implementation=kind.DFA if dense else kind.ContiguousNFA
    )
    find: _Finder = automaton.find_matches_as_indexes
    return find


def _scan_part(
    scanner: Scanner,
    chunk: str,
    offset: int,
    detail: bool,
    arrays: bool,
    encode_goods: GoodsEncoder | None,
) -> ScanResult:
    """The findings of one chunk, with its goods mentions encoded if asked."""
    part = ScanResult(place_rows=[] if detail else None)
    scanner._scan_into(chunk, offset, part, arrays)
    if encode_goods is not None:
        part.encode_goods(encode_goods)
    return part


def _first_plain(specs: list[_Spec]) -> _Spec | None:
    """The alias that stands for all of a key's aliases where they all match the key.

    When every alias behind a key is plain (it matches just the key when no
    word character follows) and of one kind, target and rank, none written
    as it must be (case-sensitive), they find the same span for the same
    thing, and of such hits _keep_longest keeps the first only (the trap
    phrases and the case check treat them alike). Returns that first alias,
    or None. (China, Iran, Belarus: their English and German names.)
    """
    head = specs[0]
    if head.kind == "trap":
        return None
    for spec in specs:
        if (
            not spec.plain
            or spec.case_sensitive
            or spec.kind != head.kind
            or spec.target != head.target
            or spec.rank != head.rank
        ):
            return None
    return head


#: For the aliases with a lead behind one key: ``search`` of a regex of their
#: first-word stems, the longest lead and the longest stem (see _lead_filter);
#: and the key's other aliases, in order.
_LeadFilter = tuple[
    Callable[[str, int, int], re.Match[str] | None], int, int, tuple[_Spec, ...]
]


def _lead_filter(specs: list[_Spec]) -> _LeadFilter | None:
    """One search that tells whether any alias with a lead behind a key may match.

    :func:`_match_before` looks for a first-word stem that starts at most
    ``lead`` characters before the key and before it; when no stem of any of
    these aliases occurs in the widest such window, none of them matches
    (one search instead of one per alias: nine trap phrases end in "machine").
    """
    stems = sorted({st for s in specs if s.lead for st in s.pattern.first}, key=len)
    if not stems:
        return None
    regex = re.compile("|".join(re.escape(st) for st in reversed(stems)))
    lead = max(s.lead for s in specs if s.lead)
    return regex.search, lead, len(stems[-1]), tuple(s for s in specs if not s.lead)


def _match_before(spec: _Spec, folded: str, key_start: int) -> re.Match[str] | None:
    """Match an alias whose key word starts at ``key_start``, from a word start before it.

    The word start nearest the key wins. Only where the alias's first word
    starts can the alias start, so only those places are tried.
    """
    lo = max(0, key_start - spec.lead)
    starts: list[int] = []
    for stem in spec.pattern.first:
        # Occurrences that start before the key (they may reach into it).
        stop = key_start - 1 + len(stem)
        i = folded.find(stem, lo, stop)
        while i >= 0:
            if i == 0 or not folded[i - 1].isalnum():
                starts.append(i)
            i = folded.find(stem, i + 1, stop)
    if not starts:
        return None
    match = spec.match or _matcher(spec)
    for i in sorted(set(starts), reverse=True):
        if folded[i].isalnum():
            m = match(folded, i)
            if m is not None and m.end() > key_start:
                return m
    return None


def _kept_goods(
    chunk: str, folded: Folded, goods: list[_RawHit], traps: list[_Hit]
) -> list[_Hit]:
    """The goods hits that count: case-sensitive aliases as written, not in a
    trap phrase, and not inside a longer (or equal to a stronger) hit."""
    span = folded.original_span
    kept: list[_RawHit] = []
    traps.sort(key=lambda t: (t[0], t[1]))
    trap_starts = [t[0] for t in traps]
    longest_trap = max((e - s for s, e, _ in traps), default=0)
    for hit in goods:
        s, neg, _, _, spec = hit
        if spec.case_sensitive and not chunk.startswith(
            spec.alias, span(s, s - neg)[0]
        ):
            continue
        if traps and _trapped(s, s - neg, spec, traps, trap_starts, longest_trap):
            continue
        kept.append(hit)
    return _keep_longest(kept)


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


def _apart(hits: list[_RawHit]) -> bool:
    """Return True when each hit starts at or after the end of the one before.

    (And none is empty.) Then _keep_longest keeps them all, in this order
    (the order it sorts them in, where they are sorted).
    """
    end = 0
    for hit in hits:
        start = hit[0]
        if start < end or hit[1] >= 0:
            return False
        end = start - hit[1]
    return True


def _keep_longest(hits: list[_RawHit]) -> list[_Hit]:
    """Drop hits inside a longer hit, or equal to a stronger one; keep text order."""
    hits.sort()
    kept: list[_Hit] = []
    append = kept.append
    # Hits of one span are neighbours once sorted: the ones kept of the
    # current span [group_start, group_end). The kept hit that reaches
    # furthest (the first to reach max_end) starts at max_start. Plain
    # numbers rather than tuples: this runs once per hit.
    group: list[_Spec] = []
    group_start = group_end = -1
    max_start = max_end = -1
    for s, neg, rank, _, spec in hits:
        e = s - neg
        if e <= max_end and (e != max_end or s != max_start):
            continue
        if s == group_start and e == group_end:
            if any(k.rank < rank or k.target == spec.target for k in group):
                continue
            group.append(spec)
        else:
            group = [spec]
            group_start, group_end = s, e
        append((s, e, spec))
        if e > max_end:
            max_start, max_end = s, e
    return kept


#: Per catalogue: the scanner and where the text-folding tables are kept.
_SCANNERS: dict[int, tuple[Catalog, Scanner, tuple[Path, bytes] | None]] = {}


def _scanner_for(catalog: Catalog) -> Scanner:
    cached = _SCANNERS.get(id(catalog))
    if cached is not None and cached[0] is catalog:
        return cached[1]
    from tracker import catalog_cache

    # Kept between runs while neither the datasets (of a catalogue loaded
    # from them) nor tracker's code change.
    root = catalog.path.resolve()
    sources = catalog_cache.source_digest()
    key = (
        catalog_cache.code_digest(catalog.files_digest, sources)
        if catalog.files_digest is not None
        else None
    )
    kept = catalog_cache.read_object(root, key, "scanner") if key else None
    if isinstance(kept, Scanner):
        scanner = kept
        scanner.catalog = catalog
    else:
        countries = load_countries(catalog.path)
        rules = load_scan_rules(catalog.path, catalog.categories)
        scanner = Scanner(catalog, countries, rules)
        if key:
            catalog_cache.write_object(root, key, scanner, "scanner")
    # The text-folding tables an earlier run kept (see _prepare_fold_tables);
    # else the class of special characters alone, all that short texts need
    # (kept by the first run that finds none).
    where = _fold_cache(catalog, sources)
    if where is not None:
        tables = use_fold_tables(catalog_cache.read_object(*where, "fold"))
        if not tables and not use_special_chars(
            catalog_cache.read_object(*where, "special")
        ):
            catalog_cache.write_object(*where, special_chars_form(), "special")
    _SCANNERS[id(catalog)] = (catalog, scanner, where)
    return scanner


def _fold_cache(
    catalog: Catalog, sources: bytes | None = None
) -> tuple[Path, bytes] | None:
    """Where the text-folding tables are kept: (folder key, digest), or None.

    They depend on Python's Unicode data and tracker's code, not on the
    datasets: the digest is of Python's version and byte order and of
    tracker's source files (``sources``: their digest, if at hand).
    """
    import hashlib
    import sys

    from tracker import catalog_cache

    base = hashlib.sha256(f"{sys.version}|{sys.byteorder}".encode()).digest()
    key = catalog_cache.code_digest(base, sources)
    return None if key is None else (catalog.path.resolve(), key)


def _prepare_fold_tables(catalog: Catalog) -> None:
    """Build the tables of code-point folding now (before forking workers).

    Built once (about 0.2 s) and kept in the cache for later runs; read back
    when the scanner was (``_scanner_for``, which also worked out where).
    """
    kept = fold_tables_kept()
    prepare_code_point_tables()
    if kept:
        return
    known = _SCANNERS.get(id(catalog))
    where = known[2] if known is not None and known[0] is catalog else None
    if where is None:
        where = _fold_cache(catalog)
    if where is not None:
        from tracker import catalog_cache

        catalog_cache.write_object(*where, fold_tables(), "fold")


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
