"""The peer benchmark of tthc-metrics (`make bench-peers`, `benches/peers/run.py`).

Modules: `common` (the window, status codes and names, outcome codes, count columns, periods),
`data` (the seeded dataset), `shapes` (the input-shape matrix), `engines` (polars, DuckDB, pandas,
numpy), `check` (tm.report as called here, canonical tables, the equality check), `verify`
(correctness on small data), `measure` (subprocess workers), `render` (RESULTS.md), `cli`.

The names the earlier single-file run.py exported stay importable from here (`PEERS`,
`PER_DOSSIER`, `as_library`, `weeks`, ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from .check import assert_same, canonical, tm_report
from .common import (ALL_COUNTS, AS_OF, COUNTS, GRANULARITIES, KEY, SEED, SPEC, START, STATUS_CODE_OF, STATUS_NAMES,
                     VIEWS, periods)
from .data import STATUS_MIX, UNITS, make_dataset
from .engines import ENGINES, applicable, convert, runner
from .shapes import MATRIX, QUICK, SHAPES, Shape, build
from .verify import verify_shape


def weeks(start: dt.date = START, end: dt.date = AS_OF) -> list[tuple[dt.date, dt.date]]:
    """The ISO weeks [S, E] meeting [start, end], clipped to it."""
    return periods("week", start, end)


def as_library(table: Any, library: str) -> Any:
    """A pyarrow table in another library (for tests)."""
    return convert(table, "pyarrow", library)


# engine -> view -> function(data in the engine's library, gran="week", ...)
PEERS: dict[str, dict[str, Callable[..., Any]]] = {
    name: ENGINES[name].views for name in ("polars", "duckdb", "pandas", "numpy")
}
PER_DOSSIER: dict[str, Callable[..., Any]] = {
    name: ENGINES[f"{name} (per dossier)"].views["activity"] for name in ("polars", "duckdb", "pandas")
}

__all__ = ["ALL_COUNTS", "AS_OF", "COUNTS", "ENGINES", "GRANULARITIES", "KEY", "MATRIX", "PEERS", "PER_DOSSIER",
           "QUICK", "SEED", "SHAPES", "SPEC", "START", "STATUS_CODE_OF", "STATUS_MIX", "STATUS_NAMES", "Shape", "UNITS",
           "VIEWS", "applicable", "as_library", "assert_same", "build", "canonical", "convert", "make_dataset",
           "periods", "runner", "tm_report", "verify_shape", "weeks"]
