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
//! It applies when the three times of every chunk are timestamps of one unit (a column may be
//! absent), the day path applies and the cells table is dense; else the two passes run.

use std::sync::atomic::AtomicBool;
use std::thread;

use super::days::{count_block, DayBlock, DayPlan};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK};
use crate::classify::DAY;
use crate::columnar::{BlockScreen, PlainTicks, ScreenChunk, Validity, NO_DAY, SCREEN_BLOCK};
use crate::dossier::{StatusGroup, GROUP_OF_CODE};
use crate::report::GroupBy;
use crate::validate::{may_fail_ticks, MAX_SECONDS, MIN_SECONDS};

// preparation's blocks are the pass's blocks, and a block fits the day kernel's buffers
const _: () = assert!(SCREEN_BLOCK == BLOCK);

/// One chunk's times as the fused pass reads them.
struct Times<'a> {
    received: PlainTicks<'a>,
    due: PlainTicks<'a>,
    finished: PlainTicks<'a>,
    per_second: i64,
}

/// Every row null: what an absent column reads as.
const ALL_NULL: Validity<'static> = Validity::empty();

impl<'a> Times<'a> {
    /// The chunk's three times, when they are timestamps of one unit the fused pass divides by
    /// a constant (an absent due date or end reads as null).
    fn of(sc: &ScreenChunk<'a>) -> Option<Self> {
        let cols = &sc.cols;
        let received = cols.received.plain_ticks()?;
        let n = cols.len();
        if received.values.len() != n {
            return None;
        }
        let or_absent = |t: Option<PlainTicks<'a>>, len: usize| match t {
            Some(t) if len == n => Some(t),
            _ if len == 0 => Some(PlainTicks {
                values: received.values,
                per_second: received.per_second,
                shift: 0,
                validity: Some(ALL_NULL),
            }),
            _ => None,
        };
        let due = or_absent(cols.due.plain_ticks(), cols.due.len())?;
        let finished = or_absent(cols.finished.plain_ticks(), cols.finished.len())?;
        let p = received.per_second;
        (matches!(p, 1 | 1_000 | 1_000_000 | 1_000_000_000)
            && due.per_second == p
            && finished.per_second == p)
            .then_some(Self {
                received,
                due,
                finished,
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

/// Whether the fused pass can run these chunks under `plan`.
pub(crate) fn applies(chunks: &[ScreenChunk<'_>], plan: &Plan<'_>) -> bool {
    plan.by_day() && !plan.sparse && chunks.iter().all(|c| Times::of(c).is_some())
}

/// Screens and counts every block of `chunks` on `threads` threads (contiguous runs of
/// blocks); `None` when the pass does not apply or was cancelled.
pub(crate) fn run(
    chunks: &[ScreenChunk<'_>],
    plan: &Plan<'_>,
    threads: usize,
    cancel: Option<&AtomicBool>,
) -> Option<Fused> {
    if !applies(chunks, plan) {
        return None;
    }
    let times: Vec<Times<'_>> = chunks.iter().filter_map(Times::of).collect();
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
    for (p, s) in &results {
        partial.add(p, np);
        screen.extend_from_slice(s);
    }
    (!partial.cancelled && !cancelled && screen.len() == blocks.len())
        .then_some(Fused { partial, screen })
}

/// One worker over its blocks.
fn worker(
    chunks: &[ScreenChunk<'_>],
    times: &[Times<'_>],
    blocks: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> (Partial, BlockScreen) {
    let mut out = Partial::new(plan, np);
    let mut screen = Vec::with_capacity(blocks.len());
    let mut codes = CodeBlock::new();
    let mut units = vec![0u32; BLOCK];
    let mut b = DayBlock::new();
    let k = DayPlan::new(plan);
    for seg in blocks {
        if plan.cancelled() {
            out.cancelled = true;
            break;
        }
        let sc = &chunks[seg.chunk];
        let cols = &sc.cols;
        let (lo, len) = (seg.lo, seg.hi - seg.lo);
        let at = sc.excluded.partition_point(|&r| r < lo);
        if sc.excluded.get(at).is_some_and(|&r| r < seg.hi) {
            screen.push((true, i64::MAX));
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
        let passed = match t.per_second {
            1 => decode_screen::<1>(t, lo, len, &codes.status[..len], unit_codes, &mut b),
            1_000 => decode_screen::<1_000>(t, lo, len, &codes.status[..len], unit_codes, &mut b),
            1_000_000 => {
                decode_screen::<1_000_000>(t, lo, len, &codes.status[..len], unit_codes, &mut b)
            }
            _ => {
                decode_screen::<1_000_000_000>(t, lo, len, &codes.status[..len], unit_codes, &mut b)
            }
        };
        match passed {
            Some(min) => {
                count_block(&mut out, &k, plan, np, cols, lo, len, &mut b, &codes);
                screen.push((false, min));
            }
            None => screen.push((true, i64::MAX)),
        }
    }
    (out, screen)
}

/// Screens rows `lo..lo + len` on their instants (ticks of `P` a second, local time) and writes
/// their local days into `b`: the earliest passing reception in ticks (`i64::MAX` when none),
/// or `None` when some row may fail the rule (the block is deferred, its days unused).
#[inline]
#[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
fn decode_screen<const P: i64>(
    t: &Times<'_>,
    lo: usize,
    len: usize,
    status: &[u8],
    units: Option<&[u32]>,
    b: &mut DayBlock,
) -> Option<i64> {
    let per_day = P * DAY;
    // the screen's range, narrowed by a day (the preparation's own)
    let lo_tick = (MIN_SECONDS + DAY) * P;
    let hi_tick = (MAX_SECONDS - DAY) * P;
    // days by an unsigned division by a constant: instants in range plus `off` are
    // non-negative; values out of range wrap harmlessly (their rows fail the screen)
    let off_days = (1i64 << 62) / per_day + 1;
    let off = off_days * per_day;
    let day =
        |inst: i64| ((inst.wrapping_add(off) as u64 / per_day as u64) as i64 - off_days) as i32;
    let never = StatusGroup::NeverReceived as u8;
    fn side<'t, const P: i64>(
        c: &PlainTicks<'t>,
        lo: usize,
        len: usize,
    ) -> (&'t [i64], i64, Option<Validity<'t>>) {
        (&c.values[lo..lo + len], c.shift.wrapping_mul(P), c.validity)
    }
    let (rv, ra, rbits) = side::<P>(&t.received, lo, len);
    let (dv, da, dbits) = side::<P>(&t.due, lo, len);
    let (fv, fa, fbits) = side::<P>(&t.finished, lo, len);
    let valid = |bits: Option<Validity<'_>>, j: usize| bits.is_none_or(|v| v.is_valid(lo + j));
    let mut any = false;
    let mut min = i64::MAX;
    let (rd, dd, fd) = (&mut b.rday[..len], &mut b.dday[..len], &mut b.fday[..len]);
    for j in 0..len {
        let (r, d, f) = (
            rv[j].wrapping_add(ra),
            dv[j].wrapping_add(da),
            fv[j].wrapping_add(fa),
        );
        let (r_ok, d_ok, f_ok) = (valid(rbits, j), valid(dbits, j), valid(fbits, j));
        let g = GROUP_OF_CODE[status[j] as usize];
        let unit_missing = units.is_some_and(|u| u[j] == 0) & (g != never);
        let fail =
            unit_missing | may_fail_ticks(g, (r, r_ok), (d, d_ok), (f, f_ok), lo_tick, hi_tick);
        any |= fail;
        let in_range = r_ok & (r >= lo_tick) & (r <= hi_tick);
        min = min.min(if !fail & in_range { r } else { i64::MAX });
        rd[j] = if r_ok { day(r) } else { NO_DAY };
        dd[j] = if d_ok { day(d) } else { NO_DAY };
        fd[j] = if f_ok { day(f) } else { NO_DAY };
    }
    (!any).then_some(min)
}
