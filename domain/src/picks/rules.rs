//! The rules of a round: its phases follow the clock, a ballot holds 1..N distinct candidates of the round.

use crate::error::{AppError, ErrCode};
use crate::i18n::T;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

/// Where a round stands. Phases advance by the clock alone: nobody has to press a button at midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Announced; nominations not open yet.
    Upcoming,
    Nominating,
    Voting,
    /// Voting closed; the regulator samples the winners.
    Sampling,
    /// Results published.
    Published,
}

impl Phase {
    pub const ALL: [Phase; 5] = [Phase::Upcoming, Phase::Nominating, Phase::Voting, Phase::Sampling, Phase::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Nominating => "nominating",
            Phase::Voting => "voting",
            Phase::Sampling => "sampling",
            Phase::Published => "published",
        }
    }

    pub fn label(self) -> T {
        match self {
            Phase::Upcoming => T::PhaseUpcoming,
            Phase::Nominating => T::PhaseNominating,
            Phase::Voting => T::PhaseVoting,
            Phase::Sampling => T::PhaseSampling,
            Phase::Published => T::PhasePublished,
        }
    }

    /// Voting has closed: the tally is final and may be shown.
    pub fn is_closed(self) -> bool {
        matches!(self, Phase::Sampling | Phase::Published)
    }
}

/// The dates of a round (Unix seconds): nominations open at `nominate_from`, voting from `vote_from` until
/// `vote_until` (exclusive), results are due at `publish_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub nominate_from: i64,
    pub vote_from: i64,
    pub vote_until: i64,
    pub publish_at: i64,
}

impl Schedule {
    /// The phase at `t`.
    pub fn phase_at(&self, t: i64) -> Phase {
        if t < self.nominate_from {
            Phase::Upcoming
        } else if t < self.vote_from {
            Phase::Nominating
        } else if t < self.vote_until {
            Phase::Voting
        } else if t < self.publish_at {
            Phase::Sampling
        } else {
            Phase::Published
        }
    }

    /// The dates must follow each other; nominations may be skipped (`nominate_from == vote_from`). The error
    /// names the first date out of order.
    pub fn check(&self) -> Result<(), AppError> {
        if self.vote_from < self.nominate_from {
            return Err(AppError::field(ErrCode::InvalidValue, "vote_from"));
        }
        if self.vote_until <= self.vote_from {
            return Err(AppError::field(ErrCode::InvalidValue, "vote_until"));
        }
        if self.publish_at < self.vote_until {
            return Err(AppError::field(ErrCode::InvalidValue, "publish_at"));
        }
        Ok(())
    }
}

/// How a round tells voters apart. Only an HMAC of the identity is ever stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VoterCheck {
    /// A random token in a signed cookie: one ballot per browser.
    Device,
    /// A phone number verified by a one-time SMS code: one ballot per phone.
    Sms,
}

impl VoterCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            VoterCheck::Device => "device",
            VoterCheck::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<VoterCheck> {
        match s.trim() {
            "device" => Some(VoterCheck::Device),
            "sms" => Some(VoterCheck::Sms),
            _ => None,
        }
    }

    pub fn label(self) -> T {
        match self {
            VoterCheck::Device => T::VoterCheckDevice,
            VoterCheck::Sms => T::VoterCheckSms,
        }
    }
}

/// Most picks a round may allow on one ballot.
pub const MAX_PICKS_LIMIT: i64 = 20;
/// A ballot counts as cast by a "new device" in the integrity report when its device token was issued less than
/// this many seconds before the ballot's first submission.
pub const NEW_DEVICE_SECS: i64 = 3600;
/// Most candidates in one round.
pub const MAX_CANDIDATES: usize = 60;

/// Checks a ballot against its round: 1..=`max_picks` picks, no duplicates, each one of `candidates`.
/// Returns the picks sorted. Every refusal names `candidate_ids`.
pub fn check_ballot(picks: &[i64], candidates: &[i64], max_picks: i64) -> Result<Vec<i64>, AppError> {
    const FIELD: &str = "candidate_ids";
    if picks.is_empty() {
        return Err(AppError::field(ErrCode::Required, FIELD));
    }
    if picks.len() as i64 > max_picks {
        return Err(AppError::field(ErrCode::TooMany, FIELD));
    }
    let mut sorted = picks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != picks.len() || !sorted.iter().all(|p| candidates.contains(p)) {
        return Err(AppError::field(ErrCode::InvalidValue, FIELD));
    }
    Ok(sorted)
}

vocab! {
    /// Food categories of candidates and sampled batches (the national sampling catalogue's main classes).
    pub enum FoodCategory {
        Grain = "粮食加工品" => "Grain products";
        EdibleOil = "食用油" => "Edible oils";
        Meat = "肉制品" => "Meat products";
        Dairy = "乳制品" => "Dairy";
        Beverages = "饮料" => "Beverages";
        Condiments = "调味品" => "Condiments";
        Pastries = "糕点" => "Pastries";
        Alcohol = "酒类" => "Alcoholic drinks";
        Vegetables = "蔬菜" => "Vegetables";
        Fruit = "水果" => "Fruit";
        MeatAndOffal = "畜禽肉及副产品" => "Meat and offal";
        Aquatic = "水产品" => "Aquatic products";
        Eggs = "蛋类" => "Eggs";
        Soy = "豆制品" => "Soy products";
        RestaurantFood = "餐饮食品" => "Restaurant food";
        Other = "其他" => "Other";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Schedule = Schedule { nominate_from: 100, vote_from: 200, vote_until: 300, publish_at: 400 };

    #[test]
    fn phases_follow_the_clock_at_their_boundaries() {
        let at = |t| S.phase_at(t);
        assert_eq!(
            [at(99), at(100), at(199), at(200), at(299), at(300), at(399), at(400)],
            [
                Phase::Upcoming,
                Phase::Nominating,
                Phase::Nominating,
                Phase::Voting,
                Phase::Voting,
                Phase::Sampling,
                Phase::Sampling,
                Phase::Published
            ]
        );
        // Without a nomination phase, the round goes from upcoming straight to voting.
        let direct = Schedule { nominate_from: 200, ..S };
        assert_eq!((direct.phase_at(199), direct.phase_at(200)), (Phase::Upcoming, Phase::Voting));
        assert!(Phase::Sampling.is_closed() && !Phase::Voting.is_closed());
    }

    #[test]
    fn a_schedule_out_of_order_names_the_date() {
        assert!(S.check().is_ok());
        let field = |s: Schedule| s.check().unwrap_err().field.unwrap();
        assert_eq!(field(Schedule { vote_from: 50, ..S }), "vote_from");
        assert_eq!(field(Schedule { vote_until: 200, ..S }), "vote_until");
        assert_eq!(field(Schedule { publish_at: 299, ..S }), "publish_at");
    }

    #[test]
    fn ballots_hold_one_to_n_distinct_candidates_of_the_round() {
        let c = [3, 5, 7, 9];
        assert_eq!(check_ballot(&[7, 3], &c, 3).unwrap(), vec![3, 7]);
        let code = |p: &[i64], n| check_ballot(p, &c, n).unwrap_err();
        assert_eq!(code(&[], 3).code, ErrCode::Required);
        assert_eq!(code(&[3, 5, 7, 9], 3).code, ErrCode::TooMany);
        assert_eq!(code(&[3, 3], 3).code, ErrCode::InvalidValue);
        assert_eq!(code(&[4], 3).code, ErrCode::InvalidValue);
        assert_eq!(code(&[4], 3).field.as_deref(), Some("candidate_ids"));
        assert_eq!(check_ballot(&[9], &c, 1).unwrap(), vec![9]);
    }

    #[test]
    fn voter_checks_round_trip() {
        for v in [VoterCheck::Device, VoterCheck::Sms] {
            assert_eq!(VoterCheck::parse(v.as_str()), Some(v));
        }
        assert_eq!(VoterCheck::parse("email"), None);
    }
}
