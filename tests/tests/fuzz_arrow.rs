//! Fuzz target: the Arrow adapter with arbitrary record batches under the canonical column names
//! (and mapped ones): every string, dictionary, integer, boolean, float, date, timestamp (any
//! unit, with and without a zone) and null type, hostile values and nulls, sliced batches
//! (non-zero offsets), several batches, and schemas that differ between batches. Every input
//! gets a report obeying the conservation laws, or a typed error; no panic, no hang.
//!
//! `PROPTEST_CASES=20000 cargo test --release -p tthc-metrics-tests --test fuzz_arrow`
//! runs it deep (`make fuzz`).

#![allow(clippy::needless_pass_by_value, clippy::naive_bytecount)] // test harness code

mod common;

use std::sync::Arc;

use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Date64Array, DictionaryArray, Float64Array,
    Int16Array, Int32Array, Int64Array, Int8Array, LargeStringArray, NullArray, PrimitiveArray,
    RecordBatch, StringArray, StringViewArray, TimestampMicrosecondArray,
    TimestampMillisecondArray, TimestampNanosecondArray, TimestampSecondArray, UInt16Array,
    UInt32Array, UInt64Array, UInt8Array,
};
use arrow_schema::{Field, Schema};
use chrono::NaiveDate;
use proptest::prelude::*;
use tthc_arrow::{
    quality_batches, quality_to_batch, rejections_to_batch, report_batches, report_to_batch,
    ColumnMap,
};
use tthc_metrics::{
    Calendar, Comparison, Granularity, GroupBy, OnError, OnTimePolicy, OnlinePolicy,
    QualityOptions, ReportOptions, View,
};

use common::{config, guard};

/// Error codes the adapter may return.
const CODES: [&str; 22] = [
    "rejected_record",
    "ambiguous_column",
    "wrong_content",
    "invalid_data",
    "overflow",
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
    "missing_column",
    "unsupported_type",
    "unknown_column",
    "schema_mismatch",
    "unknown_name",
];

/// One cell before it is encoded: a text, an integer, or null.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    /// A civil instant (seconds since 1970-01-01 00:00, UTC+7), written the way the column's
    /// encoding writes instants.
    Time(i64),
}

impl Cell {
    fn text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Int(i) => Some(i.to_string()),
            Cell::Text(s) => Some(s.clone()),
            Cell::Time(t) => chrono::DateTime::from_timestamp(*t, 0)
                .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }
    /// The cell as an integer of the encoding: `per_day` ticks a day, or `per_second` a second
    /// (`utc`: shifted back to UTC, as a zone-aware column stores it).
    fn ticks(&self, per_second: i64, days: bool, utc: bool) -> Option<i64> {
        match self {
            Cell::Null => None,
            Cell::Int(i) => Some(*i),
            Cell::Text(s) => Some(s.chars().map(u32::from).map(i64::from).sum()),
            Cell::Time(t) if days => Some(t.div_euclid(86_400)),
            Cell::Time(t) => Some((t - if utc { 7 * 3600 } else { 0 }) * per_second),
        }
    }
    fn int(&self) -> Option<i64> {
        self.ticks(1, false, false)
    }
}

/// How a column is encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Enc {
    Utf8,
    LargeUtf8,
    Utf8View,
    Dict(u8),
    Int(u8),
    Bool,
    Float,
    Date32,
    Date64,
    Ts(u8, u8),
    Null,
    Binary,
}

const TZ: [Option<&str>; 4] = [None, Some("UTC"), Some("+07:00"), Some("America/New_York")];

fn encode(enc: Enc, cells: &[Cell]) -> ArrayRef {
    let texts: Vec<Option<String>> = cells.iter().map(Cell::text).collect();
    let strs: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
    let ints: Vec<Option<i64>> = cells.iter().map(Cell::int).collect();
    macro_rules! prim {
        ($a:ty, $t:ty) => {
            Arc::new(<$a>::from(
                ints.iter().map(|v| v.map(|x| x as $t)).collect::<Vec<_>>(),
            )) as ArrayRef
        };
    }
    match enc {
        Enc::Utf8 => Arc::new(StringArray::from(strs)),
        Enc::LargeUtf8 => Arc::new(LargeStringArray::from(strs)),
        Enc::Utf8View => Arc::new(StringViewArray::from(strs)),
        Enc::Dict(k) => {
            // values in order of first appearance; some keys null; one unused value
            let mut values: Vec<&str> = Vec::new();
            let mut keys: Vec<Option<i64>> = Vec::new();
            for s in &strs {
                match s {
                    None => keys.push(None),
                    Some(s) => {
                        let i = values.iter().position(|v| v == s).unwrap_or_else(|| {
                            values.push(s);
                            values.len() - 1
                        });
                        keys.push(Some(i as i64));
                    }
                }
            }
            values.push("unused");
            let values: ArrayRef = Arc::new(StringArray::from(values));
            macro_rules! dict {
                ($t:ty, $a:ty, $p:ty) => {{
                    let keys: PrimitiveArray<$t> =
                        <$a>::from(keys.iter().map(|k| k.map(|x| x as $p)).collect::<Vec<_>>());
                    Arc::new(DictionaryArray::<$t>::try_new(keys, values).unwrap()) as ArrayRef
                }};
            }
            match k % 8 {
                0 => dict!(Int8Type, Int8Array, i8),
                1 => dict!(Int16Type, Int16Array, i16),
                2 => dict!(Int32Type, Int32Array, i32),
                3 => dict!(Int64Type, Int64Array, i64),
                4 => dict!(UInt8Type, UInt8Array, u8),
                5 => dict!(UInt16Type, UInt16Array, u16),
                6 => dict!(UInt32Type, UInt32Array, u32),
                _ => dict!(UInt64Type, UInt64Array, u64),
            }
        }
        Enc::Int(k) => match k % 8 {
            0 => prim!(Int8Array, i8),
            1 => prim!(Int16Array, i16),
            2 => prim!(Int32Array, i32),
            3 => prim!(Int64Array, i64),
            4 => prim!(UInt8Array, u8),
            5 => prim!(UInt16Array, u16),
            6 => prim!(UInt32Array, u32),
            _ => prim!(UInt64Array, u64),
        },
        Enc::Bool => Arc::new(BooleanArray::from(
            ints.iter()
                .map(|v| v.map(|x| x % 2 != 0))
                .collect::<Vec<_>>(),
        )),
        Enc::Float => Arc::new(Float64Array::from(
            ints.iter().map(|v| v.map(|x| x as f64)).collect::<Vec<_>>(),
        )),
        Enc::Date32 => {
            let days: Vec<Option<i32>> = cells
                .iter()
                .map(|c| c.ticks(1, true, false).map(|x| x as i32))
                .collect();
            Arc::new(Date32Array::from(days))
        }
        Enc::Date64 => Arc::new(Date64Array::from(
            cells
                .iter()
                .map(|c| c.ticks(1_000, false, false))
                .collect::<Vec<_>>(),
        )),
        Enc::Ts(unit, tz) => {
            let tz = TZ[tz as usize % TZ.len()];
            let utc = tz.is_some();
            let at = |per: i64| {
                cells
                    .iter()
                    .map(|c| c.ticks(per, false, utc))
                    .collect::<Vec<_>>()
            };
            match unit % 4 {
                0 => Arc::new(TimestampSecondArray::from(at(1)).with_timezone_opt(tz)),
                1 => Arc::new(TimestampMillisecondArray::from(at(1_000)).with_timezone_opt(tz)),
                2 => Arc::new(TimestampMicrosecondArray::from(at(1_000_000)).with_timezone_opt(tz)),
                _ => Arc::new(
                    TimestampNanosecondArray::from(at(1_000_000_000)).with_timezone_opt(tz),
                ),
            }
        }
        Enc::Null => Arc::new(NullArray::new(cells.len())),
        Enc::Binary => Arc::new(BinaryArray::from(
            strs.iter()
                .map(|s| s.map(str::as_bytes))
                .collect::<Vec<_>>(),
        )),
    }
}

fn text_enc() -> impl Strategy<Value = Enc> {
    prop_oneof![
        Just(Enc::Utf8),
        Just(Enc::LargeUtf8),
        Just(Enc::Utf8View),
        any::<u8>().prop_map(Enc::Dict),
    ]
}

fn any_enc() -> impl Strategy<Value = Enc> {
    prop_oneof![
        4 => text_enc(),
        2 => any::<u8>().prop_map(Enc::Int),
        1 => Just(Enc::Bool),
        1 => Just(Enc::Float),
        1 => Just(Enc::Date32),
        1 => Just(Enc::Date64),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(u, z)| Enc::Ts(u, z)),
        1 => Just(Enc::Null),
        1 => Just(Enc::Binary),
    ]
}

fn time_enc() -> BoxedStrategy<Enc> {
    prop_oneof![
        3 => (any::<u8>(), any::<u8>()).prop_map(|(u, z)| Enc::Ts(u, z)),
        2 => Just(Enc::Date32),
        1 => Just(Enc::Date64),
        2 => text_enc(),
        1 => Just(Enc::Null),
        1 => any_enc(),
    ]
    .boxed()
}

fn pick(words: &'static [&'static str]) -> impl Strategy<Value = Cell> {
    prop_oneof![
        24 => prop::sample::select(words.to_vec()).prop_map(|s| Cell::Text(s.to_string())),
        2 => Just(Cell::Null),
        1 => ".{0,6}".prop_map(Cell::Text),
        1 => any::<i64>().prop_map(Cell::Int),
    ]
}

const UNITS: &[&str] = &[
    "UBND xã Đắk Sôr",
    "UBND xa\u{0303} \u{110}a\u{306}\u{301}k So\u{302}r",
    "ubnd  XÃ  đắk sôr ",
    "Phòng Tư pháp",
    "Phòng Tư pháp\u{a0}",
    "",
    "  ",
];
const STATUS: &[&str] = &[
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "0",
    "-1",
    "99",
    "refused",
    "processing",
    "Đã trả kết quả",
    "đang xử lý",
    " 10 ",
    "",
];
const CHANNELS: &[&str] = &[
    "1",
    "2",
    "3",
    "4",
    "direct",
    "online",
    "trực tuyến",
    "post",
    "x",
    "",
];
const LEVELS: &[&str] = &[
    "none",
    "partial",
    "full",
    "4",
    "3",
    "toàn trình",
    "mức độ 4",
    "7",
    "",
];
const COUNTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "4294967295",
    "4294967296",
    "-1",
    "two",
    " 1",
];
const FLAGS: &[&str] = &["true", "false", "1", "0", "có", "không", "maybe"];
const TIMES: &[&str] = &[
    "2023-10-16",
    "2023-10-16 09:30:00",
    "2023-10-16T09:30:00",
    "16/10/2023",
    "16/10/2023 09:30",
    "2023-10-15T20:00:00Z",
    "2023-10-16T09:30:00+07:00",
    "31/02/2023",
    "1899-12-31",
    "2200-01-01",
    "9999-12-31",
    "+262143-01-01",
    "",
    " ",
    "yesterday",
    "2023-1-5",
];

/// Time cells: integers that are plausible in several units, extremes, or texts.
fn time_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        // 2022-11 to 2024-03 (the options' windows), in the column's own encoding
        24 => (1_668_000_000i64..1_710_000_000).prop_map(Cell::Time),
        2 => (1_670_000_000_000_000i64..1_720_000_000_000_000).prop_map(Cell::Int), // raw ticks
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, 0, -1, i64::from(i32::MAX), i64::from(i32::MIN)]).prop_map(Cell::Int),
        1 => any::<i64>().prop_map(Cell::Int),
        3 => prop::sample::select(TIMES.to_vec()).prop_map(|s| Cell::Text(s.to_string())),
        4 => Just(Cell::Null),
    ]
}

const COLUMNS: [&str; 15] = [
    "dossier_id",
    "unit",
    "procedure",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "channel",
    "online_service",
    "supplement_requests",
    "synced_to_portal",
    "duration_days",
    "apology_issued",
    "apology_issued_at",
    "rescheduled_due_at",
];

fn cells(k: usize) -> BoxedStrategy<Cell> {
    match COLUMNS[k] {
        "dossier_id" => pick(&["H1", "H2", "Đ-3"]).boxed(),
        "unit" | "procedure" => pick(UNITS).boxed(),
        "received_at" | "due_at" | "finished_at" | "apology_issued_at" | "rescheduled_due_at" => {
            time_cell().boxed()
        }
        "status" => prop_oneof![pick(STATUS), (0i64..12).prop_map(Cell::Int)].boxed(),
        "channel" => pick(CHANNELS).boxed(),
        "online_service" => pick(LEVELS).boxed(),
        "supplement_requests" | "duration_days" => {
            prop_oneof![pick(COUNTS), (0i64..5).prop_map(Cell::Int)].boxed()
        }
        _ => pick(FLAGS).boxed(),
    }
}

fn default_enc(k: usize) -> BoxedStrategy<Enc> {
    match COLUMNS[k] {
        "received_at" | "due_at" | "finished_at" | "apology_issued_at" | "rescheduled_due_at" => {
            time_enc().boxed()
        }
        "status"
        | "channel"
        | "online_service"
        | "supplement_requests"
        | "duration_days"
        | "apology_issued"
        | "synced_to_portal" => {
            prop_oneof![4 => text_enc(), 4 => any::<u8>().prop_map(Enc::Int), 1 => any_enc()]
                .boxed()
        }
        _ => prop_oneof![8 => text_enc(), 1 => any_enc()].boxed(),
    }
}

#[derive(Debug, Clone)]
struct Table {
    /// Present columns: (canonical index, name in the table, encoding).
    columns: Vec<(usize, String, Enc)>,
    /// Per batch, per present column, the cells.
    batches: Vec<Vec<Vec<Cell>>>,
    /// Per batch: slice (offset, len) of the encoded batch, if any.
    slices: Vec<Option<(usize, usize)>>,
    /// A second schema for the last batch (a caller's mistake).
    mismatch: Option<Enc>,
}

fn table() -> impl Strategy<Value = Table> {
    let column =
        (0usize..COLUMNS.len()).prop_flat_map(|k| (Just(k), default_enc(k), any::<bool>()));
    (
        prop::collection::vec(column, 1..10),
        prop::collection::vec(0usize..14, 1..4),
        prop::option::of(any_enc()),
        0u8..8,
    )
        .prop_flat_map(|(cols, sizes, mismatch, mm)| {
            // required columns are usually present
            let mut cols: Vec<(usize, Enc, bool)> = cols;
            cols.push((3, Enc::Ts(2, 0), false));
            cols.push((6, Enc::Utf8, false));
            cols.push((1, Enc::Utf8, false));
            cols.push((2, Enc::Utf8, false));
            let mut seen = Vec::new();
            cols.retain(|c| {
                let new = !seen.contains(&c.0);
                seen.push(c.0);
                new
            });
            let columns: Vec<(usize, String, Enc)> = cols
                .iter()
                .map(|&(k, enc, renamed)| {
                    (
                        k,
                        if renamed {
                            format!("Cột {}", COLUMNS[k])
                        } else {
                            COLUMNS[k].to_string()
                        },
                        enc,
                    )
                })
                .collect();
            let batches: Vec<BoxedStrategy<Vec<Vec<Cell>>>> = sizes
                .iter()
                .map(|&n| {
                    columns
                        .iter()
                        .map(|(k, _, _)| prop::collection::vec(cells(*k), n))
                        .collect::<Vec<_>>()
                        .boxed()
                })
                .collect();
            let slices =
                prop::collection::vec(prop::option::of((0usize..4, 0usize..14)), sizes.len());
            (
                Just(columns),
                batches,
                slices,
                Just(if mm == 0 { mismatch } else { None }),
            )
        })
        .prop_map(|(columns, mut batches, slices, mismatch)| {
            // most rows keep their times in order (due and end after reception); some do not
            let at = |k: usize| columns.iter().position(|c| c.0 == k);
            if let Some(r) = at(3) {
                for batch in &mut batches {
                    for row in 0..batch[r].len() {
                        let Cell::Time(received) = batch[r][row] else {
                            continue;
                        };
                        for (k, span) in [(4usize, 30 * 86_400i64), (5, 40 * 86_400)] {
                            if let Some(c) = at(k) {
                                if let Cell::Time(t) = batch[c][row] {
                                    if t % 8 != 0 {
                                        batch[c][row] = Cell::Time(received + t.rem_euclid(span));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Table {
                columns,
                batches,
                slices,
                mismatch,
            }
        })
}

fn build(t: &Table) -> (Vec<RecordBatch>, ColumnMap) {
    let mut out = Vec::new();
    for (b, cells) in t.batches.iter().enumerate() {
        let last = b + 1 == t.batches.len() && b > 0;
        let arrays: Vec<ArrayRef> = t
            .columns
            .iter()
            .zip(cells)
            .enumerate()
            .map(|(c, ((_, _, enc), cells))| match t.mismatch {
                Some(other) if last && c == 0 => encode(other, cells),
                _ => encode(*enc, cells),
            })
            .collect();
        let fields: Vec<Field> = t
            .columns
            .iter()
            .zip(&arrays)
            .map(|((_, name, _), a)| Field::new(name, a.data_type().clone(), true))
            .collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        let batch = match t.slices[b] {
            Some((off, len)) if off <= batch.num_rows() => {
                let len = len.min(batch.num_rows() - off);
                batch.slice(off, len)
            }
            _ => batch,
        };
        out.push(batch);
    }
    let map = ColumnMap::new(
        t.columns
            .iter()
            .filter(|(k, name, _)| name != COLUMNS[*k])
            .map(|(k, name, _)| (name.clone(), COLUMNS[*k].to_string())),
    )
    .unwrap();
    (out, map)
}

fn options() -> impl Strategy<Value = (ReportOptions, bool)> {
    let g = prop::sample::select(vec![
        None,
        Some(Granularity::Day),
        Some(Granularity::Week),
        Some(Granularity::Month),
        Some(Granularity::Year),
    ]);
    (
        (
            0i64..500,
            prop::option::of(0i64..520),
            prop::option::of(0i64..60),
        ),
        (
            any::<bool>(),
            0u8..4,
            g,
            prop::bool::weighted(0.75),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((as_of, start, back), (activity, key, g, skip, ts, calendar, resched))| {
                let d0 = NaiveDate::from_ymd_opt(2022, 12, 1).unwrap();
                let as_of_day = as_of;
                let as_of = d0 + chrono::Duration::days(as_of);
                // a start after as_of (an invalid period) now and then
                let start = start.map(|s| if s < 510 { s.min(as_of_day) } else { s });
                let o = ReportOptions::end_of_day(as_of)
                    .start(start.map(|s| d0 + chrono::Duration::days(s)))
                    .end(back.map(|b| as_of - chrono::Duration::days(b)))
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
                    .on_error(if skip { OnError::Skip } else { OnError::Raise })
                    .classify(
                        tthc_metrics::ClassifyOptions::default()
                            .comparison(if ts {
                                Comparison::Timestamp
                            } else {
                                Comparison::Date
                            })
                            .due_date(if resched {
                                tthc_metrics::DueDateChoice::Rescheduled
                            } else {
                                tthc_metrics::DueDateChoice::Original
                            }),
                    );
                (o, calendar)
            },
        )
}

fn typed(e: &tthc_arrow::ArrowError) -> Result<(), String> {
    if CODES.contains(&e.code()) {
        Ok(())
    } else {
        Err(format!("unexpected error {}: {e}", e.code()))
    }
}

fn run(t: Table, o: ReportOptions, calendar: bool) -> Result<(), String> {
    let (batches, map) = build(&t);
    let cal = Calendar::vietnam();
    let report = |batches: &[RecordBatch]| {
        if calendar {
            report_batches(batches, &map, &o, Some(&cal))
        } else {
            report_batches(batches, &map, &o, None)
        }
    };
    let result = report(&batches);
    // the encoding of a coded column does not change the report: a dictionary (read through a
    // lookup table over its keys) reports exactly as the same text as plain strings (decoded
    // row by row)
    let coded = |k: usize| {
        matches!(
            COLUMNS[k],
            "unit" | "procedure" | "status" | "channel" | "online_service"
        )
    };
    // (not with a second schema: re-encoding could make it equal to the first)
    if t.mismatch.is_none()
        && t.columns
            .iter()
            .any(|&(k, _, enc)| coded(k) && matches!(enc, Enc::Dict(_)))
    {
        let mut plain = t.clone();
        for (k, _, enc) in &mut plain.columns {
            if coded(*k) && matches!(enc, Enc::Dict(_)) {
                *enc = Enc::Utf8;
            }
        }
        let (plain_batches, _) = build(&plain);
        // errors compare by code (a schema mismatch names the types, which differ)
        let show = |r: &Result<tthc_metrics::Report, tthc_arrow::ArrowError>| match r {
            Ok(r) => format!("{r:?}"),
            Err(e) => e.code().to_string(),
        };
        let (a, b) = (show(&result), show(&report(&plain_batches)));
        if a != b {
            return Err(format!("dictionary and plain strings differ:\n{a}\n{b}"));
        }
    }
    match result {
        Ok(r) => {
            let counted = r.dossiers_in_rows()
                + r.excluded.total()
                + r.rejected.len() as u64
                + r.duplicates.len() as u64;
            if counted != r.inputs {
                return Err(format!("conservation: {counted} != {} inputs", r.inputs));
            }
            let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
            if r.inputs != rows {
                return Err(format!("{} inputs for {rows} rows", r.inputs));
            }
            for row in &r.rows {
                if row.tally.received() + row.tally.carried_over != row.tally.handled() {
                    return Err(format!("row identity: {row:?}"));
                }
            }
            let _ = report_to_batch(
                &r,
                &tthc_arrow::TableOptions::default()
                    .policies(OnTimePolicy::Decision766, OnlinePolicy::Decision766),
            );
            let _ = rejections_to_batch(&r.rejected, &[]);
        }
        Err(e) => typed(&e)?,
    }
    // the data-quality report over the same table
    let q = QualityOptions::new(o.as_of)
        .start(o.start)
        .group_by(o.group_by)
        .comparison(o.classify.comparison);
    match quality_batches(&batches, &map, &q, None) {
        Ok(q) => {
            let total = q.total();
            let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
            if total.records != rows
                || total.records
                    != total.rejected_total() + total.duplicates + total.excluded + total.checked
            {
                return Err(format!("quality conservation: {total:?} for {rows} rows"));
            }
            if q.rejected.len() as u64 != total.rejected_total() {
                return Err(format!(
                    "{} rejections listed, {} counted",
                    q.rejected.len(),
                    total.rejected_total()
                ));
            }
            let _ = quality_to_batch(&q);
        }
        Err(e) => typed(&e)?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_batches_report_or_fail_typed(t in table(), (o, calendar) in options()) {
        let r = guard("report_batches", (t, o, calendar), |(t, o, calendar)| run(t, o, calendar));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

/// The generator reaches the kernel: with a fixed seed, a good share of the tables give reports
/// with rows, and the rest fail with a spread of typed errors (a guard against a generator that
/// only ever exercises the first error path).
#[test]
fn generator_reaches_the_kernel() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = (table(), options());
    let (mut with_rows, mut codes) = (0, std::collections::BTreeMap::new());
    for _ in 0..300 {
        let (t, (o, _)) = strategy.new_tree(&mut runner).unwrap().current();
        let (batches, map) = build(&t);
        match report_batches(&batches, &map, &o, None) {
            Ok(r) if !r.rows.is_empty() => with_rows += 1,
            Ok(r) => {
                let why = if r.inputs == 0 {
                    "ok, no input".to_string()
                } else if r.rejected.len() as u64 == r.inputs {
                    format!(
                        "ok, all rejected ({} {})",
                        r.rejected[0].field,
                        r.rejected[0].reason.code()
                    )
                } else {
                    "ok, all excluded".to_string()
                };
                *codes.entry(why).or_insert(0) += 1;
            }
            Err(e) => *codes.entry(e.code().to_string()).or_insert(0) += 1,
        }
    }
    eprintln!("{with_rows} reports with rows; {codes:?}");
    assert!(with_rows >= 45, "{with_rows} reports with rows; {codes:?}");
}

// ------------------------------------------------------------------ regressions (fuzz findings)

fn i8_status_table(n: usize, status: i8) -> RecordBatch {
    let ids: DictionaryArray<Int32Type> = (0..n)
        .map(|i| format!("H{i}"))
        .collect::<Vec<_>>()
        .iter()
        .map(String::as_str)
        .collect();
    RecordBatch::try_from_iter([
        ("dossier_id", Arc::new(ids) as ArrayRef),
        (
            "unit",
            Arc::new(StringArray::from(vec!["Phòng Y tế"; n])) as ArrayRef,
        ),
        (
            "received_at",
            Arc::new(Date32Array::from(vec![19_600; n])) as ArrayRef,
        ),
        (
            "status",
            Arc::new(Int8Array::from(vec![status; n])) as ArrayRef,
        ),
    ])
    .unwrap()
}

/// Rejecting every row of a table whose bad column is integer-coded (or whose ids are a
/// dictionary) decoded the whole column again for every rejection message: quadratic, a hang
/// on a real export with a status code outside 1-10 in every row.
#[test]
fn regression_rejecting_every_row_is_linear() {
    let n = 200_000;
    let batch = i8_status_table(n, 99);
    let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())
        .on_error(OnError::Skip);
    let t = std::time::Instant::now();
    let r = guard("all rows rejected", (), move |()| {
        report_batches(&[batch], &ColumnMap::default(), &o, None).unwrap()
    });
    assert_eq!(r.rejected.len(), n);
    assert_eq!(
        (
            r.rejected[n - 1].dossier_id.as_str(),
            r.rejected[n - 1].value.as_str()
        ),
        ("H199999", "99")
    );
    assert!(
        t.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        t.elapsed()
    );
}

/// A later batch with fewer columns than the first made the adapter index a column that is not
/// there (a panic); now a typed error that names both schemas.
#[test]
fn regression_batches_with_different_schemas_are_a_typed_error() {
    let a = i8_status_table(2, 4);
    let b = a.project(&[1, 2, 3]).unwrap();
    let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
    let err = report_batches(&[a, b], &ColumnMap::default(), &o, None).unwrap_err();
    assert_eq!(err.code(), "schema_mismatch");
    assert!(
        err.to_string()
            .starts_with("batch 1 has the columns [unit: Utf8, received_at: Date32, status: Int8]"),
        "{err}"
    );
}

/// A wrongly mapped column rejects every row: with `on_error="skip"` the list of rejected records
/// is bounded by the memory limit instead of growing without end.
#[test]
fn regression_rejections_of_a_huge_table_stop_at_the_memory_limit() {
    let batch = i8_status_table(50_000, 0);
    let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())
        .on_error(OnError::Skip)
        .memory_limit(4 << 20);
    let err = report_batches(&[batch], &ColumnMap::default(), &o, None).unwrap_err();
    assert_eq!(err.code(), "memory_limit");
    assert!(
        err.to_string()
            .starts_with("the list of 50,000 more rejected records"),
        "{err}"
    );
}
