"""The input-shape matrix (issue 13 item 1): the same dossiers handed over in different shapes.

Every shape is derived from the one dataset (data.make_dataset: sorted receptions, integer status
codes, dictionary units, `timestamp[us]`, one chunk, a pyarrow table), so every engine on every
shape must give exactly the table tm.report gives on the baseline. The matrix varies one factor at
a time against the baseline, then adds the worst combinations users hand over.

Dimensions: order (receptions sorted, or shuffled); status (int8 national codes, dictionary text,
plain text: the national Vietnamese names); unit (dictionary, plain strings); times
(`timestamp[us]`, `timestamp[s]`, `timestamp[us, tz=Asia/Ho_Chi_Minh]`, `timestamp[us, tz=UTC]`
(the same instants), `date32` (the times' dates: the defaults compare dates, so the tables are the
same)); chunks (1, 64 record batches, or batches of 16,384 rows as pyarrow's CSV reader gives);
container (pyarrow table; polars frame, whose dictionary columns become `Categorical` and plain
ones `String`; pandas frame, dictionary columns as
`category`, plain ones as `object` or pandas 3's default `str`). Each shape runs with both views;
a few with the month as well as the ISO week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .common import SEED, STATUS_NAMES, TZ

CONTAINERS = ("pyarrow", "polars", "pandas", "pandas-str", "pandas-csv")


@dataclass(frozen=True)
class Shape:
    name: str
    tests: str
    # pyarrow | polars | pandas (object strings, one object a row) | pandas-str (pandas 3 `str`) |
    # pandas-csv (object strings, one object per distinct text: what pd.read_csv gives)
    container: str = "pyarrow"
    order: str = "sorted"  # sorted | random
    status: str = "codes"  # codes | dict | text
    unit: str = "dict"  # dict | text
    time: str = "us"  # us | s | tz-local | tz-utc | date | text (dd/mm/yyyy HH:MM:SS, as exports write them)
    chunks: int = 1  # record batches of equal size
    chunk_rows: int = 0  # or batches of this many rows (as pyarrow.csv reads: the count grows with the data)
    group: str = "one factor"  # baseline | one factor | worst
    months: bool = False  # also unit x month

    def describe(self) -> dict[str, str]:
        container = {"pyarrow": "pyarrow Table", "polars": "polars DataFrame", "pandas": "pandas DataFrame",
                     "pandas-str": "pandas DataFrame", "pandas-csv": "pandas DataFrame"}[self.container]
        status = {"codes": "int8 codes", "dict": "dictionary text", "text": "plain text"}[self.status]
        unit = {"dict": "dictionary", "text": "plain string"}[self.unit]
        if self.container == "polars":
            status = {"codes": "Int8 codes", "dict": "Categorical text", "text": "String text"}[self.status]
            unit = {"dict": "Categorical", "text": "String"}[self.unit]
        elif self.container.startswith("pandas"):
            plain = {"pandas": "object", "pandas-str": "str", "pandas-csv": "object (shared)"}[self.container]
            status = {"codes": "int8 codes", "dict": "category text", "text": f"{plain} text"}[self.status]
            unit = {"dict": "category", "text": plain}[self.unit]
        time = {"us": "timestamp[us]", "s": "timestamp[s]", "tz-local": f"timestamp[us, tz={TZ}]",
                "tz-utc": "timestamp[us, tz=UTC]", "date": "date32",
                "text": "text dd/mm/yyyy HH:MM:SS"}[self.time]
        return {"container": container, "order": self.order, "status": status, "unit": unit, "times": time,
                "chunks": ("—" if self.container != "pyarrow" else f"{self.chunk_rows:,}-row batches"
                           if self.chunk_rows else str(self.chunks))}


BASE = Shape("baseline", "the generator's own shape (the earlier benchmark's)", group="baseline", months=True)

MATRIX: list[Shape] = [
    BASE,
    replace(BASE, name="random order", tests="receptions unsorted (exports ordered by dossier code or unit)",
            order="random", group="one factor", months=False),
    replace(BASE, name="status dictionary text", tests="status names through a dictionary",
            status="dict", group="one factor", months=False),
    replace(BASE, name="status plain text", tests="a status name per row", status="text", group="one factor",
            months=False),
    replace(BASE, name="unit plain string", tests="a unit name per row", unit="text", group="one factor",
            months=False),
    replace(BASE, name="timestamp[s]", tests="another time unit", time="s", group="one factor", months=False),
    replace(BASE, name="zoned, Asia/Ho_Chi_Minh", tests="zoned instants, the civil zone", time="tz-local",
            group="one factor", months=False),
    replace(BASE, name="zoned, UTC", tests="zoned instants in UTC (Spark's default)", time="tz-utc",
            group="one factor", months=False),
    replace(BASE, name="date32", tests="dates without times", time="date", group="one factor", months=False),
    replace(BASE, name="64 chunks", tests="many record batches", chunks=64, group="one factor", months=False),
    replace(BASE, name="16k-row batches", tests="small record batches, as pyarrow.csv.read_csv gives (1 MB blocks)",
            chunk_rows=16_384, group="one factor", months=False),
    replace(BASE, name="polars, Categorical unit", tests="the polars hand-over (Categorical -> dictionary)",
            container="polars", group="one factor", months=False),
    replace(BASE, name="polars, String unit", tests="the polars hand-over (String -> string_view)",
            container="polars", unit="text", group="one factor", months=False),
    replace(BASE, name="pandas, category unit", tests="the pandas hand-over (category)", container="pandas",
            group="one factor", months=False),
    replace(BASE, name="pandas, object unit", tests="the pandas hand-over (object strings)", container="pandas",
            unit="text", group="one factor", months=False),
    replace(BASE, name="pandas, str unit", tests="pandas 3's default string dtype", container="pandas-str",
            unit="text", group="one factor", months=False),
    # the worst combinations users hand over
    Shape("worst: pyarrow, all plain", "random order, plain text status, plain string unit", order="random",
          status="text", unit="text", group="worst", months=True),
    Shape("worst: polars String", "random order, String status and unit (a polars user's CSV)",
          container="polars", order="random", status="text", unit="text", group="worst", months=True),
    Shape("worst: pandas object", "random order, object status and unit (a pandas user's CSV)",
          container="pandas", order="random", status="text", unit="text", group="worst", months=True),
    Shape("worst: pandas read_csv objects", "random order, object status and unit, one object per distinct text "
          "(as pd.read_csv gives)", container="pandas-csv", order="random", status="text", unit="text", group="worst"),
    Shape("polars Categorical, random", "random order, Categorical status and unit", container="polars",
          order="random", status="dict", unit="dict", group="worst"),
    Shape("pandas category, random", "random order, category status and unit", container="pandas",
          order="random", status="dict", unit="dict", group="worst"),
    Shape("issue 13: random, dictionaries, timestamp[s]", "the issue's 1.34x row, pyarrow", order="random",
          status="dict", unit="dict", time="s", group="worst"),
    Shape("worst: polars String, zoned", "the polars worst case with zoned times", container="polars",
          order="random", status="text", unit="text", time="tz-local", group="worst"),
    Shape("worst: polars, text times", "random order, every column String, times as dd/mm/yyyy HH:MM:SS text "
          "(a CSV read without parsing its dates)", container="polars", order="random", status="text", unit="text",
          time="text", group="worst"),
    Shape("worst: pandas read_csv, text times", "random order, object columns as pd.read_csv gives, times as "
          "dd/mm/yyyy HH:MM:SS text", container="pandas-csv", order="random", status="text", unit="text",
          time="text", group="worst"),
]
SHAPES = {s.name: s for s in MATRIX}

# --quick: each dimension once, and the worst shapes
QUICK = ["baseline", "random order", "status plain text", "unit plain string", "zoned, Asia/Ho_Chi_Minh",
         "date32", "64 chunks", "16k-row batches", "polars, String unit", "pandas, object unit",
         "worst: pyarrow, all plain", "worst: polars String", "worst: pandas object"]


def cells(shapes: list[Shape], months: bool = True) -> list[tuple[str, str, str]]:
    """(shape, view, granularity) of a run: both views at the week, the month where marked."""
    out = []
    for s in shapes:
        for gran in ("week", "month") if (months and s.months) else ("week",):
            for view in ("cohort", "activity"):
                out.append((s.name, view, gran))
    return out


def _status(codes: pa.ChunkedArray, how: str) -> pa.ChunkedArray:
    if how == "codes":
        return codes
    names = pa.array([STATUS_NAMES[c] for c in range(1, 11)], pa.string())
    idx = pc.subtract(codes.cast(pa.int8()), pa.scalar(1, pa.int8()))
    if how == "dict":
        return pa.chunked_array([pa.DictionaryArray.from_arrays(c, names) for c in idx.chunks],
                                pa.dictionary(pa.int8(), pa.string()))
    return pc.take(names, idx)


def _time(col: pa.ChunkedArray, how: str) -> pa.ChunkedArray:
    if how == "us":
        return col
    if how == "s":
        return col.cast(pa.timestamp("s"))  # whole seconds: exact
    if how == "date":
        return col.cast(pa.date32())
    if how == "text":  # whole seconds (exact), written as a Vietnamese export writes them
        return pc.strftime(col.cast(pa.timestamp("s")), format="%d/%m/%Y %H:%M:%S")
    zoned = pc.assume_timezone(col, TZ)  # civil time -> the same instant, labelled Asia/Ho_Chi_Minh
    return zoned if how == "tz-local" else zoned.cast(pa.timestamp("us", tz="UTC"))


def to_arrow_shape(base: pa.Table, shape: Shape) -> pa.Table:
    """`base` (the baseline table) re-encoded as `shape` (still a pyarrow table)."""
    t = base.combine_chunks()
    if shape.order == "random":
        t = t.take(np.random.default_rng(SEED + 99).permutation(t.num_rows))
    cols = {name: t.column(name) for name in t.column_names}
    cols["status"] = _status(cols["status"], shape.status)
    if shape.unit == "text":
        cols["unit"] = cols["unit"].cast(pa.string())
    for name in ("received_at", "due_at", "finished_at"):
        cols[name] = _time(cols[name], shape.time)
    t = pa.table(cols).combine_chunks()
    if shape.chunk_rows:
        t = pa.Table.from_batches(t.to_batches(max_chunksize=shape.chunk_rows))
    elif shape.chunks > 1:
        t = pa.Table.from_batches(t.to_batches(max_chunksize=math.ceil(t.num_rows / shape.chunks)))
    return t


def arrow_to_container(t: pa.Table, container: str) -> Any:
    """A pyarrow table as the container's user holds it."""
    if container == "pyarrow":
        return t
    if container == "polars":
        import polars as pl

        return pl.from_arrow(t)
    if container in ("pandas", "pandas-str", "pandas-csv"):
        df = t.to_pandas()
        for name in t.column_names:
            if pa.types.is_string(t.schema.field(name).type):
                if container == "pandas-csv":  # one object per distinct text, shared by its rows
                    import pandas as pd

                    codes, distinct = pd.factorize(df[name])
                    shared = np.asarray(list(distinct) + [None], dtype=object)[codes]
                    df[name] = pd.Series(shared, index=df.index, dtype=object)  # not inferred as `str`
                else:
                    df[name] = df[name].astype(object if container == "pandas" else "str")
        return df
    raise ValueError(container)


def build(base: pa.Table, shape: Shape) -> Any:
    return arrow_to_container(to_arrow_shape(base, shape), shape.container)
