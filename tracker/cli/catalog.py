"""`tracker lists` and `tracker items`: what the catalogue holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.cli.options import FormatOpt, OutputFormat

if TYPE_CHECKING:
    from tracker.catalog import Catalog

_LIST_COLUMNS = [
    "key",
    "title",
    "version",
    "as_of",
    "covers_from",
    "entries",
    "official",
    "secondary",
    "unverified",
    "hs_version",
    "url",
]


def list_records(catalog: Catalog) -> list[dict[str, Any]]:
    """Return one summary dict per list."""
    out = []
    for key, meta in catalog.lists.items():
        entries = catalog.entries_of(key)
        levels = catalog.verification_counts(key)
        out.append(
            {
                "key": key,
                "title": meta.title,
                "version": meta.version,
                "as_of": meta.as_of.isoformat(),
                "covers_from": meta.covers_from.isoformat()
                if meta.covers_from
                else None,
                "entries": len(entries),
                "official": levels["official"],
                "secondary": levels["secondary"],
                "unverified": levels["unverified"],
                "hs_version": meta.hs_version,
                "url": meta.url,
                "coverage_gap": meta.coverage_gap,
            }
        )
    return out


def lists(fmt: FormatOpt = OutputFormat.table) -> None:
    """List the bundled control lists with version, date and verification counts.

    \b
    Examples:
        tracker lists
        tracker lists --format json
    """
    from tracker.catalog import load_catalog
    from tracker.report.console import emit_csv, emit_json, make_table, stdout_console

    records = list_records(load_catalog())
    if fmt is OutputFormat.json:
        emit_json(records)
    elif fmt is OutputFormat.csv:
        emit_csv(records, _LIST_COLUMNS)
    else:
        cols = [
            "key",
            "title",
            "version",
            "as_of",
            "entries",
            "official",
            "secondary",
            "unverified",
        ]
        stdout_console().print(
            make_table("Bundled lists", cols, ([r[c] for c in cols] for r in records))
        )


_ITEM_COLUMNS = ["key", "title", "parent", "depth", "hs_codes", "aliases"]


def item_records(catalog: Catalog) -> list[dict[str, Any]]:
    """Return the category tree depth-first, one dict per category."""
    roots = [c.key for c in catalog.categories.values() if c.parent is None]
    out: list[dict[str, Any]] = []
    for root in roots:
        for key in catalog.category_descendants(root):
            cat = catalog.categories[key]
            depth = 0
            parent = cat.parent
            while parent is not None:
                depth += 1
                parent = catalog.categories[parent].parent
            out.append(
                {
                    "key": key,
                    "title": cat.title,
                    "parent": cat.parent,
                    "depth": depth,
                    "hs_codes": list(cat.hs_codes),
                    "aliases": {lang: list(v) for lang, v in cat.aliases.items()},
                }
            )
    return out


def items(fmt: FormatOpt = OutputFormat.table) -> None:
    """Show the goods categories as a tree, with HS 2022 codes and aliases.

    \b
    Examples:
        tracker items
        tracker items --format json
    """
    from tracker.catalog import load_catalog
    from tracker.hs import format_code
    from tracker.report.console import emit_csv, emit_json, make_table, stdout_console

    records = item_records(load_catalog())
    if fmt is OutputFormat.json:
        emit_json(records)
        return
    if fmt is OutputFormat.csv:
        flat = [
            {
                **r,
                "hs_codes": ";".join(r["hs_codes"]),
                "aliases": "; ".join(
                    f"{lang}: {', '.join(v)}" for lang, v in r["aliases"].items()
                ),
            }
            for r in records
        ]
        emit_csv(flat, _ITEM_COLUMNS)
        return
    rows = (
        [
            "  " * r["depth"] + r["key"],
            r["title"],
            " ".join(format_code(c) for c in r["hs_codes"]),
            ", ".join(
                f"{lang}: {v[0]}"
                for lang, v in r["aliases"].items()
                if v and lang != "en"
            ),
        ]
        for r in records
    )
    stdout_console().print(
        make_table("Item categories", ["category", "title", "HS 2022", "aliases"], rows)
    )
