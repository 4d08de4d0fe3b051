"""forked_map: results in task order from forked workers; failures surface, workers end."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator

import pytest

from tracker.forked_map import WorkerError, can_fork, forked_map

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs fork")


def _no_workers_left() -> bool:
    deadline = time.monotonic() + 5
    while multiprocessing.active_children():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_results_come_in_task_order_however_uneven_the_tasks() -> None:
    def work(n: int) -> tuple[int, int]:
        # Early tasks are the slow ones: later answers arrive first.
        time.sleep(0.02 if n % 5 == 0 else 0.0)
        return n, os.getpid()

    got = list(forked_map(work, range(40), 3))
    assert [n for n, _ in got] == list(range(40))
    pids = {pid for _, pid in got}
    assert os.getpid() not in pids
    assert len(pids) == 3
    assert _no_workers_left()


def test_tasks_are_taken_as_results_are_used() -> None:
    taken: list[int] = []

    def tasks() -> Iterator[int]:
        for n in range(100):
            taken.append(n)
            yield n

    def work(n: int) -> int:
        # The first task is slow: the other worker must not run far ahead.
        time.sleep(0.3 if n == 0 else 0.0)
        return n * n

    results = forked_map(work, tasks(), 2)
    assert next(results) == 0
    # At most twice the workers handed out ahead of the results used.
    assert len(taken) <= 1 + 2 * 2
    assert next(results) == 1
    results.close()
    assert len(taken) < 100
    assert _no_workers_left()


def test_an_exception_of_the_work_is_raised_in_the_parent() -> None:
    def work(n: int) -> int:
        if n == 7:
            raise ValueError(f"bad task {n}")
        return n

    with pytest.raises(ValueError, match="bad task 7"):
        list(forked_map(work, range(20), 2))
    assert _no_workers_left()


def test_a_result_that_cannot_be_sent_is_a_worker_error() -> None:
    with pytest.raises(WorkerError, match="pickle|Pickl"):
        list(forked_map(lambda n: lambda: n, range(3), 2))
    assert _no_workers_left()


def test_a_worker_that_dies_is_a_worker_error() -> None:
    def work(n: int) -> int:
        if n == 3:
            os._exit(9)
        return n

    with pytest.raises(WorkerError, match="ended before it answered"):
        list(forked_map(work, range(10), 2))
    assert _no_workers_left()


def test_no_tasks_no_results() -> None:
    assert list(forked_map(lambda n: n, [], 2)) == []
    assert _no_workers_left()
