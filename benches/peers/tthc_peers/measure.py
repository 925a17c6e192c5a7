"""Measurement, each part in its own subprocess (`run.py --worker ...`):

- `worker_engine`: one engine and view on the baseline dataset, loaded the way that library's user
  reads the parquet file (not timed); peak RSS of the timed section; 1 warm-up (checked equal to
  tm.report's table first) + N runs, median.
- `worker_cell`: one cell of the shape matrix (shape, view, granularity): the shape is built from
  the parquet file (not timed), then tm.report and the peers on that same input are called in
  turn (round-robin, so that no engine gains from running last): 1 warm-up round, in which every
  result is checked equal to tm.report's table on the baseline (fail loudly), + N timed rounds;
  medians. The hand-over steps alone are timed in the same rounds.
- `worker_breakdown`: tm.report with other options on the baseline (where its time goes).
- `worker_calendar`: add_working_days against numpy and polars.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from . import shapes as shapes_mod
from .check import assert_same, tm_report
from .common import ALL_COUNTS, AS_OF, COUNTS, START
from .engines import ENGINES, runner

HERE = Path(__file__).resolve().parent.parent  # benches/peers
RUN_PY = HERE / "run.py"


# --------------------------------------------------------------------------------------------
# process measurements


def _proc_status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak_kib() -> int:
    """Peak RSS of this process: VmHWM, else ru_maxrss. (ru_maxrss alone is not enough: exec
    carries the spawning parent's high-water mark over into it.)"""
    return _proc_status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    """Reset the peak-RSS mark (Linux >= 4.0, `echo 5 > /proc/self/clear_refs`), so that the peak
    read afterwards is that of what follows, not of loading the data."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """Run `fn` `runs` times; the last result and every duration."""
    result, times = None, []
    for _ in range(runs):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def read_expected(path: str) -> pa.Table:
    import pyarrow.ipc as ipc

    with ipc.open_file(path) as f:
        return f.read_all()


def write_expected(path: str | Path, table: pa.Table) -> None:
    import pyarrow.ipc as ipc

    with ipc.new_file(str(path), table.schema) as f:
        f.write_table(table)


def spawn(args: list[str]) -> dict[str, Any]:
    """`run.py --worker ...` in a fresh interpreter; its last stdout line as JSON."""
    proc = subprocess.run([sys.executable, str(RUN_PY), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker {args} failed (exit {proc.returncode})")
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# the baseline: every engine, one process each, with its memory


def load(path: str | Path, library: str) -> Any:
    """The parquet file as that library's user reads it."""
    if library == "pyarrow":
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if library == "polars":
        import polars as pl

        return pl.read_parquet(path)
    if library == "pandas":
        import pandas as pd

        return pd.read_parquet(path)
    raise ValueError(library)


# engine -> (library it reads, views); the tm.report rows read each library
BASELINE_ENGINES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tm.report (pyarrow)": ("pyarrow", ("cohort", "activity")),
    "tm.report (polars)": ("polars", ("cohort", "activity")),
    "tm.report (pandas)": ("pandas", ("cohort", "activity")),
    **{name: (e.reads, tuple(e.views)) for name, e in ENGINES.items()},
}


def worker_engine(engine: str, view: str, parquet: str, expected: str, runs: int) -> dict[str, Any]:
    library, _ = BASELINE_ENGINES[engine]
    data = load(parquet, library)
    if engine.startswith("tm.report"):
        call = lambda: tm_report(data, view)  # noqa: E731
    else:
        options: dict[str, Any] = {}
        if engine.startswith("duckdb"):
            import duckdb

            options["con"] = duckdb.connect()  # one connection, as a DuckDB user keeps it
        fn = runner(engine, library, view, "week", **options)
        call = lambda: fn(data)  # noqa: E731
    gc.collect()
    loaded_kib = _proc_status_kib("VmRSS")
    load_peak_kib = _peak_kib()
    reset = _reset_peak()
    t0 = time.perf_counter()
    first = call()  # warm-up, and the equality check before any timing
    warmup = time.perf_counter() - t0
    assert_same(f"{engine} / {view}", first, read_expected(expected))
    del first
    _, times = _timed(call, runs)
    peak_kib = _peak_kib() if reset else max(_peak_kib(), load_peak_kib)
    return {
        "engine": engine, "view": view, "times": times, "median": statistics.median(times),
        "min": min(times), "warmup": warmup, "loaded_rss_mb": loaded_kib / 1024, "loadavg_1m": os.getloadavg()[0],
        "peak_rss_mb": peak_kib / 1024, "peak_over_loaded_mb": (peak_kib - loaded_kib) / 1024,
        "peak_reset": reset, "load_peak_rss_mb": load_peak_kib / 1024, "equal": True,
    }


# --------------------------------------------------------------------------------------------
# the shape matrix: tm.report and polars (and pandas) on the same input, in one process


def cell_engines(shape: shapes_mod.Shape, view: str, gran: str, data: Any) -> list[tuple[str, str, Callable[[], Any]]]:
    """(name, role, call) of a cell: role "tm", "same input" (a peer starting from the same
    object as tm.report, its conversion timed with it), "loaded frame" (polars on a frame built
    beforehand: not the same input), "hand-over" (a conversion alone, not checked)."""
    import polars as pl

    import tthc_metrics as tm

    c = shape.container
    out: list[tuple[str, str, Callable[[], Any]]] = [("tm.report", "tm", lambda: tm_report(data, view, gran))]
    polars_fn = runner("polars", "polars", view, gran)
    if c == "pyarrow":
        frame = pl.from_arrow(data)
        out += [("polars (pl.from_arrow + polars)", "same input", lambda: polars_fn(pl.from_arrow(data))),
                ("polars (on a loaded frame)", "loaded frame", lambda: polars_fn(frame)),
                ("pl.from_arrow alone", "hand-over", lambda: pl.from_arrow(data))]
    elif c == "polars":
        out += [("polars", "same input", lambda: polars_fn(data)),
                ("polars frame -> Arrow stream alone (__arrow_c_stream__)", "hand-over",
                 lambda: pa.RecordBatchReader.from_stream(data).read_all())]
    else:
        pandas_fn = runner("pandas", "pandas", view, gran)
        out += [("polars (pl.from_pandas + polars)", "same input", lambda: polars_fn(pl.from_pandas(data))),
                ("pandas", "same input (pandas)", lambda: pandas_fn(data)),
                ("pl.from_pandas alone", "hand-over", lambda: pl.from_pandas(data))]
        to_arrow = getattr(tm, "_pandas_to_arrow", None)  # tm's own pandas -> Arrow step, if it has one
        if to_arrow is not None:
            out.append(("tm's pandas -> Arrow step alone", "hand-over", lambda: to_arrow(data, None)))
    return out


def worker_cell(shape_name: str, view: str, gran: str, parquet: str, expected: str, runs: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    shape = shapes_mod.SHAPES[shape_name]
    t0 = time.perf_counter()
    arrow = shapes_mod.to_arrow_shape(pq.read_table(parquet), shape)
    arrow_mb = arrow.nbytes / 2**20
    data = shapes_mod.arrow_to_container(arrow, shape.container)
    del arrow
    build_s = time.perf_counter() - t0
    engines = cell_engines(shape, view, gran, data)
    want = read_expected(expected)
    gc.collect()
    loaded_kib = _proc_status_kib("VmRSS")
    times: dict[str, list[float]] = {name: [] for name, _, _ in engines}
    first: dict[str, float] = {}
    for round_ in range(1 + runs):
        for name, role, call in engines:
            result = None
            gc.collect()
            t = time.perf_counter()
            result = call()
            elapsed = time.perf_counter() - t
            if round_ == 0:
                first[name] = elapsed
                if role == "tm":  # tm.report on this shape equals tm.report on the baseline, every column
                    assert_same(f"tm.report on {shape_name} / {view} / {gran}", result, want, ALL_COUNTS)
                elif role != "hand-over":
                    assert_same(f"{name} on {shape_name} / {view} / {gran}", result, want, COUNTS)
            else:
                times[name].append(elapsed)
            del result
    return {
        "shape": shape_name, "view": view, "gran": gran, "rows": int(want.num_rows), "build_s": build_s,
        "input_arrow_mb": arrow_mb, "loaded_rss_mb": loaded_kib / 1024, "peak_rss_mb": _peak_kib() / 1024,
        "loadavg_1m": os.getloadavg()[0],
        "engines": [{"name": name, "role": role, "median": statistics.median(times[name]), "min": min(times[name]),
                     "first": first[name], "times": times[name]} for name, role, _ in engines],
    }


# --------------------------------------------------------------------------------------------
# tm.report with other options (where its time goes)


def worker_breakdown(parquet: str, runs: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    import tthc_metrics as tm

    arrow = pq.read_table(parquet).combine_chunks()
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("cohort, by=('unit', 'week') (the matrix baseline)", lambda: tm_report(arrow, "cohort")),
        ("cohort, by=(None, 'week') (no unit key)",
         lambda: tm.report(arrow, as_of=AS_OF, by=(None, "week"), start=START)),
        ("cohort, by=('unit', None) (no period)",
         lambda: tm.report(arrow, as_of=AS_OF, by=("unit", None), start=START)),
        ("cohort, by=(None, None) (one row)", lambda: tm.report(arrow, as_of=AS_OF, by=(None, None), start=START)),
        ("tm.tally (one tally, no table)", lambda: tm.tally(arrow, as_of=AS_OF, start=START)),
        ("activity, by=('unit', 'week')", lambda: tm_report(arrow, "activity")),
        ("activity, by=('unit', 'month')", lambda: tm_report(arrow, "activity", "month")),
    ]
    out = []
    for name, fn in cases:
        _, times = _timed(fn, runs + 1)
        out.append({"case": name, "median": statistics.median(times[1:]), "min": min(times[1:])})
    return {"cases": out}


# --------------------------------------------------------------------------------------------
# the calendar


def _tm_calendar(rest: bool) -> Any:
    """tm.Calendar.vietnam() (make-up Saturdays worked, the default) or with them as rest days."""
    import tthc_metrics as tm

    cal_cls = tm.Calendar
    if not rest:
        return cal_cls.vietnam()
    attempts = [
        lambda: cal_cls.vietnam(saturday_swaps="rest"),
        lambda: cal_cls.vietnam().with_saturday_swaps("rest"),
        lambda: cal_cls.vietnam().saturday_swaps("rest"),
        lambda: cal_cls(saturday_swaps="rest"),
    ]
    errors = []
    for make in attempts:
        try:
            cal = make()
            if isinstance(cal, cal_cls):
                return cal
        except Exception as exc:  # noqa: BLE001 - trying the API's spellings
            errors.append(repr(exc))
    raise RuntimeError("no way found to build tm.Calendar with saturday_swaps='rest': " + "; ".join(errors))


def _days(result: Any) -> np.ndarray:
    """An Arrow-compatible date array (or numpy) as int64 days since 1970-01-01."""
    if isinstance(result, np.ndarray):
        return result.astype("datetime64[D]").view(np.int64)
    arr = pa.array(result) if not isinstance(result, (pa.Array, pa.ChunkedArray)) else result
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]").view(np.int64)


def worker_calendar(runs: int) -> dict[str, Any]:
    """numpy, polars and tm (both make-up Saturday policies) on the same 1M pairs, called in
    turn (round-robin, so that no engine gains from running last), 3 warm-up rounds."""
    import polars as pl

    sys.path.insert(0, str(HERE))
    import calendar_numpy

    dates, n = calendar_numpy.pairs()
    off = calendar_numpy.weekday_days_off()
    busdaycal = calendar_numpy.busdaycalendar()
    frame = pl.DataFrame({"d": dates, "n": n})
    out: dict[str, Any] = {"pairs": len(dates), "engines": {}, "notes": []}
    engines: dict[str, Callable[[], Any]] = {
        "numpy busday_offset": lambda: np.busday_offset(dates, n, roll="forward", busdaycal=busdaycal),
        "polars add_business_days": lambda: frame.select(
            pl.col("d").dt.add_business_days(pl.col("n"), holidays=off, roll="forward"))["d"].to_numpy(),
    }
    try:
        import tthc_metrics as tm

        tm.Calendar  # noqa: B018
    except AttributeError:
        out["notes"].append("tm.Calendar is not in this build of tthc_metrics: calendar section skipped for tm")
        print("calendar: tm.Calendar is missing from this build of tthc_metrics; skipping tm's calendar timings",
              file=sys.stderr)
    else:
        d_arrow, n_arrow = pa.array(dates, pa.date32()), pa.array(n, pa.uint32())
        for name, rest in (("tm add_working_days (make-up Saturdays rest)", True),
                           ("tm add_working_days (default: make-up Saturdays worked)", False)):
            try:
                cal = _tm_calendar(rest)
                cal.add_working_days(d_arrow[:10], n_arrow[:10])
            except Exception as exc:  # noqa: BLE001 - report the API problem, keep the rest of the run
                out["notes"].append(f"{name}: {exc!r}")
                print(f"calendar: {name} failed: {exc!r}", file=sys.stderr)
                continue
            engines[name] = lambda cal=cal: cal.add_working_days(d_arrow, n_arrow)

    warmups = 3  # a few milliseconds a call: the first calls of a process run slower (allocator, caches)
    times: dict[str, list[float]] = {name: [] for name in engines}
    results: dict[str, Any] = {}
    for _ in range(warmups + runs):
        for name, fn in engines.items():
            results[name] = None
            gc.collect()
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    numpy_days = _days(results["numpy busday_offset"])
    for name in engines:
        days = _days(results[name])
        kept = times[name][warmups:]
        out["engines"][name] = {"median": statistics.median(kept), "min": min(kept), "times": kept,
                                "checksum": int(days.sum()), "mismatches_vs_numpy": int((days != numpy_days).sum())}
    return out
