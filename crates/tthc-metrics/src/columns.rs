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
        if let Some(v) = self.validity {
            for (j, o) in out.iter_mut().enumerate() {
                if !v.is_valid(start + j) {
                    *o = NONE;
                }
            }
        }
    }
}

/// The columnar dossier table the report kernel reads. All columns have the same length, except
/// that a time column or the group column may be empty (absent); other lengths are an
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) of the report.
///
/// `status` holds [`Status::column_code`](crate::Status::column_code) values; `0` marks a row
/// already rejected upstream (its [`Rejection`](crate::Rejection) is reported by whoever
/// built the columns). `group` holds a code into `group_labels` per row.
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
///     status: &[4, 4],
///     channel: None,
///     online_service: None,
///     supplement_requests: None,
///     synced: None,
///     group: &[0, 0],
///     group_labels: &["Phòng Tư pháp".to_string()],
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
    /// Status column codes (0: rejected upstream).
    pub status: &'a [u8],
    /// Channel codes 1–3 (`None`: all direct).
    pub channel: Option<&'a [u8]>,
    /// Online-service codes 0 none, 1 partial, 2 full (`None`: all none).
    pub online_service: Option<&'a [u8]>,
    /// Supplement request counts (`None`: all 0).
    pub supplement_requests: Option<&'a [u32]>,
    /// Portal sync flags (`None`: all synced).
    pub synced: Option<&'a [bool]>,
    /// Group code per row, an index into `group_labels` (empty: every row in group 0).
    pub group: &'a [u32],
    /// Display label of each group code.
    pub group_labels: &'a [String],
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
}
