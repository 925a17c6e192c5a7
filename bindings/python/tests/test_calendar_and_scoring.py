"""tm.Calendar against numpy's semantics and the official schedules; tm.Rubric on the seed."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest

import tthc_metrics as tm

CAL = tm.Calendar.vietnam()


def test_scalars():
    # Source: domain-rules section 8: 2024 worked Saturday 04/05 with Monday 29/04 off
    assert CAL.is_working_day(dt.date(2024, 5, 4)) is True
    assert CAL.is_working_day(dt.date(2024, 4, 29)) is False
    assert CAL.add_working_days(dt.date(2024, 4, 26), 1) == dt.date(2024, 5, 2)  # 29/04-01/05 off
    assert CAL.is_official(2024) and not CAL.is_official(2040)
    names = {d: name for d, name, kind in CAL.days_off(2026)}
    assert dt.date(2026, 11, 24) in names  # Ngày Văn hóa Việt Nam from 2026
    assert CAL.make_up_days(2025)[0][0] == dt.date(2025, 4, 26)


def test_working_days_between_counts_the_swapped_saturday():
    # [26/04, 06/05) in 2024: Fri 26, (29, 30, 01 off), Thu 02, Fri 03, Sat 04 (worked) = 4
    rest = tm.Calendar.vietnam(saturday_swaps="rest")
    assert CAL.working_days_between(dt.date(2024, 4, 26), dt.date(2024, 5, 6)) == 4
    assert rest.working_days_between(dt.date(2024, 4, 26), dt.date(2024, 5, 6)) == 3


def test_vectorised_matches_scalars_and_numpy_semantics():
    rng = np.random.default_rng(3)
    days = np.datetime64("2023-01-01") + rng.integers(0, 4 * 365, 2_000).astype("timedelta64[D]")
    n = rng.integers(0, 30, 2_000)
    out = CAL.add_working_days(days, n)
    assert isinstance(out, pa.Array) and out.type == pa.date32()
    scalar = [CAL.add_working_days(d.astype(dt.date), int(k)) for d, k in zip(days, n)]
    assert out.to_pylist() == scalar
    # numpy busday_offset(roll="forward") on the same days off, where no Saturday is swapped
    rest = tm.Calendar.vietnam(saturday_swaps="rest")
    hol = [d for y in range(2023, 2028) for d, _, kind in rest.days_off(y)]
    expected = np.busday_offset(days, n, roll="forward", holidays=hol)
    assert rest.add_working_days(days, n).to_pylist() == [d.astype(dt.date) for d in expected]
    # broadcasting and nulls
    assert CAL.add_working_days(pa.array([dt.date(2024, 4, 26), None]), 1).to_pylist() == [dt.date(2024, 5, 2), None]
    between = CAL.working_days_between(days[:10], days[:10] + 7)
    assert between.to_pylist() == [CAL.working_days_between(d.astype(dt.date), (d + 7).astype(dt.date)) for d in days[:10]]
    assert CAL.is_working_day(pa.array([dt.date(2024, 5, 4)])).to_pylist() == [True]


def test_calendar_errors_are_typed():
    with pytest.raises(tm.OutOfRangeError) as e:
        CAL.add_working_days(dt.date(1800, 1, 1), 1)
    assert e.value.code == "out_of_range"
    with pytest.raises(tm.TthcError):
        CAL.add_working_days(dt.date(2024, 1, 1), -1)
    with pytest.raises(tm.UnknownNameError):
        tm.Calendar.vietnam(saturday_swaps="sometimes")


def test_due_at_in_days_and_hours():
    # received after 17:00 counts from the next working morning
    assert CAL.due_at(dt.datetime(2023, 10, 13, 17, 30), days=1) == dt.datetime(2023, 10, 17, 17, 0)
    assert CAL.due_at(dt.datetime(2023, 10, 16, 9, 0), hours=8).date() == dt.date(2023, 10, 17)
    with pytest.raises(tm.TthcError):
        CAL.due_at(dt.datetime(2023, 10, 16, 9, 0))


def test_report_with_a_calendar_computes_missing_due_dates():
    t = pa.table({"unit": ["Phòng Y tế"] * 2, "status": [10, 10],
                  "received_at": pa.array([dt.date(2023, 9, 1)] * 2, pa.date32()),
                  "finished_at": pa.array([dt.date(2023, 9, 8), dt.date(2023, 9, 11)], pa.date32()),
                  "duration_days": pa.array([3, 3], pa.uint16())})
    without = tm.tally(t, as_of=dt.date(2023, 10, 16))
    with_cal = tm.tally(t, as_of=dt.date(2023, 10, 16), calendar=CAL)
    assert (without.on_time, without.late) == (2, 0)  # no due date: on time
    assert (with_cal.on_time, with_cal.late) == (1, 1)  # due Fri 08/09 (01/09 and 04/09 off)


def test_seed_rubric_score_and_recovery():
    # Source: the seed letter (94.2% < 95% loses the criterion) and domain-rules section 4
    # (1,901 more on-time dossiers reach exactly 95.00%; 1,770 with one-decimal rounding)
    t = tm.tally(tm.krong_no_2023(), as_of=dt.date(2023, 10, 16))
    rubric = tm.Rubric.preset("seed-district-2023")
    assert "seed-district-2023" in tm.Rubric.preset_names()
    peak = tm.tally(tm.krong_no_2023(), as_of=dt.date(2023, 10, 16), start=dt.date(2023, 10, 1))
    s = rubric.score(t, windows=[("peak_month", peak)])
    assert isinstance(s.earned, Decimal) and s.earned + s.lost == s.max
    c = s.criterion("tthc_on_time")
    assert c["status"] == "failed" and c["earned"] == 0
    assert c["value"] == Fraction(10_677, 11_339)
    backlog = s.criterion("tthc_overdue_backlog")
    assert backlog["earned"] == 0 and backlog["status"] in ("failed", "forfeited")
    plan = rubric.recovery(t, "tthc_on_time")
    assert plan["additional"] == 1_901
    assert plan["to_value"] == Fraction(12_578, 13_240)  # exactly 95.00%
    rounded = tm.Rubric.from_toml(rubric.to_toml().replace(
        'op = ">="\nvalue = "95"', 'op = ">="\nvalue = "95"\ncompare = { mode = "rounded", dp = 1 }'))
    assert "rounded" in rounded.to_toml()
    assert rounded.recovery(t, "tthc_on_time")["additional"] == 1_770


def test_766_progress_points_from_a_table():
    # Source: domain-rules section 7: 314,557 on time of 358,643 x 20 points = 17.54
    n_good, n_all = 314_557, 358_643
    t = pa.table({"unit": pa.array(["X"] * n_all).dictionary_encode(),
                  "status": pa.array([10] * n_all, pa.int8()),
                  "received_at": pa.array([dt.date(2023, 1, 2)] * n_all, pa.date32()),
                  "due_at": pa.array([dt.date(2023, 1, 10)] * n_all, pa.date32()),
                  "finished_at": pa.array([dt.date(2023, 1, 9)] * n_good + [dt.date(2023, 1, 11)] * (n_all - n_good),
                                          pa.date32())})
    tally = tm.tally(t, as_of=dt.date(2023, 10, 16), rate_policy="decision_766")
    score = tm.Rubric.preset("decision-766-progress").score(tally, complaints=0)
    assert score.criterion("progress")["earned"] == Decimal("17.54")


def test_malformed_rubric_names_the_criterion():
    bad = """
name = "x"
[[criteria]]
id = "on_time"
max = 2
metric = { kind = "on_time_rate", policy = "resolved_only" }
rule = { kind = "bands", bands = [{ op = ">=", value = 95, points = 1 }, { op = ">=", value = 100, points = 2 }] }
"""
    with pytest.raises(tm.RubricError) as e:
        tm.Rubric.from_toml(bad)
    assert e.value.code == "invalid_rubric"
    assert "on_time" in str(e.value)
