"""tm.read_export's Python side: every kind of source, the error classes and codes, the
vocabulary carried by the table into tm.report, the metadata."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest

import tthc_metrics as tm

CSV = "BÁO CÁO\nMã hồ sơ;Ngày tiếp nhận;Trạng thái;Đơn vị xử lý;Ghi chú\nH1;02/10/2023 08:00;Đang làm;UBND xã A;x\nH2;03/10/2023;4;UBND xã A;\nTổng cộng: 2 hồ sơ;;;;\n"


@pytest.mark.parametrize("kind", ["str", "path", "bytes", "file"])
def test_every_kind_of_source(tmp_path, kind):
    p = tmp_path / "hs.csv"
    p.write_text(CSV, encoding="utf-8")
    source = {"str": str(p), "path": p, "bytes": p.read_bytes(), "file": None}[kind]
    if kind == "file":
        with open(p, "rb") as f:
            t = tm.read_export(f)
    else:
        t = tm.read_export(source)
    assert t.column_names == ["dossier_id", "received_at", "status", "unit", "Ghi chú", "source_row"]
    assert t.column("source_row").to_pylist() == [3, 4]
    meta = tm.provenance(t)
    src = json.loads(meta["tthc_metrics.source"])
    assert src["header_row"] == 2 and src["format"] == "csv"
    assert src["file"] == ("<bytes>" if kind == "bytes" else "hs.csv")
    assert json.loads(meta["tthc_metrics.skipped_rows"])[0]["first"] == 5


def test_the_vocabulary_travels_with_the_table():
    with pytest.raises(tm.RejectedRecordError):
        tm.report(tm.read_export(CSV.encode()), as_of=dt.date(2023, 10, 16), by=(None, None))
    t = tm.read_export(CSV.encode(), status_names={"Đang làm": 4})
    assert json.loads(tm.provenance(t)["tthc_metrics.status_names"]) == {"Đang làm": 4}
    r = tm.report(t, as_of=dt.date(2023, 10, 16), by=(None, None))
    assert r.column("received").to_pylist() == [2]
    assert r.column("unfinished").to_pylist() == [2]
    t = tm.read_export(CSV.encode(), channel_names={"Cổng": 2}, online_service_names={"TT": "full"})
    meta = tm.provenance(t)
    assert json.loads(meta["tthc_metrics.channel_names"]) == {"Cổng": 2}
    assert json.loads(meta["tthc_metrics.online_service_names"]) == {"TT": "full"}


def test_options():
    t = tm.read_export("x;y\nMa;Ngay TN;Trạng thái\nA;02/10/2023;4\n".encode(), header_row=2, columns={"Ngay TN": "received_at"})
    assert t.column_names == ["Ma", "received_at", "status", "source_row"]
    with pytest.raises(TypeError):
        tm.read_export(12)
    with pytest.raises(TypeError):
        tm.read_export(io.StringIO(CSV))


def test_errors_are_typed_and_name_the_file(tmp_path):
    with pytest.raises(tm.TthcError) as e:
        tm.read_export(tmp_path / "orders.xlsx")
    assert e.value.code == "io_error" and str(e.value).startswith("orders.xlsx: ")
    with pytest.raises(tm.SchemaError) as e:
        tm.read_export(b"STT;Ngay;Nguoi nop\n1;2;3\n")
    assert e.value.code == "no_header"
    with pytest.raises(tm.SchemaError) as e:
        tm.read_export("Mã hồ sơ;Ngày tiếp nhận;Trạng thái\nA;x y;4\nB;z;4\nC;w;4\n".encode())
    assert e.value.code == "wrong_content" and "row 2" in str(e.value)
    with pytest.raises(tm.SchemaError) as e:
        tm.read_export(CSV.encode(), columns={"Ngày TN": "received_at"})
    assert e.value.code == "missing_column" and "header row 2" in str(e.value)
    with pytest.raises(tm.TthcError) as e:
        tm.read_export(b"\x89PNG\r\n\x1a\n\0\0")
    assert e.value.code == "unsupported_format" and not isinstance(e.value, tm.SchemaError)
    with pytest.raises(tm.TthcError) as e:
        tm.read_export(CSV.encode(), memory_limit=100)
    assert e.value.code == "too_large"
    with pytest.raises(tm.TthcError) as e:
        tm.read_export(Path(__file__).parent / "exports" / "README.md")
    assert e.value.code in ("unsupported_format", "no_header")
