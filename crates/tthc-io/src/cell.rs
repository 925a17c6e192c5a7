//! One cell as the readers hand it over, and how cells become text or dates.

use std::borrow::Cow;

pub(crate) const DAY: i64 = 86_400;
/// Days from 1899-12-30 (Excel's day 0) to 1970-01-01.
const EXCEL_EPOCH_DAYS: i64 = 25_569;
/// Excel serial numbers taken as dates in a time column: 1970-01-01 to 2199-12-31 (a number
/// outside is not a date: "5" under "Ngày hẹn trả" is a mistake, not 4 January 1900).
const SERIAL_DATES: std::ops::RangeInclusive<f64> = 25_569.0..=109_574.0;

/// A cell value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    Empty,
    Text(Cow<'a, str>),
    /// Text as bytes, UTF-8 checked when the column is made (CSV fields).
    Raw(Cow<'a, [u8]>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A real date cell: civil seconds since 1970-01-01 (UTC+7 wall time, no zone).
    Date(i64),
    /// A cell error (`#N/A`, `#VALUE!`).
    Error(Cow<'a, str>),
}

impl Val<'_> {
    pub(crate) fn into_owned(self) -> Val<'static> {
        match self {
            Val::Empty => Val::Empty,
            Val::Text(t) => Val::Text(Cow::Owned(t.into_owned())),
            Val::Raw(b) => Val::Raw(Cow::Owned(b.into_owned())),
            Val::Int(i) => Val::Int(i),
            Val::Float(f) => Val::Float(f),
            Val::Bool(b) => Val::Bool(b),
            Val::Date(d) => Val::Date(d),
            Val::Error(e) => Val::Error(Cow::Owned(e.into_owned())),
        }
    }

    /// Empty, or text of white space only (a `&nbsp;` cell).
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Val::Empty => true,
            Val::Text(t) => t.chars().all(char::is_whitespace),
            Val::Raw(b) => blank_bytes(b),
            _ => false,
        }
    }

    /// Bytes it adds to a text column (a budget estimate).
    pub(crate) fn text_len(&self) -> usize {
        match self {
            Val::Text(t) | Val::Error(t) => t.len(),
            Val::Raw(b) => b.len(),
            Val::Empty => 0,
            _ => 20,
        }
    }

    /// The value as a time column holds it: a date (real date cell or Excel serial number in
    /// range), else `None`.
    pub(crate) fn as_date(&self) -> Option<i64> {
        match *self {
            Val::Date(d) => Some(d),
            Val::Float(f) if SERIAL_DATES.contains(&f) => serial_seconds(f),
            Val::Int(i) if SERIAL_DATES.contains(&(i as f64)) => serial_seconds(i as f64),
            _ => None,
        }
    }

    /// Writes the value as text (numbers integral when they are, dates `yyyy-MM-dd HH:mm:ss`).
    pub(crate) fn write_text(&self, out: &mut String) {
        use std::fmt::Write;
        match self {
            Val::Empty => {}
            Val::Text(t) | Val::Error(t) => out.push_str(t),
            Val::Raw(b) => out.push_str(&String::from_utf8_lossy(b)),
            Val::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Val::Float(f) => write_number(*f, out),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Date(d) => write_datetime(*d, out),
        }
    }
}

/// Bytes of white space only (ASCII, or the UTF-8 no-break space).
pub(crate) fn blank_bytes(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => i += 1,
            0xc2 if b.get(i + 1) == Some(&0xa0) => i += 2,
            _ => return false,
        }
    }
    true
}

/// A number as text: integral values without a fraction (`10`, not `10.0`), others in the
/// shortest form that reads back (`2.25`).
pub(crate) fn write_number(f: f64, out: &mut String) {
    use std::fmt::Write;
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

/// An Excel serial date (days since 1899-12-30) as civil seconds, rounded to the second.
pub(crate) fn serial_seconds(v: f64) -> Option<i64> {
    if !v.is_finite() || !(0.0..2_958_466.0).contains(&v) {
        return None;
    }
    Some((v * DAY as f64).round() as i64 - EXCEL_EPOCH_DAYS * DAY)
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Civil seconds as `yyyy-MM-dd HH:mm:ss`, or `yyyy-MM-dd` at exactly midnight (a date cell
/// holding a bare date: the reader then compares it as a date).
pub(crate) fn write_datetime(secs: i64, out: &mut String) {
    let days = secs.div_euclid(DAY);
    let t = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let mut b = [0u8; 19];
    let two = |b: &mut [u8], v: u32| {
        b[0] = b'0' + (v / 10) as u8;
        b[1] = b'0' + (v % 10) as u8;
    };
    if (0..=9999).contains(&y) {
        let y = y as u32;
        two(&mut b[0..2], y / 100);
        two(&mut b[2..4], y % 100);
    } else {
        use std::fmt::Write;
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        if t != 0 {
            let _ = write!(out, " {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
        }
        return;
    }
    b[4] = b'-';
    two(&mut b[5..7], m);
    b[7] = b'-';
    two(&mut b[8..10], d);
    let len = if t == 0 {
        10
    } else {
        let t = t as u32;
        b[10] = b' ';
        two(&mut b[11..13], t / 3600);
        b[13] = b':';
        two(&mut b[14..16], t / 60 % 60);
        b[16] = b':';
        two(&mut b[17..19], t % 60);
        19
    };
    // ASCII digits and separators only
    out.push_str(std::str::from_utf8(&b[..len]).unwrap_or_default());
}

/// Whether a text is a date or a date-time in a format of domain-rules section 9.
pub(crate) fn is_date_text(s: &str) -> bool {
    tthc_arrow::parse_time_text(s).is_some()
}

/// The Excel column letters of a 0-based column (`0` → `A`, `16383` → `XFD`).
pub(crate) fn column_letters(mut c: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_and_round_trip() {
        let t = days_from_civil(2023, 10, 16) * DAY + 9 * 3600 + 30 * 60 + 15;
        let mut s = String::new();
        write_datetime(t, &mut s);
        assert_eq!(s, "2023-10-16 09:30:15");
        s.clear();
        write_datetime(days_from_civil(2024, 2, 29) * DAY, &mut s);
        assert_eq!(s, "2024-02-29");
        for day in -800_000..800_000 {
            assert_eq!(
                {
                    let (y, m, d) = civil_from_days(day);
                    days_from_civil(y, m, d)
                },
                day
            );
        }
        assert_eq!(
            serial_seconds(45_215.5),
            Some(days_from_civil(2023, 10, 16) * DAY + 12 * 3600)
        );
        let mut n = String::new();
        write_number(10.0, &mut n);
        n.push(' ');
        write_number(2.25, &mut n);
        assert_eq!(n, "10 2.25");
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
    }
}
