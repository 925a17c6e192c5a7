//! Coded columns (status, channel, online level, unit) read through a lookup table over the
//! Arrow buffer instead of being decoded row by row: the kernel borrows the integers (or a
//! dictionary's keys) and maps each through a table built once per batch.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use rustc_hash::FxHashMap;
use tthc_metrics::columnar::{CodeValues, Codes};
use tthc_metrics::RejectReason;

use crate::ArrowError;

/// One cell of a coded column as a decoder sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

/// Largest integer code a table is built for (a table entry per value up to the largest).
const MAX_TABLE: u64 = 1 << 16;

/// A batch's coded column as the kernel will read it.
pub(crate) enum CodeSource<T> {
    /// Decoded, one value a row.
    Owned(Vec<T>),
    /// The batch's own integers (or dictionary keys) in column `column`, read through `map`.
    Mapped { column: usize, map: Vec<T> },
    /// A plain string column interned: an id a row (0 for null), read through `map`.
    Interned { ids: Vec<u32>, map: Vec<T> },
}

macro_rules! codes_of {
    ($t:ty, $variant:ident) => {
        impl CodeSource<$t> {
            /// The kernel's view of the column in `batch`.
            pub(crate) fn codes<'a>(&'a self, batch: &'a RecordBatch) -> Codes<'a, $t> {
                match self {
                    Self::Owned(v) => Codes::new(CodeValues::$variant(v)),
                    Self::Mapped { column, map } => {
                        let values = code_values(batch.column(*column).as_ref())
                            .unwrap_or(CodeValues::$variant(&[]));
                        Codes::mapped(values, map)
                    }
                    Self::Interned { ids, map } => Codes::mapped(CodeValues::U32(ids), map),
                }
            }
        }
    };
}
codes_of!(u8, U8);
codes_of!(u32, U32);

/// The raw integers of an integer column, or of a dictionary's keys, borrowed.
pub(crate) fn code_values(array: &dyn Array) -> Option<CodeValues<'_>> {
    let a = match array.as_any_dictionary_opt() {
        Some(d) => d.keys(),
        None => array,
    };
    macro_rules! try_width {
        ($($t:ty => $v:ident),*) => {
            $(
                if let Some(p) = a.as_primitive_opt::<$t>() {
                    return Some(CodeValues::$v(p.values()));
                }
            )*
        };
    }
    try_width!(
        Int8Type => I8, UInt8Type => U8, Int16Type => I16, UInt16Type => U16,
        Int32Type => I32, UInt32Type => U32, Int64Type => I64, UInt64Type => U64
    );
    None
}

/// The smallest and largest index any row reads (each value as the unsigned integer of its
/// width, as `Codes` reads it); `None` for an empty column. Reduced in the native width so that
/// the loop vectorises.
fn index_range(values: CodeValues<'_>) -> Option<(u64, u64)> {
    macro_rules! range {
        ($v:expr, $u:ty) => {{
            if $v.is_empty() {
                return None;
            }
            let (mut lo, mut hi) = (<$u>::MAX, <$u>::MIN);
            for &x in $v {
                let x = x as $u;
                lo = lo.min(x);
                hi = hi.max(x);
            }
            Some((u64::from(lo), u64::from(hi)))
        }};
    }
    match values {
        CodeValues::U8(v) => range!(v, u8),
        CodeValues::I8(v) => range!(v, u8),
        CodeValues::U16(v) => range!(v, u16),
        CodeValues::I16(v) => range!(v, u16),
        CodeValues::U32(v) => range!(v, u32),
        CodeValues::I32(v) => range!(v, u32),
        CodeValues::U64(v) => range!(v, u64),
        CodeValues::I64(v) => range!(v, u64),
    }
}

/// A bad value found while mapping: (row, field order, field, reason), as the adapter collects
/// them.
pub(crate) type Bad = (usize, u8, &'static str, RejectReason);

/// Reads a coded column through a lookup table where its encoding allows: 8-bit integers (a
/// table of 256 entries), other non-negative integers below 65,536 (a table up to the largest
/// value) and dictionaries with integer keys (a table over the dictionary's values). `f` is
/// evaluated once per table entry; rows whose value has no code (and null rows, when `f` rejects
/// a null) go to `bad` with their reason, so the kernel must skip them. The table maps those
/// values to `invalid`.
///
/// `Ok(None)` when the column must be decoded row by row instead: plain strings, booleans,
/// negative or large integers, or nulls that have a meaning of their own (a null channel is
/// direct submission).
/// The lookup tables of a column's 8-bit integer codes (`f` of each of the 256 values), built
/// on the first batch that needs one and kept for the others: a table of many small batches (a
/// CSV read in 1 MB blocks) paid 256 decodes of each coded column in every batch.
pub(crate) struct ByteTables<T> {
    unsigned: Option<Vec<Result<T, RejectReason>>>,
    signed: Option<Vec<Result<T, RejectReason>>>,
}

impl<T> Default for ByteTables<T> {
    fn default() -> Self {
        Self {
            unsigned: None,
            signed: None,
        }
    }
}

pub(crate) fn borrow_codes<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    invalid: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
    bytes: &mut ByteTables<T>,
) -> Result<Option<Vec<T>>, ArrowError> {
    let Some(values) = code_values(array) else {
        return Ok(None);
    };
    let null = f(Value::Null);
    let null_reason = match null {
        Err(reason) => reason,
        // a null with a meaning of its own: the kernel cannot tell it from the slot's value
        Ok(_) if array.null_count() > 0 => return Ok(None),
        Ok(_) => RejectReason::Missing,
    };
    let range = index_range(values);
    let table: Vec<Result<T, RejectReason>> = if let Some(d) = array.as_any_dictionary_opt() {
        let mut t = Vec::with_capacity(d.values().len());
        decode_values(d.values().as_ref(), field, f, &mut t)?;
        t
    } else {
        match values {
            CodeValues::U8(_) => bytes
                .unsigned
                .get_or_insert_with(|| (0..256).map(|x| f(Value::Int(x))).collect())
                .clone(),
            CodeValues::I8(_) => bytes
                .signed
                .get_or_insert_with(|| {
                    (0u8..=255)
                        .map(|b| f(Value::Int(i64::from(b as i8))))
                        .collect()
                })
                .clone(),
            _ => match range {
                Some((_, hi)) if hi < MAX_TABLE => {
                    (0..=hi as i64).map(|x| f(Value::Int(x))).collect()
                }
                // negative or large integers: decoded row by row
                Some(_) => return Ok(None),
                None => Vec::new(),
            },
        }
    };
    let map: Vec<T> = table.iter().map(|r| r.unwrap_or(invalid)).collect();
    // rows to look at one by one: only when a value in the rows' range has no code
    let needs_scan = range.is_some_and(|(lo, hi)| {
        hi >= table.len() as u64 || table[lo as usize..=hi as usize].iter().any(Result::is_err)
    });
    let nulls = array.nulls();
    if needs_scan {
        let reason_of = |idx: u64| -> Option<RejectReason> {
            match usize::try_from(idx).ok().and_then(|k| table.get(k)) {
                Some(Ok(_)) => None,
                Some(Err(reason)) => Some(*reason),
                None => Some(null_reason),
            }
        };
        macro_rules! scan {
            ($v:expr, $to:expr) => {
                for (i, &x) in $v.iter().enumerate() {
                    if nulls.is_some_and(|n| n.is_null(i)) {
                        continue;
                    }
                    if let Some(reason) = reason_of($to(x)) {
                        bad.push((i, order, field, reason));
                    }
                }
            };
        }
        match values {
            CodeValues::U8(v) => scan!(v, u64::from),
            CodeValues::I8(v) => scan!(v, |x: i8| u64::from(x as u8)),
            CodeValues::U16(v) => scan!(v, u64::from),
            CodeValues::I16(v) => scan!(v, |x: i16| u64::from(x as u16)),
            CodeValues::U32(v) => scan!(v, u64::from),
            CodeValues::I32(v) => scan!(v, |x: i32| u64::from(x as u32)),
            CodeValues::U64(v) => scan!(v, |x: u64| x),
            CodeValues::I64(v) => scan!(v, |x: i64| x as u64),
        }
    }
    // null rows (a null key, or a key to a null dictionary value counts through the table)
    if let Some(n) = array.nulls().filter(|n| n.null_count() > 0) {
        bad.extend(
            n.iter()
                .enumerate()
                .filter(|&(_, valid)| !valid)
                .map(|(i, _)| (i, order, field, null_reason)),
        );
    }
    Ok(Some(map))
}

/// Rows of a plain string column above which it is interned by all cores.
const PARALLEL_STRINGS: usize = 1 << 16;

thread_local! {
    /// The most threads interning may use on this thread's call (0: the machine's cores): set by
    /// [`ThreadLimit`] for the duration of a decode.
    static MAX_THREADS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Limits the threads string interning uses while it lives (the call's budget says how many).
pub(crate) struct ThreadLimit(usize);

impl ThreadLimit {
    pub(crate) fn new(threads: usize) -> Self {
        Self(MAX_THREADS.with(|m| m.replace(threads)))
    }
}

impl Drop for ThreadLimit {
    fn drop(&mut self) {
        MAX_THREADS.with(|m| m.set(self.0));
    }
}

/// The parts `n` strings are split into, one a thread: the machine's cores (up to 8, and up to
/// the call's limit) from [`PARALLEL_STRINGS`] rows, else one.
pub(crate) fn string_parts(n: usize) -> usize {
    if n < PARALLEL_STRINGS {
        return 1;
    }
    let machine = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(8);
    match MAX_THREADS.with(std::cell::Cell::get) {
        0 => machine,
        limit => machine.min(limit),
    }
}

/// Interns a plain string column (`Utf8`, `LargeUtf8`, `Utf8View`): an id a row (0 for null,
/// then distinct values in row order of first appearance) and a table of `f`'s result per id,
/// `f` evaluated once per distinct value in that order (the order group codes are given in).
/// Parts of the rows are hashed on all cores; the ids are the only per-row memory (4 bytes a
/// row), and the kernel reads them through the table like a dictionary's keys. Rows whose value
/// has no code go to `bad`. `None` for other types.
pub(crate) fn intern_strings<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    invalid: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Option<(Vec<u32>, Vec<T>)> {
    let (ids, table) = string_ids(array, f)?;
    if table.iter().any(Result::is_err) {
        for (i, &id) in ids.iter().enumerate() {
            if let Err(reason) = table[id as usize] {
                bad.push((i, order, field, reason));
            }
        }
    }
    let map = table.iter().map(|r| r.unwrap_or(invalid)).collect();
    Some((ids, map))
}

/// Interned strings: an id a row and the result for each id.
pub(crate) type Interned<T> = (Vec<u32>, Vec<Result<T, RejectReason>>);

/// [`intern_ids`] of a plain string column of any of Arrow's three string types; `None` for
/// other types.
pub(crate) fn string_ids<T: Copy>(
    array: &dyn Array,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Option<Interned<T>> {
    if let Some(s) = array.as_string_opt::<i32>() {
        return Some(intern_ids(
            s.len(),
            |i| (!s.is_null(i)).then(|| s.value(i)),
            f,
        ));
    }
    if let Some(s) = array.as_string_opt::<i64>() {
        return Some(intern_ids(
            s.len(),
            |i| (!s.is_null(i)).then(|| s.value(i)),
            f,
        ));
    }
    if let Some(s) = array.as_string_view_opt() {
        return Some(intern_ids(
            s.len(),
            |i| (!s.is_null(i)).then(|| s.value(i)),
            f,
        ));
    }
    None
}

/// The ids of `n` strings (`value(i)`, `None` for null: id 0) and `f`'s result per id, `f`
/// evaluated once per distinct value in row order of first appearance.
pub(crate) fn intern_ids<'a, T: Copy, V>(
    n: usize,
    value: V,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Interned<T>
where
    V: Fn(usize) -> Option<&'a str> + Sync,
{
    // one part: ids from 1 in the part's own order of first appearance; FxHash, since a string
    // a row is hashed and SipHash's resistance to chosen keys buys nothing against a table's
    // own values
    let part = |ids: &mut [u32], lo: usize| -> Vec<&'a str> {
        let mut seen: FxHashMap<&'a str, u32> = FxHashMap::default();
        let mut distinct: Vec<&'a str> = Vec::new();
        let mut last: Option<(&'a str, u32)> = None;
        for (k, id) in ids.iter_mut().enumerate() {
            *id = match value(lo + k) {
                None => 0,
                Some(s) => match last {
                    Some((l, id)) if l == s => id,
                    _ => {
                        let id = *seen.entry(s).or_insert_with(|| {
                            distinct.push(s);
                            distinct.len() as u32
                        });
                        last = Some((s, id));
                        id
                    }
                },
            };
        }
        distinct
    };
    let mut ids = vec![0u32; n];
    let parts = string_parts(n);
    let per = n.div_ceil(parts).max(1);
    let part = &part;
    // one part: no thread (a table of many small batches would pay a spawn per column per batch)
    let distinct: Vec<Vec<&'a str>> = if parts == 1 {
        vec![part(&mut ids, 0)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = ids
                .chunks_mut(per)
                .enumerate()
                .map(|(k, chunk)| scope.spawn(move || part(chunk, k * per)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    // the table: id 0 is null, then the first part's values, then each later part's new ones
    let mut table: Vec<Result<T, RejectReason>> = vec![f(Value::Null)];
    let mut slice_id: FxHashMap<&'a str, u32> = FxHashMap::default();
    for (k, values) in distinct.iter().enumerate() {
        let remap: Vec<u32> = std::iter::once(0)
            .chain(values.iter().map(|s| {
                *slice_id.entry(s).or_insert_with(|| {
                    table.push(f(Value::Text(s)));
                    (table.len() - 1) as u32
                })
            }))
            .collect();
        // the first part's ids are the table's already
        if k > 0 {
            let lo = k * per;
            for id in &mut ids[lo..(lo + per).min(n)] {
                *id = remap[*id as usize];
            }
        }
    }
    (ids, table)
}

/// Decodes a coded column into one value a row, evaluating `f` once per distinct value where the
/// encoding allows (dictionary values; interned strings; a table for 8-bit integers). A bad value
/// takes `default` and is recorded in `bad` with its row, the field's order (which rejection a
/// row with several bad fields reports) and the reason.
pub(crate) fn decode<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    default: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Vec<T>, ArrowError> {
    let n = array.len();
    let mut out = vec![default; n];
    let mut put = |i: usize, r: Result<T, RejectReason>, out: &mut Vec<T>| match r {
        Ok(v) => out[i] = v,
        Err(reason) => bad.push((i, order, field, reason)),
    };
    if let Some(d) = array.as_any_dictionary_opt() {
        let values = d.values();
        let mut lut: Vec<Result<T, RejectReason>> = Vec::with_capacity(values.len());
        decode_values(values.as_ref(), field, f, &mut lut)?;
        let null = f(Value::Null);
        let keys = crate::decode::dictionary_keys(d);
        for (i, &key) in keys.iter().enumerate() {
            let r = if array.is_null(i) {
                null
            } else {
                lut.get(key).copied().unwrap_or(null)
            };
            put(i, r, &mut out);
        }
        return Ok(out);
    }
    let mut rows: Vec<Result<T, RejectReason>> = Vec::with_capacity(n);
    decode_values(array, field, f, &mut rows)?;
    for (i, r) in rows.into_iter().enumerate() {
        put(i, r, &mut out);
    }
    Ok(out)
}

pub(crate) fn unsupported(array: &dyn Array, field: &str) -> ArrowError {
    ArrowError::UnsupportedType {
        column: field.to_string(),
        data_type: array.data_type().to_string(),
        expected: "text or integers",
    }
}

/// `f` of every row of a non-dictionary array (strings through their interned ids).
pub(crate) fn decode_values<T: Copy>(
    array: &dyn Array,
    field: &str,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
    out: &mut Vec<Result<T, RejectReason>>,
) -> Result<(), ArrowError> {
    if let Some((ids, table)) = string_ids(array, f) {
        out.extend(ids.iter().map(|&id| table[id as usize]));
    } else if let Some(b) = array.as_boolean_opt() {
        out.extend(
            b.iter()
                .map(|v| f(v.map_or(Value::Null, |x| Value::Int(i64::from(x))))),
        );
    } else if *array.data_type() == DataType::Null {
        let null = f(Value::Null);
        out.extend(std::iter::repeat_n(null, array.len()));
    } else if let Some(p) = array.as_primitive_opt::<arrow_array::types::Float64Type>() {
        // integral floats (pandas turns an integer column with gaps into float64)
        out.extend(p.iter().map(|v| match v {
            None => f(Value::Null),
            Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => f(Value::Int(x as i64)),
            Some(_) => Err(RejectReason::Unreadable),
        }));
    } else {
        let v = ints(array, f).ok_or_else(|| unsupported(array, field))?;
        out.extend(v);
    }
    Ok(())
}

macro_rules! int_values {
    ($array:expr, $f:expr, $($t:ty),*) => {{
        let a: &dyn Array = $array;
        $(
            if let Some(p) = a.as_primitive_opt::<$t>() {
                return Some((0..p.len()).map(|i| if p.is_null(i) { $f(Value::Null) } else { $f(Value::Int(p.value(i) as i64)) }).collect());
            }
        )*
        None
    }};
}

/// `f` of every row of an integer array (`u64` values above `i64::MAX` read as negative: never a
/// code of anything).
#[allow(clippy::cast_lossless)] // one macro over every integer type
pub(crate) fn ints<T>(array: &dyn Array, f: &mut dyn FnMut(Value<'_>) -> T) -> Option<Vec<T>> {
    int_values!(
        array, f, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
        UInt64Type
    )
}
