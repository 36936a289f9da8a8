//! The campaign's headline figures (DESIGN.md section 6), kept in the database and editable by staff.

use crate::error::{AppError, ErrCode};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignFigures {
    /// Licensed food businesses.
    pub businesses: i64,
    /// Evaluation sampling pass rate in basis points (9970 = 99.70 %).
    pub pass_rate_bp: i64,
    /// Food batches sampled since 2021.
    pub batches_sampled: i64,
    /// Cases investigated.
    pub cases_investigated: i64,
    /// Registered volunteers.
    pub volunteers: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

crate::fields! {
    /// The campaign figures as staff type them (the form on the staff console).
    pub struct FiguresFields {
        businesses,
        pass_rate,
        batches_sampled,
        cases_investigated,
        volunteers,
    }
}

impl CampaignFigures {
    /// The pass rate as shown, e.g. `99.7%`.
    pub fn pass_rate_text(&self) -> String {
        let whole = self.pass_rate_bp / 100;
        let frac = self.pass_rate_bp % 100;
        if frac % 10 == 0 {
            format!("{whole}.{}%", frac / 10)
        } else {
            format!("{whole}.{frac:02}%")
        }
    }

    /// Checks staff input: counts are 0..=100 million, the pass rate 0..=100 %.
    pub fn validate(&self) -> Result<(), AppError> {
        let counts = [
            ("businesses", self.businesses),
            ("batches_sampled", self.batches_sampled),
            ("cases_investigated", self.cases_investigated),
            ("volunteers", self.volunteers),
        ];
        for (field, v) in counts {
            if !(0..=100_000_000).contains(&v) {
                return Err(AppError::field(ErrCode::InvalidValue, field));
            }
        }
        if !(0..=10_000).contains(&self.pass_rate_bp) {
            return Err(AppError::field(ErrCode::InvalidValue, "pass_rate"));
        }
        Ok(())
    }
}

/// Formats a count with thousands separators: 43993 → `43,993`.
pub fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Parses a percentage typed by staff (`99.7`, `99.70 %`) into basis points.
pub fn parse_percent_bp(s: &str) -> Result<i64, AppError> {
    let t = s.trim().trim_end_matches('%').trim();
    let bad = || AppError::field(ErrCode::InvalidValue, "pass_rate");
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let bp = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
    if bp > 10_000 {
        return Err(bad());
    }
    Ok(bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_figures() {
        assert_eq!(group_thousands(43993), "43,993");
        assert_eq!(group_thousands(49895), "49,895");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000_000), "1,000,000");
        let f = CampaignFigures {
            businesses: 1,
            pass_rate_bp: 9970,
            batches_sampled: 1,
            cases_investigated: 1,
            volunteers: 1,
            updated_at: 0,
        };
        assert_eq!(f.pass_rate_text(), "99.7%");
        assert_eq!(CampaignFigures { pass_rate_bp: 9975, ..f }.pass_rate_text(), "99.75%");
        assert!(CampaignFigures { volunteers: -1, ..f }.validate().is_err());
    }

    #[test]
    fn parses_percentages() {
        assert_eq!(parse_percent_bp("99.7").unwrap(), 9970);
        assert_eq!(parse_percent_bp(" 99.75 % ").unwrap(), 9975);
        assert_eq!(parse_percent_bp("100").unwrap(), 10000);
        assert!(parse_percent_bp("100.01").is_err());
        assert!(parse_percent_bp("abc").is_err());
        assert!(parse_percent_bp("9.999").is_err());
        assert!(parse_percent_bp("").is_err());
    }
}
