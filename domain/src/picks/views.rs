//! What pages and the API show of 你点我检.

use super::{Phase, Schedule, VoterCheck};
use crate::i18n::T;
use crate::sampling::SamplingBatch;
use serde::{Deserialize, Serialize};

/// A round as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoundSummary {
    pub id: i64,
    pub title: String,
    /// Where the round stands now (by the clock).
    pub phase: Phase,
    #[serde(flatten)]
    pub schedule: Schedule,
    /// Most picks on one ballot.
    pub max_picks: i64,
    /// Whether counts are shown while voting (they always are once voting has closed).
    pub show_live: bool,
    pub voter_check: VoterCheck,
    /// How many candidates the round has.
    pub candidate_count: i64,
    /// Ballots cast, when counts are visible.
    pub ballots: Option<i64>,
}

/// One candidate food, with its votes when counts are visible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CandidateView {
    pub id: i64,
    pub food: String,
    pub category: String,
    pub reason: String,
    pub votes: Option<i64>,
}

/// A round with its candidates, its results once published, and its integrity report once voting has closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoundDetail {
    #[serde(flatten)]
    pub summary: RoundSummary,
    pub description: String,
    /// In tally order when counts are visible (most votes first), else in the order staff listed them.
    pub candidates: Vec<CandidateView>,
    pub results: Vec<SamplingBatch>,
    pub integrity: Option<IntegrityReport>,
}

impl RoundDetail {
    pub fn counts_visible(&self) -> bool {
        self.summary.ballots.is_some()
    }
}

/// How a round's vote went, published with the tally.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IntegrityReport {
    /// Ballots counted (one per voter).
    pub ballots: i64,
    /// Distinct voter identities among them (equal to `ballots`: the database allows one ballot per voter).
    pub distinct_voters: i64,
    /// Accepted submissions, including those later replaced by the same voter's new ballot.
    pub submissions: i64,
    /// Submissions replaced by a later ballot of the same voter.
    pub replaced: i64,
    /// Refused submissions by reason.
    pub refused: Vec<Refusal>,
    pub method: VoterCheck,
    /// Distinct networks (IPv4 /24, IPv6 /64) the counted ballots came from (ballots record the network of their
    /// first submission; only a keyed hash of it is stored).
    pub networks: i64,
    /// Counted ballots from the ten networks with the most ballots: their share of `ballots` shows how
    /// concentrated the vote is (a campus or an office shares one network; a stuffing script does too).
    pub top_networks_ballots: i64,
    /// Counted ballots whose device was issued less than [`NEW_DEVICE_SECS`](crate::picks::NEW_DEVICE_SECS)
    /// (an hour) before the ballot's first submission: voters who arrived only to vote.
    pub new_device_ballots: i64,
}

/// Why ballots were refused, and how many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    RateLimited,
    Honeypot,
    /// A wrong, expired or used SMS code.
    BadCode,
    /// Outside the voting phase.
    Closed,
    /// Zero, too many, duplicate or foreign picks.
    Invalid,
    /// No device voter (a ballot sent without the cookie the round's page or `GET …/voter` issues).
    NoVoter,
}

impl RefusalReason {
    pub const ALL: [RefusalReason; 6] = [
        RefusalReason::RateLimited,
        RefusalReason::Honeypot,
        RefusalReason::BadCode,
        RefusalReason::Closed,
        RefusalReason::Invalid,
        RefusalReason::NoVoter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::RateLimited => "rate_limited",
            RefusalReason::Honeypot => "honeypot",
            RefusalReason::BadCode => "bad_code",
            RefusalReason::Closed => "closed",
            RefusalReason::Invalid => "invalid",
            RefusalReason::NoVoter => "no_voter",
        }
    }

    pub fn parse(s: &str) -> Option<RefusalReason> {
        RefusalReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> T {
        match self {
            RefusalReason::RateLimited => T::RefusedRateLimited,
            RefusalReason::Honeypot => T::RefusedHoneypot,
            RefusalReason::BadCode => T::RefusedBadCode,
            RefusalReason::Closed => T::RefusedClosed,
            RefusalReason::Invalid => T::RefusedInvalid,
            RefusalReason::NoVoter => T::RefusedNoVoter,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Refusal {
    pub reason: RefusalReason,
    pub count: i64,
}

/// What a voter is told after casting a ballot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BallotReceipt {
    pub round_id: i64,
    pub candidate_ids: Vec<i64>,
    /// True when this ballot replaced the voter's earlier one.
    pub replaced: bool,
}

/// Where a nomination stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    Pending,
    Approved,
    Merged,
    Rejected,
}

impl NominationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NominationStatus::Pending => "pending",
            NominationStatus::Approved => "approved",
            NominationStatus::Merged => "merged",
            NominationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<NominationStatus> {
        [NominationStatus::Pending, NominationStatus::Approved, NominationStatus::Merged, NominationStatus::Rejected]
            .into_iter()
            .find(|n| n.as_str() == s)
    }

    pub fn label(self) -> T {
        match self {
            NominationStatus::Pending => T::NominationPending,
            NominationStatus::Approved => T::NominationApproved,
            NominationStatus::Merged => T::NominationMerged,
            NominationStatus::Rejected => T::NominationRejected,
        }
    }
}

/// A nomination, as its nominator and the moderators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NominationView {
    pub id: i64,
    pub round_id: i64,
    pub food: String,
    pub category: String,
    pub reason: String,
    pub status: NominationStatus,
    /// The candidate it became or was merged into.
    pub candidate_id: Option<i64>,
    /// Why it was rejected.
    pub decision_reason: Option<String>,
    pub created_at: i64,
}
