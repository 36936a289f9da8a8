//! The brand site: the campaign's headline figures.

/// The public API's summary for the `/api` page.
pub mod api;
/// The campaign figures shown on the home page.
pub mod figures;
