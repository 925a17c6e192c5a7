//! The table behind string interning: distinct byte strings and their ids, built for columns
//! of few distinct values read a row at a time (units, statuses, channels: tens of values over
//! millions of rows).
//!
//! A `FxHashMap<&[u8], u32>` spent most of a row's time in hashbrown's group probing and in a
//! call to `memcmp` for the key's compare: half of a report on a table with a plain string
//! status and unit. This table is open addressing with linear probing, at most a quarter full; a
//! slot is the value's id and its 64-bit hash; a value of 8 to 32 bytes is hashed as four words
//! that cover it, without a branch on its length, and the row's words are checked against the
//! value's without a branch (see [`Interner`]). On 10M rows of 40 names of 15 to 30 bytes in
//! random order, one core (a throw-away timing loop, min of 4): 58 ms against 66 ms for the hash
//! map, medians 67 against 92 ms; in a report on a plain string status and unit (10M rows, two
//! cores), 0.25-0.27 s became 0.19-0.21 s.

use std::hash::Hasher;

/// Distinct byte strings, ids from 1 in order of first appearance.
///
/// Two ways to find a row's value: [`Interner::new`]'s trusts the full 64-bit hash to find the
/// slot, and checks the row's bytes against the value found without a branch (a flag, read once
/// a part is done: [`Interner::verified`]); [`Interner::exact`]'s compares them before it stops
/// probing. The first is the fast one (the compare's outcome is not on the path to the next
/// row's lookup); a part whose flag is down (two values of one hash) is interned again the exact
/// way.
pub(crate) struct Interner<'a> {
    /// `(hash, id)`, id 0 for an empty slot; a power of two long.
    slots: Vec<(u64, u32)>,
    /// The values, value `id` at `id - 1`.
    distinct: Vec<&'a [u8]>,
    /// The [`words`] and length of each value of 8 to 32 bytes, in the same order (another
    /// value's are no words' and no length: `usize::MAX`).
    words: Vec<([u64; 4], usize)>,
    /// Whether every row's bytes equalled those of the value its hash found.
    verified: bool,
    /// Whether rows are compared before their value's id is given.
    exact: bool,
    /// The bits of the hashes kept: all of them, but for tests that make values share hashes.
    keep: u64,
}

/// Slots of a new table: 16 KB, which stays in the first-level cache, and in which tens of
/// values almost never share a slot (a second probe is a mispredicted branch).
const FIRST_SLOTS: usize = 1024;

impl<'a> Interner<'a> {
    /// An empty table that trusts its hashes and checks them after the fact.
    pub(crate) fn new() -> Self {
        Self {
            slots: vec![(0, 0); FIRST_SLOTS],
            distinct: Vec::new(),
            words: Vec::new(),
            verified: true,
            exact: false,
            keep: u64::MAX,
        }
    }

    /// An empty table that compares every row before it gives its id.
    pub(crate) fn exact() -> Self {
        Self {
            exact: true,
            ..Self::new()
        }
    }

    /// The id of `s`, a new one (the next) if it was not seen before.
    // with `#[inline]` alone it stayed a call a row (its pushes and pops a tenth of its time)
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn id(&mut self, s: &'a [u8]) -> u32 {
        let n = s.len();
        if self.exact || !(8..=32).contains(&n) {
            return self.id_exact(s);
        }
        let w = words(s);
        let h = mix_words(w, n) & self.keep;
        let mask = self.slots.len() - 1;
        #[allow(clippy::cast_possible_truncation)] // the low bits on purpose
        let mut i = h as usize & mask;
        loop {
            let (sh, id) = self.slots[i];
            if id == 0 {
                return self.insert(i, h, s);
            }
            if sh == h {
                let (k, len) = &self.words[id as usize - 1];
                // no branch (`&`, not `&&`): the flag is read once the part is done
                let differ = (k[0] ^ w[0]) | (k[1] ^ w[1]) | (k[2] ^ w[2]) | (k[3] ^ w[3]);
                #[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
                let equal = (differ == 0) & (*len == n);
                self.verified &= equal;
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    /// [`Self::id`], the row compared with the value of each slot of its hash.
    #[inline(never)]
    fn id_exact(&mut self, s: &'a [u8]) -> u32 {
        let h = hash(s) & self.keep;
        let mask = self.slots.len() - 1;
        #[allow(clippy::cast_possible_truncation)] // the low bits on purpose
        let mut i = h as usize & mask;
        loop {
            let (sh, id) = self.slots[i];
            if id == 0 {
                return self.insert(i, h, s);
            }
            if sh == h && same(self.distinct[id as usize - 1], s) {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    /// Puts `s` (hash `h`) in the empty slot `i`, and doubles the table when it is a quarter
    /// full.
    #[cold]
    fn insert(&mut self, i: usize, h: u64, s: &'a [u8]) -> u32 {
        self.distinct.push(s);
        self.words.push(if (8..=32).contains(&s.len()) {
            (words(s), s.len())
        } else {
            ([0; 4], usize::MAX)
        });
        let id = u32::try_from(self.distinct.len()).unwrap_or(u32::MAX);
        self.slots[i] = (h, id);
        if 4 * self.distinct.len() > self.slots.len() {
            self.grow();
        }
        id
    }

    /// Doubles the slots and places every value again.
    fn grow(&mut self) {
        let len = self.slots.len() * 2;
        let mask = len - 1;
        let mut slots = vec![(0u64, 0u32); len];
        for &(h, id) in self.slots.iter().filter(|s| s.1 != 0) {
            #[allow(clippy::cast_possible_truncation)] // the low bits on purpose
            let mut i = h as usize & mask;
            while slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (h, id);
        }
        self.slots = slots;
    }

    /// Whether every row's bytes equalled its value's (always, for an [`Interner::exact`]):
    /// where not, two values share a hash and the ids are not to be used.
    pub(crate) fn verified(&self) -> bool {
        self.verified
    }

    /// The values in order of first appearance (value `id` at `id - 1`).
    pub(crate) fn into_values(self) -> Vec<&'a [u8]> {
        self.distinct
    }
}

/// The hash of a value. Values of 8 to 32 bytes (most names of units, statuses and channels)
/// are read as four words that cover every byte, mixed without a branch on the length (a loop
/// over the bytes mispredicts its end on values of mixed lengths, a row in random order);
/// others are hashed by rustc-hash. Either way every byte counts (a hash of some bytes only
/// would let values that differ elsewhere share a slot chain).
#[inline]
fn hash(s: &[u8]) -> u64 {
    let n = s.len();
    if (8..=32).contains(&n) {
        mix_words(words(s), n)
    } else {
        let mut h = rustc_hash::FxHasher::default();
        h.write(s);
        h.finish()
    }
}

/// The hash of a value of 8 to 32 bytes from its [`words`] and length: rustc-hash's and
/// foldhash's folded multiply (the high and low halves of a 128-bit product), twice.
#[inline]
fn mix_words([a, b, c, d]: [u64; 4], n: usize) -> u64 {
    let mix = |x: u64, y: u64| {
        let p = u128::from(x) * u128::from(y);
        #[allow(clippy::cast_possible_truncation)] // the halves on purpose
        let (lo, hi) = (p as u64, (p >> 64) as u64);
        lo ^ hi
    };
    mix(a ^ 0x243f_6a88_85a3_08d3, b ^ 0x1319_8a2e_0370_7344)
        ^ mix(c ^ 0xa409_3822_299f_31d0, d ^ 0x082e_fa98_ec4e_6c89)
        ^ n as u64
}

/// Eight bytes of `s` from `at` (`at + 8 <= s.len()`).
#[inline]
fn word(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Four words of a value of 8 to 32 bytes that cover all its bytes: from 0, 8, 16 and its last
/// eight, the middle two moved back (to overlap) where the value is shorter.
#[inline]
fn words(s: &[u8]) -> [u64; 4] {
    let last = s.len() - 8;
    [
        word(s, 0),
        word(s, last.min(8)),
        word(s, last.min(16)),
        word(s, last),
    ]
}

/// `a == b`, inline: values of 8 to 32 bytes as their four words, without a branch on the
/// length (the slices' `==` calls `memcmp`, a tenth of a row's time on names of 20 to 30 bytes).
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if !(8..=32).contains(&n) {
        return a == b;
    }
    let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (words(a), words(b));
    ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3)) == 0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{same, Interner};
    use proptest::prelude::*;
    use rustc_hash::FxHashMap;

    impl Interner<'_> {
        /// A table whose hashes keep only their `bits` low bits, so that values share them.
        pub(crate) fn colliding(mut self, bits: u32) -> Self {
            self.keep = (1 << bits) - 1;
            self
        }
    }

    /// Values that share prefixes, suffixes and lengths, of 0 to 40 bytes (both sides of the
    /// words' 8 and 32), some not UTF-8.
    fn values() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let value =
            prop::collection::vec(prop::sample::select(vec![b'a', b'b', 0xC3, 0x90]), 0..40);
        prop::collection::vec(value, 1..30).prop_flat_map(|distinct| {
            let n = distinct.len();
            prop::collection::vec(0..n, 0..3000)
                .prop_map(move |picks| picks.iter().map(|&k| distinct[k].clone()).collect())
        })
    }

    /// What a hash map filled in the same order gives: the ids and the values in order.
    fn by_map(rows: &[Vec<u8>]) -> (Vec<u32>, Vec<&[u8]>) {
        let mut map: FxHashMap<&[u8], u32> = FxHashMap::default();
        let mut order: Vec<&[u8]> = Vec::new();
        let ids = rows
            .iter()
            .map(|r| {
                let next = u32::try_from(map.len() + 1).unwrap();
                *map.entry(r.as_slice()).or_insert_with(|| {
                    order.push(r);
                    next
                })
            })
            .collect();
        (ids, order)
    }

    fn by_table<'a>(
        mut table: Interner<'a>,
        rows: &'a [Vec<u8>],
    ) -> (Vec<u32>, Vec<&'a [u8]>, bool) {
        let ids = rows.iter().map(|r| table.id(r)).collect();
        let verified = table.verified();
        (ids, table.into_values(), verified)
    }

    proptest! {
        /// The table's ids are a hash map's, through its growth, the fast way (verified) and the
        /// exact way.
        #[test]
        fn ids_are_a_hash_maps(rows in values()) {
            let (ids, order) = by_map(&rows);
            let (fast, fast_order, verified) = by_table(Interner::new(), &rows);
            prop_assert!(verified);
            prop_assert_eq!((&fast, &fast_order), (&ids, &order));
            let (exact, exact_order, verified) = by_table(Interner::exact(), &rows);
            prop_assert!(verified);
            prop_assert_eq!((&exact, &exact_order), (&ids, &order));
        }

        /// Where values share hashes (3 bits kept), the exact way still gives the map's ids, and
        /// the fast way gives them or says it did not.
        #[test]
        fn shared_hashes_are_caught(rows in values()) {
            let (ids, order) = by_map(&rows);
            let (exact, exact_order, verified) = by_table(Interner::exact().colliding(3), &rows);
            prop_assert!(verified);
            prop_assert_eq!((&exact, &exact_order), (&ids, &order));
            let (fast, fast_order, verified) = by_table(Interner::new().colliding(3), &rows);
            if verified {
                prop_assert_eq!((&fast, &fast_order), (&ids, &order));
            } else {
                prop_assert_ne!(&fast, &ids);
            }
        }

        /// The inline compare is the slices' `==`.
        #[test]
        fn same_is_equality(a in prop::collection::vec(0u8..3, 0..40), b in prop::collection::vec(0u8..3, 0..40)) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a.clone()));
        }
    }
}
