#!/usr/bin/env python3
"""tm inside Spark against Spark SQL computing the same counts itself (issue 14).

One local[2] session, one seeded dataset (benches/peers: sorted receptions, int8 statuses,
dictionary units, timestamp[us]) written as parquet in several files; the cohort view by unit x
ISO week over 2023:
- ``tm.spark.report`` (mapInArrow per partition, Spark's own sum by key and period, the rates by
  the library);
- Spark SQL: one GROUP BY with conditional counts (the classification of domain-rules sections 3
  and 6 written as CASE expressions, as an analyst would).
Both results are checked equal on their common columns first; then the median of ``--runs``
runs of each, the ratio tm-in-Spark / Spark SQL and the overhead per row.

Usage: python benches/spark/run.py [--rows 10000000] [--runs 3] [--files 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "peers"))

import pyarrow.parquet as pq  # noqa: E402

from tthc_peers.data import make_dataset  # noqa: E402

START, AS_OF = dt.date(2023, 1, 1), dt.date(2023, 12, 31)

SQL = f"""
WITH d AS (
  SELECT unit, status, received_at, channel,
         CASE WHEN status IN (9, 10) THEN finished_at
              WHEN status IN (7, 8) THEN coalesce(finished_at, received_at) END AS end_at,
         CAST(finished_at AS DATE) AS fin_day, CAST(due_at AS DATE) AS due_day
  FROM dossiers
  WHERE status NOT IN (1, 3)
    AND received_at BETWEEN TIMESTAMP '{START} 00:00:00' AND TIMESTAMP '{AS_OF} 23:59:59'),
c AS (
  SELECT unit, CAST(date_trunc('week', received_at) AS DATE) AS week, channel,
    CASE
      WHEN end_at <= TIMESTAMP '{AS_OF} 23:59:59' THEN
        CASE WHEN status = 7 THEN 'withdrawn' WHEN status = 8 THEN 'stopped'
             WHEN due_day IS NULL OR fin_day = due_day THEN 'on_time'
             WHEN fin_day < due_day THEN 'early' ELSE 'late' END
      WHEN status = 5 THEN 'awaiting_supplement'
      WHEN status = 6 THEN 'awaiting_payment'
      WHEN due_day IS NULL OR due_day >= DATE '{AS_OF}' THEN 'within_due'
      ELSE 'overdue' END AS outcome
  FROM d)
SELECT unit, greatest(week, DATE '{START}') AS period_start,
       count(*) AS received,
       count_if(channel = 2) AS received_online,
       count_if(outcome = 'early') AS early,
       count_if(outcome = 'on_time') AS on_time,
       count_if(outcome = 'late') AS late,
       count_if(outcome = 'within_due') AS within_due,
       count_if(outcome = 'overdue') AS overdue,
       count_if(outcome = 'awaiting_supplement') AS awaiting_supplement,
       count_if(outcome = 'awaiting_payment') AS awaiting_payment,
       count_if(outcome IN ('withdrawn', 'stopped')) AS refused_withdrawn
FROM c GROUP BY unit, week
"""
COMMON = ["received", "received_online", "early", "on_time", "late", "within_due", "overdue",
          "awaiting_supplement", "awaiting_payment", "refused_withdrawn"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", type=int, default=8)
    args = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import tthc_metrics.spark as tms

    spark = (SparkSession.builder.master("local[2]").appName("tthc-bench")
             .config("spark.sql.session.timeZone", "Asia/Ho_Chi_Minh")
             .config("spark.sql.shuffle.partitions", "8").config("spark.ui.enabled", "false")
             .config("spark.driver.memory", "6g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        table = make_dataset(args.rows)
        per = -(-table.num_rows // args.files)
        for k in range(args.files):
            pq.write_table(table.slice(k * per, per), f"{tmp}/part-{k}.parquet")
        df = spark.read.parquet(tmp)
        df.createOrReplaceTempView("dossiers")
        print(f"{args.rows:,} rows in {args.files} files, {df.rdd.getNumPartitions()} partitions")

        def ours():
            return tms.report(df, as_of=AS_OF, start=START, by=("unit", "week")).toPandas()

        def sql():
            return spark.sql(SQL).toPandas()

        a, b = ours(), sql()
        a = a.sort_values(["unit", "period_start"]).reset_index(drop=True)
        b = b.sort_values(["unit", "period_start"]).reset_index(drop=True)
        assert len(a) == len(b), (len(a), len(b))
        for c in COMMON:
            assert (a[c].astype("int64").values == b[c].astype("int64").values).all(), c
        print(f"equal: {len(a)} rows, {len(COMMON)} columns")

        def timed(fn):
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            return statistics.median(times)

        t_sql, t_tm = timed(sql), timed(ours)
        print(f"Spark SQL      {t_sql:8.2f} s")
        print(f"tm in Spark    {t_tm:8.2f} s   ratio tm/SQL = {t_tm / t_sql:.2f}x, "
              f"overhead {(t_tm - t_sql) / args.rows * 1e9:.0f} ns a row")
    spark.stop()


if __name__ == "__main__":
    main()
