//! Fuzz target: working-day calendar arithmetic at the edges of its range (1960-01-01 to
//! 2100-12-31) and far outside it, lunar dates, custom calendars (any weekend, days off, swaps,
//! office hours). Every input gets a result or a typed error; no panic, no hang; results obey
//! the calendar's laws.
//!
//! `PROPTEST_CASES=20000 cargo test --release -p tthc-metrics-tests --test fuzz_calendar`
//! runs it deep (`make fuzz`).

mod common;

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use proptest::prelude::*;
use tthc_metrics::{
    date_of_day, day_number, Calendar, CalendarBuilder, LunarDate, OfficeHours, SaturdaySwapPolicy,
    TimeLimit,
};

use common::{config, guard};

const CODES: [&str; 3] = ["out_of_range", "invalid_argument", "unknown_name"];

fn typed<T>(r: Result<T, tthc_metrics::Error>) -> Result<Option<T>, String> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if CODES.contains(&e.code()) => Ok(None),
        Err(e) => Err(format!("unexpected error {}: {e}", e.code())),
    }
}

/// Day numbers across chrono's range, biased to the calendar's two ends.
fn day() -> impl Strategy<Value = i32> {
    let first = day_number(NaiveDate::from_ymd_opt(1960, 1, 1).unwrap());
    let last = day_number(NaiveDate::from_ymd_opt(2100, 12, 31).unwrap());
    let min = day_number(NaiveDate::MIN);
    let max = day_number(NaiveDate::MAX);
    prop_oneof![
        first - 20..first + 20,
        last - 40..last + 20,
        first..=last,
        min..=max,
    ]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    day().prop_map(|d| date_of_day(d).unwrap())
}

fn time() -> impl Strategy<Value = NaiveTime> {
    prop_oneof![
        (0u32..86_400).prop_map(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0).unwrap()),
        prop::sample::select(vec![
            (7, 0),
            (11, 30),
            (13, 30),
            (16, 59),
            (17, 0),
            (23, 59)
        ])
        .prop_map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).unwrap()),
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..30, 0u32..60_000, Just(u32::MAX), Just(u32::MAX / 8)]
}

fn limit() -> impl Strategy<Value = TimeLimit> {
    prop_oneof![
        count().prop_map(TimeLimit::WorkingDays),
        count().prop_map(TimeLimit::WorkingHours)
    ]
}

fn vietnam() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

/// The laws of one calendar on one input.
fn laws(
    cal: &Calendar,
    a: NaiveDate,
    b: NaiveDate,
    n: u32,
    t: NaiveTime,
    lim: TimeLimit,
) -> Result<(), String> {
    let working = typed(cal.is_working_day(a))?;
    if let Some(added) = typed(cal.add_working_days(a, n))? {
        if added < a || !cal.is_working_day(added).unwrap_or(false) {
            return Err(format!("add_working_days({a}, {n}) = {added}"));
        }
        // n working days lie in [roll(a), added)
        let rolled = cal.add_working_days(a, 0).map_err(|e| e.to_string())?;
        let between = cal
            .working_days_between(rolled, added)
            .map_err(|e| e.to_string())?;
        if i64::from(between) != i64::from(n) {
            return Err(format!("between({rolled}, {added}) = {between}, not {n}"));
        }
        if working == Some(true) && n == 0 && added != a {
            return Err(format!(
                "add_working_days({a}, 0) moved a working day to {added}"
            ));
        }
    }
    if let (Some(x), Some(y)) = (
        typed(cal.working_days_between(a, b))?,
        typed(cal.working_days_between(b, a))?,
    ) {
        if x != -y {
            return Err(format!(
                "between({a}, {b}) = {x} but between({b}, {a}) = {y}"
            ));
        }
    }
    let received = NaiveDateTime::new(a, t);
    if let Some(due) = typed(cal.due_at(received, lim))? {
        if due < received && !matches!(lim, TimeLimit::WorkingHours(0)) {
            return Err(format!(
                "due_at({received}, {lim:?}) = {due} is before the reception"
            ));
        }
    }
    let _ = typed(cal.days_off(a.year()))?;
    let _ = typed(cal.make_up_days(b.year()))?;
    let _ = (
        cal.is_official(a.year()),
        cal.official_source(a.year()),
        format!("{cal:?}"),
    );
    Ok(())
}

#[derive(Debug, Clone)]
struct Custom {
    vietnam: bool,
    off: Vec<NaiveDate>,
    worked: Vec<NaiveDate>,
    swaps: Vec<(NaiveDate, NaiveDate)>,
    weekend: Option<Vec<Weekday>>,
    rest_swaps: bool,
    hours: Option<[NaiveTime; 4]>,
}

/// Dates for a custom calendar: almost always within its range, now and then outside.
fn custom_date() -> impl Strategy<Value = NaiveDate> {
    let first = day_number(NaiveDate::from_ymd_opt(1960, 1, 1).unwrap());
    let last = day_number(NaiveDate::from_ymd_opt(2100, 12, 31).unwrap());
    prop_oneof![
        12 => (first..=last).prop_map(|d| date_of_day(d).unwrap()),
        1 => date(),
    ]
}

fn custom() -> impl Strategy<Value = Custom> {
    let weekday = prop::sample::select(vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]);
    (
        any::<bool>(),
        prop::collection::vec(custom_date(), 0..4),
        prop::collection::vec(custom_date(), 0..3),
        prop::collection::vec((custom_date(), custom_date()), 0..2),
        prop::option::of(prop::collection::vec(weekday, 0..8)),
        any::<bool>(),
        prop::option::of([time(), time(), time(), time()]),
    )
        .prop_map(
            |(vietnam, off, worked, swaps, weekend, rest_swaps, hours)| Custom {
                vietnam,
                off,
                worked,
                swaps,
                weekend,
                rest_swaps,
                hours,
            },
        )
}

fn build(c: &Custom) -> Result<Option<Calendar>, String> {
    let mut b = if c.vietnam {
        CalendarBuilder::vietnam()
    } else {
        CalendarBuilder::weekdays()
    };
    for d in &c.off {
        b = b.day_off(*d, "off");
    }
    for d in &c.worked {
        b = b.working_day(*d, "worked");
    }
    for (off, worked) in &c.swaps {
        b = b.swap(*off, *worked);
    }
    if let Some(w) = &c.weekend {
        b = b.weekend(w);
    }
    if c.rest_swaps {
        b = b.saturday_swaps(SaturdaySwapPolicy::Rest);
    }
    if let Some([a, b2, c2, d]) = c.hours {
        if let Some(h) = typed(OfficeHours::new(a, b2, c2, d))? {
            b = b.office_hours(h);
        }
    }
    typed(b.build())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn vietnam_calendar_laws(a in date(), b in date(), n in count(), t in time(), lim in limit()) {
        let r = guard("calendar", (a, b, n, t, lim), |(a, b, n, t, lim)| laws(vietnam(), a, b, n, t, lim));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn batch_paths_agree_with_single_ones(days in prop::collection::vec(day(), 0..6), ns in prop::collection::vec(count(), 0..6), ends in prop::collection::vec(day(), 0..6)) {
        let r = guard("calendar batch", (days, ns, ends), |(days, ns, ends)| {
            let cal = vietnam();
            let date = |d: i32| date_of_day(d).unwrap();
            let batch = cal.is_working_day_batch(&days);
            let single: Result<Vec<bool>, _> = days.iter().map(|&d| cal.is_working_day(date(d))).collect();
            if batch.is_ok() != single.is_ok() || batch.as_ref().ok() != single.as_ref().ok() {
                return Err(format!("is_working_day batch {batch:?} vs {single:?}"));
            }
            let added = cal.add_working_days_batch(&days, &ns);
            if days.len() == ns.len() {
                let single: Result<Vec<i32>, _> = days.iter().zip(&ns).map(|(&d, &n)| cal.add_working_days(date(d), n).map(day_number)).collect();
                if added.as_ref().ok() != single.as_ref().ok() {
                    return Err(format!("add batch {added:?} vs {single:?}"));
                }
            } else if added.is_ok() {
                return Err("slices of different lengths were accepted".into());
            }
            let _ = typed(cal.working_days_between_batch(&days, &ends))?;
            Ok(())
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// Lunar conversions round-trip wherever they are defined, and fail typed elsewhere.
    #[test]
    fn lunar_dates(d in date(), y in prop_oneof![1890i32..2210, any::<i32>()], m in any::<u8>(), leap in any::<bool>(), day in any::<u8>()) {
        let r = guard("lunar", (d, y, m, leap, day), |(d, y, m, leap, day)| {
            if let Some(l) = typed(LunarDate::from_date(d))? {
                if l.to_date() != d {
                    return Err(format!("{d} -> {l:?} -> {}", l.to_date()));
                }
                let back = LunarDate::new(l.year(), l.month(), l.is_leap_month(), l.day()).map_err(|e| e.to_string())?;
                if back != l {
                    return Err(format!("{l:?} rebuilt as {back:?}"));
                }
            }
            if let Some(l) = typed(LunarDate::new(y, m, leap, day))? {
                if LunarDate::from_date(l.to_date()).ok() != Some(l) {
                    return Err(format!("{l:?} does not round-trip"));
                }
            }
            let _ = (typed(LunarDate::tet(y))?, typed(LunarDate::hung_kings(y))?);
            Ok(())
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

proptest! {
    // building a calendar tabulates 141 years: fewer cases
    #![proptest_config(config(32))]

    /// Custom calendars: any weekend (none, all seven), days off and working days anywhere,
    /// swaps, office hours; the same laws hold or the builder refuses with a typed error.
    #[test]
    fn custom_calendar_laws(c in custom(), a in date(), b in date(), n in count(), t in time(), lim in limit()) {
        let r = guard("custom calendar", (c, a, b, n, t, lim), |(c, a, b, n, t, lim)| match build(&c)? {
            Some(cal) => laws(&cal, a, b, n, t, lim),
            None => Ok(()),
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

/// The generator builds calendars: most custom calendars pass the builder (so the laws are
/// checked on them), some are refused with a typed error.
#[test]
fn custom_generator_builds_calendars() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]),
    );
    let (mut built, mut refused) = (0, 0);
    for _ in 0..20 {
        let c = custom().new_tree(&mut runner).unwrap().current();
        match build(&c).unwrap() {
            Some(_) => built += 1,
            None => refused += 1,
        }
    }
    assert!(
        built >= 8 && refused >= 1,
        "{built} built, {refused} refused"
    );
}
