//! 抽检结果: sampled batches, what the lab found, and the lab report, for a round's picks and routine sampling.

/// Batches as pages and the API show them.
pub mod views;
/// A batch as staff publish it.
pub mod input;

pub use input::*;
pub use views::*;
