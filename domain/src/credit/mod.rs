//! Businesses and credit (信用): identifiers, the registry's vocabulary, the deduction rules, search, and what
//! is shown and submitted.

/// The 统一社会信用代码 and its check character.
pub mod code;
/// 附近: distances, the bounding box, the `near`/`radius` parameters, district and street points.
pub mod geo;
/// What forms, the API and imports submit, parsed once.
pub mod input;
/// Food licence numbers.
pub mod licence;
/// Objections, credit repair and re-inspection: windows, deadlines, the pending-grade rule.
pub mod objections;
/// Grades, events, severities and the deduction rules.
pub mod rules;
/// Bigram search tokens and the validated search query.
pub mod search;
/// Districts, categories, statuses.
pub mod taxonomy;
/// What pages and the API show.
pub mod views;

pub use crate::page::Page;
pub use crate::text::to_half_width;
pub use code::*;
pub use input::*;
pub use licence::*;
pub use objections::*;
pub use rules::*;
pub use search::*;
pub use taxonomy::*;
pub use views::*;
