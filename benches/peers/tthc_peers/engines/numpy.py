"""Hand-written numpy (one thread) on a pyarrow table: columns to numpy arrays (pyarrow.compute
maps text statuses to codes, zoned times to civil time, dictionaries to indices), then dense
counts with `np.bincount` over a packed (unit, period, outcome) index.

Cohort: one bincount of (unit, reception period, outcome at the cut-off) and one of (unit, period,
channel, eligible). Activity: a dossier is alive from the period of its reception (or the first)
to the period it ends in (or the last); in between its outcome is within due, then overdue from the
first period whose last day is after its due date (or awaiting supplement / payment throughout), and
its end outcome in the period it ends in. Each of those runs is a +1 at its first period and a -1
after its last in a difference array, one bincount each, and a cumulative sum over the periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..common import (AS_OF, COUNTS, DIRECT, ELIGIBLE_LEVEL, N_OUTCOMES, ON_TIME, OVERDUE, PAYMENT, SPEC,
                      START, STATUS_CODE_OF, STOPPED, SUPPLEMENT, TZ, WITHDRAWN, WITHIN, cutoff, epoch_day,
                      first_period_day, midnight, month_number, periods)

NAT = np.iinfo(np.int64).min
US_DAY = 86_400_000_000


def _us(day_or_time: dt.date | dt.datetime) -> int:
    return int(np.datetime64(day_or_time, "us").view(np.int64))


def times(col: pa.ChunkedArray) -> np.ndarray:
    """int64 microseconds of civil time in Việt Nam, NAT for null."""
    t = col.type
    if pa.types.is_timestamp(t) and t.tz:
        col = pc.local_timestamp(col.cast(pa.timestamp(t.unit, tz=TZ)))  # the instants in Việt Nam's zone
    if not (pa.types.is_timestamp(col.type) and col.type.unit == "us"):
        col = col.cast(pa.timestamp("us"))
    return col.cast(pa.int64()).fill_null(NAT).to_numpy()


def statuses(col: pa.ChunkedArray) -> np.ndarray:
    t = col.type
    if pa.types.is_integer(t):
        return col.to_numpy()
    if pa.types.is_dictionary(t):
        parts = []
        for chunk in col.chunks:
            lut = np.array([STATUS_CODE_OF[v] for v in chunk.dictionary.to_pylist()], dtype=np.int8)
            parts.append(lut[chunk.indices.to_numpy()])
        return np.concatenate(parts) if parts else np.zeros(0, np.int8)
    names = list(STATUS_CODE_OF)
    idx = pc.index_in(col, value_set=pa.array(names))
    if idx.null_count:
        raise ValueError("unknown status name")
    return np.array(list(STATUS_CODE_OF.values()), dtype=np.int8)[idx.to_numpy()]


def units(col: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Unit indices and names."""
    if not pa.types.is_dictionary(col.type):
        col = pc.dictionary_encode(col)
    col = col.unify_dictionaries()
    if col.num_chunks == 0:
        return np.zeros(0, np.int64), []
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in col.chunks]).astype(np.int64)
    return codes, col.chunks[0].dictionary.to_pylist()


def arrays(table: pa.Table) -> dict[str, Any]:
    u, names = units(table.column("unit"))
    return {"status": statuses(table.column("status")), "received": times(table.column("received_at")),
            "finished": times(table.column("finished_at")), "due": times(table.column("due_at")),
            "channel": table.column("channel").fill_null(DIRECT).to_numpy(),
            "eligible": table.column("online_service").to_numpy() >= ELIGIBLE_LEVEL,
            "unit": u, "units": names}


def end_times(st: np.ndarray, rec: np.ndarray, fin: np.ndarray) -> np.ndarray:
    """End time: finished_at for 9, 10; finished_at else received_at for 7, 8; NAT otherwise."""
    end = np.where(st >= 9, fin, NAT)
    stop = (st == 7) | (st == 8)
    end[stop] = np.where(fin[stop] == NAT, rec[stop], fin[stop])
    return end


def days(us: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (NAT stays NAT)."""
    return np.where(us == NAT, NAT, us // US_DAY)


def period_of(day: np.ndarray, gran: str, start: dt.date) -> np.ndarray:
    if gran == "week":
        return (day - epoch_day(first_period_day("week", start))) // 7
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - month_number(start)


def last_day_of_period(day: np.ndarray, gran: str) -> np.ndarray:
    if gran == "week":
        return (day + 3) % 7 == 6  # 1970-01-01 was a Thursday
    return period_of(day + 1, "month", START) != period_of(day, "month", START)


def end_outcome(st: np.ndarray, fin_day: np.ndarray, due_day: np.ndarray) -> np.ndarray:
    """The outcome of ended dossiers (statuses 7-10)."""
    no_due = due_day == NAT
    out = (ON_TIME + np.sign(np.where(no_due, 0, fin_day - np.where(no_due, 0, due_day)))).astype(np.int8)
    out[st == 7] = WITHDRAWN
    out[st == 8] = STOPPED
    return out


def _table(by_outcome: np.ndarray, received: np.ndarray, attrs: np.ndarray, names: list[str],
           ps: list[tuple[dt.date, dt.date]], columns: list[str]) -> pa.Table:
    """Rows (unit, period) with a dossier from dense counts: by_outcome[U, P, N_OUTCOMES],
    received[U, P] (new), attrs[U, P, 3 channels, 2 eligible] (new)."""
    handled = by_outcome.sum(axis=2)
    u_idx, p_idx = np.nonzero(handled)
    out: dict[str, Any] = {
        "unit": pa.array(np.array(names, dtype=object)[u_idx], pa.string()),
        "period_start": pa.array([ps[p][0] for p in p_idx], pa.date32()),
        "period_end": pa.array([ps[p][1] for p in p_idx], pa.date32()),
    }
    for name in columns:
        outcomes, new, channels, eligible = SPEC[name]
        if outcomes is not None:
            v = by_outcome[:, :, list(outcomes)].sum(axis=2) if outcomes else np.zeros_like(handled)
        elif channels is not None or eligible is not None:
            a = attrs[:, :, [c - 1 for c in channels] if channels else slice(None)]
            a = a[:, :, :, 1:] if eligible else a
            v = a.sum(axis=(2, 3))
        elif new is None:
            v = handled
        else:
            v = received if new else handled - received
        out[name] = pa.array(v[u_idx, p_idx].astype(np.int64))
    return pa.table(out)


def cohort(table: pa.Table, gran: str = "week", start: dt.date = START, as_of: dt.date = AS_OF,
           columns: list[str] = COUNTS) -> pa.Table:
    a = arrays(table)
    cut = _us(cutoff(as_of))
    st, rec = a["status"], a["received"]
    keep = (st != 1) & (st != 3) & (rec >= _us(midnight(start))) & (rec <= cut)
    st, rec, fin, due = st[keep], rec[keep], a["finished"][keep], a["due"][keep]
    u, ch, elig = a["unit"][keep], a["channel"][keep].astype(np.int64), a["eligible"][keep]
    end = end_times(st, rec, fin)
    fin_day, due_day = days(fin), days(due)
    o = np.where((due == NAT) | (due_day >= epoch_day(as_of)), WITHIN, OVERDUE).astype(np.int8)
    o[st == 5] = SUPPLEMENT
    o[st == 6] = PAYMENT
    ended = (end != NAT) & (end <= cut)
    o[ended] = end_outcome(st[ended], fin_day[ended], due_day[ended])
    ps = periods(gran, start, as_of)
    n_u, n_p = len(a["units"]), len(ps)
    cell = u * n_p + period_of(days(rec), gran, start)
    by_outcome = np.bincount(cell * N_OUTCOMES + o, minlength=n_u * n_p * N_OUTCOMES).reshape(n_u, n_p, N_OUTCOMES)
    attrs = np.bincount((cell * 3 + ch - 1) * 2 + elig, minlength=n_u * n_p * 6).reshape(n_u, n_p, 3, 2)
    return _table(by_outcome, by_outcome.sum(axis=2), attrs, a["units"], ps, columns)


def activity(table: pa.Table, gran: str = "week", start: dt.date = START, end: dt.date = AS_OF,
             columns: list[str] = COUNTS) -> pa.Table:
    """Runs of constant outcome in a difference array (module docstring)."""
    a = arrays(table)
    ps = periods(gran, start, end)
    n_u, n_p = len(a["units"]), len(ps)
    last = n_p - 1
    cut = _us(cutoff(end))
    st, rec, fin = a["status"], a["received"], a["finished"]
    end_at = end_times(st, rec, fin)
    keep = (st != 1) & (st != 3) & (rec <= cut) & ((end_at == NAT) | (end_at >= _us(midnight(start))))
    st, rec, fin, due, end_at = st[keep], rec[keep], fin[keep], a["due"][keep], end_at[keep]
    u, ch, elig = a["unit"][keep], a["channel"][keep].astype(np.int64), a["eligible"][keep]
    ends = (end_at != NAT) & (end_at <= cut)
    w_r = np.clip(period_of(days(rec), gran, start), -1, last)
    first = np.maximum(w_r, 0)
    w_e = np.full(len(st), last + 1, np.int64)
    w_e[ends] = period_of(days(end_at[ends]), gran, start)
    due_day = days(due)
    plain = (st != 5) & (st != 6) & (due != NAT)
    q = np.full(len(st), last + 1, np.int64)
    dd = due_day[plain]
    q[plain] = np.clip(period_of(dd, gran, start) + (last_day_of_period(dd, gran) | (dd >= epoch_day(end))),
                       -1, last + 1)
    open_kind = np.where(st == 5, SUPPLEMENT, np.where(st == 6, PAYMENT, WITHIN)).astype(np.int64)
    stop = np.minimum(w_e, last + 1)  # open (not yet ended) in [first, stop)

    base = u * (n_p + 1)
    plus, minus = [], []

    def run(mask: np.ndarray, lo: np.ndarray, hi: np.ndarray, outcome: Any) -> None:
        """+1 in [lo, hi) for the rows of `mask` where lo < hi."""
        m = mask & (lo < hi)
        o = outcome[m] if isinstance(outcome, np.ndarray) else outcome
        plus.append((base[m] + lo[m]) * N_OUTCOMES + o)
        minus.append((base[m] + hi[m]) * N_OUTCOMES + o)

    is_plain = open_kind == WITHIN
    split = np.clip(q, first, stop)  # within due before q, overdue from q
    run(is_plain, first, split, WITHIN)
    run(is_plain, split, stop, OVERDUE)
    run(~is_plain, first, stop, open_kind)
    e = ends & (w_e <= last)
    o_end = end_outcome(st[e], days(fin[e]), due_day[e]).astype(np.int64)
    plus.append((base[e] + w_e[e]) * N_OUTCOMES + o_end)
    minus.append((base[e] + w_e[e] + 1) * N_OUTCOMES + o_end)
    size = n_u * (n_p + 1) * N_OUTCOMES
    diff = np.bincount(np.concatenate(plus), minlength=size) - np.bincount(np.concatenate(minus), minlength=size)
    by_outcome = diff.reshape(n_u, n_p + 1, N_OUTCOMES).cumsum(axis=1)[:, :n_p, :]

    new = w_r >= 0
    cell = u[new] * n_p + w_r[new]
    attrs = np.bincount((cell * 3 + ch[new] - 1) * 2 + elig[new], minlength=n_u * n_p * 6).reshape(n_u, n_p, 3, 2)
    return _table(by_outcome, attrs.sum(axis=(2, 3)), attrs, a["units"], ps, columns)


VIEWS = {"cohort": cohort, "activity": activity}
