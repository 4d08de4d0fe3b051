"""Streaming a file through the screening kernel in chunks (prefetch, threads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from tracker.catalog import Catalog
from tracker.readers import ColumnMapping, TableSource
from tracker.screen_kernel import Screener
from tracker.screening_summary import ScreeningSummary


def iter_screened(
    source: TableSource,
    catalog: Catalog,
    *,
    columns: ColumnMapping,
    destination: str | None = None,
    as_of: dt.date | None = None,
    summary: ScreeningSummary,
    chunk_rows: int = 200_000,
    workers: int = 2,
    reader: Prefetch | None = None,
) -> Iterator[pa.Table]:
    """Stream a file through the kernel: yield screened Arrow chunks in order.

    Memory stays bounded by ``chunk_rows`` (times ``workers`` + 3 chunks in
    flight). Chunks are screened by ``workers`` threads sharing one
    ``Screener`` (Arrow and NumPy release the GIL); results keep file order.
    Reader issues (headers, ragged rows) are added to ``summary``.

    ``reader``: the source's chunks already being read ahead (see
    ``Prefetch``; started by the caller, e.g. while the columns are mapped);
    closed at the end.
    """
    import collections
    import os
    from concurrent.futures import Future, ThreadPoolExecutor, wait

    on = as_of if as_of is not None else dt.date.today()  # one date for all
    # The reader starts first: it parses the first chunks (Arrow, without
    # the GIL) while the screener builds its indexes.
    if reader is None:
        reader = Prefetch(source.iter_chunks(chunk_rows))
    try:
        # One screener for all threads: its caches are dicts (atomic get/set)
        # and destination classes are assigned under a lock.
        main = Screener(catalog, destination=destination, as_of=on)
    except BaseException:
        reader.close()
        raise
    workers = max(1, min(workers, os.cpu_count() or 1))

    def run(chunk: pa.Table) -> pa.Table:
        out: pa.Table = main.screen(chunk, columns)
        return out

    seen = 0

    def take_issues() -> None:
        # The reader thread appends to source.issues: take a copy of what is
        # new (a slice is taken whole under the GIL), then count it as seen.
        nonlocal seen
        new = source.issues[seen:]
        seen += len(new)
        for issue in new:
            summary.add_issue(issue)

    take_issues()

    def done(future: Future[pa.Table]) -> pa.Table:
        out = future.result()
        main.account(out, columns, summary)
        take_issues()
        return out

    with ThreadPoolExecutor(workers, thread_name_prefix="tracker-screen") as pool:
        pending: collections.deque[Future[pa.Table]] = collections.deque()
        warm = False
        for chunk in reader:
            pending.append(pool.submit(run, chunk))
            if not warm:
                # The first chunk fills the answer caches; screening the next
                # one alongside would work out the same answers again, in
                # Python (one core's worth under the GIL).
                wait([pending[0]])
                warm = True
            if len(pending) > workers:
                yield done(pending.popleft())
        while pending:
            yield done(pending.popleft())
    take_issues()


class Prefetch:
    """An iterator run in a background thread, ``depth`` items ahead.

    Reading (Arrow) releases the GIL, so the next chunk is parsed
    while the current one is screened. The thread starts at once (it may
    read while the caller prepares); exceptions are re-raised in order.
    ``close`` (or leaving a ``with`` block) stops it.
    """

    def __init__(self, items: Iterator[Any], depth: int = 2) -> None:
        import queue
        import threading

        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._items = items
        self._thread = threading.Thread(
            target=self._run, name="tracker-prefetch", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self._items:
                if self._stop.is_set():
                    return
                self._queue.put(("item", item))
            self._queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._queue.put(("error", exc))

    def __iter__(self) -> Iterator[Any]:
        try:
            while True:
                kind, value = self._queue.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                yield value
        finally:
            self.close()

    def close(self) -> None:
        """Stop the thread (it ends at its next item)."""
        import queue

        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(timeout=0.05)

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prefetch(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Iterate ``items`` read ahead in a background thread (see ``Prefetch``)."""
    yield from Prefetch(items, depth)
