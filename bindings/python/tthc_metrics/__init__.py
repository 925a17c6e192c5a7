"""Exact figures for Vietnamese administrative-procedure (TTHC) dossiers.

On-time resolution, the overdue backlog, the online-submission share and the index points they earn
or lose, computed in Rust from any Arrow-compatible table (pyarrow, polars, pandas) and returned as
a table of the same library.

>>> import datetime
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
import os
import warnings
from decimal import Decimal
from typing import Any, BinaryIO, Literal, Mapping, NamedTuple, TypedDict, Unpack

import pyarrow as pa

from . import _tthc_metrics as _native
from ._tthc_metrics import (
    Calendar,
    FormError,
    MergeError,
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
    "FormError",
    "MergeError",
    "NoDataError",
    "Options",
    "OutOfRangeError",
    "RejectedRecordError",
    "RejectedRowsWarning",
    "Report",
    "Rubric",
    "RubricError",
    "SchemaError",
    "Score",
    "Tally",
    "TthcError",
    "UnknownNameError",
    "forms",
    "krong_no_2023",
    "krong_no_units",
    "merge_reports",
    "methods",
    "percent",
    "period_name",
    "plot",
    "provenance",
    "quality",
    "quality_with_rejected",
    "read_export",
    "report",
    "report_details",
    "report_with_rejected",
    "reporting_deadline",
    "reporting_period",
    "synthetic",
    "tally",
]

__version__: str = _native.__version__

Key = Literal["unit", "procedure", "field", "channel"] | None
Granularity = str | None  # "day", "week", "friday_week", "month", "quarter", "half_year", "year", "decree09_month", ...


class Options(TypedDict, total=False):
    """The options every function takes (each is optional but ``as_of``); the same names in Rust.

    - ``as_of``: the cut-off. A ``datetime.date`` is the end of that day; a naive
      ``datetime`` is civil time in Việt Nam; an aware one is converted to UTC+7; a text date
      (``"16/10/2023"``) is read like the exports' dates. A ``datetime`` at exactly midnight is the
      *start* of its day (a warning says so: pass the date for the end of the day).
    - ``by``: ``(key, granularity)`` for reports: key ``"unit"``, ``"procedure"``, ``"field"``
      (lĩnh vực), ``"channel"`` or ``None``; granularity ``"day"``, ``"week"`` (ISO),
      ``"friday_week"`` (Friday–Thursday), ``"month"``, ``"quarter"``, ``"half_year"``, ``"year"``,
      the reporting cycles ``"decree09_month"`` (15th to 14th), ``"decree09_quarter"``,
      ``"decree09_half_year"``, ``"decree09_year"``, ``"month_from_21"`` (any cut day), or ``None``.
      For :func:`quality`, the key alone.
    - ``view``: ``"cohort"`` (received in the window, classified at ``as_of``) or
      ``"activity"`` (the Biểu II.06a columns per period within ``[start, end]``).
    - ``start``, ``end``: the window (dates; an aware ``datetime`` is read in UTC+7).
    - ``rate_policy``: ``"resolved_only"`` (default), ``"decision_766"``, ``"due_in_period"``,
      ``"late_share"``; ``online_policy``: ``"eligible_only"`` (default), ``"decision_766"``,
      ``"full_process"``, ``"online_vs_counter"``.
    - ``columns``: ``{"the export's header": "canonical name"}``; columns it does not name are
      found by their canonical name or the headers real exports use.
    - ``on_error``: ``"raise"`` (default) or ``"skip"`` (bad rows left out and handed back).
    - ``comparison``: ``"date"`` (default) or ``"timestamp"``; ``supplement_rule``: ``"pause"``
      or ``"repeated_is_overdue"``; ``due_date``: ``"original"`` or ``"rescheduled"``.
    - ``duplicates``: which row of a repeated ``dossier_id`` counts: ``"most_advanced"``
      (default), ``"last"``, ``"first"``, ``"keep_all"``.
    - ``status_names``, ``channel_names``, ``online_service_names``: words of your system, e.g.
      ``{"Hoàn tất": 10}``, added to the standard vocabulary.
    - ``calendar``: a :class:`Calendar` for due dates computed from a ``duration_days`` column.
    - ``memory_limit``: bytes the call may allocate beyond its input (default 4 GiB).
    - ``key`` (reports): add the groups' NFC ``key`` column; ``labels``: ``"en"`` (default) or
      ``"vi"`` (Vietnamese column names and channel words).
    - ``threads``: worker threads for the call (default 0: the machine's cores, up to 8); 1 inside
      Spark or Dask tasks.
    - quality only: ``overdue_buckets``, ``hanging_after_days``, ``max_supplement_requests``,
      ``max_returns``, ``reception_hours``.
    """

    as_of: datetime.date | datetime.datetime | str
    by: tuple[Key, Granularity] | Key
    view: Literal["cohort", "activity"]
    start: datetime.date | None
    end: datetime.date | None
    rate_policy: str
    online_policy: str
    columns: Mapping[str, str] | None
    on_error: Literal["raise", "skip"]
    comparison: Literal["date", "timestamp"]
    supplement_rule: Literal["pause", "repeated_is_overdue"]
    due_date: Literal["original", "rescheduled"]
    duplicates: Literal["most_advanced", "last", "first", "keep_all"]
    status_names: Mapping[str, int | str] | None
    channel_names: Mapping[str, int | str] | None
    online_service_names: Mapping[str, str] | None
    calendar: Calendar | None
    memory_limit: int | None
    key: bool
    labels: Literal["en", "vi"]
    threads: int
    overdue_buckets: tuple[int, ...]
    hanging_after_days: int
    max_supplement_requests: int
    max_returns: int
    reception_hours: int


class RejectedRowsWarning(UserWarning):
    """Rows were left out (``on_error="skip"``, or repeats of a ``dossier_id``); ``.rejected``
    holds them with their reasons."""

    def __init__(self, message: str, rejected: Any) -> None:
        super().__init__(message)
        self.rejected = rejected


class Report(NamedTuple):
    """A report with everything about it: ``table`` (the input's library), ``rejected`` (the rows
    left out, with their reasons) and ``provenance`` (every option that produced it)."""

    table: Any
    rejected: Any
    provenance: dict[str, str]


def read_export(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    sheet: str | int | None = None,
    columns: Mapping[str, str] | None = None,
    header_row: int | None = None,
    status_names: Mapping[str, int | str] | None = None,
    channel_names: Mapping[str, int | str] | None = None,
    online_service_names: Mapping[str, str] | None = None,
    memory_limit: int | None = None,
) -> pa.Table:
    r"""The portal's export as a :class:`pyarrow.Table` every ``tm.*`` function reads with no
    column mapping.

    ``source`` is a path, the file's ``bytes``, or a binary file object. The format is judged by
    the content: ``.xlsx``/``.xlsm``/``.xlsb``/``.xls``/``.ods`` workbooks, an HTML table (as some
    systems save ``.xls`` files), CSV with ``,`` ``;`` tab or ``|`` (UTF-8, with or without a BOM),
    and the national sync JSON (``{"data": [...]}`` or a list of records).

    The header row is found below a title block (the first 30 rows; ``header_row=`` gives it,
    1-based as Excel shows it); ``sheet=`` a sheet name or 0-based index (default the first);
    ``columns=`` maps your headers onto canonical names as elsewhere. Known columns come under
    their canonical names, every other column under its own, and ``source_row`` is each row's
    row in the file. Empty rows and trailing footers ("Tổng cộng: ...") are left out and listed in
    the schema metadata (``tthc_metrics.skipped_rows``) with the mapping found
    (``tthc_metrics.mapping``) and the source (``tthc_metrics.source``). ``status_names``,
    ``channel_names`` and ``online_service_names`` are written into the metadata for the
    functions that read the table. ``memory_limit`` (bytes, default 4 GiB) bounds the file, what
    it unpacks to and the table: larger files, zip bombs, and sheets claiming millions of cells are
    refused (``TthcError`` with ``.code == "too_large"``) before memory is allocated.

    Errors: ``SchemaError`` for a header that cannot be found (``no_header``), a date column
    without dates (``wrong_content``) or a mapped column that is missing; ``TthcError`` otherwise
    (``io_error``, ``unsupported_format``, ``corrupt_file``, ``bad_encoding``, ``empty_sheet``,
    ``no_such_sheet``, ``too_large``, ``too_deep``); each names the file (and sheet, row, column).

    >>> import tthc_metrics as tm
    >>> data = "Mã hồ sơ;Ngày tiếp nhận;Trạng thái;Ghi chú\nH1;02/10/2023 08:00;Đang xử lý;gấp\n".encode()
    >>> t = tm.read_export(data)
    >>> t.column_names
    ['dossier_id', 'received_at', 'status', 'Ghi chú', 'source_row']
    >>> t.column("source_row").to_pylist()
    [2]
    """
    if hasattr(source, "__fspath__"):
        source = os.fspath(source)
    return pa.table(
        _native.read_export(
            source,
            sheet=sheet,
            columns=dict(columns) if columns else None,
            header_row=header_row,
            status_names=dict(status_names) if status_names else None,
            channel_names=dict(channel_names) if channel_names else None,
            online_service_names=dict(online_service_names) if online_service_names else None,
            memory_limit=memory_limit,
        )
    )


def _library(data: Any) -> str:
    module = type(data).__module__.split(".")[0]
    return module if module in ("pandas", "polars", "pyarrow") else "pyarrow"


def _plain(value: Any) -> Any:
    """One cell of a mixed pandas object column as Arrow can hold it."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NaT or (isinstance(value, float) and value != value):
            return None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _numpy_datetimes(col: Any) -> pa.Array | None:
    """A pandas column of ``datetime64`` values (naive, or zoned: then as UTC instants) as an
    Arrow timestamp array over the same memory, NaT as null: the integers borrowed, a validity
    bitmap only where there is a NaT. ``pa.array(..., from_pandas=True)`` copies the column:
    37 ms a 10M-row column (38 ms zoned) against 10 ms (no NaT) and 17 ms (NaT) this way, in
    one process. ``None`` for any other column."""
    import numpy as np
    import pandas as pd

    dtype = getattr(col, "dtype", None)
    zone = None
    if isinstance(dtype, pd.DatetimeTZDtype):
        # a zoned column holds UTC instants: the same integers, as UTC (its own zone's name
        # need not be one Arrow knows)
        col, zone = col.dt.tz_convert(None), "UTC"
        dtype = col.dtype
    if not isinstance(dtype, np.dtype) or dtype.kind != "M":
        return None
    unit, _ = np.datetime_data(dtype)
    if unit not in ("s", "ms", "us", "ns"):
        return None
    ticks = np.ascontiguousarray(col.to_numpy(copy=False)).view(np.int64)
    nat = ticks == np.iinfo(np.int64).min  # NaT's integer
    nulls = int(np.count_nonzero(nat))
    bitmap = pa.py_buffer(np.packbits(~nat, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(
        pa.timestamp(unit, zone), len(ticks), [bitmap, pa.py_buffer(ticks)], null_count=nulls
    )


def _python_strings(col: Any) -> bool:
    """Whether a pandas column has the ``string`` dtype with Python storage (``astype("string")``
    and ``convert_dtypes()`` in pandas 2, ``pd.StringDtype("python")``): an object array of
    ``str`` and ``pd.NA``, as an object column holds."""
    import pandas as pd

    dtype = getattr(col, "dtype", None)
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "python"


def _python_strings_to_arrow(col: Any) -> pa.Array | None:
    """A ``string[python]`` column converted from its object array: pandas' own conversion
    (``pa.array(col)``) took 1.26 s on a 10M-row column, this 0.59 s, in one process. ``None``
    for any other column."""
    if not _python_strings(col):
        return None
    return pa.array(col.to_numpy(copy=False), type=pa.string(), from_pandas=True)


def _object_text(col: Any) -> pa.Array | None:
    """A pandas object column of text (and missing values), or a ``string[python]`` one, as an
    Arrow dictionary over its distinct objects: ``pd.read_csv`` gives one object per distinct string of a chunk, so a
    10M-row column holds a few hundred, and ``pa.array`` converting every row's object costs
    about 0.58 s where this costs about 0.17 s (the objects' addresses factorised by pandas'
    integer hash, each distinct object converted once). Equal strings held by different objects
    are two dictionary values, which the decoder reads as one name. ``None`` (the caller
    converts it row by row) for other columns, for objects that are not all text, and where
    most rows of the first 65,536 hold an object of their own (dossier ids)."""
    import numpy as np
    import pandas as pd

    if not (getattr(col, "dtype", None) == np.dtype(object) or _python_strings(col)) or len(col) == 0:
        return None
    objects = np.ascontiguousarray(col.to_numpy(copy=False))
    if objects.dtype != np.dtype(object):
        return None
    # the addresses of the row's objects, read from the array's own buffer: the objects live as
    # long as `objects` does, and an address is only compared, never followed
    addresses = np.frombuffer(objects.data.cast("B"), dtype=np.intp)
    sample = addresses[: 1 << 16]
    if len(pd.unique(sample)) * 2 > len(sample):
        return None
    codes, distinct = pd.factorize(addresses)
    # codes are given in order of first appearance: code k first appears where their running
    # maximum reaches k, within a prefix of the rows (all of them, at worst)
    prefix = 1 << 16
    while True:
        running = np.maximum.accumulate(codes[:prefix])
        if running[-1] == len(distinct) - 1:
            break
        prefix *= 8
    first = np.searchsorted(running, np.arange(len(distinct)))
    try:
        values = pa.array(objects[first], from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    # a missing value (None, NaN) is a null row, as in the row-by-row conversion, not a row
    # pointing at a null dictionary value
    missing = values.is_null().to_numpy(zero_copy_only=False)
    mask = missing[codes] if missing.any() else None
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=mask), values)


def _pandas_to_arrow(frame: Any, columns: Mapping[str, str] | None) -> pa.Table:
    """The columns a reader uses, as Arrow; object columns mixing text, datetimes and NaN (what
    ``pd.read_excel`` gives for a sheet with a title block) become text."""
    names = [str(c) for c in frame.columns]
    used = set(_native.used_columns(names, dict(columns) if columns else None).values())
    keep = [i for i, n in enumerate(names) if n in used]
    frame = frame.iloc[:, keep]
    arrays = []
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        try:
            arrays.append(
                _numpy_datetimes(col)
                or _object_text(col)
                or _python_strings_to_arrow(col)
                or pa.array(col, from_pandas=True)
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            arrays.append(pa.array([_plain(v) for v in col], type=pa.string()))
    return pa.Table.from_arrays(arrays, names=[names[i] for i in keep])


# a polars categories object with more values than this goes through polars' own export: each
# value of a dictionary is decoded once, and a process-wide one can hold millions
_MAX_CATEGORIES = 1 << 16


def _polars_categoricals(frame: Any) -> Any:
    """A polars frame with its ``Categorical`` and ``Enum`` columns as Arrow dictionaries over
    their physical codes and the categories those codes index (zero-copy: about 1 ms for 10M
    rows). polars' own export builds a compact dictionary of the codes a column uses, which
    costs 0.07-0.28 s for 10M rows, more than the whole report. The categories may hold values
    no row uses (polars keeps one categories object for the process); the decoder reads only
    the values rows refer to, as for a pandas ``category`` with unused categories. Other
    frames, and categories larger than ``_MAX_CATEGORIES``, are returned as they are."""
    import polars as pl

    def categories(dtype: Any) -> Any:
        if isinstance(dtype, pl.Enum):
            return dtype.categories
        if isinstance(dtype, pl.Categorical):
            cats = getattr(dtype, "categories", None)
            return cats.to_series() if cats is not None and hasattr(cats, "to_series") else None
        return None

    coded = {}
    for name, dtype in frame.schema.items():
        values = categories(dtype)
        if values is not None and len(values) <= _MAX_CATEGORIES:
            coded[name] = values
    if not coded:
        return frame
    rest = frame.drop(list(coded)).to_arrow(compat_level=pl.CompatLevel.newest())
    columns = []
    for name in frame.columns:
        if name in coded:
            codes = frame.get_column(name).to_physical().to_arrow()
            values = coded[name].to_arrow()
            columns.append(pa.chunked_array([pa.DictionaryArray.from_arrays(codes, values)]))
        else:
            columns.append(rest.column(name))
    return pa.Table.from_arrays(columns, names=frame.columns)


def _arrow_input(data: Any, columns: Mapping[str, str] | None) -> Any:
    library = _library(data)
    if library == "pandas" and hasattr(data, "iloc"):
        return _pandas_to_arrow(data, columns)
    if library == "polars" and hasattr(data, "collect") and not hasattr(data, "__arrow_c_stream__"):
        # a LazyFrame: the frame it collects to (what the caller would pass after .collect())
        data = data.collect()
    if library == "polars" and hasattr(data, "schema"):
        import polars as pl

        nulls = [name for name, dtype in data.schema.items() if dtype == pl.Null]
        if nulls:  # an empty export column: no Arrow C type, so give it one
            data = data.with_columns([pl.col(n).cast(pl.String) for n in nulls])
        return _polars_categoricals(data)
    if hasattr(data, "__arrow_c_stream__"):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    raise TypeError(
        "data must be a pyarrow Table, a polars or pandas DataFrame, or any object with __arrow_c_stream__, "
        f"not {type(data).__name__}"
    )


def _decode_metadata(table: pa.Table) -> dict[str, str]:
    meta = table.schema.metadata or {}
    return {k.decode(): v.decode() for k, v in meta.items()}


def _output(result: Any, library: str, data: Any = None, rows: bool = False) -> Any:
    table = pa.table(result)
    # the row positions are "row", or "Dòng" under labels="vi" (the Rust relabel table)
    position = next((name for name in ("row", "Dòng") if name in table.column_names), None)
    if rows and library == "pandas" and data is not None and position is not None:
        # the input's row labels beside the positions (the index of a filtered frame)
        index = data.index
        labels = [str(index[r]) if 0 <= r < len(index) else "" for r in table.column(position).to_pylist()]
        label = "label" if position == "row" else "Nhãn dòng"
        table = table.append_column(label, pa.array(labels, type=pa.string()))
    if library == "pandas":
        frame = table.to_pandas()
        frame.attrs["tthc_metrics"] = _decode_metadata(table)
        return frame
    if library == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def _warn_rejected(rejected: Any, n: int) -> None:
    if n:
        warnings.warn(
            RejectedRowsWarning(f"{n} rows were left out; see .rejected for their reasons", rejected),
            stacklevel=3,
        )


def report_details(data: Any, **options: Unpack[Options]) -> Report:
    """The report with its rejected rows and its provenance (see :class:`Report`): the way to keep
    the options with a polars table, which drops Arrow metadata."""
    library = _library(data)
    table, rejected = _native.report(_arrow_input(data, options.get("columns")), **options)
    provenance = _decode_metadata(pa.table(table))
    return Report(_output(table, library), _output(rejected, library, data, rows=True), provenance)


def report_with_rejected(data: Any, **options: Unpack[Options]) -> tuple[Any, Any]:
    """Like :func:`report`, returning ``(table, rejected)``; ``rejected`` lists the rows left out
    (``row, dossier_id, column, value, reason, message``, and ``label``, the row's index label,
    for pandas input) in the same library as the input."""
    library = _library(data)
    table, rejected = _native.report(_arrow_input(data, options.get("columns")), **options)
    return _output(table, library), _output(rejected, library, data, rows=True)


def report(data: Any, **options: Unpack[Options]) -> Any:
    """The official table, one row per group and period, as a table of the input's library (see
    :class:`Options` for every option).

    ``view="cohort"``: dossiers received on or before ``as_of`` (and on or after ``start``),
    grouped by reception period, classified at ``as_of``. ``view="activity"``: the Biểu II.06a
    columns per period within ``[start, end]`` (``end`` defaults to ``as_of``).

    Counts are ``int64``; ``on_time_rate``, ``late_rate`` and ``online_share`` are floats for
    plotting (NaN without data) with exact ``*_numerator`` / ``*_denominator`` columns beside them.
    Rows left out (``on_error="skip"``, repeats of a ``dossier_id``) come with a
    :class:`RejectedRowsWarning` carrying them (or use :func:`report_with_rejected`); nothing is
    dropped silently. A pandas result keeps the options in ``df.attrs["tthc_metrics"]``.

    >>> import datetime
    >>> import tthc_metrics as tm
    >>> t = tm.report(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16), by=(None, None))
    >>> t.column("received").to_pylist(), t.column("late").to_pylist()
    ([15935], [662])
    """
    library = _library(data)
    table, rejected = _native.report(_arrow_input(data, options.get("columns")), **options)
    out = _output(rejected, library, data, rows=True)
    _warn_rejected(out, len(out))
    return _output(table, library)


def tally(data: Any, **options: Unpack[Options]) -> Tally:
    """One :class:`Tally` of the dossiers received up to ``as_of`` (from ``start``), classified at
    ``as_of``; its rates are exact :class:`fractions.Fraction` values (``None`` without data).
    Tallies of parts of a table add up exactly (``sum(parts)``), pickle, and merge only with
    tallies computed under the same options.

    >>> import datetime
    >>> import tthc_metrics as tm
    >>> t = tm.tally(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16))
    >>> t.on_time_rate
    Fraction(10677, 11339)
    """
    result, rejected = _native.tally(_arrow_input(data, options.get("columns")), **options)
    table = pa.table(rejected)
    _warn_rejected(table, table.num_rows)
    return result


def quality_with_rejected(data: Any, **options: Unpack[Options]) -> tuple[Any, Any]:
    """Like :func:`quality`, returning ``(table, rejected)``; ``rejected`` lists the rows left out
    (``row, dossier_id, column, value, reason, message``) in the same library as the input."""
    library = _library(data)
    table, rejected = _native.quality(_arrow_input(data, options.get("columns")), **options)
    return _output(table, library), _output(rejected, library, data, rows=True)


def quality(data: Any, **options: Unpack[Options]) -> Any:
    """The data-quality report beside the metrics, one row per unit (or ``by`` key, ``None`` for
    one total row), as a table of the input's library.

    Of the dossiers received up to ``as_of`` (from ``start``): ``rejected`` records and one
    ``rejected_<reason>`` column per reason; ``duplicates`` (repeats of a ``dossier_id``);
    ``no_due_date``; ``blank_channel``; ``received_late`` (online dossiers received more than
    ``reception_hours`` working hours after submission: needs ``submitted_at`` and a
    ``calendar``); ``repeated_supplement``; ``returned_too_often``; ``late`` and, when the table
    has ``apology_issued`` / ``apology_issued_at``, ``late_without_apology`` and ``apology_late``;
    ``overdue`` by days past due and ``hanging``. ``records = rejected + duplicates + excluded +
    checked`` in every row.

    >>> import datetime
    >>> import tthc_metrics as tm
    >>> q = tm.quality(tm.krong_no_2023(), as_of=datetime.date(2023, 10, 16), by=None)
    >>> q.column("records").to_pylist() == [len(tm.krong_no_2023())]
    True
    """
    table, _ = quality_with_rejected(data, **options)
    return table


def provenance(table: Any) -> dict[str, str]:
    """The options that produced a table of this library (its Arrow schema metadata, or a pandas
    frame's ``attrs``); polars drops them: use :func:`report_details`."""
    if hasattr(table, "attrs") and "tthc_metrics" in getattr(table, "attrs", {}):
        return dict(table.attrs["tthc_metrics"])
    if isinstance(table, pa.Table):
        return _decode_metadata(table)
    raise TypeError("this table kept no provenance (polars drops Arrow metadata): use tm.report_details")


def _report_table(part: Any) -> pa.Table:
    """A partial report as the Arrow table it was, its provenance included."""
    if isinstance(part, Report):
        table = pa.table(part.table) if not hasattr(part.table, "iloc") else pa.Table.from_pandas(
            part.table, preserve_index=False)
        if _library(part.table) == "polars":
            table = part.table.to_arrow()
        return table.replace_schema_metadata(part.provenance)
    library = _library(part)
    if library == "pandas":
        meta = getattr(part, "attrs", {}).get("tthc_metrics")
        if not meta:
            raise TypeError("this pandas frame kept no provenance (df.attrs['tthc_metrics']): merge the tables "
                            "tm.report returned, or tm.report_details results")
        return pa.Table.from_pandas(part, preserve_index=False).replace_schema_metadata(meta)
    if library == "polars":
        raise TypeError("polars drops the provenance a merge needs: merge tm.report_details results, or pyarrow tables")
    return pa.table(part)


def merge_reports(parts: Any) -> Any:
    """Partial reports of one table (parts of its rows: partitions, files, months of an export)
    merged into the report of the whole, exactly: rows with the same ``key`` and period summed,
    the rates recomputed from the summed counts. Compute the parts with ``key=True`` and the
    same options, including the same ``start`` (see :func:`tally` for tallies, which add with
    ``+``). A part may be a table tm.report returned (pyarrow or pandas) or a :class:`Report`.

    >>> import datetime
    >>> import tthc_metrics as tm
    >>> data = tm.krong_no_2023()
    >>> opts = dict(as_of=datetime.date(2023, 10, 16), start=datetime.date(2023, 1, 1), key=True)
    >>> half = data.num_rows // 2
    >>> parts = [tm.report(data.slice(0, half), **opts), tm.report(data.slice(half), **opts)]
    >>> merged = tm.merge_reports(parts)
    >>> merged.column("received").to_pylist() == tm.report(data, **opts).column("received").to_pylist()
    True
    """
    parts = list(parts)
    if not parts:
        raise TypeError("merge_reports needs at least one part")
    first = parts[0].table if isinstance(parts[0], Report) else parts[0]
    merged = _native.merge_reports([_report_table(p) for p in parts])
    return _output(merged, _library(first))


def percent(rate: Any, dp: int = 1) -> Decimal | None:
    """``rate`` as a percentage with ``dp`` decimals (at most 20), rounded half away from zero
    (official letters use 1 decimal, the national portal 2). ``None`` stays ``None``.

    >>> from fractions import Fraction
    >>> percent(Fraction(18990, 20000))
    Decimal('95.0')
    >>> percent(Fraction(10677, 11339), dp=2)
    Decimal('94.16')
    """
    return _native.percent(rate, dp)


def krong_no_2023() -> pa.Table:
    """The bundled Krông Nô 2023 sample (the seed letter's district), as a pyarrow Table."""
    return pa.table(_native.sample_krong_no_2023())


def synthetic(n: int, *, units: int = 40, seed: int = 1) -> pa.Table:
    """A seeded synthetic table of ``n`` dossiers (a year of 2023, ``units`` communes)."""
    return pa.table(_native.sample_synthetic(n, units=units, seed=seed))


def krong_no_units() -> list[tuple[str, str | None, str]]:
    """The sample's units as ``(unit, parent, kind)`` triples, parents first: the ``unit_tree``
    the forms take (kinds ``province``, ``district``, ``department``, ``commune``, ``branch``,
    ``other``).

    >>> import tthc_metrics as tm
    >>> tm.krong_no_units()[:2]
    [('Tỉnh Đắk Nông', None, 'province'), ('Huyện Krông Nô', 'Tỉnh Đắk Nông', 'district')]
    """
    return list(_native.sample_krong_no_units())


def reporting_period(granularity: str, date: datetime.date | str) -> tuple[datetime.date, datetime.date]:
    """``(start, end)`` of the period of ``granularity`` holding ``date``: the report granularities
    (``"week"``, ``"friday_week"``, ``"month"``, ``"quarter"``, ``"half_year"``, ``"year"``) and the
    reporting cycles: ``"decree09_month"`` (15th of the previous month to the 14th, Decree
    09/2019), ``"decree09_quarter"``, ``"decree09_half_year"``, ``"decree09_year"`` (from 15/12),
    ``"month_from_<day>"`` (e.g. ``"month_from_21"``: the 21st to the 20th). The same names work in
    ``by=(key, granularity)``.

    >>> import datetime as dt
    >>> import tthc_metrics as tm
    >>> tm.reporting_period("decree09_year", dt.date(2023, 12, 20))
    (datetime.date(2023, 12, 15), datetime.date(2024, 12, 14))
    >>> tm.reporting_period("month_from_21", dt.date(2023, 10, 20))
    (datetime.date(2023, 9, 21), datetime.date(2023, 10, 20))
    """
    return _native.reporting_period(granularity, date)


def reporting_deadline(cut_off: datetime.date | str, working_days: int = 2,
                       calendar: Calendar | None = None) -> datetime.date:
    """The day a report on a period ending ``cut_off`` is due: the ``working_days``-th working day
    after it (2 under Decree 09/2019), on ``calendar`` (default :meth:`Calendar.vietnam`).

    >>> import datetime as dt
    >>> import tthc_metrics as tm
    >>> tm.reporting_deadline(dt.date(2023, 10, 14))  # a Saturday: Monday 16, Tuesday 17
    datetime.date(2023, 10, 17)
    """
    return _native.reporting_deadline(cut_off, working_days, calendar)


def period_name(start: datetime.date | str, end: datetime.date | str) -> str | None:
    """The name a report gives ``[start, end]`` ("Tháng 10 năm 2023", "Quý IV năm 2023", "6 tháng
    đầu năm 2024", "Năm 2024"), ``None`` for another window.

    >>> import datetime as dt
    >>> import tthc_metrics as tm
    >>> tm.period_name(dt.date(2023, 9, 15), dt.date(2023, 10, 14))
    'Tháng 10 năm 2023'
    """
    return _native.period_name(start, end)


def methods(data: Any, **options: Unpack[Options]) -> Any:
    """One dataset under every method in use, side by side (an auditor's view of what choosing a
    method does to the headline): the dossiers received up to ``as_of`` (from ``start``),
    classified at ``as_of``, under the four on-time policies, OpenCPS's truncated percentage
    (refused dossiers counted as finished), the inclusive convention (refused, withdrawn, stopped
    counted on time), timestamps instead of dates, and the four online-share policies.

    Columns: ``measure``, ``method``, ``percent`` (as the method shows it), ``numerator``,
    ``denominator`` (exact), ``target``, ``meets``, ``rule``, ``used_by``.

    >>> import datetime as dt
    >>> import tthc_metrics as tm
    >>> m = tm.methods(tm.krong_no_2023(), as_of=dt.date(2023, 10, 16)).to_pylist()
    >>> [(r["method"], r["percent"]) for r in m[:1]]
    [('resolved_only', 94.16)]
    """
    library = _library(data)
    return _output(_native.methods(_arrow_input(data, options.get("columns")), **options), library)


from . import forms, plot  # noqa: E402  (they use the helpers above)
