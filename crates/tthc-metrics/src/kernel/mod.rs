//! The report kernel: one pass over prepared [`Columns`] (every row valid, rows left out in
//! `skip`) in blocks of rows, in parallel for large inputs.
//!
//! Two paths share the plan, the cells and the activity runs:
//! * the **day path** (`days`): finishing compared by calendar date and every cut-off at the
//!   end of a day (the defaults): times decoded straight to day numbers, outcomes by `kind`;
//! * the **general path** (`general`): any cut-off, any comparison: local seconds and
//!   [`classify_facts`](crate::classify_facts).
//!
//! In the activity view a dossier spans the periods it is open in; each is counted with two
//! updates of a difference table (the run of periods where it is open, the run where it is
//! overdue) and a point update for the period it ends in, so the work is one step a row
//! whatever the number of periods, and the difference table is summed once per group at the
//! end. Threads take contiguous row ranges and their tables are added, so the result does not
//! depend on the number of threads.

mod cells;
mod days;
pub(crate) mod fused;
mod general;
mod kind;

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use rustc_hash::FxHashMap;

use crate::classify::{ClassifyOptions, Comparison, DAY};
use crate::columnar::Columns;
use crate::report::GroupBy;

pub(crate) use cells::{fold, CELL_BYTES, COMBOS};

/// Bytes of one cell of a sparse table: the counters, its map entry and its place in the order.
pub(crate) const SPARSE_CELL_BYTES: u64 = CELL_BYTES + 40;

/// Rows a block holds.
pub(crate) const BLOCK: usize = 4096;

/// What the kernel needs to know besides the rows.
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
    /// Cohort view only: cells are made as dossiers reach them (a map from group × period),
    /// for tables far larger than the rows (5,000 units × 3,600 months for 200k dossiers).
    pub sparse: bool,
    pub group_by: GroupBy,
    pub classify: ClassifyOptions,
    pub threads: usize,
    /// Set from outside (an interrupt): workers stop at the next block.
    pub cancel: Option<&'a AtomicBool>,
    /// Which kernel runs (tests force the general one to compare the two).
    pub path: KernelPath,
}

/// Which kernel a report runs: the one that applies (the day path when dates are compared by
/// day and cut-offs are ends of days), or the general one always.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KernelPath {
    /// The day path where it applies, else the general path.
    #[default]
    Auto,
    /// The general path (seconds and `classify_facts`) whatever the options.
    General,
}

impl Plan<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Whether the day path applies: dates compared by day and every cut-off at the end of a
    /// day.
    pub(crate) fn by_day(&self) -> bool {
        let end_of_day = |t: i64| t.rem_euclid(DAY) == DAY - 1;
        self.path == KernelPath::Auto
            && self.classify.comparison == Comparison::Date
            && end_of_day(self.as_of)
            && end_of_day(self.last_cutoff)
    }
}

/// One worker's result.
pub(crate) struct Partial {
    pub cells: Vec<u32>,
    /// Activity view: the difference table of the runs (see the module docs).
    pub diff: Vec<u32>,
    pub excluded: Vec<u32>,
    pub cancelled: bool,
    /// A sparse table: group × period → its cell's number in `cells` (`None`: dense).
    pub(super) sparse: Option<FxHashMap<usize, usize>>,
    /// A sparse table once merged: (group × period, cell number) in order.
    order: Vec<(usize, usize)>,
}

impl Partial {
    fn new(plan: &Plan<'_>, np: usize) -> Self {
        // an activity table's one cell of padding: see `activity`
        let size = match (plan.sparse, plan.cohort) {
            (true, _) => 0,
            (false, true) => plan.groups * np * COMBOS,
            (false, false) => (plan.groups * np + 1) * COMBOS,
        };
        Self {
            cells: vec![0; size],
            diff: if plan.cohort {
                Vec::new()
            } else {
                vec![0; size]
            },
            excluded: vec![0; COMBOS],
            cancelled: false,
            sparse: plan.sparse.then(FxHashMap::default),
            order: Vec::new(),
        }
    }

    /// The first counter of the cell of group `g` in period `p` (made when sparse and new).
    #[inline]
    fn base(&mut self, g: usize, p: usize, np: usize) -> usize {
        let at = g * np + p;
        let Self { cells, sparse, .. } = self;
        match sparse {
            None => at * COMBOS,
            Some(map) => {
                let next = map.len();
                let cell = *map.entry(at).or_insert(next);
                if cell == next {
                    cells.resize(cells.len() + COMBOS, 0);
                }
                cell * COMBOS
            }
        }
    }

    /// Adds `other`'s counts (a worker's table of the same shape).
    fn add(&mut self, other: &Self, np: usize) {
        match &other.sparse {
            None => {
                for (a, b) in self.cells.iter_mut().zip(&other.cells) {
                    *a = a.wrapping_add(*b);
                }
            }
            Some(map) => {
                for (&at, &cell) in map {
                    let base = self.base(at / np, at % np, np);
                    let from = &other.cells[cell * COMBOS..(cell + 1) * COMBOS];
                    for (a, b) in self.cells[base..base + COMBOS].iter_mut().zip(from) {
                        *a = a.wrapping_add(*b);
                    }
                }
            }
        }
        for (a, b) in self.diff.iter_mut().zip(&other.diff) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.excluded.iter_mut().zip(&other.excluded) {
            *a += b;
        }
        self.cancelled |= other.cancelled;
    }

    /// The cells of group `g` that counted something, by period.
    pub(crate) fn group_cells(&self, g: usize, np: usize) -> Vec<(usize, &[u32])> {
        let cell = |c: usize| &self.cells[c * COMBOS..(c + 1) * COMBOS];
        if self.sparse.is_none() {
            return (0..np)
                .map(|p| (p, cell(g * np + p)))
                .filter(|(_, c)| c.iter().any(|&v| v != 0))
                .collect();
        }
        let from = self.order.partition_point(|&(at, _)| at < g * np);
        self.order[from..]
            .iter()
            .take_while(|&&(at, _)| at < (g + 1) * np)
            .map(|&(at, c)| (at - g * np, cell(c)))
            .filter(|(_, c)| c.iter().any(|&v| v != 0))
            .collect()
    }

    /// Counts a dossier's activity: the periods `first..open_end` where it is open at the cut-off
    /// (`open` kind before `overdue_from`, overdue from there), and, when it `ended`, the period
    /// `last` it ended in with its `ended_kind` counter. Counters are wrapping: the difference
    /// table holds −1 entries until it is summed.
    ///
    /// Without a branch: every update is made, adding 1 where it applies and 0 where it does not
    /// (a row's runs and ends are data-dependent, and in random order the branches were
    /// mispredicted). An update that does not apply may address the cell just past the group's
    /// last period, so an activity table has one cell of padding at its end (see
    /// [`Partial::new`]); it only ever receives zeros.
    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
    #[inline]
    fn activity(
        &mut self,
        row: usize,
        np: usize,
        first: usize,
        open_end: usize,
        open: usize,
        overdue: usize,
        overdue_from: usize,
        (ended, last, ended_kind): (bool, usize, usize),
        carried_first: bool,
        attr: usize,
    ) {
        let base = |p: usize| (row * np + p) * COMBOS;
        let at_first = base(first);
        let carried = usize::from(carried_first);
        self.cells[at_first + attr] += u32::from(!carried_first);
        let open_run = first < open_end;
        let k = if first < overdue_from { open } else { overdue };
        self.cells[at_first + k + carried] += u32::from(open_run);
        // the carried-over runs after the first period: first + 1..split open, split..open_end
        // overdue (each empty unless the dossier is open past its first period)
        let after = first + 1;
        let split = overdue_from.max(after).min(open_end.max(after));
        let d = &mut self.diff;
        let open_run_after = u32::from(open_run & (after < split));
        d[base(after) + open + 1] = d[base(after) + open + 1].wrapping_add(open_run_after);
        let close = open_run_after & u32::from(split < np);
        d[base(split) + open + 1] = d[base(split) + open + 1].wrapping_sub(close);
        let overdue_run = u32::from(open_run & (split < open_end));
        d[base(split) + overdue + 1] = d[base(split) + overdue + 1].wrapping_add(overdue_run);
        let close = overdue_run & u32::from(open_end < np);
        d[base(open_end) + overdue + 1] = d[base(open_end) + overdue + 1].wrapping_sub(close);
        let carried_end = usize::from(last > first || carried_first);
        self.cells[base(last) + ended_kind + carried_end] += u32::from(ended);
    }

    /// Adds the difference table's running sums into the cells.
    fn settle(&mut self, groups: usize, np: usize) {
        if self.diff.is_empty() {
            return;
        }
        for g in 0..groups {
            let mut run = [0u32; COMBOS];
            for p in 0..np {
                let base = (g * np + p) * COMBOS;
                let diff = &self.diff[base..base + COMBOS];
                let cells = &mut self.cells[base..base + COMBOS];
                for ((r, d), c) in run.iter_mut().zip(diff).zip(cells) {
                    *r = r.wrapping_add(*d);
                    *c = c.wrapping_add(*r);
                }
            }
        }
        self.diff = Vec::new();
    }
}

/// A contiguous range of rows of one chunk.
#[derive(Clone, Copy)]
struct Segment {
    chunk: usize,
    lo: usize,
    hi: usize,
}

/// Splits all rows into `parts` contiguous runs of segments of about equal size.
fn partition(chunks: &[Columns<'_>], parts: usize) -> Vec<Vec<Segment>> {
    let total: usize = chunks.iter().map(Columns::len).sum();
    let per = total.div_ceil(parts.max(1)).max(1);
    let mut out: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut room = per;
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
                });
            }
            lo += take;
            room -= take;
            if room == 0 {
                out.push(Vec::new());
                room = per;
            }
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// One block's coded columns, read through their lookup tables, with the rows left out set to
/// status 0.
struct CodeBlock {
    status: Vec<u8>,
    channel: Vec<u8>,
    level: Vec<u8>,
    group: Vec<u32>,
}

impl CodeBlock {
    fn new() -> Self {
        Self {
            status: vec![0; BLOCK],
            channel: vec![1; BLOCK],
            level: vec![0; BLOCK],
            group: vec![0; BLOCK],
        }
    }

    /// Reads rows `lo..lo + len`; `skip` is the position in `cols.skip` of the first row not
    /// yet passed, advanced past this block.
    fn fill(&mut self, cols: &Columns<'_>, by: GroupBy, lo: usize, len: usize, skip: &mut usize) {
        cols.status.fill_block(lo, &mut self.status[..len], 0);
        while let Some(&row) = cols.skip.get(*skip) {
            if row >= lo + len {
                break;
            }
            if row >= lo {
                self.status[row - lo] = 0;
            }
            *skip += 1;
        }
        match cols.channel {
            Some(c) => c.fill_block(lo, &mut self.channel[..len], 1),
            None => self.channel[..len].fill(1),
        }
        match cols.online_service {
            Some(c) => c.fill_block(lo, &mut self.level[..len], 0),
            None => self.level[..len].fill(0),
        }
        let names = match by {
            GroupBy::Unit => cols.unit,
            GroupBy::Procedure => cols.procedure,
            GroupBy::Field => cols.field,
            GroupBy::Channel | GroupBy::Total => None,
        };
        match (by, names) {
            (GroupBy::Channel, _) => {
                for (g, &c) in self.group[..len].iter_mut().zip(&self.channel[..len]) {
                    *g = u32::from(c.clamp(1, 3) - 1);
                }
            }
            (_, Some(n)) => n.codes().fill_block(lo, &mut self.group[..len], 0),
            _ => self.group[..len].fill(0),
        }
    }
}

/// Runs the kernel over all chunks, in parallel when the input is large; `None` when cancelled.
pub(crate) fn run(chunks: &[Columns<'_>], plan: &Plan<'_>) -> Option<Partial> {
    let parts = partition(chunks, plan.threads);
    let np = plan.period_start.len();
    let work = if plan.by_day() {
        days::work
    } else {
        general::work
    };
    let results: Vec<Partial> = if parts.len() <= 1 {
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
    gather(results, plan, np)
}

/// Adds the workers' tables into one and settles it; `None` when cancelled.
fn gather(mut results: Vec<Partial>, plan: &Plan<'_>, np: usize) -> Option<Partial> {
    let mut acc = results.remove(0);
    for r in &results {
        acc.add(r, np);
    }
    if acc.cancelled {
        return None;
    }
    acc.settle(plan.groups, np);
    if let Some(map) = &acc.sparse {
        acc.order = map.iter().map(|(&at, &cell)| (at, cell)).collect();
        acc.order.sort_unstable();
    }
    Some(acc)
}

/// Finishes a fused pass ([`fused::run`]): counts the blocks it deferred from the prepared
/// `chunks` (the rows left out now known) on the day path and adds them to its counts. The
/// first part of the deferred blocks is counted into the pass's own table, so that no more
/// tables are alive than the pass had.
pub(crate) fn finish_fused(
    chunks: &[Columns<'_>],
    pass: fused::Fused,
    plan: &Plan<'_>,
) -> Option<Partial> {
    let np = plan.period_start.len();
    let fused::Fused {
        mut partial,
        screen,
    } = pass;
    let mut deferred = Vec::new();
    let mut k = 0;
    let mut except = screen.except.iter().peekable();
    for (c, cols) in chunks.iter().enumerate() {
        for lo in (0..cols.len()).step_by(crate::columnar::SCREEN_BLOCK) {
            if screen.blocks.get(k).is_none_or(|&(flagged, _)| flagged) {
                deferred.push(Segment {
                    chunk: c,
                    lo,
                    hi: (lo + crate::columnar::SCREEN_BLOCK).min(cols.len()),
                });
            } else if let Some((_, rows)) = except.next_if(|e| e.0 == k) {
                // the rows the pass left to preparation, those not left out now, one by one
                for &j in rows {
                    let i = lo + usize::from(j);
                    if cols.skip.binary_search(&i).is_err() {
                        deferred.push(Segment {
                            chunk: c,
                            lo: i,
                            hi: i + 1,
                        });
                    }
                }
            }
            k += 1;
        }
    }
    let parts = plan.threads.clamp(1, deferred.len().max(1));
    let per = deferred.len().div_ceil(parts).max(1);
    let mut pieces = deferred.chunks(per);
    if let Some(first) = pieces.next() {
        days::work_into(&mut partial, chunks, first, plan, np);
    }
    let rest: Vec<&[Segment]> = pieces.collect();
    let mut results = vec![partial];
    thread::scope(|s| {
        let handles: Vec<_> = rest
            .iter()
            .map(|segs| s.spawn(move || days::work(chunks, segs, plan, np)))
            .collect();
        for h in handles {
            results.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
    });
    gather(results, plan, np)
}
