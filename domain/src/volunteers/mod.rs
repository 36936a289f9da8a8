//! 食安志愿者 (the volunteer corps, #22): who may join (a group, a district, a phone), the states a sign-up goes
//! through, the problems a volunteer reports from a business's or a stall's page in three taps, the points a
//! substantiated report earns, and what the public leaderboard shows (counts only: no names, phones or numbers).

use crate::cases::CaseCategory;
use crate::credit::{CreditCode, District};
use crate::error::{AppError, ErrCode};
use crate::markets::StallCode;
use crate::text::TextRule;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

/// Points a volunteer earns for each report found substantiated (属实).
pub const POINTS_PER_SUBSTANTIATED: i64 = 10;
/// Reports one volunteer may file per day.
pub const REPORTS_PER_DAY: i64 = 10;
/// Wrong SMS codes tried before the sign-up's code is refused for good.
pub const MAX_ATTEMPTS: i64 = 5;
/// How long an SMS code is good for.
pub const CODE_TTL_SECS: i64 = 600;
/// How long a volunteer stays signed in.
pub const SESSION_SECS: i64 = 30 * 86_400;
/// The short note a volunteer may add to a report.
pub const NOTE: TextRule = TextRule::optional(200);

vocab! {
    /// The groups volunteers come from: the campaign's six, and everyone else.
    pub enum Group {
        Delivery = "外卖小哥" => "Food delivery rider";
        Courier = "快递小哥" => "Courier";
        GridWorker = "社区网格员" => "Community grid worker";
        TaxiDriver = "出租车司机" => "Taxi driver";
        SelfMedia = "自媒体代表" => "Social media creator";
        SquareDance = "广场舞阿姨" => "Square-dance auntie";
        Other = "其他群体" => "Other";
    }
}

vocab! {
    /// Where a sign-up stands: staff approve, reject or suspend it.
    pub enum VolunteerState {
        Pending = "待审核" => "Awaiting approval";
        Approved = "已通过" => "Approved";
        Rejected = "已拒绝" => "Rejected";
        Suspended = "已停用" => "Suspended";
    }
}

vocab! {
    /// The problems a volunteer reports with one tap.
    pub enum Issue {
        Expired = "过期食品" => "Expired food";
        Dirty = "卫生脏乱" => "Dirty premises";
        Unlicensed = "无证经营" => "No licence";
        NoMask = "未戴口罩帽子" => "No mask or cap";
        Other = "其他问题" => "Other problem";
    }
}

impl Issue {
    /// The case category a report of this problem is filed under.
    pub fn category(self) -> CaseCategory {
        match self {
            Issue::Expired => CaseCategory::ExpiredFood,
            Issue::Dirty | Issue::NoMask => CaseCategory::Hygiene,
            Issue::Unlicensed => CaseCategory::Unlicensed,
            Issue::Other => CaseCategory::Other,
        }
    }
}

/// A staff decision on a sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Suspend,
}

impl Decision {
    pub fn parse(s: &str) -> Result<Decision, AppError> {
        match s.trim() {
            "approve" => Ok(Decision::Approve),
            "reject" => Ok(Decision::Reject),
            "suspend" => Ok(Decision::Suspend),
            "" => Err(AppError::field(ErrCode::Required, "decision")),
            _ => Err(AppError::field(ErrCode::InvalidValue, "decision")),
        }
    }

    /// The state a decision leads to.
    pub fn state(self) -> VolunteerState {
        match self {
            Decision::Approve => VolunteerState::Approved,
            Decision::Reject => VolunteerState::Rejected,
            Decision::Suspend => VolunteerState::Suspended,
        }
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A sign-up: `group` and `district` (stored strings of their vocabularies), a mainland mobile `phone`, and
    /// `consent` (`on`, `true`, `1` or `yes`) to the corps' terms; `website` is a honeypot left empty.
    pub struct JoinFields {
        group,
        district,
        phone,
        consent,
        website,
    }
}

/// A sign-up, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinInput {
    pub group: Group,
    pub district: District,
    pub phone: String,
}

fn vocab_field<V>(field: &'static str, v: &str, parse: fn(&str) -> Option<V>) -> Result<V, AppError> {
    match v.trim() {
        "" => Err(AppError::field(ErrCode::Required, field)),
        s => parse(s).ok_or_else(|| AppError::field(ErrCode::InvalidValue, field)),
    }
}

impl JoinFields {
    /// Every field, in the form's order; the error names the first at fault.
    pub fn parse(&self) -> Result<JoinInput, AppError> {
        if !self.website.trim().is_empty() {
            return Err(AppError::field(ErrCode::InvalidValue, Self::website));
        }
        let group = vocab_field(Self::group, &self.group, Group::parse)?;
        let district = vocab_field(Self::district, &self.district, District::parse)?;
        if self.phone.trim().is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::phone));
        }
        let phone = crate::text::parse_phone(&self.phone)?;
        if !matches!(self.consent.trim(), "on" | "true" | "1" | "yes") {
            return Err(AppError::field(ErrCode::Required, Self::consent));
        }
        Ok(JoinInput { group, district, phone })
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Signing in: the volunteer `number` and the sign-in `code` shown once at sign-up.
    pub struct SignInFields {
        number,
        code,
    }
}

impl SignInFields {
    pub fn parse(&self) -> Result<(String, String), AppError> {
        let number = self.number.trim().to_ascii_uppercase();
        if number.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::number));
        }
        if number.len() > 16 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::field(ErrCode::InvalidValue, Self::number));
        }
        let code = self.code.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::code));
        }
        if code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::field(ErrCode::InvalidValue, Self::code));
        }
        Ok((number, code))
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Confirming the phone of a sign-up with the SMS code: the volunteer `number` and the six-digit `code`.
    pub struct VerifyFields {
        number,
        code,
    }
}

impl VerifyFields {
    pub fn parse(&self) -> Result<(String, String), AppError> {
        let number = self.number.trim().to_ascii_uppercase();
        if number.is_empty() || number.len() > 16 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::field(ErrCode::InvalidValue, Self::number));
        }
        let code = self.code.trim();
        if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::field(ErrCode::InvalidCode, Self::code));
        }
        Ok((number, code.to_owned()))
    }
}

/// What a report is about: a registry business, or a market stall (filed against its operator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Business(CreditCode),
    Stall(StallCode),
}

impl Target {
    /// The query string naming this target (`business=…` or `stall=…`).
    pub fn query(&self) -> String {
        match self {
            Target::Business(c) => format!("business={}", c.as_str()),
            Target::Stall(s) => format!("stall={}", s.as_str()),
        }
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A volunteer's report: `business` (a credit code) or `stall` (a stall code), the `kind` of problem (an
    /// [`Issue`]), and an optional short `note`.
    pub struct QuickReportFields {
        business,
        stall,
        kind,
        note,
    }
}

/// A report, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuickReport {
    pub target: Target,
    pub issue: Issue,
    pub note: String,
}

impl QuickReportFields {
    /// The target alone (the first tap's page needs no kind yet).
    pub fn target(&self) -> Result<Target, AppError> {
        match (self.business.trim(), self.stall.trim()) {
            ("", "") => Err(AppError::field(ErrCode::Required, Self::business)),
            (b, "") => CreditCode::parse(b)
                .map(Target::Business)
                .map_err(|_| AppError::field(ErrCode::InvalidValue, "business")),
            ("", s) => {
                StallCode::parse(s).map(Target::Stall).map_err(|_| AppError::field(ErrCode::InvalidValue, "stall"))
            }
            _ => Err(AppError::field(ErrCode::InvalidValue, Self::stall)),
        }
    }

    pub fn parse(&self) -> Result<QuickReport, AppError> {
        let target = self.target()?;
        let issue = vocab_field(Self::kind, &self.kind, Issue::parse)?;
        let note = NOTE.check(Self::note, &self.note)?;
        Ok(QuickReport { target, issue, note })
    }
}

/// What a sign-up answers: the volunteer's number and the sign-in code (shown once, stored hashed), and whether
/// a code went to the phone to confirm it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Joined {
    pub number: String,
    pub sign_in_code: String,
    /// A six-digit code was sent to the phone: confirm it with the number (`POST /api/v1/volunteers/verify`).
    pub sms_sent: bool,
}

/// One line of the leaderboard: a group or a district, counted. No names, phones or numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaderRow {
    /// The group's or the district's stored string.
    pub key: String,
    /// Approved volunteers.
    pub volunteers: i64,
    pub reports: i64,
    pub substantiated: i64,
    pub points: i64,
}

/// The public leaderboard, each list best first (by points, then reports).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Leaderboard {
    pub by_group: Vec<LeaderRow>,
    pub by_district: Vec<LeaderRow>,
}

/// The corps in figures (for `/stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VolunteerFigures {
    /// Approved volunteers.
    pub volunteers: i64,
    /// Cases filed by volunteers.
    pub reports: i64,
    /// Of those, substantiated.
    pub substantiated: i64,
}

/// A signed-in volunteer, as their own page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub number: String,
    pub group: String,
    pub district: String,
    pub state: String,
    pub points: i64,
    pub reports: Vec<MyReport>,
}

impl Me {
    pub fn approved(&self) -> bool {
        self.state == VolunteerState::Approved.as_str()
    }
}

/// One of a volunteer's reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReport {
    pub tracking_no: String,
    pub business_name: String,
    pub category: String,
    /// The case's state (`CaseState` as stored).
    pub state: String,
    pub created_at: i64,
}

/// A sign-up in the staff console (no phone: staff decide on the group, district and verification).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffVolunteer {
    pub id: i64,
    pub number: String,
    pub group: String,
    pub district: String,
    pub state: String,
    /// The phone was confirmed by SMS (`false` when no gateway was configured at sign-up).
    pub verified: bool,
    pub created_at: i64,
    pub decided_by: Option<String>,
    pub reports: i64,
}

/// The business a report page is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTarget {
    pub credit_code: String,
    pub name: String,
    /// The stall's number and market, when reporting from a stall.
    pub stall: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(group: &str, district: &str, phone: &str, consent: &str) -> JoinFields {
        JoinFields {
            group: group.into(),
            district: district.into(),
            phone: phone.into(),
            consent: consent.into(),
            website: String::new(),
        }
    }

    #[test]
    fn a_sign_up_names_the_field_at_fault() {
        let ok = join("外卖小哥", "涪城区", "138 0000 1234", "on").parse().unwrap();
        assert_eq!((ok.group, ok.district, ok.phone.as_str()), (Group::Delivery, District::Fucheng, "13800001234"));
        let field = |f: JoinFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(field(join("", "涪城区", "13800001234", "on")), "group");
        assert_eq!(field(join("厨师", "涪城区", "13800001234", "on")), "group");
        assert_eq!(field(join("快递小哥", "北京市", "13800001234", "on")), "district");
        assert_eq!(field(join("快递小哥", "涪城区", "12345", "on")), "phone");
        assert_eq!(field(join("快递小哥", "涪城区", "", "on")), "phone");
        assert_eq!(field(join("快递小哥", "涪城区", "13800001234", "")), "consent");
    }

    #[test]
    fn a_report_names_its_target_and_kind() {
        let f =
            QuickReportFields { business: "".into(), stall: "".into(), kind: "过期食品".into(), note: "".into() };
        assert_eq!(f.parse().unwrap_err().field.as_deref(), Some("business"));
        let f = QuickReportFields { stall: "2345678".into(), ..f };
        let r = f.parse().unwrap();
        assert_eq!((r.issue, r.issue.category()), (Issue::Expired, CaseCategory::ExpiredFood));
        let f = QuickReportFields { kind: "别的".into(), ..f };
        assert_eq!(f.parse().unwrap_err().field.as_deref(), Some("kind"));
        assert_eq!(Decision::parse("approve").unwrap().state(), VolunteerState::Approved);
        assert_eq!(Decision::parse("x").unwrap_err().field.as_deref(), Some("decision"));
    }
}
