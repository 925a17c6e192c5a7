"""tm.report, tm.tally and tm.quality from several Python threads at once: the GIL is released
while the kernel runs, and concurrent calls give exactly the answers of sequential ones."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

import tthc_metrics as tm
from helpers import same

AS_OF = dt.date(2023, 11, 30)


def test_concurrent_reports_on_the_same_and_different_inputs():
    tables = [tm.synthetic(60_000, units=25, seed=s) for s in (1, 2)]
    shared = tables[0]
    jobs = [
        (shared, dict(by=("unit", "week"))),
        (shared, dict(by=("unit", "month"), view="activity", start=dt.date(2023, 1, 1))),
        (shared.to_pandas(), dict(by=(None, "friday_week"))),
        (tables[1], dict(by=("procedure", None), rate_policy="decision_766")),
        (shared, dict(by=("unit", "week"))),
        (tables[1], dict(by=("channel", "quarter"), view="activity", start=dt.date(2023, 1, 1))),
        (shared, dict(by=("unit", "month"), view="activity", start=dt.date(2023, 1, 1))),
        (tables[1], dict(by=("unit", "day"), comparison="timestamp")),
    ]
    sequential = [tm.report(data, as_of=AS_OF, **kw) for data, kw in jobs]
    for _ in range(3):
        with ThreadPoolExecutor(max_workers=4) as pool:
            concurrent = list(pool.map(lambda job: tm.report(job[0], as_of=AS_OF, **job[1]), jobs))
        for a, b in zip(sequential, concurrent):
            same(a, b)


def test_concurrent_tallies_and_quality_reports():
    data = tm.synthetic(40_000, units=10, seed=5)
    expected_tally = tm.tally(data, as_of=AS_OF)
    expected_quality = tm.quality(data, as_of=AS_OF)

    def work(i: int):
        if i % 2:
            return tm.tally(data, as_of=AS_OF)
        return tm.quality(data, as_of=AS_OF)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(16)))
    for i, r in enumerate(results):
        if i % 2:
            assert r == expected_tally
        else:
            assert isinstance(r, pa.Table)
            assert r.equals(expected_quality)

