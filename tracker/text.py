"""Text input and normalisation: reading, HTML to text, match folding, sentences."""

from __future__ import annotations

import bisect
import codecs
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeAlias

from tracker.decoding import check_encoding, detect_encoding, try_decode
from tracker.exc import InputError, shown

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    #: The code points of a text, one uint32 a character (see code_points).
    CodePoints: TypeAlias = npt.NDArray[np.uint32]

#: Bytes read to guess an encoding.
SAMPLE_BYTES = 64 * 1024
#: Bytes read from the input at a time.
READ_BYTES = 1024 * 1024
#: Characters handed to the scanner at a time (cut at a sentence end).
CHUNK_CHARS = 1024 * 1024

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_SNIFF = re.compile(
    r"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<div|<p[\s>]|<article)",
    re.IGNORECASE,
)


# --------------------------------------------------------------------- HTML


class _TextExtractor(HTMLParser):
    """Collect the visible text of HTML: no tags, entities decoded."""

    _SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg"})
    _BLOCK = frozenset(
        {
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "tr",
            "td",
            "th",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "section",
            "article",
            "header",
            "footer",
            "blockquote",
            "pre",
            "title",
            "figcaption",
            "dd",
            "dt",
            "hr",
        }
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth == 0:
            self.parts.append(data)

    def take(self) -> str:
        out = "".join(self.parts)
        self.parts = []
        return out


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML document (tags stripped, entities decoded).

    Examples:
        >>> html_to_text("<p>Optics &amp; lasers</p><script>x()</script>")
        '\\nOptics & lasers\\n'
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.take()


def iter_html_text(pieces: Iterable[str]) -> Iterator[str]:
    """Turn HTML arriving in pieces into visible text, piece by piece."""
    parser = _TextExtractor()
    for piece in pieces:
        parser.feed(piece)
        text = parser.take()
        if text:
            yield text
    parser.close()
    text = parser.take()
    if text:
        yield text


def looks_like_html(name: str, head: str) -> bool:
    """Return True for a .html/.htm name or text that starts like an HTML page."""
    if name.lower().endswith(_HTML_SUFFIXES):
        return True
    return _HTML_SNIFF.match(head[:2048]) is not None


# -------------------------------------------------------------------- input


@dataclass
class TextSource:
    """A text being read: its name, encoding, format and decoded pieces."""

    name: str
    encoding: str
    is_html: bool
    pieces: Iterator[str] = field(repr=False)


def _iter_decoded(
    stream: BinaryIO, first: bytes, encoding: str, name: str
) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    consumed = 0
    data = first
    try:
        while True:
            if data == b"":
                tail = decoder.decode(b"", final=True)
                if tail:
                    yield tail
                return
            text = decoder.decode(data)
            consumed += len(data)
            if text:
                yield text
            data = stream.read(READ_BYTES)
    except UnicodeDecodeError as exc:
        at = consumed + exc.start
        raise InputError(
            f"{name}: cannot decode byte {at} as {encoding} ({exc.reason}); "
            "pass --encoding"
        ) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def open_text(path: str, *, encoding: str | None = None) -> TextSource:
    """Open a text file (or ``-`` for stdin) for reading in decoded pieces.

    Detects UTF-8, UTF-16/32 (byte-order mark) and the legacy encodings cp1251
    and GB18030 unless ``encoding`` is given; HTML (by file name or content)
    is reported in ``is_html`` (see :func:`iter_source_text`).

    Raises:
        InputError: the file is missing, a folder, unreadable or not text.
    """
    stream: BinaryIO
    if path == "-":
        name = "<stdin>"
        stream = sys.stdin.buffer
    else:
        p = Path(path)
        name = path
        if not p.exists():
            raise InputError(f"No such file: {shown(path)}")
        if p.is_dir():
            raise InputError(f"{shown(path)} is a folder, not a file")
        try:
            stream = p.open("rb")
        except OSError as exc:
            raise InputError(f"Cannot read {shown(path)}: {exc.strerror}") from None
    first = stream.read(SAMPLE_BYTES)
    if encoding is not None:
        enc = check_encoding(encoding)
    else:
        enc = detect_encoding(first, name=name)
    head = try_decode(first[:4096], enc) or ""
    is_html = looks_like_html(name, head.lstrip("\ufeff"))
    return TextSource(name, enc, is_html, _iter_decoded(stream, first, enc, name))


def iter_source_text(source: TextSource) -> Iterator[str]:
    """Yield the text of a source: HTML reduced to its visible text."""
    if source.is_html:
        return iter_html_text(source.pieces)
    return source.pieces


# Where a chunk may be cut (a sentence end, as in sentence_at): after a line break, after . ! ? and a
# space, or after a CJK full stop.
_CUT = re.compile(r"\n|[.!?]\s|[。！？]")


def iter_chunks(
    pieces: Iterable[str], size: int = CHUNK_CHARS
) -> Iterator[tuple[int, str]]:
    """Regroup text pieces into chunks of about ``size`` characters.

    Chunks end at a sentence end where one exists, so a sentence is not split
    between chunks; yields (offset of the chunk in the whole text, chunk).
    """
    buffer = ""
    offset = 0
    for piece in pieces:
        buffer += piece
        while len(buffer) >= size:
            cut = _last_cut(buffer, size)
            yield offset, buffer[:cut]
            offset += cut
            buffer = buffer[cut:]
    if buffer:
        yield offset, buffer


def _last_cut(text: str, size: int) -> int:
    """Return where to cut: after the last sentence end before ``size``."""
    for window_start in (size - size // 4, 0):
        last = _last_end(text, window_start, size)
        if last > 0:
            return last
    space = text.rfind(" ", 0, size)
    return space + 1 if space > 0 else size


def _last_end(text: str, lo: int, hi: int) -> int:
    """Where the last match of ``_CUT.finditer(text, lo, hi)`` ends (-1: none).

    Searched in growing windows at the end, not from ``lo`` (a chunk's last
    quarter has thousands of sentence ends). A search from ``start`` finds
    the matches of one from ``lo`` but one that starts at ``start - 1`` (a
    stop and a space; no other match reaches over ``start``): that one ends
    at ``start + 1``, and any match found from ``start`` ends there or later,
    so the last end found is the same; with none found, the window grows.
    """
    start = hi
    step = 4096
    while start > lo:
        start = max(lo, start - step)
        last = -1
        for m in _CUT.finditer(text, start, hi):
            last = m.end()
        if last > 0:
            return last
        step *= 4
    return -1


# ------------------------------------------------------------ normalisation


#: The folding tables an earlier run made (``use_fold_tables``): the class of
#: special characters and the fold of every BMP code point.
_KEPT: dict[str, Any] = {}


def fold_tables() -> tuple[str, str, bytes]:
    """The folding tables as plain values, to keep them between runs.

    (Python's Unicode version, the class of special characters, the fold
    table); ``use_fold_tables`` takes them back. Building them costs about
    0.2 s (every BMP code point normalised and case-folded in Python).
    """
    table, _ = _fold_tables()
    return unicodedata.unidata_version, _special_chars().pattern, table.tobytes()


def use_fold_tables(kept: object) -> bool:
    """Fold with tables ``fold_tables`` made in an earlier run; False if they do not fit.

    They fit when they were made by the same Unicode version and are well
    formed; tables already built in this process stay as they are.
    """
    if not (
        isinstance(kept, tuple)
        and len(kept) == 3
        and kept[0] == unicodedata.unidata_version
        and isinstance(kept[1], str)
        and isinstance(kept[2], bytes)
        and len(kept[2]) == 4 * 0x10000
    ):
        return False
    _KEPT["special"], _KEPT["table"] = kept[1], kept[2]
    return True


def special_chars_form() -> tuple[str, str]:
    """The class of special characters as plain values, to keep between runs.

    (Python's Unicode version, the class); ``use_special_chars`` takes them
    back. Short texts (a screened file's descriptions, a checked name) need
    only this class, not the fold table: 40-80 ms to build.
    """
    return unicodedata.unidata_version, _special_chars().pattern


def use_special_chars(kept: object) -> bool:
    """Find special characters with a class ``special_chars_form`` made earlier.

    False if it does not fit (another Unicode version, malformed); a class
    already built in this process stays as it is.
    """
    if not (
        isinstance(kept, tuple)
        and len(kept) == 2
        and kept[0] == unicodedata.unidata_version
        and isinstance(kept[1], str)
        and kept[1].startswith("[")
    ):
        return False
    _KEPT["special"] = kept[1]
    return True


def fold_tables_kept() -> bool:
    """Whether the fold table comes from an earlier run (``use_fold_tables``)."""
    return "table" in _KEPT


@functools.cache
def _special_chars() -> re.Pattern[str]:
    """Characters whose match form is not simply their casefold of length 1."""
    kept = _KEPT.get("special")
    if kept is not None:
        return re.compile(kept)
    codepoints: list[int] = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if (
            unicodedata.normalize("NFKC", c) != c
            or len(c.casefold()) != 1
            or unicodedata.combining(c)
        ):
            codepoints.append(cp)
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    cls = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{cls}]")


def _fold_char(c: str) -> str:
    if unicodedata.combining(c):
        return ""
    return unicodedata.normalize("NFKC", c).casefold()


def nfkc_fold(text: str) -> str:
    """Return ``text`` NFKC-normalised and case-folded, with ё as е.

    The key form of short names (column headers, country names, the goods
    names ``tracker screen`` looks for). Unlike :func:`fold` it keeps
    combining marks and normalises the whole text at once.

    Examples:
        >>> nfkc_fold("Ёлка ＨＳ-Code")
        'елка hs-code'
    """
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def fold(text: str) -> str:
    """Return the match form of a text: NFKC, casefolded, ё as е, no combining marks.

    Examples:
        >>> fold("Нитроцеллюлоза ЁЖ Straße")
        'нитроцеллюлоза еж strasse'
    """
    return Folded.of(text).text


#: Runs of Han ideographs (after NFKC), where Traditional Chinese is read as
#: Simplified (see :func:`_simplified`). Written as one ideograph, then any
#: more: a pattern that starts with a character class is searched for by
#: skipping to that class; one that starts with a repeat is tried at every
#: position (twice as slow on a text that is mostly not Chinese).
_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff]*")


@functools.cache
def _zh_converter() -> Any:
    """OpenCC's Traditional (Taiwan) to Simplified (mainland) converter, phrases too.

    Phrases matter: Taiwan writes 晶片 and 電晶體 where the mainland (and the
    Chinese aliases of categories.yml) write 芯片 and 晶体管. Imported on
    first use: most texts have no Chinese.
    """
    import opencc

    return opencc.OpenCC("tw2sp")


def _simplified(run: str) -> list[tuple[str, int, int]]:
    """``run`` with Traditional Chinese read as Simplified, in pieces.

    Returns (text, offset in ``run``, length in ``run``) pieces that cover
    ``run`` in order; a piece whose text is as long as its part of ``run``
    maps character for character.
    """
    out: list[tuple[str, int, int]] = []
    pos = 0
    convert = _zh_converter().convert
    for m in _HAN_RUN.finditer(run):
        han = m.group()
        simple: str = convert(han)
        if simple == han:
            continue
        if m.start() > pos:
            out.append((run[pos : m.start()], pos, m.start() - pos))
        if len(simple) == len(han):
            out.append((simple, m.start(), len(han)))
        else:
            # A phrase of another length (記憶體 -> 内存): align the two so that
            # only the changed phrase maps as a whole.
            blocks = [(0, len(han), 0, len(simple))]
            if len(han) > 64:
                # Cut a long run where the two agree first (fewer conversions).
                from difflib import SequenceMatcher

                matcher = SequenceMatcher(None, han, simple, autojunk=False)
                blocks = [op[1:] for op in matcher.get_opcodes()]
            for i1, i2, j1, j2 in blocks:
                for part, at, width in _split_phrases(han[i1:i2], simple[j1:j2]):
                    out.append((part, m.start() + i1 + at, width))
        pos = m.end()
    if not out:
        return [(run, 0, len(run))]
    if pos < len(run):
        out.append((run[pos:], pos, len(run) - pos))
    return out


def _split_phrases(han: str, simple: str) -> list[tuple[str, int, int]]:
    """Cut a converted block into the phrases it was converted from, where it can.

    (記憶體晶片 -> 内存芯片: 記憶體 -> 内存 and 晶片 -> 芯片.) Returns (text,
    offset in ``han``, length in ``han``) pieces.
    """
    if len(han) == len(simple):
        return [(simple, 0, len(han))]
    convert = _zh_converter().convert
    for cut in range(1, len(han)):
        head: str = convert(han[:cut])
        if simple.startswith(head) and convert(han[cut:]) == simple[len(head) :]:
            rest = _split_phrases(han[cut:], simple[len(head) :])
            return [(head, 0, cut), *((t, cut + at, w) for t, at, w in rest)]
    return [(simple, 0, len(han))]


@dataclass(frozen=True)
class Folded:
    """A text in match form, with a map back to the original offsets.

    The match form is NFKC, case-folded, ё as е, without combining marks, and
    with Traditional Chinese read as Simplified (OpenCC ``tw2sp``).
    """

    text: str
    #: Sorted folded offsets where a piece starts, with the original offset and
    #: whether the piece is a one-to-one copy (True) or not (one expanded
    #: character, or a Chinese phrase converted to one of another length).
    _starts: tuple[int, ...] = ()
    _origins: tuple[int, ...] = ()
    _identity: tuple[bool, ...] = ()
    #: Length in the original text of each piece.
    _widths: tuple[int, ...] = ()
    #: The code points of ``text``, when it was folded from code points.
    points: CodePoints | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, text: str, points: CodePoints | None = None) -> Folded:
        """Fold ``text``, remembering where each folded character came from.

        ``points`` (from :func:`code_points`) folds a long text a table look-up
        a character: the same result, several times faster.
        """
        if text.isascii():
            # Nothing special, no Han: the casefold of ASCII is its lower case.
            return cls(text.lower())
        if points is not None:
            fast = _fold_points(points)
            if fast is not None:
                return cls(fast[0], points=fast[1])
        special = _special_chars()
        han = _HAN_RUN.search(text) is not None
        if not han and special.search(text) is None:
            return cls(text.casefold().replace("ё", "е"))
        # The common case of a long text (news with a few full-width commas,
        # Chinese that is already Simplified) in bulk: every special character
        # folds to one other character, and OpenCC leaves every Han run as it is.
        singles = {c: _single_fold(c) for c in set(special.findall(text))}
        if None not in singles.values():
            folded = text
            for ch, single in singles.items():
                folded = folded.replace(ch, single)  # type: ignore[arg-type]  # not None
            folded = folded.casefold()
            if not han or all(map(_han_unchanged, set(_HAN_RUN.findall(folded)))):
                return cls(folded.replace("ё", "е"))
        return cls._of_pieces(text, special, han)

    @classmethod
    def _of_pieces(cls, text: str, special: re.Pattern[str], han: bool) -> Folded:
        """Fold ``text`` piece by piece: the general case of :meth:`of`."""
        parts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        identity: list[bool] = []
        widths: list[int] = []
        out_len = 0

        def piece(folded: str, origin: int, width: int) -> None:
            nonlocal out_len
            parts.append(folded)
            starts.append(out_len)
            origins.append(origin)
            identity.append(len(folded) == width)
            widths.append(width)
            out_len += len(folded)

        def run(segment: str, origin: int) -> None:
            # Characters that are not special casefold to one character.
            folded = segment.casefold()
            if han:
                for part, at, width in _simplified(folded):
                    piece(part, origin + at, width)
            else:
                piece(folded, origin, len(folded))

        pos = 0
        for m in special.finditer(text):
            if m.start() > pos:
                run(text[pos : m.start()], pos)
            piece(_fold_char(m.group()), m.start(), 1)
            pos = m.end()
        if pos < len(text):
            run(text[pos:], pos)
        folded_text = "".join(parts).replace("ё", "е")
        if all(identity):
            return cls(folded_text)
        return cls(
            folded_text, tuple(starts), tuple(origins), tuple(identity), tuple(widths)
        )

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the folded text back to the original text."""
        if not self._starts:
            return start, end
        return self._origin(start), self._origin_end(end)

    def _origin(self, pos: int) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return pos
        if self._identity[i]:
            return self._origins[i] + (pos - self._starts[i])
        return self._origins[i]

    def _origin_end(self, end: int) -> int:
        """Where the folded span ending at ``end`` ends in the original text."""
        pos = end - 1
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return end
        if self._identity[i]:
            return self._origins[i] + (pos - self._starts[i]) + 1
        return self._origins[i] + self._widths[i]


@functools.cache
def _single_fold(c: str) -> str | None:
    """The fold of a special character (see :func:`_special_chars`) when it is one character.

    Only a fold that is final (case-folds to itself) and no Han ideograph
    (it would join a run that OpenCC reads): Ｈ -> h, ， -> ,; else None.
    """
    f = _fold_char(c)
    if len(f) == 1 and f.casefold() == f and _HAN_RUN.match(f) is None:
        return f
    return None


#: What a table of _fold_tables holds for a special character.
_SPECIAL = 0xFFFFFFFF


def code_points(text: str) -> CodePoints | None:
    """The code points of ``text`` as an array, or None when one is beyond U+FFFF.

    The fold tables cover the Basic Multilingual Plane (as _special_chars
    does); a text with a character beyond it takes the str path.
    """
    import numpy as np

    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.size and int(points.max()) > 0xFFFF:
        return None
    return points


def prepare_code_point_tables() -> None:
    """Build the tables of code-point folding now (before forking workers).

    The UTF-32 codec that code_points uses is looked up now too: a worker
    would import it after the fork (when the tables come from the cache,
    nothing else in the parent has).
    """
    _fold_tables()
    codecs.lookup("utf-32-le")


@functools.cache
def _fold_tables() -> tuple[CodePoints, Any]:
    """Per BMP code point: its fold and whether it is a Han ideograph.

    The fold of a character that is not special (see _special_chars) is its
    casefold, with ё as е; a special one is _SPECIAL.
    """
    import numpy as np

    han = np.zeros(0x10000, dtype=bool)
    han[0x3400:0x4DC0] = True
    han[0x4E00:0xA000] = True
    kept = _KEPT.get("table")
    if kept is not None:
        return np.frombuffer(kept, dtype=np.uint32), han
    every = "".join(map(chr, range(0x10000)))
    special = np.zeros(0x10000, dtype=bool)
    special[[ord(c) for c in _special_chars().findall(every)]] = True
    # Characters that are not special casefold to one character each.
    plain = "".join(c for c, s in zip(every, special.tolist(), strict=True) if not s)
    folded = plain.casefold().replace("ё", "е")
    table = np.full(0x10000, _SPECIAL, dtype=np.uint32)
    table[~special] = np.frombuffer(
        folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32
    )
    return table, han


def _fold_points(points: CodePoints) -> tuple[str, CodePoints] | None:
    """The fold of a text from its code points (and its own), when it needs no map back.

    Returns None where the text needs the general path of Folded.of: a
    special character that folds to no single character, or Han runs that
    OpenCC would change.
    """
    import numpy as np

    table, han_table = _fold_tables()
    out = np.take(table, points)
    special_at = np.flatnonzero(out == _SPECIAL)
    if special_at.size:
        found = points[special_at]
        # (not np.unique: it imports numpy.ma, 20 ms in each scanning worker)
        for cp in sorted(set(found.tolist())):
            single = _single_fold(chr(cp))
            if single is None:
                return None
            out[special_at[found == cp]] = ord("е" if single == "ё" else single)
    folded = out.tobytes().decode("utf-32-le", "surrogatepass")
    han = np.take(han_table, points)
    if han.any():
        # Specials fold to no Han ideograph and casefold makes none: the runs
        # of the folded text are where the text has them.
        edges = np.flatnonzero(np.diff(han, prepend=False, append=False))
        bounds = edges.tolist()
        runs = {folded[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=True)}
        if not all(map(_han_unchanged, runs)):
            return None
    return folded, out


#: Han runs that OpenCC leaves as they are (True) or changes (False).
_HAN_SEEN: dict[str, bool] = {}


def _han_unchanged(run: str) -> bool:
    """Return True when OpenCC ``tw2sp`` leaves a Han run as it is (memoised)."""
    same = _HAN_SEEN.get(run)
    if same is None:
        if len(_HAN_SEEN) >= 100_000:
            _HAN_SEEN.clear()
        same = _HAN_SEEN[run] = _zh_converter().convert(run) == run
    return same


# ------------------------------------------------------------------ scripts

#: Chinese, Japanese and Korean characters as a regex class body: radicals,
#: ideographs, compatibility ideographs, kana and Hangul syllables.
CJK_CHARS = "\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"


def is_cjk(ch: str) -> bool:
    """Return True for a character of ``CJK_CHARS`` (words need no spaces)."""
    return (
        "\u2e80" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\u3040" <= ch <= "\u30ff"
        or "\uac00" <= ch <= "\ud7af"
    )


def is_cjk_ideograph(ch: str) -> bool:
    """Return True for a CJK unified ideograph (U+4E00 to U+9FFF; cf. ``is_cjk``)."""
    return "\u4e00" <= ch <= "\u9fff"


def is_cyrillic(ch: str) -> bool:
    """Return True for a letter of the basic Cyrillic block (U+0400 to U+04FF)."""
    return "\u0400" <= ch <= "\u04ff"


# ---------------------------------------------------------------- sentences


#: Sentences are looked for at most this many characters around a span.
SENTENCE_WINDOW = 500


# Sentence ends for sentence_at: the end of the mark (kept in the sentence).
_ENDS_BEFORE = (". ", "! ", "? ", "… ", ".\t", "\n", "。", "！", "？")


def sentence_at(text: str, start: int, end: int) -> str:
    """Return the sentence of ``text`` around the span [start, end), on one line.

    A sentence ends at . ! ? … followed by a space, a CJK full stop or a line
    break; a longer sentence is cut at SENTENCE_WINDOW characters either side.

    Examples:
        >>> t = "First. Then optics here! Last"
        >>> sentence_at(t, 12, 18)
        'Then optics here!'
    """
    lo = max(0, start - SENTENCE_WINDOW)
    begin = -1
    for mark in _ENDS_BEFORE:
        at = text.rfind(mark, lo, start)
        if at >= 0:
            begin = max(begin, at + len(mark))
    if begin < 0:
        begin = lo
        if lo > 0:
            space = text.find(" ", lo, start)
            begin = space + 1 if space >= 0 else lo
    hi = min(len(text), end + SENTENCE_WINDOW)
    finish = hi
    for mark in _ENDS_BEFORE:
        at = text.find(mark, end, finish)
        if at >= 0:
            finish = at + len(mark)
    return " ".join(text[begin:finish].split())
