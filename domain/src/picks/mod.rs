//! 你点我检 (you pick, we test): rounds and their phase clock, candidates, nominations, ballots, tallies.

/// What staff and citizens submit, parsed once.
pub mod input;
/// Phases, the schedule that gives them, voter checks, ballot rules, food categories.
pub mod rules;
/// What pages and the API show.
pub mod views;

pub use input::*;
pub use rules::*;
pub use views::*;
