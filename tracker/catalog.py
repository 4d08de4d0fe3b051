"""Load and validate datasets/ into a Catalog (its indexes: tracker.catalog_model)."""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tracker.catalog_model import STALE_AFTER_DAYS, Catalog, CodeHit
from tracker.dataset_yaml import YAMLSyntaxError, read_yaml
from tracker.exc import DatasetError
from tracker.hs import code_system, is_valid_code
from tracker.models import (
    Code,
    ControlEntry,
    ControlList,
    Destination,
    ItemCategory,
    Publisher,
)
from tracker.models.control import ENTRY_COLUMNS
from tracker.problems import Problem
from tracker.settings import datasets_path

__all__ = [
    "BUILT_LIST",
    "DESTINATIONS_FILE",
    "ENTRY_COLUMNS",
    "HS_REFERENCE_FILE",
    "STALE_AFTER_DAYS",
    "Catalog",
    "CodeHit",
    "ValidationReport",
    "build_datasets",
    "load_catalog",
    "stale_builds",
    "validate_datasets",
]

_MULTI = ("thresholds", "keywords", "categories")
_DATES = ("added", "ended", "wind_down_until")
HS_REFERENCE_FILE = "hs2022.csv"
#: Optional file: per destination country, the regimes that restrict exports to it.
DESTINATIONS_FILE = "destinations.yml"


@dataclass
class ValidationReport:
    """All problems found by :func:`validate_datasets`, and what was loaded."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip() != "")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    try:
        return read_yaml(path)
    except (OSError, YAMLSyntaxError) as exc:
        problems.append(
            Problem(_rel(path, root), None, None, f"unreadable YAML: {exc}")
        )
        return None


def _pydantic_problems(
    exc: ValidationError, file: str, row: int | None
) -> Iterator[Problem]:
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or None
        yield Problem(file, row, loc, f"{err['msg']} (value {err.get('input')!r})")


def _load_publishers(root: Path, problems: list[Problem]) -> dict[str, Publisher]:
    out: dict[str, Publisher] = {}
    folder = root / "publishers"
    for path in sorted(folder.glob("*.y*ml")):
        rel = _rel(path, root)
        if path.suffix != ".yml":
            problems.append(Problem(rel, None, None, "use the .yml extension"))
            continue
        data = _read_yaml(path, root, problems)
        if not isinstance(data, dict):
            problems.append(Problem(rel, None, None, "expected a mapping"))
            continue
        try:
            out[path.stem] = Publisher(key=path.stem, **data)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, rel, None))
    return out


def _load_hs_reference(root: Path, problems: list[Problem]) -> dict[str, str]:
    path = root / HS_REFERENCE_FILE
    out: dict[str, str] = {}
    if not path.is_file():
        problems.append(Problem(HS_REFERENCE_FILE, None, None, "file is missing"))
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header != ["code", "description"]:
            problems.append(
                Problem(
                    HS_REFERENCE_FILE,
                    1,
                    None,
                    f"header must be code,description; got {header!r}",
                )
            )
            return out
        for n, row in enumerate(reader, start=2):
            if len(row) != 2:
                problems.append(
                    Problem(
                        HS_REFERENCE_FILE, n, None, f"expected 2 fields, got {len(row)}"
                    )
                )
                continue
            code, text = row[0].strip(), row[1].strip()
            if not (code.isdigit() and len(code) in (2, 4, 6)):
                problems.append(
                    Problem(
                        HS_REFERENCE_FILE,
                        n,
                        "code",
                        f"{code!r} is not a 2-, 4- or 6-digit HS code",
                    )
                )
                continue
            if text == "":
                problems.append(Problem(HS_REFERENCE_FILE, n, "description", "empty"))
            if code in out:
                problems.append(
                    Problem(HS_REFERENCE_FILE, n, "code", f"duplicate code {code!r}")
                )
                continue
            out[code] = text
    return out


def _check_hs_code(
    code: str, ref: dict[str, str], file: str, row: int | None, fld: str
) -> Problem | None:
    if not is_valid_code(code):
        return Problem(
            file, row, fld, f"invalid code {code!r}: expected 2, 4, 6, 8 or 10 digits"
        )
    if len(code) == 2:
        if not any(k.startswith(code) for k in ref):
            return Problem(
                file,
                row,
                fld,
                f"chapter {code!r} has no heading in {HS_REFERENCE_FILE}",
            )
        return None
    key = code[:6] if len(code) >= 6 else code
    if key not in ref:
        return Problem(
            file, row, fld, f"{key!r} is not in {HS_REFERENCE_FILE} (HS 2022 reference)"
        )
    return None


def _load_categories(
    root: Path, ref: dict[str, str], problems: list[Problem]
) -> dict[str, ItemCategory]:
    path = root / "categories.yml"
    rel = "categories.yml"
    out: dict[str, ItemCategory] = {}
    if not path.is_file():
        problems.append(Problem(rel, None, None, "file is missing"))
        return out
    data = _read_yaml(path, root, problems)
    if not isinstance(data, list):
        problems.append(Problem(rel, None, None, "expected a list of categories"))
        return out
    for n, item in enumerate(data, start=1):
        where = f"{rel} item {n}"
        if not isinstance(item, dict):
            problems.append(Problem(where, None, None, "expected a mapping"))
            continue
        raw = dict(item)
        for fld in ("aliases", "weak_aliases"):
            if raw.get(fld) is None:
                raw[fld] = {}
        if raw.get("hs_codes") is None:
            raw["hs_codes"] = []
        raw["hs_codes"] = [str(c) for c in raw["hs_codes"]]
        try:
            cat = ItemCategory(**raw)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, where, None))
            continue
        where = f"{rel} category {cat.key!r}"
        if cat.key in out:
            problems.append(Problem(where, None, "key", "duplicate category key"))
        out[cat.key] = cat
        for code in cat.hs_codes:
            if len(code) not in (4, 6):
                problems.append(
                    Problem(
                        where,
                        None,
                        "hs_codes",
                        f"{code!r}: use 4- or 6-digit HS 2022 codes",
                    )
                )
                continue
            problem = _check_hs_code(code, ref, where, None, "hs_codes")
            if problem is not None:
                problems.append(problem)
    for cat in out.values():
        if cat.parent is not None and cat.parent not in out:
            problems.append(
                Problem(
                    f"{rel} category {cat.key!r}",
                    None,
                    "parent",
                    f"unknown parent {cat.parent!r}",
                )
            )
    # cycles
    for cat in out.values():
        seen = {cat.key}
        parent = cat.parent
        while parent is not None and parent in out:
            if parent in seen:
                problems.append(
                    Problem(
                        f"{rel} category {cat.key!r}", None, "parent", "parent cycle"
                    )
                )
                break
            seen.add(parent)
            parent = out[parent].parent
    return out


def _load_list(
    folder: Path,
    root: Path,
    publishers: dict[str, Publisher],
    problems: list[Problem],
) -> tuple[ControlList | None, list[dict[str, Any]], dict[str, str]]:
    key = folder.name
    meta_path = folder / f"{key}.yml"
    entries_path = folder / "entries.csv"
    hashes: dict[str, str] = {}
    if not meta_path.is_file():
        problems.append(
            Problem(
                _rel(folder, root),
                None,
                None,
                f"missing {key}.yml (file stem must equal the folder name)",
            )
        )
        return None, [], hashes
    rel_meta = _rel(meta_path, root)
    hashes[rel_meta] = _sha256(meta_path)
    data = _read_yaml(meta_path, root, problems)
    meta: ControlList | None = None
    if not isinstance(data, dict):
        problems.append(Problem(rel_meta, None, None, "expected a mapping"))
    else:
        if "key" in data and data["key"] != key:
            problems.append(
                Problem(
                    rel_meta,
                    None,
                    "key",
                    f"key {data['key']!r} differs from folder {key!r}",
                )
            )
        data = {k: v for k, v in data.items() if k != "key"}
        try:
            meta = ControlList(key=key, **data)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, rel_meta, None))
        if meta is not None and meta.publisher not in publishers:
            problems.append(
                Problem(
                    rel_meta, None, "publisher", f"unknown publisher {meta.publisher!r}"
                )
            )
    rows: list[dict[str, Any]] = []
    if not entries_path.is_file():
        problems.append(
            Problem(_rel(entries_path, root), None, None, "file is missing")
        )
        return meta, rows, hashes
    rel_entries = _rel(entries_path, root)
    hashes[rel_entries] = _sha256(entries_path)
    raw_bytes = entries_path.read_bytes()
    if raw_bytes.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(rel_entries, 1, None, "remove the UTF-8 byte-order mark")
        )
    with entries_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != ENTRY_COLUMNS:
            problems.append(
                Problem(
                    rel_entries,
                    1,
                    None,
                    f"header must be {','.join(ENTRY_COLUMNS)}; got {header!r}",
                )
            )
            return meta, rows, hashes
        for n, values in enumerate(reader, start=2):
            if len(values) != len(ENTRY_COLUMNS):
                problems.append(
                    Problem(
                        rel_entries,
                        n,
                        None,
                        f"expected {len(ENTRY_COLUMNS)} fields, got {len(values)}",
                    )
                )
                continue
            row: dict[str, Any] = dict(zip(ENTRY_COLUMNS, values, strict=True))
            row["_row"] = n
            row["_file"] = rel_entries
            rows.append(row)
    return meta, rows, hashes


def _build_entry(
    row: dict[str, Any],
    meta: ControlList,
    ref: dict[str, str],
    problems: list[Problem],
) -> ControlEntry | None:
    file, n = row["_file"], row["_row"]
    clean = {k: row[k].strip() for k in ENTRY_COLUMNS}
    codes: list[Code] = []
    edition = clean.pop("code_edition") or meta.hs_version
    ok = True
    for fld, ex in (("codes", False), ("ex_codes", True)):
        for value in _split(clean.pop(fld)):
            # an HS 2017 code (printed so in an act) is checked for its shape only;
            # hs2017_splits.csv names the codes HS 2022 no longer has
            problem = (
                _check_hs_code(value, ref, file, n, fld)
                if edition != "HS2017" or not is_valid_code(value)
                else None
            )
            if problem is not None:
                problems.append(problem)
                ok = False
                continue
            system = code_system(value, meta.jurisdiction)
            # Every field is already a str (or the bool ex) here, so validation could
            # neither fail nor change a value; model_construct skips that no-op.
            codes.append(
                Code.model_construct(value=value, system=system, edition=edition, ex=ex)
            )
    args: dict[str, Any] = {k: v for k, v in clean.items()}
    for fld in _MULTI:
        args[fld] = _split(args[fld])
    for fld in _DATES:
        if args[fld] == "":
            args[fld] = None
    for fld in ("tier", "covers_list"):
        if args[fld] == "":
            args[fld] = None
    try:
        entry = ControlEntry(list_key=meta.key, codes=tuple(codes), row=n, **args)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, file, n))
        return None
    return entry if ok else None


def _check_entries(
    meta: ControlList,
    entries: list[ControlEntry],
    file: str,
    lists: Iterable[str],
    categories: dict[str, ItemCategory],
    problems: list[Problem],
) -> None:
    seen: dict[str, int] = {}
    list_keys = set(lists)
    for e in entries:
        if e.entry_id in seen:
            problems.append(
                Problem(
                    file,
                    e.row,
                    "entry_id",
                    f"duplicate entry_id {e.entry_id!r} (first on row {seen[e.entry_id]})",
                )
            )
        seen.setdefault(e.entry_id, e.row)
        if e.verdict == "listed-if" and e.condition == "":
            problems.append(
                Problem(file, e.row, "condition", "a listed-if entry needs a condition")
            )
        if e.added is not None and e.ended is not None and e.added > e.ended:
            problems.append(
                Problem(
                    file, e.row, "ended", f"ended {e.ended} is before added {e.added}"
                )
            )
        if e.ended is not None and e.ended_act == "":
            problems.append(
                Problem(
                    file,
                    e.row,
                    "ended_act",
                    "an ended entry needs the act that ended it",
                )
            )
        if e.added is not None and e.added_act == "" and e.verification != "unverified":
            problems.append(
                Problem(file, e.row, "added_act", "say which act added the entry")
            )
        if (
            e.wind_down_until is not None
            and e.added is not None
            and e.wind_down_until < e.added
        ):
            problems.append(
                Problem(
                    file, e.row, "wind_down_until", "wind-down date is before added"
                )
            )
        if meta.tiers and e.tier is not None and e.tier not in meta.tiers:
            problems.append(
                Problem(
                    file,
                    e.row,
                    "tier",
                    f"unknown tier {e.tier!r}; known: {sorted(meta.tiers)}",
                )
            )
        if not meta.tiers and e.tier is not None:
            problems.append(Problem(file, e.row, "tier", "the list defines no tiers"))
        for cat in e.categories:
            if cat not in categories:
                problems.append(
                    Problem(file, e.row, "categories", f"unknown category {cat!r}")
                )
        if e.covers_list is not None and (
            e.covers_list not in list_keys or e.covers_list == meta.key
        ):
            problems.append(
                Problem(file, e.row, "covers_list", f"unknown list {e.covers_list!r}")
            )
        if e.source_url.startswith(("http://", "https://")) is False:
            problems.append(
                Problem(file, e.row, "source_url", f"not a URL: {e.source_url!r}")
            )
        if e.source_ref == "":
            problems.append(Problem(file, e.row, "source_ref", "empty"))
        if e.tier is not None:
            for code in e.codes:
                if not any(
                    code.value.startswith(c)
                    for cat in categories.values()
                    for c in cat.hs_codes
                ):
                    problems.append(
                        Problem(
                            file,
                            e.row,
                            "codes",
                            f"tiered code {code.value!r} belongs to no category",
                        )
                    )
    count = len(entries)
    a = meta.assertions
    if not a.min_entries <= count <= a.max_entries:
        problems.append(
            Problem(
                file,
                None,
                None,
                f"{count} entries; expected {a.min_entries} to {a.max_entries}",
            )
        )


def _load_destinations(
    root: Path, lists: Iterable[str], problems: list[Problem]
) -> dict[str, Destination]:
    path = root / DESTINATIONS_FILE
    out: dict[str, Destination] = {}
    if not path.is_file():
        return out
    data = _read_yaml(path, root, problems)
    if not isinstance(data, dict):
        problems.append(
            Problem(DESTINATIONS_FILE, None, None, "expected a mapping by country")
        )
        return out
    list_keys = set(lists)
    for key, value in data.items():
        where = f"{DESTINATIONS_FILE} country {key!r}"
        if not (isinstance(key, str) and len(key) == 2 and key.isalpha()):
            problems.append(
                Problem(where, None, None, "key must be an ISO alpha-2 code")
            )
            continue
        if key != key.lower():
            problems.append(Problem(where, None, None, "write the key in lower case"))
            continue
        if not isinstance(value, dict):
            problems.append(Problem(where, None, None, "expected a mapping"))
            continue
        try:
            dest = Destination(key=key, **value)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(exc, where, None))
            continue
        for n, regime in enumerate(dest.regimes):
            fld = f"regimes.{n}"
            if not regime.source_url.startswith(("http://", "https://")):
                problems.append(
                    Problem(
                        where,
                        None,
                        f"{fld}.source_url",
                        f"not a URL: {regime.source_url!r}",
                    )
                )
            for lst in regime.lists:
                if lst not in list_keys:
                    problems.append(
                        Problem(where, None, f"{fld}.lists", f"unknown list {lst!r}")
                    )
        out[key] = dest
    return out


def _load(root: Path) -> tuple[Catalog, list[Problem]]:
    problems: list[Problem] = []
    if not (root / "lists").is_dir():
        raise DatasetError(f"{root} has no lists/ folder")
    publishers = _load_publishers(root, problems)
    ref = _load_hs_reference(root, problems)
    categories = _load_categories(root, ref, problems)
    metas: dict[str, ControlList] = {}
    raw_rows: dict[str, list[dict[str, Any]]] = {}
    hashes: dict[str, dict[str, str]] = {}
    for folder in sorted(p for p in (root / "lists").iterdir() if p.is_dir()):
        meta, rows, file_hashes = _load_list(folder, root, publishers, problems)
        hashes[folder.name] = file_hashes
        if meta is not None:
            metas[meta.key] = meta
            raw_rows[meta.key] = rows
    entries: list[ControlEntry] = []
    for key, meta in metas.items():
        built = [
            e
            for e in (_build_entry(r, meta, ref, problems) for r in raw_rows[key])
            if e is not None
        ]
        file = f"lists/{key}/entries.csv"
        _check_entries(meta, built, file, metas, categories, problems)
        entries.extend(built)
    destinations = _load_destinations(root, metas, problems)
    catalog = Catalog(
        path=root,
        publishers=publishers,
        lists=metas,
        entries=tuple(entries),
        categories=categories,
        hs_reference=ref,
        file_hashes=hashes,
        destinations=destinations,
    )
    return catalog, problems


#: The list whose entries.csv ``tracker datasets build`` derives from source tables.
BUILT_LIST = "eu_russia"


def build_datasets(path: Path | None = None) -> tuple[dict[Path, str], list[Problem]]:
    """Derive the built entry files from the source tables (pure, offline).

    Args:
        path: a datasets folder; default: the one in use.

    Returns:
        (target file -> its new text, problems found in the source tables).
        Nothing is written.
    """
    from tracker.annex_build import build_eu_russia

    root = path if path is not None else datasets_path()
    problems: list[Problem] = []
    ref = _load_hs_reference(root, problems)
    categories = _load_categories(root, ref, problems)
    text = build_eu_russia(
        root, ref, {k: c.hs_codes for k, c in categories.items()}, problems
    )
    out: dict[Path, str] = {}
    if text is not None:
        out[root / "lists" / BUILT_LIST / "entries.csv"] = text
    from tracker.uk_build import build_uk_russia
    from tracker.version_build import build_versioned

    uk = build_uk_russia(root, ref, problems)
    if uk is not None:
        out[root / "lists" / "uk_russia" / "entries.csv"] = uk
    out.update(build_versioned(root, problems))
    return out, problems


def stale_builds(path: Path | None = None) -> list[Problem]:
    """Problems in the source tables, and built files that differ from a rebuild."""
    root = path if path is not None else datasets_path()
    built, problems = build_datasets(root)
    for target, text in built.items():
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            problems.append(
                Problem(
                    _rel(target, root),
                    None,
                    None,
                    "differs from the build of the source tables; "
                    "run 'tracker datasets build'",
                )
            )
    return problems


def validate_datasets(path: Path | None = None) -> ValidationReport:
    """Load every file under ``path`` and report every problem found.

    Args:
        path: a datasets folder; default: the one in use (see settings).

    Returns:
        A report whose ``problems`` name file, row and field.
    """
    root = path if path is not None else datasets_path()
    report = ValidationReport(path=root)
    try:
        catalog, problems = _load(root)
    except DatasetError as exc:
        report.problems.append(Problem(str(root), None, None, str(exc)))
        return report
    report.problems.extend(problems)
    # The other dataset files (checked when present). Imported here because those
    # modules use this one's Problem type.
    from tracker.countries import validate_countries
    from tracker.hs_splits import validate_splits
    from tracker.scan_rules import validate_scan_rules

    report.problems.extend(validate_countries(root))
    report.problems.extend(validate_scan_rules(root, catalog.categories))
    report.problems.extend(validate_splits(root))
    report.problems.extend(stale_builds(root))
    report.counts = {
        "lists": len(catalog.lists),
        "entries": len(catalog.entries),
        "categories": len(catalog.categories),
        "hs_codes": len(catalog.hs_reference),
        "publishers": len(catalog.publishers),
    }
    return report


@functools.cache
def _load_cached(root: Path) -> Catalog:
    from tracker import catalog_cache

    key = catalog_cache.digest(root)  # the files as they are before loading
    kept = catalog_cache.read(root, key) if key is not None else None
    if kept is not None:
        kept.files_digest = key
        return kept
    catalog, problems = _load(root)
    if not problems and key is not None:
        catalog_cache.write(root, key, catalog)
        catalog.files_digest = key
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise DatasetError(
            f"invalid datasets in {root}: {shown}{more}; run 'tracker datasets validate'"
        )
    return catalog


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the datasets into a :class:`Catalog` (cached per folder).

    Cached in the process, and between runs in tracker's cache folder while
    no file of the datasets changes (``tracker.catalog_cache``).

    Raises:
        DatasetError: the curated data has a problem (see ``validate_datasets``).
    """
    root = (path if path is not None else datasets_path()).resolve()
    return _load_cached(root)
