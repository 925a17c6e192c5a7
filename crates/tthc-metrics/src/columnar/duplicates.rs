//! Repeated dossier ids: real exports repeat a dossier (re-synced, joined sheets); a repeated id
//! is one dossier, never counted twice (domain-rules section 2).

use std::hash::{Hash, Hasher};
use std::str::FromStr;

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::columnar::table::Columns;
use crate::dossier::Status;
use crate::error::{Error, Result};

/// Which row of a repeated `dossier_id` counts.
///
/// # Example
/// ```
/// use tthc_metrics::DuplicatePolicy;
/// assert_eq!(DuplicatePolicy::default(), DuplicatePolicy::MostAdvanced);
/// assert_eq!("last".parse::<DuplicatePolicy>().unwrap(), DuplicatePolicy::Last);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DuplicatePolicy {
    /// The row with the most advanced status (10 > 9 > refused = 7 = 8 > 6 > 5 > 4 > 2 > 3 > 1),
    /// the later row among equals: a re-synced dossier's newest state.
    #[default]
    MostAdvanced,
    /// The last row in input order.
    Last,
    /// The first row in input order.
    First,
    /// Every row counts (the input is known to hold one row per dossier, or ids are not ids).
    KeepAll,
}

impl DuplicatePolicy {
    /// The snake_case name.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::DuplicatePolicy::KeepAll.name(), "keep_all");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::MostAdvanced => "most_advanced",
            Self::Last => "last",
            Self::First => "first",
            Self::KeepAll => "keep_all",
        }
    }
}

impl FromStr for DuplicatePolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "most_advanced" => Ok(Self::MostAdvanced),
            "last" => Ok(Self::Last),
            "first" => Ok(Self::First),
            "keep_all" => Ok(Self::KeepAll),
            _ => Err(Error::unknown(
                "duplicates policy",
                s,
                &["most_advanced", "last", "first", "keep_all"],
            )),
        }
    }
}

/// A row left out because its `dossier_id` repeats another row's, with the row that counts.
///
/// # Example
/// ```
/// let d = tthc_metrics::Duplicate { row: 3, dossier_id: "H1".into(), kept: 7 };
/// assert_eq!(d.to_string(), "row 3 (dossier H1): a repeat of row 7, which counts");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duplicate {
    /// The row left out (0-based, across chunks).
    pub row: usize,
    /// The repeated id.
    pub dossier_id: String,
    /// The row that counts for the dossier.
    pub kept: usize,
}

impl std::fmt::Display for Duplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "row {} (dossier {}): a repeat of row {}, which counts",
            self.row, self.dossier_id, self.kept
        )
    }
}

/// How far a status has advanced (the `MostAdvanced` order).
fn rank(status_code: u8) -> u8 {
    match Status::from_column_code(status_code) {
        Some(Status::Returned) => 9,
        Some(Status::Processed) => 8,
        Some(Status::Refused | Status::Withdrawn | Status::Stopped) => 7,
        Some(Status::FinancialObligationPending) => 6,
        Some(Status::SupplementRequested) => 5,
        Some(Status::Processing) => 4,
        Some(Status::Received) => 3,
        Some(Status::NotReceived) => 2,
        Some(Status::Registered) => 1,
        None => 0,
    }
}

fn hash_of(id: &str) -> u64 {
    let mut h = FxHasher::default();
    id.hash(&mut h);
    h.finish()
}

/// The rows left out as repeats, sorted by row. `skipped(chunk, row)` says which rows were
/// rejected upstream (they take no part). Ids are compared trimmed; blank ids never repeat.
pub(crate) fn find(
    chunks: &[Columns<'_>],
    policy: DuplicatePolicy,
    skipped: &dyn Fn(usize, usize) -> bool,
) -> Vec<Duplicate> {
    if policy == DuplicatePolicy::KeepAll || chunks.iter().all(|c| c.dossier_id.is_none()) {
        return Vec::new();
    }
    // hash of the id -> the counting row so far (global row, chunk, row in chunk, rank); a hash
    // shared by different ids (astronomically rare) falls back to the exact texts
    let mut winners: FxHashMap<u64, (usize, usize, usize, u8)> = FxHashMap::default();
    let mut exact: FxHashMap<String, (usize, usize, usize, u8)> = FxHashMap::default();
    let mut losers: Vec<(usize, usize, usize)> = Vec::new();
    let text = |c: usize, i: usize| -> String {
        chunks[c]
            .dossier_id
            .and_then(|ids| ids.text(i))
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    };
    let mut global = 0;
    for (c, cols) in chunks.iter().enumerate() {
        let Some(ids) = cols.dossier_id else {
            global += cols.len();
            continue;
        };
        for i in 0..cols.len() {
            if skipped(c, i) {
                continue;
            }
            let Some(id) = ids.text(i) else { continue };
            let id = id.trim();
            if id.is_empty() {
                continue;
            }
            let me = (global + i, c, i, rank(cols.status.get(i, 0)));
            let beats = |old: &(usize, usize, usize, u8)| match policy {
                DuplicatePolicy::MostAdvanced => me.3 >= old.3,
                DuplicatePolicy::Last => true,
                _ => false,
            };
            let slot = match winners.entry(hash_of(id)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(me);
                    continue;
                }
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            };
            let slot = if text(slot.1, slot.2) == id {
                slot
            } else {
                match exact.entry(id.to_string()) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(me);
                        continue;
                    }
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                }
            };
            if beats(slot) {
                losers.push((slot.0, slot.1, slot.2));
                *slot = me;
            } else {
                losers.push((me.0, me.1, me.2));
            }
        }
        global += cols.len();
    }
    let mut out: Vec<Duplicate> = losers
        .into_iter()
        .map(|(row, c, i)| {
            let id = text(c, i);
            let winner = exact
                .get(&id)
                .filter(|w| text(w.1, w.2) == id)
                .or_else(|| winners.get(&hash_of(&id)))
                .map_or(row, |w| w.0);
            Duplicate {
                row,
                dossier_id: id,
                kept: winner,
            }
        })
        .collect();
    out.sort_by_key(|d| d.row);
    out
}
