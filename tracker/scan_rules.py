"""The scanner's own rules (datasets/scan_rules.yml): weak words and trap phrases."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.dataset_yaml import YAMLSyntaxError, read_yaml
from tracker.exc import DatasetError
from tracker.problems import Problem

#: File of datasets/ with the weak words and trap phrases of the scanner.
SCAN_RULES_FILE = "scan_rules.yml"


class WeakRule(BaseModel):
    """Generic words reported as weak mentions of a category (or of none)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    category: str | None
    aliases: dict[str, tuple[str, ...]]


class TrapRule(BaseModel):
    """Phrases that contain an alias but do not name the goods."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    note: str = Field(min_length=1)
    categories: tuple[str, ...] = ()
    phrases: dict[str, tuple[str, ...]]


class ScanRules(BaseModel):
    """datasets/scan_rules.yml."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    weak: tuple[WeakRule, ...] = ()
    traps: tuple[TrapRule, ...] = ()


def _parse_rules(
    path: Path, categories: Iterable[str] | None
) -> tuple[ScanRules, list[Problem]]:
    rel = SCAN_RULES_FILE
    try:
        data = read_yaml(path)
    except (OSError, YAMLSyntaxError) as exc:
        return ScanRules(), [Problem(rel, None, None, f"unreadable YAML: {exc}")]
    if not isinstance(data, dict):
        return ScanRules(), [Problem(rel, None, None, "expected a mapping")]
    try:
        rules = ScanRules(**data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or None
            problems.append(
                Problem(rel, None, loc, f"{err['msg']} (value {err.get('input')!r})")
            )
        return ScanRules(), problems
    problems = []
    if categories is not None:
        known = set(categories)
        for n, weak in enumerate(rules.weak):
            if weak.category is not None and weak.category not in known:
                problems.append(
                    Problem(
                        rel,
                        None,
                        f"weak.{n}.category",
                        f"unknown category {weak.category!r}",
                    )
                )
        for n, trap in enumerate(rules.traps):
            for key in trap.categories:
                if key not in known:
                    problems.append(
                        Problem(
                            rel,
                            None,
                            f"traps.{n}.categories",
                            f"unknown category {key!r}",
                        )
                    )
    return rules, problems


def validate_scan_rules(root: Path, categories: Iterable[str]) -> list[Problem]:
    """Return the problems of ``root``/scan_rules.yml (none if the file is absent)."""
    path = root / SCAN_RULES_FILE
    if not path.is_file():
        return []
    return _parse_rules(path, categories)[1]


def load_scan_rules(path: Path, categories: Iterable[str] | None = None) -> ScanRules:
    """Load datasets/scan_rules.yml from a datasets folder (empty rules if absent).

    Raises:
        DatasetError: the file is invalid or names an unknown category.
    """
    file = path / SCAN_RULES_FILE
    if not file.is_file():
        return ScanRules()
    rules, problems = _parse_rules(file, categories)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3])
        raise DatasetError(
            f"invalid {SCAN_RULES_FILE} in {path}: {shown}; "
            "run 'tracker datasets validate'"
        )
    return rules
