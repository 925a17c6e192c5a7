"""tm.Calendar.vietnam(schedules=[...]): published schedules loaded as data (a file path or TOML
text), replacing the built-in year; malformed files raise TthcError subclasses with a `.code`."""

import datetime as dt
from pathlib import Path

import pytest

import tthc_metrics as tm

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures"
EXAMPLE = FIXTURES / "schedule_example_2027.toml"

BEFORE_12729 = """
[[year]]
year = 2026
source = "the October 2025 notice alone"
days_off = ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
            "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01", "2026-09-02",
            "2026-11-24"]
working_days = ["2026-08-22"]
"""


def test_builtin_2026_new_year_swap():
    # Công văn 12729/VPCP-KGVX (25/12/2025): Fri 02/01/2026 off, Sat 10/01/2026 worked
    cal = tm.Calendar.vietnam()
    assert cal.is_working_day(dt.date(2026, 1, 2)) is False
    assert cal.is_working_day(dt.date(2026, 1, 10)) is True
    assert cal.add_working_days(dt.date(2025, 12, 31), 1) == dt.date(2026, 1, 5)


def test_schedule_from_a_file_path():
    cal = tm.Calendar.vietnam(schedules=[str(EXAMPLE)])
    assert cal.is_official(2027)
    assert cal.is_working_day(dt.date(2027, 2, 20)) is True  # make-up Saturday in the file
    assert cal.is_working_day(dt.date(2027, 2, 12)) is False
    assert not tm.Calendar.vietnam().is_official(2027)


def test_schedule_from_text_replaces_the_builtin_year():
    cal = tm.Calendar.vietnam(schedules=[BEFORE_12729])
    assert cal.is_working_day(dt.date(2026, 1, 2)) is True
    assert cal.is_working_day(dt.date(2026, 1, 10)) is False


def test_malformed_schedules_raise_typed_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[year]]\nyear = 2027\nsource = "n"\ndays_off = ["2027-01-02"]\n', encoding="utf-8")
    with pytest.raises(tm.TthcError) as e:
        tm.Calendar.vietnam(schedules=[str(bad)])
    assert e.value.code == "schedule_day_off_on_weekend"
    assert str(bad) in str(e.value) and "2027-01-02" in str(e.value)
    with pytest.raises(tm.TthcError) as e:
        tm.Calendar.vietnam(schedules=["[[year]\n"])
    assert e.value.code == "schedule_parse"
    assert "schedules[0]" in str(e.value)
    with pytest.raises(tm.TthcError) as e:
        tm.Calendar.vietnam(schedules=[BEFORE_12729, BEFORE_12729])
    assert e.value.code == "schedule_duplicate_year"
