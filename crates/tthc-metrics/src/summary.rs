//! A tally with its provenance: the counts, the cut-off and window they were taken at, the
//! classification and rate policies they are read under. What travels between processes (Spark
//! partitions, Dask workers, a cache) and merges only with its own kind.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::classify::{local_seconds, ClassifyOptions, Comparison, DueDateChoice, SupplementRule};
use crate::columnar::DuplicatePolicy;
use crate::error::{Error, Result};
use crate::period::{date_of_day, day_number};
use crate::rate::{OnTimePolicy, OnlinePolicy, Rate};
use crate::report::ReportOptions;
use crate::tally::Tally;

/// What a tally was computed under: its cut-off, the window's requested start, the
/// classification options and repeat policy, and the rate policies it is read under.
///
/// # Example
/// ```
/// use tthc_metrics::{Provenance, ReportOptions, OnTimePolicy};
/// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let p = Provenance::of(&o).rate_policy(OnTimePolicy::Decision766);
/// assert_eq!(p.rate_policy, OnTimePolicy::Decision766);
/// assert_eq!(p.as_of, o.as_of);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Provenance {
    /// The cut-off.
    pub as_of: NaiveDateTime,
    /// The window's requested first day (`None`: every reception up to the cut-off).
    pub start: Option<NaiveDate>,
    /// Classification options.
    pub classify: ClassifyOptions,
    /// Which row of a repeated dossier id counted.
    pub duplicates: DuplicatePolicy,
    /// The on-time rate policy the tally's rate is read under.
    pub rate_policy: OnTimePolicy,
    /// The online share policy the tally's share is read under.
    pub online_policy: OnlinePolicy,
}

impl Provenance {
    /// The provenance of a tally computed with `options` (default rate policies).
    ///
    /// # Example
    /// see [`Provenance`].
    pub fn of(options: &ReportOptions) -> Self {
        Self {
            as_of: options.as_of,
            start: options.start,
            classify: options.classify,
            duplicates: options.duplicates,
            rate_policy: OnTimePolicy::default(),
            online_policy: OnlinePolicy::default(),
        }
    }

    /// Sets the on-time rate policy.
    ///
    /// # Example
    /// see [`Provenance`].
    #[must_use]
    pub fn rate_policy(mut self, p: OnTimePolicy) -> Self {
        self.rate_policy = p;
        self
    }

    /// Sets the online share policy.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Provenance, ReportOptions, OnlinePolicy};
    /// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
    /// assert_eq!(Provenance::of(&o).online_policy(OnlinePolicy::FullProcess).online_policy, OnlinePolicy::FullProcess);
    /// ```
    #[must_use]
    pub fn online_policy(mut self, p: OnlinePolicy) -> Self {
        self.online_policy = p;
        self
    }

    fn describe(&self) -> String {
        format!(
            "as_of={}, start={}, comparison={}, supplement_rule={}, due_date={}, duplicates={}, rate_policy={}, online_policy={}",
            self.as_of,
            self.start.map_or_else(|| "none".into(), |d| d.to_string()),
            self.classify.comparison.name(),
            self.classify.supplement_rule.name(),
            self.classify.due_date.name(),
            self.duplicates.name(),
            self.rate_policy.name(),
            self.online_policy.name(),
        )
    }
}

/// A [`Tally`] with its [`Provenance`] (`None` for the empty summary, the identity of
/// [`Summary::merge`], so that partial results can be summed from nothing).
///
/// # Example
/// ```
/// use tthc_metrics::{tally, Dossier, ReportOptions, Status, Summary};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let a = tally(&[Dossier::new("1", "U", at, Status::Processing)], &o).unwrap();
/// let b = tally(&[Dossier::new("2", "U", at, Status::Withdrawn)], &o).unwrap();
/// let both = Summary::default().merge(&a).unwrap().merge(&b).unwrap();
/// assert_eq!(both.tally.handled(), 2);
/// let bytes = both.to_bytes();
/// assert_eq!(Summary::from_bytes(&bytes).unwrap(), both);
/// let later = tally(&[], &ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 17).unwrap())).unwrap();
/// assert_eq!(both.merge(&later).unwrap_err().code(), "mismatch");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Summary {
    /// The counts.
    pub tally: Tally,
    /// What they were computed under (`None`: the empty summary).
    pub provenance: Option<Provenance>,
}

/// The first bytes of an encoded summary, and its format version.
const MAGIC: &[u8; 8] = b"tthc-sum";
const VERSION: u16 = 1;
/// Counts in an encoded summary (the fields of [`Tally`], in declaration order).
const COUNTS: usize = 20;

impl Summary {
    /// A summary of `tally` computed under `provenance`.
    ///
    /// # Example
    /// see [`Summary`].
    pub fn new(tally: Tally, provenance: Provenance) -> Self {
        Self {
            tally,
            provenance: Some(provenance),
        }
    }

    /// The exact sum of two summaries of the same kind.
    ///
    /// # Errors
    /// [`Error::Mismatch`] when both have provenances and they differ (another cut-off, window
    /// start or policy); [`Error::Overflow`] when a count would exceed `i64::MAX`.
    ///
    /// # Example
    /// see [`Summary`].
    pub fn merge(&self, other: &Summary) -> Result<Summary> {
        let provenance = match (self.provenance, other.provenance) {
            (Some(a), Some(b)) if a != b => {
                return Err(Error::Mismatch {
                    what: "provenances",
                    left: a.describe(),
                    right: b.describe(),
                })
            }
            (a, b) => a.or(b),
        };
        Ok(Summary {
            tally: self.tally.checked_add(&other.tally)?,
            provenance,
        })
    }

    /// The on-time rate under the provenance's policy (the default policy for the empty summary).
    ///
    /// # Errors
    /// As [`Tally::on_time_rate`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Summary, Tally};
    /// let s = Summary { tally: Tally { on_time: 3, late: 1, ..Tally::default() }, provenance: None };
    /// assert_eq!(s.on_time_rate().unwrap().denominator(), 4);
    /// ```
    pub fn on_time_rate(&self) -> Result<Rate> {
        self.tally.on_time_rate(
            self.provenance
                .map_or_else(OnTimePolicy::default, |p| p.rate_policy),
        )
    }

    /// `1 − on_time_rate()`.
    ///
    /// # Errors
    /// As [`Tally::on_time_rate`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Summary, Tally};
    /// let s = Summary { tally: Tally { on_time: 3, late: 1, ..Tally::default() }, provenance: None };
    /// assert_eq!(s.late_rate().unwrap().numerator(), 1);
    /// ```
    pub fn late_rate(&self) -> Result<Rate> {
        self.on_time_rate().map(|r| r.complement())
    }

    /// The online share under the provenance's policy.
    ///
    /// # Errors
    /// As [`Tally::online_share`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Summary, Tally};
    /// let s = Summary { tally: Tally { eligible: 4, eligible_online: 3, ..Tally::default() }, provenance: None };
    /// assert_eq!(s.online_share().unwrap().numerator(), 3);
    /// ```
    pub fn online_share(&self) -> Result<Rate> {
        self.tally.online_share(
            self.provenance
                .map_or_else(OnlinePolicy::default, |p| p.online_policy),
        )
    }

    /// The summary as bytes: a versioned binary encoding (magic, version, the counts, the
    /// provenance) that [`Summary::from_bytes`] reads back exactly.
    ///
    /// # Example
    /// see [`Summary`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let t = &self.tally;
        let counts: [u64; COUNTS] = [
            t.early,
            t.on_time,
            t.late,
            t.within_due,
            t.overdue,
            t.awaiting_supplement,
            t.awaiting_payment,
            t.refused,
            t.withdrawn,
            t.stopped,
            t.not_received,
            t.outside_window,
            t.carried_over,
            t.received_online,
            t.received_direct,
            t.received_post,
            t.eligible,
            t.eligible_online,
            t.full_process_online,
            t.synced,
        ];
        let mut out = Vec::with_capacity(8 + 2 + 2 + COUNTS * 8 + 24);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(COUNTS as u16).to_le_bytes());
        for c in counts {
            out.extend_from_slice(&c.to_le_bytes());
        }
        match self.provenance {
            None => out.push(0),
            Some(p) => {
                out.push(1);
                out.extend_from_slice(&local_seconds(p.as_of).to_le_bytes());
                out.extend_from_slice(&p.start.map_or(i32::MIN, day_number).to_le_bytes());
                out.push(index_of(Comparison::NAMES, p.classify.comparison.name()));
                out.push(index_of(
                    SupplementRule::NAMES,
                    p.classify.supplement_rule.name(),
                ));
                out.push(index_of(DueDateChoice::NAMES, p.classify.due_date.name()));
                out.push(index_of(DUPLICATE_NAMES, p.duplicates.name()));
                out.push(index_of(&ON_TIME_NAMES, p.rate_policy.name()));
                out.push(index_of(&ONLINE_NAMES, p.online_policy.name()));
            }
        }
        out
    }

    /// Reads [`Summary::to_bytes`]' encoding.
    ///
    /// # Errors
    /// [`Error::Parse`] for bytes that are not a summary (another format, a newer version, a
    /// truncated or corrupt blob), saying what was wrong.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Summary;
    /// let err = Summary::from_bytes(b"not a tally").unwrap_err();
    /// assert_eq!(err.code(), "parse_error");
    /// let mut b = Summary::default().to_bytes();
    /// b.truncate(20);
    /// assert!(Summary::from_bytes(&b).unwrap_err().to_string().contains("truncated"));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Summary> {
        let bad = |message: String| Error::Parse {
            format: "tally bytes",
            message,
        };
        let mut r = Reader { bytes, at: 0 };
        if r.take(8).map_err(bad)? != MAGIC {
            return Err(bad(
                "not a tally: the bytes do not start with the tthc-metrics tally marker".into(),
            ));
        }
        let version = u16::from_le_bytes(r.array().map_err(bad)?);
        if version != VERSION {
            return Err(bad(format!(
                "format version {version}, this library reads version {VERSION}: use the same tthc-metrics version on both sides"
            )));
        }
        let n = u16::from_le_bytes(r.array().map_err(bad)?) as usize;
        if n != COUNTS {
            return Err(bad(format!("{n} counts, expected {COUNTS}")));
        }
        let mut c = [0u64; COUNTS];
        for v in &mut c {
            *v = u64::from_le_bytes(r.array().map_err(bad)?);
        }
        let tally = Tally {
            early: c[0],
            on_time: c[1],
            late: c[2],
            within_due: c[3],
            overdue: c[4],
            awaiting_supplement: c[5],
            awaiting_payment: c[6],
            refused: c[7],
            withdrawn: c[8],
            stopped: c[9],
            not_received: c[10],
            outside_window: c[11],
            carried_over: c[12],
            received_online: c[13],
            received_direct: c[14],
            received_post: c[15],
            eligible: c[16],
            eligible_online: c[17],
            full_process_online: c[18],
            synced: c[19],
        };
        let provenance = match r.take(1).map_err(bad)?[0] {
            0 => None,
            1 => {
                let as_of = i64::from_le_bytes(r.array().map_err(bad)?);
                let as_of = chrono::DateTime::from_timestamp(as_of, 0)
                    .map(|t| t.naive_utc())
                    .ok_or_else(|| bad(format!("cut-off {as_of} out of range")))?;
                let start = i32::from_le_bytes(r.array().map_err(bad)?);
                let start = if start == i32::MIN {
                    None
                } else {
                    Some(date_of_day(start).ok_or_else(|| bad(format!("start day {start}")))?)
                };
                let mut pick = |names: &[&'static str], what: &str| -> Result<&'static str> {
                    let k = r.take(1).map_err(bad)?[0] as usize;
                    names
                        .get(k)
                        .copied()
                        .ok_or_else(|| bad(format!("{what} {k} is not known")))
                };
                let comparison = pick(Comparison::NAMES, "comparison")?;
                let supplement = pick(SupplementRule::NAMES, "supplement rule")?;
                let due = pick(DueDateChoice::NAMES, "due date choice")?;
                let dup = pick(DUPLICATE_NAMES, "duplicates policy")?;
                let rate = pick(&ON_TIME_NAMES, "rate policy")?;
                let online = pick(&ONLINE_NAMES, "online policy")?;
                Some(Provenance {
                    as_of,
                    start,
                    classify: ClassifyOptions {
                        comparison: comparison.parse()?,
                        supplement_rule: supplement.parse()?,
                        due_date: due.parse()?,
                    },
                    duplicates: dup.parse()?,
                    rate_policy: rate.parse()?,
                    online_policy: online.parse()?,
                })
            }
            k => return Err(bad(format!("provenance marker {k}"))),
        };
        if r.at != bytes.len() {
            return Err(bad(format!(
                "{} bytes after the end of the tally",
                bytes.len() - r.at
            )));
        }
        Ok(Summary { tally, provenance })
    }
}

const DUPLICATE_NAMES: &[&str] = &["most_advanced", "last", "first", "keep_all"];
const ON_TIME_NAMES: [&str; 4] = [
    "resolved_only",
    "decision_766",
    "due_in_period",
    "late_share",
];
const ONLINE_NAMES: [&str; 4] = [
    "eligible_only",
    "decision_766",
    "full_process",
    "online_vs_counter",
];

fn index_of(names: &[&str], name: &str) -> u8 {
    names.iter().position(|n| *n == name).unwrap_or(0) as u8
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end = self.at + n;
        let s = self.bytes.get(self.at..end).ok_or_else(|| {
            format!(
                "truncated: {} bytes, more expected after byte {}",
                self.bytes.len(),
                self.at
            )
        })?;
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], String> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_tables_match_the_enums() {
        assert_eq!(
            ON_TIME_NAMES.to_vec(),
            OnTimePolicy::ALL.map(OnTimePolicy::name).to_vec()
        );
        assert_eq!(
            ONLINE_NAMES.to_vec(),
            OnlinePolicy::ALL.map(OnlinePolicy::name).to_vec()
        );
        for n in DUPLICATE_NAMES {
            assert_eq!(n.parse::<DuplicatePolicy>().unwrap().name(), *n);
        }
    }
}
