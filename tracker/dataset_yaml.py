"""Reading a YAML file of datasets/: libyaml's parser where PyYAML has it.

PyYAML is imported on first use: a command that finds the catalogue and the
scanner in the cache reads no YAML.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any


class YAMLSyntaxError(ValueError):
    """A file of datasets/ is not YAML (the message is PyYAML's)."""


def read_yaml(path: Path) -> Any:
    """Parse ``path`` (UTF-8) as yaml.safe_load does.

    Raises:
        OSError: the file cannot be read.
        YAMLSyntaxError: the text is not YAML; the message is the pure-Python
            loader's, so a problem reads the same whichever parser is installed.
    """
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        return yaml.load(text, Loader=_fast_loader())
    except yaml.YAMLError:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise YAMLSyntaxError(str(exc)) from exc


@functools.cache
def _fast_loader() -> Any:
    """libyaml's parser when PyYAML was built with it (about 8x faster on these files).

    It builds the same objects as yaml.SafeLoader (same constructor and resolver).
    """
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)
