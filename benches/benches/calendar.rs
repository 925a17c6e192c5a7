//! Working-day arithmetic on the Vietnamese calendar: 1 million `add_working_days` calls on
//! seeded random (date, n) pairs, dates over 2023–2026, n in 0..=30.
//!
//! The pairs come from `SplitMix64` (seed 2023): pair `i` uses `z = splitmix64(seed + (i + 1) *
//! 0x9E3779B97F4A7C15)`, date = 2023-01-01 + `z % 1461` days, n = `(z >> 40) % 31`. The numpy
//! peer (`benches/peers/calendar_numpy.py`) draws the same pairs; with make-up Saturdays treated
//! as rest days (all numpy can express) both print the same checksum.
//!
//! Each bench asserts its result first: the table lookups equal a day-by-day walk over the
//! calendar's own holiday listing, and known due dates hold.

use std::hint::black_box;

use chrono::{Datelike, NaiveDate, Weekday};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tthc_metrics::{
    date_of_day, day_number, Calendar, CalendarBuilder, SaturdaySwapPolicy, TimeLimit,
};

const PAIRS: usize = 1_000_000;
const SEED: u64 = 2023;
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn splitmix64(state: u64) -> u64 {
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The benchmark's (day number, n) pairs.
fn pairs() -> (Vec<i32>, Vec<u32>) {
    let first = day_number(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
    (1..=PAIRS as u64)
        .map(|i| {
            let z = splitmix64(SEED.wrapping_add(i.wrapping_mul(GOLDEN)));
            (first + (z % 1461) as i32, ((z >> 40) % 31) as u32)
        })
        .unzip()
}

/// A day-by-day reference from the calendar's display listing (not its working-day table).
fn reference(cal: &Calendar, days: &[i32], ns: &[u32]) -> Vec<i32> {
    let first = day_number(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap());
    let span = 365 * 6;
    let mut working = vec![false; span];
    for (i, w) in working.iter_mut().enumerate() {
        let d = date_of_day(first + i as i32).unwrap();
        *w = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    }
    for year in 2023..2029 {
        for off in cal.days_off(year).unwrap() {
            if let Some(w) = working.get_mut((day_number(off.date) - first) as usize) {
                *w = false;
            }
        }
        if cal.saturday_swaps() == SaturdaySwapPolicy::Working {
            for m in cal.make_up_days(year).unwrap() {
                working[(day_number(m.date) - first) as usize] = true;
            }
        }
    }
    let is_working = |d: i32| working[(d - first) as usize];
    days.iter()
        .zip(ns)
        .map(|(&d, &n)| {
            let mut d = d;
            while !is_working(d) {
                d += 1;
            }
            for _ in 0..n {
                d += 1;
                while !is_working(d) {
                    d += 1;
                }
            }
            d
        })
        .collect()
}

fn checksum(days: &[i32]) -> i64 {
    days.iter().map(|&d| i64::from(d)).sum()
}

fn bench_add_working_days(c: &mut Criterion) {
    let cal = Calendar::vietnam();
    let (days, ns) = pairs();
    let dates: Vec<NaiveDate> = days.iter().map(|&d| date_of_day(d).unwrap()).collect();

    // --- assert the results before timing them
    let out = cal.add_working_days_batch(&days, &ns).unwrap();
    assert_eq!(out, reference(&cal, &days, &ns), "table vs day-by-day walk");
    let scalar: Vec<i32> = dates
        .iter()
        .zip(&ns)
        .map(|(&d, &n)| day_number(cal.add_working_days(d, n).unwrap()))
        .collect();
    assert_eq!(scalar, out);
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(
        cal.add_working_days(d(2024, 2, 7), 1).unwrap(),
        d(2024, 2, 15)
    );
    assert_eq!(
        cal.add_working_days(d(2025, 4, 25), 1).unwrap(),
        d(2025, 4, 26)
    );
    let rest = CalendarBuilder::vietnam()
        .saturday_swaps(SaturdaySwapPolicy::Rest)
        .build()
        .unwrap();
    let out_rest = rest.add_working_days_batch(&days, &ns).unwrap();
    assert_eq!(out_rest, reference(&rest, &days, &ns));
    let changed = out.iter().zip(&out_rest).filter(|(a, b)| a != b).count();
    eprintln!(
        "calendar: checksum {} (make-up Saturdays working), {} (as rest days, = numpy); \
         {changed} of {PAIRS} due dates differ",
        checksum(&out),
        checksum(&out_rest)
    );

    let mut group = c.benchmark_group("calendar/add_working_days");
    group.throughput(Throughput::Elements(PAIRS as u64));
    group.sample_size(30);
    group.bench_function("batch_day_numbers/1M", |b| {
        b.iter(|| {
            let r = cal
                .add_working_days_batch(black_box(&days), black_box(&ns))
                .unwrap();
            black_box(r)
        });
    });
    group.bench_function("scalar_naive_date/1M", |b| {
        b.iter(|| {
            let mut sum = 0i64;
            for (&d, &n) in black_box(&dates).iter().zip(black_box(&ns)) {
                sum += i64::from(cal.add_working_days(d, n).unwrap().num_days_from_ce());
            }
            black_box(sum)
        });
    });
    group.finish();

    let received: Vec<_> = dates
        .iter()
        .zip(&ns)
        .map(|(d, &n)| d.and_hms_opt(7 + n % 12, (n * 7) % 60, 0).unwrap())
        .collect();
    let due_day = cal
        .due_at(received[0], TimeLimit::WorkingDays(ns[0]))
        .unwrap();
    assert_eq!(due_day.time().to_string(), "17:00:00");
    let mut group = c.benchmark_group("calendar/due_at");
    group.throughput(Throughput::Elements(PAIRS as u64));
    group.sample_size(20);
    group.bench_function("working_hours/1M", |b| {
        b.iter(|| {
            let mut last = received[0];
            for (&t, &n) in black_box(&received).iter().zip(black_box(&ns)) {
                last = last.max(cal.due_at(t, TimeLimit::WorkingHours(n * 4)).unwrap());
            }
            black_box(last)
        });
    });
    group.finish();
}

criterion_group!(benches, bench_add_working_days);
criterion_main!(benches);
