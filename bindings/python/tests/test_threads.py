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



def test_parallel_screen_equals_one_thread_on_a_large_messy_input():
    # 300k rows (above the quarter million where preparation screens on all cores), receptions
    # in random order, with rows the rule rejects scattered through every block: finished
    # before received, a missing unit, an unknown status, a repeated dossier id. The parallel
    # screen and the one-thread pass must reject the same rows and count the same report.
    import numpy as np

    n = 300_000
    t = tm.synthetic(n, units=30, seed=9)
    rng = np.random.default_rng(3)
    t = t.take(pa.array(rng.permutation(n)))
    cols = {name: t.column(name).to_pylist() for name in ("dossier_id", "unit", "status", "received_at", "finished_at")}
    bad = rng.choice(n, 120, replace=False)  # about one block in two has one; few repeats
    for k, i in enumerate(bad):
        kind = 3 if k < 4 else k % 3
        if kind == 0 and cols["received_at"][i] is not None:
            cols["finished_at"][i] = cols["received_at"][i] - dt.timedelta(days=3)
            cols["status"][i] = "10"
        elif kind == 1:
            cols["unit"][i] = None
        elif kind == 2:
            cols["status"][i] = "99"
        else:
            cols["dossier_id"][i] = cols["dossier_id"][(i + 1) % n]
    messy = t
    for name, values in cols.items():
        field = pa.field(name, t.schema.field(name).type)  # nullable: the unit is missing in some rows
        messy = messy.set_column(t.schema.get_field_index(name), field, pa.array(values, field.type))
    for kw in (dict(by=("unit", "week")), dict(by=("unit", "month"), view="activity", start=dt.date(2023, 1, 1))):
        one, rejected_one = tm.report_with_rejected(messy, as_of=AS_OF, on_error="skip", threads=1, **kw)
        two, rejected_two = tm.report_with_rejected(messy, as_of=AS_OF, on_error="skip", **kw)
        same(one, two)
        assert rejected_one.equals(rejected_two)
        assert rejected_one.num_rows >= 100, rejected_one.num_rows  # the injected rows
