//! From rows of cells to one record batch: the header row found below a title block, the known
//! columns renamed to their canonical names (matching is the adapter's: [`ColumnMap::resolve`]),
//! every other column passed through, empty rows and trailing footers skipped and listed, the
//! memory planned as it grows.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{
    Array, ArrayRef, Int64Array, RecordBatch, RecordBatchOptions, StringArray, TimestampSecondArray,
};
use arrow_buffer::{BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema};
use serde_json::{json, Map, Value};
use tthc_arrow::{fold_header, ColumnMap, Resolved, CANONICAL_COLUMNS, HEADER_ALIASES};
use tthc_metrics::{thousands, Error, MemoryBudget};

use crate::cell::{column_letters, is_date_text, write_datetime, Val};
use crate::error::{IoError, Place};
use crate::options::{Export, Format, ReadOptions, Skipped};

/// Bytes one cell costs beyond its text (offset, validity, a row's share of the row tables).
const CELL_BYTES: u64 = 6;
/// Bytes reserved at a time (a budget check per row would cost more than the row).
const RESERVE_CHUNK: u64 = 1 << 20;
/// The fields whose rows are dossiers: a trailing row with none of them is a footer.
const KEY_FIELDS: [&str; 3] = ["received_at", "status", "dossier_id"];
/// A column with no header and no name: at most this many are made (a sheet with cells
/// scattered over 16,384 columns is not an export).
const MAX_UNNAMED_COLUMNS: usize = 1_024;

/// Whether a canonical field holds times.
pub(crate) fn is_time_field(field: &str) -> bool {
    field.ends_with("_at")
}

/// One column being built: text as Arrow buffers (values, offsets, validity), and for a time
/// column its date cells.
struct ColBuf {
    name: String,
    field: Option<&'static str>,
    time: bool,
    values: Vec<u8>,
    offsets: Vec<i32>,
    valid: BooleanBufferBuilder,
    /// Date cells of a time column: seconds and which rows hold one (made at the first).
    dates: Option<(Vec<i64>, BooleanBufferBuilder)>,
    has_non_date: bool,
    overflow: bool,
    len: usize,
}

impl ColBuf {
    fn new(name: String, rows_before: usize) -> Self {
        let mut valid = BooleanBufferBuilder::new(rows_before.max(1024));
        valid.append_n(rows_before, false);
        Self {
            name,
            field: None,
            time: false,
            values: Vec::new(),
            offsets: vec![0; rows_before + 1],
            valid,
            dates: None,
            has_non_date: false,
            overflow: false,
            len: rows_before,
        }
    }

    fn push_bytes(&mut self, b: &[u8]) {
        self.values.extend_from_slice(b);
        if let Ok(end) = i32::try_from(self.values.len()) {
            self.offsets.push(end);
        } else {
            self.overflow = true;
            self.offsets.push(i32::MAX);
        }
        self.valid.append(true);
    }

    fn push(&mut self, v: &Val<'_>, scratch: &mut String) {
        if self.time {
            if let Some(secs) = v.as_date() {
                let n = self.len;
                let (values, bits) = self.dates.get_or_insert_with(|| {
                    let mut bits = BooleanBufferBuilder::new(n + 1024);
                    bits.append_n(n, false);
                    (vec![0; n], bits)
                });
                values.push(secs);
                bits.append(true);
                self.push_text_null();
                self.len += 1;
                return;
            }
        }
        if let Some((values, bits)) = &mut self.dates {
            values.push(0);
            bits.append(false);
        }
        match v {
            Val::Text(t) => self.push_bytes(t.as_bytes()),
            Val::Raw(b) => self.push_bytes(b),
            other => {
                scratch.clear();
                other.write_text(scratch);
                self.push_bytes(scratch.as_bytes());
            }
        }
        self.has_non_date = true;
        self.len += 1;
    }

    /// A text value given as bytes (UTF-8 checked when the column is made).
    fn push_raw(&mut self, b: &[u8]) {
        if let Some((values, bits)) = &mut self.dates {
            values.push(0);
            bits.append(false);
        }
        self.push_bytes(b);
        self.has_non_date = true;
        self.len += 1;
    }

    /// Appends the rows of `other` (the same column of a later part of the file).
    fn extend(&mut self, other: ColBuf) {
        let base = *self.offsets.last().unwrap_or(&0);
        self.values.extend_from_slice(&other.values);
        if i32::try_from(self.values.len()).is_err() {
            self.overflow = true;
        }
        self.offsets
            .extend(other.offsets[1..].iter().map(|&o| base.saturating_add(o)));
        self.overflow |= other.overflow;
        let mut valid = other.valid;
        self.valid.append_buffer(&valid.finish());
        if self.dates.is_some() || other.dates.is_some() {
            let n = self.len;
            let (values, bits) = self.dates.get_or_insert_with(|| {
                let mut bits = BooleanBufferBuilder::new(n + 1024);
                bits.append_n(n, false);
                (vec![0; n], bits)
            });
            if let Some((v, mut b)) = other.dates {
                values.extend(v);
                bits.append_buffer(&b.finish());
            } else {
                values.resize(values.len() + other.len, 0);
                bits.append_n(other.len, false);
            }
        }
        self.has_non_date |= other.has_non_date;
        self.len += other.len;
    }

    fn push_text_null(&mut self) {
        let end = *self.offsets.last().unwrap_or(&0);
        self.offsets.push(end);
        self.valid.append(false);
    }

    fn push_null(&mut self) {
        self.push_text_null();
        if let Some((values, bits)) = &mut self.dates {
            values.push(0);
            bits.append(false);
        }
        self.len += 1;
    }

    /// The column as Arrow: a time column whose every value is a date cell as naive
    /// `timestamp[s]`, else text (date cells written `yyyy-MM-dd HH:mm:ss`); `Err` with the
    /// byte offset in the column of text that is not UTF-8.
    fn finish(mut self) -> Result<ArrayRef, ColumnError> {
        if self.overflow {
            return Err(ColumnError::TooLong);
        }
        let n = self.len;
        let nulls = NullBuffer::new(self.valid.finish());
        let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::take(&mut self.offsets)));
        let values = Buffer::from_vec(std::mem::take(&mut self.values));
        let text =
            StringArray::try_new(offsets.clone(), values.clone(), Some(nulls)).map_err(|_| {
                let row = offsets
                    .windows(2)
                    .position(|w| {
                        std::str::from_utf8(&values[w[0] as usize..w[1] as usize]).is_err()
                    })
                    .unwrap_or_default();
                ColumnError::NotUtf8(row)
            })?;
        Ok(match self.dates {
            Some((values, mut bits)) if self.time && !self.has_non_date => {
                let nulls = NullBuffer::new(bits.finish());
                Arc::new(TimestampSecondArray::new(values.into(), Some(nulls)))
            }
            None if self.time && !self.has_non_date => Arc::new(TimestampSecondArray::new(
                vec![0; n].into(),
                Some(NullBuffer::new_null(n)),
            )),
            Some((values, mut bits)) => {
                let bits = bits.finish();
                let mut out = StringBuilder::with_capacity(text.len(), text.values().len());
                let mut s = String::new();
                for (i, &secs) in values.iter().enumerate().take(text.len()) {
                    if bits.value(i) {
                        s.clear();
                        write_datetime(secs, &mut s);
                        out.append_value(&s);
                    } else if text.is_valid(i) {
                        out.append_value(text.value(i));
                    } else {
                        out.append_null();
                    }
                }
                Arc::new(out.finish())
            }
            None => Arc::new(text),
        })
    }
}

/// Why a column could not be made.
enum ColumnError {
    TooLong,
    /// The first row (0-based, in the table) whose text is not UTF-8.
    NotUtf8(usize),
}

/// A header candidate's score: the canonical fields its cells name.
struct Score {
    row: u64,
    fields: Vec<&'static str>,
    matched: Vec<String>,
    first_cells: Vec<String>,
}

impl Score {
    fn valid(&self) -> bool {
        self.fields.len() >= 2
            && (self.fields.contains(&"received_at") || self.fields.contains(&"status"))
    }
}

/// Rows of cells in, one [`Export`] out.
pub(crate) struct Table<'o> {
    place: Place,
    format: Format,
    options: &'o ReadOptions,
    budget: MemoryBudget,
    unreserved: u64,
    header_row: Option<u64>,
    searching: bool,
    buffered: Vec<(u64, Vec<(u32, Val<'static>)>)>,
    cols: Vec<ColBuf>,
    by_source: Vec<u32>,
    unnamed: usize,
    rows: usize,
    source_rows: Vec<i64>,
    pending: Vec<(u64, Vec<(u32, Val<'static>)>)>,
    key_cols: Vec<(u32, &'static str)>,
    skipped: Vec<Skipped>,
    last_seen: u64,
    mapping: Vec<(&'static str, String)>,
    unused: Vec<(&'static str, String)>,
    scratch: String,
    sorted: Vec<(u32, Val<'static>)>,
    /// Rows of the header search that span several lines: (first, last).
    spans: Vec<(u64, u64)>,
    /// Field ranges of the CSV fast path (reused).
    ranges: Vec<(usize, usize)>,
    /// The folded names of the columns, and the next `#k` of each repeated one.
    taken: HashSet<String>,
    repeats: HashMap<String, usize>,
}

const NONE: u32 = u32::MAX;

impl<'o> Table<'o> {
    /// A table whose header row is to be found (sheets, CSV, HTML); `used` bytes of the budget
    /// are already taken (the file itself, what was unpacked).
    pub(crate) fn new(
        place: Place,
        format: Format,
        options: &'o ReadOptions,
        used: u64,
    ) -> Result<Self, IoError> {
        let mut budget = MemoryBudget::new(options.memory_limit);
        let mut t = Self {
            place,
            format,
            options,
            budget: MemoryBudget::new(0),
            unreserved: 0,
            header_row: None,
            searching: true,
            buffered: Vec::new(),
            cols: Vec::new(),
            by_source: Vec::new(),
            unnamed: 0,
            rows: 0,
            source_rows: Vec::new(),
            pending: Vec::new(),
            key_cols: Vec::new(),
            skipped: Vec::new(),
            last_seen: 0,
            mapping: Vec::new(),
            unused: Vec::new(),
            scratch: String::new(),
            sorted: Vec::new(),
            spans: Vec::new(),
            ranges: Vec::new(),
            taken: HashSet::new(),
            repeats: HashMap::new(),
        };
        budget
            .reserve(String::new, used, "")
            .map_err(|e| t.too_large(e, "the file's bytes"))?;
        t.budget = budget;
        Ok(t)
    }

    /// A table whose columns are named by the records (JSON): no header row.
    pub(crate) fn named(
        place: Place,
        format: Format,
        options: &'o ReadOptions,
        used: u64,
    ) -> Result<Self, IoError> {
        let mut t = Self::new(place, format, options, used)?;
        t.searching = false;
        Ok(t)
    }

    pub(crate) fn place(&self) -> &Place {
        &self.place
    }

    pub(crate) fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    /// The memory limit in force.
    pub(crate) fn limit(&self) -> u64 {
        self.budget.limit()
    }

    pub(crate) fn set_sheet(&mut self, sheet: &str) {
        self.place.sheet = Some(sheet.into());
    }

    fn too_large(&self, e: Error, what: &str) -> IoError {
        match e {
            Error::MemoryLimit { needed, limit, .. } => IoError::TooLarge {
                place: self.place.clone(),
                what: what.to_string(),
                needed,
                limit,
                hint: "read a smaller file or raise memory_limit".into(),
            },
            Error::Interrupted => IoError::Interrupted,
            other => IoError::Corrupt {
                place: self.place.clone(),
                message: other.to_string(),
            },
        }
    }

    /// Plans `bytes` more of the table (checked a chunk at a time).
    pub(crate) fn reserve(&mut self, bytes: u64) -> Result<(), IoError> {
        self.unreserved += bytes;
        if self.unreserved >= RESERVE_CHUNK {
            let n = std::mem::take(&mut self.unreserved);
            let rows = self.rows as u64;
            if let Err(e) = self.budget.reserve(String::new, n, "") {
                return Err(self.too_large(
                    e,
                    &format!("the table ({} rows read so far)", thousands(rows)),
                ));
            }
            self.options.check_cancel()?;
        }
        Ok(())
    }

    /// Plans `bytes` for something other than the table (unpacked text, a parser's state).
    pub(crate) fn reserve_for(&mut self, bytes: u64, what: &str) -> Result<(), IoError> {
        if let Err(e) = self.budget.reserve(String::new, bytes, "") {
            return Err(self.too_large(e, what));
        }
        Ok(())
    }

    /// The row just given (which started on row `start`) ended on row `end` (a CSV record with
    /// line ends inside quotes): the rows up to `end` are not empty rows.
    pub(crate) fn seen_through(&mut self, start: u64, end: u64) {
        if end <= start {
            return;
        }
        if self.searching {
            self.spans.push((start, end));
        } else if self.last_seen == start {
            self.last_seen = end.max(start);
        }
    }

    /// The fast path of a CSV record (`out[ends[k-1]..ends[k]]` is field `k`): appended
    /// directly when it is an ordinary dossier row (a status, every field under a known column,
    /// nothing pending); `false` when the caller must take the general path ([`Table::row`]).
    pub(crate) fn raw_row(
        &mut self,
        row: u64,
        out: &[u8],
        ends: &[usize],
    ) -> Result<bool, IoError> {
        let mut ranges = std::mem::take(&mut self.ranges);
        ranges.clear();
        let mut from = 0;
        for &e in ends {
            ranges.push((from, e));
            from = e;
        }
        let r = self.raw_fields(row, out, &ranges);
        self.ranges = ranges;
        r
    }

    /// [`Table::raw_row`] with field `k` at `base[ranges[k].0..ranges[k].1]`.
    pub(crate) fn raw_fields(
        &mut self,
        row: u64,
        base: &[u8],
        ranges: &[(usize, usize)],
    ) -> Result<bool, IoError> {
        let ends = ranges;
        if self.searching || !self.pending.is_empty() {
            return Ok(false);
        }
        let Some(&(status, _)) = self.key_cols.iter().find(|(_, f)| *f == "status") else {
            return Ok(false);
        };
        let field = |k: usize| &base[ends[k].0..ends[k].1];
        let s = status as usize;
        if s >= ends.len() || crate::cell::blank_bytes(field(s)) {
            return Ok(false);
        }
        if ends.len() > self.by_source.len() {
            let extra =
                (self.by_source.len()..ends.len()).any(|k| !crate::cell::blank_bytes(field(k)));
            if extra {
                return Ok(false);
            }
        }
        if row > self.last_seen + 1 && self.last_seen > 0 {
            self.skip(self.last_seen + 1, row - 1, "empty");
        }
        self.last_seen = self.last_seen.max(row);
        let mut bytes = 8 + self.cols.len() as u64 * CELL_BYTES;
        for k in 0..ends.len().min(self.by_source.len()) {
            let c = self.by_source[k];
            if c == NONE {
                continue;
            }
            let b = field(k);
            if crate::cell::blank_bytes(b) {
                continue;
            }
            let col = &mut self.cols[c as usize];
            if col.len == self.rows {
                bytes += b.len() as u64;
                col.push_raw(b);
            }
        }
        self.rows += 1;
        for col in &mut self.cols {
            if col.len < self.rows {
                col.push_null();
            }
        }
        self.source_rows.push(row as i64);
        self.reserve(bytes)?;
        Ok(true)
    }

    /// Sizes the column buffers for about `bytes` more of delimited text (fewer reallocations).
    pub(crate) fn expect_bytes(&mut self, bytes: usize) {
        let n = self.cols.len().max(1);
        let row_bytes = self
            .cols
            .iter()
            .map(|c| c.values.len())
            .sum::<usize>()
            .checked_div(self.rows)
            .unwrap_or(128)
            .max(16);
        let rows = bytes / row_bytes;
        if (rows as u64).saturating_mul(8 * n as u64) + bytes as u64 > self.budget.remaining() {
            return;
        }
        for c in &mut self.cols {
            let share = if self.rows > 0 {
                c.values.len() * rows / self.rows.max(1)
            } else {
                bytes / n
            };
            c.values.reserve(share + share / 8);
            c.offsets.reserve(rows + rows / 8);
        }
    }

    /// Whether the header row is known (the columns are made).
    pub(crate) fn is_ready(&self) -> bool {
        !self.searching
    }

    /// An empty table with this one's columns, for a later part of the same file read on
    /// another thread; it gets half of what is left of the budget (reserved here).
    pub(crate) fn continuation(&mut self) -> Result<Table<'o>, IoError> {
        let share = self.budget.remaining() / 2;
        self.reserve_for(share, "the second half of the file")?;
        let mut t = Table::new(self.place.clone(), self.format, self.options, 0)?;
        t.budget = MemoryBudget::new(share);
        t.searching = false;
        t.header_row = self.header_row;
        t.cols = self
            .cols
            .iter()
            .map(|c| {
                let mut n = ColBuf::new(c.name.clone(), 0);
                n.field = c.field;
                n.time = c.time;
                n
            })
            .collect();
        t.by_source.clone_from(&self.by_source);
        t.unnamed = self.unnamed;
        t.key_cols.clone_from(&self.key_cols);
        t.mapping.clone_from(&self.mapping);
        t.unused.clone_from(&self.unused);
        t.taken.clone_from(&self.taken);
        t.repeats.clone_from(&self.repeats);
        Ok(t)
    }

    /// Appends the rows of `other` (a [`Table::continuation`] of this one, for the rows that
    /// follow): its columns by source position (a column only one of them has gets nulls in
    /// the other's rows), its rows, its skipped rows.
    pub(crate) fn absorb(&mut self, mut other: Table<'o>) -> Result<(), IoError> {
        if other.rows > 0 {
            // rows without a key before more dossiers are data
            for (r, cells) in std::mem::take(&mut self.pending) {
                self.append(r, &cells)?;
            }
            if let Some(&first) = other.source_rows.first() {
                let first = first as u64;
                if self.last_seen > 0 && first > self.last_seen + 1 {
                    self.skip(self.last_seen + 1, first - 1, "empty");
                }
            }
        }
        let rows = other.rows;
        let mut taken = vec![false; self.cols.len()];
        let mut others: Vec<Option<ColBuf>> = std::mem::take(&mut other.cols)
            .into_iter()
            .map(Some)
            .collect();
        for (c, &k) in other.by_source.clone().iter().enumerate() {
            if k == NONE {
                continue;
            }
            let Some(col) = others[k as usize].take() else {
                continue;
            };
            let Some(mine) = self.column_for(c as u32)? else {
                continue;
            };
            if mine >= taken.len() {
                taken.resize(mine + 1, false);
            }
            taken[mine] = true;
            self.cols[mine].extend(col);
        }
        for (k, col) in self.cols.iter_mut().enumerate() {
            if !taken.get(k).copied().unwrap_or(false) {
                for _ in 0..rows {
                    col.push_null();
                }
            }
        }
        self.rows += rows;
        self.source_rows.extend(other.source_rows);
        for s in other.skipped {
            self.skip(s.first, s.last, &s.reason);
        }
        if rows > 0 || !other.pending.is_empty() {
            self.last_seen = self.last_seen.max(other.last_seen);
        }
        self.pending.extend(other.pending);
        Ok(())
    }

    /// Adds a named column (JSON records) and returns its source index.
    pub(crate) fn named_column(&mut self, name: &str) -> Result<u32, IoError> {
        let c = self.cols.len() as u32;
        self.reserve(name.len() as u64 + 64 + self.rows as u64 * CELL_BYTES)?;
        self.cols.push(ColBuf::new(name.to_string(), self.rows));
        self.taken.insert(fold_header(name));
        self.by_source.push(c);
        Ok(c)
    }

    /// One row of the file (`row` 1-based; `cells` by 0-based column, any order).
    pub(crate) fn row(&mut self, row: u64, cells: &[(u32, Val<'_>)]) -> Result<(), IoError> {
        if self.searching {
            let limit = self
                .options
                .header_row
                .unwrap_or(ReadOptions::HEADER_SEARCH_ROWS);
            if row > limit {
                self.detect()?;
            } else {
                if cells.iter().any(|(_, v)| !v.is_blank()) {
                    let owned: Vec<(u32, Val<'static>)> = cells
                        .iter()
                        .filter(|(_, v)| !v.is_blank())
                        .map(|(c, v)| (*c, v.clone().into_owned()))
                        .collect();
                    let bytes: u64 = owned.iter().map(|(_, v)| v.text_len() as u64 + 48).sum();
                    self.reserve(bytes)?;
                    self.buffered.push((row, owned));
                }
                return Ok(());
            }
        }
        self.data_row(row, cells)
    }

    fn data_row(&mut self, row: u64, cells: &[(u32, Val<'_>)]) -> Result<(), IoError> {
        if cells.iter().all(|(_, v)| v.is_blank()) {
            return Ok(());
        }
        // empty rows since the last one seen
        if row > self.last_seen + 1 && self.last_seen > 0 {
            self.skip(self.last_seen + 1, row - 1, "empty");
        }
        self.last_seen = self.last_seen.max(row);
        // a dossier has a status, a reception date or an id that is no footer's words (checked
        // in that order: the first is nearly always there and the cheapest)
        let key_of = |c: u32| self.key_cols.iter().find(|(k, _)| *k == c).map(|(_, f)| *f);
        let has_key = self.key_cols.is_empty()
            || cells
                .iter()
                .any(|(c, v)| key_of(*c) == Some("status") && !v.is_blank())
            || cells.iter().any(|(c, v)| match key_of(*c) {
                Some("received_at") => is_date_value(v),
                Some("dossier_id") => !v.is_blank() && !is_footer_text(v),
                _ => false,
            });
        if !has_key {
            let owned: Vec<(u32, Val<'static>)> = cells
                .iter()
                .filter(|(_, v)| !v.is_blank())
                .map(|(c, v)| (*c, v.clone().into_owned()))
                .collect();
            let bytes: u64 = owned.iter().map(|(_, v)| v.text_len() as u64 + 48).sum();
            self.reserve(bytes)?;
            self.pending.push((row, owned));
            return Ok(());
        }
        if !self.pending.is_empty() {
            // rows without a key field followed by dossiers: not a footer, data (the adapter
            // judges them)
            for (r, cells) in std::mem::take(&mut self.pending) {
                self.append(r, &cells)?;
            }
        }
        self.append(row, cells)
    }

    fn skip(&mut self, first: u64, last: u64, reason: &str) {
        if let Some(s) = self.skipped.last_mut() {
            if s.reason == reason && s.last + 1 == first {
                s.last = last;
                return;
            }
        }
        self.skipped.push(Skipped {
            first,
            last,
            reason: reason.to_string(),
        });
    }

    fn column_for(&mut self, c: u32) -> Result<Option<usize>, IoError> {
        let i = c as usize;
        if let Some(&k) = self.by_source.get(i) {
            if k != NONE {
                return Ok(Some(k as usize));
            }
        }
        if self.unnamed >= MAX_UNNAMED_COLUMNS {
            return Ok(None);
        }
        // a value under no header: a column of its own, named by its position
        let name = if matches!(self.format, Format::Csv | Format::HtmlTable | Format::Json) {
            format!("column_{}", c + 1)
        } else {
            format!("column_{}", column_letters(c))
        };
        let name = self.unique_name(name);
        self.reserve(64 + self.rows as u64 * CELL_BYTES)?;
        if self.by_source.len() <= i {
            self.by_source.resize(i + 1, NONE);
        }
        self.by_source[i] = self.cols.len() as u32;
        self.cols.push(ColBuf::new(name, self.rows));
        self.unnamed += 1;
        Ok(Some(self.cols.len() - 1))
    }

    /// `name`, or `name #2`, `name #3`... when a column of that (folded) name exists; the name
    /// returned is taken (linear in the columns overall: a header of thousands of cells is not
    /// quadratic).
    fn unique_name(&mut self, name: String) -> String {
        let f = fold_header(&name);
        if self.taken.insert(f.clone()) {
            return name;
        }
        let mut k = self.repeats.get(&f).copied().unwrap_or(2);
        loop {
            let n = format!("{name} #{k}");
            k += 1;
            if self.taken.insert(fold_header(&n)) {
                self.repeats.insert(f, k);
                return n;
            }
        }
    }

    fn append(&mut self, row: u64, cells: &[(u32, Val<'_>)]) -> Result<(), IoError> {
        // cells in column order, one per column (the last of repeats)
        let ordered = cells.windows(2).all(|w| w[0].0 < w[1].0);
        let mut sorted = std::mem::take(&mut self.sorted);
        sorted.clear();
        if !ordered {
            sorted.extend(cells.iter().map(|(c, v)| (*c, v.clone().into_owned())));
            sorted.reverse();
            sorted.sort_by_key(|(c, _)| *c);
            sorted.dedup_by_key(|(c, _)| *c);
        }
        let mut bytes = 8 + self.cols.len() as u64 * CELL_BYTES;
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut put = |t: &mut Self, c: u32, v: &Val<'_>| -> Result<(), IoError> {
            if v.is_blank() {
                return Ok(());
            }
            if let Some(k) = t.column_for(c)? {
                let col = &mut t.cols[k];
                if col.len == t.rows {
                    bytes += v.text_len() as u64;
                    col.push(v, &mut scratch);
                }
            }
            Ok(())
        };
        let r = if ordered {
            cells.iter().try_for_each(|(c, v)| put(self, *c, v))
        } else {
            sorted.iter().try_for_each(|(c, v)| put(self, *c, v))
        };
        self.scratch = scratch;
        self.sorted = sorted;
        r?;
        self.rows += 1;
        for col in &mut self.cols {
            if col.len < self.rows {
                col.push_null();
            }
        }
        self.source_rows.push(row as i64);
        self.reserve(bytes)
    }

    /// Scores one candidate header row.
    fn score(&self, row: u64, cells: &[(u32, Val<'static>)]) -> Score {
        let mut names: Vec<String> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for (_, v) in cells {
            let mut s = String::new();
            v.write_text(&mut s);
            let s = s.trim().to_string();
            let f = fold_header(&s);
            if s.is_empty() || !seen.insert(f) {
                continue;
            }
            names.push(s);
        }
        let schema = Schema::new(
            names
                .iter()
                .map(|n| Field::new(n, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        );
        let mut fields: Vec<&'static str> = Vec::new();
        let mut matched: Vec<String> = Vec::new();
        if let Ok(r) = ColumnMap::default().resolve(&schema) {
            for (f, s) in r.found() {
                fields.push(f);
                matched.push(s.to_string());
            }
        }
        for &f in &CANONICAL_COLUMNS {
            if let Some(src) = self.options.columns.explicit(f) {
                let want = fold_header(src);
                if let Some(n) = names.iter().find(|n| fold_header(n) == want) {
                    if !fields.contains(&f) {
                        fields.push(f);
                        matched.push(n.clone());
                    }
                }
            }
        }
        Score {
            row,
            fields,
            matched,
            first_cells: names.into_iter().take(4).collect(),
        }
    }

    /// Finds the header row among the rows buffered, makes the columns, and replays the rows
    /// below it.
    fn detect(&mut self) -> Result<(), IoError> {
        self.searching = false;
        let buffered = std::mem::take(&mut self.buffered);
        let (header_at, header) = if let Some(h) = self.options.header_row {
            match buffered.iter().position(|(r, _)| *r == h) {
                Some(i) => (i, buffered[i].1.clone()),
                None => {
                    return Err(IoError::NoHeader {
                        place: self.place.clone(),
                        message: format!("header_row={h} is an empty row (or past the end)"),
                    })
                }
            }
        } else {
            let scores: Vec<Score> = buffered
                .iter()
                .filter(|(r, _)| *r <= ReadOptions::HEADER_SEARCH_ROWS)
                .map(|(r, c)| self.score(*r, c))
                .collect();
            let mut best: Option<&Score> = None;
            for s in &scores {
                if best.is_none_or(|b| s.fields.len() > b.fields.len()) {
                    best = Some(s);
                }
            }
            match best {
                Some(b) if b.valid() => {
                    let i = buffered
                        .iter()
                        .position(|(r, _)| *r == b.row)
                        .unwrap_or_default();
                    (i, buffered[i].1.clone())
                }
                _ => return Err(self.no_header(best, scores.first())),
            }
        };
        let header_row = buffered[header_at].0;
        self.header_row = Some(header_row);
        self.make_columns(&header);
        self.resolve(header_row)?;
        let spans = std::mem::take(&mut self.spans);
        for (r, cells) in buffered.into_iter().skip(header_at + 1) {
            self.data_row(r, &cells)?;
            if let Some(&(_, end)) = spans.iter().find(|(s, _)| *s == r) {
                self.seen_through(r, end);
            }
        }
        Ok(())
    }

    fn no_header(&self, best: Option<&Score>, first: Option<&Score>) -> IoError {
        let rows = format!("rows 1-{}", ReadOptions::HEADER_SEARCH_ROWS);
        let message = match (best, first) {
            (Some(b), _) if !b.fields.is_empty() => format!(
                "no header row in {rows} (the best, row {}, matched {} known header{}: {}; a header needs 2, among them received_at or status)",
                b.row,
                b.fields.len(),
                if b.fields.len() == 1 { "" } else { "s" },
                b.matched
                    .iter()
                    .map(|m| format!("{m:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (_, Some(f)) => format!(
                "no header row in {rows} (no row matched a known header; row {} reads {})",
                f.row,
                f.first_cells
                    .iter()
                    .map(|m| format!("{m:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!("no header row in {rows}: they are empty"),
        };
        IoError::NoHeader {
            place: self.place.clone(),
            message,
        }
    }

    fn make_columns(&mut self, header: &[(u32, Val<'static>)]) {
        for (c, v) in header {
            let mut s = String::new();
            v.write_text(&mut s);
            let s = s.trim();
            if s.is_empty() {
                continue;
            }
            let name = self.unique_name(s.to_string());
            let i = *c as usize;
            if self.by_source.len() <= i {
                self.by_source.resize(i + 1, NONE);
            }
            if self.by_source[i] != NONE {
                continue;
            }
            self.by_source[i] = self.cols.len() as u32;
            self.cols.push(ColBuf::new(name, 0));
        }
    }

    /// Matches the columns to canonical fields (the adapter's rules, the caller's mapping).
    fn resolve(&mut self, header_row: u64) -> Result<(), IoError> {
        let schema = Schema::new(
            self.cols
                .iter()
                .map(|c| Field::new(&c.name, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        );
        let resolved: Resolved =
            self.options
                .columns
                .resolve(&schema)
                .map_err(|source| IoError::Columns {
                    place: self.place.clone(),
                    header_row,
                    source: Box::new(source),
                })?;
        self.mapping.clear();
        self.unused.clear();
        for (field, source) in resolved.found() {
            self.mapping.push((field, source.to_string()));
            if let Some(k) = resolved.index(field) {
                self.cols[k].field = Some(field);
                self.cols[k].time = is_time_field(field);
            }
        }
        // headers that also name a field already taken: passed through, and listed
        let known: Vec<(&'static str, String)> = HEADER_ALIASES
            .iter()
            .flat_map(|&(field, aliases)| {
                std::iter::once(field)
                    .chain(aliases.iter().copied())
                    .map(move |a| (field, fold_header(a)))
            })
            .collect();
        for col in &self.cols {
            if col.field.is_some() {
                continue;
            }
            let f = fold_header(&col.name);
            if let Some((field, _)) = known.iter().find(|(_, a)| *a == f) {
                self.unused.push((field, col.name.clone()));
            }
        }
        self.key_cols = self
            .by_source
            .iter()
            .enumerate()
            .filter_map(|(c, &k)| {
                let f = self.cols.get(k as usize)?.field?;
                KEY_FIELDS.contains(&f).then_some((c as u32, f))
            })
            .collect();
        Ok(())
    }

    /// The table, with its provenance.
    pub(crate) fn finish(mut self, sheets: &[String]) -> Result<Export, IoError> {
        if self.searching {
            if self.buffered.is_empty() {
                return Err(IoError::EmptySheet {
                    place: self.place.clone(),
                    sheets: if sheets.len() > 1 {
                        sheets
                            .iter()
                            .map(|s| format!("{s:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    } else {
                        String::new()
                    },
                });
            }
            self.detect()?;
        }
        if self.header_row.is_none() {
            // named columns (JSON): matched now, with the rule a header row meets
            if self.cols.is_empty() {
                return Err(IoError::EmptySheet {
                    place: self.place.clone(),
                    sheets: String::new(),
                });
            }
            self.resolve(0)?;
            let names: Vec<(u32, Val<'static>)> = self
                .cols
                .iter()
                .enumerate()
                .map(|(i, c)| (i as u32, Val::Text(c.name.clone().into())))
                .collect();
            let s = self.score(1, &names);
            if !s.valid() {
                let mut e = self.no_header(Some(&s), Some(&s));
                if let IoError::NoHeader { message, .. } = &mut e {
                    *message = message
                        .replace(
                            "no header row in rows 1-30",
                            "the records' names match no known header well enough",
                        )
                        .replace("row 1, ", "")
                        .replace("row 1 reads", "the first names are");
                }
                return Err(e);
            }
        }
        for (r, cells) in std::mem::take(&mut self.pending) {
            let mut text = String::new();
            for (_, v) in &cells {
                if !text.is_empty() {
                    text.push_str(" | ");
                }
                v.write_text(&mut text);
            }
            let text: String = text.chars().take(80).collect();
            self.skip(
                r,
                r,
                &format!("footer (no received_at, status or dossier_id): {text}"),
            );
        }
        let rows = self.rows;
        let mut fields: Vec<Field> = Vec::with_capacity(self.cols.len() + 1);
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.cols.len() + 1);
        let canonical_out: Vec<String> = self
            .cols
            .iter()
            .filter_map(|c| c.field.map(str::to_string))
            .collect();
        let mut used_names: HashSet<String> =
            canonical_out.iter().map(|n| fold_header(n)).collect();
        used_names.insert(fold_header("source_row"));
        let place = self.place.clone();
        let source_rows = std::mem::take(&mut self.source_rows);
        // the columns made (UTF-8 checked, dates written) on two threads when the table is large
        let cols = std::mem::take(&mut self.cols);
        let meta: Vec<(Option<&'static str>, String)> =
            cols.iter().map(|c| (c.field, c.name.clone())).collect();
        let finished: Vec<Result<ArrayRef, ColumnError>> = if rows >= 1 << 16 && cols.len() > 1 {
            let mut cols = cols;
            let second = cols.split_off(cols.len() / 2);
            std::thread::scope(|s| {
                let h = s.spawn(|| second.into_iter().map(ColBuf::finish).collect::<Vec<_>>());
                let mut a: Vec<_> = cols.into_iter().map(ColBuf::finish).collect();
                match h.join() {
                    Ok(b) => a.extend(b),
                    Err(_) => a.push(Err(ColumnError::TooLong)),
                }
                a
            })
        } else {
            cols.into_iter().map(ColBuf::finish).collect()
        };
        for ((field, original), array) in meta.into_iter().zip(finished) {
            let name = if let Some(f) = field {
                f.to_string()
            } else {
                let mut n = original.clone();
                let mut k = 2;
                while used_names.contains(&fold_header(&n)) {
                    n = format!("{original} #{k}");
                    k += 1;
                }
                used_names.insert(fold_header(&n));
                n
            };
            let array = array.map_err(|e| match e {
                ColumnError::TooLong => IoError::TooLarge {
                    place: place.clone(),
                    what: format!("column {original:?}"),
                    needed: 1 << 31,
                    limit: 1 << 31,
                    hint: "a column holds more than 2 GiB of text: split the file".into(),
                },
                ColumnError::NotUtf8(i) => IoError::Encoding {
                    place: place.clone(),
                    at: format!(
                        "row {}, column {original:?}",
                        source_rows.get(i).copied().unwrap_or_default()
                    ),
                },
            })?;
            if let Some(f) = field.filter(|f| is_time_field(f)) {
                if let Some(text) = array.as_any().downcast_ref::<StringArray>() {
                    check_dates(&place, text, &original, f, &source_rows)?;
                }
            }
            fields.push(Field::new(name, array.data_type().clone(), true));
            arrays.push(array);
        }
        fields.push(Field::new("source_row", DataType::Int64, false));
        arrays.push(Arc::new(Int64Array::from(source_rows)));
        let metadata = self.metadata();
        let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
        let batch = RecordBatch::try_new_with_options(
            schema,
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
        .map_err(|e| IoError::Corrupt {
            place: self.place.clone(),
            message: format!("internal: {e}"),
        })?;
        Ok(Export {
            batch,
            format: self.format,
            sheet: self.place.sheet.as_deref().map(str::to_string),
            header_row: self.header_row,
            skipped: self.skipped,
            mapping: self.mapping,
        })
    }

    fn metadata(&self) -> HashMap<String, String> {
        let mut m = HashMap::new();
        let mapping: Map<String, Value> = self
            .mapping
            .iter()
            .map(|(f, s)| ((*f).to_string(), Value::String(s.clone())))
            .collect();
        m.insert(
            "tthc_metrics.mapping".into(),
            Value::Object(mapping).to_string(),
        );
        if !self.unused.is_empty() {
            let mut u: Map<String, Value> = Map::new();
            for (f, s) in &self.unused {
                if let Value::Array(a) = u
                    .entry((*f).to_string())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    a.push(Value::String(s.clone()));
                }
            }
            m.insert(
                "tthc_metrics.unused_matches".into(),
                Value::Object(u).to_string(),
            );
        }
        m.insert(
            "tthc_metrics.source".into(),
            json!({
                "file": self.place.file,
                "sheet": self.place.sheet,
                "header_row": self.header_row,
                "format": self.format.name(),
            })
            .to_string(),
        );
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|s| json!({"first": s.first, "last": s.last, "reason": s.reason}))
            .collect();
        m.insert(
            "tthc_metrics.skipped_rows".into(),
            Value::Array(skipped).to_string(),
        );
        let o = self.options;
        if !o.status_names.is_empty() {
            let v: Map<String, Value> = o
                .status_names
                .iter()
                .map(|(n, s)| {
                    let code = s
                        .code()
                        .map_or_else(|| Value::String(s.to_string()), |c| json!(c));
                    (n.clone(), code)
                })
                .collect();
            m.insert(
                "tthc_metrics.status_names".into(),
                Value::Object(v).to_string(),
            );
        }
        if !o.channel_names.is_empty() {
            let v: Map<String, Value> = o
                .channel_names
                .iter()
                .map(|(n, c)| (n.clone(), json!(c.code())))
                .collect();
            m.insert(
                "tthc_metrics.channel_names".into(),
                Value::Object(v).to_string(),
            );
        }
        if !o.online_service_names.is_empty() {
            let v: Map<String, Value> = o
                .online_service_names
                .iter()
                .map(|(n, l)| (n.clone(), Value::String(l.to_string())))
                .collect();
            m.insert(
                "tthc_metrics.online_service_names".into(),
                Value::Object(v).to_string(),
            );
        }
        m
    }
}

/// A footer's words where a dossier id would be ("Tổng cộng: 5.000 hồ sơ", "Người lập biểu").
fn is_footer_text(v: &Val<'_>) -> bool {
    let first = match v {
        Val::Text(t) => t.trim_start().chars().next(),
        Val::Raw(b) => b
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .map(|&b| b as char),
        _ => None,
    };
    // every footer word starts with one of these letters (or a non-ASCII capital: "Tổng" does not)
    if first.is_some_and(|ch| {
        ch.is_ascii() && !matches!(ch.to_ascii_lowercase(), 't' | 'c' | 'n' | 'g')
    }) {
        return false;
    }
    let mut s = String::new();
    v.write_text(&mut s);
    let f = tthc_metrics::fold_name(&s);
    ["tổng", "cộng", "total", "người_lập", "ghi_chú"]
        .iter()
        .any(|w| f.starts_with(w))
}

/// A date cell, a serial date or a date text.
fn is_date_value(v: &Val<'_>) -> bool {
    match v {
        Val::Text(t) => is_date_text(t),
        Val::Raw(b) => std::str::from_utf8(b).is_ok_and(is_date_text),
        other => other.as_date().is_some(),
    }
}

/// A time column given as text must hold dates: with 3 or more values and none a date, the
/// header matched the wrong column.
fn check_dates(
    place: &Place,
    text: &StringArray,
    column: &str,
    field: &'static str,
    source_rows: &[i64],
) -> Result<(), IoError> {
    let mut non_empty = 0u64;
    let mut first: Option<usize> = None;
    for i in 0..text.len() {
        if text.is_null(i) {
            continue;
        }
        let v = text.value(i);
        if v.trim().is_empty() {
            continue;
        }
        if is_date_text(v) {
            return Ok(());
        }
        non_empty += 1;
        first.get_or_insert(i);
    }
    match first {
        Some(i) if non_empty >= 3 => Err(IoError::WrongContent {
            place: place.clone(),
            column: column.to_string(),
            field,
            row: source_rows.get(i).copied().unwrap_or_default() as u64,
            example: text.value(i).chars().take(60).collect(),
            non_empty,
        }),
        _ => Ok(()),
    }
}
