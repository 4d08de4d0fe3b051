"""Goods names in description cells: the keyword scanner of the screening kernel."""

from __future__ import annotations

from tracker.catalog import Catalog
from tracker.text import nfkc_fold


class KeywordScanner:
    """Goods names in description cells, found by the scanner of ``tracker scan``.

    One goods-name matcher for the whole tool: a description is read as
    ``tracker.scanning.Scanner.goods_names`` reads it (case endings and
    plurals, hyphen or space between words, Traditional Chinese as Simplified,
    the traps of scan_rules.yml), and its strong mentions are reported as
    (folded alias, category key) pairs.
    """

    #: Distinct descriptions remembered across chunks (then forgotten at once).
    CACHE_SIZE = 200_000

    def __init__(self, catalog: Catalog) -> None:
        from tracker.scanning import Scanner

        self._scanner = Scanner.from_catalog(catalog)
        self._cache: dict[str, list[tuple[str, str]]] = {}

    def scan(self, text: str) -> list[tuple[str, str]]:
        """Return (alias, category key) pairs found in ``text``, in text order.

        The alias is the category alias that matched, NFKC-folded and
        case-folded (``микросхема`` for ``Микросхемы``); each pair once.
        """
        found = self._cache.get(text)
        if found is None:
            pairs = self._scanner.goods_names(text)
            found = list(dict.fromkeys((nfkc_fold(a), k) for a, k in pairs))
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = found
        return found

    def describe(self, texts: list[str]) -> list[str]:
        """``tracker_keywords`` of each text: ``alias (category)``, ``; ``-separated."""
        return ["; ".join(f"{w} ({k})" for w, k in self.scan(t)) for t in texts]
