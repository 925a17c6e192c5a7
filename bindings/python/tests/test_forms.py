"""The forms as a clerk makes them (issue 12): a real-looking one-stop Excel export (title block,
Vietnamese headers, text and cell dates, repeats; tests/exports/generate.py) read with
tm.read_export, the Biểu II.06a and the Friday report computed and written to .xlsx, the files read
back with openpyxl and every unit's numbers, the total and the title block compared with an
independent computation from the truth (tests/exports/reference.py's per-dossier rules of
domain-rules sections 3 and 6, never the library), under both bucket policies; the bad inputs the
issue names; tm.methods and the charts.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import tthc_metrics as tm

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

from exports import generate as g  # noqa: E402
from exports import reference as ref  # noqa: E402

START, END = dt.date(2023, 9, 15), dt.date(2023, 10, 14)  # the Decree 09/2019 month of October
FRIDAY = dt.date(2023, 10, 13)
N, SEED = 2500, 23

# the export repeats some dossier ids (re-synced rows): left out by design, each with a warning
pytestmark = pytest.mark.filterwarnings("ignore::tthc_metrics.RejectedRowsWarning")


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[list[dict], pa.Table]:
    truth = g.make_truth(N, seed=SEED)
    path = tmp_path_factory.mktemp("forms") / "ho_so.xlsx"
    g.write_xlsx(truth, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return truth, tm.read_export(path)


def reference_06a(truth: list[dict], start: dt.date, end: dt.date, inclusive: bool) -> dict[str, list[int]]:
    """unit label -> columns 3..13, from the truth, one dossier at a time."""
    out: dict[str, dict[str, int]] = {}
    for d in ref.counted(truth):
        r, e = ref._day(d["received_at"]), ref.end_day(d)
        if r is None or r > end or (e is not None and e < start):
            continue
        c = out.setdefault(d["_label"], {k: 0 for k in ref.COUNTS})
        ref._add(c, d, r >= start, ref.outcome(d, end))
    cols = {}
    for label, c in out.items():
        on_time, within = c["on_time"], c["within_due"]
        if inclusive:
            on_time += c["refused_withdrawn"]
            within += c["awaiting_supplement"] + c["awaiting_payment"]
        finished = c["early"] + on_time + c["late"]
        cols[label] = [
            c["received"] + c["carried_over"], c["received_online"], c["received_direct"] + c["received_post"],
            c["carried_over"], finished, c["early"], on_time, c["late"], within + c["overdue"], within,
            c["overdue"],
        ]
    return cols


def sheet_rows(path: Path, name: str) -> list[list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def numbers_row(rows: list[list]) -> int:
    return next(i for i, r in enumerate(rows) if list(r[:13]) == list(range(1, 14)))


@pytest.mark.parametrize("buckets", ["strict", "inclusive"])
def test_bieu_06a_file_matches_the_reference(export, tmp_path, buckets):
    truth, table = export
    f = tm.forms.bieu_06a(table, start=START, end=END, buckets=buckets,
                          reporting_unit="UBND huyện Krông Nô", receiving_unit="UBND tỉnh Đắk Nông",
                          place="Krông Nô", signed_on=dt.date(2023, 10, 16))
    path = f.to_excel(tmp_path / f"bieu_{buckets}.xlsx")
    rows = sheet_rows(path, "Biểu II.06a")
    text = [str(c) for r in rows for c in r if c is not None]
    assert rows[0][0] == "Biểu số II.06a/VPCP/KSTT"
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI UBND HUYỆN KRÔNG NÔ" in text
    assert "Đơn vị báo cáo: UBND huyện Krông Nô" in text
    assert "Đơn vị nhận báo cáo: UBND tỉnh Đắk Nông" in text
    assert "Kỳ báo cáo: Tháng 10 năm 2023 (Từ ngày 15/09/2023 đến ngày 14/10/2023)" in text
    assert "Đơn vị tính: Số hồ sơ TTHC." in text
    assert "Krông Nô, ngày 16 tháng 10 năm 2023" in text
    assert "NGƯỜI LÀM BÁO CÁO" in text
    n = numbers_row(rows)
    want = reference_06a(truth, START, END, buckets == "inclusive")
    got = {}
    total = None
    for r in rows[n + 1:]:
        if r[1] == "Tổng cộng":
            total = r[2:13]
            break
        got[r[1]] = list(r[2:13])
        assert r[0] == str(len(got))
    assert got == want
    assert total == [sum(c[i] for c in want.values()) for i in range(11)]
    for c in [*got.values(), total]:
        assert c[0] == c[1] + c[2] + c[3] and c[4] == c[5] + c[6] + c[7] and c[8] == c[9] + c[10]
        if buckets == "inclusive":
            assert c[0] == c[4] + c[8]
    if buckets == "inclusive":
        assert any("bao gồm cả hồ sơ từ chối" in t for t in text)
    else:
        gaps = sheet_rows(path, "Chênh lệch")
        start = next(i for i, r in enumerate(gaps) if r[0] == "STT")
        for r in gaps[start + 1:]:
            if r[1] in got:
                c = got[r[1]]
                assert r[2] == c[0] - c[4] - c[8] == sum(r[3:8])


def test_the_table_is_the_inputs_library_with_the_forms_headers(export):
    _, table = export
    for data, kind in [(table, pa.Table), (table.to_pandas(), pd.DataFrame)]:
        f = tm.forms.bieu_06a(data, start=START, end=END)
        assert isinstance(f.table, kind)
    frame = tm.forms.bieu_06a(table.to_pandas(), start=START, end=END).table
    assert list(frame.columns[:4]) == ["STT", "Đơn vị", "(3) Tổng số hồ sơ nhận giải quyết",
                                       "(4) Mới tiếp nhận trực tuyến"]
    assert frame["(3) Tổng số hồ sơ nhận giải quyết"].dtype == "int64"
    en = tm.forms.bieu_06a(table, start=START, end=END, labels="en").table
    assert en.column_names[:3] == ["number", "unit", "to_handle"]
    assert en.column("row_kind").to_pylist()[-1] == "total"
    pl = pytest.importorskip("polars")
    assert isinstance(tm.forms.bieu_06a(pl.from_arrow(table), start=START, end=END).table, pl.DataFrame)


def test_rows_by_field_and_by_level(export):
    truth, table = export
    by_field = tm.forms.bieu_06a(table, start=START, end=END, rows="field", labels="en").table.to_pylist()
    fields = {}
    for d in ref.counted(truth):
        r, e = ref._day(d["received_at"]), ref.end_day(d)
        if r <= END and not (e is not None and e < START):
            fields[d["field"]] = fields.get(d["field"], 0) + 1
    assert {r["field"]: r["to_handle"] for r in by_field if r["row_kind"] == "entry"} == fields
    units = sorted(set(ref.labels(truth).values()))
    tree = [("Huyện Krông Nô", None, "district")] + [
        (u, "Huyện Krông Nô", "commune" if u.startswith(("UBND xã", "UBND thị trấn")) else "department")
        for u in units
    ]
    levels = tm.forms.bieu_06a(table, start=START, end=END, rows="levels", unit_tree=tree, labels="en").table.to_pylist()
    sections = [r for r in levels if r["row_kind"] == "section"]
    assert [s["unit"] for s in sections] == ["Huyện, thị xã, thành phố", "Xã, phường, thị trấn"]
    total = levels[-1]
    assert total["to_handle"] == sum(s["to_handle"] for s in sections)


def test_weekly_matches_the_reference(export, tmp_path):
    truth, table = export
    f = tm.forms.weekly(table, friday=FRIDAY, peak=(dt.date(2023, 10, 18), dt.date(2023, 11, 18)),
                        reporting_unit="UBND huyện Krông Nô")
    s, e = FRIDAY - dt.timedelta(days=7), FRIDAY - dt.timedelta(days=1)
    assert f.window == (s, e)
    want: dict[str, dict[str, int]] = {}
    for d in ref.counted(truth):
        r = ref._day(d["received_at"])
        if r > e:
            continue
        w = want.setdefault(d["_label"], dict(received=0, online=0, early=0, on_time=0, late=0, overdue=0,
                                              year_good=0, year_late=0))
        if r >= s:
            w["received"] += 1
            w["online"] += d.get("channel") == 2
        end = ref.end_day(d)
        o = ref.outcome(d, e)
        if o in ("early", "on_time", "late") and s <= end <= e:
            w[o] += 1
        if o == "overdue":
            w["overdue"] += 1
        if r.year == 2023 and o in ("early", "on_time"):
            w["year_good"] += 1
        if r.year == 2023 and o == "late":
            w["year_late"] += 1
    rows = f.table.to_pylist()
    got = {r["unit"]: r for r in rows if not r["total"]}
    assert set(got) == set(want)
    for unit, w in want.items():
        r = got[unit]
        assert (r["received"], r["received_online"], r["early"], r["on_time"], r["late"], r["overdue"]) == (
            w["received"], w["online"], w["early"], w["on_time"], w["late"], w["overdue"]), unit
        assert (r["year_on_time"], r["year_late"]) == (w["year_good"], w["year_late"])
        finished = w["early"] + w["on_time"] + w["late"]
        if finished:
            # one decimal, half away from zero, from the exact fraction
            exact = (w["early"] + w["on_time"]) * 1000 / finished
            assert r["on_time_percent"] == math.floor(exact + 0.5) / 10
        else:
            assert r["on_time_percent"] is None
        good, late = w["year_good"], w["year_late"]
        assert r["needed"] == (max(0, 19 * late - good) if good + late else None)
    path = f.to_excel(tmp_path / "tuan.xlsx")
    sheet = sheet_rows(path, "Báo cáo tuần")
    text = [str(c) for r in sheet for c in r if c is not None]
    assert "Tuần từ ngày 06/10/2023 đến ngày 12/10/2023 (báo cáo ngày 13/10/2023)" in text
    n = next(i for i, r in enumerate(sheet) if r[0] == 1 and r[1] == 2)
    for r in sheet[n + 1:]:
        if r[1] in got:
            x = got[r[1]]
            assert [r[2], r[3], r[6], r[7], r[8], r[10]] == [
                x["received"], x["received_online"], x["early"], x["on_time"], x["late"], x["overdue"]]


def test_bad_inputs_are_typed_errors(export, tmp_path):
    _, table = export
    with pytest.raises(tm.FormError) as e:
        tm.forms.weekly(table, friday=dt.date(2023, 10, 12))
    assert e.value.code == "not_a_friday"
    assert "Friday 13/10/2023 covers 06/10/2023 to 12/10/2023" in str(e.value)
    with pytest.raises(tm.FormError) as e:
        tm.forms.bieu_06a(table, start=dt.date(2021, 1, 1), end=dt.date(2021, 1, 31))
    assert e.value.code == "empty_window"
    with pytest.raises(tm.FormError) as e:
        tm.forms.bieu_06a(table, start=START, end=END, unit_tree=[("Huyện Krông Nô", None, "district")])
    assert e.value.code == "uncovered" and "UBND" in str(e.value)
    with pytest.raises(tm.TthcError) as e:
        tm.forms.bieu_06a(table, start=END, end=START)
    assert e.value.code == "invalid_period"
    with pytest.raises(TypeError, match="sets 'as_of' itself"):
        tm.forms.bieu_06a(table, start=START, end=END, as_of=END)
    f = tm.forms.bieu_06a(table, start=START, end=END)
    with pytest.raises(tm.TthcError) as e:
        f.to_excel(tmp_path / "no" / "such" / "folder" / "b.xlsx")
    assert e.value.code == "write_error"
    assert not (tmp_path / "no").exists()
    (tmp_path / "taken.xlsx").mkdir()
    with pytest.raises(tm.TthcError):
        f.to_excel(tmp_path / "taken.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.xlsx"]


def test_methods_side_by_side(export):
    _, table = export
    as_of = dt.date(2023, 10, 16)
    m = {r["method"]: r for r in tm.methods(table, as_of=as_of).to_pylist() if r["measure"] == "on_time_rate"}
    t = tm.tally(table, as_of=as_of)
    assert (m["resolved_only"]["numerator"], m["resolved_only"]["denominator"]) == (
        t.on_time_rate.numerator, t.on_time_rate.denominator) or (
        m["resolved_only"]["numerator"] * t.on_time_rate.denominator
        == t.on_time_rate.numerator * m["resolved_only"]["denominator"])
    o = m["opencps_truncated"]
    assert o["percent"] == (o["numerator"] * 100) // o["denominator"]
    assert o["denominator"] == t.finished + t.refused
    inc = m["inclusive_buckets"]
    assert inc["numerator"] == t.early + t.on_time + t.refused_withdrawn
    ts = tm.tally(table, as_of=as_of, comparison="timestamp").on_time_rate
    assert m["timestamp_comparison"]["numerator"] * ts.denominator == ts.numerator * m["timestamp_comparison"]["denominator"]
    assert set(m) == {"resolved_only", "decision_766", "due_in_period", "late_share", "opencps_truncated",
                      "inclusive_buckets", "timestamp_comparison"}


def test_reporting_periods_and_deadline():
    assert tm.reporting_period("decree09_quarter", dt.date(2024, 1, 2)) == (dt.date(2023, 12, 15), dt.date(2024, 3, 14))
    assert tm.reporting_period("decree09_half_year", dt.date(2024, 6, 15)) == (dt.date(2024, 6, 15), dt.date(2024, 12, 14))
    # Tết 2024 (08-14/02) between the cut-off and the deadline
    assert tm.reporting_deadline(dt.date(2024, 2, 7)) == dt.date(2024, 2, 16)
    r = tm.report(tm.krong_no_2023(), as_of=dt.date(2023, 10, 14), by=(None, "decree09_month"),
                  view="activity", start=dt.date(2023, 7, 15))
    assert [str(d) for d in r.column("period_start").to_pylist()] == ["2023-07-15", "2023-08-15", "2023-09-15"]


def test_charts_draw_the_targets(export, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    _, table = export
    r = tm.report(table, as_of=dt.date(2023, 10, 16), by=("unit", None))
    for draw, target in [(tm.plot.on_time, 95), (tm.plot.online, 70)]:
        ax = draw(r)
        lines = [ln for ln in ax.get_lines() if list(ln.get_xdata()) == [target, target]]
        assert lines, f"no {target}% line"
        assert str(target) in ax.get_legend().get_texts()[0].get_text()
        ax.figure.savefig(tmp_path / f"{target}.png")
    ax = tm.plot.backlog(r)
    assert len(ax.patches) == 3 * (r.num_rows)
    fig = tm.forms.weekly(table, friday=FRIDAY).plot()
    fig.savefig(tmp_path / "weekly.png")
    assert (tmp_path / "weekly.png").stat().st_size > 10_000


def test_vietnamese_labels_on_every_table(export):
    _, table = export
    as_of = dt.date(2023, 10, 16)
    q = tm.quality(table, as_of=as_of, labels="vi")
    assert q.column_names[:3] == ["Đơn vị", "Số bản ghi", "Bản ghi lỗi"]
    assert q.column("Số bản ghi").to_pylist() == tm.quality(table, as_of=as_of).column("records").to_pylist()
    m = tm.methods(table, as_of=as_of, labels="vi")
    assert m.column_names[:3] == ["Chỉ số", "Cách tính", "Tỷ lệ (%)"]
    r = tm.report(table, as_of=as_of, by=("channel", None), labels="vi")
    assert r.column("Hình thức nộp").to_pylist() == ["Trực tiếp", "Trực tuyến", "Qua bưu chính công ích"]
    _, rejected = tm.report_with_rejected(table, as_of=as_of, labels="vi")
    assert rejected.column_names[:5] == ["Dòng", "Mã hồ sơ", "Cột", "Giá trị", "Lý do"]
    w = tm.forms.weekly(table, friday=FRIDAY, labels="vi").table
    assert w.column_names[:2] == ["Đơn vị", "Tiếp nhận"]
