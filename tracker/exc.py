"""Exception hierarchy rooted at TrackerError."""

from __future__ import annotations


class TrackerError(Exception):
    """Catch-all exception for errors emitted by this library."""


class DatasetError(TrackerError):
    """The curated data in datasets/ is invalid (a bug in the data, never ignored)."""


class InputError(TrackerError):
    """The user's input is unusable: a malformed code, an unreadable file, a missing column."""


class CodeError(InputError):
    """A goods code (HS/CN/HTS) does not have a valid shape."""


class ConfigError(TrackerError):
    """A setting or environment variable is wrong."""


#: Longest echo of a user's value in an error message (characters).
ECHO_CHARS = 80


def shown(value: object, limit: int = ECHO_CHARS) -> str:
    """Return ``repr(value)`` for an error message, cut to about ``limit`` characters.

    Examples:
        >>> shown("UR")
        "'UR'"
        >>> len(shown("x" * 500))
        81
    """
    text = repr(str(value))
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" + text[0]
