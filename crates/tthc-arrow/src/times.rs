//! Time columns: Arrow dates and timestamps borrowed in place, text and Excel serial dates parsed
//! once into local seconds (Asia/Ho_Chi_Minh civil time).
//!
//! Text formats (domain-rules section 9): `dd/MM/yyyy HH:mm:ss`, `dd/MM/yyyy HH:mm`,
//! `dd/MM/yyyy`, `HH:mm, dd/MM/yyyy`, `HH:mm:ss dd/MM/yyyy`, `yyyyMMddHHmmss` (the sync
//! standard), `yyyyMMdd`, ISO `yyyy-MM-dd[THH:mm[:ss[.fff]]]` naive or with `Z`, `+07`, `+0700`,
//! `+07:00` (converted to UTC+7), and `-` or `.` for `/` in day-first dates. Fractions of a second
//! are floored (times are read to the second). A number in a float column is an Excel serial date
//! (days since 1899-12-30, the fraction the time of day).

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::Array;
use arrow_schema::{DataType, TimeUnit};
use tthc_metrics::columnar::{TimeColumn, TimeEncoding, TimeValues, Validity};

use crate::codes::{string_ids, BadText, ReadRows, StringRows, Value};
use crate::error::ArrowError;
use crate::text::is_text;
use crate::time_lanes::{self, LANES};

pub(crate) const DAY: i64 = 86_400;
/// Seconds from 1899-12-30 (Excel's day 0) to 1970-01-01.
const EXCEL_EPOCH_DAYS: i64 = 25_569;

/// Days since 1970-01-01 of a proleptic Gregorian date of a year of at most four digits (what
/// every text layout gives); `None` for an impossible date. Years from [`TABLE_YEARS`] are read
/// from a table (the year's first day and whether it is leap), the others computed by Howard
/// Hinnant's algorithm in unsigned 32-bit arithmetic ([`days_by_era`]). The divisions of the
/// algorithm were 13% of a report on three columns of text times; the table is 1 KB.
#[allow(clippy::inline_always)]
#[inline(always)]
fn days_from_civil(y: u32, m: u32, d: u32) -> Option<i64> {
    let Some(&start) = YEAR_STARTS.get(y.wrapping_sub(TABLE_YEARS.0) as usize) else {
        return days_by_era(y, m, d);
    };
    let leap = (start & 1) as usize;
    let month = m.wrapping_sub(1) as usize;
    let (&before, &after) = (
        MONTH_STARTS[leap].get(month)?,
        MONTH_STARTS[leap].get(month + 1)?,
    );
    // `before + d` past the month's end, or day 0: no such date
    (d >= 1 && before + d <= after).then(|| i64::from((start >> 1) + (before + d - 1) as i32))
}

/// The years read from a table by [`days_from_civil`]: 1900 to 2155.
const TABLE_YEARS: (u32, u32) = (1900, 2155);

/// Days from 1970-01-01 to each year's first day of [`TABLE_YEARS`], shifted left one bit, the
/// bit whether it is a leap year.
const YEAR_STARTS: [i32; 256] = {
    let mut t = [0i32; 256];
    let mut k = 0;
    while k < 256 {
        let y = TABLE_YEARS.0 + k as u32;
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        // Hinnant's days_from_civil of (y, 1, 1): March-based years, so January is in y - 1's
        let y1 = y - 1;
        let (era, yoe) = (y1 / 400, y1 % 400);
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + 306;
        let days = (era * 146_097 + doe) as i32 - 719_468;
        t[k] = days * 2 + leap as i32;
        k += 1;
    }
    t
};

/// Days of the year before each month's first day, and 365 or 366 last: common years, leap years.
const MONTH_STARTS: [[u32; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// [`days_from_civil`] by Howard Hinnant's algorithm, in unsigned 32-bit arithmetic from an era
/// 400 years earlier (so that the divisions by constants are short multiplications).
fn days_by_era(y: u32, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || d == 0 || y > 9_999 {
        return None;
    }
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let starts = &MONTH_STARTS[usize::from(leap)];
    if d > starts[m as usize] - starts[m as usize - 1] {
        return None;
    }
    // years from 400 years before year 0 (so that January of year 0 stays unsigned)
    let y = y + 400 - u32::from(m <= 2);
    let (era, yoe) = (y / 400, y % 400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(i64::from(era) * 146_097 + i64::from(doe) - 719_468 - 146_097)
}

/// A cursor over the bytes of one text value.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + u32::from(self.b[self.i] - b'0');
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn eat_any(&mut self, cs: &[u8]) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        if cs.contains(&c) {
            self.i += 1;
            Some(c)
        } else {
            None
        }
    }
    fn spaces(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    fn peek_digit(&self) -> bool {
        self.b.get(self.i).is_some_and(u8::is_ascii_digit)
    }
}

/// `HH:mm[:ss[.fff]]` as seconds of the day.
fn clock(c: &mut Cursor<'_>) -> Option<i64> {
    let h = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let m = c.digits(2, 2)?;
    let mut s = 0;
    if c.eat(b':') {
        s = c.digits(2, 2)?;
        // a fraction after `.` or `,`; a `,` before a space separates ("09:30:15, 16/10/2023")
        if matches!(c.b.get(c.i), Some(b'.' | b','))
            && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit)
        {
            c.i += 1;
            c.digits(1, 9)?;
        }
    }
    (h < 24 && m < 60 && s < 61).then(|| i64::from(h * 3600 + m * 60 + s.min(59)))
}

/// What follows a time: nothing (civil time) or an offset.
enum Zone {
    Civil,
    Offset(i64),
}

/// A zone suffix (`Z`, `+07`, `+0700`, `+07:00`) as seconds east of UTC; `None` for anything
/// else.
fn zone(c: &mut Cursor<'_>) -> Option<Zone> {
    c.spaces();
    if c.done() {
        return Some(Zone::Civil);
    }
    if c.eat(b'Z') || c.eat(b'z') {
        return Some(Zone::Offset(0));
    }
    let sign = match c.eat_any(b"+-")? {
        b'+' => 1,
        _ => -1,
    };
    let h = c.digits(2, 2)?;
    c.eat(b':');
    let m = if c.peek_digit() { c.digits(2, 2)? } else { 0 };
    (h <= 14 && m < 60).then_some(Zone::Offset(sign * i64::from(h * 3600 + m * 60)))
}

/// A parsed text time: local seconds, and whether the text was a bare date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub seconds: i64,
    pub date_only: bool,
}

/// Parses one text value (see the module docs); `None` when it is not a time.
///
/// ```text
/// "16/10/2023 09:30:15" "16/10/2023 09:30" "16/10/2023" "09:30, 16/10/2023" "20231016093015"
/// "2023-10-16T09:30:00.123+07:00" "2023-10-16 09:30" "2023-10-16"
/// ```
pub(crate) fn parse_time(s: &str) -> Option<Parsed> {
    let s = s.trim();
    fixed_layout(s.as_bytes()).or_else(|| parse_any(s))
}

/// Every layout of section 9 at fixed positions, as [`parse_any`] reads it (a proptest holds
/// them equal): `yyyy-MM-dd` or `dd/MM/yyyy` (`-`, `/` or `.` between the date's parts) alone
/// or followed by a space or `T` and `HH:mm[:ss[.f]]` and a zone (`Z`, `+07`, `+0700`,
/// `+07:00`), `HH:mm[:ss]` before the date (`, ` or a space between them) and the sync
/// standard's `yyyyMMdd[HHmm[ss]]`; `None` for anything else (one-digit parts, spaces around
/// a zone, text to trim), which `parse_any` reads. A text time column of distinct date-times
/// spent most of its time in the general parser: a report on three columns of
/// `yyyyMMddHHmmss`, `HH:mm, dd/MM/yyyy` or zoned ISO text took 1.0 s against 0.6 s for
/// `dd/MM/yyyy HH:mm:ss` before these layouts were read here.
fn fixed_layout(b: &[u8]) -> Option<Parsed> {
    if b.len() == 19 {
        if let Some(p) = nineteen(b) {
            return Some(p);
        }
    }
    fixed_parts(b)
}

/// [`fixed_layout`] a part at a time (each part's digits checked as it is read): every layout
/// of the module docs but the Excel serial, the 19-byte ones included.
pub(crate) fn fixed_parts(b: &[u8]) -> Option<Parsed> {
    let n = b.len();
    // the date first (the common case): the date, a time after it, a zone
    if n >= 16 && b[2] != b':' {
        let day = date_at_start(b)?;
        if !matches!(b[10], b' ' | b'T' | b't') {
            return None;
        }
        let (time, end) = clock_at(b, 11)?;
        let local = day * DAY + time;
        let seconds = match zone_suffix(&b[end..])? {
            Zone::Offset(offset) => {
                local - offset + i64::from(tthc_metrics::VIETNAM_UTC_OFFSET_SECONDS)
            }
            Zone::Civil => local,
        };
        return Some(Parsed {
            seconds,
            date_only: false,
        });
    }
    match n {
        // the sync standard: yyyyMMdd, yyyyMMddHHmm, yyyyMMddHHmmss
        8 | 12 | 14 if b.iter().all(u8::is_ascii_digit) => {
            let day = days_from_civil(four(b, 0)?, two(b, 4)?, two(b, 6)?)?;
            let (h, m, s) = match n {
                8 => (0, 0, 0),
                12 => (two(b, 8)?, two(b, 10)?, 0),
                _ => (two(b, 8)?, two(b, 10)?, two(b, 12)?),
            };
            (h < 24 && m < 60 && s < 61).then(|| Parsed {
                seconds: day * DAY + i64::from(h * 3600 + m * 60 + s.min(59)),
                date_only: n == 8,
            })
        }
        10 => Some(Parsed {
            seconds: date_at_start(b)? * DAY,
            date_only: true,
        }),
        // the time first: "09:30, 16/10/2023", "09:30:15 16/10/2023"
        16.. => {
            let (time, end) = clock_at(b, 0)?;
            // (a `,` and a digit after the seconds was read as their fraction)
            let gap = match &b[end..] {
                [b',', b' ', ..] => 2,
                [b' ' | b',', ..] => 1,
                _ => return None,
            };
            let date = &b[end + gap..];
            (date.len() == 10).then_some(())?;
            Some(Parsed {
                seconds: date_at_start(date)? * DAY + time,
                date_only: false,
            })
        }
        _ => None,
    }
}

/// `dd/MM/yyyy HH:mm:ss` and `yyyy-MM-dd HH:mm:ss` (`-`, `/` or `.` twice; ` `, `T` or `t`
/// before the clock), the layouts of most exports, read three words at a time: what
/// [`fixed_parts`] reads of such text, `None` for any other 19 bytes (which it then reads).
/// Each word's digits are checked together, and its two-digit numbers made together: with each
/// byte's low four bits `t`, byte `i` of `10 t + (t >> 8)` is `10 t[i] + t[i + 1]` (at most
/// 165, no carry), so a part is one byte of it. On 10M distinct date-times, one core (`cargo
/// bench --bench decode`, `three_text_times`, `taskset -c 1`): the digits checked a word at a
/// time and the numbers made a pair at a time (in the row parse, the validity byte held in a
/// register) 724 → 613 ms against the byte-by-byte reader ([`fixed_parts`]); the numbers made
/// a word at a time, 699–732 → 680–688 ms (three of four alternated runs of the two builds; the
/// fourth 714 against 743). The floor is the instruction count, not memory: the same parse of
/// 1,024 texts that stay in the first-level cache costs as much, and the loop around it spills
/// registers to the stack.
#[allow(clippy::inline_always)]
#[inline(always)]
#[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
pub(crate) fn nineteen(b: &[u8]) -> Option<Parsed> {
    let c: &[u8; 19] = b.try_into().ok()?;
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&c[at..at + 8]);
        u64::from_le_bytes(w)
    };
    // bytes 0-7, 8-15 and 11-18
    let (w0, w1, w2) = (word(0), word(8), word(11));
    // the bytes of `mask` (0x80 each) whose byte in `t` (the byte minus '0': a digit's value)
    // is 10 or more: none, for digits
    let zeros = u64::from_le_bytes([b'0'; 8]);
    let not_digits = |w: u64, mask: u64| {
        let t = w ^ zeros;
        let low = t & 0x7F7F_7F7F_7F7F_7F7F;
        ((low + 0x7676_7676_7676_7676) | t) & mask
    };
    // byte i: the two-digit number at bytes i and i + 1 of the word (where both are digits)
    let pairs = |w: u64| {
        let t = w & 0x0F0F_0F0F_0F0F_0F0F;
        t * 10 + (t >> 8)
    };
    let (p0, p1, p2) = (pairs(w0), pairs(w1), pairs(w2));
    let at = |p: u64, i: u32| (p >> (8 * i)) as u32 & 0xFF;
    let sep = |x: u8| (x == b'-') | (x == b'/') | (x == b'.');
    // the clock: bytes 11-12, 14-15 (w1's 3, 4, 6, 7) and 17-18 (w2's 6, 7)
    let clock = ((c[10] == b' ') | (c[10] == b'T') | (c[10] == b't'))
        & (c[13] == b':')
        & (c[16] == b':')
        & (not_digits(w1, const { bytes(&[0, 1, 3, 4, 6, 7]) }) == 0)
        & (not_digits(w2, const { bytes(&[6, 7]) }) == 0);
    let year_first =
        sep(c[4]) & (c[7] == c[4]) & (not_digits(w0, const { bytes(&[0, 1, 2, 3, 5, 6]) }) == 0);
    let day_first =
        sep(c[2]) & (c[5] == c[2]) & (not_digits(w0, const { bytes(&[0, 1, 3, 4, 6, 7]) }) == 0);
    let (y, m, d) = if year_first {
        (at(p0, 0) * 100 + at(p0, 2), at(p0, 5), at(p1, 0))
    } else {
        (at(p0, 6) * 100 + at(p1, 0), at(p0, 3), at(p0, 0))
    };
    let (h, mi, se) = (at(p1, 3), at(p1, 6), at(p2, 6));
    // the general parser reads a first number of 31 or less as a day
    let date = (year_first & (y > 31)) | day_first;
    if !(clock & date & (h < 24) & (mi < 60) & (se < 61)) {
        return None;
    }
    Some(Parsed {
        seconds: days_from_civil(y, m, d)? * DAY + i64::from(h * 3600 + mi * 60 + se.min(59)),
        date_only: false,
    })
}

/// A word with 0x80 in each byte of `at` (0 to 7).
const fn bytes(at: &[u32]) -> u64 {
    let mut m = 0;
    let mut k = 0;
    while k < at.len() {
        m |= 0x80 << (8 * at[k]);
        k += 1;
    }
    m
}

/// Two ASCII digits at `i` as a number.
#[allow(clippy::inline_always)]
#[inline(always)]
fn two(b: &[u8], i: usize) -> Option<u32> {
    let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
    (x.is_ascii_digit() && y.is_ascii_digit())
        .then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
}

/// Four ASCII digits at `i` as a number.
#[allow(clippy::inline_always)]
#[inline(always)]
fn four(b: &[u8], i: usize) -> Option<u32> {
    Some(two(b, i)? * 100 + two(b, i + 2)?)
}

/// The date in the first ten bytes of `b`, `yyyy-MM-dd` or `dd/MM/yyyy` (`-`, `/` or `.`, the
/// same twice), as days since 1970-01-01.
#[allow(clippy::inline_always)]
#[inline(always)]
fn date_at_start(b: &[u8]) -> Option<i64> {
    let b = b.get(..10)?;
    let date_sep = |c: u8| matches!(c, b'-' | b'/' | b'.');
    let (y, m, d) = if date_sep(b[4]) && b[7] == b[4] {
        // the general parser reads a first number of 31 or less as a day
        let y = four(b, 0)?;
        (y > 31).then_some(())?;
        (y, two(b, 5)?, two(b, 8)?)
    } else if date_sep(b[2]) && b[5] == b[2] {
        (four(b, 6)?, two(b, 3)?, two(b, 0)?)
    } else {
        return None;
    };
    days_from_civil(y, m, d)
}

/// `HH:mm[:ss[.f]]` at `i` (a fraction of 1 to 9 digits, after `.` or `,`, ignored): the
/// seconds of the day and where the clock ends.
#[allow(clippy::inline_always)]
#[inline(always)]
fn clock_at(b: &[u8], i: usize) -> Option<(i64, usize)> {
    let h = two(b, i)?;
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let m = two(b, i + 3)?;
    let (mut s, mut end) = (0, i + 5);
    if b.get(end) == Some(&b':') {
        s = two(b, end + 1)?;
        end += 3;
        if matches!(b.get(end), Some(b'.' | b',')) && b.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            let digits = b[end + 1..]
                .iter()
                .take(9)
                .take_while(|c| c.is_ascii_digit())
                .count();
            end += 1 + digits;
        }
    }
    (h < 24 && m < 60 && s < 61).then(|| (i64::from(h * 3600 + m * 60 + s.min(59)), end))
}

/// What may follow a time ([`zone`] without spaces): nothing (civil time) or an offset;
/// `None` for anything else.
fn zone_suffix(r: &[u8]) -> Option<Zone> {
    let (sign, rest) = match r {
        [] => return Some(Zone::Civil),
        [b'Z' | b'z'] => return Some(Zone::Offset(0)),
        [b'+', rest @ ..] => (1, rest),
        [b'-', rest @ ..] => (-1, rest),
        _ => return None,
    };
    let h = two(rest, 0)?;
    let m = match &rest[2..] {
        [] | [b':'] => 0,
        [_, _] => two(rest, 2)?,
        [b':', _, _] => two(rest, 3)?,
        _ => return None,
    };
    (h <= 14 && m < 60).then(|| Zone::Offset(sign * i64::from(h * 3600 + m * 60)))
}

/// Any format of the module docs (`s` trimmed).
fn parse_any(s: &str) -> Option<Parsed> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    // the sync standard's yyyyMMddHHmmss (and yyyyMMdd, yyyyMMddHHmm)
    if b.iter().all(u8::is_ascii_digit) && matches!(b.len(), 8 | 12 | 14) {
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
        let day = days_from_civil(n(0..4)?, n(4..6)?, n(6..8)?)?;
        let (h, m, sec) = match b.len() {
            8 => (0, 0, 0),
            12 => (n(8..10)?, n(10..12)?, 0),
            _ => (n(8..10)?, n(10..12)?, n(12..14)?),
        };
        if h > 23 || m > 59 || sec > 60 {
            return None;
        }
        return Some(Parsed {
            seconds: day * DAY + i64::from(h * 3600 + m * 60 + sec.min(59)),
            date_only: b.len() == 8,
        });
    }
    let mut c = Cursor { b, i: 0 };
    // a time first: "09:30, 16/10/2023", "09:30:00 16/10/2023"
    let mut leading = None;
    let save = c.i;
    if let Some(t) = clock(&mut c) {
        c.spaces();
        c.eat(b',');
        c.spaces();
        leading = Some(t);
    } else {
        c.i = save;
    }
    let first = c.digits(1, 4)?;
    let sep = c.eat_any(b"/-.")?;
    let second = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let (y, m, d) = if first > 31 {
        // ISO yyyy-MM-dd
        let d = c.digits(1, 2)?;
        (first, second, d)
    } else {
        let y = c.digits(4, 4)?;
        (y, second, first)
    };
    let day = days_from_civil(y, m, d)?;
    if let Some(t) = leading {
        c.spaces();
        return c.done().then_some(Parsed {
            seconds: day * DAY + t,
            date_only: false,
        });
    }
    if c.done() {
        return Some(Parsed {
            seconds: day * DAY,
            date_only: true,
        });
    }
    if c.eat(b'T') || c.eat(b't') {
    } else {
        c.spaces();
        c.eat(b',');
        c.spaces();
    }
    let t = clock(&mut c)?;
    let z = zone(&mut c)?;
    if !c.done() {
        return None;
    }
    let local = day * DAY + t;
    let seconds = match z {
        // an instant with its offset: to UTC, then to UTC+7
        Zone::Offset(offset) => {
            local - offset + i64::from(tthc_metrics::VIETNAM_UTC_OFFSET_SECONDS)
        }
        Zone::Civil => local,
    };
    Some(Parsed {
        seconds,
        date_only: false,
    })
}

/// An Excel serial date (days since 1899-12-30, the fraction the time of day) as local seconds,
/// rounded to the second; `None` outside 1900–9999 or for a non-finite number.
pub(crate) fn excel_serial(v: f64) -> Option<i64> {
    if !v.is_finite() || !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    let secs = (v * DAY as f64).round() as i64;
    Some(secs - EXCEL_EPOCH_DAYS * DAY)
}

/// Whether an Arrow type can hold a time column.
pub(crate) fn is_time_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date32
            | DataType::Date64
            | DataType::Timestamp(_, _)
            | DataType::Null
            | DataType::Float64
            | DataType::Float32
    ) || is_text(t)
}

/// Checks that column `name` (canonical `field`) can hold times.
pub(crate) fn check_time_type(
    array: &dyn Array,
    name: &str,
    field: &str,
) -> Result<(), ArrowError> {
    if is_time_type(array.data_type()) {
        Ok(())
    } else {
        Err(ArrowError::UnsupportedType {
            column: name.to_string(),
            data_type: format!("{} (for {field})", array.data_type()),
            expected: "a date32, date64, timestamp, text date or Excel serial date",
        })
    }
}

fn validity(array: &dyn Array) -> Option<Validity<'_>> {
    array
        .nulls()
        .map(|n| Validity::new(n.inner().values(), n.offset()))
}

/// A borrowed view of a date or timestamp column; `None` for columns that must be parsed (text,
/// Excel serials).
pub(crate) fn borrowed(array: &dyn Array) -> Option<TimeColumn<'_>> {
    let v = validity(array);
    fn ts(values: &[i64], per_second: i64, utc: bool) -> TimeColumn<'_> {
        TimeColumn::new(
            TimeValues::Ticks(values),
            TimeEncoding::Timestamp { per_second, utc },
            None,
        )
    }
    let col = match array.data_type() {
        DataType::Date32 => TimeColumn::new(
            TimeValues::Days(array.as_primitive::<Date32Type>().values()),
            TimeEncoding::Days,
            None,
        ),
        DataType::Date64 => ts(array.as_primitive::<Date64Type>().values(), 1_000, false),
        DataType::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            match unit {
                TimeUnit::Second => {
                    ts(array.as_primitive::<TimestampSecondType>().values(), 1, utc)
                }
                TimeUnit::Millisecond => ts(
                    array.as_primitive::<TimestampMillisecondType>().values(),
                    1_000,
                    utc,
                ),
                TimeUnit::Microsecond => ts(
                    array.as_primitive::<TimestampMicrosecondType>().values(),
                    1_000_000,
                    utc,
                ),
                TimeUnit::Nanosecond => ts(
                    array.as_primitive::<TimestampNanosecondType>().values(),
                    1_000_000_000,
                    utc,
                ),
            }
        }
        // a Null-typed column (an empty export column): every row null
        DataType::Null => return Some(TimeColumn::absent()),
        _ => return None,
    };
    Some(col.with_validity(v, false))
}

/// A parsed time column: local seconds and validity bits, and the rows that could not be read
/// (with the first unreadable value, for the content check).
#[derive(Debug, Default)]
pub(crate) struct ParsedTimes {
    pub values: Vec<i64>,
    pub valid: Vec<u8>,
    pub unreadable: Vec<usize>,
    /// Non-null rows looked at.
    pub non_null: usize,
}

impl ParsedTimes {
    pub(crate) fn column(&self) -> TimeColumn<'_> {
        TimeColumn::local(&self.values).with_validity(Some(Validity::new(&self.valid, 0)), false)
    }

    fn with_rows(n: usize) -> Self {
        Self {
            values: vec![0; n],
            valid: vec![0; n.div_ceil(8)],
            unreadable: Vec::new(),
            non_null: 0,
        }
    }

    fn put(&mut self, i: usize, v: Result<Option<i64>, ()>) {
        match v {
            Ok(Some(t)) => {
                self.values[i] = t;
                self.valid[i / 8] |= 1 << (i % 8);
                self.non_null += 1;
            }
            Ok(None) => {}
            Err(()) => {
                self.non_null += 1;
                self.unreadable.push(i);
            }
        }
    }
}

/// Parses a text, dictionary-of-text or float (Excel serial) time column; `Err` for text that
/// breaks Arrow's rules ([`string_ids`]).
pub(crate) fn parse_column(array: &dyn Array) -> Result<ParsedTimes, BadText> {
    let n = array.len();
    let mut out = ParsedTimes::with_rows(n);
    let mut text = text_time;
    if let Some(d) = array.as_any_dictionary_opt() {
        let values = d.values();
        let mut table = Vec::with_capacity(values.len());
        if let Some((ids, t)) = string_ids(values.as_ref(), &mut text)? {
            table.extend(ids.iter().map(|&id| t[id as usize]));
        }
        for (i, key) in crate::decode::dictionary_keys(d)
            .into_iter()
            .enumerate()
            .take(n)
        {
            let v = if array.is_null(i) {
                Ok(None)
            } else {
                // a key outside the dictionary is invalid Arrow: refused where the batch enters
                table.get(key).copied().unwrap_or(Ok(None))
            };
            out.put(i, v.map_err(|_| ()));
        }
        return Ok(out);
    }
    if let Some(rows) = StringRows::new(array) {
        return if mostly_distinct(&rows) {
            parse_rows(&rows)
        } else {
            parse_interned(array)
        };
    }
    let serial = |x: Option<f64>| match x {
        None => Ok(None),
        Some(v) => excel_serial(v).map(Some).ok_or(()),
    };
    if let Some(f) = array.as_primitive_opt::<Float64Type>() {
        for (i, v) in f.iter().enumerate() {
            out.put(i, serial(v));
        }
    } else if let Some(f) = array.as_primitive_opt::<Float32Type>() {
        for (i, v) in f.iter().enumerate() {
            out.put(i, serial(v.map(f64::from)));
        }
    }
    Ok(out)
}

/// One text time as the parsers read it: blank is no time, text that is no time is unreadable.
fn text_time(v: Value<'_>) -> Result<Option<i64>, tthc_metrics::RejectReason> {
    match v {
        Value::Text(s) if s.trim().is_empty() => Ok(None),
        Value::Text(s) => parse_time(s)
            .map(|p| Some(p.seconds))
            .ok_or(tthc_metrics::RejectReason::Unreadable),
        _ => Ok(None),
    }
}

/// Parses a plain string time column once per distinct value ([`string_ids`]).
fn parse_interned(array: &dyn Array) -> Result<ParsedTimes, BadText> {
    let mut out = ParsedTimes::with_rows(array.len());
    if let Some((ids, table)) = string_ids(array, &mut text_time)? {
        for (i, &id) in ids.iter().enumerate() {
            out.put(i, table[id as usize].map_err(|_| ()));
        }
    }
    Ok(out)
}

/// Rows of a text time column sampled to choose how it is parsed.
const SAMPLE: usize = 4096;

/// Whether most of the first [`SAMPLE`] rows of a text time column hold a value of their own
/// (date-times to the second): interning such a column only adds a hash table as large as the
/// column, grown and merged on one core (1.67 s a report of 2M rows with three such columns, 40x
/// the same times as timestamps), so its rows are parsed one by one on all cores instead. Dates
/// alone, or times to the hour, repeat, and are parsed once per distinct value.
fn mostly_distinct(rows: &StringRows<'_>) -> bool {
    let n = rows.len().min(SAMPLE);
    let mut seen = rustc_hash::FxHashSet::default();
    let mut non_null = 0;
    for i in 0..n {
        if let (false, Some(b)) = (rows.is_null(i), rows.bytes(i)) {
            non_null += 1;
            seen.insert(b);
        }
    }
    non_null >= 64 && seen.len() * 2 > non_null
}

/// Parses every row of a text time column on all cores (see [`mostly_distinct`]), each row's
/// offsets or view and UTF-8 checked as [`string_ids`] checks them; `Err` with the first bad row.
fn parse_rows(rows: &StringRows<'_>) -> Result<ParsedTimes, BadText> {
    rows.read_with(RowParse(rows))
}

/// [`parse_rows`] of a column, given its layout's reader.
struct RowParse<'r, 'a>(&'r StringRows<'a>);

impl<'a> ReadRows<'a> for RowParse<'_, 'a> {
    type Out = Result<ParsedTimes, BadText>;

    fn read<R: Fn(usize) -> Option<&'a [u8]> + Sync>(self, row: R) -> Self::Out {
        let rows = self.0;
        let n = rows.len();
        let mut out = ParsedTimes::with_rows(n);
        let parts = crate::codes::string_parts(n);
        // parts of whole validity bytes
        let per = n.div_ceil(parts).div_ceil(8).max(1) * 8;
        let part = |lo: usize,
                    values: &mut [i64],
                    valid: &mut [u8]|
         -> Result<(Vec<usize>, usize), BadText> {
            let (mut unreadable, mut non_null) = (Vec::new(), 0);
            let mut words: time_lanes::Words = [[0; LANES]; 3];
            let mut seconds = [0i64; LANES];
            // eight rows a validity byte: the 19-byte layout of most exports read for all eight
            // together, the rows it does not read (nulls, other layouts) one by one
            for (g, (values, bits)) in values.chunks_mut(LANES).zip(valid.iter_mut()).enumerate() {
                let first = lo + g * LANES;
                let mut nineteen_bytes = 0u8;
                for l in 0..values.len() {
                    let i = first + l;
                    if rows.is_null(i) {
                        continue;
                    }
                    // a row whose offsets or view do not hold: the reader's own error
                    let Some(bytes) = row(i) else {
                        return Err(rows.raw(i).err().unwrap_or(BadText {
                            row: i,
                            message: "unreadable",
                        }));
                    };
                    if let Ok(b) = <&[u8; 19]>::try_from(bytes) {
                        time_lanes::put(&mut words, l, b);
                        nineteen_bytes |= 1 << l;
                    }
                }
                let read = time_lanes::read(&words, &mut seconds) & nineteen_bytes;
                for (l, value) in values.iter_mut().enumerate() {
                    *value = if read >> l & 1 == 1 { seconds[l] } else { 0 };
                }
                non_null += read.count_ones() as usize;
                let mut got = read;
                let mut rest = !read & (u8::MAX >> (LANES - values.len()));
                while rest != 0 {
                    let l = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    let i = first + l;
                    if rows.is_null(i) {
                        continue;
                    }
                    // the other fixed layouts on the bytes: text they read is ASCII (valid
                    // UTF-8) that begins and ends with a digit (trimming leaves it as it is)
                    if let Some(p) = row(i).and_then(fixed_layout) {
                        non_null += 1;
                        values[l] = p.seconds;
                        got |= 1 << l;
                        continue;
                    }
                    let text = rows.text(i)?.unwrap_or_default();
                    // the rules of the parse once per value (blank: no time), written once
                    match text_time(Value::Text(text)) {
                        Ok(None) => {}
                        Ok(Some(t)) => {
                            non_null += 1;
                            values[l] = t;
                            got |= 1 << l;
                        }
                        Err(_) => {
                            non_null += 1;
                            unreadable.push(i);
                        }
                    }
                }
                *bits = got;
            }
            Ok((unreadable, non_null))
        };
        let results: Vec<Result<(Vec<usize>, usize), BadText>> = if parts == 1 {
            vec![part(0, &mut out.values, &mut out.valid)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = out
                    .values
                    .chunks_mut(per)
                    .zip(out.valid.chunks_mut(per / 8))
                    .enumerate()
                    .map(|(k, (values, valid))| scope.spawn(move || part(k * per, values, valid)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        // the parts in row order: the first bad row is the lowest
        for r in results {
            let (unreadable, non_null) = r?;
            out.unreadable.extend(unreadable);
            out.non_null += non_null;
        }
        Ok(out)
    }
}

/// A text date or date-time (any format of the module docs) as civil time: `(time, bare
/// date)`, a bare date at midnight.
///
/// # Example
/// ```
/// let (t, date_only) = tthc_arrow::parse_time_text("16/10/2023").unwrap();
/// assert_eq!((t.to_string().as_str(), date_only), ("2023-10-16 00:00:00", true));
/// assert!(tthc_arrow::parse_time_text("hôm nay").is_none());
/// ```
pub fn parse_time_text(s: &str) -> Option<(chrono::NaiveDateTime, bool)> {
    let p = parse_time(s)?;
    let t = chrono::DateTime::from_timestamp(p.seconds, 0)?.naive_utc();
    Some((t, p.date_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<i64> {
        parse_time(s).map(|p| p.seconds)
    }

    #[test]
    fn every_format_of_section_9() {
        let t = 19_646 * DAY + 9 * 3600 + 30 * 60; // 2023-10-16 09:30 local
        for s in [
            "16/10/2023 09:30:00",
            "16/10/2023 09:30",
            "09:30, 16/10/2023",
            "09:30 16/10/2023",
            "20231016093000",
            "2023-10-16T09:30:00",
            "2023-10-16T09:30",
            "2023-10-16 09:30",
            "2023-10-16 09:30:00.123",
            "16/10/2023 09:30:00.5",
            "2023-10-16T09:30:00+07:00",
            "2023-10-16T09:30:00+0700",
            "2023-10-16T02:30:00Z",
            "2023-10-16T02:30:00.999999Z",
            "16-10-2023 09:30",
            "  16/10/2023 09:30  ",
        ] {
            assert_eq!(secs(s), Some(t), "{s}");
        }
        for s in [
            "16/10/2023",
            "2023-10-16",
            "20231016",
            "16.10.2023",
            "6/1/2024",
        ] {
            let p = parse_time(s).unwrap();
            assert!(p.date_only, "{s}");
        }
        assert_eq!(secs("6/1/2024"), Some(19_728 * DAY)); // 6 January 2024, day first
        for s in [
            "32/10/2023",
            "29/02/2023",
            "2023-13-01",
            "hôm qua",
            "16/10/2023 25:00",
            "",
            "9",
        ] {
            assert_eq!(secs(s), None, "{s}");
        }
        assert_eq!(secs("29/02/2024"), Some(19_782 * DAY));
    }

    #[test]
    fn excel_serials() {
        // 45215 is 2023-10-16 in Excel's 1900 date system; .5 is noon
        assert_eq!(excel_serial(45_215.0), Some(19_646 * DAY));
        assert_eq!(excel_serial(45_215.5), Some(19_646 * DAY + 12 * 3600));
        assert_eq!(excel_serial(f64::NAN), None);
        assert_eq!(excel_serial(-3.0), None);
    }

    #[test]
    fn civil_days_agree_with_chrono() {
        use chrono::Datelike;
        // every day of the years 0 to 9999, the range of four digits
        let (first, last) = (-719_528i64, 2_932_896);
        for day in first..=last {
            let d = chrono::NaiveDate::from_num_days_from_ce_opt((day + 719_163) as i32).unwrap();
            assert_eq!(
                days_from_civil(d.year() as u32, d.month(), d.day()),
                Some(day),
                "{d}"
            );
        }
        let d = chrono::NaiveDate::from_num_days_from_ce_opt((first + 719_163) as i32).unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (0, 1, 1));
        assert_eq!(days_from_civil(10_000, 1, 1), None);
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(2023, 13, 1), None);
    }
}

#[cfg(test)]
mod fixed_layout_tests {
    use proptest::prelude::*;

    use super::{fixed_layout, fixed_parts, nineteen, parse_any};

    /// The word-at-a-time reader takes the 19-byte layouts of exports as the part-at-a-time
    /// one reads them, and leaves every other 19 bytes to it.
    #[test]
    fn nineteen_bytes_read_as_the_parts() {
        for s in [
            "16/10/2023 09:30:15",
            "16-10-2023 09:30:15",
            "16.10.2023T09:30:15",
            "2023-10-16 09:30:15",
            "2023/10/16t23:59:60",
            "29/02/2024 00:00:00",
        ] {
            let (fast, parts) = (nineteen(s.as_bytes()), fixed_parts(s.as_bytes()));
            assert!(fast.is_some(), "{s}");
            assert_eq!(fast.map(|p| p.seconds), parts.map(|p| p.seconds), "{s}");
        }
        for s in [
            "16/10/2023 09:30+07", // a zone, not seconds
            "16/10-2023 09:30:15", // two separators
            "16/10/2023 24:00:00", // no such hour
            "16/10/2023 09:60:00", // no such minute
            "16/10/2023 09:30:61", // no such second
            "29/02/2023 09:30:15", // no such day
            "0016-10-16 09:30:15", // a first number that the parser reads as a day
            "16/10/2023_09:30:15", // no such gap
            "16/1O/2023 09:30:15", // a letter
            "16/10/2023 09:30:1 ", // a space at the end
        ] {
            assert!(nineteen(s.as_bytes()).is_none(), "{s}");
        }
    }

    /// Texts in and near the fixed layouts: every part at and past its limits (year 0 to 40 and
    /// 1900 to 2100, month 0 to 13, day 0 to 32, hour 0 to 25, minute and second 0 to 61), any
    /// of the separators the general parser knows and some it does not.
    fn near_layout() -> impl Strategy<Value = String> {
        let year = prop_oneof![0u32..=40, 1900u32..=2100, Just(9999)];
        let sep = prop::sample::select(vec!['-', '/', '.', ':', ' ']);
        let mid = prop::sample::select(vec![' ', 'T', 't', ',', '_']);
        (
            (year, 0u32..=13, 0u32..=32, 0u32..=25, 0u32..=61, 0u32..=61),
            (sep.clone(), sep, mid),
            (
                any::<bool>(),
                any::<bool>(),
                prop::sample::select(vec![':', '.']),
            ),
            (prop::sample::select(vec!["", ".", ",", "/"]), 0usize..=11),
        )
            .prop_map(
                |((y, mo, d, h, mi, se), (s1, s2, mid), (iso, seconds, colon), (dot, digits))| {
                    let date = if iso {
                        format!("{y:04}{s1}{mo:02}{s2}{d:02}")
                    } else {
                        format!("{d:02}{s1}{mo:02}{s2}{y:04}")
                    };
                    let time = if seconds {
                        // a fraction of 0 to 11 digits (the general parser takes 1 to 9)
                        let fraction = if dot.is_empty() {
                            String::new()
                        } else {
                            format!("{dot}{}", "7".repeat(digits))
                        };
                        format!("{h:02}:{mi:02}{colon}{se:02}{fraction}")
                    } else {
                        format!("{h:02}:{mi:02}")
                    };
                    format!("{date}{mid}{time}")
                },
            )
    }

    /// A zone as exports write it, and near misses (spaces, a digit short or too many, out of
    /// range).
    fn zone() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "", "", "Z", "z", "+07", "+0700", "+07:00", "-05:30", "+07:", "+070", "+07:0",
            "+07:000", "+15:00", "+14:00", "+07:60", " +07:00", "+07:00 ", "+7", "Q", "+07:ab",
        ])
    }

    /// The other layouts: a time first, the sync standard's digits, a date alone, with their
    /// parts at and past their limits and separators near the real ones.
    fn other_layout() -> impl Strategy<Value = String> {
        let year = prop_oneof![0u32..=40, 1900u32..=2100, Just(9999)];
        let parts = (year, 0u32..=13, 0u32..=32, 0u32..=25, 0u32..=61, 0u32..=61);
        let gap = prop::sample::select(vec![", ", ",", " ", "  ", ",  ", " , ", "", ";"]);
        let sep = prop::sample::select(vec!['-', '/', '.', ':']);
        (
            parts,
            gap,
            sep,
            any::<bool>(),
            0usize..5,
            prop::sample::select(vec!["", ".5", ",5", ".123456789", ",1234567890"]),
        )
            .prop_map(|((y, mo, d, h, mi, se), gap, sep, iso, form, fraction)| {
                let date = if iso {
                    format!("{y:04}{sep}{mo:02}{sep}{d:02}")
                } else {
                    format!("{d:02}{sep}{mo:02}{sep}{y:04}")
                };
                match form {
                    0 => format!("{h:02}:{mi:02}{gap}{date}"),
                    1 => format!("{h:02}:{mi:02}:{se:02}{fraction}{gap}{date}"),
                    2 => format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{se:02}"),
                    3 => [
                        format!("{y:04}{mo:02}{d:02}"),
                        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}"),
                    ][usize::from(iso)]
                    .clone(),
                    _ => date,
                }
            })
    }

    proptest! {
        // cheap cases, and the limits (second 60, hour 24) are a few in a hundred of them
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn the_fixed_layouts_read_as_the_general_parser(s in near_layout(), z in zone()) {
            for s in [s.clone(), format!("{s}{z}")] {
                if let Some(p) = fixed_layout(s.as_bytes()) {
                    let q = parse_any(&s);
                    prop_assert_eq!(Some((p.seconds, p.date_only)), q.map(|q| (q.seconds, q.date_only)), "{}", s);
                }
            }
        }

        #[test]
        fn the_other_fixed_layouts_read_as_the_general_parser(s in other_layout()) {
            if let Some(p) = fixed_layout(s.as_bytes()) {
                let q = parse_any(&s);
                prop_assert_eq!(Some((p.seconds, p.date_only)), q.map(|q| (q.seconds, q.date_only)), "{}", s);
            }
        }

        #[test]
        fn the_fixed_layouts_take_real_times(secs in 0i64..(200 * 365 * 86_400), iso in any::<bool>(), t in any::<bool>()) {
            let dt = chrono::DateTime::from_timestamp(secs - 70 * 365 * 86_400, 0).unwrap();
            let iso_layout = if t { "%Y-%m-%dT%H:%M:%S" } else { "%Y-%m-%d %H:%M" };
            // every layout of section 9 (domain-rules.md) but the Excel serial
            let layouts = [
                if iso { iso_layout } else { "%d/%m/%Y %H:%M:%S" },
                "%d/%m/%Y %H:%M",
                "%d/%m/%Y",
                "%H:%M, %d/%m/%Y",
                "%H:%M:%S %d/%m/%Y",
                "%Y%m%d%H%M%S",
                "%Y-%m-%dT%H:%M:%S+0700",
                "%Y-%m-%dT%H:%M:%S+07:00",
                "%Y-%m-%dT%H:%M:%S.%3fZ",
            ];
            for layout in layouts {
                let s = dt.format(layout).to_string();
                let p = fixed_layout(s.as_bytes());
                prop_assert!(p.is_some(), "{}", s);
                let q = parse_any(&s).unwrap();
                prop_assert_eq!(p.unwrap().seconds, q.seconds);
            }
        }
    }
}

#[cfg(test)]
mod row_parse_tests {
    //! The row-by-row parse of mostly distinct text times against the parse once per distinct
    //! value: the same times, validity, unreadable rows and count, in every string type, on
    //! one core and on all (a column long enough to be split).
    use std::sync::Arc;

    use arrow_array::{ArrayRef, LargeStringArray, StringArray, StringViewArray};
    use proptest::prelude::*;

    use super::{mostly_distinct, parse_interned, parse_rows, ParsedTimes};
    use crate::codes::StringRows;

    fn encodings(cells: &[Option<String>]) -> [ArrayRef; 3] {
        [
            Arc::new(StringArray::from(cells.to_vec())),
            Arc::new(LargeStringArray::from(cells.to_vec())),
            Arc::new(StringViewArray::from(cells.to_vec())),
        ]
    }

    fn same(a: &ParsedTimes, b: &ParsedTimes) -> Result<(), TestCaseError> {
        prop_assert_eq!(&a.valid, &b.valid);
        prop_assert_eq!(&a.unreadable, &b.unreadable);
        prop_assert_eq!(a.non_null, b.non_null);
        // a value counts where it is valid
        for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
            if a.valid[i / 8] & (1 << (i % 8)) != 0 {
                prop_assert_eq!(x, y, "row {}", i);
            }
        }
        Ok(())
    }

    fn cell() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            8 => (0i64..400 * 86_400).prop_map(|s| Some(format!(
                "{}",
                chrono::DateTime::from_timestamp(1_672_531_200 + s, 0).unwrap().format("%d/%m/%Y %H:%M:%S")
            ))),
            2 => (0i64..400).prop_map(|d| Some(format!(
                "{}",
                chrono::DateTime::from_timestamp(1_672_531_200 + d * 86_400, 0).unwrap().format("%Y-%m-%d")
            ))),
            1 => Just(None),
            1 => Just(Some("  ".to_string())),
            1 => "[0-9/:. a-zđ]{0,20}".prop_map(Some),
            1 => Just(Some("31/02/2023 10:00".to_string())),
        ]
    }

    proptest! {
        #[test]
        fn row_by_row_equals_once_per_value(cells in prop::collection::vec(cell(), 0..200)) {
            for array in encodings(&cells) {
                let rows = StringRows::new(array.as_ref()).unwrap();
                let a = parse_rows(&rows).unwrap();
                let b = parse_interned(array.as_ref()).unwrap();
                same(&a, &b)?;
            }
        }
    }

    #[test]
    fn on_all_cores_too() {
        // 150,001 rows (parts of unequal length, not a multiple of 8), distinct times, with
        // unreadable and blank rows spread over every part
        let cells: Vec<Option<String>> = (0..150_001i64)
            .map(|i| match i % 997 {
                0 => None,
                1 => Some("không rõ".to_string()),
                2 => Some(String::new()),
                _ => Some(
                    chrono::DateTime::from_timestamp(1_672_531_200 + i * 37, 0)
                        .unwrap()
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                ),
            })
            .collect();
        for array in encodings(&cells) {
            let rows = StringRows::new(array.as_ref()).unwrap();
            assert!(mostly_distinct(&rows));
            assert!(
                crate::codes::string_parts(rows.len()) > 1
                    || std::thread::available_parallelism().map_or(1, std::num::NonZero::get) == 1
            );
            let a = parse_rows(&rows).unwrap();
            let b = parse_interned(array.as_ref()).unwrap();
            same(&a, &b).unwrap();
            assert_eq!(a.unreadable.len(), 151);
        }
    }
}
