//! What pages and the API show of the registry. Enumerated values are typed; serde keeps the wire format
//! (`"A"`, `"penalty"`, `"reply"` …).

use super::{DynamicGrade, EventKind, Grade, Severity};
use serde::{Deserialize, Serialize};

/// A business as lists and search results show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BusinessSummary {
    /// 18-character unified social credit code.
    pub credit_code: String,
    pub licence_no: Option<String>,
    pub name: String,
    pub address: String,
    pub district: String,
    pub category: String,
    /// 在营 / 停业 / 注销.
    pub status: String,
    pub score: i64,
    pub grade: Grade,
    pub watch_list: bool,
    /// 阳光餐饮: in the transparent-kitchen programme (its detail carries `sunshine`).
    #[serde(default)]
    pub sunshine: bool,
    /// 量化分级 for catering.
    pub dynamic_grade: Option<DynamicGrade>,
    /// Unix seconds.
    pub last_inspected_at: Option<i64>,
    /// When the grade in force took effect (Unix seconds).
    #[serde(default)]
    pub rating_date: Option<i64>,
    /// 新评级待公布: a lower grade waits for its objection window (the grade shown stays in force meanwhile).
    #[serde(default)]
    pub new_rating_pending: bool,
    /// 待检查: never inspected; pages show 待检查 instead of the grade.
    #[serde(default)]
    pub awaiting_inspection: bool,
    /// Metres from the point of a near query (`near=lat,lng`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<i64>,
}

/// One dated event behind a score, with its signed points under the current rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreditEventView {
    /// What an objection or a credit repair names as `event_id`.
    #[serde(default)]
    pub id: i64,
    pub kind: EventKind,
    pub severity: Severity,
    pub points: i64,
    pub occurred_at: i64,
    pub source: String,
    pub description: String,
    /// Whether it counts in the current rating period.
    pub in_period: bool,
    /// Annulled by an upheld objection or credit repair: kept on the record, never counted.
    #[serde(default)]
    pub annulled: bool,
}

/// One entry of the grade history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GradePoint {
    pub at: i64,
    pub score: i64,
    pub grade: Grade,
    pub watch_list: bool,
    pub reason: String,
}

/// Everything the public page of a business shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BusinessDetail {
    #[serde(flatten)]
    pub summary: BusinessSummary,
    pub events: Vec<CreditEventView>,
    pub history: Vec<GradePoint>,
    /// The business's own published replies.
    #[serde(default)]
    pub replies: Vec<ReplyView>,
    /// 投诉公示: the decided complaints and reports against it in the last 12 months, counted, de-identified.
    #[serde(default)]
    pub complaints: crate::cases::Disclosure,
    /// The open objection, if any (its state and decision deadline).
    #[serde(default)]
    pub open_objection: Option<super::ObjectionView>,
    /// Objections, credit repairs and re-inspection requests, newest first, with their decisions.
    #[serde(default)]
    pub objections: Vec<super::ObjectionView>,
    /// Whether a request must verify the contact's phone by an SMS code (`…/objections/code`) first.
    #[serde(default)]
    pub sms_verification: bool,
    /// 阳光餐饮: its kitchen on camera (uptime, confirmed flags, the live view with consent); `null` when the
    /// business is not in the programme. Named `kitchen` in JSON: the summary's `sunshine` flag is flattened
    /// into the same object.
    #[serde(default, rename = "kitchen")]
    pub sunshine: Option<crate::kitchens::SunshineView>,
}

/// What a business submits about its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// Published on the business's page after review, as its own words.
    Reply,
    /// A credit-repair request for staff; never published.
    Repair,
}

impl ReplyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Reply => "reply",
            ReplyKind::Repair => "repair",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyKind> {
        match s.trim() {
            "reply" => Some(ReplyKind::Reply),
            "repair" => Some(ReplyKind::Repair),
            _ => None,
        }
    }

    pub fn label(self) -> crate::T {
        match self {
            ReplyKind::Reply => crate::T::ReplyKindReply,
            ReplyKind::Repair => crate::T::ReplyKindRepair,
        }
    }
}

/// Where a reply is in moderation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyStatus {
    Pending,
    Approved,
    Rejected,
}

impl ReplyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyStatus::Pending => "pending",
            ReplyStatus::Approved => "approved",
            ReplyStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyStatus> {
        match s {
            "pending" => Some(ReplyStatus::Pending),
            "approved" => Some(ReplyStatus::Approved),
            "rejected" => Some(ReplyStatus::Rejected),
            _ => None,
        }
    }
}

/// A business's reply or repair request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplyView {
    pub id: i64,
    pub credit_code: String,
    pub business_name: String,
    pub kind: ReplyKind,
    pub body: String,
    /// Staff only.
    pub contact: Option<String>,
    pub status: ReplyStatus,
    pub created_at: i64,
    /// Staff only: the submitter's network (IPv4 /24 or IPv6 /48) and how many submissions the same contact
    /// made, so impersonation and floods are visible in the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<ReplyOrigin>,
}

/// Who sent a reply, as far as staff may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplyOrigin {
    pub ip_prefix: Option<String>,
    /// Submissions from the same contact, across businesses, this one included.
    pub contact_submissions: i64,
    /// Businesses the same contact wrote about.
    pub contact_businesses: i64,
}

/// One refused row of an import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// The column at fault, when one is.
    pub field: String,
    pub message: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub errors: Vec<RowError>,
}

/// Where an import job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Running,
    Done,
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Running => "running",
            ImportStatus::Done => "done",
            ImportStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<ImportStatus> {
        match s {
            "running" => Some(ImportStatus::Running),
            "done" => Some(ImportStatus::Done),
            "failed" => Some(ImportStatus::Failed),
            _ => None,
        }
    }
}

/// A console import running in the background.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: i64,
    pub started_by: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: ImportStatus,
    /// Valid rows to apply.
    pub total: u64,
    pub done: u64,
    pub report: ImportReport,
    pub failure: Option<String>,
}
