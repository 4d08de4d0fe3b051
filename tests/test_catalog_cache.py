"""The catalogue kept between runs: used while nothing changes, rebuilt otherwise."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    """Record each call of ``owner.name`` (its first argument), calling it still."""
    calls: list[object] = []
    real = getattr(owner, name)

    def counting(first: object, *args: object) -> object:
        calls.append(first)
        return real(first, *args)

    monkeypatch.setattr(owner, name, counting)
    return calls


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    return _calls(monkeypatch, catalog_module, "_load")


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


def _fresh_scanner(root: Path) -> object:
    """Scanner.from_catalog as a new process would run it (no in-process caches)."""
    from tracker import scanning

    scanning._SCANNERS.clear()
    return scanning.Scanner.from_catalog(_fresh_load(root))  # type: ignore[arg-type]


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    from tracker import scanning

    return _calls(monkeypatch, scanning.Scanner, "__init__")


def test_a_second_run_reads_the_scanner_the_first_built(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.scanning import Scanner

    built = _builds(monkeypatch)
    first = _fresh_scanner(datasets)
    assert len(built) == 1
    assert len(list((tmp_path / "cache").glob("scanner-*.pickle"))) == 1
    second = _fresh_scanner(datasets)
    assert len(built) == 1  # read back, not built again
    assert isinstance(first, Scanner) and isinstance(second, Scanner)
    assert second is not first
    text = (
        "CNC machines and integrated circuits went from Germany to Iran; "
        "Китаю поставили станки, 经香港转运的无人机. HS 8542.31 "
    ) * 30
    for chunks in (1_000_000, 300):  # one chunk, and several in worker processes
        one = first.scan(text, chunk_size=chunks, workers=2)
        two = second.scan(text, chunk_size=chunks, workers=2)
        assert two == one
        assert len(one.goods_rows) >= 30 and len(one.code_rows) == 30
        assert one.countries()


def test_a_changed_dataset_rebuilds_the_scanner(
    datasets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = _builds(monkeypatch)
    _fresh_scanner(datasets)
    countries = datasets / "countries.yml"
    countries.write_text(countries.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    st = countries.stat()
    os.utime(countries, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    _fresh_scanner(datasets)
    assert len(built) == 2


def test_a_catalogue_not_loaded_from_files_keeps_no_scanner(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from tracker import scanning

    built = _builds(monkeypatch)
    loaded = _fresh_load(datasets)
    made = dataclasses.replace(loaded, files_digest=None)  # type: ignore[type-var]
    for _ in range(2):
        scanning._SCANNERS.clear()
        scanning.Scanner.from_catalog(made)
    assert len(built) == 2
    assert not list((tmp_path / "cache").glob("scanner-*.pickle"))


def test_a_changed_source_file_changes_the_key_of_kept_code_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import catalog_cache

    package = tmp_path / "tracker"
    package.mkdir()
    (package / "scanning.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(catalog_cache, "__file__", str(package / "catalog_cache.py"))
    before = catalog_cache.code_digest(b"d" * 32)
    assert catalog_cache.code_digest(b"d" * 32) == before
    assert catalog_cache.code_digest(b"e" * 32) != before
    (package / "scanning.py").write_text("x = 22\n", encoding="utf-8")
    assert catalog_cache.code_digest(b"d" * 32) != before


def test_countries_are_kept_until_a_dataset_file_changes(
    datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker import countries as countries_module

    parsed = _calls(monkeypatch, countries_module, "_parse")

    def fresh() -> dict[str, object]:
        countries_module._load_cached.cache_clear()
        return countries_module.load_countries(datasets)  # type: ignore[return-value]

    first = fresh()
    second = fresh()
    assert len(parsed) == 1  # read back, not parsed again
    assert second == first and second is not first
    assert len(list((tmp_path / "cache").glob("countries-*.pickle"))) == 1
    countries = datasets / "countries.yml"
    countries.write_text(countries.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    st = countries.stat()
    os.utime(countries, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert fresh() == first
    assert len(parsed) == 2
    countries_module._load_cached.cache_clear()


#: A fresh process that counts the characters normalised (what building the
#: folding tables does) and builds the scanner of the datasets in argv[1].
_COUNTING = """
import json, sys, unicodedata
from pathlib import Path
import tracker.text as text
from tracker.catalog import load_catalog
from tracker.scanning import Scanner

calls = []
real = unicodedata.normalize
class Counting:
    def __getattr__(self, name):
        return getattr(unicodedata, name)
    def normalize(self, form, s):
        calls.append(1)
        return real(form, s)
text.unicodedata = Counting()  # counts what building the folding tables normalises
scanner = Scanner.from_catalog(load_catalog(Path(sys.argv[1])))
"""

_FOLD_RUN = (
    _COUNTING
    + """
kept = text.fold_tables_kept()
sample = "ＮＩＴＲＯＣＥＬＬＵＬＯＳＥ, МИКРОСХЕМЫ, Straße, İzmir, 無人機 and Microchips went to Iran. " * 20
result = scanner.scan(sample, chunk_size=300, workers=1)
folded = text.Folded.of(sample, text.code_points(sample)).text
print(json.dumps({"kept": kept, "normalised": len(calls),
                  "goods": [list(r[1:4]) for r in result.goods_rows], "folded": folded}))
"""
)


def _fresh_run(script: str, datasets: Path, cache: Path) -> dict[str, Any]:
    """Run ``script`` (it prints a JSON object) in a new Python with its own cache."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", script, str(datasets)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TRACKER_CACHE_DIR": str(cache)},
    )
    found: dict[str, Any] = json.loads(out.stdout)
    return found


def test_the_text_folding_tables_are_kept_between_runs(
    datasets: Path, tmp_path: Path
) -> None:
    # A text of several chunks is folded with tables of every BMP code point
    # (0.2 s to build): the first run keeps them, the next reads them back,
    # normalises no character to build them and finds the same; a damaged
    # file is no cache.

    def run() -> dict[str, Any]:
        return _fresh_run(_FOLD_RUN, datasets, tmp_path / "cache")

    first = run()
    assert first["kept"] is False and first["normalised"] > 60_000
    (kept,) = (tmp_path / "cache").glob("fold-*.pickle")
    second = run()
    assert second["kept"] is True and second["normalised"] < 1_000
    assert second["goods"] == first["goods"] and second["folded"] == first["folded"]
    assert first["goods"]  # the sample has goods names
    kept.write_bytes(kept.read_bytes()[:40] + b"damaged")
    # (the class of special characters, kept apart, would spare most of the
    # normalising: gone too, the tables are built from nothing)
    for special in (tmp_path / "cache").glob("special-*.pickle"):
        special.unlink()
    third = run()
    assert third["kept"] is False and third["normalised"] > 60_000
    assert third["goods"] == first["goods"] and third["folded"] == first["folded"]


def test_folding_tables_of_another_unicode_version_are_not_used() -> None:
    from tracker import text

    table = bytes(4 * 0x10000)
    assert not text.use_fold_tables(("1.0.0", "[x]", table))
    assert not text.use_fold_tables((text.unicodedata.unidata_version, "[x]", b"short"))
    assert not text.use_fold_tables(None)
    # tables of this Python fit (the same as built here, so nothing changes)
    assert text.use_fold_tables(text.fold_tables())
    assert text.fold_tables_kept()


_SPECIAL_RUN = (
    _COUNTING
    + """
names = scanner.goods_names("Партия: МИКРОСХЕМЫ и ＮＩＴＲＯＣＥＬＬＵＬＯＳＥ, Straße")
print(json.dumps({"normalised": len(calls), "names": names,
                  "folded": text.Folded.of("ＭＩＣＲＯ Straße İzmir").text}))
"""
)


def test_the_class_of_special_characters_is_kept_between_runs(
    datasets: Path, tmp_path: Path
) -> None:
    # Short texts (a screened file's descriptions) fold without the fold
    # table but with the class of special characters (40-80 ms to build):
    # the first run keeps it, the next reads it back and finds the same.

    def run() -> dict[str, Any]:
        return _fresh_run(_SPECIAL_RUN, datasets, tmp_path / "cache")

    first = run()
    assert first["normalised"] > 60_000
    assert list((tmp_path / "cache").glob("special-*.pickle"))
    assert not list((tmp_path / "cache").glob("fold-*.pickle"))
    second = run()
    assert second["normalised"] < 1_000
    assert second == {**first, "normalised": second["normalised"]}
    assert first["names"]  # the text names goods
    from tracker.text import Folded

    assert first["folded"] == Folded.of("ＭＩＣＲＯ Straße İzmir").text


def test_a_class_of_special_characters_of_another_unicode_version_is_not_used() -> None:
    from tracker import text

    assert not text.use_special_chars(("1.0.0", "[x]"))
    assert not text.use_special_chars((text.unicodedata.unidata_version, 5))
    assert not text.use_special_chars(None)
    assert text.use_special_chars(text.special_chars_form())
