"""Text decoding: guess the encoding of a file's first bytes."""

from __future__ import annotations

import codecs

from tracker.exc import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings tried when the input is not UTF-8, in the order the
# supported languages make likely (Russian/Ukrainian, Chinese, Western).
_LEGACY = ("cp1251", "gb18030", "koi8_r", "big5", "cp1252")
#: Bytes handed to charset-normalizer.
_GUESS_BYTES = 200_000


def _is_utf16_without_bom(sample: bytes) -> str | None:
    """Return utf-16-le/-be when every other byte is NUL (ASCII-heavy UTF-16)."""
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def try_decode(sample: bytes, encoding: str) -> str | None:
    """Return ``sample`` decoded, or None if it is not ``encoding`` text.

    An incomplete character at the very end (a sample cut mid-character) is
    not an error; it is left out of the text.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return None


def _legacy_score(text: str) -> float:
    """Share of the non-ASCII characters that are letters of a supported script."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 1.0
    good = sum(
        1
        for c in non_ascii
        if "\u0400" <= c <= "\u04ff"
        or "\u4e00" <= c <= "\u9fff"
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
        or c in "äöüßÄÖÜéèàçñ«»–—“”„’"
    )
    return good / len(non_ascii)


def detect_encoding(sample: bytes, *, name: str = "input") -> str:
    """Guess the encoding of the first bytes of a text.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a mark;
    UTF-8; then charset-normalizer, checked against the legacy encodings of
    the supported languages (cp1251, GB18030, KOI8-R, Big5, cp1252).

    Raises:
        InputError: the bytes are not text in any known encoding.
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    utf16 = _is_utf16_without_bom(sample[:4096])
    if utf16 is not None:
        return utf16
    if b"\x00" in sample:
        raise InputError(
            f"{name}: looks like a binary file (NUL bytes), not text; "
            "pass --encoding if it is text"
        )
    if try_decode(sample, "utf-8") is not None:
        return "utf-8"
    import charset_normalizer

    # Bounded: the CSV reader hands in samples of 1 MB.
    best = charset_normalizer.from_bytes(
        sample[:_GUESS_BYTES], cp_isolation=list(_LEGACY)
    ).best()
    candidates: list[str] = []
    if best is not None:
        candidates.append(str(best.encoding))
    candidates.extend(e for e in _LEGACY if e not in candidates)
    scored: list[tuple[float, int, str]] = []
    for rank, encoding in enumerate(candidates):
        text = try_decode(sample, encoding)
        if text is not None:
            scored.append((_legacy_score(text), -rank, encoding))
    if scored:
        score, _, encoding = max(scored)
        if score >= 0.6:
            return encoding
    raise InputError(
        f"{name}: cannot tell the text encoding (not UTF-8, UTF-16, cp1251 or "
        "GB18030); pass --encoding"
    )


def check_encoding(encoding: str) -> str:
    """Return the codec name of ``encoding``, or raise InputError if unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
