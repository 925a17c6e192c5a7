"""RESULTS.md, the README's summary and the console summary, from a run's results (results.json)."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from .common import COUNTS
from .data import STATUS_MIX, UNITS

ROOT = Path(__file__).resolve().parents[3]
TARGET = 3.0  # issue 13: tm.report at least 3x faster than polars on every shape


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"python": platform.python_version()}
    for mod in ("tthc_metrics", "pyarrow", "polars", "duckdb", "pandas", "numpy", "holidays"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # noqa: BLE001
            versions[mod] = "missing"
    try:
        import tthc_metrics

        native = Path(tthc_metrics._native.__file__)
        build = dt.datetime.fromtimestamp(native.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        src = native.resolve().parents[3]  # the checkout the extension was built in
        head = subprocess.run(["git", "-C", str(src), "log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M"],
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        versions["tthc_metrics"] += (f" (extension built {build} in {src}, at {head}"
                                     + (", with uncommitted changes" if dirty else "") + ")")
    except Exception:  # noqa: BLE001
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_gib, 1),
            "os": f"{platform.system()} {platform.release()}", "versions": versions}


def _fmt_rate(rows: int, seconds: float) -> str:
    r = rows / seconds
    return f"{r / 1e6:.1f} M" if r >= 1e6 else f"{r / 1e3:.0f} k"


def _s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3f}" if x >= 0.01 else f"{x * 1e3:.2f} ms"


# --------------------------------------------------------------------------------------------
# the matrix


def _engine(cell: dict[str, Any], role: str) -> dict[str, Any] | None:
    return next((e for e in cell["engines"] if e["role"] == role), None)


def _must(cell: dict[str, Any], role: str) -> dict[str, Any]:
    e = _engine(cell, role)
    if e is None:
        raise KeyError(f"no {role} engine in the cell {cell['shape']} / {cell['view']} / {cell['gran']}")
    return e


def ratios(cell: dict[str, Any]) -> dict[str, float]:
    """engine median / tm.report median, per role (> 1: tm.report is faster)."""
    tm = _must(cell, "tm")["median"]
    return {e["role"]: e["median"] / tm for e in cell["engines"] if e["role"] not in ("tm", "hand-over")}


def headline(matrix: list[dict[str, Any]], role: str = "same input",
             view: str | None = None) -> tuple[float, dict[str, Any]] | None:
    """The worst (smallest) ratio of `role` over the cells (of `view`), and its cell."""
    cand = [(ratios(c)[role], c) for c in matrix if role in ratios(c) and (view is None or c["view"] == view)]
    return min(cand, key=lambda x: x[0]) if cand else None


def cell_line(cell: dict[str, Any]) -> str:
    tm = _must(cell, "tm")
    parts = [f"tm.report {tm['median']:.3f} s"]
    for e in cell["engines"]:
        if e["role"] in ("tm", "hand-over"):
            continue
        parts.append(f"{e['name']} {e['median']:.3f} s ({e['median'] / tm['median']:.2f}x)")
    return "; ".join(parts) + "; all equal to tm.report"


def shapes_table(shapes: list[Any], quick: set[str] | None = None) -> str:
    lines = ["| shape | group | what it tests | container | receptions | status | unit | times | chunks |"
             + (" in --quick |" if quick is not None else ""),
             "|---|---|---|---|---|---|---|---|---|" + ("---|" if quick is not None else "")]
    for s in shapes:
        d = s.describe() if hasattr(s, "describe") else s
        name = s.name if hasattr(s, "name") else d["name"]
        in_quick = "" if quick is None else " yes |" if name in quick else " |"
        lines.append(f"| {name} | {s.group} | {s.tests} | {d['container']} | {d['order']} | {d['status']} "
                     f"| {d['unit']} | {d['times']} | {d['chunks']} |{in_quick}")
    return "\n".join(lines)


def _shapes_from_res(res: dict[str, Any]) -> list[Any]:
    class S:  # the shapes as recorded in the results
        def __init__(self, name: str, d: dict[str, str]) -> None:
            self.name, self.group, self.tests, self._d = name, d["group"], d["tests"], d

        def describe(self) -> dict[str, str]:
            return self._d

    ran = {c["shape"] for c in res["matrix"]}
    return [S(n, d) for n, d in res["shapes"].items() if n in ran]


def matrix_section(res: dict[str, Any]) -> list[str]:
    m = res["matrix"]
    if not m:
        return []
    lines = ["## The input-shape matrix: tm.report against polars on the same input", ""]
    worst = headline(m)
    n_ok = sum(1 for c in m if ratios(c).get("same input", 0) >= TARGET)
    if worst:
        r, c = worst
        lines += [f"**Headline: the worst ratio polars / tm.report is {r:.2f}x** ({c['shape']}, {c['view']} view, "
                  f"unit x {c['gran']}). The target (issue 13) is at least {TARGET:.0f}x on every cell: "
                  f"met on {n_ok} of {len(m)} cells.", ""]
        for view in ("cohort", "activity"):
            w = headline(m, view=view)
            if w:
                lines.append(f"- worst {view}: {w[0]:.2f}x ({w[1]['shape']}, unit x {w[1]['gran']})")
        lf = headline(m, "loaded frame")
        if lf:
            lines.append(f"- stricter, polars on a frame already loaded against tm.report on the pyarrow table (not "
                         f"the same input; polars' `pl.from_arrow` left out): worst {lf[0]:.2f}x ({lf[1]['shape']}, "
                         f"{lf[1]['view']}, unit x {lf[1]['gran']})")
        pd_ = headline(m, "same input (pandas)")
        if pd_:
            lines.append(f"- pandas on its own frame: worst {pd_[0]:.2f}x ({pd_[1]['shape']}, {pd_[1]['view']}, "
                         f"unit x {pd_[1]['gran']})")
        lines.append("")
    lines += [
        "Every shape holds the same dossiers (shapes.py derives each from the generator's table), so every "
        "table, tm.report's on the shape included, was checked equal to tm.report's on the baseline before "
        "timing (tm.report on all count columns, the peers on the timed ones). Ratio = the peer's median / "
        "tm.report's median in the same cell (> 1: tm.report is faster). *Same input*: the peer starts from "
        "the object tm.report is given: polars on a polars frame; `pl.from_arrow` + polars on a pyarrow table; "
        "`pl.from_pandas` + polars (and pandas itself) on a pandas frame; the conversion is timed as part of "
        "the peer. *Loaded frame*: polars on a frame converted beforehand. *First call*: tm.report's warm-up "
        "call in the cell's fresh process (one-time costs: a polars frame's first Arrow export, thread pools, "
        "page faults).", "",
        "### The shapes", "", shapes_table(_shapes_from_res(res)), "",
    ]
    by_cell = {(c["shape"], c["view"], c["gran"]): c for c in m}
    order = list(dict.fromkeys(c["shape"] for c in m))
    for gran in ("week", "month"):
        for view in ("cohort", "activity"):
            rows = [by_cell[s, view, gran] for s in order if (s, view, gran) in by_cell]
            if not rows:
                continue
            lines += [f"### {view} view, unit x {gran}", "",
                      "| shape | tm.report s | first call s | polars, same input s | ratio | polars, loaded frame s "
                      "| ratio | pandas s | ratio | hand-over alone |",
                      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
            for c in rows:
                tm = _must(c, "tm")
                rat = ratios(c)
                cols = []
                for role in ("same input", "loaded frame", "same input (pandas)"):
                    e = _engine(c, role)
                    cols += [_s(e["median"]) if e else "—", f"{rat[role]:.2f}" if e else "—"]
                mark = " **below target**" if rat.get("same input", TARGET) < TARGET else ""
                cols[1] = f"{cols[1]}{mark}"
                hand = "; ".join(f"{e['name']}: {_s(e['median'])} (first {_s(e['first'])})"
                                 for e in c["engines"] if e["role"] == "hand-over")
                lines.append(f"| {c['shape']} | {_s(tm['median'])} | {_s(tm['first'])} | " + " | ".join(cols)
                             + f" | {hand or '—'} |")
            lines.append("")
    return lines


def where_the_time_goes(res: dict[str, Any]) -> list[str]:
    m = res["matrix"]
    lines = []
    rows = []
    for c in m:
        if c["view"] != "cohort" or c["gran"] != "week":
            continue
        tm = _must(c, "tm")["median"]
        for e in c["engines"]:
            if e["role"] == "hand-over":
                whose = "polars' conversion" if e["name"].startswith("pl.") else "tm.report's hand-over"
                rows.append((c["shape"], whose, e["name"], e["median"], e["first"], tm))
    base = {(c["view"], c["gran"]): _must(c, "tm")["median"] for c in m if c["shape"] == "baseline"}
    if rows:
        lines += ["## Where the time goes (measured from Python)", "",
                  "The conversions before any computation, timed alone in the same cells (cohort, unit x week): "
                  "what tm.report cannot avoid (a polars frame's Arrow C stream, `__arrow_c_stream__`, read into "
                  "a pyarrow table here; tm's own pandas -> Arrow step) and polars' own conversion "
                  "(`pl.from_arrow`, `pl.from_pandas`, timed as part of polars in the matrix). The rest of "
                  "tm.report's time on a shape, against its time on the baseline, is decoding that encoding "
                  "(text, dictionaries, zones, order, chunks) in the library.", "",
                  "| shape | whose | step | median s | first call s | tm.report s | share of tm.report | "
                  "tm.report − baseline s |", "|---|---|---|---:|---:|---:|---:|---:|"]
        b = base.get(("cohort", "week"))
        for shape, whose, name, med, first, tm in rows:
            extra = f"{tm - b:+.3f}" if b is not None else "—"
            lines.append(f"| {shape} | {whose} | {name} | {_s(med)} | {_s(first)} | {_s(tm)} | {med / tm:.0%} "
                         f"| {extra} |")
        lines.append("")
    bd = res.get("tm_breakdown")
    if bd:
        lines += ["tm.report with other options on the baseline (one process, median of "
                  f"{res['runs']}):", "", "| call | median s | min s |", "|---|---:|---:|"]
        lines += [f"| {c['case']} | {c['median']:.3f} | {c['min']:.3f} |" for c in bd["cases"]]
        lines.append("")
    return lines


# --------------------------------------------------------------------------------------------
# the baseline, every engine


def baseline_section(res: dict[str, Any]) -> list[str]:
    base = res.get("baseline") or []
    if not base:
        return []
    lines = ["## Every engine on the baseline (unit x ISO week)", "",
             "One subprocess per engine and view, the parquet file loaded as that library's user reads it "
             "(pyarrow: `pq.read_table`, several chunks; polars: `pl.read_parquet`, Categorical unit; pandas: "
             "`pd.read_parquet`, category unit), not timed; 1 warm-up (checked equal) + "
             f"{res['runs']} runs, median. Memory: peak RSS of the timed section (VmHWM, reset after loading "
             "with /proc/self/clear_refs), the part above the RSS of the loaded data, and that part relative "
             "to the input's Arrow size. Same-input ratio: polars vs tm.report (polars), pandas vs tm.report "
             "(pandas), DuckDB and numpy vs tm.report (pyarrow).", ""]
    for view in ("cohort", "activity"):
        rows = [r for r in base if r["view"] == view]
        if not rows:
            continue
        by = {r["engine"]: r for r in rows}
        tm_t = by.get("tm.report (pyarrow)", rows[0])["median"]
        lines += [f"### {view} view", "",
                  "| engine | median s | min s | rows/s | ratio to tm (pyarrow) | same-input ratio "
                  "| peak RSS MB | above loaded MB | above loaded / Arrow size |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            si = None
            if not r["engine"].startswith("tm."):
                lib = "polars" if r["engine"].startswith("polars") else "pandas" if r["engine"].startswith(
                    "pandas") else "pyarrow"
                si = f"tm.report ({lib})"
            si_ratio = f"{r['median'] / by[si]['median']:.2f}" if si in by else "—"
            lines.append(
                f"| {r['engine']} | {r['median']:.3f} | {r['min']:.3f} | {_fmt_rate(res['rows'], r['median'])} "
                f"| {r['median'] / tm_t:.2f} | {si_ratio} | {r['peak_rss_mb']:.0f} | {r['peak_over_loaded_mb']:.0f} "
                f"| {r['peak_over_loaded_mb'] / res['arrow_mb']:.2f} |")
        lines.append("")
    return lines


def calendar_section(res: dict[str, Any]) -> list[str]:
    cal = res.get("calendar")
    if not cal:
        return []
    lines = ["## add_working_days, 1M (date, n) pairs over 2023–2026, n in 0..30", "",
             "Pairs and holidays of `calendar_numpy.py` (Vietnam's weekday days off 2023–2028 from the "
             "`holidays` package); the engines called in turn, 3 warm-up rounds, median of the next "
             f"{res['runs']}. numpy and polars cannot make a Saturday a working day: results are compared "
             "with numpy's; tm with make-up Saturdays as rest days (`saturday_swaps='rest'`) must match "
             "them exactly; tm's default (make-up Saturdays worked) differs on the dates that cross one. "
             "tm's input and output are pyarrow `date32`/`uint32` arrays.", "",
             "| engine | median ms | pairs/s | ratio to numpy | mismatches vs numpy | checksum |",
             "|---|---:|---:|---:|---:|---:|"]
    np_t = cal["engines"]["numpy busday_offset"]["median"]
    for name, r in cal["engines"].items():
        lines.append(f"| {name} | {r['median'] * 1e3:.1f} | {_fmt_rate(cal['pairs'], r['median'])} "
                     f"| {r['median'] / np_t:.2f} | {r['mismatches_vs_numpy']:,} | {r['checksum']} |")
    for note in cal["notes"]:
        lines.append(f"\nNote: {note}")
    lines.append("")
    return lines


def _compat(res: dict[str, Any]) -> dict[str, Any]:
    """Results of the earlier single-file run.py (a `report` list, no matrix) render too."""
    res = dict(res)
    if "baseline" not in res:
        res["baseline"] = res.get("report") or []
    res.setdefault("matrix", [])
    res.setdefault("shapes", {})
    return res


def render(res: dict[str, Any]) -> str:
    res = _compat(res)
    m = res["machine"]
    v = m["versions"]
    lines = [
        "# Peer comparison: tm.report and the calendar against polars, DuckDB, pandas, numpy",
        "",
        f"Generated by `make bench-peers` (`benches/peers/run.py`{' --quick' if res.get('quick') else ''}) "
        f"on {res['date']}.",
        "",
        f"- machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- data: {res['rows']:,} dossiers, {len(UNITS)} communes, received over 2023, status mix "
        f"{', '.join(f'{k}: {p:.1%}' for k, p in STATUS_MIX.items())}; as generated (the baseline shape): parquet "
        f"{res['parquet_mb']:.0f} MB, in Arrow {res['arrow_mb']:.0f} MB (`table.nbytes`). **No `dossier_id` "
        "column**: tm.report de-duplicates a repeated `dossier_id` by default and the peers do not, so that "
        "work is left out of both.",
        "- task: unit × ISO week (and unit × month) over [2023-01-01, 2023-12-31], default policies (date "
        "comparison, supplement clock paused, original due date; status 6 awaiting payment, unfinished, clock "
        "paused). Peers compute the count columns "
        f"{', '.join(f'`{c}`' for c in COUNTS)} (tm.report computes all of its columns anyway: the conservative "
        "choice); all 22 count columns were checked on small data (preflight).",
        f"- timing: 1 warm-up + {res['runs']} runs, median; every table checked equal first. "
        f"Load average at the start {res.get('loadavg_start', float('nan')):.2f}, at the end "
        f"{res.get('loadavg_end', float('nan')):.2f} (other work on the machine inflates every figure)",
        *([f"- **conditions: {res['note']}**"] if res.get("note") else []),
        *([f"- **warning: {w}**" for w in res.get("warnings", [])]),
        "",
        "How each engine computes the tables (`benches/peers/tthc_peers/engines/`):",
        "- polars: lazy expressions on the frame as handed over, normalised in the query (text statuses "
        "`replace_strict` to codes, zoned times to civil time, dates cast), integer period indices, "
        "`group_by().agg`. Activity: aggregate first (one `group_by` over the few period indices that decide a "
        "dossier's outcome in every period), `int_ranges` + `explode` of each class's periods, one `group_by`. "
        "*per dossier*: the explode of every dossier into the periods it is alive in.",
        "- DuckDB: SQL over the Arrow table (`count(*) FILTER`); activity: the same classes range-joined with "
        "the periods; *per dossier*: the range join of every dossier.",
        "- pandas: numpy masks for the outcome, the (unit, period, outcome, channel, eligible) key packed into one "
        "int64 and counted (`value_counts`), unstacked; activity: the classes, then a loop over the periods; "
        "*per dossier*: the loop over every dossier alive in each period.",
        "- numpy (one thread): `np.bincount` over a packed index; activity: runs of constant outcome as "
        "+1/−1 in a difference array and a cumulative sum over the periods.",
        "- tm.report: `tm.report(data, as_of=2023-12-31, by=('unit', 'week'), start=2023-01-01)` "
        "(`view='activity', end=2023-12-31`), the table returned in the input's library.",
        "",
    ]
    lines += matrix_section(res)
    lines += where_the_time_goes(res)
    lines += baseline_section(res)
    lines += calendar_section(res)
    return "\n".join(lines)


def render_summary(res: dict[str, Any]) -> str:
    """The compact lines the README quotes: the matrix headline and the baseline medians."""
    res = _compat(res)
    m = res["machine"]
    lines = []
    worst = headline(res["matrix"]) if res.get("matrix") else None
    if worst:
        r, c = worst
        n_ok = sum(1 for x in res["matrix"] if ratios(x).get("same input", 0) >= TARGET)
        lines.append(f"Input-shape matrix, {len(res['matrix'])} cells: the worst polars / tm.report ratio is "
                     f"**{r:.2f}x** ({c['shape']}, {c['view']}, unit x {c['gran']}); at least {TARGET:.0f}x on "
                     f"{n_ok} of {len(res['matrix'])} cells.")
        lines.append("")
    base = res.get("baseline") or []
    if base:
        by = {(r["engine"], r["view"]): r for r in base}
        tm_t = {v: by[("tm.report (pyarrow)", v)]["median"] for v in ("cohort", "activity")
                if ("tm.report (pyarrow)", v) in by}
        lines += ["| engine (baseline shape) | cohort s | × tm | activity s | × tm "
                  "| activity: peak RSS above the loaded data |",
                  "|---|---:|---:|---:|---:|---:|"]
        for engine in dict.fromkeys(r["engine"] for r in base):
            cells = []
            for view in ("cohort", "activity"):
                e = by.get((engine, view))
                cells += ([f"{e['median']:.2f}", f"{e['median'] / tm_t[view]:.1f}"] if e and view in tm_t
                          else ["—", "—"])
            act = by.get((engine, "activity"))
            mem = f"{act['peak_over_loaded_mb']:.0f} MB" if act else "—"
            lines.append(f"| {engine} | " + " | ".join(cells) + f" | {mem} |")
        lines.append("")
    lines.append(f"{res['rows']:,} dossiers ({res['arrow_mb']:.0f} MB in Arrow), over 2023, median of {res['runs']}; "
                 f"{m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB, Python {m['versions']['python']}, "
                 f"{res['date']}.")
    return "\n".join(lines)


def print_summary(res: dict[str, Any]) -> None:
    base = res.get("baseline") or []
    for view in ("cohort", "activity"):
        rows = [r for r in base if r["view"] == view]
        if not rows:
            continue
        tm_t = next((r["median"] for r in rows if r["engine"] == "tm.report (pyarrow)"), rows[0]["median"])
        print(f"\nbaseline, {view} view, {res['rows']:,} rows")
        print(f"{'engine':24} {'median s':>9} {'rows/s':>9} {'ratio':>6} {'peak MB':>8} {'+MB':>7}")
        for r in rows:
            print(f"{r['engine']:24} {r['median']:9.3f} {_fmt_rate(res['rows'], r['median']):>9} "
                  f"{r['median'] / tm_t:6.2f} {r['peak_rss_mb']:8.0f} {r['peak_over_loaded_mb']:7.0f}")
    m = res.get("matrix") or []
    if m:
        print(f"\nshape matrix, {res['rows']:,} rows: polars (same input) / tm.report; "
              "loaded frame; pandas / tm.report")
        print(f"{'shape':46} {'view':9} {'gran':6} {'tm s':>8} {'polars':>8} {'ratio':>6} {'loaded':>6} {'pandas':>6}")
        for c in m:
            rat = ratios(c)
            tm = _must(c, "tm")["median"]
            pl_ = _must(c, "same input")["median"]
            f = lambda k: f"{rat[k]:6.2f}" if k in rat else f"{'—':>6}"  # noqa: E731
            print(f"{c['shape'][:46]:46} {c['view']:9} {c['gran']:6} {tm:8.4f} {pl_:8.4f} {f('same input')} "
                  f"{f('loaded frame')} {f('same input (pandas)')}")
        worst = headline(m)
        if worst:
            print(f"\nheadline: worst polars / tm.report = {worst[0]:.2f}x ({worst[1]['shape']}, {worst[1]['view']}, "
                  f"unit x {worst[1]['gran']})")
    bd = res.get("tm_breakdown")
    if bd:
        print("\ntm.report with other options (baseline)")
        for c in bd["cases"]:
            print(f"{c['case']:60} {c['median']:8.3f} s")
    cal = res.get("calendar")
    if cal:
        print("\nadd_working_days, 1M pairs")
        for name, r in cal["engines"].items():
            print(f"{name:56} {r['median'] * 1e3:8.1f} ms  mismatches vs numpy {r['mismatches_vs_numpy']:,}")
        for note in cal["notes"]:
            print("note:", note)
