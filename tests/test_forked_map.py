"""forked_map: results in task order from forked workers; failures surface, workers end."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

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
    # At most twice the workers handed out ahead of the results used, and
    # one more taken to be handed out next.
    assert len(taken) <= 1 + 2 * 2 + 1
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


def test_ctrl_c_during_a_scan_in_workers_exits_130_without_tracebacks(
    tmp_path: Path,
) -> None:
    import signal
    import subprocess
    import sys

    text = tmp_path / "long.txt"
    text.write_text("Lasers went to Iran through Armenia, said customs. " * 200_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "scan", str(text), "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 30
    # Ctrl-C once the scanning workers run (they are the command's children).
    while len(children.read_text().split()) < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, "the scan ended before its workers were seen"
        time.sleep(0.02)
    workers = [int(pid) for pid in children.read_text().split()]
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err, err.decode()
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_closing_early_ends_workers_that_wait_to_send_an_answer() -> None:
    # Answers larger than a pipe holds: when the parent stops reading, the
    # workers blocked in sending them must see the pipe end (no worker holds
    # another's parent end), not wait for the parent's timeout of 5 s each.
    results = forked_map(lambda n: b"x" * 8_000_000, range(6), 2)
    assert len(next(results)) == 8_000_000
    time.sleep(0.3)  # the workers are now blocked in sending
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 4.0  # a hang detector, not a speed test
    assert _no_workers_left()


def test_the_next_task_is_taken_while_the_workers_work() -> None:
    # A worker that answers gets the next task at once: it was taken from
    # the tasks (and pickled) while the worker was still at the last one.
    taken_at: dict[int, float] = {}

    def tasks() -> Iterator[int]:
        for n in range(3):
            taken_at[n] = time.monotonic()
            yield n

    def work(n: int) -> float:
        time.sleep(0.2)
        return time.monotonic()  # (one clock for all processes)

    ended = list(forked_map(work, tasks(), 1))
    assert taken_at[1] < ended[0]
    assert taken_at[2] < ended[1]
