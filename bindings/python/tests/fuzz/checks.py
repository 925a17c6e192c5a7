"""What the child checks: every target's call, its outcome, and for a result the conservation of
rows, the identities of domain-rules section 6 and, where the spec says the input is valid, the
reference of ``test_differential.py``.

A check returns a list of violations (text); an empty list is a pass.
"""

from __future__ import annotations

import datetime as dt
import math
import traceback
import warnings
from fractions import Fraction
from typing import Any, Callable

import pyarrow as pa

from fuzz import build

COUNTS = ["received", "received_online", "received_direct", "received_post", "carried_over", "finished",
          "early", "on_time", "late", "unfinished", "within_due", "overdue", "awaiting_supplement",
          "awaiting_payment", "backlog", "refused", "withdrawn", "stopped", "refused_withdrawn", "handled",
          "eligible", "eligible_online"]
TALLY_OPTIONS = {"as_of", "start", "columns", "on_error", "comparison", "supplement_rule", "due_date", "duplicates",
                 "memory_limit", "calendar", "status_names", "channel_names", "online_service_names", "rate_policy",
                 "online_policy"}


class SuiteError(Exception):
    """A bug of the fuzz suite itself (a builder or a check), not of the library."""


def execute(spec: dict) -> dict:
    """Run one spec; the outcome the parent judges."""
    try:
        handler = TARGETS[spec["target"]]
    except KeyError:
        return {"kind": "build_error", "traceback": f"unknown target {spec.get('target')!r}"}
    try:
        return handler(spec)
    except SuiteError:
        return {"kind": "build_error", "traceback": traceback.format_exc()}


def error_outcome(e: BaseException, producer: type | None = None) -> dict:
    import tthc_metrics as tm

    try:
        message = str(e)
    except Exception:  # noqa: BLE001
        message = "<str() failed>"
    out = {
        "kind": "error", "type": type(e).__name__, "mro": [c.__name__ for c in type(e).__mro__],
        "code": getattr(e, "code", None), "message": message[:2000], "message_len": len(message),
        "tthc": isinstance(e, tm.TthcError), "type_error": isinstance(e, TypeError),
        "base_only": not isinstance(e, Exception),
        "producer_error": producer is not None and isinstance(e, producer), "violations": [],
    }
    if isinstance(e, tm.RejectedRecordError):
        out["record"] = {k: getattr(e, k, None) for k in ("row", "column", "value", "reason", "dossier_id")}
    return out


def guarded(fn: Callable[[], Any], producer: type | None = None) -> tuple[Any, dict | None, list]:
    """(result, error outcome or None, warnings) of ``fn()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return fn(), None, list(caught)
        except BaseException as e:  # noqa: BLE001 - everything is judged, PanicException included
            return None, error_outcome(e, producer), list(caught)


def build_or_fail(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        raise SuiteError(f"building the input failed: {type(e).__name__}: {e}") from e


def to_arrow(table: Any) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    if hasattr(table, "to_arrow"):  # polars
        return table.to_arrow()
    return pa.Table.from_pandas(table, preserve_index=False)


def values(table: pa.Table, names: bool = True) -> list:
    """A table's cells, NaN equal to NaN (and its column names unless ``names=False``)."""
    def cell(x):
        return "NaN" if isinstance(x, float) and math.isnan(x) else x
    cols = [[cell(x) for x in c.to_pylist()] for c in table.columns]
    return [table.column_names, cols] if names else cols


def realise(options: dict) -> dict:
    """The options of a spec as the call takes them (a calendar is built here)."""
    import tthc_metrics as tm

    out = {}
    for k, v in options.items():
        if isinstance(v, tuple) and v and v[0] == "__calendar__":
            v = tm.Calendar.vietnam(**v[1])
        out[k] = v
    return out


# ---------------------------------------------------------------------------- reports


def civil_cut(as_of: Any) -> dt.datetime | None:
    """The cut-off instant (civil time) of an ``as_of`` option, as the Options doc defines it."""
    if isinstance(as_of, dt.datetime):
        return build.civil(as_of).replace(microsecond=0)
    if isinstance(as_of, dt.date):
        return dt.datetime.combine(as_of, dt.time(23, 59, 59))
    return None


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return build.civil(value).date()
    if isinstance(value, dt.date):
        return value
    return None


def tally_options(opts: dict) -> dict:
    out = {k: v for k, v in opts.items() if k in TALLY_OPTIONS}
    if opts.get("view") == "activity" and opts.get("end") is not None:
        cut = civil_cut(opts.get("as_of"))
        end = as_date(opts["end"])
        if cut is not None and end is not None and end < cut.date():
            out["as_of"] = end
    return out


def rejected_of(caught: list) -> pa.Table | None:
    import tthc_metrics as tm

    for w in caught:
        if isinstance(w.message, tm.RejectedRowsWarning):
            return to_arrow(w.message.rejected)
    return None


def target_report(spec: dict) -> dict:
    import tthc_metrics as tm

    built = build_or_fail(lambda: build.build_table(spec))
    opts = build_or_fail(lambda: realise(spec.get("options", {})))
    entry = spec.get("entry", "report_details")
    fn = {"report": tm.report, "report_with_rejected": tm.report_with_rejected,
          "report_details": tm.report_details}[entry]
    result, error, caught = guarded(lambda: fn(built.data, **opts), built.producer_error)
    if error is not None:
        error["violations"] = check_refusal(spec, built, error) + check_error_names(spec, error)
        return error
    try:
        violations = check_report(spec, built, opts, entry, result, caught)
    except SuiteError:
        raise
    except BaseException as e:  # noqa: BLE001 - a second call of the check failed: judge it too
        return {"kind": "result", "violations": [f"a follow-up call failed: {type(e).__name__}: {str(e)[:500]}",
                                                 traceback.format_exc()[-1500:]]}
    return {"kind": "result", "violations": violations}


def fresh(spec: dict) -> Any:
    """The input built again (readers and streams are read once)."""
    return build.build_table(spec).data


def expected_rejections(spec: dict, built: build.Built, opts: dict) -> dict | None:
    """For a valid-family spec: the rows the library must reject (index -> column or None when
    any column will do), the repeats it must find, and the reference's input rows."""
    if not spec.get("oracle"):
        return None
    import test_differential as td

    keep_all = opts.get("duplicates") == "keep_all"
    rejected: dict[int, str | None] = {}
    repeats = 0
    rows = []
    for i, r in enumerate(built.rows):
        if r.get("bad"):
            rejected[i] = r["bad"]
            continue
        if r.get("never_no_time"):
            continue
        if r.get("copy") is not None and not keep_all:
            repeats += 1
            continue
        row = td.Row(unit=r["unit"], received=r["received"], due=r["due"], finished=r["finished"],
                     status=r["status"], channel=r["channel"], level=r["level"], supplements=r["supplements"])
        if row.rejected():
            rejected[i] = None
        rows.append(row)
    return {"rejected": rejected, "repeats": repeats, "rows": rows}


def check_refusal(spec: dict, built: build.Built, error: dict) -> list[str]:
    """An error on a valid-family input: only a RejectedRecordError naming a bad row, under
    ``on_error="raise"``."""
    opts = spec.get("options", {})
    exp = expected_rejections(spec, built, opts)
    if exp is None or spec.get("expect", {}).get("raises"):
        return []
    if error["type"] == "RejectedRecordError" and opts.get("on_error", "raise") == "raise":
        row = error["record"]["row"]
        if row not in exp["rejected"]:
            return [f"RejectedRecordError for row {row}, which the spec holds valid (bad rows: {sorted(exp['rejected'])})"]
        if row != min(exp["rejected"]):
            return [f"RejectedRecordError for row {row}, not the lowest bad row {min(exp['rejected'])}"]
        return []
    return [f"valid input refused: {error['type']}({error['code']}): {error['message'][:300]}"]


def check_error_names(spec: dict, error: dict) -> list[str]:
    """A SchemaError about a malformed column names it (issue 16: 'a SchemaError naming the column')."""
    exp = spec.get("expect", {})
    if error["type"] == "SchemaError" and exp.get("column") and exp["column"] not in error["message"]:
        return [f"the SchemaError does not name the column {exp['column']!r}: {error['message'][:200]}"]
    return []


def check_report(spec: dict, built: build.Built, opts: dict, entry: str, result: Any, caught: list) -> list[str]:
    import tthc_metrics as tm

    v: list[str] = []
    if entry == "report_details":
        table, rejected, prov = to_arrow(result.table), to_arrow(result.rejected), result.provenance
    elif entry == "report_with_rejected":
        table, rejected, prov = to_arrow(result[0]), to_arrow(result[1]), None
    else:
        table, rejected, prov = to_arrow(result), rejected_of(caught), None
    if prov is None:
        details = tm.report_details(fresh(spec), **opts)
        prov = details.provenance
        other = to_arrow(details.table)
        if values(other) != values(table):
            v.append(f"tm.{entry} and tm.report_details disagree on the same input and options")
        if rejected is None:
            rejected = to_arrow(details.rejected) if len(details.rejected) else None
    if rejected is None:
        rejected = pa.table({"row": pa.array([], pa.int64())})
    if opts.get("labels") == "vi":  # the Vietnamese names (of every table): check the English ones
        en = tm.report_details(fresh(spec), **{**opts, "labels": "en"})
        en_table, en_rejected = to_arrow(en.table), to_arrow(en.rejected)
        if values(en_table, names=False) != values(table, names=False):
            v.append('labels="vi" changes the values, not only the names')
        if rejected.num_rows:
            if rejected.num_columns != en_rejected.num_columns:
                v.append(f'labels="vi" gives the rejected rows {rejected.num_columns} columns, "en" '
                         f'{en_rejected.num_columns}: {rejected.column_names} vs {en_rejected.column_names}')
            k = min(rejected.num_columns, en_rejected.num_columns)
            if values(en_rejected, names=False)[:k] != values(rejected, names=False)[:k]:
                v.append('labels="vi" changes the rejected rows, not only the names')
        table, rejected = en_table, (en_rejected if en_rejected.num_rows else rejected)
    n = built.n
    # conservation: inputs = rejected + repeats + (rows counted + excluded), the last two from a tally
    inputs, n_rej, n_dup = int(prov["inputs"]), int(prov["rejected"]), repeat_count(prov)
    if n_dup is None:
        v.append(f"the provenance has no count of repeats: {prov!r}"[:400])
        n_dup = 0
    if inputs != n:
        v.append(f"provenance says {inputs} inputs, the input has {n} rows")
    rows = rejected.column("row").to_pylist()
    if len(rows) != n_rej + n_dup:
        v.append(f"the rejected table has {len(rows)} rows, the provenance {n_rej} rejected + {n_dup} repeats")
    if len(set(rows)) != len(rows):
        v.append("a row is listed twice in the rejected table")
    if any(r < 0 or r >= n for r in rows):
        v.append(f"rejected rows outside [0, {n}): {[r for r in rows if r < 0 or r >= n][:5]}")
    t, tr_err, tr_caught = guarded(lambda: tm.tally(fresh(spec), **tally_options(opts)))
    if tr_err is not None:
        v.append(f"the report succeeds but a tally of the same input fails: {tr_err['type']}: {tr_err['message'][:200]}")
        return v + check_rows(table, prov, opts)
    tr = rejected_of(tr_caught)
    n_tr = 0 if tr is None else tr.num_rows
    if t.received + t.not_received + t.outside_window + n_tr != n:
        v.append(f"tally: {t.received} received + {t.not_received} not received + {t.outside_window} outside the "
                 f"window + {n_tr} rejected or repeated != {n} inputs")
    if n_tr != len(rows):
        v.append(f"the tally leaves out {n_tr} rows, the report {len(rows)}")
    counted = sum(table.column("received").to_pylist()) if table.num_rows else 0
    if counted != t.received:
        v.append(f"the report's rows hold {counted} new receptions, a tally of the same window {t.received}")
    v += check_rows(table, prov, opts)
    by = opts.get("by", (None, None))
    if isinstance(by, tuple) and len(by) == 2 and by[0] is not None:
        v += check_total(spec, opts, table)
    v += check_expected_rows(spec, rejected)
    exp = expected_rejections(spec, built, opts)
    if exp is not None:
        v += check_reference(spec, built, opts, exp, table, rejected, n_rej, n_dup)
    return v


def check_expected_rows(spec: dict, rejected: pa.Table) -> list[str]:
    """Rows a spec knows the fate of: times outside the supported range (DESIGN: 1900-01-01 to
    2199-12-31, a rejected record) and malformed cells of a column the call reads."""
    exp = spec.get("expect", {})
    listed = {r["row"]: r for r in rejected.to_pylist()}
    v = []
    if "in_range" in exp:
        for i, ok in enumerate(exp["in_range"]):
            if ok and i in listed:
                v.append(f"row {i}: {exp['column']} is within 1900-01-01..2199-12-31 but the row is rejected "
                         f"({listed[i].get('reason')}: {str(listed[i].get('message'))[:120]})")
            elif not ok and i not in listed:
                v.append(f"row {i}: {exp['column']} is outside 1900-01-01..2199-12-31 but the row is not rejected")
    if exp.get("read") and exp.get("malformed_rows"):
        missing = [r for r in exp["malformed_rows"] if r not in listed]
        if missing:
            v.append(f"rows {missing[:8]} hold a malformed {exp['column']} ({spec['table']['malformed']['kind']}) "
                     f"and are counted: neither a SchemaError nor rejected rows")
    return v[:20]


def repeat_count(prov: dict) -> int | None:
    """The provenance's count of repeated rows (``duplicate_rows``; ``duplicates`` in builds
    before the policy took that name)."""
    for key in ("duplicate_rows", "duplicates"):
        if str(prov.get(key, "")).isdigit():
            return int(prov[key])
    return None


def check_rows(table: pa.Table, prov: dict, opts: dict) -> list[str]:
    """Domain-rules section 6: the identities of every row, its period within the window, one row
    per group and period, only rows with dossiers."""
    v: list[str] = []
    view = opts.get("view") or "cohort"
    by = opts.get("by", (None, None))
    gran = by[1] if isinstance(by, tuple) and len(by) == 2 else None
    try:
        w0 = dt.date.fromisoformat(prov["window_start"])
        w1 = dt.date.fromisoformat(prov["window_end"])
    except (KeyError, ValueError):
        w0 = w1 = None
    seen = set()
    group_col = next((c for c in ("unit", "procedure", "field", "channel") if c in table.column_names), None)
    for i, r in enumerate(table.to_pylist()):
        bad = []
        if any(r[c] < 0 for c in COUNTS if c in r):
            bad.append("a negative count")
        if r["finished"] != r["early"] + r["on_time"] + r["late"]:
            bad.append("finished != early + on_time + late")
        if r["unfinished"] != r["within_due"] + r["overdue"]:
            bad.append("unfinished != within_due + overdue")
        if r["refused_withdrawn"] != r["refused"] + r["withdrawn"] + r["stopped"]:
            bad.append("refused_withdrawn != refused + withdrawn + stopped")
        if r["received"] != r["received_online"] + r["received_direct"] + r["received_post"]:
            bad.append("received != online + direct + post")
        if r["backlog"] != r["unfinished"] + r["awaiting_supplement"] + r["awaiting_payment"]:
            bad.append("backlog != unfinished + awaiting supplement + awaiting payment")
        if r["handled"] != r["finished"] + r["unfinished"] + r["awaiting_supplement"] + r["awaiting_payment"] + r["refused_withdrawn"]:
            bad.append("col 3 != col 7 + col 11 + awaiting + refused/withdrawn/stopped")
        if r["handled"] != r["received"] + r["carried_over"]:
            bad.append("col 3 != col 4 + col 5 + col 6")
        if view == "cohort" and r["carried_over"]:
            bad.append("carried over in the cohort view")
        if r["handled"] == 0:
            bad.append("a row without any dossier")
        if not r["eligible_online"] <= r["eligible"] <= r["received"]:
            bad.append("eligible_online <= eligible <= received fails")
        for num, den, rate in (("on_time_numerator", "on_time_denominator", "on_time_rate"),
                               ("online_numerator", "online_denominator", "online_share")):
            if not 0 <= r[num] <= r[den]:
                bad.append(f"{num} {r[num]} outside [0, {den} {r[den]}]")
            elif r[den] == 0:
                if r[rate] is not None and not math.isnan(r[rate]):  # pandas gives NaN back as null
                    bad.append(f"{rate} is {r[rate]} without data (NaN expected)")
            elif r[rate] is None or abs(r[rate] - r[num] / r[den]) > 1e-12:
                bad.append(f"{rate} {r[rate]} != {r[num]}/{r[den]}")
        s, e = r["period_start"], r["period_end"]
        if s > e:
            bad.append(f"period {s} > {e}")
        if w0 is not None and (s < w0 or e > w1):
            bad.append(f"period {s}..{e} outside the window {w0}..{w1}")
        bad += period_shape(gran, s, e, w0, w1)
        k = (r.get(group_col) if group_col else None, r.get("rollup"), s, e)
        if k in seen:
            bad.append("two rows for one group and period")
        seen.add(k)
        if bad:
            v.append(f"row {i} ({k}): " + "; ".join(bad))
    return v[:20]


def period_shape(gran: str | None, s: dt.date, e: dt.date, w0: dt.date | None, w1: dt.date | None) -> list[str]:
    """Periods of section 6, clipped to the window: ISO week Monday-Sunday, Friday week
    Friday-Thursday, calendar month, quarter and year, a day."""
    if gran is None:
        return [] if (w0 is None or (s, e) == (w0, w1)) else [f"the whole-window period is {s}..{e}, not {w0}..{w1}"]

    def bounds(d: dt.date) -> tuple[dt.date, dt.date]:
        if gran == "day":
            return d, d
        if gran == "week":
            a = d - dt.timedelta(days=d.weekday())
            return a, a + dt.timedelta(days=6)
        if gran == "friday_week":
            a = d - dt.timedelta(days=(d.weekday() - 4) % 7)
            return a, a + dt.timedelta(days=6)
        if gran == "month":
            a = d.replace(day=1)
        elif gran == "quarter":
            a = d.replace(month=3 * ((d.month - 1) // 3) + 1, day=1)
        else:
            a = d.replace(month=1, day=1)
        months = {"month": 1, "quarter": 3, "year": 12}[gran]
        y, m = divmod(a.month - 1 + months, 12)
        try:
            nxt = dt.date(a.year + y, m + 1, 1)
            return a, nxt - dt.timedelta(days=1)
        except ValueError:
            return a, dt.date.max
    a, b = bounds(s)
    if w0 is not None:
        a, b = max(a, w0), min(b, w1)
    return [] if (a, b) == (s, e) else [f"{gran} period {s}..{e}, expected {a}..{b}"]


def check_total(spec: dict, opts: dict, table: pa.Table) -> list[str]:
    """The rows of a key, summed per period, are the rows of the total (no key)."""
    import tthc_metrics as tm

    by = opts["by"]
    total = to_arrow(tm.report(fresh(spec), **{**opts, "by": (None, by[1]), "labels": "en", "key": False}))
    if "rollup" in table.column_names:
        table = table.filter(pa.compute.invert(table.column("rollup")))
    sums: dict[tuple, dict[str, int]] = {}
    for r in table.to_pylist():
        cell = sums.setdefault((r["period_start"], r["period_end"]), dict.fromkeys(COUNTS, 0))
        for c in COUNTS:
            cell[c] += r[c]
    want = {(r["period_start"], r["period_end"]): {c: r[c] for c in COUNTS} for r in total.to_pylist()}
    if sums != want:
        diff = sorted(set(sums) ^ set(want))[:3] or [k for k in want if sums.get(k) != want[k]][:3]
        return [f"by {by[0]!r}: the groups' sums differ from the total at {diff}"]
    return []


def check_reference(spec: dict, built: build.Built, opts: dict, exp: dict, table: pa.Table, rejected: pa.Table,
                    n_rej: int, n_dup: int) -> list[str]:
    """Equality with test_differential's reference on valid data (domain-rules sections 3-6)."""
    import test_differential as td

    v: list[str] = []
    by = opts.get("by", (None, None))
    key, gran = by
    cut = civil_cut(opts["as_of"])
    start = as_date(opts.get("start"))
    end = as_date(opts.get("end"))
    view = opts.get("view") or "cohort"
    cells, labels, ref_rejected = td.reference(
        exp["rows"], as_of=cut, view=view, by=key, granularity=gran, start=start, end=end,
        comparison=opts.get("comparison", "date"), rule=opts.get("supplement_rule", "pause"))
    bad_rows = sum(1 for c in exp["rejected"].values() if c is not None)
    if n_rej != ref_rejected + bad_rows:
        v.append(f"{n_rej} rows rejected, the reference and the bad cells say {ref_rejected} + {bad_rows}")
    if n_dup != exp["repeats"]:
        v.append(f"{n_dup} repeats found, {exp['repeats']} exact copies in the input")
    listed = {r["row"]: r for r in rejected.to_pylist()}
    for row, column in exp["rejected"].items():
        if row not in listed:
            v.append(f"row {row} (bad {column or 'times'}) is not in the rejected table")
        elif column is not None and listed[row].get("column") != built.columns.get(column, column) \
                and listed[row].get("column") != column:
            v.append(f"row {row}: rejected for {listed[row].get('column')!r}, the bad cell is {column!r}")
    got: dict[tuple, dict] = {}
    for rec in table.to_pylist():
        k = (td.key(rec["unit"]) if key == "unit" else "", (rec["period_start"], rec["period_end"]))
        if k in got:
            v.append(f"two rows for {k}")
        got[k] = rec
    if set(got) != set(cells):
        v.append(f"rows {sorted(set(got) - set(cells))[:4]} not in the reference, {sorted(set(cells) - set(got))[:4]} missing")
    clean_labels = not any(r.get("bad") or r.get("never_no_time") for r in built.rows)
    for k, c in cells.items():
        if k not in got:
            continue
        row = got[k]
        want = td.columns(c)
        have = {n: row[n] for n in want}
        if have != want:
            v.append(f"{k}: {dict((n, (have[n], want[n])) for n in want if have[n] != want[n])} (got, reference)")
        if key == "unit" and clean_labels and row["unit"] != labels[k[0]]:
            v.append(f"{k}: label {row['unit']!r}, the reference {labels[k[0]]!r}")
        num, den = td.on_time_rate(c, opts.get("rate_policy", "resolved_only"))
        if den and (row["on_time_numerator"], row["on_time_denominator"]) != (num, den):
            v.append(f"{k}: on-time {row['on_time_numerator']}/{row['on_time_denominator']}, the reference {num}/{den}")
        share = td.online_share(c, opts.get("online_policy", "eligible_only"))
        if share is not None and (row["online_denominator"] == 0
                                  or Fraction(row["online_numerator"], row["online_denominator"]) != share):
            v.append(f"{k}: online {row['online_numerator']}/{row['online_denominator']}, the reference {share}")
    return v[:20]


# ---------------------------------------------------------------------------- tally, quality


def target_tally(spec: dict) -> dict:
    import tthc_metrics as tm

    built = build_or_fail(lambda: build.build_table(spec))
    opts = build_or_fail(lambda: realise(spec.get("options", {})))
    t, error, caught = guarded(lambda: tm.tally(built.data, **opts), built.producer_error)
    if error is not None:
        error["violations"] = check_refusal(spec, built, error)
        return error
    v = []
    rej = rejected_of(caught)
    n_rej = 0 if rej is None else rej.num_rows
    if t.received + t.not_received + t.outside_window + n_rej != built.n:
        v.append(f"tally: {t.received} + {t.not_received} + {t.outside_window} + {n_rej} left out != {built.n} inputs")
    d = t.to_dict()
    if d["finished"] != d["early"] + d["on_time"] + d["late"] or d["unfinished"] != d["within_due"] + d["overdue"]:
        v.append("tally identities fail")
    if d["handled"] != d["received"] + d["carried_over"]:
        v.append("tally: handled != received + carried over")
    for what, fn in (("pickle", lambda x: __import__("pickle").loads(__import__("pickle").dumps(x))),
                     ("bytes", lambda x: tm.Tally.from_bytes(x.to_bytes()))):
        if fn(t) != t or fn(t).to_dict() != d:
            v.append(f"a tally does not survive {what}")
    if (t + tm.Tally()) != t or sum([t], tm.Tally()) != t:
        v.append("the empty tally is not neutral")
    exp = expected_rejections(spec, built, opts)
    if exp is not None:
        import test_differential as td

        cells, _, ref_rejected = td.reference(
            exp["rows"], as_of=civil_cut(opts["as_of"]), view="cohort", by=None, granularity=None,
            start=as_date(opts.get("start")), end=None, comparison=opts.get("comparison", "date"),
            rule=opts.get("supplement_rule", "pause"))
        c = next(iter(cells.values()), td.empty())
        for name, value in td.columns(c).items():
            if getattr(t, name) != value:
                v.append(f"tally.{name} = {getattr(t, name)}, the reference {value}")
        for policy in td.ON_TIME:
            num, den = td.on_time_rate(c, policy)
            if t.on_time_rate_under(policy) != (Fraction(num, den) if den else None):
                v.append(f"on_time_rate_under({policy!r}) = {t.on_time_rate_under(policy)}, the reference {num}/{den}")
        for policy in td.ONLINE:
            if t.online_share_under(policy) != td.online_share(c, policy):
                v.append(f"online_share_under({policy!r}) = {t.online_share_under(policy)}, the reference {td.online_share(c, policy)}")
    return {"kind": "result", "violations": v}


def target_quality(spec: dict) -> dict:
    import tthc_metrics as tm

    built = build_or_fail(lambda: build.build_table(spec))
    opts = build_or_fail(lambda: realise(spec.get("options", {})))
    result, error, _ = guarded(lambda: tm.quality_with_rejected(built.data, **opts), built.producer_error)
    if error is not None:
        error["violations"] = check_refusal(spec, built, error)
        return error
    q, rej = to_arrow(result[0]), to_arrow(result[1])
    v = []
    rows = q.to_pylist()
    if sum(r["records"] for r in rows) != built.n:
        v.append(f"quality: {sum(r['records'] for r in rows)} records, the input has {built.n} rows")
    for i, r in enumerate(rows):
        if r["records"] != r["rejected"] + r["duplicates"] + r["excluded"] + r["checked"]:
            v.append(f"quality row {i}: records != rejected + duplicates + excluded + checked")
        if r["rejected"] != sum(r[c] for c in r if c.startswith("rejected_")):
            v.append(f"quality row {i}: rejected != the sum of its reasons")
        buckets = [c for c in r if c.startswith("overdue_")]
        if r["overdue"] != sum(r[c] for c in buckets):
            v.append(f"quality row {i}: overdue != the sum of its age buckets {buckets}")
        if r["hanging"] > r["overdue"]:
            v.append(f"quality row {i}: more hanging than overdue")
    left_out = sum(r["rejected"] + r["duplicates"] for r in rows)
    if rej.num_rows != left_out:
        v.append(f"quality: the rejected table has {rej.num_rows} rows, the counts {left_out}")
    return {"kind": "result", "violations": v[:20]}


from fuzz import api_checks  # noqa: E402 - the API targets share error_outcome and guarded

TARGETS: dict[str, Callable[[dict], dict]] = {
    "report": target_report,
    "tally": target_tally,
    "quality": target_quality,
    **api_checks.TARGETS,
}
