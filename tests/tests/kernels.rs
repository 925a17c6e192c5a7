//! Two implementations agreeing (issue 11):
//! * **kernel vs kernel**: on arbitrary raw columns, the day kernel (day numbers, `kernel::kind`)
//!   and the general kernel (seconds, `classify_facts`), forced on the same prepared table, give
//!   identical rows, exclusions and rejections;
//! * **fused vs two passes**: the same raw columns through `report_chunks` (the fused pass, which
//!   screens and counts in one read and defers the blocks that need the rule) and through
//!   `prepare` then the day kernel, on tables of a few rows and on tables of several blocks
//!   where a few bad rows make some blocks deferred;
//! * **records vs Arrow**: arbitrary dossiers (rescheduled dates, dates near and outside the
//!   supported range, repeated ids, every status) reported through `report(&[Dossier])` and
//!   through their Arrow batch give the same report.
//!
//! `PROPTEST_CASES=20000 cargo test --profile fuzz -p tthc-metrics-tests --test kernels` runs
//! them deep (`make fuzz`).

#![allow(clippy::needless_pass_by_value)] // test harness code

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use tthc_arrow::{dossiers_to_batch, report_batches, ColumnMap};
use tthc_metrics::columnar::{
    prepare, report_chunks, report_on_path, Columns, KernelPath, Names, PrepareOptions, TimeColumn,
    TimeEncoding, TimeValues, Validity,
};
use tthc_metrics::{
    report, ClassifyOptions, Comparison, Dossier, DueDateChoice, DuplicatePolicy, Granularity,
    GroupBy, MemoryBudget, NameTable, OnError, Report, ReportOptions, Status, SupplementRule, View,
};

use common::{config, guard};

const DAY: i64 = 86_400;
/// 2023-01-01 as local seconds.
const BASE: i64 = 19_358 * DAY;

/// One raw row: seconds from `BASE` (or far away), codes as a front end hands them.
#[derive(Debug, Clone)]
struct RawRow {
    received: Option<i64>,
    due: Option<i64>,
    finished: Option<i64>,
    status: u8,
    channel: u8,
    level: u8,
    supplements: u32,
    unit: u32,
    /// A dossier id from a small pool (repeats), or `None`: the row's own.
    id: Option<u16>,
}

fn seconds() -> impl Strategy<Value = i64> {
    prop_oneof![
        // within a year, on the second: same-day finishes, midnights, the last second of a day
        8 => 0i64..400 * DAY,
        2 => (0i64..400).prop_map(|d| d * DAY),
        2 => (0i64..400).prop_map(|d| d * DAY + DAY - 1),
        // outside the supported range (1900-2199) and at its edges
        1 => prop_oneof![
            Just(-BASE - 25_567 * DAY - 1),
            Just(-BASE - 25_567 * DAY),
            Just(84_005 * DAY + DAY - 1 - BASE),
            Just(84_006 * DAY - BASE),
            (-(1i64 << 40))..(1i64 << 40),
        ],
    ]
}

fn raw_row() -> impl Strategy<Value = RawRow> {
    (
        prop::option::weighted(0.95, seconds()),
        prop::option::weighted(0.8, seconds()),
        prop::option::weighted(0.6, seconds()),
        prop_oneof![8 => 1u8..=11, 1 => Just(0u8), 1 => Just(200u8)],
        0u8..4,
        0u8..3,
        0u32..4,
        0u32..5,
        prop::option::weighted(0.3, 0u16..6),
    )
        .prop_map(|(r, d, f, status, channel, level, supplements, unit, id)| {
            // mostly plausible: due and finish after reception
            let near = |t: Option<i64>| {
                t.map(|t| {
                    r.map_or(t, |r| {
                        if t.abs() < 400 * DAY {
                            r + t % (40 * DAY)
                        } else {
                            t
                        }
                    })
                })
            };
            RawRow {
                received: r,
                due: near(d),
                finished: near(f),
                status,
                channel,
                level,
                supplements,
                unit,
                id,
            }
        })
}

/// A row most exports hold: received within the year, due and finished after it, a known status.
fn plausible_row() -> impl Strategy<Value = RawRow> {
    (
        0i64..400 * DAY,
        prop::option::weighted(0.9, 0i64..40 * DAY),
        prop::option::weighted(0.7, 0i64..40 * DAY),
        prop::sample::select(vec![2u8, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        1u8..4,
        0u8..3,
        0u32..3,
        1u32..5,
    )
        .prop_map(
            |(r, d, f, status, channel, level, supplements, unit)| RawRow {
                received: Some(r),
                due: d.map(|d| r + d),
                finished: f.map(|f| r + f),
                status,
                channel,
                level,
                supplements,
                unit,
                id: None,
            },
        )
}

fn options() -> impl Strategy<Value = ReportOptions> {
    (
        any::<bool>(),
        prop::sample::select(vec![
            None,
            Some(Granularity::Day),
            Some(Granularity::Week),
            Some(Granularity::FridayWeek),
            Some(Granularity::Month),
        ]),
        0i64..420,
        prop::option::of(0i64..400),
        prop::option::of(0i64..30),
        any::<bool>(),
        prop::sample::select(vec![GroupBy::Unit, GroupBy::Channel, GroupBy::Total]),
    )
        .prop_map(|(activity, g, as_of, start, end_back, repeated, by)| {
            let day = |d: i64| NaiveDate::from_num_days_from_ce_opt((d + 719_163) as i32).unwrap();
            let as_of_day = day(BASE / DAY + as_of);
            let mut o = ReportOptions::end_of_day(as_of_day)
                .view(if activity {
                    View::Activity
                } else {
                    View::Cohort
                })
                .granularity(g)
                .group_by(by)
                .on_error(OnError::Skip)
                .classify(ClassifyOptions::default().supplement_rule(if repeated {
                    SupplementRule::RepeatedIsOverdue
                } else {
                    SupplementRule::Pause
                }));
            o.start = start
                .map(|s| day(BASE / DAY + s))
                .filter(|s| *s <= as_of_day);
            if activity {
                o.end = end_back.map(|b| day(BASE / DAY + as_of - b));
                if let (Some(s), Some(e)) = (o.start, o.end) {
                    if s > e {
                        o.start = None;
                    }
                }
            }
            o
        })
}

/// The comparable parts of a report.
fn parts(r: &Report) -> String {
    format!(
        "rows {:?}\nexcluded {:?}\nrejected {:?}\nduplicates {:?}\nwindow {:?}",
        r.rows, r.excluded, r.rejected, r.duplicates, r.window
    )
}

/// How the test hands the three times over: local seconds; reception in seconds with due dates
/// and ends as `date32`; reception in milliseconds, due in seconds, end in microseconds; all
/// zoned microseconds (UTC instants).
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Seconds,
    DueAndEndAsDates,
    MixedUnits,
    /// Milliseconds and microseconds, no due date column at all.
    MixedUnitsNoDue,
    ZonedMicros,
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop::sample::select(vec![
        Encoding::Seconds,
        Encoding::DueAndEndAsDates,
        Encoding::MixedUnits,
        Encoding::MixedUnitsNoDue,
        Encoding::ZonedMicros,
    ])
}

fn kernels_agree_in(rows: Vec<RawRow>, o: ReportOptions, enc: Encoding) -> Result<(), String> {
    let n = rows.len();
    let secs = |f: fn(&RawRow) -> Option<i64>| -> (Vec<i64>, Vec<u8>) {
        let mut v = vec![0i64; n];
        let mut bits = vec![0u8; n.div_ceil(8)];
        for (i, r) in rows.iter().enumerate() {
            if let Some(t) = f(r) {
                v[i] = BASE + t;
                bits[i / 8] |= 1 << (i % 8);
            }
        }
        (v, bits)
    };
    let (received, rv) = secs(|r| r.received);
    let (due, dv) = secs(|r| r.due);
    let (finished, fv) = secs(|r| r.finished);
    let status: Vec<u8> = rows.iter().map(|r| r.status).collect();
    let channel: Vec<u8> = rows.iter().map(|r| r.channel).collect();
    let level: Vec<u8> = rows.iter().map(|r| r.level).collect();
    let supplements: Vec<u32> = rows.iter().map(|r| r.supplements).collect();
    let units = NameTable::from_labels([
        "UBND xã Nam Đà",
        "Phòng Tư pháp",
        "UBND xã Đắk Sôr",
        "Phòng Y tế",
    ]);
    let unit: Vec<u32> = rows.iter().map(|r| r.unit).collect();
    let ids: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| r.id.map_or_else(|| format!("U{i}"), |k| format!("R{k}")))
        .collect();
    // the times in the encoding under test (local seconds as generated)
    let ticks = |v: &[i64], per_second: i64, shift: i64| -> Vec<i64> {
        v.iter().map(|&t| (t - shift) * per_second).collect()
    };
    let dates = |v: &[i64]| -> Vec<i32> {
        v.iter()
            .map(|&t| t.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32)
            .collect()
    };
    let zone = 7 * 3_600;
    let (r_t, d_t, f_t) = match enc {
        Encoding::Seconds | Encoding::DueAndEndAsDates => {
            (received.clone(), due.clone(), finished.clone())
        }
        Encoding::MixedUnits | Encoding::MixedUnitsNoDue => (
            ticks(&received, 1_000, 0),
            due.clone(),
            ticks(&finished, 1_000_000, 0),
        ),
        Encoding::ZonedMicros => (
            ticks(&received, 1_000_000, zone),
            ticks(&due, 1_000_000, zone),
            ticks(&finished, 1_000_000, zone),
        ),
    };
    let (d_days, f_days) = (dates(&due), dates(&finished));
    fn col<'a>(v: &'a [i64], per_second: i64, utc: bool, bits: &'a [u8]) -> TimeColumn<'a> {
        TimeColumn::new(
            TimeValues::Ticks(v),
            TimeEncoding::Timestamp { per_second, utc },
            Some(Validity::new(bits, 0)),
        )
    }
    fn day_col<'a>(v: &'a [i32], bits: &'a [u8]) -> TimeColumn<'a> {
        TimeColumn::new(
            TimeValues::Days(v),
            TimeEncoding::Days,
            Some(Validity::new(bits, 0)),
        )
    }
    let (r_col, d_col, f_col) = match enc {
        Encoding::Seconds => (
            col(&r_t, 1, false, &rv),
            col(&d_t, 1, false, &dv),
            col(&f_t, 1, false, &fv),
        ),
        Encoding::DueAndEndAsDates => (
            col(&r_t, 1, false, &rv),
            day_col(&d_days, &dv),
            day_col(&f_days, &fv),
        ),
        Encoding::MixedUnits => (
            col(&r_t, 1_000, false, &rv),
            col(&d_t, 1, false, &dv),
            col(&f_t, 1_000_000, false, &fv),
        ),
        Encoding::MixedUnitsNoDue => (
            col(&r_t, 1_000, false, &rv),
            TimeColumn::absent(),
            col(&f_t, 1_000_000, false, &fv),
        ),
        Encoding::ZonedMicros => (
            col(&r_t, 1_000_000, true, &rv),
            col(&d_t, 1_000_000, true, &dv),
            col(&f_t, 1_000_000, true, &fv),
        ),
    };
    let cols = Columns::builder(r_col, (&status).into())
        .due(d_col)
        .finished(f_col)
        .channel((&channel).into())
        .online_service((&level).into())
        .supplement_requests(&supplements)
        .unit(Names::new((&unit).into(), &units))
        .dossier_id(&ids)
        .build()
        .map_err(|e| e.to_string())?;
    let mut budget = MemoryBudget::new(1 << 30);
    let prepared = match prepare(
        &[cols],
        Vec::new(),
        &PrepareOptions::from(&o),
        None,
        &mut budget,
    ) {
        Ok(p) => p,
        Err(e) => return Err(format!("prepare failed: {e}")),
    };
    let auto = report_on_path(&prepared, &o, &mut budget, KernelPath::Auto);
    let general = report_on_path(&prepared, &o, &mut budget, KernelPath::General);
    // the fused pass (where it applies: day comparison, ends of days, a dense table) against
    // the two passes, the budget's reservations all returned
    // (what each leaves reserved, from a fresh budget: the rejections and the rows it returns)
    let mut two_pass_budget = MemoryBudget::new(1 << 30);
    let two_pass = prepare(
        &[cols],
        Vec::new(),
        &PrepareOptions::from(&o),
        None,
        &mut two_pass_budget,
    )
    .and_then(|p| report_on_path(&p, &o, &mut two_pass_budget, KernelPath::Auto));
    let mut fused_budget = MemoryBudget::new(1 << 30);
    let fused = report_chunks(&[cols], Vec::new(), &o, None, &mut fused_budget);
    if two_pass.is_ok() && fused_budget.remaining() != two_pass_budget.remaining() {
        return Err(format!(
            "the fused report holds {} bytes, the two passes {}",
            fused_budget.limit() - fused_budget.remaining(),
            two_pass_budget.limit() - two_pass_budget.remaining()
        ));
    }
    match (&fused, &auto) {
        (Ok(f), Ok(a)) if parts(f) != parts(a) => {
            return Err(format!(
                "fused and two-pass differ:\nfused:    {}\ntwo-pass: {}",
                parts(f),
                parts(a)
            ))
        }
        (Ok(_), Ok(_)) => {}
        (Err(f), Err(a)) if f.code() == a.code() => {}
        (f, a) => {
            return Err(format!(
                "fused {:?} vs two-pass {:?}",
                f.as_ref().map(parts),
                a.as_ref().map(parts)
            ))
        }
    }
    match (auto, general) {
        (Ok(a), Ok(g)) => {
            let (a, g) = (parts(&a), parts(&g));
            if a != g {
                return Err(format!("the kernels differ:\nday:     {a}\ngeneral: {g}"));
            }
            Ok(())
        }
        (Err(a), Err(g)) if a.code() == g.code() => Ok(()),
        (a, g) => Err(format!(
            "day {:?} vs general {:?}",
            a.map(|r| parts(&r)),
            g.map(|r| parts(&r))
        )),
    }
}

fn at(day: i64, second: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp(BASE + day * DAY + second, 0)
        .unwrap()
        .naive_utc()
}

fn dossier() -> impl Strategy<Value = Dossier> {
    (
        (0i64..200, 0i64..DAY, 0usize..6),
        prop::option::of((-3i64..40, 0i64..DAY)),
        prop::option::of((-2i64..60, 0i64..DAY)),
        prop::option::of(prop_oneof![
            (-3i64..50).prop_map(Some),
            Just(None), // far outside the supported range
        ]),
        prop::sample::select(Status::ALL.to_vec()),
        0u32..4,
        0u32..3,
        any::<bool>(),
    )
        .prop_map(|((r, rs, id), due, fin, resched, status, unit, sup, far)| {
            let received = if far && id == 0 {
                // a reception outside the supported range
                at(-60_000, rs)
            } else {
                at(r, rs)
            };
            let mut d = Dossier::new(
                format!("H{id}"),
                [
                    "Phòng Tư pháp",
                    "UBND xa\u{303} Nam Đà",
                    "UBND xã Nam Đà",
                    " ",
                ][unit as usize],
                received,
                status,
            )
            .with_supplement_requests(sup);
            if let Some((dd, ds)) = due {
                d = d.with_due(at(r + dd, ds));
            }
            if let Some((fd, fs)) = fin {
                d = d.with_finished(at(r + fd, fs));
            }
            match resched {
                Some(Some(k)) => d = d.with_apology(Some(at(r + k, 17 * 3600))),
                Some(None) => d = d.with_apology(Some(at(90_000, 0))),
                None => {}
            }
            d
        })
}

fn records_and_arrow_agree(ds: Vec<Dossier>, o: ReportOptions) -> Result<(), String> {
    let records = report(&ds, &o);
    let batch = dossiers_to_batch(&ds);
    let arrow = report_batches(&[batch], &ColumnMap::default(), &o, None);
    match (records, arrow) {
        (Ok(a), Ok(b)) => {
            let (a, b) = (parts(&a), parts(&b));
            if a != b {
                return Err(format!(
                    "records and Arrow differ:\nrecords: {a}\narrow:   {b}"
                ));
            }
            Ok(())
        }
        (Err(a), Err(b)) if a.code() == b.code() => Ok(()),
        (a, b) => Err(format!(
            "records {:?} vs arrow {:?}",
            a.map(|r| parts(&r)),
            b.map(|r| parts(&r))
        )),
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// The day kernel equals the general kernel on whatever a front end hands over.
    #[test]
    fn the_day_kernel_equals_the_general_kernel(rows in prop::collection::vec(raw_row(), 0..60), o in options(), enc in encoding()) {
        let r = guard("kernels", (rows, o, enc), |(rows, o, enc)| kernels_agree_in(rows, o, enc));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// Several blocks (4,096 rows each) of plausible rows with a few arbitrary rows among them:
    /// the fused pass counts the clean blocks and defers the others, and the report is the two
    /// passes' (and the general kernel's).
    #[test]
    fn the_fused_pass_equals_two_passes_over_many_blocks(
        plausible in prop::collection::vec(plausible_row(), 1..40),
        raw in prop::collection::vec((0usize..20_000, raw_row()), 0..4),
        repeats in prop::collection::vec((0usize..20_000, 0u16..3), 0..6),
        len in 4_000usize..13_000,
        o in options(),
        enc in encoding(),
    ) {
        let mut rows: Vec<RawRow> = (0..len).map(|i| plausible[(i * 7 + i / 13) % plausible.len()].clone()).collect();
        for (at, r) in raw {
            let at = at % len;
            rows[at] = r;
        }
        // a few rows share an id: repeats, left out before validation
        for (at, k) in repeats {
            rows[at % len].id = Some(k);
        }
        let r = guard("fused", (rows, o, enc), |(rows, o, enc)| kernels_agree_in(rows, o, enc));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// Records and their Arrow batch report alike, under every due-date choice, repeat policy and
    /// error mode.
    #[test]
    fn records_and_arrow_report_alike(
        ds in prop::collection::vec(dossier(), 0..40),
        o in options(),
        rescheduled in any::<bool>(),
        keep_all in any::<bool>(),
        raise in any::<bool>(),
        timestamp in any::<bool>(),
    ) {
        let mut o = o
            .duplicates(if keep_all { DuplicatePolicy::KeepAll } else { DuplicatePolicy::MostAdvanced })
            .on_error(if raise { OnError::Raise } else { OnError::Skip });
        o.classify = o
            .classify
            .due_date(if rescheduled { DueDateChoice::Rescheduled } else { DueDateChoice::Original })
            .comparison(if timestamp { Comparison::Timestamp } else { Comparison::Date });
        let r = guard("records vs arrow", (ds, o), |(ds, o)| records_and_arrow_agree(ds, o));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

/// The example of issue 11: received 05/10 with due_at 02/10 and rescheduled_due_at 09/10, under
/// `due_date="rescheduled"`, is valid (the due date in force is 09/10) and overdue at 16/10, in
/// both front ends; under the original due date it is rejected in both.
#[test]
fn regression_rescheduled_due_date_is_validated_once() {
    let d = |m, day| {
        NaiveDate::from_ymd_opt(2023, m, day)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
    };
    let ds = vec![
        Dossier::new("H1", "Phòng Y tế", d(10, 5), Status::Processing)
            .with_due(d(10, 2))
            .with_apology(Some(d(10, 9))),
    ];
    let base = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())
        .granularity(None)
        .on_error(OnError::Skip);
    let resched = base
        .clone()
        .classify(ClassifyOptions::default().due_date(DueDateChoice::Rescheduled));
    for o in [&base, &resched] {
        let a = report(&ds, o).unwrap();
        let b = report_batches(&[dossiers_to_batch(&ds)], &ColumnMap::default(), o, None).unwrap();
        assert_eq!(parts(&a), parts(&b));
    }
    let r = report(&ds, &resched).unwrap();
    assert_eq!((r.rejected.len(), r.total().overdue), (0, 1));
    let r = report(&ds, &base).unwrap();
    assert_eq!(r.rejected[0].reason.code(), "due_before_received");
}

/// Many units, receptions over three years: by unit × day the cohort table (300 units × 1,096
/// days, 55 MB dense) is far larger than the rows, so the kernel makes its cells sparse.
fn many_units() -> impl Strategy<Value = Vec<Dossier>> {
    prop::collection::vec(
        (
            (0i64..1_096, 0i64..DAY, 0usize..300),
            prop::option::of(-2i64..40),
            prop::option::of(0i64..60),
            prop::sample::select(Status::ALL.to_vec()),
        ),
        1..400,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, ((r, rs, u), due, fin, status))| {
                let mut d = Dossier::new(
                    format!("H{i}"),
                    format!("UBND xã {u:03}"),
                    at(r, rs),
                    status,
                );
                if let Some(dd) = due {
                    d = d.with_due(at(r + dd, 61_200));
                }
                if let Some(fd) = fin {
                    d = d.with_finished(at(r + fd, 36_000));
                }
                d
            })
            .collect()
    })
}

/// The unit × day report summed by month equals the unit × month report.
fn days_sum_to_months(ds: Vec<Dossier>, general: bool) -> Result<(), String> {
    let as_of = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let o = |g| {
        let mut o = ReportOptions::end_of_day(as_of)
            .granularity(Some(g))
            .group_by(GroupBy::Unit)
            .on_error(OnError::Skip)
            .start(Some(start));
        if general {
            o.classify = o.classify.comparison(Comparison::Timestamp);
        }
        o
    };
    let by_day = report(&ds, &o(Granularity::Day)).map_err(|e| e.to_string())?;
    let by_month = report(&ds, &o(Granularity::Month)).map_err(|e| e.to_string())?;
    let mut summed: std::collections::BTreeMap<(Option<String>, (i32, u32)), tthc_metrics::Tally> =
        std::collections::BTreeMap::new();
    for row in &by_day.rows {
        let d = row.period.expect("a period").start();
        *summed
            .entry((
                row.key.clone(),
                (chrono::Datelike::year(&d), chrono::Datelike::month(&d)),
            ))
            .or_default() += row.tally;
    }
    let months: std::collections::BTreeMap<_, _> = by_month
        .rows
        .iter()
        .map(|row| {
            let d = row.period.expect("a period").start();
            (
                (
                    row.key.clone(),
                    (chrono::Datelike::year(&d), chrono::Datelike::month(&d)),
                ),
                row.tally,
            )
        })
        .collect();
    if summed != months {
        return Err(format!("by day summed: {summed:?}\nby month: {months:?}"));
    }
    if by_day.rows.len() > ds.len() {
        return Err(format!(
            "{} cohort rows for {} dossiers",
            by_day.rows.len(),
            ds.len()
        ));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// A sparse cohort table (issue 16 #5) counts what the dense one does: by day summed by month
    /// is by month, on both kernel paths, with at most one row a dossier.
    #[test]
    fn sparse_cohort_cells_sum_like_dense_ones(ds in many_units(), general in any::<bool>()) {
        let r = guard("sparse cohort", (ds, general), |(ds, general)| days_sum_to_months(ds, general));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}
