//! # tthc-metrics
//!
//! Exact figures for Vietnamese administrative-procedure dossiers (hồ sơ thủ tục hành chính):
//! on-time resolution, the overdue backlog, the online-submission share, and the index points they
//! earn or lose. Definitions follow the project's `domain-rules.md`; every rate is an exact
//! fraction and every policy is named.
//!
//! The crate is pure: no I/O, no Python. Data flows one way: a front end builds columns
//! ([`columnar::Columns`]; the record API [`report`] is one such front end), the preparation
//! stage validates them once ([`columnar::prepare`]), the kernel counts, and reports, tallies
//! ([`Summary`]), scores and forms read the counts. Modules are private; the API is re-exported
//! flat, except the columnar pipeline, in [`columnar`].
//!
//! The design notes follow.
//!
#![doc = include_str!("../../../DESIGN.md")]
#![deny(missing_docs)]

#[macro_use]
mod macros;

mod budget;
mod calendar;
mod classify;
pub mod columnar;
mod dossier;
mod error;
mod forms;
mod holidays;
pub(crate) mod kernel;
mod lunar;
mod names;
mod period;
mod quality;
mod rate;
mod records;
mod report;
mod schedule;
// the file parser (feature `formats`) uses all of the shared model; without it some is idle
#[cfg_attr(not(feature = "formats"), allow(dead_code))]
mod schedule_model;
#[cfg(feature = "formats")]
mod schedule_toml;
mod scoring;
mod summary;
mod tally;
mod unit;
mod validate;
mod vocabulary;

pub use budget::{thousands, MemoryBudget, REJECTION_BYTES};
pub use calendar::{
    Calendar, CalendarBuilder, DayOff, DayOffKind, LunarDate, MakeUpDay, OfficeHours,
    SaturdaySwapPolicy, TimeLimit,
};
pub use classify::{
    classify, classify_facts, local_seconds, ClassifyOptions, Comparison, DueDateChoice, Facts,
    Outcome, SupplementRule,
};
pub use columnar::{Duplicate, DuplicatePolicy};
pub use dossier::{
    vietnam_civil_time, Channel, Dossier, OnlineService, Status, StatusGroup,
    VIETNAM_UTC_OFFSET_SECONDS,
};
pub use error::{Error, RejectReason, Rejection, Result};
pub use forms::{
    methods, one_decimal_percent, period_name, reporting_deadline, vietnamese_date, Bieu06a,
    Bieu06aOptions, BucketPolicy, FormCounts, FormGap, FormHeader, FormRow, FormRowKind, FormRows,
    HeaderCell, MethodKind, MethodRow, WeeklyFlag, WeeklyOptions, WeeklyReport, WeeklyRow,
    FORM_CODE,
};
pub use names::{clean_name, name_key, vietnamese_order, NameCoder, NameTable};
pub use period::{date_of_day, day_number, CutDay, Granularity, Period};
pub use quality::{quality, QualityCounts, QualityOptions, QualityReport, QualityRow};
pub use rate::{Compare, OnTimePolicy, OnlinePolicy, Rate, Rounding, Threshold, ThresholdOp};
pub use report::{report, report_on, tally, GroupBy, OnError, Report, ReportOptions, Row, View};
pub use schedule::{Schedule, ScheduledDayOff, ScheduledWorkingDay, YearSchedule};
pub use scoring::{
    project, recovery, score, score_units, Band, Better, Confidence, Criterion, CriterionScore,
    CriterionStatus, DossierKind, EdgeOp, Effective, Metric, MetricValue, NoDataRule, Projected,
    Projection, Recovery, RecoveryGoal, RecoveryOptions, RecoverySource, Rubric, RubricSpec, Rule,
    Score, ScoreInputs, UnitScore,
};
pub use summary::{Provenance, Summary};
pub use tally::Tally;
pub use unit::{Unit, UnitKind, UnitTree};
pub use vocabulary::{
    fold_name, integer_text, Vocabulary, CHANNEL_NAMES, ONLINE_SERVICE_NAMES, STATUS_NAMES,
    YES_NO_NAMES,
};

// re-exported so that callers name the same types the API takes
pub use chrono;
pub use rust_decimal;

/// The README's Rust examples, compiled and run as doctests (they read rubric presets: feature
/// `formats`).
#[cfg(all(doctest, feature = "formats"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
