//! Decoding record batches once into the core's columns ([`Decoded`]): every report, tally and
//! quality report of the same table then runs on it.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use tthc_metrics::columnar::{Columns, Names, TextColumn, TimeColumn};
use tthc_metrics::{
    thousands, Channel, MemoryBudget, NameCoder, NameTable, OnError, RejectReason, Rejection,
    Vocabulary,
};

use crate::codes::{
    borrow_codes, decode, float_codes, intern_strings, Bad, ByteTables, CodeSource, Value,
};
use crate::column_map::{ColumnMap, Resolved};
use crate::error::ArrowError;
use crate::text::{cell, is_text, text_value};
use crate::times::{borrowed, check_time_type, parse_column, parse_time, ParsedTimes};

/// Rows decoded at a time: longer batches are cut into zero-copy slices of this many rows.
pub(crate) const SLICE_ROWS: usize = 1 << 20;
/// Bytes a row keeps for its coded columns (status 1, three name codes 12, channel 1, online
/// level 1, supplements 4, sync and apology flags 2, duration 8, rounded up).
const CODED_ROW_BYTES: u64 = 32;
/// Bytes a row keeps for each time column given as text (8-byte instant, validity bit).
const TEXT_TIME_ROW_BYTES: u64 = 9;
/// Bytes a row of the slice being decoded needs for a while (one decoded column, bad values).
const DECODE_ROW_BYTES: u64 = 40;

/// The time fields, in the order [`Decoded`] keeps them.
pub(crate) const TIME_FIELDS: [&str; 7] = [
    "received_at",
    "due_at",
    "finished_at",
    "rescheduled_due_at",
    "submitted_at",
    "returned_at",
    "apology_issued_at",
];
/// The names fields, in the order [`Decoded`] keeps them.
const NAME_FIELDS: [&str; 3] = ["unit", "procedure", "field"];

/// What decoding reads and how.
///
/// # Example
/// ```
/// use tthc_arrow::DecodeOptions;
/// let o = DecodeOptions::default().only(&["received_at", "status", "unit"]);
/// assert!(o.reads("unit") && !o.reads("procedure"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// The words statuses, channels and levels are read with.
    pub vocabulary: Vocabulary,
    /// Under `Raise` only the first bad row is kept (the error); under `Skip` all are listed.
    pub on_error: OnError,
    /// The canonical fields to read (`None`: every field the table has).
    pub fields: Option<Vec<&'static str>>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            vocabulary: Vocabulary::standard().clone(),
            on_error: OnError::Skip,
            fields: None,
        }
    }
}

impl DecodeOptions {
    /// Reads only `fields` (and the required `received_at` and `status`).
    ///
    /// # Example
    /// see [`DecodeOptions`].
    #[must_use]
    pub fn only(mut self, fields: &[&'static str]) -> Self {
        let mut f: Vec<&'static str> = vec!["received_at", "status"];
        f.extend(fields.iter().copied());
        self.fields = Some(f);
        self
    }

    /// Sets the vocabulary.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Status, Vocabulary};
    /// let v = Vocabulary::standard().clone().status("Hoàn tất", Status::Returned);
    /// let o = tthc_arrow::DecodeOptions::default().vocabulary(v.clone());
    /// assert_eq!(o.vocabulary, v);
    /// ```
    #[must_use]
    pub fn vocabulary(mut self, v: Vocabulary) -> Self {
        self.vocabulary = v;
        self
    }

    /// Sets what happens to bad rows.
    ///
    /// # Example
    /// ```
    /// let o = tthc_arrow::DecodeOptions::default().on_error(tthc_metrics::OnError::Raise);
    /// assert_eq!(o.on_error, tthc_metrics::OnError::Raise);
    /// ```
    #[must_use]
    pub fn on_error(mut self, e: OnError) -> Self {
        self.on_error = e;
        self
    }

    /// Whether `field` is read.
    ///
    /// # Example
    /// see [`DecodeOptions`].
    pub fn reads(&self, field: &str) -> bool {
        self.fields.as_ref().is_none_or(|f| f.contains(&field))
    }
}

/// An Arrow column kept as a [`TextColumn`] (dossier ids).
struct OwnedText(ArrayRef);

impl TextColumn for OwnedText {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        cell(self.0.as_ref(), row)
    }
    fn for_each_bytes(&self, lo: usize, hi: usize, f: &mut dyn FnMut(usize, Option<&[u8]>)) {
        // plain strings and views: their bytes where they lie (proven UTF-8 where the batch
        // entered, so they are the text's); other types through `text`
        let Some(rows) = crate::codes::StringRows::new(self.0.as_ref()) else {
            for i in lo..hi {
                let t = self.text(i);
                f(i, t.as_deref().map(str::as_bytes));
            }
            return;
        };
        for i in lo..hi.min(rows.len()) {
            if rows.is_null(i) {
                f(i, None);
            } else if let Some(b) = rows.bytes(i) {
                f(i, Some(b));
            } else {
                let t = self.text(i);
                f(i, t.as_deref().map(str::as_bytes));
            }
        }
    }
}

/// One batch's decoded columns (times given as dates or timestamps stay in the batch).
struct Batch {
    status: CodeSource<u8>,
    skip: Vec<usize>,
    channel: Option<CodeSource<u8>>,
    online_service: Option<CodeSource<u8>>,
    supplements: Option<Vec<u32>>,
    synced: Option<Vec<bool>>,
    apology: Option<Vec<bool>>,
    durations: Option<Vec<Option<u32>>>,
    names: [Option<CodeSource<u32>>; 3],
    parsed: [Option<ParsedTimes>; 7],
    ids: Option<OwnedText>,
}

/// A table decoded once: the batches (cut into slices of at most a million rows, zero-copy),
/// each batch's coded and parsed columns, the shared name tables, and the rows rejected while
/// decoding. [`Decoded::columns`] is what the core's pipeline reads.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, RecordBatch, StringArray};
/// use tthc_arrow::{decode_batches, ColumnMap, DecodeOptions};
/// use tthc_metrics::MemoryBudget;
/// let batch = RecordBatch::try_from_iter([
///     ("Đơn vị xử lý", Arc::new(StringArray::from(vec!["UBND xã Đắk Drô", "ubnd xã  Đắk Drô", "UBND xã Đắk Drô"])) as ArrayRef),
///     ("Ngày tiếp nhận", Arc::new(StringArray::from(vec!["02/10/2023 08:00", "hôm qua", "03/10/2023"])) as ArrayRef),
///     ("Trạng thái", Arc::new(StringArray::from(vec!["Đang xử lý", "Đang xử lý", "Đã có kết quả"])) as ArrayRef),
/// ]).unwrap();
/// let d = decode_batches(&[batch], &ColumnMap::default(), &DecodeOptions::default(), &mut MemoryBudget::new(1 << 30)).unwrap();
/// assert_eq!(d.inputs(), 3);
/// assert_eq!(d.rejected()[0].row, 1); // "hôm qua" is not a date
/// assert_eq!(d.rejected()[0].field, "Ngày tiếp nhận");
/// assert_eq!(d.name_table("unit").unwrap().labels(), ["", "UBND xã Đắk Drô"]); // the most used spelling
/// assert_eq!(d.resolved().source("status"), Some("Trạng thái"));
/// ```
pub struct Decoded {
    batches: Vec<RecordBatch>,
    per_batch: Vec<Batch>,
    tables: [Option<NameTable>; 3],
    rejected: Vec<Rejection>,
    resolved: Resolved,
    column_names: Vec<(&'static str, String)>,
    inputs: u64,
}

impl std::fmt::Debug for Decoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoded")
            .field("inputs", &self.inputs)
            .field("batches", &self.batches.len())
            .field("rejected", &self.rejected.len())
            .finish_non_exhaustive()
    }
}

impl Decoded {
    /// The core's view of the table: one chunk per (sliced) batch.
    ///
    /// # Example
    /// see [`Decoded`].
    pub fn columns(&self) -> Vec<Columns<'_>> {
        self.batches
            .iter()
            .zip(&self.per_batch)
            .map(|(batch, b)| {
                let time = |k: usize| -> TimeColumn<'_> {
                    match (&b.parsed[k], self.resolved.index(TIME_FIELDS[k])) {
                        (Some(p), _) => p.column(),
                        (None, Some(c)) => {
                            borrowed(batch.column(c).as_ref()).unwrap_or_else(TimeColumn::absent)
                        }
                        (None, None) => TimeColumn::absent(),
                    }
                };
                let names = |k: usize| -> Option<Names<'_>> {
                    match (&b.names[k], &self.tables[k]) {
                        (Some(src), Some(t)) => Some(Names::new(src.codes(batch), t)),
                        _ => None,
                    }
                };
                let mut c = Columns::builder(time(0), b.status.codes(batch))
                    .due(time(1))
                    .finished(time(2))
                    .rescheduled_due(time(3))
                    .submitted(time(4))
                    .returned(time(5))
                    .apology_issued_at(time(6))
                    .skip(&b.skip)
                    .column_names(&self.column_names);
                if let Some(ch) = &b.channel {
                    c = c.channel(ch.codes(batch));
                }
                if let Some(o) = &b.online_service {
                    c = c.online_service(o.codes(batch));
                }
                if let Some(s) = &b.supplements {
                    c = c.supplement_requests(s);
                }
                if let Some(s) = &b.synced {
                    c = c.synced(s);
                }
                if let Some(a) = &b.apology {
                    c = c.apology_issued(a);
                }
                if let Some(d) = &b.durations {
                    c = c.duration_days(d);
                }
                if let Some(n) = names(0) {
                    c = c.unit(n);
                }
                if let Some(n) = names(1) {
                    c = c.procedure(n);
                }
                if let Some(n) = names(2) {
                    c = c.field(n);
                }
                if let Some(ids) = &b.ids {
                    c = c.dossier_id(ids);
                }
                // every column was decoded from this batch: the lengths agree
                c.build()
                    .unwrap_or_else(|e| unreachable!("decoded columns: {e}"))
            })
            .collect()
    }

    /// The rows rejected while decoding (rows across batches), by row.
    ///
    /// # Example
    /// see [`Decoded`].
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// Number of input rows.
    ///
    /// # Example
    /// see [`Decoded`].
    pub fn inputs(&self) -> u64 {
        self.inputs
    }

    /// Where each canonical field was found.
    ///
    /// # Example
    /// see [`Decoded`].
    pub fn resolved(&self) -> &Resolved {
        &self.resolved
    }

    /// The groups of a names field (`"unit"`, `"procedure"`, `"field"`), when the table has it.
    ///
    /// # Example
    /// see [`Decoded`].
    pub fn name_table(&self, field: &str) -> Option<&NameTable> {
        let k = NAME_FIELDS.iter().position(|f| *f == field)?;
        self.tables[k].as_ref()
    }
}

/// The batches cut into slices of at most [`SLICE_ROWS`] rows (zero-copy), in order.
fn slices(batches: &[RecordBatch]) -> Vec<RecordBatch> {
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        let n = b.num_rows();
        if n <= SLICE_ROWS {
            out.push(b.clone());
            continue;
        }
        let mut lo = 0;
        while lo < n {
            let len = SLICE_ROWS.min(n - lo);
            out.push(b.slice(lo, len));
            lo += len;
        }
    }
    out
}

/// Every batch has the first batch's columns: the same names and types, in the same order.
fn check_schemas(batches: &[RecordBatch]) -> Result<(), ArrowError> {
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let fields = first.schema().fields().clone();
    let show = |f: &arrow_schema::Fields| {
        f.iter()
            .map(|f| format!("{}: {}", f.name(), f.data_type()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, b) in batches.iter().enumerate().skip(1) {
        let other = b.schema();
        let same = other.fields().len() == fields.len()
            && other
                .fields()
                .iter()
                .zip(fields.iter())
                .all(|(a, b)| a.name() == b.name() && a.data_type() == b.data_type());
        if !same {
            return Err(ArrowError::SchemaMismatch {
                batch: i,
                expected: show(&fields),
                found: show(other.fields()),
            });
        }
    }
    Ok(())
}

/// Refuses Arrow data that breaks Arrow's rules (invalid UTF-8, dictionary keys outside the
/// dictionary, buffers or validity bitmaps of the wrong length): checked once, where the data
/// enters, for every column that is read; no later code trusts an unvalidated `&str`.
///
/// Except the text of a plain string column (`Utf8`, `LargeUtf8`, `Utf8View`) read only through
/// [`crate::codes::string_ids`] (`text_checked_by_reader`: every column but the dossier ids):
/// there its structure is checked here and its text by the interning, in the same read
/// (a row's offsets, and each distinct value's UTF-8), and the decode fails just the same.
/// The data buffers (address, length) of view arrays already proven UTF-8 in one decoding: the
/// zero-copy slices of a long batch, and the batches of one stream, share their buffers, which
/// would otherwise be validated again for every slice.
pub(crate) type ValidatedBuffers = rustc_hash::FxHashSet<(usize, usize)>;

fn validate(
    array: &dyn Array,
    column: &str,
    validated: &mut ValidatedBuffers,
    text_checked_by_reader: bool,
) -> Result<(), ArrowError> {
    let invalid = |message: String| ArrowError::InvalidData {
        column: column.to_string(),
        message,
    };
    let data = array.to_data();
    match array.data_type() {
        // the text of a plain string column, validated over its whole buffer with SIMD (arrow's
        // `validate_full` runs the standard validator, slow on Vietnamese: most of a report's
        // time on a text status column), then every offset checked in bounds, in order and on
        // a character boundary
        DataType::Utf8 => {
            data.validate().map_err(|e| invalid(e.to_string()))?;
            if text_checked_by_reader {
                return Ok(());
            }
            let s = array.as_string::<i32>();
            utf8_with_offsets(s.value_offsets(), s.values()).map_err(invalid)
        }
        DataType::LargeUtf8 => {
            data.validate().map_err(|e| invalid(e.to_string()))?;
            if text_checked_by_reader {
                return Ok(());
            }
            let s = array.as_string::<i64>();
            utf8_with_offsets(s.value_offsets(), s.values()).map_err(invalid)
        }
        // a view array (polars' `String`): its data buffers validated whole, then each view
        // checked against them; anything this does not prove valid goes to arrow's check,
        // which says what is wrong
        DataType::Utf8View => {
            data.validate().map_err(|e| invalid(e.to_string()))?;
            if text_checked_by_reader {
                return Ok(());
            }
            let v = array.as_string_view();
            if string_views_valid(v.views(), v.data_buffers(), validated) {
                Ok(())
            } else {
                data.validate_full().map_err(|e| invalid(e.to_string()))
            }
        }
        // a dictionary: its keys proven within the dictionary by their largest (each as the
        // unsigned integer of its width, as the kernel reads it: a negative key is too large),
        // null slots included, and its values validated in full; a key outside it goes to
        // arrow's check, which skips null slots and says what is wrong (arrow's own check of
        // the keys was 6% of a report on a dictionary unit column)
        DataType::Dictionary(_, _) => {
            data.validate().map_err(|e| invalid(e.to_string()))?;
            let d = array.as_any_dictionary();
            let size = d.values().len() as u64;
            let keys_in_range = crate::codes::code_values(array)
                .map(|keys| crate::codes::index_range(keys).is_none_or(|(_, hi)| hi < size));
            if keys_in_range != Some(true) {
                return data.validate_full().map_err(|e| invalid(e.to_string()));
            }
            d.values()
                .to_data()
                .validate_full()
                .map_err(|e| invalid(e.to_string()))
        }
        _ => data.validate_full().map_err(|e| invalid(e.to_string())),
    }
}

/// Whether every view of a string view array is valid: its data buffers are UTF-8 (SIMD), and
/// each view is inline UTF-8 or a range of a buffer that exists, on character boundaries,
/// whose first four bytes are the view's prefix. `false` means "not proven", not "invalid".
fn string_views_valid(
    views: &[u128],
    buffers: &[arrow_buffer::Buffer],
    validated: &mut ValidatedBuffers,
) -> bool {
    for b in buffers {
        let id = (b.as_ptr() as usize, b.len());
        if !validated.contains(&id) {
            if simdutf8::basic::from_utf8(b.as_slice()).is_err() {
                return false;
            }
            validated.insert(id);
        }
    }
    let boundary = |b: &[u8], i: usize| i == b.len() || (i < b.len() && (b[i] & 0xC0) != 0x80);
    let view_valid = |&view: &u128| {
        let len = view as u32 as usize;
        if len <= 12 {
            let bytes = view.to_le_bytes();
            let inline = &bytes[4..4 + len];
            inline.is_ascii() || std::str::from_utf8(inline).is_ok()
        } else {
            let index = (view >> 64) as u32 as usize;
            let offset = (view >> 96) as u32 as usize;
            let prefix = ((view >> 32) as u32).to_le_bytes();
            let Some(b) = buffers.get(index).map(arrow_buffer::Buffer::as_slice) else {
                return false;
            };
            offset.checked_add(len).is_some_and(|end| {
                end <= b.len()
                    && boundary(b, offset)
                    && boundary(b, end)
                    && b[offset..offset + 4] == prefix
            })
        }
    };
    // the views in parts, one a thread, as strings are interned
    let parts = crate::codes::string_parts(views.len());
    if parts == 1 {
        return views.iter().all(view_valid);
    }
    let per = views.len().div_ceil(parts);
    std::thread::scope(|scope| {
        let handles: Vec<_> = views
            .chunks(per)
            .map(|part| scope.spawn(move || part.iter().all(view_valid)))
            .collect();
        handles
            .into_iter()
            .all(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

/// Whether `values` is UTF-8 (SIMD, `simdutf8`) and every offset is within it, not below the
/// one before, and at a character boundary: what arrow's `validate_full` checks of a string
/// array, without its per-call cost of the standard validator.
fn utf8_with_offsets<O: arrow_array::OffsetSizeTrait>(
    offsets: &[O],
    values: &[u8],
) -> Result<(), String> {
    let Some(&first) = offsets.first() else {
        return Ok(());
    };
    let first = first.as_usize();
    let last = offsets.last().map_or(first, |o| o.as_usize());
    if first > last || last > values.len() {
        return Err(format!(
            "offsets {first}..{last} outside the {} bytes of text",
            values.len()
        ));
    }
    let text = &values[first..last];
    simdutf8::basic::from_utf8(text).map_err(|_| {
        let at = simdutf8::compat::from_utf8(text)
            .err()
            .map_or(0, |e| e.valid_up_to());
        format!("invalid UTF-8 at byte {}", first + at)
    })?;
    // in order, and no offset inside a character (a continuation byte 0b10xx_xxxx)
    let mut prev = first;
    let mut bad = false;
    for o in offsets {
        let o = o.as_usize();
        bad |= o < prev || o > last;
        bad |= o < last && (values[o.min(values.len() - 1)] & 0xC0) == 0x80;
        prev = o;
    }
    if bad {
        return Err("offsets out of order, out of bounds or inside a character".to_string());
    }
    Ok(())
}

/// A coded column: borrowed through a lookup table where the encoding allows, interned (plain
/// strings), else decoded row by row.
#[allow(clippy::too_many_arguments)] // the column, its field, and the decoder's state
fn coded_column<T: Copy>(
    array: &dyn Array,
    column: usize,
    field: &'static str,
    order: u8,
    default: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
    bytes: &mut ByteTables<T>,
) -> Result<CodeSource<T>, ArrowError> {
    if let Some(map) = borrow_codes(array, field, order, default, bad, f, bytes)? {
        return Ok(CodeSource::Mapped { column, map });
    }
    if let Some((ids, map)) = float_codes(array, field, order, default, bad, f, bytes) {
        return Ok(CodeSource::Interned { ids, map });
    }
    if let Some((ids, map)) = intern_strings(array, field, order, default, bad, f)? {
        return Ok(CodeSource::Interned { ids, map });
    }
    Ok(CodeSource::Owned(decode(
        array, field, order, default, bad, f,
    )?))
}

/// Counts, for each distinct raw value of a names column in a batch, how many rows use it and
/// the first of them (`offset` is the batch's first row in the input), and adds them to the
/// coder (so that a group's label is its most used spelling, ties to the first in row order).
fn count_spellings(coder: &mut NameCoder, array: &dyn Array, src: &CodeSource<u32>, offset: usize) {
    let mut add = |raw: &str, rows: u64, first: usize| {
        let (_, id) = coder.spelling(raw);
        coder.add_rows_from(id, rows, (offset + first) as u64);
    };
    match src {
        CodeSource::Interned { ids, .. } => {
            // one representative row per id, and the rows of each
            let n = ids.iter().max().map_or(0, |&m| m as usize + 1);
            let mut count = vec![0u64; n];
            let mut first = vec![usize::MAX; n];
            for (i, &id) in ids.iter().enumerate() {
                count[id as usize] += 1;
                if first[id as usize] == usize::MAX {
                    first[id as usize] = i;
                }
            }
            for id in 1..n {
                if count[id] > 0 {
                    if let Some(t) = cell(array, first[id]) {
                        add(&t, count[id], first[id]);
                    }
                }
            }
        }
        _ => {
            if let Some(d) = array.as_any_dictionary_opt() {
                let values = d.values();
                let mut count = vec![0u64; values.len()];
                let mut first = vec![usize::MAX; values.len()];
                for (i, &k) in dictionary_keys(d).iter().enumerate() {
                    if !array.is_null(i) {
                        if let Some(c) = count.get_mut(k) {
                            *c += 1;
                            first[k] = first[k].min(i);
                        }
                    }
                }
                for (k, &c) in count.iter().enumerate() {
                    if c > 0 {
                        if let Some(t) = cell(values.as_ref(), k) {
                            add(&t, c, first[k]);
                        }
                    }
                }
            } else {
                for i in 0..array.len() {
                    if let Some(t) = cell(array, i) {
                        add(&t, 1, i);
                    }
                }
            }
        }
    }
}

/// The metadata keys under which a table carries words of its own system (`tm.read_export`
/// writes them): JSON objects of word → code or canonical name.
pub const VOCABULARY_KEYS: [&str; 3] = [
    "tthc_metrics.status_names",
    "tthc_metrics.channel_names",
    "tthc_metrics.online_service_names",
];

/// `base` with the words a table's schema metadata carries (see [`VOCABULARY_KEYS`]).
fn vocabulary_of(schema: &Schema, base: &Vocabulary) -> Result<Vocabulary, ArrowError> {
    let mut v = base.clone();
    for (k, key) in VOCABULARY_KEYS.iter().enumerate() {
        let Some(text) = schema.metadata().get(*key) else {
            continue;
        };
        let bad = |message: String| ArrowError::InvalidData {
            column: (*key).to_string(),
            message,
        };
        let words: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        for (word, value) in words {
            let name = match &value {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => {
                    return Err(bad(format!(
                        "{word:?} maps to {other}, not a code or a name"
                    )))
                }
            };
            v = match k {
                0 => v.status(&word, name.parse().map_err(ArrowError::Core)?),
                1 => v.channel(&word, name.parse().map_err(ArrowError::Core)?),
                _ => v.online_service(&word, name.parse().map_err(ArrowError::Core)?),
            };
        }
    }
    Ok(v)
}

/// Decodes record batches (see [`Decoded`]). Columns are found by `map` (the caller's names, the
/// canonical names, the headers real exports use); every column read is validated as Arrow data;
/// bad values become rejected rows (field order decides which one a row with several reports).
///
/// # Errors
/// [`ArrowError::MissingColumn`] (no `received_at` or `status`), [`ArrowError::UnsupportedType`],
/// [`ArrowError::SchemaMismatch`], [`ArrowError::AmbiguousColumn`], [`ArrowError::InvalidData`],
/// [`ArrowError::WrongContent`] (a column whose values are not what its header says),
/// [`ArrowError::InvalidData`] for words in the schema metadata that are not a vocabulary, and
/// `Core(MemoryLimit)` when the decoded columns would exceed the budget.
///
/// # Example
/// see [`Decoded`].
#[allow(clippy::too_many_lines)] // one pass over the fields of every batch
pub fn decode_batches(
    batches: &[RecordBatch],
    map: &ColumnMap,
    options: &DecodeOptions,
    budget: &mut MemoryBudget,
) -> Result<Decoded, ArrowError> {
    check_schemas(batches)?;
    let batches = slices(batches);
    let schema: Arc<Schema> = match batches.first() {
        Some(b) => b.schema(),
        None => Arc::new(Schema::empty()),
    };
    let resolved = map.resolve(&schema)?;
    let received_idx = resolved.require("received_at")?;
    let status_idx = resolved.require("status")?;
    let col = |field: &'static str| -> Option<usize> {
        resolved.index(field).filter(|_| options.reads(field))
    };
    let source = |field: &str| resolved.source(field).unwrap_or(field).to_string();
    // text that breaks Arrow's rules, found by the reader of a column (named by its field
    // there), named by the table's own header
    let named = |e: ArrowError| match e {
        ArrowError::InvalidData { column, message } => ArrowError::InvalidData {
            column: source(&column),
            message,
        },
        e => e,
    };
    // types, checked whatever the number of rows
    for (k, field) in TIME_FIELDS.iter().enumerate() {
        let idx = if k == 0 {
            Some(received_idx)
        } else {
            col(field)
        };
        if let Some(i) = idx {
            let f = schema.field(i);
            if !crate::times::is_time_type(f.data_type()) {
                return Err(ArrowError::UnsupportedType {
                    column: f.name().clone(),
                    data_type: format!("{} (for {field})", f.data_type()),
                    expected: "a date32, date64, timestamp, text date or Excel serial date",
                });
            }
        }
    }
    for field in [
        "status",
        "channel",
        "online",
        "online_service",
        "unit",
        "procedure",
        "field",
    ] {
        let idx = if field == "status" {
            Some(status_idx)
        } else {
            col(field)
        };
        if let Some(i) = idx {
            let t = schema.field(i).data_type();
            let ok = is_text(t)
                || t.is_integer()
                || matches!(t, DataType::Null | DataType::Boolean | DataType::Float64)
                // a pandas categorical of codes with gaps has float categories (1.0, 2.0), and
                // an all-missing one float or null categories
                || matches!(t, DataType::Dictionary(k, v) if k.is_integer()
                    && (is_text(v) || v.is_integer() || matches!(**v, DataType::Float64 | DataType::Null)));
            if !ok {
                return Err(ArrowError::UnsupportedType {
                    column: schema.field(i).name().clone(),
                    data_type: format!("{t} (for {field})"),
                    expected: "text or integers",
                });
            }
        }
    }

    // memory: the coded columns of every row, the parsed text times, one slice being decoded
    let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    let text_times = TIME_FIELDS
        .iter()
        .enumerate()
        .filter_map(|(k, f)| if k == 0 { Some(received_idx) } else { col(f) })
        .filter(|&c| {
            let t = schema.field(c).data_type();
            is_text(t) || matches!(t, DataType::Float64 | DataType::Float32)
        })
        .count() as u64;
    let widest = batches.iter().map(RecordBatch::num_rows).max().unwrap_or(0) as u64;
    let per_row = CODED_ROW_BYTES + text_times * TEXT_TIME_ROW_BYTES;
    let planned = rows
        .saturating_mul(per_row)
        .saturating_add(widest.saturating_mul(DECODE_ROW_BYTES));
    budget.reserve(
        || {
            format!(
                "decoding {} rows ({per_row} bytes each{})",
                thousands(rows),
                if text_times > 0 {
                    format!(
                        ", of which {} for {text_times} time column(s) given as text",
                        text_times * TEXT_TIME_ROW_BYTES
                    )
                } else {
                    String::new()
                }
            )
        },
        planned,
        "give times as dates or timestamps rather than text, report on parts of the table and \
         merge their tallies, or raise the memory limit",
    )?;

    let vocabulary = vocabulary_of(&schema, &options.vocabulary)?;
    let _threads = crate::codes::ThreadLimit::new(budget.threads(usize::MAX));
    let vocab = &vocabulary;
    let raise = options.on_error == OnError::Raise;
    let mut coders: [NameCoder; 3] = [NameCoder::new(), NameCoder::new(), NameCoder::new()];
    let mut rejected: Vec<Rejection> = Vec::new();
    let mut per_batch: Vec<Batch> = Vec::with_capacity(batches.len());
    let mut offset = 0usize;
    let mut content_checked = false;
    // data buffers of view arrays already proven UTF-8: slices of one batch share them
    let mut validated = ValidatedBuffers::default();
    // the 8-bit code tables of each coded column, shared by the batches
    let mut status_bytes = ByteTables::default();
    let mut name_bytes: [ByteTables<u32>; 3] = [
        ByteTables::used_only(),
        ByteTables::used_only(),
        ByteTables::used_only(),
    ];
    let mut channel_bytes = ByteTables::default();
    let mut online_bytes = ByteTables::default();
    for batch in &batches {
        budget.check_cancel()?;
        let n = batch.num_rows();
        let array = |i: usize| batch.column(i).as_ref();
        // the data of every column read, validated where it enters
        let mut read: Vec<usize> = vec![received_idx, status_idx];
        read.extend(
            resolved
                .found()
                .iter()
                .filter(|(f, _)| options.reads(f))
                .filter_map(|(f, _)| resolved.index(f)),
        );
        read.sort_unstable();
        read.dedup();
        let ids_column = col("dossier_id");
        for &c in &read {
            let by_reader = Some(c) != ids_column;
            validate(array(c), schema.field(c).name(), &mut validated, by_reader)?;
        }
        // (row, order, field, reason) of every bad value; a row keeps the first by field order
        let mut bad: Vec<Bad> = Vec::new();
        let mut statuses_seen = 0usize;
        let mut statuses_known = 0usize;
        let status = coded_column(
            array(status_idx),
            status_idx,
            "status",
            0,
            0u8,
            &mut bad,
            &mut |v| {
                let r = match v {
                    Value::Null => return Err(RejectReason::Missing),
                    Value::Int(x) => {
                        return tthc_metrics::Status::from_code(x)
                            .map(tthc_metrics::Status::column_code)
                            .map_err(|_| RejectReason::UnknownStatus)
                    }
                    Value::Text(s) if s.trim().is_empty() => return Err(RejectReason::Missing),
                    Value::Text(s) => vocab
                        .parse_status(s)
                        .map_err(|_| RejectReason::UnknownStatus),
                };
                // the content check looks at text: a header that matched a column of other words
                statuses_seen += 1;
                statuses_known += usize::from(r.is_ok());
                r.map(tthc_metrics::Status::column_code)
            },
            &mut status_bytes,
        )
        .map_err(named)?;
        if !content_checked
            && statuses_seen >= 3
            && statuses_known == 0
            && used_status_texts(array(status_idx), vocab) >= 3
        {
            let example = (0..n)
                .find_map(|i| cell(array(status_idx), i).map(Cow::into_owned))
                .unwrap_or_default();
            return Err(ArrowError::WrongContent {
                column: source("status"),
                field: "status",
                found: "no status code or name",
                expected:
                    "statuses (codes 1-10 or names such as \"Đang xử lý\", \"Đã trả kết quả\")",
                example: crate::error::short(&example),
            });
        }
        // names: group codes shared by all batches
        let mut names: [Option<CodeSource<u32>>; 3] = [None, None, None];
        for (k, field) in NAME_FIELDS.iter().enumerate() {
            let Some(c) = col(field) else { continue };
            let coder = &mut coders[k];
            let mut distinct = 0usize;
            let mut dates = 0usize;
            let mut example = String::new();
            let src = coded_column(
                array(c),
                c,
                field,
                1 + k as u8,
                0u32,
                &mut bad,
                &mut |v| {
                    Ok(match v {
                        Value::Null => 0,
                        Value::Int(x) => coder.spelling(&x.to_string()).0,
                        Value::Text(s) => {
                            distinct += 1;
                            if parse_time(s).is_some() {
                                dates += 1;
                                if example.is_empty() {
                                    example = s.to_string();
                                }
                            }
                            coder.spelling(s).0
                        }
                    })
                },
                &mut name_bytes[k],
            )
            .map_err(named)?;
            if !content_checked && distinct >= 3 && dates == distinct {
                return Err(ArrowError::WrongContent {
                    column: source(field),
                    field,
                    found: "dates",
                    expected: "names",
                    example: crate::error::short(&example),
                });
            }
            names[k] = Some(src);
        }
        let channel = match (col("channel"), col("online")) {
            (Some(c), _) => Some(
                coded_column(
                    array(c),
                    c,
                    "channel",
                    4,
                    1u8,
                    &mut bad,
                    &mut |v| match v {
                        Value::Null => Ok(0),
                        Value::Text(s) if s.trim().is_empty() => Ok(0),
                        Value::Int(x) => Channel::from_code(x)
                            .map(Channel::code)
                            .map_err(|_| RejectReason::UnknownChannel),
                        Value::Text(s) => vocab
                            .parse_channel(s)
                            .map(Channel::code)
                            .map_err(|_| RejectReason::UnknownChannel),
                    },
                    &mut channel_bytes,
                )
                .map_err(named)?,
            ),
            (None, Some(c)) => Some(
                coded_column(
                    array(c),
                    c,
                    "online",
                    4,
                    1u8,
                    &mut bad,
                    &mut |v| {
                        let yes = match v {
                            Value::Null => None,
                            Value::Int(x) => Some(x != 0),
                            Value::Text(s) => vocab
                                .parse_yes_no(s)
                                .map_err(|_| RejectReason::UnknownChannel)?,
                        };
                        Ok(yes.map_or(0, |y| if y { 2 } else { 1 }))
                    },
                    &mut channel_bytes,
                )
                .map_err(named)?,
            ),
            (None, None) => None,
        };
        let online_service = col("online_service")
            .map(|c| {
                coded_column(
                    array(c),
                    c,
                    "online_service",
                    5,
                    0u8,
                    &mut bad,
                    &mut |v| {
                        let level = match v {
                            Value::Null => return Ok(0),
                            Value::Int(x) => vocab.parse_online_service(&x.to_string()),
                            Value::Text(s) => vocab.parse_online_service(s),
                        };
                        level
                            .map(tthc_metrics::OnlineService::column_code)
                            .map_err(|_| RejectReason::UnknownOnlineService)
                    },
                    &mut online_bytes,
                )
            })
            .transpose()
            .map_err(named)?;
        let count = |v: Value<'_>| -> Result<Option<u32>, RejectReason> {
            match v {
                Value::Null => Ok(None),
                Value::Int(x) => u32::try_from(x)
                    .map(Some)
                    .map_err(|_| RejectReason::Unreadable),
                Value::Text(s) if s.trim().is_empty() => Ok(None),
                Value::Text(s) => tthc_metrics::integer_text(s)
                    .and_then(|x| u32::try_from(x).ok())
                    .map(Some)
                    .ok_or(RejectReason::Unreadable),
            }
        };
        let supplements = col("supplement_requests")
            .map(|c| {
                decode(
                    array(c),
                    "supplement_requests",
                    6,
                    0u32,
                    &mut bad,
                    &mut |v| count(v).map(|x| x.unwrap_or(0)),
                )
            })
            .transpose()
            .map_err(named)?;
        let durations = col("duration_days")
            .map(|c| {
                decode(array(c), "duration_days", 7, None, &mut bad, &mut |v| {
                    count(v)
                })
            })
            .transpose()
            .map_err(named)?;
        let yes_no = |v: Value<'_>, default: bool| -> Result<bool, RejectReason> {
            match v {
                Value::Null => Ok(default),
                Value::Int(x) => Ok(x != 0),
                Value::Text(s) => vocab
                    .parse_yes_no(s)
                    .map(|b| b.unwrap_or(default))
                    .map_err(|_| RejectReason::Unreadable),
            }
        };
        let synced = col("synced_to_portal")
            .map(|c| {
                decode(array(c), "synced_to_portal", 8, true, &mut bad, &mut |v| {
                    yes_no(v, true)
                })
            })
            .transpose()
            .map_err(named)?;
        let apology = col("apology_issued")
            .map(|c| {
                decode(array(c), "apology_issued", 9, false, &mut bad, &mut |v| {
                    yes_no(v, false)
                })
            })
            .transpose()
            .map_err(named)?;
        // times given as text or Excel serials, parsed once
        let mut parsed: [Option<ParsedTimes>; 7] = Default::default();
        for (k, field) in TIME_FIELDS.iter().enumerate() {
            let idx = if k == 0 {
                Some(received_idx)
            } else {
                col(field)
            };
            let Some(c) = idx else { continue };
            let a = array(c);
            check_time_type(a, schema.field(c).name(), field)?;
            if borrowed(a).is_some() {
                continue;
            }
            let p = parse_column(a).map_err(|b| b.in_column(schema.field(c).name()))?;
            if !content_checked && p.non_null >= 3 && p.unreadable.len() == p.non_null {
                return Err(ArrowError::WrongContent {
                    column: source(field),
                    field,
                    found: "no dates or times",
                    expected: "dates (dd/MM/yyyy, yyyy-MM-dd, with or without a time)",
                    example: crate::error::short(&text_value(a, p.unreadable[0])),
                });
            }
            bad.extend(
                p.unreadable
                    .iter()
                    .map(|&i| (i, 10 + k as u8, *field, RejectReason::Unreadable)),
            );
            parsed[k] = Some(p);
        }
        if n > 0 {
            content_checked = true;
        }
        let ids = col("dossier_id").map(|c| OwnedText(batch.column(c).clone()));
        // the rows rejected here: the kernel skips them
        let mut skip = Vec::new();
        if !bad.is_empty() {
            bad.sort_unstable_by_key(|&(row, order, _, _)| (row, order));
            bad.dedup_by_key(|b| b.0);
            budget.reserve_rejections(if raise { 1 } else { bad.len() as u64 })?;
            for &(row, _, field, reason) in &bad {
                skip.push(row);
                if raise && !rejected.is_empty() {
                    continue;
                }
                let value = resolved
                    .index(field)
                    .map(|c| text_value(array(c), row))
                    .unwrap_or_default();
                let id = ids
                    .as_ref()
                    .and_then(|t| t.text(row))
                    .map(Cow::into_owned)
                    .unwrap_or_default();
                rejected.push(Rejection::new(
                    offset + row,
                    id,
                    source(field),
                    value,
                    reason,
                ));
            }
        }
        per_batch.push(Batch {
            status,
            skip,
            channel,
            online_service,
            supplements,
            synced,
            apology,
            durations,
            names,
            parsed,
            ids,
        });
        offset += n;
    }
    // labels: the most used spelling of each group, where a group has several
    for (k, field) in NAME_FIELDS.iter().enumerate() {
        let Some(c) = col(field) else { continue };
        if !coders[k].needs_counts() {
            continue;
        }
        let mut offset = 0;
        for (batch, b) in batches.iter().zip(&per_batch) {
            if let Some(src) = &b.names[k] {
                count_spellings(&mut coders[k], batch.column(c).as_ref(), src, offset);
            }
            offset += batch.num_rows();
        }
    }
    let mut tables: [Option<NameTable>; 3] = [None, None, None];
    for (k, field) in NAME_FIELDS.iter().enumerate() {
        if col(field).is_some() {
            tables[k] = Some(std::mem::take(&mut coders[k]).finish());
        }
    }
    rejected.sort_by_key(|r| r.row);
    let column_names = resolved
        .found()
        .into_iter()
        .map(|(f, s)| (f, s.to_string()))
        .collect();
    Ok(Decoded {
        batches,
        per_batch,
        tables,
        rejected,
        resolved,
        column_names,
        inputs: rows,
    })
}

/// How many distinct status texts the rows of `array` use, all unknown to `vocab` (the content
/// check's count; for a dictionary only the values some row refers to, as for plain strings, so
/// that unused categories do not make a column look like other words). A known one gives 0.
fn used_status_texts(array: &dyn Array, vocab: &Vocabulary) -> usize {
    let Some(d) = array.as_any_dictionary_opt() else {
        return usize::MAX; // plain strings: the count made while decoding is already of rows
    };
    let values = d.values();
    let mut used = vec![false; values.len()];
    for (i, k) in dictionary_keys(d).into_iter().enumerate() {
        if !array.is_null(i) {
            if let Some(u) = used.get_mut(k) {
                *u = true;
            }
        }
    }
    let mut count = 0;
    for (k, _) in used.iter().enumerate().filter(|(_, &u)| u) {
        if let Some(t) = cell(values.as_ref(), k) {
            if t.trim().is_empty() {
                continue;
            }
            if vocab.parse_status(&t).is_ok() {
                return 0;
            }
            count += 1;
        }
    }
    count
}

/// The keys of a dictionary array as positions in its dictionary. An empty dictionary (a column
/// whose every value is null: `pa.nulls(n, pa.dictionary(...))`, an all-null categorical) gives
/// zeros, which its null mask covers; arrow's `normalized_keys` asserts a dictionary is not empty.
pub(crate) fn dictionary_keys(d: &dyn arrow_array::AnyDictionaryArray) -> Vec<usize> {
    if d.values().is_empty() {
        vec![0; d.keys().len()]
    } else {
        d.normalized_keys()
    }
}

#[cfg(test)]
#[allow(unsafe_code)] // invalid Arrow data can only be built with `new_unchecked`; it is validated, never read
mod tests {
    //! The fast text validation against arrow's `validate_full`, on arbitrary bytes and
    //! offsets (valid or not): the same verdict, always, whether the text is checked here or
    //! by the interning that reads it.
    use arrow_array::make_array;
    use arrow_buffer::Buffer;
    use arrow_schema::DataType;
    use proptest::prelude::*;

    use super::validate;

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        // Vietnamese text, ASCII, and raw bytes (continuation bytes, truncated sequences)
        prop::collection::vec(
            prop_oneof![
                "[a-zđĐãạắếổữ ]{0,6}".prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..4),
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Plain strings: the SIMD check and arrow's agree on any offsets into any bytes.
        #[test]
        fn plain_string_validation_agrees_with_arrow(
            values in bytes(),
            cuts in prop::collection::vec(0usize..80, 0..10),
            large in any::<bool>(),
        ) {
            let mut offsets = vec![0usize];
            offsets.extend(cuts);
            let data_type = if large { DataType::LargeUtf8 } else { DataType::Utf8 };
            let offsets_buffer = if large {
                Buffer::from_vec(offsets.iter().map(|&o| o as i64).collect::<Vec<_>>())
            } else {
                Buffer::from_vec(offsets.iter().map(|&o| o as i32).collect::<Vec<_>>())
            };
            // SAFETY: the data is only validated, never read as strings, by either check
            let data = unsafe {
                arrow_data::ArrayData::new_unchecked(
                    data_type,
                    offsets.len() - 1,
                    None,
                    None,
                    0,
                    vec![offsets_buffer, Buffer::from_vec(values)],
                    vec![],
                )
            };
            let arrow = data.validate_full().is_ok();
            if data.validate().is_ok() {
                let mut seen = super::ValidatedBuffers::default();
                let array = make_array(data);
                let ours = validate(array.as_ref(), "status", &mut seen, false).is_ok();
                prop_assert_eq!(ours, arrow);
                // the reader's check: the structure here, the text while interning it
                let by_reader = validate(array.as_ref(), "status", &mut seen, true).is_ok()
                    && crate::codes::string_ids(array.as_ref(), &mut |_| Ok(0u8)).is_ok();
                prop_assert_eq!(by_reader, arrow);
                // the row-by-row reader (text times), and the same first bad row as interning's
                let rows = crate::codes::StringRows::new(array.as_ref()).unwrap();
                let first_bad = (0..rows.len()).find_map(|i| rows.text(i).err());
                let by_rows = validate(array.as_ref(), "status", &mut seen, true).is_ok()
                    && first_bad.is_none();
                prop_assert_eq!(by_rows, arrow);
                if let Err(e) = crate::codes::string_ids(array.as_ref(), &mut |_| Ok(0u8)) {
                    let b = first_bad.unwrap();
                    prop_assert_eq!((b.row, b.message), (e.row, e.message));
                }
            }
        }

        /// Dictionaries with keys of any value (negative, past the dictionary, under a null)
        /// over values that may not be UTF-8: the same verdict as arrow's.
        #[test]
        fn dictionary_validation_agrees_with_arrow(
            keys in prop::collection::vec(any::<i8>(), 0..40),
            nulls in prop::collection::vec(any::<bool>(), 40),
            values in prop::collection::vec(prop_oneof![
                "[a-zđĐãạắếổữ ]{0,6}".prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..3),
            ], 0..6),
            small in any::<bool>(),
        ) {
            // keys mostly within the dictionary (or all of them, `small`), some past it
            let n = values.len().max(1) as i8;
            let keys: Vec<i8> = keys.iter().map(|&k| if small { k.rem_euclid(n) } else { k % (n + 2) }).collect();
            let mut offsets = vec![0i32];
            let mut text = Vec::new();
            for v in &values {
                text.extend_from_slice(v);
                offsets.push(text.len() as i32);
            }
            let valid: Vec<bool> = nulls[..keys.len()].to_vec();
            // SAFETY: the data is only validated, never read as strings, by either check
            let data = unsafe {
                let values = arrow_data::ArrayData::new_unchecked(
                    DataType::Utf8,
                    values.len(),
                    None,
                    None,
                    0,
                    vec![Buffer::from_vec(offsets), Buffer::from_vec(text)],
                    vec![],
                );
                arrow_data::ArrayData::new_unchecked(
                    DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
                    keys.len(),
                    None,
                    Some(arrow_buffer::NullBuffer::from(valid).into_inner().into_inner()),
                    0,
                    vec![Buffer::from_vec(keys)],
                    vec![values],
                )
            };
            let arrow = data.validate_full().is_ok();
            if data.validate().is_ok() {
                let mut seen = super::ValidatedBuffers::default();
                let ours = validate(make_array(data).as_ref(), "unit", &mut seen, true).is_ok();
                prop_assert_eq!(ours, arrow);
            }
        }

        /// String views over buffers of any bytes: the same verdict as arrow's.
        #[test]
        fn string_view_validation_agrees_with_arrow(
            buffer in bytes(),
            views in prop::collection::vec((0u32..40, 0u32..40, any::<bool>()), 0..8),
        ) {
            let buffer = Buffer::from_vec(buffer);
            let raw: Vec<u128> = views
                .iter()
                .map(|&(len, offset, inline)| {
                    let b = buffer.as_slice();
                    if inline || len <= 12 {
                        let len = len.min(12) as usize;
                        let mut v = [0u8; 16];
                        v[..4].copy_from_slice(&(len as u32).to_le_bytes());
                        let from = (offset as usize).min(b.len());
                        let take = len.min(b.len() - from);
                        v[4..4 + take].copy_from_slice(&b[from..from + take]);
                        v[..4].copy_from_slice(&(take as u32).to_le_bytes());
                        u128::from_le_bytes(v)
                    } else {
                        let mut prefix = [0u8; 4];
                        let from = (offset as usize).min(b.len());
                        let take = 4.min(b.len() - from);
                        prefix[..take].copy_from_slice(&b[from..from + take]);
                        u128::from(len)
                            | (u128::from(u32::from_le_bytes(prefix)) << 32)
                            | (u128::from(offset) << 96)
                    }
                })
                .collect();
            let n = raw.len();
            // SAFETY: as above, only validated
            let data = unsafe {
                arrow_data::ArrayData::new_unchecked(
                    DataType::Utf8View,
                    n,
                    None,
                    None,
                    0,
                    vec![Buffer::from_vec(raw), buffer],
                    vec![],
                )
            };
            let arrow = data.validate_full().is_ok();
            if data.validate().is_ok() {
                let mut seen = super::ValidatedBuffers::default();
                let array = make_array(data);
                let ours = validate(array.as_ref(), "unit", &mut seen, false).is_ok();
                prop_assert_eq!(ours, arrow);
                let by_reader = validate(array.as_ref(), "unit", &mut seen, true).is_ok()
                    && crate::codes::string_ids(array.as_ref(), &mut |_| Ok(0u8)).is_ok();
                prop_assert_eq!(by_reader, arrow);
                // the row-by-row reader (text times), and the same first bad row as interning's
                let rows = crate::codes::StringRows::new(array.as_ref()).unwrap();
                let first_bad = (0..rows.len()).find_map(|i| rows.text(i).err());
                let by_rows = validate(array.as_ref(), "unit", &mut seen, true).is_ok()
                    && first_bad.is_none();
                prop_assert_eq!(by_rows, arrow);
                if let Err(e) = crate::codes::string_ids(array.as_ref(), &mut |_| Ok(0u8)) {
                    let b = first_bad.unwrap();
                    prop_assert_eq!((b.row, b.message), (e.row, e.message));
                }
            }
        }
    }
}
