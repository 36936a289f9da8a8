//! Grades, record events and the deduction rules (扣分制): one pure, table-driven function.

use serde::{Deserialize, Serialize};

/// A credit grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    pub fn parse(s: &str) -> Option<Grade> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Some(Grade::A),
            "B" => Some(Grade::B),
            "C" => Some(Grade::C),
            "D" => Some(Grade::D),
            _ => None,
        }
    }

    /// 守信 / 基本守信 / 失信 / 严重失信.
    pub fn label(self) -> crate::T {
        match self {
            Grade::A => crate::T::GradeA,
            Grade::B => crate::T::GradeB,
            Grade::C => crate::T::GradeC,
            Grade::D => crate::T::GradeD,
        }
    }
}

/// Kinds of dated record events behind a score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    InspectionFinding,
    SamplingFailure,
    Penalty,
    SubstantiatedReport,
    Commendation,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::InspectionFinding,
        EventKind::SamplingFailure,
        EventKind::Penalty,
        EventKind::SubstantiatedReport,
        EventKind::Commendation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::InspectionFinding => "inspection_finding",
            EventKind::SamplingFailure => "sampling_failure",
            EventKind::Penalty => "penalty",
            EventKind::SubstantiatedReport => "substantiated_report",
            EventKind::Commendation => "commendation",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> crate::T {
        match self {
            EventKind::InspectionFinding => crate::T::EventInspection,
            EventKind::SamplingFailure => crate::T::EventSampling,
            EventKind::Penalty => crate::T::EventPenalty,
            EventKind::SubstantiatedReport => crate::T::EventReport,
            EventKind::Commendation => crate::T::EventCommendation,
        }
    }
}

/// Severity of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Minor,
    General,
    Major,
    /// A serious violation: forces grade D and the watch list whatever the score.
    Serious,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Minor, Severity::General, Severity::Major, Severity::Serious];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Minor => "minor",
            Severity::General => "general",
            Severity::Major => "major",
            Severity::Serious => "serious",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> crate::T {
        match self {
            Severity::Minor => crate::T::SeverityMinor,
            Severity::General => crate::T::SeverityGeneral,
            Severity::Major => crate::T::SeverityMajor,
            Severity::Serious => crate::T::SeveritySerious,
        }
    }
}

/// The deduction rules. Data, not code: stored in the database and editable; [`CreditRules::default`] is the
/// table we ship.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditRules {
    /// Score at the start of every rating period.
    pub base: i64,
    /// Length of the (rolling) rating period in days.
    pub period_days: i64,
    /// Minimum score per grade, best first; below the last is D.
    pub thresholds: Vec<(Grade, i64)>,
    /// Points per (kind, severity). Commendations add points; everything else deducts them.
    pub points: Vec<(EventKind, Severity, i64)>,
    /// The windows of objections and credit repair and the deadlines to decide them (stored rules from before
    /// they existed take the shipped ones).
    #[serde(default)]
    pub windows: super::Windows,
}

impl Default for CreditRules {
    fn default() -> Self {
        use EventKind::*;
        use Severity::*;
        CreditRules {
            base: 100,
            period_days: 365,
            thresholds: vec![(Grade::A, 90), (Grade::B, 75), (Grade::C, 60)],
            points: vec![
                (InspectionFinding, Minor, 2),
                (InspectionFinding, General, 5),
                (InspectionFinding, Major, 10),
                (InspectionFinding, Serious, 40),
                (SamplingFailure, Minor, 5),
                (SamplingFailure, General, 10),
                (SamplingFailure, Major, 20),
                (SamplingFailure, Serious, 40),
                (Penalty, Minor, 5),
                (Penalty, General, 15),
                (Penalty, Major, 25),
                (Penalty, Serious, 40),
                (SubstantiatedReport, Minor, 3),
                (SubstantiatedReport, General, 8),
                (SubstantiatedReport, Major, 15),
                (SubstantiatedReport, Serious, 40),
                (Commendation, Minor, 2),
                (Commendation, General, 3),
                (Commendation, Major, 5),
                (Commendation, Serious, 5),
            ],
            windows: super::WINDOWS,
        }
    }
}

/// One dated event as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoredEvent {
    pub kind: EventKind,
    pub severity: Severity,
    /// Unix seconds.
    pub occurred_at: i64,
}

/// The outcome of the rules for one business at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub score: i64,
    pub grade: Grade,
    pub watch_list: bool,
}

impl CreditRules {
    /// Signed points of an event: negative for deductions, positive for commendations.
    pub fn points_for(&self, kind: EventKind, severity: Severity) -> i64 {
        let p = self.points.iter().find(|(k, s, _)| *k == kind && *s == severity).map(|(_, _, p)| *p).unwrap_or(0);
        if kind == EventKind::Commendation {
            p
        } else {
            -p
        }
    }

    pub fn grade_for(&self, score: i64) -> Grade {
        self.thresholds.iter().find(|(_, min)| score >= *min).map(|(g, _)| *g).unwrap_or(Grade::D)
    }

    /// Scores the events of the rating period ending at `now`: base plus the signed points, within 0..=base; a
    /// serious violation in the period forces D and the watch list.
    pub fn assess(&self, events: &[ScoredEvent], now: i64) -> Assessment {
        let since = now - self.period_days * 86_400;
        let in_period = events.iter().filter(|e| e.occurred_at > since && e.occurred_at <= now);
        let mut score = self.base;
        let mut serious = false;
        for e in in_period {
            score += self.points_for(e.kind, e.severity);
            serious |= e.severity == Severity::Serious && e.kind != EventKind::Commendation;
        }
        let score = score.clamp(0, self.base);
        if serious {
            Assessment { score, grade: Grade::D, watch_list: true }
        } else {
            let grade = self.grade_for(score);
            Assessment { score, grade, watch_list: grade == Grade::D }
        }
    }
}

/// 量化分级 dynamic grade for catering businesses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DynamicGrade {
    Excellent,
    Good,
    Fair,
}

impl DynamicGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            DynamicGrade::Excellent => "excellent",
            DynamicGrade::Good => "good",
            DynamicGrade::Fair => "fair",
        }
    }
    pub fn parse(s: &str) -> Option<DynamicGrade> {
        match s {
            "excellent" | "优秀" => Some(DynamicGrade::Excellent),
            "good" | "良好" => Some(DynamicGrade::Good),
            "fair" | "一般" => Some(DynamicGrade::Fair),
            _ => None,
        }
    }
    pub fn label(self) -> crate::T {
        match self {
            DynamicGrade::Excellent => crate::T::DynExcellent,
            DynamicGrade::Good => crate::T::DynGood,
            DynamicGrade::Fair => crate::T::DynFair,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind, severity: Severity, days_ago: i64) -> ScoredEvent {
        ScoredEvent { kind, severity, occurred_at: 1_800_000_000 - days_ago * 86_400 }
    }

    #[test]
    fn grades_by_deduction() {
        let r = CreditRules::default();
        let now = 1_800_000_000;
        assert_eq!(r.assess(&[], now), Assessment { score: 100, grade: Grade::A, watch_list: false });
        let b = r.assess(&[ev(EventKind::Penalty, Severity::General, 10)], now);
        assert_eq!((b.score, b.grade), (85, Grade::B));
        let c = r.assess(
            &[ev(EventKind::Penalty, Severity::Major, 10), ev(EventKind::SamplingFailure, Severity::General, 5)],
            now,
        );
        assert_eq!((c.score, c.grade), (65, Grade::C));
        // Boundaries: 90 is A, 89 is B, 75 is B, 60 is C, 59 is D.
        assert_eq!(r.grade_for(90), Grade::A);
        assert_eq!(r.grade_for(89), Grade::B);
        assert_eq!(r.grade_for(75), Grade::B);
        assert_eq!(r.grade_for(60), Grade::C);
        assert_eq!(r.grade_for(59), Grade::D);
        assert_eq!(r.grade_for(74), Grade::C);
        // The period is 365 days back from now, exclusive: a day's second less and the event still counts.
        let edge = |secs_ago: i64| ScoredEvent {
            kind: EventKind::Penalty,
            severity: Severity::General,
            occurred_at: now - secs_ago,
        };
        assert_eq!(r.assess(&[edge(365 * 86_400)], now).score, 100, "exactly 365 days old: out");
        assert_eq!(r.assess(&[edge(365 * 86_400 - 1)], now).score, 85, "a second younger: in");
        assert_eq!(r.assess(&[edge(-60)], now).score, 100, "not yet happened: not counted");
        // Old events fall out of the period; commendations add but never above the base.
        let old = r.assess(&[ev(EventKind::Penalty, Severity::Major, 400)], now);
        assert_eq!(old.score, 100);
        let comm = r.assess(
            &[ev(EventKind::Penalty, Severity::Minor, 3), ev(EventKind::Commendation, Severity::Major, 2)],
            now,
        );
        assert_eq!(comm.score, 100);
        // Scores never go below 0 and low scores are on the watch list.
        let many: Vec<_> = (0..10).map(|d| ev(EventKind::Penalty, Severity::Major, d)).collect();
        assert_eq!(r.assess(&many, now), Assessment { score: 0, grade: Grade::D, watch_list: true });
    }

    #[test]
    fn serious_violation_forces_d_and_watch_list() {
        let r = CreditRules::default();
        let a = r.assess(&[ev(EventKind::InspectionFinding, Severity::Serious, 1)], 1_800_000_000);
        assert_eq!(a.grade, Grade::D);
        assert!(a.watch_list);
        assert_eq!(a.score, 60, "score still shown");
    }

    #[test]
    fn thresholds_are_data() {
        let strict =
            CreditRules { thresholds: vec![(Grade::A, 95), (Grade::B, 80), (Grade::C, 70)], ..Default::default() };
        assert_eq!(strict.grade_for(92), Grade::B);
        let json = serde_json::to_string(&strict).unwrap();
        assert_eq!(serde_json::from_str::<CreditRules>(&json).unwrap(), strict);
        // The objection windows are data too; rules stored before them take the shipped ones.
        let longer = CreditRules {
            windows: super::super::Windows { objection_days: 20, ..super::super::WINDOWS },
            ..Default::default()
        };
        let json = serde_json::to_string(&longer).unwrap();
        assert_eq!(serde_json::from_str::<CreditRules>(&json).unwrap().windows.objection_days, 20);
        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        old.as_object_mut().unwrap().remove("windows");
        assert_eq!(serde_json::from_value::<CreditRules>(old).unwrap().windows, super::super::WINDOWS);
    }
}
