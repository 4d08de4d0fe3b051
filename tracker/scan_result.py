"""What a text scan found: goods mentions, codes and countries (tracker.scanning)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from operator import itemgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker.code_mentions import CodeRule

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


class Mention(BaseModel):
    """A goods mention: which words named which category, where."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

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

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

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

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

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

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    iso2: str
    name: str
    count: int
    #: Distinct aliases that fired, in order of first appearance.
    aliases: tuple[str, ...]
    first_start: int
    first_sentence: str


#: A goods mention's fields that come from its alias: category, title, HS
#: codes, alias, language, rule, strength (see :class:`Mention`).
GoodsInfo = tuple[
    str | None, str | None, tuple[str, ...], str, str, MentionRule, Strength
]
#: A goods mention as found: its alias's GoodsInfo, text, start, end, sentence.
GoodsRow = tuple[GoodsInfo, str, int, int, str]
#: Turns the goods rows of one chunk into bytes (``Scanner.scan(encode_goods=...)``).
GoodsEncoder = Callable[[list[GoodsRow]], bytes]
#: A code as found: the fields of :class:`CodeMention`, in order.
CodeRow = tuple[str, str, str, CodeRule, str, int, int, str]
#: A country mention as found: the fields of :class:`CountryMention`, in order.
PlaceRow = tuple[str, str, str, str, str, int, int, str]


class CountryTally:
    """How often a text names one country, by which aliases, first where."""

    __slots__ = ("iso2", "name", "count", "aliases", "first_start", "first_sentence")

    def __init__(self, iso2: str, name: str, first_start: int, sentence: str) -> None:
        self.iso2 = iso2
        self.name = name
        self.count = 0
        #: Distinct aliases that fired, in order of first appearance.
        self.aliases: dict[str, None] = {}
        self.first_start = first_start
        self.first_sentence = sentence


class ScanResult:
    """Everything found in a text, in text order.

    A dense text has hundreds of thousands of findings, so they are kept as
    plain tuples (``goods_rows``, ``code_rows``) and countries as counts
    (``tallies``); the models (:class:`Mention`, :class:`CodeMention`,
    :class:`CountryMention`) are built on first access.
    """

    def __init__(
        self,
        *,
        goods_rows: list[GoodsRow] | None = None,
        code_rows: list[CodeRow] | None = None,
        tallies: dict[str, CountryTally] | None = None,
        place_rows: list[PlaceRow] | None = None,
        characters: int = 0,
        goods_blocks: list[bytes] | None = None,
    ) -> None:
        self.goods_rows: list[GoodsRow] = goods_rows if goods_rows is not None else []
        #: The goods mentions as a GoodsEncoder wrote them, a block per chunk in
        #: text order, or None: they are the goods_rows.
        self.goods_blocks = goods_blocks
        #: With goods_blocks: the distinct GoodsInfo of the encoded mentions, in
        #: order of first mention, and how many mentions there were.
        self.goods_infos: dict[GoodsInfo, None] = {}
        self.goods_count = 0
        self.code_rows: list[CodeRow] = code_rows if code_rows is not None else []
        #: Countries by ISO alpha-2 (upper case), in order of first mention.
        self.tallies: dict[str, CountryTally] = tallies if tallies is not None else {}
        #: Every country mention, or None when the scan only counted them.
        self.place_rows = place_rows
        #: Characters scanned.
        self.characters = characters

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScanResult):
            return NotImplemented
        return (
            self.goods_rows == other.goods_rows
            and self.code_rows == other.code_rows
            and self.countries() == other.countries()
            and self.place_rows == other.place_rows
            and self.characters == other.characters
            and self.goods_blocks == other.goods_blocks
            and list(self.goods_infos) == list(other.goods_infos)
            and self.goods_count == other.goods_count
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def encode_goods(self, encode: GoodsEncoder) -> None:
        """Turn the goods rows into a block of bytes (goods_blocks); keep their infos."""
        rows = self.goods_rows
        if self.goods_blocks is None:
            self.goods_blocks = []
        if rows:
            self.goods_blocks.append(encode(rows))
            self.goods_infos.update(dict.fromkeys(_distinct_infos(rows)))
            self.goods_count += len(rows)
        self.goods_rows = []

    def merge(self, part: ScanResult) -> None:
        """Append the findings of the text that follows (offsets already global)."""
        self.goods_rows.extend(part.goods_rows)
        if part.goods_blocks is not None:
            if self.goods_blocks is None:
                self.goods_blocks = []
            self.goods_blocks.extend(part.goods_blocks)
            self.goods_infos.update(part.goods_infos)
            self.goods_count += part.goods_count
        self.code_rows.extend(part.code_rows)
        if self.place_rows is not None and part.place_rows is not None:
            self.place_rows.extend(part.place_rows)
        for iso2, tally in part.tallies.items():
            have = self.tallies.get(iso2)
            if have is None:
                self.tallies[iso2] = tally
            else:
                have.count += tally.count
                have.aliases.update(tally.aliases)

    @cached_property
    def mentions(self) -> tuple[Mention, ...]:
        """Goods mentions in text order.

        Raises:
            ValueError: the text was scanned with ``encode_goods``.
        """
        if self.goods_blocks is not None:
            raise ValueError(
                "the goods mentions were encoded; scan without encode_goods"
            )
        return tuple(
            Mention(
                category=info[0],
                category_title=info[1],
                hs_codes=info[2],
                alias=info[3],
                language=info[4],
                rule=info[5],
                strength=info[6],
                text=text,
                start=start,
                end=end,
                sentence=sentence,
            )
            for info, text, start, end, sentence in self.goods_rows
        )

    @cached_property
    def codes(self) -> tuple[CodeMention, ...]:
        """Codes in text order."""
        return tuple(
            CodeMention(
                code=code,
                normalised=digits,
                display=display,
                rule=rule,
                label=label,
                start=start,
                end=end,
                sentence=sentence,
            )
            for code, digits, display, rule, label, start, end, sentence in (
                self.code_rows
            )
        )

    @cached_property
    def country_mentions(self) -> tuple[CountryMention, ...]:
        """Every country mention in text order.

        Raises:
            ValueError: the text was scanned with ``country_mentions=False``.
        """
        if self.place_rows is None:
            raise ValueError(
                "country mentions were only counted; scan with country_mentions=True"
            )
        return tuple(
            CountryMention(
                iso2=iso2,
                name=name,
                alias=alias,
                language=language,
                text=text,
                start=start,
                end=end,
                sentence=sentence,
            )
            for iso2, name, alias, language, text, start, end, sentence in (
                self.place_rows
            )
        )

    def countries(self) -> list[CountryCount]:
        """Return each country named, in order of first mention, with counts."""
        return [
            CountryCount(
                iso2=t.iso2,
                name=t.name,
                count=t.count,
                aliases=tuple(t.aliases),
                first_start=t.first_start,
                first_sentence=t.first_sentence,
            )
            for t in self.tallies.values()
        ]

    def categories(self, *, include_weak: bool = False) -> list[str]:
        """Return the category keys mentioned, in order of first mention."""
        infos = (
            list(self.goods_infos)
            if self.goods_blocks is not None
            else _distinct_infos(self.goods_rows)
        )
        keys = [
            info[0]
            for info in infos
            if info[0] is not None and (include_weak or info[6] == "strong")
        ]
        return list(dict.fromkeys(keys))

    def code_values(self) -> list[str]:
        """Return the normalised codes found, in order of first mention."""
        return list(dict.fromkeys(row[1] for row in self.code_rows))


def _distinct_infos(rows: list[GoodsRow]) -> list[GoodsInfo]:
    """The GoodsInfo of the rows, each once, in order of first use.

    The rows of an alias share its info tuple (one per alias and chunk): the
    distinct ones, by identity, at C speed (a dense text has hundreds of
    thousands of rows and a few hundred infos). Equal infos of two chunks
    may both be returned.
    """
    infos = list(map(itemgetter(0), rows))
    return list(dict(zip(map(id, infos), infos, strict=True)).values())
