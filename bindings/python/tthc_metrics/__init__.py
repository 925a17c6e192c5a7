"""Exact figures for Vietnamese administrative-procedure (TTHC) dossiers.

On-time resolution, the overdue backlog, the online-submission share and the index points they earn
or lose, computed in Rust from any Arrow-compatible table (pyarrow, polars, pandas) and returned as
a table of the same library.

>>> import tthc_metrics as tm
>>> data = tm.krong_no_2023()
>>> t = tm.tally(data, as_of=datetime.date(2023, 10, 16))
>>> (t.received, t.on_time + t.early, t.late)
(15935, 10677, 662)
>>> tm.percent(t.on_time_rate), tm.percent(t.late_rate)
(Decimal('94.2'), Decimal('5.8'))

This module only converts arguments and results; every computation is in the Rust crates.
"""

from __future__ import annotations

import datetime
import warnings
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, Mapping

import pyarrow as pa

from . import _tthc_metrics as _native
from ._tthc_metrics import (
    Calendar,
    NoDataError,
    OutOfRangeError,
    RejectedRecordError,
    Rubric,
    RubricError,
    SchemaError,
    Score,
    Tally,
    TthcError,
    UnknownNameError,
)

__all__ = [
    "Calendar",
    "NoDataError",
    "OutOfRangeError",
    "RejectedRecordError",
    "RejectedRowsWarning",
    "Rubric",
    "RubricError",
    "SchemaError",
    "Score",
    "Tally",
    "TthcError",
    "UnknownNameError",
    "krong_no_2023",
    "percent",
    "quality",
    "quality_with_rejected",
    "report",
    "report_with_rejected",
    "synthetic",
    "tally",
]

__version__: str = _native.__version__

_VIETNAM = datetime.timezone(datetime.timedelta(hours=7))

Key = Literal["unit", "procedure", "channel"] | None
Granularity = Literal["day", "week", "friday_week", "month", "quarter", "year"] | None


class RejectedRowsWarning(UserWarning):
    """Rows were skipped (``on_error="skip"``); ``.rejected`` holds them with their reasons."""

    def __init__(self, message: str, rejected: Any) -> None:
        super().__init__(message)
        self.rejected = rejected


def _as_of(value: datetime.date | datetime.datetime) -> datetime.datetime:
    """A date means the end of that day; an aware datetime is converted to UTC+7 civil time."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_VIETNAM).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(23, 59, 59))
    raise TypeError(f"as_of must be a datetime.date or datetime.datetime, not {type(value).__name__}")


def _date(value: datetime.date | None, name: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def _library(data: Any) -> str:
    module = type(data).__module__.split(".")[0]
    return module if module in ("pandas", "polars", "pyarrow") else "pyarrow"


def _arrow_input(data: Any) -> Any:
    if hasattr(data, "__arrow_c_stream__"):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    raise TypeError(
        "data must be a pyarrow Table, a polars or pandas DataFrame, or any object with __arrow_c_stream__, "
        f"not {type(data).__name__}"
    )


def _output(result: Any, library: str) -> Any:
    table = pa.table(result)
    if library == "pandas":
        return table.to_pandas()
    if library == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def _check_by(by: tuple[Key, Granularity]) -> tuple[str | None, str | None]:
    if not isinstance(by, (tuple, list)) or len(by) != 2:
        raise TypeError('by must be a pair (key, granularity), e.g. ("unit", "week") or (None, "month")')
    return by[0], by[1]


def report_with_rejected(
    data: Any,
    *,
    as_of: datetime.date | datetime.datetime,
    by: tuple[Key, Granularity] = ("unit", "week"),
    view: Literal["cohort", "activity"] = "cohort",
    rate_policy: str = "resolved_only",
    online_policy: str = "eligible_only",
    calendar: Calendar | None = None,
    columns: Mapping[str, str] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    comparison: Literal["date", "timestamp"] = "date",
    supplement_rule: Literal["pause", "repeated_is_overdue"] = "pause",
    due_date: Literal["original", "rescheduled"] = "original",
    memory_limit: int | None = None,
) -> tuple[Any, Any]:
    """Like :func:`report`, returning ``(table, rejected)``; ``rejected`` lists the skipped rows
    (``row, dossier_id, column, value, reason, message``) in the same library as the input."""
    key, period = _check_by(by)
    table, rejected = _native._report(
        _arrow_input(data),
        as_of=_as_of(as_of),
        key=key,
        period=period,
        view=view,
        rate_policy=rate_policy,
        online_policy=online_policy,
        columns=dict(columns) if columns else None,
        start=_date(start, "start"),
        end=_date(end, "end"),
        on_error=on_error,
        comparison=comparison,
        supplement_rule=supplement_rule,
        due_date=due_date,
        calendar=calendar,
        memory_limit=memory_limit,
    )
    library = _library(data)
    return _output(table, library), _output(rejected, library)


def report(
    data: Any,
    *,
    as_of: datetime.date | datetime.datetime,
    by: tuple[Key, Granularity] = ("unit", "week"),
    view: Literal["cohort", "activity"] = "cohort",
    rate_policy: str = "resolved_only",
    online_policy: str = "eligible_only",
    calendar: Calendar | None = None,
    columns: Mapping[str, str] | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    comparison: Literal["date", "timestamp"] = "date",
    supplement_rule: Literal["pause", "repeated_is_overdue"] = "pause",
    due_date: Literal["original", "rescheduled"] = "original",
    memory_limit: int | None = None,
) -> Any:
    """The official table, one row per group and period, as a table of the input's library.

    ``view="cohort"``: dossiers received on or before ``as_of`` (and on or after ``start``),
    grouped by reception period, classified at ``as_of``. ``view="activity"``: the Biểu II.06a
    columns per period within ``[start, end]`` (``end`` defaults to ``as_of``).

    ``calendar`` (a :class:`Calendar`) gives dossiers without a due date one, when the table has a
    ``duration_days`` column (working days the procedure allows): due at the close of office on
    that working day; without it such dossiers count on time (domain-rules section 3).

    Counts are integers; ``on_time_rate``, ``late_rate`` and ``online_share`` are floats for
    plotting (NaN without data) with exact ``*_numerator`` / ``*_denominator`` columns beside them.
    With ``on_error="skip"`` bad rows are left out and a :class:`RejectedRowsWarning` carrying
    them is issued (or use :func:`report_with_rejected`); nothing is dropped silently.

    ``memory_limit`` (bytes, default 4 GiB) bounds the memory the report plans beyond the input
    (decoded columns, the cells table, rejected rows): above it the call fails with a
    :class:`TthcError` of code ``memory_limit`` before allocating.

    >>> import tthc_metrics as tm
    >>> t = tm.report(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16), by=(None, None))
    >>> t.column("received").to_pylist(), t.column("late").to_pylist()
    ([15935], [662])
    """
    table, rejected = report_with_rejected(
        data,
        as_of=as_of,
        by=by,
        view=view,
        rate_policy=rate_policy,
        online_policy=online_policy,
        calendar=calendar,
        columns=columns,
        start=start,
        end=end,
        on_error=on_error,
        comparison=comparison,
        supplement_rule=supplement_rule,
        due_date=due_date,
        memory_limit=memory_limit,
    )
    if len(rejected):
        warnings.warn(
            RejectedRowsWarning(f"{len(rejected)} rows were rejected and left out; see .rejected", rejected),
            stacklevel=2,
        )
    return table


def tally(
    data: Any,
    *,
    as_of: datetime.date | datetime.datetime,
    rate_policy: str = "resolved_only",
    online_policy: str = "eligible_only",
    calendar: Calendar | None = None,
    columns: Mapping[str, str] | None = None,
    start: datetime.date | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    comparison: Literal["date", "timestamp"] = "date",
    supplement_rule: Literal["pause", "repeated_is_overdue"] = "pause",
    due_date: Literal["original", "rescheduled"] = "original",
    memory_limit: int | None = None,
) -> Tally:
    """One :class:`Tally` of the dossiers received up to ``as_of`` (from ``start``), classified at
    ``as_of``; its rates are exact :class:`fractions.Fraction` values (``None`` without data).

    >>> import tthc_metrics as tm
    >>> t = tm.tally(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16))
    >>> t.on_time_rate
    Fraction(10677, 11339)
    """
    result, rejected = _native._tally(
        _arrow_input(data),
        as_of=_as_of(as_of),
        rate_policy=rate_policy,
        online_policy=online_policy,
        columns=dict(columns) if columns else None,
        start=_date(start, "start"),
        on_error=on_error,
        comparison=comparison,
        supplement_rule=supplement_rule,
        due_date=due_date,
        calendar=calendar,
        memory_limit=memory_limit,
    )
    rejected_table = pa.table(rejected)
    if rejected_table.num_rows:
        warnings.warn(
            RejectedRowsWarning(f"{rejected_table.num_rows} rows were rejected and left out; see .rejected", rejected_table),
            stacklevel=2,
        )
    return result


def quality_with_rejected(
    data: Any,
    *,
    as_of: datetime.date | datetime.datetime,
    by: Key = "unit",
    start: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    comparison: Literal["date", "timestamp"] = "date",
    overdue_buckets: tuple[int, ...] = (7, 30, 90),
    hanging_after_days: int = 30,
    max_supplement_requests: int = 1,
    max_returns: int = 2,
) -> tuple[Any, Any]:
    """Like :func:`quality`, returning ``(table, rejected)``; ``rejected`` lists the rejected rows
    (``row, dossier_id, column, value, reason, message``) in the same library as the input."""
    table, rejected = _native._quality(
        _arrow_input(data),
        as_of=_as_of(as_of),
        key=by,
        start=_date(start, "start"),
        columns=dict(columns) if columns else None,
        comparison=comparison,
        overdue_buckets=list(overdue_buckets),
        hanging_after_days=hanging_after_days,
        max_supplement_requests=max_supplement_requests,
        max_returns=max_returns,
    )
    library = _library(data)
    return _output(table, library), _output(rejected, library)


def quality(
    data: Any,
    *,
    as_of: datetime.date | datetime.datetime,
    by: Key = "unit",
    start: datetime.date | None = None,
    columns: Mapping[str, str] | None = None,
    comparison: Literal["date", "timestamp"] = "date",
    overdue_buckets: tuple[int, ...] = (7, 30, 90),
    hanging_after_days: int = 30,
    max_supplement_requests: int = 1,
    max_returns: int = 2,
) -> Any:
    """The data-quality report beside the metrics, one row per unit (or ``by`` key, ``None`` for
    one total row), as a table of the input's library.

    Of the dossiers received up to ``as_of`` (from ``start``): ``rejected`` records and one
    ``rejected_<reason>`` column per reason; ``no_due_date``; ``repeated_supplement`` (more than
    ``max_supplement_requests``); ``returned_too_often`` (returned to the citizen more than
    ``max_returns`` times, counted as supplement requests); ``late`` (finished late or overdue)
    and, when the table has ``apology_issued`` / ``apology_issued_at``, ``late_without_apology``
    and ``apology_late`` (issued after the due date; null without the columns); ``overdue`` by
    days past due (``overdue_1_7``, ``overdue_8_30``, ``overdue_31_90``, ``overdue_over_90``)
    and ``hanging`` (overdue more than ``hanging_after_days``). ``records = rejected + excluded
    + checked`` in every row.

    >>> import tthc_metrics as tm
    >>> q = tm.quality(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16), by=None)
    >>> q.column("records").to_pylist() == [len(tm.krong_no_2023())]
    True
    """
    table, _ = quality_with_rejected(
        data,
        as_of=as_of,
        by=by,
        start=start,
        columns=columns,
        comparison=comparison,
        overdue_buckets=overdue_buckets,
        hanging_after_days=hanging_after_days,
        max_supplement_requests=max_supplement_requests,
        max_returns=max_returns,
    )
    return table


def percent(rate: Fraction | None, dp: int = 1) -> Decimal | None:
    """``rate`` as a percentage with ``dp`` decimals, rounded half away from zero (official letters
    use 1 decimal, the national portal 2). ``None`` stays ``None``.

    >>> percent(Fraction(18990, 20000))
    Decimal('95.0')
    >>> percent(Fraction(10677, 11339), dp=2)
    Decimal('94.16')
    """
    if rate is None:
        return None
    rate = Fraction(rate)
    if not 0 <= rate <= 1:
        raise ValueError(f"a rate must lie in [0, 1], got {rate}")
    return _native._percent(rate.numerator, rate.denominator, dp)


def krong_no_2023() -> pa.Table:
    """The bundled Krông Nô 2023 sample (the seed letter's district), as a pyarrow Table."""
    return pa.table(_native._sample_krong_no_2023())


def synthetic(n: int, *, units: int = 40, seed: int = 1) -> pa.Table:
    """A seeded synthetic table of ``n`` dossiers (a year of 2023, ``units`` communes)."""
    return pa.table(_native._sample_synthetic(n, units=units, seed=seed))
