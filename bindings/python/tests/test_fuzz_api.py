"""Black-box fuzz of the Python API (issue 16): each example in a child process under a 4 GB
address-space limit and a 60 s timeout, asserting a typed error or a result that conserves
every row (and equals the reference of test_differential.py where the input is valid data).

``make test`` (``HYPOTHESIS_PROFILE=ci``, or no profile): a few derandomized examples a family,
two children at a time, about 40 in all, under a minute. ``make fuzz``
(``HYPOTHESIS_PROFILE=deep``): ``FUZZ_EXAMPLES`` (200) random examples a family with shrinking.
``FUZZ_STRICT=1``: an example that hits an open finding (fuzz/known.py, each a strict xfail in
test_hostile_regressions.py) fails instead of warning. See fuzz/__init__.py for the contract.
"""

from __future__ import annotations

from hypothesis import given

from fuzz import profile, runner
from fuzz import strategies as S


def fuzz_test(strategy, quick: int):
    """A test of ``strategy``: ``quick`` examples drawn up front and run in parallel, or the deep
    profile's random examples one by one with shrinking."""
    if profile.DEEP:
        @profile.fuzz_settings(quick)
        @given(spec=strategy)
        def test(spec):
            runner.check(spec)
    else:
        def test():
            runner.check_all(profile.draw(strategy, quick))
    return test


# valid data in every encoding and container the spec defines, against the reference
test_valid_encodings_match_the_reference = fuzz_test(S.valid_reports(), 6)
# any Arrow type, with its extreme values, in any canonical column
test_any_type_in_any_column = fuzz_test(S.typed_reports(), 5)
# times at the ends of the supported range and of every unit, exact to the second
test_time_extremes = fuzz_test(S.extreme_times(), 3)
# invalid UTF-8, keys outside the dictionary, lying null counts, patched C streams, failing producers
test_malformed_buffers = fuzz_test(S.malformed_reports(), 5)
# every option, valid and invalid values, names and types
test_options = fuzz_test(S.option_calls(), 5)
# the calendar: scalars, arrays of every kind, broadcasting, nulls, zoned instants, bad counts
test_calendar = fuzz_test(S.calendar_calls(), 4)
test_calendar_due_at = fuzz_test(S.due_at_calls(), 1)
# tallies: altered bytes, sums of parts, doublings to overflow
test_tally_bytes = fuzz_test(S.tally_bytes(), 2)
test_tally_sums = fuzz_test(S.tally_sums(), 2)
# tm.percent, tm.synthetic, tm.Rubric, inputs that are not tables
test_percent = fuzz_test(S.percent_calls(), 2)
test_synthetic = fuzz_test(S.synthetic_calls(), 2)
test_rubric = fuzz_test(S.rubric_texts(), 2)
test_not_a_table = fuzz_test(S.not_tables(), 1)
