"""The sentence around a span of a chunk, found fast (for tracker.scanning)."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from tracker.text import SENTENCE_WINDOW

if TYPE_CHECKING:
    from tracker.text import CodePoints

# Sentence ends as tracker.text.sentence_at sees them (the mark is kept in the
# sentence): . ! ? … and a space, a dot and a tab, a line break, a CJK stop.
# No two of them overlap, so one left-to-right search finds them all. Written
# to start with one character class, which the regex engine skips to fast
# (three times faster than the plain alternation [.!?…] |\.\t|\n|[。！？]).
_SENTENCE_MARK = re.compile(r"[.!?…\n。！？](?:(?<=[.!?…]) |(?<=\.)\t|(?<=[\n。！？]))")


# The marks by their first character: 1, a stop that a space (or, after a dot,
# a tab) must follow; 2, a mark on its own.
_MARK_KIND = {".": 1, "!": 1, "?": 1, "…": 1, "\n": 2, "。": 2, "！": 2, "？": 2}


def _mark_ends(points: CodePoints) -> Any:
    """Where each _SENTENCE_MARK match ends, from the text's code points.

    The same ends as the regex (no two marks overlap), several times faster
    on a long text. Code points are at most U+FFFF (see code_points).
    """
    import numpy as np

    kinds = np.take(_mark_table(), points)
    at = np.flatnonzero(kinds != 0)  # (on a bool array: four times faster)
    kind = kinds[at]
    # The character after each stop; for one at the very end, itself (no
    # space or tab either).
    after = np.take(points, at + 1, mode="clip")
    alone = kind == 2
    paired = ~alone & ((after == 0x20) | ((points[at] == 0x2E) & (after == 0x09)))
    return np.where(alone, at + 1, at + 2)[alone | paired]


@functools.cache
def _mark_table() -> Any:
    """The mark kind (_MARK_KIND) of every BMP code point, 0 for none."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.uint8)
    for c, kind in _MARK_KIND.items():
        table[ord(c)] = kind
    return table


class SentenceIndex:
    """The sentences of one chunk, as :func:`tracker.text.sentence_at` cuts them.

    The sentence marks are found in one pass on first use; each span's
    sentence is then found by bisection, and each sentence is joined once.
    """

    def __init__(self, text: str, points: CodePoints | None = None) -> None:
        self.text = text
        #: The text's code points (tracker.text.code_points), if at hand: the
        #: marks are then found with NumPy.
        self._points = points
        #: Where each mark ends, in text order (found on first use). A mark
        #: that ends in a space or a tab is two characters, any other one.
        self._ends: list[int] | None = None
        #: The same as an array (with code points only).
        self._end_array: Any = None
        self._cache: dict[tuple[int, int], str] = {}

    def _mark_array(self) -> Any:
        if self._end_array is None:
            assert self._points is not None  # (called only with code points)
            self._end_array = _mark_ends(self._points)
        return self._end_array

    def around_all(self, spans: list[tuple[int, int]]) -> list[str]:
        """Return ``[around(start, end) for start, end in spans]``.

        With the code points at hand, the sentence bounds of all spans are
        found at once (NumPy), as :meth:`around` finds them one by one.
        """
        points = self._points
        if points is None or len(spans) < 32:
            return [self.around(s, e) for s, e in spans]
        import numpy as np

        text = self.text
        size = len(text)
        marks = self._mark_array()
        if not marks.size:
            return [self.around(s, e) for s, e in spans]
        last = marks.size - 1
        pairs = np.array(spans, dtype=np.int64).reshape(-1, 2)
        start = pairs[:, 0]
        end = pairs[:, 1]
        # The last mark that ends at or before `start`, if it starts within
        # the window (a mark that ends in a space or a tab is two characters).
        lo = np.maximum(start - SENTENCE_WINDOW, 0)
        i = np.searchsorted(marks, start, side="right") - 1
        mark_end = marks[np.maximum(i, 0)]
        before = points[np.maximum(mark_end - 1, 0)]
        one = (before != 0x20) & (before != 0x09)
        found = (i >= 0) & ((mark_end - 2 >= lo) | ((mark_end - 1 >= lo) & one))
        begin = np.where(found, mark_end, lo)
        # The first mark that starts at or after `end`, if it ends within it.
        j = np.searchsorted(marks, end, side="right")
        after = marks[np.minimum(j, last)]
        at_end = points[np.minimum(end, size - 1)]
        j += (j <= last) & (after - 1 == end) & ((at_end == 0x20) | (at_end == 0x09))
        after = marks[np.minimum(j, last)]
        hi = np.minimum(end + SENTENCE_WINDOW, size)
        finish = np.where((j <= last) & (after <= hi), after, hi)
        begins: list[int] = begin.tolist()
        # No mark within the window before: the sentence starts after the
        # window's first space (rare: a sentence longer than the window).
        for k in np.flatnonzero(~found & (lo > 0)).tolist():
            space = text.find(" ", begins[k], spans[k][0])
            if space >= 0:
                begins[k] = space + 1
        cache = self._cache
        out: list[str] = []
        for key in zip(begins, finish.tolist(), strict=True):
            sentence = cache.get(key)
            if sentence is None:
                sentence = cache[key] = " ".join(text[key[0] : key[1]].split())
            out.append(sentence)
        return out

    def around(self, start: int, end: int) -> str:
        """Return ``sentence_at(text, start, end)``."""
        text = self.text
        ends = self._ends
        if ends is None:
            ends = self._ends = (
                self._mark_array().tolist()
                if self._points is not None
                else [m.end() for m in _SENTENCE_MARK.finditer(text)]
            )
        # The last mark that ends at or before `start`, if it starts within the window.
        lo = start - SENTENCE_WINDOW if start > SENTENCE_WINDOW else 0
        i = bisect_right(ends, start) - 1
        if i >= 0 and (
            (mark_end := ends[i]) - 2 >= lo
            or (mark_end - 1 >= lo and text[mark_end - 1] not in " \t")
        ):
            begin = mark_end
        else:
            begin = lo
            if lo > 0:
                space = text.find(" ", lo, start)
                begin = space + 1 if space >= 0 else lo
        # The first mark that starts at or after `end`, if it ends within the window.
        j = bisect_right(ends, end, i + 1 if i >= 0 else 0)
        if j < len(ends) and ends[j] - 1 == end and text[end] in " \t":
            j += 1  # a two-character mark that starts before `end`
        hi = end + SENTENCE_WINDOW
        if hi > len(text):
            hi = len(text)
        finish = ends[j] if j < len(ends) and ends[j] <= hi else hi
        key = (begin, finish)
        sentence = self._cache.get(key)
        if sentence is None:
            sentence = self._cache[key] = " ".join(text[begin:finish].split())
        return sentence
