//! What staff and citizens submit to 你点我检, parsed once for forms, server functions and the API.

use super::{FoodCategory, Schedule, VoterCheck, MAX_PICKS_LIMIT};
use crate::clock::parse_date;
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use serde::{Deserialize, Serialize};

crate::fields! {
    /// A round as the staff form gives it. Dates are days in UTC+8: nominations open and voting opens at the
    /// start of their day, `vote_until` is the last day of voting, results are due on `publish_at`.
    pub struct RoundFields {
        title,
        description,
        nominate_from,
        vote_from,
        vote_until,
        publish_at,
        max_picks,
        show_live,
        voter_check,
    }
}

/// A round, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundInput {
    pub title: String,
    pub description: String,
    pub schedule: Schedule,
    pub max_picks: i64,
    pub show_live: bool,
    pub voter_check: VoterCheck,
}

pub const TITLE: TextRule = TextRule::line(80);
pub const DESCRIPTION: TextRule = TextRule::optional(2000).multiline();
pub const FOOD: TextRule = TextRule::line(40);
pub const REASON: TextRule = TextRule::optional(300).multiline();

fn day(field: &'static str, v: &str) -> Result<i64, AppError> {
    if v.trim().is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    parse_date(v).ok_or_else(|| AppError::field(ErrCode::InvalidValue, field))
}

fn flag(v: &str) -> bool {
    matches!(v.trim(), "1" | "true" | "on" | "yes")
}

impl RoundFields {
    pub fn parse(&self) -> Result<RoundInput, AppError> {
        let title = TITLE.check(Self::title, &self.title)?;
        let description = DESCRIPTION.check(Self::description, &self.description)?;
        let schedule = Schedule {
            nominate_from: day(Self::nominate_from, &self.nominate_from)?,
            vote_from: day(Self::vote_from, &self.vote_from)?,
            vote_until: day(Self::vote_until, &self.vote_until)? + 86_400,
            publish_at: day(Self::publish_at, &self.publish_at)?,
        };
        schedule.check()?;
        let max_picks = match self.max_picks.trim() {
            "" => 3,
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PICKS_LIMIT).contains(n))
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::max_picks))?,
        };
        let voter_check = match self.voter_check.trim() {
            "" => VoterCheck::Device,
            v => VoterCheck::parse(v).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::voter_check))?,
        };
        Ok(RoundInput { title, description, schedule, max_picks, show_live: flag(&self.show_live), voter_check })
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A candidate food (staff) or a nomination (citizens; `website` is a honeypot a person never fills in).
    pub struct CandidateFields {
        food,
        category,
        reason,
        website,
    }
}

/// A candidate or nomination, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateInput {
    pub food: String,
    pub category: String,
    pub reason: String,
}

impl CandidateFields {
    pub fn parse(&self) -> Result<CandidateInput, AppError> {
        let food = FOOD.check(Self::food, &self.food)?;
        let category = match self.category.trim() {
            "" => FoodCategory::Other.as_str().to_owned(),
            c => FoodCategory::parse(c)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::category))?
                .as_str()
                .to_owned(),
        };
        let reason = REASON.check(Self::reason, &self.reason)?;
        Ok(CandidateInput { food, category, reason })
    }

    /// A bot filled the hidden field.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }
}

/// A ballot as the API takes it: `{"candidate_ids": [..]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BallotBody {
    #[serde(default)]
    pub candidate_ids: Vec<i64>,
    /// For rounds verified by SMS: the phone number and the code sent to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The ballot form's field names (`candidate_ids` repeated, one per ticked box).
pub const BALLOT_FIELD: &str = "candidate_ids";
/// The honeypot field of the ballot and nomination forms.
pub const HONEYPOT_FIELD: &str = "website";

/// A staff decision on a nomination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NominationDecision {
    /// A new candidate is made from the nomination.
    Approve,
    /// Counted as the existing candidate.
    Merge(i64),
    /// Refused, with a reason the nominator sees.
    Reject(String),
}

impl NominationDecision {
    /// From the moderation form: `decision` = approve | merge | reject, `candidate_id` for a merge, `reason`
    /// for a rejection.
    pub fn parse(decision: &str, candidate_id: &str, reason: &str) -> Result<NominationDecision, AppError> {
        match decision.trim() {
            "approve" => Ok(NominationDecision::Approve),
            "merge" => candidate_id
                .trim()
                .parse()
                .map(NominationDecision::Merge)
                .map_err(|_| AppError::field(ErrCode::InvalidValue, "candidate_id")),
            "reject" => Ok(NominationDecision::Reject(TextRule::line(200).check("reason", reason)?)),
            _ => Err(AppError::field(ErrCode::InvalidValue, "decision")),
        }
    }
}

/// A phone number for SMS verification (shared with the credit objections, so it lives in `text`).
pub use crate::text::parse_phone;

#[cfg(test)]
mod tests {
    use super::*;

    fn round() -> RoundFields {
        RoundFields {
            title: "2026年第四期".into(),
            nominate_from: "2026-12-01".into(),
            vote_from: "2026-12-08".into(),
            vote_until: "2026-12-14".into(),
            publish_at: "2027-01-10".into(),
            max_picks: "3".into(),
            show_live: "1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_round_parses_with_its_last_voting_day_inclusive() {
        let r = round().parse().unwrap();
        assert_eq!(r.schedule.vote_until - r.schedule.vote_from, 7 * 86_400);
        assert_eq!((r.max_picks, r.show_live, r.voter_check), (3, true, VoterCheck::Device));
        let field = |f: RoundFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(field(RoundFields { title: " ".into(), ..round() }), "title");
        assert_eq!(field(RoundFields { vote_until: "2026-12-07".into(), ..round() }), "vote_until");
        assert_eq!(field(RoundFields { vote_from: "2026-13-01".into(), ..round() }), "vote_from");
        assert_eq!(field(RoundFields { max_picks: "21".into(), ..round() }), "max_picks");
        assert_eq!(field(RoundFields { max_picks: "0".into(), ..round() }), "max_picks");
        assert_eq!(field(RoundFields { voter_check: "email".into(), ..round() }), "voter_check");
    }

    #[test]
    fn nominations_are_checked_and_bots_spotted() {
        let f = CandidateFields { food: "小龙虾".into(), category: "水产品".into(), ..Default::default() };
        assert_eq!(f.parse().unwrap().food, "小龙虾");
        assert!(!f.is_bot());
        assert!(CandidateFields { website: "http://spam".into(), ..f.clone() }.is_bot());
        let e = CandidateFields { food: "".into(), ..f.clone() }.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrCode::Required, Some("food")));
        let e = CandidateFields { food: "长".repeat(10_000), ..f.clone() }.parse().unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrCode::TooLong, Some("food")));
        let e = CandidateFields { category: "火星食品".into(), ..f }.parse().unwrap_err();
        assert_eq!(e.field.as_deref(), Some("category"));
    }

    #[test]
    fn decisions_and_phones() {
        assert_eq!(NominationDecision::parse("merge", "7", "").unwrap(), NominationDecision::Merge(7));
        assert_eq!(NominationDecision::parse("merge", "x", "").unwrap_err().field.as_deref(), Some("candidate_id"));
        assert_eq!(NominationDecision::parse("reject", "", "").unwrap_err().field.as_deref(), Some("reason"));
        assert_eq!(NominationDecision::parse("delete", "", "").unwrap_err().field.as_deref(), Some("decision"));
        assert_eq!(parse_phone("+86 138-0000-1234").unwrap(), "13800001234");
        assert_eq!(parse_phone("１３８００００１２３４").unwrap(), "13800001234");
        assert!(parse_phone("23800001234").is_err() && parse_phone("1380000123").is_err());
    }
}
