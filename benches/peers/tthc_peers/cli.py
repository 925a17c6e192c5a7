"""`make bench-peers` (`python benches/peers/run.py`): tm.report and the working-day calendar
against polars, DuckDB, pandas and numpy, on one seeded dataset handed over in many shapes.

One run:
1. preflight on small data (verify.py): every engine on a dozen shapes equals tm.report's table
   (all count columns, both views, week and month), tm.report gives the same table on every
   shape, and equals the independent pandas oracle (bindings/python/tests/reference.py);
2. generates the dataset (`--rows`, default 10M dossiers, 40 communes, 2023) once, writes it to a
   temporary parquet file and computes tm.report's tables from it (the expected tables);
3. the baseline (the generator's shape): each engine and view in its own subprocess, loaded the way
   that library's user reads the parquet (not timed), checked equal, 1 warm-up + N runs, median,
   peak RSS;
4. the shape matrix (shapes.py): one subprocess per (shape, view, granularity); tm.report and polars
   (and pandas, for pandas frames) on the same input, called in turn, checked equal, medians; the
   ratio polars / tm.report per cell; the worst ratio is the headline;
5. tm.report with other options (where its time goes), and add_working_days on 1M pairs against
   numpy `busday_offset` and polars `add_business_days`;
6. prints the tables and writes RESULTS.md and results.json beside run.py (full runs only, or
   `--out DIR`).

Usage: python benches/peers/run.py [--rows N] [--quick] [--runs 5] [--shapes a,b] [--engines a,b]
       [--no-baseline] [--no-matrix] [--no-months] [--no-calendar] [--no-breakdown] [--out DIR]
       [--note "conditions of this run"]
       python benches/peers/run.py --render benches/peers/results.json [--note ...]  (rewrite RESULTS.md)
       python benches/peers/run.py --list  (the matrix: shapes and what each tests)
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from . import measure, render, shapes
from .check import canonical, tm_report
from .common import ALL_COUNTS, GRANULARITIES, VIEWS
from .data import make_dataset
from .verify import preflight

HERE = measure.HERE


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _worker(args: argparse.Namespace) -> None:
    w = args.worker
    if w[0] == "calendar":
        out = measure.worker_calendar(args.runs)
    elif w[0] == "breakdown":
        out = measure.worker_breakdown(w[1], args.runs)
    elif w[0] == "cell":
        out = measure.worker_cell(w[1], w[2], w[3], w[4], w[5], args.runs)
    else:
        engine, view, parquet, expected = w
        out = measure.worker_engine(engine, view, parquet, expected, args.runs)
    print(json.dumps(out))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=None, help="dossiers (default 10M; --quick: 100k)")
    ap.add_argument("--quick", action="store_true",
                    help="100k rows, the reduced matrix (shapes.QUICK), 3 runs, results not written unless --out")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per measurement (default 5; --quick: 3)")
    ap.add_argument("--out", type=Path, default=None, help="folder for RESULTS.md and results.json")
    ap.add_argument("--engines", default=None, help="comma-separated subset of the baseline engines")
    ap.add_argument("--shapes", default=None, help="subset of the matrix's shapes (names), separated by ',' or, for names with commas, by ';'")
    ap.add_argument("--no-baseline", action="store_true", help="skip the per-engine baseline section")
    ap.add_argument("--no-matrix", action="store_true", help="skip the shape matrix")
    ap.add_argument("--no-months", action="store_true", help="matrix: the ISO week only")
    ap.add_argument("--no-calendar", action="store_true")
    ap.add_argument("--no-breakdown", action="store_true", help="skip tm.report with other options")
    ap.add_argument("--no-preflight", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--note", help="a line about the conditions of this run, written into RESULTS.md")
    ap.add_argument("--render", type=Path, metavar="RESULTS_JSON",
                    help="only rewrite RESULTS.md (beside the JSON) from a results.json, with --note if given")
    ap.add_argument("--list", action="store_true", help="print the matrix (shapes, what each tests) and exit")
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker is not None:
        args.runs = args.runs or 5
        _worker(args)
        return
    if args.list:
        print(render.shapes_table(shapes.MATRIX, quick=set(shapes.QUICK)))
        return
    if args.render:
        res = json.loads(args.render.read_text())
        if args.note:
            res["note"] = args.note
            args.render.write_text(json.dumps(res, indent=1) + "\n")
        (args.render.parent / "RESULTS.md").write_text(render.render(res))
        print(render.render_summary(res))
        return

    rows = args.rows or (100_000 if args.quick else 10_000_000)
    runs = args.runs or (3 if args.quick else 5)
    baseline_engines = list(measure.BASELINE_ENGINES)
    if args.engines:
        baseline_engines = [e.strip() for e in args.engines.split(",")]
        unknown = set(baseline_engines) - set(measure.BASELINE_ENGINES)
        if unknown:
            raise SystemExit(f"unknown engines {sorted(unknown)}; known: {list(measure.BASELINE_ENGINES)}")
    shape_names = [s.name for s in shapes.MATRIX] if not args.quick else list(shapes.QUICK)
    if args.shapes:
        # names hold commas ("polars, String unit"): separate them with ";" then
        sep = ";" if ";" in args.shapes else ","
        shape_names = [s.strip() for s in args.shapes.split(sep)]
        unknown = set(shape_names) - set(shapes.SHAPES)
        if unknown:
            raise SystemExit(f"unknown shapes {sorted(unknown)}; see --list")
    cells = shapes.cells([shapes.SHAPES[n] for n in shape_names], months=not args.no_months)
    complete = (not args.quick and args.engines is None and args.shapes is None and not args.no_months
                and not (args.no_baseline or args.no_matrix or args.no_calendar or args.no_breakdown))

    t_start = time.perf_counter()
    machine_start = render.machine()
    loadavg_start = os.getloadavg()[0]
    if loadavg_start > 0.5:
        _log(f"warning: load average {loadavg_start:.2f}: other work on this machine will inflate the timings")
    if not args.no_preflight:
        preflight(20_000 if args.quick else 50_000, log=_log)
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="tthc-peers-") as tmp:
        _log(f"generating {rows:,} dossiers")
        table = make_dataset(rows)
        path = Path(tmp) / "dossiers.parquet"
        pq.write_table(table, path)
        del table
        arrow = pq.read_table(path)
        arrow_mb = arrow.nbytes / 2**20
        parquet_mb = path.stat().st_size / 2**20
        _log(f"wrote {path.name}: {parquet_mb:.0f} MB parquet, {arrow_mb:.0f} MB in Arrow, {arrow.num_rows:,} rows")
        expected = {}
        for view in VIEWS:
            for gran in GRANULARITIES:
                t = canonical(tm_report(arrow, view, gran), ALL_COUNTS)
                expected[view, gran] = str(Path(tmp) / f"expected_{view}_{gran}.arrow")
                measure.write_expected(expected[view, gran], t)
                _log(f"tm.report {view} by unit x {gran}: {t.num_rows:,} rows (the expected table)")
        del arrow, t
        gc.collect()

        baseline = []
        if not args.no_baseline:
            for view in VIEWS:
                for engine in (e for e in baseline_engines if view in measure.BASELINE_ENGINES[e][1]):
                    r = measure.spawn(["--runs", str(runs), "--worker", engine, view, str(path),
                                       expected[view, "week"]])
                    _log(f"baseline {view}: {engine}: equal to tm.report; median {r['median']:.3f} s "
                         f"(warm-up {r['warmup']:.2f} s), peak RSS {r['peak_rss_mb']:.0f} MB "
                         f"(+{r['peak_over_loaded_mb']:.0f} MB over the loaded data)")
                    baseline.append(r)
        matrix = []
        if not args.no_matrix:
            for i, (shape, view, gran) in enumerate(cells, 1):
                r = measure.spawn(["--runs", str(runs), "--worker", "cell", shape, view, gran, str(path),
                                   expected[view, gran]])
                matrix.append(r)
                _log(f"matrix {i}/{len(cells)} {shape} / {view} / {gran}: " + render.cell_line(r))
        breakdown = None
        if not args.no_breakdown:
            _log("tm.report with other options ...")
            breakdown = measure.spawn(["--runs", str(runs), "--worker", "breakdown", str(path)])
    calendar = None
    if not args.no_calendar:
        _log("calendar: add_working_days on 1M pairs ...")
        calendar = measure.spawn(["--runs", str(runs), "--worker", "calendar"])
    machine_end = render.machine()
    warnings = []
    if machine_end["versions"] != machine_start["versions"]:
        warnings.append("the libraries changed during the run (tthc_metrics rebuilt?): "
                        f"at the start {machine_start['versions']['tthc_metrics']}, at the end "
                        f"{machine_end['versions']['tthc_metrics']}")
        _log("warning: " + warnings[-1])
    res = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "rows": rows, "runs": runs, "quick": args.quick,
           "loadavg_start": loadavg_start, "loadavg_end": os.getloadavg()[0], "warnings": warnings,
           "arrow_mb": arrow_mb, "parquet_mb": parquet_mb, "machine": machine_end,
           "shapes": {s.name: {**s.describe(), "tests": s.tests, "group": s.group} for s in shapes.MATRIX},
           "baseline": baseline, "matrix": matrix, "calendar": calendar, "tm_breakdown": breakdown,
           "note": args.note, "wall_s": time.perf_counter() - t_start}
    render.print_summary(res)
    out = args.out if args.out is not None else (HERE if complete else None)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "RESULTS.md").write_text(render.render(res))
        (out / "results.json").write_text(json.dumps(res, indent=1) + "\n")
        print("\nfor the README:\n" + render.render_summary(res))
        _log(f"wrote {out / 'RESULTS.md'} and results.json")
    elif not complete:
        _log("partial or quick run: RESULTS.md not written (pass --out DIR to keep it)")
    _log(f"done in {time.perf_counter() - t_start:.0f} s")
