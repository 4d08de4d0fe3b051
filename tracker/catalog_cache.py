"""The loaded catalogue kept as a pickle between runs, keyed by what it was built from.

Loading the datasets (YAML, CSV, validating every entry) costs about 0.15 s;
reading back the catalogue a previous run built costs about 0.05 s. A cache
file holds, first, a digest of everything the catalogue depends on: tracker's,
Python's and pydantic's versions and the path, size and modification time of
every file under the datasets folder; then the pickled catalogue. A file
whose digest differs is ignored and rewritten; any problem reading or writing
the cache means a normal load (the cache never changes an answer). The folder
is ``tracker.settings.cache_path()`` (``TRACKER_CACHE_DIR=`` turns it off).

The scanner of ``tracker scan`` (its compiled aliases and countries, about
0.2 s to build) is kept the same way (``read_object``/``write_object``),
keyed also by tracker's own source files (``code_digest``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from tracker.catalog_model import Catalog
from tracker.settings import cache_path

#: Bytes of the digest at the start of a cache file.
_DIGEST = 32


def digest(root: Path) -> bytes | None:
    """What the catalogue of ``root`` depends on, hashed (None: cannot tell)."""
    try:
        return _digest(root)
    except OSError:
        return None


def _digest(root: Path) -> bytes:
    import pydantic

    from tracker.__about__ import __version__

    h = hashlib.sha256()
    h.update(f"{__version__}|{sys.version_info[:2]}|{pydantic.VERSION}|{root}".encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        st = path.stat()
        h.update(f"\n{path.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.digest()


def code_digest(files_digest: bytes, sources: bytes | None = None) -> bytes | None:
    """A digest of the datasets (``digest``) and tracker's own source files.

    The key of what tracker's code builds from a loaded catalogue (the
    scanner's compiled aliases): a changed module (size, modification time)
    rebuilds it, not only a new version. ``sources``: ``source_digest()``
    when the caller has it already (it stats every module).
    """
    if sources is None:
        sources = source_digest()
    if sources is None:
        return None
    return hashlib.sha256(files_digest + sources).digest()


def source_digest() -> bytes | None:
    """A digest of the path, size and modification time of tracker's source files."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    try:
        for path in sorted(package.rglob("*.py")):
            st = path.stat()
            h.update(
                f"\n{path.relative_to(package)}|{st.st_size}|{st.st_mtime_ns}".encode()
            )
    except OSError:
        return None
    return h.digest()


def _file(root: Path, kind: str) -> Path | None:
    folder = cache_path()
    if folder is None:
        return None
    name = hashlib.sha256(str(root).encode()).hexdigest()[:24]
    return folder / f"{kind}-{name}.pickle"


def read(root: Path, key: bytes) -> Catalog | None:
    """The catalogue a previous run built from ``root`` as it is now (``key``), or None."""
    catalog = read_object(root, key, "catalog")
    return catalog if isinstance(catalog, Catalog) else None


def read_object(root: Path, key: bytes, kind: str) -> object | None:
    """What a previous run kept as ``kind`` for ``root`` under ``key``, or None."""
    try:
        file = _file(root, kind)
        if file is None or not file.is_file():
            return None
        data = file.read_bytes()
        if data[:_DIGEST] != key:
            return None
        return pickle.loads(data[_DIGEST:])  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - a cache that cannot be read is no cache
        return None


def write(root: Path, key: bytes, catalog: Catalog) -> None:
    """Keep ``catalog`` (just built from ``root`` as ``key`` says) for the next run.

    Never fails.
    """
    write_object(root, key, catalog, "catalog")


def write_object(root: Path, key: bytes, value: object, kind: str) -> None:
    """Keep ``value`` as ``kind`` for ``root`` under ``key`` for the next run. Never fails."""
    try:
        file = _file(root, kind)
        if file is None:
            return
        file.parent.mkdir(parents=True, exist_ok=True)
        data = key + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{kind}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
        return
