//! 异议 · 信用修复 · 申请复查: what a business may ask about its record, the statutory windows it may ask in and
//! the bureau's deadlines to decide, and the rule that holds a downgrade back while it may still be objected to.
//!
//! Windows and deadlines (working days in UTC+8 with the staff-edited holiday calendar, [`WorkCalendar`]):
//! - an objection (异议) to a recorded event: within 15 working days after the day the event was published on the
//!   portal; decided within 15 working days after the day it was filed;
//! - a credit repair (信用修复) of an event: once the event's minimum publicity period has run (《市场监督管理
//!   信用修复管理办法》 and 《市场监督管理行政处罚信息公示规定》: 3 months for minor and general findings, 6 months
//!   for major ones, 1 year for serious violations, counted in calendar days); decided within 15 working days;
//! - a re-inspection (申请复查) after 整改: any time; done within 20 working days.
//!
//! A downgrade (a new event that would lower the grade or put the business on the watch list) is first shown as
//! 新评级待公布: the grade in force stays until the event's objection window closes, unless the business waives
//! its objection; an open objection keeps it back until it is decided.

use super::{Assessment, Grade, LicenceNo, Severity};
use crate::cases::{day_of, end_of_day, WorkCalendar};
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use crate::vocab::vocab;
use serde::{Deserialize, Serialize};

vocab! {
    /// What a business asks about its record.
    pub enum ObjectionKind {
        Objection = "objection" / "异议" => "Objection";
        Repair = "repair" / "信用修复" => "Credit repair";
        Reinspection = "reinspection" / "申请复查" => "Re-inspection request";
    }
}

vocab! {
    /// Where a request stands.
    pub enum ObjectionState {
        Open = "open" / "待决定" => "Awaiting decision";
        Upheld = "upheld" / "予以支持" => "Upheld";
        Rejected = "rejected" / "不予支持" => "Rejected";
    }
}

impl ObjectionKind {
    /// Whether the request is about one recorded event (it names it by `event_id`).
    pub fn needs_event(self) -> bool {
        matches!(self, ObjectionKind::Objection | ObjectionKind::Repair)
    }
}

/// The windows and deadlines (see the module's documentation for their sources): data, stored with the deduction
/// rules (`CreditRules::windows`); [`WINDOWS`] are the ones we ship.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Windows {
    /// Working days after an event's publication in which it may be objected to.
    pub objection_days: i64,
    /// Working days the bureau has to decide an objection or a credit repair.
    pub decide_days: i64,
    /// Working days the bureau has to re-inspect.
    pub reinspect_days: i64,
    /// Calendar days an event stays public before a credit repair may be asked for, by severity.
    pub repair_after_days: [(Severity, i64); 4],
}

impl Default for Windows {
    fn default() -> Self {
        WINDOWS
    }
}

/// The shipped windows and deadlines.
pub const WINDOWS: Windows = Windows {
    objection_days: 15,
    decide_days: 15,
    reinspect_days: 20,
    repair_after_days: [
        (Severity::Minor, 90),
        (Severity::General, 90),
        (Severity::Major, 180),
        (Severity::Serious, 365),
    ],
};

/// The event a request names, as the windows need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventFacts {
    /// When it was published on the portal (Unix seconds).
    pub published_at: i64,
    pub severity: Severity,
}

impl Windows {
    /// The last second an event published at `published_at` may be objected to.
    pub fn objection_closes(&self, cal: &WorkCalendar, published_at: i64) -> i64 {
        end_of_day(cal.add_working_days(day_of(published_at), self.objection_days))
    }

    /// The first second a credit repair of an event may be asked for.
    pub fn repair_opens(&self, e: EventFacts) -> i64 {
        let days = self.repair_after_days.iter().find(|(s, _)| *s == e.severity).map_or(365, |(_, d)| *d);
        e.published_at + days * 86_400
    }

    /// The deadline of a request of `kind` filed at `filed_at` (end of its last working day).
    pub fn decision_due(&self, cal: &WorkCalendar, kind: ObjectionKind, filed_at: i64) -> i64 {
        let n = match kind {
            ObjectionKind::Reinspection => self.reinspect_days,
            _ => self.decide_days,
        };
        end_of_day(cal.add_working_days(day_of(filed_at), n))
    }

    /// Whether a request of `kind` about `event` may be filed at `now`; refusals name `event_id`.
    pub fn check_filing(
        &self,
        cal: &WorkCalendar,
        kind: ObjectionKind,
        event: Option<EventFacts>,
        now: i64,
    ) -> Result<(), AppError> {
        let closed = || AppError::field(ErrCode::WindowClosed, "event_id");
        match (kind, event) {
            (ObjectionKind::Objection, Some(e)) if now > self.objection_closes(cal, e.published_at) => Err(closed()),
            (ObjectionKind::Repair, Some(e)) if now < self.repair_opens(e) => Err(closed()),
            (k, None) if k.needs_event() => Err(AppError::field(ErrCode::Required, "event_id")),
            _ => Ok(()),
        }
    }
}

/// Whether `new` would lower the grade in force (a worse grade, or the watch list).
pub fn is_downgrade(grade: Grade, watch_list: bool, new: &Assessment) -> bool {
    new.grade > grade || (new.watch_list && !watch_list)
}

/// What becomes of a newly derived assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// It is the grade in force from now.
    Publish,
    /// The grade in force stays, with 新评级待公布, until the objection window closes or an open objection is
    /// decided.
    Hold,
}

/// The pending-grade rule: a downgrade is held while an objection window of an event behind it runs
/// (`hold_until`, the last second; `None` once waived or when no window runs) or an objection is open;
/// anything else (an upgrade, a score move within the grade, a downgrade nobody may object to any more) is
/// published at once.
pub fn settle(
    grade: Grade,
    watch_list: bool,
    new: &Assessment,
    hold_until: Option<i64>,
    open_objection: bool,
    now: i64,
) -> Settle {
    let window_runs = hold_until.is_some_and(|until| now <= until);
    if is_downgrade(grade, watch_list, new) && (window_runs || open_objection) {
        Settle::Hold
    } else {
        Settle::Publish
    }
}

/// 待检查: a business never inspected shows 待检查 instead of a grade, unless something on its record already
/// lowers it (a penalty or a failed sample is shown, never hidden behind 待检查).
pub fn awaiting_inspection(last_inspected_at: Option<i64>, score: i64, watch_list: bool, pending: bool) -> bool {
    last_inspected_at.is_none() && score >= super::CreditRules::default().base && !watch_list && !pending
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A business's objection, credit-repair application or re-inspection request, from its public page or
    /// `POST /api/v1/businesses/{credit_code}/objections`. The business proves itself by its licence number.
    pub struct ObjectionFields {
        /// `objection` (异议), `repair` (信用修复) or `reinspection` (申请复查).
        #[cfg_attr(feature = "ssr", schema(required = true, pattern = "^(objection|repair|reinspection)$"))]
        kind,
        /// The recorded event concerned (its `id` in the business's `events`); required for `objection` and
        /// `repair`.
        #[cfg_attr(feature = "ssr", schema(pattern = "^[0-9]*$"))]
        event_id,
        /// The business's food licence number, as registered.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 16))]
        licence_no,
        /// The grounds (异议理由) or the correction made (整改情况), 10–2000 characters.
        #[cfg_attr(feature = "ssr", schema(required = true, min_length = 10, max_length = 2000))]
        statement,
        /// Contact name and phone, 5–100 characters; staff only, never published.
        #[cfg_attr(feature = "ssr", schema(required = true, min_length = 5, max_length = 100))]
        contact,
        /// Where an SMS gateway is configured (`sms_verification` in the business's record): the mobile number the
        /// code was sent to (`…/objections/code`) and the six-digit code.
        #[cfg_attr(feature = "ssr", schema(max_length = 20))]
        phone,
        #[cfg_attr(feature = "ssr", schema(pattern = "^[0-9]{0,6}$"))]
        sms_code,
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Asks for a one-time code to verify the contact's mobile number (only where an SMS gateway is configured).
    pub struct SmsCodeFields {
        /// The business's food licence number, as registered.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 16))]
        licence_no,
        /// A mainland mobile number (11 digits).
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 20))]
        phone,
    }
}

impl SmsCodeFields {
    /// `(licence, phone)`.
    pub fn parse(&self) -> Result<(LicenceNo, String), AppError> {
        Ok((LicenceNo::parse(&self.licence_no)?, crate::text::parse_phone(&self.phone)?))
    }
}

/// A phone and its code, when given (the service requires them where SMS is configured).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneProof {
    pub phone: String,
    pub code: String,
}

/// A request, validated (the business and the event are checked by the service).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectionInput {
    pub kind: ObjectionKind,
    pub event_id: Option<i64>,
    pub licence_no: LicenceNo,
    pub statement: String,
    pub contact: String,
    pub proof: Option<PhoneProof>,
}

pub const OBJECTION_STATEMENT: TextRule = TextRule::para(10, 2000);
pub const OBJECTION_CONTACT: TextRule = TextRule { min: 5, max: 100, multiline: false };
/// The reasons of a decision (required: a decision states its reasons).
pub const DECISION_REASONS: TextRule = TextRule::para(2, 1000);

impl ObjectionFields {
    pub fn parse(&self) -> Result<ObjectionInput, AppError> {
        let kind =
            ObjectionKind::parse(self.kind.trim()).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::kind))?;
        let raw = self.event_id.trim();
        let event_id = match raw {
            "" if kind.needs_event() => return Err(AppError::field(ErrCode::Required, Self::event_id)),
            "" => None,
            _ => Some(
                raw.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::event_id))?,
            ),
        };
        Ok(ObjectionInput {
            kind,
            event_id,
            licence_no: LicenceNo::parse(&self.licence_no)?,
            statement: OBJECTION_STATEMENT.check(Self::statement, &self.statement)?,
            contact: OBJECTION_CONTACT.check(Self::contact, &self.contact)?,
            proof: match (self.phone.trim(), self.sms_code.trim()) {
                ("", "") => None,
                (_, code) if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) => {
                    return Err(AppError::field(ErrCode::InvalidCode, Self::sms_code))
                }
                (phone, code) => Some(PhoneProof { phone: crate::text::parse_phone(phone)?, code: code.to_owned() }),
            },
        })
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// A business waives its objection window: its pending grade is published at once.
    pub struct WaiverFields {
        /// The business's food licence number, as registered.
        #[cfg_attr(feature = "ssr", schema(required = true, max_length = 16))]
        licence_no,
    }
}

impl WaiverFields {
    pub fn parse(&self) -> Result<LicenceNo, AppError> {
        LicenceNo::parse(&self.licence_no)
    }
}

crate::fields! {
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    /// Staff decide a request: `upheld` or `rejected`, with reasons.
    pub struct DecisionFields {
        #[cfg_attr(feature = "ssr", schema(required = true, pattern = "^(upheld|rejected)$"))]
        decision,
        /// 2–1000 characters, published with the decision.
        #[cfg_attr(feature = "ssr", schema(required = true, min_length = 2, max_length = 1000))]
        reasons,
    }
}

impl DecisionFields {
    /// `(upheld, reasons)`.
    pub fn parse(&self) -> Result<(bool, String), AppError> {
        let upheld = match ObjectionState::parse(self.decision.trim()) {
            Some(ObjectionState::Upheld) => true,
            Some(ObjectionState::Rejected) => false,
            _ => return Err(AppError::field(ErrCode::InvalidValue, Self::decision)),
        };
        Ok((upheld, DECISION_REASONS.check(Self::reasons, &self.reasons)?))
    }
}

/// A request as the business page (public: no statement, no contact) and the staff queue show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ObjectionView {
    pub id: i64,
    pub credit_code: String,
    pub business_name: String,
    /// `objection`, `repair` or `reinspection`.
    pub kind: String,
    pub event_id: Option<i64>,
    /// `open`, `upheld` or `rejected`.
    pub state: String,
    pub filed_at: i64,
    /// The decision deadline.
    pub due_at: i64,
    pub decided_at: Option<i64>,
    /// The reasons of the decision (public once decided).
    pub reasons: Option<String>,
    /// Open past its deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Staff only: the statement and the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_date;

    fn at(date: &str, hour: i64) -> i64 {
        parse_date(date).unwrap() + hour * 3600
    }

    /// National Day 2026: 10-01..10-07 off, Saturday 10-10 worked.
    fn national_day() -> WorkCalendar {
        let mut cal = WorkCalendar::default();
        for d in 1..=7 {
            cal.holidays.insert(day_of(at(&format!("2026-10-0{d}"), 12)));
        }
        cal.workdays.insert(day_of(at("2026-10-10", 12)));
        cal
    }

    #[test]
    fn the_objection_window_counts_working_days_over_the_holiday() {
        let cal = national_day();
        // Published Wednesday 09-30 at 10:00. Working days after it: 10-08, 10-09, 10-10 (adjusted), 10-12 to
        // 10-16, 10-19 to 10-23, 10-26, 10-27: the 15th is Tuesday 10-27.
        let published = at("2026-09-30", 10);
        let closes = WINDOWS.objection_closes(&cal, published);
        assert_eq!(crate::clock::format_datetime(closes), "2026-10-27 23:59");
        let e = Some(EventFacts { published_at: published, severity: Severity::General });
        assert!(WINDOWS.check_filing(&cal, ObjectionKind::Objection, e, closes).is_ok(), "its last second: in");
        let late = WINDOWS.check_filing(&cal, ObjectionKind::Objection, e, closes + 1).unwrap_err();
        assert_eq!((late.code, late.field.as_deref()), (ErrCode::WindowClosed, Some("event_id")));
        // Without the holiday the same 15 working days end on 10-21.
        let plain = WINDOWS.objection_closes(&WorkCalendar::default(), published);
        assert_eq!(crate::clock::format_date(plain), "2026-10-21");
    }

    #[test]
    fn repairs_open_after_the_minimum_publicity_and_decisions_have_deadlines() {
        let cal = WorkCalendar::default();
        let published = at("2026-01-05", 9);
        let general = EventFacts { published_at: published, severity: Severity::General };
        let opens = WINDOWS.repair_opens(general);
        assert_eq!(opens - published, 90 * 86_400);
        let early = WINDOWS.check_filing(&cal, ObjectionKind::Repair, Some(general), opens - 1).unwrap_err();
        assert_eq!(early.code, ErrCode::WindowClosed);
        assert!(WINDOWS.check_filing(&cal, ObjectionKind::Repair, Some(general), opens).is_ok());
        let serious = EventFacts { severity: Severity::Serious, ..general };
        assert_eq!(WINDOWS.repair_opens(serious) - published, 365 * 86_400);
        // A repair or objection names its event; a re-inspection need not.
        let none = WINDOWS.check_filing(&cal, ObjectionKind::Repair, None, opens).unwrap_err();
        assert_eq!((none.code, none.field.as_deref()), (ErrCode::Required, Some("event_id")));
        assert!(WINDOWS.check_filing(&cal, ObjectionKind::Reinspection, None, opens).is_ok());
        // Filed Monday 2026-11-23: 15 working days end Monday 12-14, 20 end Monday 12-21.
        let filed = at("2026-11-23", 10);
        let due = WINDOWS.decision_due(&cal, ObjectionKind::Objection, filed);
        assert_eq!(crate::clock::format_datetime(due), "2026-12-14 23:59");
        let redo = WINDOWS.decision_due(&cal, ObjectionKind::Reinspection, filed);
        assert_eq!(crate::clock::format_date(redo), "2026-12-21");
    }

    #[test]
    fn a_downgrade_waits_for_its_window_and_an_open_objection() {
        let b = Assessment { score: 85, grade: Grade::B, watch_list: false };
        let now = 1_800_000_000;
        assert!(is_downgrade(Grade::A, false, &b));
        assert!(!is_downgrade(Grade::B, false, &b), "same grade, lower score: not a downgrade");
        assert!(!is_downgrade(Grade::C, false, &b), "an upgrade");
        let watched = Assessment { score: 60, grade: Grade::D, watch_list: true };
        assert!(is_downgrade(Grade::D, false, &watched), "onto the watch list is a downgrade");
        // The window's last second holds; the next publishes.
        assert_eq!(settle(Grade::A, false, &b, Some(now), false, now), Settle::Hold);
        assert_eq!(settle(Grade::A, false, &b, Some(now - 1), false, now), Settle::Publish);
        // Waived (no window) publishes; an open objection holds past the window.
        assert_eq!(settle(Grade::A, false, &b, None, false, now), Settle::Publish);
        assert_eq!(settle(Grade::A, false, &b, Some(now - 1), true, now), Settle::Hold);
        // Upgrades are never held.
        assert_eq!(settle(Grade::C, false, &b, Some(now + 100), true, now), Settle::Publish);
    }

    #[test]
    fn only_a_clean_never_inspected_business_awaits_inspection() {
        assert!(awaiting_inspection(None, 100, false, false));
        assert!(!awaiting_inspection(Some(1), 100, false, false), "inspected");
        assert!(!awaiting_inspection(None, 95, false, false), "a deduction is shown as a grade");
        assert!(!awaiting_inspection(None, 100, true, false), "the watch list is shown");
        assert!(!awaiting_inspection(None, 100, false, true), "a pending downgrade is shown");
    }

    #[test]
    fn requests_parse_once_and_name_their_field() {
        let ok = ObjectionFields {
            kind: "objection".into(),
            event_id: "42".into(),
            licence_no: "JY25107030000018".into(),
            statement: "检查当日我店并未营业，记录有误。".into(),
            contact: "王先生 13800000000".into(),
            ..Default::default()
        };
        let parsed = ok.parse().unwrap();
        assert_eq!((parsed.kind, parsed.event_id, parsed.proof), (ObjectionKind::Objection, Some(42), None));
        // A phone and its code travel together; the code is six digits, the phone a mainland mobile number.
        let proved = ObjectionFields { phone: "138 0000 0000".into(), sms_code: "012345".into(), ..ok.clone() };
        let proof = proved.parse().unwrap().proof.unwrap();
        assert_eq!((proof.phone.as_str(), proof.code.as_str()), ("13800000000", "012345"));
        let short = ObjectionFields { sms_code: "12345".into(), ..proved.clone() };
        assert_eq!(short.parse().unwrap_err().field.as_deref(), Some("sms_code"));
        let landline = ObjectionFields { phone: "0816-2222222".into(), ..proved };
        assert_eq!(landline.parse().unwrap_err().field.as_deref(), Some("phone"));
        let again = ObjectionFields { kind: "reinspection".into(), event_id: " ".into(), ..ok.clone() };
        assert_eq!(again.parse().unwrap().event_id, None, "a re-inspection need not name an event");
        type Breaks = fn(&mut ObjectionFields);
        let cases: [(Breaks, &str); 6] = [
            (|f| f.kind = "appeal".into(), "kind"),
            (|f| f.event_id = "".into(), "event_id"),
            (|f| f.event_id = "-3".into(), "event_id"),
            (|f| f.licence_no = "JY1".into(), "licence_no"),
            (|f| f.statement = "太短".into(), "statement"),
            (|f| f.contact = "".into(), "contact"),
        ];
        for (break_it, field) in cases {
            let mut f = ok.clone();
            break_it(&mut f);
            assert_eq!(f.parse().unwrap_err().field.as_deref(), Some(field), "{f:?}");
        }
        let d = DecisionFields { decision: "open".into(), reasons: "理由".into() };
        assert_eq!(d.parse().unwrap_err().field.as_deref(), Some("decision"));
        let d = DecisionFields { decision: "upheld".into(), reasons: "".into() };
        assert_eq!(d.parse().unwrap_err().field.as_deref(), Some("reasons"));
        let (upheld, _) = DecisionFields { decision: "rejected".into(), reasons: "证据不足".into() }.parse().unwrap();
        assert!(!upheld);
    }
}
