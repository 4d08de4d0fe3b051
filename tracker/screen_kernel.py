"""The vectorised Arrow/NumPy screening kernel: Screener.screen over a table of cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tracker.catalog import Catalog
from tracker.cells import (
    CodeReading,
    DateCells,
    read_code_cached,
)
from tracker.countries import UnknownDestinationError
from tracker.hs import VALID_LENGTHS
from tracker.readers import ColumnMapping, text_array
from tracker.screen_answer import DEST_MARK, GroupAnswer, GroupAnswerer
from tracker.screen_keywords import KeywordScanner
from tracker.screening_summary import ScreeningSummary, account

#: Columns added to every row, in this order.
ADDED_COLUMNS = (
    "tracker_row",
    "tracker_code",
    "tracker_status",
    "tracker_reason",
    "tracker_reason_code",
    "tracker_lists",
    "tracker_entries",
    "tracker_tiers",
    "tracker_verdicts",
    "tracker_keywords",
    "tracker_as_of",
    "tracker_destination",
    "tracker_notes",
)

#: Facts number of a (code signature, span) without facts (an HS 2017 code).
_NO_FACTS = -2
#: Destination classes per facts number in the table of answers (see _new_group_ids).
_CLASS_RADIX = 1 << 20

_FAST_CODE = r"^(?:\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$"
#: CodeState values in a fixed order (index 0 = ok, 1 = repaired: usable).
_STATES = ("ok", "repaired", "missing", "malformed", "digits-lost", "ambiguous")


class Screener(GroupAnswerer):
    """A catalogue prepared for screening many rows (indexes and caches).

    Args:
        catalog: the loaded catalogue.
        destination: destination for rows without a destination cell (ISO
            code or name, read by ``tracker.countries.parse_destination``;
            None: every list applies).
        as_of: date for rows without a date cell (None: today).
        lists: only these list keys (None: all).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        destination: str | None = None,
        as_of: dt.date | None = None,
        lists: Iterable[str] | None = None,
    ) -> None:
        super().__init__(catalog, destination=destination, as_of=as_of, lists=lists)
        self.keywords = KeywordScanner(catalog)
        codes = sorted(_decisive_codes(catalog, self.splits))
        self._keys = {
            n: pa.array([c for c in codes if len(c) == n], type=pa.string())
            for n in VALID_LENGTHS
        }
        # Offsets that make ids of keys of every length distinct.
        self._key_base: dict[int, int] = {}
        total = 0
        for size in VALID_LENGTHS:
            self._key_base[size] = total
            total += len(self._keys[size])
        narrower = sorted({c[:n] for c in codes for n in VALID_LENGTHS if n < len(c)})
        self._narrower = pa.array(narrower, type=pa.string())
        self._split6 = pa.array([k for k in self.splits if len(k) == 6], pa.string())
        self._split4 = pa.array([k for k in self.splits if len(k) == 4], pa.string())
        # first four digits of entry codes and split rows -> True
        self._head_table = np.zeros(10_000, dtype=bool)
        for c in [*codes, *self.splits]:
            if len(c) >= 4 and _is_digits(c[:4]):
                self._head_table[int(c[:4])] = True
        # chapter (2-digit) entry code -> its index in self._keys[2]
        self._chapter_id = np.full(100, -1, dtype=np.int64)
        for i, c in enumerate(self._keys[2].to_pylist()):
            if _is_digits(c):
                self._chapter_id[int(c)] = i
        self._bound_days = np.array(
            [b.toordinal() for b in self._bounds], dtype=np.int64
        )
        # radices of the packed signature's parts (see _pack), the class apart
        self._radices = [
            11,  # code length 0..10
            sum(len(k) for k in self._keys.values()) + 1,  # deep + 1
            len(self._narrower) + 1,
            len(self._split6) + 1,
            len(self._split4) + 1,
            len(self._bounds) + 1,  # epoch 0..len(bounds)
        ]
        self._inner_span = int(np.prod(self._radices, dtype=object))
        # packed (code signature, span) -> facts number (_NO_FACTS: none)
        self._fact_numbers = _SortedIds()
        # facts number * _CLASS_RADIX + destination class -> answer id
        self._fact_answers = _SortedIds()
        # decision group signature -> answer id; equal answers share one id
        # (packed int64 signatures in a sorted table, others in a dict)
        self._packed_ids = _SortedIds()
        self._answers: dict[Any, int] = {}
        # packed code signature -> first epoch of each epoch's answer span
        self._spans = _SortedIds(width=len(self._bounds) + 1)
        self._date_cells = DateCells()
        self._texts = _AnswerTexts()

    def _pack(self, parts: list[np.ndarray[Any, Any]]) -> np.ndarray[Any, Any] | None:
        """Signature parts (length, key ids, epoch, class) as one int64 per row.

        The radices are fixed for the screener, so a packed signature means the
        same in every chunk. None if a value falls outside them.
        """
        radices, span = self._radices, self._inner_span
        *inner, classes = parts
        if not len(classes) or int(classes.max()) >= (2**62) // span:
            return None
        key = classes.astype(np.int64)
        for part, radix, shift in zip(inner, radices, (0, 1, 1, 1, 1, 0), strict=True):
            value = part.astype(np.int64) + shift
            if int(value.min()) < 0 or int(value.max()) >= radix:
                return None
            key = key * radix + value
        return key

    def _new_group_ids(
        self,
        code: pa.Array,
        rows: np.ndarray[Any, Any],
        packed: np.ndarray[Any, Any],
        parts: list[np.ndarray[Any, Any]],
    ) -> np.ndarray[Any, Any]:
        """Answer ids of decision groups met for the first time (a row of each).

        ``packed``: their packed signatures (``_pack``), ``parts`` the parts.
        A group's answer follows from the facts of its code signature and
        span (``facts_of``) and its destination class (``answer_of``): two
        tables, looked up for all groups at once, hold the facts number of
        each (signature, span) and the answer id of each (facts number,
        class) met before, so Python works out only pairs that are new. A
        group without a facts number (an HS 2017 code) gets ``template_id``.
        """
        ids = np.full(len(rows), -1, dtype=np.int64)
        facts_key = packed % self._inner_span
        cls = packed // self._inner_span
        reps: tuple[list[str], list[list[int]]] | None = None

        def rep_of(i: int) -> tuple[str, dt.date, tuple[int, ...]]:
            # the code, date and group key (signature, span) of group i
            nonlocal reps
            if reps is None:  # as Python values, once
                codes = pc.take(code, pa.array(rows)).to_pylist()
                reps = codes, np.stack(parts[:-1], 1).tolist()
            key = tuple(reps[1][i])
            return reps[0][i], self._epoch_date(key[-1]), key

        numbers = self._fact_numbers.find(facts_key)
        new = np.flatnonzero(numbers == -1)
        if len(new):
            keys_u, first, inverse = np.unique(
                facts_key[new], return_index=True, return_inverse=True
            )
            found = []
            for i in new[first].tolist():
                number, facts, _ = self.facts_of(*rep_of(i))
                found.append(number if facts is not None else _NO_FACTS)
            got = np.array(found, dtype=np.int64)
            self._fact_numbers.add(keys_u, got)
            numbers[new] = got[inverse.reshape(-1)]
        plain = np.flatnonzero(numbers >= 0)
        if len(plain) and int(cls.max()) >= _CLASS_RADIX:
            plain = plain[:0]  # (never met: a million destination classes)
        if len(plain):
            pair = numbers[plain] * _CLASS_RADIX + cls[plain]
            ids[plain] = self._fact_answers.find(pair)
            new = np.flatnonzero(ids[plain] < 0)
            if len(new):
                keys_u, first, inverse = np.unique(
                    pair[new], return_index=True, return_inverse=True
                )
                found = []
                for i in plain[new[first]].tolist():
                    rep, on, key = rep_of(i)
                    facts = self.facts_of(rep, on, key)
                    dest = self._class_rep[int(cls[i])]
                    found.append(self.answer_of(facts, rep, on, dest, key))
                got = np.array(found, dtype=np.int64)
                self._fact_answers.add(keys_u, got)
                ids[plain[new]] = got[inverse.reshape(-1)]
        for i in np.flatnonzero(ids < 0).tolist():
            rep, on, key = rep_of(i)
            ids[i] = self.template_id(rep, on, self._class_rep[int(cls[i])], key=key)
        return ids

    def _span_epochs(
        self,
        code: pa.Array,
        rows: np.ndarray[Any, Any],
        code_parts: list[np.ndarray[Any, Any]],
        epochs: np.ndarray[Any, Any],
    ) -> np.ndarray[Any, Any]:
        """The epoch of each row, moved to the first epoch of its code's answer span.

        Codes with one signature hit the same entries, so they share the
        spans (``GroupAnswerer.epoch_starts``): rows of one code dated in
        different epochs between which nothing concerning the code changes
        fall into one decision group. Unchanged if the signature cannot be
        packed.
        """
        zero = np.zeros(len(rows), dtype=np.int64)
        packed = self._pack([*code_parts, zero, zero])
        if packed is None:
            return epochs
        inverse, count = _factorize(packed)
        first = _first_rows(inverse, count)
        keys = packed[first]
        table = self._spans.find(keys)
        missing = np.flatnonzero(table[:, 0] < 0)
        if len(missing):
            reps = pc.take(code, pa.array(rows[first[missing]])).to_pylist()
            found = np.array([self.epoch_starts(rep) for rep in reps], np.int64)
            table[missing] = found
            self._spans.add(keys[missing], found)
        result: np.ndarray[Any, Any] = table[inverse, epochs]
        return result

    # -- counts and issues --------------------------------------------------

    def account(
        self, out: pa.Table, columns: ColumnMapping, summary: ScreeningSummary
    ) -> None:
        """Add a screened table's counts and input issues to ``summary``.

        See ``tracker.screening_summary.account`` (with this screener's
        country names).
        """
        account(out, columns, summary, self._destinations)

    # -- the vectorised kernel ---------------------------------------------

    def _prefix_lookups(self, code: pa.Array) -> list[np.ndarray[Any, Any]]:
        """Longest containing entry code, narrower entry code, split rows."""
        deep = np.full(len(code), -1, dtype=np.int64)
        for size in sorted(VALID_LENGTHS, reverse=True):
            keys = self._keys[size]
            if len(keys) == 0:
                continue
            found = _lookup(pc.utf8_slice_codeunits(code, 0, size), keys)
            take = (deep < 0) & (found >= 0)
            deep[take] = found[take] + self._key_base[size]
        return [
            deep,
            _lookup(code, self._narrower),
            _lookup(pc.utf8_slice_codeunits(code, 0, 6), self._split6),
            _lookup(pc.utf8_slice_codeunits(code, 0, 4), self._split4),
        ]

    def screen(self, table: pa.Table, columns: ColumnMapping) -> pa.Table:
        """Screen an Arrow table of text cells; return it with tracker_* columns.

        ``table`` must hold the mapped columns as strings and ``tracker_row``
        (int64). Input columns are returned unchanged, in order, followed by
        ``ADDED_COLUMNS``. Counts and issues are gathered from the result by
        ``account``.
        """
        n = table.num_rows
        rows = table.column("tracker_row").combine_chunks()
        # Text columns the kernel dictionary-encodes anyway go out encoded
        # (same values; cheaper to write).
        same: dict[str, pa.DictionaryArray] = {}
        raw_code = text_array(table.column(columns.code))
        dflt = self.default_date

        # 1. codes: clean digit strings directly, everything else once per value
        # (2, 4, 6, 8 or 10 ASCII digits: the same test as _FAST_CODE)
        nbytes = np.asarray(pc.binary_length(raw_code).fill_null(0))
        fast = (
            np.asarray(pc.ascii_is_decimal(raw_code).fill_null(False))
            & (nbytes % 2 == 0)
            & (nbytes >= 2)
            & (nbytes <= 10)
        )
        code: pa.Array = raw_code
        length_of = np.where(fast, nbytes, 0).astype(np.int64)
        state_idx = np.zeros(n, dtype=np.int32)  # 0 = ok
        slow_idx = np.full(n, -1, dtype=np.int64)  # row -> distinct slow value
        readings: list[CodeReading] = []
        if not fast.all():
            slow = np.flatnonzero(~fast)
            idx, readings = _unique_readings(pc.take(raw_code, pa.array(slow)))
            slow_idx[slow] = np.asarray(idx)
            # unusable codes become "" (no lookup matches it)
            r_code = pa.array([r.code or "" for r in readings], pa.string())
            r_state = np.array(
                [_STATES.index(r.state) for r in readings] + [0], np.int32
            )
            r_len = np.array([len(r.code or "") for r in readings], np.int64)
            code = pc.replace_with_mask(
                raw_code, pa.array(~fast), pc.take(r_code, pa.array(slow_idx[slow]))
            )
            at = np.where(slow_idx < 0, len(readings), slow_idx)  # fast -> ok
            state_idx = r_state[at]
            length_of[slow] = r_len[slow_idx[slow]]

        # 2. dates: each distinct text read once; an ambiguous day follows the
        # order the column's other cells show (tracker.cells.read_dates, DateCells). An
        # unreadable or ambiguous date makes the row indeterminate: it is never
        # screened for a default date.
        if columns.date is not None:
            enc = _encode_cells(table, columns.date, same)
            date_vals = enc.dictionary.to_pylist()
            date_idx = np.asarray(enc.indices).astype(np.int64)
            parsed = self._date_cells.read(date_vals, columns.date_convention)
            days_u = np.array(
                [
                    r.date.toordinal() if r.date is not None else dflt.toordinal()
                    for r in parsed
                ],
                dtype=np.int64,
            )
            date_note_u: list[str | None] = [
                r.message
                if r.date is not None and r.message != ""
                else (
                    f"no date: screened as of {dflt}" if r.state == "missing" else None
                )
                for r in parsed
            ]
            has = np.array([x is not None for x in date_note_u] + [False])
            date_note_idx = np.where(has[date_idx], date_idx, -1)
            date_reason_u = [r.message for r in parsed]
            unusable = np.array(
                [r.state in ("unreadable", "ambiguous") for r in parsed] + [False]
            )
            date_bad = unusable[date_idx]
        else:
            days_u = np.full(min(n, 1), dflt.toordinal(), dtype=np.int64)
            date_idx = np.zeros(n, dtype=np.int64)
            date_note_u, date_note_idx = [], np.full(n, -1, np.int64)
            date_reason_u, date_bad = [], np.zeros(n, dtype=bool)
        # epochs and as-of days of the distinct dates, then per row
        epoch = np.searchsorted(self._bound_days, days_u, side="right")[date_idx]
        day_u, day_inv = np.unique(days_u, return_inverse=True)
        day_idx = day_inv.reshape(-1)[date_idx]
        as_of_u = pa.array(
            [dt.date.fromordinal(int(d)).isoformat() for d in day_u] + [""],
            pa.string(),
        )
        day_idx[date_bad] = len(day_u)  # no usable date: tracker_as_of stays empty

        # 3. destinations: each distinct text read once
        if columns.destination is not None:
            enc = _encode_cells(table, columns.destination, same)
            dest_vals = enc.dictionary.to_pylist()
            dest_idx = np.asarray(enc.indices).astype(np.int64)
            iso = [self._destinations.read(v) for v in dest_vals]
            # An unknown destination makes the row indeterminate (below), never
            # a default: a narrower answer would look like a real one.
            unknown_u = [
                c is None and v.strip() != ""
                for v, c in zip(dest_vals, iso, strict=True)
            ]
            filled = [
                c.lower()
                if c is not None
                else (None if bad else self.default_destination)
                for c, bad in zip(iso, unknown_u, strict=True)
            ]
        else:
            dest_vals, unknown_u = [], []
            filled = [self.default_destination]
            dest_idx = np.zeros(n, dtype=np.int64)
        dest_note_u: list[str | None] = []
        dest_note_idx = np.full(n, -1, np.int64)
        dest_u = [c.upper() if c is not None else "" for c in filled]
        cls_u = np.array([self._dest_class(c) for c in filled] + [0], dtype=np.int64)
        dest_cls = cls_u[dest_idx]

        # 4. prefix index lookups. The entry codes that contain a code are
        # fixed by the longest one (the shorter ones are its prefixes), so a
        # code's signature is: length, longest containing entry code, the
        # entry codes under it (narrower), and its HS 2017 split row.
        deep = np.full(n, -1, dtype=np.int64)  # id of the longest containing key
        comps = [length_of, deep, *(np.full(n, -1, dtype=np.int64) for _ in "nsS")]
        # A clean code of 4+ digits whose first four begin no entry code and
        # no split row can only sit under a chapter key: the other lookups
        # run on the remaining rows only. The first digits are read straight
        # from the text buffer.
        clean4 = fast & (nbytes >= 4)
        head = np.where(clean4, _leading_number(raw_code, 4), 0)
        near = ~clean4 | self._head_table[head]
        chapter = self._chapter_id[head // 100]
        far = ~near & (chapter >= 0)
        deep[far] = chapter[far] + self._key_base[2]
        at = np.flatnonzero(near)
        if len(at):
            for i, comp in enumerate(self._prefix_lookups(pc.take(code, pa.array(at)))):
                comps[i + 1][at] = comp
        hit_mask = np.zeros(n, dtype=bool)
        for comp in comps[1:]:
            hit_mask |= comp >= 0

        # 5. answers: index 0 = no hit, 1.. = decision groups
        answers: list[GroupAnswer] = [GroupAnswer("no-match", "", "", "", "", "", "")]
        group = np.zeros(n, dtype=np.int64)
        hit_rows = np.flatnonzero(hit_mask & (state_idx <= 1) & ~date_bad)
        row_sets: list[
            tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]
        ]
        row_sets = []
        if len(hit_rows):
            code_parts = [c[hit_rows] for c in comps]
            spans = self._span_epochs(code, hit_rows, code_parts, epoch[hit_rows])
            parts = [*code_parts, spans, dest_cls[hit_rows]]
            packed = self._pack(parts)
            cache_keys: list[Any]
            if packed is not None:  # one int64 per signature (the usual case)
                inverse, count = _factorize(packed)
                first = _first_rows(inverse, count)
                ids = self._packed_ids.find(packed[first])
            else:
                inverse, first = _factorize_rows(parts)
                cache_keys = [
                    tuple(r) for r in np.stack([p[first] for p in parts], 1).tolist()
                ]
                get = self._answers.get
                ids = np.array([get(k, -1) for k in cache_keys], dtype=np.int64)
            misses = np.flatnonzero(ids < 0)
            if len(misses) and packed is not None:
                at = first[misses]
                ids[misses] = self._new_group_ids(
                    code, hit_rows[at], packed[at], [p[at] for p in parts]
                )
                self._packed_ids.add(packed[at], ids[misses])
            elif len(misses):
                reps = pc.take(code, pa.array(hit_rows[first[misses]])).to_pylist()
                sigs = np.stack([p[first[misses]] for p in parts], 1).tolist()
                for i, rep, sig in zip(misses.tolist(), reps, sigs, strict=True):
                    ids[i] = self.template_id(
                        rep,
                        self._epoch_date(sig[-2]),
                        self._class_rep[sig[-1]],
                        key=tuple(sig[:-1]),
                    )
                    self._answers[cache_keys[i]] = int(ids[i])
            row_sets.append((hit_rows, inverse, ids))
        # Rows whose code touches no entry code: their answer depends only on
        # the date (coverage gaps, lists without data for it) and destination.
        free_rows = np.flatnonzero(~hit_mask & (state_idx <= 1) & ~date_bad)
        if len(free_rows):
            width = len(self._bounds) + 1
            free_key = dest_cls[free_rows] * width + epoch[free_rows]
            inverse, count = _factorize(free_key)
            first = _first_rows(inverse, count)
            free_ids: list[int] = []
            for i in first.tolist():
                row = int(free_rows[i])
                cache_key = ("free", int(dest_cls[row]), int(epoch[row]))
                known = self._answers.get(cache_key)
                if known is None:
                    rep = str(code[row].as_py())
                    known = self.template_id(
                        rep,
                        self._epoch_date(int(epoch[row])),
                        self._class_rep[int(dest_cls[row])],
                        key=("free", int(epoch[row])),
                    )
                    self._answers[cache_key] = known
                free_ids.append(known)
            row_sets.append((free_rows, inverse, np.array(free_ids, dtype=np.int64)))
        # groups with equal answers are merged: one dictionary value each
        if row_sets:
            used = np.unique(np.concatenate([i for *_, i in row_sets]))
            answers.extend(self._answer_list[i] for i in used.tolist())
            for at_rows, inverse, ids in row_sets:
                local = np.searchsorted(used, ids)
                group[at_rows] = local[inverse] + 1
        # unusable codes: one group per state (the reason is set per row below)
        base = len(answers)
        for _state in _STATES[1:]:
            answers.append(GroupAnswer("indeterminate", "", "", "", "", "", ""))
        bad_code = state_idx > 1  # 1 = repaired: usable
        group[bad_code] = base + state_idx[bad_code] - 1
        # a usable code on a row without a usable date (reason set per row)
        answers.append(GroupAnswer("indeterminate", "", "", "", "", "", ""))
        group[date_bad & ~bad_code] = len(answers) - 1
        # unknown destinations: one indeterminate group per distinct value
        if any(unknown_u):
            unknown_group = np.full(len(unknown_u) + 1, -1, dtype=np.int64)
            for u, (value, bad) in enumerate(zip(dest_vals, unknown_u, strict=True)):
                if bad:
                    error = UnknownDestinationError(
                        value, self._destinations.suggest(value)
                    )
                    unknown_group[u] = len(answers)
                    answers.append(
                        GroupAnswer(
                            "indeterminate",
                            f"destination-unknown: {error.detail}",
                            "",
                            "",
                            "",
                            "",
                            "",
                        )
                    )
            row_group = unknown_group[dest_idx]
            unknown_rows = row_group >= 0
            group[unknown_rows] = row_group[unknown_rows]

        # 5b. answers shared by several destinations name them by DEST_MARK:
        # one filled-in answer per such group and row destination
        marked = np.array(
            [DEST_MARK in a.reason or DEST_MARK in a.notes for a in answers] + [False]
        )
        rows_m = np.flatnonzero(marked[group])
        if len(rows_m):
            width = max(len(dest_u), 1)
            inverse, count = _factorize(group[rows_m] * width + dest_idx[rows_m])
            first = rows_m[_first_rows(inverse, count)]
            base = len(answers)
            for g, d in zip(
                group[first].tolist(), dest_idx[first].tolist(), strict=True
            ):
                answers.append(self.filled(answers[g], dest_u[d] if dest_u else ""))
            group[rows_m] = base + inverse

        # 6. keywords in the description, each distinct text scanned once
        if columns.description is not None:
            enc = _encode_cells(table, columns.description, same)
            kw_u = self.keywords.describe(enc.dictionary.to_pylist())
            desc_idx = np.asarray(enc.indices).astype(np.int64)
        else:
            kw_u, desc_idx = [""], np.zeros(n, dtype=np.int64)
        has_kw_u = np.array([k != "" for k in kw_u] + [False])
        kw_idx = np.where(has_kw_u[desc_idx], desc_idx, -1)

        # 7. per-row texts built once per distinct combination of their parts
        reason = self._reasons(
            answers,
            group,
            bad_code,
            slow_idx,
            kw_idx,
            readings,
            kw_u,
            np.where(date_bad, date_idx, -1),
            date_reason_u,
        )
        # each answer's texts as ids of distinct values (kept across chunks)
        text_ids, text_values = self._texts.ids(answers)
        status_u, notes_u = text_values[0], text_values[-1]
        no_match = np.array([v == "no-match" for v in status_u], dtype=bool)[
            text_ids[:, 0]
        ]
        conflict = (kw_idx >= 0) & no_match[group]
        # Groups with the same notes (most have none) share one id.
        has_note = np.array([v != "" for v in notes_u], dtype=bool)
        gnote = np.where(has_note[text_ids[:, -1]], text_ids[:, -1], -1)
        notes = self._notes(
            notes_u,
            [
                np.where(state_idx == 1, slow_idx, -1),
                date_note_idx,
                dest_note_idx,
                gnote[group],
                np.where(conflict, kw_idx, -1),
            ],
            readings,
            date_note_u,
            dest_note_u,
            kw_u,
        )

        added = {
            "tracker_row": rows,
            "tracker_code": code,
            "tracker_status": _dictionary_of(group, text_ids[:, 0], status_u),
            "tracker_reason": reason,
            "tracker_reason_code": reason_codes(reason),
            "tracker_lists": _dictionary_of(group, text_ids[:, 1], text_values[1]),
            "tracker_entries": _dictionary_of(group, text_ids[:, 2], text_values[2]),
            "tracker_tiers": _dictionary_of(group, text_ids[:, 3], text_values[3]),
            "tracker_verdicts": _dictionary_of(group, text_ids[:, 4], text_values[4]),
            "tracker_keywords": _dictionary(desc_idx, kw_u),
            "tracker_as_of": pa.DictionaryArray.from_arrays(
                pa.array(day_idx.astype(np.int32)), as_of_u
            ),
            "tracker_destination": _dictionary(dest_idx, dest_u),
            "tracker_notes": notes,
        }
        out = table.drop_columns(["tracker_row"])
        for name, encoded in same.items():
            out = out.set_column(out.column_names.index(name), name, encoded)
        for name in ADDED_COLUMNS:
            out = out.append_column(name, added[name])
        return out

    @staticmethod
    def _reasons(
        answers: list[GroupAnswer],
        group: np.ndarray[Any, Any],
        bad_code: np.ndarray[Any, Any],
        slow_idx: np.ndarray[Any, Any],
        kw_idx: np.ndarray[Any, Any],
        readings: list[CodeReading],
        kw_u: list[str],
        date_bad_idx: np.ndarray[Any, Any],
        date_reason_u: list[str],
    ) -> pa.Array:
        """tracker_reason: the group's reason, or the code and date cells' problems."""
        values = [a.reason for a in answers]
        indices = group.copy()
        bad = np.flatnonzero(bad_code | (date_bad_idx >= 0))
        if len(bad):
            code_part = np.where(bad_code[bad], slow_idx[bad], -1)
            # a bad code's group has no reason unless the destination is
            # unknown too (both are said)
            group_part = group[bad]
            kw_part = np.where(bad_code[bad], kw_idx[bad], -1)
            inv, first = _factorize_rows(
                [code_part, group_part, kw_part, date_bad_idx[bad]]
            )
            for i in first.tolist():
                row = int(bad[i])
                parts = []
                if bad_code[row]:
                    reading = readings[slow_idx[row]]
                    parts.append(f"code-{reading.state}: {reading.message}")
                if answers[group[row]].reason != "":
                    parts.append(answers[group[row]].reason)
                if date_bad_idx[row] >= 0:
                    parts.append(date_reason_u[date_bad_idx[row]])
                if bad_code[row] and kw_idx[row] >= 0:
                    parts.append(f"the description mentions {kw_u[kw_idx[row]]}")
                values.append("; ".join(parts))
            indices[bad] = len(answers) + inv
        return _dictionary(indices, values)

    @staticmethod
    def _notes(
        group_notes: list[str],
        keys: list[np.ndarray[Any, Any]],
        readings: list[CodeReading],
        date_note_u: list[str | None],
        dest_note_u: list[str | None],
        kw_u: list[str],
    ) -> pa.Array:
        """tracker_notes: repairs, defaults used, group notes, goods names seen."""
        # Rows without any note part (most) share value 0, ""; the others are
        # numbered by their distinct combination of parts.
        noted = np.zeros(len(keys[0]), dtype=bool)
        for k in keys:
            noted |= k >= 0
        at = np.flatnonzero(noted)
        inv = np.zeros(len(noted), dtype=np.int64)
        sub_inv, first = _factorize_rows([k[at] for k in keys])
        inv[at] = sub_inv + 1
        rep, dnote, cnote, grp, kwn = (k[at[first]].tolist() for k in keys)
        values = [""]
        for r, d, c, g, k in zip(rep, dnote, cnote, grp, kwn, strict=True):
            parts = []
            if r >= 0:
                parts.append(readings[r].message)
            if d >= 0:
                parts.append(date_note_u[d] or "")
            if c >= 0:
                parts.append(dest_note_u[c] or "")
            if g >= 0:
                parts.append(group_notes[g])
            if k >= 0:
                parts.append(
                    f"the description mentions {kw_u[k]}, a kind of goods the "
                    "lists cover: check the code"
                )
            values.append("; ".join(p for p in parts if p != ""))
        return _dictionary(inv, values)


#: A reason's code: the kebab-case slug before its first ": ".
_REASON_CODE = r"^(?P<code>[a-z0-9]+(?:-[a-z0-9]+)*): "


def reason_codes(reason: pa.Array) -> pa.Array:
    """tracker_reason_code: each reason's leading slug ("" for no reason).

    Worked out with Arrow compute on the distinct reasons (the dictionary)
    only, then mapped to the rows by their dictionary indices.
    """
    if not pa.types.is_dictionary(reason.type):
        reason = pc.dictionary_encode(pc.fill_null(reason, ""))
    texts = pc.fill_null(reason.dictionary, "")
    found = pc.extract_regex(texts, _REASON_CODE)
    codes = pc.fill_null(pc.struct_field(found, [0]), "")
    enc = pc.dictionary_encode(codes)
    indices = pc.take(enc.indices, pc.fill_null(reason.indices, 0))
    return pa.DictionaryArray.from_arrays(
        pc.cast(indices, pa.int32()), enc.dictionary.cast(pa.string())
    )


def plain_strings(table: pa.Table) -> pa.Table:
    """Return ``table`` with dictionary-encoded columns cast to plain strings.

    The kernel returns its text columns dictionary-encoded (cheap to build and
    to write); pandas users and CSV writers want plain text.
    """
    for i, fld in enumerate(table.schema):
        if pa.types.is_dictionary(fld.type):
            table = table.set_column(
                i, fld.name, table.column(i).cast(fld.type.value_type)
            )
    return table


class _AnswerTexts:
    """The texts of GroupAnswers as ids of distinct values, one numbering per field.

    Fields: status, lists, entries, tiers, verdicts, notes. Answers recur from
    chunk to chunk: each answer object is numbered once (equal answers made
    apart get the same ids). Memory is bounded (``limit`` answers, then a
    fresh numbering); a call uses one numbering throughout, so ids and values
    of one call always agree, also when threads share it.
    """

    FIELDS = ("status", "lists", "entries", "tiers", "verdicts", "notes")

    def __init__(self, limit: int = 50_000) -> None:
        import threading

        self._limit = limit
        self._lock = threading.Lock()
        self._state = self._fresh()

    def _fresh(
        self,
    ) -> tuple[
        dict[int, tuple[GroupAnswer, tuple[int, ...]]],
        list[dict[str, int]],
        list[list[str]],
    ]:
        return {}, [{} for _ in self.FIELDS], [[] for _ in self.FIELDS]

    def ids(
        self, answers: list[GroupAnswer]
    ) -> tuple[np.ndarray[Any, Any], list[list[str]]]:
        """(per answer and field the id of its text, per field the texts by id)."""
        state = self._state
        if len(state[0]) > self._limit:
            with self._lock:
                if self._state is state:
                    self._state = self._fresh()
                state = self._state
        known, index, values = state
        rows: list[tuple[int, ...]] = []
        for a in answers:
            # by identity (answers are shared objects; hashing their texts
            # costs more): the entry holds the answer, so its id is not reused
            entry = known.get(id(a))
            row = entry[1] if entry is not None and entry[0] is a else None
            if row is None:
                with self._lock:
                    ids = []
                    for field, seen, texts in zip(
                        self.FIELDS, index, values, strict=True
                    ):
                        text = getattr(a, field)
                        at = seen.get(text)
                        if at is None:
                            at = seen[text] = len(texts)
                            texts.append(text)
                        ids.append(at)
                    row = tuple(ids)
                    known[id(a)] = (a, row)
            rows.append(row)
        table = np.array(rows, dtype=np.int64).reshape(len(rows), len(self.FIELDS))
        return table, values


class _SortedIds:
    """int64 keys -> int64 ids (or rows of ``width`` ints), looked up for a whole array at once.

    Threads may look up while one adds: a lookup reads one (keys, ids) pair,
    replaced whole under a lock.
    """

    def __init__(self, width: int | None = None) -> None:
        import threading

        shape = (0,) if width is None else (0, width)
        self._table: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] = (
            np.zeros(0, dtype=np.int64),
            np.zeros(shape, dtype=np.int64),
        )
        self._lock = threading.Lock()

    def find(self, keys: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The id (row) of each key, -1 (a row of -1) where unknown (a new array)."""
        known, ids = self._table
        out = np.full((len(keys), *ids.shape[1:]), -1, dtype=np.int64)
        if len(known):
            at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
            hit = known[at] == keys
            out[hit] = ids[at[hit]]
        return out

    def add(self, keys: np.ndarray[Any, Any], ids: np.ndarray[Any, Any]) -> None:
        """Remember ``ids`` for ``keys`` (a key already known keeps its id)."""
        with self._lock:
            known, old = self._table
            # known keys come first: np.unique keeps the first of equal keys
            all_keys = np.concatenate([known, keys])
            all_ids = np.concatenate([old, ids])
            keys_u, first = np.unique(all_keys, return_index=True)
            self._table = (keys_u, all_ids[first])


def _factorize_rows(
    parts: list[np.ndarray[Any, Any]],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Number the distinct rows of equal-length int columns (hash-based).

    Returns (group of each row, first row of each group), groups numbered in
    order of first appearance.
    """
    key = np.zeros(len(parts[0]), dtype=np.int64)
    for part in parts:
        shifted = part.astype(np.int64) + 1  # -1 (no hit) becomes 0
        radix = int(shifted.max()) + 1 if len(shifted) else 1
        if int(key.max(initial=0)) >= (2**62) // max(radix, 1):
            key = _factorize(key)[0]
        key = key * radix + shifted
    codes, count = _factorize(key)
    return codes, _first_rows(codes, count)


def _first_rows(inverse: np.ndarray[Any, Any], count: int) -> np.ndarray[Any, Any]:
    """First row of each of ``count`` groups numbered by ``inverse``."""
    first = np.empty(count, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)
    return first


def _factorize(key: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], int]:
    """(number of each value, in order of first appearance; distinct values)."""
    enc = pc.dictionary_encode(pa.array(key))
    return np.asarray(enc.indices).astype(np.int64), len(enc.dictionary)


def _dictionary(indices: np.ndarray[Any, Any], values: list[str]) -> pa.Array:
    """``values[indices]`` as a dictionary array whose values are distinct.

    Parquet writes an Arrow dictionary as it is only when its values are
    distinct; with repeats it falls back to plain text for every row.
    """
    first: dict[str, int] = {}
    remap = [first.setdefault(v, len(first)) for v in values]
    if len(first) < len(values):
        indices = np.asarray(remap, dtype=np.int64)[indices]
        values = list(first)
    return pa.DictionaryArray.from_arrays(
        pa.array(indices.astype(np.int32)), pa.array(values, pa.string())
    )


def _dictionary_of(
    group: np.ndarray[Any, Any], ids: np.ndarray[Any, Any], texts: list[str]
) -> pa.Array:
    """``texts[ids[group]]`` as a dictionary array of the distinct texts used.

    ``ids`` numbers distinct texts (equal ids, equal texts; distinct ids,
    distinct texts), so the dictionary's values are distinct (see ``_dictionary``).
    """
    used, local = np.unique(ids, return_inverse=True)
    return pa.DictionaryArray.from_arrays(
        pa.array(local.reshape(-1).astype(np.int32)[group]),
        pa.array([texts[i] for i in used.tolist()], pa.string()),
    )


def _decisive_codes(catalog: Catalog, splits: dict[str, Any]) -> set[str]:
    """Codes whose prefixes decide a row's answer: the entry codes, the codes of
    coverage gaps limited to some codes, and, for an HS 2017 code moved one to
    one, the entry codes under its successor written as HS 2017 codes."""
    codes = {c.value for e in catalog.entries for c in e.codes}
    for meta in catalog.lists.values():
        for period in meta.coverage:
            codes.update(period.codes)
    moved = [
        (old, split.hs2022[0])
        for old, split in splits.items()
        if len(split.hs2022) == 1 and len(split.hs2022[0]) == len(old)
    ]
    # the codes under each successor, found by their first digits (not by
    # testing every code against every successor)
    sizes = sorted({len(new) for _, new in moved})
    under: dict[str, list[str]] = {}
    for c in codes:
        for n in sizes:
            under.setdefault(c[:n], []).append(c)
    for old, new in moved:
        added = [old + c[len(new) :] for c in under.get(new, ())]
        codes.update(added)
        for c in added:  # (they may lie under a later successor too)
            for n in sizes:
                under.setdefault(c[:n], []).append(c)
    return codes


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _leading_number(arr: pa.Array, width: int) -> np.ndarray[Any, Any]:
    """The first ``width`` bytes of each string read as a decimal number.

    Meaningful only for strings that start with ``width`` ASCII digits (the
    caller masks the others).
    """
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    n = len(arr)
    _, offsets_buf, data_buf = arr.buffers()[:3]
    starts = np.frombuffer(offsets_buf, dtype=np.int32, count=arr.offset + n)[
        arr.offset :
    ]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else None
    if data is None or len(data) == 0:
        return np.zeros(n, dtype=np.int64)
    last = len(data) - 1
    out = np.zeros(n, dtype=np.int64)
    for i in range(width):
        digit = data[np.minimum(starts + i, last)].astype(np.int64) - 48
        out = out * 10 + digit
    return out


def _encode_cells(
    table: pa.Table, name: str, same: dict[str, pa.DictionaryArray]
) -> pa.DictionaryArray:
    """Dictionary-encode a text column (nulls as ""); note it in ``same``.

    A column without nulls encodes to the same values, so the kernel may
    return it encoded in place of the input column.
    """
    column = table.column(name)
    enc: pa.DictionaryArray = pc.dictionary_encode(text_array(column))
    if column.null_count == 0 and pa.types.is_string(column.type):
        same[name] = enc
    return enc


def _lookup(keys: pa.Array, values: pa.Array) -> np.ndarray[Any, Any]:
    if len(values) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    found = pc.index_in(keys, value_set=values)
    return np.asarray(pc.fill_null(found, -1).to_numpy()).astype(np.int64)


def _unique_readings(values: pa.Array) -> tuple[pa.Array, list[CodeReading]]:
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    readings = [read_code_cached(v) for v in enc.dictionary.to_pylist()]
    return enc.indices, readings
