"""tracker: check goods against sourced export-control and sanctions lists."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracker.__about__ import __version__

if TYPE_CHECKING:
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

# Each public name -> the module that defines it. Imported on first use, so that
# `tracker --version` and `tracker --help` do not pay for pandas or pyarrow.
_LAZY = {
    "Catalog": "tracker.catalog",
    "load_catalog": "tracker.catalog",
    "validate_datasets": "tracker.catalog",
    "list_act_changes": "tracker.changes",
    "list_changes": "tracker.changes",
    "check_items": "tracker.checking",
    "resolve_item": "tracker.checking",
    "lookup_code": "tracker.lookup",
    "lookup_codes": "tracker.lookup",
    "match_category": "tracker.matching",
    "match_code": "tracker.matching",
    "scan_text": "tracker.scanning",
    "screen_frame": "tracker.screening",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
