"""What tm.read_export and tm.report must give on real-looking portal exports (issue 17).

Each file kind the generator writes (tests/exports/generate.py: an .xlsx with a title block, mixed
date cells and a footer; an HTML table saved as .xls; the sync-standard CSV, with "," and ";"; the
sync JSON), and the DataFrame ``pd.read_excel`` makes of the .xlsx, go in with no column mapping; the
report by (unit, month), cohort and activity views, must equal the independent reference
(tests/exports/reference.py, computed from the truth, not from the files) on every unit x month and
every count column, as int64. Skipped as a whole until ``tm.read_export`` exists.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

import tthc_metrics as tm

if not hasattr(tm, "read_export"):
    pytest.skip("tm.read_export is not there yet (issue 17)", allow_module_level=True)

pytest.importorskip("openpyxl")
pytest.importorskip("xlsxwriter")

from exports import generate as g  # noqa: E402
from exports import reference as ref  # noqa: E402

START = dt.date(2023, 1, 1)
AS_OFS = [dt.date(2023, 10, 16), dt.date(2023, 12, 31)]
END = dt.date(2023, 12, 20)  # the activity view's last month is clipped to 01-20/12
N, SEED = 3000, 17


def _pandas(t) -> pd.DataFrame:
    return t if isinstance(t, pd.DataFrame) else t.to_pandas()


def compare(ours, expected: pd.DataFrame, what: str) -> None:
    """Every (unit, period_start) row and every count column equal; counts are int64."""
    ours = _pandas(ours)
    missing = [c for c in ref.COLUMNS if c not in ours.columns]
    assert not missing, f"{what}: the report has no column {missing}"
    wrong = {c: str(ours[c].dtype) for c in ref.COUNTS if str(ours[c].dtype) != "int64"}
    assert not wrong, f"{what}: counts must be int64, got {wrong}"
    a = ours[ref.COLUMNS].copy()
    a["period_start"] = pd.to_datetime(a["period_start"]).dt.date
    a["unit"] = a["unit"].astype(object)
    a = a.sort_values(["unit", "period_start"], kind="stable").reset_index(drop=True)
    b = expected[ref.COLUMNS].copy()
    b["unit"] = b["unit"].astype(object)
    b = b.reset_index(drop=True)
    keys_a = set(zip(a["unit"], a["period_start"]))
    keys_b = set(zip(b["unit"], b["period_start"]))
    assert keys_a == keys_b, (
        f"{what}: rows differ; only in the report: {sorted(keys_a - keys_b)[:5]}, "
        f"only in the reference: {sorted(keys_b - keys_a)[:5]}"
    )
    m = a.merge(b, on=["unit", "period_start"], suffixes=("", "_ref"))
    diffs = [
        f"{r.unit} {r.period_start} {c}: {getattr(r, c)} != {getattr(r, c + '_ref')}"
        for c in ref.COUNTS
        for r in m[m[c] != m[c + "_ref"]].itertuples()
    ]
    assert not diffs, f"{what}: {len(diffs)} cells differ, e.g.\n" + "\n".join(diffs[:12])


def check_views(data, truth: list[dict], what: str, *, footer_rows_allowed: int = 0) -> None:
    """Cohort at each of AS_OFS and activity over [START, END], by (unit, month), against the
    reference. No row may be rejected (the truth has no bad record), except up to
    `footer_rows_allowed` rows without a dossier id (the "Tổng cộng" footer of a raw DataFrame)."""
    on_error = "skip" if footer_rows_allowed else "raise"
    runs = [(f"cohort as of {d}", dict(as_of=d, start=START), ref.cohort(truth, d, START)) for d in AS_OFS]
    runs.append(("activity", dict(as_of=END, start=START, end=END, view="activity"), ref.activity(truth, START, END)))
    for name, kw, expected in runs:
        table, rejected = tm.report_with_rejected(data, by=("unit", "month"), on_error=on_error, **kw)
        rejected = _pandas(rejected)
        # repeats of a dossier id are listed beside the report (reason "duplicate"), not rejected
        rejected = rejected[rejected["reason"] != "duplicate"]
        assert len(rejected) <= footer_rows_allowed, f"{what}, {name}: rejected\n{rejected.head(10)}"
        if len(rejected):
            ids = rejected["dossier_id"].tolist()
            assert all(i is None or i != i or str(i).strip() == "" for i in ids), f"{what}: a dossier was rejected: {ids}"
        compare(table, expected, f"{what}, {name}")


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return g.make_truth(N, SEED)


@pytest.fixture(scope="module")
def files(truth, tmp_path_factory) -> dict[str, Path]:
    return g.write_all(truth, tmp_path_factory.mktemp("exports"))


# --------------------------------------------------------------------------------------------
# One test per file kind
# --------------------------------------------------------------------------------------------

def test_xlsx(truth, files):
    table = tm.read_export(files["xlsx"])
    assert table.num_rows == len(truth)  # every dossier row, repeats too; not the title or the footer
    for c in ("dossier_id", "unit", "procedure", "received_at", "due_at", "finished_at", "status", "channel"):
        assert c in table.column_names, c
    assert {"Chủ hồ sơ", "Ghi chú"} <= set(table.column_names)  # unknown columns pass through
    check_views(table, truth, "xlsx via read_export")


@pytest.mark.parametrize("header_cells", ["th", "b"])
def test_html_saved_as_xls(truth, tmp_path, header_cells):
    path = tmp_path / "DanhSachHoSo.xls"
    g.write_html_xls(truth, path, header_cells=header_cells)
    table = tm.read_export(path)
    assert table.num_rows == len(truth)
    check_views(table, truth, f"HTML .xls ({header_cells} headers)")


@pytest.mark.parametrize("kind", ["sync_csv", "sync_csv_semicolon"])
def test_sync_csv(truth, files, kind):
    table = tm.read_export(files[kind])
    assert table.num_rows == len(truth)
    check_views(table, truth, kind)


def test_sync_json(truth, files):
    table = tm.read_export(files["sync_json"])
    assert table.num_rows == len(truth)
    check_views(table, truth, "sync JSON")


def test_read_excel_dataframe_to_report(truth, files):
    """The analyst's DataFrame (object columns mixing str, datetime and NaN; the export's own
    headers; the footer row as it comes) straight into tm.report, no column mapping."""
    df = g.read_excel_frame(files["xlsx"])
    check_views(df, truth, "pd.read_excel DataFrame", footer_rows_allowed=1)


def test_read_excel_dataframe_without_footer(truth, files):
    df = g.read_excel_frame(files["xlsx"]).iloc[:-1]
    check_views(df, truth, "pd.read_excel DataFrame without its footer")


# --------------------------------------------------------------------------------------------
# The traps, one at a time
# --------------------------------------------------------------------------------------------

UNIT = "UBND xã Đắk Drô"


def _spellings_truth() -> list[dict]:
    """One dossier per spelling of each unit (NFC, NFD, padded, double-spaced, upper, lower, NBSP),
    the canonical NFC spelling the most common."""
    base = [r for r in g.make_truth(600, 3) if r["status"] == 10]
    spellings = lambda name: [  # noqa: E731
        name, name, name, unicodedata.normalize("NFD", name), "  " + name + " ", name.replace(" ", "  "),
        name.upper(), name.lower(), name + "\u00a0", unicodedata.normalize("NFD", " " + name.upper() + " "),
    ]
    out, seen = [], {}
    for r in base:
        name = next(u[0] for u in g.UNITS if u[1] == r["dossier_id"].strip()[4:9])
        sp, i = spellings(name), seen.get(name, 0)
        seen[name] = i + 1
        out.append({**r, "unit": sp[i % len(sp)]})  # any prefix of the cycle keeps NFC-canonical ahead
    return out


@pytest.mark.parametrize("kind", ["xlsx", "html_xls", "sync_csv", "sync_json"])
def test_nfc_nfd_and_padded_unit_names(tmp_path, kind):
    truth = _spellings_truth()
    paths = g.write_all(truth, tmp_path)
    table = tm.read_export(paths[kind])
    out = _pandas(tm.report(table, as_of=dt.date(2023, 12, 31), by=("unit", "month"), start=START))
    labels = set(out["unit"])
    assert labels == {u[0] for u in g.UNITS}, labels - {u[0] for u in g.UNITS}
    assert all(unicodedata.is_normalized("NFC", u) for u in labels)
    assert len(out[out["unit"] == UNIT]) > 0  # the filter an analyst writes finds the unit
    assert not out.duplicated(["unit", "period_start"]).any()
    check_views(table, truth, f"unit spellings, {kind}")


@pytest.mark.parametrize("kind", ["xlsx", "sync_json"])
def test_repeated_dossiers(tmp_path, kind):
    """A second sheet appended: stale rows with older statuses after the final ones, identical copies,
    padded ids. One dossier each; the most advanced status wins (not the last row)."""
    truth = g.with_more_repeats(g.make_truth(1500, 11), share=0.3, seed=2)
    naive_rows = sum(1 for r in truth if r["status"] not in (1, 3))
    facts = ref.facts(truth)
    assert facts["repeated_rows"] > 400 and facts["counted"] < naive_rows  # the test has teeth
    paths = g.write_all(truth, tmp_path)
    table = tm.read_export(paths[kind])
    assert table.num_rows == len(truth)
    check_views(table, truth, f"repeated dossiers, {kind}")
    total = _pandas(tm.report(table, as_of=dt.date(2023, 12, 31), by=(None, None), start=START))
    assert int(total["received"].sum()) == sum(
        1 for d in ref.counted(truth) if d["received_at"] is not None and d["received_at"].date() >= START
    )


def _every_status_name_truth() -> list[dict]:
    """Rows of every status, enough of each that the xlsx writer (which cycles through the names of
    a status) writes every national name and every variant at least twice; ids unique."""
    rows = g.make_truth(6000, 23)
    counts: dict = {}
    for r in rows:
        counts[r["dossier_id"].strip()] = counts.get(r["dossier_id"].strip(), 0) + 1
    want = {s: 2 * len(names) for s, names in g.XLSX_STATUS_NAMES.items()}
    out = []
    for r in rows:
        if counts[r["dossier_id"].strip()] == 1 and want.get(r["status"], 0) > 0:
            want[r["status"]] -= 1
            out.append(r)
    assert not any(want.values()), want
    return out


@pytest.mark.parametrize("kind", ["xlsx", "html_xls"])
def test_national_status_names(tmp_path, kind):
    truth = _every_status_name_truth()
    paths = g.write_all(truth, tmp_path)
    table = tm.read_export(paths[kind])
    check_views(table, truth, f"status names, {kind}")
    # status 6 is its own bucket, 1 and 3 are left out
    c = ref.cohort(truth, dt.date(2023, 12, 31))
    assert c["awaiting_payment"].sum() > 0 and c["awaiting_supplement"].sum() > 0
