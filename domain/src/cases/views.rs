//! What the reporter (with the access code) and staff see of a case.

use super::{CaseKind, CaseState, Channel, RejectReason, RewardLevel, RewardStatus};
use serde::{Deserialize, Serialize};

/// Filing a case answers a tracking number and a one-time access code (shown once; only a hash is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseReceipt {
    pub tracking_no: String,
    pub access_code: String,
}

/// One step of a case's public timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: i64,
    pub state: CaseState,
    /// The message to the reporter (staff's internal notes are never here).
    pub message: String,
    /// The line of the reopening after a 不满意 (the state is the one the case went back to).
    #[serde(default)]
    pub reopened: bool,
}

/// A reward as the reporter sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RewardView {
    pub status: RewardStatus,
    pub level: Option<RewardLevel>,
    /// Fines and confiscations the reward is computed from, in yuan.
    pub base_amount: Option<i64>,
    /// The reward, in yuan.
    pub amount: Option<i64>,
    /// The last day to claim it (Unix time), once notified.
    pub claim_by: Option<i64>,
}

/// What the reporter sees with the tracking number and the access code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseTrack {
    pub tracking_no: String,
    pub kind: CaseKind,
    pub category: String,
    pub business_name: String,
    pub state: CaseState,
    pub filed_at: i64,
    /// The deadline of the current stage (last second of its last working day), while a clock runs.
    pub deadline: Option<i64>,
    pub overdue: bool,
    pub reject_reason: Option<RejectReason>,
    pub timeline: Vec<TimelineEntry>,
    /// For a 举报 once substantiated.
    pub reward: Option<RewardView>,
    pub photos: i64,
    /// The satisfaction rating: whether it can be given now, and those given.
    pub rating: super::RatingState,
}

/// A case in the staff queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseSummary {
    pub id: i64,
    pub tracking_no: String,
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: String,
    pub business_name: String,
    pub credit_code: Option<String>,
    pub state: CaseState,
    pub filed_at: i64,
    pub deadline: Option<i64>,
    pub overdue: bool,
    pub assigned_to: Option<String>,
    pub anonymous: bool,
    /// Handed back after a 不满意 rating (回访不满意): its own clock runs.
    #[serde(default)]
    pub reopened: bool,
}

/// One photo of the evidence, as staff see it listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PhotoView {
    pub id: i64,
    pub width: i64,
    pub height: i64,
    /// SHA-256 of the original as received.
    pub sha256: String,
}

/// One event of a case as staff see it (with the internal note).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    pub at: i64,
    pub state: CaseState,
    pub actor: String,
    /// Staff's internal note (for a reopening: the reporter's reason).
    pub note: String,
    pub message: String,
    /// The reopening after a 不满意 rating.
    #[serde(default)]
    pub reopened: bool,
}

/// A case as staff see it. The reporter's contact is never here: revealing it is a separate, audited action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub description: String,
    pub occurred_at: Option<i64>,
    pub place: String,
    pub reject_reason: Option<RejectReason>,
    pub duplicate_of: Option<String>,
    pub photos: Vec<PhotoView>,
    pub events: Vec<CaseEvent>,
    pub reward: Option<RewardView>,
    /// Open cases against the same business (the duplicate hint).
    pub similar: Vec<String>,
    /// Ratings given, and whether staff may record a phone 回访 now.
    pub rating: super::RatingState,
    /// Staff may record a phone 回访 (a case that did not come in on the web, rateable now).
    pub callback_due: bool,
}

/// A reporter's contact, decrypted for a role allowed to see it (every reveal is audited).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: String,
    pub phone: String,
}
