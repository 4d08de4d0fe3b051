"""JSON Schemas of the dataset files, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from tracker.countries import Country
from tracker.models import ControlList, ItemCategory, Publisher

#: Schema file name -> model. The files live in datasets/schema/.
SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "control_list.json": ControlList,
    "item_category.json": ItemCategory,
    "publisher.json": Publisher,
    "country.json": Country,
}


def render_schemas() -> dict[str, str]:
    """Return file name -> JSON Schema text (sorted keys, final newline)."""
    return {
        name: json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in SCHEMA_MODELS.items()
    }


def stale_schemas(folder: Path) -> list[str]:
    """Return the schema files in ``folder`` that are missing or out of date."""
    return [
        name
        for name, text in render_schemas().items()
        if not (folder / name).is_file()
        or (folder / name).read_text(encoding="utf-8") != text
    ]


def write_schemas(folder: Path) -> list[str]:
    """Write every schema file into ``folder``; return the names written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(name)
    return written
