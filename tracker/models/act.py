"""Act, ActAnnex and AnnexLine: what one amending act does to the goods annexes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

#: What an act does to one annex table.
#: create: the annex did not exist; the act's text is the whole new annex.
#: replace: the act's text is the whole new annex (whatever the article's wording).
#: replace-part: the text replaces the named parts (or tables) only.
#: amend: the act adds or deletes individual lines.
#: delete-annex: the annex is deleted.
AnnexOperation = Literal["create", "replace", "replace-part", "amend", "delete-annex"]

#: What an act says of one line.
#: list: a line of a create/replace text; add/delete: an amending instruction.
LineOp = Literal["list", "add", "delete"]


class SourceCopy(BaseModel):
    """Where the text of an act was read (a copy of the Official Journal text)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    repo: str
    path: str
    commit: str


class WindDown(BaseModel):
    """A contract cut-off written in an act (e.g. Art. 3k(3a) of Reg. 833/2014)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    provision: str
    #: Table key of the annex whose new lines it concerns (e.g. XXIII).
    annex: str
    #: "all-new" (every line the act adds to that annex), "all" (every line in force
    #: after the act: a regime change of the whole annex), "codes" (the new lines
    #: that overlap ``codes``), or the key of a transition table of the same act
    #: (e.g. XXIIIA) naming the codes it concerns.
    lines: str = "all-new"
    #: With ``lines: codes``: the CN codes (digits) the provision names.
    codes: tuple[str, ...] = ()
    contracts_before: dt.date | None = None
    until: dt.date
    text_offset: int | None = None
    note: str = ""


class ActAnnex(BaseModel):
    """What one act does to one annex table."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    annex: str
    operation: AnnexOperation
    parts: tuple[str, ...] = ()
    #: File of the lines, relative to the act folder (None for delete-annex).
    file: str | None = None
    act_annex: str = ""
    wording: str = ""
    text_offset: int | None = None
    note: str = ""

    @property
    def table(self) -> str:
        """Key of the table: the file stem (``VII-B``) or else the annex."""
        if self.file:
            return self.file.rsplit("/", 1)[-1].removesuffix(".csv")
        return self.annex


class AnnexLine(BaseModel):
    """One line of an annex as an act writes it."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    position: int
    part: str = ""
    op: LineOp
    #: The code exactly as printed (``ex 8471``, ``8542.31``).
    written: str
    #: Digits only (2-10), or "" for an item row.
    code: str = ""
    ex: bool = False
    #: Entry number of a non-CN line (Annex VII Part A, e.g. X.C.VIII.004).
    item: str = ""
    note: str = ""
    #: 1-based line in the CSV file (header = 1), for messages.
    row: int = 0

    @property
    def key(self) -> tuple[str, bool, str]:
        """Identity of the line within its annex: (code, ex, item)."""
        return (self.code, self.ex, self.item)


class Act(BaseModel):
    """One amending act of Reg. 833/2014 and the goods annexes it changes."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    act: str
    title: str
    package: int | None = None
    celex: str
    document_date: dt.date
    published: dt.date
    oj: str = ""
    entry_into_force: dt.date
    eif_evidence: str
    url: str
    read_in: SourceCopy
    read_by: str
    checked_by: str = ""
    wind_downs: tuple[WindDown, ...] = ()
    annexes: tuple[ActAnnex, ...] = ()
    note: str = ""
    #: Further reviewer notes (facts about the act, in our own words).
    notes: tuple[str, ...] = ()

    @field_validator("notes", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @property
    def label(self) -> str:
        """``Council Regulation (EU) 2023/2878 (12th package)``."""
        if self.package is None:
            return self.title
        n = self.package
        suffix = (
            "th"
            if 10 <= n % 100 <= 20
            else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        )
        return f"{self.title} ({n}{suffix} package)"
