//! The one validation rule of a record (domain-rules section 2, "bad records"), over local
//! seconds. Every front end (records, Arrow batches, files) reaches it through the preparation
//! stage ([`crate::columnar::prepare`]); nothing else decides whether a row is valid.
//!
//! A record is rejected, with the first problem in this order, when:
//! 1. its reception time is missing (never-received dossiers, status 1 and 3, are exempt: they
//!    are excluded from every count whatever their times say);
//! 2. a time it is counted by lies outside 1900-01-01 .. 2199-12-31;
//! 3. it ended before it was received (an end given as a bare date, i.e. exactly midnight, is
//!    compared by date: "finished 16/10/2023" on a dossier received that morning is valid);
//! 4. its status says finished (9, 10) but it has no end time;
//! 5. its due date in force lies on a day before the reception day.
//!
//! The unit's presence and the status code itself are checked where those columns are read
//! (they are codes there), with the same [`RejectReason`]s.

use crate::classify::DAY;
use crate::columnar::NONE;
use crate::dossier::StatusGroup;
use crate::error::RejectReason;

/// First supported instant (1900-01-01 00:00 local).
pub(crate) const MIN_SECONDS: i64 = (-25_567) * DAY;
/// Last supported instant (2199-12-31 23:59:59 local).
pub(crate) const MAX_SECONDS: i64 = 84_005 * DAY + DAY - 1;
/// [`MIN_SECONDS`] and [`MAX_SECONDS`] as day numbers.
pub(crate) const MIN_DAY: i32 = -25_567;
pub(crate) const MAX_DAY: i32 = 84_005;

/// What is wrong with a row: the field, its value (local seconds, [`NONE`] when missing) and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Problem {
    pub field: &'static str,
    pub value: i64,
    pub reason: RejectReason,
}

/// The rule, over one row's local seconds ([`NONE`] for null). `due` is the due date in force
/// and `due_field` the column it came from.
#[inline]
pub(crate) fn check(
    received: i64,
    due: i64,
    due_field: &'static str,
    finished: i64,
    group: StatusGroup,
) -> Option<Problem> {
    let problem = |field, value, reason| {
        Some(Problem {
            field,
            value,
            reason,
        })
    };
    if group == StatusGroup::NeverReceived {
        return None;
    }
    if received == NONE {
        return problem("received_at", NONE, RejectReason::Missing);
    }
    let outside = |t: i64| t != NONE && !(MIN_SECONDS..=MAX_SECONDS).contains(&t);
    if outside(received) {
        return problem("received_at", received, RejectReason::OutOfRange);
    }
    if outside(due) {
        return problem(due_field, due, RejectReason::OutOfRange);
    }
    if outside(finished) {
        return problem("finished_at", finished, RejectReason::OutOfRange);
    }
    if finished != NONE {
        let bare_date = finished.rem_euclid(DAY) == 0;
        let before = if bare_date {
            finished.div_euclid(DAY) < received.div_euclid(DAY)
        } else {
            finished < received
        };
        if before {
            return problem(
                "finished_at",
                finished,
                RejectReason::FinishedBeforeReceived,
            );
        }
    } else if group == StatusGroup::Finished {
        return problem("finished_at", NONE, RejectReason::FinishedWithoutTime);
    }
    if due != NONE && due.div_euclid(DAY) < received.div_euclid(DAY) {
        return problem(due_field, due, RejectReason::DueBeforeReceived);
    }
    None
}

/// A cheap, branch-free screen over day numbers that every row [`check`] rejects fails: rows
/// that pass it are valid, rows that fail it go through [`check`] on exact seconds. It is a
/// filter, not a rule: it also fails rows that are valid (a same-day finish, whose seconds
/// decide).
#[inline]
#[allow(clippy::needless_bitwise_bool)] // `&`/`|` on booleans on purpose: no branch per test
pub(crate) fn may_fail(
    group: u8,
    received_day: i32,
    due_day: i32,
    finished_day: i32,
    no_day: i32,
) -> bool {
    let finished = group == StatusGroup::Finished as u8;
    let never = group == StatusGroup::NeverReceived as u8;
    let d_null = due_day == no_day;
    let f_null = finished_day == no_day;
    !never
        & ((group == 0)
            | !(MIN_DAY..=MAX_DAY).contains(&received_day)
            | (!d_null & ((due_day < received_day) | (due_day > MAX_DAY)))
            | (!f_null & ((finished_day <= received_day) | (finished_day > MAX_DAY)))
            | (f_null & finished))
}

/// The screen of [`may_fail`] on local instants in a common unit (`lo..=hi`: the supported
/// range narrowed by a day; due and end given as dates at their day's last tick): `false` only
/// for rows [`check`] accepts, without a division. Ends and due dates before the reception
/// instant, and everything near the range's edges, go to the rule.
#[inline]
#[allow(clippy::needless_bitwise_bool)] // `&`/`|` on booleans on purpose: no branch per test
pub(crate) fn may_fail_instants(
    group: u8,
    received: i64,
    due: i64,
    finished: i64,
    lo: i64,
    hi: i64,
) -> bool {
    may_fail_ticks(
        group,
        (received, received != NONE),
        (due, due != NONE),
        (finished, finished != NONE),
        lo,
        hi,
    )
}

/// [`may_fail_instants`] with each instant's validity given beside it (the fused kernel reads
/// the validity bitmaps and the ticks apart): `(value, is_valid)` for the reception, the due
/// date and the end.
#[inline]
#[allow(clippy::needless_bitwise_bool)] // `&`/`|` on booleans on purpose: no branch per test
pub(crate) fn may_fail_ticks(
    group: u8,
    (received, r_valid): (i64, bool),
    (due, d_valid): (i64, bool),
    (finished, f_valid): (i64, bool),
    lo: i64,
    hi: i64,
) -> bool {
    let finished_status = group == StatusGroup::Finished as u8;
    let never = group == StatusGroup::NeverReceived as u8;
    !never
        & ((group == 0)
            | !r_valid
            | (received < lo)
            | (received > hi)
            | (d_valid & ((due < received) | (due > hi)))
            | (f_valid & ((finished < received) | (finished > hi)))
            | (!f_valid & finished_status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columnar::NO_DAY;
    use proptest::prelude::*;

    const GROUPS: [StatusGroup; 8] = [
        StatusGroup::NeverReceived,
        StatusGroup::Processing,
        StatusGroup::Supplement,
        StatusGroup::Payment,
        StatusGroup::Finished,
        StatusGroup::Withdrawn,
        StatusGroup::Stopped,
        StatusGroup::Refused,
    ];

    fn day(t: i64) -> i32 {
        if t == NONE {
            NO_DAY
        } else {
            t.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32
        }
    }

    #[test]
    fn a_bare_date_finish_on_the_reception_day_is_valid() {
        let received = 19_646 * DAY + 9 * 3_600;
        let midnight = 19_646 * DAY;
        let g = StatusGroup::Finished;
        assert_eq!(check(received, NONE, "due_at", midnight, g), None);
        let p = check(received, NONE, "due_at", midnight + 1, g).unwrap();
        assert_eq!(p.reason, RejectReason::FinishedBeforeReceived);
        let p = check(received, NONE, "due_at", midnight - DAY, g).unwrap();
        assert_eq!(p.reason, RejectReason::FinishedBeforeReceived);
    }

    #[test]
    fn never_received_rows_are_never_rejected() {
        let g = StatusGroup::NeverReceived;
        assert_eq!(check(NONE, NONE, "due_at", NONE, g), None);
        assert_eq!(check(i64::MAX / 2, 0, "due_at", -5, g), None);
    }

    proptest! {
        /// The screen lets through only rows the rule accepts.
        #[test]
        fn the_screen_only_passes_valid_rows(
            r in prop::option::of(-30_000i64 * DAY..90_000 * DAY),
            d in prop::option::of(-30_000i64 * DAY..90_000 * DAY),
            f in prop::option::of(-30_000i64 * DAY..90_000 * DAY),
            near in any::<bool>(),
            g in 0usize..8,
        ) {
            let r = r.unwrap_or(NONE);
            // rows near each other, where the interesting cases are
            let (d, f) = if near && r != NONE {
                (d.map_or(NONE, |d| r + d % (3 * DAY)), f.map_or(NONE, |f| r + f % (3 * DAY)))
            } else {
                (d.unwrap_or(NONE), f.unwrap_or(NONE))
            };
            let group = GROUPS[g];
            if !may_fail(group as u8, day(r), day(d), day(f), NO_DAY) {
                prop_assert_eq!(check(r, d, "due_at", f, group), None);
            }
        }
    }
}
