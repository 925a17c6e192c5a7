//! Which column of a table holds which canonical field: the caller's mapping first, then the
//! canonical name, then the headers real systems use (domain-rules section 9), all compared
//! after folding (NFC, case, whitespace, a trailing note in parentheses).

use std::collections::HashMap;

use arrow_schema::Schema;
use tthc_metrics::fold_name;

use crate::error::ArrowError;

/// The canonical input columns (domain-rules section 2). `received_at` and `status` are
/// required, `unit` when grouping by unit; the rest are optional.
pub const CANONICAL_COLUMNS: [&str; 19] = [
    "dossier_id",
    "unit",
    "procedure",
    "field",
    "submitted_at",
    "received_at",
    "due_at",
    "rescheduled_due_at",
    "finished_at",
    "returned_at",
    "status",
    "channel",
    "online",
    "online_service",
    "supplement_requests",
    "synced_to_portal",
    "duration_days",
    "apology_issued",
    "apology_issued_at",
];

/// The headers each canonical column is known by, in order of preference (domain-rules
/// section 9: one-stop software's Excel headers, the national sync standard's and portal API's
/// field names). A table with several of them uses the first.
pub const HEADER_ALIASES: &[(&str, &[&str])] = &[
    (
        "dossier_id",
        &[
            "Mã hồ sơ",
            "Số hồ sơ",
            "Mã hồ sơ gốc",
            "MaHoSo",
            "dossierNo",
            "code",
        ],
    ),
    (
        "unit",
        &[
            "Đơn vị xử lý",
            "Đơn vị tiếp nhận",
            "Cơ quan thụ lý",
            "Cơ quan giải quyết",
            "Đơn vị",
            "DonViXuLy",
            "govAgencyName",
            "agency.name",
        ],
    ),
    (
        "procedure",
        &[
            "Mã thủ tục",
            "MaTTHC",
            "serviceCode",
            "Tên thủ tục hành chính",
            "Tên thủ tục",
            "Thủ tục",
            "Thủ tục hành chính",
            "TenTTHC",
            "procedure.translate.name",
        ],
    ),
    ("field", &["Lĩnh vực", "TenLinhVuc", "MaLinhVuc"]),
    (
        "submitted_at",
        &[
            "Ngày nộp hồ sơ",
            "Ngày nộp",
            "Ngày gửi",
            "NgayNopHoSo",
            "submitDate",
            "appliedDate",
        ],
    ),
    (
        "received_at",
        &[
            "Ngày tiếp nhận",
            "Ngày nhận",
            "NgayTiepNhan",
            "receiveDate",
            "acceptedDate",
        ],
    ),
    (
        "due_at",
        &[
            "Ngày hẹn trả",
            "Hạn xử lý",
            "NgayHenTra",
            "dueDate",
            "appointmentDate",
        ],
    ),
    (
        "rescheduled_due_at",
        &[
            "Ngày hẹn trả mới",
            "Ngày gia hạn",
            "NgayHenTraMoi",
            "extendDate",
        ],
    ),
    (
        "finished_at",
        &[
            "Ngày có kết quả",
            "Ngày kết thúc xử lý",
            "Ngày hoàn thành",
            "NgayKetThucXuLy",
            "releaseDate",
        ],
    ),
    (
        "returned_at",
        &["Ngày trả kết quả", "Ngày trả", "NgayTra", "finishDate"],
    ),
    (
        "status",
        &["Trạng thái", "Tình trạng", "TrangThaiHoSo", "dossierStatus"],
    ),
    (
        "channel",
        &[
            "Hình thức nộp",
            "Kênh thực hiện",
            "Loại tiếp nhận",
            "Kênh nộp",
            "KenhThucHien",
        ],
    ),
    ("online", &["Trực tuyến", "Nộp trực tuyến"]),
    (
        "online_service",
        &["Mức độ DVC", "Mức độ", "MucDo", "mucDo"],
    ),
    ("supplement_requests", &["Số lần bổ sung", "SoLanBoSung"]),
    ("synced_to_portal", &["Đồng bộ", "Đã đồng bộ"]),
    (
        "duration_days",
        &["Thời hạn giải quyết", "Số ngày giải quyết"],
    ),
    ("apology_issued", &["Xin lỗi", "Thư xin lỗi"]),
    ("apology_issued_at", &["Ngày xin lỗi"]),
];

/// The naming scheme of a known header: within one scheme the headers of a field are
/// alternatives in order of preference (a code before a name, the processing unit before the
/// receiving one: real exports carry both); two foreign schemes in one table are one column
/// twice. The canonical name is read first, whatever else the table holds: it is what the
/// export reader writes (keeping the other headers beside it) and what a user writes when they
/// derive a column.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scheme {
    /// The canonical snake_case name (`status`).
    Canonical,
    /// A Vietnamese display header, with spaces or diacritics ("Trạng thái").
    Display,
    /// A Vietnamese identifier of the national sync standard, PascalCase (`TrangThaiHoSo`).
    SyncStandard,
    /// An English camelCase field of a portal's JSON (`dossierStatus`, `agency.name`).
    PortalJson,
}

impl Scheme {
    fn of(field: &str, header: &str) -> Self {
        if header == field {
            Self::Canonical
        } else if header.contains(' ') || !header.is_ascii() {
            Self::Display
        } else if header.starts_with(|c: char| c.is_ascii_uppercase()) {
            Self::SyncStandard
        } else {
            Self::PortalJson
        }
    }
}

/// A header folded for matching: [`fold_name`] of it without a trailing note in parentheses or
/// brackets and without trailing `:`/`*`.
///
/// # Example
/// ```
/// use tthc_arrow::fold_header;
/// assert_eq!(fold_header("Ngày tiếp nhận (dd/mm/yyyy):"), fold_header("ngày  tiếp nhận"));
/// ```
pub fn fold_header(h: &str) -> String {
    let mut t = h.trim();
    loop {
        let before = t;
        t = t.trim_end_matches([':', '*', ' ']);
        if let Some(open) = t.rfind(['(', '[']) {
            if t.ends_with(')') || t.ends_with(']') {
                t = t[..open].trim_end();
            }
        }
        if t == before {
            break;
        }
    }
    fold_name(t)
}

/// The caller's mapping of their column names onto the canonical ones (e.g. a portal export's
/// headers: `{"Ngày tiếp nhận": "received_at"}`); columns it does not name are found by their
/// canonical name or a known header ([`HEADER_ALIASES`]).
///
/// # Example
/// ```
/// use tthc_arrow::ColumnMap;
/// let m = ColumnMap::new([("Ngày TN", "received_at"), ("Đơn vị", "unit")]).unwrap();
/// assert_eq!(m.explicit("received_at"), Some("Ngày TN"));
/// assert!(ColumnMap::new([("x", "nonsense")]).is_err());
/// assert_eq!(ColumnMap::new([("a", "unit"), ("b", "unit")]).unwrap_err().code(), "ambiguous_column");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    to_source: HashMap<String, String>,
}

impl ColumnMap {
    /// A mapping from caller names to canonical names.
    ///
    /// # Errors
    /// [`ArrowError::UnknownCanonical`] when a target is not a canonical column;
    /// [`ArrowError::AmbiguousColumn`] when two sources name one target.
    ///
    /// # Example
    /// see [`ColumnMap`].
    pub fn new<I, A, B>(pairs: I) -> Result<Self, ArrowError>
    where
        I: IntoIterator<Item = (A, B)>,
        A: Into<String>,
        B: Into<String>,
    {
        let mut to_source: HashMap<String, String> = HashMap::new();
        for (from, to) in pairs {
            let (from, to) = (from.into(), to.into());
            if !CANONICAL_COLUMNS.contains(&to.as_str()) {
                return Err(ArrowError::UnknownCanonical(to));
            }
            if let Some(other) = to_source.get(&to) {
                if *other != from {
                    return Err(ArrowError::AmbiguousColumn {
                        field: to,
                        columns: format!("both {other:?} and {from:?} are mapped onto it"),
                    });
                }
            }
            to_source.insert(to, from);
        }
        Ok(Self { to_source })
    }

    /// The source column the caller named for `canonical`, if any.
    ///
    /// # Example
    /// see [`ColumnMap`].
    pub fn explicit(&self, canonical: &str) -> Option<&str> {
        self.to_source.get(canonical).map(String::as_str)
    }

    /// Finds the column of every canonical field in `schema`.
    ///
    /// # Errors
    /// [`ArrowError::MissingColumn`] for a mapped column the table lacks;
    /// [`ArrowError::AmbiguousColumn`] when a field's column name appears twice, or, with no
    /// column of the canonical name, the table names one field in two naming schemes (a
    /// Vietnamese header, the sync standard's identifier, a portal's JSON field).
    ///
    /// # Example
    /// ```
    /// use arrow_schema::{DataType, Field, Schema};
    /// use tthc_arrow::ColumnMap;
    /// let s = Schema::new(vec![
    ///     Field::new("STT", DataType::Int64, true),
    ///     Field::new("Mã hồ sơ", DataType::Utf8, true),
    ///     Field::new("NGÀY TIẾP NHẬN", DataType::Utf8, true),
    ///     Field::new("Trạng thái", DataType::Utf8, true),
    /// ]);
    /// let r = ColumnMap::default().resolve(&s).unwrap();
    /// assert_eq!(r.index("received_at"), Some(2));
    /// assert_eq!(r.index("dossier_id"), Some(1));
    /// assert_eq!(r.source("status"), Some("Trạng thái"));
    /// assert_eq!(r.index("unit"), None);
    /// // a procedure's code and name are alternatives of one scheme: the code is read
    /// let both = Schema::new(vec![
    ///     Field::new("Tên thủ tục hành chính", DataType::Utf8, true),
    ///     Field::new("Mã thủ tục", DataType::Utf8, true),
    /// ]);
    /// assert_eq!(ColumnMap::default().resolve(&both).unwrap().index("procedure"), Some(1));
    /// // one column under two foreign naming schemes is given twice: ambiguous
    /// let twice = Schema::new(vec![
    ///     Field::new("Trạng thái", DataType::Utf8, true),
    ///     Field::new("TrangThaiHoSo", DataType::Utf8, true),
    /// ]);
    /// let e = ColumnMap::default().resolve(&twice).unwrap_err();
    /// assert_eq!(e.code(), "ambiguous_column");
    /// ```
    pub fn resolve(&self, schema: &Schema) -> Result<Resolved, ArrowError> {
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let folded: Vec<String> = names.iter().map(|n| fold_header(n)).collect();
        let mut taken = vec![false; names.len()];
        let mut by_field: HashMap<&'static str, usize> = HashMap::new();
        let unique = |field: &str, positions: Vec<usize>| -> Result<Option<usize>, ArrowError> {
            match positions.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(*one)),
                many => Err(ArrowError::AmbiguousColumn {
                    field: field.to_string(),
                    columns: format!(
                        "the table has {} columns named {:?}",
                        many.len(),
                        names[many[0]]
                    ),
                }),
            }
        };
        // the caller's mapping, exact names first, then folded
        for &field in &CANONICAL_COLUMNS {
            let Some(source) = self.explicit(field) else {
                continue;
            };
            let exact: Vec<usize> = (0..names.len()).filter(|&i| names[i] == source).collect();
            let found = if exact.is_empty() {
                let f = fold_header(source);
                unique(
                    field,
                    (0..names.len()).filter(|&i| folded[i] == f).collect(),
                )?
            } else {
                unique(field, exact)?
            };
            let Some(i) = found else {
                return Err(ArrowError::MissingColumn {
                    name: source.to_string(),
                    available: crate::error::short(&names.join(", ")),
                    closest: closest(&names, source),
                });
            };
            taken[i] = true;
            by_field.insert(field, i);
        }
        // the canonical name (the library's own vocabulary, what the reader writes: it is read
        // whatever else the table holds), then the known headers in order of preference within
        // one naming scheme; two schemes at once ("Trạng thái" beside `TrangThaiHoSo`, or beside
        // `dossierStatus`) are one column given twice: ambiguous, never a silent pick
        for &(field, aliases) in HEADER_ALIASES {
            if by_field.contains_key(field) {
                continue;
            }
            let mut first: Option<(usize, Scheme)> = None;
            for candidate in std::iter::once(field).chain(aliases.iter().copied()) {
                let f = fold_header(candidate);
                let hits: Vec<usize> = (0..names.len())
                    .filter(|&i| !taken[i] && folded[i] == f)
                    .collect();
                let Some(i) = unique(field, hits)? else {
                    continue;
                };
                let scheme = Scheme::of(field, candidate);
                if scheme == Scheme::Canonical {
                    first = Some((i, scheme));
                    break;
                }
                match first {
                    None => first = Some((i, scheme)),
                    Some((j, s)) if s != scheme && i != j => {
                        return Err(ArrowError::AmbiguousColumn {
                            field: field.to_string(),
                            columns: format!(
                                "the table has both {:?} and {:?}",
                                names[j], names[i]
                            ),
                        });
                    }
                    Some(_) => {}
                }
            }
            if let Some((i, _)) = first {
                taken[i] = true;
                by_field.insert(field, i);
            }
        }
        Ok(Resolved {
            names: names.iter().map(std::string::ToString::to_string).collect(),
            by_field,
        })
    }
}

/// The headers of `names` that look most like `wanted` (up to three, by edit distance on the
/// folded text).
pub(crate) fn closest(names: &[&str], wanted: &str) -> String {
    let w: Vec<char> = fold_header(wanted).chars().collect();
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|n| {
            let c: Vec<char> = fold_header(n).chars().collect();
            (edit_distance(&w, &c), *n)
        })
        .filter(|&(d, _)| d <= w.len().max(4) / 2 + 2)
        .collect();
    scored.sort_unstable();
    scored
        .iter()
        .take(3)
        .map(|(_, n)| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Where each canonical field is in one table (see [`ColumnMap::resolve`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    names: Vec<String>,
    by_field: HashMap<&'static str, usize>,
}

impl Resolved {
    /// The column index of a canonical field.
    ///
    /// # Example
    /// see [`ColumnMap::resolve`].
    pub fn index(&self, field: &str) -> Option<usize> {
        self.by_field.get(field).copied()
    }

    /// The table's name of the column of a canonical field.
    ///
    /// # Example
    /// see [`ColumnMap::resolve`].
    pub fn source(&self, field: &str) -> Option<&str> {
        self.index(field).map(|i| self.names[i].as_str())
    }

    /// The column of a required field.
    ///
    /// # Errors
    /// [`ArrowError::MissingColumn`] naming it and the closest headers found.
    ///
    /// # Example
    /// ```
    /// use arrow_schema::{DataType, Field, Schema};
    /// let s = Schema::new(vec![Field::new("Ngày nhận hồ sơ", DataType::Utf8, true)]);
    /// let r = tthc_arrow::ColumnMap::default().resolve(&s).unwrap();
    /// let e = r.require("received_at").unwrap_err();
    /// assert!(e.to_string().contains("closest: \"Ngày nhận hồ sơ\""), "{e}");
    /// ```
    pub fn require(&self, field: &'static str) -> Result<usize, ArrowError> {
        self.index(field).ok_or_else(|| {
            let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
            let mut best: Vec<String> = Vec::new();
            let known = HEADER_ALIASES
                .iter()
                .find(|(f, _)| *f == field)
                .map_or(&[][..], |(_, a)| *a);
            for candidate in std::iter::once(field).chain(known.iter().copied()) {
                let c = closest(&names, candidate);
                if !c.is_empty() && !best.contains(&c) {
                    best.push(c);
                }
            }
            ArrowError::MissingColumn {
                name: field.to_string(),
                available: crate::error::short(&names.join(", ")),
                closest: best.first().cloned().unwrap_or_default(),
            }
        })
    }

    /// `(canonical field, source column)` for every field found, in canonical order: the
    /// mapping written into the metadata of what is read.
    ///
    /// # Example
    /// ```
    /// use arrow_schema::{DataType, Field, Schema};
    /// let s = Schema::new(vec![Field::new("MaHoSo", DataType::Utf8, true)]);
    /// let r = tthc_arrow::ColumnMap::default().resolve(&s).unwrap();
    /// assert_eq!(r.found(), vec![("dossier_id", "MaHoSo")]);
    /// ```
    pub fn found(&self) -> Vec<(&'static str, &str)> {
        CANONICAL_COLUMNS
            .iter()
            .filter_map(|&f| self.source(f).map(|s| (f, s)))
            .collect()
    }

    /// The table's column names.
    ///
    /// # Example
    /// see [`Resolved::found`].
    pub fn names(&self) -> &[String] {
        &self.names
    }
}
