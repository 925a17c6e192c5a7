//! The 19-byte text date-times of most exports (`dd/MM/yyyy HH:mm:ss`, `yyyy-MM-dd HH:mm:ss`)
//! read [`LANES`] rows at a time: what [`crate::times::nineteen`] reads of one row, computed for
//! eight side by side in wide registers (AVX-512 or AVX2, chosen at run time).
//!
//! Every step is a lane-wise select or arithmetic: the digits checked a word at a time, the
//! two-digit numbers made a word at a time, the date's days by Howard Hinnant's algorithm (whose
//! divisions by constants are multiplications) rather than the row reader's year table (a table
//! lookup does not vectorise). A lane that is not read here (another layout, a null, an
//! impossible date) goes to the row reader, so this is only ever a faster way to the same value;
//! a proptest holds the two equal.

use crate::times::DAY;

/// Rows read together: a byte of validity bits.
pub(crate) const LANES: usize = 8;

/// The three words of each lane's 19 bytes, word-major: bytes 0-7, 8-15 and 11-18.
pub(crate) type Words = [[u64; LANES]; 3];

/// Puts `b`'s three words in lane `lane` of `w`.
#[allow(clippy::inline_always)]
#[inline(always)]
pub(crate) fn put(w: &mut Words, lane: usize, b: &[u8; 19]) {
    let word = |at: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(x)
    };
    w[0][lane] = word(0);
    w[1][lane] = word(8);
    w[2][lane] = word(11);
}

/// Each lane's local seconds (0 where not read) and a bit per lane read (lane `l` bit `l`).
///
/// A lane whose words are not one of the two layouts, or not a real date and time, is not read;
/// what it holds does not matter (it is computed and masked, never trusted).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
pub(crate) fn read(w: &Words, seconds: &mut [i64; LANES]) -> u8 {
    let mut ok = [false; LANES];
    for l in 0..LANES {
        let (s, k) = lane(w[0][l], w[1][l], w[2][l]);
        seconds[l] = if k { s } else { 0 };
        ok[l] = k;
    }
    let mut bits = 0u8;
    for (l, &k) in ok.iter().enumerate() {
        bits |= u8::from(k) << l;
    }
    bits
}

/// One lane of [`read`]: `w0`, `w1`, `w2` bytes 0-7, 8-15 and 11-18 of the text.
#[allow(clippy::inline_always)]
#[inline(always)]
#[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
fn lane(w0: u64, w1: u64, w2: u64) -> (i64, bool) {
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
    let at = |w: u64, i: u32| (w >> (8 * i)) as u32 & 0xFF;
    let sep = |x: u32| (x == u32::from(b'-')) | (x == u32::from(b'/')) | (x == u32::from(b'.'));
    let (p0, p1, p2) = (pairs(w0), pairs(w1), pairs(w2));
    // text bytes 10, 13 and 16 are w1's 2 and 5 and w2's 5
    let (c10, c13, c16) = (at(w1, 2), at(w1, 5), at(w2, 5));
    let clock = ((c10 == u32::from(b' ')) | (c10 == u32::from(b'T')) | (c10 == u32::from(b't')))
        & (c13 == u32::from(b':'))
        & (c16 == u32::from(b':'))
        & (not_digits(w1, const { bytes(&[0, 1, 3, 4, 6, 7]) }) == 0)
        & (not_digits(w2, const { bytes(&[6, 7]) }) == 0);
    let year_first = sep(at(w0, 4))
        & (at(w0, 7) == at(w0, 4))
        & (not_digits(w0, const { bytes(&[0, 1, 2, 3, 5, 6]) }) == 0);
    let day_first = sep(at(w0, 2))
        & (at(w0, 5) == at(w0, 2))
        & (not_digits(w0, const { bytes(&[0, 1, 3, 4, 6, 7]) }) == 0);
    let (y, m, d) = if year_first {
        (at(p0, 0) * 100 + at(p0, 2), at(p0, 5), at(p1, 0))
    } else {
        (at(p0, 6) * 100 + at(p1, 0), at(p0, 3), at(p0, 0))
    };
    let (h, mi, se) = (at(p1, 3), at(p1, 6), at(p2, 6));
    // the general parser reads a first number of 31 or less as a day
    let date = (year_first & (y > 31)) | day_first;
    // a real date: month 1 to 12, day 1 to the month's length
    let leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0);
    let length = if m == 2 {
        28 + u32::from(leap)
    } else {
        // 31 for January, March, May, July, August, October and December
        30 + ((m + (m >> 3)) & 1)
    };
    let real = (m.wrapping_sub(1) < 12) & (d.wrapping_sub(1) < length);
    let ok = clock & date & real & (h < 24) & (mi < 60) & (se < 61);
    // Hinnant's days_from_civil from an era 400 years earlier, all terms unsigned (every value
    // here is at most 165 a two-digit part, so nothing overflows whatever the lane holds)
    let march_based = y + 400 - u32::from(m <= 2);
    let (era, yoe) = (march_based / 400, march_based % 400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d; // one more than the day of the year
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = i64::from(era) * 146_097 + i64::from(doe) - (719_468 + 146_097 + 1);
    let clock_seconds = h * 3600 + mi * 60 + se.min(59);
    (days * DAY + i64::from(clock_seconds), ok)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::times::nineteen;
    use proptest::prelude::*;

    /// `texts` (19 bytes each) read by [`read`], lane by lane as [`nineteen`] reads them.
    fn agree(texts: &[[u8; 19]]) -> Result<(), TestCaseError> {
        for group in texts.chunks(LANES) {
            let mut w = [[0u64; LANES]; 3];
            for (l, t) in group.iter().enumerate() {
                put(&mut w, l, t);
            }
            let mut seconds = [0i64; LANES];
            let bits = read(&w, &mut seconds);
            for (l, t) in group.iter().enumerate() {
                let one = nineteen(t).map(|p| p.seconds);
                let lanes = (bits >> l & 1 == 1).then_some(seconds[l]);
                prop_assert_eq!(lanes, one, "{:?}", String::from_utf8_lossy(t));
            }
        }
        Ok(())
    }

    /// 19 bytes near the two layouts: a real date-time with one byte changed (to a digit, a
    /// separator or any byte), or the layouts' separators around any digits (impossible dates
    /// and clocks).
    fn near() -> impl Strategy<Value = [u8; 19]> {
        let byte = prop_oneof![
            prop::sample::select(b"0123456789-/.: Tt,x".to_vec()),
            any::<u8>()
        ];
        let changed = (real(), 0usize..19, byte).prop_map(|(mut b, i, x)| {
            b[i] = x;
            b
        });
        let digits = (
            prop::collection::vec(prop::sample::select(b"0123456789".to_vec()), 19),
            any::<bool>(),
        )
            .prop_map(|(digits, year_first)| {
                let mut b = [0u8; 19];
                b.copy_from_slice(&digits);
                let (i, j) = if year_first { (4, 7) } else { (2, 5) };
                (b[i], b[j], b[10], b[13], b[16]) = (b'/', b'/', b' ', b':', b':');
                b
            });
        prop_oneof![changed, digits]
    }

    /// A real date-time of years 1 to 9999 in one of the two layouts, with any of their
    /// separators.
    fn real() -> impl Strategy<Value = [u8; 19]> {
        (
            1i32..=9999,
            1u32..=12,
            1u32..=31,
            0u32..24,
            0u32..60,
            0u32..=60,
            any::<bool>(),
            prop::sample::select(vec!["-", "/", "."]),
            prop::sample::select(vec![" ", "T", "t"]),
        )
            .prop_map(|(y, m, d, h, mi, s, year_first, sep, t)| {
                let text = if year_first {
                    format!("{y:04}{sep}{m:02}{sep}{d:02}{t}{h:02}:{mi:02}:{s:02}")
                } else {
                    format!("{d:02}{sep}{m:02}{sep}{y:04}{t}{h:02}:{mi:02}:{s:02}")
                };
                let mut b = [0u8; 19];
                b.copy_from_slice(text.as_bytes());
                b
            })
    }

    proptest! {
        #[test]
        fn eight_lanes_read_as_one_row(texts in prop::collection::vec(near(), 1..40)) {
            agree(&texts)?;
        }

        #[test]
        fn eight_lanes_read_real_times_as_one_row(texts in prop::collection::vec(real(), 1..40)) {
            agree(&texts)?;
        }
    }

    #[test]
    fn every_day_of_the_table_years_and_beyond() {
        // each day from 1800 to 2199, and every 29th day of years 1 to 9999, at 23:59:59, as
        // chrono counts it, day-first
        let mut texts = Vec::new();
        let mut want = Vec::new();
        let mut day = chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        while day <= last {
            use chrono::Datelike;
            let step = if (1800..2200).contains(&day.year()) {
                1
            } else {
                29
            };
            let t = day.and_hms_opt(23, 59, 59).unwrap();
            let mut b = [0u8; 19];
            b.copy_from_slice(t.format("%d/%m/%Y %H:%M:%S").to_string().as_bytes());
            texts.push(b);
            want.push(t.and_utc().timestamp());
            day = day + chrono::Days::new(step);
        }
        for (group, want) in texts.chunks(LANES).zip(want.chunks(LANES)) {
            let mut w = [[0u64; LANES]; 3];
            for (l, t) in group.iter().enumerate() {
                put(&mut w, l, t);
            }
            let mut seconds = [0i64; LANES];
            let bits = read(&w, &mut seconds);
            assert_eq!(bits, u8::MAX >> (LANES - group.len()) as u32);
            assert_eq!(&seconds[..group.len()], want);
        }
    }
}
