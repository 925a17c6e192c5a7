#!/usr/bin/env python3
"""Peer of benches/benches/calendar.rs: numpy busday_offset on the same 1 million (date, n) pairs.

The pairs are the Rust bench's: SplitMix64 with seed 2023, pair i from
z = splitmix64(seed + (i + 1) * 0x9E3779B97F4A7C15), date = 2023-01-01 + z % 1461 days,
n = (z >> 40) % 31. Holidays are Vietnam's weekday days off 2023-2028 from the PyPI `holidays`
package (equal to the Rust calendar's for these years). numpy cannot make a Saturday a working
day, so its answer equals the Rust calendar with SaturdaySwapPolicy::Rest: both print checksum
20110306923.

Usage (throwaway venv): python3 -m venv /tmp/hv && /tmp/hv/bin/pip install numpy holidays
                        /tmp/hv/bin/python benches/peers/calendar_numpy.py
"""

import statistics
import time

import holidays
import numpy as np

PAIRS = 1_000_000
SEED = np.uint64(2023)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
EXPECTED_CHECKSUM = 20110306923  # the Rust bench's "as rest days" checksum


def pairs():
    with np.errstate(over="ignore"):
        z = SEED + np.arange(1, PAIRS + 1, dtype=np.uint64) * GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    first = np.datetime64("2023-01-01", "D")
    dates = first + (z % np.uint64(1461)).astype(np.int64)
    n = ((z >> np.uint64(40)) % np.uint64(31)).astype(np.int64)
    return dates, n


def weekday_days_off(years=range(2023, 2029)):
    """Vietnam's official weekday days off (swapped Mondays/Fridays included, the make-up Saturdays
    cannot be expressed), sorted; shared with run.py's numpy and polars peers."""
    return sorted(d for d in holidays.Vietnam(years=years) if d.weekday() < 5)


def busdaycalendar():
    off = weekday_days_off()
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(off, dtype="datetime64[D]"))


def main():
    dates, n = pairs()
    cal = busdaycalendar()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        out = np.busday_offset(dates, n, roll="forward", busdaycal=cal)
        times.append(time.perf_counter() - t0)
    checksum = int(out.astype(np.int64).sum())
    print(f"numpy {np.__version__} busday_offset, 1M pairs: median {statistics.median(times) * 1e3:.1f} ms "
          f"(min {min(times) * 1e3:.1f} ms); checksum {checksum}")
    assert checksum == EXPECTED_CHECKSUM, f"checksum {checksum} != {EXPECTED_CHECKSUM}"


if __name__ == "__main__":
    main()
