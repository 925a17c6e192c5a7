//! # tthc-metrics
//!
//! Exact figures for Vietnamese administrative-procedure dossiers (hồ sơ thủ tục hành chính):
//! on-time resolution, the overdue backlog, the online-submission share, and the index points they
//! earn or lose. Definitions follow the project's `domain-rules.md`; every rate is an exact
//! fraction and every policy is named.
//!
//! The crate is pure: no I/O, no Python. Modules are private; the API is re-exported flat.
#![deny(missing_docs)]

mod calendar;
mod classify;
mod columns;
mod dossier;
mod error;
mod holidays;
mod kernel;
mod lunar;
mod period;
mod quality;
mod rate;
mod report;
mod schedule;
// the file parser (feature `formats`) uses all of the shared model; without it some is idle
#[cfg_attr(not(feature = "formats"), allow(dead_code))]
mod schedule_model;
#[cfg(feature = "formats")]
mod schedule_toml;
mod scoring;
mod tally;
mod unit;

pub use calendar::{
    Calendar, CalendarBuilder, DayOff, DayOffKind, LunarDate, MakeUpDay, OfficeHours,
    SaturdaySwapPolicy, TimeLimit,
};
pub use classify::{
    classify, classify_facts, local_seconds, ClassifyOptions, Comparison, DueDateChoice, Facts,
    Outcome, SupplementRule,
};
pub use columns::{CodeValues, Codes, Columns, TimeColumn, TimeEncoding, TimeValues, Validity};
pub use dossier::{
    Channel, Dossier, OnlineService, Status, StatusGroup, VIETNAM_UTC_OFFSET_SECONDS,
};
pub use error::{Error, RejectReason, Rejection, Result};
pub use period::{date_of_day, day_number, Granularity, Period};
pub use quality::{
    quality, quality_chunks, ApologyColumns, QualityCounts, QualityOptions, QualityReport,
    QualityRow,
};
pub use rate::{Compare, OnTimePolicy, OnlinePolicy, Rate, Rounding, Threshold, ThresholdOp};
pub use report::{
    report, report_chunks, report_columns, tally, GroupBy, GroupCoder, OnError, Report,
    ReportOptions, Row, View,
};
pub use schedule::{Schedule, ScheduledDayOff, ScheduledWorkingDay, YearSchedule};
pub use scoring::{
    project, recovery, score, score_units, Band, Better, Confidence, Criterion, CriterionScore,
    CriterionStatus, DossierKind, EdgeOp, Effective, Metric, MetricValue, NoDataRule, Projected,
    Projection, Recovery, RecoveryGoal, RecoveryOptions, RecoverySource, Rubric, RubricSpec, Rule,
    Score, ScoreInputs, UnitScore,
};
pub use tally::Tally;
pub use unit::{name_key, Unit, UnitKind, UnitTree};

// re-exported so that callers name the same types the API takes
pub use chrono;
pub use rust_decimal;

/// The README's Rust examples, compiled and run as doctests (they read rubric presets: feature
/// `formats`).
#[cfg(all(doctest, feature = "formats"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
