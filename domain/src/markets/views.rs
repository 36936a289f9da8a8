//! Markets, stalls, rapid tests and certificates as pages and the API show them. Vocabulary values stay the
//! stored strings (`TestResult::label_of` and friends label them).

use crate::credit::Grade;
use serde::{Deserialize, Serialize};

/// A market in lists, with today's rapid tests (China day).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketSummary {
    pub id: i64,
    pub name: String,
    /// 农贸市场 / 商超生鲜区 / 批发市场.
    pub kind: String,
    pub district: String,
    pub address: String,
    pub stalls: i64,
    /// Rapid tests (批次) done today, and how many passed.
    pub tests_today: i64,
    pub passed_today: i64,
    /// Stalls with a failing rapid test in the last 30 days.
    pub flagged_stalls: i64,
}

/// A stall as lists show it: its code, number, operator (from the registry) and the operator's grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StallSummary {
    /// The stall's own code: `/m/{code}`.
    pub code: String,
    /// 摊位号 in its market.
    pub number: String,
    pub goods: String,
    pub operator: String,
    pub credit_code: String,
    pub grade: Grade,
    /// 待检查: the operator was never inspected (no grade is shown).
    pub awaiting_inspection: bool,
    /// When its last failing rapid test was done, when within the last 30 days (Unix seconds).
    pub flagged_at: Option<i64>,
}

/// One rapid test (快检).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RapidTestView {
    pub id: i64,
    /// The stall's code.
    pub stall: String,
    pub stall_number: String,
    pub test_no: String,
    pub sample: String,
    pub item: String,
    /// 胶体金 / 酶抑制率法 / 化学比色 / 试纸条.
    pub method: String,
    /// 合格 / 不合格.
    pub result: String,
    /// Unix seconds.
    pub tested_at: i64,
    pub tester: String,
    /// The case staff opened from it, if any (staff views only; never in public answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
}

/// One 承诺达标合格证 a stall holds for goods on sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CertificateView {
    pub cert_no: String,
    pub product: String,
    pub quantity: String,
    pub origin: String,
    pub producer: String,
    pub producer_contact: String,
    /// Midnight (China time) of the day it was issued, Unix seconds.
    pub issued_on: i64,
    /// The commitments ticked (stored strings).
    pub commitments: Vec<String>,
    /// 自控自检 / 委托检测 / 内部质量控制 / 自我承诺.
    pub basis: String,
}

/// A stall's page (`/m/{code}`, `GET /api/v1/stalls/{code}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StallDetail {
    pub stall: StallSummary,
    pub market_id: i64,
    pub market_name: String,
    /// Today's rapid tests (China day), newest first.
    pub today: Vec<RapidTestView>,
    /// Certificates of goods on sale: issued in the last 7 days, newest first (at most 20).
    pub certificates: Vec<CertificateView>,
}

/// How many of a market's stalls have each grade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GradeCount {
    pub grade: Grade,
    pub stalls: i64,
}

/// A market's page (`/markets/{id}`, `GET /api/v1/markets/{id}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MarketDetail {
    pub market: MarketSummary,
    /// Stalls per operator grade (A to D; awaiting inspection counted as their stored grade).
    pub grades: Vec<GradeCount>,
    /// Every stall, best grade first, then by number.
    pub stalls: Vec<StallSummary>,
    /// Failing rapid tests of the last 30 days, newest first.
    pub failing: Vec<RapidTestView>,
}

/// A stall new to the portal, created by a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewStall {
    pub number: String,
    pub code: String,
}

/// What a batch did. A batch sent again with the same `batch_id` and bytes gets the same receipt with
/// `replayed: true`, and nothing is written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchReceipt {
    pub batch_id: String,
    pub replayed: bool,
    pub stalls_created: u64,
    pub stalls_updated: u64,
    pub tests_added: u64,
    /// Tests already recorded with the same content (by `test_no`).
    pub tests_unchanged: u64,
    pub certificates_added: u64,
    pub certificates_unchanged: u64,
    pub new_stalls: Vec<NewStall>,
    /// Codes of the stalls this batch flagged (a failing rapid test).
    pub flagged: Vec<String>,
}

/// A market's key as issued: shown once, never again (only its id is kept in clear).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedKey {
    pub key_id: String,
    pub secret: String,
}

/// A market's key as the console lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketKeyView {
    pub key_id: String,
    pub issued_at: i64,
    pub issued_by: String,
    pub revoked_at: Option<i64>,
}

/// One console upload of a CSV, accepted or refused, with its errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadView {
    pub id: i64,
    pub kind: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    pub rows: i64,
    pub accepted: bool,
    pub receipt: Option<BatchReceipt>,
    pub errors: Vec<super::BatchRowError>,
}

/// A market in the staff console: its keys and recent uploads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMarket {
    pub market: MarketSummary,
    pub keys: Vec<MarketKeyView>,
    pub uploads: Vec<UploadView>,
    /// Failing rapid tests of the last 30 days, with the case opened from each.
    pub failing: Vec<RapidTestView>,
}

/// Where a certificate's goods came from and where they are sold: its producer and every stall holding the same
/// certificate number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TraceView {
    pub cert_no: String,
    pub product: String,
    pub producer: String,
    pub producer_contact: String,
    pub origin: String,
    pub issued_on: i64,
    pub stalls: Vec<TraceStall>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TraceStall {
    pub code: String,
    pub number: String,
    pub operator: String,
    pub market_id: i64,
    pub market_name: String,
    pub quantity: String,
}
