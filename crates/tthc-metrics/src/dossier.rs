//! A dossier (hồ sơ) and its coded fields: status, channel, online-service level.
//!
//! Times are local civil time in Việt Nam (Asia/Ho_Chi_Minh, UTC+7, no daylight saving), held as
//! [`chrono::NaiveDateTime`]. A date without a time is midnight of that day.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, RejectReason, Rejection};

/// Offset of Vietnamese civil time from UTC, in seconds (UTC+7 all year).
pub const VIETNAM_UTC_OFFSET_SECONDS: i32 = 7 * 3600;

/// The national dossier status codes 1–10 (plus `Refused`, which portals report by name only).
///
/// Parses from the integer code or a readable English or Vietnamese name.
///
/// # Example
/// ```
/// use tthc_metrics::{Status, StatusGroup};
/// let s: Status = "10".parse().unwrap();
/// assert_eq!(s, Status::Returned);
/// assert_eq!(s.group(), StatusGroup::Finished);
/// assert_eq!("supplement".parse::<Status>().unwrap(), Status::SupplementRequested);
/// assert_eq!(Status::from_code(3).unwrap().group(), StatusGroup::NeverReceived);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// 1: registered online, not yet received.
    Registered,
    /// 2: received at the one-stop desk.
    Received,
    /// 3: not received (turned away at reception).
    NotReceived,
    /// 4: being processed.
    Processing,
    /// 5: a supplement was requested from the citizen.
    SupplementRequested,
    /// 6: waiting for the citizen's financial obligation (fees, taxes).
    FinancialObligationPending,
    /// 7: withdrawn by the citizen.
    Withdrawn,
    /// 8: processing stopped.
    Stopped,
    /// 9: processed, result at the one-stop desk (the clock stops here).
    Processed,
    /// 10: result returned to the citizen.
    Returned,
    /// Refused (no national code; reported by name).
    Refused,
}

/// What a status means for counting.
///
/// # Example
/// ```
/// use tthc_metrics::{Status, StatusGroup};
/// assert_eq!(Status::FinancialObligationPending.group(), StatusGroup::Stopped);
/// assert_eq!(Status::Processing.group(), StatusGroup::Processing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatusGroup {
    /// {1, 3}: excluded from every count.
    NeverReceived,
    /// {2, 4}.
    Processing,
    /// {5}.
    Supplement,
    /// {9, 10}.
    Finished,
    /// {7}.
    Withdrawn,
    /// {6, 8}.
    Stopped,
    /// Refused by name.
    Refused,
}

const STATUS_NAMES: &[&str] = &[
    "1..10",
    "registered",
    "received",
    "not_received",
    "processing",
    "supplement",
    "financial_obligation",
    "withdrawn",
    "stopped",
    "resolved",
    "processed",
    "returned",
    "refused",
];

impl Status {
    /// The status of a national code 1–10.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::from_code(9).unwrap(), Status::Processed);
    /// assert_eq!(Status::from_code(11).unwrap_err().code(), "unknown_name");
    /// ```
    pub fn from_code(code: i64) -> Result<Self, Error> {
        Ok(match code {
            1 => Self::Registered,
            2 => Self::Received,
            3 => Self::NotReceived,
            4 => Self::Processing,
            5 => Self::SupplementRequested,
            6 => Self::FinancialObligationPending,
            7 => Self::Withdrawn,
            8 => Self::Stopped,
            9 => Self::Processed,
            10 => Self::Returned,
            _ => return Err(Error::unknown("status", code.to_string(), STATUS_NAMES)),
        })
    }

    /// The national code, or `None` for [`Status::Refused`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::Withdrawn.code(), Some(7));
    /// assert_eq!(Status::Refused.code(), None);
    /// ```
    pub fn code(self) -> Option<u8> {
        Some(match self {
            Self::Registered => 1,
            Self::Received => 2,
            Self::NotReceived => 3,
            Self::Processing => 4,
            Self::SupplementRequested => 5,
            Self::FinancialObligationPending => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Processed => 9,
            Self::Returned => 10,
            Self::Refused => return None,
        })
    }

    /// The counting group of this status (domain-rules section 2).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Status, StatusGroup};
    /// assert_eq!(Status::Registered.group(), StatusGroup::NeverReceived);
    /// ```
    pub fn group(self) -> StatusGroup {
        match self {
            Self::Registered | Self::NotReceived => StatusGroup::NeverReceived,
            Self::Received | Self::Processing => StatusGroup::Processing,
            Self::SupplementRequested => StatusGroup::Supplement,
            Self::Processed | Self::Returned => StatusGroup::Finished,
            Self::Withdrawn => StatusGroup::Withdrawn,
            Self::FinancialObligationPending | Self::Stopped => StatusGroup::Stopped,
            Self::Refused => StatusGroup::Refused,
        }
    }

    /// A stable small integer for columnar storage (the national code; 11 for `Refused`).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::from_column_code(Status::Refused.column_code()), Some(Status::Refused));
    /// ```
    pub fn column_code(self) -> u8 {
        self.code().unwrap_or(11)
    }

    /// Inverse of [`Status::column_code`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::from_column_code(4), Some(Status::Processing));
    /// assert_eq!(Status::from_column_code(0), None);
    /// ```
    pub fn from_column_code(code: u8) -> Option<Self> {
        if code == 11 {
            Some(Self::Refused)
        } else {
            Self::from_code(i64::from(code)).ok()
        }
    }
}

/// Lowercases, NFC-normalises and folds separators so that names compare loosely.
pub(crate) fn fold_name(s: &str) -> String {
    s.trim()
        .nfc()
        .flat_map(char::to_lowercase)
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect()
}

impl FromStr for Status {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        if let Ok(n) = t.parse::<i64>() {
            return Self::from_code(n);
        }
        Ok(match fold_name(t).as_str() {
            "registered" | "đã_đăng_ký" => Self::Registered,
            "received" | "đã_tiếp_nhận" | "mới_tiếp_nhận" => Self::Received,
            "not_received" | "không_tiếp_nhận" => Self::NotReceived,
            "processing" | "đang_xử_lý" | "đang_giải_quyết" => Self::Processing,
            "supplement" | "supplement_requested" | "chờ_bổ_sung" | "yêu_cầu_bổ_sung" => {
                Self::SupplementRequested
            }
            "financial_obligation" | "financial_obligation_pending" | "chờ_nghĩa_vụ_tài_chính" => {
                Self::FinancialObligationPending
            }
            "withdrawn" | "rút_hồ_sơ" | "công_dân_rút_hồ_sơ" => Self::Withdrawn,
            "stopped" | "dừng_xử_lý" => Self::Stopped,
            "resolved" | "processed" | "finished" | "đã_xử_lý_xong" | "đã_giải_quyết" => {
                Self::Processed
            }
            "returned" | "đã_trả_kết_quả" => Self::Returned,
            "refused" | "từ_chối" | "trả_lại" => Self::Refused,
            _ => return Err(Error::unknown("status", s, STATUS_NAMES)),
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Registered => "registered",
            Self::Received => "received",
            Self::NotReceived => "not_received",
            Self::Processing => "processing",
            Self::SupplementRequested => "supplement",
            Self::FinancialObligationPending => "financial_obligation",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::Processed => "processed",
            Self::Returned => "returned",
            Self::Refused => "refused",
        })
    }
}

/// How a dossier was submitted: 1 direct (also when unknown), 2 online, 3 public postal service.
///
/// # Example
/// ```
/// use tthc_metrics::Channel;
/// assert_eq!("2".parse::<Channel>().unwrap(), Channel::Online);
/// assert_eq!("trực tuyến".parse::<Channel>().unwrap(), Channel::Online);
/// assert_eq!(Channel::default(), Channel::Direct);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Channel {
    /// At the counter (the default when the field is null).
    #[default]
    Direct,
    /// Through the public-service portal.
    Online,
    /// By public postal service (bưu chính công ích).
    Post,
}

impl Channel {
    /// From the national code 1–3.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Channel;
    /// assert_eq!(Channel::from_code(3).unwrap(), Channel::Post);
    /// assert!(Channel::from_code(4).is_err());
    /// ```
    pub fn from_code(code: i64) -> Result<Self, Error> {
        match code {
            1 => Ok(Self::Direct),
            2 => Ok(Self::Online),
            3 => Ok(Self::Post),
            _ => Err(Error::unknown(
                "channel",
                code.to_string(),
                &["1", "2", "3", "direct", "online", "post"],
            )),
        }
    }

    /// The national code 1–3.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Channel;
    /// assert_eq!(Channel::Online.code(), 2);
    /// ```
    pub fn code(self) -> u8 {
        match self {
            Self::Direct => 1,
            Self::Online => 2,
            Self::Post => 3,
        }
    }
}

impl FromStr for Channel {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        if let Ok(n) = t.parse::<i64>() {
            return Self::from_code(n);
        }
        match fold_name(t).as_str() {
            "direct" | "counter" | "trực_tiếp" | "" => Ok(Self::Direct),
            "online" | "trực_tuyến" => Ok(Self::Online),
            "post" | "postal" | "bưu_chính" | "bưu_chính_công_ích" => Ok(Self::Post),
            _ => Err(Error::unknown(
                "channel",
                s,
                &["1", "2", "3", "direct", "online", "post"],
            )),
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Direct => "direct",
            Self::Online => "online",
            Self::Post => "post",
        })
    }
}

/// The online-service level of a procedure on a date (Decree 42/2022, Art. 11).
///
/// Parses `none` / `partial` (một phần) / `full` (toàn trình), and the pre-2022 service levels
/// ("mức độ" 1–4) that older exports still carry: levels 1–2 were information only (`None`),
/// level 3 is `Partial`, level 4 is `Full`.
///
/// # Example
/// ```
/// use tthc_metrics::OnlineService;
/// assert_eq!("toàn trình".parse::<OnlineService>().unwrap(), OnlineService::Full);
/// assert!(OnlineService::Partial.is_eligible());
/// assert!(!OnlineService::None.is_eligible());
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OnlineService {
    /// No online service for this procedure (the default when unknown).
    #[default]
    None,
    /// Partial online service (một phần).
    Partial,
    /// Full-process online service (toàn trình).
    Full,
}

impl OnlineService {
    /// Whether dossiers of this level count in the `eligible_only` online share.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::OnlineService;
    /// assert!(OnlineService::Full.is_eligible());
    /// ```
    pub fn is_eligible(self) -> bool {
        !matches!(self, Self::None)
    }

    /// A small integer for columnar storage: 0 none, 1 partial, 2 full.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::OnlineService;
    /// assert_eq!(OnlineService::Full.column_code(), 2);
    /// ```
    pub fn column_code(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Partial => 1,
            Self::Full => 2,
        }
    }
}

impl FromStr for OnlineService {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match fold_name(s).as_str() {
            "none" | "" | "0" | "1" | "2" | "không" => Ok(Self::None),
            "partial" | "3" | "một_phần" | "mức_độ_3" => Ok(Self::Partial),
            "full" | "4" | "toàn_trình" | "mức_độ_4" => Ok(Self::Full),
            _ => Err(Error::unknown(
                "online service",
                s,
                &["none", "partial", "full"],
            )),
        }
    }
}

impl fmt::Display for OnlineService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::None => "none",
            Self::Partial => "partial",
            Self::Full => "full",
        })
    }
}

/// One administrative-procedure dossier, with the fields of domain-rules section 2.
///
/// Build one with [`Dossier::new`] and the `with_*` setters; check it with [`Dossier::validate`].
///
/// # Example
/// ```
/// use tthc_metrics::{Dossier, Status, Channel};
/// use chrono::NaiveDate;
/// let at = |d| NaiveDate::from_ymd_opt(2023, 10, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
/// let d = Dossier::new("H12.34-231002-0001", "UBND xã Đắk Sôr", at(2), Status::Returned)
///     .with_due(at(6))
///     .with_finished(at(5))
///     .with_channel(Channel::Online);
/// assert!(d.validate(0).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// Identifier (mã hồ sơ).
    pub dossier_id: String,
    /// The unit that received and handles the dossier, as written (kept for display).
    pub unit: String,
    /// Procedure code (e.g. `1.004227`) or name.
    #[serde(default)]
    pub procedure: String,
    /// Reception time, local civil time.
    pub received_at: NaiveDateTime,
    /// Appointment date on the reception slip (ngày hẹn trả), if any.
    #[serde(default)]
    pub due_at: Option<NaiveDateTime>,
    /// End of processing (result at the one-stop desk), if finished.
    #[serde(default)]
    pub finished_at: Option<NaiveDateTime>,
    /// Current status.
    pub status: Status,
    /// Submission channel.
    #[serde(default)]
    pub channel: Channel,
    /// The procedure's online-service level on the reception date.
    #[serde(default)]
    pub online_service: OnlineService,
    /// How many times a supplement was requested.
    #[serde(default)]
    pub supplement_requests: u32,
    /// Whether an apology letter (Mẫu 04) was issued.
    #[serde(default)]
    pub apology_issued: bool,
    /// When the apology letter was issued, if known (the [`quality`](crate::quality) report
    /// checks it was issued by the due date). Not validated: it only feeds that check.
    #[serde(default)]
    pub apology_issued_at: Option<NaiveDateTime>,
    /// The once-only new appointment of an apology letter; kept for reporting.
    #[serde(default)]
    pub rescheduled_due_at: Option<NaiveDateTime>,
    /// Whether the dossier was synchronised to the national portal (`None`: unknown, taken as synced).
    #[serde(default)]
    pub synced_to_portal: Option<bool>,
}

impl Dossier {
    /// A dossier with the required fields; the rest default (direct channel, no online service,
    /// no due date, unfinished).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Dossier, Status};
    /// use chrono::NaiveDate;
    /// let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "Phòng Tư pháp", t, Status::Processing);
    /// assert_eq!(d.due_at, None);
    /// ```
    pub fn new(
        dossier_id: impl Into<String>,
        unit: impl Into<String>,
        received_at: NaiveDateTime,
        status: Status,
    ) -> Self {
        Self {
            dossier_id: dossier_id.into(),
            unit: unit.into(),
            procedure: String::new(),
            received_at,
            due_at: None,
            finished_at: None,
            status,
            channel: Channel::Direct,
            online_service: OnlineService::None,
            supplement_requests: 0,
            apology_issued: false,
            apology_issued_at: None,
            rescheduled_due_at: None,
            synced_to_portal: None,
        }
    }

    /// Sets the procedure.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_procedure("1.004227");
    /// assert_eq!(d.procedure, "1.004227");
    /// ```
    #[must_use]
    pub fn with_procedure(mut self, procedure: impl Into<String>) -> Self {
        self.procedure = procedure.into();
        self
    }

    /// Sets the due date-time.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_due(t);
    /// assert_eq!(d.due_at, Some(t));
    /// ```
    #[must_use]
    pub fn with_due(mut self, due_at: NaiveDateTime) -> Self {
        self.due_at = Some(due_at);
        self
    }

    /// Sets the end of processing.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processed).with_finished(t);
    /// assert_eq!(d.finished_at, Some(t));
    /// ```
    #[must_use]
    pub fn with_finished(mut self, finished_at: NaiveDateTime) -> Self {
        self.finished_at = Some(finished_at);
        self
    }

    /// Sets the channel.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status, Channel}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_channel(Channel::Post);
    /// assert_eq!(d.channel, Channel::Post);
    /// ```
    #[must_use]
    pub fn with_channel(mut self, channel: Channel) -> Self {
        self.channel = channel;
        self
    }

    /// Sets the online-service level.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status, OnlineService}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_online_service(OnlineService::Full);
    /// assert!(d.online_service.is_eligible());
    /// ```
    #[must_use]
    pub fn with_online_service(mut self, level: OnlineService) -> Self {
        self.online_service = level;
        self
    }

    /// Sets the number of supplement requests.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::SupplementRequested).with_supplement_requests(2);
    /// assert_eq!(d.supplement_requests, 2);
    /// ```
    #[must_use]
    pub fn with_supplement_requests(mut self, n: u32) -> Self {
        self.supplement_requests = n;
        self
    }

    /// Records an apology letter with its new appointment (kept for reporting; classification keeps
    /// the original due date by default).
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_apology(Some(t));
    /// assert!(d.apology_issued);
    /// ```
    #[must_use]
    pub fn with_apology(mut self, rescheduled_due_at: Option<NaiveDateTime>) -> Self {
        self.apology_issued = true;
        self.rescheduled_due_at = rescheduled_due_at;
        self
    }

    /// Records when the apology letter was issued (and that it was).
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_apology_issued_at(t);
    /// assert!(d.apology_issued);
    /// assert_eq!(d.apology_issued_at, Some(t));
    /// ```
    #[must_use]
    pub fn with_apology_issued_at(mut self, issued_at: NaiveDateTime) -> Self {
        self.apology_issued = true;
        self.apology_issued_at = Some(issued_at);
        self
    }

    /// Checks the record: unit present, finished not before received, due date not before the
    /// reception date, a finished status carries an end time.
    ///
    /// Due dates are checked by calendar date (a due date given as a bare date is midnight, which
    /// may precede a same-day reception time); the end of processing by timestamp.
    ///
    /// # Errors
    /// A [`Rejection`] naming `row`, the dossier and the field.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Dossier, Status, RejectReason};
    /// use chrono::NaiveDate;
    /// let at = |d| NaiveDate::from_ymd_opt(2023, 10, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
    /// let bad = Dossier::new("X", "U", at(5), Status::Processed).with_finished(at(2));
    /// let r = bad.validate(3).unwrap_err();
    /// assert_eq!((r.row, r.field.as_str(), r.reason), (3, "finished_at", RejectReason::FinishedBeforeReceived));
    /// ```
    pub fn validate(&self, row: usize) -> Result<(), Rejection> {
        let reject = |field: &str, value: String, reason| {
            Err(Rejection::new(
                row,
                self.dossier_id.clone(),
                field,
                value,
                reason,
            ))
        };
        if self.unit.trim().is_empty() {
            return reject("unit", String::new(), RejectReason::Missing);
        }
        for (field, t) in [
            ("received_at", Some(self.received_at)),
            ("due_at", self.due_at),
            ("finished_at", self.finished_at),
            ("rescheduled_due_at", self.rescheduled_due_at),
        ] {
            if let Some(t) = t {
                if !in_supported_range(t.date()) {
                    return reject(field, t.to_string(), RejectReason::OutOfRange);
                }
            }
        }
        if let Some(f) = self.finished_at {
            if f < self.received_at {
                return reject(
                    "finished_at",
                    f.to_string(),
                    RejectReason::FinishedBeforeReceived,
                );
            }
        } else if self.status.group() == StatusGroup::Finished {
            return reject(
                "finished_at",
                String::new(),
                RejectReason::FinishedWithoutTime,
            );
        }
        if let Some(d) = self.due_at {
            if d.date() < self.received_at.date() {
                return reject("due_at", d.to_string(), RejectReason::DueBeforeReceived);
            }
        }
        Ok(())
    }
}

/// First date any record may carry.
pub(crate) const MIN_SUPPORTED: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};
/// Last date any record may carry.
pub(crate) const MAX_SUPPORTED: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => unreachable!(),
};

pub(crate) fn in_supported_range(d: NaiveDate) -> bool {
    (MIN_SUPPORTED..=MAX_SUPPORTED).contains(&d)
}
