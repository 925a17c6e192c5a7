"""A straightforward pandas implementation of domain-rules sections 3-6, kept apart from the library
as an independent oracle. Defaults only: date comparison, supplement clock paused, original due date.

Statuses are national codes 1-10 or the text "refused". Times are naive civil time (UTC+7).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

FINISHED = {9, 10}
NEVER = {1, 3}
WITHDRAWN = {7}
STOPPED = {8}
SUPPLEMENT = {5}
PAYMENT = {6}

COUNTS = [
    "received",
    "received_online",
    "carried_over",
    "finished",
    "early",
    "on_time",
    "late",
    "unfinished",
    "within_due",
    "overdue",
    "awaiting_supplement",
    "awaiting_payment",
    "refused_withdrawn",
]


def _status(df: pd.DataFrame) -> pd.Series:
    return df["status"].map(lambda s: 11 if s == "refused" else int(s))


def _period_start(days: pd.Series, granularity: str) -> pd.Series:
    if granularity == "week":
        return days - pd.to_timedelta(days.dt.weekday, unit="D")
    if granularity == "month":
        return days.dt.to_period("M").dt.start_time
    if granularity is None:
        return pd.Series(pd.NaT, index=days.index)
    raise ValueError(granularity)


def _periods(start: dt.date, end: dt.date, granularity: str | None) -> list[tuple[dt.date, dt.date]]:
    if granularity is None:
        return [(start, end)]
    out = []
    d = start
    while d <= end:
        if granularity == "week":
            p_end = d + dt.timedelta(days=6 - d.weekday())
        elif granularity == "month":
            nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            p_end = nxt - dt.timedelta(days=1)
        else:
            raise ValueError(granularity)
        p_end = min(p_end, end)
        out.append((d, p_end))
        d = p_end + dt.timedelta(days=1)
    return out


def _classify(df: pd.DataFrame, cutoff: pd.Timestamp) -> pd.Series:
    """Outcome of each (received, valid) dossier at the end of a day; `cutoff` is the next
    midnight (exclusive), so that a time in the day's last second (23:59:59.5) is in the day."""
    st = _status(df)
    end = df["finished_at"].where(st.isin(FINISHED), pd.NaT)
    rws = st.isin(WITHDRAWN | STOPPED | {11})
    end = end.where(~rws, df["finished_at"].fillna(df["received_at"]))
    ended = end.notna() & (end < cutoff)
    fin_day = df["finished_at"].dt.normalize()
    due_day = df["due_at"].dt.normalize()
    out = pd.Series("within_due", index=df.index, dtype=object)
    fin = ended & st.isin(FINISHED)
    out[fin & due_day.isna()] = "on_time"
    out[fin & (fin_day < due_day)] = "early"
    out[fin & (fin_day == due_day)] = "on_time"
    out[fin & (fin_day > due_day)] = "late"
    out[ended & (st == 11)] = "refused"
    out[ended & st.isin(WITHDRAWN)] = "withdrawn"
    out[ended & st.isin(STOPPED)] = "stopped"
    open_ = ~ended
    out[open_ & st.isin(SUPPLEMENT)] = "awaiting_supplement"
    out[open_ & st.isin(PAYMENT)] = "awaiting_payment"
    overdue = open_ & ~st.isin(SUPPLEMENT | PAYMENT) & due_day.notna() & (due_day < cutoff.normalize() - pd.Timedelta(days=1))
    out[overdue] = "overdue"
    return out


def _counts(outcome: pd.Series, new: pd.Series, online: pd.Series) -> dict[str, int]:
    c = outcome.value_counts()
    g = lambda k: int(c.get(k, 0))  # noqa: E731
    return {
        "received": int(new.sum()),
        "received_online": int((new & online).sum()),
        "carried_over": int((~new).sum()),
        "finished": g("early") + g("on_time") + g("late"),
        "early": g("early"),
        "on_time": g("on_time"),
        "late": g("late"),
        "unfinished": g("within_due") + g("overdue"),
        "within_due": g("within_due"),
        "overdue": g("overdue"),
        "awaiting_supplement": g("awaiting_supplement"),
        "awaiting_payment": g("awaiting_payment"),
        "refused_withdrawn": g("refused") + g("withdrawn") + g("stopped"),
    }


def cohort(df: pd.DataFrame, as_of: dt.date, granularity: str | None, start: dt.date) -> pd.DataFrame:
    cutoff = pd.Timestamp(as_of + dt.timedelta(days=1))  # the next midnight, exclusive
    st = _status(df)
    d = df[~st.isin(NEVER) & (df["received_at"] < cutoff) & (df["received_at"] >= pd.Timestamp(start))].copy()
    d["outcome"] = _classify(d, cutoff)
    rows = []
    for p_start, p_end in _periods(start, as_of, granularity):
        day = d["received_at"].dt.normalize()
        in_p = d[(day >= pd.Timestamp(p_start)) & (day <= pd.Timestamp(p_end))]
        for unit, g in in_p.groupby("unit"):
            new = pd.Series(True, index=g.index)
            rows.append({"unit": unit, "period_start": p_start, "period_end": p_end,
                         **_counts(g["outcome"], new, g["channel"] == "online")})
    return pd.DataFrame(rows)


def activity(df: pd.DataFrame, start: dt.date, end: dt.date, granularity: str | None) -> pd.DataFrame:
    st = _status(df)
    d = df[~st.isin(NEVER)].copy()
    st = _status(d)
    end_time = d["finished_at"].where(st.isin(FINISHED), pd.NaT)
    rws = st.isin(WITHDRAWN | STOPPED | {11})
    end_time = end_time.where(~rws, d["finished_at"].fillna(d["received_at"]))
    rows = []
    for p_start, p_end in _periods(start, end, granularity):
        s = pd.Timestamp(p_start)
        cutoff = pd.Timestamp(p_end + dt.timedelta(days=1))  # the next midnight, exclusive
        alive = (d["received_at"] < cutoff) & ~(end_time.notna() & (end_time < s))
        g_all = d[alive]
        outcome = _classify(g_all, cutoff)
        for unit, idx in g_all.groupby("unit").groups.items():
            g = g_all.loc[idx]
            new = g["received_at"] >= s
            rows.append({"unit": unit, "period_start": p_start, "period_end": p_end,
                         **_counts(outcome.loc[idx], new, g["channel"] == "online")})
    return pd.DataFrame(rows)


def random_dossiers(n: int, seed: int) -> pd.DataFrame:
    """Random dossiers over 2023 with every status, nulls and same-day finishes (numpy only)."""
    rng = np.random.default_rng(seed)
    base = np.datetime64("2023-01-01T00:00:00")
    received = base + rng.integers(0, 365 * 86_400, n).astype("timedelta64[s]")
    due_days = rng.choice([0, 1, 3, 5, 10, 15, 30], n)
    due = (received.astype("datetime64[D]") + due_days.astype("timedelta64[D]")).astype("datetime64[s]") + np.timedelta64(17, "h")
    finished = received + rng.integers(0, 45 * 86_400, n).astype("timedelta64[s]")
    codes = rng.choice(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), n,
                       p=[0.01, 0.03, 0.01, 0.12, 0.04, 0.01, 0.02, 0.01, 0.35, 0.38, 0.02])
    status = np.where(codes == 11, "refused", codes.astype(str))
    df = pd.DataFrame({
        "dossier_id": [f"R{i:07d}" for i in range(n)],
        "unit": rng.choice(["UBND xã Nam Đà", "UBND xã Đắk Sôr", "Phòng Tư pháp", "Chi nhánh VPĐKĐĐ", "Phòng Nội vụ"], n),
        "received_at": received,
        "due_at": due,
        "finished_at": finished,
        "status": status,
        "channel": rng.choice(["direct", "online", "post"], n, p=[0.6, 0.35, 0.05]),
    })
    # unfinished statuses have no end time; some finished-group-less rows keep one (withdrawn, refused)
    open_ = np.isin(codes, [1, 2, 3, 4, 5])
    df.loc[open_, "finished_at"] = pd.NaT
    df.loc[rng.random(n) < 0.05, "due_at"] = pd.NaT
    no_end = np.isin(codes, [6, 7, 8, 11]) & (rng.random(n) < 0.3)
    df.loc[no_end, "finished_at"] = pd.NaT
    return df
