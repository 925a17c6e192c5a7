//! Time columns: borrowed as they arrive (Arrow `date32` day numbers or `timestamp` integers of
//! any unit, with an Arrow validity bitmap), so numeric buffers are never copied, and decoded a
//! block at a time into local seconds or local day numbers.

use crate::classify::DAY;
use crate::dossier::VIETNAM_UTC_OFFSET_SECONDS;

/// An Arrow-style validity bitmap: bit `offset + i` (LSB first) set means row `i` is not null.
///
/// # Example
/// ```
/// use tthc_metrics::columnar::Validity;
/// let bits = [0b0000_0101u8];
/// let v = Validity::new(&bits, 0);
/// assert!(v.is_valid(0) && !v.is_valid(1) && v.is_valid(2));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Validity<'a> {
    bits: &'a [u8],
    offset: usize,
}

impl<'a> Validity<'a> {
    /// A bitmap starting at bit `offset` of `bits`.
    ///
    /// # Example
    /// ```
    /// let v = tthc_metrics::columnar::Validity::new(&[0b10], 1);
    /// assert!(v.is_valid(0));
    /// ```
    pub fn new(bits: &'a [u8], offset: usize) -> Self {
        Self { bits, offset }
    }

    /// A bitmap of no bits: every row null.
    pub(crate) const fn empty() -> Validity<'static> {
        Validity {
            bits: &[],
            offset: 0,
        }
    }

    /// Whether row `i` holds a value (rows past the bitmap's end are null).
    ///
    /// # Example
    /// ```
    /// assert!(!tthc_metrics::columnar::Validity::new(&[0], 0).is_valid(3));
    /// ```
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        let b = self.offset + i;
        self.bits
            .get(b >> 3)
            .is_some_and(|byte| byte & (1 << (b & 7)) != 0)
    }

    /// Rows `start..start + out.len()` as bytes, 1 for a value and 0 for a null: eight rows a
    /// bitmap byte where the rows are aligned to the bytes, through a table of the 256 bytes'
    /// expansions (a loop of `is_valid` was a shift, a mask and a bounds check a row).
    pub(crate) fn expand(&self, start: usize, out: &mut [u8]) {
        /// Byte `b` → eight bytes, the `k`-th 1 where bit `k` of `b` is set.
        const SPREAD: [u64; 256] = {
            let mut t = [0u64; 256];
            let mut b = 0;
            while b < 256 {
                let mut k = 0;
                while k < 8 {
                    t[b] |= (((b >> k) & 1) as u64) << (8 * k);
                    k += 1;
                }
                b += 1;
            }
            t
        };
        let n = out.len();
        let mut j = 0;
        while j < n && !(self.offset + start + j).is_multiple_of(8) {
            out[j] = u8::from(self.is_valid(start + j));
            j += 1;
        }
        let first_byte = (self.offset + start + j) >> 3;
        let whole = (n - j) / 8;
        let bytes = self.bits.get(first_byte..).unwrap_or(&[]);
        for (chunk, &b) in out[j..j + whole * 8].chunks_exact_mut(8).zip(bytes) {
            chunk.copy_from_slice(&SPREAD[usize::from(b)].to_le_bytes());
        }
        // rows past the bitmap's end are null
        let read = whole.min(bytes.len());
        out[j + read * 8..j + whole * 8].fill(0);
        for (k, o) in out.iter_mut().enumerate().skip(j + whole * 8) {
            *o = u8::from(self.is_valid(start + k));
        }
    }
}

/// How a time column encodes instants.
///
/// # Example
/// ```
/// use tthc_metrics::columnar::TimeEncoding;
/// let e = TimeEncoding::Timestamp { per_second: 1_000_000, utc: true };
/// assert_ne!(e, TimeEncoding::Days);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeEncoding {
    /// Day numbers since 1970-01-01 (Arrow `date32`), local dates.
    Days,
    /// Integer ticks since 1970-01-01 00:00, `per_second` ticks a second (1, 1e3, 1e6, 1e9).
    /// `utc: true` for a zone-aware column (UTC instants, shifted to UTC+7); `false` for naive
    /// timestamps, taken as local civil time already.
    Timestamp {
        /// Ticks per second.
        per_second: i64,
        /// Whether the ticks count UTC instants (Arrow timestamp with a time zone).
        utc: bool,
    },
}

/// The raw values of a time column: 32-bit day numbers or 64-bit ticks.
#[derive(Debug, Clone, Copy)]
pub enum TimeValues<'a> {
    /// `date32` values.
    Days(&'a [i32]),
    /// `date64` or `timestamp` values.
    Ticks(&'a [i64]),
}

/// One borrowed time column: values, encoding and validity.
///
/// # Example
/// ```
/// use tthc_metrics::columnar::{TimeColumn, TimeValues, TimeEncoding};
/// // 2023-10-16 00:00 UTC in microseconds is 07:00 local time
/// let ticks = [1_697_414_400_000_000i64];
/// let c = TimeColumn::new(TimeValues::Ticks(&ticks), TimeEncoding::Timestamp { per_second: 1_000_000, utc: true }, None);
/// assert_eq!(c.local_seconds(0), Some(1_697_414_400 + 7 * 3600));
/// let days = [19_646i32];
/// let c = TimeColumn::new(TimeValues::Days(&days), TimeEncoding::Days, None);
/// assert_eq!(c.local_seconds(0), Some(19_646 * 86_400));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TimeColumn<'a> {
    values: TimeValues<'a>,
    encoding: TimeEncoding,
    validity: Option<Validity<'a>>,
    shift: i64,
}

impl<'a> TimeColumn<'a> {
    /// A time column. For [`TimeValues::Days`] the encoding is taken as [`TimeEncoding::Days`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{TimeColumn, TimeValues, TimeEncoding};
    /// let c = TimeColumn::new(TimeValues::Days(&[1, 2]), TimeEncoding::Days, None);
    /// assert_eq!(c.len(), 2);
    /// ```
    pub fn new(
        values: TimeValues<'a>,
        encoding: TimeEncoding,
        validity: Option<Validity<'a>>,
    ) -> Self {
        let encoding = match values {
            TimeValues::Days(_) => TimeEncoding::Days,
            TimeValues::Ticks(_) => encoding,
        };
        let shift = match encoding {
            TimeEncoding::Timestamp { utc: true, .. } => i64::from(VIETNAM_UTC_OFFSET_SECONDS),
            _ => 0,
        };
        Self {
            values,
            encoding,
            validity,
            shift,
        }
    }

    /// An absent column: no rows, every row read as null.
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::columnar::TimeColumn::absent();
    /// assert!(c.is_empty() && c.local_seconds(3).is_none());
    /// ```
    pub fn absent() -> Self {
        Self::local(&[]).with_validity(None, true)
    }

    /// A column of local seconds (the record API's own encoding).
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::columnar::TimeColumn::local(&[5]);
    /// assert_eq!(c.local_seconds(0), Some(5));
    /// ```
    pub fn local(values: &'a [i64]) -> Self {
        Self::new(
            TimeValues::Ticks(values),
            TimeEncoding::Timestamp {
                per_second: 1,
                utc: false,
            },
            None,
        )
    }

    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::columnar::TimeColumn::local(&[]).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        match self.values {
            TimeValues::Days(v) => v.len(),
            TimeValues::Ticks(v) => v.len(),
        }
    }

    /// Whether the column has no row.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::columnar::TimeColumn::local(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is non-null.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::columnar::TimeColumn::local(&[1]).is_valid(0));
    /// ```
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        self.validity.is_none_or(|v| v.is_valid(i))
    }

    /// Row `i` as local seconds since 1970-01-01 00:00 (UTC+7 civil time), `None` when null.
    /// Sub-second ticks are floored.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{TimeColumn, TimeValues, TimeEncoding};
    /// let c = TimeColumn::new(TimeValues::Ticks(&[-1]), TimeEncoding::Timestamp { per_second: 1000, utc: false }, None);
    /// assert_eq!(c.local_seconds(0), Some(-1));
    /// ```
    #[inline]
    pub fn local_seconds(&self, i: usize) -> Option<i64> {
        if !self.is_valid(i) {
            return None;
        }
        Some(match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => i64::from(v[i]) * DAY,
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                v[i].div_euclid(per_second.max(1)).clamp(-FAR, FAR) + self.shift
            }
            (TimeValues::Ticks(v), TimeEncoding::Days) => v[i].clamp(-FAR_DAYS, FAR_DAYS) * DAY,
        })
    }
}

/// A time column's raw values: ticks, or day numbers (`date32`, or 64-bit days).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RawValues<'a> {
    Ticks(&'a [i64]),
    Days32(&'a [i32]),
    Days64(&'a [i64]),
}

/// A time column as its raw parts: the values, the ticks a second (1 for days), the local shift
/// in seconds (UTC+7 for a zoned column) and the validity bitmap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawTime<'a> {
    pub values: RawValues<'a>,
    pub per_second: i64,
    pub shift: i64,
    pub validity: Option<Validity<'a>>,
}

impl<'a> TimeColumn<'a> {
    /// The earliest local day among the non-null rows whose day is within `lo..=hi`, `None`
    /// when there is none: a lower bound of the earliest valid reception, read before
    /// validation (one comparison a row, no division).
    pub(crate) fn lowest_day_within(&self, lo: i32, hi: i32) -> Option<i32> {
        let valid = |i: usize| self.is_valid(i);
        match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => v
                .iter()
                .enumerate()
                .filter(|&(i, &d)| (lo..=hi).contains(&d) && valid(i))
                .map(|(_, &d)| d)
                .min(),
            (TimeValues::Ticks(v), TimeEncoding::Days) => v
                .iter()
                .enumerate()
                .filter(|&(i, &d)| (i64::from(lo)..=i64::from(hi)).contains(&d) && valid(i))
                .map(|(_, &d)| d as i32)
                .min(),
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                let p = per_second.max(1);
                // local seconds floor(t / p) + shift within the days' seconds, as ticks
                let first = (i64::from(lo) * DAY - self.shift).checked_mul(p)?;
                let last = ((i64::from(hi) + 1) * DAY - self.shift)
                    .checked_mul(p)?
                    .checked_sub(1)?;
                let fold = |m: i64, (i, &t): (usize, &i64)| {
                    if (first..=last).contains(&t) && valid(i) {
                        m.min(t)
                    } else {
                        m
                    }
                };
                let t = v.iter().enumerate().fold(i64::MAX, fold);
                (t != i64::MAX).then(|| (t.div_euclid(p) + self.shift).div_euclid(DAY) as i32)
            }
        }
    }

    /// The column's raw parts.
    pub(crate) fn raw(&self) -> RawTime<'a> {
        let (values, per_second) = match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => (RawValues::Days32(v), 1),
            (TimeValues::Ticks(v), TimeEncoding::Days) => (RawValues::Days64(v), 1),
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                (RawValues::Ticks(v), per_second)
            }
        };
        RawTime {
            values,
            per_second,
            shift: self.shift,
            validity: self.validity,
        }
    }
}

/// The sentinel the kernel's blocks use for a null time.
pub(crate) const NONE: i64 = i64::MIN;
/// Seconds are clamped to `±FAR` (about 146 billion years) before the zone shift, so that extreme
/// ticks neither overflow nor collide with [`NONE`]: they stay far outside the supported range
/// and are rejected as `out_of_range`.
const FAR: i64 = 1 << 62;
/// [`FAR`] in days.
const FAR_DAYS: i64 = FAR / DAY;

impl TimeColumn<'_> {
    /// Writes rows `start..start + out.len()` as local seconds into `out`, [`NONE`] for nulls.
    /// One tight loop per encoding, with the tick divisor a constant so that no row pays a
    /// hardware division.
    pub(crate) fn fill_block(&self, start: usize, out: &mut [i64]) {
        let n = out.len();
        if start + n > self.len() {
            // a column shorter than the table (an absent optional column): all null
            out.fill(NONE);
            return;
        }
        let shift = self.shift;
        match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = i64::from(d) * DAY;
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Days) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = d.clamp(-FAR_DAYS, FAR_DAYS) * DAY;
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                let src = &v[start..start + n];
                macro_rules! ticks {
                    ($p:expr) => {
                        for (o, &t) in out.iter_mut().zip(src) {
                            *o = t.div_euclid($p).clamp(-FAR, FAR) + shift;
                        }
                    };
                }
                match per_second {
                    1 => ticks!(1),
                    1_000 => ticks!(1_000),
                    1_000_000 => ticks!(1_000_000),
                    1_000_000_000 => ticks!(1_000_000_000),
                    p => ticks!(p.max(1)),
                }
            }
        }
        self.apply_validity(start, out, NONE);
    }
}

/// The day kernel's sentinel for a null day.
/// The common unit (ticks a second) in which [`TimeColumn::fill_screen`] can write every one of
/// `columns` exactly: the finest unit among them, when every other divides it.
pub(crate) fn screen_unit(columns: &[&TimeColumn<'_>]) -> Option<i64> {
    let per = |c: &TimeColumn<'_>| match (c.values, c.encoding) {
        (TimeValues::Ticks(_), TimeEncoding::Timestamp { per_second, .. }) => per_second,
        _ => 1,
    };
    let unit = columns.iter().map(|c| per(c)).max()?;
    ((1..=1_000_000_000).contains(&unit)
        && columns.iter().all(|c| per(c) >= 1 && unit % per(c) == 0))
    .then_some(unit)
}

impl TimeColumn<'_> {
    /// Local instants of rows `start..start + out.len()` in `unit` ticks a second (see
    /// [`screen_unit`]), [`NONE`] for nulls, saturating far outside the supported range: the
    /// validation screen's values, compared without a division. A column of dates gives each
    /// day's first tick, or its last with `end_of_day` (so that "due on the reception day"
    /// passes the screen whatever the reception's time).
    pub(crate) fn fill_screen(&self, start: usize, out: &mut [i64], unit: i64, end_of_day: bool) {
        let n = out.len();
        if start + n > self.len() {
            out.fill(NONE);
            return;
        }
        let per_day = DAY * unit;
        let day_tick = |d: i64| {
            let t = d.saturating_mul(per_day);
            if end_of_day {
                t.saturating_add(per_day - 1)
            } else {
                t
            }
        };
        match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = day_tick(i64::from(d));
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Days) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = day_tick(d);
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                let src = &v[start..start + n];
                let scale = unit / per_second.max(1);
                let add = self.shift * unit;
                if scale == 1 {
                    for (o, &t) in out.iter_mut().zip(src) {
                        *o = t.saturating_add(add);
                    }
                } else {
                    for (o, &t) in out.iter_mut().zip(src) {
                        *o = t.saturating_mul(scale).saturating_add(add);
                    }
                }
            }
        }
        // a saturated value must not read as null
        for o in out.iter_mut() {
            if *o == NONE {
                *o = NONE + 1;
            }
        }
        self.apply_validity(start, out, NONE);
    }
}

pub(crate) const NO_DAY: i32 = i32::MIN;

/// What [`TimeColumn::write_days`] writes for a null row.
pub const NULL_DAY: i32 = NO_DAY;
/// Day numbers are clamped to `±DAY_CLAMP` (about 2.9 million years): far outside the supported
/// range (rejected as `out_of_range`), distinct from [`NO_DAY`], and safe to add and compare.
const DAY_CLAMP: i64 = 1 << 30;

impl TimeColumn<'_> {
    /// Writes the local day number (days since 1970-01-01 in UTC+7 civil time) of rows
    /// `start..start + out.len()` into `out`, [`NO_DAY`] for nulls: one division by a constant a
    /// value (ticks straight to days, the zone shift folded into the remainder), for the day
    /// kernel. Equal to `local_seconds(i).div_euclid(DAY)` for every value in the supported range
    /// (and far outside it, clamped, for the others).
    pub(crate) fn fill_days(&self, start: usize, out: &mut [i32]) {
        self.fill_days_hinted(start, out, false);
    }

    /// The local day numbers (days since 1970-01-01 in UTC+7 civil time: a zoned instant is
    /// read in Việt Nam's time) of rows `start..start + out.len()`, [`NULL_DAY`] for nulls.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::{TimeColumn, TimeEncoding, TimeValues, NULL_DAY};
    /// // 2024-01-05T20:00Z is Saturday 6 January in Việt Nam
    /// let t = [1_704_484_800i64];
    /// let c = TimeColumn::new(TimeValues::Ticks(&t), TimeEncoding::Timestamp { per_second: 1, utc: true }, None);
    /// let mut out = [0i32];
    /// c.write_days(0, &mut out);
    /// assert_eq!(out, [19_728]);
    /// let mut out = [0i32; 2];
    /// TimeColumn::absent().write_days(0, &mut out);
    /// assert_eq!(out, [NULL_DAY; 2]);
    /// ```
    pub fn write_days(&self, start: usize, out: &mut [i32]) {
        self.fill_days(start, out);
    }

    /// [`fill_days`](Self::fill_days) for a column usually in order (receptions, as exports
    /// list them): a block whose values all fall on its first value's day is filled with that
    /// day, without a division a row. The check stops at the first value off that day, so an
    /// unordered column costs a comparison or two a block.
    pub(crate) fn fill_days_ordered(&self, start: usize, out: &mut [i32]) {
        self.fill_days_hinted(start, out, true);
    }

    fn fill_days_hinted(&self, start: usize, out: &mut [i32], ordered: bool) {
        let n = out.len();
        if start + n > self.len() {
            out.fill(NO_DAY);
            return;
        }
        let clamp = |d: i64| d.clamp(-DAY_CLAMP, DAY_CLAMP) as i32;
        match (self.values, self.encoding) {
            (TimeValues::Days(v), _) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = clamp(i64::from(d));
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Days) => {
                for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                    *o = clamp(d);
                }
            }
            (TimeValues::Ticks(v), TimeEncoding::Timestamp { per_second, .. }) => {
                let src = &v[start..start + n];
                let shift = self.shift;
                macro_rules! days {
                    ($p:expr) => {{
                        // unsigned division by a constant (a multiply and a shift): values are
                        // offset by a whole number of days that makes every value at or above
                        // -2^62 non-negative; lower values (before 1824 even in nanoseconds)
                        // are clamped there, far outside the supported range either way
                        let per_day = ($p * DAY) as u64;
                        let off_days = (1i64 << 62) / ($p * DAY) + 1;
                        let off = off_days * ($p * DAY);
                        // shift < DAY seconds: off + shift * ticks stays below 2^63
                        let add = (off + shift * $p) as u64;
                        if ordered {
                            if let Some(&t0) = src.first() {
                                let u0 = (t0.max(-off) as u64).wrapping_add(add);
                                let d0 = u0 / per_day;
                                // the ticks of d0's start: every value within a day of it
                                let lo = (d0 * per_day).wrapping_sub(add) as i64;
                                if t0 >= -off
                                    && src.iter().all(|&t| (t.wrapping_sub(lo) as u64) < per_day)
                                {
                                    out.fill(clamp(d0 as i64 - off_days));
                                    self.apply_validity(start, out, NO_DAY);
                                    return;
                                }
                            }
                        }
                        for (o, &t) in out.iter_mut().zip(src) {
                            let u = (t.max(-off) as u64).wrapping_add(add);
                            *o = clamp((u / per_day) as i64 - off_days);
                        }
                    }};
                }
                match per_second {
                    1 => days!(1),
                    1_000 => days!(1_000),
                    1_000_000 => days!(1_000_000),
                    1_000_000_000 => days!(1_000_000_000),
                    p if (1..=1_000_000_000_000).contains(&p) => days!(p),
                    _ => {
                        for (j, o) in out.iter_mut().enumerate() {
                            *o = self
                                .local_seconds(start + j)
                                .map_or(NO_DAY, |s| clamp(s.div_euclid(DAY)));
                        }
                    }
                }
            }
        }
        self.apply_validity(start, out, NO_DAY);
    }

    /// Sets the null rows of `out` (rows `start..`) to `null`, a byte of the bitmap at a time.
    fn apply_validity<T: Copy>(&self, start: usize, out: &mut [T], null: T) {
        let Some(v) = self.validity else { return };
        let mut j = 0;
        let n = out.len();
        while j < n {
            let bit = v.offset + start + j;
            // a whole aligned byte of the bitmap: skip it when every row is valid
            if bit.is_multiple_of(8) && j + 8 <= n {
                match v.bits.get(bit >> 3) {
                    Some(0xFF) => {}
                    Some(&b) => {
                        for k in 0..8 {
                            if b & (1 << k) == 0 {
                                out[j + k] = null;
                            }
                        }
                    }
                    None => out[j..j + 8].fill(null),
                }
                j += 8;
            } else {
                if !v.is_valid(start + j) {
                    out[j] = null;
                }
                j += 1;
            }
        }
    }
}

impl<'a> TimeColumn<'a> {
    /// The same column with another validity bitmap; `all_null` makes every row null.
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::columnar::TimeColumn::local(&[1]).with_validity(None, true);
    /// assert_eq!(c.local_seconds(0), None);
    /// ```
    #[must_use]
    pub fn with_validity(mut self, validity: Option<Validity<'a>>, all_null: bool) -> Self {
        self.validity = if all_null {
            Some(Validity::new(&[], 0))
        } else {
            validity
        };
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The bytes of a bitmap read eight rows at a time equal its rows read one by one, at
        /// every offset and start, over the bitmap's end included.
        #[test]
        fn expanded_validity_equals_rows(
            bits in prop::collection::vec(any::<u8>(), 0..12),
            offset in 0usize..20,
            start in 0usize..40,
            len in 0usize..90,
        ) {
            let v = Validity::new(&bits, offset);
            let mut out = vec![7u8; len];
            v.expand(start, &mut out);
            let rows: Vec<u8> = (0..len).map(|j| u8::from(v.is_valid(start + j))).collect();
            prop_assert_eq!(out, rows);
        }
    }

    /// The day kernel's day numbers are the general path's seconds divided by a day, for every
    /// encoding, zone, null and extreme value (where the seconds are clamped, both are far out
    /// of the supported range).
    fn days_agree(values: &[i64], per_second: i64, utc: bool, bits: &[u8], offset: usize) {
        let c = TimeColumn::new(
            TimeValues::Ticks(values),
            TimeEncoding::Timestamp { per_second, utc },
            Some(Validity::new(bits, offset)),
        );
        for start in [0, values.len() / 3] {
            let mut days = vec![0i32; values.len() - start];
            c.fill_days(start, &mut days);
            let mut ordered = vec![0i32; values.len() - start];
            c.fill_days_ordered(start, &mut ordered);
            assert_eq!(days, ordered, "the ordered shortcut changes nothing");
            let mut secs = vec![0i64; values.len() - start];
            c.fill_block(start, &mut secs);
            for (j, (&d, &s)) in days.iter().zip(&secs).enumerate() {
                let d = if d == NO_DAY { NONE } else { i64::from(d) };
                if s == NONE {
                    assert_eq!(d, NONE, "row {}", start + j);
                } else if values[start + j] >= -FAR
                    && s.abs() < FAR / 2
                    && s.div_euclid(DAY).abs() < DAY_CLAMP
                {
                    assert_eq!(
                        d,
                        s.div_euclid(DAY),
                        "row {} value {}",
                        start + j,
                        values[start + j]
                    );
                } else {
                    // clamped (ticks beyond ±2^62, or seconds beyond ±2^61): both far outside
                    // 1900-2199, so both paths reject the row as out of range
                    let outside = |d: i64| !(-25_567..=84_005).contains(&d);
                    assert!(
                        outside(d) && outside(s.div_euclid(DAY)),
                        "row {}: clamped day {d}",
                        start + j
                    );
                }
            }
        }
    }

    #[test]
    fn days_at_day_boundaries_and_extremes() {
        for per_second in [1, 1_000, 1_000_000, 1_000_000_000, 7] {
            let day = DAY * per_second;
            let mut v: Vec<i64> = (-3i64..4)
                .flat_map(|k| [-1, 0, 1].map(|e| 19_000 * day * k.signum() + k * day + e))
                .collect();
            v.extend([
                i64::MIN,
                i64::MIN + 1,
                i64::MAX,
                -1,
                0,
                1,
                -(7 * 3_600 * per_second),
            ]);
            let bits = vec![0xFFu8; v.len().div_ceil(8)];
            for utc in [false, true] {
                days_agree(&v, per_second, utc, &bits, 0);
            }
        }
    }

    /// The ordered shortcut on blocks within one local day, and one tick past it.
    #[test]
    fn ordered_blocks_within_a_day() {
        for per_second in [1i64, 1_000, 1_000_000, 1_000_000_000] {
            for utc in [false, true] {
                let shift = if utc { 7 * 3_600 } else { 0 };
                // 2023-10-16 00:00 local, in the column's ticks
                let start = (19_646 * DAY - shift) * per_second;
                let end = start + DAY * per_second; // the next local midnight
                for (first, last) in [(start, end - 1), (start + 5, end), (start - 1, end - 1)] {
                    let v: Vec<i64> = (0..64).map(|k| first + (last - first) * k / 63).collect();
                    let bits = [0xFF, 0xFF, 0xFF, 0b1110_1111, 0xFF, 0xFF, 0xFF, 0xFF];
                    days_agree(&v, per_second, utc, &bits, 0);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn days_equal_seconds_over_a_day(
            values in prop::collection::vec(any::<i64>(), 0..40),
            near in prop::collection::vec(-4_000_000_000_000_000_000i64..8_000_000_000_000_000_000, 0..40),
            unit in 0usize..4,
            utc in any::<bool>(),
            bits in prop::collection::vec(any::<u8>(), 11),
            offset in 0usize..8,
        ) {
            let per_second = [1, 1_000, 1_000_000, 1_000_000_000][unit];
            let mut all = values;
            all.extend(near);
            days_agree(&all, per_second, utc, &bits, offset);
        }
    }
}
