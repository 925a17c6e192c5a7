"""Unit and procedure names are grouped by their NFC key (issue 7): the same commune written in
NFC and NFD, with other case or whitespace in "UBND xã", is one row in every string encoding of
pyarrow, polars and pandas, including dictionaries whose values differ only by normalisation.
Names are displayed as first written."""

import datetime as dt
import unicodedata

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import tthc_metrics as tm

AS_OF = dt.date(2023, 10, 16)
COMMUNE = "UBND xã Đắk Sôr"
SPELLINGS = [
    COMMUNE,                                  # NFC, as first written: the label
    unicodedata.normalize("NFD", COMMUNE),    # NFD
    "ubnd XÃ ĐẮK SÔR",                        # case
    "UBND  xã  Đắk Sôr ",                     # inner and outer whitespace
    "\u00a0UBND xã\u00a0Đắk Sôr",              # non-breaking spaces
    unicodedata.normalize("NFD", "UBND Xã Đắk Sôr"),
    "Phòng Tư pháp",
]


def table(names: pa.Array) -> pa.Table:
    n = len(names)
    return pa.table({
        "unit": names,
        "procedure": names,
        "received_at": pa.array([dt.datetime(2023, 10, 2, 8)] * n, pa.timestamp("us")),
        "due_at": pa.array([dt.datetime(2023, 10, 4, 17)] * n, pa.timestamp("us")),
        "status": pa.array(["4"] * n),
    })


def encodings():
    rows = [SPELLINGS[i % len(SPELLINGS)] for i in range(21)]
    values = pa.array(SPELLINGS)
    keys = pa.array([i % len(SPELLINGS) for i in range(21)])
    out = {}
    for string_type in [pa.string(), pa.large_string(), pa.string_view()]:
        out[str(string_type)] = pa.array(rows, string_type)
        for key_type in [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()]:
            if string_type == pa.string_view():
                continue  # pyarrow cannot build dictionaries of string_view values
            out[f"dictionary<{key_type}, {string_type}>"] = pa.DictionaryArray.from_arrays(
                keys.cast(key_type), values.cast(string_type))
    return out


@pytest.mark.parametrize("encoding", list(encodings()))
@pytest.mark.parametrize("key", ["unit", "procedure"])
def test_spellings_are_one_row_in_every_encoding(encoding, key):
    t = table(encodings()[encoding])
    r = tm.report(t, as_of=AS_OF, by=(key, None)).to_pylist()
    assert [(row[key], row["received"]) for row in r] == [("Phòng Tư pháp", 3), (COMMUNE, 18)]
    q = tm.quality(t, as_of=AS_OF, by=key).to_pylist()
    assert [(row[key], row["overdue"]) for row in q] == [("Phòng Tư pháp", 3), (COMMUNE, 18)]


def test_chunks_in_different_normal_forms_are_one_row():
    nfc = table(pa.array([COMMUNE] * 3))
    nfd = table(pa.array([unicodedata.normalize("NFD", COMMUNE)] * 4))
    chunked = pa.concat_tables([nfc, nfd])
    assert chunked.column("unit").num_chunks == 2
    r = tm.report(chunked, as_of=AS_OF, by=("unit", None)).to_pylist()
    assert [(row["unit"], row["received"]) for row in r] == [(COMMUNE, 7)]


def test_pandas_categories_and_polars_categoricals():
    t = table(pa.array([SPELLINGS[i % len(SPELLINGS)] for i in range(14)]))
    df = t.to_pandas()
    df["unit"] = df["unit"].astype("category")
    r = tm.report(df, as_of=AS_OF, by=("unit", None))
    assert isinstance(r, pd.DataFrame)
    assert list(r["unit"]) == ["Phòng Tư pháp", COMMUNE] and list(r["received"]) == [2, 12]
    pdf = pl.from_arrow(t).with_columns(pl.col("unit").cast(pl.Categorical))
    r = tm.report(pdf, as_of=AS_OF, by=("unit", None))
    assert isinstance(r, pl.DataFrame)
    assert r["unit"].to_list() == ["Phòng Tư pháp", COMMUNE] and r["received"].to_list() == [2, 12]
