"""Alias patterns: names that match with case endings, plurals and hyphens.

An alias (a goods or country name in any supported language) becomes a regular
expression over folded text (``tracker.text.fold``), plus the key stems an
Aho-Corasick automaton looks for before the expression confirms the match.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import cached_property

from tracker.text import fold, is_cjk, is_cyrillic

# Case endings of Russian and Ukrainian nouns and adjectives. A Cyrillic word
# matches when the text has the alias's stem followed by one of these (or by
# nothing) and then a word boundary: нитроцеллюлоз + а/ы/у/ой, станк + и/ов.
_CYRILLIC_ENDINGS = frozenset(
    [
        "а",
        "я",
        "о",
        "е",
        "ы",
        "и",
        "і",
        "ї",
        "у",
        "ю",
        "й",
        "ь",
        "є",
        "ой",
        "ей",
        "ою",
        "ею",
        "ом",
        "ем",
        "ам",
        "ям",
        "ах",
        "ях",
        "ов",
        "ев",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ие",
        "ые",
        "ую",
        "юю",
        "ого",
        "его",
        "ому",
        "ему",
        "ым",
        "им",
        "ых",
        "их",
        "ами",
        "ями",
        "ими",
        "ыми",
        "ів",
        "їв",
        "ій",
        "ої",
        "ім",
        "єю",
        "єм",
        "ям",
        "ові",
        "еві",
        "ях",
        "ом",
        "ою",
        "ої",
        "ий",
        "іх",
    ]
)
# Endings stripped from an alias word to get its stem (longest first).
_CYRILLIC_STRIP = sorted(_CYRILLIC_ENDINGS, key=len, reverse=True)
_ENGLISH_ENDINGS = frozenset(["s", "es"])
_GERMAN_ENDINGS = frozenset(["e", "en", "n", "s", "es", "er", "ern", "em"])
_ACRONYM_ENDINGS = frozenset(["s"])
_MIN_STEM = 3
_SEPARATOR = r"(?:[\s\-\u2010-\u2015/]+|)"
_WORD_SPLIT = re.compile(r"[\s\-\u2010-\u2015]+")
_ACRONYM = re.compile(r"^[^\W\d_a-zа-яёіїєґ.]{2,5}\.?$|^(?:[A-Z]\.){2,3}$")


@dataclass(frozen=True)
class AliasPattern:
    """One alias compiled for matching."""

    #: The alias as written (stripped).
    alias: str
    #: Source of :attr:`regex`.
    pattern: str
    #: The alias as written must appear with this case (acronyms: US, КНДР).
    case_sensitive: bool
    #: Stems of the key word: a hit on one of these is confirmed by ``regex``.
    keys: tuple[str, ...]
    #: At most this many characters of the alias come before its key word
    #: (0: the key is the first word).
    lead: int = 0
    #: Stems of the first word: a match starts with one of them.
    first: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, object]:
        # Kept without the compiled regex (compiled again on first use).
        return {k: v for k, v in self.__dict__.items() if k != "regex"}

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """Match the alias in folded text, at the start of a key stem's word.

        (Or up to ``lead`` characters before the key stem.) Compiled on first
        use: most aliases never occur in a given text, and compiling all of
        them takes longer than scanning a news article.
        """
        return re.compile(self.pattern)


def compile_alias(alias: str, lang: str) -> AliasPattern | None:
    """Compile one alias of language ``lang`` (None when it has no words)."""
    raw = alias.strip()
    if raw == "":
        return None
    # An acronym has capital letters (US, КНДР); a short Chinese name is no
    # acronym: it has no case, and Traditional characters fold to it.
    acronym = _ACRONYM.match(raw) is not None and any(c.isupper() for c in raw)
    folded = fold(raw)
    words = [w for w in _WORD_SPLIT.split(folded) if w != ""]
    if not words:
        return None
    parts = [_word_forms(w, lang, acronym) for w in words]
    pattern = _SEPARATOR.join(_word_regex(p) for p in parts)
    if not is_cjk(folded[-1]):
        pattern += r"(?!\w)"
    lead = 0
    # The key is the most specific word (longest stem), so that "die bonder" or
    # "im Lager" is not tried at every German article; the words before it
    # are confirmed by the pattern, looked for at most `lead` characters back.
    k = max(range(len(parts)), key=lambda i: (min(len(st) for st, _ in parts[i]), -i))
    if k > 0 and min(len(st) for st, _ in parts[k]) > min(
        len(st) for st, _ in parts[0]
    ):
        lead = sum(
            max(len(st) + max((len(e) for e in ends), default=0) for st, ends in part)
            + 4
            for part in parts[:k]
        )
    else:
        k = 0
    keys = tuple(dict.fromkeys(stem for stem, _ in parts[k] if stem != ""))
    first = tuple(dict.fromkeys(stem for stem, _ in parts[0]))
    return AliasPattern(raw, pattern, acronym, keys, lead, first)


def _word_forms(
    word: str, lang: str, acronym: bool
) -> list[tuple[str, frozenset[str]]]:
    """Return (stem, endings) alternatives for one folded alias word."""
    if word == "" or is_cjk(word[0]) or not any(c.isalpha() for c in word):
        return [(word, frozenset())]
    cyrillic = any(is_cyrillic(c) for c in word)
    if acronym:
        return [(word, frozenset() if cyrillic else _ACRONYM_ENDINGS)]
    if cyrillic:
        if len(word) <= 2:
            return [(word, frozenset())]
        stem = word
        if word.endswith(("ние", "тие", "вие", "ние", "нье")):
            stem = word[:-1]
        else:
            for ending in _CYRILLIC_STRIP:
                if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                    stem = word[: -len(ending)]
                    break
        forms = [(stem, _CYRILLIC_ENDINGS)]
        # Fleeting vowel: станок -> станка, станки, станков.
        if re.search(r"[^аеёиоуыэюяіїє](?:ок|ек|ец)$", word) and len(word) >= 5:
            forms.append((word[:-2] + word[-1], _CYRILLIC_ENDINGS))
        return forms
    if lang == "de":
        return [(word, _GERMAN_ENDINGS)]
    if len(word) > 3 and word.endswith("y") and word[-2] not in "aeiou":
        return [(word[:-1], frozenset(["y", "ies"]))]
    return [(word, _ENGLISH_ENDINGS)]


def _word_regex(forms: list[tuple[str, frozenset[str]]]) -> str:
    alts = []
    for stem, endings in forms:
        if endings:
            alts.append(f"{re.escape(stem)}(?:{_endings_regex(endings)})?")
        else:
            alts.append(re.escape(stem))
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


@functools.cache
def _endings_regex(endings: frozenset[str]) -> str:
    """The alternation of a set of endings, longest first.

    Written once per set: the endings of a language are one set, shared by
    all its words (sixty Russian endings in each of hundreds of aliases).
    """
    return "|".join(re.escape(e) for e in sorted(endings, key=len, reverse=True))
