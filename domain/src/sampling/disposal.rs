//! 核查处置: what was done about a failing batch. Staff add dated steps — 核查 (the business found and notified),
//! 控制 (taken off sale / recalled, with quantities), 复检 (the business's retest and its result), 立案, 处罚 (the
//! decision), 整改复查 (the follow-up inspection) — in an order the law implies, each with a deadline counted from
//! the result or from the step before it. A step still missing past its deadline is overdue; a step done after
//! it is late.
//!
//! The default deadlines (see [`DisposalLimits`]) come from 《食品安全抽样检验管理办法》 (市场监管总局令第15号)
//! and 《市场监督管理行政处罚程序规定》; ARCHITECTURE.md names the articles.

use super::SamplingBatch;
use crate::cases::{day_of, end_of_day, WorkCalendar};
use crate::clock::parse_date;
use crate::error::{AppError, ErrCode};
use crate::i18n::{Lang, T};
use crate::text::TextRule;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};
use std::fmt;

vocab! {
    /// The steps of 核查处置, in the order they are shown.
    pub enum DisposalStep {
        Check = "check" / "核查" => "Verification";
        Control = "control" / "控制" => "Control";
        Retest = "retest" / "复检" => "Retest";
        CaseFiled = "case_filed" / "立案" => "Case opened";
        Penalty = "penalty" / "处罚" => "Penalty";
        Recheck = "recheck" / "整改复查" => "Follow-up inspection";
    }
}

vocab! {
    /// Units of the quantities taken off sale or recalled.
    pub enum QuantityUnit {
        Kg = "kg" / "千克" => "kg";
        Piece = "piece" / "件" => "pieces";
        Box = "box" / "箱" => "boxes";
        Bag = "bag" / "袋" => "bags";
        Bottle = "bottle" / "瓶" => "bottles";
    }
}

vocab! {
    /// What the business's retest found.
    pub enum RetestResult {
        Passed = "passed" / "复检合格" => "Retest passed";
        Failed = "failed" / "复检不合格" => "Retest failed";
    }
}

/// Deadlines of the steps (`PORTAL_DISPOSAL_*_DAYS`). Working days skip weekends and the holiday calendar
/// (`cases::WorkCalendar`); calendar days do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisposalLimits {
    /// 核查: the business notified within this many working days of the result (管理办法: 5).
    pub check_working_days: i64,
    /// 控制: off sale / recalled within this many working days of the notice (管理办法: at once; taken as 1).
    pub control_working_days: i64,
    /// 复检: the business may ask for a retest within this many working days of the notice (管理办法: 7).
    pub retest_working_days: i64,
    /// 立案: decided within this many working days of the case's discovery (处罚程序规定: 15).
    pub case_working_days: i64,
    /// 处罚: the decision within this many days of 立案 (处罚程序规定: 90).
    pub penalty_days: i64,
    /// 整改复查: 核查处置 completed within this many days of the result (管理办法: 90).
    pub complete_days: i64,
}

impl Default for DisposalLimits {
    fn default() -> Self {
        DisposalLimits {
            check_working_days: 5,
            control_working_days: 1,
            retest_working_days: 7,
            case_working_days: 15,
            penalty_days: 90,
            complete_days: 90,
        }
    }
}

/// A quantity in thousandths (three decimals kept exactly); the API shows it as a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(pub i64);

/// The largest quantity accepted (a billion units).
pub const MAX_QUANTITY: i64 = 1_000_000_000;

impl Quantity {
    /// `200`, `12.5`, `0.125` (at most three decimals, more than 0, at most [`MAX_QUANTITY`]); anything else —
    /// a sign, an exponent, a unit, `NaN` — is `None`.
    pub fn parse(s: &str) -> Option<Quantity> {
        let s = s.trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || int.len() > 10 || frac.len() > 3 || !digits(int) || !digits(frac) {
            return None;
        }
        if s.ends_with('.') {
            return None;
        }
        let whole: i64 = int.parse().ok()?;
        let mut milli: i64 = format!("{frac:0<3}").parse().ok()?;
        milli += whole.checked_mul(1000)?;
        (milli > 0 && milli <= MAX_QUANTITY * 1000).then_some(Quantity(milli))
    }

    pub fn milli(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 1000.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        let v = f64::deserialize(d)?;
        Ok(Quantity((v * 1000.0).round() as i64))
    }
}

crate::fields! {
    /// The staff form adding a step to a failing batch (also its JSON body). `done_on` is the date the step was
    /// taken (`2026-11-30`); `removed` / `recalled` the quantities of a 控制 step in `unit`; `retest_result` of a
    /// 复检 step `passed` or `failed`; `decision_no` and `measures` of a 处罚 step (the decision's number and what
    /// it ordered); `note` is public.
    pub struct DisposalFields {
        kind,
        done_on,
        removed,
        recalled,
        unit,
        retest_result,
        decision_no,
        measures,
        note,
    }
}

/// A step, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepInput {
    pub kind: DisposalStep,
    /// Unix seconds of the day (midnight UTC+8).
    pub done_at: i64,
    pub removed: Option<Quantity>,
    pub recalled: Option<Quantity>,
    pub unit: Option<QuantityUnit>,
    pub retest_result: Option<RetestResult>,
    pub decision_no: Option<String>,
    pub measures: Option<String>,
    pub note: String,
}

impl DisposalFields {
    /// Checks the form; each refusal names its field. Fields that do not belong to the step's kind are ignored.
    pub fn parse(&self) -> Result<StepInput, AppError> {
        let kind = match self.kind.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::kind)),
            k => DisposalStep::parse(k).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::kind))?,
        };
        let done_at = match self.done_on.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::done_on)),
            d => parse_date(d).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::done_on))?,
        };
        let note = TextRule::optional(500).multiline().check(Self::note, &self.note)?;
        let mut step = StepInput {
            kind,
            done_at,
            removed: None,
            recalled: None,
            unit: None,
            retest_result: None,
            decision_no: None,
            measures: None,
            note,
        };
        let quantity = |v: &str, field: &'static str| match v.trim() {
            "" => Ok(None),
            q => Quantity::parse(q).map(Some).ok_or_else(|| AppError::field(ErrCode::InvalidValue, field)),
        };
        match kind {
            DisposalStep::Control => {
                step.removed = quantity(&self.removed, Self::removed)?;
                step.recalled = quantity(&self.recalled, Self::recalled)?;
                if step.removed.is_none() && step.recalled.is_none() {
                    return Err(AppError::field(ErrCode::Required, Self::removed));
                }
                step.unit = Some(match self.unit.trim() {
                    "" => return Err(AppError::field(ErrCode::Required, Self::unit)),
                    u => QuantityUnit::parse(u).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::unit))?,
                });
            }
            DisposalStep::Retest => {
                step.retest_result = Some(match self.retest_result.trim() {
                    "" => return Err(AppError::field(ErrCode::Required, Self::retest_result)),
                    r => RetestResult::parse(r)
                        .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::retest_result))?,
                });
            }
            DisposalStep::Penalty => {
                step.decision_no = Some(TextRule::line(60).check(Self::decision_no, &self.decision_no)?);
                step.measures = Some(TextRule::para(1, 500).check(Self::measures, &self.measures)?);
            }
            DisposalStep::Check | DisposalStep::CaseFiled | DisposalStep::Recheck => {}
        }
        Ok(step)
    }
}

impl DisposalStep {
    /// The steps that must be recorded before this one.
    pub fn after(self) -> &'static [DisposalStep] {
        use DisposalStep as S;
        match self {
            S::Check => &[],
            S::Control | S::Retest | S::CaseFiled => &[S::Check],
            S::Penalty => &[S::CaseFiled],
            S::Recheck => &[S::Check],
        }
    }
}

/// Whether `next`, taken on the day of `done_at`, may follow the steps `done` (kind and date) of a batch sampled
/// at `sampled_at`, at `now`. The order: 核查 first; 控制, 复检 and 立案 after 核查; 处罚 only after 立案; 整改复查
/// last (after every step recorded, and after 处罚 once a case is open); each kind once; no step dated before the
/// batch was sampled, before a step it follows, or in the future. Refusals name `kind` or `done_on`.
pub fn check_order(
    done: &[(DisposalStep, i64)],
    next: DisposalStep,
    done_at: i64,
    sampled_at: i64,
    now: i64,
) -> Result<(), AppError> {
    let day = day_of(done_at);
    if day < day_of(sampled_at) || day > day_of(now) {
        return Err(AppError::field(ErrCode::InvalidValue, DisposalFields::done_on));
    }
    let when = |k: DisposalStep| done.iter().find(|(d, _)| *d == k).map(|(_, t)| day_of(*t));
    if when(next).is_some() {
        return Err(AppError::field(ErrCode::Conflict, DisposalFields::kind));
    }
    if when(DisposalStep::Recheck).is_some() {
        return Err(AppError::field(ErrCode::InvalidValue, DisposalFields::kind));
    }
    let mut before: Vec<DisposalStep> = next.after().to_vec();
    if next == DisposalStep::Recheck && when(DisposalStep::CaseFiled).is_some() {
        before.push(DisposalStep::Penalty);
    }
    for k in &before {
        if when(*k).is_none() {
            return Err(AppError::field(ErrCode::InvalidValue, DisposalFields::kind));
        }
    }
    // 整改复查 closes the record: it comes after every step recorded.
    let floor = if next == DisposalStep::Recheck {
        done.iter().map(|(_, t)| day_of(*t)).max()
    } else {
        before.iter().filter_map(|k| when(*k)).max()
    };
    if floor.is_some_and(|f| day < f) {
        return Err(AppError::field(ErrCode::InvalidValue, DisposalFields::done_on));
    }
    Ok(())
}

/// A recorded step, as the public sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DisposalRecord {
    /// check, control, retest, case_filed, penalty or recheck.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: DisposalStep,
    /// Unix seconds (the day the step was taken).
    pub done_at: i64,
    /// 控制: the quantity taken off sale (下架).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub removed: Option<Quantity>,
    /// 控制: the quantity recalled (召回).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<f64>))]
    pub recalled: Option<Quantity>,
    /// kg, piece, box, bag or bottle.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub unit: Option<QuantityUnit>,
    /// 复检: passed or failed.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub retest_result: Option<RetestResult>,
    /// 处罚: the decision's number.
    pub decision_no: Option<String>,
    /// 处罚: what it ordered.
    pub measures: Option<String>,
    pub note: String,
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Done by its deadline.
    Done,
    /// Done after its deadline.
    Late,
    /// Expected, its deadline not yet passed.
    Due,
    /// Expected and past its deadline.
    Overdue,
    /// Waits for the step it follows.
    Waiting,
    /// Optional (复检), its window open.
    Optional,
    /// Not needed (no retest asked for in time; no case after a passed retest).
    NotNeeded,
}

impl StepStatus {
    pub fn label(self) -> T {
        match self {
            StepStatus::Done => T::DisposalDone,
            StepStatus::Late => T::DisposalLate,
            StepStatus::Due => T::DisposalDue,
            StepStatus::Overdue => T::DisposalOverdue,
            StepStatus::Waiting => T::DisposalWaiting,
            StepStatus::Optional => T::DisposalOptional,
            StepStatus::NotNeeded => T::DisposalNotNeeded,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Done => "done",
            StepStatus::Late => "late",
            StepStatus::Due => "due",
            StepStatus::Overdue => "overdue",
            StepStatus::Waiting => "waiting",
            StepStatus::Optional => "optional",
            StepStatus::NotNeeded => "not_needed",
        }
    }
}

/// One step of the timeline: recorded or expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: DisposalStep,
    pub status: StepStatus,
    /// The last second (Unix) the step is due by; `null` while the step it counts from is missing.
    pub deadline: Option<i64>,
    /// The recorded step, if taken.
    pub step: Option<DisposalRecord>,
}

/// What was done about a failing batch: every step in order, recorded or expected, with its deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Disposal {
    pub steps: Vec<TimelineEntry>,
    /// Whether an expected step is past its deadline.
    pub overdue: bool,
    /// Ids of the published 消费提示 (consumer alerts) about this batch.
    pub alerts: Vec<i64>,
}

/// The timeline of a failing batch whose result the bureau had at `result_at`, from its recorded `steps`, at
/// `now`. Deadlines: 核查 from the result; 控制, 复检 and 立案 from 核查; 处罚 from 立案; 整改复查 (the end of
/// 核查处置) from the result.
pub fn timeline(
    result_at: i64,
    steps: &[DisposalRecord],
    cal: &WorkCalendar,
    limits: &DisposalLimits,
    now: i64,
) -> Disposal {
    use DisposalStep as S;
    let find = |k: S| steps.iter().find(|s| s.kind == k);
    let check_day = find(S::Check).map(|s| day_of(s.done_at));
    let case_day = find(S::CaseFiled).map(|s| day_of(s.done_at));
    let working = |from: Option<i64>, n: i64| from.map(|d| end_of_day(cal.add_working_days(d, n)));
    let calendar = |from: Option<i64>, n: i64| from.map(|d| end_of_day(d + n));
    let result_day = Some(day_of(result_at));
    let retest_passed = find(S::Retest).is_some_and(|s| s.retest_result == Some(RetestResult::Passed));
    let entries: Vec<TimelineEntry> = S::ALL
        .iter()
        .map(|&kind| {
            let deadline = match kind {
                S::Check => working(result_day, limits.check_working_days),
                S::Control => working(check_day, limits.control_working_days),
                S::Retest => working(check_day, limits.retest_working_days),
                S::CaseFiled => working(check_day, limits.case_working_days),
                S::Penalty => calendar(case_day, limits.penalty_days),
                S::Recheck => calendar(result_day, limits.complete_days),
            };
            let step = find(kind).cloned();
            let status = match (&step, deadline) {
                (Some(s), Some(d)) if s.done_at > d => StepStatus::Late,
                (Some(_), _) => StepStatus::Done,
                (None, d) => {
                    let window_closed = d.is_some_and(|d| now > d);
                    if kind == S::Retest {
                        if window_closed {
                            StepStatus::NotNeeded
                        } else {
                            StepStatus::Optional
                        }
                    } else if retest_passed && matches!(kind, S::CaseFiled | S::Penalty | S::Recheck) {
                        StepStatus::NotNeeded
                    } else if kind == S::Recheck && check_day.is_none() {
                        // The end of 核查处置 waits for the check, but its clock still runs.
                        if window_closed {
                            StepStatus::Overdue
                        } else {
                            StepStatus::Waiting
                        }
                    } else {
                        match d {
                            None => StepStatus::Waiting,
                            Some(_) if window_closed => StepStatus::Overdue,
                            Some(_) => StepStatus::Due,
                        }
                    }
                }
            };
            TimelineEntry { kind, status, deadline, step }
        })
        .collect();
    let overdue = entries.iter().any(|e| e.status == StepStatus::Overdue);
    Disposal { steps: entries, overdue, alerts: Vec::new() }
}

/// The one-line summary of some batches (a round's candidate, a business): "3 批抽检，1 批不合格，已下架 200 千克，
/// 已立案".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchesSummary {
    pub batches: usize,
    pub failed: usize,
    /// Quantities taken off sale, summed per unit.
    pub removed: Vec<(QuantityUnit, Quantity)>,
    pub recalled: Vec<(QuantityUnit, Quantity)>,
    pub cases: usize,
    pub penalties: usize,
    pub overdue: usize,
}

impl BatchesSummary {
    pub fn of(batches: &[SamplingBatch]) -> BatchesSummary {
        let mut s = BatchesSummary { batches: batches.len(), ..Default::default() };
        let add = |into: &mut Vec<(QuantityUnit, Quantity)>, unit: QuantityUnit, q: Quantity| match into
            .iter_mut()
            .find(|(u, _)| *u == unit)
        {
            Some((_, sum)) => sum.0 = sum.0.saturating_add(q.0),
            None => into.push((unit, q)),
        };
        for b in batches.iter().filter(|b| !b.passed) {
            s.failed += 1;
            let Some(d) = &b.disposal else { continue };
            s.overdue += usize::from(d.overdue);
            for r in d.steps.iter().filter_map(|e| e.step.as_ref()) {
                match r.kind {
                    DisposalStep::Control => {
                        let unit = r.unit.unwrap_or(QuantityUnit::Kg);
                        if let Some(q) = r.removed {
                            add(&mut s.removed, unit, q);
                        }
                        if let Some(q) = r.recalled {
                            add(&mut s.recalled, unit, q);
                        }
                    }
                    DisposalStep::CaseFiled => s.cases += 1,
                    DisposalStep::Penalty => s.penalties += 1,
                    _ => {}
                }
            }
        }
        s
    }

    /// The line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let n = |t: T, v: String| t.fill(lang, &[("n", &v)]);
        let (list_sep, clause_sep) = match lang {
            Lang::Zh => ("、", "，"),
            Lang::En => (", ", ", "),
        };
        let qty = |list: &[(QuantityUnit, Quantity)]| {
            list.iter().map(|(u, q)| format!("{q} {}", u.label(lang))).collect::<Vec<_>>().join(list_sep)
        };
        let mut parts = vec![n(T::DisposalSummaryBatches, self.batches.to_string())];
        parts.push(n(T::DisposalSummaryFailed, self.failed.to_string()));
        if !self.removed.is_empty() {
            parts.push(n(T::DisposalSummaryRemoved, qty(&self.removed)));
        }
        if !self.recalled.is_empty() {
            parts.push(n(T::DisposalSummaryRecalled, qty(&self.recalled)));
        }
        if self.penalties > 0 {
            parts.push(T::DisposalSummaryPenalised.get(lang).to_owned());
        } else if self.cases > 0 {
            parts.push(T::DisposalSummaryCaseFiled.get(lang).to_owned());
        }
        if self.overdue > 0 {
            parts.push(T::DisposalSummaryOverdue.get(lang).to_owned());
        }
        parts.join(clause_sep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::format_date;
    use DisposalStep as S;

    fn at(s: &str) -> i64 {
        parse_date(s).unwrap()
    }

    #[test]
    fn quantities_are_numbers_with_at_most_three_decimals() {
        assert_eq!(Quantity::parse("200"), Some(Quantity(200_000)));
        assert_eq!(Quantity::parse(" 12.5 "), Some(Quantity(12_500)));
        assert_eq!(Quantity::parse("0.125"), Some(Quantity(125)));
        assert_eq!(Quantity::parse("1000000000"), Some(Quantity(MAX_QUANTITY * 1000)));
        for bad in ["", "abc", "-1", "0", "0.000", "1e5", "NaN", "12.", ".5", "1.2345", "200kg", "1000000000.001", "１"]
        {
            assert_eq!(Quantity::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Quantity(200_000).to_string(), "200");
        assert_eq!(Quantity(12_500).to_string(), "12.5");
        assert_eq!(Quantity(125).to_string(), "0.125");
        assert_eq!(serde_json::to_string(&Quantity(12_500)).unwrap(), "12.5");
        assert_eq!(serde_json::from_str::<Quantity>("12.5").unwrap(), Quantity(12_500));
    }

    fn control() -> DisposalFields {
        DisposalFields {
            kind: "control".into(),
            done_on: "2026-11-30".into(),
            removed: "200".into(),
            unit: "kg".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_form_names_the_field_at_fault() {
        let c = control().parse().unwrap();
        assert_eq!(
            (c.kind, c.removed, c.recalled, c.unit),
            (S::Control, Some(Quantity(200_000)), None, Some(QuantityUnit::Kg))
        );
        let field = |f: DisposalFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(field(DisposalFields { kind: "".into(), ..control() }), "kind");
        assert_eq!(
            field(DisposalFields { kind: "核查".into(), ..control() }),
            "kind",
            "the stored string, not the label"
        );
        assert_eq!(field(DisposalFields { done_on: "2026-02-30".into(), ..control() }), "done_on");
        assert_eq!(field(DisposalFields { removed: "两百".into(), ..control() }), "removed");
        assert_eq!(field(DisposalFields { removed: "".into(), recalled: "-5".into(), ..control() }), "recalled");
        assert_eq!(field(DisposalFields { removed: "".into(), ..control() }), "removed");
        assert_eq!(field(DisposalFields { unit: "吨".into(), ..control() }), "unit");
        let retest = DisposalFields { kind: "retest".into(), ..control() };
        assert_eq!(field(retest.clone()), "retest_result");
        assert_eq!(
            DisposalFields { retest_result: "passed".into(), ..retest }.parse().unwrap().retest_result,
            Some(RetestResult::Passed)
        );
        let penalty =
            DisposalFields { kind: "penalty".into(), decision_no: "绵市监罚〔2026〕12号".into(), ..control() };
        assert_eq!(field(penalty.clone()), "measures");
        assert_eq!(
            field(DisposalFields { decision_no: "".into(), measures: "罚款".into(), ..penalty.clone() }),
            "decision_no"
        );
        let p = DisposalFields { measures: "没收违法所得，罚款五万元".into(), ..penalty }.parse().unwrap();
        assert_eq!((p.removed, p.unit), (None, None), "fields of other kinds are ignored");
        assert_eq!(field(DisposalFields { note: "x".repeat(501), ..control() }), "note");
    }

    #[test]
    fn steps_follow_their_order() {
        let (sampled, now) = (at("2026-11-02"), at("2026-12-07"));
        let ok = |done: &[(S, i64)], next: S, on: &str| check_order(done, next, at(on), sampled, now);
        let field = |r: Result<(), AppError>| r.unwrap_err().field.unwrap();
        assert!(ok(&[], S::Check, "2026-11-02").is_ok(), "on the day sampled");
        assert_eq!(field(ok(&[], S::Check, "2026-11-01")), "done_on", "before the batch");
        assert_eq!(field(ok(&[], S::Check, "2026-12-08")), "done_on", "in the future");
        for first in [S::Control, S::Retest, S::CaseFiled, S::Penalty, S::Recheck] {
            assert_eq!(field(ok(&[], first, "2026-11-20")), "kind", "{first:?} before 核查");
        }
        let checked = [(S::Check, at("2026-11-10"))];
        assert!(ok(&checked, S::Control, "2026-11-10").is_ok(), "the same day");
        assert_eq!(field(ok(&checked, S::Control, "2026-11-09")), "done_on", "before the check");
        assert_eq!(
            check_order(&checked, S::Check, at("2026-11-11"), sampled, now).unwrap_err().code,
            ErrCode::Conflict
        );
        assert!(ok(&checked, S::CaseFiled, "2026-11-12").is_ok());
        assert_eq!(field(ok(&checked, S::Penalty, "2026-11-12")), "kind", "处罚 only after 立案");
        assert!(ok(&checked, S::Recheck, "2026-11-12").is_ok(), "no case: the follow-up may close it");
        let filed = [(S::Check, at("2026-11-10")), (S::CaseFiled, at("2026-11-20"))];
        assert_eq!(field(ok(&filed, S::Recheck, "2026-11-25")), "kind", "a case open: 处罚 before 整改复查");
        assert_eq!(field(ok(&filed, S::Penalty, "2026-11-19")), "done_on");
        assert!(ok(&filed, S::Penalty, "2026-11-20").is_ok());
        let punished = [(S::Check, at("2026-11-10")), (S::CaseFiled, at("2026-11-20")), (S::Penalty, at("2026-12-01"))];
        assert_eq!(field(ok(&punished, S::Recheck, "2026-11-30")), "done_on", "after every step recorded");
        assert!(ok(&punished, S::Recheck, "2026-12-01").is_ok());
        let closed = [(S::Check, at("2026-11-10")), (S::Recheck, at("2026-11-20"))];
        assert_eq!(field(ok(&closed, S::Control, "2026-11-21")), "kind", "nothing after 整改复查");
    }

    fn record(kind: S, on: &str) -> DisposalRecord {
        DisposalRecord {
            kind,
            done_at: at(on),
            removed: None,
            recalled: None,
            unit: None,
            retest_result: None,
            decision_no: None,
            measures: None,
            note: String::new(),
        }
    }

    fn entry(d: &Disposal, k: S) -> &TimelineEntry {
        d.steps.iter().find(|e| e.kind == k).unwrap()
    }

    #[test]
    fn deadlines_count_working_days_at_their_edges() {
        // National Day 2026: 10-01..10-07 off, Saturday 10-10 worked. Result received Wednesday 09-30.
        let mut cal = WorkCalendar::default();
        for day in 1..=7 {
            cal.holidays.insert(day_of(at(&format!("2026-10-0{day}"))));
        }
        cal.workdays.insert(day_of(at("2026-10-10")));
        let limits = DisposalLimits::default();
        let result = at("2026-09-30") + 15 * 3600;
        // Five working days: 10-08, 10-09, 10-10 (worked Saturday), 10-12, 10-13.
        let check_by = at("2026-10-14") - 1;
        let on_edge = timeline(result, &[], &cal, &limits, check_by);
        assert_eq!(entry(&on_edge, S::Check).deadline, Some(check_by));
        assert_eq!(entry(&on_edge, S::Check).status, StepStatus::Due, "the last second is still in time");
        assert!(!on_edge.overdue);
        assert_eq!(entry(&on_edge, S::Control).status, StepStatus::Waiting);
        assert_eq!(entry(&on_edge, S::Control).deadline, None);
        let past = timeline(result, &[], &cal, &limits, check_by + 1);
        assert_eq!(entry(&past, S::Check).status, StepStatus::Overdue);
        assert!(past.overdue);

        // Checked on its last day, Tuesday 10-13 (a step is dated by its day): in time.
        let checked = [record(S::Check, "2026-10-13")];
        let d = timeline(result, &checked, &cal, &limits, at("2026-10-14") + 3600);
        assert_eq!(entry(&d, S::Check).status, StepStatus::Done);
        // 控制 within one working day: Wednesday 10-14, to its last second.
        assert_eq!(entry(&d, S::Control).deadline.map(format_date).as_deref(), Some("2026-10-14"));
        assert_eq!(entry(&d, S::Control).status, StepStatus::Due);
        assert_eq!(entry(&d, S::Retest).status, StepStatus::Optional);
        assert_eq!(entry(&d, S::Retest).deadline.map(format_date).as_deref(), Some("2026-10-22"));
        assert_eq!(entry(&d, S::CaseFiled).deadline.map(format_date).as_deref(), Some("2026-11-03"));
        assert_eq!(entry(&d, S::Penalty).status, StepStatus::Waiting);
        // 90 days from the result: 12-29.
        assert_eq!(entry(&d, S::Recheck).deadline.map(format_date).as_deref(), Some("2026-12-29"));

        let later = timeline(result, &checked, &cal, &limits, at("2026-10-23"));
        assert_eq!(entry(&later, S::Control).status, StepStatus::Overdue);
        assert_eq!(entry(&later, S::Retest).status, StepStatus::NotNeeded, "no retest asked for in time");

        // Checked a day late: late, not overdue.
        let late = timeline(result, &[record(S::Check, "2026-10-14")], &cal, &limits, at("2026-10-14"));
        assert_eq!(entry(&late, S::Check).status, StepStatus::Late);
        assert!(!late.overdue);
    }

    #[test]
    fn a_passed_retest_ends_the_case_and_penalties_count_calendar_days() {
        let cal = WorkCalendar::default();
        let limits = DisposalLimits::default();
        let result = at("2026-11-02");
        let mut retest = record(S::Retest, "2026-11-05");
        retest.retest_result = Some(RetestResult::Passed);
        let steps = [record(S::Check, "2026-11-03"), record(S::Control, "2026-11-04"), retest];
        let d = timeline(result, &steps, &cal, &limits, at("2027-03-01"));
        for k in [S::CaseFiled, S::Penalty, S::Recheck] {
            assert_eq!(entry(&d, k).status, StepStatus::NotNeeded, "{k:?}");
        }
        assert!(!d.overdue);

        let filed = [record(S::Check, "2026-11-03"), record(S::CaseFiled, "2026-11-10")];
        let d = timeline(result, &filed, &cal, &limits, at("2027-02-08"));
        assert_eq!(entry(&d, S::Penalty).deadline.map(format_date).as_deref(), Some("2027-02-08"));
        assert_eq!(entry(&d, S::Penalty).status, StepStatus::Due);
        assert_eq!(entry(&d, S::Recheck).status, StepStatus::Overdue, "核查处置 not completed in 90 days");
        let limits = DisposalLimits { penalty_days: 30, ..limits };
        let d = timeline(result, &filed, &cal, &limits, at("2026-12-11"));
        assert_eq!(entry(&d, S::Penalty).status, StepStatus::Overdue, "the configured limit");
    }

    #[test]
    fn a_summary_line_sums_quantities_per_unit() {
        let batch = |passed: bool, steps: Vec<DisposalRecord>| SamplingBatch {
            id: 1,
            round_id: None,
            candidate_id: None,
            food: "米粉".into(),
            food_category: "其他".into(),
            place: super::super::PlaceKind::Restaurant,
            credit_code: None,
            business_name: "某米粉店".into(),
            district: "涪城区".into(),
            sampled_at: 0,
            items: vec![],
            passed,
            failures: vec![],
            has_report: false,
            published_at: 0,
            disposal: (!passed).then(|| {
                timeline(
                    at("2026-11-02"),
                    &steps,
                    &WorkCalendar::default(),
                    &DisposalLimits::default(),
                    at("2026-11-03"),
                )
            }),
        };
        let control = |removed: i64, unit: QuantityUnit| DisposalRecord {
            removed: Some(Quantity(removed)),
            unit: Some(unit),
            ..record(S::Control, "2026-11-03")
        };
        let batches = vec![
            batch(true, vec![]),
            batch(
                false,
                vec![
                    record(S::Check, "2026-11-03"),
                    control(150_000, QuantityUnit::Kg),
                    record(S::CaseFiled, "2026-11-03"),
                ],
            ),
            batch(false, vec![record(S::Check, "2026-11-03"), control(50_000, QuantityUnit::Kg)]),
        ];
        let s = BatchesSummary::of(&batches);
        assert_eq!((s.batches, s.failed, s.cases), (3, 2, 1));
        assert_eq!(s.text(Lang::Zh), "3 批抽检，2 批不合格，已下架 200 千克，已立案");
        assert_eq!(s.text(Lang::En), "3 batches sampled, 2 failed, 200 kg taken off sale, case opened");
        let mixed = vec![
            batch(false, vec![record(S::Check, "2026-11-03"), control(3_000, QuantityUnit::Box)]),
            batches[2].clone(),
        ];
        assert_eq!(BatchesSummary::of(&mixed).text(Lang::Zh), "2 批抽检，2 批不合格，已下架 3 箱、50 千克");
        assert_eq!(BatchesSummary::of(&batches[..1]).text(Lang::Zh), "1 批抽检，0 批不合格");
    }
}
