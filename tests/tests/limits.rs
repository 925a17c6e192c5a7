//! What the Arrow adapter and the kernel allocate per input row, measured with a counting
//! allocator (this test binary only), and checked against what the adapter plans before it
//! allocates (`limits::plan` in tthc-arrow). The figures are quoted in DESIGN.md ("Memory").
//!
//! Building the text tables takes a minute in a debug build, so the test runs in release builds
//! only (`make fuzz`; or `cargo test --release -p tthc-metrics-tests --test limits -- --nocapture`,
//! which prints the figures).
#![allow(unsafe_code)] // a counting global allocator

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::types::Int16Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Int8Array, RecordBatch, StringArray, TimestampMicrosecondArray,
    UInt8Array,
};
use chrono::NaiveDate;
use tthc_arrow::{report_batches, ColumnMap};
use tthc_metrics::{report, OnError, ReportOptions};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size
                    - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Peak bytes allocated by `f` beyond what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

const N: usize = 1 << 20;

fn micros(i: usize) -> i64 {
    // 2023-01-01 plus i minutes, in microseconds
    (1_672_531_200 + (i as i64 % 400_000) * 60) * 1_000_000
}

/// Native encodings: timestamps, integer status, dictionary units.
fn native() -> RecordBatch {
    let units: DictionaryArray<Int16Type> = (0..N)
        .map(|i| ["UBND xã Nam Đà", "Phòng Tư pháp", "UBND xã Đắk Sôr"][i % 3])
        .collect();
    RecordBatch::try_from_iter([
        ("unit", Arc::new(units) as ArrayRef),
        (
            "received_at",
            Arc::new(TimestampMicrosecondArray::from(
                (0..N).map(micros).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "due_at",
            Arc::new(TimestampMicrosecondArray::from(
                (0..N)
                    .map(|i| micros(i) + 864_000_000_000)
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "finished_at",
            Arc::new(TimestampMicrosecondArray::from(
                (0..N)
                    .map(|i| (i % 2 == 0).then(|| micros(i) + 86_400_000_000))
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "status",
            Arc::new(Int8Array::from(
                (0..N)
                    .map(|i| if i % 2 == 0 { 10 } else { 4 })
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "channel",
            Arc::new(UInt8Array::from(
                (0..N).map(|i| (i % 3) as u8 + 1).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "supplement_requests",
            Arc::new(UInt8Array::from(
                (0..N).map(|i| (i % 3) as u8).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

/// Everything as text, as a CSV read without types gives it.
fn text() -> RecordBatch {
    let t = |i: usize, days: i64| {
        chrono::DateTime::from_timestamp(micros(i) / 1_000_000 + days * 86_400, 0)
            .unwrap()
            .naive_utc()
            .format("%d/%m/%Y %H:%M")
            .to_string()
    };
    RecordBatch::try_from_iter([
        (
            "unit",
            Arc::new(StringArray::from(
                (0..N)
                    .map(|i| ["UBND xã Nam Đà", "Phòng Tư pháp"][i % 2])
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "received_at",
            Arc::new(StringArray::from(
                (0..N).map(|i| t(i, 0)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "due_at",
            Arc::new(StringArray::from(
                (0..N).map(|i| t(i, 10)).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "finished_at",
            Arc::new(StringArray::from(
                (0..N)
                    .map(|i| (i % 2 == 0).then(|| t(i, 1)))
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "status",
            Arc::new(StringArray::from(
                (0..N)
                    .map(|i| if i % 2 == 0 { "10" } else { "4" })
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ])
    .unwrap()
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in debug builds: `make fuzz` runs it in release"
)]
fn bytes_per_row_of_the_adapter_and_the_records_path() {
    let o =
        ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).granularity(None);
    let mut lines = Vec::new();
    // (name, table, bytes a row kept, text time columns); the adapter plans rows × kept bytes
    // plus 40 bytes a row of the widest slice (1 Mi rows) for the decoding
    for (name, batch, kept) in [
        ("native (timestamps, ints, dictionary)", native(), 16.0),
        ("text (3 text time columns)", text(), 16.0 + 3.0 * 9.0),
    ] {
        for parts in [1usize, 3] {
            let table = if parts == 1 {
                batch.clone()
            } else {
                concat_batches(&vec![batch.clone(); parts])
            };
            let rows = table.num_rows();
            let (r, peak) =
                peak_of(|| report_batches(&[table], &ColumnMap::default(), &o, None).unwrap());
            assert_eq!(r.inputs, rows as u64);
            let planned = kept * rows as f64 + 40.0 * rows.min(N) as f64;
            lines.push(format!(
                "report_batches, {name}, one batch of {rows} rows: {:.1} bytes/row at peak (planned {:.1})",
                peak as f64 / rows as f64,
                planned / rows as f64
            ));
            assert!(
                peak as f64 <= planned,
                "{name}: {peak} bytes > planned {planned}"
            );
        }
    }
    // records: the conversion to columns (40 bytes a row, planned) and the kernel
    let ds = tthc_sample::synthetic(N, 40, 3);
    let (_, peak) = peak_of(|| report(&ds, &o.clone().on_error(OnError::Skip)).unwrap());
    let per_row = peak as f64 / N as f64;
    lines.push(format!(
        "report(&[Dossier]): {per_row:.1} bytes/row at peak (planned 40)"
    ));
    assert!(per_row <= 42.0, "{per_row}");
    eprintln!("{}", lines.join("\n"));
}

/// One batch from several with the same schema (arrow-select is not a dependency: concatenate the
/// columns by hand).
fn concat_batches(batches: &[RecordBatch]) -> RecordBatch {
    let schema = batches[0].schema();
    let columns: Vec<ArrayRef> = (0..schema.fields().len())
        .map(|c| {
            let parts: Vec<&dyn arrow_array::Array> =
                batches.iter().map(|b| b.column(c).as_ref()).collect();
            concat(&parts)
        })
        .collect();
    RecordBatch::try_new(schema, columns).unwrap()
}

fn concat(parts: &[&dyn arrow_array::Array]) -> ArrayRef {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int8Type, TimestampMicrosecondType, UInt8Type};
    let first = parts[0];
    match first.data_type() {
        arrow_schema::DataType::Timestamp(..) => Arc::new(TimestampMicrosecondArray::from(
            parts
                .iter()
                .flat_map(|p| p.as_primitive::<TimestampMicrosecondType>().iter())
                .collect::<Vec<_>>(),
        )),
        arrow_schema::DataType::Int8 => Arc::new(Int8Array::from(
            parts
                .iter()
                .flat_map(|p| p.as_primitive::<Int8Type>().iter())
                .collect::<Vec<_>>(),
        )),
        arrow_schema::DataType::UInt8 => Arc::new(UInt8Array::from(
            parts
                .iter()
                .flat_map(|p| p.as_primitive::<UInt8Type>().iter())
                .collect::<Vec<_>>(),
        )),
        arrow_schema::DataType::Utf8 => Arc::new(StringArray::from(
            parts
                .iter()
                .flat_map(|p| p.as_string::<i32>().iter())
                .collect::<Vec<_>>(),
        )),
        _ => {
            let d = |p: &&dyn arrow_array::Array| {
                let d = p.as_dictionary::<Int16Type>();
                let v = d.values().as_string::<i32>();
                d.keys()
                    .iter()
                    .map(|k| k.map(|k| v.value(k as usize).to_string()))
                    .collect::<Vec<_>>()
            };
            let all: Vec<Option<String>> = parts.iter().flat_map(d).collect();
            let dict: DictionaryArray<Int16Type> = all.iter().map(|s| s.as_deref()).collect();
            Arc::new(dict)
        }
    }
}
