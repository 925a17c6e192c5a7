//! The columnar dossier table every front end builds: [`Columns`], one chunk of rows, with a
//! builder that checks the column lengths once.

use std::borrow::Cow;
use std::fmt;

use crate::columnar::codes::Codes;
use crate::columnar::time::TimeColumn;
use crate::error::{Error, Result};
use crate::names::NameTable;

/// A text column whose rows a report can show (dossier ids in rejections): a front end's own
/// strings, an Arrow string array, a column of records.
///
/// # Example
/// ```
/// use tthc_metrics::columnar::TextColumn;
/// let ids = vec!["H1".to_string(), "H2".to_string()];
/// assert_eq!(TextColumn::len(&ids), 2);
/// assert_eq!(ids.text(1).as_deref(), Some("H2"));
/// assert_eq!(ids.text(5), None);
/// ```
pub trait TextColumn: Sync {
    /// Number of rows.
    fn len(&self) -> usize;
    /// Whether there is no row.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Row `row`'s text, `None` when null or past the end.
    fn text(&self, row: usize) -> Option<Cow<'_, str>>;
    /// Hands rows `lo..hi` to `f` in order, each as the bytes of its [`TextColumn::text`]
    /// (`None` when null), borrowed: the search for repeated ids reads every row this way. The
    /// default goes through `text`; a column that holds its rows as Arrow does reads them in
    /// one pass, without a `Cow` and a type test a row.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::columnar::TextColumn;
    /// let ids = vec!["H1".to_string(), "H2".to_string(), "H3".to_string()];
    /// let mut seen = Vec::new();
    /// ids.for_each_bytes(1, 3, &mut |i, b| seen.push((i, b.map(<[u8]>::to_vec))));
    /// assert_eq!(seen, [(1, Some(b"H2".to_vec())), (2, Some(b"H3".to_vec()))]);
    /// ```
    fn for_each_bytes(&self, lo: usize, hi: usize, f: &mut dyn FnMut(usize, Option<&[u8]>)) {
        for i in lo..hi {
            let t = self.text(i);
            f(i, t.as_deref().map(str::as_bytes));
        }
    }
}

impl TextColumn for [String] {
    fn len(&self) -> usize {
        <[String]>::len(self)
    }
    fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        self.get(row).map(|s| Cow::Borrowed(s.as_str()))
    }
}

impl TextColumn for Vec<String> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        self.get(row).map(|s| Cow::Borrowed(s.as_str()))
    }
}

impl TextColumn for [&str] {
    fn len(&self) -> usize {
        <[&str]>::len(self)
    }
    fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        self.get(row).map(|s| Cow::Borrowed(*s))
    }
}

/// A names column (unit, procedure, field): a group code a row into a shared [`NameTable`]
/// (code 0: blank). Every chunk of a table shares one `NameTable`, so codes mean the same in all.
///
/// # Example
/// ```
/// use tthc_metrics::NameTable;
/// use tthc_metrics::columnar::Names;
/// let t = NameTable::from_labels(["Phòng Y tế"]);
/// let n = Names::new((&[1u32, 0][..]).into(), &t);
/// assert_eq!((n.code(0), n.code(1)), (1, 0));
/// assert_eq!(n.table().label(1), "Phòng Y tế");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    codes: Codes<'a, u32>,
    table: &'a NameTable,
}

impl<'a> Names<'a> {
    /// A names column.
    ///
    /// # Example
    /// see [`Names`].
    pub fn new(codes: Codes<'a, u32>, table: &'a NameTable) -> Self {
        Self { codes, table }
    }

    /// The codes.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{NameTable, columnar::Names};
    /// let t = NameTable::from_labels(["A"]);
    /// assert_eq!(Names::new((&[1u32][..]).into(), &t).codes().len(), 1);
    /// ```
    pub fn codes(&self) -> Codes<'a, u32> {
        self.codes
    }

    /// The shared table of groups.
    ///
    /// # Example
    /// see [`Names`].
    pub fn table(&self) -> &'a NameTable {
        self.table
    }

    /// Row `i`'s group code (0 past the end).
    ///
    /// # Example
    /// see [`Names`].
    pub fn code(&self, i: usize) -> u32 {
        self.codes.get(i, 0)
    }

    /// Number of rows.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{NameTable, columnar::Names};
    /// let t = NameTable::default();
    /// assert!(Names::new((&[][..]).into(), &t).is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the column has no row.
    ///
    /// # Example
    /// see [`Names::len`].
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// One chunk of the dossier table in columns (domain-rules section 2), as every front end hands
/// it to the preparation stage ([`prepare`](crate::columnar::prepare)): the record API, the Arrow
/// adapter, the file readers. Build it with [`Columns::builder`]; fields are public for reading.
///
/// Time columns may be absent (all null); coded columns are [`Codes`] borrowed as they arrive
/// (status: [`Status::column_code`](crate::Status::column_code) values, `0` for none; channel
/// 1–3, `0` for not given (counted as direct); online level 0 none, 1 partial, 2 full). `skip`
/// lists the rows (ascending) a front end rejected while decoding; it reports them itself.
///
/// # Example
/// ```
/// use tthc_metrics::{NameTable, Status};
/// use tthc_metrics::columnar::{Columns, Names, TimeColumn};
/// let received = [0i64, 86_400];
/// let status = [Status::Processing.column_code(); 2];
/// let units = NameTable::from_labels(["Phòng Tư pháp"]);
/// let codes = [1u32, 1];
/// let cols = Columns::builder(TimeColumn::local(&received), (&status).into())
///     .unit(Names::new((&codes).into(), &units))
///     .build()
///     .unwrap();
/// assert_eq!(cols.len(), 2);
/// let short = [1u32];
/// let err = Columns::builder(TimeColumn::local(&received), (&status).into())
///     .unit(Names::new((&short).into(), &units))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "invalid columns: column unit has 1 rows but the status column has 2");
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct Columns<'a> {
    /// Reception times (required; a null is a rejected row unless never received).
    pub received: TimeColumn<'a>,
    /// Due date-times on the reception slip (null: none on record).
    pub due: TimeColumn<'a>,
    /// End-of-processing times (null: not finished).
    pub finished: TimeColumn<'a>,
    /// When the result was returned to the citizen: the end of processing where `finished` has
    /// none (domain-rules section 2: the clock stops at the one-stop desk; if only the return is
    /// recorded, it is used).
    pub returned: TimeColumn<'a>,
    /// The apology letter's new appointment (read under `DueDateChoice::Rescheduled`).
    pub rescheduled_due: TimeColumn<'a>,
    /// Submission times (ngày nộp), for the reception-timeliness check.
    pub submitted: TimeColumn<'a>,
    /// When an apology letter was issued (non-null: issued).
    pub apology_issued_at: TimeColumn<'a>,
    /// Status column codes.
    pub status: Codes<'a, u8>,
    /// Channel codes 1–3 (`None`: all direct; `0`: not given, counted as direct).
    pub channel: Option<Codes<'a, u8>>,
    /// Online-service codes 0 none, 1 partial, 2 full (`None`: all none).
    pub online_service: Option<Codes<'a, u8>>,
    /// Supplement request counts (`None`: all 0).
    pub supplement_requests: Option<&'a [u32]>,
    /// Portal sync flags (`None`: all synced).
    pub synced: Option<&'a [bool]>,
    /// Whether an apology letter was issued.
    pub apology_issued: Option<&'a [bool]>,
    /// Working days the procedure allows, where a due date must be computed on a calendar.
    pub duration_days: Option<&'a [Option<u32>]>,
    /// Units (required when grouping by unit; a blank unit is a rejected row).
    pub unit: Option<Names<'a>>,
    /// Procedures.
    pub procedure: Option<Names<'a>>,
    /// Fields (lĩnh vực).
    pub field: Option<Names<'a>>,
    /// Dossier identifiers (mã hồ sơ): named in rejections, and a repeated id is one dossier.
    pub dossier_id: Option<&'a dyn TextColumn>,
    /// Rows rejected while decoding (ascending), reported by the front end.
    pub skip: &'a [usize],
    /// The front end's own name of each canonical field it read (`("received_at", "Ngày tiếp
    /// nhận")`): rejections name the column as the user knows it.
    pub column_names: &'a [(&'static str, String)],
}

impl fmt::Debug for Columns<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Columns")
            .field("rows", &self.len())
            .field("skip", &self.skip.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Columns<'a> {
    /// A builder with the two required columns; every other column absent.
    ///
    /// # Example
    /// see [`Columns`].
    pub fn builder(received: TimeColumn<'a>, status: Codes<'a, u8>) -> ColumnsBuilder<'a> {
        ColumnsBuilder {
            cols: Columns {
                received,
                due: TimeColumn::absent(),
                finished: TimeColumn::absent(),
                returned: TimeColumn::absent(),
                rescheduled_due: TimeColumn::absent(),
                submitted: TimeColumn::absent(),
                apology_issued_at: TimeColumn::absent(),
                status,
                channel: None,
                online_service: None,
                supplement_requests: None,
                synced: None,
                apology_issued: None,
                duration_days: None,
                unit: None,
                procedure: None,
                field: None,
                dossier_id: None,
                skip: &[],
                column_names: &[],
            },
        }
    }

    /// The front end's name of a canonical field (the field itself when it has none).
    pub(crate) fn column_name(&self, field: &'static str) -> String {
        self.column_names
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| field.to_string(), |(_, n)| n.clone())
    }

    /// Number of rows (the length of `status`).
    ///
    /// # Example
    /// see [`Columns`].
    pub fn len(&self) -> usize {
        self.status.len()
    }

    /// The first row of each of `chunks` in the rows of all of them (a table's chunks read in
    /// order).
    pub(crate) fn starts(chunks: &[Columns<'_>]) -> Vec<usize> {
        chunks
            .iter()
            .scan(0usize, |acc, c| {
                let s = *acc;
                *acc += c.len();
                Some(s)
            })
            .collect()
    }

    /// Whether there is no row.
    ///
    /// # Example
    /// see [`Columns`].
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }

    /// The same chunk with another due column and skip list (what preparation resolved).
    pub(crate) fn resolved(
        mut self,
        due: TimeColumn<'a>,
        finished: TimeColumn<'a>,
        skip: &'a [usize],
    ) -> Self {
        self.due = due;
        self.finished = finished;
        self.skip = skip;
        self
    }

    /// Every column has the chunk's length; time columns may also be absent (empty).
    pub(crate) fn check(&self) -> Result<()> {
        let n = self.len();
        let times = [
            ("received_at", self.received.len()),
            ("due_at", self.due.len()),
            ("finished_at", self.finished.len()),
            ("returned_at", self.returned.len()),
            ("rescheduled_due_at", self.rescheduled_due.len()),
            ("submitted_at", self.submitted.len()),
            ("apology_issued_at", self.apology_issued_at.len()),
        ];
        let others = [
            ("channel", self.channel.map(|c| c.len())),
            ("online_service", self.online_service.map(|c| c.len())),
            (
                "supplement_requests",
                self.supplement_requests.map(<[u32]>::len),
            ),
            ("synced_to_portal", self.synced.map(<[bool]>::len)),
            ("apology_issued", self.apology_issued.map(<[bool]>::len)),
            (
                "duration_days",
                self.duration_days.map(<[Option<u32>]>::len),
            ),
            ("unit", self.unit.map(|c| c.len())),
            ("procedure", self.procedure.map(|c| c.len())),
            ("field", self.field.map(|c| c.len())),
            ("dossier_id", self.dossier_id.map(TextColumn::len)),
        ];
        let bad = times
            .into_iter()
            .find(|&(_, len)| len != n && len != 0)
            .or_else(|| {
                others
                    .into_iter()
                    .find_map(|(name, len)| len.filter(|&l| l != n).map(|l| (name, l)))
            });
        if let Some((name, len)) = bad {
            return Err(Error::InvalidArgument {
                name: "columns",
                reason: format!("column {name} has {len} rows but the status column has {n}"),
            });
        }
        if let Some(k) = self
            .skip
            .windows(2)
            .position(|w| w[0] >= w[1])
            .map(|k| k + 1)
            .or_else(|| {
                self.skip
                    .last()
                    .filter(|&&r| r >= n)
                    .map(|_| self.skip.len() - 1)
            })
        {
            return Err(Error::InvalidArgument {
                name: "columns",
                reason: format!(
                    "skip list entry {k} ({}) is not an ascending row index below {n}",
                    self.skip[k]
                ),
            });
        }
        let tables = [self.unit, self.procedure, self.field];
        for names in tables.iter().flatten() {
            if let Some(max) = names.codes.max_code() {
                if max as usize >= names.table.len().max(1) {
                    return Err(Error::InvalidArgument {
                        name: "columns",
                        reason: format!(
                            "a names column reads code {max}, its table has {} names",
                            names.table.len()
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Builds a [`Columns`] chunk (see there); [`ColumnsBuilder::build`] checks the lengths.
#[derive(Debug, Clone, Copy)]
pub struct ColumnsBuilder<'a> {
    cols: Columns<'a>,
}

macro_rules! setter {
    ($(#[$doc:meta])* $name:ident: $t:ty => $field:ident $(, $wrap:ident)?) => {
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, value: $t) -> Self {
            self.cols.$field = setter!(@wrap value $(, $wrap)?);
            self
        }
    };
    (@wrap $v:ident) => { $v };
    (@wrap $v:ident, Some) => { Some($v) };
}

impl<'a> ColumnsBuilder<'a> {
    setter!(/// Due date-times.
        due: TimeColumn<'a> => due);
    setter!(/// End-of-processing times.
        finished: TimeColumn<'a> => finished);
    setter!(/// Result return times.
        returned: TimeColumn<'a> => returned);
    setter!(/// The apology's new appointments.
        rescheduled_due: TimeColumn<'a> => rescheduled_due);
    setter!(/// Submission times.
        submitted: TimeColumn<'a> => submitted);
    setter!(/// Apology issue times.
        apology_issued_at: TimeColumn<'a> => apology_issued_at);
    setter!(/// Channel codes.
        channel: Codes<'a, u8> => channel, Some);
    setter!(/// Online-service codes.
        online_service: Codes<'a, u8> => online_service, Some);
    setter!(/// Supplement request counts.
        supplement_requests: &'a [u32] => supplement_requests, Some);
    setter!(/// Portal sync flags.
        synced: &'a [bool] => synced, Some);
    setter!(/// Apology flags.
        apology_issued: &'a [bool] => apology_issued, Some);
    setter!(/// Working days allowed.
        duration_days: &'a [Option<u32>] => duration_days, Some);
    setter!(/// Units.
        unit: Names<'a> => unit, Some);
    setter!(/// Procedures.
        procedure: Names<'a> => procedure, Some);
    setter!(/// Fields (lĩnh vực).
        field: Names<'a> => field, Some);
    setter!(/// Dossier identifiers.
        dossier_id: &'a dyn TextColumn => dossier_id, Some);
    setter!(/// Rows rejected while decoding (ascending).
        skip: &'a [usize] => skip);
    setter!(/// The front end's names of the canonical fields.
        column_names: &'a [(&'static str, String)] => column_names);

    /// The chunk.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a column whose length is not the status column's, a skip
    /// list that is not ascending, or a names code outside its table.
    ///
    /// # Example
    /// see [`Columns`].
    pub fn build(self) -> Result<Columns<'a>> {
        self.cols.check()?;
        Ok(self.cols)
    }
}
