"""tracker: check goods against sourced export-control and sanctions lists."""

from tracker.__about__ import __version__
from tracker.catalog import Catalog, load_catalog, validate_datasets
from tracker.changes import list_act_changes, list_changes
from tracker.checking import check_items, resolve_item
from tracker.lookup import lookup_code, lookup_codes
from tracker.matching import match_category, match_code
from tracker.scanning import scan_text
from tracker.screening import screen_frame

__all__ = [
    "Catalog",
    "__version__",
    "check_items",
    "list_act_changes",
    "list_changes",
    "load_catalog",
    "lookup_code",
    "lookup_codes",
    "match_category",
    "match_code",
    "resolve_item",
    "scan_text",
    "screen_frame",
    "validate_datasets",
]
