"""The non-table entry points in the child: ``tm.Calendar``, ``tm.Tally`` bytes and sums,
``tm.percent``, ``tm.synthetic`` and ``tm.Rubric``."""

from __future__ import annotations

import datetime as dt
import math
import pickle
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pyarrow as pa

from fuzz import build


def _checks():
    from fuzz import checks

    return checks


# ---------------------------------------------------------------------------- arguments


def arg(a: Any) -> Any:
    """The Python value of an argument spec."""
    kind = a[0]
    if kind == "date":
        return dt.date(*a[1:4])
    if kind == "datetime":
        y, m, d, h, mi, s, tz = a[1:8]
        return dt.datetime(y, m, d, h, mi, s, tzinfo=build.zone(tz))
    if kind == "value":
        return a[1]
    if kind == "list":
        return [arg(x) for x in a[1]]
    if kind == "np":
        return np.array([arg(x) if isinstance(x, tuple) else x for x in a[2]], dtype=a[1])
    if kind == "pa":  # Python values in an Arrow type
        values = [None if x is None else arg(x) for x in a[2]]
        if a[1].startswith("timestamp[") and "," in a[1]:  # aware values, any zone
            return pa.array(values, build.arrow_type(a[1]))
        return pa.array(values, build.arrow_type(a[1]))
    if kind == "chunked":
        whole = arg(a[1])
        k = min(a[2], len(whole))
        return pa.chunked_array([whole.slice(0, k), whole.slice(k)], type=whole.type)
    raise ValueError(kind)


def plain(value: Any) -> Any:
    """An element as the scalar call takes it: aware instants as civil time in Việt Nam."""
    if isinstance(value, dt.datetime):
        return build.civil(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def elements(value: Any) -> list | None:
    """The elements of an array-like argument, or None for a scalar."""
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return [plain(v) for v in value.to_pylist()]
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return [plain(v) for v in value.astype("datetime64[us]").astype(object).tolist()]
        return [plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [plain(v) for v in value]
    return None


# ---------------------------------------------------------------------------- calendar


def target_calendar(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    cal = ch.build_or_fail(lambda: tm.Calendar.vietnam(**spec.get("calendar", {})))
    args = ch.build_or_fail(lambda: [arg(a) for a in spec["args"]])
    kwargs = ch.build_or_fail(lambda: {k: arg(a) for k, a in spec.get("kwargs", {}).items()})
    method = getattr(cal, spec["method"])
    result, error, _ = ch.guarded(lambda: method(*args, **kwargs))
    if error is not None:
        return error
    v: list[str] = []
    lists = [elements(a) for a in args]
    if any(x is not None for x in lists):
        v += check_vector(cal, spec["method"], args, lists, result)
    else:
        v += check_scalar(cal, spec["method"], args, kwargs, result)
    return {"kind": "result", "violations": v[:20]}


def check_vector(cal: Any, method: str, args: list, lists: list, result: Any) -> list[str]:
    v = []
    sizes = [len(x) for x in lists if x is not None]
    n = max(sizes) if all(s in (1, max(sizes)) for s in sizes) else None
    if not isinstance(result, (pa.Array, pa.ChunkedArray)):
        return [f"{method} of arrays returned {type(result).__name__}, not an Arrow array"]
    if n is None:
        return [f"{method} broadcast lengths {sizes} to {len(result)}"]
    if len(result) != n:
        return [f"{method} of lengths {sizes} gave {len(result)} values"]
    got = result.to_pylist()
    columns = [x if x is not None else [plain(a)] for x, a in zip(lists, args)]
    for i in range(n):
        call = [c[i] if len(c) > 1 else c[0] for c in columns]
        if any(c is None or (isinstance(c, float) and math.isnan(c)) for c in call):
            if got[i] is not None:
                v.append(f"{method}: element {i} has a null input but the value {got[i]!r}")
            continue
        try:
            want = getattr(cal, method)(*call)
        except Exception as e:  # noqa: BLE001 - the whole call should then have failed too
            v.append(f"{method}: element {i} {call!r} fails alone ({type(e).__name__}: {str(e)[:120]}) "
                     f"but gives {got[i]!r} in an array")
            continue
        if got[i] != want:
            v.append(f"{method}: element {i} {call!r} is {got[i]!r} in an array, {want!r} alone")
    return v


def check_scalar(cal: Any, method: str, args: list, kwargs: dict, result: Any) -> list[str]:
    v = []
    # an aware instant is read in UTC+7: the same call on the civil time gives the same answer
    civil = [plain(a) for a in args]
    if civil != args:
        try:
            want = getattr(cal, method)(*civil, **kwargs)
        except Exception as e:  # noqa: BLE001
            return [f"{method}{tuple(args)!r} gives {result!r}, the same instants in civil time fail: {e}"]
        if want != (build.civil(result) if isinstance(result, dt.datetime) else result):
            v.append(f"{method}{tuple(args)!r} = {result!r}, in civil time (UTC+7) {want!r}")
    day = civil[0] if civil else None
    if isinstance(day, dt.datetime):
        day = day.date()
    if method == "is_working_day" and isinstance(day, dt.date) and isinstance(result, bool):
        try:
            rolled = cal.add_working_days(day, 0)
            between = cal.working_days_between(day, day + dt.timedelta(days=1))
        except Exception:  # noqa: BLE001 - the day after may be past the calendar's range
            return v
        if (rolled == day) != result or between != int(result):
            v.append(f"is_working_day({day}) = {result}, add_working_days(d, 0) = {rolled}, "
                     f"working_days_between(d, d+1) = {between}")
    if method == "add_working_days" and isinstance(day, dt.date) and isinstance(result, dt.date) \
            and isinstance(args[1], int) and not isinstance(args[1], bool):
        n = args[1]
        rolled = cal.add_working_days(day, 0)
        if not cal.is_working_day(result):
            v.append(f"add_working_days({day}, {n}) = {result}, not a working day")
        elif cal.working_days_between(rolled, result) != n:
            v.append(f"add_working_days({day}, {n}) = {result}: {cal.working_days_between(rolled, result)} "
                     f"working days after {rolled}, not {n}")
    return v


# ---------------------------------------------------------------------------- tallies


def base_tally(seed: int = 1, n: int = 200, **options: Any):
    import tthc_metrics as tm

    options.setdefault("as_of", dt.date(2023, 12, 31))
    return tm.tally(tm.synthetic(n, units=5, seed=seed), **options)


def target_tally_bytes(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    t = ch.build_or_fail(lambda: base_tally())
    raw = bytearray(t.to_bytes())
    kind, p = spec["mutation"]
    if kind == "truncate":
        data = bytes(raw[: p % (len(raw) + 1)])
    elif kind == "flip":
        i, mask = p
        raw[i % len(raw)] ^= mask or 1
        data = bytes(raw)
    elif kind == "insert":
        i, extra = p
        data = bytes(raw[: i % (len(raw) + 1)]) + extra + bytes(raw[i % (len(raw) + 1):])
    elif kind == "append":
        data = bytes(raw) + p
    elif kind == "random":
        data = p
    else:
        data = p * 1
    result, error, _ = ch.guarded(lambda: tm.Tally.from_bytes(data))
    if error is not None:
        return error
    v = []
    d = result.to_dict()
    if any(x < 0 for x in d.values()):
        v.append("from_bytes accepted a tally with a negative count")
    identities = {
        "finished": d["early"] + d["on_time"] + d["late"], "unfinished": d["within_due"] + d["overdue"],
        "refused_withdrawn": d["refused"] + d["withdrawn"] + d["stopped"],
        "received": d["received_online"] + d["received_direct"] + d["received_post"],
    }
    broken = [k for k, want in identities.items() if d[k] != want]
    if broken:
        v.append(f"from_bytes accepted altered bytes as a tally whose identities fail: {broken} "
                 f"({kind} {p if not isinstance(p, bytes) else len(p)})")
    if tm.Tally.from_bytes(result.to_bytes()) != result or pickle.loads(pickle.dumps(result)) != result:
        v.append("an accepted tally does not round-trip")
    return {"kind": "result", "violations": v}


def target_tally_sum(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    data = ch.build_or_fail(lambda: tm.synthetic(spec["n"], units=7, seed=spec["seed"]))
    opts = spec["options"]
    cuts = sorted(set([0, *[c % (spec["n"] + 1) for c in spec["cuts"]], spec["n"]]))

    def run():
        parts = [tm.tally(data.slice(a, b - a), **opts) for a, b in zip(cuts, cuts[1:])] or [tm.tally(data, **opts)]
        whole = tm.tally(data, **opts)
        total = sum(parts, tm.Tally())
        total2 = sum(parts) if parts else tm.Tally()
        doubled = whole
        for _ in range(spec["doublings"]):
            doubled = doubled + doubled
        return parts, whole, total, total2, doubled

    result, error, _ = ch.guarded(run)
    if error is not None:
        if error["code"] == "overflow" and spec["doublings"] and max(base_tally_counts(data, opts)) << spec["doublings"] > 2**63 - 1:
            return {"kind": "result", "violations": []}  # the overflow the docstring promises
        return error
    parts, whole, total, total2, doubled = result
    v = []
    if total != whole or total.to_dict() != whole.to_dict() or total2 != whole:
        v.append(f"sum of {len(parts)} parts != the tally of the whole: {total.to_dict()} vs {whole.to_dict()}")
    want = {k: x << spec["doublings"] for k, x in whole.to_dict().items()}
    if max(want.values(), default=0) > 2**63 - 1:
        v.append(f"{spec['doublings']} doublings past 2^63 - 1 gave a tally, not an overflow error")
    elif doubled.to_dict() != want:
        v.append(f"{spec['doublings']} doublings: {doubled.to_dict()} != {want}")
    other = tm.tally(data, **{**opts, "rate_policy": "late_share" if opts.get("rate_policy") != "late_share" else "resolved_only"})
    _, merge_error, _ = ch.guarded(lambda: whole + other)
    if merge_error is None or merge_error["type"] != "MergeError":
        v.append(f"tallies of different policies merged: {merge_error}")
    return {"kind": "result", "violations": v}


def base_tally_counts(data: Any, opts: dict) -> list[int]:
    import tthc_metrics as tm

    return list(tm.tally(data, **opts).to_dict().values())


# ---------------------------------------------------------------------------- percent, synthetic, rubric


def exact_percent(rate: Fraction, dp: int) -> Decimal:
    """Domain-rules section 4: the percentage rounded half away from zero to ``dp`` decimals."""
    scaled = rate * 100 * 10**dp
    whole = math.floor(scaled + Fraction(1, 2)) if scaled >= 0 else -math.floor(-scaled + Fraction(1, 2))
    return Decimal(whole).scaleb(-dp)


def target_percent(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    rate = arg(spec["rate"])
    dp = arg(spec["dp"])
    result, error, _ = ch.guarded(lambda: tm.percent(rate, dp))
    if error is not None:
        return error
    v = []
    if rate is None:
        return {"kind": "result", "violations": [] if result is None else [f"percent(None) = {result!r}"]}
    exact = Fraction(rate) if isinstance(rate, (int, Fraction)) and not isinstance(rate, bool) else None
    if exact is not None and isinstance(dp, int) and not isinstance(dp, bool):
        if not 0 <= exact <= 1:
            v.append(f"percent({rate}) of a rate outside [0, 1] gave {result!r}")
        elif not 0 <= dp <= 20:
            v.append(f"percent(dp={dp}) outside 0-20 gave {result!r}")
        else:
            want = exact_percent(exact, dp)
            if not isinstance(result, Decimal) or result != want or result.as_tuple().exponent != -dp:
                v.append(f"percent({rate}, {dp}) = {result!r}, half away from zero gives {want!r}")
    return {"kind": "result", "violations": v}


def target_synthetic(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    kw = {k: spec[k] for k in ("units", "seed") if k in spec}
    result, error, _ = ch.guarded(lambda: tm.synthetic(spec["n"], **kw))
    if error is not None:
        return error
    v = []
    if not isinstance(result, pa.Table) or result.num_rows != spec["n"]:
        return {"kind": "result", "violations": [f"synthetic({spec['n']}) gave {getattr(result, 'num_rows', result)!r} rows"]}
    if not tm.synthetic(spec["n"], **kw).equals(result):
        v.append("synthetic is not deterministic for a seed")
    units = len(set(result.column("unit").to_pylist())) if result.num_rows else 0
    if isinstance(spec.get("units"), int) and spec["units"] >= 1 and units > spec["units"]:
        v.append(f"{units} distinct units, more than units={spec['units']}")
    r, rerr, _ = ch.guarded(lambda: tm.report_details(result, as_of=dt.date(2023, 12, 31), by=("unit", "month"),
                                                     on_error="skip"))
    if rerr is not None:
        v.append(f"a report of the synthetic table fails: {rerr['type']}: {rerr['message'][:200]}")
    elif int(r.provenance["inputs"]) != spec["n"]:
        v.append("a report of the synthetic table does not see every row")
    return {"kind": "result", "violations": v}


def target_rubric(spec: dict) -> dict:
    import tthc_metrics as tm

    ch = _checks()
    parse = tm.Rubric.from_toml if spec["format"] == "toml" else tm.Rubric.from_json
    rubric, error, _ = ch.guarded(lambda: parse(spec["text"]))
    if error is not None:
        return error
    v = []
    again, err2, _ = ch.guarded(lambda: tm.Rubric.from_toml(rubric.to_toml()))
    if err2 is not None:
        v.append(f"a parsed rubric's to_toml does not parse: {err2['type']}: {err2['message'][:200]}")
    elif again.criteria != rubric.criteria or again.name != rubric.name:
        v.append("to_toml/from_toml changes the rubric")
    tally = base_tally()
    score, err3, _ = ch.guarded(lambda: rubric.score(tally, date=dt.date(2023, 6, 30)))
    if err3 is not None and not (err3["tthc"] and err3["code"] != "internal_error"):
        v.append(f"score: {err3['type']}({err3['code']}): {err3['message'][:200]}")
    elif score is not None and not (Decimal(0) <= score.earned <= score.max):
        v.append(f"score earned {score.earned} outside [0, {score.max}]")
    return {"kind": "result", "violations": v}


def target_lazy(spec: dict) -> dict:
    """An input the API does not take (a polars LazyFrame, a dict, a list): a TypeError."""
    import tthc_metrics as tm

    ch = _checks()
    import polars as pl

    data = {"lazy": lambda: pl.DataFrame({"unit": ["X"], "received_at": ["2023-10-02"], "status": ["4"]}).lazy(),
            "dict": lambda: {"unit": ["X"], "received_at": ["2023-10-02"], "status": ["4"]},
            "list": lambda: [1, 2, 3], "none": lambda: None, "str": lambda: "table.csv"}[spec["what"]]()
    fn = getattr(tm, spec["entry"])
    _, error, _ = ch.guarded(lambda: fn(data, as_of=dt.date(2023, 10, 16)))
    if error is None:
        return {"kind": "result", "violations": []}
    return error


TARGETS = {
    "calendar": target_calendar,
    "tally_bytes": target_tally_bytes,
    "tally_sum": target_tally_sum,
    "percent": target_percent,
    "synthetic": target_synthetic,
    "rubric": target_rubric,
    "not_a_table": target_lazy,
}
