//! What a read takes ([`ReadOptions`]) and what it gives ([`Export`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow_array::RecordBatch;
use tthc_arrow::ColumnMap;
use tthc_metrics::{Channel, OnlineService, ReportOptions, Status};

use crate::error::IoError;

/// Which sheet of a workbook to read.
///
/// # Example
/// ```
/// use tthc_io::Sheet;
/// assert_eq!(Sheet::Index(0).to_string(), "0");
/// assert_eq!(Sheet::Name("Danh sách".into()).to_string(), "\"Danh sách\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sheet {
    /// By name (compared exactly, then after trimming and case folding).
    Name(String),
    /// By 0-based position.
    Index(usize),
}

impl std::fmt::Display for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Name(n) => write!(f, "{n:?}"),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// How to read an export. The defaults read the first sheet, find the header row in the first
/// [`ReadOptions::HEADER_SEARCH_ROWS`] rows, match headers by their canonical names and the
/// known headers ([`tthc_arrow::HEADER_ALIASES`]), and allow
/// [`ReportOptions::DEFAULT_MEMORY_LIMIT`] (4 GiB) of memory.
///
/// # Example
/// ```
/// use tthc_io::{ReadOptions, Sheet};
/// use tthc_metrics::Status;
/// let o = ReadOptions::default()
///     .sheet(Sheet::Name("Danh sách".into()))
///     .header_row(7)
///     .status_name("Hoàn tất", Status::Returned)
///     .memory_limit(1 << 30);
/// assert_eq!(o.header_row, Some(7));
/// assert_eq!(o.memory_limit, 1 << 30);
/// assert_eq!(o.status_names, vec![("Hoàn tất".to_string(), Status::Returned)]);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The sheet (`None`: the first).
    pub sheet: Option<Sheet>,
    /// The 1-based header row (`None`: found).
    pub header_row: Option<u64>,
    /// The caller's column mapping (their header → canonical name).
    pub columns: ColumnMap,
    /// Bytes the read may allocate: the file's bytes, what is unpacked and the table built.
    pub memory_limit: u64,
    /// Extra status names, written into the table's metadata (`tthc_metrics.status_names`).
    pub status_names: Vec<(String, Status)>,
    /// Extra channel words (`tthc_metrics.channel_names`).
    pub channel_names: Vec<(String, Channel)>,
    /// Extra online-service level words (`tthc_metrics.online_service_names`).
    pub online_service_names: Vec<(String, OnlineService)>,
    /// Set from another thread to stop the read ([`IoError::Interrupted`]).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            sheet: None,
            header_row: None,
            columns: ColumnMap::default(),
            memory_limit: ReportOptions::DEFAULT_MEMORY_LIMIT,
            status_names: Vec::new(),
            channel_names: Vec::new(),
            online_service_names: Vec::new(),
            cancel: None,
        }
    }
}

impl ReadOptions {
    /// How many rows from the top are looked at for the header row.
    pub const HEADER_SEARCH_ROWS: u64 = 30;

    /// Reads `sheet`.
    ///
    /// # Example
    /// see [`ReadOptions`].
    #[must_use]
    pub fn sheet(mut self, sheet: Sheet) -> Self {
        self.sheet = Some(sheet);
        self
    }

    /// Takes row `row` (1-based) as the header.
    ///
    /// # Example
    /// see [`ReadOptions`].
    #[must_use]
    pub fn header_row(mut self, row: u64) -> Self {
        self.header_row = Some(row);
        self
    }

    /// Maps the caller's headers onto canonical names.
    ///
    /// # Example
    /// ```
    /// use tthc_arrow::ColumnMap;
    /// let m = ColumnMap::new([("Ngày TN", "received_at")]).unwrap();
    /// let o = tthc_io::ReadOptions::default().columns(m.clone());
    /// assert_eq!(o.columns, m);
    /// ```
    #[must_use]
    pub fn columns(mut self, map: ColumnMap) -> Self {
        self.columns = map;
        self
    }

    /// Sets the memory limit in bytes.
    ///
    /// # Example
    /// see [`ReadOptions`].
    #[must_use]
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Adds a status name to the table's vocabulary.
    ///
    /// # Example
    /// see [`ReadOptions`].
    #[must_use]
    pub fn status_name(mut self, name: &str, status: Status) -> Self {
        self.status_names.push((name.to_string(), status));
        self
    }

    /// Adds a channel word to the table's vocabulary.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Channel;
    /// let o = tthc_io::ReadOptions::default().channel_name("Cổng DVC", Channel::Online);
    /// assert_eq!(o.channel_names.len(), 1);
    /// ```
    #[must_use]
    pub fn channel_name(mut self, name: &str, channel: Channel) -> Self {
        self.channel_names.push((name.to_string(), channel));
        self
    }

    /// Adds an online-service level word to the table's vocabulary.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::OnlineService;
    /// let o = tthc_io::ReadOptions::default().online_service_name("TT", OnlineService::Full);
    /// assert_eq!(o.online_service_names.len(), 1);
    /// ```
    #[must_use]
    pub fn online_service_name(mut self, name: &str, level: OnlineService) -> Self {
        self.online_service_names.push((name.to_string(), level));
        self
    }

    /// Stops the read when `flag` is set.
    ///
    /// # Example
    /// ```
    /// use std::sync::{Arc, atomic::AtomicBool};
    /// let o = tthc_io::ReadOptions::default().cancel(Arc::new(AtomicBool::new(false)));
    /// assert!(o.cancel.is_some());
    /// ```
    #[must_use]
    pub fn cancel(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    pub(crate) fn check_cancel(&self) -> Result<(), IoError> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            Err(IoError::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// The kind of file read, judged by its content.
///
/// # Example
/// ```
/// assert_eq!(tthc_io::Format::HtmlTable.name(), "html");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Office Open XML workbook (.xlsx, .xlsm).
    Xlsx,
    /// Excel binary workbook (.xlsb).
    Xlsb,
    /// Excel 97-2003 workbook (BIFF, .xls).
    Xls,
    /// OpenDocument spreadsheet (.ods).
    Ods,
    /// Delimited text.
    Csv,
    /// An HTML table (often saved with an .xls name).
    HtmlTable,
    /// The national sync standard's JSON (`{"data": [...]}` or a bare list of records).
    Json,
}

impl Format {
    /// A short stable name: `xlsx`, `xlsb`, `xls`, `ods`, `csv`, `html`, `json`.
    ///
    /// # Example
    /// see [`Format`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Xlsb => "xlsb",
            Self::Xls => "xls",
            Self::Ods => "ods",
            Self::Csv => "csv",
            Self::HtmlTable => "html",
            Self::Json => "json",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Rows of the file that are not in the table, and why (a run of rows for one reason).
///
/// # Example
/// ```
/// let s = tthc_io::Skipped { first: 9, last: 9, reason: "footer".into() };
/// assert_eq!(s.rows(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// First 1-based row.
    pub first: u64,
    /// Last 1-based row (inclusive).
    pub last: u64,
    /// Why: `"empty"`, or `"footer: ..."` with the row's text.
    pub reason: String,
}

impl Skipped {
    /// How many rows.
    ///
    /// # Example
    /// see [`Skipped`].
    pub fn rows(&self) -> u64 {
        self.last - self.first + 1
    }
}

/// A file read into one record batch: the known columns under their canonical names (the
/// mapping found is [`Export::mapping`]), every other column under its own name, and
/// `source_row` (`int64`, the 1-based row in the sheet or file) last. The batch's schema
/// metadata carries the same facts as JSON (`tthc_metrics.mapping`, `tthc_metrics.source`,
/// `tthc_metrics.skipped_rows`, and the vocabulary given in the options).
///
/// # Example
/// ```
/// let csv = "Mã hồ sơ;Ngày tiếp nhận;Trạng thái;Ghi chú\nH1;02/10/2023 08:00;Đang xử lý;x\n";
/// let e = tthc_io::read_export_bytes(csv.as_bytes(), "a.csv", &Default::default()).unwrap();
/// assert_eq!(e.format, tthc_io::Format::Csv);
/// assert_eq!(e.header_row, Some(1));
/// let names: Vec<_> = e.batch.schema().fields().iter().map(|f| f.name().clone()).collect();
/// assert_eq!(names, ["dossier_id", "received_at", "status", "Ghi chú", "source_row"]);
/// assert_eq!(e.mapping[1], ("received_at", "Ngày tiếp nhận".to_string()));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Export {
    /// The table.
    pub batch: RecordBatch,
    /// The kind of file.
    pub format: Format,
    /// The sheet read (workbooks), else `None`.
    pub sheet: Option<String>,
    /// The 1-based header row (`None` for JSON, whose records carry their names).
    pub header_row: Option<u64>,
    /// Rows left out (empty rows, footers), in order.
    pub skipped: Vec<Skipped>,
    /// `(canonical field, the file's header)` for every known column, in canonical order.
    pub mapping: Vec<(&'static str, String)>,
}
