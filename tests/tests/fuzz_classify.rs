//! Fuzz target: classification, periods, name keys, and reports over records and over raw
//! columns, with values across chrono's whole range and at the edges of the supported one
//! (1900-01-01 to 2199-12-31). Every input gets a result or a typed error; no panic, no hang.
//!
//! `PROPTEST_CASES=20000 cargo test --release -p tthc-metrics-tests --test fuzz_classify`
//! runs it deep (`make fuzz`).

#![allow(clippy::needless_pass_by_value, clippy::naive_bytecount)] // test harness code

mod common;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use tthc_metrics::columnar::{
    report_chunks as chunks_report, Columns, Names, TimeColumn, TimeEncoding, TimeValues, Validity,
};
use tthc_metrics::{
    classify, classify_facts, name_key, report, Channel, ClassifyOptions, Comparison, Dossier,
    DueDateChoice, Facts, Granularity, GroupBy, MemoryBudget, NameTable, OnError, OnTimePolicy,
    OnlinePolicy, OnlineService, Outcome, Period, Report, ReportOptions, Status, SupplementRule,
    View,
};

/// The report of raw chunks (preparation, then the kernel), within the options' memory limit.
fn report_chunks(cols: &[Columns<'_>], o: &ReportOptions) -> tthc_metrics::Result<Report> {
    chunks_report(
        cols,
        Vec::new(),
        o,
        None,
        &mut MemoryBudget::new(o.memory_limit),
    )
}
use unicode_normalization::UnicodeNormalization;

use common::{config, guard};

const STATUSES: [Status; 11] = [
    Status::Registered,
    Status::Received,
    Status::NotReceived,
    Status::Processing,
    Status::SupplementRequested,
    Status::FinancialObligationPending,
    Status::Withdrawn,
    Status::Stopped,
    Status::Processed,
    Status::Returned,
    Status::Refused,
];
const GRANULARITIES: [Option<Granularity>; 7] = [
    None,
    Some(Granularity::Day),
    Some(Granularity::Week),
    Some(Granularity::FridayWeek),
    Some(Granularity::Month),
    Some(Granularity::Quarter),
    Some(Granularity::Year),
];
/// Every error code a report may return.
const REPORT_CODES: [&str; 15] = [
    "rejected_record",
    "missing",
    "unknown_status",
    "unknown_channel",
    "unknown_online_service",
    "finished_before_received",
    "due_before_received",
    "finished_without_time",
    "unreadable",
    "out_of_range",
    "invalid_period",
    "invalid_argument",
    "memory_limit",
    "no_data",
    "unknown_name",
];

fn seconds(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

fn at_seconds(s: i64) -> NaiveDateTime {
    DateTime::from_timestamp(s, 0).map_or(NaiveDateTime::MIN, |t| t.naive_utc())
}

/// Instants across chrono's range, biased to the supported range's edges and to 2023.
fn instant() -> impl Strategy<Value = NaiveDateTime> {
    let min = seconds(NaiveDateTime::MIN);
    let max = seconds(NaiveDateTime::MAX);
    let around = |y: i32, m: u32, d: u32| {
        let c = seconds(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        );
        (c - 3 * 86_400..c + 3 * 86_400).prop_map(at_seconds)
    };
    prop_oneof![
        (min..=max).prop_map(at_seconds),
        around(1900, 1, 1),
        around(2199, 12, 31),
        around(2200, 1, 1),
        around(1970, 1, 1),
        around(2023, 10, 16),
        around(2023, 10, 16),
        Just(NaiveDateTime::MIN),
        Just(NaiveDateTime::MAX),
    ]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    instant().prop_map(|t| t.date())
}

/// Names with the troubles real exports have: NFC/NFD, case, inner and outer whitespace,
/// empty and blank, non-breaking spaces, and arbitrary text.
fn name() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "UBND xã Đắk Sôr",
        "UBND xã Nâm N'Đir",
        "Phòng Tư pháp",
        "ubnd  XÃ đắk sôr",
        "",
        "   ",
        "\u{a0}UBND\u{a0}xã Nam Đà",
    ]);
    prop_oneof![
        (base.clone(), 0u8..4).prop_map(|(s, form)| match form {
            0 => s.to_string(),
            1 => s.nfd().collect(),
            2 => s.to_uppercase(),
            _ => format!("  {s}\t"),
        }),
        ".{0,12}",
    ]
}

fn dossier() -> impl Strategy<Value = Dossier> {
    (
        (name(), name(), instant(), prop::option::of(instant())),
        (
            prop::option::of(instant()),
            prop::sample::select(STATUSES.to_vec()),
            0u8..3,
            0u8..3,
        ),
        (
            prop_oneof![0u32..4, Just(u32::MAX)],
            prop::option::of(prop::option::of(instant())),
            prop::option::of(any::<bool>()),
        ),
    )
        .prop_map(
            |(
                (unit, procedure, received, due),
                (finished, status, ch, lv),
                (sup, apology, synced),
            )| {
                let mut d = Dossier::new("D", unit, received, status)
                    .with_procedure(procedure)
                    .with_channel([Channel::Direct, Channel::Online, Channel::Post][ch as usize])
                    .with_online_service(
                        [
                            OnlineService::None,
                            OnlineService::Partial,
                            OnlineService::Full,
                        ][lv as usize],
                    )
                    .with_supplement_requests(sup);
                d.due_at = due;
                d.finished_at = finished;
                d.synced_to_portal = synced;
                if let Some(rescheduled) = apology {
                    d = d.with_apology(rescheduled);
                }
                d
            },
        )
}

/// Dossiers that mostly pass validation, so that reports have rows to check.
fn plausible_dossier() -> impl Strategy<Value = Dossier> {
    (
        dossier(),
        -40i64..400,
        prop::option::of(0i64..40),
        prop::option::of(0i64..60),
    )
        .prop_map(|(mut d, day, due, fin)| {
            let base = NaiveDate::from_ymd_opt(2023, 1, 1)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap();
            d.received_at = base + chrono::Duration::days(day);
            d.due_at = due.map(|x| d.received_at + chrono::Duration::days(x));
            d.finished_at = fin.map(|x| d.received_at + chrono::Duration::hours(x * 7));
            d
        })
}

fn classify_options() -> impl Strategy<Value = ClassifyOptions> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(ts, rep, res)| {
        ClassifyOptions::default()
            .comparison(if ts {
                Comparison::Timestamp
            } else {
                Comparison::Date
            })
            .supplement_rule(if rep {
                SupplementRule::RepeatedIsOverdue
            } else {
                SupplementRule::Pause
            })
            .due_date(if res {
                DueDateChoice::Rescheduled
            } else {
                DueDateChoice::Original
            })
    })
}

fn report_options() -> impl Strategy<Value = ReportOptions> {
    (
        (
            instant(),
            prop::option::of(date()),
            prop::option::of(date()),
        ),
        (
            any::<bool>(),
            0u8..4,
            prop::sample::select(GRANULARITIES.to_vec()),
        ),
        (classify_options(), any::<bool>()),
    )
        .prop_map(|((as_of, start, end), (activity, key, g), (c, skip))| {
            ReportOptions::new(as_of)
                .start(start)
                .end(end)
                .view(if activity {
                    View::Activity
                } else {
                    View::Cohort
                })
                .group_by(
                    [
                        GroupBy::Unit,
                        GroupBy::Procedure,
                        GroupBy::Channel,
                        GroupBy::Total,
                    ][key as usize],
                )
                .granularity(g)
                .classify(c)
                .on_error(if skip { OnError::Skip } else { OnError::Raise })
        })
}

/// Options whose window is near the plausible dossiers (2023), so that rows exist.
fn near_options() -> impl Strategy<Value = ReportOptions> {
    (
        report_options(),
        0i64..420,
        prop::option::of(0i64..420),
        prop::option::of(0i64..60),
    )
        .prop_map(|(o, as_of, start, end_back)| {
            let d0 = NaiveDate::from_ymd_opt(2022, 12, 1).unwrap();
            let as_of = d0 + chrono::Duration::days(as_of);
            let mut o = o;
            o.as_of = as_of.and_hms_opt(12, 0, 0).unwrap();
            o.start = start.map(|s| d0 + chrono::Duration::days(s));
            o.end = end_back.map(|b| as_of - chrono::Duration::days(b));
            o
        })
}

/// The laws every successful report obeys; `upstream` rows were rejected before the kernel
/// (status code 0: their builder reports them).
fn check_report(r: &tthc_metrics::Report, upstream: u64) -> Result<(), String> {
    let inputs = r.dossiers_in_rows()
        + r.excluded.total()
        + r.rejected.len() as u64
        + r.duplicates.len() as u64
        + upstream;
    if inputs != r.inputs {
        return Err(format!("conservation: {inputs} != {}", r.inputs));
    }
    for row in &r.rows {
        let t = row.tally;
        if t.received() + t.carried_over != t.handled() {
            return Err(format!("row identity fails: {row:?}"));
        }
        for p in [
            OnTimePolicy::ResolvedOnly,
            OnTimePolicy::Decision766,
            OnTimePolicy::DueInPeriod,
            OnTimePolicy::LateShare,
        ] {
            if let Err(e) = t.on_time_rate(p) {
                if e.code() != "no_data" {
                    return Err(format!("{p:?}: {e}"));
                }
            }
        }
        for p in [
            OnlinePolicy::EligibleOnly,
            OnlinePolicy::Decision766,
            OnlinePolicy::FullProcess,
        ] {
            if let Err(e) = t.online_share(p) {
                if e.code() != "no_data" {
                    return Err(format!("{p:?}: {e}"));
                }
            }
        }
    }
    Ok(())
}

fn run_report(ds: Vec<Dossier>, o: ReportOptions) -> Result<(), String> {
    match report(&ds, &o) {
        Ok(r) => check_report(&r, 0),
        Err(e) if REPORT_CODES.contains(&e.code()) => Ok(()),
        Err(e) => Err(format!("unexpected error {}: {e}", e.code())),
    }
}

/// Raw columns as a caller of `report_chunks` may hand them over: any lengths, codes, encodings.
#[derive(Debug, Clone)]
struct RawChunk {
    received: Vec<i64>,
    due: Vec<i64>,
    finished: Vec<i32>,
    per_second: i64,
    utc: bool,
    validity: Vec<u8>,
    validity_offset: usize,
    status: Vec<u8>,
    channel: Option<Vec<u8>>,
    supplements: Option<Vec<u32>>,
    group: Vec<u32>,
    labels: Vec<String>,
}

fn tick() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(i64::MIN),
        Just(i64::MAX),
        Just(i64::MIN + 1),
        (1_600_000_000i64..1_800_000_000),
        (1_600_000_000_000_000i64..1_800_000_000_000_000),
    ]
}

fn raw_chunk() -> impl Strategy<Value = RawChunk> {
    (0usize..24).prop_flat_map(|n| {
        // most columns have the table's length; some are shorter or longer (a caller's bug)
        let len = prop_oneof![4 => Just(n), 1 => 0..=n + 1];
        (
            (
                prop::collection::vec(tick(), n + 1),
                prop::collection::vec(tick(), n + 1),
                prop::collection::vec(prop_oneof![any::<i32>(), 18_000i32..20_000], n + 1),
                prop::sample::select(vec![
                    1i64,
                    1_000,
                    1_000_000,
                    1_000_000_000,
                    0,
                    -5,
                    7,
                    i64::MAX,
                ]),
                any::<bool>(),
            ),
            (
                prop::collection::vec(any::<u8>(), 0..4),
                0usize..9,
                prop::collection::vec(prop_oneof![0u8..=12, any::<u8>()], n),
                prop::option::of(prop::collection::vec(any::<u8>(), n + 1)),
                prop::option::of(prop::collection::vec(any::<u32>(), n + 1)),
                prop::collection::vec(prop_oneof![0u32..3, 0u32..70, Just(u32::MAX)], n),
                prop::collection::vec(name(), 0..3),
            ),
            (len.clone(), len.clone(), len.clone(), len.clone(), len),
        )
            .prop_map(
                |(
                    (mut received, mut due, mut finished, per_second, utc),
                    (
                        validity,
                        validity_offset,
                        status,
                        mut channel,
                        mut supplements,
                        group,
                        labels,
                    ),
                    (l0, l1, l2, l3, l4),
                )| {
                    received.truncate(l0);
                    due.truncate(l1);
                    finished.truncate(l2);
                    if let Some(c) = channel.as_mut() {
                        c.truncate(l3);
                    }
                    if let Some(c) = supplements.as_mut() {
                        c.truncate(l4);
                    }
                    RawChunk {
                        received,
                        due,
                        finished,
                        per_second,
                        utc,
                        validity,
                        validity_offset,
                        status,
                        channel,
                        supplements,
                        group,
                        labels,
                    }
                },
            )
    })
}

fn run_chunks(chunks: Vec<RawChunk>, o: ReportOptions) -> Result<(), String> {
    let labels = chunks.first().map(|c| c.labels.clone()).unwrap_or_default();
    let table = NameTable::from_labels(labels.iter().map(String::as_str));
    let built: Vec<tthc_metrics::Result<Columns<'_>>> = chunks
        .iter()
        .map(|c| {
            let mut b = Columns::builder(
                TimeColumn::new(
                    TimeValues::Ticks(&c.received),
                    TimeEncoding::Timestamp {
                        per_second: c.per_second,
                        utc: c.utc,
                    },
                    None,
                ),
                (&c.status).into(),
            )
            .due(TimeColumn::new(
                TimeValues::Ticks(&c.due),
                TimeEncoding::Days,
                Some(Validity::new(&c.validity, c.validity_offset)),
            ))
            .finished(TimeColumn::new(
                TimeValues::Days(&c.finished),
                TimeEncoding::Days,
                None,
            ))
            .unit(Names::new((&c.group).into(), &table));
            if let Some(ch) = &c.channel {
                b = b.channel(ch.into());
            }
            if let Some(s) = &c.supplements {
                b = b.supplement_requests(s);
            }
            b.build()
        })
        .collect();
    // a column of the wrong length or a name code outside its table: a typed error
    let cols: Vec<Columns<'_>> = match built.into_iter().collect() {
        Ok(c) => c,
        Err(e) if e.code() == "invalid_argument" => return Ok(()),
        Err(e) => return Err(format!("unexpected error {}: {e}", e.code())),
    };
    // a bounded limit
    let o = o.memory_limit(256 << 20);
    match report_chunks(&cols, &o) {
        Ok(r) => check_report(&r, 0),
        Err(e) if REPORT_CODES.contains(&e.code()) => Ok(()),
        Err(e) => Err(format!("unexpected error {}: {e}", e.code())),
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Total: every fact and cut-off gets exactly one outcome; finished outcomes only once ended.
    #[test]
    fn classify_facts_is_total(
        received in any::<i64>(), due in prop::option::of(any::<i64>()), finished in prop::option::of(any::<i64>()),
        status in prop::sample::select(STATUSES.to_vec()), sup in any::<u32>(), cutoff in any::<i64>(),
        o in classify_options(),
    ) {
        let f = Facts { received, due, finished, status, supplement_requests: sup };
        let out = guard("classify_facts", (f.received, f.due, f.finished, sup, cutoff), move |_| classify_facts(&f, cutoff, &o));
        if out.is_finished() {
            prop_assert!(f.end().is_some_and(|e| e <= cutoff));
        }
        if received > cutoff && status.code().is_none_or(|c| c != 1 && c != 3) {
            prop_assert_eq!(out, Outcome::OutsideWindow);
        }
    }

    #[test]
    fn classify_records_is_total(d in dossier(), cut in instant(), o in classify_options()) {
        guard("classify", (d, cut), move |(d, cut)| classify(&d, cut, &o));
    }

    /// Periods of every granularity tile chrono's range, including its two ends.
    #[test]
    fn periods_at_the_ends_of_time(d in date(), g in 0usize..6, y in any::<i32>(), k in any::<u32>()) {
        let g = GRANULARITIES[g + 1].unwrap();
        guard("period", (d, g, y, k), |(d, g, y, k)| {
            let p = Period::of(g, d);
            assert!(p.contains(d), "{p} does not contain {d}");
            let _ = (p.days(), p.to_string(), Period::friday_week(d), Period::year_to_date(d));
            let _ = (Period::iso_week(y, k), Period::month(y, k), Period::quarter(y, k), Period::year(y));
            let _ = p.intersect(&Period::of(Granularity::Year, d));
        });
    }

    /// The grouping key ignores Unicode normalisation, case and whitespace, and is a fixed point.
    #[test]
    fn name_key_is_normalisation_blind(s in name()) {
        let key = guard("name_key", s.clone(), |s| name_key(&s));
        let nfd: String = s.nfd().collect();
        let nfkc_spaces = format!(" \t{s}\n ");
        prop_assert_eq!(&name_key(&nfd), &key);
        prop_assert_eq!(&name_key(&nfkc_spaces), &key);
        prop_assert_eq!(&name_key(&key), &key);
    }

    /// Reports over records anywhere in time: a result obeying the laws, or a typed error.
    #[test]
    fn reports_over_any_records(ds in prop::collection::vec(dossier(), 0..12), o in report_options()) {
        let r = guard("report", (ds, o), |(ds, o)| run_report(ds, o));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// Reports over plausible records with windows around them: most cases have rows.
    #[test]
    fn reports_over_plausible_records(ds in prop::collection::vec(plausible_dossier(), 0..40), o in near_options()) {
        let r = guard("report", (ds, o), |(ds, o)| run_report(ds, o));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// The columnar kernel with whatever a caller hands over: inconsistent lengths, unknown status
    /// codes, huge group codes, any tick unit and validity bitmap.
    #[test]
    fn report_chunks_over_raw_columns(chunks in prop::collection::vec(raw_chunk(), 0..3), o in near_options()) {
        let r = guard("report_chunks", (chunks, o), |(chunks, o)| run_chunks(chunks, o));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

// ------------------------------------------------------------------ regressions (fuzz findings)

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A zone-aware timestamp in seconds near `i64::MAX` overflowed when shifted to UTC+7 (a panic
/// in debug builds, a wrap to a date in the far past in release builds).
#[test]
fn regression_extreme_ticks_do_not_overflow() {
    let ticks = [i64::MAX, i64::MIN, i64::MAX - 1];
    let c = TimeColumn::new(
        TimeValues::Ticks(&ticks),
        TimeEncoding::Timestamp {
            per_second: 1,
            utc: true,
        },
        None,
    );
    for i in 0..3 {
        let s = c.local_seconds(i).unwrap();
        assert!(!(-(1 << 61)..(1 << 61)).contains(&s), "{s}");
    }
    let days = [i64::MAX, i64::MIN];
    let c = TimeColumn::new(TimeValues::Ticks(&days), TimeEncoding::Days, None);
    assert!(c.local_seconds(0).unwrap() > 0 && c.local_seconds(1).unwrap() < 0);
}

/// A naive timestamp of `i64::MIN` seconds equalled the kernel's null sentinel: a due date
/// became "no due date" (on time) instead of a rejected, out-of-range record.
#[test]
fn regression_i64_min_is_out_of_range_not_null() {
    let received = [1_696_000_000i64];
    let due = [i64::MIN];
    let cols = Columns::builder(TimeColumn::local(&received), (&[4u8]).into())
        .due(TimeColumn::local(&due))
        .build()
        .unwrap();
    let o = ReportOptions::end_of_day(d(2023, 12, 31))
        .group_by(GroupBy::Total)
        .on_error(OnError::Skip);
    let r = report_chunks(&[cols], &o).unwrap();
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(
        (r.rejected[0].field.as_str(), r.rejected[0].reason.code()),
        ("due_at", "out_of_range")
    );
}

/// A coded column shorter than the status column made the kernel index out of bounds.
#[test]
fn regression_columns_of_different_lengths_are_a_typed_error() {
    let received = [1_696_000_000i64, 1_696_000_000];
    let err = Columns::builder(TimeColumn::local(&received), (&[4u8, 4]).into())
        .channel((&[1u8]).into())
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert_eq!(
        err.to_string(),
        "invalid columns: column channel has 1 rows but the status column has 2"
    );
}

/// A group code of `u32::MAX` sized the cells table at 4 billion groups: an allocation failure
/// (abort) instead of an error. Group codes now index a name table, checked when the columns are
/// built.
#[test]
fn regression_huge_group_code_is_a_typed_error() {
    let received = [1_696_000_000i64];
    let table = NameTable::from_labels(["U"]);
    let err = Columns::builder(TimeColumn::local(&received), (&[4u8]).into())
        .unit(Names::new((&[u32::MAX]).into(), &table))
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("code 4294967295"), "{err}");
}

/// A status column code above 11 was skipped as if rejected upstream, without a rejection:
/// the dossier vanished from the conservation sum.
#[test]
fn regression_unknown_status_code_is_rejected_not_dropped() {
    let received = [1_696_000_000i64];
    let cols = Columns::builder(TimeColumn::local(&received), (&[42u8]).into())
        .build()
        .unwrap();
    let o = ReportOptions::end_of_day(d(2023, 12, 31))
        .group_by(GroupBy::Total)
        .on_error(OnError::Skip);
    let r = report_chunks(&[cols], &o).unwrap();
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].reason.code(), "unknown_status");
    assert_eq!(
        r.dossiers_in_rows() + r.excluded.total() + r.rejected.len() as u64,
        r.inputs
    );
}

/// Day granularity over the whole supported range for many units: 110 thousand periods per
/// group. The cells table is refused with the sizes and a hint, before it is allocated.
#[test]
fn regression_day_granularity_over_three_centuries_is_refused() {
    let at = |y| d(y, 1, 2).and_hms_opt(8, 0, 0).unwrap();
    let ds: Vec<Dossier> = (0..1_000)
        .map(|i| {
            Dossier::new(
                format!("X{i}"),
                format!("Unit {i}"),
                at(1900 + i % 100),
                Status::Processing,
            )
        })
        .collect();
    let o = ReportOptions::end_of_day(d(2199, 12, 31))
        .granularity(Some(Granularity::Day))
        .view(View::Activity);
    let err = report(&ds, &o).unwrap_err();
    assert_eq!(err.code(), "memory_limit");
    assert!(
        err.to_string()
            .contains("1,001 groups × 109,572 periods × "), // 1,000 units and the blank name
        "{err}"
    );
    assert!(
        err.to_string().contains("use a coarser granularity"),
        "{err}"
    );
    // by year it is small and fine
    let ok = report(&ds, &o.granularity(Some(Granularity::Year))).unwrap();
    assert_eq!(ok.rows.len(), 10 * (100 * 300 - (0..100).sum::<usize>()));
}

/// Rejections have a budget too: a table where every row is bad cannot fill memory with them.
#[test]
fn regression_rejections_are_bounded_by_the_memory_limit() {
    let at = d(2023, 5, 2).and_hms_opt(8, 0, 0).unwrap();
    let bad = Dossier::new("X", "U", at, Status::Returned); // finished status without a time
    let ds: Vec<Dossier> = (0..1_000)
        .map(|i| {
            let mut d = bad.clone();
            d.dossier_id = format!("X{i}");
            d
        })
        .collect();
    // the records' columns fit, a hundred rejections do, a thousand do not
    let o = ReportOptions::end_of_day(d(2023, 12, 31))
        .on_error(OnError::Skip)
        .memory_limit(1_000 * 80 + 1_000 * 40 + 100 * tthc_metrics::REJECTION_BYTES);
    let err = report(&ds, &o).unwrap_err();
    assert_eq!(err.code(), "memory_limit");
    assert!(
        err.to_string()
            .starts_with("the list of 1,000 more rejected records"),
        "{err}"
    );
    assert_eq!(
        report(&ds, &o.memory_limit(1 << 30))
            .unwrap()
            .rejected
            .len(),
        1_000
    );
}

/// The month (and quarter) holding chrono's last date ended a day early (`+262142-12-30`): the
/// period of a date did not contain it. Found by `periods_at_the_ends_of_time`.
#[test]
fn regression_the_last_month_of_time_contains_its_last_day() {
    for g in [
        Granularity::Month,
        Granularity::Quarter,
        Granularity::Year,
        Granularity::Week,
    ] {
        let p = Period::of(g, NaiveDate::MAX);
        assert!(p.contains(NaiveDate::MAX), "{g:?}: {p}");
        assert_eq!(p.end(), NaiveDate::MAX);
    }
}
