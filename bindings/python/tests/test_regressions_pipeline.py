"""Named regressions of issue 11 (bugs found by reading), each through the Python API."""

from __future__ import annotations

import datetime as dt
import warnings
from fractions import Fraction

import pyarrow as pa
import pytest

import tthc_metrics as tm

AS_OF = dt.date(2023, 10, 16)


def table(received: list[str], finished: list[str | None] | None = None, status: list[str] | None = None) -> pa.Table:
    n = len(received)
    return pa.table({
        "dossier_id": [f"H{i}" for i in range(n)],
        "unit": ["Phòng Y tế"] * n,
        "received_at": received,
        "finished_at": finished if finished is not None else [None] * n,
        "status": status or ["4"] * n,
    })


def test_regression_text_times_with_fractions_and_without_seconds_are_read():
    # formerly rejected as unreadable
    t = table(["2023-10-16 09:30:00.123", "16/10/2023 09:30:00.5", "2023-10-16T09:30"])
    r = tm.report(t, as_of=AS_OF, by=(None, None))
    assert r.column("received").to_pylist() == [3]


def test_regression_rejected_record_code_is_its_own_with_a_reason():
    t = table(["2023-10-16 09:30", "2023-10-17"], ["2023-10-15 08:00", None], ["10", "4"])
    with pytest.raises(tm.RejectedRecordError) as e:
        tm.report(t, as_of=AS_OF)
    assert e.value.code == "rejected_record" != tm.OutOfRangeError.__name__
    assert e.value.reason == "finished_before_received"
    assert (e.value.row, e.value.column, e.value.dossier_id) == (0, "finished_at", "H0")


def test_regression_aware_start_and_end_are_read_in_vietnam_time():
    # 2023-10-01T20:00Z is 2 October in Việt Nam
    t = table(["2023-10-01 10:00", "2023-10-02 10:00"])
    aware = dt.datetime(2023, 10, 1, 20, 0, tzinfo=dt.timezone.utc)
    a = tm.report(t, as_of=AS_OF, by=(None, None), start=aware)
    b = tm.report(t, as_of=AS_OF, by=(None, None), start=dt.date(2023, 10, 2))
    assert a.column("received").to_pylist() == b.column("received").to_pylist() == [1]


def test_regression_percent_errors_are_typed():
    for bad in (Fraction(3, 2), Fraction(-1, 2), 2**70):
        with pytest.raises(tm.TthcError):
            tm.percent(bad)
    with pytest.raises(tm.TthcError):
        tm.percent(Fraction(1, 3), dp=21)
    assert tm.percent(Fraction(1, 3), dp=20) is not None


def test_regression_shape_errors_are_schema_errors():
    # every error about the table's shape maps to SchemaError (SchemaMismatch used to map to the
    # base class); the mismatch itself cannot come out of pyarrow, which checks stream schemas:
    # tests/tests/fuzz_arrow.rs covers it in Rust
    with pytest.raises(tm.SchemaError) as e:
        tm.report(pa.table({"x": [1]}), as_of=AS_OF)
    assert e.value.code == "missing_column"
    with pytest.raises(tm.SchemaError) as e:
        tm.report(pa.table({"received_at": [1.5], "status": [{"a": 1}]}), as_of=AS_OF)
    assert e.value.code == "unsupported_type"


def test_regression_sample_procedure_codes_name_one_procedure_each():
    t = tm.krong_no_2023().to_pandas()
    # one code, one field: the sample used 1.004227 for a land and a civil-status procedure
    by_code = t.groupby("procedure")["field"].nunique()
    assert (by_code == 1).all(), by_code[by_code > 1]


def test_regression_tally_merge_is_guarded_and_sums():
    data = tm.krong_no_2023()
    a = tm.tally(data, as_of=AS_OF)
    b = tm.tally(data, as_of=dt.date(2023, 10, 17))
    with pytest.raises(tm.MergeError):
        a.merge(b)
    assert sum([a, a]).received == 2 * a.received
    assert (tm.Tally() + a) == a


def test_regression_quality_takes_every_option_reports_do():
    data = tm.krong_no_2023()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = tm.quality(data, as_of=AS_OF, memory_limit=1 << 30, on_error="skip", duplicates="keep_all")
    assert len(q) > 0
    with pytest.raises(TypeError):
        tm.quality(data, as_of=AS_OF, comparision="date")  # a typo is an error, not ignored
