"""tm.read_export against polars on the same files, side by side in one process (issue 17).

    python benches/io/bench_read.py [--xlsx-rows 200000] [--csv-rows 10000000] [--repeat 5] [--dir DIR]

Writes (once, kept in DIR, default /tmp/tthc-io-bench) a portal-like .xlsx with xlsxwriter (a
6-row title block, 16 columns, date cells mixed with text dates, a footer) and a sync-standard CSV
(15 columns, yyyyMMddHHmmss dates) with polars, then times, alternating engines in each round:

- xlsx: ``tm.read_export(path)`` vs ``polars.read_excel(path, engine="calamine",
  read_options={"header_row": 6})`` (fastexcel), both to an Arrow table in memory;
- csv: ``tm.read_export(path)`` vs ``polars.read_csv(path)`` (types inferred, its default) and
  ``polars.read_csv(path, infer_schema=False)`` (every column text, what read_export gives).

Needs `pip install fastexcel` (polars.read_excel's calamine engine). Prints the median of each and the ratios (tm / polars; < 1 is faster), with the load average
before and after, since the machine is shared. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

import polars as pl

import tthc_metrics as tm

HEADERS = ["STT", "Mã hồ sơ", "Chủ hồ sơ", "Tên thủ tục hành chính", "Lĩnh vực", "Đơn vị xử lý",
           "Ngày nộp hồ sơ", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới", "Ngày có kết quả",
           "Ngày trả kết quả", "Trạng thái", "Hình thức nộp", "Mức độ", "Ghi chú"]
UNITS = [f"UBND xã {n}" for n in ("Đắk Drô", "Nam Đà", "Đắk Sôr", "Đức Xuyên", "Buôn Choáh", "Quảng Phú")]
UNITS += ["Phòng Tư pháp", "Phòng Tài chính – Kế hoạch", "Chi nhánh Văn phòng đăng ký đất đai"]
STATUS = ["Đã trả kết quả", "Đã xử lý xong", "Đang xử lý", "Yêu cầu bổ sung giấy tờ", "Dừng xử lý"]
CHANNEL = ["Trực tiếp", "Nộp trực tuyến", "Qua bưu chính công ích", ""]


def write_xlsx(path: Path, n: int) -> None:
    import xlsxwriter

    rng = random.Random(1)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("Danh sách hồ sơ")
    fmt = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    ws.write_string(0, 0, "ỦY BAN NHÂN DÂN HUYỆN KRÔNG NÔ")
    ws.write_string(1, 0, "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ")
    ws.write_string(3, 0, "DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH")
    ws.write_string(4, 0, "Từ ngày 01/01/2023 đến ngày 31/12/2023")
    for c, h in enumerate(HEADERS):
        ws.write_string(6, c, h)
    start = dt.datetime(2023, 1, 2, 7, 30)
    for i in range(n):
        r = 7 + i
        recv = start + dt.timedelta(minutes=i * 3 % 500_000)
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, f"000.20.{i % 12:02d}.23.H12-2301{i % 28 + 1:02d}-{i:06d}")
        ws.write_string(r, 2, f"Nguyễn Văn {i % 977}")
        ws.write_string(r, 3, f"Thủ tục số {i % 150}")
        ws.write_string(r, 4, f"Lĩnh vực {i % 17}")
        ws.write_string(r, 5, UNITS[i % len(UNITS)])
        for c, days in ((6, 0), (7, 0), (8, 5), (9, None), (10, 3), (11, 4)):
            if days is None:
                continue
            t = recv + dt.timedelta(days=days, minutes=rng.randrange(0, 300))
            if rng.random() < 0.5:
                ws.write_datetime(r, c, t, fmt)
            else:
                ws.write_string(r, c, t.strftime("%d/%m/%Y %H:%M:%S"))
        ws.write_string(r, 12, STATUS[i % len(STATUS)])
        ws.write_string(r, 13, CHANNEL[i % len(CHANNEL)])
        ws.write_string(r, 14, "Toàn trình" if i % 3 == 0 else "Một phần")
        ws.write_string(r, 15, "" if i % 5 else "Quá hạn 2.25 ngày")
    ws.write_string(7 + n, 0, f"Tổng cộng: {n} hồ sơ")
    wb.close()


def write_csv(path: Path, n: int) -> None:
    i = pl.int_range(0, n, eager=True)
    base = dt.datetime(2023, 1, 2, 7, 30)
    t0 = pl.lit(base)
    df = pl.DataFrame({"i": i}).with_columns(
        (t0 + pl.duration(minutes=(pl.col("i") * 3) % 500_000)).alias("recv"),
    )
    fmtd = lambda e: e.dt.strftime("%Y%m%d%H%M%S")  # noqa: E731
    out = df.select(
        pl.format("000.20.{}.23.H12-{}", pl.col("i") % 12, pl.col("i")).alias("MaHoSo"),
        pl.format("1.00{}", pl.col("i") % 150).alias("MaTTHC"),
        pl.format("Thủ tục số {}", pl.col("i") % 150).alias("TenTTHC"),
        pl.format("LV{}", pl.col("i") % 17).alias("MaLinhVuc"),
        pl.format("Lĩnh vực {}", pl.col("i") % 17).alias("TenLinhVuc"),
        (pl.col("i") % len(UNITS)).replace_strict(dict(enumerate(UNITS)), return_dtype=pl.String).alias("DonViXuLy"),
        fmtd(pl.col("recv")).alias("NgayNopHoSo"),
        fmtd(pl.col("recv") + pl.duration(minutes=10)).alias("NgayTiepNhan"),
        fmtd(pl.col("recv") + pl.duration(days=5)).alias("NgayHenTra"),
        pl.lit(None, dtype=pl.String).alias("NgayHenTraMoi"),
        fmtd(pl.col("recv") + pl.duration(days=3)).alias("NgayKetThucXuLy"),
        fmtd(pl.col("recv") + pl.duration(days=4)).alias("NgayTra"),
        (pl.col("i") % 10 + 1).alias("TrangThaiHoSo"),
        (pl.col("i") % 3 + 1).alias("KenhThucHien"),
        (pl.col("i") % 2 + 3).alias("MucDo"),
    )
    out.write_csv(path)


def timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--xlsx-rows", type=int, default=200_000)
    p.add_argument("--csv-rows", type=int, default=10_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--dir", default="/tmp/tthc-io-bench")
    p.add_argument("--only", choices=["xlsx", "csv"], default=None)
    a = p.parse_args()
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}", flush=True)
    results = {}
    if a.only in (None, "xlsx"):
        xlsx = d / f"export_{a.xlsx_rows}.xlsx"
        if not xlsx.exists():
            t = timed(lambda: write_xlsx(xlsx, a.xlsx_rows))
            print(f"wrote {xlsx} ({xlsx.stat().st_size / 1e6:.1f} MB) in {t:.0f} s", flush=True)
        ours = tm.read_export(xlsx)
        theirs = pl.read_excel(xlsx, engine="calamine", read_options={"header_row": 6})
        assert ours.num_rows == a.xlsx_rows, ours.num_rows
        assert theirs.height in (a.xlsx_rows, a.xlsx_rows + 1), theirs.height  # polars keeps the footer
        tt, tp = [], []
        for _ in range(a.repeat):
            tt.append(timed(lambda: tm.read_export(xlsx)))
            tp.append(timed(lambda: pl.read_excel(xlsx, engine="calamine", read_options={"header_row": 6})))
        results["xlsx"] = (statistics.median(tt), statistics.median(tp))
        print(f"xlsx {a.xlsx_rows:,} rows: tm.read_export {results['xlsx'][0]:.3f} s, polars.read_excel "
              f"{results['xlsx'][1]:.3f} s, ratio {results['xlsx'][0] / results['xlsx'][1]:.2f} "
              f"(runs tm {[round(x, 3) for x in tt]}, polars {[round(x, 3) for x in tp]})", flush=True)
    if a.only in (None, "csv"):
        csv = d / f"sync_{a.csv_rows}.csv"
        if not csv.exists():
            t = timed(lambda: write_csv(csv, a.csv_rows))
            print(f"wrote {csv} ({csv.stat().st_size / 1e9:.2f} GB) in {t:.0f} s", flush=True)
        limit = 4 * csv.stat().st_size + (1 << 30)
        assert tm.read_export(csv, memory_limit=limit).num_rows == a.csv_rows
        tt, tp, ts = [], [], []
        for _ in range(a.repeat):
            tt.append(timed(lambda: tm.read_export(csv, memory_limit=limit)))
            tp.append(timed(lambda: pl.read_csv(csv)))
            ts.append(timed(lambda: pl.read_csv(csv, infer_schema=False)))
        m = (statistics.median(tt), statistics.median(tp), statistics.median(ts))
        results["csv"] = m
        print(f"csv {a.csv_rows:,} rows: tm.read_export {m[0]:.2f} s, polars.read_csv {m[1]:.2f} s "
              f"(ratio {m[0] / m[1]:.2f}), polars all-text {m[2]:.2f} s (ratio {m[0] / m[2]:.2f}) "
              f"(runs tm {[round(x, 2) for x in tt]}, polars {[round(x, 2) for x in tp]}, "
              f"all-text {[round(x, 2) for x in ts]})", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
