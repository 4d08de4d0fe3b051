"""Benchmark `tracker screen FILE -o out.xlsx` against a bare XlsxWriter loop.

Usage:
    python benchmarks/xlsx_bench.py                 # 100,000 and 300,000 rows
    python benchmarks/xlsx_bench.py --rows 100000 --rows 1000000 --repeat 3

For each row count N, generates benchmarks/data/screen_<N>.csv (git-ignored,
same generator as screen_bench.py) once, then runs, each in a child process so
that peak RSS is measured per run (resource.getrusage of the children):

1. ``tracker screen FILE -o OUT.xlsx --quiet`` (the real command: reading,
   screening, the Rows sheet and the Summary, Issues and Sources sheets);
2. a bare XlsxWriter constant-memory ``write_row`` loop writing the same rows:
   tracker's own CSV output of the same input (``tracker screen FILE -o
   OUT.csv``, made beforehand and not timed), read with the csv module, one
   sheet, no formats.

The ratio of the two wall times is the cost of everything tracker adds (target
1.2x or less); peak RSS should stay flat as N grows. With --repeat the two
commands alternate and each pair's ratio is shown; CPU seconds (user + system)
show the work done when other jobs make wall times noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from screen_bench import DATA, generate, measured  # noqa: E402


def bench(
    rows: int, out_dir: Path, repeat: int
) -> list[dict[str, tuple[float, int, float]]]:
    src = DATA / f"screen_{rows}.csv"
    if not src.exists():
        generate(src, rows)
    csv_out = out_dir / f"tracker_{rows}.csv"
    subprocess.run(
        [sys.executable, "-m", "tracker", "screen", str(src), "-o", str(csv_out),
         "--quiet"],
        check=True,
        cwd=HERE.parent,
    )  # fmt: skip
    xlsx_out = out_dir / f"tracker_{rows}.xlsx"
    code = (
        "import sys; from tracker.cli import main; "
        f"sys.argv = ['tracker', 'screen', {str(src)!r}, '-o', "
        f"{str(xlsx_out)!r}, '--quiet']; main()"
    )
    mine = code
    bare_out = out_dir / f"bare_{rows}.xlsx"
    code = textwrap.dedent(
        f"""
        import csv, xlsxwriter
        wb = xlsxwriter.Workbook({str(bare_out)!r}, {{"constant_memory": True}})
        ws = wb.add_worksheet("Rows")
        with open({str(csv_out)!r}, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.reader(fh)):
                ws.write_row(i, 0, row)
        wb.close()
        """
    )
    # Runs alternate, so that each pair shares the machine's conditions.
    return [
        {
            "tracker screen -o .xlsx": measured(mine),
            "bare XlsxWriter write_row loop": measured(code),
        }
        for _ in range(repeat)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command")
    args = parser.parse_args()
    counts = args.rows or [100_000, 300_000]
    out_dir = Path(tempfile.mkdtemp(prefix="xlsx-bench-", dir=DATA))
    table: list[tuple[int, str, float, int, float, float]] = []
    ratios: dict[int, list[float]] = {}
    try:
        for rows in counts:
            runs = bench(rows, out_dir, args.repeat)
            for name in runs[0]:
                walls = sorted(r[name][0] for r in runs)
                table.append(
                    (
                        rows,
                        name,
                        statistics.median(walls),
                        max(r[name][1] for r in runs),
                        statistics.median(r[name][2] for r in runs),
                        walls[0],
                    )
                )
            ratios[rows] = sorted(
                r["tracker screen -o .xlsx"][0] / r["bare XlsxWriter write_row loop"][0]
                for r in runs
            )
    finally:
        for p in out_dir.iterdir():
            p.unlink()
        out_dir.rmdir()
    print(f"\n{os.cpu_count()} CPUs, {args.repeat} run(s) each, median (min)\n")
    print("| rows | run | wall time (s) | rows/s | CPU (s) | peak RSS (MB) |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for rows, name, s, rss, cpu, low in table:
        print(
            f"| {rows:,} | {name} | {s:,.1f} ({low:,.1f}) | {rows / s:,.0f} | "
            f"{cpu:,.1f} | {rss / 1e6:,.0f} |"
        )
    print()
    for rows, found in ratios.items():
        shown = ", ".join(f"{r:.2f}" for r in found)
        print(
            f"{rows:,} rows: tracker screen / bare XlsxWriter loop = "
            f"{statistics.median(found):.2f}x (each pair back to back: {shown})"
        )


if __name__ == "__main__":
    main()
