"""Run a function over tasks in forked worker processes; results in task order.

A lean replacement of ``multiprocessing.Pool.imap`` for ``tracker scan``: one
pipe per worker and no pool threads (the pool's three threads took half a
CPU-second of a dense 50 MB scan). The function is inherited by the forked
workers, not pickled; tasks and results are pickled through the pipes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(RuntimeError):
    """A worker process failed or ended before it answered."""


def can_fork() -> bool:
    """Return True where worker processes can be forked (not Windows, for one)."""
    return "fork" in multiprocessing.get_all_start_methods()


def forked_map(work: Callable[[T], R], tasks: Iterable[T], workers: int) -> Iterator[R]:
    """Yield ``work(task)`` for each task, in task order, from ``workers`` forked processes.

    Each worker has one task at a time and gets the next as soon as it
    answers (taken from ``tasks`` and pickled beforehand); at most
    ``2 * workers`` results wait for an earlier one, so memory stays bounded
    however uneven the tasks. An exception raised by ``work`` is raised here
    (as itself when it can be pickled, else as a WorkerError naming it); the
    workers end when the iterator is exhausted, closed or fails.
    """
    context = multiprocessing.get_context("fork")
    conns: list[Connection] = []
    procs: list[Any] = []
    try:
        for _ in range(workers):
            ours, theirs = context.Pipe()
            # The worker closes the parent's ends it inherits (its own pipe's
            # and the earlier workers'): each pipe must end when the parent
            # closes its end, or a worker could wait on it for ever.
            proc = context.Process(
                target=_serve, args=(work, theirs, [*conns, ours]), daemon=True
            )
            # Ctrl-C is held back while forking: the worker starts with it
            # blocked (until it ignores it), the parent gets it right after.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                proc.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
            # Only the worker holds its end: the pipe ends (EOF) when it does.
            theirs.close()
            conns.append(ours)
            procs.append(proc)
        pending = iter(enumerate(tasks))
        idle = list(reversed(conns))
        busy: dict[Connection, int] = {}
        done: dict[int, R] = {}
        handed = taken = 0
        # The next task, taken from `tasks` and pickled while the workers
        # work: a worker that answers gets it at once (taking and pickling a
        # 1M-character chunk of text is 10 ms).
        upcoming = _prepare(pending)
        while True:
            while idle and upcoming is not None and handed - taken < 2 * workers:
                conn = idle.pop()
                conn.send_bytes(upcoming[1])
                busy[conn] = upcoming[0]
                handed += 1
                upcoming = _prepare(pending)
            # Results are used while the workers work.
            while taken in done:
                yield done.pop(taken)
                taken += 1
            if not busy:
                if upcoming is None:
                    return
                continue
            for ready in wait(list(busy)):
                # (wait returns some of the connections it was given)
                conn = cast(Connection, ready)
                index = busy.pop(conn)
                try:
                    ok, value = cast(tuple[bool, Any], conn.recv())
                except EOFError:
                    raise WorkerError(
                        "a worker process ended before it answered"
                    ) from None
                if not ok:
                    raise value  # an exception raised by work()
                done[index] = value
                idle.append(conn)
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):  # (the worker has ended)
                conn.send(None)
            conn.close()
        for proc in procs:
            proc.join(timeout=5)
            if proc.exitcode is None:
                proc.terminate()
                proc.join()


def _prepare(pending: Iterator[tuple[int, Any]]) -> tuple[int, Any] | None:
    """The next task's number and pickle (as ``Connection.send`` pickles it), or None."""
    item = next(pending, None)
    if item is None:
        return None
    return item[0], ForkingPickler.dumps(item[1])


def _serve(
    work: Callable[[Any], Any], conn: Connection, inherited: list[Connection]
) -> None:
    """A worker: answer tasks until told to stop (None) or the parent is gone.

    Ctrl-C reaches every process of the terminal's group: a worker ignores it
    and the parent, which stops (tracker exits with 130), ends the workers by
    closing their pipes; no worker prints a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in inherited:
        other.close()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            answer: tuple[bool, Any] = (True, work(task))
        except Exception as exc:  # noqa: BLE001  # raised again in the parent
            answer = (False, exc)
        try:
            conn.send(answer)
        except OSError:
            return  # the parent is gone
        except Exception as exc:  # noqa: BLE001  # an answer that cannot be pickled
            with contextlib.suppress(OSError):
                conn.send((False, WorkerError(f"{type(exc).__name__}: {exc}")))
