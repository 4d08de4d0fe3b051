"""Startup stays light: the CLI imports pandas, pyarrow, DuckDB and openpyxl on demand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.__about__ import __version__

HEAVY = ("pandas", "pyarrow", "duckdb", "openpyxl")

#: Runs the CLI in-process as the console script does, then reports which heavy
#: modules ended up in sys.modules.
_RUN_CLI = """
import json, sys
from tracker.cli import main
sys.argv = ["tracker", *{args!r}]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"exit": code, "heavy": heavy}}), file=sys.stderr)
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )


def test_import_cli_loads_no_heavy_module() -> None:
    result = _run(
        "import json, sys, tracker.cli; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], result.stdout


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_no_heavy_module(args: list[str]) -> None:
    result = _run(_RUN_CLI.format(args=args, heavy=HEAVY))
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"exit": 0, "heavy": []}, result.stderr


def test_version_does_not_load_the_catalogue() -> None:
    result = _run(
        "import sys\n"
        "from tracker.cli import main\n"
        "sys.argv = ['tracker', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('tracker.catalog' in sys.modules)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False", result.stdout


def test_version_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"tracker {__version__}\n"


def test_package_names_resolve_lazily() -> None:
    import tracker

    for name in tracker.__all__:
        assert getattr(tracker, name) is not None, name
    assert set(tracker.__all__) <= set(dir(tracker))
    with pytest.raises(AttributeError):
        _ = tracker.no_such_name  # type: ignore[attr-defined]


def test_check_default_destination_matches_the_checker() -> None:
    from tracker.checking import DEFAULT_DESTINATION
    from tracker.cli import check

    assert check._DEFAULT_DESTINATION == DEFAULT_DESTINATION


def test_every_model_defers_building_its_validator() -> None:
    # Commands that load the lists from the cache validate nothing: building
    # every model's validator at import would cost them tens of ms.
    import importlib
    import pkgutil

    import pydantic

    import tracker

    # the library's modules (not the command line, which runs on import of
    # tracker.__main__, nor the report writers)
    for info in pkgutil.iter_modules(tracker.__path__, "tracker."):
        if info.name not in ("tracker.__main__", "tracker.cli", "tracker.report"):
            importlib.import_module(info.name)
    models = [
        cls
        for cls in _subclasses(pydantic.BaseModel)
        if cls.__module__.startswith("tracker.")
    ]
    assert len(models) > 20
    lazy = [m.__qualname__ for m in models if not m.model_config.get("defer_build")]
    assert lazy == []


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_a_json_scan_loads_neither_the_terminal_library_nor_yaml_twice(
    tmp_path: Path,
) -> None:
    # The second run finds the catalogue, countries and scanner in the cache:
    # it reads no YAML; JSON output needs no rich.
    text = tmp_path / "note.txt"
    text.write_text("Lasers went to Iran.\n", encoding="utf-8")
    cache = tmp_path / "cache"
    args = ["scan", str(text), "--format", "json"]
    reports = []
    for _ in range(2):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _RUN_CLI.format(args=args, heavy=(*HEAVY, "rich", "yaml")),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TRACKER_CACHE_DIR": str(cache)},
        )
        reports.append(json.loads(result.stderr.strip().splitlines()[-1]))
    assert reports[0]["exit"] == 0 and "rich" not in reports[0]["heavy"]
    assert reports[1] == {"exit": 0, "heavy": []}


def test_folding_a_long_text_does_not_import_numpy_ma() -> None:
    # np.unique imports numpy.ma (15-20 ms), and a scan's worker processes
    # fold their chunks after they were forked: each would pay it.
    result = _run(
        "import sys\n"
        "from tracker.text import Folded, code_points\n"
        "text = 'Ａｌｌ ｔｈｅ ｍａｃｈｉｎｅｓ，ｔｏ ＲＵ。' * 500\n"
        "folded = Folded.of(text, code_points(text))\n"
        "print(folded.points is not None, folded.text[:3], 'numpy.ma' in sys.modules)"
    )
    assert result.stdout.split() == ["True", "all", "False"], result.stderr


def test_scan_workers_import_nothing_the_parent_could_before_forking(
    tmp_path: Path,
) -> None:
    # A text of more than one chunk is scanned in forked worker processes: a
    # module that each of them imports after the fork costs its import once
    # per worker, where importing it in the parent, before forking, would do.
    from tracker.text import CHUNK_CHARS

    text = tmp_path / "long.txt"
    line = "Ｔｈｅ CNC machines went from China to Russia via Hong Kong，ｓｅａ。\n"
    text.write_text(line * (2 * CHUNK_CHARS // len(line) + 10), encoding="utf-8")
    # Twice, with a cache of its own: first built (the scanner, the folding
    # tables), then read back (the parent then does less before forking).
    env = {**os.environ, "TRACKER_CACHE_DIR": str(tmp_path / "cache")}
    for run in ("cold", "warm"):
        report = tmp_path / run
        code = (
            "import os, sys\n"
            "import tracker.forked_map as fm\n"
            "serve = fm._serve\n"
            "def _serve(*args):\n"
            "    before = set(sys.modules)\n"
            "    try:\n"
            "        serve(*args)\n"
            "    finally:\n"
            f"        with open({str(report)!r} + str(os.getpid()), 'w') as out:\n"
            "            out.write(' '.join(sorted(set(sys.modules) - before)))\n"
            "fm._serve = _serve\n"
            "from tracker.cli import main\n"
            f"sys.argv = ['tracker', 'scan', {str(text)!r}, '--format', 'json']\n"
            "main()\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout)["mentions"]
        workers = sorted(tmp_path.glob(f"{run}*"))
        if (os.cpu_count() or 1) > 1:
            assert workers
        for worker in workers:
            assert worker.read_text(encoding="utf-8") == "", (run, worker)
