"""tm.report as the benchmark calls it, and the equality check every engine passes before it is
timed: canonical tables (unit string, period dates, int64 counts, sorted) compared exactly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .common import AS_OF, COUNTS, KEY, START


def tm_report(data: Any, view: str, gran: str = "week", start: dt.date = START, as_of: dt.date = AS_OF) -> Any:
    """tm.report grouped by unit x `gran`, in the input's library."""
    import tthc_metrics as tm

    by: Any = ("unit", gran)
    if view == "cohort":
        return tm.report(data, as_of=as_of, by=by, start=start)
    return tm.report(data, as_of=as_of, by=by, view="activity", start=start, end=as_of)


def to_arrow(table: Any) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    module = type(table).__module__
    if module.startswith("polars"):
        return table.to_arrow()
    if module.startswith("pandas"):
        return pa.Table.from_pandas(table, preserve_index=False)
    return pa.table(table)


def canonical(table: Any, columns: list[str] = COUNTS) -> pa.Table:
    """A result of any engine as one pyarrow table: unit string, period dates, int64 `columns`,
    sorted by unit then period; roll-up rows (if the library adds any) left out."""
    t = to_arrow(table)
    if "rollup" in t.column_names:
        t = t.filter(pc.invert(t.column("rollup")))
    cols = {"unit": t.column("unit").cast(pa.string())}
    for c in ("period_start", "period_end"):
        col = t.column(c)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.timestamp("us")).cast(pa.date32())
        cols[c] = col.cast(pa.date32())
    for c in columns:
        cols[c] = t.column(c).cast(pa.int64())
    out = pa.table(cols)
    return out.sort_by([("unit", "ascending"), ("period_start", "ascending")]).combine_chunks()


def assert_same(name: str, got: Any, expected: Any, columns: list[str] = COUNTS) -> None:
    """Fail loudly, showing the first differing rows, unless the canonical tables are equal."""
    a, b = canonical(got, columns), canonical(expected, columns)
    if a.equals(b):
        return
    pa_, pb = a.to_pandas(), b.to_pandas()
    msg = [f"{name}: table differs from tm.report ({len(pa_)} rows vs {len(pb)})"]
    m = pa_.merge(pb, on=KEY, how="outer", suffixes=("_peer", "_tm"), indicator=True)
    only = m[m["_merge"] != "both"]
    if len(only):
        msg.append(f"rows in one table only:\n{only[KEY + ['_merge']].head(10).to_string()}")
    both = m[m["_merge"] == "both"]
    for c in columns:
        bad = both[both[c + "_peer"] != both[c + "_tm"]]
        if len(bad):
            msg.append(f"column {c}: {len(bad)} rows differ, e.g.\n"
                       f"{bad[KEY + [c + '_peer', c + '_tm']].head(5).to_string()}")
    raise AssertionError("\n".join(msg))
