//! 抽检结果: sampled batches, what the lab found, and the lab report, for a round's picks and routine sampling.

/// A batch as staff publish it.
pub mod input;
/// Batches as pages and the API show them.
pub mod views;

pub use input::*;
pub use views::*;
