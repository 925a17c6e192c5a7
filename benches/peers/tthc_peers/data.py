"""The benchmark's dossiers: one seeded dataset, from which every input shape is derived
(shapes.py). It has no `dossier_id` column on purpose: tm.report de-duplicates a repeated
`dossier_id` by default, and the peers do not, so the benchmark leaves that work out of both."""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa

from .common import SEED

# 40 communes (UBND xã / thị trấn) with Vietnamese names, NFC
UNITS = [
    unicodedata.normalize("NFC", "UBND " + name)
    for name in (
        "xã Đắk Sôr", "xã Nam Đà", "xã Đức Xuyên", "xã Buôn Choáh", "xã Nâm Nung", "xã Quảng Phú",
        "thị trấn Đắk Mâm", "xã Đắk Drô", "xã Nam Xuân", "xã Tân Thành", "xã Nâm N'Đir",
        "xã Đắk Nang", "xã Ea Tling", "xã Trúc Sơn", "xã Tâm Thắng", "xã Nam Dong", "xã Đắk Wil",
        "xã Cư Knia", "xã Ea Pô", "xã Đắk D'rông", "xã Nam Bình", "xã Thuận An", "xã Đức Minh",
        "xã Đắk Sắk", "xã Long Sơn", "xã Đắk Gằn", "xã Đắk R'la", "xã Thuận Hạnh", "xã Đắk Lao",
        "xã Quảng Khê", "xã Đắk Som", "xã Đắk Plao", "xã Đắk R'Măng", "xã Quảng Sơn",
        "xã Quảng Hòa", "xã Đắk Ha", "xã Quảng Tín", "xã Đắk Ru", "xã Hưng Bình", "xã Đạo Nghĩa",
    )
]

# national status codes and their share: 2 received, 3 never received, 4 processing,
# 5 supplement requested, 6 financial obligation pending, 7 withdrawn, 8 stopped, 9 processed,
# 10 result returned
STATUS_MIX = {2: 0.010, 3: 0.030, 4: 0.070, 5: 0.030, 6: 0.005, 7: 0.020, 8: 0.010, 9: 0.330, 10: 0.495}

# the procedure's online level as the old level codes tm reads from integers (Mức độ): 2 no online
# service (levels 0-2 are informational), 3 partial (một phần), 4 full (toàn trình)
ONLINE_LEVELS = (2, 3, 4)


def make_dataset(rows: int, seed: int = SEED) -> pa.Table:
    """`rows` dossiers received uniformly over 2023 (civil time, sorted by reception as portals
    export them), 40 communes of unequal size, a realistic status, channel and online-level mix.
    Integer codes for status, channel and online level, a dictionary unit, `timestamp[us]` times
    holding whole seconds, one chunk: the baseline shape."""
    rng = np.random.default_rng(seed)
    # whole seconds, as portals export them, held as timestamp[us]
    t0 = np.datetime64("2023-01-01T00:00:00", "us")
    received = t0 + np.sort(rng.integers(0, 365 * 86_400, rows)).astype("timedelta64[s]")
    received_day = received.astype("datetime64[D]")

    weights = 1.0 / np.sqrt(np.arange(1, len(UNITS) + 1))
    unit_codes = rng.choice(len(UNITS), rows, p=weights / weights.sum()).astype(np.int8)
    unit = pa.DictionaryArray.from_arrays(pa.array(unit_codes, pa.int8()), pa.array(UNITS, pa.string()))

    # due: reception date + n working days (Mon-Fri) at 17:00; 1% without a due date
    n_days = rng.choice(np.array([1, 2, 3, 5, 7, 10, 12, 15, 20, 30]), rows,
                        p=[0.05, 0.10, 0.20, 0.15, 0.10, 0.15, 0.05, 0.10, 0.05, 0.05])
    due_day = np.busday_offset(received_day, n_days, roll="forward")
    due = due_day.astype("datetime64[us]") + np.timedelta64(17, "h")
    due_null = rng.random(rows) < 0.01

    codes = np.array(list(STATUS_MIX), dtype=np.int8)
    status = rng.choice(codes, rows, p=np.array(list(STATUS_MIX.values())))

    # finished_at: reception + 0-45 days for 6-10 (a status-6 dossier's finished_at does not end it);
    # none for 2-5; 30% of 6-8 without one
    finished = received + rng.integers(0, 45 * 86_400, rows).astype("timedelta64[s]")
    finished_null = (status <= 5) | ((status >= 6) & (status <= 8) & (rng.random(rows) < 0.3))

    # online level of the procedure; online submission only where offered
    level = rng.choice(np.array([0, 1, 2], dtype=np.int8), rows, p=[0.25, 0.40, 0.35])
    u = rng.random(rows)
    channel = np.where(u < 0.02, 3, np.where((level > 0) & (u < 0.02 + 0.33 / 0.75), 2, 1)).astype(np.int8)

    ts = pa.timestamp("us")
    return pa.table({
        "unit": unit,
        "received_at": pa.array(received, ts),
        "due_at": pa.array(due, ts, mask=due_null),
        "finished_at": pa.array(finished, ts, mask=finished_null),
        "status": pa.array(status, pa.int8()),
        "channel": pa.array(channel, pa.int8()),
        "online_service": pa.array(np.array(ONLINE_LEVELS, dtype=np.int8)[level], pa.int8()),
    })
