"""Publisher: the authority that issues a list."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Publisher(BaseModel):
    """An issuing authority (datasets/publishers/<key>.yml)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    key: str
    name: str
    url: str
    country: str
    description: str = ""
