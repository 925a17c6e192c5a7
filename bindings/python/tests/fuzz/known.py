"""The findings still open against the library, shared by the fuzz suite and
``test_hostile_regressions.py``.

Each entry is the reason of a strict ``xfail`` regression test (:func:`xfail`) and a signature:
an example of the fuzz suite that fails only that way is reported as a ``KnownFindingWarning``
instead of a failure (unless ``FUZZ_STRICT=1``). When a finding is fixed, its regression test
XPASSes (a failure, being strict): delete its entry here, and the fuzz suite checks those
inputs again.
"""

from __future__ import annotations

import os
from typing import Callable

import pytest

STRICT = os.environ.get("FUZZ_STRICT") == "1"


class KnownFindingWarning(UserWarning):
    """A fuzz example hit a finding that is open (see fuzz.known.OPEN)."""


OPEN: dict[str, str] = {
    "output_cells_abort": (
        "issue 16 #5, still open in the cohort view: the cells table (groups x periods x 168 bytes, 3.0 GB for "
        "5,001 units x 3,600 months) is within the default memory_limit of 4 GiB, so it is allocated whole; under "
        "a 4 GB address-space limit the allocation fails and Rust aborts the process (SIGABRT) instead of a "
        "typed memory_limit error or a sparse table of the 200k dossiers"),
    "zoneinfo_datetimes": (
        "an aware datetime whose tzinfo is a zoneinfo zone (Asia/Ho_Chi_Minh, America/New_York; "
        "ZoneInfo('UTC') works) as as_of, start or end raises TypeError 'expected a datetime without tzinfo'; "
        "Options says an aware datetime is converted to UTC+7, and dt.timezone offsets are"),
    "empty_dictionary_panic": (
        "a dictionary column whose dictionary is empty (every value null: pa.nulls(n, pa.dictionary(...)), an "
        "all-null categorical) in unit, channel, online_service, received_at or procedure panics in arrow-array "
        "(dictionary_array.rs:1050, assertion left != right): TthcError(internal_error), not the rows' reading "
        "(unit missing -> rejected, channel null -> direct)"),
    "ffi_import_panics": (
        "a C-stream batch whose column is shorter than the batch, or whose batch or column length or offset is "
        "negative, raises pyo3_runtime.PanicException ('assertion failed: end <= self.len()', 'the offset of the "
        "new Buffer cannot exceed the existing length'), a BaseException, from the Arrow import outside the "
        "panic guard: not a SchemaError"),
    "ffi_errors_untyped": (
        "errors of the Arrow C data interface (a NULL buffer, a missing dictionary, a producer whose get_next "
        "fails) come back as a bare TypeError ('C Data interface error: ...'), not a SchemaError naming the column"),
    "out_of_range_ints_untyped": (
        "an integer outside a parameter's machine range raises OverflowError (memory_limit=-1 or 2**70, "
        "quality's hanging_after_days=-1, synthetic(-1), units=2**64, seed=-1, percent(dp=2**64)) or a TypeError that misleads "
        "(add_working_days(d, 2**63 + 5): \"'int' object is not iterable\"; status_names={'x': 2**70}: \"'int' "
        "object is not an instance of 'str'\"), where its in-range neighbours give TthcError(invalid_argument)"),
    "header_synonyms_ambiguous": (
        "two columns that the header matching maps onto one canonical column (status beside 'Trạng thái', or "
        "'Trạng thái' beside 'TrangThaiHoSo') are not refused as ambiguous: one wins by a fixed precedence and "
        "the other is ignored silently"),
    "unbounded_messages": (
        "exception messages repeat user-given text whole (a 1,000,000-character option value, as_of text, "
        "schedule or rubric TOML, a struct field name in an unsupported type): the message is as long as the "
        "input, or twice as long; data values in rejected records are cut to 120 characters"),
    "due_at_aware": (
        "Calendar.due_at(aware datetime) raises TypeError 'expected a datetime without tzinfo'; calendar "
        "inputs are read like the reports' (zoned instants in UTC+7), as is_working_day and add_working_days do"),
    "vi_rejected_drops_label": (
        "with pandas input and labels=\"vi\", the rejected rows lose the 'label' column (the row's index "
        "label, which report_with_rejected documents for pandas input): tm._output adds it only when a "
        "column is named 'row', and under labels=\"vi\" it is 'Dòng'"),
    "lazyframe": (
        "a polars LazyFrame gives a bare ValueError 'Expected an object with dunder __arrow_c_stream__' (with a "
        "PerformanceWarning) rather than the TypeError naming the accepted inputs"),
}


def xfail(name: str):
    """The strict xfail mark of an open finding (no mark once it is fixed and removed)."""
    if name in OPEN:
        return pytest.mark.xfail(strict=True, reason=OPEN[name])
    return lambda f: f


def _message(out: dict | None) -> str:
    return (out or {}).get("message", "")


def _flags(spec: dict) -> set[str]:
    return set(spec.get("flags", []))


SIGNATURES: dict[str, Callable[[dict, dict | None, str, list[str]], bool]] = {
    "output_cells_abort": lambda spec, out, err, p: "memory allocation of" in err and "failed" in err,
    "zoneinfo_datetimes": lambda spec, out, err, p: "zoneinfo_datetime" in _flags(spec)
    and "expected a datetime without tzinfo" in _message(out),
    "empty_dictionary_panic": lambda spec, out, err, p: (out or {}).get("code") == "internal_error"
    and "left != right" in _message(out),
    "ffi_import_panics": lambda spec, out, err, p: "c_stream_patched" in spec_flags_built(spec)
    and (out or {}).get("type") == "PanicException",
    "ffi_errors_untyped": lambda spec, out, err, p: (out or {}).get("type") == "TypeError"
    and "C Data interface error" in _message(out),
    "out_of_range_ints_untyped": lambda spec, out, err, p: "int_out_of_range" in _flags(spec)
    and (out or {}).get("type") in ("OverflowError", "TypeError"),
    "due_at_aware": lambda spec, out, err, p: "aware_due_at" in _flags(spec)
    and "expected a datetime without tzinfo" in _message(out),
    "vi_rejected_drops_label": lambda spec, out, err, p: all('labels="vi" gives the rejected rows' in x for x in p),
    "lazyframe": lambda spec, out, err, p: "lazyframe" in _flags(spec) and (out or {}).get("type") == "ValueError",
}


def spec_flags_built(spec: dict) -> set[str]:
    """Flags the builder adds (a patched C stream) beside the strategy's."""
    table = spec.get("table", {})
    flags = _flags(spec)
    if table.get("patches") is not None or table.get("fail_at") is not None:
        flags.add("c_stream_patched")
    return flags


def explain(spec: dict, out: dict | None, stderr: str, problems: list[str]) -> str | None:
    """The open finding that accounts for this failure, if exactly one's signature matches."""
    for name, matches in SIGNATURES.items():
        if name in OPEN and matches(spec, out, stderr, problems):
            return name
    return None
