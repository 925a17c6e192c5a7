"""DuckDB: SQL over the Arrow table (registered, read in place).

Text statuses are mapped to the national codes with a CASE, zoned times turned to civil time with
`timezone('Asia/Ho_Chi_Minh', ...)`, dates cast to timestamps. Period index: `date_trunc('week')`
days / 7, or year * 12 + month; a join with the small table of periods for their clipped days.
Activity: the classes of polars' activity (engines/polars.py), then a range join of the classes
against the periods, one GROUP BY; the per-dossier variant range-joins every dossier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from ..common import (AS_OF, COUNTS, DIRECT, EARLY, ELIGIBLE_LEVEL, LATE, ON_TIME, OVERDUE, PAYMENT, SPEC, START,
                      ONLINE, STATUS_CODE_OF, STOPPED, SUPPLEMENT, TZ, WITHDRAWN, WITHIN, channel_detail,
                      columns_needing, cutoff,
                      first_period_day, periods)


def _local(name: str, t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return f"timezone('{TZ}', {name})" if t.tz else name
    if pa.types.is_date(t):
        return f"CAST({name} AS TIMESTAMP)"
    raise TypeError(f"{name}: unsupported type {t}")


def _status(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "status"
    cases = " ".join(f"WHEN '{name}' THEN {code}" for name, code in STATUS_CODE_OF.items())
    return f"CASE CAST(status AS VARCHAR) {cases} END"


def _prepare(schema: pa.Schema, columns: list[str]) -> str:
    """Received dossiers with integer statuses, civil times, their end, finished and due days."""
    ch = (f"coalesce(channel, {DIRECT})" if channel_detail(columns) == "full"
          else f"CASE WHEN channel = {ONLINE} THEN {ONLINE} ELSE {DIRECT} END")  # fewer activity classes
    return f"""norm AS (
  SELECT unit, {_status(schema.field('status').type)} AS status,
         {_local('received_at', schema.field('received_at').type)} AS received_at,
         {_local('due_at', schema.field('due_at').type)} AS due_at,
         {_local('finished_at', schema.field('finished_at').type)} AS finished_at,
         {ch} AS ch, online_service >= {ELIGIBLE_LEVEL} AS elig
  FROM dossiers),
d AS (
  SELECT *, CASE WHEN status IN (9, 10) THEN finished_at
                 WHEN status IN (7, 8) THEN coalesce(finished_at, received_at) END AS end_at,
         CAST(finished_at AS DATE) AS fin_day, CAST(due_at AS DATE) AS due_day
  FROM norm WHERE status NOT IN (1, 3))"""


def _period(x: str, gran: str, start: dt.date) -> str:
    if gran == "week":
        return f"((CAST(date_trunc('week', {x}) AS DATE) - DATE '{first_period_day('week', start)}') // 7)"
    return f"(year({x}) * 12 + month({x}) - {start.year * 12 + start.month})"


def _last_day_of_period(x: str, gran: str) -> str:
    return f"isodow({x}) = 7" if gran == "week" else f"{x} = last_day({x})"


def _end_outcome() -> str:
    return f"""CASE WHEN status = 7 THEN {WITHDRAWN} WHEN status = 8 THEN {STOPPED}
             WHEN due_day IS NULL OR fin_day = due_day THEN {ON_TIME}
             WHEN fin_day < due_day THEN {EARLY} ELSE {LATE} END"""


def _outcome(cut: str, cut_day: str) -> str:
    return f"""CASE
      WHEN end_at <= {cut} THEN {_end_outcome()}
      WHEN status = 5 THEN {SUPPLEMENT}
      WHEN status = 6 THEN {PAYMENT}
      WHEN due_day IS NULL OR due_day >= {cut_day} THEN {WITHIN}
      ELSE {OVERDUE} END"""


def _condition(name: str, new_known: bool | None = None) -> str | None | bool:
    outcomes, new, channels, eligible = SPEC[name]
    parts = []
    if outcomes is not None:
        if not outcomes:
            return False
        parts.append(f"outcome IN ({', '.join(map(str, outcomes))})")
    if new is not None:
        if new_known is not None:
            if new != new_known:
                return False
        else:
            parts.append("new" if new else "NOT new")
    if channels is not None:
        parts.append(f"ch IN ({', '.join(map(str, channels))})")
    if eligible is not None:
        parts.append("elig")
    return " AND ".join(parts) if parts else None


def _counts(columns: list[str], weight: str | None = None, new_known: bool | None = None) -> str:
    out = []
    for name in columns:
        cond = _condition(name, new_known)
        if cond is False:
            out.append(f"CAST(0 AS BIGINT) AS {name}")
        elif weight is None:
            out.append(f"count(*) AS {name}" if cond is None else f"count(*) FILTER (WHERE {cond}) AS {name}")
        else:  # a sum over no row is NULL: coalesce
            agg = f"sum({weight})" if cond is None else f"sum({weight}) FILTER (WHERE {cond})"
            out.append(f"coalesce({agg}, 0) AS {name}")
    return ",\n  ".join(out)


def _register(con: Any, table: Any, gran: str, start: dt.date, end: dt.date) -> pa.Schema:
    ps = periods(gran, start, end)
    con.register("dossiers", table)
    con.register("periods", pa.table({"p": pa.array(range(len(ps)), pa.int32()),
                                      "period_start": pa.array([s for s, _ in ps], pa.date32()),
                                      "period_end": pa.array([e for _, e in ps], pa.date32())}))
    return table.schema


def _connect(con: Any) -> Any:
    import duckdb

    return con or duckdb.connect()


def cohort(table: pa.Table, gran: str = "week", start: dt.date = START, as_of: dt.date = AS_OF,
           columns: list[str] = COUNTS, con: Any = None) -> pa.Table:
    con = _connect(con)
    schema = _register(con, table, gran, start, as_of)
    cut = f"TIMESTAMP '{cutoff(as_of)}'"
    sql = f"""
WITH {_prepare(schema, columns)},
c AS (
  SELECT unit, {_period('received_at', gran, start)} AS p, ch, elig,
         {_outcome(cut, f"DATE '{as_of}'")} AS outcome
  FROM d WHERE received_at BETWEEN TIMESTAMP '{start}' AND {cut}),
g AS (
  SELECT unit, p,
  {_counts(columns, new_known=True)}
  FROM c GROUP BY unit, p)
SELECT CAST(unit AS VARCHAR) AS unit, period_start, period_end, g.* EXCLUDE (unit, p)
FROM g JOIN periods USING (p)"""
    return con.sql(sql).to_arrow_table()


def activity(table: pa.Table, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
             columns: list[str] = COUNTS, con: Any = None) -> pa.Table:
    """Aggregate first (classes of dossiers with the same period indices, as in polars), then a
    range join of the classes against the periods, one GROUP BY."""
    con = _connect(con)
    schema = _register(con, table, gran, start, end)
    last = len(periods(gran, start, end)) - 1
    cut = f"TIMESTAMP '{cutoff(end)}'"
    _, channel, eligible = columns_needing(columns)
    attrs = "".join([", ch" if channel else "", ", elig" if eligible else ""])
    sql = f"""
WITH {_prepare(schema, columns)},
classes AS (
  SELECT unit{attrs},
         greatest({_period('received_at', gran, start)}, -1) AS w_r,
         CASE WHEN end_at <= {cut} THEN {_period('end_at', gran, start)} ELSE {last + 1} END AS w_e,
         CASE WHEN end_at <= {cut} THEN {_end_outcome()} END AS end_outcome,
         CASE WHEN status = 5 THEN 1 WHEN status = 6 THEN 2 ELSE 0 END AS kind,
         CASE WHEN status IN (5, 6) OR due_day IS NULL THEN {last + 1}
              ELSE least(greatest({_period('due_day', gran, start)}
                   + CASE WHEN {_last_day_of_period('due_day', gran)} OR due_day >= DATE '{end}' THEN 1 ELSE 0 END,
                   -1), {last + 1})
         END AS q,
         count(*) AS n
  FROM d
  WHERE received_at <= {cut} AND coalesce(end_at, TIMESTAMP 'infinity') >= TIMESTAMP '{start}'
  GROUP BY ALL),
c AS (
  SELECT unit, p{attrs}, p = w_r AS new, n,
         CASE WHEN p = w_e THEN end_outcome WHEN kind = 1 THEN {SUPPLEMENT} WHEN kind = 2 THEN {PAYMENT}
              WHEN p >= q THEN {OVERDUE} ELSE {WITHIN} END AS outcome
  FROM classes JOIN periods ON periods.p BETWEEN greatest(w_r, 0) AND least(w_e, {last})),
g AS (
  SELECT unit, p,
  {_counts(columns, weight='n')}
  FROM c GROUP BY unit, p)
SELECT CAST(unit AS VARCHAR) AS unit, period_start, period_end, g.* EXCLUDE (unit, p)
FROM g JOIN periods USING (p)"""
    return con.sql(sql).to_arrow_table()


def activity_per_dossier(table: pa.Table, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
                         columns: list[str] = COUNTS, con: Any = None) -> pa.Table:
    """The straightforward way: a range join of every dossier against the periods, classified per
    period, one GROUP BY."""
    con = _connect(con)
    schema = _register(con, table, gran, start, end)
    sql = f"""
WITH {_prepare(schema, columns)},
p AS (
  SELECT p, period_start, period_end, CAST(period_start AS TIMESTAMP) AS s,
         CAST(period_end AS TIMESTAMP) + INTERVAL 86399 SECOND AS cut FROM periods),
c AS (
  SELECT unit, p.p, ch, elig, received_at >= s AS new, {_outcome('cut', 'period_end')} AS outcome
  FROM d JOIN p ON d.received_at <= p.cut AND coalesce(d.end_at, TIMESTAMP 'infinity') >= p.s),
g AS (
  SELECT unit, p,
  {_counts(columns)}
  FROM c GROUP BY unit, p)
SELECT CAST(unit AS VARCHAR) AS unit, period_start, period_end, g.* EXCLUDE (unit, p)
FROM g JOIN periods USING (p)"""
    return con.sql(sql).to_arrow_table()


VIEWS = {"cohort": cohort, "activity": activity}
