"""tm.quality: the data-quality report beside the metrics."""

import datetime as dt
import warnings

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tthc_metrics as tm

AS_OF = dt.date(2023, 10, 16)
REASONS = ["missing", "unknown_status", "unknown_channel", "unknown_online_service", "finished_before_received",
           "due_before_received", "finished_without_time", "unreadable", "out_of_range"]


def at(m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(2023, m, d, h)


def crafted() -> pa.Table:
    rows = [
        # id, unit, received, due, finished, status, supplements, apology issued at
        ("A1", "UBND xã Đắk Sôr", at(9, 1), at(9, 5), at(9, 12), "10", 0, at(9, 7)),   # late, apology after due
        ("A2", "UBND xã Đắk Sôr", at(9, 1), at(9, 5), None, "4", 3, None),             # overdue 41 days, no apology
        ("A3", "UBND xã Đắk Sôr", at(10, 2), None, None, "4", 2, None),                # no due date, 2 supplements
        ("A4", "UBND xã Đắk Sôr", at(10, 2), at(9, 30), None, "4", 0, None),           # rejected: due before reception
        ("A5", "Phòng Tư pháp", at(10, 2), at(10, 5), at(10, 5), "9", 0, None),        # on time
        ("A6", "Phòng Tư pháp", at(10, 2), at(10, 10), None, "4", 0, at(10, 9)),        # overdue 6 days, apology in time
        ("A7", "Phòng Tư pháp", at(10, 3), at(10, 4), None, "99", 0, None),            # rejected: unknown status
        ("A8", "Phòng Tư pháp", at(10, 3), None, None, "1", 0, None),                  # never received: excluded
    ]
    cols = list(zip(*rows))
    ts = pa.timestamp("us")
    return pa.table({
        "dossier_id": list(cols[0]),
        "Đơn vị": list(cols[1]),
        "received_at": pa.array(cols[2], ts),
        "due_at": pa.array(cols[3], ts),
        "finished_at": pa.array(cols[4], ts),
        "status": list(cols[5]),
        "supplement_requests": pa.array(cols[6], pa.uint8()),
        "Ngày xin lỗi": pa.array(cols[7], ts),
    })


MAP = {"Đơn vị": "unit", "Ngày xin lỗi": "apology_issued_at"}


def test_crafted_table_counts():
    q = {row["unit"]: row for row in tm.quality(crafted(), as_of=AS_OF, columns=MAP).to_pylist()}
    assert list(q) == ["Phòng Tư pháp", "UBND xã Đắk Sôr"]
    c = q["UBND xã Đắk Sôr"]
    assert (c["records"], c["rejected"], c["rejected_due_before_received"], c["excluded"], c["checked"]) == (4, 1, 1, 0, 3)
    assert (c["no_due_date"], c["repeated_supplement"], c["returned_too_often"]) == (1, 2, 1)
    assert (c["late"], c["late_without_apology"], c["apology_late"]) == (2, 1, 1)
    assert (c["overdue"], c["overdue_1_7"], c["overdue_8_30"], c["overdue_31_90"], c["overdue_over_90"], c["hanging"]) == (1, 0, 0, 1, 0, 1)
    p = q["Phòng Tư pháp"]
    assert (p["records"], p["rejected_unknown_status"], p["excluded"], p["checked"]) == (4, 1, 1, 2)
    assert (p["late"], p["late_without_apology"], p["apology_late"], p["overdue_1_7"], p["hanging"]) == (1, 0, 0, 1, 0)
    for row in q.values():
        assert row["records"] == row["rejected"] + row["excluded"] + row["checked"]
        assert row["rejected"] == sum(row[f"rejected_{r}"] for r in REASONS)


def test_rejected_rows_are_the_reports():
    _, rejected = tm.quality_with_rejected(crafted(), as_of=AS_OF, columns=MAP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tm.RejectedRowsWarning)
        _, from_report = tm.report_with_rejected(crafted(), as_of=AS_OF, columns=MAP, on_error="skip")
    assert rejected.to_pylist() == from_report.to_pylist()
    assert [(r["dossier_id"], r["reason"]) for r in rejected.to_pylist()] == [("A4", "due_before_received"), ("A7", "unknown_status")]


def test_without_apology_columns_the_apology_counts_are_null():
    t = crafted().drop_columns(["Ngày xin lỗi"])
    q = tm.quality(t, as_of=AS_OF, columns={"Đơn vị": "unit"}).to_pylist()
    assert all(row["late_without_apology"] is None and row["apology_late"] is None for row in q)
    # a flag column alone: apologies known, their dates not
    t = t.append_column("apology_issued", pa.array(["có", "không", "", "không", "false", "1", "0", "no"]))
    q = tm.quality(t, as_of=AS_OF, columns={"Đơn vị": "unit"}).to_pylist()
    assert [(row["late_without_apology"], row["apology_late"]) for row in q] == [(0, None), (1, None)]


def test_unreadable_apology_values_are_rejected_not_dropped():
    t = crafted().drop_columns(["Ngày xin lỗi"]).append_column(
        "apology_issued_at", pa.array(["07/09/2023", "", None, "", "", "hôm qua", "", ""]))
    q, rejected = tm.quality_with_rejected(t, as_of=AS_OF, columns={"Đơn vị": "unit"})
    assert [(r["dossier_id"], r["column"], r["reason"]) for r in rejected.to_pylist()] == [
        ("A4", "due_at", "due_before_received"), ("A6", "apology_issued_at", "unreadable"), ("A7", "status", "unknown_status")]
    assert sum(row["rejected"] for row in q.to_pylist()) == 3


def test_output_follows_the_input_library_and_options():
    data = tm.synthetic(5_000, units=6, seed=2)
    a = tm.quality(data, as_of=dt.date(2023, 12, 31), overdue_buckets=(30,), hanging_after_days=60)
    assert isinstance(a, pa.Table)
    assert {"overdue_1_30", "overdue_over_30"} <= set(a.column_names)
    assert a.schema.metadata[b"hanging_after_days"] == b"60"
    b = tm.quality(data.to_pandas(), as_of=dt.date(2023, 12, 31), by="procedure")
    assert isinstance(b, pd.DataFrame) and "procedure" in b.columns
    c = tm.quality(pl.from_arrow(data), as_of=dt.date(2023, 12, 31), by=None)
    assert isinstance(c, pl.DataFrame) and c.height == 1 and c["records"][0] == 5_000


def test_seed_sample_agrees_with_the_tally():
    data = tm.krong_no_2023()
    q = tm.quality(data, as_of=AS_OF, by=None).to_pylist()[0]
    t = tm.tally(data, as_of=AS_OF)
    assert q["records"] == data.num_rows
    assert q["checked"] == t.handled
    assert q["late"] == t.late + t.overdue and q["overdue"] == t.overdue
    assert q["overdue"] == q["overdue_1_7"] + q["overdue_8_30"] + q["overdue_31_90"] + q["overdue_over_90"]


def test_bad_options_are_typed_errors():
    with pytest.raises(tm.TthcError) as e:
        tm.quality(crafted(), as_of=AS_OF, columns=MAP, overdue_buckets=(30, 7))
    assert e.value.code == "invalid_argument"
    with pytest.raises(tm.UnknownNameError):
        tm.quality(crafted(), as_of=AS_OF, columns=MAP, comparison="hour")
    # "Đơn vị" is a header real exports use for the unit: found without a mapping; a header
    # nobody uses is not
    assert tm.quality(crafted(), as_of=AS_OF).num_rows == tm.quality(crafted(), as_of=AS_OF, columns=MAP).num_rows
    with pytest.raises(tm.SchemaError):
        tm.quality(crafted().rename_columns(["x" if c == "Đơn vị" else c for c in crafted().column_names]),
                   as_of=AS_OF)


def test_rescheduled_due_dates_are_read_from_arrow_input():
    # the apology's new date (rescheduled_due_at) is the due date in force under due_date="rescheduled"
    data = tm.krong_no_2023()
    original = tm.tally(data, as_of=AS_OF)
    rescheduled = tm.tally(data, as_of=AS_OF, due_date="rescheduled")
    assert rescheduled.late < original.late
    assert rescheduled.finished == original.finished
