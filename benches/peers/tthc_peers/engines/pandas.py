"""pandas: the frame's columns to numpy (text statuses through `pd.factorize` and a lookup of the
few distinct names, zoned times through `tz_convert`, date objects through `pd.to_datetime`),
masks for the outcome, and pandas' grouping: the (unit, period, outcome, channel, eligible) key
packed into one int64 and counted with `value_counts` (a one-key count is far faster in pandas
than a five-key groupby on 10M rows), unpacked and unstacked on the small result.

Activity: the classes of polars' activity (one packed key, `value_counts`), then a loop over the
periods, each vectorised over the classes alive in it; the per-dossier variant loops over every
dossier alive in each period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..common import (AS_OF, COUNTS, DIRECT, ELIGIBLE_LEVEL, N_OUTCOMES, ONLINE, OVERDUE, PAYMENT, SPEC,
                      START, STATUS_CODE_OF, SUPPLEMENT, TZ, WITHIN, channel_detail, columns_needing, cutoff,
                      epoch_day, midnight, periods)
from .numpy import NAT, US_DAY, days, end_outcome, end_times, last_day_of_period, period_of

N_CODES = N_OUTCOMES * 3 * 2 * 2  # code = ((outcome * 3 + channel - 1) * 2 + eligible) * 2 + new


def _times(s: Any) -> np.ndarray:
    """int64 microseconds of civil time in Việt Nam (NaT: NAT)."""
    import pandas as pd

    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert(TZ).dt.tz_localize(None)
    elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        # date objects, or text times as exports write them (the day first: the format, never a guess)
        text = any(isinstance(x, str) for x in s.iloc[:1000])
        s = pd.to_datetime(s, format="%d/%m/%Y %H:%M:%S") if text else pd.to_datetime(s)
    return s.to_numpy(dtype="datetime64[us]").view(np.int64)


def _statuses(s: Any) -> np.ndarray:
    import pandas as pd

    if pd.api.types.is_integer_dtype(s.dtype):
        return s.to_numpy()
    codes, names = pd.factorize(s)
    lut = np.array([STATUS_CODE_OF[n] for n in names], dtype=np.int8)
    return lut[codes]


def arrays(df: Any, columns: list[str] = COUNTS) -> dict[str, Any]:
    """The columns as numpy; `ch` the channel index (0 direct, 1 online, 2 post; 0 online or not
    when `columns` need no more: fewer classes) and `eligible` (0 when not needed), small ints."""
    import pandas as pd

    unit, names = pd.factorize(df["unit"])
    if channel_detail(columns) == "full":
        ch = (df["channel"].fillna(DIRECT).to_numpy() - 1).astype(np.int8)
    else:
        ch = (df["channel"].to_numpy() == ONLINE).astype(np.int8)
    eligible = ((df["online_service"].to_numpy() >= ELIGIBLE_LEVEL).astype(np.int8) if columns_needing(columns)[2]
                else np.zeros(len(df), np.int8))
    return {"status": _statuses(df["status"]), "received": _times(df["received_at"]),
            "finished": _times(df["finished_at"]), "due": _times(df["due_at"]), "ch": ch,
            "eligible": eligible, "unit": unit.astype(np.int64), "units": np.asarray(names, dtype=object)}


def _pd_table(grouped: Any, columns: list[str]) -> Any:
    """Counts from a frame indexed by group, with one column per code (module constant)."""
    import pandas as pd

    c = grouped.reindex(columns=range(N_CODES), fill_value=0).to_numpy().reshape(len(grouped), N_OUTCOMES, 3, 2, 2)
    out = {}
    for name in columns:
        outcomes, new, channels, eligible = SPEC[name]
        v = c[:, list(outcomes)] if outcomes is not None else c
        if channels is not None:
            v = v[:, :, [ch - 1 for ch in channels]]
        if eligible is not None:
            v = v[:, :, :, 1:]
        if new is not None:
            v = v[..., 1:] if new else v[..., :1]
        out[name] = v.reshape(len(grouped), -1).sum(axis=1)
    return pd.DataFrame(out, index=grouped.index).reset_index()


def _outcome_at(st: np.ndarray, end: np.ndarray, fin_day: np.ndarray, due_day: np.ndarray, cut_us: int,
                cut_day: int) -> np.ndarray:
    o = np.where((due_day == NAT) | (due_day >= cut_day), WITHIN, OVERDUE).astype(np.int64)
    o[st == 5] = SUPPLEMENT
    o[st == 6] = PAYMENT
    ended = (end != NAT) & (end <= cut_us)
    o[ended] = end_outcome(st[ended], fin_day[ended], due_day[ended])
    return o


def _us(x: dt.date | dt.datetime) -> int:
    return int(np.datetime64(x, "us").view(np.int64))


def cohort(df: Any, gran: str = "week", start: dt.date = START, as_of: dt.date = AS_OF,
           columns: list[str] = COUNTS) -> Any:
    import pandas as pd

    a = arrays(df, columns)
    cut = _us(cutoff(as_of))
    st, rec = a["status"], a["received"]
    keep = (st != 1) & (st != 3) & (rec >= _us(midnight(start))) & (rec <= cut)
    st, rec, fin, due = st[keep], rec[keep], a["finished"][keep], a["due"][keep]
    o = _outcome_at(st, end_times(st, rec, fin), days(fin), days(due), cut, epoch_day(as_of))
    p = period_of(rec // US_DAY, gran, start)
    code = ((o * 3 + a["ch"][keep]) * 2 + a["eligible"][keep]) * 2 + 1
    key = (a["unit"][keep] << 32) + (p << 8) + code
    counts = pd.Series(key).value_counts(sort=False)
    key = counts.index.to_numpy()
    g = pd.DataFrame({"u": key >> 32, "p": (key >> 8) & 0xFFFFFF, "code": key & 0xFF, "n": counts.to_numpy()})
    t = _pd_table(g.set_index(["u", "p", "code"])["n"].unstack("code", fill_value=0), columns)
    return _named(t, a["units"], periods(gran, start, as_of))


def _named(t: Any, units: np.ndarray, ps: list[tuple[dt.date, dt.date]]) -> Any:
    """A table keyed by unit code `u` and period index `p` with the unit names and period days."""
    p = t.pop("p").to_numpy()
    t.insert(0, "unit", units.take(t.pop("u").to_numpy()))
    t.insert(1, "period_start", np.array([s for s, _ in ps], dtype="datetime64[D]")[p])
    t.insert(2, "period_end", np.array([e for _, e in ps], dtype="datetime64[D]")[p])
    return t


def activity(df: Any, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
             columns: list[str] = COUNTS) -> Any:
    """Aggregate first (classes: one packed key, `value_counts`), then a loop over the periods."""
    import pandas as pd

    a = arrays(df, columns)
    ps = periods(gran, start, end)
    last = len(ps) - 1
    cut = _us(cutoff(end))
    end_at = end_times(a["status"], a["received"], a["finished"])
    keep = ((a["status"] != 1) & (a["status"] != 3) & (a["received"] <= cut)
            & ((end_at == NAT) | (end_at >= _us(midnight(start)))))
    a = {k: (v[keep] if k != "units" else v) for k, v in a.items()}
    end_at, st = end_at[keep], a["status"]
    ends = (end_at != NAT) & (end_at <= cut)
    fin_day, due_day = days(a["finished"]), days(a["due"])
    e_out = np.full(len(st), -1, np.int64)
    e_out[ends] = end_outcome(st[ends], fin_day[ends], due_day[ends])
    w_e = np.full(len(st), last + 1, np.int64)
    w_e[ends] = period_of(days(end_at[ends]), gran, start)
    plain = (st != 5) & (st != 6) & (due_day != NAT)
    q = np.full(len(st), last + 1, np.int64)
    dd = due_day[plain]
    q[plain] = np.clip(period_of(dd, gran, start) + (last_day_of_period(dd, gran) | (dd >= epoch_day(end))),
                       -1, last + 1)
    kind = np.where(st == 5, 1, np.where(st == 6, 2, 0))
    # the class of each dossier packed into one int64 key, counted, unpacked
    fields = [  # (value, number of values)
        (np.clip(period_of(days(a["received"]), gran, start), -1, last) + 1, last + 2),
        (w_e, last + 2),
        (e_out + 1, N_OUTCOMES + 1),
        (kind, 3),
        (q + 1, last + 3),
        (a["ch"], 3),
        (a["eligible"], 2),
    ]
    key = a["unit"]
    for value, size in fields:
        key = key * size + value
    sizes = pd.Series(key).value_counts(sort=False)
    key, n = sizes.index.to_numpy(), sizes.to_numpy()
    c = {}
    for name, (_, size) in zip(("eligible", "channel", "q", "kind", "end_outcome", "w_e", "w_r"), reversed(fields)):
        key, c[name] = np.divmod(key, size)
    c["w_r"], c["end_outcome"], c["q"] = c["w_r"] - 1, c["end_outcome"] - 1, c["q"] - 1
    class_unit = key
    first, stop = np.clip(c["w_r"], 0, last), np.clip(c["w_e"], 0, last)
    frames = []
    for p, (s, e) in enumerate(ps):
        idx = np.flatnonzero((first <= p) & (p <= stop))
        if len(idx) == 0:
            continue
        outcome = np.select([c["w_e"][idx] == p, c["kind"][idx] == 1, c["kind"][idx] == 2, p >= c["q"][idx]],
                            [c["end_outcome"][idx], SUPPLEMENT, PAYMENT, OVERDUE], WITHIN)
        code = ((outcome * 3 + c["channel"][idx]) * 2 + c["eligible"][idx]) * 2 + (c["w_r"][idx] == p)
        sizes = pd.DataFrame({"u": class_unit[idx], "code": code, "n": n[idx]}) \
            .groupby(["u", "code"])["n"].sum().unstack("code", fill_value=0)
        frames.append(_pd_table(sizes, columns).assign(p=p))
    return _named(pd.concat(frames, ignore_index=True), a["units"], ps)


def activity_per_dossier(df: Any, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
                         columns: list[str] = COUNTS) -> Any:
    """The straightforward way: a loop over the periods, each vectorised over every dossier alive in
    it (numpy masks, one groupby)."""
    import pandas as pd

    a = arrays(df, columns)
    keep = (a["status"] != 1) & (a["status"] != 3)
    a = {k: (v[keep] if k != "units" else v) for k, v in a.items()}
    end_at = end_times(a["status"], a["received"], a["finished"])
    end_or_inf = np.where(end_at == NAT, np.iinfo(np.int64).max, end_at)
    fin_day, due_day = days(a["finished"]), days(a["due"])
    attrs = a["ch"].astype(np.int64) * 2 + a["eligible"]
    frames = []
    ps = periods(gran, start, end)
    for p, (s, e) in enumerate(ps):
        s_us = _us(s)
        cut = _us(e) + US_DAY - 1_000_000
        idx = np.flatnonzero((a["received"] <= cut) & (end_or_inf >= s_us))
        if len(idx) == 0:
            continue
        outcome = _outcome_at(a["status"][idx], end_at[idx], fin_day[idx], due_day[idx], cut, epoch_day(e))
        code = (outcome * 6 + attrs[idx]) * 2 + (a["received"][idx] >= s_us)
        sizes = pd.DataFrame({"u": a["unit"][idx], "code": code}) \
            .groupby(["u", "code"]).size().unstack("code", fill_value=0)
        frames.append(_pd_table(sizes, columns).assign(p=p))
    return _named(pd.concat(frames, ignore_index=True), a["units"], ps)


VIEWS = {"cohort": cohort, "activity": activity}
