//! Working days in UTC+8 with a holiday calendar staff edit: public holidays are off, adjusted weekend days
//! (调休) are worked, other weekends are off. Statutory clocks count whole working days after the day a stage
//! began: accept within 7, a 举报 decided within 15, a 投诉 mediated within 45.

use super::{CaseKind, CaseState};
use std::collections::BTreeSet;

const CST: i64 = 8 * 3600;

/// The day number (days since 1970-01-01 in UTC+8) of a Unix time.
pub fn day_of(t: i64) -> i64 {
    (t + CST).div_euclid(86_400)
}

/// The end of a day (its last second, Unix time).
pub fn end_of_day(day: i64) -> i64 {
    (day + 1) * 86_400 - CST - 1
}

/// The calendar: days off that would be working days, and weekend days that are worked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    pub holidays: BTreeSet<i64>,
    pub workdays: BTreeSet<i64>,
}

impl WorkCalendar {
    pub fn is_working(&self, day: i64) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        // 1970-01-01 was a Thursday: (day + 3) % 7 gives 0 = Monday … 5 = Saturday, 6 = Sunday.
        (day + 3).rem_euclid(7) < 5
    }

    /// The `n`th working day after `day` (not counting `day` itself).
    pub fn add_working_days(&self, day: i64, n: i64) -> i64 {
        let mut d = day;
        let mut left = n;
        // A year of holidays cannot stop the count: the bound only guards against a broken calendar.
        let mut guard = 0;
        while left > 0 && guard < 3_660 {
            d += 1;
            guard += 1;
            if self.is_working(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); 0 when `to` is not after `from`.
    pub fn working_days_between(&self, from: i64, to: i64) -> i64 {
        (from + 1..=to).filter(|d| self.is_working(*d)).count() as i64
    }
}

/// Working days the bureau has for the stage a case is in, if a clock runs in it.
pub fn stage_limit(kind: CaseKind, state: CaseState) -> Option<i64> {
    match state {
        CaseState::Submitted => Some(7),
        CaseState::Accepted | CaseState::Investigating => Some(match kind {
            CaseKind::Report => 15,
            CaseKind::Complaint => 45,
        }),
        _ => None,
    }
}

/// When the clock of the stage a case is in began, by the event the law counts from: receipt (`filed_at`) for
/// acceptance, acceptance for a 举报's decision and a 投诉's mediation. Internal moves in between (accepted →
/// investigating) start nothing. A case past submission without a recorded acceptance counts from receipt.
pub fn stage_start(state: CaseState, filed_at: i64, accepted_at: Option<i64>) -> i64 {
    match state {
        CaseState::Submitted => filed_at,
        _ => accepted_at.unwrap_or(filed_at),
    }
}

/// The deadline (last second of the last working day) of a stage that began at `since` (see [`stage_start`]).
pub fn deadline(cal: &WorkCalendar, kind: CaseKind, state: CaseState, since: i64) -> Option<i64> {
    stage_limit(kind, state).map(|n| end_of_day(cal.add_working_days(day_of(since), n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::parse_date;

    fn d(s: &str) -> i64 {
        day_of(parse_date(s).unwrap())
    }

    #[test]
    fn weekends_holidays_and_adjusted_workdays() {
        let mut cal = WorkCalendar::default();
        assert!(cal.is_working(d("2026-11-27")), "a Friday");
        assert!(!cal.is_working(d("2026-11-28")) && !cal.is_working(d("2026-11-29")), "a weekend");
        // National Day 2026: 10-01..10-07 off, Saturday 10-10 worked.
        for day in 1..=7 {
            cal.holidays.insert(d(&format!("2026-10-0{day}")));
        }
        cal.workdays.insert(d("2026-10-10"));
        assert!(!cal.is_working(d("2026-10-05")));
        assert!(cal.is_working(d("2026-10-10")));
        // Filed on Wednesday 09-30: seven working days are 10-08, 10-09, 10-10, 10-12, 10-13, 10-14, 10-15.
        assert_eq!(cal.add_working_days(d("2026-09-30"), 7), d("2026-10-15"));
        assert_eq!(cal.working_days_between(d("2026-09-30"), d("2026-10-15")), 7);
        assert_eq!(cal.add_working_days(d("2026-11-27"), 1), d("2026-11-30"), "Friday + 1 = Monday");
    }

    #[test]
    fn deadlines_by_kind_and_stage() {
        let cal = WorkCalendar::default();
        let filed = parse_date("2026-11-23").unwrap() + 10 * 3600; // Monday 10:00
        let accept_by = deadline(&cal, CaseKind::Report, CaseState::Submitted, filed).unwrap();
        assert_eq!(crate::clock::format_datetime(accept_by), "2026-12-02 23:59");
        let decide_by = deadline(&cal, CaseKind::Report, CaseState::Investigating, filed).unwrap();
        assert_eq!(crate::clock::format_date(decide_by), "2026-12-14");
        let mediate_by = deadline(&cal, CaseKind::Complaint, CaseState::Accepted, filed).unwrap();
        assert_eq!(crate::clock::format_date(mediate_by), "2027-01-25");
        assert_eq!(deadline(&cal, CaseKind::Report, CaseState::Closed, filed), None);
    }

    #[test]
    fn stages_count_from_receipt_and_from_acceptance_only() {
        let (filed, accepted) = (1_000, 5_000);
        assert_eq!(stage_start(CaseState::Submitted, filed, None), filed);
        assert_eq!(stage_start(CaseState::Accepted, filed, Some(accepted)), accepted);
        assert_eq!(
            stage_start(CaseState::Investigating, filed, Some(accepted)),
            accepted,
            "investigating restarts nothing"
        );
        assert_eq!(stage_start(CaseState::Investigating, filed, None), filed);
    }
}
