"""The catalogue kept between runs: used while nothing changes, rebuilt otherwise."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MINI_DATASETS
from tracker import catalog as catalog_module
from tracker.catalog import load_catalog


@pytest.fixture
def datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "datasets"
    shutil.copytree(MINI_DATASETS, root)
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "cache"))
    catalog_module._load_cached.cache_clear()
    yield root
    catalog_module._load_cached.cache_clear()


def _fresh_load(root: Path) -> object:
    """load_catalog as a new process would run it (no in-process cache)."""
    catalog_module._load_cached.cache_clear()
    return load_catalog(root)


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    built: list[Path] = []
    real = catalog_module._load

    def counting(root: Path) -> object:
        built.append(root)
        return real(root)

    monkeypatch.setattr(catalog_module, "_load", counting)
    return built


def test_a_second_run_reads_the_catalogue_the_first_built(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _loads(monkeypatch)
    first = _fresh_load(datasets)
    assert len(built) == 1
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == 1
    second = _fresh_load(datasets)
    assert len(built) == 1  # read back, not built again
    assert second is not first
    assert second.entries == first.entries  # type: ignore[attr-defined]
    assert second.file_hashes == first.file_hashes  # type: ignore[attr-defined]


def test_a_changed_file_rebuilds_the_catalogue(
    datasets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _loads(monkeypatch)
    before = _fresh_load(datasets)
    entries = next((datasets / "lists").glob("*/entries.csv"))
    text = entries.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    entries.write_text("".join(lines[:-1]), encoding="utf-8")  # one entry fewer
    st = entries.stat()
    os.utime(entries, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    after = _fresh_load(datasets)
    assert len(built) == 2
    assert len(after.entries) == len(before.entries) - 1  # type: ignore[attr-defined]


def test_an_unreadable_cache_is_no_cache(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _loads(monkeypatch)
    first = _fresh_load(datasets)
    (cached,) = (tmp_path / "cache").glob("catalog-*.pickle")
    cached.write_bytes(cached.read_bytes()[:32] + b"not a pickle")
    again = _fresh_load(datasets)
    assert len(built) == 2
    assert again.entries == first.entries  # type: ignore[attr-defined]
    # and it was written anew
    third = _fresh_load(datasets)
    assert len(built) == 2 and third.entries == first.entries  # type: ignore[attr-defined]


def test_an_empty_cache_setting_turns_the_cache_off(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_CACHE_DIR", "")
    built = _loads(monkeypatch)
    _fresh_load(datasets)
    _fresh_load(datasets)
    assert len(built) == 2
    assert not (tmp_path / "cache").exists()
