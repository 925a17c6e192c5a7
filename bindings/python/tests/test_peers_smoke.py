"""Smoke test of the peer comparison (benches/peers/run.py, `make bench-peers`): on 20,000 dossiers of
its dataset, every peer (polars, DuckDB, pandas; both activity variants) computes exactly tm.report's
table, tm.report gives the same table from pyarrow, polars and pandas, and tm.report equals the
independent oracle (reference.py) on that dataset (four of its communes). DuckDB is skipped where it is not installed (it
is a bench-only dependency, benches/peers/requirements.txt)."""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

import reference

RUN = Path(__file__).resolve().parents[3] / "benches" / "peers" / "run.py"


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("tthc_bench_peers", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table(peers):
    return peers.make_dataset(20_000, seed=7)


@pytest.fixture(scope="module")
def expected(peers, table):
    return {view: peers.tm_report(table, view) for view in ("cohort", "activity")}


@pytest.mark.parametrize("view", ["cohort", "activity"])
@pytest.mark.parametrize("engine", ["polars", "pandas", "duckdb"])
def test_peer_equals_tm_report(peers, table, expected, engine, view):
    if engine == "duckdb":
        pytest.importorskip("duckdb")
    data = table if engine == "duckdb" else peers.as_library(table, engine)
    peers.assert_same(f"{engine} / {view}", peers.PEERS[engine][view](data), expected[view])
    if view == "activity":
        peers.assert_same(f"{engine} (per dossier) / {view}", peers.PER_DOSSIER[engine](data), expected[view])


@pytest.mark.parametrize("view", ["cohort", "activity"])
@pytest.mark.parametrize("library", ["polars", "pandas"])
def test_tm_report_same_from_every_library(peers, table, expected, library, view):
    peers.assert_same(f"tm.report ({library}) / {view}", peers.tm_report(peers.as_library(table, library), view),
                      expected[view])


def test_dataset_shape(peers, table):
    assert table.num_rows == 20_000
    assert table.schema.field("unit").type.value_type == "string"
    received = table.column("received_at").to_numpy()
    assert (received[1:] >= received[:-1]).all(), "sorted by reception, as portals export"
    assert set(table.column("status").to_pylist()) <= set(peers.STATUS_MIX)
    cohort = peers.canonical(peers.tm_report(table, "cohort"))
    assert cohort.column("period_start")[0].as_py() == peers.START  # the clipped first week
    activity = peers.canonical(peers.tm_report(table, "activity"))
    a = activity.to_pandas()
    assert (a.received + a.carried_over == a.finished + a.unfinished + a.awaiting_supplement + a.awaiting_payment
            + a.refused_withdrawn).all()


def test_tm_report_equals_reference_on_bench_data(peers, table):
    # four communes keep the oracle (a Python loop per unit and week) fast
    df = table.to_pandas()
    df = df[df["unit"].isin(peers.UNITS[:4])].reset_index(drop=True)
    df["unit"] = df["unit"].astype(str)
    df["channel"] = df["channel"].map({1: "direct", 2: "online", 3: "post"})
    for view, ref in (("cohort", reference.cohort(df, peers.AS_OF, "week", peers.START)),
                      ("activity", reference.activity(df, peers.START, peers.AS_OF, "week"))):
        ref = ref.assign(period_start=pd.to_datetime(ref["period_start"]),
                         period_end=pd.to_datetime(ref["period_end"]))
        peers.assert_same(f"reference.py / {view}", ref, peers.tm_report(df, view))
