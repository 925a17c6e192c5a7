//! The adapter's error type: the core's errors, plus problems with a table's shape.

use tthc_metrics::Error;

/// Errors of the adapter: the core's, plus problems with the table's shape or content. Every
/// shape error names the column (and, for content, an example value) and says what was expected.
///
/// # Example
/// ```
/// use tthc_arrow::ArrowError;
/// let e = ArrowError::MissingColumn { name: "received_at".into(), available: "unit, status".into(), closest: "Ngày nhận hồ sơ".into() };
/// assert_eq!(e.code(), "missing_column");
/// assert!(e.to_string().contains("received_at"));
/// assert!(e.is_schema_error());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArrowError {
    /// An error of the core crate (a rejected record, a bad option...).
    #[error(transparent)]
    Core(#[from] Error),
    /// A required column is absent.
    #[error("missing column {name:?}; the table has: {available}{}", if closest.is_empty() { String::new() } else { format!(" (closest: {closest}; map it with columns={{...}})") })]
    MissingColumn {
        /// The canonical name (or the caller's mapped name).
        name: String,
        /// The columns the table has.
        available: String,
        /// The headers that look most like it.
        closest: String,
    },
    /// A column whose Arrow type cannot carry the field.
    #[error("column {column:?} has type {data_type}, which cannot hold {expected}")]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
        /// What the field needs.
        expected: &'static str,
    },
    /// A column whose values are not what its header says (a column of names under a date
    /// header, say).
    #[error("column {column:?} (read as {field}) holds {found}, not {expected}: e.g. {example:?}; map the right column with columns={{...}}")]
    WrongContent {
        /// The column.
        column: String,
        /// The canonical field it was matched to.
        field: &'static str,
        /// What it seems to hold.
        found: &'static str,
        /// What the field needs.
        expected: &'static str,
        /// One of its values.
        example: String,
    },
    /// Batches whose columns differ (names, types or order) from the first batch's.
    #[error("batch {batch} has the columns [{found}], the first batch [{expected}]")]
    SchemaMismatch {
        /// The batch (0-based).
        batch: usize,
        /// The first batch's columns.
        expected: String,
        /// This batch's columns.
        found: String,
    },
    /// Two columns could be the one field: duplicate names, or two sources mapped onto one name.
    #[error("column {field} is ambiguous: {columns}; give the table one such column, or say which with columns={{...}}")]
    AmbiguousColumn {
        /// The canonical field.
        field: String,
        /// The candidate columns.
        columns: String,
    },
    /// Arrow data that breaks Arrow's own rules (invalid UTF-8, a dictionary key outside the
    /// dictionary, a validity bitmap of the wrong length): refused where it enters.
    #[error("column {column:?} holds invalid Arrow data: {message}")]
    InvalidData {
        /// The column.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A column mapping that names an unknown canonical column.
    #[error("column mapping: {0:?} is not a canonical column (expected one of: {list})", list = crate::CANONICAL_COLUMNS.join(", "))]
    UnknownCanonical(String),
}

/// `text` cut to 120 characters for a message, with its full length said.
pub(crate) fn short(text: &str) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX).collect();
    format!("{head}… ({} characters)", text.chars().count())
}

impl ArrowError {
    /// A stable snake_case code.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_arrow::ArrowError::UnknownCanonical("x".into()).code(), "unknown_column");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Core(e) => e.code(),
            Self::MissingColumn { .. } => "missing_column",
            Self::UnsupportedType { .. } => "unsupported_type",
            Self::WrongContent { .. } => "wrong_content",
            Self::UnknownCanonical(_) => "unknown_column",
            Self::SchemaMismatch { .. } => "schema_mismatch",
            Self::AmbiguousColumn { .. } => "ambiguous_column",
            Self::InvalidData { .. } => "invalid_data",
        }
    }

    /// Whether the error is about the table's shape (its columns, types or data), not a record
    /// or an option.
    ///
    /// # Example
    /// see [`ArrowError`].
    pub fn is_schema_error(&self) -> bool {
        !matches!(self, Self::Core(_) | Self::UnknownCanonical(_))
    }
}
