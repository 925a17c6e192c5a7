//! The columnar (struct-of-arrays) view of a dossier table that the report kernel reads.
//!
//! Time columns are borrowed as they arrive (Arrow `date32` day numbers or `timestamp` integers
//! of any unit, with an Arrow validity bitmap), so numeric buffers are never copied. Coded columns
//! (status, channel, online service) are one byte a row; the grouping key is a `u32` code a row
//! into a table of labels.

use crate::classify::DAY;
use crate::dossier::VIETNAM_UTC_OFFSET_SECONDS;

/// An Arrow-style validity bitmap: bit `offset + i` (LSB first) set means row `i` is not null.
///
/// # Example
/// ```
/// use tthc_metrics::Validity;
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
    /// let v = tthc_metrics::Validity::new(&[0b10], 1);
    /// assert!(v.is_valid(0));
    /// ```
    pub fn new(bits: &'a [u8], offset: usize) -> Self {
        Self { bits, offset }
    }

    /// Whether row `i` holds a value (rows past the bitmap's end are null).
    ///
    /// # Example
    /// ```
    /// assert!(!tthc_metrics::Validity::new(&[0], 0).is_valid(3));
    /// ```
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        let b = self.offset + i;
        self.bits
            .get(b >> 3)
            .is_some_and(|byte| byte & (1 << (b & 7)) != 0)
    }
}

/// How a time column encodes instants.
///
/// # Example
/// ```
/// use tthc_metrics::TimeEncoding;
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
/// use tthc_metrics::{TimeColumn, TimeValues, TimeEncoding};
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
    /// use tthc_metrics::{TimeColumn, TimeValues, TimeEncoding};
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

    /// A column of local seconds (the record API's own encoding).
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::TimeColumn::local(&[5]);
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
    /// assert_eq!(tthc_metrics::TimeColumn::local(&[]).len(), 0);
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
    /// assert!(tthc_metrics::TimeColumn::local(&[]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is non-null.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::TimeColumn::local(&[1]).is_valid(0));
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
    /// use tthc_metrics::{TimeColumn, TimeValues, TimeEncoding};
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

/// The raw integers of a coded column as they arrive: any Arrow integer width, borrowed.
///
/// # Example
/// ```
/// use tthc_metrics::CodeValues;
/// let v = CodeValues::I8(&[-1, 4]);
/// assert_eq!(v.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub enum CodeValues<'a> {
    /// `uint8` values.
    U8(&'a [u8]),
    /// `int8` values.
    I8(&'a [i8]),
    /// `uint16` values.
    U16(&'a [u16]),
    /// `int16` values.
    I16(&'a [i16]),
    /// `uint32` values.
    U32(&'a [u32]),
    /// `int32` values.
    I32(&'a [i32]),
    /// `uint64` values.
    U64(&'a [u64]),
    /// `int64` values.
    I64(&'a [i64]),
}

impl CodeValues<'_> {
    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::CodeValues::U32(&[]).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Self::U8(v) => v.len(),
            Self::I8(v) => v.len(),
            Self::U16(v) => v.len(),
            Self::I16(v) => v.len(),
            Self::U32(v) => v.len(),
            Self::I32(v) => v.len(),
            Self::U64(v) => v.len(),
            Self::I64(v) => v.len(),
        }
    }

    /// Whether the column has no row.
    ///
    /// # Example
    /// ```
    /// assert!(!tthc_metrics::CodeValues::U8(&[1]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s raw value (`None` past the end).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::CodeValues::I8(&[-3]).get(0), Some(-3));
    /// ```
    #[allow(clippy::cast_possible_wrap)] // u64 codes above i64::MAX are not codes of anything
    pub fn get(&self, i: usize) -> Option<i64> {
        Some(match self {
            Self::U8(v) => i64::from(*v.get(i)?),
            Self::I8(v) => i64::from(*v.get(i)?),
            Self::U16(v) => i64::from(*v.get(i)?),
            Self::I16(v) => i64::from(*v.get(i)?),
            Self::U32(v) => i64::from(*v.get(i)?),
            Self::I32(v) => i64::from(*v.get(i)?),
            Self::U64(v) => *v.get(i)? as i64,
            Self::I64(v) => *v.get(i)?,
        })
    }
}

/// A coded column (status, channel, online level, group): one integer a row, borrowed as it
/// arrives and read either as is or through a lookup table, so that an Arrow `int8` status
/// column or a dictionary's keys reach the kernel without being copied.
///
/// Row `i`'s code is `map[v]`, where `v` is the raw value read as an unsigned integer of its own
/// width (the `int8` value −1 reads entry 255), or `v` itself when there is no map. A value past
/// the map's end, or too large for `T` without a map, reads as the `invalid` code the reader
/// names (for a status: not a status code, a rejected record).
///
/// # Example
/// ```
/// use tthc_metrics::{Codes, CodeValues};
/// // an export's int8 status numbers 9 and 10 both mean "finished": column codes 9 and 10
/// let mut map = [255u8; 256];
/// map[9] = 9;
/// map[10] = 10;
/// let c = Codes::mapped(CodeValues::I8(&[9, 10, -1]), &map);
/// assert_eq!((c.get(0, 255), c.get(1, 255), c.get(2, 255)), (9, 10, 255));
/// let plain: Codes<'_, u32> = Codes::from(&[3u32, 1][..]);
/// assert_eq!(plain.get(1, 0), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a, T> {
    values: CodeValues<'a>,
    map: Option<&'a [T]>,
}

impl<'a, T> Codes<'a, T> {
    /// Raw values used as codes directly.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Codes, CodeValues};
    /// assert_eq!(Codes::<u8>::new(CodeValues::U8(&[4])).get(0, 0), 4);
    /// ```
    pub fn new(values: CodeValues<'a>) -> Self {
        Self { values, map: None }
    }

    /// Raw values read through `map` (see [`Codes`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Codes, CodeValues};
    /// assert_eq!(Codes::mapped(CodeValues::I32(&[1]), &[7u32, 8]).get(0, 0), 8);
    /// ```
    pub fn mapped(values: CodeValues<'a>, map: &'a [T]) -> Self {
        Self {
            values,
            map: Some(map),
        }
    }

    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Codes::<u8>::from(&[1u8, 2][..]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no row (an absent group column: every row in group 0).
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Codes::<u32>::from(&[][..]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw values.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Codes, CodeValues};
    /// assert_eq!(Codes::<u8>::new(CodeValues::I16(&[-2])).values().get(0), Some(-2));
    /// ```
    pub fn values(&self) -> CodeValues<'a> {
        self.values
    }
}

impl<T: Copy + TryFrom<u64>> Codes<'_, T> {
    /// Row `i`'s code, `invalid` when the raw value has none (or past the end).
    ///
    /// # Example
    /// see [`Codes`].
    pub fn get(&self, i: usize, invalid: T) -> T {
        let raw = match self.values {
            CodeValues::U8(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I8(v) => v.get(i).map(|&x| u64::from(x as u8)),
            CodeValues::U16(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I16(v) => v.get(i).map(|&x| u64::from(x as u16)),
            CodeValues::U32(v) => v.get(i).map(|&x| u64::from(x)),
            CodeValues::I32(v) => v.get(i).map(|&x| u64::from(x as u32)),
            CodeValues::U64(v) => v.get(i).copied(),
            CodeValues::I64(v) => v.get(i).map(|&x| x as u64),
        };
        raw.map_or(invalid, |r| self.code(r, invalid))
    }

    #[inline]
    fn code(&self, raw: u64, invalid: T) -> T {
        match self.map {
            Some(m) => usize::try_from(raw)
                .ok()
                .and_then(|r| m.get(r))
                .copied()
                .unwrap_or(invalid),
            None => T::try_from(raw).unwrap_or(invalid),
        }
    }

    /// Writes the codes of rows `start..start + out.len()` into `out` (`invalid` past the end).
    /// One loop per width; an 8-bit column read through a map of 256 entries or more pays no
    /// bounds check.
    pub(crate) fn fill_block(&self, start: usize, out: &mut [T], invalid: T) {
        let n = out.len();
        if start + n > self.len() {
            out.fill(invalid);
            return;
        }
        macro_rules! fill {
            ($v:expr, $to_u64:expr) => {{
                let src = &$v[start..start + n];
                match self.map {
                    Some(m)
                        if m.len() >= 256
                            && matches!(self.values, CodeValues::U8(_) | CodeValues::I8(_)) =>
                    {
                        let m: &[T; 256] = m[..256].try_into().expect("256 entries");
                        for (o, &x) in out.iter_mut().zip(src) {
                            *o = m[($to_u64(x) & 0xFF) as usize];
                        }
                    }
                    _ => {
                        for (o, &x) in out.iter_mut().zip(src) {
                            *o = self.code($to_u64(x), invalid);
                        }
                    }
                }
            }};
        }
        match self.values {
            CodeValues::U8(v) => fill!(v, u64::from),
            CodeValues::I8(v) => fill!(v, |x: i8| u64::from(x as u8)),
            CodeValues::U16(v) => fill!(v, u64::from),
            CodeValues::I16(v) => fill!(v, |x: i16| u64::from(x as u16)),
            CodeValues::U32(v) => fill!(v, u64::from),
            CodeValues::I32(v) => fill!(v, |x: i32| u64::from(x as u32)),
            CodeValues::U64(v) => fill!(v, |x: u64| x),
            CodeValues::I64(v) => fill!(v, |x: i64| x as u64),
        }
    }

    /// The largest code any row can read (the map's largest entry, or the largest raw value);
    /// `None` for an empty column.
    pub(crate) fn max_code(&self) -> Option<T>
    where
        T: Ord,
    {
        if self.is_empty() {
            return None;
        }
        if let Some(m) = self.map {
            return m.iter().copied().max();
        }
        let raw = match self.values {
            CodeValues::U8(v) => v.iter().max().map(|&x| u64::from(x)),
            CodeValues::I8(v) => v.iter().map(|&x| x as u8).max().map(u64::from),
            CodeValues::U16(v) => v.iter().max().map(|&x| u64::from(x)),
            CodeValues::I16(v) => v.iter().map(|&x| x as u16).max().map(u64::from),
            CodeValues::U32(v) => v.iter().max().map(|&x| u64::from(x)),
            CodeValues::I32(v) => v.iter().map(|&x| x as u32).max().map(u64::from),
            CodeValues::U64(v) => v.iter().max().copied(),
            CodeValues::I64(v) => v.iter().map(|&x| x as u64).max(),
        };
        raw.and_then(|r| T::try_from(r).ok())
    }
}

impl<'a> From<&'a [u8]> for Codes<'a, u8> {
    fn from(v: &'a [u8]) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Codes<'a, u8> {
    fn from(v: &'a [u8; N]) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a> From<&'a Vec<u8>> for Codes<'a, u8> {
    fn from(v: &'a Vec<u8>) -> Self {
        Self::new(CodeValues::U8(v))
    }
}

impl<'a> From<&'a [u32]> for Codes<'a, u32> {
    fn from(v: &'a [u32]) -> Self {
        Self::new(CodeValues::U32(v))
    }
}

impl<'a, const N: usize> From<&'a [u32; N]> for Codes<'a, u32> {
    fn from(v: &'a [u32; N]) -> Self {
        Self::new(CodeValues::U32(v))
    }
}

impl<'a> From<&'a Vec<u32>> for Codes<'a, u32> {
    fn from(v: &'a Vec<u32>) -> Self {
        Self::new(CodeValues::U32(v))
    }
}

/// The day kernel's sentinel for a null day.
pub(crate) const NO_DAY: i32 = i32::MIN;
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
            if bit % 8 == 0 && j + 8 <= n {
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

/// The columnar dossier table the report kernel reads. All columns have the same length, except
/// that a time column or the group column may be empty (absent); other lengths are an
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) of the report.
///
/// `status` reads [`Status::column_code`](crate::Status::column_code) values; a row whose code is
/// `0`, or whose index is in `skip`, was already rejected upstream (its
/// [`Rejection`](crate::Rejection) is reported by whoever built the columns). `group` reads a
/// code into `group_labels` per row. Coded columns are [`Codes`]: a plain slice converts with
/// `.into()`, an Arrow integer or dictionary-key buffer is borrowed with a lookup table.
///
/// # Example
/// ```
/// use tthc_metrics::{Columns, TimeColumn};
/// let received = [0i64, 86_400];
/// let none = [0i64; 2];
/// let cols = Columns {
///     received: TimeColumn::local(&received),
///     due: TimeColumn::local(&none).with_validity(None, true),
///     finished: TimeColumn::local(&none).with_validity(None, true),
///     status: (&[4, 4]).into(),
///     channel: None,
///     online_service: None,
///     supplement_requests: None,
///     synced: None,
///     group: (&[0, 0]).into(),
///     group_labels: &["Phòng Tư pháp".to_string()],
///     skip: &[],
/// };
/// assert_eq!(cols.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// Reception times (required; a null is a rejected row).
    pub received: TimeColumn<'a>,
    /// Due date-times (null: none on record).
    pub due: TimeColumn<'a>,
    /// End-of-processing times (null: not finished).
    pub finished: TimeColumn<'a>,
    /// Status column codes (0: rejected upstream; a code that is not a status: rejected here).
    pub status: Codes<'a, u8>,
    /// Channel codes 1–3 (`None`: all direct).
    pub channel: Option<Codes<'a, u8>>,
    /// Online-service codes 0 none, 1 partial, 2 full (`None`: all none).
    pub online_service: Option<Codes<'a, u8>>,
    /// Supplement request counts (`None`: all 0).
    pub supplement_requests: Option<&'a [u32]>,
    /// Portal sync flags (`None`: all synced).
    pub synced: Option<&'a [bool]>,
    /// Group code per row, an index into `group_labels` (empty: every row in group 0).
    pub group: Codes<'a, u32>,
    /// Display label of each group code.
    pub group_labels: &'a [String],
    /// Rows (indices into this chunk, ascending) rejected upstream, skipped like status code 0:
    /// lets a builder borrow its status column and still drop the rows it rejected.
    pub skip: &'a [usize],
}

impl<'a> TimeColumn<'a> {
    /// The same column with another validity bitmap; `all_null` makes every row null.
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::TimeColumn::local(&[1]).with_validity(None, true);
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

impl Columns<'_> {
    /// Number of rows (the length of `status`).
    ///
    /// # Example
    /// see [`Columns`].
    pub fn len(&self) -> usize {
        self.status.len()
    }

    /// Whether there is no row.
    ///
    /// # Example
    /// see [`Columns`].
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// Row `i`'s status column code: 0 for a row rejected upstream (code 0 or listed in
    /// `skip`), 255 for a raw value the status map does not know.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Columns, TimeColumn};
    /// let t = [0i64; 2];
    /// let cols = Columns {
    ///     received: TimeColumn::local(&t), due: TimeColumn::local(&t), finished: TimeColumn::local(&t),
    ///     status: (&[4, 9]).into(), channel: None, online_service: None,
    ///     supplement_requests: None, synced: None, group: (&[][..]).into(), group_labels: &[],
    ///     skip: &[1],
    /// };
    /// assert_eq!((cols.status_at(0), cols.status_at(1)), (4, 0));
    /// ```
    pub fn status_at(&self, i: usize) -> u8 {
        if self.skip.binary_search(&i).is_ok() {
            0
        } else {
            self.status.get(i, 255)
        }
    }

    /// Row `i`'s group code (0 when the group column is absent).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Columns, TimeColumn};
    /// let t = [0i64; 1];
    /// let cols = Columns {
    ///     received: TimeColumn::local(&t), due: TimeColumn::local(&t), finished: TimeColumn::local(&t),
    ///     status: (&[4]).into(), channel: None, online_service: None,
    ///     supplement_requests: None, synced: None, group: (&[3]).into(), group_labels: &[],
    ///     skip: &[],
    /// };
    /// assert_eq!(cols.group_at(0), 3);
    /// ```
    pub fn group_at(&self, i: usize) -> u32 {
        self.group.get(i, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
