"""Deterministic generator of real-looking one-stop portal exports (issue 17).

``make_truth(n, seed)`` draws the canonical rows of a district's 2023 dossiers, in file order, with the
traps of real exports in the values themselves (NFC/NFD, padded and re-cased unit names, repeated
dossier ids, statuses 1 and 3 without a reception time, 5 and 6, blank channels). The writers render
that same truth as the files analysts receive; none of them loses anything the rules of
``domain-rules.md`` look at (see README.md beside this file for every header and format). The
reference computation (``reference.py``) works from the truth, never from the files.

Pure Python and the standard library, plus XlsxWriter for the .xlsx and pandas for
``read_excel_frame``. Same truth (and writer arguments) -> byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import random
import unicodedata
from pathlib import Path
from typing import Any, Iterable

Row = dict[str, Any]

# --------------------------------------------------------------------------------------------
# The district: 12 units, their procedures (codes are plausible, not looked up), volumes.
# --------------------------------------------------------------------------------------------

DISTRICT = "KRÔNG NÔ"
YEAR = 2023
# the moment the export was taken: the status of every row is the status at this instant
EXPORTED_AT = dt.datetime(2023, 12, 29, 18, 0, 0)

# (field name, field code)
FIELDS = {
    "Chứng thực": "CT",
    "Hộ tịch": "HT",
    "Thành lập và hoạt động của hộ kinh doanh": "HKD",
    "Hoạt động xây dựng": "XD",
    "Thi đua - khen thưởng": "TDKT",
    "Tín ngưỡng, tôn giáo": "TGTN",
    "Đất đai": "DD",
    "Đăng ký biện pháp bảo đảm": "DKBD",
}

# kind -> [(code, name, field, duration in working days, online level)]
PROCEDURES: dict[str, list[tuple[str, str, str, int, str]]] = {
    "xa": [
        ("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận", "Chứng thực", 0, "partial"),
        ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", 0, "partial"),
        ("1.001193", "Đăng ký khai sinh", "Hộ tịch", 0, "full"),
        ("1.000894", "Đăng ký kết hôn", "Hộ tịch", 3, "partial"),
        ("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", 3, "full"),
        ("1.000656", "Đăng ký khai tử", "Hộ tịch", 0, "full"),
    ],
    "tu_phap": [
        ("2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", 0, "full"),
        ("2.000528", "Đăng ký khai sinh có yếu tố nước ngoài", "Hộ tịch", 15, "partial"),
        ("2.000908", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", "Chứng thực", 2, "none"),
    ],
    "tckh": [
        ("2.000720", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, "full"),
        ("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", 3, "full"),
    ],
    "ktht": [
        ("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "Hoạt động xây dựng", 15, "partial"),
        ("1.009997", "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với nhà ở riêng lẻ", "Hoạt động xây dựng", 15, "partial"),
    ],
    "noi_vu": [
        ("1.000775", "Thủ tục tặng Giấy khen của Chủ tịch UBND cấp huyện về thành tích thực hiện nhiệm vụ chính trị", "Thi đua - khen thưởng", 20, "none"),
        ("1.001078", "Thủ tục đăng ký sinh hoạt tôn giáo tập trung", "Tín ngưỡng, tôn giáo", 15, "none"),
    ],
    "dat_dai": [
        ("1.004227", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế", "Đất đai", 10, "partial"),
        ("1.003003", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu", "Đất đai", 30, "partial"),
        ("1.002993", "Tách thửa hoặc hợp thửa đất", "Đất đai", 15, "partial"),
        ("2.000351", "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", "Đăng ký biện pháp bảo đảm", 1, "full"),
        ("1.004232", "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", "Đăng ký biện pháp bảo đảm", 1, "full"),
    ],
}

# canonical spelling (NFC, single spaces), unit code in the dossier number, kind, weight
UNITS: list[tuple[str, str, str, float]] = [
    ("UBND xã Đắk Drô", "20.01", "xa", 7.0),
    ("UBND xã Nam Đà", "20.02", "xa", 8.0),
    ("UBND xã Đắk Sôr", "20.03", "xa", 6.0),
    ("UBND xã Đức Xuyên", "20.04", "xa", 5.0),
    ("UBND thị trấn Đắk Mâm", "20.05", "xa", 10.0),
    ("UBND xã Buôn Choáh", "20.06", "xa", 3.0),
    ("UBND xã Quảng Phú", "20.07", "xa", 5.0),
    ("Phòng Tư pháp", "20.10", "tu_phap", 8.0),
    ("Phòng Tài chính – Kế hoạch", "20.11", "tckh", 5.0),
    ("Phòng Kinh tế và Hạ tầng", "20.12", "ktht", 4.0),
    ("Phòng Nội vụ", "20.13", "noi_vu", 3.0),
    ("Chi nhánh Văn phòng đăng ký đất đai huyện Krông Nô", "20.20", "dat_dai", 26.0),
]

APPLICANTS = [
    "Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Đức",
    "Y Bhim Niê", "H'Hen Niê", "Vũ Thị Hạnh", "Đặng Văn Hùng", "Bùi Thị Lan", "Y Sơn Ayŭn",
    "Ngô Văn Minh", "Đỗ Thị Ngọc", "Hồ Văn Phúc", "Trịnh Thị Quỳnh", "Lương Văn Sáng",
    "Mai Thị Thu", "Phan Văn Tuấn", "H'Lim Byă", "Công ty TNHH Xây dựng Đắk Nông",
]

# 2023 weekday days off (domain-rules section 8); 2024-01-01 for due dates running into 2024.
DAYS_OFF = {
    dt.date(2023, 1, 2), dt.date(2023, 1, 20), dt.date(2023, 1, 23), dt.date(2023, 1, 24),
    dt.date(2023, 1, 25), dt.date(2023, 1, 26), dt.date(2023, 5, 1), dt.date(2023, 5, 2),
    dt.date(2023, 5, 3), dt.date(2023, 9, 1), dt.date(2023, 9, 4), dt.date(2024, 1, 1),
}

FIELDS_OF_ROW = (
    "dossier_id", "unit", "procedure", "procedure_name", "field", "applicant", "submitted_at",
    "received_at", "due_at", "finished_at", "returned_at", "status", "channel", "online_service",
    "supplement_requests", "rescheduled_due_at",
)
TIME_FIELDS = ("submitted_at", "received_at", "due_at", "rescheduled_due_at", "finished_at", "returned_at")


def is_working_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in DAYS_OFF


def add_working_days(d: dt.date, n: int) -> dt.date:
    """Roll a non-working day forward, then add n working days (numpy busday_offset 'forward')."""
    while not is_working_day(d):
        d += dt.timedelta(days=1)
    for _ in range(n):
        d += dt.timedelta(days=1)
        while not is_working_day(d):
            d += dt.timedelta(days=1)
    return d


def _working_days_of_year() -> list[dt.date]:
    d, out = dt.date(YEAR, 1, 3), []
    while d <= dt.date(YEAR, 12, 29):
        if is_working_day(d):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def _month_weight(d: dt.date) -> float:
    # more dossiers in the land-registry peak (October-November, the seed's "peak month")
    return {1: 0.7, 2: 0.8, 3: 1.0, 4: 1.0, 5: 0.9, 6: 1.0, 7: 1.0, 8: 1.0, 9: 1.0, 10: 1.4, 11: 1.4, 12: 1.1}[d.month]


def _clock(rng: random.Random, day: dt.date, lo: tuple[int, int] = (7, 30), hi: tuple[int, int] = (16, 45)) -> dt.datetime:
    """A time in office hours on `day`; 40% of them on the whole minute (seconds 0)."""
    morning = rng.random() < 0.6
    if morning:
        start, end = lo[0] * 60 + lo[1], 11 * 60 + 30
    else:
        start, end = 13 * 60 + 30, hi[0] * 60 + hi[1]
    minute = rng.randrange(start, max(start + 1, end))
    second = 0 if rng.random() < 0.4 else rng.randrange(60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60, second))


# --------------------------------------------------------------------------------------------
# Unit and id spellings
# --------------------------------------------------------------------------------------------

def spell_unit(name: str, rng: random.Random) -> str:
    """The canonical NFC name most of the time; else NFD, padded, double-spaced, re-cased, or a mix.
    The canonical casing stays by far the most common one of every unit."""
    u = rng.random()
    if u < 0.72:
        return name
    if u < 0.86:
        return unicodedata.normalize("NFD", name)
    if u < 0.90:
        return "  " + name + " "
    if u < 0.93:
        return name.replace(" ", "  ", 1)
    if u < 0.95:
        return unicodedata.normalize("NFD", " " + name.replace(" ", "  ", 2) + "  ")
    if u < 0.97:
        return name.upper()
    if u < 0.985:
        return name.lower()
    return name + "\u00a0"  # a trailing no-break space, as HTML/Excel exports leave


def _pad_id(dossier_id: str, rng: random.Random) -> str:
    return rng.choice([" " + dossier_id, dossier_id + " ", dossier_id + "  "])


# --------------------------------------------------------------------------------------------
# The truth
# --------------------------------------------------------------------------------------------

RANK = {10: 9, 9: 8, "refused": 7, 7: 7, 8: 7, 6: 6, 5: 5, 4: 4, 2: 3, 3: 2, 1: 1}

# an older status that a re-synced row may carry before the final one
OLDER = {10: [9, 4, 2, 1], 9: [4, 2], 5: [4, 2], 6: [4, 5], 4: [2, 1], 2: [1], 7: [4, 2], 8: [4, 2],
         "refused": [2], 3: [1]}


def _dossier(rng: random.Random, unit: tuple[str, str, str, float], day: dt.date, seq: int) -> Row:
    name, code, kind, _ = unit
    proc_code, proc_name, field, duration, level = rng.choice(PROCEDURES[kind])
    received = _clock(rng, day)
    r = rng.random()
    channel: int | None
    p_online = {"full": 0.6, "partial": 0.3, "none": 0.0}[level]
    if r < p_online:
        channel = 2
    elif r < p_online + 0.04:
        channel = 3
    else:
        channel = 1 if rng.random() > 0.06 else None  # blank channel: direct, worth a quality count
    if channel == 2:
        submitted = received - dt.timedelta(minutes=rng.randrange(20, 30 * 60))
    elif channel == 3:
        submitted = received - dt.timedelta(days=rng.randrange(1, 4), minutes=rng.randrange(0, 300))
    else:
        submitted = received - dt.timedelta(minutes=rng.randrange(0, 15))
    if rng.random() < 0.05:
        submitted = None

    due_day = add_working_days(received.date(), duration)
    due: dt.datetime | None = dt.datetime.combine(due_day, dt.time(17, 0))
    if rng.random() < 0.5 and duration > 0:
        due = dt.datetime.combine(due_day, received.time().replace(second=0))
    if rng.random() < 0.03:
        due = None

    row: Row = {
        "dossier_id": f"000.{code}.23.H12-{received:%y%m%d}-{seq:04d}",
        "unit": spell_unit(name, rng),
        "procedure": proc_code,
        "procedure_name": proc_name,
        "field": field,
        "applicant": rng.choice(APPLICANTS),
        "submitted_at": submitted,
        "received_at": received,
        "due_at": due,
        "finished_at": None,
        "returned_at": None,
        "status": 4,
        "channel": channel,
        "online_service": level,
        "supplement_requests": 0,
        "rescheduled_due_at": None,
    }

    special = rng.random()
    if special < 0.015:  # registered online, never received: mostly no reception time at all
        row.update(status=1, channel=2 if rng.random() < 0.85 else channel, due_at=None)
        if rng.random() < 0.7:
            row["received_at"] = None
        return row
    if special < 0.022:  # not received (refused at the counter / online check)
        row.update(status=3, due_at=None)
        if rng.random() < 0.5:
            row["received_at"] = None
        return row
    if special < 0.048:  # withdrawn, stopped, refused: ended at their time, else at reception
        status: Any = 7 if special < 0.034 else (8 if special < 0.040 else "refused")
        row["status"] = status
        if rng.random() < 0.7:
            end_day = add_working_days(received.date(), rng.randrange(0, 6))
            end = _clock(rng, end_day)
            if end <= received:
                end = received + dt.timedelta(minutes=45)
            row["finished_at"] = min(end, EXPORTED_AT)
        return row

    hanging = special < 0.063  # an old dossier that never moves again (the seed's "treo")
    u = rng.random()
    if duration == 0:
        k = 0 if u < 0.93 else rng.randrange(1, 8)
    elif u < 0.55:
        k = rng.randrange(0, duration)
    elif u < 0.92:
        k = duration
    else:
        k = duration + rng.randrange(1, 16)
    if k == 0:
        finished = received + dt.timedelta(minutes=rng.randrange(30, 240))
        if rng.random() < 0.4:
            finished = finished.replace(second=0)
    else:
        finished = _clock(rng, add_working_days(received.date(), k), hi=(17, 30))
    if due is not None and rng.random() < 0.01:
        finished = max(due, received + dt.timedelta(minutes=30))  # a bulk-closing tool: end = due instant
    late = due is not None and finished.date() > due.date()
    if late and rng.random() < 0.3:
        row["rescheduled_due_at"] = dt.datetime.combine(add_working_days(due.date(), rng.randrange(5, 11)), dt.time(17, 0))

    if hanging or finished > EXPORTED_AT:
        if kind == "dat_dai" and rng.random() < 0.25:
            row["status"] = 6  # waiting for the land-use fee: unfinished, clock paused
        elif rng.random() < 0.22:
            row.update(status=5, supplement_requests=1 if rng.random() < 0.8 else 2)
        elif rng.random() < 0.15:
            row["status"] = 2
        else:
            row["status"] = 4
        if due is not None and due.date() < EXPORTED_AT.date() and rng.random() < 0.3 and row["rescheduled_due_at"] is None:
            row["rescheduled_due_at"] = dt.datetime.combine(add_working_days(EXPORTED_AT.date(), rng.randrange(3, 8)), dt.time(17, 0))
        return row

    row["finished_at"] = finished
    if rng.random() < 0.05:
        row["supplement_requests"] = 1
    returned_day = add_working_days(finished.date(), rng.choice([0, 0, 1, 1, 2, 3, 5]))
    returned = max(_clock(rng, returned_day), finished + dt.timedelta(minutes=10))
    if rng.random() < 0.75 and returned <= EXPORTED_AT:
        row.update(status=10, returned_at=returned)
    else:
        row["status"] = 9
    return row


def _older_row(rng: random.Random, final: Row) -> Row:
    older_status = rng.choice(OLDER[final["status"]])
    old = dict(final)
    old.update(status=older_status, returned_at=None, rescheduled_due_at=None)
    if older_status != 9:
        old["finished_at"] = None
    if older_status in (1, 2, 4, 5):
        old["supplement_requests"] = 1 if older_status == 5 else 0
    if older_status == 1:
        old["due_at"] = None
        if rng.random() < 0.6:
            old["received_at"] = None
    return old


def make_truth(n: int = 5000, seed: int = 17) -> list[Row]:
    """`n` distinct dossiers of the district in 2023, as the canonical rows of an export in file
    order (by reception), plus repeated rows of about 4% of them (so len(result) > n).

    Each row has the keys of ``FIELDS_OF_ROW``: times are naive local ``datetime`` (or None);
    ``status`` is a national code 1-10 or ``"refused"``; ``channel`` 1 direct, 2 online, 3 post or
    None (blank); ``online_service`` ``"none"``/``"partial"``/``"full"``; ``unit`` and ``dossier_id``
    are raw spellings (NFC/NFD, padded, re-cased) exactly as every writer writes them.

    Repeats (the same dossier_id, possibly re-spelled): ``identical`` copies, ``resync`` (an older
    status first, the final one later), ``stale`` (the final row first, an older status later: a
    joined sheet), ``correction`` (the same status twice, the later row one working day later).
    The row a correct reader keeps is the most advanced status, ties to the last row.
    """
    rng = random.Random(f"tthc-exports:{seed}")
    days = _working_days_of_year()
    day_weights = [_month_weight(d) for d in days]
    unit_weights = [u[3] for u in UNITS]
    picks = [(rng.choices(days, day_weights)[0], rng.choices(UNITS, unit_weights)[0]) for _ in range(n)]
    picks.sort(key=lambda p: p[0])
    seq: dict[tuple[str, dt.date], int] = {}
    drawn: list[tuple[dt.date, dt.datetime, Row]] = []
    for day, unit in picks:
        k = (unit[1], day)
        seq[k] = seq.get(k, 0) + 1
        row = _dossier(rng, unit, day, seq[k])
        drawn.append((day, row["received_at"] or row["submitted_at"] or dt.datetime.combine(day, dt.time(12)), row))
    drawn.sort(key=lambda d: (d[0], d[1], d[2]["dossier_id"]))  # by reception, as exports list them
    base = [row for _, _, row in drawn]

    # (sort key, tie-break, row): base rows at their index, repeats at a later position
    keyed: list[tuple[float, int, Row]] = []
    tie = 0
    for i, row in enumerate(base):
        u = rng.random()
        later = rng.uniform(i + 0.5, len(base) + 0.5)
        name = next(x[0] for x in UNITS if x[1] == row["dossier_id"][4:9])

        def respell(r: Row) -> Row:
            r = dict(r)
            r["unit"] = spell_unit(name, rng)
            if rng.random() < 0.3:
                r["dossier_id"] = _pad_id(r["dossier_id"].strip(), rng)
            return r

        if u < 0.014:  # identical copy (a joined sheet)
            keyed.append((i, tie, row))
            keyed.append((later, tie + 1, respell(row) if rng.random() < 0.5 else dict(row)))
        elif u < 0.030 and row["status"] in OLDER:  # re-sync: older status first
            keyed.append((i, tie, _older_row(rng, row)))
            keyed.append((later, tie + 1, respell(row)))
        elif u < 0.036 and row["status"] in OLDER:  # stale: the final row first, an older one later
            keyed.append((i, tie, row))
            keyed.append((later, tie + 1, respell(_older_row(rng, row))))
        elif u < 0.040 and row["status"] in (9, 10) and row["finished_at"].date() > row["received_at"].date():
            # correction: the same status, the first row a working day early; the later row is the truth
            wrong = dict(row)
            earlier = row["finished_at"] - dt.timedelta(days=1)
            while not is_working_day(earlier.date()):
                earlier -= dt.timedelta(days=1)
            if earlier > row["received_at"]:
                wrong["finished_at"] = earlier
                keyed.append((i, tie, wrong))
                keyed.append((later, tie + 1, respell(row)))
            else:
                keyed.append((i, tie, row))
        else:
            keyed.append((i, tie, row))
        tie += 2
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [dict(r) for _, _, r in keyed]


def with_more_repeats(truth: list[Row], share: float = 0.25, seed: int = 1) -> list[Row]:
    """`truth` plus a second sheet appended (as when two exports are joined): for `share` of the
    dossiers, a stale row with an older status (or an identical copy when there is none), the unit
    re-spelled and the id sometimes padded. Taking the last row, or counting rows, is then wrong."""
    rng = random.Random(f"repeats:{seed}")
    first: dict[str, Row] = {}
    for r in truth:
        first.setdefault(r["dossier_id"].strip(), r)
    extra = []
    for key, r in first.items():
        if rng.random() >= share:
            continue
        name = next(x[0] for x in UNITS if x[1] == key[4:9])
        rep = _older_row(rng, r) if r["status"] in OLDER and rng.random() < 0.8 else dict(r)
        rep["unit"] = spell_unit(name, rng)
        if rng.random() < 0.3:
            rep["dossier_id"] = _pad_id(key, rng)
        extra.append(rep)
    return [dict(r) for r in truth] + extra


# --------------------------------------------------------------------------------------------
# Vocabularies the writers use (domain-rules section 2 and 9)
# --------------------------------------------------------------------------------------------

NATIONAL_STATUS = {
    1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính", 7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
}
# names the xlsx writer cycles through per status (the national one first); only names of
# domain-rules section 2 / issue 17. "Đã hủy" / "Đã huỷ" (two placements of the tone mark) are used for
# 7 and 8 only: refused, withdrawn and stopped share one bucket and one rank, so any of the three
# readings gives the same counts.
XLSX_STATUS_NAMES: dict[Any, list[str]] = {
    1: ["Mới đăng ký"],
    2: ["Được tiếp nhận"],
    3: ["Không được tiếp nhận"],
    4: ["Đang xử lý"],
    5: ["Yêu cầu bổ sung giấy tờ", "Chờ bổ sung"],
    6: ["Yêu cầu thực hiện nghĩa vụ tài chính", "Chờ thực hiện nghĩa vụ tài chính", "Chờ thanh toán"],
    7: ["Công dân yêu cầu rút hồ sơ", "Đã hủy"],
    8: ["Dừng xử lý", "Đã huỷ"],
    9: ["Đã xử lý xong", "Đã có kết quả", "Có kết quả"],
    10: ["Đã trả kết quả"],
    "refused": ["Từ chối"],
}
CHANNEL_WORDS = {1: "Trực tiếp", 2: "Nộp trực tuyến", 3: "Qua bưu chính công ích", None: ""}
LEVEL_WORDS = {"partial": "Một phần", "full": "Toàn trình"}  # none: blank or "Không"
LEVEL_OLD_CODES = {"partial": "3", "full": "4", "none": ""}
SYNC_STATUS = {**{k: k for k in range(1, 11)}, "refused": 8}  # the standard has no refusal code

XLSX_SHEET = "Danh sách hồ sơ"
XLSX_HEADER_ROW = 6  # 0-based row of the header (Excel row 7), below a 6-row title block
XLSX_HEADERS = [
    "STT", "Mã hồ sơ", "Chủ hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Đơn vị xử lý",
    "Ngày nộp hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới", "Ngày có kết quả",
    "Ngày trả kết quả", "Trạng thái", "Hình thức nộp", "Mức độ", "Ghi chú",
]
XLSX_COLUMN_OF = {  # canonical field -> xlsx header
    "dossier_id": "Mã hồ sơ", "procedure_name": "Tên thủ tục hành chính", "field": "Lĩnh vực",
    "unit": "Đơn vị xử lý", "submitted_at": "Ngày nộp hồ sơ", "received_at": "Ngày tiếp nhận",
    "due_at": "Ngày hẹn trả", "rescheduled_due_at": "Ngày hẹn trả mới", "finished_at": "Ngày có kết quả",
    "returned_at": "Ngày trả kết quả", "status": "Trạng thái", "channel": "Hình thức nộp",
    "online_service": "Mức độ",
}

HTML_HEADER_ROW = 4  # 0-based <tr> index of the header row, below 4 title rows inside the table
HTML_HEADERS = [
    "STT", "Số hồ sơ", "Thủ tục", "Lĩnh vực", "Đơn vị tiếp nhận", "Ngày nộp", "Ngày nhận",
    "Ngày hẹn trả", "Ngày gia hạn", "Ngày hoàn thành", "Ngày trả", "Trạng thái", "Kênh thực hiện",
    "Mức độ DVC",
]
HTML_COLUMN_OF = {
    "dossier_id": "Số hồ sơ", "procedure_name": "Thủ tục", "field": "Lĩnh vực", "unit": "Đơn vị tiếp nhận",
    "submitted_at": "Ngày nộp", "received_at": "Ngày nhận", "due_at": "Ngày hẹn trả",
    "rescheduled_due_at": "Ngày gia hạn", "finished_at": "Ngày hoàn thành", "returned_at": "Ngày trả",
    "status": "Trạng thái", "channel": "Kênh thực hiện", "online_service": "Mức độ DVC",
}

SYNC_FIELDS = [
    "MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "DonViXuLy", "NgayNopHoSo",
    "NgayTiepNhan", "NgayHenTra", "NgayHenTraMoi", "NgayKetThucXuLy", "NgayTra", "TrangThaiHoSo",
    "KenhThucHien", "MucDo",
]
SYNC_FIELD_OF = {
    "dossier_id": "MaHoSo", "procedure": "MaTTHC", "procedure_name": "TenTTHC", "field": "TenLinhVuc",
    "unit": "DonViXuLy", "submitted_at": "NgayNopHoSo", "received_at": "NgayTiepNhan",
    "due_at": "NgayHenTra", "rescheduled_due_at": "NgayHenTraMoi", "finished_at": "NgayKetThucXuLy",
    "returned_at": "NgayTra", "status": "TrangThaiHoSo", "channel": "KenhThucHien", "online_service": "MucDo",
}

TITLE_PERIOD = f"Từ ngày 01/01/{YEAR} đến ngày 31/12/{YEAR}"


# --------------------------------------------------------------------------------------------
# Date renderings
# --------------------------------------------------------------------------------------------

def _day_of(v: dt.date | dt.datetime) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


TEXT_FORMATS = {
    "dmy_hms": "%d/%m/%Y %H:%M:%S",
    "dmy_hm": "%d/%m/%Y %H:%M",
    "dmy": "%d/%m/%Y",
    "hm_dmy": "%H:%M, %d/%m/%Y",
    "sync": "%Y%m%d%H%M%S",
}


def fmt_text(v: dt.date | dt.datetime, style: str) -> str:
    """Text renderings of section 9: 'dmy_hms' dd/MM/yyyy HH:mm:ss, 'dmy_hm' dd/MM/yyyy HH:mm,
    'dmy' dd/MM/yyyy, 'hm_dmy' HH:mm, dd/MM/yyyy, 'sync' yyyyMMddHHmmss."""
    if not isinstance(v, dt.datetime):
        v = dt.datetime.combine(v, dt.time())
        if style != "sync":
            style = "dmy"
    return v.strftime(TEXT_FORMATS[style])


def _lossless(style: str, v: dt.date | dt.datetime) -> str:
    """Minute formats only for times on the whole minute: every rendering keeps the time exactly,
    or drops it entirely (date only), which the rules compare as a date."""
    if style in ("dmy_hm", "hm_dmy", "xl_dmy_hm") and isinstance(v, dt.datetime) and (v.second or v.microsecond):
        return "xl_dmy_hms" if style.startswith("xl") else "dmy_hms"
    return style


XLSX_STYLES = [  # (style, weight): xl_* are real Excel date cells holding the full datetime
    ("xl_dmy_hms", 0.28), ("xl_dmy", 0.10), ("xl_dmy_hm", 0.04),
    ("dmy_hms", 0.28), ("dmy", 0.12), ("hm_dmy", 0.08), ("dmy_hm", 0.10),
]
HTML_STYLES = [("dmy_hms", 0.45), ("dmy_hm", 0.2), ("dmy", 0.2), ("hm_dmy", 0.15)]


def _pick_style(rng: random.Random, styles: list[tuple[str, float]], field: str, row: Row) -> str:
    v = row[field]
    # the trap of issue 17: a finish on the reception day given as a bare date
    if field == "finished_at" and row["received_at"] is not None and _day_of(v) == _day_of(row["received_at"]) and rng.random() < 0.35:
        return "dmy"
    style = rng.choices([s for s, _ in styles], [w for _, w in styles])[0]
    return _lossless(style, v)


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------

def _status_name_cycle(names: dict[Any, list[str]]):
    seen: dict[Any, int] = {}

    def name(status: Any) -> str:
        i = seen.get(status, 0)
        seen[status] = i + 1
        options = names[status]
        return options[i % len(options)]

    return name


def _note(row: Row) -> str:
    """Free text like OpenCPS writes it; not a status."""
    if row["status"] in (9, 10) and row["due_at"] is not None and row["finished_at"] is not None:
        late = (_day_of(row["finished_at"]) - _day_of(row["due_at"])).days
        if late > 0:
            return f"Quá hạn {late}.25 ngày"
    if row["status"] == 5:
        return f"Yêu cầu bổ sung lần {max(1, row['supplement_requests'])}"
    return ""


def write_xlsx(truth: list[Row], path: str | Path, *, seed: int = 0) -> int:
    """The one-stop system's Excel export: a 6-row title block, the header row at 0-based row
    ``XLSX_HEADER_ROW`` (Excel row 7), one row per truth row, a footer "Tổng cộng: N hồ sơ".
    Returns the 0-based header row."""
    import xlsxwriter

    rng = random.Random(f"xlsx:{seed}")
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "Danh sách hồ sơ", "author": "Hệ thống một cửa điện tử", "created": dt.datetime(2024, 1, 2, 8, 0, 0)})
    ws = wb.add_worksheet(XLSX_SHEET)
    bold_c = wb.add_format({"bold": True, "align": "center"})
    title = wb.add_format({"bold": True, "align": "center", "font_size": 14})
    italic = wb.add_format({"italic": True, "align": "center"})
    head = wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True, "bg_color": "#DDEBF7"})
    cell = wb.add_format({"border": 1})
    fmts = {
        "xl_dmy_hms": wb.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm:ss"}),
        "xl_dmy_hm": wb.add_format({"border": 1, "num_format": "dd/mm/yyyy hh:mm"}),
        "xl_dmy": wb.add_format({"border": 1, "num_format": "dd/mm/yyyy"}),
    }
    last_col = len(XLSX_HEADERS) - 1
    ws.merge_range(0, 0, 0, 4, f"ỦY BAN NHÂN DÂN HUYỆN {DISTRICT}", bold_c)
    ws.merge_range(0, 9, 0, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_c)
    ws.merge_range(1, 0, 1, 4, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", bold_c)
    ws.merge_range(1, 9, 1, last_col, "Độc lập - Tự do - Hạnh phúc", bold_c)
    ws.merge_range(3, 0, 3, last_col, "DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", title)
    ws.merge_range(4, 0, 4, last_col, TITLE_PERIOD, italic)
    for c, h in enumerate(XLSX_HEADERS):
        ws.write_string(XLSX_HEADER_ROW, c, h, head)
    widths = [6, 28, 22, 50, 22, 36, 20, 20, 20, 18, 20, 20, 30, 22, 12, 22]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(XLSX_HEADER_ROW + 1, 0)

    status_name = _status_name_cycle(XLSX_STATUS_NAMES)
    col = {h: i for i, h in enumerate(XLSX_HEADERS)}
    r = XLSX_HEADER_ROW
    for i, row in enumerate(truth, start=1):
        r += 1
        ws.write_number(r, col["STT"], i, cell)
        for fld in ("dossier_id", "applicant", "procedure_name", "field", "unit"):
            header = XLSX_COLUMN_OF.get(fld, "Chủ hồ sơ")
            ws.write_string(r, col[header], row[fld], cell)
        for fld in ("submitted_at", "received_at", "due_at", "rescheduled_due_at", "finished_at", "returned_at"):
            v, c = row[fld], col[XLSX_COLUMN_OF[fld]]
            if v is None:
                ws.write_blank(r, c, None, cell)
                continue
            style = _pick_style(rng, XLSX_STYLES, fld, row)
            if style.startswith("xl_") and isinstance(v, dt.datetime):
                ws.write_datetime(r, c, v, fmts[style])
            else:
                ws.write_string(r, c, fmt_text(v, style.removeprefix("xl_")), cell)
        ws.write_string(r, col["Trạng thái"], status_name(row["status"]), cell)
        ws.write_string(r, col["Hình thức nộp"], CHANNEL_WORDS[row["channel"]], cell)
        level = LEVEL_WORDS.get(row["online_service"]) or ("Không" if rng.random() < 0.5 else "")
        ws.write_string(r, col["Mức độ"], level, cell)
        ws.write_string(r, col["Ghi chú"], _note(row), cell)
    ws.merge_range(r + 1, 0, r + 1, last_col, f"Tổng cộng: {len(truth)} hồ sơ", bold_c)
    wb.close()
    return XLSX_HEADER_ROW


def read_excel_frame(path: str | Path, header: int = XLSX_HEADER_ROW):
    """What an analyst hands over: ``pd.read_excel(path, header=<header row>)`` as is (object date
    columns mixing ``str``, ``datetime`` and NaN; the footer "Tổng cộng: N hồ sơ" as the last row,
    STT holding its text and every other cell NaN)."""
    import pandas as pd

    return pd.read_excel(path, header=header, engine="openpyxl")


def write_html_xls(truth: list[Row], path: str | Path, *, header_cells: str = "th", seed: int = 0) -> int:
    """An HTML table saved with an .xls name (UTF-8, ``<meta charset="utf-8">``): 4 title rows
    inside the table (the 4th empty), the header row at ``<tr>`` index ``HTML_HEADER_ROW`` in
    ``<th>`` (``header_cells="th"``) or bold ``<td><b>`` (``"b"``), national status names, old
    online-level codes 3 / 4, ``&nbsp;`` in some empty cells, a footer row. Returns the header row."""
    rng = random.Random(f"html:{seed}")
    n_cols = len(HTML_HEADERS)
    out = io.StringIO()
    w = out.write
    w('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
      'xmlns="http://www.w3.org/TR/REC-html40">\n<head><meta charset="utf-8">\n'
      '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
      '<title>DanhSachHoSo</title>\n<style>td { mso-number-format: "\\@"; } .hd { font-weight: bold; }</style>\n'
      '</head>\n<body>\n<table border="1" cellspacing="0" cellpadding="2">\n')
    w(f'<tr><td colspan="{n_cols}" style="font-weight:bold">ỦY BAN NHÂN DÂN HUYỆN {DISTRICT}</td></tr>\n')
    w(f'<tr><td colspan="{n_cols}" align="center"><b>DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT</b></td></tr>\n')
    w(f'<tr><td colspan="{n_cols}" align="center"><i>{TITLE_PERIOD}</i></td></tr>\n')
    w(f'<tr><td colspan="{n_cols}">&nbsp;</td></tr>\n')
    if header_cells == "th":
        w("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in HTML_HEADERS) + "</tr>\n")
    elif header_cells == "b":
        w('<tr class="hd">' + "".join(f"<td><b>{html.escape(h)}</b></td>" for h in HTML_HEADERS) + "</tr>\n")
    else:
        raise ValueError(header_cells)
    empty = lambda: "&nbsp;" if rng.random() < 0.5 else ""  # noqa: E731
    for i, row in enumerate(truth, start=1):
        cells = [str(i)]
        for h in HTML_HEADERS[1:]:
            fld = next(k for k, v in HTML_COLUMN_OF.items() if v == h)
            v = row[fld]
            if fld in TIME_FIELDS:
                cells.append(empty() if v is None else html.escape(fmt_text(v, _pick_style(rng, HTML_STYLES, fld, row))))
            elif fld == "status":
                cells.append(html.escape(NATIONAL_STATUS[SYNC_STATUS[v]] if v != "refused" else "Từ chối"))
            elif fld == "channel":
                cells.append(CHANNEL_WORDS[v] or empty())
            elif fld == "online_service":
                cells.append(LEVEL_OLD_CODES[v] or empty())
            else:
                cells.append(html.escape(v))
        w("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>\n")
    w(f'<tr><td colspan="3"><b>Tổng cộng</b></td><td colspan="{n_cols - 3}"><b>{len(truth)} hồ sơ</b></td></tr>\n')
    w("</table>\n</body>\n</html>\n")
    Path(path).write_bytes(out.getvalue().encode("utf-8"))
    return HTML_HEADER_ROW


def sync_records(truth: list[Row]) -> list[dict[str, Any]]:
    """The truth as national sync records (field names of ``SYNC_FIELDS``): dates as
    ``yyyyMMddHHmmss`` text (None when absent), TrangThaiHoSo an int 1-10 (refused as 8),
    KenhThucHien an int 1/2/3 or None, MucDo 3 (partial) / 4 (full) / None."""
    out = []
    for row in truth:
        rec: dict[str, Any] = {}
        for name in SYNC_FIELDS:
            if name == "MaLinhVuc":
                rec[name] = FIELDS[row["field"]]
                continue
            fld = next(k for k, v in SYNC_FIELD_OF.items() if v == name)
            v = row[fld]
            if fld in TIME_FIELDS:
                rec[name] = None if v is None else fmt_text(v, "sync")
            elif fld == "status":
                rec[name] = SYNC_STATUS[v]
            elif fld == "online_service":
                rec[name] = {"partial": 3, "full": 4}.get(v)
            else:
                rec[name] = v
        out.append(rec)
    return out


def write_sync_csv(truth: list[Row], path: str | Path, *, delimiter: str = ",") -> None:
    """The sync standard's fields as CSV: UTF-8 with BOM, CRLF, ``delimiter`` "," or ";",
    absent values as empty fields."""
    buf = io.StringIO()
    wr = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    wr.writerow(SYNC_FIELDS)
    for rec in sync_records(truth):
        wr.writerow(["" if rec[k] is None else rec[k] for k in SYNC_FIELDS])
    Path(path).write_bytes(buf.getvalue().encode("utf-8-sig"))


def write_sync_json(truth: list[Row], path: str | Path) -> None:
    """``{"data": [HoSo, ...]}`` with the sync field names, UTF-8 (no BOM), absent values as null."""
    text = json.dumps({"data": sync_records(truth)}, ensure_ascii=False, indent=1)
    Path(path).write_bytes((text + "\n").encode("utf-8"))


def write_all(truth: list[Row], folder: str | Path) -> dict[str, Path]:
    """Every file kind into `folder`: {kind: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "xlsx": folder / "danh_sach_ho_so.xlsx",
        "html_xls": folder / "DanhSachHoSo.xls",
        "sync_csv": folder / "dongbo_hoso.csv",
        "sync_csv_semicolon": folder / "dongbo_hoso_semicolon.csv",
        "sync_json": folder / "dongbo_hoso.json",
    }
    write_xlsx(truth, paths["xlsx"])
    write_html_xls(truth, paths["html_xls"])
    write_sync_csv(truth, paths["sync_csv"])
    write_sync_csv(truth, paths["sync_csv_semicolon"], delimiter=";")
    write_sync_json(truth, paths["sync_json"])
    return paths


def canonical_frame(truth: Iterable[Row]):
    """The truth as a pandas DataFrame with the library's canonical column names (raw spellings,
    repeats kept, status as text "1".."10"/"refused", channel "direct"/"online"/"post"/None)."""
    import pandas as pd

    names = {1: "direct", 2: "online", 3: "post", None: None}
    rows = [{**{k: r[k] for k in FIELDS_OF_ROW}, "status": str(r["status"]), "channel": names[r["channel"]]} for r in truth]
    df = pd.DataFrame(rows, columns=list(FIELDS_OF_ROW))
    for c in TIME_FIELDS:
        df[c] = pd.to_datetime(df[c])
    return df


if __name__ == "__main__":  # python -m exports.generate OUT_DIR [N] [SEED]
    import sys

    out_dir = sys.argv[1] if len(sys.argv) > 1 else "out/exports"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 17
    for kind, p in write_all(make_truth(n, seed), out_dir).items():
        print(kind, p, p.stat().st_size)
