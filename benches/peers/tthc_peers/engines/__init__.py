"""The peer engines: the same tables as tm.report, one module per library.

Every engine function is `f(data, gran="week", start, end_or_as_of, columns=COUNTS)` on the
container its library reads (polars: a polars frame; DuckDB and numpy: a pyarrow table; pandas: a
pandas frame). `ENGINES` names them with the views they compute; `runner` gives a callable on data
of another container, the conversion included (timed with it: polars on a pyarrow table is
`pl.from_arrow` and then polars).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..common import COUNTS, VIEWS
from . import duckdb as duckdb_engine
from . import numpy as numpy_engine
from . import pandas as pandas_engine
from . import polars as polars_engine


@dataclass(frozen=True)
class Engine:
    name: str
    reads: str  # pyarrow | polars | pandas
    views: dict[str, Callable[..., Any]]
    note: str = ""


ENGINES: dict[str, Engine] = {
    "polars": Engine("polars", "polars", polars_engine.VIEWS),
    "duckdb": Engine("duckdb", "pyarrow", duckdb_engine.VIEWS),
    "pandas": Engine("pandas", "pandas", pandas_engine.VIEWS),
    "numpy": Engine("numpy", "pyarrow", numpy_engine.VIEWS),
    # the straightforward activity of each engine (one row per dossier and period alive)
    "polars (per dossier)": Engine("polars (per dossier)", "polars",
                                   {"activity": polars_engine.activity_per_dossier}),
    "duckdb (per dossier)": Engine("duckdb (per dossier)", "pyarrow",
                                   {"activity": duckdb_engine.activity_per_dossier}),
    "pandas (per dossier)": Engine("pandas (per dossier)", "pandas",
                                   {"activity": pandas_engine.activity_per_dossier}),
}


def convert(data: Any, container: str, reads: str) -> Any:
    """`data` (held in `container`) as the library `reads` takes it."""
    base = "pandas" if container.startswith("pandas") else container
    if base == reads:
        return data
    if reads == "polars":
        import polars as pl

        return pl.from_arrow(data) if base == "pyarrow" else pl.from_pandas(data)
    if reads == "pyarrow":
        return data.to_arrow() if base == "polars" else __import__("pyarrow").Table.from_pandas(data)
    if reads == "pandas":
        return data.to_pandas()
    raise ValueError(reads)


def runner(engine: str, container: str, view: str, gran: str, columns: list[str] = COUNTS,
           **options: Any) -> Callable[[Any], Any]:
    """A callable computing `engine`'s table from data held in `container` (the conversion to
    the engine's library included)."""
    e = ENGINES[engine]
    fn = e.views[view]

    def run(data: Any) -> Any:
        return fn(convert(data, container, e.reads), gran, columns=columns, **options)

    return run


def applicable(container: str, view: str, per_dossier: bool = True) -> list[str]:
    """The engines that can run on data held in `container` (without going through another
    library than their own, or polars' `pl.from_arrow` / `pl.from_pandas`)."""
    base = "pandas" if container.startswith("pandas") else container
    out = []
    for name, e in ENGINES.items():
        if view not in e.views or (not per_dossier and "per dossier" in name):
            continue
        if e.reads == base or e.reads == "polars":
            out.append(name)
    return out


__all__ = ["ENGINES", "Engine", "VIEWS", "applicable", "convert", "runner",
           "duckdb_engine", "numpy_engine", "pandas_engine", "polars_engine"]
