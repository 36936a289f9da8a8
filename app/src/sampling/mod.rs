//! 抽检结果: the public results list with its filters, and the batch list the round and business pages reuse.

/// 核查处置 timelines and summary lines.
pub mod disposal;
/// The results page and the batch list.
pub mod results;

use domain::route::Facts;

/// The pages of this module and what each needs.
pub const PAGES: &[(&str, Facts)] = &[("/results", Facts::PAGE)];
