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

use crate::intern::Interner;
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
pub(crate) fn index_range(values: CodeValues<'_>) -> Option<(u64, u64)> {
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

/// The lookup tables of a column's 8-bit integer codes (`f` of each of the 256 values), built
/// on the first batch that needs one and kept for the others: a table of many small batches (a
/// CSV read in 1 MB blocks) paid 256 decodes of each coded column in every batch.
///
/// `used_only`: the column's decoder registers what it sees (a names coder gives every value
/// a group, and every group costs a row of the report's cells table), so a table larger than
/// [`USED_ONLY_ABOVE`] and than the batch is not built over values no row uses.
pub(crate) struct ByteTables<T> {
    unsigned: Option<Vec<Result<T, RejectReason>>>,
    signed: Option<Vec<Result<T, RejectReason>>>,
    used_only: bool,
}

impl<T> Default for ByteTables<T> {
    fn default() -> Self {
        Self {
            unsigned: None,
            signed: None,
            used_only: false,
        }
    }
}

impl<T> ByteTables<T> {
    /// The tables of a column whose decoder registers what it sees (see [`ByteTables`]).
    pub(crate) fn used_only() -> Self {
        Self {
            used_only: true,
            ..Self::default()
        }
    }
}

/// Table size up to which a `used_only` column's table is built over every value (the byte
/// tables, a small dictionary): the groups no row uses cost at most this many cells rows.
pub(crate) const USED_ONLY_ABOVE: usize = 256;

/// Which of a dictionary's `size` values the non-null rows' keys point at.
fn used_keys(
    keys: CodeValues<'_>,
    nulls: Option<&arrow_buffer::NullBuffer>,
    size: usize,
) -> Vec<bool> {
    let mut used = vec![false; size];
    for i in 0..keys.len() {
        if nulls.is_some_and(|n| n.is_null(i)) {
            continue;
        }
        if let Some(k) = keys.get(i).and_then(|k| usize::try_from(k).ok()) {
            if let Some(u) = used.get_mut(k) {
                *u = true;
            }
        }
    }
    used
}

/// Reads a coded column through a lookup table where its encoding allows: 8-bit integers (a
/// table of 256 entries), other non-negative integers below 65,536 (a table up to the largest
/// value) and dictionaries with integer keys (a table over the dictionary's values). `f` is
/// evaluated once per table entry; rows whose value has no code (and null rows, when `f` rejects
/// a null) go to `bad` with their reason, so the kernel must skip them. The table maps those
/// values to `invalid`.
///
/// `Ok(None)` when the column must be decoded row by row instead: plain strings, booleans,
/// negative or large integers, or nulls that have a meaning of their own (a null channel is
/// direct submission), and a `used_only` column's integers far above its rows' count (see
/// [`ByteTables`]).
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
    let sparse = |size: usize| bytes.used_only && size > USED_ONLY_ABOVE.max(array.len());
    let table: Vec<Result<T, RejectReason>> = if let Some(d) = array.as_any_dictionary_opt() {
        let dict = d.values();
        if sparse(dict.len()) && crate::text::is_text(dict.data_type()) {
            // a dictionary larger than the batch (a categorical filtered to a few rows): only
            // the values rows use (validated in full where the data entered, so read as they are)
            let used = used_keys(values, array.nulls(), dict.len());
            let mut t = Vec::with_capacity(dict.len());
            for (k, &u) in used.iter().enumerate() {
                t.push(match (u, crate::text::cell(dict.as_ref(), k)) {
                    (false, _) => Ok(invalid),
                    (true, None) => f(Value::Null),
                    (true, Some(text)) => f(Value::Text(&text)),
                });
            }
            t
        } else {
            let mut t = Vec::with_capacity(dict.len());
            decode_values(dict.as_ref(), field, f, &mut t)?;
            t
        }
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
                // integers far above the rows' count: row by row, so that only the values rows
                // use are registered
                Some((_, hi)) if sparse(hi as usize + 1) => return Ok(None),
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

/// A `float64` coded column whose values are all whole numbers from 0 below [`MAX_TABLE`] (pandas
/// turns an integer column with a missing value into `float64`, NaN for the gap) read as
/// interned ids: `x + 1` a row (0 for null) through a table of `f` per value. `f` row by row
/// cost 17 ns a row, most of a report on such a status column. Rows whose value has no code,
/// and null rows when `f` rejects a null, go to `bad`, as in [`intern_strings`]. `None` for
/// other columns, a fraction, a negative or large value (decoded row by row, which says what is
/// wrong), and a `used_only` column whose table would be larger than the batch (see
/// [`ByteTables`]).
pub(crate) fn float_codes<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    invalid: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
    bytes: &ByteTables<T>,
) -> Option<Mapped<T>> {
    let p = array.as_primitive_opt::<arrow_array::types::Float64Type>()?;
    let values = p.values();
    let nulls = p.nulls().filter(|n| n.null_count() > 0);
    // a whole number in the table's range: its truncation is itself (no libm call); a null
    // slot's value is not looked at
    let limit = MAX_TABLE as f64;
    #[allow(clippy::float_cmp)] // exact: a whole number's truncation is itself
    let whole = |x: f64| x >= 0.0 && x < limit && f64::from(x as u32) == x;
    let mut ids: Vec<u32> = values
        .iter()
        .map(|&x| (x as u32).saturating_add(1))
        .collect();
    if let Some(n) = nulls {
        for (id, valid) in ids.iter_mut().zip(n.iter()) {
            if !valid {
                *id = 0;
            }
        }
    }
    let ok = values
        .iter()
        .zip(&ids)
        .fold(true, |ok, (&x, &id)| ok & (id == 0 || whole(x)));
    if !ok {
        return None;
    }
    let size = ids.iter().copied().max().unwrap_or(0) as usize;
    if bytes.used_only && size > USED_ONLY_ABOVE.max(array.len()) {
        return None;
    }
    let table: Vec<Result<T, RejectReason>> = std::iter::once(f(Value::Null))
        .chain((0..size).map(|x| f(Value::Int(x as i64))))
        .collect();
    Some(with_bad_rows(ids, &table, field, order, invalid, bad))
}

/// Ids a row and `f`'s result per id as the kernel reads them: rows whose id has no code go to
/// `bad` with their reason, and the table maps those ids to `invalid`.
fn with_bad_rows<T: Copy>(
    ids: Vec<u32>,
    table: &[Result<T, RejectReason>],
    field: &'static str,
    order: u8,
    invalid: T,
    bad: &mut Vec<Bad>,
) -> Mapped<T> {
    if table.iter().any(Result::is_err) {
        for (i, &id) in ids.iter().enumerate() {
            if let Err(reason) = table[id as usize] {
                bad.push((i, order, field, reason));
            }
        }
    }
    let map = table.iter().map(|r| r.unwrap_or(invalid)).collect();
    (ids, map)
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
/// has no code go to `bad`. `Ok(None)` for other types; text that breaks Arrow's rules is an
/// error of the column ([`string_ids`]).
pub(crate) fn intern_strings<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    invalid: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Option<Mapped<T>>, ArrowError> {
    let Some((ids, table)) = string_ids(array, f).map_err(|b| b.in_column(field))? else {
        return Ok(None);
    };
    Ok(Some(with_bad_rows(ids, &table, field, order, invalid, bad)))
}

/// Interned strings as the kernel reads them: an id a row and the code of each id.
pub(crate) type Mapped<T> = (Vec<u32>, Vec<T>);

/// Interned strings: an id a row and the result for each id.
pub(crate) type Interned<T> = (Vec<u32>, Vec<Result<T, RejectReason>>);

/// The first row of a plain string column whose text breaks Arrow's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadText {
    /// The row.
    pub(crate) row: usize,
    /// What is wrong with it.
    pub(crate) message: &'static str,
}

impl BadText {
    /// The error of column `column`.
    pub(crate) fn in_column(self, column: &str) -> ArrowError {
        ArrowError::InvalidData {
            column: column.to_string(),
            message: format!("row {}: {}", self.row, self.message),
        }
    }
}

/// Stands for a row whose offsets are out of order or outside the text: never UTF-8, so the
/// distinct values' check finds it.
const NOT_TEXT: &[u8] = &[0xFF];

/// [`intern_ids`] of a plain string column of any of Arrow's three string types; `Ok(None)` for
/// other types.
///
/// This is where the text of `Utf8` and `LargeUtf8` columns is proven valid, in the same read
/// as the interning (a second and third pass over the text, `simdutf8` and the offsets, cost as
/// much as the interning on a 10M-row column): every row's offsets must be in order and within
/// the text, and every distinct value must be UTF-8. Every row's bytes then equal a validated
/// value, which is what Arrow's full validation proves (the rows tile the text). A view array's
/// views are checked row by row in the same way (in a data buffer, the prefix its text's).
pub(crate) fn string_ids<T: Copy>(
    array: &dyn Array,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Option<Interned<T>>, BadText> {
    let Some(rows) = StringRows::new(array) else {
        return Ok(None);
    };
    let (n, nulls, unreadable) = (rows.n, rows.nulls, rows.unreadable);
    rows.read_with(CheckedIds {
        n,
        nulls,
        unreadable,
        f,
    })
    .map(Some)
}

/// [`checked_ids`] of a column, given its layout's reader ([`StringRows::read_with`]).
struct CheckedIds<'n, 'f, T> {
    n: usize,
    nulls: Option<&'n arrow_buffer::NullBuffer>,
    unreadable: &'static str,
    f: &'f mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
}

impl<'a, T: Copy> ReadRows<'a> for CheckedIds<'_, '_, T> {
    type Out = Result<Interned<T>, BadText>;

    fn read<R: Fn(usize) -> Option<&'a [u8]> + Sync>(self, range: R) -> Self::Out {
        checked_ids(self.n, self.nulls, range, self.unreadable, self.f)
    }
}

/// Row `i` of an offsets layout; `None` where its offsets are out of order or outside the text.
fn between<'t, O: arrow_array::OffsetSizeTrait>(
    o: &[O],
    text: &'t [u8],
    i: usize,
) -> Option<&'t [u8]> {
    text.get(o.get(i)?.to_usize()?..o.get(i + 1)?.to_usize()?)
}

/// Row `i` of a view layout: inline, or a range of a data buffer that exists, whose first four
/// bytes are the view's prefix (as arrow's full validation checks it).
fn view_bytes<'t>(
    views: &[u128],
    inline: &'t [u8],
    buffers: &[&'t [u8]],
    i: usize,
) -> Option<&'t [u8]> {
    let view = *views.get(i)?;
    let len = view as u32 as usize;
    if len <= 12 {
        let at = 16 * i + 4;
        return inline.get(at..at + len);
    }
    let index = (view >> 64) as u32 as usize;
    let offset = (view >> 96) as u32 as usize;
    let text = buffers.get(index)?.get(offset..offset.checked_add(len)?)?;
    (text[..4] == ((view >> 32) as u32).to_le_bytes()).then_some(text)
}

/// The rows of a plain string column (`Utf8`, `LargeUtf8`, `Utf8View`) as bytes, each row's
/// offsets or view checked as arrow's full validation checks them; the UTF-8 is the reader's to
/// prove (a distinct value's once in [`string_ids`], a row's in [`StringRows::text`]).
pub(crate) struct StringRows<'a> {
    layout: Layout<'a>,
    nulls: Option<&'a arrow_buffer::NullBuffer>,
    n: usize,
    /// What is wrong with a row whose [`StringRows::bytes`] is `None`.
    unreadable: &'static str,
}

enum Layout<'a> {
    Offsets32(&'a [i32], &'a [u8]),
    Offsets64(&'a [i64], &'a [u8]),
    /// The views, their own bytes (where a string of up to 12 bytes is kept: Arrow's layout is
    /// little-endian, length then text) and the data buffers.
    Views(&'a [u128], &'a [u8], Vec<&'a [u8]>),
}

impl<'a> StringRows<'a> {
    /// `None` for other types.
    pub(crate) fn new(array: &'a dyn Array) -> Option<Self> {
        // offsets out of order or outside the text: data from the C interface is not checked by
        // arrow beyond the first and last offset
        let offsets = "offsets out of order or outside the text";
        let (layout, nulls, n, unreadable) = if let Some(s) = array.as_string_opt::<i32>() {
            let l = Layout::Offsets32(s.value_offsets(), s.values().as_slice());
            (l, s.nulls(), s.len(), offsets)
        } else if let Some(s) = array.as_string_opt::<i64>() {
            let l = Layout::Offsets64(s.value_offsets(), s.values().as_slice());
            (l, s.nulls(), s.len(), offsets)
        } else if let Some(s) = array.as_string_view_opt() {
            let buffers = s
                .data_buffers()
                .iter()
                .map(arrow_buffer::Buffer::as_slice)
                .collect();
            let l = Layout::Views(s.views(), s.views().inner().as_slice(), buffers);
            let views = "a view outside its data buffers, or whose prefix is not its text's";
            (l, s.nulls(), s.len(), views)
        } else {
            return None;
        };
        Some(Self {
            layout,
            nulls,
            n,
            unreadable,
        })
    }

    /// `w` given a reader of row `i`'s bytes (`None` where its offsets or view do not hold, as
    /// [`Self::bytes`]) of this column's layout: one loop per layout, the reader inlined in it
    /// rather than the layout matched a row (the text times' parse of 10M rows on one core:
    /// 19.7–20.0 against 21.6–21.8 ns a row for views, 18.1–18.4 against 18.5–18.9 for `Utf8`).
    /// The interning ([`string_ids`]) and the text times' row parse both read through it.
    pub(crate) fn read_with<W: ReadRows<'a>>(&self, w: W) -> W::Out {
        match &self.layout {
            Layout::Offsets32(o, text) => w.read(|i| between(o, text, i)),
            Layout::Offsets64(o, text) => w.read(|i| between(o, text, i)),
            Layout::Views(views, inline, buffers) => {
                w.read(|i| view_bytes(views, inline, buffers, i))
            }
        }
    }

    /// Rows.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Whether row `i` is null.
    pub(crate) fn is_null(&self, i: usize) -> bool {
        self.nulls.is_some_and(|b| b.is_null(i))
    }

    /// Row `i`'s bytes; `None` where its offsets or view do not hold.
    pub(crate) fn bytes(&self, i: usize) -> Option<&'a [u8]> {
        match &self.layout {
            Layout::Offsets32(o, text) => between(o, text, i),
            Layout::Offsets64(o, text) => between(o, text, i),
            Layout::Views(views, inline, buffers) => view_bytes(views, inline, buffers, i),
        }
    }

    /// Row `i`'s text (`None` for null), its offsets or view and its UTF-8 checked.
    pub(crate) fn text(&self, i: usize) -> Result<Option<&'a str>, BadText> {
        let Some(bytes) = self.raw(i)? else {
            return Ok(None);
        };
        std::str::from_utf8(bytes).map(Some).map_err(|_| BadText {
            row: i,
            message: "invalid UTF-8",
        })
    }

    /// Row `i`'s bytes, its offsets or view checked (not its UTF-8: see [`Self::text`]);
    /// `None` for a null.
    pub(crate) fn raw(&self, i: usize) -> Result<Option<&'a [u8]>, BadText> {
        if self.is_null(i) {
            return Ok(None);
        }
        self.bytes(i).map(Some).ok_or(BadText {
            row: i,
            message: self.unreadable,
        })
    }
}

/// Work over a [`StringRows`] given its reader ([`StringRows::read_with`]).
pub(crate) trait ReadRows<'a> {
    /// What the work gives.
    type Out;
    /// The work, `bytes(i)` row `i`'s bytes.
    fn read<R: Fn(usize) -> Option<&'a [u8]> + Sync>(self, bytes: R) -> Self::Out;
}

/// [`intern_ids`] of `n` rows whose bytes are `range(i)` (`None`: the row's offsets or view do
/// not hold, `unreadable` says how), nulls as `nulls` says; the first bad row as a [`BadText`].
fn checked_ids<'a, T: Copy>(
    n: usize,
    nulls: Option<&arrow_buffer::NullBuffer>,
    range: impl Fn(usize) -> Option<&'a [u8]> + Sync,
    unreadable: &'static str,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Interned<T>, BadText> {
    intern_ids(
        n,
        |i| match nulls {
            Some(b) if b.is_null(i) => None,
            _ => Some(range(i).unwrap_or(NOT_TEXT)),
        },
        f,
    )
    .map_err(|row| BadText {
        row,
        message: if range(row).is_none() {
            unreadable
        } else {
            "invalid UTF-8"
        },
    })
}

/// Rows interned between two checks of whether comparing each row with the one before pays
/// (sorted exports: runs of one unit or status; random order: a wasted compare a row).
const RUN_CHECK: usize = 4096;

/// The ids of rows `lo..lo + ids.len()` (`value(i)`, `None` for null: id 0) through `seen`,
/// which is returned with the part's distinct values.
fn intern_part<'a, V>(ids: &mut [u32], lo: usize, value: &V, mut seen: Interner<'a>) -> Interner<'a>
where
    V: Fn(usize) -> Option<&'a [u8]>,
{
    // a row is compared with the one before while at least half the rows of the last stretch
    // repeated it
    let mut runs = true;
    for (b, stretch) in ids.chunks_mut(RUN_CHECK).enumerate() {
        let at = lo + b * RUN_CHECK;
        if runs {
            let mut last: Option<(&'a [u8], u32)> = None;
            for (k, id) in stretch.iter_mut().enumerate() {
                *id = match value(at + k) {
                    None => 0,
                    Some(s) => match last {
                        Some((l, id)) if crate::intern::same(l, s) => id,
                        _ => {
                            let id = seen.id(s);
                            last = Some((s, id));
                            id
                        }
                    },
                };
            }
        } else {
            for (k, id) in stretch.iter_mut().enumerate() {
                // a match, not `map_or` with a closure: the lookup inlined in the loop
                *id = match value(at + k) {
                    None => 0,
                    Some(s) => seen.id(s),
                };
            }
        }
        let repeats = stretch.windows(2).filter(|w| w[0] == w[1]).count();
        runs = 2 * repeats >= stretch.len();
    }
    seen
}

/// The ids of `n` strings (`value(i)`, `None` for null: id 0) and `f`'s result per id, `f`
/// evaluated once per distinct value in row order of first appearance; `Err` with the first
/// row whose value is not UTF-8.
pub(crate) fn intern_ids<'a, T: Copy, V>(
    n: usize,
    value: V,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Interned<T>, usize>
where
    V: Fn(usize) -> Option<&'a [u8]> + Sync,
{
    // one part: ids from 1 in the part's own order of first appearance (crate::intern: a hash
    // of the row's words, no keyed hash since resistance to chosen keys buys nothing against a
    // table's own values), interned again the exact way where two of its values shared a hash
    let part = |ids: &mut [u32], lo: usize| -> Vec<&'a [u8]> {
        let seen = intern_part(ids, lo, &value, Interner::new());
        if seen.verified() {
            return seen.into_values();
        }
        intern_part(ids, lo, &value, Interner::exact()).into_values()
    };
    let mut ids = vec![0u32; n];
    let parts = string_parts(n);
    let per = n.div_ceil(parts).max(1);
    let part = &part;
    // one part: no thread (a table of many small batches would pay a spawn per column per batch)
    let distinct: Vec<Vec<&'a [u8]>> = if parts == 1 {
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
    // the table: id 0 is null, then the first part's values, then each later part's new ones;
    // a value that is not UTF-8 gets no result, and is looked for among the rows at the end
    let mut table: Vec<Result<T, RejectReason>> = vec![f(Value::Null)];
    let mut not_text: Vec<u32> = Vec::new();
    let mut slice_id: FxHashMap<&'a [u8], u32> = FxHashMap::default();
    for (k, values) in distinct.iter().enumerate() {
        let remap: Vec<u32> = std::iter::once(0)
            .chain(values.iter().map(|s| {
                *slice_id.entry(s).or_insert_with(|| {
                    let id = table.len() as u32;
                    if let Ok(t) = std::str::from_utf8(s) {
                        table.push(f(Value::Text(t)));
                    } else {
                        not_text.push(id);
                        table.push(Err(RejectReason::Unreadable));
                    }
                    id
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
    if !not_text.is_empty() {
        // a flag per id, not a search of the list a row: a column of raw bytes has as many
        // values that are not UTF-8 as rows
        let mut bad = vec![false; table.len()];
        for &id in &not_text {
            bad[id as usize] = true;
        }
        if let Some(row) = ids.iter().position(|&id| bad[id as usize]) {
            return Err(row);
        }
    }
    Ok((ids, table))
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
    if let Some((ids, table)) = string_ids(array, f).map_err(|b| b.in_column(field))? {
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

#[cfg(test)]
mod tests {
    //! Interning on all cores against a one-pass interning written the obvious way, and the
    //! text checks it makes, on columns long enough to be split into parts.
    use std::collections::HashMap;

    use arrow_array::StringArray;
    use arrow_buffer::Buffer;

    use super::{string_ids, Value};
    use crate::intern::Interner;

    /// Ids in row order of first appearance (0 for null) and the distinct values, one pass.
    fn obvious(rows: &[Option<String>]) -> (Vec<u32>, Vec<String>) {
        let mut seen: HashMap<&str, u32> = HashMap::new();
        let mut values = Vec::new();
        let ids = rows
            .iter()
            .map(|r| match r {
                None => 0,
                Some(s) => *seen.entry(s).or_insert_with(|| {
                    values.push(s.clone());
                    values.len() as u32
                }),
            })
            .collect();
        (ids, values)
    }

    /// Rows in stretches sorted (runs of one value) and shuffled (a value a row), with nulls,
    /// so that both ways of reading a stretch and the parts' merge are used.
    fn rows(n: usize) -> Vec<Option<String>> {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let sorted = (i / 10_000) % 2 == 0;
                let k = if sorted {
                    (i / 700) % 37
                } else {
                    (x % 41) as usize
                };
                (!x.is_multiple_of(97)).then(|| format!("UBND xã Đắk {k:02}"))
            })
            .collect()
    }

    #[test]
    fn interning_in_parts_equals_one_pass() {
        let rows = rows(200_003);
        let array = StringArray::from(rows.clone());
        let mut called = Vec::new();
        let (ids, table) = string_ids(&array, &mut |v| {
            if let Value::Text(s) = v {
                called.push(s.to_string());
            }
            Ok(called.len())
        })
        .unwrap()
        .unwrap();
        let (want_ids, want_values) = obvious(&rows);
        assert_eq!(ids, want_ids);
        assert_eq!(called, want_values); // once per value, in order of first appearance
        assert_eq!(table.len(), want_values.len() + 1);
    }

    /// Where two values share a hash (tables that keep 2 bits of it), the fast table says so
    /// and the exact one, which a part is then interned with, gives the right ids.
    #[test]
    fn a_part_whose_values_share_hashes_is_interned_exactly() {
        let rows = rows(50_000);
        let value = |i: usize| rows[i].as_deref().map(str::as_bytes);
        let (want_ids, want_values) = obvious(&rows);
        let mut ids = vec![0u32; rows.len()];
        let fast = super::intern_part(&mut ids, 0, &value, Interner::new().colliding(2));
        assert!(!fast.verified());
        let exact = super::intern_part(&mut ids, 0, &value, Interner::exact().colliding(2));
        assert!(exact.verified());
        assert_eq!(ids, want_ids);
        let values: Vec<&str> = exact
            .into_values()
            .into_iter()
            .map(|v| std::str::from_utf8(v).unwrap())
            .collect();
        assert_eq!(values, want_values);
    }

    #[test]
    fn text_that_is_not_utf8_is_found_at_its_row() {
        let rows = rows(200_000);
        let mut text: Vec<u8> = Vec::new();
        let mut offsets = vec![0i32];
        for (i, r) in rows.iter().enumerate() {
            text.extend_from_slice(r.as_deref().unwrap_or("x").as_bytes());
            if i == 150_001 || i == 190_000 {
                text.push(0xC3); // a truncated "ã"
            }
            offsets.push(text.len() as i32);
        }
        let array = unchecked(offsets, text);
        let e = string_ids(&array, &mut |_| Ok(0u8)).unwrap_err();
        assert_eq!((e.row, e.message), (150_001, "invalid UTF-8"));

        // a column of raw bytes: every row a distinct value that is not UTF-8 (the first row
        // is found without searching the list of bad values once a row)
        let mut text: Vec<u8> = Vec::new();
        let mut offsets = vec![0i32];
        for i in 0..150_000u32 {
            text.push(0xFF);
            text.extend_from_slice(&i.to_le_bytes());
            offsets.push(text.len() as i32);
        }
        let e = string_ids(&unchecked(offsets, text), &mut |_| Ok(0u8)).unwrap_err();
        assert_eq!((e.row, e.message), (0, "invalid UTF-8"));

        // offsets out of order at one row: arrow's own constructor refuses them, the C interface
        // does not check
        let mut text = b"abcdef".to_vec();
        text.extend(std::iter::repeat_n(b'a', 70_000));
        let mut bad: Vec<i32> = (0..=70_000).collect();
        bad[69_999] = 70_005; // row 69,998 ends there, inside the text; row 69,999 starts there
        let e = string_ids(&unchecked(bad, text), &mut |_| Ok(0u8)).unwrap_err();
        assert_eq!(
            (e.row, e.message),
            (69_999, "offsets out of order or outside the text") // 70,005..70,000
        );
    }

    /// A string array as the C interface gives it: arrow checks neither its text nor its
    /// offsets.
    #[allow(unsafe_code)]
    fn unchecked(offsets: Vec<i32>, text: Vec<u8>) -> StringArray {
        let data = arrow_data::ArrayData::builder(arrow_schema::DataType::Utf8)
            .len(offsets.len() - 1)
            .add_buffer(Buffer::from_vec(offsets))
            .add_buffer(Buffer::from_vec(text));
        // SAFETY: the array is only given to the reader, which checks its offsets and text
        StringArray::from(unsafe { data.build_unchecked() })
    }
}

#[cfg(test)]
mod float_tests {
    //! The float table path against the row-by-row decode it replaces: the same codes and the
    //! same bad rows, for whole numbers, fractions, negatives, large values, NaN and nulls.
    use arrow_array::Float64Array;
    use proptest::prelude::*;
    use tthc_metrics::RejectReason;

    use super::{decode, float_codes, ByteTables, Value};

    /// A decoder as a names or status column has: some codes rejected, a null with or without
    /// a meaning of its own.
    fn decoder(null_ok: bool) -> impl FnMut(Value<'_>) -> Result<u32, RejectReason> {
        move |v| match v {
            Value::Null if null_ok => Ok(99),
            Value::Null => Err(RejectReason::Missing),
            Value::Int(x) if x % 7 == 3 => Err(RejectReason::UnknownStatus),
            Value::Int(x) => Ok((x as u32).wrapping_mul(2).wrapping_add(1)),
            Value::Text(_) => Err(RejectReason::Unreadable),
        }
    }

    /// Whole numbers and nulls (the table path), now and then with one value it cannot take.
    fn cells() -> impl Strategy<Value = Vec<Option<f64>>> {
        let whole = prop_oneof![
            8 => (0u32..40).prop_map(|x| Some(f64::from(x))),
            1 => Just(Some(-0.0)),
            2 => Just(None),
        ];
        let other = prop_oneof![
            Just(Some(f64::NAN)),
            (-5i32..0).prop_map(|x| Some(f64::from(x))),
            (0u32..40).prop_map(|x| Some(f64::from(x) + 0.5)),
            Just(Some(65_536.0)),
            Just(Some(1e12)),
            Just(Some(f64::INFINITY)),
            Just(Some(-1e12)),
            (300u32..70_000).prop_map(|x| Some(f64::from(x))),
        ];
        (
            prop::collection::vec(whole, 0..300),
            prop::option::weighted(0.3, (other, any::<prop::sample::Index>())),
        )
            .prop_map(|(mut cells, other)| {
                if let Some((v, at)) = other {
                    let i = at.index(cells.len() + 1);
                    cells.insert(i, v);
                }
                cells
            })
    }

    proptest! {
        #[test]
        fn the_table_path_equals_the_row_by_row_decode(
            cells in cells(),
            null_ok in any::<bool>(),
            used_only in any::<bool>(),
        ) {
            let array = Float64Array::from(cells);
            let bytes = if used_only { ByteTables::used_only() } else { ByteTables::default() };
            let mut bad_fast = Vec::new();
            let fast = float_codes(&array, "status", 1, 0u32, &mut bad_fast, &mut decoder(null_ok), &bytes);
            let mut bad_slow = Vec::new();
            let slow = decode(&array, "status", 1, 0u32, &mut bad_slow, &mut decoder(null_ok)).unwrap();
            if let Some((ids, map)) = fast {
                let fast: Vec<u32> = ids.iter().map(|&id| map[id as usize]).collect();
                // a bad row's code is never read (the kernel skips it)
                let fast: Vec<u32> = fast
                    .into_iter()
                    .zip(&slow)
                    .enumerate()
                    .map(|(i, (v, &w))| if bad_slow.iter().any(|b| b.0 == i) { w } else { v })
                    .collect();
                prop_assert_eq!(fast, slow);
                prop_assert_eq!(bad_fast, bad_slow);
            } else {
                // only where a value is not a whole number in the table's range, or the table
                // would be larger than the batch
                let whole = |x: f64| (0.0..65_536.0).contains(&x) && x.fract() == 0.0;
                prop_assert!(
                    array.iter().flatten().any(|x| !whole(x))
                        || (used_only && array.iter().flatten().any(|x| x as usize + 1 > 256.max(array.len())))
                );
                prop_assert!(bad_fast.is_empty());
            }
        }
    }
}
