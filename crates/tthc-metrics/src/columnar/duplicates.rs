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

/// The rows left out as repeats, sorted by row. Rows in a chunk's `skip` (rejected upstream)
/// take no part. Ids are compared trimmed; blank ids never repeat.
///
/// Every row's trimmed id is hashed on `threads` threads ([`hash_rows`]), the hashes are cut
/// into partitions by their top bits and each partition searched in a table that stays in the
/// cache ([`shared_hashes`]); only the rows whose hash another row shares are read again, by
/// text, and each repeated id's rows settle which of them counts ([`settle`]). The map of every
/// id to its counting row it replaces (kept in the tests as the reference) cost 330 ns a row on
/// 10M distinct ids, most of it the cache misses and page faults of a 10M-entry table.
pub(crate) fn find(
    chunks: &[Columns<'_>],
    policy: DuplicatePolicy,
    threads: usize,
) -> Vec<Duplicate> {
    if policy == DuplicatePolicy::KeepAll || chunks.iter().all(|c| c.dossier_id.is_none()) {
        return Vec::new();
    }
    let starts = Columns::starts(chunks);
    let hashes = hash_rows(chunks, threads);
    let candidates = shared_hashes(&hashes, threads);
    settle(chunks, &starts, &candidates, policy)
}

/// The hash of a row without an id (null, blank, rejected upstream, no id column).
const NO_ID: u64 = 0;

/// Rows a thread hashes at a time.
const PIECE: usize = 1 << 16;

/// Every row's [`id_hash`] (across chunks, in order), [`NO_ID`] for rows without one.
fn hash_rows(chunks: &[Columns<'_>], threads: usize) -> Vec<u64> {
    let total: usize = chunks.iter().map(Columns::len).sum();
    let mut hashes = vec![NO_ID; total];
    // pieces of a chunk, each with its part of `hashes`
    let mut pieces: Vec<(usize, usize, &mut [u64])> = Vec::new();
    let mut rest: &mut [u64] = &mut hashes;
    for (c, cols) in chunks.iter().enumerate() {
        let n = cols.len();
        let mut lo = 0;
        while lo < n {
            let hi = (lo + PIECE).min(n);
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(hi - lo);
            pieces.push((c, lo, head));
            rest = tail;
            lo = hi;
        }
    }
    let work = |part: &mut [(usize, usize, &mut [u64])]| {
        for (c, lo, out) in part {
            hash_piece(&chunks[*c], *lo, out);
        }
    };
    if threads <= 1 || pieces.len() <= 1 {
        work(&mut pieces);
    } else {
        let per = pieces.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = pieces
                .chunks_mut(per)
                .map(|part| s.spawn(move || work(part)))
                .collect();
            for h in handles {
                h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            }
        });
    }
    hashes
}

/// The hashes of rows `lo..lo + out.len()` of a chunk.
fn hash_piece(cols: &Columns<'_>, lo: usize, out: &mut [u64]) {
    let Some(ids) = cols.dossier_id else {
        return;
    };
    let mut skip = cols.skip.partition_point(|&r| r < lo);
    ids.for_each_bytes(lo, lo + out.len(), &mut |i, bytes| {
        while cols.skip.get(skip).is_some_and(|&r| r < i) {
            skip += 1;
        }
        if cols.skip.get(skip) == Some(&i) {
            return;
        }
        if let Some(b) = bytes {
            out[i - lo] = id_hash(b);
        }
    });
}

/// The hash of an id's trimmed text ([`NO_ID`] for a blank one): Fx over the bytes, then
/// murmur3's finaliser, so that both the top bits (the partition) and the low ones (the key
/// within it) depend on every byte.
fn id_hash(b: &[u8]) -> u64 {
    let t = trimmed(b);
    if t.is_empty() {
        return NO_ID;
    }
    let mut h = FxHasher::default();
    h.write(&t);
    h.write_u8(0xff);
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x.max(1)
}

/// An id's bytes trimmed as `str::trim` trims its text (read lossily, as
/// [`crate::columnar::TextColumn::text`] reads it). An id that begins and ends with a visible
/// ASCII character (almost every id) is its own trim: every other white space is either ASCII
/// (below `!`) or a sequence of bytes above 0x7f.
fn trimmed(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let visible = |c: &u8| (b'!'..=b'~').contains(c);
    if b.first().is_some_and(visible) && b.last().is_some_and(visible) {
        return std::borrow::Cow::Borrowed(b);
    }
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s.trim().as_bytes()),
        Err(_) => std::borrow::Cow::Owned(String::from_utf8_lossy(b).trim().as_bytes().to_vec()),
    }
}

/// The rows (ascending) whose hash another row shares: every row of a repeated id, and the
/// rare rows of distinct ids whose hashes agree in the bits compared (the partition's and 32
/// more). Rows are counted into partitions by the hash's top bits (at least 4,096 rows each, at
/// most 1,024 partitions: 4,096 were slower, 0.27 s against 0.19-0.22 s a 10M-row report with
/// distinct ids), then each partition's keys (the low 32 bits) go through an open addressing
/// table of twice its rows, 8 bytes a slot: 256 KB for 16,384 rows, in the second-level cache.
fn shared_hashes(hashes: &[u64], threads: usize) -> Vec<usize> {
    let with_id = hashes.iter().filter(|&&h| h != NO_ID).count();
    let bits = (with_id / 4096)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(10);
    let part = |h: u64| {
        if bits == 0 {
            0
        } else {
            (h >> (64 - bits)) as usize
        }
    };
    let parts = 1usize << bits;
    let mut at = vec![0usize; parts + 1];
    for &h in hashes {
        if h != NO_ID {
            at[part(h) + 1] += 1;
        }
    }
    for k in 0..parts {
        at[k + 1] += at[k];
    }
    let bounds = at.clone();
    // (key, row): rows are below u32::MAX (preparation refuses larger inputs)
    let mut entries = vec![(0u32, 0u32); with_id];
    for (row, &h) in hashes.iter().enumerate() {
        if h != NO_ID {
            let p = part(h);
            entries[at[p]] = (h as u32, row as u32);
            at[p] += 1;
        }
    }
    let search = |ps: std::ops::Range<usize>| -> Vec<usize> {
        let mut table = Vec::new();
        let mut out = Vec::new();
        for p in ps {
            shared_in(&entries[bounds[p]..bounds[p + 1]], &mut table, &mut out);
        }
        out
    };
    let mut out: Vec<usize> = if threads <= 1 || parts < 2 {
        search(0..parts)
    } else {
        let per = parts.div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..parts)
                .step_by(per)
                .map(|lo| s.spawn(move || search(lo..(lo + per).min(parts))))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The rows of one partition's `(key, row)` entries whose key another entry shares, pushed to
/// `out` (the first row of a key once a time it is met again: duplicates are removed later).
fn shared_in(entries: &[(u32, u32)], table: &mut Vec<u64>, out: &mut Vec<usize>) {
    let size = (entries.len() * 2).next_power_of_two().max(16);
    let mask = size - 1;
    // a slot: key in the high half, row + 1 in the low (0: empty)
    table.clear();
    table.resize(size, 0);
    for &(key, row) in entries {
        // the key's bits are not the partition's: they spread over the table
        let mut at = (key as usize) & mask;
        loop {
            let slot = table[at];
            if slot as u32 == 0 {
                table[at] = (u64::from(key) << 32) | (u64::from(row) + 1);
                break;
            }
            if (slot >> 32) as u32 == key {
                out.push((slot as u32 - 1) as usize);
                out.push(row as usize);
                break;
            }
            at = (at + 1) & mask;
        }
    }
}

/// The repeats among the `candidates` (global rows, ascending): their rows grouped by trimmed
/// id, and in each group of two or more rows every row but the one that counts.
fn settle(
    chunks: &[Columns<'_>],
    starts: &[usize],
    candidates: &[usize],
    policy: DuplicatePolicy,
) -> Vec<Duplicate> {
    let locate = |g: usize| {
        let c = starts.partition_point(|&s| s <= g) - 1;
        (c, g - starts[c])
    };
    let text = |g: usize| -> String {
        let (c, i) = locate(g);
        chunks[c]
            .dossier_id
            .and_then(|ids| ids.text(i))
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    };
    let rank_of = |g: usize| {
        let (c, i) = locate(g);
        rank(chunks[c].status.get(i, 0))
    };
    // ids in the order of their first row, each with its rows in row order
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for &g in candidates {
        let id = text(g);
        match index.entry(id) {
            std::collections::hash_map::Entry::Occupied(o) => groups[*o.get()].1.push(g),
            std::collections::hash_map::Entry::Vacant(v) => {
                groups.push((v.key().clone(), vec![g]));
                v.insert(groups.len() - 1);
            }
        }
    }
    let mut out = Vec::new();
    for (id, rows) in groups {
        let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
            continue;
        };
        if rows.len() < 2 {
            continue;
        }
        let kept = match policy {
            DuplicatePolicy::First | DuplicatePolicy::KeepAll => first,
            DuplicatePolicy::Last => last,
            // the most advanced status, the later row among equals
            DuplicatePolicy::MostAdvanced => {
                let mut best = (rank_of(first), first);
                for &g in &rows[1..] {
                    let r = rank_of(g);
                    if r >= best.0 {
                        best = (r, g);
                    }
                }
                best.1
            }
        };
        out.extend(rows.iter().filter(|&&g| g != kept).map(|&g| Duplicate {
            row: g,
            dossier_id: id.clone(),
            kept,
        }));
    }
    out.sort_by_key(|d| d.row);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columnar::{Columns, TimeColumn};
    use proptest::prelude::*;

    fn hash_of(id: &str) -> u64 {
        let mut h = FxHasher::default();
        id.hash(&mut h);
        h.finish()
    }

    /// The reference: every id in a map to its counting row so far, the rows in order (the
    /// search before the partitioned one).
    fn find_by_map(
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

    /// An id as exports hold them: a few repeated ones, blanks, spaces around, Vietnamese
    /// letters and non-breaking spaces (trimmed by `str::trim`).
    fn id() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            6 => (0u32..40).prop_map(|k| Some(format!("000.00.12.H12-{k:03}"))),
            1 => (0u32..40).prop_map(|k| Some(format!("  000.00.12.H12-{k:03}\t"))),
            1 => (0u32..6).prop_map(|k| Some(format!("\u{a0}Hồ sơ {k}\u{3000}"))),
            1 => Just(Some(String::new())),
            1 => Just(Some("   ".to_string())),
            1 => Just(None),
            1 => "[a-zđ0-9 ]{0,6}".prop_map(Some),
        ]
    }

    /// `ids` cut into chunks at `cuts`, with a status a row and some rows rejected upstream.
    fn agree(
        ids: &[Option<String>],
        status: &[u8],
        cuts: &[usize],
        skipped: &[bool],
        policy: DuplicatePolicy,
        threads: usize,
    ) -> std::result::Result<(), TestCaseError> {
        let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (ids.len() + 1)).collect();
        bounds.extend([0, ids.len()]);
        bounds.sort_unstable();
        let received = vec![0i64; ids.len()];
        let texts: Vec<Vec<String>> = bounds
            .windows(2)
            .map(|w| {
                ids[w[0]..w[1]]
                    .iter()
                    .map(|t| t.clone().unwrap_or_default())
                    .collect()
            })
            .collect();
        // a null id: no id column in that chunk when all its ids are null, else blank
        let skips: Vec<Vec<usize>> = bounds
            .windows(2)
            .map(|w| {
                (w[0]..w[1])
                    .filter(|&i| skipped[i])
                    .map(|i| i - w[0])
                    .collect()
            })
            .collect();
        let chunks: Vec<Columns<'_>> = bounds
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let b = Columns::builder(
                    TimeColumn::local(&received[w[0]..w[1]]),
                    (&status[w[0]..w[1]]).into(),
                )
                .skip(&skips[k]);
                if ids[w[0]..w[1]].iter().all(Option::is_none) && k % 2 == 0 {
                    b
                } else {
                    b.dossier_id(&texts[k])
                }
                .build()
                .unwrap()
            })
            .collect();
        let skipped_at = |c: usize, i: usize| chunks[c].skip.binary_search(&i).is_ok();
        let expected = find_by_map(&chunks, policy, &skipped_at);
        let got = find(&chunks, policy, threads);
        prop_assert_eq!(got, expected);
        Ok(())
    }

    proptest! {
        /// The partitioned search finds what the map of every id finds: the same rows left
        /// out, the same ids, the same rows kept, under every policy, across chunks, with rows
        /// rejected upstream, on one thread and on several.
        #[test]
        fn the_partitioned_search_equals_the_map(
            rows in prop::collection::vec((id(), 1u8..=10, any::<bool>()), 0..300),
            cuts in prop::collection::vec(any::<usize>(), 0..4),
            policy in prop::sample::select(vec![
                DuplicatePolicy::MostAdvanced,
                DuplicatePolicy::Last,
                DuplicatePolicy::First,
            ]),
            threads in 1usize..4,
        ) {
            let ids: Vec<Option<String>> = rows.iter().map(|r| r.0.clone()).collect();
            let status: Vec<u8> = rows.iter().map(|r| r.1).collect();
            // about one row in eight rejected upstream
            let skipped: Vec<bool> = rows.iter().enumerate().map(|(i, r)| r.2 && i % 4 == 0).collect();
            agree(&ids, &status, &cuts, &skipped, policy, threads)?;
        }
    }

    #[test]
    fn many_partitions_and_pieces() {
        // 300,000 rows: several pieces a thread and 64 partitions; one id in 97 repeats an
        // earlier row's
        let ids: Vec<Option<String>> = (0..300_000u64)
            .map(|i| Some(format!("H{}", if i % 97 == 5 { i / 3 } else { i })))
            .collect();
        let status: Vec<u8> = (0..300_000).map(|i| (i % 10 + 1) as u8).collect();
        let skipped = vec![false; ids.len()];
        for threads in [1, 2] {
            agree(
                &ids,
                &status,
                &[100_000],
                &skipped,
                DuplicatePolicy::MostAdvanced,
                threads,
            )
            .unwrap();
        }
    }

    #[test]
    fn trimming_is_str_trim() {
        for s in [
            "H1",
            " H1",
            "H1 ",
            "\u{a0}H1",
            "H1\u{3000}",
            "  ",
            "",
            "Hồ sơ",
            " đ ",
        ] {
            assert_eq!(&*trimmed(s.as_bytes()), s.trim().as_bytes(), "{s:?}");
        }
        assert_eq!(id_hash(b"   "), NO_ID);
        assert_eq!(id_hash(b" H1\t"), id_hash(b"H1"));
    }
}
