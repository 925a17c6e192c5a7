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
