//! 抽检结果: sampled batches, what the lab found, and the lab report, for a round's picks and routine sampling.

/// 核查处置: the steps taken about a failing batch, their order and deadlines.
pub mod disposal;
/// A batch as staff publish it.
pub mod input;
/// Batches as pages and the API show them.
pub mod views;

pub use disposal::*;
pub use input::*;
pub use views::*;
