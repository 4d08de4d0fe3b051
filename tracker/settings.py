"""Paths and environment overrides (TRACKER_DATASETS_PATH, TRACKER_CACHE_DIR), nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from tracker.exc import ConfigError

#: Environment variable that points tracker at another datasets/ folder.
DATASETS_ENV = "TRACKER_DATASETS_PATH"
#: Environment variable for the folder of the loaded-catalogue cache ("" = none).
CACHE_ENV = "TRACKER_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent


def datasets_path() -> Path:
    """Return the datasets folder in use.

    Order: ``$TRACKER_DATASETS_PATH``; the copy shipped in the wheel
    (``tracker/_datasets``); the repository checkout (``../datasets``).

    Raises:
        ConfigError: the environment variable names a folder that does not exist,
            or no datasets folder can be found.
    """
    override = os.environ.get(DATASETS_ENV)
    if override is not None and override != "":
        path = Path(override).expanduser()
        if not path.is_dir():
            raise ConfigError(f"{DATASETS_ENV}={override!r} is not a folder")
        return path
    for candidate in (_PACKAGE_DIR / "_datasets", _PACKAGE_DIR.parent / "datasets"):
        if (candidate / "lists").is_dir():
            return candidate
    raise ConfigError(
        "No datasets folder found: reinstall tracker or set "
        f"{DATASETS_ENV} to a folder with lists/ in it"
    )


def cache_path() -> Path | None:
    """Return the folder for tracker's caches, or None when caching is off.

    Order: ``$TRACKER_CACHE_DIR`` (empty: off); ``$XDG_CACHE_HOME/tracker``;
    ``~/.cache/tracker``.
    """
    override = os.environ.get(CACHE_ENV)
    if override is not None:
        return Path(override).expanduser() if override != "" else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "tracker"
