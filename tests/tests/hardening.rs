//! Hardening (issue 7): Unicode names through the Arrow adapter in every string encoding, the
//! types shared between threads, the memory limits, and the data-quality report over Arrow
//! against the one over records.

use std::sync::Arc;

use arrow_array::types::{
    ArrowDictionaryKeyType, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, Date32Array, DictionaryArray, LargeStringArray, PrimitiveArray, RecordBatch,
    StringArray, StringViewArray,
};
use chrono::NaiveDate;
use tthc_arrow::{dossiers_to_batch, quality_batches, report_batches, ColumnMap};
use tthc_metrics::{
    columnar::Columns, quality, report, Calendar, Dossier, Granularity, GroupBy, OnError,
    QualityCounts, QualityOptions, QualityReport, Report, ReportOptions, Rubric, Status, Tally,
    UnitTree, View,
};

// ------------------------------------------------------------------ threads

/// Compile-time: the values a service shares between threads are `Send + Sync`.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Calendar>();
    shared::<Rubric>();
    shared::<Report>();
    shared::<Tally>();
    shared::<ReportOptions>();
    shared::<QualityReport>();
    shared::<QualityOptions>();
    shared::<UnitTree>();
    shared::<Columns<'static>>();
};

#[test]
fn one_calendar_and_rubric_serve_many_threads() {
    let cal = Calendar::vietnam();
    let rubric = Rubric::preset("seed-district-2023").unwrap();
    let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
    let results: Vec<(NaiveDate, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let t = Tally {
                        on_time: 95,
                        late: 5,
                        ..Tally::default()
                    };
                    let date = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
                    let score = tthc_metrics::score(&rubric, &t.into(), date).unwrap();
                    (
                        cal.add_working_days(d(2, 7), 1).unwrap(),
                        score.earned.to_string(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results
        .iter()
        .all(|r| *r == (d(2, 15), results[0].1.clone())));
}

// ------------------------------------------------------------------ Unicode names

/// One commune written six ways: NFC, NFD, a different case, doubled and outer whitespace, a
/// non-breaking space; and one other unit.
const SPELLINGS: [&str; 7] = [
    "UBND xã Đắk Sôr",
    "UBND xa\u{0303} \u{110}a\u{306}\u{301}k So\u{302}r",
    "ubnd XÃ ĐẮK SÔR",
    "UBND  xã Đắk Sôr ",
    "\u{a0}UBND xã\u{a0}Đắk Sôr",
    "UBND Xa\u{0303} Đắk Sôr",
    "Phòng Tư pháp",
];

fn dict<K: ArrowDictionaryKeyType>(values: ArrayRef) -> ArrayRef
where
    K::Native: TryFrom<usize>,
    <K::Native as TryFrom<usize>>::Error: std::fmt::Debug,
{
    // the dictionary holds each spelling once (values differ only by normalisation, case and
    // whitespace); the keys repeat them
    let keys: PrimitiveArray<K> = (0..14usize)
        .map(|i| Some(K::Native::try_from(i % values.len()).unwrap()))
        .collect();
    Arc::new(DictionaryArray::<K>::try_new(keys, values).unwrap())
}

/// Every string encoding the adapter accepts, over the same 14 rows.
fn encodings() -> Vec<(String, ArrayRef)> {
    let rows: Vec<&str> = (0..14).map(|i| SPELLINGS[i % SPELLINGS.len()]).collect();
    let values: [(&str, ArrayRef); 3] = [
        ("utf8", Arc::new(StringArray::from(SPELLINGS.to_vec()))),
        (
            "large_utf8",
            Arc::new(LargeStringArray::from(SPELLINGS.to_vec())),
        ),
        (
            "utf8_view",
            Arc::new(StringViewArray::from(SPELLINGS.to_vec())),
        ),
    ];
    let mut out: Vec<(String, ArrayRef)> = vec![
        ("utf8".into(), Arc::new(StringArray::from(rows.clone()))),
        (
            "large_utf8".into(),
            Arc::new(LargeStringArray::from(rows.clone())),
        ),
        ("utf8_view".into(), Arc::new(StringViewArray::from(rows))),
    ];
    for (name, v) in values {
        out.push((format!("dict<i8, {name}>"), dict::<Int8Type>(v.clone())));
        out.push((format!("dict<i16, {name}>"), dict::<Int16Type>(v.clone())));
        out.push((format!("dict<i32, {name}>"), dict::<Int32Type>(v.clone())));
        out.push((format!("dict<i64, {name}>"), dict::<Int64Type>(v.clone())));
        out.push((format!("dict<u8, {name}>"), dict::<UInt8Type>(v.clone())));
        out.push((format!("dict<u16, {name}>"), dict::<UInt16Type>(v.clone())));
        out.push((format!("dict<u32, {name}>"), dict::<UInt32Type>(v.clone())));
        out.push((format!("dict<u64, {name}>"), dict::<UInt64Type>(v)));
    }
    out
}

fn names_table(names: ArrayRef) -> RecordBatch {
    let n = names.len();
    RecordBatch::try_from_iter([
        ("unit", names.clone()),
        ("procedure", names),
        (
            "received_at",
            Arc::new(Date32Array::from(vec![19_600; n])) as ArrayRef,
        ),
        (
            "due_at",
            Arc::new(Date32Array::from(vec![19_602; n])) as ArrayRef,
        ),
        (
            "status",
            Arc::new(StringArray::from(vec!["4"; n])) as ArrayRef,
        ),
    ])
    .unwrap()
}

#[test]
fn unicode_variants_of_a_name_are_one_group_in_every_string_encoding() {
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    for (encoding, names) in encodings() {
        let batch = names_table(names);
        for key in [GroupBy::Unit, GroupBy::Procedure] {
            let o = ReportOptions::end_of_day(as_of)
                .group_by(key)
                .granularity(None);
            let r = report_batches(
                std::slice::from_ref(&batch),
                &ColumnMap::default(),
                &o,
                None,
            )
            .unwrap();
            let groups: Vec<(&str, u64)> = r
                .rows
                .iter()
                .map(|row| (row.group.as_deref().unwrap(), row.tally.handled()))
                .collect();
            // 14 rows: 12 spellings of the commune (shown as first written), 2 of the other
            assert_eq!(
                groups,
                [("Phòng Tư pháp", 2), ("UBND xã Đắk Sôr", 12)],
                "{encoding} {key:?}"
            );
            let q = quality_batches(
                std::slice::from_ref(&batch),
                &ColumnMap::default(),
                &QualityOptions::end_of_day(as_of).group_by(key),
                None,
            )
            .unwrap();
            let groups: Vec<(&str, u64)> = q
                .rows
                .iter()
                .map(|row| (row.group.as_deref().unwrap(), row.counts.overdue))
                .collect();
            assert_eq!(
                groups,
                [("Phòng Tư pháp", 2), ("UBND xã Đắk Sôr", 12)],
                "quality {encoding} {key:?}"
            );
        }
    }
}

#[test]
fn chunks_written_in_different_normal_forms_are_one_group() {
    // batch 1 in NFC, batch 2 in NFD as a dictionary: still one unit across chunks
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    let a = names_table(Arc::new(StringArray::from(vec![SPELLINGS[0]; 3])));
    let nfd: DictionaryArray<Int8Type> = vec![SPELLINGS[1]; 3].into_iter().collect();
    let b = names_table(Arc::new(nfd));
    let b = RecordBatch::try_new(
        a.schema(),
        vec![
            Arc::new(StringArray::from(vec![SPELLINGS[1]; 3])) as ArrayRef,
            b.column(1).clone(),
            b.column(2).clone(),
            b.column(3).clone(),
            b.column(4).clone(),
        ],
    );
    // the procedure column differs in type between the batches: a typed error, not a panic
    assert!(b.is_err());
    let b = names_table(Arc::new(StringArray::from(vec![SPELLINGS[1]; 3])));
    let o = ReportOptions::end_of_day(as_of).granularity(None);
    let r = report_batches(&[a, b], &ColumnMap::default(), &o, None).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(r.rows[0].group.as_deref(), Some(SPELLINGS[0]));
}

// ------------------------------------------------------------------ memory limits

#[test]
fn many_groups_by_day_over_decades_are_refused_before_allocating() {
    // 10,000 units (and the empty label), one dossier each, received from 1990 on: by day that
    // is 10,001 × 12,342 cells (tens of GiB): refused with the sizes and a hint before anything
    // is allocated; by year it is fine
    let n = 10_000;
    let units: Vec<String> = (0..n).map(|i| format!("Đơn vị {i}")).collect();
    // from 1990-01-01, one reception every 6 days up to 2022-11
    let days: Vec<i32> = (0..n).map(|i| 7_305 + (i % 2_000) as i32 * 6).collect();
    let batch = RecordBatch::try_from_iter([
        ("unit", Arc::new(StringArray::from(units)) as ArrayRef),
        ("received_at", Arc::new(Date32Array::from(days)) as ArrayRef),
        (
            "status",
            Arc::new(StringArray::from(vec!["4"; n])) as ArrayRef,
        ),
    ])
    .unwrap();
    let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())
        .view(View::Activity)
        .granularity(Some(Granularity::Day));
    let err = report_batches(
        std::slice::from_ref(&batch),
        &ColumnMap::default(),
        &o,
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "memory_limit");
    let msg = err.to_string();
    assert!(
        msg.starts_with("the report's cells table (10,001 groups × 12,342 periods × "),
        "{msg}"
    );
    assert!(
        msg.contains(" GiB but only 4.0 GiB of the memory limit of 4.0 GiB are left; use a coarser granularity"),
        "{msg}"
    );
    let ok = report_batches(
        &[batch],
        &ColumnMap::default(),
        &o.granularity(Some(Granularity::Year)),
        None,
    )
    .unwrap();
    assert_eq!(ok.inputs, 10_000);
}

#[test]
fn the_adapter_plans_its_own_columns_against_the_limit() {
    let n = 100_000;
    let batch = RecordBatch::try_from_iter([
        (
            "unit",
            Arc::new(StringArray::from(vec!["U"; n])) as ArrayRef,
        ),
        (
            "received_at",
            Arc::new(StringArray::from(vec!["2023-10-02 08:00"; n])) as ArrayRef,
        ),
        (
            "status",
            Arc::new(StringArray::from(vec!["4"; n])) as ArrayRef,
        ),
    ])
    .unwrap();
    let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())
        .memory_limit(2 << 20);
    let err = report_batches(
        std::slice::from_ref(&batch),
        &ColumnMap::default(),
        &o,
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "memory_limit");
    assert!(err.to_string().starts_with("decoding 100,000 rows (41 bytes each, of which 9 for 1 time column(s) given as text) needs 7.7 MiB but only 2.0 MiB of the memory limit of 2.0 MiB are left; give times as dates or timestamps"), "{err}");
    assert_eq!(
        report_batches(
            &[batch],
            &ColumnMap::default(),
            &o.memory_limit(64 << 20),
            None
        )
        .unwrap()
        .total()
        .handled(),
        n as u64
    );
}

// ------------------------------------------------------------------ data quality: Arrow = records

fn without_apology_times(mut c: QualityCounts) -> QualityCounts {
    c.apology_late = None;
    c
}

#[test]
fn quality_over_arrow_equals_quality_over_records() {
    let mut ds = tthc_sample::synthetic(20_000, 30, 7);
    // some bad records and hostile names
    ds[3].unit = String::new();
    ds[5].due_at = Some(ds[5].received_at - chrono::Duration::days(3));
    ds[8].unit = "  ".into();
    ds[9].unit = ds[10].unit.to_uppercase();
    ds[11].status = Status::Returned;
    ds[11].finished_at = None;
    for (i, d) in ds.iter_mut().enumerate().filter(|(i, _)| i % 97 == 0) {
        d.supplement_requests = (i % 5) as u32;
    }
    let batch = dossiers_to_batch(&ds);
    for key in [GroupBy::Unit, GroupBy::Procedure, GroupBy::Total] {
        let o = QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 11, 30).unwrap())
            .group_by(key)
            .start(Some(NaiveDate::from_ymd_opt(2023, 2, 1).unwrap()));
        let from_records = quality(&ds, &o, None).unwrap();
        let from_arrow = quality_batches(
            std::slice::from_ref(&batch),
            &ColumnMap::default(),
            &o,
            None,
        )
        .unwrap();
        assert_eq!(from_records.rows.len(), from_arrow.rows.len(), "{key:?}");
        for (a, b) in from_records.rows.iter().zip(&from_arrow.rows) {
            assert_eq!(a.group, b.group, "{key:?}");
            assert_eq!(
                without_apology_times(a.counts.clone()),
                without_apology_times(b.counts.clone()),
                "{key:?} {:?}",
                a.group
            );
        }
        let rows = |q: &QualityReport| {
            q.rejected
                .iter()
                .map(|r| (r.row, r.reason))
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(&from_records), rows(&from_arrow));
        assert_eq!(from_arrow.total().records, 20_000);
        // the same rejections as the report's
        let ro = ReportOptions::new(o.as_of)
            .group_by(key)
            .on_error(OnError::Skip);
        let rep = report(&ds, &ro).unwrap();
        assert_eq!(
            rows(&from_records),
            rep.rejected
                .iter()
                .map(|r| (r.row, r.reason))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn quality_of_the_seed_sample() {
    let ds = tthc_sample::krong_no_2023();
    let q = quality(
        &ds,
        &QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()),
        None,
    )
    .unwrap();
    let t = q.total();
    assert_eq!(t.records, ds.len() as u64);
    assert_eq!(t.rejected_total() + t.excluded + t.checked, t.records);
    // every overdue dossier is in exactly one age bucket; hanging ones are the older buckets
    assert_eq!(t.overdue_by_age.iter().sum::<u64>(), t.overdue);
    assert_eq!(t.hanging, t.overdue_by_age[2] + t.overdue_by_age[3]);
    // late = finished late + unfinished overdue, as the report counts them
    let tally = tthc_metrics::tally(
        &ds,
        &ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()),
    )
    .unwrap()
    .tally;
    assert_eq!(t.late, tally.late + tally.overdue);
    assert_eq!(t.overdue, tally.overdue);
    assert_eq!(t.checked, tally.handled());
    let _ = Dossier::new("x", "y", ds[0].received_at, Status::Processing);
}

/// A dictionary's values were coded in the dictionary's order: a pandas categorical (sorted
/// categories) or a dictionary with unused values labelled a row with a spelling other than its
/// first in row order, or one no row uses. Labels no longer depend on the encoding.
#[test]
fn regression_dictionary_labels_are_the_first_spelling_in_row_order() {
    let values = StringArray::from(vec![
        "PHÒNG TƯ PHÁP (unused)",
        "phòng  tư pháp",
        "Phòng Tư pháp",
    ]);
    let keys = arrow_array::Int8Array::from(vec![2, 1, 2]);
    let dict: ArrayRef =
        Arc::new(DictionaryArray::<Int8Type>::try_new(keys, Arc::new(values)).unwrap());
    let plain: ArrayRef = Arc::new(StringArray::from(vec![
        "Phòng Tư pháp",
        "phòng  tư pháp",
        "Phòng Tư pháp",
    ]));
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    for names in [dict, plain] {
        let batch = names_table(names);
        let o = ReportOptions::end_of_day(as_of).granularity(None);
        let r = report_batches(
            std::slice::from_ref(&batch),
            &ColumnMap::default(),
            &o,
            None,
        )
        .unwrap();
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].group.as_deref(), Some("Phòng Tư pháp"));
        let q = quality_batches(
            &[batch],
            &ColumnMap::default(),
            &QualityOptions::end_of_day(as_of),
            None,
        )
        .unwrap();
        assert_eq!(q.rows[0].group.as_deref(), Some("Phòng Tư pháp"));
    }
}

/// Two spellings used by as many rows each: the label is the one whose first row comes first.
/// A dictionary registered its values in dictionary order and the tie went to the first
/// *registered*, so a dictionary (here sliced, its row 0 hidden, and split over two batches)
/// and the same names as plain strings gave different labels. Found by `fuzz_arrow`
/// (`arbitrary_batches_report_or_fail_typed`, "dictionary and plain strings differ").
#[test]
fn regression_a_tie_between_spellings_goes_to_the_first_in_row_order_in_every_encoding() {
    // dictionary order: "UBND xã Ea Tân" before "ubnd XÃ ea tân"; row order: the other way
    let values: ArrayRef = Arc::new(StringArray::from(vec!["UBND xã Ea Tân", "ubnd XÃ ea tân"]));
    // row 0 (sliced away) would tip the count; the visible rows tie 2 against 2
    let keys = arrow_array::Int8Array::from(vec![0, 1, 0, 0, 1, 1, 0]);
    let dict = DictionaryArray::<Int8Type>::try_new(keys, values).unwrap();
    let dict: ArrayRef = Arc::new(dict);
    let text = |k: &[usize]| -> ArrayRef {
        let v = ["UBND xã Ea Tân", "ubnd XÃ ea tân"];
        Arc::new(StringArray::from(
            k.iter().map(|&i| v[i]).collect::<Vec<_>>(),
        ))
    };
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    let o = ReportOptions::end_of_day(as_of).granularity(None);
    let inputs: [(&str, Vec<RecordBatch>); 4] = [
        ("dictionary, sliced", vec![names_table(dict.slice(1, 6))]),
        (
            "dictionary, sliced, two batches",
            vec![names_table(dict.slice(1, 2)), names_table(dict.slice(3, 4))],
        ),
        ("plain", vec![names_table(text(&[1, 0, 0, 1, 1, 0]))]),
        (
            "plain, two batches",
            vec![names_table(text(&[1, 0])), names_table(text(&[0, 1, 1, 0]))],
        ),
    ];
    for (what, batches) in inputs {
        let r = report_batches(&batches, &ColumnMap::default(), &o, None).unwrap();
        assert_eq!(r.rows.len(), 1, "{what}");
        assert_eq!(r.rows[0].group.as_deref(), Some("ubnd XÃ ea tân"), "{what}");
        assert_eq!(r.rows[0].tally.received(), 6, "{what}");
    }
}

/// A names column's lookup table was built over every value up to the largest (integer unit
/// codes) or over the whole dictionary (a categorical filtered to a few rows), and the names
/// coder gave each of them a group: a three-row activity report by day had 60,001 groups of
/// cells, took seconds and failed a small memory limit. Found by `fuzz_arrow` as a 20-second
/// "hang". Only values rows use are groups now; a report of three rows fits 1 MB.
#[test]
fn regression_values_no_row_uses_are_no_groups() {
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    let o = ReportOptions::end_of_day(as_of)
        .view(View::Activity)
        .granularity(Some(Granularity::Day))
        .start(Some(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()))
        .memory_limit(1 << 20);
    // integer unit codes, the largest 60,000
    let ints: ArrayRef = Arc::new(PrimitiveArray::<UInt16Type>::from(vec![7, 60_000, 7]));
    // a dictionary of 5,000 names, two of them used
    let names: Vec<String> = (0..5_000).map(|i| format!("UBND xã số {i}")).collect();
    let keys = arrow_array::Int16Array::from(vec![4_321, 17, 4_321]);
    let dict: ArrayRef = Arc::new(
        DictionaryArray::<Int16Type>::try_new(keys, Arc::new(StringArray::from(names))).unwrap(),
    );
    for (what, unit, labels) in [
        ("integers", ints, ["60000", "7"]),
        ("dictionary", dict, ["UBND xã số 17", "UBND xã số 4321"]),
    ] {
        let batch = names_table(unit);
        let r = report_batches(&[batch], &ColumnMap::default(), &o, None)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let mut groups: Vec<&str> = r.rows.iter().filter_map(|r| r.group.as_deref()).collect();
        groups.dedup();
        assert_eq!(groups, labels, "{what}");
        assert_eq!(r.total().received(), 3, "{what}");
    }
}

/// `DueDateChoice::Rescheduled` was ignored by the Arrow adapter (it never read
/// `rescheduled_due_at`): `tm.report(..., due_date="rescheduled")` gave the original figures.
/// Found by comparing the Arrow path with the records path under every classification option.
#[test]
fn regression_records_and_arrow_agree_under_every_classification_option() {
    use tthc_metrics::{ClassifyOptions, Comparison, DueDateChoice, SupplementRule};
    let ds = tthc_sample::krong_no_2023();
    let batch = dossiers_to_batch(&ds);
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    for comparison in [Comparison::Date, Comparison::Timestamp] {
        for rule in [SupplementRule::Pause, SupplementRule::RepeatedIsOverdue] {
            for due in [DueDateChoice::Original, DueDateChoice::Rescheduled] {
                let c = ClassifyOptions::default()
                    .comparison(comparison)
                    .supplement_rule(rule)
                    .due_date(due);
                for view in [View::Cohort, View::Activity] {
                    let o = ReportOptions::end_of_day(as_of)
                        .classify(c)
                        .view(view)
                        .granularity(Some(Granularity::Month))
                        .start(Some(NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()));
                    let a = report(&ds, &o).unwrap();
                    let b = report_batches(
                        std::slice::from_ref(&batch),
                        &ColumnMap::default(),
                        &o,
                        None,
                    )
                    .unwrap();
                    assert_eq!(a.rows, b.rows, "{c:?} {view:?}");
                }
            }
        }
    }
    let o = ReportOptions::end_of_day(as_of);
    let original = report(&ds, &o).unwrap().total();
    let rescheduled = report(
        &ds,
        &o.classify(ClassifyOptions::default().due_date(DueDateChoice::Rescheduled)),
    )
    .unwrap()
    .total();
    assert!(
        rescheduled.late < original.late,
        "the sample has rescheduled dates that matter"
    );
}
