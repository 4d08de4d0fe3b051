"""ItemCategory: a kind of goods people talk about, with codes and aliases."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ItemCategory(BaseModel):
    """One goods category of datasets/categories.yml."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    key: str
    title: str
    parent: str | None = None
    description: str = ""
    #: HS 2022 codes (4 or 6 digits) under which such goods are usually declared.
    hs_codes: tuple[str, ...] = ()
    #: Names by language code (en, ru, uk, zh, de …).
    aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: Generic words reported as weak mentions only.
    weak_aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    notes: str = ""

    def all_aliases(self) -> list[tuple[str, str]]:
        """Return (language, alias) pairs of the strong aliases, title first."""
        pairs = [("en", self.title)]
        for lang, names in self.aliases.items():
            pairs.extend((lang, name) for name in names)
        return pairs
