"""polars: lazy expressions on the frame as handed over.

The input is normalised inside the query, as a polars user must: text statuses (String or
Categorical) mapped to the national codes with `replace_strict`, zoned times to naive civil time
in Việt Nam, dates to datetimes, text times (dd/mm/yyyy HH:MM:SS) parsed with their format. Then integer period indices (epoch days for the ISO week,
year * 12 + month for the month), one `group_by` on (unit, period index), and a join with the
small table of periods for their clipped first and last days.

Activity: aggregate first. A dossier's outcome in period p depends only on a few indices: w_r (the
period of its reception), w_e (the period it ends in, or past the last), its end outcome, its kind
(plain, awaiting supplement, awaiting payment) and q (the first period whose last day is after its
due date). One `group_by` over those classes, `int_ranges` + `explode` of each class's periods,
one `group_by` per (unit, period) summing the class sizes. The per-dossier variant explodes every
dossier into the periods it is alive in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..common import (AS_OF, COUNTS, DIRECT, ELIGIBLE_LEVEL, ON_TIME, OVERDUE, PAYMENT, SPEC, START,
                      ONLINE, STATUS_CODE_OF, STOPPED, SUPPLEMENT, TZ, WITHDRAWN, WITHIN, channel_detail,
                      columns_needing, cutoff,
                      epoch_day, first_period_day, midnight, periods)

TIMES = ("received_at", "due_at", "finished_at")


def _local(name: str, dtype: Any) -> Any | None:
    """An expression turning column `name` into naive civil time in Việt Nam (None: already is)."""
    import polars as pl

    c = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return None
        if dtype.time_zone == TZ:
            return c.dt.replace_time_zone(None)
        return c.dt.convert_time_zone(TZ).dt.replace_time_zone(None)
    if dtype == pl.Date:
        return c.cast(pl.Datetime("us"))
    if dtype == pl.String:  # text times as exports write them
        return c.str.to_datetime("%d/%m/%Y %H:%M:%S", time_unit="us")
    raise TypeError(f"{name}: unsupported polars type {dtype}")


def prepare(data: Any) -> Any:
    """Received dossiers (lazy) with integer statuses, naive civil times and their end time."""
    import polars as pl

    lf = data.lazy()
    schema = lf.collect_schema()
    fixes = [e.alias(n) for n in TIMES if (e := _local(n, schema[n])) is not None]
    if schema["status"] in (pl.String, pl.Categorical) or isinstance(schema["status"], (pl.Categorical, pl.Enum)):
        fixes.append(pl.col("status").replace_strict(STATUS_CODE_OF, return_dtype=pl.Int8))
    if fixes:
        lf = lf.with_columns(fixes)
    st = pl.col("status")
    return (
        lf.filter(~st.is_in([1, 3]))
        .with_columns(
            end_at=pl.when(st >= 9).then(pl.col("finished_at"))
            .when(st.is_in([7, 8])).then(pl.coalesce("finished_at", "received_at"))
        )
    )


def _period(c: Any, gran: str, start: dt.date) -> Any:
    """The period index of datetime expression `c` (0: the period holding `start`)."""
    import polars as pl

    if gran == "week":
        return (c.dt.epoch("d") - epoch_day(first_period_day("week", start))) // 7
    return c.dt.year().cast(pl.Int32) * 12 + c.dt.month().cast(pl.Int32) - (start.year * 12 + start.month)


def _last_day_of_period(c: Any, gran: str, start: dt.date) -> Any:
    """Whether datetime expression `c` falls on the last day of its period."""
    if gran == "week":
        return c.dt.weekday() == 7
    return c.dt.day() == c.dt.days_in_month()


def periods_frame(gran: str, start: dt.date, end: dt.date) -> Any:
    import polars as pl

    ps = periods(gran, start, end)
    return pl.DataFrame({"p": list(range(len(ps))), "period_start": [s for s, _ in ps],
                         "period_end": [e for _, e in ps]}, schema={"p": pl.Int32, "period_start": pl.Date,
                                                                     "period_end": pl.Date})


def _outcome(cut: Any, cut_day: Any) -> Any:
    """The outcome code at cut-off `cut` (a datetime) on day `cut_day` (days since 1970-01-01):
    a flat when/then chain on integer days."""
    import polars as pl

    st = pl.col("status")
    ended = (pl.col("end_at") <= cut).fill_null(False)
    fin_day, due_day = pl.col("finished_at").dt.epoch("d"), pl.col("due_at").dt.epoch("d")
    return (
        pl.when(ended & (st >= 9)).then(ON_TIME + (fin_day - due_day).sign().fill_null(0))  # no due: on time
        .when(ended & (st == 7)).then(WITHDRAWN)
        .when(ended).then(STOPPED)
        .when(st == 5).then(SUPPLEMENT)
        .when(st == 6).then(PAYMENT)
        .otherwise(WITHIN + (due_day < cut_day).fill_null(False).cast(pl.Int8))  # no due: within
        .cast(pl.Int8)
        .alias("outcome")
    )


def _attributes(columns: list[str]) -> list[Any]:
    """The channel (null = direct) and eligibility columns the count columns need."""
    import polars as pl

    _, _, eligible = columns_needing(columns)
    channel = channel_detail(columns)
    out = []
    if channel == "full":
        out.append(pl.col("channel").fill_null(DIRECT).cast(pl.Int8).alias("ch"))
    elif channel == "online":  # 2 online, 1 anything else: fewer activity classes
        out.append(pl.when(pl.col("channel") == ONLINE).then(ONLINE).otherwise(DIRECT).cast(pl.Int8).alias("ch"))
    if eligible:
        out.append((pl.col("online_service") >= ELIGIBLE_LEVEL).alias("elig"))
    return out


def _condition(name: str, new_known: bool | None = None) -> Any:
    """The rows column `name` counts, as a boolean expression; None: every row; False: none."""
    import polars as pl

    outcomes, new, channels, eligible = SPEC[name]
    parts = []
    if outcomes is not None:
        if not outcomes:
            return False
        o = pl.col("outcome")
        lo, hi = min(outcomes), max(outcomes)
        parts.append(o == lo if lo == hi else o.is_between(lo, hi) if hi - lo + 1 == len(outcomes)
                     else o.is_in(list(outcomes)))
    if new is not None:
        if new_known is not None:
            if new != new_known:
                return False
        else:
            parts.append(pl.col("new") if new else ~pl.col("new"))
    if channels is not None:
        parts.append(pl.col("ch") == channels[0] if len(channels) == 1 else pl.col("ch").is_in(list(channels)))
    if eligible is not None:
        parts.append(pl.col("elig"))
    if not parts:
        return None
    cond = parts[0]
    for p in parts[1:]:
        cond = cond & p
    return cond


def _aggregations(columns: list[str], weight: str | None = None, new_known: bool | None = None) -> tuple[list, list]:
    """The `group_by().agg` expressions of `columns` (row counts, or sums of `weight`), and the
    columns that are always 0."""
    import polars as pl

    aggs, zeros = [], []
    for name in columns:
        cond = _condition(name, new_known)
        if cond is False:
            zeros.append(name)
        elif weight is None:
            aggs.append(pl.len().alias(name) if cond is None else cond.sum().alias(name))
        else:
            w = pl.col(weight)
            aggs.append((w if cond is None else w.filter(cond)).sum().alias(name))
    return aggs, zeros


def _finish(lf: Any, gran: str, start: dt.date, end: dt.date, zeros: list[str]) -> Any:
    import polars as pl

    out = lf.join(periods_frame(gran, start, end).lazy(), on="p").drop("p")
    if zeros:
        out = out.with_columns([pl.lit(0, pl.Int64).alias(z) for z in zeros])
    return out.collect()


def cohort(data: Any, gran: str = "week", start: dt.date = START, as_of: dt.date = AS_OF,
           columns: list[str] = COUNTS) -> Any:
    import polars as pl

    cut = cutoff(as_of)
    aggs, zeros = _aggregations(columns, new_known=True)
    lf = (
        prepare(data)
        .filter(pl.col("received_at").is_between(midnight(start), cut))
        .with_columns(_outcome(pl.lit(cut), epoch_day(as_of)), *_attributes(columns),
                      p=_period(pl.col("received_at"), gran, start).cast(pl.Int32))
        .group_by("unit", "p")
        .agg(aggs)
    )
    return _finish(lf, gran, start, as_of, zeros)


def activity(data: Any, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
             columns: list[str] = COUNTS) -> Any:
    """Aggregate first, then explode (module docstring)."""
    import polars as pl

    last = len(periods(gran, start, end)) - 1
    cut = cutoff(end)
    st = pl.col("status")
    fin_day, due_day = pl.col("finished_at").dt.epoch("d"), pl.col("due_at").dt.epoch("d")
    ends = (pl.col("end_at") <= cut).fill_null(False)
    due = pl.col("due_at")
    kind = pl.when(st == 5).then(1).when(st == 6).then(2).otherwise(0).cast(pl.Int8)
    classes = (
        prepare(data)
        .filter((pl.col("received_at") <= cut)
                & (pl.col("end_at").is_null() | (pl.col("end_at") >= midnight(start))))
        .select(
            "unit",
            *_attributes(columns),
            w_r=_period(pl.col("received_at"), gran, start).clip(-1, last).cast(pl.Int32),
            w_e=pl.when(ends).then(_period(pl.col("end_at"), gran, start)).otherwise(last + 1).cast(pl.Int32),
            end_outcome=pl.when(~ends).then(None)
            .when(st == 7).then(WITHDRAWN)
            .when(st == 8).then(STOPPED)
            .otherwise(ON_TIME + (fin_day - due_day).sign().fill_null(0)).cast(pl.Int8),
            kind=kind,
            # the first period whose last day is after the due date (past the last: never overdue)
            q=pl.when((st == 5) | (st == 6) | due.is_null()).then(last + 1)
            .otherwise(_period(due, gran, start)
                       + (_last_day_of_period(due, gran, start) | (due_day >= epoch_day(end))).cast(pl.Int32))
            .clip(-1, last + 1).cast(pl.Int32),
        )
        .group_by(pl.all())
        .len("n")
    )
    p = pl.col("p")
    aggs, zeros = _aggregations(columns, weight="n")
    lf = (
        classes
        .with_columns(p=pl.int_ranges(pl.col("w_r").clip(0, last), pl.col("w_e").clip(0, last) + 1, dtype=pl.Int32))
        .explode("p")
        .with_columns(outcome=pl.when(p == pl.col("w_e")).then(pl.col("end_outcome"))
                      .when(pl.col("kind") == 1).then(SUPPLEMENT)
                      .when(pl.col("kind") == 2).then(PAYMENT)
                      .when(p >= pl.col("q")).then(OVERDUE)
                      .otherwise(WITHIN),
                      new=p == pl.col("w_r"))
        .group_by("unit", "p")
        .agg(aggs)
    )
    return _finish(lf, gran, start, end, zeros)


def activity_per_dossier(data: Any, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
                         columns: list[str] = COUNTS) -> Any:
    """The straightforward way: each dossier exploded into the periods it is alive in (its index
    range [period of reception, period of its end, or the last]), classified per period, one
    group_by. About 6.5 rows per dossier a week here."""
    import polars as pl

    last = len(periods(gran, start, end)) - 1
    per = periods_frame(gran, start, end).lazy().with_columns(
        cut=pl.col("period_end").cast(pl.Datetime("us")) + pl.duration(seconds=86_399),
        cut_day=pl.col("period_end").dt.epoch("d"),
        s=pl.col("period_start").cast(pl.Datetime("us")),
    )
    aggs, zeros = _aggregations(columns)
    lf = (
        prepare(data)
        .filter((pl.col("received_at") <= cutoff(end))
                & (pl.col("end_at").is_null() | (pl.col("end_at") >= midnight(start))))
        .with_columns(*_attributes(columns),
                      p=pl.int_ranges(_period(pl.col("received_at"), gran, start).clip(0, last),
                                      _period(pl.col("end_at"), gran, start).fill_null(last).clip(0, last) + 1,
                                      dtype=pl.Int32))
        .explode("p")
        .join(per, on="p")
        .with_columns(_outcome(pl.col("cut"), pl.col("cut_day")), new=pl.col("received_at") >= pl.col("s"))
        .group_by("unit", "p")
        .agg(aggs)
    )
    return _finish(lf, gran, start, end, zeros)


VIEWS = {"cohort": cohort, "activity": activity}
