"""Speed of `tracker scan` against `grep -F -i -o` over the goods words.

Generates two texts under benchmarks/data/ (git-ignored), unless present:

- sparse: --sparse-mb MB (default 100) of mixed-language paragraphs (English,
  Russian, Ukrainian, Chinese, German), 5 % of whose sentences name goods, a
  code or a country;
- dense: --dense-mb MB (default 50) of news-like text, one sentence a line,
  goods words in about 30 % of the sentences and country names in most.

writes the goods words the scanner uses (strong and weak aliases, no country
names or traps) to benchmarks/data/goods_words.txt, then times, --repeat times
each (min and median):

- scanner: decoding, folding, matching, confirmation, codes, sentences and
  country counts, as `tracker scan` runs them (every worker the machine has);
- CLI: `python -m tracker scan FILE --format json`, its output read from a
  pipe, with the peak RSS of its main process;
- grep: `grep -F -i -o -f goods_words.txt FILE` (every occurrence, output on
  a pipe), the reference of the ratios.

Usage:
    python benchmarks/scan_bench.py [--text sparse|dense|both] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracker.catalog import load_catalog  # noqa: E402
from tracker.scanning import Scanner  # noqa: E402
from tracker.text import iter_source_text, open_text  # noqa: E402

DATA = REPO / "benchmarks" / "data"

FILLER = [
    "The committee met on Tuesday to discuss the budget for the coming year.",
    "Analysts expect the figures to improve once the new harbour opens.",
    "Local officials said the road works would finish before the winter.",
    "The company reported higher revenue and a modest rise in costs.",
    "Several delegations asked for more time to study the proposal.",
    "Заседание комиссии перенесли на следующую неделю из-за погоды.",
    "Аналитики ожидают, что показатели улучшатся к концу квартала.",
    "Місцева влада пообіцяла відремонтувати дорогу до кінця літа.",
    "Die Sitzung des Ausschusses wurde auf den nächsten Monat verschoben.",
    "Die Zahlen des Unternehmens lagen leicht über den Erwartungen.",
    "委员会周二开会讨论了明年的预算安排。",
    "分析人士预计新港口开通后数据将有所改善。",
]
TOPICAL = [
    "Customs recorded shipments of nitrocellulose and ball bearings to {c}.",
    "Traders in {c} re-exported CNC machines and thermal cameras last month.",
    "The report lists optics, lasers and microchips bought through {c}.",
    "Goods under HS 8482.10 and CN code 9013 10 90 were sent to {c}.",
    "Таможня зафиксировала ввоз нитроцеллюлозы и станков с ЧПУ в {r}.",
    "Поставки подшипников по коду ТН ВЭД 8482 10 в {r} выросли.",
    "Митники затримали партію верстатів і тепловізорів для {r}.",
    "Laut Zoll gingen Werkzeugmaschinen und Kugellager nach {d}.",
    "报道称，硝化纤维和数控机床经{z}转运。",
    "The machine learning team plans fibre-optic broadband in {c}.",
]
COUNTRIES = {
    "c": ["Russia", "Iran", "North Korea", "Kazakhstan", "Türkiye", "the UAE"],
    "r": ["Россию", "Иран", "Казахстан", "КНДР", "Беларусь"],
    "d": ["Russland", "Georgien", "Armenien", "China"],
    "z": ["香港", "哈萨克斯坦", "俄罗斯", "伊朗"],
}


def generate(path: Path, size_mb: int, density: float, seed: int = 2024) -> None:
    """Write about ``size_mb`` MB of mixed-language text to ``path``."""
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            lines = []
            for _ in range(2000):
                sentences = []
                for _ in range(rng.randint(2, 6)):
                    if rng.random() < density:
                        tpl = rng.choice(TOPICAL)
                        sentences.append(
                            tpl.format(
                                **{k: rng.choice(v) for k, v in COUNTRIES.items()}
                            )
                        )
                    else:
                        sentences.append(rng.choice(FILLER))
                lines.append(" ".join(sentences))
            block = "\n".join(lines) + "\n"
            fh.write(block)
            written += len(block.encode("utf-8"))


# Dense news text: one sentence a line; GOODS_NEWS sentences (about 30 %)
# name goods, nearly every sentence names a country.
NEWS = [
    "Officials in {c} said the talks would resume next week.",
    "The central bank of {c} kept its key rate unchanged on Friday.",
    "Exports from {c} rose by 4 percent in the third quarter, the ministry said.",
    "A delegation from {c} arrived for two days of meetings on trade and energy.",
    "Prices for grain in {c} fell after a strong harvest, traders said.",
    "The foreign minister of {c} met his counterpart from {c2} on Tuesday.",
    "Власти {r} заявили, что переговоры продолжатся на следующей неделе.",
    "Делегация из {r} прибыла на двухдневные переговоры о торговле.",
    "Уряд {u} оголосив нові правила для імпортерів з {u2}.",
    "Die Regierung in {d} kündigte neue Regeln für Importeure an.",
    "{z}外交部表示，会谈将于下周继续。",
    "The committee met on Tuesday to discuss the budget for the coming year.",
]
GOODS_NEWS = [
    "Customs in {c} seized a shipment of {g} bound for {c2}.",
    "Traders re-exported {g} and {g2} through {c} last month, the report says.",
    "Investigators say {g} reached {c} via intermediaries in {c2}.",
    "The company denied selling {g} to buyers in {c}.",
    "Shipments of {g} under HS 8482.10 were sent to {c}.",
    "Таможня {r} зафиксировала ввоз {gr} через третьи страны.",
    "Митники затримали партію {gu} для {u}.",
    "Laut Zoll gingen {gd} nach {d}.",
    "报道称，{gz}经{z}转运。",
]
DENSE_SLOTS = {
    "c": ["Russia", "Iran", "North Korea", "Kazakhstan", "Türkiye", "the UAE",
          "China", "Belarus", "Armenia", "Georgia", "India", "Hong Kong",
          "Kyrgyzstan", "Moscow", "Tehran"],
    "r": ["России", "Ирана", "Казахстана", "КНДР", "Беларуси", "Китая"],
    "u": ["Росії", "Ірану", "Білорусі", "Китаю"],
    "d": ["Russland", "Georgien", "Armenien", "China", "Iran"],
    "z": ["香港", "哈萨克斯坦", "俄罗斯", "伊朗", "阿联酋"],
    "g": ["ball bearings", "nitrocellulose", "CNC machines", "thermal cameras",
          "microchips", "optics", "lasers", "drones", "gunpowder",
          "machine tools", "integrated circuits", "night vision goggles",
          "transceivers", "oscilloscopes", "spare parts", "dual-use goods",
          "lathes", "capacitors"],
    "gr": ["нитроцеллюлозы", "станков с ЧПУ", "подшипников", "микросхем",
           "тепловизоров", "беспилотников"],
    "gu": ["верстатів", "тепловізорів", "підшипників", "мікросхем"],
    "gd": ["Werkzeugmaschinen", "Kugellager", "Mikrochips", "Wärmebildkameras"],
    "gz": ["硝化纤维和数控机床", "轴承", "集成电路", "热像仪", "无人机"],
}  # fmt: skip


def generate_dense(path: Path, size_mb: int, seed: int = 2024) -> None:
    """Write about ``size_mb`` MB of news-like text, one sentence a line."""
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            lines = []
            for _ in range(5000):
                tpl = rng.choice(GOODS_NEWS if rng.random() < 0.3 else NEWS)
                slots = {k: rng.choice(v) for k, v in DENSE_SLOTS.items()}
                slots["c2"] = rng.choice(DENSE_SLOTS["c"])
                slots["u2"] = rng.choice(DENSE_SLOTS["u"])
                slots["g2"] = rng.choice(DENSE_SLOTS["g"])
                line = tpl.format(**slots)
                lines.append(line[0].upper() + line[1:])
            block = "\n".join(lines) + "\n"
            fh.write(block)
            written += len(block.encode("utf-8"))


def run_piped(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, int, float]:
    """Run a command with its output on a pipe.

    Returns (seconds, output bytes, peak RSS KB, CPU seconds of it and its children).

    The output must not go to /dev/null: GNU grep then stops at the first match.
    """
    start = time.perf_counter()
    size = 0
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    for block in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
        size += len(block)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{args[0]} exited with {proc.returncode}")
    return seconds, size, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def scanner_only(path: Path, datasets: Path) -> None:
    """Time the scanner in this process (run as a child: its RSS is its own)."""
    scanner = Scanner.from_catalog(load_catalog(datasets))
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    start = time.perf_counter()
    cpu_before = sum(
        u.ru_utime + u.ru_stime
        for u in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    source = open_text(str(path))
    result = scanner.scan(
        iter_source_text(source), country_mentions=False, workers=workers
    )
    seconds = time.perf_counter() - start
    report = {
        "seconds": seconds,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        # The scan's CPU: this process's and its scanning workers' (ended by now).
        "cpu": sum(
            u.ru_utime + u.ru_stime
            for u in (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
        )
        - cpu_before,
        "goods": len(result.goods_rows),
        "codes": len(result.code_rows),
        "countries": sum(t.count for t in result.tallies.values()),
    }
    print(json.dumps(report))


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def bench(path: Path, words: Path, datasets: Path, repeat: int) -> None:
    """Print scanner, CLI and grep times for one text."""
    size = path.stat().st_size / 1e6
    grep = shutil.which("grep")
    if grep is None:
        raise SystemExit("grep not found")
    env = {**os.environ, "TRACKER_DATASETS_PATH": str(datasets)}
    scan_s: list[float] = []
    scan_rss: list[int] = []
    scan_cpu: list[float] = []
    cli_s: list[float] = []
    cli_rss: list[int] = []
    cli_cpu: list[float] = []
    grep_s: list[float] = []
    counts: dict[str, int] = {}
    json_bytes = grep_bytes = 0
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--scanner-only", str(path),
             "--datasets", str(datasets)],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
        report = json.loads(out.stdout)
        scan_s.append(report["seconds"])
        scan_rss.append(report["rss_kb"])
        scan_cpu.append(report["cpu"])
        counts = {k: report[k] for k in ("goods", "codes", "countries")}
        seconds, json_bytes, rss, cpu = run_piped(
            [sys.executable, "-m", "tracker", "scan", str(path), "--format", "json"],
            env,
        )
        cli_s.append(seconds)
        cli_rss.append(rss)
        cli_cpu.append(cpu)
        seconds, grep_bytes, _, _ = run_piped(
            [grep, "-F", "-i", "-o", "-f", str(words), str(path)]
        )
        grep_s.append(seconds)
    g_min, g_med = _stats(grep_s)
    print(
        f"{path.relative_to(REPO)} ({size:.1f} MB): {counts['goods']} goods "
        f"mentions, {counts['codes']} codes, {counts['countries']} country "
        f"mentions; {repeat} rounds, min / median (and median of the rounds' ratios)"
    )
    for label, values, rss, cpu in (
        ("tracker scanner", scan_s, scan_rss, scan_cpu),
        ("tracker scan --format json", cli_s, cli_rss, cli_cpu),
    ):
        t_min, t_med = _stats(values)
        # Each round runs the three back to back: the median of the rounds'
        # own ratios moves less with the machine's speed than the others.
        paired = statistics.median(t / g for t, g in zip(values, grep_s, strict=True))
        print(
            f"  {label:<28} {t_min:6.2f} / {t_med:6.2f} s  "
            f"{size / t_min:6.1f} MB/s  x grep {t_min / g_min:5.2f} / "
            f"{t_med / g_med:5.2f} (rounds {paired:4.2f})  "
            f"CPU {statistics.median(cpu):5.1f} s  peak RSS {max(rss) / 1024:.0f} MB"
        )
    print(
        f"  {'grep -F -i -o (goods words)':<28} {g_min:6.2f} / {g_med:6.2f} s  "
        f"{size / g_min:6.1f} MB/s  ({grep_bytes} bytes out; JSON {json_bytes})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", choices=["sparse", "dense", "both"], default="both")
    parser.add_argument("--sparse-mb", type=int, default=100)
    parser.add_argument("--dense-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--datasets", type=Path, default=REPO / "datasets")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--scanner-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scanner_only is not None:
        scanner_only(args.scanner_only, args.datasets)
        return 0
    scanner = Scanner.from_catalog(load_catalog(args.datasets))
    words = DATA / "goods_words.txt"
    DATA.mkdir(parents=True, exist_ok=True)
    goods = sorted(set(scanner.aliases(kinds=("strong", "weak"))))
    words.write_text("\n".join(goods) + "\n", encoding="utf-8")
    print(f"goods words: {len(goods)}; LANG={os.environ.get('LANG', '')}")
    texts: list[Path] = []
    if args.text in ("sparse", "both"):
        path = DATA / f"scan_bench_sparse_{args.sparse_mb}mb.txt"
        if not path.exists():
            generate(path, args.sparse_mb, 0.05)
        texts.append(path)
    if args.text in ("dense", "both"):
        path = DATA / f"scan_bench_dense_{args.dense_mb}mb.txt"
        if not path.exists():
            generate_dense(path, args.dense_mb)
        texts.append(path)
    for path in texts:
        bench(path, words, args.datasets, args.repeat)
        if not args.keep:
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
