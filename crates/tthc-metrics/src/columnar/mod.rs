//! The columnar pipeline, for front ends that hold their data in columns (the Arrow adapter, the
//! file readers, a service's own buffers): build [`Columns`] chunks, [`prepare`] them once (due
//! dates resolved, rows validated, repeats found), then run any number of reports
//! ([`report`]), tallies or quality reports ([`quality`]) on the [`Prepared`] table.
//!
//! ```
//! use tthc_metrics::{MemoryBudget, NameTable, ReportOptions, Status};
//! use tthc_metrics::columnar::{self, Columns, Names, PrepareOptions, TimeColumn};
//! let received = [19_631 * 86_400i64];
//! let status = [Status::Processing.column_code()];
//! let units = NameTable::from_labels(["Phòng Y tế"]);
//! let codes = [1u32];
//! let cols = Columns::builder(TimeColumn::local(&received), (&status).into())
//!     .unit(Names::new((&codes).into(), &units))
//!     .build().unwrap();
//! let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
//! let mut budget = MemoryBudget::new(o.memory_limit);
//! let p = columnar::prepare(&[cols], Vec::new(), &PrepareOptions::from(&o), None, &mut budget).unwrap();
//! let r = columnar::report(&p, &o, &mut budget).unwrap();
//! assert_eq!(r.rows[0].group.as_deref(), Some("Phòng Y tế"));
//! ```

mod codes;
mod duplicates;
mod prepare;
mod table;
mod time;

pub use codes::{CodeValues, Codes};
pub use duplicates::{Duplicate, DuplicatePolicy};
pub use prepare::{prepare, PrepareOptions, Prepared};
pub use table::{Columns, ColumnsBuilder, Names, TextColumn};
pub use time::{TimeColumn, TimeEncoding, TimeValues, Validity, NULL_DAY};

pub use crate::kernel::KernelPath;
pub use crate::quality::{quality_chunks as quality_of_chunks, quality_prepared as quality};
pub use crate::report::{report_chunks, report_on_path, report_prepared as report};

pub(crate) use prepare::{
    fmt_seconds, prepare_with, window_start_day, BlockScreen, ScreenChunk, SCREEN_BLOCK,
};
pub(crate) use time::{RawTime, RawValues, NONE, NO_DAY};
