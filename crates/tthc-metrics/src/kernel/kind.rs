//! The outcome of a dossier as the day kernel computes it, from its status group and three local
//! day numbers, when finishing is compared by calendar date and every cut-off is the end of a
//! day. It is [`classify_facts`](crate::classify_facts) restated over days; the property tests
//! (`tests/tests/kernels.rs`) force both kernels over the same rows and compare every counter.

use crate::classify::Outcome;
use crate::columnar::NO_DAY;
use crate::dossier::StatusGroup;

/// Outcomes by kind, in the order the arithmetic below produces them.
pub(crate) const KINDS: [Outcome; 10] = [
    Outcome::Early,
    Outcome::OnTime,
    Outcome::Late,
    Outcome::Withdrawn,
    Outcome::Stopped,
    Outcome::Refused,
    Outcome::WithinDue,
    Outcome::AwaitingSupplement,
    Outcome::AwaitingPayment,
    Outcome::Overdue,
];
pub(crate) const WITHIN: u8 = 6;
pub(crate) const OVERDUE: u8 = 9;
/// The end day of a dossier that has not ended.
pub(crate) const NOT_ENDED: i32 = i32::MAX;

const FINISHED: u8 = StatusGroup::Finished as u8;
const SUPPLEMENT: u8 = StatusGroup::Supplement as u8;
const PAYMENT: u8 = StatusGroup::Payment as u8;

/// Kind → the cell's outcome counter for a dossier not carried over (`+ 1` when carried over).
pub(crate) const KIND_COUNTER: [usize; 10] = {
    let mut t = [0; 10];
    let mut k = 0;
    while k < 10 {
        t[k] = KINDS[k] as usize * 2;
        k += 1;
    }
    t
};

/// The day a dossier left processing: its end day when it has ended (an end without a time:
/// the reception day), [`NOT_ENDED`] while it is open.
#[inline]
pub(crate) fn end_day(group: u8, received: i32, finished: i32) -> i32 {
    if group >= FINISHED {
        if finished == NO_DAY {
            received
        } else {
            finished
        }
    } else {
        NOT_ENDED
    }
}

/// The kind of an ended dossier: finished early, on time or late by calendar date (no due date:
/// on time), or withdrawn, stopped, refused.
#[inline]
pub(crate) fn ended_kind(group: u8, finished: i32, due: i32) -> u8 {
    let due = if due == NO_DAY { finished } else { due };
    let by_date = 1 + u8::from(finished > due) - u8::from(finished < due);
    if group == FINISHED {
        by_date
    } else {
        group.wrapping_sub(FINISHED - 2)
    }
}

/// The kind of an open dossier before its due date has passed: overdue when a repeated
/// supplement request makes it so (Decision 766), awaiting the citizen, or within due.
#[inline]
pub(crate) fn open_kind(group: u8, repeated: bool) -> u8 {
    if repeated {
        OVERDUE
    } else if group == SUPPLEMENT {
        7
    } else if group == PAYMENT {
        8
    } else {
        WITHIN
    }
}

/// The kind at the end of day `cutoff` of a dossier received by then.
#[inline]
pub(crate) fn kind_at(
    group: u8,
    received: i32,
    due: i32,
    finished: i32,
    repeated: bool,
    cutoff: i32,
) -> u8 {
    if end_day(group, received, finished) <= cutoff {
        return ended_kind(group, finished, due);
    }
    let open = open_kind(group, repeated);
    if open == WITHIN && due != NO_DAY && due < cutoff {
        OVERDUE
    } else {
        open
    }
}
