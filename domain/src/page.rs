//! The list shape every paged answer has.

use serde::{Deserialize, Serialize};

/// A page of results: `{items, total, page, per_page}`, the shape outside clients rely on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Number of matches (see `total_is_lower_bound`).
    pub total: i64,
    /// From 1.
    pub page: i64,
    pub per_page: i64,
    /// True when `total` is a lower bound (very common search terms are counted up to a limit).
    #[serde(default)]
    pub total_is_lower_bound: bool,
}

impl<T> Page<T> {
    /// Number of pages (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}
