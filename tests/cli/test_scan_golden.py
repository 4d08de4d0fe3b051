"""`tracker scan` output over the scan corpus stays as it was before the fast path.

tests/golden/scan_corpus.json was written by the scanner as it stood before
findings became tuples and the JSON went through orjson (one object per corpus
file: the scan part of `--format json`, and the rows of the Mentions sheet).
`pytest --update-golden` rewrites it; review the diff before committing.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tracker.catalog import Catalog
from tracker.cli import app
from tracker.cli.scan import mention_rows, write_scan_json
from tracker.scanning import Scanner
from tracker.text import iter_source_text, open_text

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("use_real_datasets")

CORPUS = FIXTURES / "scan_corpus"
GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "scan_corpus.json"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.json")
#: The cross-check ("results", "note") is `tracker check`'s, tested there.
SCAN_KEYS = ("source", "mentions", "codes", "countries", "destinations")


def _record(name: str, real_catalog: Catalog) -> dict[str, Any]:
    path = CORPUS / name
    result = runner.invoke(app, ["scan", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    scanner = Scanner.from_catalog(real_catalog)
    scanned = scanner.scan(iter_source_text(open_text(str(path))))
    return {
        "json": {k: data[k] for k in SCAN_KEYS},
        "mention_rows": mention_rows(scanned, include_weak=False),
    }


def test_scan_output_matches_the_golden_file(
    real_catalog: Catalog, update_golden: bool
) -> None:
    got = {name: _record(name, real_catalog) for name in FILES}
    # Paths as the test runs them would differ between machines.
    for name, record in got.items():
        record["json"]["source"]["name"] = name
    if update_golden:
        GOLDEN.write_text(
            json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(expected)
    for name in FILES:
        assert got[name] == expected[name], name


@pytest.mark.parametrize("name", FILES)
def test_json_bytes_are_those_of_the_standard_encoder(name: str) -> None:
    result = runner.invoke(
        app, ["scan", str(CORPUS / name), "--format", "json", "--include-weak"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    assert result.stdout == expected


def test_write_scan_json_escapes_as_the_standard_encoder() -> None:
    tricky = "".join(chr(c) for c in range(0x250)) + "\u2028\u2029 😀 “quoted” 中文"
    data: dict[str, Any] = {
        "source": {"name": tricky, "characters": 3},
        "mentions": [{"text": tricky, "start": 0, "hs_codes": [], "x": None}],
        "codes": [],
        "countries": [{"aliases": [tricky, "b"], "first_start": -1, "ok": True}],
        "results": [{"nested": {"empty": {}, "list": [[], [1, 2]]}}],
    }
    out = io.BytesIO()
    write_scan_json(data, out)
    expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert out.getvalue().decode("utf-8") == expected


@pytest.mark.parametrize("workers", [1, 2])
def test_mentions_encoded_where_found_are_written_as_the_rows(
    real_catalog: Catalog, workers: int
) -> None:
    import tracker.cli.scan as scan_cli

    scanner = Scanner.from_catalog(real_catalog)
    text = " ".join(
        (CORPUS / name).read_text(encoding="utf-8")
        for name in FILES
        if name.endswith(".txt")
    )
    plain = scanner.scan(text, chunk_size=500, country_mentions=False)
    encoded = scanner.scan(
        text,
        chunk_size=500,
        country_mentions=False,
        workers=workers,
        encode_goods=scan_cli.mention_encoder(include_weak=True),
    )
    assert encoded.goods_blocks is not None and len(encoded.goods_blocks) > 1
    written = []
    for result in (plain, encoded):
        out = io.BytesIO()
        mentions = scan_cli.mention_batches(result, include_weak=True)
        write_scan_json({"mentions": mentions, "codes": []}, out)
        written.append(out.getvalue())
    assert written[1] == written[0]
    records = scan_cli.mention_records(plain, include_weak=True)
    assert len(records) > 20
    expected = json.dumps(
        {"mentions": records, "codes": []}, ensure_ascii=False, indent=2
    )
    assert written[1].decode("utf-8") == expected + "\n"


@pytest.mark.parametrize("batch", [1, 2, 3, 5000])
def test_write_scan_json_in_batches_equals_the_standard_encoder(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.cli.scan as scan_cli

    monkeypatch.setattr(scan_cli, "JSON_BATCH", batch)
    records = [{"text": f"t{i}", "nested": [i, {"k": [None]}]} for i in range(5)]
    data: dict[str, Any] = {
        "source": {"name": "x"},
        "mentions": scan_cli.RecordBatches(iter([records[:2], [], records[2:], []])),
        "codes": records,
        "countries": [],
    }
    plain = {**data, "mentions": records}
    out = io.BytesIO()
    write_scan_json(data, out)
    expected = json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    assert out.getvalue().decode("utf-8") == expected
    empty = io.BytesIO()
    write_scan_json({"mentions": scan_cli.RecordBatches(iter([[]]))}, empty)
    assert empty.getvalue() == b'{\n  "mentions": []\n}\n'
