//! 阳光餐饮 (互联网+明厨亮灶): kitchens whose cameras a vendor's platform watches, the status and AI flags vendors
//! send in signed batches (or staff upload as CSV), and the review that alone makes a flag public.

/// What vendors send (a batch, a status CSV row) and what staff type when reviewing, parsed once.
pub mod input;
/// The vocabularies of AI flags and their review.
pub mod rules;
/// What pages and the API show.
pub mod views;

pub use input::*;
pub use rules::*;
pub use views::*;
