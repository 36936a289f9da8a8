//! The brand site: campaign figures.

/// The campaign figures on the home page.
pub mod figures;
