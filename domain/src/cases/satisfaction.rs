//! 满意度评价 · 回访: the four-level rating of a decided case, its 30-day window, the one reopening a 不满意 with a
//! reason earns, and the clock of the reopened case. Also what a business's page discloses of the decided cases
//! against it (投诉公示): counts only, never a reporter, never an open case.

use super::workdays::{day_of, end_of_day, WorkCalendar};
use super::{CaseKind, CaseState, Channel};
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

vocab! {
    /// The four levels of satisfaction 12315 centres use.
    pub enum Satisfaction {
        VerySatisfied = "very_satisfied" / "非常满意" => "Very satisfied";
        Satisfied = "satisfied" / "满意" => "Satisfied";
        Basic = "basic" / "基本满意" => "Fairly satisfied";
        Dissatisfied = "dissatisfied" / "不满意" => "Dissatisfied";
    }
}

impl Satisfaction {
    /// Counts towards the satisfaction rate (every level but 不满意).
    pub fn is_satisfied(self) -> bool {
        self != Satisfaction::Dissatisfied
    }
}

/// Days (calendar days) a decided case may be rated, from its decision.
pub const RATING_DAYS: i64 = 30;
/// Working days the bureau has to decide a case again after a 不满意 reopened it (its own clock: the shorter of
/// the two statutory decision periods, whatever the kind).
pub const REOPEN_WORKING_DAYS: i64 = 15;
/// The longest comment (the reason, for 不满意).
pub const MAX_RATING_COMMENT: usize = 500;

/// Whether a case in `state` has a decision to rate.
pub fn is_decided(state: CaseState) -> bool {
    matches!(state, CaseState::Substantiated | CaseState::Unsubstantiated | CaseState::Closed)
}

/// The last second a decision made at `decided_at` may be rated (the end of its 30th day, China time).
pub fn rate_until(decided_at: i64) -> i64 {
    end_of_day(day_of(decided_at) + RATING_DAYS)
}

/// The round a rating belongs to: 1 before a reopening, 2 after.
pub fn round_of(reopened_at: Option<i64>) -> i64 {
    if reopened_at.is_some() {
        2
    } else {
        1
    }
}

/// The deadline of a reopened case (last second of its 15th working day after the reopening).
pub fn reopened_deadline(cal: &WorkCalendar, reopened_at: i64) -> i64 {
    end_of_day(cal.add_working_days(day_of(reopened_at), REOPEN_WORKING_DAYS))
}

/// The deadline of the stage a case is in: the reopening's own clock while a reopened case is open, else the
/// statutory clock of its stage ([`super::deadline`]).
pub fn case_deadline(
    cal: &WorkCalendar,
    kind: CaseKind,
    state: CaseState,
    filed_at: i64,
    accepted_at: Option<i64>,
    reopened_at: Option<i64>,
) -> Option<i64> {
    match reopened_at {
        Some(r) if state.is_open() => Some(reopened_deadline(cal, r)),
        _ => super::deadline(cal, kind, state, super::stage_start(state, filed_at, accepted_at)),
    }
}

/// A rating as given: by the reporter (form or API) or by staff after a phone call.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RatingFields {
    /// `very_satisfied` | `satisfied` | `basic` | `dissatisfied`. (Missing, it is refused naming `level`, which
    /// lets a form without a choice come back with the message next to the field.)
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true, max_length = 20, example = "satisfied"))]
    pub level: String,
    /// Optional; required (the reason) when asking to reopen.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 500))]
    pub comment: String,
    /// Ask for the case to be handled again (only with `dissatisfied` and a reason; once per case). A form sends
    /// `on`/`1`/`true`.
    #[serde(default, deserialize_with = "flag")]
    pub reopen: bool,
}

/// A boolean from JSON (`true`) or a form (`on`, `1`, `true`; empty or absent is false).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    match Flag::deserialize(d)? {
        Flag::Bool(b) => Ok(b),
        Flag::Text(s) => match s.trim() {
            "on" | "1" | "true" => Ok(true),
            "" | "0" | "false" | "off" => Ok(false),
            _ => Err(serde::de::Error::custom("reopen must be true or false")),
        },
    }
}

/// A rating, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rating {
    pub level: Satisfaction,
    pub comment: String,
    pub reopen: bool,
}

impl RatingFields {
    /// Checks the fields: a known `level`, a `comment` within its limit (required to reopen), `reopen` only
    /// with 不满意.
    pub fn parse(&self) -> Result<Rating, AppError> {
        let level = Satisfaction::parse(self.level.trim()).ok_or_else(|| {
            let code = if self.level.trim().is_empty() { ErrCode::Required } else { ErrCode::InvalidValue };
            AppError::field(code, "level")
        })?;
        let comment = TextRule::optional(MAX_RATING_COMMENT).multiline().check("comment", &self.comment)?;
        if self.reopen && level != Satisfaction::Dissatisfied {
            return Err(AppError::field(ErrCode::InvalidValue, "reopen"));
        }
        if self.reopen && comment.is_empty() {
            return Err(AppError::field(ErrCode::Required, "comment"));
        }
        Ok(Rating { level, comment, reopen: self.reopen })
    }
}

/// Why a case may not be rated now, by the field the refusal names: `level` (undecided, already rated this
/// round, or past its 30 days) — checked before anything is stored.
pub fn check_rateable(
    state: CaseState,
    decided_at: Option<i64>,
    rated_this_round: bool,
    now: i64,
) -> Result<(), AppError> {
    let decided = decided_at.filter(|_| is_decided(state));
    let Some(decided) = decided else { return Err(AppError::field(ErrCode::Conflict, "level")) };
    if rated_this_round {
        return Err(AppError::field(ErrCode::Conflict, "level"));
    }
    if now > rate_until(decided) {
        return Err(AppError::field(ErrCode::PhaseClosed, "level"));
    }
    Ok(())
}

/// Whether a rating may reopen the case: only the first round's (a case is reopened once).
pub fn check_reopenable(reopened_at: Option<i64>) -> Result<(), AppError> {
    match reopened_at {
        Some(_) => Err(AppError::field(ErrCode::Conflict, "reopen")),
        None => Ok(()),
    }
}

/// One rating as the reporter and staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RatingView {
    /// 1 for the first decision, 2 for the decision after a reopening.
    pub round: i64,
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "satisfied"))]
    pub level: Satisfaction,
    pub comment: String,
    /// Recorded by staff after a phone call (回访), not by the reporter.
    pub by_phone: bool,
    /// This rating reopened the case.
    pub reopened: bool,
    pub rated_at: i64,
}

/// The rating part of a tracked case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RatingState {
    /// The current decision can be rated now (decided, not yet rated, within 30 days).
    pub can_rate: bool,
    /// The last second it can be rated, while it can.
    pub rate_until: Option<i64>,
    /// A 不满意 rating may still ask for the case to be handled again (it was never reopened).
    pub can_reopen: bool,
    /// When the case was reopened after a 不满意.
    pub reopened_at: Option<i64>,
    pub ratings: Vec<RatingView>,
}

/// Satisfaction figures for one group (the whole city, a district, a channel).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SatisfactionFigure {
    /// The district's or channel's stored name; empty for the whole city.
    pub group: String,
    /// Ratings given (both rounds).
    pub ratings: i64,
    /// Ratings of 非常满意, 满意 or 基本满意.
    pub satisfied: i64,
    /// `satisfied / ratings`, in percent with one decimal; `None` with no rating.
    pub rate: Option<f64>,
    /// Ratings per level, in the order of `Satisfaction::ALL`.
    pub levels: [i64; 4],
}

impl SatisfactionFigure {
    pub fn add(&mut self, level: Satisfaction, n: i64) {
        self.ratings += n;
        if level.is_satisfied() {
            self.satisfied += n;
        }
        if let Some(i) = Satisfaction::ALL.iter().position(|l| *l == level) {
            self.levels[i] += n;
        }
        self.rate = percent(self.satisfied, self.ratings);
    }
}

/// `part / whole` in percent with one decimal; `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The satisfaction section of the statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SatisfactionStats {
    pub overall: SatisfactionFigure,
    /// By the district of the business the case names (cases naming no registry business are in `overall` only).
    pub by_district: Vec<SatisfactionFigure>,
    /// By the channel the case came in through.
    pub by_channel: Vec<SatisfactionFigure>,
    /// Cases decided at least once.
    pub decided_cases: i64,
    /// Of those, reopened after a 不满意.
    pub reopened_cases: i64,
    /// `reopened_cases / decided_cases` in percent with one decimal.
    pub reopened_share: Option<f64>,
}

/// The outcome a business's complaint disclosure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A 举报 查证属实.
    Substantiated,
    /// A 投诉 mediated to a settlement (调解成功).
    Settled,
    /// Found without grounds (查无实据 / 调解不成立).
    Unsubstantiated,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Substantiated, Outcome::Settled, Outcome::Unsubstantiated];

    /// A decision on the merits, by the case's kind: a substantiated 投诉 is one the bureau settled.
    pub fn of(kind: CaseKind, decision: CaseState) -> Option<Outcome> {
        match (kind, decision) {
            (CaseKind::Report, CaseState::Substantiated) => Some(Outcome::Substantiated),
            (CaseKind::Complaint, CaseState::Substantiated) => Some(Outcome::Settled),
            (_, CaseState::Unsubstantiated) => Some(Outcome::Unsubstantiated),
            _ => None,
        }
    }

    pub fn label(self) -> crate::i18n::T {
        use crate::i18n::T;
        match self {
            Outcome::Substantiated => T::OutcomeSubstantiated,
            Outcome::Settled => T::OutcomeSettled,
            Outcome::Unsubstantiated => T::OutcomeUnsubstantiated,
        }
    }
}

/// Days a decided case stays in a business's complaint disclosure.
pub const DISCLOSURE_DAYS: i64 = 365;

/// A count in a disclosure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    /// The stored category (`CaseCategory`).
    pub category: String,
    pub count: i64,
}

/// 投诉公示: the decided cases against a business in the last 12 months, de-identified — counts by category and
/// by outcome, never a reporter, a text, a date or an open case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Disclosure {
    /// Decided cases counted (every outcome).
    pub total: i64,
    pub substantiated: i64,
    pub settled: i64,
    pub unsubstantiated: i64,
    /// Per category, most first.
    pub by_category: Vec<CategoryCount>,
    /// The window's first second (decisions at or after it are counted).
    pub since: i64,
}

impl Disclosure {
    /// Counts one decided case.
    pub fn add(&mut self, category: &str, outcome: Outcome, n: i64) {
        self.total += n;
        match outcome {
            Outcome::Substantiated => self.substantiated += n,
            Outcome::Settled => self.settled += n,
            Outcome::Unsubstantiated => self.unsubstantiated += n,
        }
        match self.by_category.iter_mut().find(|c| c.category == category) {
            Some(c) => c.count += n,
            None => self.by_category.push(CategoryCount { category: category.to_owned(), count: n }),
        }
        self.by_category.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.category.cmp(&b.category)));
    }
}

/// Whether staff may record a phone 回访 for a case that came in through `channel`: the reporter of a web case
/// rates it with the access code.
pub fn staff_may_record(channel: Channel) -> bool {
    channel != Channel::Web
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_date;

    fn fields(level: &str, comment: &str, reopen: bool) -> RatingFields {
        RatingFields { level: level.into(), comment: comment.into(), reopen }
    }

    #[test]
    fn the_rating_window_ends_with_the_thirtieth_day_china_time() {
        // Decided on 2026-11-02 at 16:00 China time (08:00 UTC).
        let decided = parse_date("2026-11-02").unwrap() + 8 * 3600;
        let until = rate_until(decided);
        assert_eq!(crate::clock::format_datetime(until), "2026-12-02 23:59");
        assert!(check_rateable(CaseState::Substantiated, Some(decided), false, until).is_ok());
        let late = check_rateable(CaseState::Substantiated, Some(decided), false, until + 1).unwrap_err();
        assert_eq!((late.code, late.field.as_deref()), (ErrCode::PhaseClosed, Some("level")));
    }

    #[test]
    fn only_a_decided_case_not_yet_rated_this_round_is_rateable() {
        let t = 1_800_000_000;
        for s in [CaseState::Submitted, CaseState::Accepted, CaseState::Investigating, CaseState::Rejected] {
            let e = check_rateable(s, Some(t), false, t).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (ErrCode::Conflict, Some("level")), "{s:?}");
        }
        assert!(check_rateable(CaseState::Closed, None, false, t).is_err(), "no decision recorded");
        assert!(check_rateable(CaseState::Closed, Some(t), false, t).is_ok());
        assert!(check_rateable(CaseState::Unsubstantiated, Some(t), true, t).is_err(), "rated already");
    }

    #[test]
    fn fields_name_what_is_wrong() {
        let e = |f: RatingFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(e(fields("", "", false)), "level");
        assert_eq!(e(fields("满意", "", false)), "level", "the stored code, not the label");
        assert_eq!(e(fields("satisfied", "", true)), "reopen", "only 不满意 reopens");
        assert_eq!(e(fields("dissatisfied", "  ", true)), "comment", "a reopening needs its reason");
        assert_eq!(e(fields("basic", &"长".repeat(MAX_RATING_COMMENT + 1), false)), "comment");
        let ok = fields("dissatisfied", "商家仍在销售", true).parse().unwrap();
        assert_eq!((ok.level, ok.reopen), (Satisfaction::Dissatisfied, true));
        assert!(fields("dissatisfied", "", false).parse().is_ok(), "不满意 without reopening needs no reason");
        assert!(check_reopenable(None).is_ok());
        assert_eq!(check_reopenable(Some(1)).unwrap_err().field.as_deref(), Some("reopen"));
    }

    #[test]
    fn a_reopened_case_runs_its_own_clock_with_the_calendar() {
        let mut cal = WorkCalendar::default();
        // Reopened on Wednesday 2026-09-30; 10-01..10-07 off, Saturday 10-10 worked.
        for day in 1..=7 {
            cal.holidays.insert(day_of(parse_date(&format!("2026-10-0{day}")).unwrap()));
        }
        cal.workdays.insert(day_of(parse_date("2026-10-10").unwrap()));
        let reopened = parse_date("2026-09-30").unwrap() + 3600;
        let due = case_deadline(&cal, CaseKind::Complaint, CaseState::Investigating, 0, Some(0), Some(reopened));
        // 15 working days: 10-08, 09, 10, 12..16, 19..23, 26, 27 → 10-27.
        assert_eq!(crate::clock::format_date(due.unwrap()), "2026-10-27");
        // Once decided again, no clock runs; never reopened, the statutory clock.
        assert_eq!(case_deadline(&cal, CaseKind::Report, CaseState::Substantiated, 0, Some(0), Some(reopened)), None);
        assert_eq!(
            case_deadline(&cal, CaseKind::Report, CaseState::Accepted, 0, Some(reopened), None),
            super::super::deadline(&cal, CaseKind::Report, CaseState::Accepted, reopened)
        );
    }

    #[test]
    fn outcomes_follow_the_kind_and_the_rate_rounds() {
        assert_eq!(Outcome::of(CaseKind::Complaint, CaseState::Substantiated), Some(Outcome::Settled));
        assert_eq!(Outcome::of(CaseKind::Report, CaseState::Substantiated), Some(Outcome::Substantiated));
        assert_eq!(Outcome::of(CaseKind::Report, CaseState::Unsubstantiated), Some(Outcome::Unsubstantiated));
        assert_eq!(Outcome::of(CaseKind::Report, CaseState::Closed), None);
        let mut f = SatisfactionFigure::default();
        f.add(Satisfaction::VerySatisfied, 2);
        f.add(Satisfaction::Dissatisfied, 1);
        assert_eq!((f.ratings, f.satisfied, f.rate, f.levels), (3, 2, Some(66.7), [2, 0, 0, 1]));
        let mut d = Disclosure::default();
        d.add("卫生状况", Outcome::Settled, 1);
        d.add("过期食品", Outcome::Substantiated, 2);
        assert_eq!((d.total, d.settled, d.by_category[0].category.as_str()), (3, 1, "过期食品"));
    }
}
