//! Rewards for a substantiated 举报, after the 2021 national rules (市场监管领域重大违法行为举报奖励暂行办法):
//! level 1, 2, 3 pay 5 %, 3 %, 1 % of the fines and confiscations, at least ¥5,000, ¥3,000, ¥1,000, at most
//! ¥1,000,000 per case. Amounts are whole yuan.

use crate::error::{AppError, ErrCode};
use crate::i18n::T;
use serde::{Deserialize, Serialize};

pub const REWARD_CAP: i64 = 1_000_000;

/// The reward level staff assign from the weight of the evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum RewardLevel {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
    #[serde(rename = "3")]
    Three,
}

impl RewardLevel {
    pub fn parse(s: &str) -> Option<RewardLevel> {
        match s.trim() {
            "1" => Some(RewardLevel::One),
            "2" => Some(RewardLevel::Two),
            "3" => Some(RewardLevel::Three),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RewardLevel::One => "1",
            RewardLevel::Two => "2",
            RewardLevel::Three => "3",
        }
    }

    /// (percent, minimum in yuan)
    fn terms(self) -> (i64, i64) {
        match self {
            RewardLevel::One => (5, 5_000),
            RewardLevel::Two => (3, 3_000),
            RewardLevel::Three => (1, 1_000),
        }
    }
}

/// The reward for fines and confiscations of `base` yuan: the level's share, raised to its minimum, capped.
pub fn reward_amount(level: RewardLevel, base: i64) -> Result<i64, AppError> {
    if base < 0 {
        return Err(AppError::field(ErrCode::InvalidValue, "base_amount"));
    }
    let (percent, minimum) = level.terms();
    // Rounded to the yuan, half up.
    let share = base.saturating_mul(percent).saturating_add(50) / 100;
    Ok(share.max(minimum).min(REWARD_CAP))
}

/// Where a reward stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardStatus {
    Eligible,
    Approved,
    Notified,
    Paid,
    /// The reporter is not eligible (staff of the bureau, the injured party, not the first reporter).
    Ineligible,
}

impl RewardStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RewardStatus::Eligible => "eligible",
            RewardStatus::Approved => "approved",
            RewardStatus::Notified => "notified",
            RewardStatus::Paid => "paid",
            RewardStatus::Ineligible => "ineligible",
        }
    }

    pub fn parse(s: &str) -> Option<RewardStatus> {
        [
            RewardStatus::Eligible,
            RewardStatus::Approved,
            RewardStatus::Notified,
            RewardStatus::Paid,
            RewardStatus::Ineligible,
        ]
        .into_iter()
        .find(|r| r.as_str() == s.trim())
    }

    pub fn label(self) -> T {
        match self {
            RewardStatus::Eligible => T::RewardEligible,
            RewardStatus::Approved => T::RewardApproved,
            RewardStatus::Notified => T::RewardNotified,
            RewardStatus::Paid => T::RewardPaid,
            RewardStatus::Ineligible => T::RewardIneligible,
        }
    }

    /// The next step of an eligible reward.
    pub fn can_move_to(self, to: RewardStatus) -> bool {
        use RewardStatus::*;
        matches!((self, to), (Eligible, Approved) | (Approved, Notified) | (Notified, Paid) | (Eligible, Ineligible))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_minimums_and_the_cap() {
        assert_eq!(reward_amount(RewardLevel::One, 200_000).unwrap(), 10_000, "5 %");
        assert_eq!(reward_amount(RewardLevel::Two, 200_000).unwrap(), 6_000, "3 %");
        assert_eq!(reward_amount(RewardLevel::Three, 200_000).unwrap(), 2_000, "1 %");
        assert_eq!(reward_amount(RewardLevel::One, 10_000).unwrap(), 5_000, "minimum of level 1");
        assert_eq!(reward_amount(RewardLevel::Two, 0).unwrap(), 3_000, "minimum of level 2");
        assert_eq!(reward_amount(RewardLevel::Three, 50_000).unwrap(), 1_000, "minimum of level 3");
        assert_eq!(reward_amount(RewardLevel::One, 30_000_000).unwrap(), 1_000_000, "the cap");
        assert_eq!(reward_amount(RewardLevel::One, i64::MAX).unwrap(), 1_000_000, "no overflow");
        assert_eq!(reward_amount(RewardLevel::Three, 123_450).unwrap(), 1_235, "rounded half up");
        assert!(reward_amount(RewardLevel::One, -1).is_err());
    }

    #[test]
    fn reward_states_move_forward_only() {
        use RewardStatus::*;
        assert!(Eligible.can_move_to(Approved) && Approved.can_move_to(Notified) && Notified.can_move_to(Paid));
        assert!(!Paid.can_move_to(Eligible) && !Eligible.can_move_to(Paid));
    }
}
