"""Differential tests: ``tm.report`` and ``tm.tally`` against a pure-Python reference of
domain-rules sections 3-6, on random small tables drawn by hypothesis.

The reference below is written row by row with plain ``datetime`` logic, apart from the library
and from ``reference.py`` (a pandas implementation): the two references cross-check each other
through the library. Tables have 0-60 rows with nulls in due and finished times, bad rows
(rejected with ``on_error="skip"``), every status (1-10 and "refused"), supplement counts 0-3,
channels, receptions on weekends and holidays around month and week boundaries, and times naive
(civil time) or zone-aware in several zones (UTC, +07:00, Asia/Ho_Chi_Minh, Asia/Tokyo,
America/New_York). Compared: cohort and activity views by unit and by total, per ISO week, month
or the whole window, every count column and the exact rate numerators and denominators; the
tally's rates as exact ``Fraction`` under the four on-time and three online policies; the
``supplement_rule="repeated_is_overdue"`` and ``comparison="timestamp"`` options.

Profiles: ``HYPOTHESIS_PROFILE=ci`` (``make test``) is derandomized, so CI always checks the same
examples; ``HYPOTHESIS_PROFILE=deep`` runs many more random examples.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
import warnings
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tthc_metrics as tm

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("deep", max_examples=2_000)
EXAMPLES = {"deep": 2_000}.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 150)
CHECKS = dict(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_PROFILE") == "ci",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

VN = dt.timezone(dt.timedelta(hours=7))
ZONES = [None, "UTC", "+07:00", "Asia/Ho_Chi_Minh", "Asia/Tokyo", "America/New_York"]
UNITS = ["UBND xã Nam Đà", unicodedata.normalize("NFD", "UBND xã Nam Đà"), "Phòng Tư pháp", "phòng  TƯ pháp ", "UBND xã Đắk Sôr"]
STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "refused"]
COUNTS = [
    "received", "received_online", "carried_over", "finished", "early", "on_time", "late", "unfinished",
    "within_due", "overdue", "awaiting_supplement", "awaiting_payment", "refused_withdrawn", "handled",
]
ON_TIME = ["resolved_only", "decision_766", "due_in_period", "late_share"]
ONLINE = ["eligible_only", "decision_766", "full_process"]


# ---------------------------------------------------------------------------- the reference


@dataclass
class Row:
    """One dossier in civil time (naive, UTC+7), seconds resolution."""

    unit: str
    received: dt.datetime
    due: dt.datetime | None
    finished: dt.datetime | None
    status: int | str
    channel: str | None
    level: str
    supplements: int

    def group(self) -> str:
        return {1: "never", 3: "never", 2: "processing", 4: "processing", 5: "supplement", 9: "finished",
                10: "finished", 7: "withdrawn", 6: "payment", 8: "stopped", "refused": "refused"}[self.status]

    def end(self) -> dt.datetime | None:
        g = self.group()
        if g == "finished":
            return self.finished
        if g in ("refused", "withdrawn", "stopped"):
            return self.finished or self.received
        return None

    def rejected(self) -> bool:
        if self.group() == "never":
            return False  # never received: excluded whatever the times say
        bare_date = self.finished is not None and self.finished.time() == dt.time(0)
        if self.finished is not None and self.finished < self.received and not (
            bare_date and self.finished.date() == self.received.date()
        ):
            return True
        if self.finished is None and self.group() == "finished":
            return True
        return self.due is not None and self.due.date() < self.received.date()


def key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).lower()


def classify(r: Row, cutoff: dt.datetime, comparison: str, rule: str) -> str:
    g = r.group()
    if g == "never":
        return "not_received"
    if r.received > cutoff:
        return "outside_window"
    end = r.end()
    if end is not None and end <= cutoff:
        if g == "finished":
            if r.due is None:
                return "on_time"
            fd, dd = r.finished.date(), r.due.date()
            if comparison == "timestamp":
                if r.finished > r.due:
                    return "late"
                return "early" if fd < dd else "on_time"
            return "early" if fd < dd else "on_time" if fd == dd else "late"
        return {"refused": "refused", "withdrawn": "withdrawn", "stopped": "stopped"}[g]
    if rule == "repeated_is_overdue" and r.supplements > 1:
        return "overdue"
    if g == "supplement":
        return "awaiting_supplement"
    if g == "payment":
        return "awaiting_payment"
    if r.due is None:
        return "within_due"
    if comparison == "timestamp":
        return "within_due" if r.due >= cutoff else "overdue"
    return "within_due" if r.due.date() >= cutoff.date() else "overdue"


def empty() -> dict[str, int]:
    return {k: 0 for k in ["early", "on_time", "late", "within_due", "overdue", "awaiting_supplement", "awaiting_payment",
                           "refused", "withdrawn", "stopped", "carried_over", "received_online", "received", "eligible",
                           "eligible_online", "full_online"]}


def add(c: dict[str, int], outcome: str, r: Row, carried: bool) -> None:
    c[outcome] += 1
    if carried:
        c["carried_over"] += 1
        return
    c["received"] += 1
    online = r.channel == "online"
    c["received_online"] += online
    if r.level != "none":
        c["eligible"] += 1
        c["eligible_online"] += online
    c["full_online"] += online and r.level == "full"


def columns(c: dict[str, int]) -> dict[str, int]:
    finished = c["early"] + c["on_time"] + c["late"]
    unfinished = c["within_due"] + c["overdue"]
    rw = c["refused"] + c["withdrawn"] + c["stopped"]
    return {
        "received": c["received"], "received_online": c["received_online"], "carried_over": c["carried_over"],
        "finished": finished, "early": c["early"], "on_time": c["on_time"], "late": c["late"],
        "unfinished": unfinished, "within_due": c["within_due"], "overdue": c["overdue"],
        "awaiting_supplement": c["awaiting_supplement"], "awaiting_payment": c["awaiting_payment"],
        "refused_withdrawn": rw,
        "handled": finished + unfinished + c["awaiting_supplement"] + c["awaiting_payment"] + rw,
    }


def on_time_rate(c: dict[str, int], policy: str) -> tuple[int, int]:
    good = c["early"] + c["on_time"]
    finished = good + c["late"]
    if policy == "resolved_only":
        return good, finished
    if policy == "decision_766":
        awaiting = c["awaiting_supplement"] + c["awaiting_payment"]
        return good + c["within_due"] + awaiting, finished + c["within_due"] + c["overdue"] + awaiting
    if policy == "due_in_period":
        return good, finished + c["overdue"]
    handled = columns(c)["handled"]
    return handled - c["late"] - c["overdue"], handled


def online_share(c: dict[str, int], policy: str) -> Fraction | None:
    if policy == "eligible_only":
        return Fraction(c["eligible_online"], c["eligible"]) if c["eligible"] else None
    if not c["received"]:
        return None
    if policy == "full_process":
        return Fraction(c["full_online"], c["received"])
    return Fraction(c["received_online"], c["received"])  # every dossier synced (no sync column)


def period_of(day: dt.date, granularity: str | None, window: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    if granularity is None:
        return window
    if granularity == "week":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
    else:
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return max(start, window[0]), min(end, window[1])


def periods(window: tuple[dt.date, dt.date], granularity: str | None) -> list[tuple[dt.date, dt.date]]:
    out, day = [], window[0]
    while day <= window[1]:
        p = period_of(day, granularity, window)
        out.append(p)
        day = p[1] + dt.timedelta(days=1)
    return out


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def reference(rows: list[Row], *, as_of: dt.datetime, view: str, by: str | None, granularity: str | None,
              start: dt.date | None, end: dt.date | None, comparison: str, rule: str):
    """(rows keyed by (group key, period), labels, rejected count) of the report."""
    valid = [r for r in rows if not r.rejected()]
    window_end = as_of.date() if view == "cohort" else (end or as_of.date())
    if start is None:
        start = min([r.received.date() for r in valid], default=window_end)
        start = min(start, window_end)
    window = (start, window_end)
    # a group's label is its clean spelling (NFC, trimmed, single spaces) in the casing most rows
    # use, the first seen among equals (issue 17)
    uses: dict[str, dict[str, int]] = {}
    for r in rows:
        clean = " ".join(unicodedata.normalize("NFC", r.unit).split())
        uses.setdefault(key(r.unit), {}).setdefault(clean, 0)
        uses[key(r.unit)][clean] += 1
    labels = {k: max(spellings, key=lambda c: spellings[c]) for k, spellings in uses.items()}
    cells: dict[tuple, dict[str, int]] = {}
    group = (lambda r: key(r.unit)) if by == "unit" else (lambda r: "")
    if view == "cohort":
        for r in valid:
            o = classify(r, as_of, comparison, rule)
            if o in ("not_received", "outside_window") or r.received < dt.datetime.combine(start, dt.time()):
                continue
            p = period_of(r.received.date(), granularity, window)
            add(cells.setdefault((group(r), p), empty()), o, r, False)
    else:
        last_cutoff = min(as_of, end_of(window_end))
        ps = periods(window, granularity)
        for r in valid:
            e = r.end()
            if r.group() == "never" or r.received > last_cutoff:
                continue
            if e is not None and e < dt.datetime.combine(start, dt.time()):
                continue
            for p in ps:
                p_start = dt.datetime.combine(p[0], dt.time())
                cutoff = min(end_of(p[1]), last_cutoff)
                if r.received > cutoff or (e is not None and e < p_start):
                    continue
                add(cells.setdefault((group(r), p), empty()), classify(r, cutoff, comparison, rule), r,
                    r.received < p_start)
    return cells, labels, len(rows) - len(valid)


# ---------------------------------------------------------------------------- tables


DAY0 = dt.date(2023, 8, 28)  # a Monday: the days below cross the 01/09 and 04/09 holidays,
DAYS = 45                    # weekends, ISO weeks and three month ends


@st.composite
def rows(draw) -> list[Row]:
    n = draw(st.integers(0, 60))
    out = []
    for _ in range(n):
        received = dt.datetime.combine(DAY0 + dt.timedelta(days=draw(st.integers(0, DAYS))),
                                       dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 1, 30, 59]))))
        due = draw(st.one_of(
            st.none(),
            st.tuples(st.integers(-2, 25), st.sampled_from([dt.time(0), dt.time(17), dt.time(8, 30)]))
            .map(lambda kt: dt.datetime.combine(received.date() + dt.timedelta(days=kt[0]), kt[1])),
        ))
        finished = draw(st.one_of(st.none(), st.integers(-600, 40 * 1440).map(lambda m: received + dt.timedelta(minutes=m))))
        out.append(Row(
            unit=draw(st.sampled_from(UNITS)),
            received=received, due=due, finished=finished,
            status=draw(st.sampled_from(STATUSES)),
            channel=draw(st.sampled_from(["direct", "online", "online", "post", None])),
            level=draw(st.sampled_from(["none", "partial", "full"])),
            supplements=draw(st.integers(0, 3)),
        ))
    return out


def time_array(values: list[dt.datetime | None], zone: str | None) -> pa.Array:
    """Civil times as a timestamp column: naive, or the same instants in `zone`."""
    if zone is None:
        return pa.array(values, pa.timestamp("us"))
    tz = dt.timezone(dt.timedelta(hours=7)) if zone == "+07:00" else ZoneInfo(zone)
    aware = [None if v is None else v.replace(tzinfo=VN).astimezone(tz) for v in values]
    return pa.array(aware, pa.timestamp("us", tz=zone))


def table(rs: list[Row], zones: tuple) -> pa.Table:
    return pa.table({
        "dossier_id": [f"D{i}" for i in range(len(rs))],
        "unit": pa.array([r.unit for r in rs], pa.string()),
        "received_at": time_array([r.received for r in rs], zones[0]),
        "due_at": time_array([r.due for r in rs], zones[1]),
        "finished_at": time_array([r.finished for r in rs], zones[2]),
        "status": pa.array([str(r.status) for r in rs], pa.string()),
        "channel": pa.array([r.channel for r in rs], pa.string()),
        "online_service": pa.array([r.level for r in rs], pa.string()),
        "supplement_requests": pa.array([r.supplements for r in rs], pa.uint8()),
    })


zones = st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES), st.sampled_from(ZONES))
as_of_st = st.tuples(st.integers(3, DAYS + 3), st.one_of(st.none(), st.integers(0, 23))).map(
    lambda dh: (DAY0 + dt.timedelta(days=dh[0]), dh[1]))


def options(draw, as_of_day: dt.date):
    start = draw(st.one_of(st.none(), st.integers(-3, (as_of_day - DAY0).days).map(lambda d: DAY0 + dt.timedelta(days=d))))
    return start


def native_rows(result, by: str | None) -> dict[tuple, dict[str, int]]:
    out = {}
    for rec in result.to_pylist():
        k = (key(rec["unit"]) if by == "unit" else "", (rec["period_start"], rec["period_end"]))
        assert k not in out, f"two rows for {k}"
        out[k] = rec
    return out


# ---------------------------------------------------------------------------- the tests


@settings(**CHECKS)
@given(rs=rows(), zones=zones, as_of=as_of_st, data=st.data(),
       view=st.sampled_from(["cohort", "activity"]), by=st.sampled_from(["unit", None]),
       granularity=st.sampled_from(["week", "month", None]),
       comparison=st.sampled_from(["date", "timestamp"]), rule=st.sampled_from(["pause", "repeated_is_overdue"]),
       rate_policy=st.sampled_from(ON_TIME), online_policy=st.sampled_from(ONLINE))
def test_report_matches_the_reference(rs, zones, as_of, data, view, by, granularity, comparison, rule,
                                      rate_policy, online_policy):
    as_of_day, hour = as_of
    cut = end_of(as_of_day) if hour is None else dt.datetime.combine(as_of_day, dt.time(hour, 30))
    start = options(data.draw, as_of_day)
    end = data.draw(st.one_of(st.none(), st.integers(0, 10).map(lambda b: as_of_day - dt.timedelta(days=b))))
    if view == "cohort":
        end = None
    if start is not None and start > (end or as_of_day):
        start = None
    t = table(rs, zones)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tm.RejectedRowsWarning)
        ours, rejected = tm.report_with_rejected(
            t, as_of=as_of_day if hour is None else cut, by=(by, granularity), view=view, start=start, end=end,
            on_error="skip", comparison=comparison, supplement_rule=rule, rate_policy=rate_policy,
            online_policy=online_policy)
    cells, labels, n_rejected = reference(rs, as_of=cut, view=view, by=by, granularity=granularity, start=start,
                                          end=end, comparison=comparison, rule=rule)
    assert rejected.num_rows == n_rejected
    got = native_rows(ours, by)
    assert set(got) == set(cells), (sorted(got), sorted(cells))
    for k, c in cells.items():
        want = columns(c)
        row = got[k]
        assert {n: row[n] for n in COUNTS} == want, k
        if by == "unit":
            assert row["unit"] == labels[k[0]]
        num, den = on_time_rate(c, rate_policy)
        if den:
            assert (row["on_time_numerator"], row["on_time_denominator"]) == (num, den)
        share = online_share(c, online_policy)
        if share is not None:
            assert Fraction(row["online_numerator"], row["online_denominator"]) == share


@settings(**CHECKS)
@given(rs=rows(), zones=zones, as_of=as_of_st, data=st.data(),
       comparison=st.sampled_from(["date", "timestamp"]), rule=st.sampled_from(["pause", "repeated_is_overdue"]))
def test_tally_rates_match_the_reference_under_every_policy(rs, zones, as_of, data, comparison, rule):
    as_of_day, hour = as_of
    cut = end_of(as_of_day) if hour is None else dt.datetime.combine(as_of_day, dt.time(hour, 30))
    start = options(data.draw, as_of_day)
    t = table(rs, zones)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tm.RejectedRowsWarning)
        ours = tm.tally(t, as_of=as_of_day if hour is None else cut, start=start, on_error="skip",
                        comparison=comparison, supplement_rule=rule)
    cells, _, _ = reference(rs, as_of=cut, view="cohort", by=None, granularity=None, start=start, end=None,
                            comparison=comparison, rule=rule)
    c = next(iter(cells.values()), empty())
    for name, value in columns(c).items():
        assert getattr(ours, name) == value, name
    for policy in ON_TIME:
        num, den = on_time_rate(c, policy)
        assert ours.on_time_rate_under(policy) == (Fraction(num, den) if den else None), policy
    for policy in ONLINE:
        assert ours.online_share_under(policy) == online_share(c, policy), policy
    assert ours.on_time_rate == ours.on_time_rate_under("resolved_only")
    if ours.on_time_rate is not None:
        assert ours.late_rate == 1 - ours.on_time_rate
