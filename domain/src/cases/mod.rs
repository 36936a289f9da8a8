//! 投诉 / 举报 (cases): kinds, channels, categories, the state machine, the working-day clock with its
//! holiday calendar, the reward rules, and what intake and tracking show.

/// What residents and staff submit, parsed once.
pub mod input;
/// Rewards for substantiated 举报 (2021 national rules).
pub mod reward;
/// Kinds, channels, categories, states and transitions.
pub mod rules;
/// 满意度评价 · 回访, reopening, and the complaint disclosure of a business.
pub mod satisfaction;
/// What pages and the API show.
pub mod views;
/// Working days, holidays and the statutory deadlines.
pub mod workdays;

pub use input::*;
pub use reward::*;
pub use rules::*;
pub use satisfaction::*;
pub use views::*;
pub use workdays::*;
