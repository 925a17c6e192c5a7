"""The seed letter's figures through every input library, and the public functions."""

import datetime as dt
import warnings
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tthc_metrics as tm
from helpers import same

AS_OF = dt.date(2023, 10, 16)  # the seed letter's cut-off


@pytest.fixture(scope="module")
def sample() -> pa.Table:
    return tm.krong_no_2023()


def test_seed_figures(sample):
    # Source: shared/seed: 15.935 received, 10.677 on time or early (94,2%), 662 late (5,8%)
    t = tm.tally(sample, as_of=AS_OF)
    assert (t.received, t.early + t.on_time, t.late) == (15_935, 10_677, 662)
    assert t.on_time_rate == Fraction(10_677, 11_339)
    assert tm.percent(t.on_time_rate) == Decimal("94.2")
    assert tm.percent(t.late_rate) == Decimal("5.8")
    assert tm.percent(t.on_time_rate, dp=2) == Decimal("94.16")
    assert t.not_received == 48  # registrations that never became dossiers are excluded
    assert t.to_dict()["late"] == 662
    assert (t + t).late == 2 * 662


def test_seed_online_counts(sample):
    # Source: shared/seed: Nội vụ 132, Kinh tế và Hạ tầng 22, Tư pháp 9, Tài chính - Kế hoạch 2; Đức Xuyên 1, Đắk Sôr 0
    r = tm.report(sample, as_of=AS_OF, by=("unit", None)).to_pandas().set_index("unit")
    assert r.loc["Phòng Nội vụ", "received_online"] == 132
    assert r.loc["Phòng Kinh tế và Hạ tầng", "received_online"] == 22
    assert r.loc["Phòng Tư pháp", "received_online"] == 9
    assert r.loc["Phòng Tài chính - Kế hoạch", "received_online"] == 2
    assert r.loc["UBND xã Đức Xuyên", "received_online"] == 1
    assert r.loc["UBND xã Đắk Sôr", "received_online"] == 0


@pytest.mark.parametrize("view", ["cohort", "activity"])
@pytest.mark.parametrize("by", [("unit", "week"), ("unit", "month"), (None, "friday_week"), ("procedure", None), ("channel", "quarter")])
def test_three_libraries_agree(sample, view, by):
    start = dt.date(2023, 1, 1)
    kw = dict(as_of=AS_OF, by=by, view=view, start=start)
    from_arrow = tm.report(sample, **kw)
    from_polars = tm.report(pl.from_arrow(sample), **kw)
    from_pandas = tm.report(sample.to_pandas(), **kw)
    assert isinstance(from_arrow, pa.Table)
    assert isinstance(from_polars, pl.DataFrame)
    assert isinstance(from_pandas, pd.DataFrame)
    expected = from_arrow.to_pandas()
    pd.testing.assert_frame_equal(from_polars.to_arrow().to_pandas(), expected, check_dtype=False)
    pd.testing.assert_frame_equal(from_pandas, expected, check_dtype=False)


def test_report_columns_and_types(sample):
    r = tm.report(sample, as_of=AS_OF)
    required = ["unit", "period_start", "period_end", "received", "received_online", "carried_over", "finished",
                "early", "on_time", "late", "unfinished", "within_due", "overdue", "awaiting_supplement",
                "refused_withdrawn", "on_time_rate", "late_rate", "online_share"]
    assert all(c in r.column_names for c in required)
    assert r.schema.field("late").type == pa.int64()  # signed: differences of counts stay counts
    assert pa.types.is_floating(r.schema.field("on_time_rate").type)
    assert r.schema.metadata[b"rate_policy"] == b"resolved_only"
    df = r.to_pandas()
    # exact numerator/denominator beside the float
    ok = df["on_time_denominator"] > 0
    assert (df.loc[ok, "on_time_rate"] == df.loc[ok, "on_time_numerator"] / df.loc[ok, "on_time_denominator"]).all()
    assert df.loc[~ok, "on_time_rate"].isna().all()


def test_activity_identity_holds_in_every_row(sample):
    df = tm.report(sample, as_of=AS_OF, by=("unit", "week"), view="activity", start=dt.date(2023, 1, 1)).to_pandas()
    to_handle = df["received"] + df["carried_over"]
    assert (to_handle == df["finished"] + df["unfinished"] + df["awaiting_supplement"] + df["awaiting_payment"] + df["refused_withdrawn"]).all()
    assert (df["finished"] == df["early"] + df["on_time"] + df["late"]).all()
    assert (df["unfinished"] == df["within_due"] + df["overdue"]).all()


@pytest.mark.parametrize("policy", ["resolved_only", "decision_766", "due_in_period", "late_share"])
def test_rate_policies(sample, policy):
    t = tm.tally(sample, as_of=AS_OF, rate_policy=policy)
    assert t.rate_policy == policy
    assert 0 <= t.on_time_rate <= 1
    assert t.on_time_rate + t.late_rate == 1
    assert t.on_time_rate == t.on_time_rate_under(policy)


@pytest.mark.parametrize("policy", ["eligible_only", "decision_766", "full_process"])
def test_online_policies(sample, policy):
    t = tm.tally(sample, as_of=AS_OF, online_policy=policy)
    assert 0 <= t.online_share <= 1


def test_as_of_accepts_datetimes_and_zones(sample):
    noon = dt.datetime(2023, 10, 16, 12, 0)
    aware = dt.datetime(2023, 10, 16, 5, 0, tzinfo=dt.timezone.utc)  # 12:00 in Việt Nam
    a = tm.tally(sample, as_of=noon)
    b = tm.tally(sample, as_of=aware)
    assert a == b
    assert a.received <= tm.tally(sample, as_of=AS_OF).received


def test_unknown_policy_names_raise_typed_errors(sample):
    with pytest.raises(tm.UnknownNameError) as e:
        tm.report(sample, as_of=AS_OF, rate_policy="nonsense")
    assert e.value.code == "unknown_name"
    assert isinstance(e.value, ValueError) and isinstance(e.value, tm.TthcError)
    with pytest.raises(tm.UnknownNameError):
        tm.report(sample, as_of=AS_OF, by=("unit", "fortnight"))
    # a text date is read as the exports' dates are: the end of that day
    same(tm.report(sample, as_of="16/10/2023"), tm.report(sample, as_of=AS_OF))
    with pytest.raises(tm.TthcError):
        tm.report(sample, as_of="hôm qua")
    with pytest.raises(TypeError):
        tm.report(sample, as_of=20231016)


def test_missing_column_is_a_schema_error(sample):
    with pytest.raises(tm.SchemaError) as e:
        tm.report(sample.drop_columns(["received_at"]), as_of=AS_OF)
    assert e.value.code == "missing_column"
    assert "received_at" in str(e.value)


def test_column_mapping_for_portal_headers(sample):
    renamed = sample.rename_columns(
        ["Mã hồ sơ", "Đơn vị", "Thủ tục", "Lĩnh vực", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Trạng thái",
         "Hình thức nộp", "Mức độ DVC", "supplement_requests", "apology_issued", "rescheduled_due_at", "synced_to_portal"]
    )
    mapping = {"Mã hồ sơ": "dossier_id", "Đơn vị": "unit", "Thủ tục": "procedure", "Ngày tiếp nhận": "received_at",
               "Ngày hẹn trả": "due_at", "Ngày kết thúc xử lý": "finished_at", "Trạng thái": "status",
               "Hình thức nộp": "channel", "Mức độ DVC": "online_service"}
    a = tm.report(renamed, as_of=AS_OF, columns=mapping)
    b = tm.report(sample, as_of=AS_OF)
    same(a, b)
    with pytest.raises(tm.UnknownNameError):
        tm.report(renamed, as_of=AS_OF, columns={"Đơn vị": "don_vi"})


def test_percent():
    assert tm.percent(Fraction(18_990, 20_000)) == Decimal("95.0")  # 94.95 rounds half away from zero
    assert tm.percent(Fraction(1, 3), dp=3) == Decimal("33.333")
    assert tm.percent(None) is None
    with pytest.raises(ValueError):
        tm.percent(Fraction(3, 2))


def test_no_panic_reaches_python():
    # an empty table: a typed answer, not a crash
    empty = pa.table({"unit": pa.array([], pa.string()), "received_at": pa.array([], pa.date32()),
                      "status": pa.array([], pa.int8())})
    t = tm.tally(empty, as_of=AS_OF)
    assert t.received == 0 and t.on_time_rate is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tm.report(empty, as_of=AS_OF).num_rows == 0


def test_memory_limit_is_planned_before_allocating():
    """`memory_limit` reaches the core: a limit below what the report plans fails with code
    memory_limit before allocating, naming the bytes needed; a roomy limit and the default agree."""
    data = tm.krong_no_2023()
    as_of = dt.date(2023, 12, 31)
    with pytest.raises(tm.TthcError) as e:
        tm.report(data, as_of=as_of, by=("unit", "day"), start=dt.date(2023, 1, 1), memory_limit=10_000)
    assert e.value.code == "memory_limit"
    assert "memory limit of 10000 bytes" in str(e.value)
    roomy = tm.report(data, as_of=as_of, by=("unit", "week"), memory_limit=1 << 30)
    same(roomy, tm.report(data, as_of=as_of, by=("unit", "week")))
    with pytest.raises(tm.TthcError) as e:
        tm.tally(data, as_of=as_of, memory_limit=1)
    assert e.value.code == "memory_limit"
