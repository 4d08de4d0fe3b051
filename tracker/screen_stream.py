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
) -> Iterator[pa.Table]:
    """Stream a file through the kernel: yield screened Arrow chunks in order.

    Memory stays bounded by ``chunk_rows`` (times ``workers`` + 3 chunks in
    flight). Chunks are screened by ``workers`` threads sharing one
    ``Screener`` (Arrow and NumPy release the GIL); results keep file order.
    Reader issues (headers, ragged rows) are added to ``summary``.
    """
    import collections
    import os
    from concurrent.futures import Future, ThreadPoolExecutor, wait

    on = as_of if as_of is not None else dt.date.today()  # one date for all
    # One screener for all threads: its caches are dicts (atomic get/set) and
    # destination classes are assigned under a lock.
    main = Screener(catalog, destination=destination, as_of=on)
    workers = max(1, min(workers, os.cpu_count() or 1))

    def run(chunk: pa.Table) -> pa.Table:
        out: pa.Table = main.screen(chunk, columns)
        return out

    for issue in source.issues:
        summary.add_issue(issue)
    seen = len(source.issues)

    def done(future: Future[pa.Table]) -> pa.Table:
        nonlocal seen
        out = future.result()
        main.account(out, columns, summary)
        for issue in source.issues[seen:]:
            summary.add_issue(issue)
        seen = len(source.issues)
        return out

    with ThreadPoolExecutor(workers, thread_name_prefix="tracker-screen") as pool:
        pending: collections.deque[Future[pa.Table]] = collections.deque()
        warm = False
        for chunk in prefetch(source.iter_chunks(chunk_rows)):
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
    for issue in source.issues[seen:]:
        summary.add_issue(issue)


def prefetch(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Run an iterator in a background thread, ``depth`` items ahead.

    Reading (DuckDB, Arrow) releases the GIL, so the next chunk is parsed
    while the current one is screened. Exceptions are re-raised in order.
    """
    import queue
    import threading

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put(("item", item))
            q.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(("error", exc))

    thread = threading.Thread(target=run, name="tracker-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)
