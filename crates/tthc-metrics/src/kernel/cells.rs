//! The kernel's counters: a cell per (group, period) holds a histogram over the combinations
//! (outcome, carried over) and, for newly received counted dossiers, (channel, online level,
//! synced), folded into [`Tally`] values at the end.

use crate::classify::Outcome;
use crate::dossier::{Channel, OnlineService};
use crate::tally::Tally;

pub(crate) const CHANNELS: usize = 3;
pub(crate) const LEVELS: usize = 3;
/// Outcome counters of a cell: outcome × carried over.
pub(crate) const OUTCOMES: usize = Outcome::COUNT * 2;
/// Attribute counters of a cell: channel × online level × synced.
pub(crate) const ATTRIBUTES: usize = CHANNELS * LEVELS * 2;
/// Counters per cell: `OUTCOMES` then `ATTRIBUTES`.
pub(crate) const COMBOS: usize = OUTCOMES + ATTRIBUTES;
/// Bytes of one cell (`COMBOS` counters of `u32`).
pub(crate) const CELL_BYTES: u64 = (COMBOS * 4) as u64;

/// The outcome counter of a cell (`+ 1` when carried over).
#[inline]
pub(crate) fn outcome_counter(outcome: Outcome, carried: bool) -> usize {
    outcome.index() * 2 + usize::from(carried)
}

/// The attribute counter of a cell for a newly received dossier (channel 0, not given, counts as
/// direct).
#[inline]
pub(crate) fn attribute(channel: u8, level: u8, synced: bool) -> usize {
    OUTCOMES
        + (usize::from(channel.clamp(1, 3) - 1) * LEVELS + usize::from(level.min(2))) * 2
        + usize::from(synced)
}

/// Counts one dossier into `cell`: its outcome, and for a newly received counted dossier its
/// attribute counter.
#[inline]
pub(crate) fn count(cell: &mut [u32], outcome: Outcome, attr: usize, carried: bool) {
    cell[outcome_counter(outcome, carried)] += 1;
    if outcome.is_counted() && !carried {
        cell[attr] += 1;
    }
}

/// Folds one cell's counters into a tally.
pub(crate) fn fold(cell: &[u32], into: &mut Tally) {
    for (k, &n) in cell[..OUTCOMES].iter().enumerate() {
        if n != 0 {
            into.add_outcome_n(Outcome::ALL[k / 2], k % 2 == 1, u64::from(n));
        }
    }
    for (k, &n) in cell[OUTCOMES..].iter().enumerate() {
        if n == 0 {
            continue;
        }
        let level = [
            OnlineService::None,
            OnlineService::Partial,
            OnlineService::Full,
        ][(k / 2) % LEVELS];
        let channel = [Channel::Direct, Channel::Online, Channel::Post][k / (2 * LEVELS)];
        into.add_attributes(channel, level, k % 2 == 1, u64::from(n));
    }
}
