"""tm.report against an independent pandas computation of the same definitions (tests/reference.py)
on 120,000 random dossiers: cohort and activity views, by week and by month."""

import datetime as dt

import pandas as pd
import pytest

import reference
import tthc_metrics as tm

START = dt.date(2023, 1, 1)
AS_OF = dt.date(2023, 11, 30)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return reference.random_dossiers(120_000, seed=20231016)


def _compare(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    ours = ours.copy()
    ours["period_start"] = pd.to_datetime(ours["period_start"]).dt.date
    ours["period_end"] = pd.to_datetime(ours["period_end"]).dt.date
    key = ["unit", "period_start", "period_end"]
    cols = key + reference.COUNTS
    a = ours[cols].sort_values(key).reset_index(drop=True).astype({c: "int64" for c in reference.COUNTS})
    b = ref[cols].sort_values(key).reset_index(drop=True).astype({c: "int64" for c in reference.COUNTS})
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("granularity", ["week", "month"])
def test_cohort_matches_reference(data, granularity):
    ours = tm.report(data, as_of=AS_OF, by=("unit", granularity), start=START)
    _compare(ours, reference.cohort(data, AS_OF, granularity, START))


@pytest.mark.parametrize("granularity", ["week", "month"])
def test_activity_matches_reference(data, granularity):
    ours = tm.report(data, as_of=AS_OF, by=("unit", granularity), view="activity", start=START, end=AS_OF)
    ref = reference.activity(data, START, AS_OF, granularity)
    ref = ref[(ref[reference.COUNTS[:1]].sum(axis=1) + ref["carried_over"]) > 0]
    _compare(ours, ref)


@pytest.fixture(scope="module")
def subsecond(data) -> pd.DataFrame:
    """The same dossiers with sub-second times: each row shifted by its own fraction of a second
    (order within a row kept), and a tenth of the ends moved into the last half-second of their
    day (23:59:59.5xx). The library reads times to the second; the reference compares with the
    next midnight; both put such a time in its day."""
    import numpy as np

    rng = np.random.default_rng(7)
    d = data.copy()
    frac = pd.to_timedelta(rng.integers(0, 1_000_000, len(d)), unit="us")
    for c in ("received_at", "due_at", "finished_at"):
        d[c] = d[c] + frac
    late = (rng.random(len(d)) < 0.1) & d["finished_at"].notna()
    last = d.loc[late, "finished_at"].dt.normalize() + pd.Timedelta(hours=23, minutes=59, seconds=59, milliseconds=500)
    keep = last >= d.loc[late, "received_at"]
    d.loc[late[late].index[keep.to_numpy()], "finished_at"] = last[keep]
    return d


def test_subsecond_times_match_reference(subsecond):
    ours = tm.report(subsecond, as_of=AS_OF, by=("unit", "week"), start=START)
    _compare(ours, reference.cohort(subsecond, AS_OF, "week", START))
    ours = tm.report(subsecond, as_of=AS_OF, by=("unit", "week"), view="activity", start=START, end=AS_OF)
    ref = reference.activity(subsecond, START, AS_OF, "week")
    ref = ref[(ref[reference.COUNTS[:1]].sum(axis=1) + ref["carried_over"]) > 0]
    _compare(ours, ref)
