"""Independent reference of the per-unit, per-month counts a correct library reports for the
exports of ``generate.py``, computed from the truth (the canonical rows), never from the files.

It does not import tthc_metrics. It follows ``shared/docs/domain-rules.md`` (sections 2, 3, 6) with
the defaults (calendar-date comparison, supplement clock paused, original due date) and the rules the
project decided for issue 17:

- unit key: NFC, trimmed, inner whitespace collapsed, lowercased; label: the NFC, trimmed,
  single-spaced spelling with the most common casing among all the input rows of that key (repeats
  and never-received rows included), ties to the first seen;
- a repeated dossier_id (NFC + trimmed) is one dossier: the row with the most advanced status by
  10 > 9 > refused = 7 = 8 > 6 > 5 > 4 > 2 > 3 > 1, ties to the last row in file order;
  de-duplication comes first, exclusion second (a 1 row superseded by a 10 row is counted);
- statuses 1 and 3 (never received) are excluded from every count, with or without a reception time;
- status 5 is ``awaiting_supplement``, status 6 ``awaiting_payment``: unfinished, clock paused, never
  ended, and in neither ``unfinished`` nor ``refused_withdrawn``;
- dates are compared as calendar dates (a bare ``datetime.date`` is its day); early < due day,
  on_time = due day, late > due day; finished without a due date is on time, unfinished without one
  is within due; unfinished with due day < cut-off day is overdue;
- withdrawn (7), stopped (8) and refused end at their ``finished_at``, or at reception without one;
  9 and 10 end at ``finished_at``; a dossier whose end is after the cut-off day is unfinished there;
- blank channel counts as direct.

``cohort(truth, as_of, start)``: dossiers received in [start, as_of], by (unit, month of reception),
classified at the end of ``as_of``. ``activity(truth, start, end)``: Biểu II.06a per (unit, month
within [start, end]); a month's period is clipped to [start, end]; a dossier is in a period when
received on or before its last day and not ended before its first day; ``received`` counts those
received in the period, ``carried_over`` the others; the outcome is taken at the period's last day.
Rows: cohort where received > 0; activity where received + carried_over > 0.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from typing import Any, Iterable

import pandas as pd

COUNTS = [
    "received", "received_online", "received_direct", "received_post", "carried_over",
    "finished", "early", "on_time", "late",
    "unfinished", "within_due", "overdue",
    "awaiting_supplement", "awaiting_payment", "refused_withdrawn",
]
COLUMNS = ["unit", "period_start", *COUNTS]

RANK: dict[Any, int] = {10: 9, 9: 8, "refused": 7, 7: 7, 8: 7, 6: 6, 5: 5, 4: 4, 2: 3, 3: 2, 1: 1}
FINISHED = {9, 10}
ENDED_OTHERWISE = {7, 8, "refused"}
NEVER_RECEIVED = {1, 3}


def _status(v: Any) -> Any:
    if isinstance(v, str) and v.strip().lower() == "refused":
        return "refused"
    return int(v)


def clean_spelling(name: str) -> str:
    """NFC, trimmed, every run of whitespace (NBSP and tabs too) one space; casing kept."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def unit_key(name: str) -> str:
    return clean_spelling(name).lower()


def id_key(dossier_id: str) -> str:
    return unicodedata.normalize("NFC", str(dossier_id)).strip()


def labels(truth: Iterable[dict]) -> dict[str, str]:
    """unit key -> displayed label: most common clean spelling among the rows, ties to first seen."""
    counts: dict[str, Counter] = {}
    first: dict[str, dict[str, int]] = {}
    for i, row in enumerate(truth):
        k, s = unit_key(row["unit"]), clean_spelling(row["unit"])
        counts.setdefault(k, Counter())[s] += 1
        first.setdefault(k, {}).setdefault(s, i)
    return {k: min(c, key=lambda s: (-c[s], first[k][s])) for k, c in counts.items()}


def dossiers(truth: Iterable[dict]) -> list[dict]:
    """One row per dossier id (the kept row), in order of first appearance, with ``_unit_key``,
    ``_label`` and a normalised ``status``; never-received dossiers still included."""
    truth = list(truth)
    lab = labels(truth)
    kept: dict[str, tuple[int, dict]] = {}
    for i, row in enumerate(truth):
        k = id_key(row["dossier_id"])
        st = _status(row["status"])
        if k not in kept or RANK[st] >= RANK[_status(kept[k][1]["status"])]:  # ties: the later row
            kept[k] = (i, row)
    out = []
    for k, (_, row) in kept.items():
        d = dict(row)
        d["status"] = _status(row["status"])
        d["_id"] = k
        d["_unit_key"] = unit_key(row["unit"])
        d["_label"] = lab[d["_unit_key"]]
        out.append(d)
    return out


def counted(truth: Iterable[dict]) -> list[dict]:
    """The dossiers every count looks at: de-duplicated, never-received (1, 3) left out."""
    return [d for d in dossiers(truth) if d["status"] not in NEVER_RECEIVED]


def _day(v: dt.date | dt.datetime | None) -> dt.date | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    return v.date() if isinstance(v, dt.datetime) else v


def end_day(d: dict) -> dt.date | None:
    """The day a dossier ended (finished, withdrawn, stopped, refused); None while it is open."""
    st = d["status"]
    if st in FINISHED:
        return _day(d["finished_at"])
    if st in ENDED_OTHERWISE:
        return _day(d["finished_at"]) or _day(d["received_at"])
    return None


def outcome(d: dict, cutoff: dt.date) -> str:
    """The bucket of a received dossier at the end of day `cutoff`."""
    st, end, due = d["status"], end_day(d), _day(d["due_at"])
    if end is not None and end <= cutoff:
        if st in FINISHED:
            if due is None:
                return "on_time"
            return "early" if end < due else ("on_time" if end == due else "late")
        return "refused_withdrawn"
    if st == 5:
        return "awaiting_supplement"
    if st == 6:
        return "awaiting_payment"
    if due is not None and due < cutoff:
        return "overdue"
    return "within_due"


def _channel(d: dict) -> str:
    c = d.get("channel")
    if c is None or (isinstance(c, float) and c != c):
        return "received_direct"
    return {1: "received_direct", 2: "received_online", 3: "received_post"}[int(c)]


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out, d = [], start
    while d <= end:
        nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        p_end = min(nxt - dt.timedelta(days=1), end)
        out.append((d, p_end))
        d = p_end + dt.timedelta(days=1)
    return out


def _empty() -> dict[str, int]:
    return {c: 0 for c in COUNTS}


def _add(c: dict[str, int], d: dict, new: bool, bucket: str) -> None:
    if new:
        c["received"] += 1
        c[_channel(d)] += 1
    else:
        c["carried_over"] += 1
    c[bucket] += 1
    if bucket in ("early", "on_time", "late"):
        c["finished"] += 1
    elif bucket in ("within_due", "overdue"):
        c["unfinished"] += 1


def _frame(cells: dict[tuple[str, dt.date], dict[str, int]]) -> pd.DataFrame:
    rows = [{"unit": u, "period_start": p, **c} for (u, p), c in cells.items()]
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.astype({c: "int64" for c in COUNTS}).astype({"unit": object})
    return df.sort_values(["unit", "period_start"], kind="stable").reset_index(drop=True)


def cohort(truth: Iterable[dict], as_of: dt.date, start: dt.date = dt.date(2023, 1, 1)) -> pd.DataFrame:
    """Cohort view by (unit, month of reception) for dossiers received in [start, as_of]."""
    cells: dict[tuple[str, dt.date], dict[str, int]] = {}
    for d in counted(truth):
        r = _day(d["received_at"])
        if r is None or not start <= r <= as_of:
            continue
        p_start = max(r.replace(day=1), start)
        _add(cells.setdefault((d["_label"], p_start), _empty()), d, True, outcome(d, as_of))
    return _frame(cells)


def activity(truth: Iterable[dict], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Activity view (Biểu II.06a) by (unit, calendar month within [start, end])."""
    ds = [d for d in counted(truth) if _day(d["received_at"]) is not None]
    cells: dict[tuple[str, dt.date], dict[str, int]] = {}
    for p_start, p_end in _months(start, end):
        for d in ds:
            r, e = _day(d["received_at"]), end_day(d)
            if r > p_end or (e is not None and e < p_start):
                continue
            _add(cells.setdefault((d["_label"], p_start), _empty()), d, r >= p_start, outcome(d, p_end))
    return _frame(cells)


def facts(truth: Iterable[dict]) -> dict[str, int]:
    """Counts a quality report of the same input should show: rows, distinct dossiers, repeated
    rows (rows beyond the first of each id), never received, counted, blank channels (counted)."""
    truth = list(truth)
    ds = dossiers(truth)
    kept = [d for d in ds if d["status"] not in NEVER_RECEIVED]
    return {
        "rows": len(truth),
        "dossiers": len(ds),
        "repeated_rows": len(truth) - len(ds),
        "never_received": len(ds) - len(kept),
        "counted": len(kept),
        "blank_channel": sum(1 for d in kept if d.get("channel") is None),
        "units": len({d["_unit_key"] for d in ds}),
    }
