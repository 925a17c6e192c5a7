//! The record API as a front end: `&[Dossier]` becomes one chunk of [`Columns`], with no
//! validation of its own (the preparation stage validates every front end's rows alike).

use std::borrow::Cow;

use crate::budget::{thousands, MemoryBudget};
use crate::classify::local_seconds;
use crate::columnar::{Columns, Names, TextColumn, TimeColumn, Validity};
use crate::dossier::Dossier;
use crate::error::Result;
use crate::names::{NameCoder, NameTable};

/// Bytes a row of [`Records`] takes: six times (48), their validity bits, status, channel,
/// online level, sync and apology flags (5), supplements, duration and three name codes (24).
pub(crate) const RECORD_ROW_BYTES: u64 = 80;

/// The dossier ids of records, as a text column.
pub(crate) struct DossierIds<'a>(&'a [Dossier]);

impl TextColumn for DossierIds<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn text(&self, row: usize) -> Option<Cow<'_, str>> {
        self.0
            .get(row)
            .map(|d| Cow::Borrowed(d.dossier_id.as_str()))
    }
}

/// A time column of records: local seconds and validity bits.
#[derive(Default)]
struct Times {
    values: Vec<i64>,
    valid: Vec<u8>,
}

impl Times {
    fn of(values: impl Iterator<Item = Option<chrono::NaiveDateTime>>) -> Self {
        let mut t = Times::default();
        for (i, v) in values.enumerate() {
            if i % 8 == 0 {
                t.valid.push(0);
            }
            t.values.push(v.map_or(0, local_seconds));
            if v.is_some() {
                t.valid[i / 8] |= 1 << (i % 8);
            }
        }
        t
    }

    fn column(&self) -> TimeColumn<'_> {
        TimeColumn::local(&self.values).with_validity(Some(Validity::new(&self.valid, 0)), false)
    }
}

/// A names column of records.
struct Coded {
    codes: Vec<u32>,
    table: NameTable,
}

impl Coded {
    fn of<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut c = NameCoder::new();
        let codes = names.map(|n| c.code(n)).collect();
        Self {
            codes,
            table: c.finish(),
        }
    }

    fn names(&self) -> Names<'_> {
        Names::new((&self.codes).into(), &self.table)
    }
}

/// Records converted to owned columns.
pub(crate) struct Records<'a> {
    ids: DossierIds<'a>,
    status: Vec<u8>,
    received: Vec<i64>,
    due: Times,
    finished: Times,
    rescheduled: Times,
    apology_at: Times,
    channel: Vec<u8>,
    online: Vec<u8>,
    supplements: Vec<u32>,
    synced: Vec<bool>,
    apology: Vec<bool>,
    durations: Vec<Option<u32>>,
    unit: Coded,
    procedure: Coded,
    field: Coded,
}

impl<'a> Records<'a> {
    /// Converts `dossiers`, reserving their columns in `budget`.
    pub(crate) fn new(dossiers: &'a [Dossier], budget: &mut MemoryBudget) -> Result<Self> {
        let n = dossiers.len() as u64;
        budget.reserve(
            || {
                format!(
                    "the columns of {} records ({RECORD_ROW_BYTES} bytes each)",
                    thousands(n)
                )
            },
            n.saturating_mul(RECORD_ROW_BYTES),
            "report on parts of the records and merge their tallies, or raise the memory limit",
        )?;
        let ds = dossiers;
        Ok(Self {
            ids: DossierIds(ds),
            status: ds.iter().map(|d| d.status.column_code()).collect(),
            received: ds.iter().map(|d| local_seconds(d.received_at)).collect(),
            due: Times::of(ds.iter().map(|d| d.due_at)),
            finished: Times::of(ds.iter().map(|d| d.finished_at)),
            rescheduled: Times::of(ds.iter().map(|d| d.rescheduled_due_at)),
            apology_at: Times::of(ds.iter().map(|d| d.apology_issued_at)),
            channel: ds.iter().map(|d| d.channel.code()).collect(),
            online: ds.iter().map(|d| d.online_service.column_code()).collect(),
            supplements: ds.iter().map(|d| d.supplement_requests).collect(),
            synced: ds
                .iter()
                .map(|d| d.synced_to_portal != Some(false))
                .collect(),
            apology: ds.iter().map(|d| d.apology_issued).collect(),
            durations: ds.iter().map(|d| d.duration_days).collect(),
            unit: Coded::of(ds.iter().map(|d| d.unit.as_str())),
            procedure: Coded::of(ds.iter().map(|d| d.procedure.as_str())),
            field: Coded::of(ds.iter().map(|d| d.field.as_str())),
        })
    }

    /// The records as one chunk.
    pub(crate) fn columns(&self) -> Columns<'_> {
        let mut c = Columns::builder(TimeColumn::local(&self.received), (&self.status).into())
            .due(self.due.column())
            .finished(self.finished.column())
            .rescheduled_due(self.rescheduled.column())
            .apology_issued_at(self.apology_at.column())
            .channel((&self.channel).into())
            .online_service((&self.online).into())
            .supplement_requests(&self.supplements)
            .synced(&self.synced)
            .apology_issued(&self.apology)
            .duration_days(&self.durations)
            .unit(self.unit.names())
            .procedure(self.procedure.names())
            .field(self.field.names());
        if !self.status.is_empty() {
            c = c.dossier_id(&self.ids);
        }
        // every column is built from the same records: the lengths agree
        c.build()
            .unwrap_or_else(|_| unreachable!("record columns have equal lengths"))
    }
}
