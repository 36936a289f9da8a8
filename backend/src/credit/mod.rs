//! 信用: the business registry, grades, search, the right to reply, imports and the demo registry.

/// Record events, the rules in force, grade recomputation.
pub mod events;
/// Bulk import of the registry from CSV, as a background job with progress.
pub mod import;
/// The in-process search index behind text searches.
pub mod index;
/// 附近 in SQL (the in-memory near query's reference) and placing a business.
pub mod near;
/// Objections, credit repair and re-inspection requests; the pending downgrade.
pub mod objections;
/// Creating and editing businesses, one business's public record, the bulk export.
pub mod registry;
/// Right to reply and credit repair (moderated).
pub mod replies;
/// Search by identifier or substring.
pub mod search;
/// The generated demo registry.
pub mod seed;

/// The registry's state on this instance: the rules as last read (for public lookups) and the search index.
/// Held in `AppState`; its caches follow the change notifier (`Change::Registry`).
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub(crate) rules: std::sync::Arc<std::sync::RwLock<Option<(std::time::Instant, domain::credit::CreditRules)>>>,
    pub(crate) index: std::sync::Arc<index::SearchIndex>,
}

impl Registry {
    /// The in-memory search index of this instance.
    pub fn index(&self) -> &std::sync::Arc<index::SearchIndex> {
        &self.index
    }
}

pub use events::{add_event, recompute, refresh_aged, rules};
pub use near::{locate, near_sql};
pub use registry::{count, detail, export, export_page, export_version, save_business, upsert_business, Upserted};
pub use search::{lookup, search, search_sql, MAX_CANDIDATES};
