//! Names of units, procedures and fields (lĩnh vực): the key rows are grouped by, and the clean
//! spelling shown for a group.
//!
//! * The **key** is the name in Unicode NFC, trimmed, inner whitespace collapsed to one space,
//!   lowercased: "UBND xã Đắk Sôr" in NFC and in NFD, or as "ubnd  Xã Đắk Sôr ", is one group.
//! * The **label** is the clean spelling: NFC, trimmed, single spaces, in the casing most rows
//!   use (ties: the first seen), so that `df[df.unit == "UBND xã Đắk Drô"]` finds the row
//!   whatever the export's spellings were.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// The grouping key of a name (NFC, trimmed, whitespace collapsed, lowercase).
///
/// # Example
/// ```
/// use tthc_metrics::name_key;
/// let nfd = "UBND xa\u{0302}\u{0300} Đắk Sôr"; // "xầ" decomposed: still a distinct name
/// assert_eq!(name_key("UBND  xã Đắk Sôr "), name_key("ubnd xã đắk sôr"));
/// assert_eq!(name_key("Nâm N'Đir"), name_key("Na\u{0302}m N'Đir"));
/// assert_ne!(name_key(nfd), name_key("UBND xã Đắk Sôr"));
/// ```
pub fn name_key(name: &str) -> String {
    clean_name(name)
        .chars()
        .flat_map(char::to_lowercase)
        .collect()
}

/// The clean spelling of a name: NFC, trimmed, inner whitespace collapsed to one space; the
/// casing is kept.
///
/// # Example
/// ```
/// use tthc_metrics::clean_name;
/// assert_eq!(clean_name("  UBND xa\u{0303}   Đắk Drô "), "UBND xã Đắk Drô");
/// ```
pub fn clean_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.nfc());
    }
    out
}

/// Vietnamese alphabetical order of two names (a a ă â b c d đ e ê ... o ô ơ ... u ư ...):
/// letters first, tone marks only to break ties, then case; what a clerk expects of a list of
/// units or fields. Code-point order would put "Đắk Sôr" after "Yên".
///
/// # Example
/// ```
/// use tthc_metrics::vietnamese_order;
/// let mut names = vec!["Xã Đắk Sôr", "Xã Yên Bình", "Xã Dương Hòa", "Xã Ân Phú", "Xã An Hải"];
/// names.sort_by(|a, b| vietnamese_order(a, b));
/// assert_eq!(names, ["Xã An Hải", "Xã Ân Phú", "Xã Dương Hòa", "Xã Đắk Sôr", "Xã Yên Bình"]);
/// ```
pub fn vietnamese_order(a: &str, b: &str) -> std::cmp::Ordering {
    collation_key(a)
        .cmp(&collation_key(b))
        .then_with(|| a.cmp(b))
}

/// Letters (with the vowel marks that make letters: breve, circumflex, horn, and đ) ranked in
/// the Vietnamese alphabet, then the tones, then the case.
fn collation_key(name: &str) -> (Vec<u32>, Vec<u8>, Vec<bool>) {
    let mut letters = Vec::with_capacity(name.len());
    let mut tones = Vec::with_capacity(name.len());
    let mut upper = Vec::with_capacity(name.len());
    for c in name.nfd() {
        match c {
            // tones: grave, acute, tilde, hook above, dot below
            '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}' => {
                let t = match c {
                    '\u{300}' => 1,
                    '\u{309}' => 2,
                    '\u{303}' => 3,
                    '\u{301}' => 4,
                    _ => 5,
                };
                if let Some(last) = tones.last_mut() {
                    *last = t;
                }
            }
            // letter marks: breve, circumflex, horn make ă â ê ô ơ ư, ranked after the bare letter (a ă â, o ô ơ)
            '\u{306}' | '\u{302}' | '\u{31b}' => {
                if let Some(last) = letters.last_mut() {
                    *last += match c {
                        '\u{306}' => 1,
                        '\u{302}' => 2,
                        _ => 3,
                    };
                }
            }
            _ => {
                let lower = c.to_lowercase().next().unwrap_or(c);
                upper.push(c != lower);
                let base = if lower == 'đ' {
                    ('d' as u32) * 4 + 3
                } else {
                    (lower as u32) * 4
                };
                letters.push(base);
                tones.push(0);
            }
        }
    }
    (letters, tones, upper)
}

/// The groups of a names column: code → label and key. Code 0 is the blank name (a missing unit
/// is a rejected record; a missing procedure is its own, unnamed group).
///
/// # Example
/// ```
/// use tthc_metrics::NameCoder;
/// let mut c = NameCoder::new();
/// let a = c.code("Xã Nam Đà");
/// assert_eq!(c.code(" xã  Nam Đà"), a);
/// assert_eq!(c.code("XÃ NAM ĐÀ"), a);
/// assert_eq!(c.code("Xã Nam Xuân"), a + 1);
/// assert_eq!(c.code("  "), 0);
/// let t = c.finish();
/// assert_eq!(t.labels(), ["", "Xã Nam Đà", "Xã Nam Xuân"]);
/// assert_eq!(t.key(a), "xã nam đà");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameTable {
    labels: Vec<String>,
    keys: Vec<String>,
}

impl NameTable {
    /// Labels, indexed by code.
    ///
    /// # Example
    /// see [`NameTable`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Keys, indexed by code.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::NameTable::from_labels(["Phòng Y tế"]);
    /// assert_eq!(t.keys(), ["", "phòng y tế"]);
    /// ```
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The label of `code` (empty when out of range).
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::NameTable::from_labels(["A"]);
    /// assert_eq!((t.label(1), t.label(9)), ("A", ""));
    /// ```
    pub fn label(&self, code: u32) -> &str {
        self.labels.get(code as usize).map_or("", String::as_str)
    }

    /// The key of `code` (empty when out of range).
    ///
    /// # Example
    /// see [`NameTable`].
    pub fn key(&self, code: u32) -> &str {
        self.keys.get(code as usize).map_or("", String::as_str)
    }

    /// Number of codes (the blank name included).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::NameTable::from_labels(["A", "a"]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether only the blank name is known.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::NameTable::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.labels.len() <= 1
    }

    /// A table coding each name of `names` in order (code 1 for the first distinct key).
    ///
    /// # Example
    /// see [`NameTable::keys`].
    pub fn from_labels<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut c = NameCoder::new();
        for n in names {
            c.code(n);
        }
        c.finish()
    }
}

/// One distinct spelling seen by a [`NameCoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spelling {
    clean: String,
    rows: u64,
    /// The first row known to use it (`u64::MAX` until rows are counted): ties between equally
    /// used spellings go to the one seen first in row order, whatever order the front end
    /// registered them in (a dictionary's values come in dictionary order).
    first_row: u64,
}

/// Assigns group codes to names by their key, in order of first appearance, and chooses each
/// group's label (see the module docs).
///
/// Front ends that see each distinct raw value once (a dictionary, interned strings) call
/// [`NameCoder::spelling`] per value and, when [`NameCoder::needs_counts`] says a group has
/// several spellings, [`NameCoder::add_rows`] with the number of rows of each.
///
/// # Example
/// see [`NameTable`].
#[derive(Debug, Clone)]
pub struct NameCoder {
    by_key: HashMap<String, u32>,
    /// Raw value → (code, index in `spellings[code]`): a raw value seen before is not cleaned
    /// again (the dictionary of every batch of a table cut into small batches).
    by_raw: HashMap<String, (u32, u32)>,
    keys: Vec<String>,
    /// Per code, its distinct clean spellings in order of first appearance.
    spellings: Vec<Vec<Spelling>>,
    /// Spelling id → (code, index in `spellings[code]`).
    ids: Vec<(u32, u32)>,
    ambiguous: bool,
    /// Rows counted by [`NameCoder::code`]: the row number of its next call.
    coded: u64,
}

impl Default for NameCoder {
    /// The same as [`NameCoder::new`]: the blank name is code 0.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::NameCoder::default().finish();
    /// assert_eq!(t.label(0), "");
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl NameCoder {
    /// A coder with only the blank name (code 0).
    ///
    /// # Example
    /// see [`NameTable`].
    pub fn new() -> Self {
        Self {
            by_key: HashMap::new(),
            by_raw: HashMap::new(),
            keys: vec![String::new()],
            spellings: vec![vec![Spelling {
                clean: String::new(),
                rows: 0,
                first_row: u64::MAX,
            }]],
            ids: Vec::new(),
            ambiguous: false,
            coded: 0,
        }
    }

    /// Registers a distinct raw value without counting a row: its group code and a spelling id
    /// for [`NameCoder::add_rows`].
    ///
    /// # Example
    /// ```
    /// let mut c = tthc_metrics::NameCoder::new();
    /// let (code, id) = c.spelling("phòng y tế");
    /// let (same, other) = c.spelling("Phòng Y tế");
    /// assert_eq!(code, same);
    /// assert!(c.needs_counts());
    /// c.add_rows(id, 1);
    /// c.add_rows(other, 5);
    /// // a raw value seen before (the next batch's dictionary): the same code and spelling
    /// let (again, id_again) = c.spelling("phòng y tế");
    /// assert_eq!(again, code);
    /// c.add_rows(id_again, 5); // 1 + 5 rows spelled "phòng y tế", 5 "Phòng Y tế"
    /// assert_eq!(c.finish().label(code), "phòng y tế");
    /// ```
    pub fn spelling(&mut self, raw: &str) -> (u32, u32) {
        if let Some(&seen) = self.by_raw.get(raw) {
            self.ids.push(seen);
            return (seen.0, (self.ids.len() - 1) as u32);
        }
        let clean = clean_name(raw);
        let key: String = clean.chars().flat_map(char::to_lowercase).collect();
        let code = if key.is_empty() {
            0
        } else if let Some(&c) = self.by_key.get(&key) {
            c
        } else {
            let c = self.keys.len() as u32;
            self.by_key.insert(key.clone(), c);
            self.keys.push(key);
            self.spellings.push(Vec::new());
            c
        };
        let list = &mut self.spellings[code as usize];
        let index = if let Some(i) = list.iter().position(|s| s.clean == clean) {
            i
        } else {
            list.push(Spelling {
                clean,
                rows: 0,
                first_row: u64::MAX,
            });
            if list.len() > 1 && code != 0 {
                self.ambiguous = true;
            }
            list.len() - 1
        };
        self.ids.push((code, index as u32));
        self.by_raw.insert(raw.to_string(), (code, index as u32));
        (code, (self.ids.len() - 1) as u32)
    }

    /// Counts `rows` rows for a spelling id from [`NameCoder::spelling`], without saying where
    /// they are (a tie between spellings then goes to the one registered first).
    ///
    /// # Example
    /// see [`NameCoder::spelling`].
    pub fn add_rows(&mut self, id: u32, rows: u64) {
        self.add_rows_from(id, rows, u64::MAX);
    }

    /// Counts `rows` rows for a spelling id, the first of them at row `first_row` of the input:
    /// a tie between spellings goes to the one whose first row comes first, so the label does
    /// not depend on the order the front end registered the values in.
    ///
    /// # Example
    /// ```
    /// let mut c = tthc_metrics::NameCoder::new();
    /// // a dictionary registers its values in dictionary order ...
    /// let (code, upper) = c.spelling("Phòng Y tế");
    /// let (_, lower) = c.spelling("phòng y tế");
    /// // ... but the rows used "phòng y tế" first (row 0) and "Phòng Y tế" from row 3
    /// c.add_rows_from(upper, 2, 3);
    /// c.add_rows_from(lower, 2, 0);
    /// assert_eq!(c.finish().label(code), "phòng y tế");
    /// ```
    pub fn add_rows_from(&mut self, id: u32, rows: u64, first_row: u64) {
        if let Some(&(code, index)) = self.ids.get(id as usize) {
            let s = &mut self.spellings[code as usize][index as usize];
            s.rows = s.rows.saturating_add(rows);
            if rows > 0 {
                s.first_row = s.first_row.min(first_row);
            }
        }
    }

    /// The group code of one row's name (registers it and counts the row: the calls are the
    /// rows, in order).
    ///
    /// # Example
    /// see [`NameTable`].
    pub fn code(&mut self, raw: &str) -> u32 {
        let (code, id) = self.spelling(raw);
        self.add_rows_from(id, 1, self.coded);
        self.coded += 1;
        code
    }

    /// Whether some group has more than one clean spelling, so that its label depends on how
    /// many rows use each.
    ///
    /// # Example
    /// see [`NameCoder::spelling`].
    pub fn needs_counts(&self) -> bool {
        self.ambiguous
    }

    /// The table: each group's label is its most used clean spelling (ties: the one with the
    /// first row, then the first registered).
    ///
    /// # Example
    /// see [`NameTable`].
    pub fn finish(self) -> NameTable {
        let labels = self
            .spellings
            .into_iter()
            .map(|list| {
                let mut best: Option<Spelling> = None;
                for s in list {
                    if best.as_ref().is_none_or(|b| {
                        s.rows > b.rows || (s.rows == b.rows && s.first_row < b.first_row)
                    }) {
                        best = Some(s);
                    }
                }
                best.map(|s| s.clean).unwrap_or_default()
            })
            .collect();
        NameTable {
            labels,
            keys: self.keys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_used_casing_wins_and_ties_keep_the_first() {
        let mut c = NameCoder::new();
        for raw in [
            "ubnd xã Đắk Drô",
            "UBND xã Đắk Drô",
            "UBND  xa\u{303} Đắk Drô",
        ] {
            c.code(raw);
        }
        let t = c.finish();
        assert_eq!(t.label(1), "UBND xã Đắk Drô");
        let mut c = NameCoder::new();
        c.code("b");
        c.code("B");
        assert_eq!(c.finish().label(1), "b");
    }
}
