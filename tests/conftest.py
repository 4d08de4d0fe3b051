"""Shared fixtures: the miniature datasets tree and the real catalogue."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The tests keep tracker's catalogue cache in a folder of their own, never in
# the user's cache folder (set before tracker reads it).
os.environ["TRACKER_CACHE_DIR"] = tempfile.mkdtemp(prefix="tracker-test-cache-")

from tracker.catalog import Catalog, load_catalog

FIXTURES = Path(__file__).parent / "fixtures"
MINI_DATASETS = FIXTURES / "datasets"
REPO = Path(__file__).resolve().parent.parent
REAL_DATASETS = REPO / "datasets"


@pytest.fixture
def mini_catalog() -> Catalog:
    """The miniature catalogue of tests/fixtures/datasets."""
    return load_catalog(MINI_DATASETS)


@pytest.fixture
def real_catalog() -> Catalog:
    """The real, bundled catalogue of datasets/."""
    return load_catalog(REAL_DATASETS)


@pytest.fixture
def use_mini_datasets(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the miniature datasets tree."""
    monkeypatch.setenv("TRACKER_DATASETS_PATH", str(MINI_DATASETS))
    return MINI_DATASETS


@pytest.fixture
def use_real_datasets(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the real datasets/ (whatever the environment says)."""
    monkeypatch.setenv("TRACKER_DATASETS_PATH", str(REAL_DATASETS))
    return REAL_DATASETS


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites the expected outputs in tests/golden/."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files in tests/golden/ instead of comparing.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --update-golden."""
    return bool(request.config.getoption("--update-golden"))
