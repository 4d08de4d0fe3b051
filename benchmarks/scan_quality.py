"""Precision and recall of `tracker scan` over the test corpus (tests/fixtures/scan_corpus).

Each text has its expected findings in expected.json: strong and weak goods
categories, normalised codes and ISO alpha-2 countries (as sets per text).
A finding counts once per (text, kind, value); precision = found and expected /
found, recall = found and expected / expected, per kind and overall.

Usage:
    python benchmarks/scan_quality.py [--datasets PATH] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracker.catalog import load_catalog  # noqa: E402
from tracker.scanning import Scanner, ScanResult  # noqa: E402
from tracker.text import iter_source_text, open_text  # noqa: E402

CORPUS = REPO / "tests" / "fixtures" / "scan_corpus"
KINDS = ("strong", "weak", "codes", "countries")


def findings(result: ScanResult) -> dict[str, set[Any]]:
    """Return the findings of a scan as sets by kind (as in expected.json)."""
    return {
        "strong": {m.category for m in result.mentions if m.strength == "strong"},
        "weak": {m.category for m in result.mentions if m.strength == "weak"},
        "codes": set(result.code_values()),
        "countries": {c.iso2 for c in result.countries()},
    }


def load_expected(corpus: Path = CORPUS) -> dict[str, dict[str, set[Any]]]:
    """Return file name -> kind -> expected set."""
    data = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    return {
        name: {kind: set(spec[kind]) for kind in KINDS}
        for name, spec in data.items()
        if not name.startswith("_")
    }


def scan_file(scanner: Scanner, path: Path) -> ScanResult:
    """Scan one corpus file the way the CLI does (encoding and HTML detection)."""
    return scanner.scan(iter_source_text(open_text(str(path))))


def evaluate(
    scanner: Scanner, corpus: Path = CORPUS
) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Return counts (tp, fp, fn) by kind and the differences, one line each."""
    counts = {k: {"tp": 0, "fp": 0, "fn": 0} for k in (*KINDS, "all")}
    diffs: list[str] = []
    for name, expected in sorted(load_expected(corpus).items()):
        got = findings(scan_file(scanner, corpus / name))
        for kind in KINDS:
            tp = got[kind] & expected[kind]
            fp = got[kind] - expected[kind]
            fn = expected[kind] - got[kind]
            for key, n in (("tp", len(tp)), ("fp", len(fp)), ("fn", len(fn))):
                counts[kind][key] += n
                counts["all"][key] += n
            if fp:
                diffs.append(f"{name}: unexpected {kind} {sorted(map(str, fp))}")
            if fn:
                diffs.append(f"{name}: missing {kind} {sorted(map(str, fn))}")
    return counts, diffs


def ratio(num: int, den: int) -> float:
    return 1.0 if den == 0 else num / den


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=REPO / "datasets")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    scanner = Scanner.from_catalog(load_catalog(args.datasets))
    counts, diffs = evaluate(scanner)
    texts = len(load_expected())
    print(f"scan quality over {texts} texts of {CORPUS.relative_to(REPO)}")
    print(f"{'kind':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for kind, c in counts.items():
        p = ratio(c["tp"], c["tp"] + c["fp"])
        r = ratio(c["tp"], c["tp"] + c["fn"])
        print(f"{kind:<10} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {p:>10.3f} {r:>8.3f}")
    if diffs and args.verbose:
        print("\n".join(diffs))
    c = counts["all"]
    ok = (
        ratio(c["tp"], c["tp"] + c["fp"]) >= 0.9
        and ratio(c["tp"], c["tp"] + c["fn"]) >= 0.9
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
