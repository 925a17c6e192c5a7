"""Specs to inputs: the Arrow arrays of every type, the encodings of the same logical data, the
containers (pyarrow, polars, pandas, readers, C streams), and the malformed buffers; and, for
each encoding, the logical value the library must read (a ``date32`` is midnight, a text time
without seconds is the whole minute, an instant in a zone is its civil time in UTC+7).

Everything here runs in the child process.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

VN = dt.timezone(dt.timedelta(hours=7))
TIME_COLUMNS = ("received_at", "due_at", "finished_at")

INT_TYPES = {
    "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
    "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(), "uint64": pa.uint64(),
}
STRING_TYPES = {"string": pa.string(), "large_string": pa.large_string(), "string_view": pa.string_view()}
BINARY_FOR = {"string": pa.binary(), "large_string": pa.large_binary(), "string_view": pa.binary_view()}

# domain-rules section 2: the national names (the sync standard), variants one-stop software shows,
# readable English names
NATIONAL = {1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
            5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính",
            7: "Công dân yêu cầu rút hồ sơ", 8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả",
            "refused": "Từ chối"}
ENGLISH = {4: "processing", 5: "supplement", 9: "resolved", 10: "returned", "refused": "refused",
           7: "withdrawn", 8: "stopped"}
VARIANT = {9: "Đã có kết quả", 10: "Đã trả hồ sơ", 5: "Chờ bổ sung", 6: "Chờ thanh toán", "refused": "Từ chối"}
# section 2 (channel 1 direct, 2 online, 3 post; null is direct) and section 9 (the words)
CHANNEL_CODE = {"direct": 1, "online": 2, "post": 3}
CHANNEL_VI = {"direct": "Trực tiếp", "online": "Nộp trực tuyến", "post": "Qua bưu chính công ích"}
LEVEL_VI = {"none": "none", "partial": "Một phần", "full": "Toàn trình"}
# section 9: headers real exports use for each canonical column
HEADERS = {
    "dossier_id": ["Mã hồ sơ", "Số hồ sơ", "MaHoSo", "dossierNo"],
    "unit": ["Đơn vị tiếp nhận", "Đơn vị xử lý", "Cơ quan thụ lý", "DonViXuLy", "govAgencyName"],
    "received_at": ["Ngày tiếp nhận", "Ngày nhận", "NgayTiepNhan", "receiveDate", "acceptedDate"],
    "due_at": ["Ngày hẹn trả", "NgayHenTra", "dueDate", "appointmentDate"],
    "finished_at": ["Ngày kết thúc xử lý", "Ngày hoàn thành", "NgayKetThucXuLy", "releaseDate"],
    "status": ["Trạng thái", "TrangThaiHoSo", "dossierStatus"],
    "channel": ["Hình thức nộp", "Kênh thực hiện", "KenhThucHien"],
    "online_service": ["Mức độ", "Mức độ DVC", "mucDo"],
    "procedure": ["Mã thủ tục", "MaTTHC", "serviceCode"],
    "field": ["Lĩnh vực", "MaLinhVuc"],
}

# text time formats of domain-rules section 9, and what each keeps of a civil time
TEXT_FORMATS = {
    "vn_seconds": "%d/%m/%Y %H:%M:%S",
    "vn_minutes": "%d/%m/%Y %H:%M",
    "vn_date": "%d/%m/%Y",
    "vn_time_first": "%H:%M, %d/%m/%Y",
    "sync": "%Y%m%d%H%M%S",
    "iso": "%Y-%m-%d %H:%M:%S",
    "iso_t": "%Y-%m-%dT%H:%M:%S",
    "iso_date": "%Y-%m-%d",
    "iso_offset_colon": "%Y-%m-%dT%H:%M:%S+07:00",
    "iso_offset": "%Y-%m-%dT%H:%M:%S+0700",
    "iso_utc": "UTC",
}


def zone(name: str | None) -> dt.tzinfo | None:
    if name is None:
        return None
    if name in ("UTC", "+00:00"):
        return dt.timezone.utc
    if name.startswith(("+", "-")):
        sign = 1 if name[0] == "+" else -1
        h, m = name[1:].split(":")
        return dt.timezone(sign * dt.timedelta(hours=int(h), minutes=int(m)))
    return ZoneInfo(name)


def civil(value: dt.datetime | None) -> dt.datetime | None:
    """The civil time in Việt Nam of a naive (already civil) or aware datetime."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(VN).replace(tzinfo=None)


# ---------------------------------------------------------------------------- encodings


def strings(values: list[str | None], kind: str = "string", key: str | None = None) -> pa.Array:
    """Text in one of Arrow's three string types, optionally dictionary-encoded with ``key`` keys
    (the dictionary in order of first appearance)."""
    if key is None:
        return pa.array(values, STRING_TYPES[kind])
    uniq: list[str] = []
    index: dict[str, int] = {}
    keys: list[int | None] = []
    for v in values:
        if v is None:
            keys.append(None)
            continue
        if v not in index:
            index[v] = len(uniq)
            uniq.append(v)
        keys.append(index[v])
    return pa.DictionaryArray.from_arrays(pa.array(keys, INT_TYPES[key]), pa.array(uniq, STRING_TYPES[kind]))


def encode_time(values: list[dt.datetime | None], enc: tuple) -> tuple[pa.Array, list[dt.datetime | None]]:
    """(the column, the civil times the library must read from it) for civil ``values``."""
    kind = enc[0]
    if kind == "ts":
        _, unit, tz = enc
        if tz is None:
            return pa.array(values, pa.timestamp(unit)), list(values)
        z = zone(tz)
        aware = [None if v is None else v.replace(tzinfo=VN).astimezone(z) for v in values]
        return pa.array(aware, pa.timestamp(unit, tz=tz)), list(values)
    if kind in ("date32", "date64"):
        days = [None if v is None else v.date() for v in values]
        eff = [None if d is None else dt.datetime.combine(d, dt.time()) for d in days]
        return pa.array(days, pa.date32() if kind == "date32" else pa.date64()), eff
    if kind == "text":
        _, fmt, skind, key = enc
        text, eff = [], []
        for v in values:
            if v is None:
                text.append(None)
                eff.append(None)
            elif fmt == "iso_utc":
                text.append(v.replace(tzinfo=VN).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
                eff.append(v)
            else:
                f = TEXT_FORMATS[fmt]
                text.append(v.strftime(f))
                if "%S" in f:
                    eff.append(v)
                elif "%M" in f:
                    eff.append(v.replace(second=0))
                else:
                    eff.append(dt.datetime.combine(v.date(), dt.time()))
        return strings(text, skind, key), eff
    raise ValueError(f"unknown time encoding {enc!r}")


def status_word(status: int | str, style: str) -> str:
    if style == "code":
        return str(status) if status != "refused" else "refused"
    if style == "national":
        return NATIONAL[status]
    if style == "english":
        return ENGLISH.get(status, str(status))
    if style == "variant":
        return VARIANT.get(status, NATIONAL[status])
    if style == "messy":  # NFD, another case, inner and outer spaces: one name after folding
        word = NATIONAL[status]
        return "  " + unicodedata.normalize("NFD", word.upper()).replace(" ", "   ") + " "
    raise ValueError(style)


def encode_status(values: list[Any], enc: tuple) -> pa.Array:
    """Status codes as integers (``"refused"`` has no code: the strategies never ask for it) or
    as words of a naming style; a value that is no status (a bad cell) is written as it is."""
    if enc[0] == "int":
        return pa.array(values, INT_TYPES[enc[1]] if enc[1] != "float64" else pa.float64())
    _, style, skind, key = enc
    return strings([None if v is None else status_word(v, style) if v in NATIONAL else str(v) for v in values],
                   skind, key)


def encode_channel(values: list[str | None], enc: tuple) -> pa.Array:
    if enc[0] == "int":
        return pa.array([None if v is None else CHANNEL_CODE.get(v, v) for v in values], INT_TYPES[enc[1]])
    _, style, skind, key = enc
    words = {"code": {k: str(c) for k, c in CHANNEL_CODE.items()}, "english": {k: k for k in CHANNEL_CODE},
             "vi": CHANNEL_VI}[style]
    return strings([None if v is None else str(words.get(v, v)) for v in values], skind, key)


def encode_level(values: list[str | None], enc: tuple) -> pa.Array:
    _, style, skind, key = enc
    words = {"english": {k: k for k in LEVEL_VI}, "vi": LEVEL_VI}[style]
    return strings([None if v is None else str(words.get(v, v)) for v in values], skind, key)


# ---------------------------------------------------------------------------- arbitrary types


def arrow_type(name: str) -> pa.DataType:
    """The Arrow type named by a fuzz spec (``"timestamp[ns, Asia/Tokyo]"``, ``"dict[uint16, large_string]"``)."""
    simple = {
        "null": pa.null(), "bool": pa.bool_(), "float16": pa.float16(), "float32": pa.float32(), "float64": pa.float64(),
        "decimal128": pa.decimal128(12, 2), "decimal256": pa.decimal256(40, 4), "binary": pa.binary(),
        "large_binary": pa.large_binary(), "binary_view": pa.binary_view(), "fixed_binary": pa.binary(4),
        "date32": pa.date32(), "date64": pa.date64(), "time32": pa.time32("s"), "time64": pa.time64("ns"),
        "duration": pa.duration("s"), "interval": pa.month_day_nano_interval(),
        "struct": pa.struct([("value", pa.string()), ("n", pa.int32())]), "list": pa.list_(pa.string()),
        "large_list": pa.large_list(pa.int64()), "fixed_list": pa.list_(pa.int8(), 2),
        "map": pa.map_(pa.string(), pa.string()), **INT_TYPES, **STRING_TYPES,
    }
    if name in simple:
        return simple[name]
    if name.startswith("timestamp["):
        inner = name[len("timestamp["):-1].split(", ")
        return pa.timestamp(inner[0], tz=inner[1] if len(inner) > 1 else None)
    if name.startswith("dict["):
        k, v = name[len("dict["):-1].split(", ")
        return pa.dictionary(INT_TYPES[k], arrow_type(v))
    if name.startswith("ree["):
        return pa.run_end_encoded(pa.int32(), arrow_type(name[len("ree["):-1]))
    raise ValueError(f"unknown type {name}")


def array_of(type_name: str, values: list[Any]) -> pa.Array:
    """An array of ``type_name`` holding ``values`` (Python values, or int ticks for the
    temporal types, so their extremes are reachable)."""
    t = arrow_type(type_name)
    if pa.types.is_timestamp(t) or pa.types.is_date64(t) or pa.types.is_time64(t) or pa.types.is_duration(t):
        return pa.array(values, pa.int64()).view(t)
    if pa.types.is_date32(t) or pa.types.is_time32(t):
        return pa.array(values, pa.int32()).view(t)
    if pa.types.is_run_end_encoded(t):
        inner = array_of(type_name[len("ree["):-1], values)
        if len(inner) == 0:
            return pa.RunEndEncodedArray.from_arrays(pa.array([], pa.int32()), inner)
        return pa.RunEndEncodedArray.from_arrays(pa.array(range(1, len(inner) + 1), pa.int32()), inner)
    if pa.types.is_dictionary(t) and pa.types.is_string_view(t.value_type):
        plain = pa.array(values, pa.dictionary(t.index_type, pa.string()))
        return pa.DictionaryArray.from_arrays(plain.indices, plain.dictionary.cast(pa.string_view()))
    return pa.array(values, t)


# ---------------------------------------------------------------------------- malformed buffers


def invalid_utf8(values: list[str | None], rows: list[int], bad: bytes, kind: str, key: str | None,
                 sliced: bool) -> pa.Array:
    """``values`` as text with the bytes ``bad`` (not UTF-8) in ``rows``, through ``.view``: no
    validation on the way. ``sliced``: the bad bytes sit in a row before a slice that hides it."""
    raw: list[bytes | None] = [None if v is None else v.encode() for v in values]
    for r in rows:
        raw[r] = bad
    if sliced:
        raw = [bad] + raw
    if key is None:
        arr = pa.array(raw, BINARY_FOR[kind]).view(STRING_TYPES[kind])
    else:  # the dictionary's values hold the bad bytes
        uniq: list[bytes] = []
        keys = []
        for v in raw:
            if v is None:
                keys.append(None)
                continue
            if v not in uniq:
                uniq.append(v)
            keys.append(uniq.index(v))
        dictionary = pa.array(uniq, BINARY_FOR[kind]).view(STRING_TYPES[kind])
        arr = pa.DictionaryArray.from_arrays(pa.array(keys, INT_TYPES[key]), dictionary)
    return arr.slice(1) if sliced else arr


def keys_outside(values: list[str | None], rows: list[int], how: str, key: str) -> pa.Array:
    """A dictionary column whose keys in ``rows`` point outside the dictionary (``safe=False``:
    pyarrow does not check)."""
    plain = strings(values, "string", key)
    keys = plain.indices.to_pylist()
    size = len(plain.dictionary)
    info = np.iinfo(INT_TYPES[key].to_pandas_dtype())
    for r in rows:
        keys[r] = {"len": size, "len+1": size + 1, "max": int(info.max),
                   "neg": -1 if info.min < 0 else int(info.max), "min": int(info.min) if info.min < 0 else size}[how]
        keys[r] = max(min(keys[r], int(info.max)), int(info.min))
    return pa.DictionaryArray.from_arrays(pa.array(keys, INT_TYPES[key]), plain.dictionary, safe=False)


def lying_null_count(arr: pa.Array, null_count: int) -> pa.Array:
    """``arr`` (no offset) with its validity bitmap kept and its null count replaced."""
    return pa.Array.from_buffers(arr.type, len(arr), arr.buffers(), null_count=null_count)


# ---------------------------------------------------------------------------- the table


@dataclass
class Built:
    """A built input and what the library must read from it."""

    data: Any
    n: int                                    # rows handed to the library
    rows: list[dict]                          # the logical rows, with effective (decoded) times
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> name in the input
    flags: set[str] = field(default_factory=set)
    producer_error: type | None = None


class ProducerError(Exception):
    """Raised by a fuzz RecordBatchReader's generator part-way through (a failing producer)."""


def canonical_table(spec: dict) -> tuple[pa.Table, list[dict]]:
    """The logical rows of ``spec["table"]`` in their drawn encodings, and the rows with the times
    the library must read."""
    ts = spec["table"]
    rows = [dict(r) for r in ts["rows"]]
    enc = ts["enc"]
    cols: dict[str, pa.Array] = {}
    n = len(rows)
    cols["dossier_id"] = strings([r["id"] for r in rows], *enc["dossier_id"])
    cols["unit"] = strings([r["unit"] for r in rows], *enc["unit"])
    if "procedure" in enc:
        cols["procedure"] = strings([r["procedure"] for r in rows], *enc["procedure"])
        cols["field"] = strings([r["field"] for r in rows], *enc["field"])
    for name, key in zip(TIME_COLUMNS, ("received", "due", "finished")):
        arr, eff = encode_time([r[key] for r in rows], enc[name])
        cols[name] = arr
        for r, e in zip(rows, eff):
            r[key] = e
    cols["status"] = encode_status([r["status"] for r in rows], enc["status"])
    cols["channel"] = encode_channel([r["channel"] for r in rows], enc["channel"])
    cols["online_service"] = encode_level([r["level"] for r in rows], enc["online_service"])
    cols["supplement_requests"] = pa.array([r["supplements"] for r in rows], INT_TYPES[enc["supplement_requests"]])
    for name in ts.get("drop", []):
        cols.pop(name, None)
    table = pa.table(cols) if n or cols else pa.table({})
    return table, rows


def apply_override(table: pa.Table, column: str, array: pa.Array) -> pa.Table:
    if column in table.column_names:
        return table.set_column(table.schema.get_field_index(column), column, array)
    return table.append_column(column, array)


def container(table: pa.Table, how: dict) -> tuple[Any, set[str]]:
    """``table`` as the drawn container."""
    kind = how["kind"]
    flags: set[str] = set()
    if kind == "table":
        return table, flags
    if kind == "chunked":
        sizes = how.get("sizes") or [max(1, table.num_rows)]
        batches, start = [], 0
        for s in sizes:
            if start >= table.num_rows:
                break
            batches.append(table.slice(start, s).combine_chunks().to_batches()[0] if table.num_rows else None)
            start += s
        if start < table.num_rows:
            batches.append(table.slice(start).combine_chunks().to_batches()[0])
        batches = [b for b in batches if b is not None]
        return (pa.Table.from_batches(batches, schema=table.schema) if batches else table), flags
    if kind == "record_batch":
        return pa.RecordBatch.from_arrays([c.combine_chunks() for c in table.columns], schema=table.schema), flags
    if kind == "reader":
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=how.get("chunk", 7) or 7)), flags
    if kind == "c_stream":
        class Stream:  # only the PyCapsule protocol
            def __init__(self, t):
                self._t = t

            def __arrow_c_stream__(self, requested_schema=None):
                return self._t.__arrow_c_stream__(requested_schema)
        return Stream(table), flags
    if kind.startswith("polars"):
        import polars as pl

        frame = pl.from_arrow(table)
        if kind == "polars_categorical" and "unit" in frame.columns:
            frame = frame.with_columns(pl.col("unit").cast(pl.Categorical))
        return frame, flags
    if kind.startswith("pandas"):
        import pandas as pd

        if kind == "pandas_arrow":
            return table.to_pandas(types_mapper=pd.ArrowDtype), flags
        frame = table.to_pandas()
        if kind == "pandas_category" and "unit" in frame.columns:
            frame["unit"] = frame["unit"].astype("category")
        return frame, flags
    raise ValueError(kind)


def malform(table: pa.Table, rows: list[dict], m: dict) -> tuple[pa.Table, set[str]]:
    """Apply the malformation ``m`` to a canonical table (text columns)."""
    col = m["column"]
    values = text_values(table, rows, col)
    if m["kind"] == "utf8":
        arr = invalid_utf8(values, m["rows"], m["bytes"], m["string"], m.get("key"), m.get("sliced", False))
    elif m["kind"] == "keys":
        arr = keys_outside(values, m["rows"], m["how"], m["key"])
    elif m["kind"] == "null_count":  # nulls in ``rows``, and a null count that says otherwise
        values = [None if i in m["rows"] else v for i, v in enumerate(values)]
        arr = lying_null_count(pa.array(values, pa.string()), m["null_count"])
    else:
        raise ValueError(m["kind"])
    return apply_override(table, col, arr), {"malformed"}


def text_values(table: pa.Table, rows: list[dict], col: str) -> list[str | None]:
    """The column's values as text (what a text encoding of it holds)."""
    if col in table.column_names:
        c = table.column(col)
        if pa.types.is_dictionary(c.type):
            c = c.cast(c.type.value_type)
        if pa.types.is_string(c.type) or pa.types.is_large_string(c.type) or pa.types.is_string_view(c.type):
            return c.to_pylist()
    key = {"received_at": "received", "due_at": "due", "finished_at": "finished"}.get(col, col)
    out = []
    for r in rows:
        v = r.get(key)
        if isinstance(v, dt.datetime):
            v = v.strftime("%d/%m/%Y %H:%M:%S")
        elif v is not None and col == "status":
            v = status_word(v, "code")
        out.append(None if v is None else str(v))
    return out


def build_table(spec: dict) -> Built:
    """The input of a report-like spec."""
    ts = spec["table"]
    table, rows = canonical_table(spec)
    flags: set[str] = set()
    for col, aspec in (ts.get("override") or {}).items():
        table = apply_override(table, col, array_of(aspec["type"], aspec["values"]))
        t = arrow_type(aspec["type"])
        if pa.types.is_dictionary(t) and all(v is None for v in aspec["values"]):
            flags.add("empty_dictionary")
    if ts.get("malformed"):
        table, more = malform(table, rows, ts["malformed"])
        flags |= more
    names = {c: c for c in table.column_names}
    rename = ts.get("rename") or {}
    if rename:
        table = table.rename_columns([rename.get(c, c) for c in table.column_names])
        names = {c: rename.get(c, c) for c in names}
    if ts.get("patches") is not None or ts.get("fail_at") is not None:
        from fuzz.cstream import PatchedStream

        batches = [pa.RecordBatch.from_arrays([c.combine_chunks() for c in table.columns], schema=table.schema)]
        return Built(PatchedStream(batches, ts.get("patches") or [], ts.get("fail_at")), table.num_rows, rows,
                     names, flags | {"c_stream_patched"})
    if ts.get("producer_fails"):
        def gen():
            for i, b in enumerate(table.to_batches(max_chunksize=3)):
                if i == 1:
                    raise ProducerError("the producer failed")
                yield b
        return Built(pa.RecordBatchReader.from_batches(table.schema, gen()), table.num_rows, rows, names, flags,
                     producer_error=ProducerError)
    data, more = container(table, ts.get("container", {"kind": "table"}))
    return Built(data, table.num_rows, rows, names, flags | more)
