"""Benchmark `tracker screen` (CSV in, Parquet out) against a bare DuckDB join and a naive loop.

Usage (the baseline needs DuckDB: pip install ".[bench]"):
    python benchmarks/screen_bench.py --rows 5000000 --repeat 3
    python benchmarks/screen_bench.py --rows 200000 --naive-rows 20000

Generates benchmarks/data/screen_<N>.csv (git-ignored) once, then runs, each in
a child process so that peak RSS is measured per run (resource.getrusage of
the children):

1. ``tracker screen FILE -o OUT.parquet --quiet`` (the real command);
2. a bare DuckDB SQL left join of the same file on the 6-digit prefix of the
   list codes, written to Parquet (what a hand-written SQL query would do);
3. a naive per-row Python loop (csv module + tracker.matching.match_code per
   row), on the first --naive-rows rows and extrapolated linearly.

With --repeat, commands 1 and 2 alternate and the ratio of each pair is shown;
CPU seconds (user + system, all threads) show the work done when other jobs
make wall times noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

DESCRIPTIONS = [
    "integrated circuits, processors",
    "ball bearings, steel",
    "cotton t-shirts, knitted",
    "nitrocellulose lacquer base",
    "CNC milling machine",
    "spare parts for machinery",
    "frozen fish fillets",
    "plastic household articles",
    "optical lenses for cameras",
    "лазерный станок с ЧПУ",
    "микросхема памяти",
    "запасные части",
    "мебель офисная",
    "集成电路",
    "汽车零件",
    "ceramic tiles",
    "aluminium profiles",
    "printed circuit boards",
    "navigation receivers GNSS",
    "unmanned aerial vehicle parts",
]
DESTINATIONS = ["RU", "KZ", "CN", "TR", "AE", "DE", "BY", "KG", "AM", "IN"]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` synthetic shipment rows (codes across chapters 28-97)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sys.path.insert(0, str(HERE.parent))
    from tracker.catalog import load_catalog

    listed = sorted({c.value for e in load_catalog().entries for c in e.codes})
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    block = 1_000_000
    with pa.OSFile(str(tmp), "wb") as sink:
        first = True
        for start in range(0, rows, block):
            n = min(block, rows - start)
            chapter = rng.integers(28, 98, n)
            rest = rng.integers(0, 10**8, n)
            codes = np.char.add(
                np.char.zfill(chapter.astype(str), 2),
                np.char.zfill(rest.astype(str), 8),
            ).astype(object)
            # 8% of rows carry a listed code extended to 10 digits
            pick = rng.random(n) < 0.08
            chosen = rng.choice(np.array(listed, dtype=object), int(pick.sum()))
            codes[pick] = [(c + "0000000000")[:10] for c in chosen]
            # 0.5% blank, 0.5% float artefacts, 0.2% dotted
            r = rng.random(n)
            codes[r < 0.005] = ""
            art = (r >= 0.005) & (r < 0.01)
            codes[art] = [c + ".0" for c in codes[art]]
            dot = (r >= 0.01) & (r < 0.012)
            codes[dot] = [f"{c[:4]}.{c[4:6]}" for c in codes[dot]]
            days = rng.integers(0, 4 * 365, n)
            dates = (np.datetime64("2022-01-01") + days).astype(str)
            table = pa.table(
                {
                    "HS code": pa.array(codes, pa.string()),
                    "Description": pa.array(
                        np.array(DESCRIPTIONS, dtype=object)[
                            rng.integers(0, len(DESCRIPTIONS), n)
                        ],
                        pa.string(),
                    ),
                    "Destination": pa.array(
                        np.array(DESTINATIONS, dtype=object)[
                            rng.integers(0, len(DESTINATIONS), n)
                        ],
                        pa.string(),
                    ),
                    "Date": pa.array(dates.astype(object), pa.string()),
                    "Value": pa.array(
                        np.round(rng.random(n) * 100000, 2).astype(str).astype(object),
                        pa.string(),
                    ),
                }
            )
            pacsv.write_csv(
                table,
                sink,
                write_options=pacsv.WriteOptions(
                    include_header=first, quoting_style="needed"
                ),
            )
            first = False
    os.replace(tmp, path)


def measured(code: str) -> tuple[float, int, float]:
    """Run ``code`` in a grandchild: wall seconds, its own peak RSS, its CPU seconds.

    CPU seconds (user + system, all threads) show how much work a run did
    when other jobs share the machine and wall times are noisy.
    """
    wrapper = textwrap.dedent(
        f"""
        import json, resource, subprocess, sys, time
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", {code!r}], check=True)
        s = time.perf_counter() - t
        use = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps([s, use.ru_maxrss * 1024, use.ru_utime + use.ru_stime]))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper],
        check=True,
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    seconds, rss, cpu = json.loads(out.stdout.strip().splitlines()[-1])
    return float(seconds), int(rss), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--naive-rows", type=int, default=50_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command")
    args = parser.parse_args()

    src = DATA / f"screen_{args.rows}.csv"
    if args.regenerate or not src.exists():
        t = time.perf_counter()
        generate(src, args.rows)
        print(f"generated {src} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    size_mb = src.stat().st_size / 1e6
    out_dir = Path(tempfile.mkdtemp(prefix="screen-bench-", dir=DATA))
    results: dict[str, tuple[float, int, float, str]] = {}

    tracker_out = out_dir / "tracker.parquet"
    mine_code = (
        "import sys; from tracker.cli import main; "
        f"sys.argv = ['tracker', 'screen', {str(src)!r}, '-o', "
        f"{str(tracker_out)!r}, '--quiet']; main()"
    )
    duck_out = out_dir / "duckdb.parquet"
    duck_code = textwrap.dedent(
        f"""
        import duckdb
        from tracker.catalog import load_catalog
        cat = load_catalog()
        rows = sorted({{(c.value, e.list_key, e.entry_id) for e in cat.entries
                        for c in e.codes}})
        con = duckdb.connect()
        con.execute("CREATE TABLE codes(code VARCHAR, list_key VARCHAR, entry_id VARCHAR)")
        con.executemany("INSERT INTO codes VALUES (?, ?, ?)", rows)
        con.execute('''
            COPY (
              SELECT t.*, c.list_key, c.entry_id
              FROM read_csv({str(src)!r}, all_varchar = true) t
              LEFT JOIN codes c ON c.code = substr(t."HS code", 1, 6)
            ) TO {str(duck_out)!r} (FORMAT parquet)
        ''')
        """
    )
    # Runs alternate, so that each pair shares the machine's conditions.
    pairs: list[tuple[tuple[float, int, float], tuple[float, int, float]]] = []
    for _ in range(args.repeat):
        pairs.append((measured(mine_code), measured(duck_code)))
    for name, i in (
        ("tracker screen (CSV -> Parquet)", 0),
        ("bare DuckDB left join (CSV -> Parquet)", 1),
    ):
        runs = [p[i] for p in pairs]
        walls = sorted(r[0] for r in runs)
        results[name] = (
            statistics.median(walls),
            max(r[1] for r in runs),
            statistics.median(r[2] for r in runs),
            f"all rows; {len(runs)} runs, min {walls[0]:,.1f} s",
        )
    ratios = sorted(m[0] / d[0] for m, d in pairs)

    code = textwrap.dedent(
        f"""
        import csv, datetime as dt, itertools
        from tracker.catalog import load_catalog
        from tracker.hs import normalize_code
        from tracker.exc import CodeError
        from tracker.matching import match_code
        cat = load_catalog()
        out = []
        with open({str(src)!r}, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            for row in itertools.islice(reader, {args.naive_rows}):
                try:
                    code = normalize_code(row["HS code"])
                except CodeError:
                    out.append("indeterminate")
                    continue
                on = dt.date.fromisoformat(row["Date"])
                out.append("match" if match_code(cat, code, as_of=on) else "no-match")
        """
    )
    s, rss, cpu = measured(code)
    factor = args.rows / args.naive_rows
    results["naive per-row Python loop"] = (
        s * factor,
        rss,
        cpu * factor,
        f"measured on {args.naive_rows} rows ({s:.1f} s), extrapolated x{factor:.0f}",
    )

    print(f"\n{args.rows:,} rows, {size_mb:,.0f} MB CSV, {os.cpu_count()} CPUs\n")
    print("| run | wall time (s) | rows/s | CPU (s) | peak RSS (MB) | note |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, (s, rss, cpu, note) in results.items():
        print(
            f"| {name} | {s:,.1f} | {args.rows / s:,.0f} | {cpu:,.1f} | "
            f"{rss / 1e6:,.0f} | {note} |"
        )
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(
        f"\ntracker screen / bare DuckDB join: {statistics.median(ratios):.2f}x "
        f"median of the runs, each pair run back to back ({shown})"
    )
    for p in out_dir.iterdir():
        p.unlink()
    out_dir.rmdir()


if __name__ == "__main__":
    main()
