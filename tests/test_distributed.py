"""The Dask engine gives exactly the local engine's rows and summary."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from tracker.catalog import Catalog
from tracker.readers import ColumnMapping, detect_columns, open_table
from tracker.screening import iter_screened, plain_strings, screen_frame
from tracker.screening_summary import ScreeningSummary

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

CODES = ["854231", "8542310000", "845961", "3912 20", "6109100000", "", "abc",
         "85", "8.54231E+09", "854230", "845951", "1012100"]  # fmt: skip
DESTS = ["RU", "DE", "Kazakhstan", "", "Atlantis"]


def _rows(n: int) -> pd.DataFrame:
    rng = random.Random(5)
    start = dt.date(2023, 6, 1).toordinal()
    return pd.DataFrame(
        {
            "HS code": [rng.choice(CODES) for _ in range(n)],
            "Description": [
                rng.choice(["guncotton", "shirts", "", "микросхемы"]) for _ in range(n)
            ],  # fmt: skip
            "Destination": [rng.choice(DESTS) for _ in range(n)],
            "Date": [
                dt.date.fromordinal(start + rng.randint(0, 500)).isoformat()
                for _ in range(n)
            ],  # fmt: skip
        }
    )


@pytest.fixture(scope="module")
def cluster() -> object:
    with distributed.LocalCluster(
        n_workers=2, processes=False, threads_per_worker=1, dashboard_address=None
    ) as c:
        yield c


def test_dask_file_engine_equals_local_engine(
    tmp_path: Path, mini_catalog: Catalog, cluster: object
) -> None:
    path = tmp_path / "rows.csv"
    _rows(3000).to_csv(path, index=False, sep=";")
    source = open_table(path)
    mapping = detect_columns(source.columns)
    on = dt.date(2024, 6, 1)

    local_summary = ScreeningSummary()
    local = pa.concat_tables(
        iter_screened(
            source,
            mini_catalog,
            columns=mapping,
            as_of=on,
            summary=local_summary,
            chunk_rows=700,
        )
    )
    from tracker.distributed import iter_screened_dask

    dask_summary = ScreeningSummary()
    parts = list(
        iter_screened_dask(
            source,
            mini_catalog,
            columns=mapping,
            as_of=on,
            summary=dask_summary,
            scheduler=cluster.scheduler_address,  # type: ignore[attr-defined]
            blocksize=20_000,
        )
    )
    assert len(parts) > 2  # really partitioned
    remote = pa.concat_tables(parts)
    assert plain_strings(local).equals(plain_strings(remote))
    assert local.column("tracker_row").to_pylist() == list(range(2, 3002))
    assert dask_summary.line() == local_summary.line()
    assert dask_summary.by_list_tier == local_summary.by_list_tier
    assert dask_summary.by_month == local_summary.by_month
    assert dask_summary.all_issues() == local_summary.all_issues()
    assert dask_summary.reason_codes == local_summary.reason_codes
    assert local_summary.reason_codes["destination-unknown"] > 0
    assert any(i.code == "destination-unknown" for i in local_summary.all_issues())


def test_screen_dask_api_on_a_dataframe(mini_catalog: Catalog, cluster: object) -> None:
    from tracker.distributed import screen_dask

    df = _rows(500)
    cols = ColumnMapping(
        code="HS code",
        description="Description",
        destination="Destination",
        date="Date",
    )
    expected = screen_frame(df, mini_catalog, columns=cols, destination="ru").frame
    with distributed.Client(cluster.scheduler_address):  # type: ignore[attr-defined]
        ddf = dd.from_pandas(df, npartitions=4)
        got = screen_dask(ddf, mini_catalog, columns=cols, destination="ru").compute()
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True).astype(object),
        expected.reset_index(drop=True).astype(object),
    )
