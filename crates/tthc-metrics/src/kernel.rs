//! The report kernel: one pass over [`Columns`] in blocks, in parallel for large inputs.
//!
//! Each block of rows first has its three time columns decoded into small stack buffers of local
//! seconds (one tight loop per encoding); the row loop then validates, classifies and counts with
//! a single increment a row: the cell `(group, period)` holds a histogram over the combination
//! `(outcome, channel, online level, synced, carried)` (396 counters of `u32`), folded into
//! [`Tally`] values at the end. Threads take contiguous row ranges and merge their cells, so the
//! result does not depend on the number of threads.

use std::thread;

use crate::classify::{
    classify_facts, ClassifyOptions, Comparison, Facts, Outcome, SupplementRule, DAY,
};
use crate::columns::{Columns, NONE};
use crate::dossier::{Channel, OnlineService, Status, StatusGroup};
use crate::error::{Error, RejectReason, Rejection};
use crate::tally::Tally;

const BLOCK: usize = 1024;
const CHANNELS: usize = 3;
const LEVELS: usize = 3;
/// Outcome counters of a cell: outcome × carried over.
const OUTCOMES: usize = Outcome::COUNT * 2;
/// Attribute counters of a cell (newly received, counted dossiers only): channel × online level ×
/// synced. Tally's channel, eligibility and sync counts are sums of these.
const ATTRIBUTES: usize = CHANNELS * LEVELS * 2;
/// Counters per cell: `OUTCOMES` then `ATTRIBUTES` (160 bytes: a cell table of 40 units × 53
/// weeks is 339 KB, within a core's L2 cache).
pub(crate) const COMBOS: usize = OUTCOMES + ATTRIBUTES;
/// Rows below which one thread does all the work.
const PARALLEL_THRESHOLD: usize = 1 << 18;
/// Bytes of one cell: `COMBOS` counters of `u32`.
pub(crate) const CELL_BYTES: u64 = (COMBOS * 4) as u64;
/// Bytes one rejected record is budgeted at: the `Rejection` and its three strings.
pub(crate) const REJECTION_BYTES: u64 = 256;

/// Records with times outside 1900-01-01 .. 2199-12-31 are rejected.
pub(crate) const MIN_SECONDS: i64 = (-25_567) * DAY;
pub(crate) const MAX_SECONDS: i64 = 84_005 * DAY + DAY - 1;

/// What the kernel needs to know about the report besides the rows.
pub(crate) struct Plan<'a> {
    pub cohort: bool,
    pub as_of: i64,
    pub last_cutoff: i64,
    pub window_start: i64,
    pub first_day: i32,
    /// Day (from `first_day`) → period index.
    pub period_of_day: &'a [u32],
    /// Per period: start (local seconds) and cut-off (end of its last day, capped).
    pub period_start: &'a [i64],
    pub period_cutoff: &'a [i64],
    pub groups: usize,
    pub classify: ClassifyOptions,
    pub raise: bool,
    /// Worker threads (from [`budget`]).
    pub threads: usize,
    /// Most rejected records one worker may hold (from [`budget`]).
    pub max_rejected: usize,
}

/// One worker's result.
pub(crate) struct Partial {
    pub cells: Vec<u32>,
    pub excluded: Vec<u32>,
    pub rejected: Vec<Rejection>,
    /// Whether a worker stopped at `max_rejected` (the report fails: memory limit).
    pub overflow: bool,
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Plans the kernel's memory within `limit` bytes: the worker threads (each holds its own cells
/// table of `groups × periods` cells) and the most rejected records each worker may hold beside
/// them.
///
/// # Errors
/// [`Error::MemoryLimit`] when one cells table alone exceeds the limit.
pub(crate) fn budget(
    rows: usize,
    groups: usize,
    periods: usize,
    limit: u64,
) -> Result<(usize, usize), Error> {
    let per_worker = (groups as u64)
        .checked_mul(periods as u64)
        .and_then(|c| c.checked_mul(CELL_BYTES))
        .unwrap_or(u64::MAX);
    if per_worker > limit {
        return Err(Error::MemoryLimit {
            what: format!(
                "the report's cells table ({} group{} × {} period{} × {} bytes)",
                thousands(groups as u64),
                if groups == 1 { "" } else { "s" },
                thousands(periods as u64),
                if periods == 1 { "" } else { "s" },
                thousands(CELL_BYTES),
            ),
            needed: per_worker,
            limit,
            hint: "use a coarser granularity, a later start or fewer groups, or raise the memory limit"
                .into(),
        });
    }
    let wanted = if rows >= PARALLEL_THRESHOLD {
        thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(8)
    } else {
        1
    };
    let fit = usize::try_from(limit / per_worker.max(1)).unwrap_or(usize::MAX);
    let threads = wanted.min(fit).max(1);
    let rest = limit - per_worker * threads as u64;
    let max_rejected =
        usize::try_from(rest / REJECTION_BYTES / threads as u64).unwrap_or(usize::MAX);
    Ok((threads, max_rejected))
}

/// The error for more rejected records than the memory limit can hold.
pub(crate) fn too_many_rejected(max_rejected: usize, limit: u64) -> Error {
    Error::MemoryLimit {
        what: format!(
            "the list of rejected records (more than {} records × {REJECTION_BYTES} bytes)",
            thousands(max_rejected as u64)
        ),
        needed: (max_rejected as u64 + 1).saturating_mul(REJECTION_BYTES),
        limit,
        hint:
            "check the column mapping and the input's encoding (most rows are rejected), or raise \
               the memory limit"
                .into(),
    }
}

/// Counts one dossier into `cell` (a `COMBOS`-long slice): its outcome, and for a newly received
/// counted dossier its attributes.
#[inline]
fn count(cell: &mut [u32], outcome: Outcome, channel: u8, level: u8, synced: bool, carried: bool) {
    cell[outcome.index() * 2 + usize::from(carried)] += 1;
    if outcome.is_counted() && !carried {
        let ch = (channel.clamp(1, 3) - 1) as usize;
        let lv = level.min(2) as usize;
        cell[OUTCOMES + (ch * LEVELS + lv) * 2 + usize::from(synced)] += 1;
    }
}

#[inline]
fn cell(cells: &mut [u32], index: usize) -> &mut [u32] {
    &mut cells[index * COMBOS..(index + 1) * COMBOS]
}

/// Folds one cell's counters into a tally.
pub(crate) fn fold(cell: &[u32], into: &mut Tally) {
    for (k, &n) in cell[..OUTCOMES].iter().enumerate() {
        if n == 0 {
            continue;
        }
        into.add_outcome_n(Outcome::ALL[k / 2], k % 2 == 1, u64::from(n));
    }
    for (k, &n) in cell[OUTCOMES..].iter().enumerate() {
        if n == 0 {
            continue;
        }
        let n = u64::from(n);
        let synced = k % 2 == 1;
        let level = [
            OnlineService::None,
            OnlineService::Partial,
            OnlineService::Full,
        ][(k / 2) % LEVELS];
        let channel = [Channel::Direct, Channel::Online, Channel::Post][k / (2 * LEVELS)];
        into.add_attributes(channel, level, synced, n);
    }
}

/// Validates one row's times; the field, value and reason of the first problem.
#[inline]
pub(crate) fn check(
    received: i64,
    due: i64,
    finished: i64,
    status: Status,
) -> Option<(&'static str, i64, RejectReason)> {
    if received == NONE {
        return Some(("received_at", NONE, RejectReason::Missing));
    }
    let out = |t: i64| t != NONE && !(MIN_SECONDS..=MAX_SECONDS).contains(&t);
    if out(received) {
        return Some(("received_at", received, RejectReason::OutOfRange));
    }
    if out(due) {
        return Some(("due_at", due, RejectReason::OutOfRange));
    }
    if out(finished) {
        return Some(("finished_at", finished, RejectReason::OutOfRange));
    }
    if finished != NONE {
        if finished < received {
            return Some((
                "finished_at",
                finished,
                RejectReason::FinishedBeforeReceived,
            ));
        }
    } else if status.group() == StatusGroup::Finished {
        return Some(("finished_at", NONE, RejectReason::FinishedWithoutTime));
    }
    if due != NONE && due.div_euclid(DAY) < received.div_euclid(DAY) {
        return Some(("due_at", due, RejectReason::DueBeforeReceived));
    }
    None
}

pub(crate) fn fmt_seconds(s: i64) -> String {
    if s == NONE {
        return String::new();
    }
    chrono::DateTime::from_timestamp(s, 0)
        .map_or_else(|| s.to_string(), |t| t.naive_utc().to_string())
}

/// A contiguous range of rows of one chunk, with the global index of its first row.
#[derive(Clone, Copy)]
struct Segment {
    chunk: usize,
    lo: usize,
    hi: usize,
    global: usize,
}

/// Splits all rows into `parts` contiguous runs of segments of about equal size.
fn partition(chunks: &[Columns<'_>], parts: usize) -> Vec<Vec<Segment>> {
    let total: usize = chunks.iter().map(Columns::len).sum();
    let per = total.div_ceil(parts.max(1)).max(1);
    let mut out: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut room = per;
    let mut global = 0;
    for (c, cols) in chunks.iter().enumerate() {
        let mut lo = 0;
        let n = cols.len();
        while lo < n {
            let take = room.min(n - lo);
            if let Some(last) = out.last_mut() {
                last.push(Segment {
                    chunk: c,
                    lo,
                    hi: lo + take,
                    global: global + lo,
                });
            }
            lo += take;
            room -= take;
            if room == 0 {
                out.push(Vec::new());
                room = per;
            }
        }
        global += n;
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Runs the kernel over all chunks, in parallel when the input is large.
pub(crate) fn run(chunks: &[Columns<'_>], plan: &Plan<'_>) -> Partial {
    let parts = partition(chunks, plan.threads);
    let np = plan.period_start.len();
    // every cut-off at the end of a day and dates compared by day: the day kernel applies
    let end_of_day = |t: i64| t.rem_euclid(DAY) == DAY - 1;
    let work = if plan.classify.comparison == Comparison::Date
        && end_of_day(plan.as_of)
        && end_of_day(plan.last_cutoff)
    {
        work_days
    } else {
        work
    };
    let mut results: Vec<Partial> = if parts.len() <= 1 {
        vec![work(
            chunks,
            parts.first().map_or(&[][..], Vec::as_slice),
            plan,
            np,
        )]
    } else {
        thread::scope(|s| {
            let handles: Vec<_> = parts
                .iter()
                .map(|segs| s.spawn(move || work(chunks, segs, plan, np)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut acc = results.remove(0);
    for r in results {
        for (a, b) in acc.cells.iter_mut().zip(&r.cells) {
            *a += b;
        }
        for (a, b) in acc.excluded.iter_mut().zip(&r.excluded) {
            *a += b;
        }
        acc.rejected.extend(r.rejected);
        acc.overflow |= r.overflow;
        if (plan.raise && !acc.rejected.is_empty()) || acc.overflow {
            break;
        }
    }
    acc
}

/// Status column code → counting group for the day kernel: 0 skip (rejected upstream or not a
/// code), 1 never received, 2 processing, 3 supplement, 4 finished, 5 withdrawn, 6 stopped,
/// 7 refused.
const GROUP_OF_CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[1] = 1;
    t[3] = 1;
    t[2] = 2;
    t[4] = 2;
    t[5] = 3;
    t[9] = 4;
    t[10] = 4;
    t[7] = 5;
    t[6] = 6;
    t[8] = 6;
    t[11] = 7;
    t
};

/// The day kernel: the common case where every cut-off is the end of a day and finishing is
/// compared by calendar date, so that a row needs its three days and nothing finer, except the
/// seconds of a same-day finish for validation. Classification here must equal
/// `classify_facts` (the benches and the property tests compare them); rows that fail the cheap
/// validity screen go through `check` for their exact reason.
fn work_days(chunks: &[Columns<'_>], segments: &[Segment], plan: &Plan<'_>, np: usize) -> Partial {
    let mut cells = vec![0u32; plan.groups * np * COMBOS];
    let mut excluded = vec![0u32; COMBOS];
    let mut rejected = Vec::new();
    let mut received = [0i64; BLOCK];
    let mut due = [0i64; BLOCK];
    let mut finished = [0i64; BLOCK];
    let repeated = plan.classify.supplement_rule == SupplementRule::RepeatedIsOverdue;
    let first_day = i64::from(plan.first_day);
    let window_start_day = plan.window_start.div_euclid(DAY);
    let min_day = MIN_SECONDS.div_euclid(DAY);
    let max_day = MAX_SECONDS.div_euclid(DAY);
    let as_of_day = plan.as_of.div_euclid(DAY);
    let last_day = plan.last_cutoff.div_euclid(DAY);
    let period_start_day: Vec<i64> = plan
        .period_start
        .iter()
        .map(|s| s.div_euclid(DAY))
        .collect();
    let period_cutoff_day: Vec<i64> = plan
        .period_cutoff
        .iter()
        .map(|s| s.div_euclid(DAY))
        .collect();
    const NO_DAY: i64 = i64::MIN / 2;
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut lo = seg.lo;
        while lo < seg.hi {
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_block(lo, &mut received[..len]);
            cols.due.fill_block(lo, &mut due[..len]);
            cols.finished.fill_block(lo, &mut finished[..len]);
            for j in 0..len {
                let i = lo + j;
                let code = cols.status[i];
                let group = GROUP_OF_CODE[code as usize];
                if group == 0 {
                    if code != 0 {
                        let global = seg.global + (i - seg.lo);
                        rejected.push(Rejection::new(
                            global,
                            "",
                            "status",
                            code.to_string(),
                            RejectReason::UnknownStatus,
                        ));
                        if plan.raise || rejected.len() > plan.max_rejected {
                            let overflow = !plan.raise;
                            return Partial {
                                cells,
                                excluded,
                                rejected,
                                overflow,
                            };
                        }
                    }
                    continue;
                }
                let (r, d, f) = (received[j], due[j], finished[j]);
                let rd = if r == NONE { NO_DAY } else { r.div_euclid(DAY) };
                let dd = if d == NONE { NO_DAY } else { d.div_euclid(DAY) };
                let fd = if f == NONE { NO_DAY } else { f.div_euclid(DAY) };
                // cheap screen: anything suspicious takes the exact path
                let suspicious = r == NONE
                    || rd < min_day
                    || rd > max_day
                    || (d != NONE && (dd < rd || dd > max_day))
                    || (f != NONE && (fd <= rd || fd > max_day))
                    || (f == NONE && group == 4);
                if suspicious {
                    let status = Status::from_column_code(code).unwrap_or(Status::Processing);
                    if let Some((field, value, reason)) = check(r, d, f, status) {
                        let global = seg.global + (i - seg.lo);
                        rejected.push(Rejection::new(
                            global,
                            "",
                            field,
                            fmt_seconds(value),
                            reason,
                        ));
                        if plan.raise || rejected.len() > plan.max_rejected {
                            let overflow = !plan.raise;
                            return Partial {
                                cells,
                                excluded,
                                rejected,
                                overflow,
                            };
                        }
                        continue;
                    }
                }
                let channel = cols.channel.map_or(1, |c| c[i]);
                let level = cols.online_service.map_or(0, |c| c[i]);
                let synced = cols.synced.is_none_or(|s| s[i]);
                let g = cols.group.get(i).map_or(0, |&g| g as usize);
                let sup = cols.supplement_requests.map_or(0, |s| s[i]);
                // when the dossier left processing (day), NO_DAY while in it
                let end_day = match group {
                    4 => fd,
                    5..=7 => {
                        if f == NONE {
                            rd
                        } else {
                            fd
                        }
                    }
                    _ => NO_DAY,
                };
                let outcome_at = |cut: i64| -> Outcome {
                    if end_day != NO_DAY && end_day <= cut {
                        return match group {
                            4 => {
                                if d == NONE {
                                    Outcome::OnTime
                                } else if fd < dd {
                                    Outcome::Early
                                } else if fd == dd {
                                    Outcome::OnTime
                                } else {
                                    Outcome::Late
                                }
                            }
                            5 => Outcome::Withdrawn,
                            6 => Outcome::Stopped,
                            _ => Outcome::Refused,
                        };
                    }
                    if repeated && sup > 1 {
                        Outcome::Overdue
                    } else if group == 3 {
                        Outcome::AwaitingSupplement
                    } else if d == NONE || dd >= cut {
                        Outcome::WithinDue
                    } else {
                        Outcome::Overdue
                    }
                };
                if plan.cohort {
                    if group == 1 {
                        count(
                            &mut excluded,
                            Outcome::NotReceived,
                            channel,
                            level,
                            synced,
                            false,
                        );
                        continue;
                    }
                    if rd > as_of_day || rd < window_start_day {
                        count(
                            &mut excluded,
                            Outcome::OutsideWindow,
                            channel,
                            level,
                            synced,
                            false,
                        );
                        continue;
                    }
                    let p = plan.period_of_day[(rd - first_day) as usize] as usize;
                    count(
                        cell(&mut cells, g * np + p),
                        outcome_at(as_of_day),
                        channel,
                        level,
                        synced,
                        false,
                    );
                } else {
                    if group == 1 || rd > last_day {
                        let o = if group == 1 {
                            Outcome::NotReceived
                        } else {
                            Outcome::OutsideWindow
                        };
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    if end_day != NO_DAY && end_day < window_start_day {
                        count(
                            &mut excluded,
                            outcome_at(window_start_day - 1),
                            channel,
                            level,
                            synced,
                            false,
                        );
                        continue;
                    }
                    let first = plan.period_of_day[(rd.max(window_start_day) - first_day) as usize]
                        as usize;
                    let last = if end_day != NO_DAY && end_day <= last_day {
                        plan.period_of_day[(end_day - first_day) as usize] as usize
                    } else {
                        np - 1
                    };
                    for p in first..=last {
                        let carried = rd < period_start_day[p];
                        let o = outcome_at(period_cutoff_day[p]);
                        count(
                            cell(&mut cells, g * np + p),
                            o,
                            channel,
                            level,
                            synced,
                            carried,
                        );
                    }
                }
            }
            lo += len;
        }
    }
    Partial {
        cells,
        excluded,
        rejected,
        overflow: false,
    }
}

/// One worker: its segments in order (the general path: any cut-off, any comparison).
fn work(chunks: &[Columns<'_>], segments: &[Segment], plan: &Plan<'_>, np: usize) -> Partial {
    let mut cells = vec![0u32; plan.groups * np * COMBOS];
    let mut excluded = vec![0u32; COMBOS];
    let mut rejected = Vec::new();
    let mut received = [0i64; BLOCK];
    let mut due = [0i64; BLOCK];
    let mut finished = [0i64; BLOCK];
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut lo = seg.lo;
        while lo < seg.hi {
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_block(lo, &mut received[..len]);
            cols.due.fill_block(lo, &mut due[..len]);
            cols.finished.fill_block(lo, &mut finished[..len]);
            for j in 0..len {
                let i = lo + j;
                let code = cols.status[i];
                let Some(status) = Status::from_column_code(code) else {
                    if code != 0 {
                        // not a status column code: a caller's bug, still never dropped silently
                        let global = seg.global + (i - seg.lo);
                        rejected.push(Rejection::new(
                            global,
                            "",
                            "status",
                            code.to_string(),
                            RejectReason::UnknownStatus,
                        ));
                        if plan.raise || rejected.len() > plan.max_rejected {
                            let overflow = !plan.raise;
                            return Partial {
                                cells,
                                excluded,
                                rejected,
                                overflow,
                            };
                        }
                    }
                    continue; // 0: rejected upstream
                };
                let (r, d, f) = (received[j], due[j], finished[j]);
                if let Some((field, value, reason)) = check(r, d, f, status) {
                    let global = seg.global + (i - seg.lo);
                    rejected.push(Rejection::new(
                        global,
                        "",
                        field,
                        fmt_seconds(value),
                        reason,
                    ));
                    if plan.raise || rejected.len() > plan.max_rejected {
                        let overflow = !plan.raise;
                        return Partial {
                            cells,
                            excluded,
                            rejected,
                            overflow,
                        };
                    }
                    continue;
                }
                let facts = Facts {
                    received: r,
                    due: (d != NONE).then_some(d),
                    finished: (f != NONE).then_some(f),
                    status,
                    supplement_requests: cols.supplement_requests.map_or(0, |s| s[i]),
                };
                let channel = cols.channel.map_or(1, |c| c[i]);
                let level = cols.online_service.map_or(0, |c| c[i]);
                let synced = cols.synced.is_none_or(|s| s[i]);
                let g = cols.group.get(i).map_or(0, |&g| g as usize);
                if plan.cohort {
                    let outcome = classify_facts(&facts, plan.as_of, &plan.classify);
                    if !outcome.is_counted() || r < plan.window_start {
                        let o = if outcome.is_counted() {
                            Outcome::OutsideWindow
                        } else {
                            outcome
                        };
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    let p = plan.period_of_day
                        [(r.div_euclid(DAY) - i64::from(plan.first_day)) as usize]
                        as usize;
                    count(
                        cell(&mut cells, g * np + p),
                        outcome,
                        channel,
                        level,
                        synced,
                        false,
                    );
                } else {
                    let end = facts.end();
                    if status.group() == StatusGroup::NeverReceived || r > plan.last_cutoff {
                        let o = classify_facts(&facts, plan.last_cutoff, &plan.classify);
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    if end.is_some_and(|e| e < plan.window_start) {
                        let o = classify_facts(&facts, plan.window_start - 1, &plan.classify);
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    let day = |t: i64| (t.div_euclid(DAY) - i64::from(plan.first_day)) as usize;
                    let first = plan.period_of_day[day(r.max(plan.window_start))] as usize;
                    let last = match end {
                        Some(e) if e <= plan.last_cutoff => plan.period_of_day[day(e)] as usize,
                        _ => np - 1,
                    };
                    for p in first..=last {
                        let outcome = classify_facts(&facts, plan.period_cutoff[p], &plan.classify);
                        let carried = r < plan.period_start[p];
                        count(
                            cell(&mut cells, g * np + p),
                            outcome,
                            channel,
                            level,
                            synced,
                            carried,
                        );
                    }
                }
            }
            lo += len;
        }
    }
    Partial {
        cells,
        excluded,
        rejected,
        overflow: false,
    }
}
