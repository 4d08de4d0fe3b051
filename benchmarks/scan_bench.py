"""Throughput of the `tracker scan` matcher against `grep -F -i -f <aliases>`.

Generates a text of at least --size-mb megabytes (UTF-8; English, Russian,
Ukrainian, Chinese and German sentences written for this benchmark; --density
of them name goods, a code or a country) under benchmarks/data/ (git-ignored),
writes every alias the scanner uses to benchmarks/data/aliases.txt, then times:

- tracker: decoding, folding, Aho-Corasick matching, confirmation of each hit,
  codes, sentences and finding objects, streamed in sentence-aligned chunks
  (what `tracker scan` does before rendering), with its peak memory;
- grep -F -i -c: counts lines with at least one alias (stops at the first
  match of each line);
- grep -F -i -o: prints every alias occurrence (the same task as the scanner,
  which reports every occurrence with its position).

Usage:
    python benchmarks/scan_bench.py [--size-mb 100] [--datasets PATH]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tracker.catalog import load_catalog  # noqa: E402
from tracker.scanning import Scanner  # noqa: E402
from tracker.text import open_text  # noqa: E402

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


def run_grep(args: list[str]) -> tuple[float, int]:
    """Run grep with its output on a pipe; return (seconds, output lines).

    The output must not go to /dev/null: GNU grep then stops at the first match.
    """
    start = time.perf_counter()
    lines = 0
    with subprocess.Popen(args, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        for block in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
            lines += block.count(b"\n")
    return time.perf_counter() - start, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--datasets", type=Path, default=REPO / "datasets")
    parser.add_argument(
        "--density",
        type=float,
        default=0.05,
        help="share of sentences naming goods, codes or countries (default 0.05)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    text_path = DATA / f"scan_bench_{args.size_mb}mb_{args.density}.txt"
    if not text_path.exists() or text_path.stat().st_size < args.size_mb * 1024 * 1024:
        generate(text_path, args.size_mb, args.density)
    size = text_path.stat().st_size / 1e6
    scanner = Scanner.from_catalog(load_catalog(args.datasets))
    aliases = DATA / "aliases.txt"
    aliases.write_text(
        "\n".join(sorted(set(scanner.aliases()))) + "\n", encoding="utf-8"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    counts = [0, 0, 0]
    source = open_text(str(text_path))
    for _, mentions, codes, places in scanner.iter_scan(source.pieces):
        counts[0] += len(mentions)
        counts[1] += len(codes)
        counts[2] += len(places)
    tracker_s = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    grep = shutil.which("grep")
    print(
        f"file: {text_path.relative_to(REPO)} ({size:.1f} MB), aliases: "
        f"{len(set(scanner.aliases()))}"
    )
    print(
        f"tracker scan matcher: {tracker_s:6.2f} s  {size / tracker_s:7.1f} MB/s  "
        f"({counts[0]} goods mentions, {counts[1]} codes, {counts[2]} countries; "
        f"peak RSS {rss_after / 1024:.0f} MB, {rss_before / 1024:.0f} MB before)"
    )
    if grep is None:
        print("grep not found")
        return 0
    for label, flags in (("grep -F -i -c", ["-c"]), ("grep -F -i -o", ["-o"])):
        seconds, lines = run_grep(
            [grep, "-F", "-i", *flags, "-f", str(aliases), str(text_path)]
        )
        print(
            f"{label:<20}: {seconds:6.2f} s  {size / seconds:7.1f} MB/s  "
            f"({lines} output lines) tracker/grep time ratio {tracker_s / seconds:.2f}"
        )
    if not args.keep:
        text_path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
