"""Wall time of the commands people wait for: --version, --help and one lookup.

Runs each command as a new process (after one warm-up run, so the files are in
the page cache) and prints the median, minimum and maximum wall time in
seconds. Targets on a 2-core machine: --version and --help 0.25 s,
`lookup 8542.31` 0.5 s (median).

Usage:
    python benchmarks/startup_bench.py [--runs 11] [--tracker PATH]

To see where an import's time goes:
    python -X importtime -c "import tracker.cli" 2>&1 | sort -t'|' -k2 -n | tail
    python -m cProfile -s cumtime -m tracker lookup 8542.31 | head -40
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = (
    ("--version", 0.25),
    ("--help", 0.25),
    ("lookup 8542.31", 0.5),
)


def time_command(argv: list[str], runs: int) -> list[float]:
    """Return the wall time of ``runs`` runs of ``argv`` after one warm-up run."""
    subprocess.run(argv, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--tracker",
        default=shutil.which("tracker"),
        help="The tracker executable (default: the one on PATH; else python -m).",
    )
    args = parser.parse_args()
    base = [args.tracker] if args.tracker else [sys.executable, "-m", "tracker"]
    print(f"{'command':<26} {'median':>7} {'min':>7} {'max':>7} {'target':>7}")
    for command, target in COMMANDS:
        times = time_command([*base, *command.split()], args.runs)
        print(
            f"{'tracker ' + command:<26} {statistics.median(times):7.3f} "
            f"{min(times):7.3f} {max(times):7.3f} {target:7.2f}"
        )


if __name__ == "__main__":
    main()
