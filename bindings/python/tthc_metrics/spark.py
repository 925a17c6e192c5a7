"""tthc_metrics inside Spark: reports and tallies of a Spark DataFrame, computed where the data is.

Each partition is reported by ``tm.report`` on the executor (``DataFrame.mapInArrow``, one thread a
task), the partial counts are summed by Spark by key and period, and the rates are recomputed by
the library from the summed counts, never added. The result equals ``tm.report`` of the whole table
collected into one process, exactly (the tests compare them row by row).

- **One window**: the window's start is computed once for all partitions (the earliest reception
  of the rows kept, the same rule as in one process), unless ``start`` is given.
- **Repeated dossier ids**: with a ``dossier_id`` column (and ``duplicates`` other than
  ``"keep_all"``) the rows are first shuffled by id, so that the repeats of a dossier meet in one
  partition and count once.
- **Timestamps**: Spark hands ``TIMESTAMP`` columns as instants (``timestamp[us, tz=<session
  zone>]``) and ``TIMESTAMP_NTZ`` as civil time. An instant is read in Việt Nam's time (UTC+7), as
  everywhere in the library; civil time is taken as Việt Nam's. Text dates are read by the library
  (every format of the exports), whatever the session zone. If local wall-clock times were parsed
  into ``TIMESTAMP`` in a session whose zone is not Asia/Ho_Chi_Minh (the default zone is often
  UTC, which shifts every time by 7 hours), pass ``timestamps="wall_clock"``: the session-zone wall
  clock of each value is then taken as Việt Nam's civil time.
- **Workers** run ``python3`` from their PATH unless ``PYSPARK_PYTHON`` is set: it must be a
  Python with ``tthc_metrics`` installed (a clear error says so otherwise).

Install with ``pip install tthc-metrics[spark]``.

>>> import datetime, tthc_metrics.spark as tms   # doctest: +SKIP
>>> tms.report(spark.read.parquet("dossiers/"), as_of=datetime.date(2023, 10, 16), by=("unit", "month"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Iterator

import pyarrow as pa

import tthc_metrics as tm

__all__ = ["report", "report_details", "tally"]

#: the count columns of a report table, in order (int64 in Spark: Spark refuses unsigned types)
COUNTS = [
    "received", "received_online", "received_direct", "received_post", "carried_over", "finished",
    "early", "on_time", "late", "unfinished", "within_due", "overdue", "awaiting_supplement",
    "awaiting_payment", "backlog", "refused", "withdrawn", "stopped", "refused_withdrawn", "handled",
    "eligible", "eligible_online", "full_process_online", "synced",
]
_META = ["_inputs", "_rejected", "_duplicates"]


def _fail(message: str, code: str) -> tm.TthcError:
    err = tm.TthcError(message)
    err.code = code  # type: ignore[attr-defined]
    return err


def _run(action: Any) -> Any:
    """Runs a Spark action, turning a worker's failure into the library's error."""
    try:
        return action()
    except Exception as e:  # py4j / pyspark errors carry the worker's traceback as text
        text = str(e)
        if "No module named 'tthc_metrics'" in text:
            raise _fail(
                "Spark's Python workers cannot import tthc_metrics: set PYSPARK_PYTHON to a Python "
                "with tthc_metrics installed before starting the session (workers use python3 from "
                "their PATH otherwise)",
                "spark_worker",
            ) from e
        for cls in ("RejectedRecordError", "SchemaError", "UnknownNameError", "OutOfRangeError", "MergeError",
                    "NoDataError", "TthcError"):
            marker = f"tthc_metrics.{cls}: "
            if marker in text:
                message = text.split(marker, 1)[1].split("\n", 1)[0]
                err = getattr(tm, cls)(f"in a Spark task: {message}")
                err.code = "spark_task"
                raise err from e
        raise


def _prepared_input(df: Any, options: dict[str, Any], timestamps: str) -> Any:
    """The columns the library reads (found as tm.report finds them), timestamps as asked,
    repeats of a dossier id shuffled into one partition."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    if timestamps not in ("instant", "wall_clock"):
        raise _fail(f'timestamps must be "instant" or "wall_clock", not {timestamps!r}', "invalid_argument")
    found = tm._native.used_columns(list(df.columns), dict(options["columns"]) if options.get("columns") else None)
    used = list(dict.fromkeys(found.values()))
    if not used:
        raise tm.SchemaError("the DataFrame has none of the columns tthc_metrics reads (received_at, status, ...)")
    cols = []
    for name in used:
        c = F.col(f"`{name}`")
        if timestamps == "wall_clock" and isinstance(df.schema[name].dataType, TimestampType):
            c = c.cast("timestamp_ntz")
        cols.append(c.alias(name))
    out = df.select(*cols)
    _preflight(out, options)
    id_col = found.get("dossier_id")
    if id_col is not None and options.get("duplicates", "most_advanced") != "keep_all":
        out = out.repartition(max(out.rdd.getNumPartitions(), 1), F.trim(F.col(f"`{id_col}`")))
    return out


def _preflight(df: Any, options: dict[str, Any]) -> None:
    """The options and the columns' types checked in the driver, on an empty table of the same
    schema: the same typed error as in one process, before any job runs."""
    from pyspark.sql.pandas.types import to_arrow_schema

    zone = df.sparkSession.conf.get("spark.sql.session.timeZone") or "UTC"
    try:
        schema = to_arrow_schema(df.schema, timezone=zone)
    except Exception as e:  # a Spark type Arrow cannot carry
        raise tm.SchemaError(f"a column's Spark type cannot be handed over as Arrow: {e}") from e
    opts = {k: v for k, v in options.items() if k != "key"}
    tm.report_details(pa.Table.from_batches([], schema=schema), **opts)


def _table(batches: Iterator[pa.RecordBatch]) -> pa.Table | None:
    whole = list(batches)
    if not whole:
        return None
    return pa.Table.from_batches(whole)


def _start(df: Any, options: dict[str, Any]) -> datetime.date | None:
    """The window's start, once for all partitions: the earliest reception of the rows kept."""
    opts = {k: v for k, v in options.items() if k not in ("by", "view", "end", "key", "labels", "on_error")}
    opts["on_error"] = "skip"

    def earliest(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        t = _table(batches)
        d = tm._native.earliest_reception(t, threads=1, **opts) if t is not None else None
        yield pa.record_batch({"d": pa.array([d], pa.date32())})

    rows = _run(lambda: df.mapInArrow(earliest, "d date").collect())
    days = [r["d"] for r in rows if r["d"] is not None]
    return min(days) if days else None


def _partials(df: Any, options: dict[str, Any]) -> Any:
    """Each partition's report as rows of counts (with one row of its input, rejected and repeated
    counts), as a Spark DataFrame."""
    from pyspark.sql.types import BooleanType, DateType, LongType, StringType, StructField, StructType

    schema = StructType(
        [StructField("_meta", BooleanType(), False), StructField("key", StringType(), True),
         StructField("label", StringType(), True), StructField("period_start", DateType(), True),
         StructField("period_end", DateType(), True), StructField("rollup", BooleanType(), False)]
        + [StructField(c, LongType(), False) for c in COUNTS + _META]
    )
    by = options.get("by", ("unit", "week"))
    label = by[0] if isinstance(by, (tuple, list)) else by
    opts = dict(options, key=True, threads=1)

    def partial(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        t = _table(batches)
        if t is None:
            return
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = tm.report_details(t, **opts)
        out = result.table
        n = out.num_rows
        cols: dict[str, Any] = {
            "_meta": pa.array([False] * n),
            "key": out.column("key") if label else pa.nulls(n, pa.string()),
            "label": out.column(label) if label else pa.nulls(n, pa.string()),
            "period_start": out.column("period_start"),
            "period_end": out.column("period_end"),
            "rollup": out.column("rollup"),
        }
        for c in COUNTS:
            cols[c] = out.column(c)
        for c in _META:
            cols[c] = pa.array([0] * n, pa.int64())
        yield from pa.table(cols).combine_chunks().to_batches()
        p = result.provenance
        meta = {k: pa.array([0], pa.int64()) for k in COUNTS}
        meta.update({
            "_meta": pa.array([True]), "key": pa.array([None], pa.string()),
            "label": pa.array([json.dumps(p)], pa.string()),
            "period_start": pa.array([None], pa.date32()), "period_end": pa.array([None], pa.date32()),
            "rollup": pa.array([False]),
            "_inputs": pa.array([int(p.get("inputs", 0))], pa.int64()),
            "_rejected": pa.array([int(p.get("rejected", 0))], pa.int64()),
            "_duplicates": pa.array([int(p.get("duplicate_rows", 0))], pa.int64()),
        })
        yield pa.record_batch({k: meta[k] for k in cols})

    return df.mapInArrow(partial, schema)


def report_details(
    df: Any,
    *,
    timestamps: str = "instant",
    **options: Any,
) -> tuple[Any, dict[str, str]]:
    """Like :func:`report`, returning ``(spark_dataframe, provenance)``: the provenance (every
    option, and the ``inputs``, ``rejected`` and ``duplicate_rows`` counts of the whole table)
    that a Spark DataFrame cannot carry."""
    from pyspark.sql import functions as F

    if "as_of" not in options:
        raise TypeError("the as_of option is required")
    options.setdefault("by", ("unit", "week"))
    data = _prepared_input(df, options, timestamps)
    asked_start = options.get("start")
    if asked_start is None:
        options["start"] = _start(data, options)
    partials = _partials(data, options)
    groups = ["_meta", "key", "period_start", "period_end", "rollup"]
    summed = partials.groupBy(*groups).agg(
        # the label of the partition with the most dossiers in the row (a deterministic choice)
        F.max(F.struct(F.col("handled"), F.col("label"))).getField("label").alias("label"),
        *[F.sum(c).alias(c) for c in COUNTS + _META],
    )
    # the summed rows are few (groups x periods): a few tasks recompute their rates
    summed = summed.coalesce(max(1, min(data.rdd.getNumPartitions(), 8))).cache()
    meta_rows = _run(lambda: summed.filter(F.col("_meta")).select("label", *_META).collect())
    if meta_rows:
        provenance = json.loads(meta_rows[0]["label"])
    else:
        # no partition with rows: the options' provenance from an empty table of the same columns
        from pyspark.sql.pandas.types import to_arrow_schema

        zone = data.sparkSession.conf.get("spark.sql.session.timeZone") or "UTC"
        empty = pa.Table.from_batches([], schema=to_arrow_schema(data.schema, timezone=zone))
        provenance = dict(tm.report_details(empty, **dict(options, key=True)).provenance)
    provenance["inputs"] = str(sum(r["_inputs"] for r in meta_rows))
    provenance["rejected"] = str(sum(r["_rejected"] for r in meta_rows))
    provenance["duplicate_rows"] = str(sum(r["_duplicates"] for r in meta_rows))
    if asked_start is None:
        # the window started at the earliest reception, as in one process: say so as it would
        provenance["start"] = ""
    by = options["by"]
    label = by[0] if isinstance(by, (tuple, list)) else by
    final = _rates(summed.filter(~F.col("_meta")).drop(*_META, "_meta"), provenance, label)
    return final, provenance


def _rates(summed: Any, provenance: dict[str, str], label: str | None) -> Any:
    """The report's rates from the summed counts, by the library (never by adding rates)."""
    from pyspark.sql.types import BooleanType, DateType, DoubleType, LongType, StringType, StructField, StructType

    fields = ([StructField(label, StringType(), True), StructField("key", StringType(), True)] if label else [])
    fields += [StructField("period_start", DateType(), True), StructField("period_end", DateType(), True)]
    fields += [StructField(c, LongType(), False) for c in COUNTS]
    fields += [StructField(c, DoubleType(), False) for c in ("on_time_rate", "late_rate", "online_share")]
    fields += [StructField(c, LongType(), False)
               for c in ("on_time_numerator", "on_time_denominator", "online_numerator", "online_denominator")]
    fields += [StructField("rollup", BooleanType(), False)]
    schema = StructType(fields)
    meta = {k.encode(): str(v).encode() for k, v in provenance.items()}

    def rates(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        t = _table(batches)
        if t is None or t.num_rows == 0:
            return
        cols = {}
        if label:
            cols[label] = t.column("label")
            cols["key"] = t.column("key")
        for c in ("period_start", "period_end"):
            cols[c] = t.column(c)
        for c in COUNTS:
            cols[c] = t.column(c)
        cols["rollup"] = t.column("rollup")
        part = pa.table(cols).replace_schema_metadata(meta)
        merged = tm._native.merge_reports([part])
        merged = pa.table(merged)
        yield from merged.select([f.name for f in schema.fields]).to_batches()

    return summed.mapInArrow(rates, schema)


def report(df: Any, *, timestamps: str = "instant", **options: Any) -> Any:
    """The report of a Spark DataFrame as a Spark DataFrame: the columns of ``tm.report`` (with
    the groups' ``key``), the same rows and counts as ``tm.report`` of the whole table in one
    process. Options are ``tm.report``'s (``as_of``, ``by``, ``view``, ``start``, ``end``,
    ``rate_policy``, ``columns``, ...); ``timestamps`` says how ``TIMESTAMP`` columns are read (see
    the module docs)."""
    return report_details(df, timestamps=timestamps, **options)[0]


def tally(df: Any, *, timestamps: str = "instant", **options: Any) -> tm.Tally:
    """The :class:`tthc_metrics.Tally` of a Spark DataFrame: each partition's tally computed on
    its executor, shipped as bytes and summed exactly."""
    if "as_of" not in options:
        raise TypeError("the as_of option is required")
    data = _prepared_input(df, options, timestamps)
    # a tally has no periods: each partition counts its own receptions from ``start`` (or all of
    # them), and the sum is the tally of the whole
    opts = dict(options, threads=1)

    def part(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        t = _table(batches)
        if t is None:
            return
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            blob = tm.tally(t, **opts).to_bytes()
        yield pa.record_batch({"tally": pa.array([blob], pa.binary())})

    rows = _run(lambda: data.mapInArrow(part, "tally binary").collect())
    return sum((tm.Tally.from_bytes(bytes(r["tally"])) for r in rows), tm.Tally())
