"""tthc_metrics over a Dask DataFrame: each partition reported where it lives, the partial reports
merged exactly in a tree (``tm.merge_reports``: counts summed by key and period, rates recomputed
from the sums), one window start computed first for all partitions. Tallies are summed the same
way (they pickle). The results equal ``tm.report`` / ``tm.tally`` of the whole table in one
process.

- Repeated dossier ids: with a ``dossier_id`` column (and ``duplicates`` other than
  ``"keep_all"``) the rows are first shuffled by id, so that the repeats of a dossier meet in one
  partition and count once.
- Each task uses one thread (``threads=1``): Dask's workers already use the cores.

Install with ``pip install tthc-metrics[dask]``.

>>> import datetime, dask.dataframe as dd, tthc_metrics.dask as tmd   # doctest: +SKIP
>>> tmd.report(dd.read_parquet("dossiers/"), as_of=datetime.date(2023, 10, 16), by=("unit", "month"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import warnings
from typing import Any

import pyarrow as pa

import tthc_metrics as tm

__all__ = ["report", "report_details", "tally"]


def _columns(ddf: Any, options: dict[str, Any]) -> Any:
    found = tm._native.used_columns([str(c) for c in ddf.columns],
                                    dict(options["columns"]) if options.get("columns") else None)
    used = list(dict.fromkeys(found.values()))
    if not used:
        raise tm.SchemaError("the DataFrame has none of the columns tthc_metrics reads (received_at, status, ...)")
    out = ddf[used]
    # the options and the columns' types checked here, on an empty frame of the same columns
    opts = {k: v for k, v in options.items() if k != "key"}
    tm.report_details(out._meta, **opts)
    id_col = found.get("dossier_id")
    if id_col is not None and options.get("duplicates", "most_advanced") != "keep_all":
        out = out.shuffle(on=id_col)
    return out


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tm.RejectedRowsWarning)
        return fn(*args, **kwargs)


def _earliest(part: Any, opts: dict[str, Any]) -> datetime.date | None:
    if len(part) == 0:
        return None
    table = tm._arrow_input(part, opts.get("columns"))
    return tm._native.earliest_reception(table, threads=1, **opts)


def _partial(part: Any, opts: dict[str, Any]) -> pa.Table:
    details = _quiet(tm.report_details, part, key=True, threads=1, **opts)
    return tm._report_table(details)


def _merge(a: pa.Table, b: pa.Table) -> pa.Table:
    return pa.table(tm._native.merge_reports([a, b]))


def _tree(parts: list[Any], merge: Any) -> Any:
    """Pairwise merges, level by level: a tree of depth log2(parts)."""
    from dask import delayed

    level = list(parts)
    while len(level) > 1:
        level = [delayed(merge)(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]


def report_details(ddf: Any, **options: Any) -> tm.Report:
    """Like :func:`report`, returning a :class:`tthc_metrics.Report` (table, rejected counts in the
    provenance, provenance)."""
    import dask
    from dask import delayed

    if "as_of" not in options:
        raise TypeError("the as_of option is required")
    options.setdefault("by", ("unit", "week"))
    data = _columns(ddf, options)
    parts = data.to_delayed()
    asked_start = options.get("start")
    if asked_start is None:
        opts = {k: v for k, v in options.items() if k not in ("by", "view", "end", "key", "labels", "on_error")}
        opts["on_error"] = "skip"
        days = [d for d in dask.compute(*[delayed(_earliest)(p, opts) for p in parts]) if d is not None]
        options["start"] = min(days) if days else None
    partials = [delayed(_partial)(p, dict(options)) for p in parts]
    merged: pa.Table = dask.compute(_tree(partials, _merge))[0]
    meta = {k.decode(): v.decode() for k, v in (merged.schema.metadata or {}).items()}
    if asked_start is None:
        meta["start"] = ""
    table = merged.replace_schema_metadata(meta).to_pandas()
    table.attrs["tthc_metrics"] = meta
    return tm.Report(table, None, meta)


def report(ddf: Any, **options: Any) -> Any:
    """The report of a Dask DataFrame as a pandas DataFrame (the report is small: groups ×
    periods): the columns of ``tm.report`` with the groups' ``key``, the same rows and counts as
    ``tm.report`` of the whole table in one process; the options in ``df.attrs``."""
    return report_details(ddf, **options).table


def _tally(part: Any, opts: dict[str, Any]) -> tm.Tally:
    if len(part) == 0:
        return tm.Tally()
    return _quiet(tm.tally, part, threads=1, **opts)


def tally(ddf: Any, **options: Any) -> tm.Tally:
    """The :class:`tthc_metrics.Tally` of a Dask DataFrame: a tally per partition, summed exactly
    in a tree (a tally has no periods, so no common window start is needed)."""
    import dask
    from dask import delayed

    if "as_of" not in options:
        raise TypeError("the as_of option is required")
    data = _columns(ddf, options)
    tallies = [delayed(_tally)(p, dict(options)) for p in data.to_delayed()]
    total = dask.compute(_tree(tallies, lambda a, b: a + b))[0]
    return total
