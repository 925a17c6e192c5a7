"""Every string and time encoding pyarrow, polars and pandas produce; chunks; nulls; bad rows."""

import datetime as dt
import warnings

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tthc_metrics as tm
from helpers import same

AS_OF = dt.date(2023, 10, 16)


def base_table() -> pa.Table:
    # three units, one NFD spelling; statuses as text; times as naive microseconds (civil time)
    ts = lambda s: dt.datetime.fromisoformat(s)  # noqa: E731
    return pa.table({
        "dossier_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
        "unit": ["UBND xã Nâm N'Đir", "UBND xã Na\u0302m N'Đir", "Phòng Tư pháp", "Phòng Tư pháp", "UBND xã Nam Đà", "UBND xã Nam Đà"],
        "received_at": pa.array([ts("2023-10-02 08:00"), ts("2023-10-03 16:30"), ts("2023-10-04 09:00"),
                                 ts("2023-10-09 10:00"), ts("2023-10-10 07:30"), ts("2023-10-11 14:00")], pa.timestamp("us")),
        "due_at": pa.array([ts("2023-10-05 17:00"), ts("2023-10-05 17:00"), None, ts("2023-10-12 17:00"),
                            ts("2023-10-13 17:00"), ts("2023-10-20 17:00")], pa.timestamp("us")),
        "finished_at": pa.array([ts("2023-10-04 10:00"), ts("2023-10-06 09:00"), ts("2023-10-05 15:00"), None,
                                 None, None], pa.timestamp("us")),
        "status": ["10", "9", "returned", "4", "processing", "supplement"],
        "channel": ["online", None, "direct", "2", "post", "online"],
    })


def expected(t: tm.Tally):
    return (t.early, t.on_time, t.late, t.within_due, t.overdue, t.awaiting_supplement, t.received_online)


def test_base_table_classification():
    t = tm.tally(base_table(), as_of=AS_OF)
    # A1 early, A2 late, A3 no due date -> on time, A4 overdue (due 12/10), A5 overdue (13/10), A6 awaiting
    assert expected(t) == (1, 1, 1, 0, 2, 1, 3)
    r = tm.report(base_table(), as_of=AS_OF, by=("unit", None)).to_pandas()
    assert list(r["unit"]) == ["Phòng Tư pháp", "UBND xã Nam Đà", "UBND xã Nâm N'Đir"]  # NFC and NFD are one unit


@pytest.mark.parametrize("string_type", [pa.string(), pa.large_string(), pa.string_view()])
@pytest.mark.parametrize("key_type", [None, pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32()])
def test_string_encodings(string_type, key_type):
    t = base_table()
    for name in ["unit", "status", "channel", "dossier_id"]:
        col = t.column(name).cast(string_type)
        if key_type is not None:
            col = pa.chunked_array([pa.DictionaryArray.from_arrays(
                pa.array([i for i in range(len(col))], key_type), col.combine_chunks())])
        t = t.set_column(t.schema.get_field_index(name), name, col)
    assert expected(tm.tally(t, as_of=AS_OF)) == expected(tm.tally(base_table(), as_of=AS_OF))
    a = tm.report(t, as_of=AS_OF, by=("unit", "week"))
    same(a, tm.report(base_table(), as_of=AS_OF, by=("unit", "week")))


def test_pandas_object_text_first_seen_late():
    # a distinct object whose first row is past the first 65,536 (and past 8 times that) is
    # still the one its rows convert to
    import numpy as np

    objects = np.array(["UBND xã A", "UBND xã B", None, "Phòng Y tế"], dtype=object)
    rows = np.random.default_rng(1).integers(0, 3, 1_000_000)
    rows[900_000] = 3
    col = pd.Series(objects[rows], dtype=object)
    got = tm._object_text(col)
    assert got is not None and got.cast(pa.string()).equals(pa.array(col, from_pandas=True))


@pytest.mark.parametrize("shared", [True, False])
def test_pandas_python_strings_equal_pyarrows_conversion(shared):
    # the `string` dtype with Python storage (astype("string") in pandas 2, convert_dtypes())
    # is read from its object array: through its distinct objects where rows share them, else
    # converted from the array (pandas' own conversion was twice as slow); missing values
    # (pd.NA) are null rows either way
    import numpy as np

    rng = np.random.default_rng(3)
    names = np.array(["UBND xã Nâm N'Đir", "Phòng Tư pháp", "Đã trả kết quả", ""], dtype=object)
    objects = names[rng.integers(0, 4, 5000)]
    if not shared:  # an object a row (a copy of each string)
        objects = np.array([x.encode().decode() for x in objects], dtype=object)
    col = pd.Series(objects, dtype=pd.StringDtype("python"))
    col[[0, 17, 4999]] = pd.NA
    assert tm._python_strings(col)
    got = tm._object_text(col) if shared else tm._python_strings_to_arrow(col)
    assert got is not None
    want = pa.array(col, from_pandas=True)
    assert got.cast(pa.string()).equals(want)
    assert got.null_count == 3
    assert (tm._object_text(col) is None) == (not shared)
    assert tm._python_strings(pd.Series(["a"], dtype=object)) is False


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamp_units(unit):
    t = base_table()
    for name in ["received_at", "due_at", "finished_at"]:
        t = t.set_column(t.schema.get_field_index(name), name, t.column(name).cast(pa.timestamp(unit)))
    assert expected(tm.tally(t, as_of=AS_OF)) == expected(tm.tally(base_table(), as_of=AS_OF))


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_time_zones_are_converted_to_vietnam_time(unit):
    # the same instants in UTC: 2023-10-02 08:00 +07 is 2023-10-02 01:00 UTC
    t = base_table()
    for name in ["received_at", "due_at", "finished_at"]:
        naive = t.column(name).to_pylist()
        utc = [None if v is None else (v - dt.timedelta(hours=7)).replace(tzinfo=dt.timezone.utc) for v in naive]
        t = t.set_column(t.schema.get_field_index(name), name, pa.array(utc, pa.timestamp(unit, tz="UTC")))
    assert expected(tm.tally(t, as_of=AS_OF)) == expected(tm.tally(base_table(), as_of=AS_OF))
    # a zone other than UTC holds the same instants
    t2 = t.set_column(t.schema.get_field_index("received_at"), "received_at",
                      t.column("received_at").cast(pa.timestamp(unit, tz="Asia/Ho_Chi_Minh")))
    assert expected(tm.tally(t2, as_of=AS_OF)) == expected(tm.tally(base_table(), as_of=AS_OF))


def test_late_evening_utc_is_the_next_local_day():
    # received 2023-10-15 18:00 UTC = 2023-10-16 01:00 in Việt Nam: in the cohort of the 16th, not the 15th
    t = pa.table({"unit": ["X"], "status": [4],
                  "received_at": pa.array([dt.datetime(2023, 10, 15, 18, tzinfo=dt.timezone.utc)], pa.timestamp("us", tz="UTC"))})
    assert tm.tally(t, as_of=dt.date(2023, 10, 15)).received == 0
    assert tm.tally(t, as_of=dt.date(2023, 10, 16)).received == 1


def test_date32_and_date64_and_text_dates():
    t = base_table()
    days = t
    for name in ["received_at", "due_at", "finished_at"]:
        days = days.set_column(days.schema.get_field_index(name), name, t.column(name).cast(pa.date32()))
    by_days = tm.tally(days, as_of=AS_OF)
    d64 = days
    for name in ["received_at", "due_at", "finished_at"]:
        d64 = d64.set_column(d64.schema.get_field_index(name), name, days.column(name).cast(pa.date64()))
    assert expected(tm.tally(d64, as_of=AS_OF)) == expected(by_days)
    text = days
    for name in ["received_at", "due_at", "finished_at"]:
        values = [None if v is None else v.strftime("%d/%m/%Y") for v in days.column(name).to_pylist()]
        text = text.set_column(text.schema.get_field_index(name), name, pa.array(values, pa.string()))
    assert expected(tm.tally(text, as_of=AS_OF)) == expected(by_days)


def test_pandas_date_objects_and_categories():
    df = base_table().to_pandas()
    df["received_at"] = df["received_at"].dt.date  # object dtype of datetime.date
    df["unit"] = df["unit"].astype("category")
    df["status"] = df["status"].astype("category")
    t = tm.tally(df, as_of=AS_OF)
    assert t.received == 6


def test_polars_strings_categoricals_and_dates():
    df = pl.from_arrow(base_table())
    assert isinstance(df, pl.DataFrame)
    a = tm.tally(df, as_of=AS_OF)
    b = tm.tally(df.with_columns(pl.col("unit").cast(pl.Categorical), pl.col("received_at").cast(pl.Date)), as_of=AS_OF)
    assert expected(a) == expected(tm.tally(base_table(), as_of=AS_OF))
    assert a.received == b.received


def _rows(x):
    t = x if isinstance(x, pa.Table) else x.to_arrow()
    return sorted(map(str, t.to_pylist()))


def test_polars_categoricals_through_their_physical_codes():
    # tm reads a Categorical or Enum column as a dictionary over its physical codes and polars'
    # categories object, which holds every value the process has categorised: unused words
    # (some of them status-like, some unit-like) must neither group nor reject anything, and
    # the report and its rejections must equal the plain-string ones
    pl.Series("warm", ["Không rõ", "Đang xử lý ", "UBND xã A", "junk"] + [f"x {i}" for i in range(300)]).cast(
        pl.Categorical)
    t = base_table()
    n = 60
    plain = pl.DataFrame({
        "unit": [t["unit"][i % 6].as_py() if i % 7 else None for i in range(n)],
        "status": [["10", "9", "processing", "bogus", None][i % 5] for i in range(n)],
        "received_at": [dt.datetime(2023, 10, 1) + dt.timedelta(hours=7 * i) for i in range(n)],
    })
    cat = plain.with_columns(pl.col("unit").cast(pl.Categorical), pl.col("status").cast(pl.Categorical))
    chunked = pl.concat([cat[:25], cat[25:]], rechunk=False)
    names = sorted({u for u in plain["unit"].to_list() if u is not None})
    enum = plain.with_columns(pl.col("unit").cast(pl.Enum(names + ["unused unit"])))
    kw = dict(as_of=AS_OF, by=("unit", "week"), on_error="skip")
    want, want_rejected = tm.report_details(plain.to_arrow(), **kw)[:2]
    assert len(_rows(want_rejected)) > 0
    for frame in (cat, chunked, enum):
        got, rejected = tm.report_details(frame, **kw)[:2]
        assert _rows(got) == _rows(want)
        assert _rows(rejected) == _rows(want_rejected)
    assert isinstance(tm._polars_categoricals(cat), pa.Table)  # the physical-code path was taken
    assert tm._polars_categoricals(plain) is plain


def test_pandas_object_text_through_its_distinct_objects():
    # pd.read_csv gives one object per distinct string; tm converts each distinct object once
    # (a dictionary over them): the report and rejections equal the row-by-row conversion's,
    # with equal strings held by different objects, missing values, and an id column (an
    # object a row) that takes the row-by-row path
    import io

    import numpy as np

    rng = np.random.default_rng(7)
    units = ["UBND xã Nâm N'Đir", "UBND xã Na\u0302m N'Đir", "Phòng Tư pháp", ""]
    statuses = ["10", "9", "processing", "bogus", ""]
    n = 3000
    lines = ["dossier_id,unit,status,received_at"]
    for i in range(n):
        day = dt.datetime(2023, 10, 1) + dt.timedelta(hours=int(rng.integers(0, 24 * 15)))
        lines.append(f"D{i},{units[rng.integers(0, 4)]},{statuses[rng.integers(0, 5)]},{day:%Y-%m-%d %H:%M}")
    text = "\n".join(lines).encode()
    df = pd.read_csv(io.BytesIO(text), dtype=object)
    df.loc[3, "unit"] = "Phòng Tư" + " pháp"  # the same text, another object
    df.loc[4, "unit"] = None
    assert tm._object_text(df["unit"]) is not None and tm._object_text(df["dossier_id"]) is None
    kw = dict(as_of=AS_OF, by=("unit", "week"), on_error="skip")
    got, got_rejected = tm.report_details(df, **kw)[:2]
    plain = pa.table({c: pa.array(df[c], from_pandas=True) for c in df.columns})
    want, want_rejected = tm.report_details(plain, **kw)[:2]
    assert len(want_rejected) > 0
    same(got, want)
    same(got_rejected.drop(columns="label"), want_rejected)  # label: the pandas index of the row


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_pandas_datetimes_borrowed_equal_pyarrows_conversion(unit):
    # the naive datetime64 columns of a frame are borrowed (NaT as null) rather than converted
    # by pyarrow: the same array, NaT or not, whole frame or a slice of its rows
    import numpy as np

    values = np.array(["2023-10-02T08:00:01", "NaT", "1969-12-31T23:59:59", "2262-01-01", "1900-03-01"] * 7,
                      dtype=f"M8[{unit}]")
    df = pd.DataFrame({"t": values, "u": values[::-1].copy(), "x": np.arange(len(values))})
    df.loc[df.index[::3], "u"] = np.datetime64("NaT")
    for frame in (df, df.iloc[3:29]):
        for c in ("t", "u"):
            got = tm._numpy_datetimes(frame[c])
            assert got is not None and got.equals(pa.array(frame[c], from_pandas=True))
    assert tm._numpy_datetimes(df["x"]) is None
    # zoned columns: the same instants, as UTC, in every zone spelling pandas accepts
    import datetime as _dt
    import zoneinfo

    for zone in ("Asia/Ho_Chi_Minh", "UTC", _dt.timezone(_dt.timedelta(hours=-5)), zoneinfo.ZoneInfo("Asia/Bangkok")):
        zoned = df["u"].dt.tz_localize(zone)
        got = tm._numpy_datetimes(zoned)
        want = pa.array(zoned, from_pandas=True)
        assert got is not None and got.type == pa.timestamp(want.type.unit, "UTC")
        assert got.equals(want.cast(pa.timestamp(want.type.unit, "UTC")))


def test_pandas_zoned_datetimes_report_as_pyarrows_conversion():
    # a frame with zoned times (received late in the evening UTC: the next day in Vietnam)
    # reports exactly as the pyarrow conversion of the same frame
    import numpy as np

    rng = np.random.default_rng(5)
    n = 3000
    received = (pd.Timestamp("2023-10-01 12:00", tz="UTC")
                + pd.to_timedelta(rng.integers(0, 15 * 24 * 60, n), unit="min"))
    df = pd.DataFrame({"dossier_id": [f"D{i}" for i in range(n)], "unit": "Phòng Tư pháp",
                       "status": rng.integers(2, 11, n), "received_at": received,
                       "due_at": received + pd.Timedelta(days=3),
                       "finished_at": (received + pd.to_timedelta(rng.integers(0, 6 * 24, n), unit="h")).where(
                           rng.random(n) < 0.7)})
    kw = dict(as_of=AS_OF, by=("unit", "day"), on_error="skip")
    plain = pa.table({c: pa.array(df[c], from_pandas=True) for c in df.columns})
    assert plain.schema.field("received_at").type.tz == "UTC"
    got, got_rejected = tm.report_details(df, **kw)[:2]
    want, want_rejected = tm.report_details(plain, **kw)[:2]
    same(got, want)
    same(got_rejected.drop(columns="label"), want_rejected)


def test_chunked_input():
    t = base_table()
    chunked = pa.Table.from_batches(t.to_batches(max_chunksize=2))
    assert chunked.column("unit").num_chunks == 3
    same(tm.report(chunked, as_of=AS_OF), tm.report(t, as_of=AS_OF))


def test_pandas_float_codes_report_as_their_integers():
    # pandas turns an integer column with a gap into float64 (NaN): the status and channel codes
    # read through a table report, and reject, exactly as the same codes as nullable integers;
    # a fraction falls back to the row-by-row decode, which rejects its row
    import numpy as np

    rng = np.random.default_rng(11)
    n = 4000
    status = rng.integers(1, 12, n).astype("float64")  # 11 is no national code
    status[rng.random(n) < 0.05] = np.nan
    channel = rng.integers(1, 4, n).astype("float64")
    channel[rng.random(n) < 0.1] = np.nan  # a missing channel is direct submission
    received = pd.Timestamp("2023-10-01") + pd.to_timedelta(rng.integers(0, 15 * 24, n), unit="h")
    frame = pd.DataFrame({"dossier_id": [f"D{i}" for i in range(n)], "unit": "Phòng Tư pháp",
                          "status": status, "channel": channel, "received_at": received})
    ints = frame.assign(status=frame["status"].astype("Int64"), channel=frame["channel"].astype("Int64"))
    kw = dict(as_of=AS_OF, by=("unit", "week"), on_error="skip")
    for f, i in ((frame, ints), (frame.assign(status=frame["status"] + 0.5 * (frame.index == 7)), None)):
        got, got_rejected = tm.report_details(f, **kw)[:2]
        if i is None:  # the fraction's row is rejected; the others count as before
            assert 7 in set(got_rejected["row"])
            continue
        want, want_rejected = tm.report_details(i, **kw)[:2]
        assert len(want_rejected) > 0
        same(got, want)
        same(got_rejected, want_rejected)


def test_integer_statuses_of_any_width():
    t = base_table()
    codes = pa.array([10, 9, 10, 4, 4, 5])
    for ty in [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint64()]:
        t2 = t.set_column(t.schema.get_field_index("status"), "status", codes.cast(ty))
        assert expected(tm.tally(t2, as_of=AS_OF)) == expected(tm.tally(t, as_of=AS_OF))


def bad_table() -> pa.Table:
    t = base_table()
    status = t.column("status").to_pylist()
    status[1] = "99"
    unit = t.column("unit").to_pylist()
    unit[3] = None
    finished = t.column("finished_at").to_pylist()
    finished[0] = dt.datetime(2023, 9, 1)  # before reception
    return (t.set_column(t.schema.get_field_index("status"), "status", pa.array(status))
             .set_column(t.schema.get_field_index("unit"), "unit", pa.array(unit))
             .set_column(t.schema.get_field_index("finished_at"), "finished_at", pa.array(finished, pa.timestamp("us"))))


def test_bad_rows_raise_with_row_column_and_value():
    # the error is the lowest bad row, whichever stage finds it (row 0 ends before reception,
    # row 1 has an unknown status); the code is rejected_record, the reason says why
    with pytest.raises(tm.RejectedRecordError) as e:
        tm.report(bad_table(), as_of=AS_OF)
    err = e.value
    assert (err.row, err.column, err.dossier_id) == (0, "finished_at", "A1")
    assert (err.code, err.reason) == ("rejected_record", "finished_before_received")
    t = bad_table()
    t = t.set_column(t.schema.get_field_index("finished_at"), "finished_at", base_table().column("finished_at"))
    with pytest.raises(tm.RejectedRecordError) as e:
        tm.report(t, as_of=AS_OF)
    err = e.value
    assert (err.row, err.column, err.value, err.dossier_id) == (1, "status", "99", "A2")
    assert (err.code, err.reason) == ("rejected_record", "unknown_status")


def test_bad_rows_skip_into_a_rejected_table():
    with pytest.warns(tm.RejectedRowsWarning) as w:
        table = tm.report(bad_table(), as_of=AS_OF, on_error="skip", by=(None, None))
    rejected = w[0].message.rejected.to_pandas()
    assert list(rejected["row"]) == [0, 1, 3]
    assert list(rejected["column"]) == ["finished_at", "status", "unit"]
    assert list(rejected["reason"]) == ["finished_before_received", "unknown_status", "missing"]
    assert list(rejected["dossier_id"]) == ["A1", "A2", "A4"]
    assert table.column("received").to_pylist() == [3]  # 6 inputs = 3 counted + 3 rejected
    t2, rej = tm.report_with_rejected(bad_table().to_pandas(), as_of=AS_OF, on_error="skip", by=(None, None))
    assert isinstance(rej, pd.DataFrame) and len(rej) == 3


def test_nulls_in_optional_columns():
    t = base_table()
    t = t.set_column(t.schema.get_field_index("channel"), "channel", pa.nulls(6, pa.string()))
    t = t.set_column(t.schema.get_field_index("due_at"), "due_at", pa.nulls(6, pa.timestamp("us")))
    tt = tm.tally(t, as_of=AS_OF)
    assert tt.received_online == 0 and tt.received_direct == 6  # null channel means direct
    assert tt.late == 0 and tt.overdue == 0  # no due dates: finished on time, open within due
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tm.report(t, as_of=AS_OF)
