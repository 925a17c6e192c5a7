#!/usr/bin/env python3
"""Peer comparison (`make bench-peers`): tm.report and the working-day calendar against polars,
DuckDB, pandas and numpy on one seeded dataset.

One run:
1. preflight on small data: every peer's table equals tm.report's (both views), and tm.report equals
   the independent pandas oracle (bindings/python/tests/reference.py);
2. generates the dataset (`--rows`, default 10M dossiers, 40 communes, 2023) once, writes it to a
   temporary parquet file and computes tm.report's tables from it (the expected tables);
3. runs each engine and view in its own subprocess: load the parquet the way that engine's user
   would (not timed), reset the peak-RSS mark, run once and check the table equals tm.report's
   exactly (fail loudly otherwise), then 5 timed runs; median, rows/s, peak RSS;
4. times tm.report on variants of the input (chunking, plain-string unit, no key, polars and pandas
   frames and their Arrow hand-over alone): where its time goes;
5. times `add_working_days` on 1M (date, n) pairs against numpy `busday_offset` and polars
   `add_business_days` (the pairs and holiday list of calendar_numpy.py);
6. prints the tables and writes RESULTS.md and results.json beside this file (full runs only).

The dataset's times are whole seconds (as portals export them): tm.report reads times to the
second, a `<= 23:59:59` comparison reads microseconds; they differ only for sub-second times in
the last second of a day.

Definitions (domain-rules sections 3-6, DESIGN.md, defaults only: date comparison, supplement
clock paused, original due date), grouped by unit x ISO week, window [2023-01-01, 2023-12-31]:
- never received (status 1, 3) excluded; end = finished_at for 9, 10; finished_at, else
  received_at, for 6, 7, 8; ended = end <= cut-off;
- ended and finished: finished DATE <, =, > due DATE -> early, on time, late (no due date: on time);
  ended and 6, 7, 8 -> refused_withdrawn; not ended: status 5 -> awaiting_supplement, no due date or
  due DATE >= cut-off DATE -> within_due, else overdue;
- cohort: received in [start, as_of], grouped by reception week, classified at as_of 23:59:59;
- activity (Bieu II.06a): per week [S, E] clipped to the window (period_start = max(Monday, start)),
  the dossiers received by E 23:59:59 and not ended before S; carried_over = received before S;
  classified at E 23:59:59.

Usage: python benches/peers/run.py [--rows N] [--quick] [--runs 5] [--engines a,b] [--no-calendar]
       [--no-breakdown] [--note "conditions of this run"]
       python benches/peers/run.py --render benches/peers/results.json [--note ...]  (rewrite RESULTS.md)
The peer functions (polars_*, duckdb_*, pandas_*) and make_dataset are importable (the pytest smoke
test bindings/python/tests/test_peers_smoke.py uses them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

START = dt.date(2023, 1, 1)
AS_OF = dt.date(2023, 12, 31)
SEED = 20231016

COUNTS = [
    "received",
    "received_online",
    "carried_over",
    "finished",
    "early",
    "on_time",
    "late",
    "unfinished",
    "within_due",
    "overdue",
    "awaiting_supplement",
    "refused_withdrawn",
]
KEY = ["unit", "period_start", "period_end"]

# outcome codes shared by the peers
EARLY, ON_TIME, LATE, WITHIN, OVERDUE, SUPPLEMENT, REFUSED = range(7)

# 40 communes (UBND xã / thị trấn) with Vietnamese names, NFC
UNITS = [
    unicodedata.normalize("NFC", "UBND " + name)
    for name in (
        "xã Đắk Sôr", "xã Nam Đà", "xã Đức Xuyên", "xã Buôn Choáh", "xã Nâm Nung", "xã Quảng Phú",
        "thị trấn Đắk Mâm", "xã Đắk Drô", "xã Nam Xuân", "xã Tân Thành", "xã Nâm N'Đir",
        "xã Đắk Nang", "xã Ea Tling", "xã Trúc Sơn", "xã Tâm Thắng", "xã Nam Dong", "xã Đắk Wil",
        "xã Cư Knia", "xã Ea Pô", "xã Đắk D'rông", "xã Nam Bình", "xã Thuận An", "xã Đức Minh",
        "xã Đắk Sắk", "xã Long Sơn", "xã Đắk Gằn", "xã Đắk R'la", "xã Thuận Hạnh", "xã Đắk Lao",
        "xã Quảng Khê", "xã Đắk Som", "xã Đắk Plao", "xã Đắk R'Măng", "xã Quảng Sơn",
        "xã Quảng Hòa", "xã Đắk Ha", "xã Quảng Tín", "xã Đắk Ru", "xã Hưng Bình", "xã Đạo Nghĩa",
    )
]

# national status codes and their share: 2 received, 3 never received, 4 processing,
# 5 supplement requested, 6 financial obligation pending, 7 withdrawn, 8 stopped, 9 processed,
# 10 result returned
STATUS_MIX = {2: 0.010, 3: 0.030, 4: 0.070, 5: 0.030, 6: 0.005, 7: 0.020, 8: 0.010, 9: 0.330, 10: 0.495}


# --------------------------------------------------------------------------------------------
# the dataset


def make_dataset(rows: int, seed: int = SEED) -> pa.Table:
    """`rows` dossiers received uniformly over 2023 (civil time, sorted by reception as portals
    export them), 40 communes of unequal size, a realistic status, channel and online-level mix."""
    rng = np.random.default_rng(seed)
    # whole seconds, as portals export them, held as timestamp[us]
    t0 = np.datetime64("2023-01-01T00:00:00", "us")
    received = t0 + np.sort(rng.integers(0, 365 * 86_400, rows)).astype("timedelta64[s]")
    received_day = received.astype("datetime64[D]")

    weights = 1.0 / np.sqrt(np.arange(1, len(UNITS) + 1))
    unit_codes = rng.choice(len(UNITS), rows, p=weights / weights.sum()).astype(np.int8)
    unit = pa.DictionaryArray.from_arrays(pa.array(unit_codes, pa.int8()), pa.array(UNITS, pa.string()))

    # due: reception date + n working days (Mon-Fri) at 17:00; 1% without a due date
    n_days = rng.choice(np.array([1, 2, 3, 5, 7, 10, 12, 15, 20, 30]), rows,
                        p=[0.05, 0.10, 0.20, 0.15, 0.10, 0.15, 0.05, 0.10, 0.05, 0.05])
    due_day = np.busday_offset(received_day, n_days, roll="forward")
    due = due_day.astype("datetime64[us]") + np.timedelta64(17, "h")
    due_null = rng.random(rows) < 0.01

    codes = np.array(list(STATUS_MIX), dtype=np.int8)
    status = rng.choice(codes, rows, p=np.array(list(STATUS_MIX.values())))

    # end: reception + 0-45 days for ended statuses; none for 2-5; 30% of 6-8 without one
    finished = received + rng.integers(0, 45 * 86_400, rows).astype("timedelta64[s]")
    finished_null = (status <= 5) | ((status >= 6) & (status <= 8) & (rng.random(rows) < 0.3))

    # online level of the procedure (0 none, 1 partial, 2 full); online submission only where offered
    online_service = rng.choice(np.array([0, 1, 2], dtype=np.int8), rows, p=[0.25, 0.40, 0.35])
    u = rng.random(rows)
    channel = np.where(u < 0.02, 3, np.where((online_service > 0) & (u < 0.02 + 0.33 / 0.75), 2, 1)).astype(np.int8)

    ts = pa.timestamp("us")
    return pa.table({
        "unit": unit,
        "received_at": pa.array(received, ts),
        "due_at": pa.array(due, ts, mask=due_null),
        "finished_at": pa.array(finished, ts, mask=finished_null),
        "status": pa.array(status, pa.int8()),
        "channel": pa.array(channel, pa.int8()),
        "online_service": pa.array(online_service, pa.int8()),
    })


# --------------------------------------------------------------------------------------------
# windows and canonical tables


def _cutoff(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks(start: dt.date = START, end: dt.date = AS_OF) -> list[tuple[dt.date, dt.date]]:
    """The ISO weeks [S, E] meeting [start, end], clipped to it."""
    out, monday = [], _monday(start)
    while monday <= end:
        out.append((max(monday, start), min(monday + dt.timedelta(days=6), end)))
        monday += dt.timedelta(days=7)
    return out


def canonical(table: Any) -> pa.Table:
    """A result of any engine as one pyarrow table: unit string, period dates, int64 counts,
    sorted by unit then period."""
    if isinstance(table, pa.Table):
        t = table
    elif type(table).__module__.startswith("polars"):
        t = table.to_arrow()
    elif type(table).__module__.startswith("pandas"):
        t = pa.Table.from_pandas(table, preserve_index=False)
    else:
        t = pa.table(table)
    cols = {"unit": t.column("unit").cast(pa.string())}
    for c in ("period_start", "period_end"):
        col = t.column(c)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.timestamp("us")).cast(pa.date32())
        cols[c] = col.cast(pa.date32())
    for c in COUNTS:
        cols[c] = t.column(c).cast(pa.int64())
    out = pa.table(cols)
    return out.sort_by([("unit", "ascending"), ("period_start", "ascending")]).combine_chunks()


def assert_same(name: str, got: Any, expected: Any) -> None:
    """Fail loudly, showing the first differing rows, unless the canonical tables are equal."""
    a, b = canonical(got), canonical(expected)
    if a.equals(b):
        return
    import pandas as pd

    pa_, pb = a.to_pandas(), b.to_pandas()
    msg = [f"{name}: table differs from tm.report ({len(pa_)} rows vs {len(pb)})"]
    m = pa_.merge(pb, on=KEY, how="outer", suffixes=("_peer", "_tm"), indicator=True)
    only = m[m["_merge"] != "both"]
    if len(only):
        msg.append(f"rows in one table only:\n{only[KEY + ['_merge']].head(10).to_string()}")
    both = m[m["_merge"] == "both"]
    for c in COUNTS:
        bad = both[both[c + "_peer"] != both[c + "_tm"]]
        if len(bad):
            msg.append(f"column {c}: {len(bad)} rows differ, e.g.\n"
                       f"{bad[KEY + [c + '_peer', c + '_tm']].head(5).to_string()}")
    del pd
    raise AssertionError("\n".join(msg))


# --------------------------------------------------------------------------------------------
# tm.report


def tm_report(data: Any, view: str, start: dt.date = START, as_of: dt.date = AS_OF) -> Any:
    import tthc_metrics as tm

    if view == "cohort":
        return tm.report(data, as_of=as_of, by=("unit", "week"), start=start)
    return tm.report(data, as_of=as_of, by=("unit", "week"), view="activity", start=start, end=as_of)


# --------------------------------------------------------------------------------------------
# polars: lazy expressions


def _pl_outcome(cut: Any, cut_day: Any) -> Any:
    """The outcome code at cut-off `cut` (a datetime) on day `cut_day` (days since 1970-01-01).
    A flat when/then chain on integer days: about twice as fast in polars as nested chains on
    dates."""
    import polars as pl

    st = pl.col("status")
    ended = (pl.col("end_at") <= cut).fill_null(False)
    fin_day, due_day = pl.col("finished_at").dt.epoch("d"), pl.col("due_at").dt.epoch("d")
    return (
        pl.when(ended & (st >= 9)).then(ON_TIME + (fin_day - due_day).sign().fill_null(0))  # no due: on time
        .when(ended).then(REFUSED)
        .when(st == 5).then(SUPPLEMENT)
        .otherwise(WITHIN + (due_day < cut_day).fill_null(False).cast(pl.Int8))  # no due: within
        .cast(pl.Int8)
        .alias("outcome")
    )


def _epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _pl_prepare(data: Any) -> Any:
    """Received dossiers with their end time (lazy)."""
    import polars as pl

    st = pl.col("status")
    return (
        data.lazy()
        .filter(~st.is_in([1, 3]))
        .with_columns(
            end_at=pl.when(st.is_in([9, 10])).then(pl.col("finished_at"))
            .when(st.is_in([6, 7, 8])).then(pl.coalesce("finished_at", "received_at"))
        )
    )


def _pl_counts() -> list[Any]:
    import polars as pl

    o, new, online = pl.col("outcome"), pl.col("new"), pl.col("channel") == 2
    return [
        new.sum().alias("received"),
        (new & online).sum().alias("received_online"),
        (~new).sum().alias("carried_over"),
        (o <= LATE).sum().alias("finished"),
        (o == EARLY).sum().alias("early"),
        (o == ON_TIME).sum().alias("on_time"),
        (o == LATE).sum().alias("late"),
        o.is_between(WITHIN, OVERDUE).sum().alias("unfinished"),
        (o == WITHIN).sum().alias("within_due"),
        (o == OVERDUE).sum().alias("overdue"),
        (o == SUPPLEMENT).sum().alias("awaiting_supplement"),
        (o == REFUSED).sum().alias("refused_withdrawn"),
    ]


def polars_cohort(data: Any, start: dt.date = START, as_of: dt.date = AS_OF) -> Any:
    import polars as pl

    cut = _cutoff(as_of)
    week = pl.col("received_at").dt.truncate("1w").dt.date()
    return (
        _pl_prepare(data)
        .filter(pl.col("received_at").is_between(dt.datetime.combine(start, dt.time()), cut))
        .with_columns(
            _pl_outcome(pl.lit(cut), _epoch_day(as_of)),
            new=pl.lit(True),
            period_start=pl.max_horizontal(week, pl.lit(start)),
            period_end=pl.min_horizontal(week + pl.duration(days=6), pl.lit(as_of)),
        )
        .group_by("unit", "period_start", "period_end")
        .agg(_pl_counts())
        .collect()
    )


def polars_activity(data: Any, start: dt.date = START, end: dt.date = AS_OF) -> Any:
    """Aggregate first, then explode. A dossier's outcome in week p depends only on a few week
    indices: w_r (reception), w_e (the week it ends in, or past the last), its end outcome, and q
    (the first week whose last day is after its due date). One group_by over those classes, an
    explode of each class's week range, one group_by per (unit, week) summing the class sizes."""
    import polars as pl

    monday0 = _monday(start)
    last = len(weeks(start, end)) - 1
    cut = _cutoff(end)
    st = pl.col("status")
    m0 = _epoch_day(monday0)
    fin_day, due_day = pl.col("finished_at").dt.epoch("d"), pl.col("due_at").dt.epoch("d")
    due_week = (due_day - m0) // 7
    ends = pl.col("end_at") <= cut
    classes = (
        _pl_prepare(data)
        .filter((pl.col("received_at") <= cut)
                & (pl.col("end_at").is_null() | (pl.col("end_at") >= dt.datetime.combine(start, dt.time()))))
        .select(
            "unit",
            w_r=((pl.col("received_at").dt.epoch("d") - m0) // 7).clip(-1, last).cast(pl.Int32),
            w_e=pl.when(ends).then((pl.col("end_at").dt.epoch("d") - m0) // 7).otherwise(last + 1).cast(pl.Int32),
            end_outcome=pl.when(~ends).then(None)
            .when(st < 9).then(REFUSED)
            .otherwise(ON_TIME + (fin_day - due_day).sign().fill_null(0)).cast(pl.Int8),
            supplement=st == 5,
            # the first week whose last day is after the due date (past the last week: never overdue)
            q=pl.when((st == 5) | due_day.is_null()).then(last + 1)
            .otherwise(due_week + ((due_day - m0 - 7 * due_week == 6) | (due_day >= _epoch_day(end))).cast(pl.Int64))
            .clip(-1, last + 1).cast(pl.Int32),
            online=pl.col("channel") == 2,
        )
        .group_by(pl.all())
        .len("n")
    )
    p, n = pl.col("p"), pl.col("n")
    o, new = pl.col("outcome"), pl.col("p") == pl.col("w_r")
    monday = pl.lit(monday0) + pl.duration(days=p * 7)
    return (
        classes
        .with_columns(p=pl.int_ranges(pl.col("w_r").clip(0, last), pl.col("w_e").clip(0, last) + 1, dtype=pl.Int32))
        .explode("p")
        .with_columns(outcome=pl.when(p == pl.col("w_e")).then(pl.col("end_outcome"))
                      .when(pl.col("supplement")).then(SUPPLEMENT)
                      .when(p >= pl.col("q")).then(OVERDUE)
                      .otherwise(WITHIN))
        .group_by("unit", "p")
        .agg(
            n.filter(new).sum().alias("received"),
            n.filter(new & pl.col("online")).sum().alias("received_online"),
            n.filter(~new).sum().alias("carried_over"),
            n.filter(o <= LATE).sum().alias("finished"),
            n.filter(o == EARLY).sum().alias("early"),
            n.filter(o == ON_TIME).sum().alias("on_time"),
            n.filter(o == LATE).sum().alias("late"),
            n.filter(o.is_between(WITHIN, OVERDUE)).sum().alias("unfinished"),
            n.filter(o == WITHIN).sum().alias("within_due"),
            n.filter(o == OVERDUE).sum().alias("overdue"),
            n.filter(o == SUPPLEMENT).sum().alias("awaiting_supplement"),
            n.filter(o == REFUSED).sum().alias("refused_withdrawn"),
        )
        .with_columns(period_start=pl.max_horizontal(monday, pl.lit(start)),
                      period_end=pl.min_horizontal(monday + pl.duration(days=6), pl.lit(end)))
        .drop("p")
        .collect()
    )


def polars_activity_per_dossier(data: Any, start: dt.date = START, end: dt.date = AS_OF) -> Any:
    """The straightforward way: each dossier exploded into the weeks it is alive in (its week-index
    range [week of reception, week of its end, or the last week]), classified per week, one
    group_by. About 6.5 rows per dossier here."""
    import polars as pl

    monday0 = _monday(start)
    last = len(weeks(start, end)) - 1
    week_of = lambda c: ((c.dt.date() - pl.lit(monday0)).dt.total_days() // 7).cast(pl.Int32)  # noqa: E731
    monday = pl.lit(monday0) + pl.duration(days=pl.col("w") * 7)
    s = pl.max_horizontal(monday, pl.lit(start))
    e = pl.min_horizontal(monday + pl.duration(days=6), pl.lit(end))
    return (
        _pl_prepare(data)
        .filter((pl.col("received_at") <= _cutoff(end))
                & (pl.col("end_at").is_null() | (pl.col("end_at") >= dt.datetime.combine(start, dt.time()))))
        .with_columns(w=pl.int_ranges(week_of(pl.col("received_at")).clip(0, last),
                                      week_of(pl.col("end_at")).fill_null(last).clip(0, last) + 1,
                                      dtype=pl.Int32))
        .explode("w")
        .with_columns(period_start=s, period_end=e)
        .with_columns(
            _pl_outcome(pl.col("period_end").cast(pl.Datetime("us")) + pl.duration(seconds=86_399),
                        pl.col("period_end").dt.epoch("d")),
            new=pl.col("received_at") >= pl.col("period_start").cast(pl.Datetime("us")),
        )
        .group_by("unit", "period_start", "period_end")
        .agg(_pl_counts())
        .collect()
    )


# --------------------------------------------------------------------------------------------
# DuckDB: SQL over the Arrow table


def _sql_outcome(cut: str, cut_day: str) -> str:
    return f"""CASE
      WHEN end_at <= {cut} AND status IN (9, 10) THEN
        CASE WHEN due_day IS NULL OR fin_day = due_day THEN {ON_TIME}
             WHEN fin_day < due_day THEN {EARLY} ELSE {LATE} END
      WHEN end_at <= {cut} THEN {REFUSED}
      WHEN status = 5 THEN {SUPPLEMENT}
      WHEN due_day IS NULL OR due_day >= {cut_day} THEN {WITHIN}
      ELSE {OVERDUE} END"""


_SQL_PREPARE = """SELECT unit, received_at, status, channel,
         CASE WHEN status IN (9, 10) THEN finished_at
              WHEN status IN (6, 7, 8) THEN coalesce(finished_at, received_at) END AS end_at,
         CAST(finished_at AS DATE) AS fin_day, CAST(due_at AS DATE) AS due_day
  FROM dossiers WHERE status NOT IN (1, 3)"""

_SQL_CONDITIONS = [
    ("received", "new"),
    ("received_online", "new AND online"),
    ("carried_over", "NOT new"),
    ("finished", f"outcome <= {LATE}"),
    ("early", f"outcome = {EARLY}"),
    ("on_time", f"outcome = {ON_TIME}"),
    ("late", f"outcome = {LATE}"),
    ("unfinished", f"outcome IN ({WITHIN}, {OVERDUE})"),
    ("within_due", f"outcome = {WITHIN}"),
    ("overdue", f"outcome = {OVERDUE}"),
    ("awaiting_supplement", f"outcome = {SUPPLEMENT}"),
    ("refused_withdrawn", f"outcome = {REFUSED}"),
]
_SQL_KEY = "CAST(unit AS VARCHAR) AS unit, period_start, period_end"
_SQL_COUNTS = _SQL_KEY + "".join(f",\n  count(*) FILTER (WHERE {c}) AS {name}" for name, c in _SQL_CONDITIONS)
# the same counts over classes of `n` dossiers each (a sum over no row is NULL: coalesce)
_SQL_WEIGHTED_COUNTS = _SQL_KEY + "".join(
    f",\n  coalesce(sum(n) FILTER (WHERE {c}), 0) AS {name}" for name, c in _SQL_CONDITIONS)


def duckdb_cohort(table: pa.Table, start: dt.date = START, as_of: dt.date = AS_OF, con: Any = None) -> pa.Table:
    import duckdb

    con = con or duckdb.connect()
    con.register("dossiers", table)
    cut = f"TIMESTAMP '{_cutoff(as_of)}'"
    sql = f"""
WITH d AS ({_SQL_PREPARE}
    AND received_at BETWEEN TIMESTAMP '{start}' AND {cut}),
c AS (
  SELECT unit, channel = 2 AS online, TRUE AS new,
         greatest(CAST(date_trunc('week', received_at) AS DATE), DATE '{start}') AS period_start,
         least(CAST(date_trunc('week', received_at) AS DATE) + 6, DATE '{as_of}') AS period_end,
         {_sql_outcome(cut, f"DATE '{as_of}'")} AS outcome
  FROM d)
SELECT {_SQL_COUNTS}
FROM c GROUP BY ALL"""
    return con.sql(sql).to_arrow_table()


def duckdb_activity(table: pa.Table, start: dt.date = START, end: dt.date = AS_OF, con: Any = None) -> pa.Table:
    """Aggregate first (classes of dossiers with the same week indices, as in polars_activity),
    then a range join of the classes against the weeks (generate_series), one GROUP BY."""
    import duckdb

    con = con or duckdb.connect()
    con.register("dossiers", table)
    last = len(weeks(start, end)) - 1
    cut = f"TIMESTAMP '{_cutoff(end)}'"
    week_of = lambda x: f"((CAST(date_trunc('week', {x}) AS DATE) - DATE '{_monday(start)}') // 7)"  # noqa: E731
    sql = f"""
WITH d AS ({_SQL_PREPARE}
    AND received_at <= {cut} AND coalesce(end_at, TIMESTAMP 'infinity') >= TIMESTAMP '{start}'),
classes AS (
  SELECT unit,
         greatest({week_of("received_at")}, -1) AS w_r,
         CASE WHEN end_at <= {cut} THEN {week_of("end_at")} ELSE {last + 1} END AS w_e,
         CASE WHEN end_at > {cut} OR end_at IS NULL THEN NULL
              WHEN status NOT IN (9, 10) THEN {REFUSED}
              WHEN due_day IS NULL OR fin_day = due_day THEN {ON_TIME}
              WHEN fin_day < due_day THEN {EARLY} ELSE {LATE} END AS end_outcome,
         status = 5 AS supplement,
         CASE WHEN status = 5 OR due_day IS NULL THEN {last + 1}
              ELSE least(greatest({week_of("due_day")}
                   + CASE WHEN isodow(due_day) = 7 OR due_day >= DATE '{end}' THEN 1 ELSE 0 END, -1), {last + 1})
         END AS q,
         channel = 2 AS online,
         count(*) AS n
  FROM d GROUP BY ALL),
w AS (
  SELECT p, greatest(DATE '{_monday(start)}' + 7 * p, DATE '{start}') AS period_start,
         least(DATE '{_monday(start)}' + 7 * p + 6, DATE '{end}') AS period_end
  FROM (SELECT CAST(p AS INTEGER) AS p FROM generate_series(0, {last}) AS t(p))),
c AS (
  SELECT unit, period_start, period_end, p = w_r AS new, online, n,
         CASE WHEN p = w_e THEN end_outcome WHEN supplement THEN {SUPPLEMENT}
              WHEN p >= q THEN {OVERDUE} ELSE {WITHIN} END AS outcome
  FROM classes JOIN w ON w.p BETWEEN greatest(w_r, 0) AND least(w_e, {last}))
SELECT {_SQL_WEIGHTED_COUNTS}
FROM c GROUP BY ALL"""
    return con.sql(sql).to_arrow_table()


def duckdb_activity_per_dossier(table: pa.Table, start: dt.date = START, end: dt.date = AS_OF, con: Any = None) -> pa.Table:
    """The straightforward way: a range join of every dossier against the weeks
    (generate_series), classified per week, one GROUP BY."""
    import duckdb

    con = con or duckdb.connect()
    con.register("dossiers", table)
    sql = f"""
WITH w AS (
  SELECT greatest(CAST(m AS DATE), DATE '{start}') AS period_start,
         least(CAST(m AS DATE) + 6, DATE '{end}') AS period_end
  FROM generate_series(TIMESTAMP '{_monday(start)}', TIMESTAMP '{end}', INTERVAL 7 DAY) AS t(m)),
p AS (
  SELECT period_start, period_end, CAST(period_start AS TIMESTAMP) AS s,
         CAST(period_end AS TIMESTAMP) + INTERVAL 86399 SECOND AS cut FROM w),
d AS ({_SQL_PREPARE}),
c AS (
  SELECT unit, channel = 2 AS online, period_start, period_end, received_at >= s AS new,
         {_sql_outcome("cut", "period_end")} AS outcome
  FROM d JOIN p ON d.received_at <= p.cut AND coalesce(d.end_at, TIMESTAMP 'infinity') >= p.s)
SELECT {_SQL_COUNTS}
FROM c GROUP BY ALL"""
    return con.sql(sql).to_arrow_table()


# --------------------------------------------------------------------------------------------
# pandas: vectorised numpy + groupby


def _pd_arrays(df: Any) -> dict[str, np.ndarray]:
    """The columns as numpy arrays (int64 microseconds for times, NaT as a sentinel)."""
    def us(col: str) -> np.ndarray:
        return df[col].to_numpy(dtype="datetime64[us]").view(np.int64)

    return {"status": df["status"].to_numpy(), "received": us("received_at"), "finished": us("finished_at"),
            "due": us("due_at"), "channel": df["channel"].to_numpy()}


_NAT = np.iinfo(np.int64).min
_US_DAY = 86_400_000_000


def _pd_end(a: dict[str, np.ndarray]) -> np.ndarray:
    """End time (int64 us; NaT sentinel = none)."""
    st = a["status"]
    fin_or_recv = np.where(a["finished"] == _NAT, a["received"], a["finished"])
    return np.select([(st == 9) | (st == 10), (st >= 6) & (st <= 8)], [a["finished"], fin_or_recv], _NAT)


def _pd_outcome(st: np.ndarray, end: np.ndarray, fin_day: np.ndarray, due_day: np.ndarray,
                cut_us: Any, cut_day: Any) -> np.ndarray:
    ended = (end != _NAT) & (end <= cut_us)
    no_due = due_day == _NAT
    finished = ended & ((st == 9) | (st == 10))
    return np.select(
        [finished & (no_due | (fin_day == due_day)),
         finished & (fin_day < due_day),
         finished,
         ended,
         st == 5,
         no_due | (due_day >= cut_day)],
        [ON_TIME, EARLY, LATE, REFUSED, SUPPLEMENT, WITHIN], OVERDUE).astype(np.int8)


def _day(us: np.ndarray) -> np.ndarray:
    return np.where(us == _NAT, _NAT, us // _US_DAY)


def _pd_table(grouped: Any) -> Any:
    """Counts from a frame indexed by group with columns code = (outcome * 2 + online) * 2 + new."""
    import pandas as pd

    c = grouped.reindex(columns=range(7 * 4), fill_value=0).to_numpy()
    by_outcome = c.reshape(len(c), 7, 4).sum(axis=2)
    new = c[:, 1::2].sum(axis=1)
    online_new = c[:, 3::4].sum(axis=1)
    out = pd.DataFrame({
        "received": new, "received_online": online_new, "carried_over": c.sum(axis=1) - new,
        "finished": by_outcome[:, :LATE + 1].sum(axis=1), "early": by_outcome[:, EARLY],
        "on_time": by_outcome[:, ON_TIME], "late": by_outcome[:, LATE],
        "unfinished": by_outcome[:, WITHIN] + by_outcome[:, OVERDUE], "within_due": by_outcome[:, WITHIN],
        "overdue": by_outcome[:, OVERDUE], "awaiting_supplement": by_outcome[:, SUPPLEMENT],
        "refused_withdrawn": by_outcome[:, REFUSED],
    }, index=grouped.index)
    return out.reset_index()


def pandas_cohort(df: Any, start: dt.date = START, as_of: dt.date = AS_OF) -> Any:
    """numpy masks and np.select for the outcome; (unit, week, outcome, online) packed into one
    int64 key and counted (`value_counts`: a one-key count is far faster in pandas than a
    four-key groupby on 10M rows), unpacked and unstacked on the small result."""
    import pandas as pd

    a = _pd_arrays(df)
    cut = np.datetime64(_cutoff(as_of), "us").view(np.int64)
    keep = ((a["status"] != 1) & (a["status"] != 3)
            & (a["received"] >= np.datetime64(start, "us").view(np.int64)) & (a["received"] <= cut))
    a = {k: v[keep] for k, v in a.items()}
    outcome = _pd_outcome(a["status"], _pd_end(a), _day(a["finished"]), _day(a["due"]), cut,
                          np.datetime64(as_of, "D").view(np.int64))
    day = a["received"] // _US_DAY
    monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
    unit_codes, units = pd.factorize(df["unit"].array[keep])
    key = (unit_codes.astype(np.int64) << 40) + (monday << 4) + outcome * 2 + (a["channel"] == 2)
    counts = pd.Series(key).value_counts(sort=False)
    key = counts.index.to_numpy()
    monday = (key >> 4) & (2**36 - 1)
    g = pd.DataFrame({
        "unit": units.take(key >> 40),
        "period_start": np.maximum(monday, np.datetime64(start, "D").view(np.int64)).astype("datetime64[D]"),
        "period_end": np.minimum(monday + 6, np.datetime64(as_of, "D").view(np.int64)).astype("datetime64[D]"),
        "code": (key & 15) * 2 + 1,  # (outcome * 2 + online) * 2 + new
        "n": counts.to_numpy(),
    })
    return _pd_table(g.set_index(["unit", "period_start", "period_end", "code"])["n"].unstack("code", fill_value=0))


def pandas_activity(df: Any, start: dt.date = START, end: dt.date = AS_OF) -> Any:
    """Aggregate first (classes of dossiers with the same week indices, as in polars_activity:
    one groupby), then a loop over the weeks, each vectorised over the classes alive in it."""
    import pandas as pd

    a = _pd_arrays(df)
    last = len(weeks(start, end)) - 1
    cut = np.datetime64(_cutoff(end), "us").view(np.int64)
    end_at = _pd_end(a)
    keep = ((a["status"] != 1) & (a["status"] != 3) & (a["received"] <= cut)
            & ((end_at == _NAT) | (end_at >= np.datetime64(start, "us").view(np.int64))))
    a = {k: v[keep] for k, v in a.items()}
    end_at, st = end_at[keep], a["status"]
    monday0 = np.datetime64(_monday(start), "D").view(np.int64)

    def week_of(day: np.ndarray) -> np.ndarray:
        return (day - monday0) // 7

    ends = (end_at != _NAT) & (end_at <= cut)
    fin_day, due_day = _day(a["finished"]), _day(a["due"])
    no_due = due_day == _NAT
    end_outcome = np.select(
        [~ends, (st != 9) & (st != 10), no_due | (fin_day == due_day), fin_day < due_day],
        [-1, REFUSED, ON_TIME, EARLY], LATE)
    due_is_last_day = ((due_day + 3) % 7 == 6) | (due_day >= np.datetime64(end, "D").view(np.int64))
    q = np.where((st == 5) | no_due, last + 1, np.clip(week_of(due_day) + due_is_last_day, -1, last + 1))
    # the class of each dossier packed into one int64 key (a one-key groupby is far faster in
    # pandas than seven keys), counted, unpacked
    unit_codes, units = pd.factorize(df["unit"].array[keep])
    fields = [  # (value, number of values)
        (np.clip(week_of(a["received"] // _US_DAY), -1, last) + 1, last + 2),
        (np.where(ends, week_of(np.where(ends, end_at, 0) // _US_DAY), last + 1), last + 2),
        (end_outcome + 1, 8),
        ((st == 5).astype(np.int64), 2),
        (q + 1, last + 3),
        ((a["channel"] == 2).astype(np.int64), 2),
    ]
    key = unit_codes.astype(np.int64)
    for value, size in fields:
        key = key * size + value
    sizes = pd.Series(key).value_counts(sort=False)
    key, n = sizes.index.to_numpy(), sizes.to_numpy()
    c = {}
    for name, (_, size) in zip(("online", "q", "supplement", "end_outcome", "w_e", "w_r"), reversed(fields)):
        key, c[name] = np.divmod(key, size)
    c["w_r"], c["end_outcome"], c["q"], c["n"] = c["w_r"] - 1, c["end_outcome"] - 1, c["q"] - 1, n
    class_unit = units.take(key)
    first, stop = np.clip(c["w_r"], 0, last), np.clip(c["w_e"], 0, last)
    frames = []
    for p, (s, e) in enumerate(weeks(start, end)):
        idx = np.flatnonzero((first <= p) & (p <= stop))
        if len(idx) == 0:
            continue
        outcome = np.select([c["w_e"][idx] == p, c["supplement"][idx] == 1, p >= c["q"][idx]],
                            [c["end_outcome"][idx], SUPPLEMENT, OVERDUE], WITHIN)
        code = (outcome * 2 + c["online"][idx]) * 2 + (c["w_r"][idx] == p)
        sizes = pd.DataFrame({"unit": class_unit[idx], "code": code, "n": c["n"][idx]}) \
            .groupby(["unit", "code"], observed=True)["n"].sum().unstack("code", fill_value=0)
        t = _pd_table(sizes)
        t.insert(1, "period_start", np.datetime64(s, "D"))
        t.insert(2, "period_end", np.datetime64(e, "D"))
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def pandas_activity_per_dossier(df: Any, start: dt.date = START, end: dt.date = AS_OF) -> Any:
    """The straightforward way: a loop over the weeks, each vectorised over every dossier alive in
    it (numpy masks, np.select, one groupby)."""
    import pandas as pd

    a = _pd_arrays(df)
    keep = (a["status"] != 1) & (a["status"] != 3)
    a = {k: v[keep] for k, v in a.items()}
    unit = df["unit"].array[keep]
    end_at = _pd_end(a)
    end_or_inf = np.where(end_at == _NAT, np.iinfo(np.int64).max, end_at)
    fin_day, due_day = _day(a["finished"]), _day(a["due"])
    online = (a["channel"] == 2).astype(np.int16)
    frames = []
    for s, e in weeks(start, end):
        s_us = np.datetime64(s, "us").view(np.int64)
        cut = np.datetime64(e, "us").view(np.int64) + _US_DAY - 1_000_000
        idx = np.flatnonzero((a["received"] <= cut) & (end_or_inf >= s_us))
        if len(idx) == 0:
            continue
        outcome = _pd_outcome(a["status"][idx], end_at[idx], fin_day[idx], due_day[idx], cut,
                              np.datetime64(e, "D").view(np.int64))
        code = (outcome.astype(np.int16) * 2 + online[idx]) * 2 + (a["received"][idx] >= s_us)
        sizes = pd.DataFrame({"unit": unit[idx], "code": code}) \
            .groupby(["unit", "code"], observed=True).size().unstack("code", fill_value=0)
        t = _pd_table(sizes)
        t.insert(1, "period_start", np.datetime64(s, "D"))
        t.insert(2, "period_end", np.datetime64(e, "D"))
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


PEERS: dict[str, dict[str, Callable[..., Any]]] = {
    "polars": {"cohort": polars_cohort, "activity": polars_activity},
    "duckdb": {"cohort": duckdb_cohort, "activity": duckdb_activity},
    "pandas": {"cohort": pandas_cohort, "activity": pandas_activity},
}
# the straightforward activity of each engine (one row per dossier and week alive), timed too
PER_DOSSIER: dict[str, Callable[..., Any]] = {
    "polars": polars_activity_per_dossier,
    "duckdb": duckdb_activity_per_dossier,
    "pandas": pandas_activity_per_dossier,
}


def load(path: str | Path, library: str) -> Any:
    """The parquet file as that library's user reads it."""
    if library == "pyarrow":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if library == "polars":
        import polars as pl

        return pl.read_parquet(path)
    if library == "pandas":
        import pandas as pd

        return pd.read_parquet(path)
    raise ValueError(library)


def as_library(table: pa.Table, library: str) -> Any:
    """An in-memory conversion equal to `load` (for tests)."""
    if library == "pyarrow":
        return table
    if library == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if library == "pandas":
        return table.to_pandas()
    raise ValueError(library)


# engine -> (library it reads, views, function(data, view, **engine options))
ENGINES: dict[str, tuple[str, tuple[str, ...], Callable[..., Any]]] = {
    "tm.report (pyarrow)": ("pyarrow", ("cohort", "activity"), lambda d, v: tm_report(d, v)),
    "tm.report (polars)": ("polars", ("cohort", "activity"), lambda d, v: tm_report(d, v)),
    "tm.report (pandas)": ("pandas", ("cohort", "activity"), lambda d, v: tm_report(d, v)),
    "polars": ("polars", ("cohort", "activity"), lambda d, v: PEERS["polars"][v](d)),
    "duckdb": ("pyarrow", ("cohort", "activity"), lambda d, v, con=None: PEERS["duckdb"][v](d, con=con)),
    "pandas": ("pandas", ("cohort", "activity"), lambda d, v: PEERS["pandas"][v](d)),
    "polars (per dossier)": ("polars", ("activity",), lambda d, v: PER_DOSSIER["polars"](d)),
    "duckdb (per dossier)": ("pyarrow", ("activity",), lambda d, v, con=None: PER_DOSSIER["duckdb"](d, con=con)),
    "pandas (per dossier)": ("pandas", ("activity",), lambda d, v: PER_DOSSIER["pandas"](d)),
}


# --------------------------------------------------------------------------------------------
# measurement (one subprocess per engine and view)


def _proc_status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak_kib() -> int:
    """Peak RSS of this process: VmHWM, else ru_maxrss. (ru_maxrss alone is not enough: exec
    carries the spawning parent's high-water mark over into it.)"""
    return _proc_status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Reset the peak-RSS mark (Linux >= 4.0, `echo 5 > /proc/self/clear_refs`), so that the peak
    read afterwards is that of what follows, not of loading the data."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """Run `fn` `runs` times; the last result and every duration."""
    result, times = None, []
    for _ in range(runs):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def worker_report(engine: str, view: str, parquet: str, expected: str, runs: int) -> dict[str, Any]:
    library, _, fn = ENGINES[engine]
    data = load(parquet, library)
    options = {}
    if engine.startswith("duckdb"):
        import duckdb

        options["con"] = duckdb.connect()  # one connection, as a DuckDB user keeps it
    call = lambda: fn(data, view, **options)  # noqa: E731
    gc.collect()
    loaded_kib = _proc_status_kib("VmRSS")
    load_peak_kib = _peak_kib()
    reset = _reset_peak()
    t0 = time.perf_counter()
    first = call()  # warm-up, and the equality check before any timing
    warmup = time.perf_counter() - t0
    import pyarrow.ipc as ipc

    with ipc.open_file(expected) as f:
        assert_same(f"{engine} / {view}", first, f.read_all())
    del first
    _, times = _timed(call, runs)
    peak_kib = _peak_kib() if reset else max(_peak_kib(), load_peak_kib)
    return {
        "engine": engine, "view": view, "times": times, "median": statistics.median(times),
        "min": min(times), "warmup": warmup, "loaded_rss_mb": loaded_kib / 1024, "loadavg_1m": os.getloadavg()[0],
        "peak_rss_mb": peak_kib / 1024, "peak_over_loaded_mb": (peak_kib - loaded_kib) / 1024,
        "peak_reset": reset, "load_peak_rss_mb": load_peak_kib / 1024, "equal": True,
    }


def worker_breakdown(parquet: str, runs: int) -> dict[str, Any]:
    """Where tm.report's time goes: the same call on variants of the input (cohort view unless
    named), and the Arrow hand-over of polars and pandas frames alone."""
    import pandas as pd
    import polars as pl
    import pyarrow.parquet as pq

    import tthc_metrics as tm

    arrow = pq.read_table(parquet)
    polars_df = pl.read_parquet(parquet)
    pandas_df = pd.read_parquet(parquet)
    one_chunk = arrow.combine_chunks()
    plain_unit = one_chunk.set_column(0, "unit", one_chunk.column("unit").cast(pa.string()))
    as_of = AS_OF
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("pyarrow as read from parquet ({} chunks, dictionary unit)".format(arrow.column(0).num_chunks),
         lambda: tm_report(arrow, "cohort")),
        ("pyarrow, one chunk", lambda: tm_report(one_chunk, "cohort")),
        ("pyarrow, one chunk, unit as plain string", lambda: tm_report(plain_unit, "cohort")),
        ("pyarrow, by=(None, 'week') (no unit key)",
         lambda: tm.report(arrow, as_of=as_of, by=(None, "week"), start=START)),
        ("pyarrow, by=('unit', None) (no period)",
         lambda: tm.report(arrow, as_of=as_of, by=("unit", None), start=START)),
        ("pyarrow, tm.tally (one tally, no table)", lambda: tm.tally(arrow, as_of=as_of, start=START)),
        ("pyarrow, activity view", lambda: tm_report(arrow, "activity")),
        ("polars frame", lambda: tm_report(polars_df, "cohort")),
        ("polars frame: Arrow hand-over alone (pa.table(df))", lambda: pa.table(polars_df)),
        ("polars frame, unit as String", (lambda d: lambda: tm_report(d, "cohort"))(
            polars_df.with_columns(pl.col("unit").cast(pl.String)))),
        ("pandas frame", lambda: tm_report(pandas_df, "cohort")),
        ("pandas frame: Arrow hand-over alone (pa.table(df))", lambda: pa.table(pandas_df)),
    ]
    out = []
    for name, fn in cases:
        _, times = _timed(fn, runs + 1)
        out.append({"case": name, "median": statistics.median(times[1:]), "min": min(times[1:])})
    return {"cases": out}


# --------------------------------------------------------------------------------------------
# the calendar


def _tm_calendar(rest: bool) -> Any:
    """tm.Calendar.vietnam() (make-up Saturdays worked, the default) or with them as rest days."""
    import tthc_metrics as tm

    cal_cls = tm.Calendar
    if not rest:
        return cal_cls.vietnam()
    attempts = [
        lambda: cal_cls.vietnam(saturday_swaps="rest"),
        lambda: cal_cls.vietnam().with_saturday_swaps("rest"),
        lambda: cal_cls.vietnam().saturday_swaps("rest"),
        lambda: cal_cls(saturday_swaps="rest"),
    ]
    errors = []
    for make in attempts:
        try:
            cal = make()
            if isinstance(cal, cal_cls):
                return cal
        except Exception as exc:  # noqa: BLE001 - trying the API's spellings
            errors.append(repr(exc))
    raise RuntimeError("no way found to build tm.Calendar with saturday_swaps='rest': " + "; ".join(errors))


def _days(result: Any) -> np.ndarray:
    """An Arrow-compatible date array (or numpy) as int64 days since 1970-01-01."""
    if isinstance(result, np.ndarray):
        return result.astype("datetime64[D]").view(np.int64)
    arr = pa.array(result) if not isinstance(result, (pa.Array, pa.ChunkedArray)) else result
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]").view(np.int64)


def worker_calendar(runs: int) -> dict[str, Any]:
    """numpy, polars and tm (both make-up Saturday policies) on the same 1M pairs, called in
    turn (round-robin, so that no engine gains from running last), 3 warm-up rounds."""
    import calendar_numpy
    import polars as pl

    dates, n = calendar_numpy.pairs()
    off = calendar_numpy.weekday_days_off()
    busdaycal = calendar_numpy.busdaycalendar()
    frame = pl.DataFrame({"d": dates, "n": n})
    out: dict[str, Any] = {"pairs": len(dates), "engines": {}, "notes": []}
    engines: dict[str, Callable[[], Any]] = {
        "numpy busday_offset": lambda: np.busday_offset(dates, n, roll="forward", busdaycal=busdaycal),
        "polars add_business_days": lambda: frame.select(
            pl.col("d").dt.add_business_days(pl.col("n"), holidays=off, roll="forward"))["d"].to_numpy(),
    }
    try:
        import tthc_metrics as tm

        tm.Calendar  # noqa: B018
    except AttributeError:
        out["notes"].append("tm.Calendar is not in this build of tthc_metrics: calendar section skipped for tm")
        print("calendar: tm.Calendar is missing from this build of tthc_metrics; skipping tm's calendar timings",
              file=sys.stderr)
    else:
        d_arrow, n_arrow = pa.array(dates, pa.date32()), pa.array(n, pa.uint32())
        for name, rest in (("tm add_working_days (make-up Saturdays rest)", True),
                           ("tm add_working_days (default: make-up Saturdays worked)", False)):
            try:
                cal = _tm_calendar(rest)
                cal.add_working_days(d_arrow[:10], n_arrow[:10])
            except Exception as exc:  # noqa: BLE001 - report the API problem, keep the rest of the run
                out["notes"].append(f"{name}: {exc!r}")
                print(f"calendar: {name} failed: {exc!r}", file=sys.stderr)
                continue
            engines[name] = lambda cal=cal: cal.add_working_days(d_arrow, n_arrow)

    warmups = 3  # a few milliseconds a call: the first calls of a process run slower (allocator, caches)
    times: dict[str, list[float]] = {name: [] for name in engines}
    results: dict[str, Any] = {}
    for _ in range(warmups + runs):
        for name, fn in engines.items():
            results[name] = None
            gc.collect()
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    numpy_days = _days(results["numpy busday_offset"])
    for name in engines:
        days = _days(results[name])
        kept = times[name][warmups:]
        out["engines"][name] = {"median": statistics.median(kept), "min": min(kept), "times": kept,
                                "checksum": int(days.sum()), "mismatches_vs_numpy": int((days != numpy_days).sum())}
    return out


# --------------------------------------------------------------------------------------------
# orchestration


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def preflight(rows: int = 50_000, reference_rows: int = 50_000) -> None:
    """Peers equal tm.report on a small dataset (every input library), and tm.report equals the
    independent pandas oracle of the test suite."""
    import pandas as pd

    table = make_dataset(rows, seed=SEED + 1)
    for view in ("cohort", "activity"):
        expected = tm_report(table, view)
        for library in ("polars", "pandas"):
            assert_same(f"tm.report ({library}) / {view}", tm_report(as_library(table, library), view), expected)
        for name, fns in PEERS.items():
            data = table if name == "duckdb" else as_library(table, name)
            assert_same(f"{name} / {view}", fns[view](data), expected)
            if view == "activity":
                assert_same(f"{name} (per dossier) / {view}", PER_DOSSIER[name](data), expected)
    _log(f"preflight: polars, DuckDB and pandas equal tm.report on {rows:,} rows (both views)")

    sys.path.insert(0, str(ROOT / "bindings" / "python" / "tests"))
    import reference

    ref_table = make_dataset(reference_rows, seed=SEED + 2)
    df = ref_table.to_pandas()
    df["unit"] = df["unit"].astype(str)
    df["channel"] = df["channel"].map({1: "direct", 2: "online", 3: "post"})
    cohort = reference.cohort(df, AS_OF, "week", START)
    activity = reference.activity(df, START, AS_OF, "week")
    for view, ref in (("cohort", cohort), ("activity", activity)):
        ref = ref.assign(period_start=pd.to_datetime(ref["period_start"]),
                         period_end=pd.to_datetime(ref["period_end"]))
        assert_same(f"reference.py / {view}", ref, tm_report(ref_table, view))
    _log(f"preflight: tm.report equals tests/reference.py on {reference_rows:,} rows (both views)")


def _spawn(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker {args[:3]} failed (exit {proc.returncode})")
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"python": platform.python_version()}
    for mod in ("tthc_metrics", "pyarrow", "polars", "duckdb", "pandas", "numpy", "holidays"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = "missing"
    try:
        import tthc_metrics

        native = Path(tthc_metrics._native.__file__)
        build = dt.datetime.fromtimestamp(native.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M"],
                              capture_output=True, text=True).stdout.strip()
        versions["tthc_metrics"] += f" (extension built {build}; repository at {head})"
    except Exception:  # noqa: BLE001
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_gib, 1),
            "os": f"{platform.system()} {platform.release()}", "versions": versions}


def _fmt_rate(rows: int, seconds: float) -> str:
    r = rows / seconds
    return f"{r / 1e6:.1f} M" if r >= 1e6 else f"{r / 1e3:.0f} k"


def render(res: dict[str, Any]) -> str:
    m = res["machine"]
    v = m["versions"]
    lines = [
        "# Peer comparison: tm.report and the calendar against polars, DuckDB, pandas, numpy",
        "",
        f"Generated by `make bench-peers` (`benches/peers/run.py`) on {res['date']}.",
        "",
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- data: {res['rows']:,} dossiers, {len(UNITS)} communes, received over 2023 (sorted), "
        f"status mix {', '.join(f'{k}: {p:.1%}' for k, p in STATUS_MIX.items())}; "
        f"parquet {res['parquet_mb']:.0f} MB, in Arrow {res['arrow_mb']:.0f} MB (`table.nbytes`)",
        "- task: unit × ISO week over [2023-01-01, 2023-12-31], default policies; every table was checked "
        "equal to tm.report's (both views) before timing; peers also checked on 50k rows against "
        "`bindings/python/tests/reference.py`",
        f"- timing: one subprocess per engine and view, loading not timed, 1 warm-up + {res['runs']} runs, "
        "median; ratio = engine's median / tm.report (pyarrow)'s (> 1: tm is faster); "
        "same-input ratio: polars vs tm.report (polars), pandas vs tm.report (pandas), DuckDB vs tm.report (pyarrow)",
        "- memory: peak RSS of the timed section (VmHWM, reset after loading with /proc/self/clear_refs), "
        "the part above the RSS of the loaded data, and that part relative to the input's Arrow size",
        f"- load average when the run started: {res.get('loadavg_start', float('nan')):.2f} "
        "(other work on the machine inflates every figure)",
        *([f"- **conditions: {res['note']}**"] if res.get("note") else []),
        "",
        "How each engine computes the tables (`benches/peers/run.py`):",
        "- polars: lazy expressions (`when/then`, `dt.truncate('1w')`, `group_by().agg`). Activity: "
        "aggregate first (one `group_by` over the few week indices that decide a dossier's outcome in "
        "every week: reception week, end week, end outcome, first overdue week), `int_ranges` + `explode` "
        "of each class's weeks, one `group_by`. *per dossier*: the straightforward explode of every "
        "dossier into the weeks it is alive in (about 6.5 rows a dossier here).",
        "- DuckDB: SQL over the Arrow table (`date_trunc('week')`, `count(*) FILTER`). Activity: the same "
        "classes, then a range join against `generate_series` of weeks; *per dossier*: the range join of "
        "every dossier.",
        "- pandas: numpy masks and `np.select` for the outcome; (unit, week, outcome, online) packed into "
        "one int64 key and counted (`value_counts`; a four-key `groupby` is slower), unstacked. Activity: "
        "the same classes (one packed key), then a loop over the 53 weeks, each vectorised; "
        "*per dossier*: the loop over every dossier alive in each week.",
        "- tm.report: `tm.report(data, as_of=2023-12-31, by=('unit', 'week'), start=2023-01-01)` "
        "(`view='activity', end=2023-12-31`), the table returned in the input's library.",
        "",
        "The dataset's times are whole seconds, as portals export them. tm.report reads times to the "
        "second (DESIGN.md: seconds since 1970 in the kernel), so a time in the last second of a day "
        "(23:59:59.5) counts as before the day's end there, while a `<= 23:59:59` comparison on "
        "microseconds (tests/reference.py, or these peers) does not; with whole seconds both agree.",
        "",
    ]
    for view in ("cohort", "activity"):
        rows = [r for r in res["report"] if r["view"] == view]
        tm_t = next(r["median"] for r in rows if r["engine"] == "tm.report (pyarrow)")
        by = {r["engine"]: r for r in rows}
        lines += [f"## {view} view", "",
                  "| engine | median s | min s | rows/s | ratio to tm (pyarrow) | same-input ratio "
                  "| peak RSS MB | above loaded MB | above loaded / Arrow size |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            si = None if r["engine"].startswith("tm.") else f"tm.report ({ENGINES[r['engine']][0]})"
            si_ratio = f"{r['median'] / by[si]['median']:.2f}" if si in by else "—"
            lines.append(
                f"| {r['engine']} | {r['median']:.3f} | {r['min']:.3f} | {_fmt_rate(res['rows'], r['median'])} "
                f"| {r['median'] / tm_t:.2f} | {si_ratio} | {r['peak_rss_mb']:.0f} | {r['peak_over_loaded_mb']:.0f} "
                f"| {r['peak_over_loaded_mb'] / res['arrow_mb']:.2f} |")
        lines.append("")
    lines += ["Memory of tm.report (polars): polars converts a frame on its first Arrow export (the warm-up "
              "call here) and keeps the converted columns with the frame, later exports are zero-copy; tm's own "
              "working memory is the pyarrow row's.", ""]
    bd = res.get("tm_breakdown")
    if bd:
        lines += ["## Where tm.report's time goes", "",
                  "The same call (cohort view unless named) on variants of the input, one process, "
                  f"median of {res['runs']}:", "",
                  "| input | median s | min s |", "|---|---:|---:|"]
        lines += [f"| {c['case']} | {c['median']:.3f} | {c['min']:.3f} |" for c in bd["cases"]]
        lines.append("")
    cal = res.get("calendar")
    if cal:
        lines += ["## add_working_days, 1M (date, n) pairs over 2023–2026, n in 0..30", "",
                  "Pairs and holidays of `calendar_numpy.py` (Vietnam's weekday days off 2023–2028 from the "
                  "`holidays` package); the engines called in turn, 3 warm-up rounds, median of the next "
                  f"{res['runs']}. numpy and polars cannot make a Saturday a working day: results are compared "
                  "with numpy's; tm with make-up Saturdays as rest days (`saturday_swaps='rest'`) must match "
                  "them exactly; tm's default (make-up Saturdays worked) differs on the dates that cross one. "
                  "tm's input and output are pyarrow `date32`/`uint32` arrays.", "",
                  "| engine | median ms | pairs/s | ratio to numpy | mismatches vs numpy | checksum |",
                  "|---|---:|---:|---:|---:|---:|"]
        np_t = cal["engines"]["numpy busday_offset"]["median"]
        for name, r in cal["engines"].items():
            lines.append(f"| {name} | {r['median'] * 1e3:.1f} | {_fmt_rate(cal['pairs'], r['median'])} "
                         f"| {r['median'] / np_t:.2f} | {r['mismatches_vs_numpy']:,} | {r['checksum']} |")
        for note in cal["notes"]:
            lines.append(f"\nNote: {note}")
        lines.append("")
    return "\n".join(lines)


def render_summary(res: dict[str, Any]) -> str:
    """The compact table the README quotes: medians per engine and view, ratio to tm.report."""
    m = res["machine"]
    by = {(r["engine"], r["view"]): r for r in res["report"]}
    tm_t = {v: by[("tm.report (pyarrow)", v)]["median"] for v in ("cohort", "activity")}
    lines = ["| engine | cohort s | × tm | activity s | × tm | activity: peak RSS above the loaded data |",
             "|---|---:|---:|---:|---:|---:|"]
    for engine in ENGINES:
        cells = []
        for view in ("cohort", "activity"):
            r = by.get((engine, view))
            cells += [f"{r['median']:.2f}", f"{r['median'] / tm_t[view]:.1f}"] if r else ["—", "—"]
        act = by.get((engine, "activity"))
        mem = f"{act['peak_over_loaded_mb']:.0f} MB" if act else "—"
        lines.append(f"| {engine} | " + " | ".join(cells) + f" | {mem} |")
    lines.append("")
    lines.append(f"{res['rows']:,} dossiers ({res['arrow_mb']:.0f} MB in Arrow), unit × ISO week over 2023, "
                 f"median of {res['runs']}; {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB, "
                 f"Python {m['versions']['python']}, {res['date']}.")
    return "\n".join(lines)


def print_summary(res: dict[str, Any]) -> None:
    for view in ("cohort", "activity"):
        rows = [r for r in res["report"] if r["view"] == view]
        tm_t = next(r["median"] for r in rows if r["engine"] == "tm.report (pyarrow)")
        print(f"\n{view} view, {res['rows']:,} rows")
        print(f"{'engine':24} {'median s':>9} {'rows/s':>9} {'ratio':>6} {'peak MB':>8} {'+MB':>7}")
        for r in rows:
            print(f"{r['engine']:24} {r['median']:9.3f} {_fmt_rate(res['rows'], r['median']):>9} "
                  f"{r['median'] / tm_t:6.2f} {r['peak_rss_mb']:8.0f} {r['peak_over_loaded_mb']:7.0f}")
    bd = res.get("tm_breakdown")
    if bd:
        print("\ntm.report on variants of the input")
        for c in bd["cases"]:
            print(f"{c['case']:60} {c['median']:8.3f} s")
    cal = res.get("calendar")
    if cal:
        print("\nadd_working_days, 1M pairs")
        for name, r in cal["engines"].items():
            print(f"{name:56} {r['median'] * 1e3:8.1f} ms  mismatches vs numpy {r['mismatches_vs_numpy']:,}")
        for note in cal["notes"]:
            print("note:", note)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--quick", action="store_true", help="1M rows, results not written")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=HERE, help="folder for RESULTS.md and results.json")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of the engines")
    ap.add_argument("--no-calendar", action="store_true")
    ap.add_argument("--no-breakdown", action="store_true", help="skip timing tm.report on input variants")
    ap.add_argument("--note", help="a line about the conditions of this run, written into RESULTS.md")
    ap.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                    help="only rewrite RESULTS.md (beside the JSON) from a results.json, with --note if given")
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.render:
        res = json.loads(args.render.read_text())
        if args.note:
            res["note"] = args.note
            args.render.write_text(json.dumps(res, indent=1) + "\n")
        (args.render.parent / "RESULTS.md").write_text(render(res))
        print(render_summary(res))
        return

    if args.worker is not None:
        if args.worker[0] == "calendar":
            print(json.dumps(worker_calendar(args.runs)))
        elif args.worker[0] == "breakdown":
            print(json.dumps(worker_breakdown(args.worker[1], args.runs)))
        else:
            engine, view, parquet, expected = args.worker
            print(json.dumps(worker_report(engine, view, parquet, expected, args.runs)))
        return

    rows = 1_000_000 if args.quick else args.rows
    engines = [e.strip() for e in args.engines.split(",")]
    t_start = time.perf_counter()
    loadavg_start = os.getloadavg()[0]
    if loadavg_start > 0.5:
        _log(f"warning: load average {loadavg_start:.2f}: other work on this machine will inflate the timings")
    preflight()
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="tthc-peers-") as tmp:
        _log(f"generating {rows:,} dossiers")
        table = make_dataset(rows)
        path = Path(tmp) / "dossiers.parquet"
        pq.write_table(table, path)
        del table
        arrow = pq.read_table(path)
        arrow_mb = arrow.nbytes / 2**20
        parquet_mb = path.stat().st_size / 2**20
        _log(f"wrote {path.name}: {parquet_mb:.0f} MB parquet, {arrow_mb:.0f} MB in Arrow, {arrow.num_rows:,} rows")
        expected = {}
        for view in ("cohort", "activity"):
            t = canonical(tm_report(arrow, view))
            expected[view] = str(Path(tmp) / f"expected_{view}.arrow")
            with ipc.new_file(expected[view], t.schema) as f:
                f.write_table(t)
            _log(f"tm.report {view}: {t.num_rows:,} rows (the expected table)")
        del arrow, t
        gc.collect()
        breakdown = None
        if not args.no_breakdown:
            _log("tm.report on variants of the input (where its time goes) ...")
            breakdown = _spawn(["--runs", str(args.runs), "--worker", "breakdown", str(path)])
        results = []
        for view in ("cohort", "activity"):
            for engine in (e for e in engines if view in ENGINES[e][1]):
                _log(f"{view}: {engine} ...")
                r = _spawn(["--runs", str(args.runs), "--worker", engine, view, str(path), expected[view]])
                _log(f"{view}: {engine}: equal to tm.report; median {r['median']:.3f} s "
                     f"(warm-up {r['warmup']:.2f} s), peak RSS {r['peak_rss_mb']:.0f} MB "
                     f"(+{r['peak_over_loaded_mb']:.0f} MB over the loaded data)")
                results.append(r)
    calendar = None
    if not args.no_calendar:
        _log("calendar: add_working_days on 1M pairs ...")
        calendar = _spawn(["--runs", str(args.runs), "--worker", "calendar"])
    res = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "rows": rows, "runs": args.runs,
           "loadavg_start": loadavg_start, "loadavg_end": os.getloadavg()[0],
           "arrow_mb": arrow_mb, "parquet_mb": parquet_mb, "machine": machine(), "report": results,
           "calendar": calendar, "tm_breakdown": breakdown, "note": args.note}
    print_summary(res)
    if not args.quick and set(engines) == set(ENGINES):
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "RESULTS.md").write_text(render(res))
        (args.out / "results.json").write_text(json.dumps(res, indent=1) + "\n")
        print("\nfor the README:\n" + render_summary(res))
        _log(f"wrote {args.out / 'RESULTS.md'} and results.json")
    _log(f"done in {time.perf_counter() - t_start:.0f} s")


if __name__ == "__main__":
    main()
