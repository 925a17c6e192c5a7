//! The day path: finishing compared by calendar date and every cut-off at the end of a day (the
//! defaults), so a row needs only its three local day numbers. Times are decoded straight to
//! `i32` days; a first pass over the block computes each row's attribute counter and cohort
//! kind without branches; the second counts: two increments a row in the cohort view, an
//! activity run in the activity view.

use super::cells::{attribute, count};
use super::kind::{
    end_day, ended_kind, kind_at, open_kind, KINDS, KIND_COUNTER, NOT_ENDED, OVERDUE, WITHIN,
};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK, COMBOS};
use crate::classify::{Outcome, SupplementRule, DAY};
use crate::columnar::{Columns, NO_DAY};
use crate::dossier::{StatusGroup, GROUP_OF_CODE};

/// The per-block buffers: the three local days, and what the first pass derives from them.
pub(super) struct DayBlock {
    pub(super) rday: Vec<i32>,
    pub(super) dday: Vec<i32>,
    pub(super) fday: Vec<i32>,
    /// Counting group of the row's status (0: left out).
    pub(super) grp: Vec<u8>,
    /// Kind at the cohort's cut-off.
    kind: Vec<u8>,
    /// The row's attribute counter in a cell.
    attr: Vec<u8>,
    /// 1 where a repeated supplement request makes the open dossier overdue.
    rep: Vec<u8>,
    /// Portal sync flag, 0 or 1.
    synced: Vec<u8>,
}

impl DayBlock {
    /// The counting group of each row's status code (0: left out).
    pub(super) fn fill_groups(&mut self, status: &[u8]) {
        for (g, &code) in self.grp.iter_mut().zip(status) {
            *g = GROUP_OF_CODE[code as usize];
        }
    }

    pub(super) fn new() -> Self {
        Self {
            rday: vec![0; BLOCK],
            dday: vec![0; BLOCK],
            fday: vec![0; BLOCK],
            grp: vec![0; BLOCK],
            kind: vec![0; BLOCK],
            attr: vec![0; BLOCK],
            rep: vec![0; BLOCK],
            synced: vec![1; BLOCK],
        }
    }
}

/// What the day path derives from the plan once per worker.
pub(super) struct DayPlan {
    repeated: bool,
    first_day: i32,
    ws: i32,
    as_of_day: i32,
    last_day: i32,
    table_days: i64,
    cutoff_day: Vec<i32>,
}

impl DayPlan {
    pub(super) fn new(plan: &Plan<'_>) -> Self {
        let day = |s: i64| s.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32;
        Self {
            repeated: plan.classify.supplement_rule == SupplementRule::RepeatedIsOverdue,
            first_day: plan.first_day,
            ws: day(plan.window_start),
            as_of_day: day(plan.as_of),
            last_day: day(plan.last_cutoff),
            table_days: plan.period_of_day.len() as i64,
            cutoff_day: plan.period_cutoff.iter().map(|&s| day(s)).collect(),
        }
    }
}

/// One worker over its segments.
pub(super) fn work(
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> Partial {
    let mut out = Partial::new(plan, np);
    work_into(&mut out, chunks, segments, plan, np);
    out
}

/// [`work`] adding into a worker's table `out`.
pub(super) fn work_into(
    out: &mut Partial,
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) {
    let mut codes = CodeBlock::new();
    let mut b = DayBlock::new();
    let k = DayPlan::new(plan);
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut skip = cols.skip.partition_point(|&r| r < seg.lo);
        let mut lo = seg.lo;
        while lo < seg.hi {
            if plan.cancelled() {
                out.cancelled = true;
                return;
            }
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_days_ordered(lo, &mut b.rday[..len]);
            cols.due.fill_days(lo, &mut b.dday[..len]);
            cols.finished.fill_days(lo, &mut b.fday[..len]);
            codes.fill(cols, plan.group_by, lo, len, &mut skip);
            b.fill_groups(&codes.status[..len]);
            count_block(out, &k, plan, np, cols, lo, len, &mut b, &codes);
            lo += len;
        }
    }
}

/// Counts rows `lo..lo + len` of `cols`, whose local days and status groups are in `b` and codes
/// in `codes`.
#[allow(clippy::too_many_lines)] // one hot loop, kept whole so that it stays specialised
#[allow(clippy::too_many_arguments)]
pub(super) fn count_block(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    cols: &Columns<'_>,
    lo: usize,
    len: usize,
    b: &mut DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    let DayPlan {
        repeated,
        first_day,
        ws,
        as_of_day,
        ..
    } = *k;
    let rep_s = &mut b.rep[..len];
    match (repeated, cols.supplement_requests) {
        (true, Some(sup)) => {
            for (r, &n) in rep_s.iter_mut().zip(&sup[lo..lo + len]) {
                *r = u8::from(n > 1);
            }
        }
        _ => rep_s.fill(0),
    }
    let syn_s = &mut b.synced[..len];
    match cols.synced {
        Some(sy) => {
            for (o, &v) in syn_s.iter_mut().zip(&sy[lo..lo + len]) {
                *o = u8::from(v);
            }
        }
        None => syn_s.fill(1),
    }
    // first pass: selects only, over slices of the block's length (no bounds checks)
    kinds_and_attributes(b, codes, len, as_of_day);
    // second pass: counting
    if !plan.cohort {
        count_activity(out, k, plan, np, len, b, codes);
        return;
    }
    if out.sparse.is_none() {
        count_cohort_dense(out, k, plan, np, len, b, codes);
        return;
    }
    for j in 0..len {
        let g = b.grp[j];
        if g == 0 {
            continue; // left out (rejected or repeated): reported by preparation
        }
        let attr = usize::from(b.attr[j]);
        let rd = b.rday[j];
        if g == never || rd > as_of_day || rd < ws {
            exclude(&mut out.excluded, g == never, attr);
            continue;
        }
        let p = plan.period_of_day[(rd - first_day) as usize] as usize;
        let base = out.base(codes.group[j] as usize, p, np);
        out.cells[base + KIND_COUNTER[usize::from(b.kind[j])]] += 1;
        out.cells[base + attr] += 1;
    }
}

/// The activity view's count: a row's runs of periods and its end (see [`Partial::activity`]).
/// Rows left out of every cell (never received, received after the last cut-off, ended before
/// the window) are rare and take a branch; for the others every quantity is a select, so that
/// the data-dependent cases (open or ended, overdue or not, dated or not) cost no misprediction
/// in random order.
fn count_activity(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    len: usize,
    b: &DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    let DayPlan {
        first_day,
        ws,
        last_day,
        table_days,
        ref cutoff_day,
        ..
    } = *k;
    let period = |day: i32| plan.period_of_day[(day - first_day) as usize] as usize;
    let overdue = KIND_COUNTER[usize::from(OVERDUE)];
    for j in 0..len {
        let g = b.grp[j];
        if g == 0 {
            continue; // left out (rejected or repeated): reported by preparation
        }
        let attr = usize::from(b.attr[j]);
        let (rd, dd, fd) = (b.rday[j], b.dday[j], b.fday[j]);
        if g == never || rd > last_day {
            exclude(&mut out.excluded, g == never, attr);
            continue;
        }
        let end = end_day(g, rd, fd);
        let ended_k = ended_kind(g, fd, dd);
        if end < ws {
            // ended before the window: its outcome at the window's start
            count(&mut out.excluded, KINDS[usize::from(ended_k)], attr, false);
            continue;
        }
        let rep = b.rep[j] != 0;
        let open = open_kind(g, rep);
        let first = period(rd.max(ws));
        let ended = end != NOT_ENDED && end <= last_day;
        let last = if ended { period(end) } else { np - 1 };
        // the first period whose cut-off finds the open dossier overdue: its due day's period,
        // or the next one when the due day is that period's last; none without a due date, all
        // with a repeated supplement request or a due day before the table
        let dated = open == WITHIN && dd != NO_DAY;
        let from_due = i64::from(dd) - i64::from(first_day);
        let in_table = (0..table_days).contains(&from_due);
        let q = plan.period_of_day[if in_table { from_due as usize } else { 0 }] as usize;
        let due_from = q + usize::from(cutoff_day[q] == dd);
        let overdue_from = if rep || (dated && from_due < 0) {
            0
        } else if dated && in_table {
            due_from
        } else {
            np
        };
        out.activity(
            codes.group[j] as usize,
            np,
            first,
            if ended { last } else { np },
            KIND_COUNTER[usize::from(open)],
            overdue,
            overdue_from,
            // (an open dossier's `ended_k` is no kind: any counter serves, it adds 0)
            (
                ended,
                last,
                KIND_COUNTER[usize::from(if ended { ended_k } else { 0 })],
            ),
            rd < ws,
            attr,
        );
    }
}

/// The cohort view's count on a dense table: a row's cell is at a fixed place, two increments.
fn count_cohort_dense(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    len: usize,
    b: &DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    let (first_day, ws, as_of_day) = (k.first_day, k.ws, k.as_of_day);
    let Partial {
        cells, excluded, ..
    } = out;
    let (grp, attr_s, kind_s, rday, group) = (
        &b.grp[..len],
        &b.attr[..len],
        &b.kind[..len],
        &b.rday[..len],
        &codes.group[..len],
    );
    for j in 0..len {
        let g = grp[j];
        if g == 0 {
            continue; // left out (rejected or repeated): reported by preparation
        }
        let attr = usize::from(attr_s[j]);
        let rd = rday[j];
        if g == never || rd > as_of_day || rd < ws {
            exclude(excluded, g == never, attr);
            continue;
        }
        let p = plan.period_of_day[(rd - first_day) as usize] as usize;
        let base = (group[j] as usize * np + p) * COMBOS;
        cells[base + KIND_COUNTER[usize::from(kind_s[j])]] += 1;
        cells[base + attr] += 1;
    }
}

/// The first pass over a block: each row's kind at the cohort's cut-off and its attribute
/// counter, selects only (vectorised, compiled for AVX-512, AVX2 and the baseline, the
/// machine's best chosen at run time).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn kinds_and_attributes(b: &mut DayBlock, codes: &CodeBlock, len: usize, as_of_day: i32) {
    let (rd_s, dd_s, fd_s, g_s) = (
        &b.rday[..len],
        &b.dday[..len],
        &b.fday[..len],
        &b.grp[..len],
    );
    let (rep_s, syn_s) = (&b.rep[..len], &b.synced[..len]);
    let (ch_s, lv_s) = (&codes.channel[..len], &codes.level[..len]);
    let kind_s = &mut b.kind[..len];
    let attr_s = &mut b.attr[..len];
    for j in 0..len {
        kind_s[j] = kind_at(g_s[j], rd_s[j], dd_s[j], fd_s[j], rep_s[j] != 0, as_of_day);
        attr_s[j] = attribute(ch_s[j], lv_s[j], syn_s[j] != 0) as u8;
    }
}

/// Counts a dossier left out of every cell: never received, or received outside the window.
#[inline]
fn exclude(excluded: &mut [u32], never_received: bool, attr: usize) {
    let o = if never_received {
        Outcome::NotReceived
    } else {
        Outcome::OutsideWindow
    };
    count(excluded, o, attr, false);
}
