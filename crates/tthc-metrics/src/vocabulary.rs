//! The words exports use for statuses, channels and online-service levels, as data a user can
//! extend (domain-rules sections 2 and 9).
//!
//! Names are matched after folding: NFC, trimmed, lowercased, runs of spaces, `-` and `_` made
//! one `_` (so "Đã xử lý xong", "đã  xử lý xong" and "ĐÃ_XỬ_LÝ_XONG" are one name). Integers (and
//! integral decimals such as `"9.0"`, as spreadsheets write them) are national codes.

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::dossier::{Channel, OnlineService, Status};
use crate::error::Error;

/// Folds a name for matching: NFC, trimmed, lowercase, separators (`' '`, `-`, `_`) collapsed
/// into one `_`.
///
/// # Example
/// ```
/// use tthc_metrics::fold_name;
/// assert_eq!(fold_name("  Đã  xử lý-xong "), "đã_xử_lý_xong");
/// assert_eq!(fold_name("Đa\u{0303} có kết quả"), fold_name("Đã có kết quả"));
/// ```
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut sep = false;
    for c in s.trim().nfc().flat_map(char::to_lowercase) {
        if c == '-' || c == '_' || c.is_whitespace() {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('_');
        }
        sep = false;
        out.push(c);
    }
    out
}

/// An integer written as text, as exports write codes and counts: `"9"`, `" 10 "`, `"9.0"`.
///
/// # Example
/// ```
/// use tthc_metrics::integer_text;
/// assert_eq!((integer_text(" 9.0"), integer_text("9.5"), integer_text("x")), (Some(9), None, None));
/// ```
pub fn integer_text(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let (whole, frac) = t.split_once('.')?;
    if !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
        whole.parse::<i64>().ok()
    } else {
        None
    }
}

/// The standard status names: the national sync standard's, the variants one-stop software
/// shows, and readable English names (domain-rules sections 2 and 9).
pub const STATUS_NAMES: &[(&str, Status)] = &[
    // national names (the sync standard, TrangThaiHoSo 1-10)
    ("Mới đăng ký", Status::Registered),
    ("Được tiếp nhận", Status::Received),
    ("Không được tiếp nhận", Status::NotReceived),
    ("Đang xử lý", Status::Processing),
    ("Yêu cầu bổ sung giấy tờ", Status::SupplementRequested),
    (
        "Yêu cầu thực hiện nghĩa vụ tài chính",
        Status::FinancialObligationPending,
    ),
    ("Công dân yêu cầu rút hồ sơ", Status::Withdrawn),
    ("Dừng xử lý", Status::Stopped),
    ("Đã xử lý xong", Status::Processed),
    ("Đã trả kết quả", Status::Returned),
    // variants of one-stop software
    ("Đã đăng ký", Status::Registered),
    ("Chờ tiếp nhận", Status::Registered),
    ("Đã tiếp nhận", Status::Received),
    ("Mới tiếp nhận", Status::Received),
    ("Tiếp nhận", Status::Received),
    ("Không tiếp nhận", Status::NotReceived),
    ("Từ chối tiếp nhận", Status::NotReceived),
    ("Đang giải quyết", Status::Processing),
    ("Đang thụ lý", Status::Processing),
    ("Đang xử lý hồ sơ", Status::Processing),
    ("Chờ bổ sung", Status::SupplementRequested),
    ("Đang chờ bổ sung", Status::SupplementRequested),
    ("Yêu cầu bổ sung", Status::SupplementRequested),
    ("Bổ sung hồ sơ", Status::SupplementRequested),
    ("Chờ thanh toán", Status::FinancialObligationPending),
    ("Chờ nộp phí", Status::FinancialObligationPending),
    ("Chờ nộp lệ phí", Status::FinancialObligationPending),
    ("Chờ nghĩa vụ tài chính", Status::FinancialObligationPending),
    (
        "Chờ thực hiện nghĩa vụ tài chính",
        Status::FinancialObligationPending,
    ),
    ("Rút hồ sơ", Status::Withdrawn),
    ("Công dân rút hồ sơ", Status::Withdrawn),
    ("Đã rút hồ sơ", Status::Withdrawn),
    ("Đã hủy", Status::Stopped),
    ("Đã huỷ", Status::Stopped),
    ("Hủy", Status::Stopped),
    ("Huỷ", Status::Stopped),
    ("Tạm dừng", Status::Stopped),
    ("Đã có kết quả", Status::Processed),
    ("Có kết quả", Status::Processed),
    ("Đã giải quyết", Status::Processed),
    ("Đã xử lý", Status::Processed),
    ("Hoàn thành", Status::Processed),
    ("Đã hoàn thành", Status::Processed),
    ("Đã trả hồ sơ", Status::Returned),
    ("Đã trả", Status::Returned),
    ("Trả kết quả", Status::Returned),
    ("Đã nhận kết quả", Status::Returned),
    ("Từ chối", Status::Refused),
    ("Từ chối giải quyết", Status::Refused),
    ("Không giải quyết", Status::Refused),
    ("Trả lại", Status::Refused),
    ("Trả lại hồ sơ", Status::Refused),
    // readable English names
    ("registered", Status::Registered),
    ("received", Status::Received),
    ("not_received", Status::NotReceived),
    ("processing", Status::Processing),
    ("supplement", Status::SupplementRequested),
    ("supplement_requested", Status::SupplementRequested),
    ("financial_obligation", Status::FinancialObligationPending),
    (
        "financial_obligation_pending",
        Status::FinancialObligationPending,
    ),
    ("awaiting_payment", Status::FinancialObligationPending),
    ("payment", Status::FinancialObligationPending),
    ("withdrawn", Status::Withdrawn),
    ("stopped", Status::Stopped),
    ("cancelled", Status::Stopped),
    ("resolved", Status::Processed),
    ("processed", Status::Processed),
    ("finished", Status::Processed),
    ("returned", Status::Returned),
    ("refused", Status::Refused),
];

/// The standard channel words: codes 1-3, and the names exports use.
pub const CHANNEL_NAMES: &[(&str, Channel)] = &[
    ("Trực tiếp", Channel::Direct),
    ("Nộp trực tiếp", Channel::Direct),
    ("Tại quầy", Channel::Direct),
    ("Một cửa", Channel::Direct),
    ("Nộp trực tuyến", Channel::Online),
    ("Trực tuyến", Channel::Online),
    ("Qua mạng", Channel::Online),
    ("Dịch vụ công trực tuyến", Channel::Online),
    ("DVC trực tuyến", Channel::Online),
    ("DVCTT", Channel::Online),
    ("Qua bưu chính công ích", Channel::Post),
    ("Bưu chính công ích", Channel::Post),
    ("Bưu chính", Channel::Post),
    ("Qua bưu chính", Channel::Post),
    ("Qua bưu điện", Channel::Post),
    ("BCCI", Channel::Post),
    ("direct", Channel::Direct),
    ("counter", Channel::Direct),
    ("online", Channel::Online),
    ("post", Channel::Post),
    ("postal", Channel::Post),
];

/// The standard online-service level words (Decree 42/2022; old "mức độ" codes 1-4).
pub const ONLINE_SERVICE_NAMES: &[(&str, OnlineService)] = &[
    ("Một phần", OnlineService::Partial),
    ("DVC một phần", OnlineService::Partial),
    ("Trực tuyến một phần", OnlineService::Partial),
    ("Dịch vụ công trực tuyến một phần", OnlineService::Partial),
    ("Mức độ 3", OnlineService::Partial),
    ("Toàn trình", OnlineService::Full),
    ("DVC toàn trình", OnlineService::Full),
    ("Trực tuyến toàn trình", OnlineService::Full),
    ("Dịch vụ công trực tuyến toàn trình", OnlineService::Full),
    ("Mức độ 4", OnlineService::Full),
    ("Không", OnlineService::None),
    ("Cung cấp thông tin", OnlineService::None),
    ("Mức độ 1", OnlineService::None),
    ("Mức độ 2", OnlineService::None),
    ("none", OnlineService::None),
    ("partial", OnlineService::Partial),
    ("full", OnlineService::Full),
];

/// Yes/no words of a boolean column ("Trực tuyến: có", "Đã đồng bộ", `true`, `1`, `x`).
pub const YES_NO_NAMES: &[(&str, bool)] = &[
    ("có", true),
    ("x", true),
    ("yes", true),
    ("true", true),
    ("đã đồng bộ", true),
    ("đã xin lỗi", true),
    ("không", false),
    ("no", false),
    ("false", false),
    ("chưa đồng bộ", false),
    ("chưa", false),
];

/// The vocabulary a decoder reads coded text with: status, channel and online-level names, and
/// yes/no words, matched after [`fold_name`]. [`Vocabulary::standard`] holds the names of
/// domain-rules sections 2 and 9 ([`STATUS_NAMES`], [`CHANNEL_NAMES`], [`ONLINE_SERVICE_NAMES`]);
/// a user adds the words of their own system with [`Vocabulary::status`] and its siblings.
///
/// # Example
/// ```
/// use tthc_metrics::{Channel, Status, Vocabulary};
/// let v = Vocabulary::standard();
/// assert_eq!(v.parse_status("Đã có kết quả").unwrap(), Status::Processed);
/// assert_eq!(v.parse_status(" 6 ").unwrap(), Status::FinancialObligationPending);
/// assert_eq!(v.parse_channel("Qua bưu chính công ích").unwrap(), Channel::Post);
/// let err = v.parse_status("Hoàn tất").unwrap_err();
/// assert!(err.to_string().contains("Mới đăng ký"), "{err}"); // the accepted names are listed
/// let mine = Vocabulary::standard().clone().status("Hoàn tất", Status::Returned);
/// assert_eq!(mine.parse_status("hoàn  tất").unwrap(), Status::Returned);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    status: HashMap<String, Status>,
    channel: HashMap<String, Channel>,
    level: HashMap<String, OnlineService>,
    yes_no: HashMap<String, bool>,
    /// Names in the order they were added, for error messages.
    status_list: Vec<String>,
    channel_list: Vec<String>,
    level_list: Vec<String>,
}

fn table<T: Copy>(names: &[(&str, T)]) -> (HashMap<String, T>, Vec<String>) {
    let mut map = HashMap::with_capacity(names.len());
    let mut list = Vec::with_capacity(names.len());
    for &(n, v) in names {
        map.insert(fold_name(n), v);
        list.push(n.to_string());
    }
    (map, list)
}

impl Vocabulary {
    /// The standard vocabulary (shared, built once).
    ///
    /// # Example
    /// see [`Vocabulary`].
    pub fn standard() -> &'static Vocabulary {
        static STANDARD: OnceLock<Vocabulary> = OnceLock::new();
        STANDARD.get_or_init(|| {
            let (status, status_list) = table(STATUS_NAMES);
            let (channel, channel_list) = table(CHANNEL_NAMES);
            let (level, level_list) = table(ONLINE_SERVICE_NAMES);
            let (yes_no, _) = table(YES_NO_NAMES);
            Vocabulary {
                status,
                channel,
                level,
                yes_no,
                status_list,
                channel_list,
                level_list,
            }
        })
    }

    /// Adds (or redefines) a status name.
    ///
    /// # Example
    /// see [`Vocabulary`].
    #[must_use]
    pub fn status(mut self, name: &str, status: Status) -> Self {
        if self.status.insert(fold_name(name), status).is_none() {
            self.status_list.push(name.to_string());
        }
        self
    }

    /// Adds (or redefines) a channel word.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Channel, Vocabulary};
    /// let v = Vocabulary::standard().clone().channel("Cổng DVC", Channel::Online);
    /// assert_eq!(v.parse_channel("cổng dvc").unwrap(), Channel::Online);
    /// ```
    #[must_use]
    pub fn channel(mut self, name: &str, channel: Channel) -> Self {
        if self.channel.insert(fold_name(name), channel).is_none() {
            self.channel_list.push(name.to_string());
        }
        self
    }

    /// Adds (or redefines) an online-service level word.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{OnlineService, Vocabulary};
    /// let v = Vocabulary::standard().clone().online_service("TT", OnlineService::Full);
    /// assert_eq!(v.parse_online_service("tt").unwrap(), OnlineService::Full);
    /// ```
    #[must_use]
    pub fn online_service(mut self, name: &str, level: OnlineService) -> Self {
        if self.level.insert(fold_name(name), level).is_none() {
            self.level_list.push(name.to_string());
        }
        self
    }

    /// A status from a national code (`"1"`..`"10"`, `"9.0"`) or a name.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the accepted codes and names.
    ///
    /// # Example
    /// see [`Vocabulary`].
    pub fn parse_status(&self, s: &str) -> Result<Status, Error> {
        if let Some(n) = integer_text(s) {
            return Status::from_code(n).map_err(|_| self.unknown_status(s));
        }
        self.status
            .get(&fold_name(s))
            .copied()
            .ok_or_else(|| self.unknown_status(s))
    }

    fn unknown_status(&self, s: &str) -> Error {
        Error::Unknown {
            what: "status",
            value: s.to_string(),
            expected: format!("a code 1-10 or one of: {}", self.status_list.join(", ")),
        }
    }

    /// A channel from a code (`1` direct, `2` online, `3` post) or a word; blank is direct.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the accepted codes and words.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Channel, Vocabulary};
    /// assert_eq!(Vocabulary::standard().parse_channel("2").unwrap(), Channel::Online);
    /// assert_eq!(Vocabulary::standard().parse_channel("").unwrap(), Channel::Direct);
    /// ```
    pub fn parse_channel(&self, s: &str) -> Result<Channel, Error> {
        if let Some(n) = integer_text(s) {
            return Channel::from_code(n).map_err(|_| self.unknown_channel(s));
        }
        let key = fold_name(s);
        if key.is_empty() {
            return Ok(Channel::Direct);
        }
        self.channel
            .get(&key)
            .copied()
            .ok_or_else(|| self.unknown_channel(s))
    }

    fn unknown_channel(&self, s: &str) -> Error {
        Error::Unknown {
            what: "channel",
            value: s.to_string(),
            expected: format!(
                "1 (direct), 2 (online), 3 (post) or one of: {}",
                self.channel_list.join(", ")
            ),
        }
    }

    /// An online-service level from a word or an old "mức độ" code (1-2 none, 3 partial, 4
    /// full); blank is none.
    ///
    /// # Errors
    /// [`Error::Unknown`] listing the accepted words.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{OnlineService, Vocabulary};
    /// assert_eq!(Vocabulary::standard().parse_online_service("4").unwrap(), OnlineService::Full);
    /// assert_eq!(Vocabulary::standard().parse_online_service("Một phần").unwrap(), OnlineService::Partial);
    /// ```
    pub fn parse_online_service(&self, s: &str) -> Result<OnlineService, Error> {
        if let Some(n) = integer_text(s) {
            return match n {
                0..=2 => Ok(OnlineService::None),
                3 => Ok(OnlineService::Partial),
                4 => Ok(OnlineService::Full),
                _ => Err(self.unknown_level(s)),
            };
        }
        let key = fold_name(s);
        if key.is_empty() {
            return Ok(OnlineService::None);
        }
        self.level
            .get(&key)
            .copied()
            .ok_or_else(|| self.unknown_level(s))
    }

    fn unknown_level(&self, s: &str) -> Error {
        Error::Unknown {
            what: "online service",
            value: s.to_string(),
            expected: format!("a level code 1-4 or one of: {}", self.level_list.join(", ")),
        }
    }

    /// A yes/no value (`có`/`không`, `x`, `true`/`false`, `1`/`0`, `yes`/`no`); blank is `None`.
    ///
    /// # Errors
    /// [`Error::Unknown`] for another word.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Vocabulary;
    /// assert_eq!(Vocabulary::standard().parse_yes_no("Có").unwrap(), Some(true));
    /// assert_eq!(Vocabulary::standard().parse_yes_no(" ").unwrap(), None);
    /// ```
    pub fn parse_yes_no(&self, s: &str) -> Result<Option<bool>, Error> {
        if let Some(n) = integer_text(s) {
            return match n {
                0 => Ok(Some(false)),
                1 => Ok(Some(true)),
                _ => Err(Error::unknown(
                    "yes/no value",
                    s,
                    &["có", "không", "1", "0"],
                )),
            };
        }
        let key = fold_name(s);
        if key.is_empty() {
            return Ok(None);
        }
        self.yes_no
            .get(&key)
            .copied()
            .map(Some)
            .ok_or_else(|| Error::unknown("yes/no value", s, &["có", "không", "x", "1", "0"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_name_parses_to_its_status() {
        let v = Vocabulary::standard();
        for &(name, status) in STATUS_NAMES {
            assert_eq!(v.parse_status(name).unwrap(), status, "{name}");
            assert_eq!(
                v.parse_status(&name.to_uppercase()).unwrap(),
                status,
                "{name}"
            );
            let nfd: String = name.nfd().collect();
            assert_eq!(v.parse_status(&nfd).unwrap(), status, "{name} in NFD");
        }
        for code in 1..=10 {
            assert_eq!(
                v.parse_status(&format!("{code}.0")).unwrap().code(),
                Some(code)
            );
        }
        assert!(v.parse_status("11").is_err());
        assert!(v.parse_status("9.5").is_err());
    }

    #[test]
    fn national_names_match_the_sync_standard_codes() {
        // domain-rules section 2: the names exactly as the sync standard writes them
        let national = [
            "Mới đăng ký",
            "Được tiếp nhận",
            "Không được tiếp nhận",
            "Đang xử lý",
            "Yêu cầu bổ sung giấy tờ",
            "Yêu cầu thực hiện nghĩa vụ tài chính",
            "Công dân yêu cầu rút hồ sơ",
            "Dừng xử lý",
            "Đã xử lý xong",
            "Đã trả kết quả",
        ];
        for (k, name) in national.iter().enumerate() {
            let s = Vocabulary::standard().parse_status(name).unwrap();
            assert_eq!(s.code(), Some(k as u8 + 1), "{name}");
        }
    }
}
