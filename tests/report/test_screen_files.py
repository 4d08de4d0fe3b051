"""The file sinks of tracker screen: a temporary file beside the output, renamed at the end."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tracker.report.screen_files import CsvSink, JsonSink, ParquetSink


def _chunk(start: int, rows: int) -> pa.Table:
    return pa.table(
        {
            "HS code": [f"8542.{n:02d}" for n in range(start, start + rows)],
            "tracker_row": pa.array(range(start, start + rows), pa.int64()),
            "tracker_status": ["match"] * rows,
        }
    )


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_parquet_sink_writes_every_chunk_and_replaces_the_old_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"an older output, longer than nothing" * 1000)
    sink = ParquetSink(out)
    sink.write(_chunk(0, 3))
    sink.write(_chunk(3, 2))
    # nothing under the output's name until the sink is closed
    assert out.read_bytes().startswith(b"an older output")
    assert len(_temps(tmp_path)) == 1
    sink.close()
    table = pq.read_table(out)
    assert table.column("tracker_row").to_pylist() == [0, 1, 2, 3, 4]
    assert table.column("HS code").to_pylist()[-1] == "8542.04"
    assert not _temps(tmp_path)
    assert _open_files_in(tmp_path) == []


def _open_files_in(folder: Path) -> list[str]:
    """The files in ``folder`` this process still has open (Linux)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc")
    found = []
    for fd in fds.iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue
        if str(target).startswith(str(folder)):
            found.append(str(target))
    return found


def test_parquet_sink_abort_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    sink = ParquetSink(out)
    sink.write(_chunk(0, 3))
    sink.abort()
    assert not out.exists()
    assert not _temps(tmp_path)
    assert _open_files_in(tmp_path) == []


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_text_sinks_write_from_the_start_of_their_new_file(
    tmp_path: Path, kind: str
) -> None:
    # The temporary file is appended to (it is new and empty): the output
    # holds exactly what was written, once.
    out = tmp_path / f"out.{kind}"
    sink = CsvSink(out, _chunk(0, 1).column_names) if kind == "csv" else JsonSink(out)
    sink.write(_chunk(0, 2))
    sink.close()
    text = out.read_text(encoding="utf-8")
    if kind == "csv":
        assert text.splitlines() == [
            "HS code,tracker_row,tracker_status",
            '"8542.00",0,"match"',
            '"8542.01",1,"match"',
        ]
    else:
        assert text.startswith('[\n{"HS code": "8542.00"')
        assert text.count("8542.01") == 1
    assert not _temps(tmp_path)
