"""The sentence around a span of a chunk, found fast (for tracker.scanning)."""

from __future__ import annotations

import bisect
import re

from tracker.text import SENTENCE_WINDOW

# Sentence ends as tracker.text.sentence_at sees them (the mark is kept in the
# sentence): . ! ? … and a space, a dot and a tab, a line break, a CJK stop.
# No two of them overlap, so one left-to-right search finds them all.
_SENTENCE_MARK = re.compile(r"[.!?…] |\.\t|\n|[。！？]")


class SentenceIndex:
    """The sentences of one chunk, as :func:`tracker.text.sentence_at` cuts them.

    The sentence marks are found in one pass on first use; each span's
    sentence is then found by bisection, and each sentence is joined once.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._ends: list[int] | None = None
        self._cache: dict[tuple[int, int], str] = {}

    def _start(self, i: int) -> int:
        """Where mark ``i`` starts (two characters when it ends in a space or tab)."""
        end = self._ends[i]  # type: ignore[index]
        return end - 2 if self.text[end - 1] in " \t" else end - 1

    def around(self, start: int, end: int) -> str:
        """Return ``sentence_at(text, start, end)``."""
        text = self.text
        ends = self._ends
        if ends is None:
            ends = self._ends = [m.end() for m in _SENTENCE_MARK.finditer(text)]
        # The last mark that ends at or before `start`, if it starts within the window.
        lo = max(0, start - SENTENCE_WINDOW)
        i = bisect.bisect_right(ends, start) - 1
        if i >= 0 and self._start(i) >= lo:
            begin = ends[i]
        else:
            begin = lo
            if lo > 0:
                space = text.find(" ", lo, start)
                begin = space + 1 if space >= 0 else lo
        # The first mark that starts at or after `end`, if it ends within the window.
        hi = min(len(text), end + SENTENCE_WINDOW)
        j = bisect.bisect_right(ends, end)
        if j < len(ends) and self._start(j) < end:
            j += 1  # a two-character mark that starts before `end`
        finish = ends[j] if j < len(ends) and ends[j] <= hi else hi
        key = (begin, finish)
        sentence = self._cache.get(key)
        if sentence is None:
            sentence = self._cache[key] = " ".join(text[begin:finish].split())
        return sentence
