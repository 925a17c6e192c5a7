//! The fused day path: the preparation's screen and the day kernel's count in one read of the
//! times. Preparation screens every block to find the rows the rule must look at, and the
//! kernel then decodes the same times again; on 10M dossiers the two reads of the three time
//! columns (240 MB each) were most of the time. Here a block's ticks are read once: each row is
//! screened on its instants (the same screen, [`may_fail_ticks`]) and decoded to its local days,
//! and a block whose rows all pass is counted at once. A block with a row that may fail, or a
//! row left out before validation, is *deferred*: preparation looks at it row by row (the rule,
//! the rejections, in row order) and the day kernel counts it afterwards from the prepared
//! columns. The report is the same either way; the property tests compare it with the two-pass
//! kernels on the same rows.
//!
//! It applies when the three times of every chunk have a common tick unit (timestamps of any
//! unit that divides the finest, dates; a column may be absent), the day path applies and the
//! cells table is dense; else the two passes run.

use std::sync::atomic::AtomicBool;
use std::thread;

use super::days::{count_block, DayBlock, DayPlan};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK};
use crate::classify::DAY;
use crate::columnar::{
    BlockScreen, RawTime, RawValues, ScreenChunk, Validity, NO_DAY, SCREEN_BLOCK,
};
use crate::dossier::StatusGroup;
use crate::report::GroupBy;
use crate::validate::{may_fail_ticks, MAX_SECONDS, MIN_SECONDS};

// preparation's blocks are the pass's blocks, and a block fits the day kernel's buffers
const _: () = assert!(SCREEN_BLOCK == BLOCK);

/// One chunk's times as the fused pass reads them, in one tick unit.
struct Times<'a> {
    /// Reception, due date in force, end in force.
    columns: [RawTime<'a>; 3],
    /// The common unit (ticks a second): every column's unit divides it.
    per_second: i64,
}

/// Every row null: what an absent column reads as.
const ALL_NULL: Validity<'static> = Validity::empty();

impl<'a> Times<'a> {
    /// The chunk's three times, when their units divide a common one of 1, 1e3, 1e6 or 1e9
    /// ticks a second (days count as seconds; an absent due date or end reads as null).
    fn of(sc: &ScreenChunk<'a>) -> Option<Self> {
        let cols = &sc.cols;
        let n = cols.len();
        let received = cols.received.raw();
        if cols.received.len() != n {
            return None;
        }
        let or_absent = |c: &crate::columnar::TimeColumn<'a>| match c.len() {
            len if len == n => Some(c.raw()),
            0 => Some(RawTime {
                validity: Some(ALL_NULL),
                ..received
            }),
            _ => None,
        };
        let columns = [received, or_absent(&cols.due)?, or_absent(&cols.finished)?];
        let p = columns.iter().map(|c| c.per_second).max().unwrap_or(1);
        (matches!(p, 1 | 1_000 | 1_000_000 | 1_000_000_000)
            && columns
                .iter()
                .all(|c| c.per_second >= 1 && p % c.per_second == 0))
        .then_some(Self {
            columns,
            per_second: p,
        })
    }
}

/// What the fused pass gives back: the counts of the blocks it counted, and the screen of every
/// block (deferred, earliest passing reception) for preparation.
pub(crate) struct Fused {
    pub partial: Partial,
    pub screen: BlockScreen,
}

/// Screens and counts every block of `chunks` on `threads` threads (contiguous runs of
/// blocks); `None` when the pass does not apply or was cancelled.
pub(crate) fn run(
    chunks: &[ScreenChunk<'_>],
    plan: &Plan<'_>,
    threads: usize,
    cancel: Option<&AtomicBool>,
) -> Option<Fused> {
    // the day kernel's plan on a dense table, and every chunk's times in a common unit
    if !plan.by_day() || plan.sparse {
        return None;
    }
    let times: Vec<Times<'_>> = chunks.iter().map(Times::of).collect::<Option<_>>()?;
    let np = plan.period_start.len();
    let blocks: Vec<Segment> = chunks
        .iter()
        .enumerate()
        .flat_map(|(c, sc)| {
            let n = sc.cols.len();
            (0..n).step_by(SCREEN_BLOCK).map(move |lo| Segment {
                chunk: c,
                lo,
                hi: (lo + SCREEN_BLOCK).min(n),
            })
        })
        .collect();
    let parts = threads.clamp(1, blocks.len().max(1));
    let per = blocks.len().div_ceil(parts).max(1);
    let work = |part: &[Segment]| worker(chunks, &times, part, plan, np);
    let mut results: Vec<(Partial, BlockScreen)> = if parts <= 1 {
        vec![work(&blocks)]
    } else {
        thread::scope(|s| {
            let handles: Vec<_> = blocks
                .chunks(per)
                .map(|part| s.spawn(move || work(part)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let cancelled = cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    let (mut partial, mut screen) = results.remove(0);
    for (p, s) in results {
        partial.add(&p, np);
        // a worker numbers its blocks from its first
        let first = screen.blocks.len();
        screen.blocks.extend_from_slice(&s.blocks);
        screen
            .except
            .extend(s.except.into_iter().map(|(k, rows)| (first + k, rows)));
    }
    (!partial.cancelled && !cancelled && screen.blocks.len() == blocks.len())
        .then_some(Fused { partial, screen })
}

/// The most rows of a block that preparation looks at one by one while the pass counts the
/// others (about 3%); a block with more is deferred whole. One bad or repeated row in a
/// thousand, spread over the table, once deferred every block: a 10M-row report took 0.31 s
/// against 0.05 s for the same rows clean.
const MAX_EXCEPT: usize = 128;

/// One worker over its blocks.
fn worker(
    chunks: &[ScreenChunk<'_>],
    times: &[Times<'_>],
    blocks: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> (Partial, BlockScreen) {
    let mut out = Partial::new(plan, np);
    let mut screen = BlockScreen {
        blocks: Vec::with_capacity(blocks.len()),
        except: Vec::new(),
    };
    let mut codes = CodeBlock::new();
    let mut units = vec![0u32; BLOCK];
    let mut b = DayBlock::new();
    let mut scratch = Scratch::new();
    let k = DayPlan::new(plan);
    for (index, seg) in blocks.iter().enumerate() {
        if plan.cancelled() {
            out.cancelled = true;
            break;
        }
        let sc = &chunks[seg.chunk];
        let cols = &sc.cols;
        let (lo, len) = (seg.lo, seg.hi - seg.lo);
        let at = sc.excluded.partition_point(|&r| r < lo);
        let excluded = &sc.excluded[at..sc.excluded.partition_point(|&r| r < seg.hi)];
        if excluded.len() > MAX_EXCEPT {
            screen.blocks.push((true, i64::MAX));
            continue;
        }
        let mut skip = cols.skip.partition_point(|&r| r < lo);
        codes.fill(cols, plan.group_by, lo, len, &mut skip);
        // the unit of each row, for the screen's "unit missing" (the group codes when grouped
        // by unit)
        let unit_codes = match cols.unit {
            Some(_) if plan.group_by == GroupBy::Unit => Some(&codes.group[..len]),
            Some(u) => {
                u.codes().fill_block(lo, &mut units[..len], 0);
                Some(&units[..len])
            }
            None => None,
        };
        let t = &times[seg.chunk];
        b.fill_groups(&codes.status[..len]);
        // a row left out reads as no status: the screen flags it, the count leaves it out
        for &r in excluded {
            b.grp[r - lo] = 0;
        }
        let (any, min) = decode_screen(t, lo, len, unit_codes, &mut b, &mut scratch);
        if any {
            let rows: Vec<u16> = scratch.fail[..len]
                .iter()
                .enumerate()
                .filter(|&(_, &f)| f != 0)
                .map(|(j, _)| j as u16)
                .collect();
            if rows.len() > MAX_EXCEPT {
                screen.blocks.push((true, i64::MAX));
                continue;
            }
            // counted without them: preparation looks at them, the kernel counts the ones
            // that pass afterwards
            for &j in &rows {
                b.grp[usize::from(j)] = 0;
            }
            screen.except.push((index, rows));
        }
        count_block(&mut out, &k, plan, np, cols, lo, len, &mut b, &codes);
        screen.blocks.push((false, min));
    }
    (out, screen)
}

/// Rows the screen holds in its scratch buffers at a time (three instants of 8 bytes and three
/// validity bytes a row: 27 KiB, within the first-level cache).
const SUB: usize = 1024;

/// The screen's per-row scratch: instants and validity of the three times, and the block's
/// rows that may fail (1) or pass (0).
pub(super) struct Scratch {
    inst: [Vec<i64>; 3],
    valid: [Vec<u8>; 3],
    fail: Vec<u8>,
}

impl Scratch {
    pub(super) fn new() -> Self {
        Self {
            inst: [vec![0; SUB], vec![0; SUB], vec![0; SUB]],
            valid: [vec![0; SUB], vec![0; SUB], vec![0; SUB]],
            fail: vec![0; BLOCK],
        }
    }
}

/// Screens rows `lo..lo + len` on their instants (ticks of `per_second` a second, local time)
/// and writes their local days into `b` and the rows that may fail the rule into the scratch's
/// `fail`: whether any row may fail, and the earliest passing reception in ticks (`i64::MAX`
/// when none). Each step is a loop over a run of rows with no branch, so that the compiler
/// vectorises it; the steps are compiled for AVX-512, AVX2 and the baseline and the machine's
/// best is chosen at run time (`multiversion`).
fn decode_screen(
    t: &Times<'_>,
    lo: usize,
    len: usize,
    units: Option<&[u32]>,
    b: &mut DayBlock,
    scratch: &mut Scratch,
) -> (bool, i64) {
    let p = t.per_second;
    let per_day = p * DAY;
    // the screen's range, narrowed by a day (the preparation's own)
    let lo_tick = (MIN_SECONDS + DAY) * p;
    let hi_tick = (MAX_SECONDS - DAY) * p;
    let mut any = false;
    let mut min = i64::MAX;
    let mut at = 0;
    while at < len {
        let n = SUB.min(len - at);
        let Scratch { inst, valid, fail } = scratch;
        for (k, c) in t.columns.iter().enumerate() {
            let start = lo + at;
            // due dates and ends given as dates are read at their day's last tick, as
            // preparation's screen reads them
            raw_instants(c, p, k > 0, start, &mut inst[k][..n]);
            expand_validity(c.validity, start, &mut valid[k][..n]);
        }
        let DayBlock {
            rday,
            dday,
            fday,
            grp,
            ..
        } = &mut *b;
        let days = [rday, dday, fday];
        for (k, out) in days.into_iter().enumerate() {
            floor_days(&inst[k][..n], &valid[k][..n], per_day, &mut out[at..at + n]);
        }
        let unit_codes = units.map(|u| &u[at..at + n]);
        let (failed, m) = screen(
            &grp[at..at + n],
            unit_codes,
            [&inst[0][..n], &inst[1][..n], &inst[2][..n]],
            [&valid[0][..n], &valid[1][..n], &valid[2][..n]],
            lo_tick,
            hi_tick,
            &mut fail[at..at + n],
        );
        any |= failed;
        min = min.min(m);
        at += n;
    }
    (any, min)
}

/// Local instants of rows `start..start + out.len()` of a column in ticks of `unit` a second:
/// ticks scaled to the unit plus the zone's shift, or a date's first tick (its last with
/// `end_of_day`). Values far outside the supported range stay far outside it (wrapping only
/// past ±2^63 - 2^47 ticks, clamping dates to ±100,000 days), so that they fail the screen as in
/// preparation.
fn raw_instants(c: &RawTime<'_>, unit: i64, end_of_day: bool, start: usize, out: &mut [i64]) {
    let n = out.len();
    let per_day = DAY * unit;
    let last = if end_of_day { per_day - 1 } else { 0 };
    match c.values {
        RawValues::Ticks(v) => {
            let src = &v[start..start + n];
            let add = c.shift.wrapping_mul(unit);
            match unit / c.per_second.max(1) {
                1 => instants(src, add, out),
                scale => {
                    for (o, &t) in out.iter_mut().zip(src) {
                        *o = t.saturating_mul(scale).saturating_add(add);
                    }
                }
            }
        }
        RawValues::Days32(v) => date_instants(&v[start..start + n], per_day, last, out),
        RawValues::Days64(v) => {
            for (o, &d) in out.iter_mut().zip(&v[start..start + n]) {
                *o = d.clamp(-DATE_CLAMP, DATE_CLAMP) * per_day + last;
            }
        }
    }
}

/// Dates are clamped to ±100,000 days (beyond the supported range on both sides) before they
/// are scaled to ticks, so that a nanosecond instant does not overflow.
const DATE_CLAMP: i64 = 100_000;

/// Ticks plus the zone's shift (wrapping: a value that wraps is far outside the supported range
/// either way, and fails the screen).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn instants(ticks: &[i64], add: i64, out: &mut [i64]) {
    for (o, &t) in out.iter_mut().zip(ticks) {
        *o = t.wrapping_add(add);
    }
}

/// A `date32` column's first ticks (plus `last`: the day's last tick for due dates and ends).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn date_instants(days: &[i32], per_day: i64, last: i64, out: &mut [i64]) {
    for (o, &d) in out.iter_mut().zip(days) {
        *o = i64::from(d).clamp(-DATE_CLAMP, DATE_CLAMP) * per_day + last;
    }
}

/// A validity bitmap's bits for rows `start..start + out.len()` as bytes, 1 for a value.
fn expand_validity(v: Option<Validity<'_>>, start: usize, out: &mut [u8]) {
    match v {
        None => out.fill(1),
        Some(v) => v.expand(start, out),
    }
}

/// Local days of instants (`per_day` ticks a day), [`NO_DAY`] for nulls: the quotient through
/// a double and one exact integer correction, which the compiler vectorises where a 64-bit
/// division by a constant is a scalar multiply per value. Exact for every day an `i32` holds
/// (the quotient's estimate is off by less than one, and corrected), far beyond the supported
/// range; other values fail the screen and their days are not used (they do not panic).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn floor_days(inst: &[i64], valid: &[u8], per_day: i64, out: &mut [i32]) {
    let inverse = 1.0 / per_day as f64;
    // a double's integer part read from its bits (adding 1.5 * 2^52 puts an integer below 2^51
    // in the low bits of the mantissa): the compiler vectorises it, where a float-to-integer
    // `as` (saturating) is scalar
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    let magic_bits = MAGIC.to_bits() as i64;
    for ((o, &x), &v) in out.iter_mut().zip(inst).zip(valid) {
        let estimate = ((x as f64 * inverse).floor() + MAGIC).to_bits() as i64;
        let q = estimate.wrapping_sub(magic_bits);
        let r = x.wrapping_sub(q.wrapping_mul(per_day));
        let q = q + i64::from(r >= per_day) - i64::from(r < 0);
        *o = if v != 0 { q as i32 } else { NO_DAY };
    }
}

/// The screen of a run of rows ([`may_fail_ticks`], and a unit given for every received
/// dossier), each row's verdict written to `fail` (1: may fail): whether any row may fail, and
/// the earliest reception among the rows that pass.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
#[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
fn screen(
    group: &[u8],
    units: Option<&[u32]>,
    [r, d, f]: [&[i64]; 3],
    [rv, dv, fv]: [&[u8]; 3],
    lo_tick: i64,
    hi_tick: i64,
    fail: &mut [u8],
) -> (bool, i64) {
    let never = StatusGroup::NeverReceived as u8;
    let n = group.len();
    let (r, d, f, rv, dv, fv) = (&r[..n], &d[..n], &f[..n], &rv[..n], &dv[..n], &fv[..n]);
    let fail = &mut fail[..n];
    match units {
        Some(u) => {
            for ((o, &c), &g) in fail.iter_mut().zip(&u[..n]).zip(group) {
                *o = u8::from((c == 0) & (g != never));
            }
        }
        None => fail.fill(0),
    }
    let mut any = false;
    let mut min = i64::MAX;
    for j in 0..n {
        let g = group[j];
        let (r_ok, d_ok, f_ok) = (rv[j] != 0, dv[j] != 0, fv[j] != 0);
        let failed = (fail[j] != 0)
            | may_fail_ticks(
                g,
                (r[j], r_ok),
                (d[j], d_ok),
                (f[j], f_ok),
                lo_tick,
                hi_tick,
            );
        let in_range = (r[j] >= lo_tick) & (r[j] <= hi_tick);
        // a reception near or past the range's edges passes the screen only when never
        // received; preparation reads its day from its seconds, as it reads any such row
        let failed = failed | (r_ok & !in_range);
        fail[j] = u8::from(failed);
        any |= failed;
        min = min.min(if !failed & r_ok { r[j] } else { i64::MAX });
    }
    (any, min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The days through a double equal the exact floor division, at every unit, around day
    /// boundaries and across the supported range and far beyond it.
    fn floor_days_exact(values: &[i64], per_second: i64) {
        let per_day = per_second * DAY;
        let valid = vec![1u8; values.len()];
        let mut out = vec![0i32; values.len()];
        floor_days(values, &valid, per_day, &mut out);
        for (&x, &d) in values.iter().zip(&out) {
            assert_eq!(i64::from(d), x.div_euclid(per_day), "{x} at {per_second}/s");
        }
    }

    #[test]
    fn days_at_boundaries() {
        for p in [1i64, 1_000, 1_000_000, 1_000_000_000] {
            let per_day = p * DAY;
            let v: Vec<i64> = [-100_000i64, -25_568, -1, 0, 1, 19_646, 84_005, 100_000]
                .iter()
                .flat_map(|&d| [-1, 0, 1].map(|e| d * per_day + e))
                .collect();
            floor_days_exact(&v, p);
        }
    }

    #[test]
    fn nulls_read_no_day_and_extremes_do_not_panic() {
        let mut out = [0i32; 2];
        floor_days(&[5, 5], &[1, 0], DAY, &mut out);
        assert_eq!(out, [0, NO_DAY]);
        // with overflow checks on (debug, `make fuzz`): wrapped ticks give some day, no panic
        let extremes = [
            i64::MIN,
            i64::MIN + 1,
            -(1 << 62),
            1 << 62,
            i64::MAX - 1,
            i64::MAX,
        ];
        let mut out = [0i32; 6];
        for p in [1i64, 1_000_000_000] {
            floor_days(&extremes, &[1; 6], p * DAY, &mut out);
        }
        let mut inst = [0i64; 6];
        instants(&extremes, 7 * 3_600 * 1_000_000_000, &mut inst);
    }

    proptest! {
        #[test]
        fn days_equal_floor_division(
            days in prop::collection::vec(-100_000i64..100_000, 1..64),
            within in prop::collection::vec(any::<u64>(), 64),
            unit in 0usize..4,
        ) {
            let p = [1i64, 1_000, 1_000_000, 1_000_000_000][unit];
            let per_day = p * DAY;
            let v: Vec<i64> = days
                .iter()
                .zip(&within)
                .map(|(&d, &w)| d * per_day + (w % per_day as u64) as i64)
                .collect();
            floor_days_exact(&v, p);
        }
    }
}
