"""Hypothesis strategies over specs (plain data; the child builds them, see :mod:`fuzz.build`).

Families:
- :func:`valid_reports`: logical rows as ``test_differential`` draws them (plus repeats, bad cells
  and never-received rows without a time), every column in one of the encodings the spec defines
  (three string types, dictionaries with every integer key type, integers of every width, the
  national / English / variant status names, timestamps of every unit with and without a zone,
  ``date32``/``date64``, the text formats of section 9, export headers), in every container
  (pyarrow table, chunked, RecordBatch, RecordBatchReader, a bare C stream, polars ``String`` /
  ``Categorical``, pandas object / ``category`` / ArrowDtype), with the options the reference
  covers: checked against it;
- :func:`typed_reports`: one canonical column replaced by an array of any Arrow type with
  ordinary and extreme values (the ends of every type, NaN, huge strings, nested types);
- :func:`extreme_times`: times at the ends of the supported range (1899/1900/2199/2200) and of
  every timestamp unit, with the answer known to the second;
- :func:`malformed_reports`: invalid UTF-8 behind ``.view`` (plain, sliced, in a dictionary),
  dictionary keys outside the dictionary (``safe=False``), a lying null count, a C stream whose
  batch is patched after export, producers that fail part-way;
- :func:`option_calls`: every option with valid and invalid values, names and types (``by``,
  ``view``, ``start``/``end`` as dates, aware and naive datetimes, text), for reports, tallies
  and quality;
- :func:`calendar_calls`, :func:`tally_bytes`, :func:`tally_sums`, :func:`percent_calls`,
  :func:`synthetic_calls`, :func:`rubric_texts`, :func:`not_tables`: the other entry points.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import strategies as st

import test_differential as td  # its Row says which rows the reference rejects

DAY0 = dt.date(2023, 8, 28)  # as test_differential: across the 01/09 and 04/09 holidays
DAYS = 45
UNITS = ["UBND xã Nam Đà", unicodedata.normalize("NFD", "UBND xã Nam Đà"), "Phòng Tư pháp", "phòng  TƯ pháp ",
         "UBND xã Đắk Sôr"]
PROCEDURES = [("1.004227", "Đất đai"), ("2.000908", "Hộ tịch"), ("1.001612", "Chứng thực")]
STATUSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "refused"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
KEYS = [None, *INTS]
ZONES = [None, "UTC", "+07:00", "Asia/Ho_Chi_Minh", "Asia/Tokyo", "America/New_York"]
FRAME_ZONES = [None, "UTC", "Asia/Ho_Chi_Minh", "Asia/Tokyo", "America/New_York"]
UNITS_TS = ["s", "ms", "us", "ns"]
TEXT_FORMATS = ["vn_seconds", "vn_minutes", "vn_date", "vn_time_first", "sync", "iso", "iso_t", "iso_date",
                "iso_offset_colon", "iso_offset", "iso_utc"]
CONTAINERS = ["table", "chunked", "record_batch", "reader", "c_stream", "polars", "polars_categorical",
              "pandas", "pandas_category", "pandas_arrow"]
ON_TIME = ["resolved_only", "decision_766", "due_in_period", "late_share"]
ONLINE = ["eligible_only", "decision_766", "full_process", "online_vs_counter"]
CALENDAR = ("__calendar__", {})

# ---------------------------------------------------------------------------- rows


@st.composite
def logical_rows(draw, max_rows: int = 30, seconds: bool = True) -> list[dict]:
    """Rows as test_differential draws them (minutes, optionally seconds), with ids."""
    n = draw(st.integers(0, max_rows))
    out = []
    for i in range(n):
        received = dt.datetime.combine(
            DAY0 + dt.timedelta(days=draw(st.integers(0, DAYS))),
            dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 1, 30, 59])),
                    draw(st.sampled_from([0, 0, 17, 59])) if seconds else 0))
        due = draw(st.one_of(
            st.none(),
            st.tuples(st.integers(-2, 25), st.sampled_from([dt.time(0), dt.time(17), dt.time(8, 30)]))
            .map(lambda kt, r=received: dt.datetime.combine(r.date() + dt.timedelta(days=kt[0]), kt[1]))))
        finished = draw(st.one_of(st.none(), st.integers(-600, 40 * 1440).map(
            lambda m, r=received: r + dt.timedelta(minutes=m))))
        proc, fld = draw(st.sampled_from(PROCEDURES))
        out.append({
            "id": f"HS-{i:04d}", "unit": draw(st.sampled_from(UNITS)), "procedure": proc, "field": fld,
            "received": received, "due": due, "finished": finished,
            "status": draw(st.sampled_from(STATUSES)),
            "channel": draw(st.sampled_from(["direct", "online", "online", "post", None])),
            "level": draw(st.sampled_from(["none", "partial", "full"])),
            "supplements": draw(st.integers(0, 3)), "bad": None,
        })
    return out


BAD_CELLS = ["unit", "status", "received_at", "channel", "online_service"]


@st.composite
def with_oddities(draw, rows: list[dict]) -> list[dict]:
    """Exact repeats of valid rows, rows with one bad cell, never-received rows without a time."""
    rows = [dict(r) for r in rows]
    extra = []
    for _ in range(draw(st.integers(0, 3))):  # repeats: the same dossier twice
        ok = [r for r in rows if r.get("copy") is None and r["status"] not in (1, 3) and not td.Row(
            r["unit"], r["received"], r["due"], r["finished"], r["status"], r["channel"], r["level"],
            r["supplements"]).rejected()]
        if ok:
            src = draw(st.sampled_from(ok))
            extra.append({**src, "copy": src["id"]})
    for j in range(draw(st.integers(0, 2))):  # one bad cell; otherwise a plain open dossier
        col = draw(st.sampled_from(BAD_CELLS))
        base = {"id": f"BAD-{j}", "unit": UNITS[0], "procedure": PROCEDURES[0][0], "field": PROCEDURES[0][1],
                "received": dt.datetime.combine(DAY0 + dt.timedelta(days=draw(st.integers(5, DAYS))), dt.time(9)),
                "due": None, "finished": None, "status": 4, "channel": "direct", "level": "none", "supplements": 0,
                "bad": col}
        if col == "unit":
            base["unit"] = None
        elif col == "status":
            base["status"] = draw(st.sampled_from([99, 0, 11]))
        elif col == "received_at":
            base["received"] = None
        elif col == "channel":
            base["channel"] = 9
        else:
            base["level"] = "super"
        extra.append(base)
    for j in range(draw(st.integers(0, 1))):  # never received, and no reception time: excluded
        extra.append({"id": f"NEV-{j}", "unit": UNITS[2], "procedure": PROCEDURES[1][0], "field": PROCEDURES[1][1],
                      "received": None, "due": None, "finished": None, "status": draw(st.sampled_from([1, 3])),
                      "channel": None, "level": "none", "supplements": 0, "bad": None, "never_no_time": True})
    merged = rows + extra
    order = draw(st.permutations(range(len(merged))))
    return [merged[i] for i in order]


# ---------------------------------------------------------------------------- encodings


def string_enc(frame: bool):
    kinds = ["string", "large_string"] if frame else ["string", "large_string", "string_view"]
    keys = [None] if frame else KEYS
    return st.tuples(st.sampled_from(kinds), st.sampled_from(keys))


def time_enc(frame: bool):
    zones = FRAME_ZONES if frame else ZONES
    units = ["ms", "us", "ns"] if frame else UNITS_TS
    return st.one_of(
        st.tuples(st.just("ts"), st.sampled_from(units), st.sampled_from(zones)),
        st.tuples(st.sampled_from(["date32", "date64"])),
        st.tuples(st.just("text"), st.sampled_from(TEXT_FORMATS), st.just("string"), st.just(None)) if frame else
        st.tuples(st.just("text"), st.sampled_from(TEXT_FORMATS), st.sampled_from(["string", "large_string", "string_view"]),
                  st.sampled_from([None, "int32", "uint16"])),
    )


@st.composite
def encodings(draw, rows: list[dict], frame: bool) -> dict:
    """One encoding a column (a frame container keeps to what polars and pandas hold)."""
    has_refused = any(r["status"] == "refused" for r in rows)
    text_status = any(r.get("bad") == "status" and isinstance(r["status"], str) for r in rows)
    bad_channel = any(r.get("bad") == "channel" for r in rows)

    def text(styles):
        return st.tuples(st.just("text"), st.sampled_from(styles)).flatmap(
            lambda head: string_enc(frame).map(lambda se: (*head, *se)))

    status_options = [text(["code", "national", "english", "variant", "messy"])]
    if not (has_refused or text_status):
        status_options.append(st.tuples(st.just("int"), st.sampled_from(INTS + ["float64"])))
    channel_options = [text(["code", "english", "vi"])]
    if not bad_channel:
        channel_options.append(st.tuples(st.just("int"), st.sampled_from(INTS)))
    return {
        "dossier_id": draw(string_enc(frame)),
        "unit": draw(string_enc(frame)),
        "procedure": draw(string_enc(frame)),
        "field": draw(string_enc(frame)),
        "received_at": draw(time_enc(frame)),
        "due_at": draw(time_enc(frame)),
        "finished_at": draw(time_enc(frame)),
        "status": draw(st.one_of(*status_options)),
        "channel": draw(st.one_of(*channel_options)),
        "online_service": draw(text(["english", "vi"])),
        "supplement_requests": draw(st.sampled_from(INTS)),
    }


@st.composite
def containers(draw, n: int) -> dict:
    kind = draw(st.sampled_from(CONTAINERS))
    out = {"kind": kind}
    if kind == "chunked":
        out["sizes"] = draw(st.lists(st.integers(1, 8), min_size=1, max_size=6))
    if kind == "reader":
        out["chunk"] = draw(st.integers(1, 8))
    return out


def headers(draw, present: list[str]) -> dict:
    """Some canonical columns under a header real exports use (domain-rules section 9)."""
    from fuzz.build import HEADERS

    rename = {}
    for col in present:
        if col in HEADERS and draw(st.integers(0, 5)) == 0:
            h = draw(st.sampled_from(HEADERS[col]))
            if draw(st.booleans()):
                h = "  " + h.upper() + " "  # headers match after case and whitespace folding
            rename[col] = h
    return rename


# ---------------------------------------------------------------------------- valid reports


@st.composite
def reference_options(draw, rows: list[dict], view: str | None = None) -> dict:
    """Options the reference of test_differential covers."""
    view = view or draw(st.sampled_from(["cohort", "activity"]))
    as_of_day = DAY0 + dt.timedelta(days=draw(st.integers(3, DAYS + 3)))
    hour = draw(st.one_of(st.none(), st.integers(0, 23)))
    if hour is None:
        as_of = as_of_day
    else:
        naive = dt.datetime.combine(as_of_day, dt.time(hour, 30))
        as_of = draw(st.sampled_from([naive, naive.replace(tzinfo=dt.timezone(dt.timedelta(hours=7))),
                                      (naive - dt.timedelta(hours=7)).replace(tzinfo=dt.timezone.utc)]))
    start = draw(st.one_of(st.none(), st.integers(-3, (as_of_day - DAY0).days).map(lambda d: DAY0 + dt.timedelta(days=d))))
    end = None
    if view == "activity":
        end = draw(st.one_of(st.none(), st.integers(0, 10).map(lambda b: as_of_day - dt.timedelta(days=b))))
    if start is not None and start > (end or as_of_day):
        start = None
    if start is None and any(r.get("bad") for r in rows):
        start = DAY0  # the default start is the earliest reception: keep bad rows out of that question
    opts = {"as_of": as_of, "view": view, "by": (draw(st.sampled_from(["unit", None])),
                                                  draw(st.sampled_from(["week", "month", None]))),
            "on_error": "skip", "comparison": draw(st.sampled_from(["date", "timestamp"])),
            "supplement_rule": draw(st.sampled_from(["pause", "repeated_is_overdue"])),
            "rate_policy": draw(st.sampled_from(ON_TIME)), "online_policy": draw(st.sampled_from(ONLINE[:3]))}
    if start is not None:
        opts["start"] = start
    if end is not None:
        opts["end"] = end
    if draw(st.booleans()):
        opts["duplicates"] = draw(st.sampled_from(["most_advanced", "last", "first", "keep_all"]))
    if draw(st.integers(0, 3)) == 0:
        opts["labels"] = "vi"
    if draw(st.integers(0, 3)) == 0:
        opts["key"] = True
    return opts


@st.composite
def valid_reports(draw, target: str | None = None) -> dict:
    rows = draw(with_oddities(draw(logical_rows())))
    cont = draw(containers(len(rows)))
    frame = cont["kind"].startswith(("polars", "pandas"))
    enc = draw(encodings(rows, frame))
    target = target or draw(st.sampled_from(["report", "report", "tally"]))
    opts = draw(reference_options(rows, "cohort" if target == "tally" else None))
    if target == "tally":
        opts = {k: v for k, v in opts.items() if k not in ("view", "by", "end", "labels", "key")}
    spec = {"family": "valid", "target": target, "oracle": True,
            "entry": draw(st.sampled_from(["report", "report_with_rejected", "report_details"])),
            "table": {"rows": rows, "enc": enc, "container": cont}, "options": opts, "expect": {}}
    rename = headers(draw, list(enc))
    if rename:
        spec["table"]["rename"] = rename
    if draw(st.integers(0, 4)) == 0 and not rename:  # the same columns under names of the user's, mapped
        mine = {c: f"cột {i}" for i, c in enumerate(draw(st.lists(st.sampled_from(list(enc)), unique=True, max_size=3)))}
        spec["table"]["rename"] = mine
        opts["columns"] = {v: k for k, v in mine.items()}
    return spec


def plain_encodings() -> dict:
    """The encodings of a plain pyarrow export: strings, microsecond timestamps, text statuses."""
    return {
        "dossier_id": ("string", None), "unit": ("string", None), "procedure": ("string", None),
        "field": ("string", None), "received_at": ("ts", "us", None), "due_at": ("ts", "us", None),
        "finished_at": ("ts", "us", None), "status": ("text", "code", "string", None),
        "channel": ("text", "english", "string", None), "online_service": ("text", "english", "string", None),
        "supplement_requests": "uint8",
    }


# ---------------------------------------------------------------------------- any type in a column

CANONICAL = ["dossier_id", "unit", "procedure", "field", "received_at", "due_at", "finished_at", "status",
             "channel", "online_service", "supplement_requests", "submitted_at", "rescheduled_due_at",
             "returned_at", "synced_to_portal", "apology_issued", "apology_issued_at", "duration_days"]

I64 = (-(2**63), 2**63 - 1)
INT_RANGE = {"int8": (-128, 127), "int16": (-(2**15), 2**15 - 1), "int32": (-(2**31), 2**31 - 1), "int64": I64,
             "uint8": (0, 255), "uint16": (0, 2**16 - 1), "uint32": (0, 2**32 - 1), "uint64": (0, 2**64 - 1)}
PLAUSIBLE_TEXT = ["4", "10", "9", "5", "refused", "Đang xử lý", "Đã trả kết quả", "online", "2", "Trực tiếp",
                  "full", "Một phần", "16/10/2023", "2023-10-16 09:30:00", "20231016093000", "UBND xã Nam Đà",
                  "", " ", "NaN", "null", "None", "1.5", "-1", "99", "yes", "có"]


def ticks_per_second(unit: str) -> int:
    return {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit]


def civil_ticks(d: dt.datetime, unit: str, tz: str | None) -> int:
    """Ticks of the civil time ``d`` (Việt Nam) in a timestamp column of zone ``tz``."""
    epoch = dt.datetime(1970, 1, 1)
    seconds = (d - epoch) // dt.timedelta(seconds=1)
    if tz is not None:  # a zoned column holds UTC instants
        seconds -= 7 * 3600
    return seconds * ticks_per_second(unit)


EDGES = [dt.datetime(1899, 12, 31, 23, 59, 59), dt.datetime(1900, 1, 1), dt.datetime(1900, 1, 1, 0, 0, 1),
         dt.datetime(2023, 10, 16, 9, 30), dt.datetime(2199, 12, 31, 23, 59, 59), dt.datetime(2200, 1, 1),
         dt.datetime(1960, 1, 1), dt.datetime(2100, 12, 31), dt.datetime(1970, 1, 1)]


def values_for(type_name: str, n: int):
    """``n`` values for an array of ``type_name``: plausible ones, the type's extremes and nulls."""
    def many(elem):
        return st.lists(st.one_of(st.none(), elem), min_size=n, max_size=n)

    if type_name == "null":
        return st.just([None] * n)
    if type_name == "bool":
        return many(st.booleans())
    if type_name in INT_RANGE:
        lo, hi = INT_RANGE[type_name]
        return many(st.one_of(st.integers(0, 12), st.sampled_from([lo, hi, lo + 1, hi - 1, 0, 1]), st.integers(lo, hi)))
    if type_name.startswith("float"):
        width = {"float16": 16, "float32": 32, "float64": 64}[type_name]
        special = st.sampled_from([float("nan"), float("inf"), float("-inf"), -0.0, 4.0, 10.0, 2.0, 1e300 if width == 64 else 6e4])
        if width == 16:
            import numpy as np
            return many(st.one_of(special.filter(lambda x: abs(x) < 6e4 or x != x), st.integers(0, 12).map(float))).map(
                lambda xs: np.array([np.nan if x is None else x for x in xs], dtype=np.float16).tolist())
        return many(st.one_of(special, st.floats(width=width), st.integers(0, 12).map(float)))
    if type_name in ("decimal128", "decimal256"):
        from decimal import Decimal
        return many(st.one_of(st.sampled_from([Decimal("4.00"), Decimal("10.00"), Decimal("-1.00"), Decimal("9999999999.99")]),
                              st.integers(0, 12).map(lambda x: Decimal(x).quantize(Decimal("0.01")))))
    if type_name in ("string", "large_string", "string_view") or type_name.startswith("dict[") and "string" in type_name:
        return many(text_values())
    if type_name.startswith("dict[") and type_name.endswith("int64]"):
        return many(st.integers(-5, 12))
    if type_name in ("binary", "large_binary", "binary_view"):
        return many(st.one_of(st.binary(max_size=20), text_values().map(str.encode)))
    if type_name == "fixed_binary":
        return many(st.binary(min_size=4, max_size=4))
    if type_name.startswith("timestamp["):
        inner = type_name[len("timestamp["):-1].split(", ")
        unit, tz = inner[0], inner[1] if len(inner) > 1 else None
        edges = [civil_ticks(e, unit, tz) for e in EDGES]
        return many(st.one_of(st.sampled_from(edges), st.sampled_from([I64[0], I64[1], I64[0] + 1, 0, -1]),
                              st.sampled_from(edges).flatmap(lambda e: st.integers(e - 2, e + 2)),
                              st.integers(*I64)))
    if type_name == "date32":
        epoch = dt.date(1970, 1, 1)
        edges = [(e.date() - epoch).days for e in EDGES]
        return many(st.one_of(st.sampled_from(edges), st.sampled_from([-(2**31), 2**31 - 1]), st.integers(-(2**31), 2**31 - 1)))
    if type_name == "date64":
        epoch = dt.date(1970, 1, 1)
        edges = [(e.date() - epoch).days * 86_400_000 for e in EDGES]
        return many(st.one_of(st.sampled_from(edges), st.sampled_from([I64[0], I64[1], 1]), st.integers(*I64)))
    if type_name in ("time32",):
        return many(st.integers(0, 86_399))
    if type_name in ("time64",):
        return many(st.integers(0, 86_400 * 10**9 - 1))
    if type_name == "duration":
        return many(st.one_of(st.integers(*I64), st.sampled_from([0, 86400, -1])))
    if type_name == "interval":
        return many(st.tuples(st.integers(-5, 5), st.integers(-5, 5), st.integers(0, 10**9)))
    if type_name == "struct":
        return many(st.fixed_dictionaries({"value": st.one_of(st.none(), text_values()), "n": st.integers(-5, 5)}))
    if type_name == "list":
        return many(st.lists(st.one_of(st.none(), text_values()), max_size=3))
    if type_name == "large_list":
        return many(st.lists(st.integers(*I64), max_size=3))
    if type_name == "fixed_list":
        return many(st.lists(st.integers(-128, 127), min_size=2, max_size=2))
    if type_name == "map":
        return many(st.lists(st.tuples(text_values(), text_values()), max_size=2))
    if type_name.startswith("ree["):
        return values_for(type_name[len("ree["):-1], n)
    raise ValueError(type_name)


def text_values():
    return st.one_of(
        st.sampled_from(PLAUSIBLE_TEXT),
        st.text(st.characters(blacklist_categories=["Cs"]), max_size=12),
        st.sampled_from(["\x00", "\u202e", "\ufeff4", "４", "Ⅳ", "\U0001F600"]),
        st.integers(1, 3).map(lambda k: "Đ" * (10 ** (k + 3))),  # up to 10^6 characters
    )


def type_names():
    simple = ["null", "bool", *INTS, "float16", "float32", "float64", "decimal128", "decimal256", "string",
              "large_string", "string_view", "binary", "large_binary", "binary_view", "fixed_binary", "date32",
              "date64", "time32", "time64", "duration", "interval", "struct", "list", "large_list", "fixed_list", "map"]
    ts = [f"timestamp[{u}]" for u in UNITS_TS] + [f"timestamp[{u}, {z}]" for u in UNITS_TS for z in ZONES[1:]]
    dicts = [f"dict[{k}, {v}]" for k in INTS for v in ("string", "large_string")] + \
            ["dict[int32, string_view]", "dict[int8, int64]"]
    ree = ["ree[string]", "ree[int64]"]
    return st.sampled_from(simple + ts + dicts + ree)


@st.composite
def typed_reports(draw) -> dict:
    rows = draw(logical_rows(max_rows=12))
    column = draw(st.sampled_from(CANONICAL))
    tname = draw(type_names())
    values = draw(values_for(tname, len(rows)))
    spec = {"family": "types", "target": draw(st.sampled_from(["report", "report", "tally", "quality"])),
            "table": {"rows": rows, "enc": plain_encodings(), "override": {column: {"type": tname, "values": values}},
                      "container": draw(st.sampled_from([{"kind": "table"}, {"kind": "chunked", "sizes": [3, 5]},
                                                          {"kind": "reader", "chunk": 4}]))},
            "options": {"as_of": DAY0 + dt.timedelta(days=DAYS + 3), "on_error": "skip"}, "expect": {}}
    if spec["target"] == "report":
        spec["options"]["by"] = draw(st.sampled_from([("unit", "week"), ("procedure", None), ("channel", "month"),
                                                      (None, "day"), ("field", "quarter")]))
        spec["options"]["view"] = draw(st.sampled_from(["cohort", "activity"]))
    elif spec["target"] == "quality":
        spec["options"]["by"] = draw(st.sampled_from(["unit", None, "procedure"]))
    if column == "duration_days":
        spec["options"]["calendar"] = CALENDAR
    return spec


# ---------------------------------------------------------------------------- extremes


@st.composite
def extreme_times(draw) -> dict:
    """One time column at the edges (values as ticks of a drawn unit and zone, or as text), the
    other cells plain; the spec carries which rows are in range [1900-01-01, 2199-12-31 23:59:59]."""
    column = draw(st.sampled_from(["received_at", "finished_at", "due_at"]))
    unit = draw(st.sampled_from(UNITS_TS))
    tz = draw(st.sampled_from(ZONES))
    as_text = draw(st.integers(0, 3)) == 0
    n = draw(st.integers(1, 10))
    lo, hi = dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31, 23, 59, 59)
    civil = []
    for _ in range(n):
        base = draw(st.sampled_from(EDGES))
        civil.append(base + dt.timedelta(seconds=draw(st.sampled_from([0, 0, -1, 1]))))
    tps = ticks_per_second(unit)
    sub = draw(st.sampled_from(sorted({0, min(1, tps - 1), tps - 1})))  # a fraction of a second more
    if as_text:
        text = [c.strftime("%d/%m/%Y %H:%M:%S") if c.year >= 1000 else None for c in civil]
        override = {"type": "string", "values": text}
    else:
        override = {"type": f"timestamp[{unit}{', ' + tz if tz else ''}]",
                    "values": [civil_ticks(c, unit, tz) + sub for c in civil]}
    in_range = [lo <= c <= hi for c in civil]
    rows = [{"id": f"X{i}", "unit": "Phòng Y tế", "procedure": "1.1", "field": "f",
             "received": dt.datetime(1900, 1, 1) if column != "received_at" else None,
             "due": None, "finished": None, "status": 10 if column == "finished_at" else 4,
             "channel": None, "level": "none", "supplements": 0, "bad": None} for i in range(n)]
    enc = plain_encodings()
    gran = draw(st.sampled_from([None, "year", "quarter"]))
    opts = {"as_of": dt.date(2199, 12, 31), "on_error": "skip", "by": (None, gran),
            "view": draw(st.sampled_from(["cohort", "activity"])) if gran != "quarter" else "cohort"}
    if column != "received_at":
        opts["start"] = dt.date(1900, 1, 1)
    return {"family": "extremes", "target": "report", "entry": "report_details",
            "table": {"rows": rows, "enc": enc, "override": {column: override}, "container": {"kind": "table"}},
            "options": opts, "expect": {"in_range": in_range, "column": column}}


# ---------------------------------------------------------------------------- malformed buffers

BAD_BYTES = [b"\xff\xfe", b"\xc3", b"UBND \xe1\xba", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"ok\x80ok"]
TEXT_COLUMNS = ["dossier_id", "unit", "procedure", "field", "status", "channel", "online_service",
                "received_at", "due_at", "finished_at"]


@st.composite
def malformed_reports(draw) -> dict:
    rows = draw(logical_rows(max_rows=10).filter(len))
    enc = plain_encodings()
    kind = draw(st.sampled_from(["utf8", "utf8", "keys", "null_count", "c_patch", "c_fail", "producer"]))
    by = draw(st.sampled_from([("unit", None), ("procedure", "month"), (None, None), ("field", None)]))
    table = {"rows": rows, "enc": enc, "container": {"kind": "table"}}
    expect: dict = {}
    flags = []
    if kind in ("utf8", "keys", "null_count"):
        column = draw(st.sampled_from(TEXT_COLUMNS))
        if column in ("received_at", "due_at", "finished_at"):
            enc[column] = ("text", "vn_seconds", "string", None)
        bad_rows = sorted(draw(st.sets(st.integers(0, len(rows) - 1), min_size=1, max_size=len(rows))))
        m = {"kind": kind, "column": column, "rows": bad_rows}
        if kind == "utf8":
            m.update(bytes=draw(st.sampled_from(BAD_BYTES)), string=draw(st.sampled_from(["string", "large_string", "string_view"])),
                     key=draw(st.sampled_from([None, None, "int32", "uint8", "int64"])), sliced=draw(st.booleans()))
            if m["sliced"]:
                m["rows"] = bad_rows = []  # only the hidden row before the slice is bad
        elif kind == "keys":
            m.update(how=draw(st.sampled_from(["len", "len+1", "max", "neg", "min"])), key=draw(st.sampled_from(INTS)))
        else:
            m["null_count"] = draw(st.sampled_from([0, len(rows), -1]))
        table["malformed"] = m
        read = column not in ("procedure", "field") or by[0] == column
        expect = {"malformed_rows": bad_rows if kind != "null_count" else [], "column": column, "read": read}
        if kind != "null_count" and read and bad_rows:
            expect["errors"] = {"SchemaError"}
    elif kind == "c_patch":
        col = draw(st.integers(0, 3))
        table["patches"] = [draw(st.sampled_from([
            (col, "length", 0), (col, "length", -1), (col, "offset", -2), (col, "drop_buffer", 1),
            (col, "drop_buffer", 2), (0, "batch_length", -3), (col, "length", max(len(rows) - 1, 0)),
            (0, "batch_length", len(rows) + 5), (col, "null_count", -7)]))]
        expect = {"errors_or_result": True}
        flags.append("c_stream")
    elif kind == "c_fail":
        table["fail_at"] = draw(st.integers(0, 1))
        flags.append("c_stream")
    else:
        table["producer_fails"] = True
    return {"family": "malformed", "target": "report", "entry": "report_details", "table": table,
            "options": {"as_of": DAY0 + dt.timedelta(days=DAYS + 3), "on_error": "skip", "by": by},
            "expect": expect, "flags": flags}


# ---------------------------------------------------------------------------- options

ZONED = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-5)), "Asia/Ho_Chi_Minh",
         "America/New_York", "UTC"]


def when(kind: str):
    """Valid values of a date option: a date, a naive or aware datetime, text."""
    day = st.integers(0, DAYS + 3).map(lambda d: DAY0 + dt.timedelta(days=d))

    def aware(d, h, z):
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(z) if isinstance(z, str) else z
        return dt.datetime.combine(d, dt.time(h, 15)).replace(tzinfo=tz)

    return st.one_of(
        day,
        st.tuples(day, st.integers(1, 23)).map(lambda dh: dt.datetime.combine(dh[0], dt.time(dh[1], 15))),
        st.tuples(day, st.integers(1, 23), st.sampled_from(ZONED)).map(lambda a: aware(*a)),
        day.map(lambda d: d.strftime("%d/%m/%Y")),
    )


VALID = {
    "view": st.sampled_from(["cohort", "activity"]),
    "rate_policy": st.sampled_from(ON_TIME), "online_policy": st.sampled_from(ONLINE),
    "on_error": st.just("skip"), "comparison": st.sampled_from(["date", "timestamp"]),
    "supplement_rule": st.sampled_from(["pause", "repeated_is_overdue"]),
    "due_date": st.sampled_from(["original", "rescheduled"]),
    "duplicates": st.sampled_from(["most_advanced", "last", "first", "keep_all"]),
    "status_names": st.just({"Hoàn tất": 10, "Đang chờ": "processing"}),
    "channel_names": st.just({"web": 2, "quầy": "direct"}), "online_service_names": st.just({"m4": "full"}),
    "calendar": st.just(CALENDAR), "memory_limit": st.sampled_from([1 << 30, 4 << 30, 64, 0]),
    "key": st.booleans(), "labels": st.sampled_from(["en", "vi"]),
    "columns": st.just({"Ngày nhận hồ sơ": "received_at"}),
}
QUALITY_VALID = {"overdue_buckets": st.sampled_from([(7, 30, 90), (1,), (3, 10)]),
                 "hanging_after_days": st.integers(0, 400), "max_supplement_requests": st.integers(0, 5),
                 "max_returns": st.integers(0, 5), "reception_hours": st.integers(1, 40)}
INVALID_WORD = st.sampled_from(["", "Cohort", "everything", "resolved-only", "x" * 300, "cohort "])
INVALID_TYPED = st.sampled_from([1, 2.5, None, b"cohort", ["cohort"], {"a": 1}])


@st.composite
def option_calls(draw) -> dict:
    """A call with each option omitted, valid, or (at most two) invalid; the spec says whether it
    must raise and whether a TypeError is the right answer."""
    target = draw(st.sampled_from(["report", "report", "tally", "quality"]))
    rows = draw(logical_rows(max_rows=15))
    opts: dict = {"as_of": draw(when("as_of"))}
    names = ["view", "rate_policy", "online_policy", "on_error", "comparison", "supplement_rule", "due_date",
             "duplicates", "status_names", "channel_names", "online_service_names", "calendar", "memory_limit",
             "key", "labels", "columns"]
    if target != "report":
        names = [n for n in names if n not in ("view", "key", "labels")]
    for name in draw(st.lists(st.sampled_from(names), unique=True, max_size=6)):
        opts[name] = draw(VALID[name])
    if target == "quality":
        for name in draw(st.lists(st.sampled_from(list(QUALITY_VALID)), unique=True, max_size=2)):
            opts[name] = draw(QUALITY_VALID[name])
        if draw(st.booleans()):
            opts["by"] = draw(st.sampled_from(["unit", "procedure", "field", "channel", None]))
    if target == "report":
        opts["by"] = (draw(st.sampled_from(["unit", "procedure", "field", "channel", None])),
                      draw(st.sampled_from(["day", "week", "friday_week", "month", "quarter", "year", None])))
    if target != "tally" and draw(st.booleans()):
        opts["start"] = draw(when("start"))
    if target == "report" and opts.get("view") == "activity" and draw(st.booleans()):
        opts["end"] = draw(when("end"))
    raises: list[str] = []
    type_error_ok = False
    out_of_range = False
    for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0):
        how = draw(st.sampled_from(["word", "type", "name", "by", "range", "order", "int"]))
        if how == "word":
            name = draw(st.sampled_from(["view", "rate_policy", "online_policy", "on_error", "comparison",
                                         "supplement_rule", "due_date", "duplicates", "labels"]))
            if target != "report" and name in ("view", "labels"):
                continue
            opts[name] = draw(INVALID_WORD)
            raises.append(f"{name}={opts[name][:20]!r}")
        elif how == "type":
            name = draw(st.sampled_from(["view", "rate_policy", "comparison", "key", "as_of", "start", "memory_limit",
                                         "calendar", "status_names", "columns"]))
            if (target != "report" and name in ("view", "key")) or (target == "tally" and name == "start"):
                continue
            value = draw(INVALID_TYPED)
            if value is None and name in ("view", "rate_policy", "comparison", "start", "calendar", "memory_limit",
                                          "status_names", "columns"):
                continue  # None is the default of these
            if name == "key" and isinstance(value, (int, float)) and value in (0, 1):
                continue
            opts[name] = value
            raises.append(f"{name} of type {type(value).__name__}")
            type_error_ok = True
        elif how == "name":
            opts[draw(st.sampled_from(["comparision", "asof", "By", "granularity", "policy", "threads_"]))] = "x"
            raises.append("an unknown option name")
            type_error_ok = True
        elif how == "by" and target == "report":
            opts["by"] = draw(st.sampled_from([("units", None), (None, "decade"), ("unit",), "unit", ("unit", "day", 1),
                                               (1, None), ["unit", "week"]]))
            raises.append(f"by={opts['by']!r}")
            type_error_ok = True
        elif how == "range":
            name = draw(st.sampled_from(["as_of", "start"] if target != "tally" else ["as_of"]))
            opts[name] = draw(st.sampled_from([dt.date(1899, 12, 31), dt.date(2200, 1, 1), dt.date(1, 1, 1),
                                               dt.datetime(9999, 12, 31, 23, 59), "31/02/2023", "yesterday"]))
            raises.append(f"{name}={opts[name]!r}")
        elif how == "order" and target != "tally":
            opts["start"] = dt.date(2030, 1, 1)
            raises.append("start after as_of")
        elif how == "int":
            name = draw(st.sampled_from(["memory_limit"] + (["hanging_after_days", "max_returns"] if target == "quality" else [])))
            opts[name] = draw(st.sampled_from([-1, 2**64, 2**70, -(2**63)]))
            raises.append(f"{name}={opts[name]}")
            out_of_range = True
    flags = []
    for k in ("as_of", "start", "end"):
        v = opts.get(k)
        if isinstance(v, dt.datetime) and v.tzinfo is not None and type(v.tzinfo).__name__ == "ZoneInfo" \
                and v.utcoffset() is not None:
            flags.append("zoneinfo_datetime")
    if out_of_range:
        flags.append("int_out_of_range")
    return {"family": "options", "target": target, "entry": draw(st.sampled_from(["report_details", "report"])),
            "table": {"rows": rows, "enc": plain_encodings(), "container": {"kind": "table"}},
            "options": opts, "expect": {"raises": raises, "type_error_ok": type_error_ok}, "flags": flags}


# ---------------------------------------------------------------------------- calendar

CAL_METHODS = ["is_working_day", "add_working_days", "working_days_between"]


def day_arg():
    return st.one_of(
        st.dates(dt.date(1955, 1, 1), dt.date(2105, 12, 31)).map(lambda d: ("date", d.year, d.month, d.day)),
        st.sampled_from([("date", 1960, 1, 1), ("date", 2100, 12, 31), ("date", 1959, 12, 31), ("date", 2101, 1, 1),
                         ("date", 2024, 5, 4), ("date", 2024, 4, 29), ("date", 2026, 1, 10), ("date", 2026, 1, 2)]),
        st.tuples(st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)), st.integers(0, 23),
                  st.sampled_from([None, "UTC", "+07:00", "Asia/Ho_Chi_Minh", "America/New_York", "-10:00"])).map(
            lambda a: ("datetime", a[0].year, a[0].month, a[0].day, a[1], 0, 0, a[2])),
        st.sampled_from([("datetime", 2024, 1, 5, 20, 0, 0, "UTC")]),
        st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)).map(lambda d: ("value", d.isoformat())),
    )


def count_arg():
    return st.one_of(st.integers(0, 40).map(lambda n: ("value", n)),
                     st.sampled_from([("value", 2**32 - 1), ("value", 2**32), ("value", -1), ("value", 2**63 + 5),
                                      ("value", -(2**63) - 1), ("value", 10**6)]))


BAD_COUNTS = [("value", "12"), ("value", "1"), ("value", 1.5), ("value", b"12"), ("value", None), ("value", [None]),
              ("value", 2.0)]


@st.composite
def calendar_calls(draw) -> dict:
    method = draw(st.sampled_from(CAL_METHODS))
    vector = draw(st.booleans())
    type_error_ok = False
    flags = []
    if not vector:
        args = [draw(day_arg())]
        if method == "add_working_days":
            c = draw(st.one_of(count_arg(), st.sampled_from(BAD_COUNTS)))
            args.append(c)
            if c in BAD_COUNTS:
                type_error_ok = True
            if isinstance(c[1], int) and not 0 <= c[1] < 2**63:
                flags.append("int_out_of_range")
        elif method == "working_days_between":
            args.append(draw(day_arg()))
    else:
        n = draw(st.integers(0, 6))
        dtype = draw(st.sampled_from(["date32", "date64", "timestamp[s]", "timestamp[us, UTC]", "timestamp[ns, Asia/Ho_Chi_Minh]",
                                      "timestamp[ms, America/New_York]", "np_day", "np_s", "list"]))

        def days(k):
            return st.lists(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31)).map(
                lambda d: ("datetime", d.year, d.month, d.day, 22, 0, 0, None))), min_size=k, max_size=k)

        def as_arg(vals):
            if dtype == "list":
                return ("list", [("value", None) if v is None else ("date", *v[1:4]) for v in vals])
            if dtype.startswith("np"):
                unit = "D" if dtype == "np_day" else "s"
                return ("np", f"datetime64[{unit}]", [None if v is None else dt.datetime(*v[1:7]) for v in vals])
            if dtype.startswith("date"):
                return ("pa", dtype, [None if v is None else ("date", *v[1:4]) for v in vals])
            zoned = "," in dtype
            return ("pa", dtype, [None if v is None else ("datetime", *v[1:7], "+07:00" if zoned else None) for v in vals])

        first = as_arg(draw(days(n)))
        if draw(st.integers(0, 3)) == 0 and first[0] == "pa":
            first = ("chunked", first, draw(st.integers(0, n)))
        args = [first]
        m = draw(st.sampled_from([n, 1]))
        if method == "add_working_days":
            counts = draw(st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=m, max_size=m))
            ctype = draw(st.sampled_from(["int64", "uint8", "int32", "uint64", "np", "list", "float64", "string"]))
            if ctype == "np":
                args.append(("np", "int64", [0 if c is None else c for c in counts]))
            elif ctype == "list":
                args.append(("list", [("value", c) for c in counts]))
            else:
                args.append(("pa", ctype, [None if c is None else ("value", c if ctype != "float64" else float(c))
                                           if ctype != "string" else ("value", str(c)) for c in counts]))
                type_error_ok = ctype in ("float64", "string")
        elif method == "working_days_between":
            args.append(as_arg(draw(days(m))))
    if any(a[0] == "datetime" and a[7] and "/" in a[7] for a in args):
        flags.append("zoneinfo_datetime")
    return {"family": "calendar", "target": "calendar", "method": method, "args": args,
            "calendar": draw(st.sampled_from([{}, {"saturday_swaps": "rest"}])),
            "expect": {"type_error_ok": type_error_ok}, "flags": flags}


@st.composite
def due_at_calls(draw) -> dict:
    d = draw(st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31)))
    tz = draw(st.sampled_from([None, "UTC", "+07:00", "Asia/Ho_Chi_Minh"]))
    kw = draw(st.sampled_from([{"days": ("value", 3)}, {"hours": ("value", 8)}, {"days": ("value", 0)}]))
    return {"family": "calendar", "target": "calendar", "method": "due_at",
            "args": [("datetime", d.year, d.month, d.day, draw(st.integers(0, 23)), 30, 0, tz)], "kwargs": kw,
            "expect": {}, "flags": ["aware_due_at"] if tz else []}


# ---------------------------------------------------------------------------- tally, percent, synthetic, rubric


def tally_bytes():
    return st.builds(lambda m: {"family": "tally_bytes", "target": "tally_bytes", "mutation": m, "expect": {}},
                     st.one_of(st.tuples(st.just("truncate"), st.integers(0, 400)),
                               st.tuples(st.just("flip"), st.tuples(st.integers(0, 400), st.integers(1, 255))),
                               st.tuples(st.just("insert"), st.tuples(st.integers(0, 400), st.binary(min_size=1, max_size=9))),
                               st.tuples(st.just("append"), st.binary(min_size=1, max_size=9)),
                               st.tuples(st.just("random"), st.binary(max_size=300))))


def tally_sums():
    return st.builds(lambda n, seed, cuts, doublings, policy: {
        "family": "tally_sum", "target": "tally_sum", "n": n, "seed": seed, "cuts": cuts, "doublings": doublings,
        "options": {"as_of": dt.date(2023, 12, 31), "rate_policy": policy, "start": dt.date(2023, 1, 1)}, "expect": {}},
        st.integers(0, 400), st.integers(0, 5), st.lists(st.integers(0, 400), max_size=4),
        st.sampled_from([0, 1, 5, 61, 62, 63, 64]), st.sampled_from(ON_TIME))


def percent_calls():
    from fractions import Fraction

    rate = st.one_of(
        st.tuples(st.integers(0, 10**6), st.integers(1, 10**6)).filter(lambda t: t[0] <= t[1]).map(lambda t: ("value", Fraction(*t))),
        st.sampled_from([("value", Fraction(1, 40)), ("value", Fraction(1, 8)), ("value", Fraction(1, 2000)),
                         ("value", Fraction(18990, 20000)), ("value", Fraction(10677, 11339)), ("value", 0), ("value", 1),
                         ("value", None), ("value", Fraction(3, 2)), ("value", Fraction(-1, 3)), ("value", 0.5),
                         ("value", "0.5"), ("value", True), ("value", Fraction(1, 3 * 10**25))]))
    dp = st.one_of(st.integers(0, 20).map(lambda d: ("value", d)),
                   st.sampled_from([("value", -1), ("value", 21), ("value", 10**6), ("value", 2**64), ("value", "2"),
                                    ("value", 1.0), ("value", None)]))

    def spec(r, d):
        flags = ["int_out_of_range"] if isinstance(d[1], int) and not isinstance(d[1], bool) and abs(d[1]) >= 2**63 else []
        bad_type = not isinstance(d[1], int) or not (r[1] is None or isinstance(r[1], (int, Fraction)))
        return {"family": "percent", "target": "percent", "rate": r, "dp": d, "expect": {"type_error_ok": bad_type},
                "flags": flags}
    return st.builds(spec, rate, dp)


def synthetic_calls():
    def spec(n, units, seed):
        flags = []
        if not (0 <= n < 2**63 and 0 <= units < 2**64 and 0 <= seed < 2**64):
            flags.append("int_out_of_range")
        return {"family": "synthetic", "target": "synthetic", "n": n, "units": units, "seed": seed, "expect": {},
                "flags": flags}
    return st.builds(spec, st.one_of(st.integers(0, 3000), st.sampled_from([-1, 50_000_001, 2**64])),
                     st.one_of(st.integers(1, 200), st.sampled_from([0, 10**9, 2**32, 2**64, -1])),
                     st.one_of(st.integers(0, 10), st.sampled_from([-1, 2**64, 2**63])))


@st.composite
def rubric_texts(draw) -> dict:
    """A preset's TOML or JSON with one edit: a line dropped or repeated, a value replaced."""
    import tthc_metrics as tm  # the text only: parsing it happens in the child

    name = draw(st.sampled_from(tm.Rubric.preset_names()))
    fmt = draw(st.sampled_from(["toml", "json"]))
    rubric = tm.Rubric.preset(name)
    text = rubric.to_toml() if fmt == "toml" else rubric.to_json()
    lines = text.splitlines()
    edit = draw(st.sampled_from(["none", "drop", "repeat", "value", "truncate", "garbage"]))
    if edit == "drop" and lines:
        del lines[draw(st.integers(0, len(lines) - 1))]
    elif edit == "repeat" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
    elif edit == "value":
        i = draw(st.integers(0, len(lines) - 1))
        new = draw(st.sampled_from(['"1e400"', '"-5"', '"NaN"', "1e400", '"95.0000000000000000000000001"', '""',
                                    '"tthc_on_time"', "[]", "{}", '"100"', "-1", '"∞"', "99999999999999999999999"]))
        if "=" in lines[i]:
            lines[i] = lines[i].split("=")[0] + "= " + new
        elif ":" in lines[i]:
            lines[i] = lines[i].split(":")[0] + ": " + new + ("," if lines[i].rstrip().endswith(",") else "")
    elif edit == "truncate":
        lines = lines[: draw(st.integers(0, len(lines)))]
    elif edit == "garbage":
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=30)))
    return {"family": "rubric", "target": "rubric", "format": fmt, "text": "\n".join(lines), "expect": {}}


def not_tables():
    return st.builds(lambda what, entry: {"family": "not_a_table", "target": "not_a_table", "what": what, "entry": entry,
                                          "expect": {"type_error_ok": True}, "flags": ["lazyframe"] if what == "lazy" else []},
                     st.sampled_from(["lazy", "dict", "list", "none", "str"]), st.sampled_from(["report", "tally", "quality"]))
