//! 阳光餐饮 as pages and the API show it. Vocabulary values stay the stored strings (`FlagKind::label_of`).

use serde::{Deserialize, Serialize};

/// A business in the programme, as its page and `GET /api/v1/businesses/{code}` show it (`sunshine`, `null`
/// when it is not in the programme). Only flags staff confirmed are here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SunshineView {
    /// The vendor's platform watching the kitchen.
    pub vendor: String,
    /// When it joined (Unix seconds).
    pub joined_at: i64,
    /// 在线: connected at its last report, and heard of in the last two days.
    pub camera_connected: bool,
    /// When its vendor last reported it (Unix seconds).
    pub last_seen_at: Option<i64>,
    /// Uptime over the last 30 days reported, in permille (`995` = 99.5 %); `null` when no day was reported.
    pub uptime_permille: Option<i64>,
    /// Days of the last 30 with a report.
    pub days_reported: i64,
    /// The vendor's live view, only when the business consents to its being shown.
    pub live_url: Option<String>,
    /// Flags staff confirmed (属实), newest first, with what was done.
    pub flags: Vec<ConfirmedFlag>,
}

/// A flag staff confirmed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConfirmedFlag {
    /// 未戴帽 / 未戴口罩 / 鼠患 / 吸烟 / 其他.
    pub kind: String,
    /// Unix seconds.
    pub detected_at: i64,
    pub reviewed_at: i64,
    /// What was done (处置措施).
    pub action_taken: String,
}

/// What a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KitchenReceipt {
    pub batch_id: String,
    /// `true` when this batch id was stored before with the same content: nothing was written again.
    #[serde(default)]
    pub replayed: bool,
    /// Businesses that joined the programme with this batch.
    pub kitchens_joined: u64,
    /// Status rows stored (a day sent again replaces that day's uptime).
    pub status_rows: u64,
    pub flags_added: u64,
    /// Flags already recorded with the same content.
    pub flags_unchanged: u64,
}

/// A vendor's key as issued: shown once, never again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorKey {
    pub key_id: String,
    pub secret: String,
}

/// A vendor's key as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorKeyView {
    pub key_id: String,
    pub issued_at: i64,
    pub issued_by: String,
    pub revoked_at: Option<i64>,
}

/// A vendor in the console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VendorView {
    pub id: i64,
    pub name: String,
    pub kitchens: i64,
    pub keys: Vec<VendorKeyView>,
}

/// A kitchen in the console's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenRow {
    pub credit_code: String,
    pub name: String,
    pub vendor: String,
    pub camera_connected: bool,
    pub uptime_permille: Option<i64>,
    pub live_consent: bool,
    pub pending: i64,
}

/// A flag waiting for review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFlag {
    pub id: i64,
    pub event_id: String,
    pub vendor: String,
    pub credit_code: String,
    pub business: String,
    pub kind: String,
    pub detected_at: i64,
    pub snapshot_url: Option<String>,
}

/// A status CSV upload, with its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenUploadView {
    pub id: i64,
    pub vendor: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    pub rows: i64,
    pub accepted: bool,
    pub receipt: Option<KitchenReceipt>,
    pub errors: Vec<super::KitchenRowError>,
}

/// The console's page: vendors with their keys, the review queue, the latest uploads, the kitchens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffKitchens {
    pub vendors: Vec<VendorView>,
    pub pending: Vec<PendingFlag>,
    pub uploads: Vec<KitchenUploadView>,
    pub kitchens: Vec<KitchenRow>,
    /// Kitchens in the programme (the list shows the first 500).
    pub total: i64,
}
