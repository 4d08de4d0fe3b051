"""tracker: check goods against sourced export-control and sanctions lists."""

from tracker.__about__ import __version__
from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.lookup import lookup_code, lookup_codes
from tracker.matching import match_category, match_code

__all__ = [
    "Catalog",
    "__version__",
    "load_catalog",
    "lookup_code",
    "lookup_codes",
    "match_category",
    "match_code",
    "validate_datasets",
]
