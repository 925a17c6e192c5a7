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
//!
//! Every length takes that path since (2026-12-02): values below 8 bytes are read as two
//! overlapping half-words or three bytes, longer than 32 as a fold of their 32-byte stretches
//! (compared by their bytes, a stretch at a time, not by `memcmp`), and the four words are mixed
//! by one folded product rather than two. Long names had gone to rustc-hash and `memcmp` a row:
//! `cargo bench --bench decode` on one core (`taskset -c 1`, 10M rows, 40 names in random order,
//! with a text reception column), unit names of 69-87 bytes as string views 377 → 317 ms, of
//! 18-29 bytes 321 → 259 ms.

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
        if self.exact {
            return self.id_exact(s);
        }
        let n = s.len();
        let w = lanes(s);
        let h = mix_lanes(w, n) & self.keep;
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
                let equal = if n <= 32 {
                    // no branch (`&`, not `&&`): the flag is read once the part is done
                    let differ = (k[0] ^ w[0]) | (k[1] ^ w[1]) | (k[2] ^ w[2]) | (k[3] ^ w[3]);
                    #[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
                    let equal = (differ == 0) & (*len == n);
                    equal
                } else {
                    // the lanes of a longer value are a fold of its bytes: compare the bytes
                    same(self.distinct[id as usize - 1], s)
                };
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
        self.words.push((lanes(s), s.len()));
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

/// The hash of a value: its [`lanes`] and length mixed ([`mix_lanes`]). Every byte counts (a
/// hash of some bytes only would let values that differ elsewhere share a slot chain), and a
/// value of up to 32 bytes is read without a loop over its bytes (a loop mispredicts its end on
/// values of mixed lengths, a row in random order).
#[inline]
fn hash(s: &[u8]) -> u64 {
    mix_lanes(lanes(s), s.len())
}

/// A value's lanes and length, mixed: rustc-hash's and foldhash's folded multiply (the high
/// and low halves of a 128-bit product) of the lanes folded in pairs. One product, not one a
/// pair of lanes: 10M rows of 40 names of 18 to 29 bytes, one core, 10.2 against 8.8 ns a row.
/// Values whose hashes are equal are not taken for one: see [`Interner`].
#[inline]
fn mix_lanes([a, b, c, d]: [u64; 4], n: usize) -> u64 {
    let p = u128::from(a ^ c.rotate_left(32) ^ 0x243f_6a88_85a3_08d3)
        * u128::from(b ^ d.rotate_left(21) ^ 0x1319_8a2e_0370_7344 ^ n as u64);
    #[allow(clippy::cast_possible_truncation)] // the halves on purpose
    let (lo, hi) = (p as u64, (p >> 64) as u64);
    lo ^ hi
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

/// Four words of any value: for one of up to 32 bytes, words that, with its length, say
/// which value it is (equal lanes and lengths, equal values); for a longer one, a fold of
/// its 32-byte stretches, for the hash only (such values are compared by their bytes).
/// Below 8 bytes, the bytes are read as wyhash reads them: two overlapping 4-byte words,
/// or bytes 0, `n / 2` and `n - 1`.
#[inline]
fn lanes(s: &[u8]) -> [u64; 4] {
    let n = s.len();
    if (8..=32).contains(&n) {
        return words(s);
    }
    if n > 32 {
        return folded(s);
    }
    let small = if n >= 4 {
        let half = |at: usize| {
            let mut w = [0u8; 4];
            w.copy_from_slice(&s[at..at + 4]);
            u64::from(u32::from_le_bytes(w))
        };
        half(0) | half(n - 4) << 32
    } else if n > 0 {
        u64::from(s[0]) | u64::from(s[n / 2]) << 8 | u64::from(s[n - 1]) << 16
    } else {
        0
    };
    [small, 0, 0, 0]
}

/// The lanes of a value of more than 32 bytes: the words of each 32-byte stretch (the last one
/// ending at the value's end), each stretch's folded into the lanes before it turned.
#[inline(never)]
fn folded(s: &[u8]) -> [u64; 4] {
    let n = s.len();
    let turn = |l: [u64; 4], x: [u64; 4]| {
        [
            l[0].rotate_left(23) ^ x[0],
            l[1].rotate_left(23) ^ x[1],
            l[2].rotate_left(23) ^ x[2],
            l[3].rotate_left(23) ^ x[3],
        ]
    };
    let mut l = words(&s[..32]);
    let mut at = 32;
    while at + 32 < n {
        l = turn(l, words(&s[at..at + 32]));
        at += 32;
    }
    turn(l, words(&s[n - 32..]))
}

/// `a == b`, inline: values of up to 32 bytes as their [`lanes`], longer ones a 32-byte stretch
/// at a time, without a branch on each byte (the slices' `==` calls `memcmp`, a tenth of a
/// row's time on names of 20 to 30 bytes).
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let differ =
        |x: [u64; 4], y: [u64; 4]| (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]);
    if n <= 32 {
        return differ(lanes(a), lanes(b)) == 0;
    }
    let mut d = 0;
    let mut at = 0;
    while at + 32 < n {
        d |= differ(words(&a[at..at + 32]), words(&b[at..at + 32]));
        at += 32;
    }
    d |= differ(words(&a[n - 32..]), words(&b[n - 32..]));
    d == 0
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

    /// Values that share prefixes, suffixes and lengths, of 0 to 80 bytes (both sides of the
    /// lanes' 4, 8 and 32, and values of two and three 32-byte stretches), some not UTF-8.
    fn values() -> impl Strategy<Value = Vec<Vec<u8>>> {
        let value =
            prop::collection::vec(prop::sample::select(vec![b'a', b'b', 0xC3, 0x90]), 0..80);
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
        fn same_is_equality(a in prop::collection::vec(0u8..3, 0..80), b in prop::collection::vec(0u8..3, 0..80)) {
            prop_assert_eq!(same(&a, &b), a == b);
            prop_assert!(same(&a, &a.clone()));
        }

        /// A value with one byte changed, anywhere (the first, a middle or the last 32-byte
        /// stretch of a long one), is another value.
        #[test]
        fn one_byte_makes_another_value(a in prop::collection::vec(any::<u8>(), 1..100), at in any::<prop::sample::Index>(), by in 1u8..=255) {
            let mut b = a.clone();
            let i = at.index(a.len());
            b[i] = b[i].wrapping_add(by);
            prop_assert!(!same(&a, &b));
            prop_assert!(same(&b, &b.clone()));
        }
    }
}
