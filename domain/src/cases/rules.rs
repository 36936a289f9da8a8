//! A case's kind, channel, category and state, and which transitions staff may make.

use crate::i18n::T;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

/// 投诉 (a consumer's own dispute, mediated) or 举报 (a violation clue, investigated, reward-eligible).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Complaint,
    Report,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Complaint => "complaint",
            CaseKind::Report => "report",
        }
    }

    /// `投诉` / `举报` (the form's and the public contract's values) or `complaint` / `report`.
    pub fn parse(s: &str) -> Option<CaseKind> {
        match s.trim() {
            "投诉" | "complaint" => Some(CaseKind::Complaint),
            "举报" | "report" => Some(CaseKind::Report),
            _ => None,
        }
    }

    pub fn label(self) -> T {
        match self {
            CaseKind::Complaint => T::CaseKindComplaint,
            CaseKind::Report => T::CaseKindReport,
        }
    }
}

/// How a case came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Hotline,
    Counter,
    /// A school's complaint box.
    SchoolBox,
    Volunteer,
    /// Another app, through Open311 with its partner key (the case row names the partner).
    Partner,
}

impl Channel {
    pub const ALL: [Channel; 6] =
        [Channel::Web, Channel::Hotline, Channel::Counter, Channel::SchoolBox, Channel::Volunteer, Channel::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Hotline => "hotline",
            Channel::Counter => "counter",
            Channel::SchoolBox => "school_box",
            Channel::Volunteer => "volunteer",
            Channel::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// Whether staff may type in a case from this channel (web and partner cases come in by themselves).
    pub fn typed_by_staff(self) -> bool {
        !matches!(self, Channel::Web | Channel::Partner)
    }

    pub fn label(self) -> T {
        match self {
            Channel::Web => T::ChannelWeb,
            Channel::Hotline => T::ChannelHotline,
            Channel::Counter => T::ChannelCounter,
            Channel::SchoolBox => T::ChannelSchoolBox,
            Channel::Volunteer => T::ChannelVolunteer,
            Channel::Partner => T::ChannelPartner,
        }
    }
}

vocab! {
    /// Categories of cases.
    pub enum CaseCategory {
        ExpiredFood = "过期食品" => "Expired food";
        Unlicensed = "无证经营" => "Unlicensed business";
        Hygiene = "卫生状况" => "Hygiene";
        IllegalAdditives = "非法添加" => "Illegal additives";
        Counterfeit = "假冒伪劣" => "Counterfeit or substandard";
        FalseAdvertising = "虚假宣传" => "False advertising";
        PriceFraud = "价格欺诈" => "Price fraud";
        Other = "其他" => "Other";
    }
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Submitted,
    Accepted,
    Rejected,
    Investigating,
    Substantiated,
    Unsubstantiated,
    Closed,
}

impl CaseState {
    pub const ALL: [CaseState; 7] = [
        CaseState::Submitted,
        CaseState::Accepted,
        CaseState::Rejected,
        CaseState::Investigating,
        CaseState::Substantiated,
        CaseState::Unsubstantiated,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Submitted => "submitted",
            CaseState::Accepted => "accepted",
            CaseState::Rejected => "rejected",
            CaseState::Investigating => "investigating",
            CaseState::Substantiated => "substantiated",
            CaseState::Unsubstantiated => "unsubstantiated",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> T {
        match self {
            CaseState::Submitted => T::StateSubmitted,
            CaseState::Accepted => T::StateAccepted,
            CaseState::Rejected => T::StateRejected,
            CaseState::Investigating => T::StateInvestigating,
            CaseState::Substantiated => T::StateSubstantiated,
            CaseState::Unsubstantiated => T::StateUnsubstantiated,
            CaseState::Closed => T::StateClosed,
        }
    }

    /// The states staff may move a case to from this one.
    pub fn next(self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            Submitted => &[Accepted, Rejected],
            Accepted => &[Investigating, Substantiated, Unsubstantiated],
            Investigating => &[Substantiated, Unsubstantiated],
            Rejected | Substantiated | Unsubstantiated => &[Closed],
            Closed => &[],
        }
    }

    pub fn can_move_to(self, to: CaseState) -> bool {
        self.next().contains(&to)
    }

    /// Still waiting for the bureau (a statutory clock runs).
    pub fn is_open(self) -> bool {
        matches!(self, CaseState::Submitted | CaseState::Accepted | CaseState::Investigating)
    }
}

/// Why a case was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The same facts as an earlier case (linked to it).
    Duplicate,
    OutOfScope,
    Insufficient,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Duplicate => "duplicate",
            RejectReason::OutOfScope => "out_of_scope",
            RejectReason::Insufficient => "insufficient",
        }
    }

    pub fn parse(s: &str) -> Option<RejectReason> {
        [RejectReason::Duplicate, RejectReason::OutOfScope, RejectReason::Insufficient]
            .into_iter()
            .find(|r| r.as_str() == s.trim())
    }

    pub fn label(self) -> T {
        match self {
            RejectReason::Duplicate => T::RejectDuplicate,
            RejectReason::OutOfScope => T::RejectOutOfScope,
            RejectReason::Insufficient => T::RejectInsufficient,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_allows_only_the_documented_moves() {
        use CaseState::*;
        assert!(Submitted.can_move_to(Accepted) && Submitted.can_move_to(Rejected));
        assert!(!Submitted.can_move_to(Substantiated), "no decision before acceptance");
        assert!(Accepted.can_move_to(Investigating) && Investigating.can_move_to(Substantiated));
        assert!(Substantiated.can_move_to(Closed) && Rejected.can_move_to(Closed));
        assert!(!Closed.can_move_to(Submitted) && Closed.next().is_empty());
        assert!(!Investigating.can_move_to(Accepted), "no way back");
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
            assert!(!s.can_move_to(s));
        }
        assert!(Submitted.is_open() && !Closed.is_open() && !Rejected.is_open());
    }

    #[test]
    fn kinds_parse_in_chinese_and_english() {
        assert_eq!(CaseKind::parse("举报"), Some(CaseKind::Report));
        assert_eq!(CaseKind::parse("complaint"), Some(CaseKind::Complaint));
        assert_eq!(CaseKind::parse("投诉举报"), None);
        assert_eq!(Channel::parse("school_box"), Some(Channel::SchoolBox));
    }
}
