//! Sampled batches as pages and the API show them.

use crate::i18n::T;
use serde::{Deserialize, Serialize};

/// Where a batch was sampled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A farmers' or wet market.
    Market,
    Supermarket,
    Restaurant,
    /// An online food platform.
    Online,
}

impl PlaceKind {
    pub const ALL: [PlaceKind; 4] =
        [PlaceKind::Market, PlaceKind::Supermarket, PlaceKind::Restaurant, PlaceKind::Online];

    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::Market => "market",
            PlaceKind::Supermarket => "supermarket",
            PlaceKind::Restaurant => "restaurant",
            PlaceKind::Online => "online",
        }
    }

    pub fn parse(s: &str) -> Option<PlaceKind> {
        PlaceKind::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    pub fn label(self) -> T {
        match self {
            PlaceKind::Market => T::PlaceMarket,
            PlaceKind::Supermarket => T::PlaceSupermarket,
            PlaceKind::Restaurant => T::PlaceRestaurant,
            PlaceKind::Online => T::PlaceOnline,
        }
    }
}

/// One item that failed, with what the lab measured and the limit it broke.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FailingItem {
    pub item: String,
    pub result: String,
    pub limit: String,
}

/// One sampled batch and what the lab found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SamplingBatch {
    pub id: i64,
    /// The 你点我检 round whose pick this batch answers; `null` for routine sampling.
    pub round_id: Option<i64>,
    pub candidate_id: Option<i64>,
    pub food: String,
    pub food_category: String,
    pub place: PlaceKind,
    /// The business sampled, when it is in the registry.
    pub credit_code: Option<String>,
    /// The business's name (from the registry, or as recorded).
    pub business_name: String,
    pub district: String,
    /// Unix seconds (the day sampled).
    pub sampled_at: i64,
    /// Everything tested.
    pub items: Vec<String>,
    pub passed: bool,
    pub failures: Vec<FailingItem>,
    /// Whether a lab report (PDF) can be downloaded at `/results/{id}/report.pdf`.
    pub has_report: bool,
    pub published_at: i64,
    /// 核查处置 of a failing batch: every step, recorded or expected, with its deadline; `null` for a pass.
    pub disposal: Option<super::Disposal>,
}
