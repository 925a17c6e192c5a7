//! The Arrow adapter's decode of the text columns users hand over: a plain-string unit column
//! (`Utf8View`, as a polars `String` column arrives, and `Utf8`), of short names (18 to 29
//! bytes, "UBND xã …") and of long ones (69 to 87 bytes, "Ủy ban nhân dân xã …, huyện …, tỉnh
//! …"), and three text time columns `dd/MM/yyyy HH:mm:ss` (distinct date-times). 40 units in
//! random order; status as integer codes (not what is timed). One core: string interning and the
//! time parse split rows over the machine's cores, and `taskset -c 1` gives the per-core figure.
//!
//! Each bench checks its result before timing: every row decoded, none rejected, the 40 unit
//! names found, and (times) the first row's time equal to chrono's reading of its text.
//!
//! Under `cargo test --benches` (no `--bench` flag) criterion runs each once on 100k rows.

use std::hint::black_box;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int8Array, RecordBatch, StringArray, StringViewArray};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tthc_arrow::{decode_batches, ColumnMap, DecodeOptions, Decoded};
use tthc_metrics::MemoryBudget;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn rows() -> usize {
    if full_run() {
        10_000_000
    } else {
        100_000
    }
}

/// A xorshift stream: the rows' random choices, the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// 40 unit names, short (commune names) or long (with district and province).
fn names(long: bool) -> Vec<String> {
    let places = ["Đắk Som", "Nam Đà", "Thuận Hạnh", "Quảng Tín Lớn"];
    (0..40)
        .map(|k| {
            let place = places[k % 4];
            if long {
                format!("Ủy ban nhân dân xã {place} {k}, huyện Krông Nô, tỉnh Đắk Nông")
            } else {
                format!("UBND xã {place} {k}")
            }
        })
        .collect()
}

/// `n` local date-times within 2021-2023, as text and as chrono reads it.
fn times(n: usize, rng: &mut Rng) -> Vec<String> {
    let start = chrono::NaiveDate::from_ymd_opt(2021, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (0..n)
        .map(|_| {
            let t = start + chrono::Duration::seconds((rng.next() % (3 * 365 * 86_400)) as i64);
            t.format("%d/%m/%Y %H:%M:%S").to_string()
        })
        .collect()
}

/// A batch of `n` rows: the unit as `view` (or `Utf8`) strings, reception (and, with
/// `text_times`, due date and end) as text, status codes.
fn batch(n: usize, long: bool, view: bool, text_times: bool) -> RecordBatch {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let names = names(long);
    let units: Vec<&str> = (0..n)
        .map(|_| names[(rng.next() % 40) as usize].as_str())
        .collect();
    let unit: ArrayRef = if view {
        Arc::new(StringViewArray::from(units))
    } else {
        Arc::new(StringArray::from(units))
    };
    let text = |rng: &mut Rng| -> ArrayRef {
        let t = times(n, rng);
        Arc::new(StringViewArray::from(
            t.iter().map(String::as_str).collect::<Vec<_>>(),
        ))
    };
    let mut columns = vec![
        ("unit", unit),
        ("received_at", text(&mut rng)),
        (
            "status",
            Arc::new(Int8Array::from(vec![1i8; n])) as ArrayRef,
        ),
    ];
    if text_times {
        columns.push(("due_at", text(&mut rng)));
        columns.push(("finished_at", text(&mut rng)));
    }
    RecordBatch::try_from_iter(columns).unwrap()
}

fn decode(b: &RecordBatch) -> Decoded {
    decode_batches(
        std::slice::from_ref(b),
        &ColumnMap::default(),
        &DecodeOptions::default(),
        &mut MemoryBudget::new(1 << 36),
    )
    .unwrap()
}

/// Every row decoded, none rejected, the 40 names found.
fn check(b: &RecordBatch, d: &Decoded, long: bool) {
    assert_eq!(d.inputs(), b.num_rows() as u64);
    assert!(d.rejected().is_empty(), "{:?}", &d.rejected()[..1]);
    let labels = d.name_table("unit").unwrap().labels();
    assert_eq!(labels.len(), 41); // the empty name, then the 40
    let mut want = names(long);
    want.sort();
    let mut got: Vec<String> = labels[1..].to_vec();
    got.sort();
    assert_eq!(got, want);
}

fn bench(c: &mut Criterion) {
    let n = rows();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    for (name, long, view, text_times) in [
        ("unit_view_short", false, true, false),
        ("unit_view_long", true, true, false),
        ("unit_utf8_short", false, false, false),
        ("three_text_times", false, true, true),
    ] {
        let b = batch(n, long, view, text_times);
        let d = decode(&b);
        check(&b, &d, long);
        if text_times {
            // the first row's reception, as chrono reads its text
            let text = b
                .column(1)
                .as_any()
                .downcast_ref::<StringViewArray>()
                .unwrap();
            let want = chrono::NaiveDateTime::parse_from_str(text.value(0), "%d/%m/%Y %H:%M:%S")
                .unwrap()
                .and_utc()
                .timestamp();
            let columns = d.columns();
            assert_eq!(columns[0].received.local_seconds(0), Some(want));
        }
        drop(d);
        group.bench_function(BenchmarkId::new(name, n), |bench| {
            bench.iter(|| black_box(decode(&b)));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
