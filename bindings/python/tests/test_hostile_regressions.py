"""Named regressions of issue 16 (hostile input, second round), and of what the fuzz suite found
beyond it, each through the Python API. Where a crash is possible the case runs in a child
process under a 4 GB address-space limit and a 60 s timeout (fuzz.runner.run_code), and a signal,
an abort, a timeout or an exception other than the right one fails the test.

The expected answers come from the spec (shared/docs/domain-rules.md, the Options docstring, the
issue's "What to build"), not from the library. A test believed right but failing on the current
build is a strict xfail whose reason (fuzz/known.py) says what happens instead; when it is fixed
the test XPASSes, which fails: remove the entry from fuzz/known.py.
"""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest

import tthc_metrics as tm
from fuzz import known
from fuzz.runner import run_code

AS_OF = dt.date(2023, 10, 16)
UTC = dt.timezone.utc
VN = dt.timezone(dt.timedelta(hours=7))
CAL = tm.Calendar.vietnam()


def child(code: str, *, timeout: float = 60) -> object:
    """What ``code`` emits in a child process; a signal, an abort or a timeout fails the test."""
    run = run_code(code, timeout=timeout)
    problem = run.ended_cleanly()
    assert problem is None, problem
    return run.result


def outcome(fn):
    try:
        return ("result", fn())
    except BaseException as e:  # noqa: BLE001 - PanicException is a BaseException
        return ("error", e)


# ---------------------------------------------------------------------------- 1. invalid UTF-8

# each string column, with a call that reads it (grouping by it, or the option that uses it)
UTF8_CASES = {
    "dossier_id": ("report_details", {"by": ("unit", None)}),
    "unit": ("report_details", {"by": ("unit", None)}),
    "procedure": ("report_details", {"by": ("procedure", None)}),
    "field": ("report_details", {"by": ("field", None)}),
    "status": ("report_details", {"by": ("unit", None)}),
    "channel": ("report_details", {"by": ("channel", None)}),
    "online_service": ("report_details", {"by": ("unit", None)}),
    "received_at": ("report_details", {"by": ("unit", None)}),
    "due_at": ("report_details", {"by": ("unit", None)}),
    "finished_at": ("report_details", {"by": ("unit", None)}),
    "rescheduled_due_at": ("report_details", {"by": ("unit", None), "due_date": "rescheduled"}),
    "synced_to_portal": ("report_details", {"by": ("unit", None), "online_policy": "decision_766"}),
    "apology_issued": ("quality_with_rejected", {"by": "unit"}),
    "submitted_at": ("quality_with_rejected", {"by": "unit", "calendar": "CAL"}),
}


@pytest.mark.parametrize("column", sorted(UTF8_CASES))
def test_regression_invalid_utf8_in_every_string_column(column):
    # issue 16 #1: a SchemaError naming the column, or the row rejected; never a signal, an
    # internal error, a UnicodeDecodeError or the bad row counted
    fn, options = UTF8_CASES[column]
    result = child(f"""
        import datetime as dt, pyarrow as pa, tthc_metrics as tm
        good = {{"dossier_id": "A", "unit": "Phòng Y tế", "procedure": "1.004227", "field": "Đất đai", "status": "10",
                "channel": "online", "online_service": "full", "received_at": "02/10/2023 08:00:00",
                "due_at": "06/10/2023 17:00:00", "finished_at": "05/10/2023 10:00:00",
                "rescheduled_due_at": "09/10/2023", "synced_to_portal": "có", "apology_issued": "không",
                "submitted_at": "02/10/2023 07:00:00"}}
        options = {options!r}
        if options.get("calendar") == "CAL":
            options["calendar"] = tm.Calendar.vietnam()
        out = []
        for kind, binary in [("string", pa.binary()), ("large_string", pa.large_binary()),
                             ("string_view", pa.binary_view()), ("dict", pa.binary())]:
            cols = {{}}
            for name, value in good.items():
                raw = [value.encode(), (b"\\xff\\xfe" if name == {column!r} else value.encode()), value.encode()]
                if name == "dossier_id":
                    raw = [b"A", b"\\xff\\xfe" if name == {column!r} else b"B", b"C"]
                arr = pa.array(raw, binary).view(pa.string_view() if kind == "string_view" else
                                                 pa.large_string() if kind == "large_string" else pa.string())
                if kind == "dict":
                    arr = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), arr)
                cols[name] = arr
            t = pa.table(cols)
            try:
                table, rejected = getattr(tm, {fn!r})(t, as_of=dt.date(2023, 10, 16), on_error="skip", **options)[:2]
                rej = pa.table(rejected) if not isinstance(rejected, pa.Table) else rejected
                out.append([kind, "result", sorted(rej.column("row").to_pylist())])
            except BaseException as e:
                out.append([kind, "error", type(e).__name__, getattr(e, "code", None), str(e)[:300]])
        emit(out)
    """)
    for kind, what, *rest in result:
        if what == "result":
            assert 1 in rest[0], f"{kind}: the row with invalid UTF-8 in {column} is counted, not rejected"
        else:
            name, code, message = rest
            assert name == "SchemaError" and code != "internal_error", (kind, name, code, message)
            assert column in message, f"{kind}: the SchemaError does not name {column}: {message}"


# ---------------------------------------------------------------------------- 2. calendar nulls


def test_regression_calendar_null_broadcast():
    # issue 16 #2: a one-element array holding a null broadcasts (null in, null out), typed or not
    d = pa.array([dt.date(2024, 4, 26), dt.date(2024, 4, 29), None])
    assert CAL.add_working_days(pa.array([None], pa.date32()), pa.array([1, 2, 3])).to_pylist() == [None] * 3
    assert CAL.add_working_days(d, pa.array([None], pa.int64())).to_pylist() == [None] * 3
    # Mon 29/04 is off (29/04-01/05): rolled forward to Thu 02/05, then one day: Fri 03/05
    assert CAL.add_working_days(d, pa.array([1], pa.int64())).to_pylist() == [dt.date(2024, 5, 2), dt.date(2024, 5, 3), None]
    assert CAL.working_days_between(pa.array([None], pa.date32()), d).to_pylist() == [None] * 3
    assert CAL.working_days_between(d, pa.array([None], pa.date32())).to_pylist() == [None] * 3
    # [26/04, 06/05) in 2024: Fri 26, Thu 02, Fri 03, Sat 04 (worked): 4; from Mon 29/04: 3
    # (domain-rules section 8)
    assert CAL.working_days_between(d, pa.array([dt.date(2024, 5, 6)])).to_pylist() == [4, 3, None]
    assert CAL.is_working_day(pa.array([None, dt.date(2024, 5, 4)], pa.date32())).to_pylist() == [None, True]


# ---------------------------------------------------------------------------- 3. rejected values

BIG = 10 << 20  # 10 MB a value


@pytest.mark.parametrize("encoding", ["large_string", "dictionary", "string_view"])
def test_regression_rejected_values_are_bounded(encoding):
    # issue 16 #3: 100 rows of a 10 MB status value (1 GB of text, or one value shared through a
    # dictionary or string views): the rejected table stays small, each value and message is cut
    # with the full length said, the process stays under its 4 GB limit
    result = child(f"""
        import datetime as dt, resource, numpy as np, pyarrow as pa, tthc_metrics as tm
        n, big = 100, {BIG}
        if {encoding!r} == "large_string":
            offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int64) * big).tobytes())
            status = pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(b"x" * (big * n))])
        elif {encoding!r} == "dictionary":
            status = pa.DictionaryArray.from_arrays(pa.array([0] * n, pa.int32()), pa.array(["x" * big]))
        else:
            status = pa.array(["x" * big], pa.string_view())
            status = pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(status.buffers()[1].to_pybytes() * n),
                                                                  status.buffers()[2]])
        t = pa.table({{"dossier_id": [f"D{{i}}" for i in range(n)], "unit": ["Phòng Y tế"] * n,
                      "received_at": ["02/10/2023"] * n, "status": status}})
        table, rejected = tm.report_with_rejected(t, as_of=dt.date(2023, 10, 16), on_error="skip")
        values = rejected.column("value").to_pylist()
        messages = rejected.column("message").to_pylist()
        try:
            tm.report(t, as_of=dt.date(2023, 10, 16))
            raised = None
        except tm.RejectedRecordError as e:
            raised = [len(str(e)), len(e.value)]
        emit({{"rows": rejected.num_rows, "nbytes": rejected.nbytes, "value": max(map(len, values)),
               "message": max(map(len, messages)), "says_length": all(str(big) in m or f"{{big:,}}" in m for m in messages),
               "raised": raised, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}})
    """)
    assert result["rows"] == 100
    assert result["nbytes"] < 1 << 20, result
    assert result["value"] <= 1000 and result["message"] <= 1000, result
    assert result["says_length"], "a cut value should say its full length"
    assert result["raised"] is not None and max(result["raised"]) <= 1000, result
    assert result["peak"] < 3 << 30, result


def test_regression_rejected_dossier_ids_are_bounded():
    # issue 16 #3: "a long dossier_id does the same"
    result = child("""
        import datetime as dt, numpy as np, pyarrow as pa, tthc_metrics as tm
        n, big = 100, 10 << 20
        offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int64) * big).tobytes())
        data = np.full(big * n, ord("D"), np.uint8)  # 1 GB once, no copy
        for i in range(n):
            data[i * big: i * big + 3] = list(f"{i:03d}".encode())  # distinct ids
        ids = pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(data)])
        t = pa.table({"dossier_id": ids, "unit": pa.nulls(n, pa.string()), "received_at": ["02/10/2023"] * n,
                      "status": ["4"] * n})
        _, rejected = tm.report_with_rejected(t, as_of=dt.date(2023, 10, 16), on_error="skip")
        emit({"rows": rejected.num_rows, "nbytes": rejected.nbytes,
              "id": max(map(len, rejected.column("dossier_id").to_pylist())),
              "message": max(map(len, rejected.column("message").to_pylist()))})
    """)
    assert result["rows"] == 100 and result["nbytes"] < 1 << 20, result
    assert result["id"] <= 1000 and result["message"] <= 1000, result


# ---------------------------------------------------------------------------- 4. activity by day


@pytest.mark.parametrize("n", [100_000, 1_000_000])
def test_regression_activity_by_day_over_three_centuries(n):
    # issue 16 #4: by=(None, "day") from 1900 to 2199 with n open dossiers: fast, or a typed
    # refusal saying how to stay within (a coarser granularity or a narrower window)
    result = child(f"""
        import datetime as dt, time, numpy as np, pyarrow as pa, tthc_metrics as tm
        n = {n}
        days = np.random.default_rng(1).integers(0, (dt.date(2199, 12, 31) - dt.date(1900, 1, 1)).days + 1, n)
        received = (np.datetime64("1900-01-01") + days.astype("timedelta64[D]")).astype("datetime64[s]")
        t = pa.table({{"dossier_id": pa.array(np.arange(n).astype(str)), "unit": pa.array(["Phòng Y tế"] * n),
                      "received_at": pa.array(received), "status": pa.array(np.full(n, 4, np.int8))}})
        start = time.monotonic()
        try:
            r = tm.report(t, as_of=dt.date(2199, 12, 31), start=dt.date(1900, 1, 1), by=(None, "day"), view="activity")
            rows = r.to_pylist()
            emit({{"seconds": time.monotonic() - start, "rows": len(rows), "received": sum(x["received"] for x in rows),
                   "last": rows[-1]["handled"], "first_day": str(rows[0]["period_start"]),
                   "earliest": str(received.min().astype("datetime64[D]")),
                   "days": (dt.date(2199, 12, 31) - received.min().astype("datetime64[D]").astype(dt.date)).days + 1,
                   "identity": all(x["handled"] == x["received"] + x["carried_over"] == x["unfinished"] for x in rows)}})
        except tm.TthcError as e:
            emit({{"seconds": time.monotonic() - start, "error": e.code, "message": str(e)}})
    """, timeout=60)
    assert result["seconds"] < 20, f"{result['seconds']:.1f} s for {n} rows by day over three centuries"
    if "error" in result:
        assert result["error"] != "internal_error", result
        return
    # every day from the first reception has a row; nothing ends, so each day holds every dossier
    # received so far, the last all n (domain-rules section 6: col 3 = 4 + 5 + 6, col 11 = 12 + 13)
    assert result["received"] == n and result["last"] == n and result["identity"], result
    assert result["rows"] == result["days"] and result["first_day"] == result["earliest"], result


# ---------------------------------------------------------------------------- 5. output in the budget


@pytest.mark.parametrize("view", ["cohort", "activity"])
def test_regression_output_within_memory_limit(view):
    # issue 16 #5: 200k rows, 5,000 units, unit x month, 1900-2199, under a 4 GB limit: the
    # report (at most one row a dossier in the cohort view) or a typed memory_limit refusal
    result = child(f"""
        import datetime as dt, numpy as np, pyarrow as pa, tthc_metrics as tm
        n, units = 200_000, 5_000
        rng = np.random.default_rng(1)
        days = rng.integers(0, (dt.date(2199, 12, 31) - dt.date(1900, 1, 1)).days + 1, n)
        received = (np.datetime64("1900-01-01") + days.astype("timedelta64[D]")).astype("datetime64[s]")
        unit = pa.DictionaryArray.from_arrays(pa.array(np.arange(n) % units, pa.int32()),
                                              pa.array([f"UBND xã số {{i:04d}}" for i in range(units)]))
        t = pa.table({{"dossier_id": pa.array(np.arange(n).astype(str)), "unit": unit, "received_at": pa.array(received),
                      "status": pa.array(np.full(n, 4, np.int8))}})
        try:
            r = tm.report(t, as_of=dt.date(2199, 12, 31), start=dt.date(1900, 1, 1), by=("unit", "month"), view={view!r})
            emit({{"rows": r.num_rows, "received": sum(r.column("received").to_pylist())}})
        except tm.TthcError as e:
            emit({{"error": e.code, "message": str(e)[:300]}})
    """)
    if "error" in result:
        assert result["error"] == "memory_limit", result
    else:
        assert result["received"] == 200_000, result
        if view == "cohort":
            assert result["rows"] <= 200_000, result


# ---------------------------------------------------------------------------- 6. dictionary keys


def test_regression_dictionary_keys_outside_the_dictionary():
    # issue 16 #6: keys outside the dictionary (invalid Arrow) are a SchemaError naming the
    # column, or their rows rejected; never read as another value (a dossier moved to another date)
    result = child("""
        import datetime as dt, pyarrow as pa, tthc_metrics as tm
        out = []
        ints = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
        dictionaries = {"received_at": ["02/10/2023", "09/10/2023"], "unit": ["Phòng Y tế", "Phòng Tư pháp"],
                        "status": ["4", "10"], "channel": ["online", "direct"]}
        for key in ints:
            for column, values in dictionaries.items():
                keys = pa.array([0, 5, 2, 1], getattr(pa, key)())  # rows 1 and 2 point outside
                cols = {"dossier_id": ["A", "B", "C", "D"], "unit": ["Phòng Y tế"] * 4, "received_at": ["02/10/2023"] * 4,
                        "status": ["4"] * 4, "finished_at": ["05/10/2023"] * 4}
                cols[column] = pa.DictionaryArray.from_arrays(keys, pa.array(values), safe=False)
                try:
                    r = tm.report_details(pa.table(cols), as_of=dt.date(2023, 10, 16), by=("unit", "week"), on_error="skip")
                    rej = r.rejected.to_pylist()
                    out.append([key, column, "result", [x["row"] for x in rej], [x["value"] for x in rej if x["row"] in (1, 2)],
                                values, sum(r.table.column("received").to_pylist())])
                except BaseException as e:
                    out.append([key, column, "error", type(e).__name__, getattr(e, "code", None), str(e)[:200]])
        emit(out)
    """)
    for key, column, what, *rest in result:
        if what == "result":
            rows, shown, values, counted = rest
            assert {1, 2} <= set(rows), f"{key} {column}: rows with keys outside the dictionary are counted"
            assert not set(shown) & set(values), f"{key} {column}: the rejection shows a dictionary value {shown}"
        else:
            name, code, message = rest
            assert name == "SchemaError" and column in message, (key, column, name, code, message)


# ---------------------------------------------------------------------------- 7. polars Null


def test_regression_polars_null_column():
    # issue 16 #7: an empty export column (polars Null) reads as nulls of its column: a null
    # channel is direct, no due date finishes on time and stays within due (domain-rules 2, 3)
    import polars as pl

    frame = pl.DataFrame({"dossier_id": ["A", "B", "C"], "unit": ["Phòng Y tế"] * 3,
                          "received_at": ["02/10/2023 08:00", "03/10/2023 09:00", "04/10/2023 10:00"],
                          "status": ["10", "4", "5"], "finished_at": ["05/10/2023 10:00", None, None]})
    frame = frame.with_columns(pl.lit(None).alias("channel"), pl.lit(None).alias("due_at"),
                               pl.lit(None).alias("supplement_requests"), pl.lit(None).alias("Ghi chú"))
    assert frame.schema["channel"] == pl.Null
    t = tm.tally(frame, as_of=AS_OF)
    assert (t.received, t.received_direct, t.received_online) == (3, 3, 0)
    assert (t.finished, t.on_time, t.late, t.within_due, t.overdue, t.awaiting_supplement) == (1, 1, 0, 1, 0, 1)
    r = tm.report(frame, as_of=AS_OF, by=("unit", None))
    assert isinstance(r, pl.DataFrame) and r["received"].to_list() == [3]


# ---------------------------------------------------------------------------- 8. zoned instants

SAT_IN_VN = dt.datetime(2024, 1, 5, 20, 0, tzinfo=UTC)  # Friday 20:00 UTC is Saturday 06/01 03:00 in Việt Nam


def test_regression_calendar_reads_zoned_instants_in_utc7():
    # issue 16 #8: the calendar reads a zoned instant in UTC+7, as the reports do (DESIGN: Time)
    assert CAL.is_working_day(SAT_IN_VN) is False
    assert CAL.is_working_day(dt.datetime(2024, 1, 5, 9, 0, tzinfo=UTC)) is True  # 16:00 Friday
    assert CAL.is_working_day(SAT_IN_VN.astimezone(dt.timezone(dt.timedelta(hours=-5)))) is False
    for unit, zone in [("us", "UTC"), ("s", "Asia/Ho_Chi_Minh"), ("ns", "America/New_York"), ("ms", "+07:00")]:
        arr = pa.array([SAT_IN_VN, None], pa.timestamp(unit, tz=zone))
        assert CAL.is_working_day(arr).to_pylist() == [False, None], zone
        assert CAL.add_working_days(arr, 0).to_pylist() == [dt.date(2024, 1, 8), None], zone
    # rolled forward from Saturday to Monday 08/01, then one working day
    assert CAL.add_working_days(SAT_IN_VN, 0) == dt.date(2024, 1, 8)
    assert CAL.add_working_days(SAT_IN_VN, 1) == dt.date(2024, 1, 9)
    assert CAL.working_days_between(SAT_IN_VN, dt.date(2024, 1, 8)) == 0
    # and the reports agree: received then, it is in the cohort of Saturday 06/01
    t = pa.table({"unit": ["Phòng Y tế"], "status": ["4"], "received_at": pa.array([SAT_IN_VN], pa.timestamp("us", tz="UTC"))})
    assert tm.tally(t, as_of=dt.date(2024, 1, 5)).received == 0
    assert tm.tally(t, as_of=dt.date(2024, 1, 6)).received == 1


def test_regression_zoneinfo_datetimes_are_read_in_utc7():
    # beyond issue 16: Options: "an aware datetime is converted to UTC+7"; a zoneinfo zone is aware
    hcm = SAT_IN_VN.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    ny = SAT_IN_VN.astimezone(ZoneInfo("America/New_York"))
    assert CAL.is_working_day(hcm) is False and CAL.is_working_day(ny) is False
    assert CAL.add_working_days(hcm, 0) == dt.date(2024, 1, 8)
    t = pa.table({"unit": ["Phòng Y tế"] * 2, "status": ["4"] * 2,
                  "received_at": pa.array([dt.datetime(2024, 1, 5, 22), dt.datetime(2024, 1, 6, 1)], pa.timestamp("s"))})
    cut = dt.datetime(2024, 1, 5, 23, 0, tzinfo=VN)  # between the two receptions
    for zone in ("Asia/Ho_Chi_Minh", "America/New_York", "Europe/Paris"):
        aware = cut.astimezone(ZoneInfo(zone))
        assert tm.tally(t, as_of=aware).received == 1, zone
        assert tm.tally(t, as_of=dt.date(2024, 1, 10), start=aware).received == 2, zone  # start is a date: 05/01
        r = tm.report(t, as_of=dt.date(2024, 1, 10), view="activity", end=aware, by=(None, None))
        # end 05/01 cuts at the end of that day: the reception at 01:00 on 06/01 is after it
        assert r.column("received").to_pylist() == [1], zone
        fixed = tm.report(t, as_of=dt.date(2024, 1, 10), view="activity", end=cut, by=(None, None))
        assert repr(r.to_pydict()) == repr(fixed.to_pydict()), zone  # as its fixed offset reads (NaN rates)


def test_regression_due_at_reads_zoned_instants():
    # beyond issue 16: due_at takes an instant like the other calendar methods; 10:30 UTC on Friday
    # 13/10/2023 is 17:30 in Việt Nam, after office hours (domain-rules 8)
    naive = CAL.due_at(dt.datetime(2023, 10, 13, 17, 30), days=1)
    aware = CAL.due_at(dt.datetime(2023, 10, 13, 10, 30, tzinfo=UTC), days=1)
    civil = aware.astimezone(VN).replace(tzinfo=None) if aware.tzinfo else aware
    assert civil == naive


# ---------------------------------------------------------------------------- 9. string counts


@pytest.mark.parametrize("count", ["12", "1", b"12", ["1", "2"], np.array(["1", "2"]), pa.array(["1", "2"]), 1.5,
                                   pa.array([1.5]), np.array([1.5])], ids=repr)
def test_regression_string_counts_refused(count):
    # issue 16 #9: text (or fractional) working-day counts are refused, not iterated or truncated
    with pytest.raises((TypeError, tm.TthcError)):
        CAL.add_working_days(dt.date(2024, 1, 2), count)


def test_regression_uint64_count_reported_exactly():
    # issue 16 #12: a uint64 count above i64::MAX is refused with its own value in the message
    with pytest.raises(tm.TthcError) as e:
        CAL.add_working_days(dt.date(2024, 1, 2), pa.array([2**63 + 5], pa.uint64()))
    assert str(2**63 + 5) in str(e.value)


# ---------------------------------------------------------------------------- 10. ambiguous columns

BASE = {"dossier_id": ["A", "B"], "unit": ["Phòng Y tế"] * 2, "received_at": ["02/10/2023", "03/10/2023"],
        "finished_at": ["05/10/2023", "05/10/2023"]}


def test_regression_duplicate_column_names_are_ambiguous():
    # issue 16 #10: two columns for one canonical name are a SchemaError, whatever their order
    import pandas as pd

    arrays = [pa.array(v) for v in BASE.values()]
    for statuses in (["4", "10"], ["10", "4"]):
        t = pa.Table.from_arrays(arrays + [pa.array([statuses[0]] * 2), pa.array([statuses[1]] * 2)],
                                 names=[*BASE, "status", "status"])
        with pytest.raises(tm.SchemaError, match="status"):
            tm.report(t, as_of=AS_OF)
    frame = pd.DataFrame({**BASE, "status": ["4", "4"]})
    frame.insert(len(frame.columns), "status", ["10", "10"], allow_duplicates=True)
    with pytest.raises(tm.SchemaError, match="status"):
        tm.report(frame, as_of=AS_OF)
    # two columns of the user's mapped onto one name, and two spellings that fold to one
    t = pa.table({**BASE, "S1": ["4", "4"], "S2": ["10", "10"]})
    with pytest.raises(tm.SchemaError, match="status"):
        tm.report(t, as_of=AS_OF, columns={"S1": "status", "S2": "status"})
    with pytest.raises(tm.SchemaError, match="status"):
        tm.report(pa.table({**BASE, "status": ["4", "4"], " STATUS ": ["10", "10"]}), as_of=AS_OF)


@pytest.mark.parametrize("names", [("Trạng thái", "TrangThaiHoSo"), ("TrangThaiHoSo", "dossierStatus"),
                                   ("dossierStatus", "Tình trạng")])
def test_regression_two_headers_of_one_column_are_ambiguous(names):
    # beyond the fixed cases: issue 16's "two sources onto one name" also covers headers the
    # matching recognises (domain-rules section 9): a status of 4 beside one of 10, under two
    # naming schemes (a Vietnamese header, the sync standard's, a portal JSON's), is ambiguous
    t = pa.table({**BASE, names[0]: ["4", "4"], names[1]: ["10", "10"]})
    with pytest.raises(tm.SchemaError, match="ambiguous"):
        tm.report(t, as_of=AS_OF)


def test_regression_the_canonical_name_is_read_beside_known_headers():
    # DESIGN (column matching): a column of the canonical name is read whatever else the table
    # holds: read_export writes it and keeps the export's other headers beside it (TenTTHC beside
    # procedure), and a user who derives `status` from "Trạng thái" means the derived one
    t = pa.table({**BASE, "status": ["4", "4"], "Trạng thái": ["Đã trả kết quả", "Đã trả kết quả"]})
    tally = tm.tally(t, as_of=AS_OF)
    assert tally.backlog == 2 and tally.finished == 0  # code 4 is in processing (domain-rules 2)
    # within one scheme the headers are alternatives in order: the procedure's code is read
    t = pa.table({**BASE, "status": ["4", "4"], "Tên thủ tục": ["Cấp phép", "Cấp phép"], "Mã thủ tục": ["1.1", "1.2"]})
    r = tm.report(t, as_of=AS_OF, by=("procedure", None))
    assert sorted(r.column("procedure").to_pylist()) == ["1.1", "1.2"]


# ---------------------------------------------------------------------------- 11. synthetic


def test_regression_synthetic_with_a_billion_units():
    # issue 16 #11: a table of n rows (at most n distinct units) or a typed error, never an abort
    result = child("""
        import tthc_metrics as tm
        out = []
        for n, units in [(5, 10**9), (5, 2**32 - 1), (10**9, 40), (100, 10**9)]:
            try:
                t = tm.synthetic(n, units=units)
                out.append([n, units, "result", t.num_rows, len(set(t.column("unit").to_pylist()))])
            except BaseException as e:
                out.append([n, units, "error", type(e).__name__, getattr(e, "code", None)])
        emit(out)
    """)
    for n, units, what, *rest in result:
        if what == "result":
            assert rest[0] == n and rest[1] <= min(n, units), (n, units, rest)
        else:
            assert rest[0] in ("TthcError", "OutOfRangeError") and rest[1] != "internal_error", (n, units, rest)


@pytest.mark.parametrize("call", [
    "tm.synthetic(-1)", "tm.synthetic(5, units=2**64)", "tm.synthetic(5, seed=-1)", "tm.synthetic(5, seed=2**64)",
    "tm.percent(Fraction(1, 3), 2**64)", "CAL.add_working_days(dt.date(2024, 1, 2), 2**63 + 5)",
    "tm.report(tm.synthetic(10), as_of=dt.date(2023, 12, 31), memory_limit=-1)",
    "tm.quality(tm.synthetic(10), as_of=dt.date(2023, 12, 31), hanging_after_days=-1)",
    "tm.report(tm.synthetic(10), as_of=dt.date(2023, 12, 31), status_names={'Hoàn tất': 2**70})",
])
def test_regression_out_of_range_integers_are_typed(call):
    # beyond issue 16: an integer outside a parameter's range is TthcError(invalid_argument), as
    # its in-range neighbours (synthetic(10**11), percent(dp=21), add_working_days(d, 2**32),
    # status_names={'x': -1}) are; not OverflowError, nor a TypeError about an int
    with pytest.raises(tm.TthcError):
        eval(call)  # noqa: S307 - the calls above


# ---------------------------------------------------------------------------- 12. tallies


def test_regression_tally_overflow_and_sum():
    # issue 16 #12: tally arithmetic is checked (a typed overflow, as in scoring), and sum() works
    t = tm.tally(tm.krong_no_2023(), as_of=AS_OF)
    assert sum([t, t, t]).received == 3 * t.received
    assert sum([t], tm.Tally()) == t and (0 + t) == t and (t + 0) == t  # the stub: __add__/__radd__ take 0
    x, exact = t, t.to_dict()
    for k in range(1, 70):
        try:
            x = x + x
        except tm.TthcError as e:
            assert e.code == "overflow" and max(exact.values()) * 2 > 2**63 - 1, (k, e)
            break
        exact = {key: 2 * v for key, v in exact.items()}
        assert x.to_dict() == exact, f"{k} doublings: the counts are not exact"
    else:
        pytest.fail("70 doublings of the seed's tally never overflowed")
    assert x != tm.Tally()
    with pytest.raises(tm.TthcError):
        big = t
        for _ in range(70):
            big = big.merge(big)


# ---------------------------------------------------------------------------- 13. zero rows


def test_regression_zero_row_inputs_checked_like_others():
    # issue 16 #12: a zero-row input gets the schema checks a one-row input gets
    result = child("""
        import datetime as dt, pyarrow as pa, tthc_metrics as tm
        types = {"float64": pa.float64(), "bool": pa.bool_(), "binary": pa.binary(), "struct": pa.struct([("a", pa.int32())]),
                 "list": pa.list_(pa.string()), "int32": pa.int32(), "date32": pa.date32(), "ts": pa.timestamp("s"),
                 "string": pa.string(), "time64": pa.time64("us"), "duration": pa.duration("s"),
                 "decimal": pa.decimal128(10, 2), "map": pa.map_(pa.string(), pa.string()), "uint64": pa.uint64(),
                 "dict": pa.dictionary(pa.int32(), pa.string()), "null": pa.null(), "large_binary": pa.large_binary()}
        one = {"dossier_id": pa.array(["a"]), "unit": pa.array(["X"]), "received_at": pa.array(["02/10/2023"]),
               "status": pa.array(["4"]), "due_at": pa.array([None], pa.string()), "finished_at": pa.array([None], pa.string()),
               "channel": pa.array(["online"]), "online_service": pa.array(["full"]), "procedure": pa.array(["1.1"]),
               "field": pa.array(["f"]), "supplement_requests": pa.array([0], pa.int32())}
        def kind(t):
            try:
                tm.report_details(t, as_of=dt.date(2023, 10, 16), on_error="skip", by=("procedure", None))
                return "ok"
            except tm.TthcError as e:
                return e.code if e.code in ("unsupported_type", "missing_column", "ambiguous_column") else "ok"
            except BaseException as e:
                return type(e).__name__
        diffs = []
        for column in one:
            for name, ty in types.items():
                arr = (pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), pa.array(["4"])) if name == "dict"
                       else pa.nulls(1, ty))
                t1 = pa.table({**one, column: arr})
                a, b = kind(t1), kind(t1.slice(0, 0))
                if a != b:
                    diffs.append([column, name, a, b])
            t = pa.table({k: v for k, v in one.items() if k != column})
            if kind(t) != kind(t.slice(0, 0)):
                diffs.append([column, "missing", kind(t), kind(t.slice(0, 0))])
        emit(diffs)
    """)
    assert result == [], result


def test_regression_all_null_dictionary_column():
    # beyond issue 16: a dictionary column whose dictionary is empty (every value null, as pandas
    # gives for an all-NaN category) reads as nulls: unit and received_at missing (rejected),
    # channel null is direct, procedure null groups nothing away (domain-rules section 2)
    result = child("""
        import datetime as dt, pandas as pd, pyarrow as pa, tthc_metrics as tm
        out = {}
        base = {"dossier_id": ["A", "B"], "unit": ["Phòng Y tế"] * 2, "received_at": ["02/10/2023"] * 2, "status": ["4"] * 2}
        for column in ["unit", "channel", "online_service", "received_at", "procedure"]:
            t = pa.table({**base, column: pa.nulls(2, pa.dictionary(pa.int32(), pa.string()))})
            try:
                r = tm.report_details(t, as_of=dt.date(2023, 10, 16), on_error="skip", by=("unit", None))
                out[column] = ["result", sorted(r.rejected.column("reason").to_pylist()),
                               sum(r.table.column("received").to_pylist()), sum(r.table.column("received_direct").to_pylist())]
            except BaseException as e:
                out[column] = ["error", type(e).__name__, getattr(e, "code", None), str(e)[:200]]
        frame = pd.DataFrame({**base, "channel": pd.Series([None, None], dtype="category")})
        try:
            out["pandas"] = ["result", tm.tally(frame, as_of=dt.date(2023, 10, 16)).received_direct]
        except BaseException as e:
            out["pandas"] = ["error", type(e).__name__, getattr(e, "code", None), str(e)[:200]]
        emit(out)
    """)
    assert result["unit"] == ["result", ["missing", "missing"], 0, 0], result
    assert result["received_at"] == ["result", ["missing", "missing"], 0, 0], result
    assert result["channel"] == ["result", [], 2, 2], result
    assert result["procedure"] == ["result", [], 2, 2], result
    assert result["online_service"][0] == "result", result
    assert result["pandas"] == ["result", 2], result


# ---------------------------------------------------------------------------- 14. percent


def test_regression_percent_decimals_bounded():
    # issue 16 #12: more than 20 decimals is refused, not capped; rounding half away from zero
    # (domain-rules section 4) to exactly dp decimals
    for dp in (21, 25, 10**6, -1):
        with pytest.raises(tm.TthcError):
            tm.percent(Fraction(1, 3), dp)
    assert tm.percent(Fraction(1, 3), 20) == Decimal("33.33333333333333333333")
    assert str(tm.percent(Fraction(1, 3), 20)) == "33.33333333333333333333"
    assert str(tm.percent(Fraction(1, 40), 0)) == "3"      # 2.5 -> 3
    assert str(tm.percent(Fraction(1, 16), 1)) == "6.3"    # 6.25 -> 6.3
    assert str(tm.percent(Fraction(1, 8), 1)) == "12.5"
    assert str(tm.percent(Fraction(19, 20), 2)) == "95.00"
    assert str(tm.percent(Fraction(10677, 11339), 1)) == "94.2"  # the seed's 94.16%


# ---------------------------------------------------------------------------- 15. datetimes


def test_regression_is_working_day_of_a_datetime():
    # issue 16 #12: a datetime is a day (naive: civil time in Việt Nam), not an iterable
    assert CAL.is_working_day(dt.datetime(2024, 1, 5, 20, 0)) is True    # Friday
    assert CAL.is_working_day(dt.datetime(2024, 1, 6, 9, 0)) is False    # Saturday
    assert CAL.is_working_day(dt.datetime(2024, 5, 4, 8, 0)) is True     # the worked Saturday of 2024
    assert CAL.is_working_day(dt.datetime(2024, 4, 29, 8, 0)) is False   # its day off
    got = CAL.is_working_day([dt.datetime(2024, 1, 5, 20), dt.datetime(2024, 1, 6, 9)])
    assert list(getattr(got, "to_pylist", lambda: got)()) == [True, False]
    got = CAL.is_working_day(np.array(["2024-01-05T20:00", "2024-01-06T09:00"], dtype="datetime64[s]"))
    assert list(getattr(got, "to_pylist", lambda: got)()) == [True, False]


# ---------------------------------------------------------------------------- the C data interface


@pytest.mark.parametrize("patch", [(1, "length", 2), (0, "batch_length", -3), (2, "offset", -2), (1, "length", -1)],
                         ids=["column shorter than the batch", "negative batch length", "negative offset",
                              "negative column length"])
def test_regression_c_stream_lengths_that_disagree_are_a_schema_error(patch):
    # beyond issue 16: a producer that does not validate ('any Arrow C-stream producer') sends a
    # batch whose declared lengths cannot hold: a SchemaError, not a PanicException
    result = child(f"""
        import datetime as dt, pyarrow as pa, tthc_metrics as tm
        from fuzz.cstream import PatchedStream
        b = pa.record_batch({{"dossier_id": ["A", "B", "C", "D"], "unit": ["X", "Y", "X", "Y"],
                             "received_at": pa.array([dt.datetime(2023, 10, 2)] * 4, pa.timestamp("s")),
                             "status": pa.array([4] * 4, pa.int8())}})
        emit(outcome(lambda: tm.report(PatchedStream([b], [{patch!r}]), as_of=dt.date(2023, 10, 16)).num_rows))
    """)
    assert result[0] == "error" and result[1] == "SchemaError", result


@pytest.mark.parametrize("case", ["null data buffer", "missing dictionary", "get_next fails", "generator raises"])
def test_regression_c_interface_errors_are_typed(case):
    # beyond issue 16: a broken stream is a typed error (or the producer's own exception), not a
    # bare TypeError from the C data interface
    result = child(f"""
        import datetime as dt, pyarrow as pa, tthc_metrics as tm
        from fuzz.cstream import PatchedStream
        class ProducerError(Exception):
            pass
        unit = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, 1], pa.int8()), pa.array(["X", "Y"]))
        b = pa.record_batch({{"dossier_id": ["A", "B", "C", "D"], "unit": unit,
                             "received_at": pa.array([dt.datetime(2023, 10, 2)] * 4, pa.timestamp("s")),
                             "status": pa.array([4] * 4, pa.int8())}})
        case = {case!r}
        if case == "null data buffer":
            data = PatchedStream([b], [(2, "drop_buffer", 1)])
        elif case == "missing dictionary":
            data = PatchedStream([b], [(1, "no_dictionary", None)])
        elif case == "get_next fails":
            data = PatchedStream([b, b], [], fail_at=1)
        else:
            def batches():
                yield b
                raise ProducerError("the export broke")
            data = pa.RecordBatchReader.from_batches(b.schema, batches())
        emit(outcome(lambda: tm.report(data, as_of=dt.date(2023, 10, 16)).num_rows))
    """)
    assert result[0] == "error", result
    assert result[1] in ("SchemaError", "TthcError") or (case == "generator raises" and result[1] == "ProducerError"), result


# ---------------------------------------------------------------------------- inputs and messages


def test_regression_lazyframe_is_a_type_error():
    # beyond issue 16: an input the API does not take is the TypeError naming those it does (as a
    # dict or a list gives), or the frame it would collect to
    import polars as pl

    lazy = pl.DataFrame({"unit": ["X"], "received_at": ["02/10/2023"], "status": ["4"]}).lazy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kind, value = outcome(lambda: tm.tally(lazy, as_of=AS_OF))
    assert (kind == "result" and value.received == 1) or isinstance(value, TypeError), value


def test_regression_vietnamese_labels_keep_the_pandas_row_labels():
    # beyond issue 16: report_with_rejected documents a 'label' column (the row's index label) for
    # pandas input; labels="vi" names the columns in Vietnamese, it does not drop one
    import pandas as pd

    frame = pd.DataFrame({"unit": ["Phòng Y tế", None], "received_at": ["02/10/2023"] * 2, "status": ["4"] * 2},
                         index=["first", "second"])
    _, en = tm.report_with_rejected(frame, as_of=AS_OF, on_error="skip")
    _, vi = tm.report_with_rejected(frame, as_of=AS_OF, on_error="skip", labels="vi")
    assert list(en["label"]) == ["second"]
    assert vi.shape == en.shape and list(vi.iloc[:, -1]) == ["second"], list(vi.columns)


@pytest.mark.parametrize("call", [
    "tm.report(tm.synthetic(10), as_of=dt.date(2023, 12, 31), view=H)",
    "tm.report(tm.synthetic(10), as_of=H)",
    "tm.report(tm.synthetic(10), as_of=dt.date(2023, 12, 31), rate_policy=H)",
    "tm.Calendar.vietnam(schedules=[H])",
    "tm.Rubric.from_toml(H)",
    "tm.report(pa.table({'unit': ['x'], 'received_at': ['02/10/2023'], 'status': pa.array([{H: 1}])}), as_of=dt.date(2023, 12, 31))",
])
def test_regression_exception_messages_are_bounded(call):
    # issue 16 "What to build": messages truncated to a fixed length with the full length said;
    # a 1,000,000-character argument must not make a 1,000,000-character message
    H = "ź" * 1_000_000  # noqa: F841 - used by the calls
    with pytest.raises(tm.TthcError) as e:
        eval(call)  # noqa: S307 - the calls above
    assert len(str(e.value)) <= 2_000, len(str(e.value))
