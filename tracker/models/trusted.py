"""Models built from values already validated: pydantic's model_construct, without its per-field walk."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)

_set = object.__setattr__


def trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` when ``values`` holds every field by name.

    For the hot paths that build many models from values of the validated
    catalogue (a match per entry code hit, a verdict per list): pydantic's
    ``model_construct`` looks up each field's aliases and default, which
    costs four times what the object does. Here nothing is looked up, so the
    caller gives every field, under its own name; the model may have no
    aliases, private attributes, extra values or ``model_post_init``
    (``tests/test_trusted_models.py`` checks the models built this way).
    ``values`` becomes the model's ``__dict__``: pass a fresh dict.
    """
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
