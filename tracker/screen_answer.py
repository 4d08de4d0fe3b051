"""Per-group answers of the screener: one GroupAnswer per code, date and destination."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any, Literal

from tracker.catalog import Catalog
from tracker.checking import binding_matches, list_verdicts
from tracker.countries import destination_index
from tracker.editions import read_hs2017, successor_gaps
from tracker.hs_splits import load_splits
from tracker.matching import (
    EU_833_PARTNERS,
    EU_MEMBERS,
    CodeCandidates,
    code_candidates,
    matches_on,
    obligation,
)
from tracker.models import CoveragePeriod, Match

#: Outcome of one row.
#: match: an entry of a list that applies to the row's destination covers the
#: code on the row's date (``listed`` or ``listed-if``: see tracker_verdicts);
#: no-match: no entry matches (not a licence decision);
#: indeterminate: cannot be decided from the row (tracker_reason says why).
RowStatus = Literal["match", "no-match", "indeterminate"]
STATUSES: tuple[RowStatus, ...] = ("match", "no-match", "indeterminate")


#: Obligations a list may put on exports to a third country, and how a row says so.
_OBLIGATION_NOTES = (
    (
        "due-diligence",
        "due-diligence concern for this destination (not a restriction on it)",
    ),
    (
        "contract-clause",
        "contract clause for this destination (no re-export to Russia), not a "
        "restriction on it",
    ),
)


#: Stands for the destination in the texts of an answer shared by several
#: destinations (a character no text holds); ``fill_destination`` puts each
#: row's destination in its place.
DEST_MARK = "\x00"


def fill_destination(answer: GroupAnswer, dest: str) -> GroupAnswer:
    """``answer`` with ``dest`` (as shown, e.g. "KZ") where its texts name the destination."""
    if DEST_MARK not in answer.reason and DEST_MARK not in answer.notes:
        return answer
    return replace(
        answer,
        reason=answer.reason.replace(DEST_MARK, dest),
        notes=answer.notes.replace(DEST_MARK, dest),
    )


#: Code signatures whose candidate matches are kept (see GroupAnswerer._match).
_CANDIDATE_CACHE = 20_000
#: Decision groups whose facts and matches are kept (see GroupAnswerer.template_id).
_FACTS_CACHE = 200_000


#: A decision group's facts: (number, facts, matches); see ``GroupAnswerer.facts_of``.
Facts = tuple[int, "tuple[Any, ...] | None", "tuple[Match, ...]"]


@dataclass(frozen=True)
class GroupAnswer:
    """The answer shared by every row of one decision group."""

    status: RowStatus
    reason: str
    lists: str
    entries: str
    tiers: str
    verdicts: str
    notes: str
    #: (list key, tier or "") pairs of the matches, for the summary.
    list_tiers: tuple[tuple[str, str], ...] = ()


class GroupAnswerer:
    """The catalogue, defaults and answer caches behind ``Screener``'s per-group answers.

    Args: see ``Screener`` (tracker.screen_kernel).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        destination: str | None = None,
        as_of: dt.date | None = None,
        lists: Iterable[str] | None = None,
    ) -> None:
        self.catalog = catalog
        self._destinations = destination_index(catalog.path)
        self.default_destination = (
            self._destinations.parse(destination).lower()
            if destination is not None
            else None
        )
        self.default_date = as_of if as_of is not None else dt.date.today()
        self.lists = tuple(lists) if lists is not None else tuple(catalog.lists)
        self.splits = load_splits(catalog.path)
        # Dates on which an answer may change: a list's data starts or a
        # coverage period opens or closes (every code; a period limited to
        # some codes, only the codes it concerns), an entry is added or ends
        # (the codes it concerns; entries covering a whole list concern every
        # code that matches that list).
        list_bounds: set[dt.date] = set()
        scoped_bounds: list[tuple[CoveragePeriod, tuple[dt.date, ...]]] = []
        for meta in catalog.lists.values():
            if meta.covers_from is not None:
                list_bounds.add(meta.covers_from)
            for period in meta.coverage:
                days = tuple(d for d in (period.start, period.end) if d is not None)
                if period.codes:
                    scoped_bounds.append((period, days))
                else:
                    list_bounds.update(days)
        for e in catalog.covering_entries:
            list_bounds.update(d for d in (e.added, e.ended) if d is not None)
        bounds = set(list_bounds)
        for _, days in scoped_bounds:
            bounds.update(days)
        for e in catalog.entries:
            bounds.update(d for d in (e.added, e.ended) if d is not None)
        self._bounds = sorted(bounds)
        self._list_bounds = frozenset(list_bounds)
        self._scoped_bounds = tuple(scoped_bounds)
        self._dest_classes: dict[str | None, int] = {}
        self._class_of_sig: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()
        self._class_rep: list[str | None] = []
        self._answer_list: list[GroupAnswer] = []
        self._answer_ids: dict[GroupAnswer, int] = {}
        self._flags: dict[str | None, tuple[dict[str, bool], dict[str, bool]]] = {}
        self._candidates: dict[Any, CodeCandidates] = {}
        #: (number of the facts, destination) -> answer id
        self._answer_memo: dict[tuple[int, str | None], int] = {}
        #: ``_answer_key`` -> answer id (facts that differ in what no answer shows)
        self._coarse_memo: dict[tuple[Any, ...], int] = {}
        #: facts (see ``template_id``) -> their number
        self._fact_ids: dict[tuple[Any, ...], int] = {}
        #: destination -> per list: does it apply to or concern it; and what
        #: picks those lists' parts of a date state (``_date_state``)
        self._relevant: dict[
            str | None,
            tuple[dict[str, bool], Callable[[tuple[Any, ...]], tuple[Any, ...]]],
        ] = {}
        #: (list, control code, destination) -> does ``obligation`` bind it
        self._binds: dict[tuple[str, str, str | None], bool] = {}
        #: (answer with DEST_MARK, destination) -> the answer filled in
        self._filled: dict[tuple[GroupAnswer, str], GroupAnswer] = {}
        #: decision group key -> what its answer depends on besides the destination
        self._facts: dict[tuple[Any, ...], Facts] = {}
        self._states: dict[dt.date, tuple[frozenset[str], tuple[Any, ...]]] = {}

    def epoch_starts(self, code: str) -> list[int]:
        """Per epoch (0..len(bounds)), the first epoch of the same answer span for ``code``.

        Epochs cut the calendar at every date on which some answer may change;
        for one code only the list-wide dates and the dates of the entries its
        code hits concern matter, so consecutive epochs between those dates
        share one answer (the kernel screens them as one decision group). An
        HS 2017 code is also matched through its successors: every epoch
        stands alone.
        """
        size = len(self._bounds) + 1
        if read_hs2017(self.catalog, code) is not None:
            return list(range(size))
        days = set(self._list_bounds)
        for period, period_days in self._scoped_bounds:
            # (the coverage note of a period limited to some codes is the
            # same on both sides of its dates for a code it does not concern)
            if period.concerns(code):
                days.update(period_days)
        for hit in self.catalog.find_code(code):
            days.update(d for d in (hit.entry.added, hit.entry.ended) if d is not None)
        starts = [0]
        for epoch in range(1, size):
            # epoch k begins on bounds[k - 1]
            starts.append(epoch if self._bounds[epoch - 1] in days else starts[-1])
        return starts

    def _epoch_date(self, epoch: int) -> dt.date:
        if epoch == 0:
            first = self._bounds[0] if self._bounds else self.default_date
            return first - dt.timedelta(days=1)
        return self._bounds[epoch - 1]

    def _list_flags(self, dest: str | None) -> tuple[dict[str, bool], dict[str, bool]]:
        """Per list: does it apply to ``dest``; does it concern ``dest``."""
        flags = self._flags.get(dest)
        if flags is None:
            lists = self.catalog.lists
            flags = (
                {k: meta.applies_to(dest) for k, meta in lists.items()},
                {k: meta.concerns(dest) for k, meta in lists.items()},
            )
            self._flags[dest] = flags
        return flags

    def _answer_id(self, ans: GroupAnswer) -> int:
        """The one id of answers equal to ``ans`` (registered on first sight)."""
        with self._lock:  # screen() may run in several threads
            known = self._answer_ids.get(ans)
            if known is None:
                known = len(self._answer_list)
                self._answer_list.append(ans)
                self._answer_ids[ans] = known
            return known

    def _dest_class(self, dest: str | None) -> int:
        """Destinations for which every list applies and concerns alike share a class."""
        known = self._dest_classes.get(dest)
        if known is not None:
            return known
        with self._lock:  # screen() may run in several threads
            sig = self._sig(dest)
            cls = self._class_of_sig.get(sig)
            if cls is None:
                cls = len(self._class_rep)
                self._class_rep.append(dest)
                self._class_of_sig[sig] = cls
            self._dest_classes[dest] = cls
            return cls

    def _sig(self, dest: str | None) -> tuple[Any, ...]:
        """What a destination changes in an answer: destinations with equal ones share a class.

        Per list: does it apply, is the destination a concern of it; whether
        entries binding exports to third countries bind there (not an EU
        member or an EU 833/2014 partner). Where an answer names the
        destination it holds ``DEST_MARK`` (see ``fill_destination``).
        """
        flags = tuple(
            flag
            for key in self.lists
            for flag in (
                self.catalog.lists[key].applies_to(dest),
                self.catalog.lists[key].concerns(dest),
            )
        )
        third = dest is not None and not (
            dest.lower() in EU_MEMBERS or dest.lower() in EU_833_PARTNERS
        )
        return (*flags, third)

    def _match(
        self,
        code: str,
        on: dt.date,
        key: tuple[Any, ...] | None = None,
    ) -> list[Match]:
        """match_code for ``code`` on ``on``.

        With ``key`` (a decision group: the code's signature, then its epoch)
        the candidate matches are worked out once per signature, from the
        first code met with it: codes of one signature hit the same entry
        codes, so only the digits quoted in a match's detail can differ, and
        no answer reads them.
        """
        sig = key[:-1] if key is not None else code
        found = self._candidates.get(sig)
        if found is None:
            found = code_candidates(self.catalog, code)
            if len(self._candidates) >= _CANDIDATE_CACHE:
                self._candidates.clear()  # bounded memory
            self._candidates[sig] = found
        return matches_on(self.catalog, found, as_of=on, lists=self.lists)

    def answer(
        self,
        code: str,
        on: dt.date,
        dest: str | None,
        key: tuple[Any, ...] | None = None,
    ) -> GroupAnswer:
        """Return the answer for one usable code, date and destination.

        The per-row reference implementation (the vectorised kernel gets the
        same answers from ``template_id`` once per decision group and fills in
        each row's destination). The per-list answers come from
        ``tracker.checking.list_verdicts``, as in ``tracker check``: the row is
        ``match`` when a list that applies to (or binds exports to) the
        destination lists the code, ``indeterminate`` when such a list cannot
        answer (no bundled data for the date, a coverage gap, a split HS 2017
        code), ``no-match`` otherwise.
        """
        # No memo of the kernel's (facts, classes, coarse keys): the answer
        # is worked out for this very code, date and destination.
        matches = self._match(code, on, key)
        return fill_destination(
            self._answer(code, on, dest, key, matches), (dest or "").upper()
        )

    def filled(self, answer: GroupAnswer, dest: str) -> GroupAnswer:
        """``fill_destination``, each (answer, destination) pair made once."""
        key = (answer, dest)
        known = self._filled.get(key)
        if known is None:
            known = self._filled[key] = fill_destination(answer, dest)
        return known

    def template_id(
        self,
        code: str,
        on: dt.date,
        dest: str | None,
        key: tuple[Any, ...] | None = None,
    ) -> int:
        """The id (``_answer_id``) of the answer for ``dest``, ``DEST_MARK`` where it names it.

        Destinations of one class (``_dest_class``) share it. The answer
        follows from the decision group's facts (``facts_of``) and the
        destination (``answer_of``).
        """
        return self.answer_of(self.facts_of(code, on, key), code, on, dest, key)

    def facts_of(
        self, code: str, on: dt.date, key: tuple[Any, ...] | None = None
    ) -> Facts:
        """What the answers for ``code`` on ``on`` depend on besides the destination.

        (number, facts, matches): codes and dates of equal facts share their
        number (and every answer); ``facts`` is None, and the number -1, for
        an HS 2017 code, whose answer is worked out each time. With ``key``
        (a decision group: the code's signature, then its epoch) they are
        kept per group.
        """
        facts_key = key if key is not None else (code, on)
        known_facts = self._facts.get(facts_key)
        if known_facts is None:
            # Equal matches and per-list date state give the same answer for a
            # destination: many epochs (dates between list changes) and codes
            # share one. An HS 2017 code's successors depend on the date: no memo.
            matches = self._match(code, on, key)
            facts = (
                None
                if read_hs2017(self.catalog, code) is not None
                else (
                    code if len(code) == 2 else "",  # a chapter gets its own note
                    tuple(
                        (m.list_key, m.entry_id, m.verdict, m.basis) for m in matches
                    ),
                    self._date_state(on, code),
                )
            )
            # Equal facts get one number: the memo below hashes that, not them.
            number = -1
            if facts is not None:
                with self._lock:  # one number per facts in every thread
                    number = self._fact_ids.setdefault(facts, len(self._fact_ids))
            # the matches are kept for the group's other destinations
            if len(self._facts) >= _FACTS_CACHE:
                self._facts.clear()  # bounded memory
            self._facts[facts_key] = known_facts = (number, facts, tuple(matches))
        return known_facts

    def answer_of(
        self,
        known_facts: Facts,
        code: str,
        on: dt.date,
        dest: str | None,
        key: tuple[Any, ...] | None = None,
    ) -> int:
        """The answer id for ``dest`` of a code and date whose facts (``facts_of``) are known."""
        number, facts, kept = known_facts
        coarse: tuple[Any, ...] | None = None
        if facts is not None:
            known = self._answer_memo.get((number, dest))
            if known is not None:
                return known
            # Many facts differ only in entries that cannot show in the
            # answer for this destination: their answer is made once.
            coarse = self._answer_key(facts, kept, dest)
            known = self._coarse_memo.get(coarse)
            if known is not None:
                self._answer_memo[(number, dest)] = known
                return known
        answer = self._answer_id(self._answer(code, on, dest, key, list(kept)))
        if coarse is not None:
            self._answer_memo[(number, dest)] = answer
            self._coarse_memo[coarse] = answer
        return answer

    def _answer_key(
        self, facts: tuple[Any, ...], kept: tuple[Match, ...], dest: str | None
    ) -> tuple[Any, ...]:
        """What the answer for ``dest`` reads of ``facts`` (see ``template_id``).

        A match of a list that neither applies to nor concerns ``dest``, and
        that binds no export there (``obligation``), shows in the answer only
        by its list's key ("also matches entries that do not restrict exports
        to this destination"): ``list_verdicts`` makes that list not-listed
        whatever the entry, and ``binding_matches`` leaves the match out.
        Such matches count here by their list key alone; every other match
        counts whole, in order. The date state (``_date_state``) counts only
        for the lists that apply to or concern ``dest``.
        """
        found = self._relevant.get(dest)
        if found is None:
            applies, concerns = self._list_flags(dest)
            flags = {k: applies[k] or concerns[k] for k in applies}
            found = self._relevant[dest] = (flags, _picker(self.lists, flags))
        relevant, pick_state = found
        binds = self._binds
        whole: list[tuple[Any, ...]] = []
        aside: set[str] = set()
        for fact, match in zip(facts[1], kept, strict=True):
            if relevant[match.list_key]:
                whole.append(fact)
                continue
            # obligation() reads the list, the control code and the destination
            entry = (match.list_key, match.control_code, dest)
            bound = binds.get(entry)
            if bound is None:
                bound = binds[entry] = obligation(self.catalog, match, dest) is not None
            if bound:
                whole.append(fact)
            else:
                aside.add(match.list_key)
        # Nor can such a list's date state show: it is not-listed for
        # ``dest`` or answers by its binding matches, on any date.
        return (
            facts[0],
            tuple(whole),
            tuple(sorted(aside)),
            pick_state(facts[2]),
            dest,
        )

    def _date_state(self, on: dt.date, code: str) -> tuple[Any, ...]:
        """Per list: can it answer on ``on``, and what does its data leave out."""
        base = self._states.get(on)
        if base is None:
            # lists whose data on ``on`` leaves out only some codes
            scoped = frozenset(
                lst
                for lst in self.lists
                for p in self.catalog.lists[lst].coverage
                if p.codes and p.contains(on) and not p.complete
            )
            base = (
                scoped,
                tuple(
                    (
                        lst,
                        self.catalog.list_gap(lst, on) is None,
                        self.catalog.coverage_note(lst, on, None),
                    )
                    for lst in self.lists
                ),
            )
            self._states[on] = base
        scoped, state = base
        if not scoped:
            return state
        return tuple(
            (lst, gap_free, self.catalog.coverage_note(lst, on, [code]))
            if lst in scoped
            else (lst, gap_free, note)
            for lst, gap_free, note in state
        )

    def _answer(
        self,
        code: str,
        on: dt.date,
        dest: str | None,
        key: tuple[Any, ...] | None,
        matches: list[Match],
    ) -> GroupAnswer:
        codes = [code]
        split: dict[str, str] = {}
        notes: list[str] = []
        reading = read_hs2017(self.catalog, code)
        if reading is not None:
            if reading.translated is not None:
                seen = {(m.list_key, m.entry_id) for m in matches}
                extra_key = None if key is None else ("hs2017", *key)
                matches.extend(
                    m
                    for m in self._match(reading.translated, on, extra_key)
                    if (m.list_key, m.entry_id) not in seen
                )
                codes.append(reading.translated)
                notes.append(reading.note)
            else:
                split = successor_gaps(
                    self.catalog, reading, matches, as_of=on, lists=self.lists
                )
        verdicts = list_verdicts(
            self.catalog,
            matches,
            dest,
            on,
            codes,
            split,
            lists=self.lists,
            shown_dest=DEST_MARK,
        )
        binding: list[Match] = []
        for v in verdicts:
            binding.extend(binding_matches(self.catalog, v, matches, dest))
        kept = {(m.list_key, m.entry_id) for m in binding}
        for kind, what in _OBLIGATION_NOTES:
            bound = sorted(
                {
                    m.list_key
                    for m in binding
                    if obligation(self.catalog, m, dest) == kind
                }
            )
            if bound:
                notes.append(f"{', '.join(bound)}: {what}")
        rest = sorted(
            {m.list_key for m in matches if (m.list_key, m.entry_id) not in kept}
        )
        if rest:
            notes.append(
                "also matches entries that do not restrict exports to this "
                f"destination: {', '.join(rest)}"
            )
        unknown = [v for v in verdicts if v.verdict == "indeterminate"]
        if binding:
            direct = [m for m in binding if m.basis != "derived"]
            if len(code) == 2 and direct and all(m.basis == "narrower" for m in direct):
                # One answer with lookup and check: a chapter is `listed-if` (only
                # if the goods fall under a listed code), never undecided.
                notes.append(
                    f"code-too-short: chapter {code} is broader than every listed "
                    "code it contains: give at least 4 digits"
                )
            if unknown:
                notes.append(
                    "indeterminate: "
                    + ", ".join(v.list_key for v in unknown)
                    + " (no answer from the bundled data; see tracker check)"
                )
            ans = self._group(binding, "match", notes, dest)
            return ans
        if unknown:
            if any(v.list_key in split for v in unknown):
                kind = "code-hs2017-split"
            elif any(self.catalog.list_gap(v.list_key, on) for v in unknown):
                kind = "list-not-bundled"
            else:
                kind = "list-incomplete"
            # The group's date stands for every row date of its epoch.
            details = "; ".join(
                f"{v.list_key}: {v.reason}".replace(f" on {on}", " on the row's date")
                for v in unknown
            )
            return GroupAnswer(
                "indeterminate",
                f"{kind}: {', '.join(v.list_key for v in unknown)} — {details}",
                "",
                "",
                "",
                "",
                "; ".join(notes),
            )
        return GroupAnswer("no-match", "", "", "", "", "", "; ".join(notes))

    def _group(
        self,
        matches: list[Match],
        status: RowStatus,
        notes: list[str],
        dest: str | None = None,
    ) -> GroupAnswer:
        lists: list[str] = []
        entries: list[str] = []
        verdicts: list[str] = []
        tiers: list[str] = []
        pairs: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for m in matches:
            if m.list_key not in lists:
                lists.append(m.list_key)
            if (m.list_key, m.entry_id) in seen:
                continue
            seen.add((m.list_key, m.entry_id))
            entries.append(f"{m.list_key}:{m.entry_id}")
            # A list that binds exports to the destination without restricting
            # them says what it asks: due-diligence or contract-clause
            # ("-if" when the entry is listed-if).
            kind = obligation(self.catalog, m, dest)
            if kind is None:
                verdicts.append(m.verdict)
            else:
                verdicts.append(kind if m.verdict == "listed" else f"{kind}-if")
            if m.tier is not None and f"{m.list_key}:{m.tier}" not in tiers:
                tiers.append(f"{m.list_key}:{m.tier}")
            if (m.list_key, m.tier or "") not in pairs:
                pairs.append((m.list_key, m.tier or ""))
        return GroupAnswer(
            status,
            "",
            ";".join(lists),
            ";".join(entries),
            ";".join(tiers),
            ";".join(verdicts),
            "; ".join(notes),
            tuple(pairs),
        )


def _picker(
    lists: tuple[str, ...], wanted: dict[str, bool]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """What takes the parts of the wanted lists out of a tuple with one per list.

    (A date state has one part per list, in ``lists`` order; itemgetter picks
    them at C speed.)
    """
    at = [i for i, key in enumerate(lists) if wanted[key]]
    if len(at) >= 2:
        return itemgetter(*at)  # (a tuple of them)
    if len(at) == 1:
        only = at[0]
        return lambda parts: (parts[only],)
    return lambda parts: ()
