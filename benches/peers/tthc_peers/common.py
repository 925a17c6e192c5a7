"""What every engine computes (domain-rules sections 2-6, defaults only): the window, the
national status codes and names, the outcome codes, the count columns and their definitions, and
the reporting periods (unit x ISO week, unit x calendar month).

Definitions (date comparison, supplement clock paused, original due date):
- never received (status 1, 3): excluded;
- end = finished_at for 9, 10 (finished); finished_at, else received_at, for 7 (withdrawn) and
  8 (stopped); 2, 4, 5, 6 never end (6, the financial obligation, is unfinished with its clock
  paused, like 5, whatever finished_at says); ended = end <= cut-off;
- ended and finished: finished DATE <, =, > due DATE -> early, on time, late (no due date: on time);
  ended 7 -> withdrawn, ended 8 -> stopped; not ended: 5 -> awaiting_supplement, 6 ->
  awaiting_payment, else no due date or due DATE >= cut-off DATE -> within_due, else overdue;
- cohort: received in [start, as_of], grouped by reception period, classified at as_of 23:59:59;
- activity (Bieu II.06a): per period [S, E] clipped to the window, the dossiers received by
  E 23:59:59 and not ended before S; carried_over = received before S; classified at E 23:59:59.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

START = dt.date(2023, 1, 1)
AS_OF = dt.date(2023, 12, 31)
SEED = 20231016
TZ = "Asia/Ho_Chi_Minh"  # UTC+7, no daylight saving since 1975

# the national names exactly as the sync standard writes them (domain-rules section 2), NFC
STATUS_NAMES: dict[int, str] = {
    code: unicodedata.normalize("NFC", name)
    for code, name in {
        1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
        5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
        7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
    }.items()
}
STATUS_CODE_OF: dict[str, int] = {name: code for code, name in STATUS_NAMES.items()}

# outcome codes shared by the engines
EARLY, ON_TIME, LATE, WITHIN, OVERDUE, SUPPLEMENT, PAYMENT, WITHDRAWN, STOPPED = range(9)
N_OUTCOMES = 9
FINISHED = (EARLY, ON_TIME, LATE)
DIRECT, ONLINE, POST = 1, 2, 3  # channel codes (null = direct)
ELIGIBLE_LEVEL = 3  # online_service as the old level codes: 0-2 no online service, 3 partial, 4 full

# Every count column of tm.report the engines can compute: name -> (outcomes or None for any,
# new: True / False / None for any, channels or None for any, eligible procedure: True or None).
# None of them combines an outcome with the channel or the eligibility, which the engines use.
SPEC: dict[str, tuple[tuple[int, ...] | None, bool | None, tuple[int, ...] | None, bool | None]] = {
    "received": (None, True, None, None),
    "received_online": (None, True, (ONLINE,), None),
    "received_direct": (None, True, (DIRECT,), None),
    "received_post": (None, True, (POST,), None),
    "carried_over": (None, False, None, None),
    "handled": (None, None, None, None),
    "finished": (FINISHED, None, None, None),
    "early": ((EARLY,), None, None, None),
    "on_time": ((ON_TIME,), None, None, None),
    "late": ((LATE,), None, None, None),
    "unfinished": ((WITHIN, OVERDUE), None, None, None),
    "within_due": ((WITHIN,), None, None, None),
    "overdue": ((OVERDUE,), None, None, None),
    "awaiting_supplement": ((SUPPLEMENT,), None, None, None),
    "awaiting_payment": ((PAYMENT,), None, None, None),
    "backlog": ((WITHIN, OVERDUE, SUPPLEMENT, PAYMENT), None, None, None),
    "refused": ((), None, None, None),  # no national code means "refused": always 0 here
    "withdrawn": ((WITHDRAWN,), None, None, None),
    "stopped": ((STOPPED,), None, None, None),
    "refused_withdrawn": ((WITHDRAWN, STOPPED), None, None, None),
    "eligible": (None, True, None, True),
    "eligible_online": (None, True, (ONLINE,), True),
}
# the columns timed (the tables of the earlier runs plus awaiting_payment): tm.report computes
# all of its columns anyway, so timing the peers on fewer of them is the conservative choice
COUNTS = [
    "received", "received_online", "carried_over", "finished", "early", "on_time", "late",
    "unfinished", "within_due", "overdue", "awaiting_supplement", "awaiting_payment", "refused_withdrawn",
]
ALL_COUNTS = list(SPEC)  # checked on small data (preflight, smoke test)
KEY = ["unit", "period_start", "period_end"]
GRANULARITIES = ("week", "month")
VIEWS = ("cohort", "activity")


def cutoff(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def epoch_day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_number(day: dt.date) -> int:
    """Months since 1970-01 (numpy's datetime64[M] count)."""
    return (day.year - 1970) * 12 + day.month - 1


def first_period_day(gran: str, start: dt.date) -> dt.date:
    """The first day (unclipped) of the period holding `start`."""
    if gran == "week":
        return monday(start)
    if gran == "month":
        return start.replace(day=1)
    raise ValueError(f"granularity {gran!r}: week or month")


def period_of(gran: str, start: dt.date, day: dt.date) -> int:
    """The index of the period holding `day`, 0 for the one holding `start`."""
    if gran == "week":
        return (day - monday(start)).days // 7
    return month_number(day) - month_number(start)


def periods(gran: str, start: dt.date = START, end: dt.date = AS_OF) -> list[tuple[dt.date, dt.date]]:
    """The periods [S, E] meeting [start, end], clipped to it."""
    out, first = [], first_period_day(gran, start)
    while first <= end:
        if gran == "week":
            nxt = first + dt.timedelta(days=7)
        else:
            nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(first, start), min(nxt - dt.timedelta(days=1), end)))
        first = nxt
    return out


def columns_needing(columns: list[str]) -> tuple[bool, bool, bool]:
    """Whether the columns need (new, channel, eligible) distinctions."""
    specs = [SPEC[c] for c in columns]
    return (any(s[1] is not None for s in specs), any(s[2] is not None for s in specs),
            any(s[3] is not None for s in specs))


def channel_detail(columns: list[str]) -> str | None:
    """What the columns need of the channel: "full" (direct, online, post), "online" (online or
    not: then an engine may hold the channel as 2 = online, 1 = anything else) or None."""
    needed = {ch for c in columns for ch in (SPEC[c][2] or ())}
    if not needed:
        return None
    return "online" if needed == {ONLINE} else "full"
