//! Units (đơn vị) and their hierarchy: province → district → departments, communes, branches.
//!
//! Names are grouped by a *key*: the name normalised to Unicode NFC, trimmed, inner whitespace
//! collapsed to one space, and lowercased. "UBND xã Đắk Sôr" in NFC and in NFD, or as
//! "ubnd  Xã Đắk Sôr", is one unit. The first spelling seen is kept for display.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::names::name_key;

/// What kind of body a unit is.
///
/// # Example
/// ```
/// use tthc_metrics::UnitKind;
/// assert_eq!(UnitKind::default(), UnitKind::Other);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnitKind {
    /// Province or centrally-run city (tỉnh).
    Province,
    /// District (huyện), until 30/06/2025.
    District,
    /// A specialised department (phòng, sở).
    Department,
    /// Commune or town (xã, phường, thị trấn).
    Commune,
    /// A branch office, e.g. the land-registry branch (chi nhánh VPĐKĐĐ).
    Branch,
    /// Anything else.
    #[default]
    Other,
}

named_options!(
    UnitKind,
    "unit kind",
    [
        (Province, "province"),
        (District, "district"),
        (Department, "department"),
        (Commune, "commune"),
        (Branch, "branch"),
        (Other, "other")
    ]
);

/// One unit of the hierarchy.
///
/// # Example
/// ```
/// use tthc_metrics::{UnitTree, UnitKind};
/// let mut t = UnitTree::new();
/// let d = t.add("Huyện Krông Nô", None, UnitKind::District).unwrap();
/// assert_eq!(t.unit(d).name, "Huyện Krông Nô");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Name as given (for display).
    pub name: String,
    /// Kind of body.
    pub kind: UnitKind,
    /// Index of the parent unit in its [`UnitTree`], if any.
    pub parent: Option<usize>,
}

/// A forest of units. Reports roll counts up from each unit to all its ancestors, so a district's
/// row equals the sum of its own dossiers and those of every unit below it.
///
/// # Example
/// ```
/// use tthc_metrics::{UnitTree, UnitKind};
/// let mut t = UnitTree::new();
/// let district = t.add("Huyện Krông Nô", None, UnitKind::District).unwrap();
/// let commune = t.add("UBND xã Đắk Sôr", Some("Huyện Krông Nô"), UnitKind::Commune).unwrap();
/// assert_eq!(t.parent(commune), Some(district));
/// assert_eq!(t.find("ubnd xã  đắk sôr"), Some(commune));
/// assert_eq!(t.ancestors_and_self(commune).collect::<Vec<_>>(), vec![commune, district]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTree {
    units: Vec<Unit>,
    #[serde(skip)]
    by_key: HashMap<String, usize>,
}

impl UnitTree {
    /// An empty tree.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::UnitTree::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a unit under `parent` (by name; the parent must already be present), or returns the
    /// index of an existing unit with the same key.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty name, [`Error::Unknown`] for an unknown parent, and
    /// [`Error::InvalidArgument`] when the unit already exists under another parent.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// assert_eq!(t.add("X", Some("nowhere"), UnitKind::Other).unwrap_err().code(), "unknown_name");
    /// ```
    pub fn add(&mut self, name: &str, parent: Option<&str>, kind: UnitKind) -> Result<usize> {
        let key = name_key(name);
        if key.is_empty() {
            return Err(Error::InvalidArgument {
                name: "unit",
                reason: "a unit name must not be empty".into(),
            });
        }
        let parent_idx = match parent {
            None => None,
            Some(p) => Some(self.find(p).ok_or_else(|| Error::Unknown {
                what: "parent unit",
                value: p.to_string(),
                expected: "a unit added before its children".into(),
            })?),
        };
        if let Some(&i) = self.by_key.get(&key) {
            if self.units[i].parent != parent_idx {
                return Err(Error::InvalidArgument {
                    name: "unit",
                    reason: format!("unit {name:?} is already in the tree under another parent"),
                });
            }
            return Ok(i);
        }
        self.units.push(Unit {
            name: name.to_string(),
            kind,
            parent: parent_idx,
        });
        self.by_key.insert(key, self.units.len() - 1);
        Ok(self.units.len() - 1)
    }

    /// The index of the unit whose key matches `name`'s.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// t.add("Phòng Tư pháp", None, UnitKind::Department).unwrap();
    /// assert_eq!(t.find("PHÒNG TƯ PHÁP"), Some(0));
    /// ```
    pub fn find(&self, name: &str) -> Option<usize> {
        if self.by_key.len() != self.units.len() {
            // deserialised tree: the index is rebuilt lazily by `reindex`
            return self
                .units
                .iter()
                .position(|u| name_key(&u.name) == name_key(name));
        }
        self.by_key.get(&name_key(name)).copied()
    }

    /// Rebuilds the name index (needed after deserialising).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// t.add("A", None, UnitKind::Other).unwrap();
    /// let mut back: UnitTree = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    /// back.reindex();
    /// assert_eq!(back, t);
    /// ```
    pub fn reindex(&mut self) {
        self.by_key = self
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (name_key(&u.name), i))
            .collect();
    }

    /// The unit at `index`.
    ///
    /// # Panics
    /// When `index` is not a unit of this tree (indices come from [`UnitTree::add`] and
    /// [`UnitTree::find`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// let i = t.add("A", None, UnitKind::Branch).unwrap();
    /// assert_eq!(t.unit(i).kind, UnitKind::Branch);
    /// ```
    pub fn unit(&self, index: usize) -> &Unit {
        &self.units[index]
    }

    /// The parent of unit `index`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// let a = t.add("A", None, UnitKind::Other).unwrap();
    /// assert_eq!(t.parent(a), None);
    /// ```
    pub fn parent(&self, index: usize) -> Option<usize> {
        self.units.get(index).and_then(|u| u.parent)
    }

    /// Unit `index` followed by its parent, grandparent, ... up to its root.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// let p = t.add("P", None, UnitKind::Province).unwrap();
    /// let d = t.add("D", Some("P"), UnitKind::District).unwrap();
    /// assert_eq!(t.ancestors_and_self(d).count(), 2);
    /// # let _ = p;
    /// ```
    pub fn ancestors_and_self(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), move |&i| self.parent(i))
    }

    /// Number of units.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::UnitTree::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the tree has no unit.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::UnitTree::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// All units in insertion order (parents before children).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{UnitTree, UnitKind};
    /// let mut t = UnitTree::new();
    /// t.add("A", None, UnitKind::Other).unwrap();
    /// assert_eq!(t.units()[0].name, "A");
    /// ```
    pub fn units(&self) -> &[Unit] {
        &self.units
    }
}
