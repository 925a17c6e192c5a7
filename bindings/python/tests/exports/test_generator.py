"""Self-tests of the export generator and its reference (no tthc_metrics needed).

The files open with openpyxl / pandas / csv / json / an HTML parser, their headers sit where README.md
says, every file carries the truth exactly (read back here with a small reader written from the
README), output is deterministic, the reference conserves every dossier, and a tiny hand-made truth
gives the counts the rules say.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

from exports import generate as g  # noqa: E402
from exports import reference as ref  # noqa: E402

N, SEED = 3000, 17
D = dt.date
T = dt.datetime


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return g.make_truth(N, SEED)


@pytest.fixture(scope="module")
def files(truth, tmp_path_factory) -> dict[str, Path]:
    return g.write_all(truth, tmp_path_factory.mktemp("exports"))


# --------------------------------------------------------------------------------------------
# A small reader written from README.md, to show the files carry the truth
# --------------------------------------------------------------------------------------------

TEXT_DATE = [
    (re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$"), "%d/%m/%Y %H:%M:%S", True),
    (re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"), "%d/%m/%Y %H:%M", True),
    (re.compile(r"^\d{2}:\d{2}, \d{2}/\d{2}/\d{4}$"), "%H:%M, %d/%m/%Y", True),
    (re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%d/%m/%Y", False),
    (re.compile(r"^\d{14}$"), "%Y%m%d%H%M%S", True),
]


def parse_text_date(s: str) -> tuple[str, dt.datetime | dt.date]:
    for rx, fmt, has_time in TEXT_DATE:
        if rx.match(s):
            v = dt.datetime.strptime(s, fmt)
            return fmt, (v if has_time else v.date())
    raise AssertionError(f"not a documented date format: {s!r}")


def same_time(cell, truth_value) -> bool:
    """A cell equals the truth's time exactly, or its day when the cell is a bare date."""
    if truth_value is None:
        return cell is None or (isinstance(cell, str) and cell.strip() == "") or (isinstance(cell, float) and cell != cell)
    if isinstance(cell, pd.Timestamp):
        cell = cell.to_pydatetime()
    if isinstance(cell, str):
        _, cell = parse_text_date(cell)
    if isinstance(cell, dt.datetime):
        return cell == truth_value
    return cell == truth_value.date()


STATUS_OF_NAME = {}
for code, names in g.XLSX_STATUS_NAMES.items():
    for nm in names:
        STATUS_OF_NAME.setdefault(nm, set()).add(code)
STATUS_OF_NAME["Từ chối"] = {"refused"}
GROUP = {7: "rws", 8: "rws", "refused": "rws"}


def status_matches(name: str, truth_status) -> bool:
    codes = STATUS_OF_NAME[name]
    return truth_status in codes or (len(codes) > 1 and all(GROUP.get(c) == GROUP.get(truth_status) == "rws" for c in codes))


CHANNEL_OF_WORD = {"Trực tiếp": 1, "Nộp trực tuyến": 2, "Qua bưu chính công ích": 3, "": None}
LEVEL_OF_WORD = {"Một phần": "partial", "Toàn trình": "full", "Không": "none", "": "none"}


class TableRows(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[tuple[str, str, bool]]] = []  # (tag, text, bold)
        self._cell: list[str] | None = None
        self._tag = ""
        self._bold = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell, self._tag, self._bold = [], tag, False
        elif tag == "b":
            self._bold = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((self._tag, "".join(self._cell), self._bold))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_rows(path: Path) -> list[list[tuple[str, str, bool]]]:
    p = TableRows()
    p.feed(path.read_bytes().decode("utf-8"))
    return p.rows


# --------------------------------------------------------------------------------------------
# The truth
# --------------------------------------------------------------------------------------------

def test_truth_has_the_traps(truth):
    st = Counter(str(r["status"]) for r in truth)
    for s in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "refused"]:
        assert st[s] > 0, s
    assert st["10"] + st["9"] > 0.8 * len(truth)  # most finished
    assert any(r["status"] in (1, 3) and r["received_at"] is None for r in truth)
    assert any(r["status"] in (1, 3) and r["received_at"] is not None for r in truth)
    units = [r["unit"] for r in truth]
    assert any(u != unicodedata.normalize("NFC", u) for u in units)  # NFD
    assert any(u != u.strip() for u in units) and any("  " in u.strip() for u in units)
    assert any(u.isupper() for u in units) and any(u.islower() for u in units)
    assert len({ref.unit_key(u) for u in units}) == 12
    assert len({u for u in units}) > 12
    ids = Counter(ref.id_key(r["dossier_id"]) for r in truth)
    assert len(ids) == N and len(truth) > N
    assert any(r["dossier_id"] != r["dossier_id"].strip() for r in truth)
    assert any(r["channel"] is None for r in truth)
    assert {r["channel"] for r in truth} == {1, 2, 3, None}
    assert {r["online_service"] for r in truth} == {"none", "partial", "full"}


def test_repeats_of_every_kind(truth):
    by_id: dict[str, list[dict]] = {}
    for r in truth:
        by_id.setdefault(ref.id_key(r["dossier_id"]), []).append(r)
    reps = [rows for rows in by_id.values() if len(rows) > 1]
    rank = lambda r: ref.RANK[r["status"]]  # noqa: E731
    assert any(rank(a) < rank(b) for a, b in reps)  # re-sync: older status first
    assert any(rank(a) > rank(b) for a, b in reps)  # stale row after the final one
    assert any(a == b for a, b in reps)  # identical
    assert any(rank(a) == rank(b) and a["finished_at"] != b["finished_at"] for a, b in reps)  # correction
    assert any(a["unit"] != b["unit"] for a, b in reps)  # re-spelled unit on the repeat
    assert any(a["status"] == 1 and a["received_at"] is None and b["status"] == 10 for a, b in reps)
    for a, b in reps:
        assert ref.unit_key(a["unit"]) == ref.unit_key(b["unit"])


def test_truth_is_valid(truth):
    """No bad records: a correct reader rejects nothing (dates compared as dates)."""
    for r in truth:
        rec, due, fin = r["received_at"], r["due_at"], r["finished_at"]
        if r["status"] in (9, 10):
            assert fin is not None and rec is not None
        if rec is not None:
            assert fin is None or fin >= rec
            assert due is None or due.date() >= rec.date()
            assert r["submitted_at"] is None or r["submitted_at"] <= rec
        if r["returned_at"] is not None:
            assert r["returned_at"] >= fin
        assert fin is None or fin <= g.EXPORTED_AT
        assert r["status"] in ref.RANK
        assert all(isinstance(r[f], (dt.datetime, type(None))) for f in g.TIME_FIELDS)


def test_proportions_look_real(truth):
    c = ref.cohort(truth, D(2023, 12, 31))
    tot = c[ref.COUNTS].sum()
    assert 0.03 < tot["late"] / tot["finished"] < 0.15
    assert tot["overdue"] > 0 and tot["awaiting_supplement"] > 0 and tot["awaiting_payment"] > 0
    assert 0.25 < tot["received_online"] / tot["received"] < 0.6


# --------------------------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------------------------

def test_xlsx_layout_and_content(truth, files):
    wb = openpyxl.load_workbook(files["xlsx"])
    ws = wb[g.XLSX_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("ỦY BAN NHÂN DÂN HUYỆN") and rows[3][0].startswith("DANH SÁCH HỒ SƠ")
    assert rows[4][0].startswith("Từ ngày ")
    assert 3 <= g.XLSX_HEADER_ROW <= 6
    assert list(rows[g.XLSX_HEADER_ROW]) == g.XLSX_HEADERS
    data = rows[g.XLSX_HEADER_ROW + 1: g.XLSX_HEADER_ROW + 1 + len(truth)]
    assert rows[g.XLSX_HEADER_ROW + 1 + len(truth)][0] == f"Tổng cộng: {len(truth)} hồ sơ"
    assert len(rows) == g.XLSX_HEADER_ROW + 2 + len(truth)
    col = {h: i for i, h in enumerate(g.XLSX_HEADERS)}
    kinds: Counter = Counter()
    for i, (cells, t) in enumerate(zip(data, truth), start=1):
        assert cells[col["STT"]] == i
        assert cells[col["Mã hồ sơ"]] == t["dossier_id"]
        assert cells[col["Đơn vị xử lý"]] == t["unit"]  # raw spelling kept (spaces, NFD, NBSP)
        assert cells[col["Tên thủ tục hành chính"]] == t["procedure_name"]
        for f in g.TIME_FIELDS:
            v = cells[col[g.XLSX_COLUMN_OF[f]]]
            assert same_time(v, t[f]), (i, f, v, t[f])
            if v is not None:
                kinds[type(v).__name__ if not isinstance(v, str) else parse_text_date(v)[0]] += 1
        assert status_matches(cells[col["Trạng thái"]], t["status"]), (i, cells[col["Trạng thái"]], t["status"])
        assert CHANNEL_OF_WORD[cells[col["Hình thức nộp"]] or ""] == t["channel"]
        assert LEVEL_OF_WORD[cells[col["Mức độ"]] or ""] == t["online_service"]
    # mixed: real Excel date cells and every documented text format
    assert set(kinds) == {"datetime", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%H:%M, %d/%m/%Y", "%d/%m/%Y"}
    assert min(kinds.values()) > 50


def test_xlsx_has_every_status_name(truth, files):
    ws = openpyxl.load_workbook(files["xlsx"])[g.XLSX_SHEET]
    col = g.XLSX_HEADERS.index("Trạng thái")
    names = {r[col] for r in ws.iter_rows(min_row=g.XLSX_HEADER_ROW + 2, values_only=True)}
    assert set(g.NATIONAL_STATUS.values()) <= names
    for v in ["Đã có kết quả", "Có kết quả", "Đã trả kết quả", "Chờ bổ sung", "Chờ thanh toán", "Từ chối", "Đã hủy", "Đã huỷ"]:
        assert v in names, v


def test_xlsx_same_day_finish_as_a_bare_date(truth, files):
    """The trap of issue 17: "Ngày có kết quả" as dd/MM/yyyy on the day of a timed reception."""
    ws = openpyxl.load_workbook(files["xlsx"])[g.XLSX_SHEET]
    rec, fin = g.XLSX_HEADERS.index("Ngày tiếp nhận"), g.XLSX_HEADERS.index("Ngày có kết quả")
    hits = 0
    for r, t in zip(ws.iter_rows(min_row=g.XLSX_HEADER_ROW + 2, values_only=True), truth):
        if isinstance(r[fin], str) and re.fullmatch(r"\d\d/\d\d/\d{4}", r[fin]) and t["received_at"] is not None:
            hits += t["finished_at"].date() == t["received_at"].date()
    assert hits > 100


def test_read_excel_frame(truth, files):
    df = g.read_excel_frame(files["xlsx"])
    assert list(df.columns) == g.XLSX_HEADERS
    assert len(df) == len(truth) + 1  # the footer comes along, as it does for an analyst
    assert df["STT"].iloc[-1] == f"Tổng cộng: {len(truth)} hồ sơ" and df.iloc[-1].drop("STT").isna().all()
    for h in ("Ngày tiếp nhận", "Ngày có kết quả", "Ngày hẹn trả"):
        types = {type(v).__name__ for v in df[h].iloc[:-1]}
        assert df[h].dtype == object and {"str", "float"} <= types and types & {"datetime", "Timestamp"}, (h, types)
    for i, t in enumerate(truth):
        assert df["Mã hồ sơ"].iloc[i] == t["dossier_id"]
        for f in g.TIME_FIELDS:
            assert same_time(df[g.XLSX_COLUMN_OF[f]].iloc[i], t[f]), (i, f)


@pytest.mark.parametrize("header_cells", ["th", "b"])
def test_html_xls(truth, tmp_path, header_cells):
    path = tmp_path / "DanhSachHoSo.xls"
    assert g.write_html_xls(truth, path, header_cells=header_cells) == g.HTML_HEADER_ROW
    raw = path.read_bytes()
    assert raw.startswith(b"<html") and b'<meta charset="utf-8">' in raw[:400]
    rows = html_rows(path)
    head = rows[g.HTML_HEADER_ROW]
    assert [c[1] for c in head] == g.HTML_HEADERS
    assert all(c[0] == "th" for c in head) if header_cells == "th" else all(c[0] == "td" and c[2] for c in head)
    assert all(len(r) == 1 for r in rows[: g.HTML_HEADER_ROW])  # the title rows, one spanning cell
    data = rows[g.HTML_HEADER_ROW + 1: g.HTML_HEADER_ROW + 1 + len(truth)]
    assert rows[-1][0][1] == "Tổng cộng" and rows[-1][1][1] == f"{len(truth)} hồ sơ"
    assert len(rows) == g.HTML_HEADER_ROW + 2 + len(truth)
    col = {h: i for i, h in enumerate(g.HTML_HEADERS)}
    nbsp = 0
    for cells, t in zip(data, truth):
        text = [c[1] for c in cells]
        assert text[col["Số hồ sơ"]] == t["dossier_id"] and text[col["Đơn vị tiếp nhận"]] == t["unit"]
        for f in g.TIME_FIELDS:
            v = text[col[g.HTML_COLUMN_OF[f]]]
            nbsp += v == "\xa0"
            assert v.strip() == "" if t[f] is None else same_time(v, t[f]), (f, v, t[f])
        st = text[col["Trạng thái"]]
        assert st == (g.NATIONAL_STATUS[t["status"]] if t["status"] != "refused" else "Từ chối")
        assert CHANNEL_OF_WORD[text[col["Kênh thực hiện"]].strip()] == t["channel"]
        assert text[col["Mức độ DVC"]].strip() == g.LEVEL_OLD_CODES[t["online_service"]]
    assert nbsp > 0


@pytest.mark.parametrize("kind,delimiter", [("sync_csv", ","), ("sync_csv_semicolon", ";")])
def test_sync_csv(truth, files, kind, delimiter):
    raw = files[kind].read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8")) and b"\r\n" in raw
    with open(files[kind], encoding="utf-8-sig", newline="") as fh:
        rd = csv.DictReader(fh, delimiter=delimiter)
        assert rd.fieldnames == g.SYNC_FIELDS
        recs = list(rd)
    assert len(recs) == len(truth)
    for rec, t in zip(recs, truth):
        assert rec["MaHoSo"] == t["dossier_id"] and rec["DonViXuLy"] == t["unit"] and rec["MaTTHC"] == t["procedure"]
        for f in g.TIME_FIELDS:
            v = rec[g.SYNC_FIELD_OF[f]]
            assert v == "" if t[f] is None else re.fullmatch(r"\d{14}", v) and same_time(v, t[f])
        assert int(rec["TrangThaiHoSo"]) == (8 if t["status"] == "refused" else t["status"])
        assert rec["KenhThucHien"] == ("" if t["channel"] is None else str(t["channel"]))
    df = pd.read_csv(files[kind], sep=delimiter, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(df.columns) == g.SYNC_FIELDS and len(df) == len(truth)


def test_sync_json(truth, files):
    doc = json.loads(files["sync_json"].read_text(encoding="utf-8"))
    assert list(doc) == ["data"] and len(doc["data"]) == len(truth)
    for rec, t in zip(doc["data"], truth):
        assert list(rec) == g.SYNC_FIELDS
        assert rec["MaHoSo"] == t["dossier_id"]
        assert rec["TrangThaiHoSo"] in range(1, 11)
        assert rec["KenhThucHien"] in (1, 2, 3, None) and rec["KenhThucHien"] == t["channel"]
        for f in g.TIME_FIELDS:
            v = rec[g.SYNC_FIELD_OF[f]]
            assert (v is None) if t[f] is None else same_time(v, t[f])


def _digest(paths) -> dict[str, str]:
    return {k: hashlib.sha256(Path(p).read_bytes()).hexdigest() for k, p in paths.items()}


def test_deterministic(tmp_path):
    a = _digest(g.write_all(g.make_truth(400, 5), tmp_path / "a"))
    b = _digest(g.write_all(g.make_truth(400, 5), tmp_path / "b"))
    c = _digest(g.write_all(g.make_truth(400, 6), tmp_path / "c"))
    assert a == b  # byte-identical, xlsx included (fixed creation time, fixed zip times)
    assert all(a[k] != c[k] for k in a)
    assert g.make_truth(400, 5) == g.make_truth(400, 5)


# --------------------------------------------------------------------------------------------
# The reference: conservation and identities
# --------------------------------------------------------------------------------------------

AS_OFS = [D(2023, 6, 30), D(2023, 10, 16), D(2023, 12, 31)]


@pytest.mark.parametrize("as_of", AS_OFS)
def test_cohort_conserves_every_dossier(truth, as_of):
    c = ref.cohort(truth, as_of)
    kept = ref.counted(truth)
    expect = sum(1 for d in kept if d["received_at"] is not None and D(2023, 1, 1) <= d["received_at"].date() <= as_of)
    assert c["received"].sum() == expect
    assert (c.dtypes[ref.COUNTS] == "int64").all()
    assert (c["received"] > 0).all() and (c["carried_over"] == 0).all()
    assert (c["received"] == c["received_online"] + c["received_direct"] + c["received_post"]).all()
    assert (c["finished"] == c["early"] + c["on_time"] + c["late"]).all()
    assert (c["unfinished"] == c["within_due"] + c["overdue"]).all()
    assert (c["received"] == c["finished"] + c["unfinished"] + c["awaiting_supplement"] + c["awaiting_payment"] + c["refused_withdrawn"]).all()
    assert not c.duplicated(["unit", "period_start"]).any()
    assert c["unit"].nunique() == 12
    assert set(c["unit"]) == {u[0] for u in g.UNITS}  # the clean canonical labels


def test_activity_identities(truth):
    start, end = D(2023, 1, 1), D(2023, 12, 20)
    a = ref.activity(truth, start, end)
    assert (a.dtypes[ref.COUNTS] == "int64").all()
    handled = a["received"] + a["carried_over"]
    assert (handled > 0).all()
    assert (handled == a["finished"] + a["unfinished"] + a["awaiting_supplement"] + a["awaiting_payment"] + a["refused_withdrawn"]).all()
    assert (a["received"] == a["received_online"] + a["received_direct"] + a["received_post"]).all()
    # every counted dossier received in the window is new in exactly one month
    kept = ref.counted(truth)
    assert a["received"].sum() == sum(1 for d in kept if d["received_at"] and start <= d["received_at"].date() <= end)
    # what is open at the end of a month is what the next month carries over
    full = a.set_index(["unit", "period_start"])
    months = sorted(a["period_start"].unique())
    for unit in a["unit"].unique():
        for m, nxt in zip(months, months[1:]):
            open_ = full.loc[(unit, m), ["unfinished", "awaiting_supplement", "awaiting_payment"]].sum() if (unit, m) in full.index else 0
            carried = full.loc[(unit, nxt), "carried_over"] if (unit, nxt) in full.index else 0
            assert open_ == carried, (unit, m)
    assert months[-1] == D(2023, 12, 1) and months[0] == start
    # the last month ends at `end`: the cohort of December up to 20/12 sees the same new dossiers
    dec = ref.cohort(truth, end, start=D(2023, 12, 1)).set_index("unit")["received"]
    assert (a[a["period_start"] == D(2023, 12, 1)].set_index("unit")["received"] == dec).all()


def test_facts(truth):
    f = ref.facts(truth)
    assert f["rows"] == len(truth) and f["dossiers"] == N and f["repeated_rows"] == len(truth) - N
    assert f["counted"] + f["never_received"] == N and f["units"] == 12 and f["blank_channel"] > 0


# --------------------------------------------------------------------------------------------
# Hand-checkable facts on a tiny truth
# --------------------------------------------------------------------------------------------

DRO = "UBND xã Đắk Drô"
DRO_NFD = unicodedata.normalize("NFD", DRO)
TP = "Phòng Tư pháp"


def row(dossier_id, unit, received, status, *, due=None, finished=None, channel=1):
    return {"dossier_id": dossier_id, "unit": unit, "received_at": received, "due_at": due, "finished_at": finished,
            "status": status, "channel": channel, "procedure": "1.001193", "online_service": "full"}


def tiny() -> list[dict]:
    return [
        # Đắk Drô, March: early, on time (same day as due, later hour), late, no due date (on time)
        row("A1", DRO, T(2023, 3, 1, 9), 10, due=T(2023, 3, 6, 17), finished=T(2023, 3, 3, 10)),
        row("A2", DRO_NFD, T(2023, 3, 2, 9), 10, due=T(2023, 3, 6, 17), finished=T(2023, 3, 6, 19), channel=2),
        row("A3", "  UBND  XÃ ĐẮK DRÔ ", T(2023, 3, 2, 10), 9, due=T(2023, 3, 6, 17), finished=T(2023, 3, 7, 8)),
        row("A4", DRO_NFD, T(2023, 3, 3, 8), 10, finished=T(2023, 3, 20, 8), channel=None),
        # a finish on the reception day given as a bare date: valid, on time against a same-day due
        row("A5", DRO, T(2023, 3, 9, 14, 30), 10, due=D(2023, 3, 9), finished=D(2023, 3, 9), channel=3),
        # never received: excluded even without a reception time
        row("A6", DRO, None, 1),
        row("A7", DRO, T(2023, 3, 10, 9), 3),
        # waiting for the fee (6) and for a supplement (5): their own buckets, never ended
        row("A8", DRO, T(2023, 3, 13, 9), 6, due=T(2023, 3, 15, 17)),
        row("A9", DRO, T(2023, 3, 13, 9), 5, due=T(2023, 3, 15, 17)),
        # unfinished: overdue (due day before the cut-off), within due (due day = cut-off day)
        row("B1", DRO, T(2023, 3, 14, 9), 4, due=T(2023, 3, 30, 17)),
        row("B2", DRO, T(2023, 3, 14, 9), 2, due=T(2023, 3, 31, 17)),
        # withdrawn without an end time: ended at reception
        row("B3", DRO, T(2023, 3, 15, 9), 7),
        # repeats: the stale "4" after the "10" loses (rank); the 1-without-reception loses to 2
        row("C1", TP, T(2023, 3, 1, 9), 10, due=T(2023, 3, 3, 17), finished=T(2023, 3, 2, 9)),
        row("C2", TP, None, 1),
        row(" C1 ", "PHÒNG TƯ PHÁP", T(2023, 3, 1, 9), 4, due=T(2023, 3, 3, 17)),
        row("C2", TP, T(2023, 3, 6, 9), 2, due=T(2023, 3, 8, 17)),
        # a tie (both 10): the last row wins, and it is late
        row("C3", TP, T(2023, 3, 7, 9), 10, due=T(2023, 3, 9, 17), finished=T(2023, 3, 8, 9)),
        row("C3", TP, T(2023, 3, 7, 9), 10, due=T(2023, 3, 9, 17), finished=T(2023, 3, 10, 9)),
        # received in March, finished in May: carried over through April
        row("C4", "PHÒNG TƯ PHÁP", T(2023, 3, 20, 9), 10, due=T(2023, 4, 28, 17), finished=T(2023, 5, 4, 9)),
    ]


def _cell(df, unit, month):
    hit = df[(df["unit"] == unit) & (df["period_start"] == month)]
    assert len(hit) == 1, (unit, month, df)
    return hit.iloc[0]


def test_tiny_labels():
    lab = ref.labels(tiny())
    # Đắk Drô: 11 rows clean-spell to "UBND xã Đắk Drô" (the NFD ones too), 1 to the upper case
    assert lab[ref.unit_key(DRO_NFD)] == DRO and unicodedata.is_normalized("NFC", lab[ref.unit_key(DRO)])
    # Tư pháp: 5 "Phòng Tư pháp" vs 2 "PHÒNG TƯ PHÁP": the most common casing
    assert lab[ref.unit_key(TP)] == TP
    # a tie (1 vs 1): the first seen
    assert ref.labels([row("X", "PHÒNG NỘI VỤ", None, 1), row("Y", " Phòng  Nội vụ", None, 1)])["phòng nội vụ"] == "PHÒNG NỘI VỤ"


def test_tiny_cohort():
    c = ref.cohort(tiny(), as_of=D(2023, 3, 31))
    assert list(c["unit"]) == [TP, DRO]  # one row per unit and month, clean labels
    dro = _cell(c, DRO, D(2023, 3, 1))
    # received: A1-A5, A8, A9, B1-B3 = 10 (A6 status 1, A7 status 3 excluded)
    assert dro["received"] == 10
    # channels: A2 online; A5 post; A4 blank counts as direct (A1, A3, A4, A8, A9, B1, B2, B3)
    assert (dro["received_online"], dro["received_post"], dro["received_direct"]) == (1, 1, 8)
    # A1 early (3 < 6); A2 on time (same day, 19:00 after 17:00: calendar dates); A4 no due: on time;
    # A5 bare date on the day of a 14:30 reception, due that day: on time; A3 late (7 > 6)
    assert (dro["early"], dro["on_time"], dro["late"], dro["finished"]) == (1, 3, 1, 5)
    # at 31/03: B1 due 30/03 < 31/03 overdue; B2 due 31/03 = cut-off within due
    assert (dro["unfinished"], dro["within_due"], dro["overdue"]) == (2, 1, 1)
    assert (dro["awaiting_supplement"], dro["awaiting_payment"], dro["refused_withdrawn"]) == (1, 1, 1)
    tp = _cell(c, TP, D(2023, 3, 1))
    # C1 (10 beats the later 4: early), C2 (2 beats 1; due 08/03 < 31/03: overdue),
    # C3 (tie: the last row, late), C4 (finished after the cut-off, due 28/04: within due)
    assert tp["received"] == 4
    assert (tp["early"], tp["on_time"], tp["late"]) == (1, 0, 1)
    assert (tp["within_due"], tp["overdue"]) == (1, 1)


def test_tiny_cohort_earlier_cutoff():
    # at 06/03: A1 finished (03/03); A2 finished on 06/03 counts (end of day); A3 (07/03) not yet:
    # due 06/03 = cut-off, within due; A4 (finished 20/03, no due): within due
    c = ref.cohort(tiny(), as_of=D(2023, 3, 6))
    dro = _cell(c, DRO, D(2023, 3, 1))
    assert (dro["received"], dro["early"], dro["on_time"], dro["within_due"], dro["overdue"]) == (4, 1, 1, 2, 0)


def test_tiny_activity():
    a = ref.activity(tiny(), D(2023, 3, 1), D(2023, 6, 30))
    tp_mar, tp_apr, tp_may = (_cell(a, TP, D(2023, m, 1)) for m in (3, 4, 5))
    assert (tp_mar["received"], tp_mar["carried_over"], tp_mar["finished"]) == (4, 0, 2)
    # open at the end of March: C2 (overdue), C4 (within due) -> both carried into April
    assert (tp_apr["received"], tp_apr["carried_over"], tp_apr["unfinished"]) == (0, 2, 2)
    # at 30/04: C4 due 28/04 < 30/04 overdue; C2 overdue
    assert tp_apr["overdue"] == 2
    # May: C4 finished 04/05, late; C2 still open
    assert (tp_may["carried_over"], tp_may["late"], tp_may["overdue"]) == (2, 1, 1)
    # June: only C2 left
    assert _cell(a, TP, D(2023, 6, 1))["carried_over"] == 1
    dro_apr = _cell(a, DRO, D(2023, 4, 1))
    # Đắk Drô in April: A8 (6) and A9 (5) never end; B1, B2 open: 4 carried over; the rest ended in March
    assert (dro_apr["carried_over"], dro_apr["awaiting_payment"], dro_apr["awaiting_supplement"], dro_apr["overdue"]) == (4, 1, 1, 2)


def test_tiny_dedup_and_exclusion():
    ds = {d["_id"]: d for d in ref.dossiers(tiny())}
    assert ds["C1"]["status"] == 10 and ds["C2"]["status"] == 2  # rank, not file order
    assert ds["C3"]["finished_at"] == T(2023, 3, 10, 9)  # tie: the last row
    assert "A6" not in {d["_id"] for d in ref.counted(tiny())}
    f = ref.facts(tiny())
    assert (f["rows"], f["dossiers"], f["repeated_rows"], f["never_received"], f["counted"]) == (19, 16, 3, 2, 14)
