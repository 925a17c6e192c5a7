"""Where the data lives (issue 14): tallies that travel (pickle, bytes, sum, the merge guard),
partial reports merged exactly, and tm.spark / tm.dask compared with the single-process report row
by row, on parquet in several files with one unit spelled NFC in one file and NFD in another."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
import unicodedata
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tthc_metrics as tm

AS_OF = dt.date(2023, 12, 31)

# pyspark 4.3 warns about pandas 3 on every conversion; the comparisons below check the results
pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# ------------------------------------------------------------------ tallies and reports that travel

def test_tallies_pickle_round_trip_and_sum():
    data = tm.krong_no_2023()
    t = tm.tally(data, as_of=dt.date(2023, 10, 16), rate_policy="decision_766")
    assert pickle.loads(pickle.dumps(t)) == t
    assert tm.Tally.from_bytes(t.to_bytes()) == t
    assert pickle.loads(pickle.dumps(t)).on_time_rate == t.on_time_rate
    half = data.num_rows // 2
    parts = [tm.tally(data.slice(0, half), as_of=dt.date(2023, 10, 16), rate_policy="decision_766"),
             tm.tally(data.slice(half), as_of=dt.date(2023, 10, 16), rate_policy="decision_766")]
    total = sum(parts)
    assert total == t and total.on_time_rate == t.on_time_rate
    assert tm.Tally() + t == t and tm.Tally().provenance is None


def test_corrupt_or_foreign_tally_bytes_are_typed_errors():
    for blob in (b"", b"not a tally", tm.Tally().to_bytes()[:-1], b"tthc-sum\x09\x00"):
        with pytest.raises(tm.TthcError) as e:
            tm.Tally.from_bytes(blob)
        assert e.value.code == "parse_error"


def test_merging_tallies_of_other_options_is_refused():
    data = tm.krong_no_2023()
    a = tm.tally(data, as_of=dt.date(2023, 10, 16))
    for other in (tm.tally(data, as_of=dt.date(2023, 10, 17)),
                  tm.tally(data, as_of=dt.date(2023, 10, 16), rate_policy="late_share"),
                  tm.tally(data, as_of=dt.date(2023, 10, 16), comparison="timestamp")):
        with pytest.raises(tm.MergeError) as e:
            a + other
        assert e.value.code == "mismatch" and "compute the parts with the same options" in str(e.value)


def test_partial_reports_merge_into_the_whole():
    data = tm.krong_no_2023()
    for view in ("cohort", "activity"):
        opts = dict(as_of=dt.date(2023, 10, 16), start=dt.date(2023, 1, 1), by=("unit", "month"),
                    view=view, key=True, rate_policy="decision_766", online_policy="decision_766")
        parts = [quiet(tm.report, data.slice(k * 4000, 4000), **opts) for k in range(4)]
        merged = tm.merge_reports(parts).to_pandas()
        whole = quiet(tm.report, data, **opts).to_pandas()
        pd.testing.assert_frame_equal(merged, whole)
    with pytest.raises(tm.MergeError):
        tm.merge_reports([quiet(tm.report, data, as_of=AS_OF, key=True),
                          quiet(tm.report, data, as_of=dt.date(2023, 12, 30), key=True)])


# ------------------------------------------------------------------ the data, in several files

@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory):
    data = tm.synthetic(12_000, units=10, seed=5)
    units = data.column("unit").to_pylist()
    folder = tmp_path_factory.mktemp("lake")
    for k in range(4):
        part = data.slice(k * 3_000, 3_000)
        if k % 2:  # one unit's name in NFD in every other file
            names = [unicodedata.normalize("NFD", u) for u in units[k * 3_000:(k + 1) * 3_000]]
            part = part.set_column(part.schema.get_field_index("unit"), "unit", pa.array(names))
        pq.write_table(part, folder / f"part-{k}.parquet")
    return folder


def single(folder, **opts):
    return quiet(tm.report, pq.read_table(folder), key=True, **opts).to_pandas()


def same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    order = ["key", "period_start"]
    got = got.sort_values(order).reset_index(drop=True)
    want = want.sort_values(order).reset_index(drop=True)
    cols = list(want.columns)
    assert list(got.columns) == cols, (list(got.columns), cols)
    pd.testing.assert_frame_equal(got[cols], want, check_dtype=False)
    # one row per unit: NFC and NFD spellings are one group
    assert got["key"].nunique() == 10


# ------------------------------------------------------------------ Dask

def test_dask_report_and_tally_equal_one_process(parquet_dir):
    dd = pytest.importorskip("dask.dataframe")
    import tthc_metrics.dask as tmd

    ddf = dd.read_parquet(str(parquet_dir))
    for view in ("cohort", "activity"):
        opts = dict(as_of=AS_OF, by=("unit", "month"), view=view)
        same_rows(tmd.report(ddf, **opts), single(parquet_dir, **opts))
    assert tmd.tally(ddf, as_of=AS_OF) == tm.tally(pq.read_table(parquet_dir), as_of=AS_OF)


def test_dask_bad_input_is_typed(parquet_dir):
    dd = pytest.importorskip("dask.dataframe")
    import tthc_metrics.dask as tmd

    ddf = dd.read_parquet(str(parquet_dir))
    with pytest.raises(tm.SchemaError):
        tmd.report(ddf[["unit", "status"]], as_of=AS_OF)


# ------------------------------------------------------------------ Spark (local[2])

@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark")  # noqa: F841
    if shutil.which("java") is None:
        pytest.fail("Java (17) is needed for the Spark tests: install a JDK (Debian: openjdk-17-jre-headless)")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("tthc-metrics-tests")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_report_and_tally_equal_one_process(spark, parquet_dir):
    import tthc_metrics.spark as tms

    df = spark.read.parquet(str(parquet_dir))
    for view in ("cohort", "activity"):
        opts = dict(as_of=AS_OF, by=("unit", "month"), view=view)
        got = tms.report(df, **opts)
        assert dict(got.dtypes)["late"] == "bigint"  # signed: Spark refuses unsigned columns
        same_rows(got.toPandas(), single(parquet_dir, **opts))
    assert tms.tally(df, as_of=AS_OF) == tm.tally(pq.read_table(parquet_dir), as_of=AS_OF)
    sdf, provenance = tms.report_details(df, as_of=AS_OF, by=("unit", "month"))
    assert provenance["inputs"] == "12000" and provenance["start"] == ""


def test_spark_timestamps_instant_ntz_and_wall_clock(spark):
    import tthc_metrics.spark as tms
    from pyspark.sql import functions as F

    # received, due and finished on 30 June 2023 in Việt Nam (finished at 20:00): on time in civil
    # time; the same wall clock read as UTC instants puts the finish at 03:00 on 1 July: late
    rows = [("U", "2023-06-30 08:00:00", "2023-06-30 10:00:00", "2023-06-30 20:00:00", 10)]
    text = spark.createDataFrame(rows, "unit string, received_at string, due_at string, finished_at string, status int")
    want = quiet(tm.report, pa.table({c: [r[i] for r in rows] for i, c in enumerate(text.columns)}),
                 as_of=AS_OF, by=(None, "month"), key=True).to_pandas()
    # text: read by the library, whatever the session zone
    got = tms.report(text, as_of=AS_OF, by=(None, "month")).toPandas()
    assert got["on_time"].tolist() == want["on_time"].tolist() == [1]
    # TIMESTAMP parsed from local text in a UTC session: instants 7 hours late; wall_clock fixes it
    parsed = text.select("unit", "status", *[F.to_timestamp(c).alias(c) for c in ("received_at", "due_at", "finished_at")])
    assert tms.report(parsed, as_of=AS_OF, by=(None, "month")).toPandas()["late"].tolist() == [1]
    assert tms.report(parsed, as_of=AS_OF, by=(None, "month"), timestamps="wall_clock").toPandas()["on_time"].tolist() == [1]
    # TIMESTAMP_NTZ is civil time already
    ntz = text.select("unit", "status", *[F.to_timestamp_ntz(F.col(c)).alias(c) for c in ("received_at", "due_at", "finished_at")])
    assert tms.report(ntz, as_of=AS_OF, by=(None, "month")).toPandas()["on_time"].tolist() == [1]


def test_spark_bad_input_is_typed(spark, parquet_dir):
    import tthc_metrics.spark as tms
    from pyspark.sql import functions as F

    df = spark.read.parquet(str(parquet_dir))
    with pytest.raises(tm.SchemaError):
        tms.report(df.select("unit", "status"), as_of=AS_OF)  # no received_at
    with pytest.raises(tm.TthcError):
        tms.report(df.withColumn("status", F.struct("status")), as_of=AS_OF)  # a struct status
    empty = df.limit(0)
    out, provenance = tms.report_details(empty, as_of=AS_OF)
    assert out.count() == 0 and provenance["inputs"] == "0"
    with pytest.raises(TypeError):
        tms.report(df)  # no as_of
