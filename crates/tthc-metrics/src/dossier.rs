//! A dossier (hồ sơ) and its coded fields: status, channel, online-service level.
//!
//! Times are local civil time in Việt Nam (Asia/Ho_Chi_Minh, UTC+7, no daylight saving), held as
//! [`chrono::NaiveDateTime`]. A date without a time is midnight of that day.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::error::{Error, RejectReason, Rejection};

/// Offset of Vietnamese civil time from UTC, in seconds (UTC+7 all year).
pub const VIETNAM_UTC_OFFSET_SECONDS: i32 = 7 * 3600;

/// The civil time in Việt Nam (UTC+7) of an instant given with any offset: how every front end
/// reads an aware time (cut-offs, window bounds, zoned timestamps).
///
/// # Example
/// ```
/// use chrono::{DateTime, NaiveDate};
/// let utc: DateTime<chrono::FixedOffset> = "2024-01-05T20:00:00Z".parse().unwrap();
/// let local = tthc_metrics::vietnam_civil_time(utc);
/// assert_eq!(local, NaiveDate::from_ymd_opt(2024, 1, 6).unwrap().and_hms_opt(3, 0, 0).unwrap());
/// ```
pub fn vietnam_civil_time(instant: chrono::DateTime<chrono::FixedOffset>) -> NaiveDateTime {
    instant.naive_utc() + chrono::Duration::seconds(i64::from(VIETNAM_UTC_OFFSET_SECONDS))
}

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

/// What a status means for counting (domain-rules section 2). The discriminants are the codes
/// the columnar kernel reads (`0` is no group: a row rejected upstream).
///
/// # Example
/// ```
/// use tthc_metrics::{Status, StatusGroup};
/// assert_eq!(Status::FinancialObligationPending.group(), StatusGroup::Payment);
/// assert_eq!(Status::Processing.group(), StatusGroup::Processing);
/// assert!(StatusGroup::Payment.is_open() && !StatusGroup::Stopped.is_open());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
#[non_exhaustive]
pub enum StatusGroup {
    /// {1, 3}: excluded from every count, with or without a reception time.
    NeverReceived = 1,
    /// {2, 4}.
    Processing = 2,
    /// {5}: waiting for the citizen's supplement (unfinished, clock paused).
    Supplement = 3,
    /// {6}: waiting for the citizen's financial obligation (unfinished, clock paused).
    Payment = 4,
    /// {9, 10}.
    Finished = 5,
    /// {7}.
    Withdrawn = 6,
    /// {8}.
    Stopped = 7,
    /// Refused by name.
    Refused = 8,
}

impl StatusGroup {
    /// Whether a dossier of this group is still being handled (processing or waiting for the
    /// citizen): it stays in the backlog until it ends.
    ///
    /// # Example
    /// see [`StatusGroup`].
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Processing | Self::Supplement | Self::Payment)
    }

    /// Whether a dossier of this group has ended (finished, withdrawn, stopped or refused).
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::StatusGroup::Refused.has_ended());
    /// ```
    pub const fn has_ended(self) -> bool {
        (self as u8) >= (Self::Finished as u8)
    }
}

/// Status column code (national code, 11 for refused) → group code (`0`: not a status), built
/// from [`Status::group`] so that the kernel's table cannot drift from it.
pub(crate) const GROUP_OF_CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        if let Some(s) = Status::from_column_code(code as u8) {
            t[code] = s.group() as u8;
        }
        code += 1;
    }
    t
};

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 11] = [
        Self::Registered,
        Self::Received,
        Self::NotReceived,
        Self::Processing,
        Self::SupplementRequested,
        Self::FinancialObligationPending,
        Self::Withdrawn,
        Self::Stopped,
        Self::Processed,
        Self::Returned,
        Self::Refused,
    ];

    /// The status of a national code 1–10.
    ///
    /// # Errors
    /// [`Error::Unknown`] for another number.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::from_code(9).unwrap(), Status::Processed);
    /// assert_eq!(Status::from_code(11).unwrap_err().code(), "unknown_name");
    /// ```
    pub fn from_code(code: i64) -> Result<Self, Error> {
        match u8::try_from(code) {
            Ok(c @ 1..=10) => Ok(Self::ALL[c as usize - 1]),
            _ => Err(Error::unknown(
                "status",
                code.to_string(),
                &["a national code 1-10 or a status name"],
            )),
        }
    }

    /// The national code, or `None` for [`Status::Refused`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::Withdrawn.code(), Some(7));
    /// assert_eq!(Status::Refused.code(), None);
    /// ```
    pub const fn code(self) -> Option<u8> {
        match self {
            Self::Refused => None,
            s => Some(s as u8 + 1),
        }
    }

    /// The counting group of this status (domain-rules section 2).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Status, StatusGroup};
    /// assert_eq!(Status::Registered.group(), StatusGroup::NeverReceived);
    /// ```
    pub const fn group(self) -> StatusGroup {
        match self {
            Self::Registered | Self::NotReceived => StatusGroup::NeverReceived,
            Self::Received | Self::Processing => StatusGroup::Processing,
            Self::SupplementRequested => StatusGroup::Supplement,
            Self::FinancialObligationPending => StatusGroup::Payment,
            Self::Processed | Self::Returned => StatusGroup::Finished,
            Self::Withdrawn => StatusGroup::Withdrawn,
            Self::Stopped => StatusGroup::Stopped,
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
    pub const fn column_code(self) -> u8 {
        self as u8 + 1
    }

    /// Inverse of [`Status::column_code`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Status;
    /// assert_eq!(Status::from_column_code(4), Some(Status::Processing));
    /// assert_eq!(Status::from_column_code(0), None);
    /// ```
    pub const fn from_column_code(code: u8) -> Option<Self> {
        match code {
            1..=11 => Some(Self::ALL[code as usize - 1]),
            _ => None,
        }
    }

    /// The national name (sync standard) of the status; "Từ chối" for `Refused`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Status::Processed.vietnamese(), "Đã xử lý xong");
    /// ```
    pub const fn vietnamese(self) -> &'static str {
        match self {
            Self::Registered => "Mới đăng ký",
            Self::Received => "Được tiếp nhận",
            Self::NotReceived => "Không được tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Self::FinancialObligationPending => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Processed => "Đã xử lý xong",
            Self::Returned => "Đã trả kết quả",
            Self::Refused => "Từ chối",
        }
    }
}

impl FromStr for Status {
    type Err = Error;

    /// A code or a name of the standard [`Vocabulary`](crate::Vocabulary).
    fn from_str(s: &str) -> Result<Self, Error> {
        crate::vocabulary::Vocabulary::standard().parse_status(s)
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

    /// A code or a word of the standard [`Vocabulary`](crate::Vocabulary); blank is direct.
    fn from_str(s: &str) -> Result<Self, Error> {
        crate::vocabulary::Vocabulary::standard().parse_channel(s)
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

    /// A word or an old level code of the standard [`Vocabulary`](crate::Vocabulary).
    fn from_str(s: &str) -> Result<Self, Error> {
        crate::vocabulary::Vocabulary::standard().parse_online_service(s)
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
    /// Field (lĩnh vực) of the procedure, e.g. "Hộ tịch".
    #[serde(default)]
    pub field: String,
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
    /// Working days the procedure allows: with a calendar, a dossier without a due date gets
    /// one computed from it ([`report_on`](crate::report_on)).
    #[serde(default)]
    pub duration_days: Option<u32>,
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
            field: String::new(),
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
            duration_days: None,
        }
    }

    /// Sets the field (lĩnh vực).
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_field("Hộ tịch");
    /// assert_eq!(d.field, "Hộ tịch");
    /// ```
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    /// Sets the working days the procedure allows.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{Dossier, Status}; use chrono::NaiveDate;
    /// # let t = NaiveDate::from_ymd_opt(2023, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let d = Dossier::new("A1", "U", t, Status::Processing).with_duration_days(5);
    /// assert_eq!(d.duration_days, Some(5));
    /// ```
    #[must_use]
    pub fn with_duration_days(mut self, days: u32) -> Self {
        self.duration_days = Some(days);
        self
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

    /// Checks the record with the one validation rule every front end goes through (see the
    /// preparation stage, [`columnar::prepare`](crate::columnar::prepare)): unit present,
    /// reception present and times in 1900–2199, finished not before received (an end given as
    /// a bare date, at midnight, compared by date), a finished status carries an end time, the
    /// original due date not on a day before the reception day. Never-received dossiers (status
    /// 1, 3) pass: they are excluded from every count.
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
        use crate::classify::local_seconds;
        use crate::columnar::NONE;
        let group = self.status.group();
        if self.unit.trim().is_empty() && group != StatusGroup::NeverReceived {
            return Err(Rejection::new(
                row,
                self.dossier_id.clone(),
                "unit",
                "",
                RejectReason::Missing,
            ));
        }
        let secs = |t: Option<NaiveDateTime>| t.map_or(NONE, local_seconds);
        match crate::validate::check(
            local_seconds(self.received_at),
            secs(self.due_at),
            "due_at",
            secs(self.finished_at),
            group,
        ) {
            None => Ok(()),
            Some(p) => Err(Rejection::new(
                row,
                self.dossier_id.clone(),
                p.field,
                crate::columnar::fmt_seconds(p.value),
                p.reason,
            )),
        }
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
