//! The reader's error type: one variant per way a file can fail to become a table, each naming
//! the file (and the sheet, row and column where there is one) and saying what to do.

use tthc_arrow::ArrowError;

/// Where in a file something went wrong: `"orders.xlsx, sheet \"Danh sách\""`, or just the file
/// name for formats without sheets.
///
/// # Example
/// ```
/// use tthc_io::Place;
/// assert_eq!(Place::new("a.xlsx", Some("Danh sách")).to_string(), "a.xlsx, sheet \"Danh sách\"");
/// assert_eq!(Place::new("a.csv", None).to_string(), "a.csv");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The file's name (as given, or `"<bytes>"`).
    pub file: Box<str>,
    /// The sheet, for workbooks.
    pub sheet: Option<Box<str>>,
}

impl Place {
    /// A place in `file`, on `sheet` if any.
    ///
    /// # Example
    /// see [`Place`].
    pub fn new(file: &str, sheet: Option<&str>) -> Self {
        Self {
            file: file.into(),
            sheet: sheet.map(Into::into),
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.sheet {
            Some(s) => write!(f, "{}, sheet {s:?}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// Why a file could not be read into a table. Every message names the file, and the sheet,
/// row and column where it applies; [`IoError::code`] is a stable snake_case code.
///
/// # Example
/// ```
/// use tthc_io::{read_export_bytes, ReadOptions};
/// let e = read_export_bytes(b"\x89PNG\r\n\x1a\n....", "chart.png", &ReadOptions::default()).unwrap_err();
/// assert_eq!(e.code(), "unsupported_format");
/// assert!(e.to_string().starts_with("chart.png: "), "{e}");
/// assert!(!e.is_schema_error());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be opened or read (the operating system's error).
    #[error("{file}: cannot read the file: {message}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's message.
        message: String,
    },
    /// Not a format this reader knows (judged by the content, not the name).
    #[error("{file}: {message}; expected an Excel workbook (.xlsx, .xlsm, .xlsb, .xls), an OpenDocument sheet (.ods), a CSV file, an HTML table (as some systems save .xls files) or the sync standard's JSON")]
    UnsupportedFormat {
        /// The file.
        file: String,
        /// What it looks like instead.
        message: String,
    },
    /// A file of a known format that is damaged (a broken zip, XML or JSON, a bad record).
    #[error("{place}: the file is damaged or not what its format says: {message}")]
    Corrupt {
        /// Where.
        place: Place,
        /// The parser's message.
        message: String,
    },
    /// Text that is not UTF-8.
    #[error(
        "{place}: the text is not UTF-8 ({at}); save the file as UTF-8 (\"CSV UTF-8\" in Excel)"
    )]
    Encoding {
        /// Where.
        place: Place,
        /// Where in it (a row and column, or a byte offset).
        at: String,
    },
    /// A sheet (or table) with no cells.
    #[error("{place}: the sheet is empty{}", if sheets.is_empty() { String::new() } else { format!(" (the workbook's sheets: {sheets}; choose one with sheet=...)") })]
    EmptySheet {
        /// Where.
        place: Place,
        /// The workbook's sheets, when there are several.
        sheets: String,
    },
    /// The sheet asked for is not in the workbook.
    #[error("{file}: no sheet {wanted}; the workbook's sheets are: {sheets}")]
    NoSuchSheet {
        /// The file.
        file: String,
        /// The sheet asked for (a quoted name or an index).
        wanted: String,
        /// The sheets it has.
        sheets: String,
    },
    /// No row of the first rows looks like a header.
    #[error("{place}: {message}; name the header row with header_row=... or the columns with columns={{...}}")]
    NoHeader {
        /// Where.
        place: Place,
        /// Which rows were looked at and what the best one matched.
        message: String,
    },
    /// A column whose values are not what its header says (3 or more values under a date
    /// header, none of them a date).
    #[error("{place}: column {column:?} (read as {field}) holds no dates: {non_empty} values, none a date or time, e.g. {example:?} in row {row}; map the right column with columns={{...}}")]
    WrongContent {
        /// Where.
        place: Place,
        /// The column's header.
        column: String,
        /// The canonical field it was matched to.
        field: &'static str,
        /// The 1-based row of the first value that is not a date.
        row: u64,
        /// That value.
        example: String,
        /// How many values the column has.
        non_empty: u64,
    },
    /// A file that would need more memory (or cells, or nesting) than the limit allows: refused
    /// before it is allocated.
    #[error("{place}: {what} needs {needed} bytes, more than the memory limit of {limit} bytes allows; {hint}")]
    TooLarge {
        /// Where.
        place: Place,
        /// What would be allocated (or unpacked).
        what: String,
        /// The bytes it needs (at least).
        needed: u64,
        /// The limit in force.
        limit: u64,
        /// What to do.
        hint: String,
    },
    /// Nesting deeper than a reader follows (HTML elements, JSON values).
    #[error(
        "{place}: {what} nested deeper than {limit} levels (at {at}); such a file is not an export"
    )]
    TooDeep {
        /// Where.
        place: Place,
        /// What is nested.
        what: &'static str,
        /// The deepest level followed.
        limit: u32,
        /// Where the limit was hit (a line, a byte offset).
        at: String,
    },
    /// A problem with the columns found under the header: a mapped column that is not there,
    /// two columns for one field (see [`ArrowError`]).
    #[error("{place}, header row {header_row}: {source}")]
    Columns {
        /// Where.
        place: Place,
        /// The 1-based header row.
        header_row: u64,
        /// The adapter's error.
        source: Box<ArrowError>,
    },
    /// A file that cannot be written (a folder that does not exist, no permission, a full
    /// disk): nothing is left half-written.
    #[error("{file}: cannot write the file: {message}")]
    Write {
        /// The path.
        file: String,
        /// The system's reason.
        message: String,
    },
    /// The call was interrupted (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

impl IoError {
    /// A stable snake_case code: `io_error`, `unsupported_format`, `corrupt_file`,
    /// `bad_encoding`, `empty_sheet`, `no_such_sheet`, `no_header`, `wrong_content`,
    /// `too_large`, `too_deep`, `interrupted`, or the column error's own code
    /// (`missing_column`, `ambiguous_column`...).
    ///
    /// # Example
    /// see [`IoError`].
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io_error",
            Self::UnsupportedFormat { .. } => "unsupported_format",
            Self::Corrupt { .. } => "corrupt_file",
            Self::Encoding { .. } => "bad_encoding",
            Self::EmptySheet { .. } => "empty_sheet",
            Self::NoSuchSheet { .. } => "no_such_sheet",
            Self::NoHeader { .. } => "no_header",
            Self::WrongContent { .. } => "wrong_content",
            Self::TooLarge { .. } => "too_large",
            Self::TooDeep { .. } => "too_deep",
            Self::Columns { source, .. } => source.code(),
            Self::Write { .. } => "write_error",
            Self::Interrupted => "interrupted",
        }
    }

    /// Whether the error is about the table's header or columns (no header, a wrong column, a
    /// missing or ambiguous mapped column), not the file as a whole.
    ///
    /// # Example
    /// ```
    /// use tthc_io::{IoError, Place};
    /// let e = IoError::NoHeader { place: Place::new("a.csv", None), message: "no header".into() };
    /// assert!(e.is_schema_error());
    /// assert_eq!(e.code(), "no_header");
    /// ```
    pub fn is_schema_error(&self) -> bool {
        matches!(
            self,
            Self::NoHeader { .. } | Self::WrongContent { .. } | Self::Columns { .. }
        )
    }

    /// The file the error is about (empty for [`IoError::Interrupted`]).
    ///
    /// # Example
    /// ```
    /// use tthc_io::{IoError, Place};
    /// let e = IoError::EmptySheet { place: Place::new("a.xlsx", Some("S")), sheets: String::new() };
    /// assert_eq!(e.file(), "a.xlsx");
    /// ```
    pub fn file(&self) -> &str {
        match self {
            Self::Io { file, .. }
            | Self::UnsupportedFormat { file, .. }
            | Self::NoSuchSheet { file, .. }
            | Self::Write { file, .. } => file,
            Self::Corrupt { place, .. }
            | Self::Encoding { place, .. }
            | Self::EmptySheet { place, .. }
            | Self::NoHeader { place, .. }
            | Self::WrongContent { place, .. }
            | Self::TooLarge { place, .. }
            | Self::TooDeep { place, .. }
            | Self::Columns { place, .. } => &place.file,
            Self::Interrupted => "",
        }
    }
}
