//! What a vendor's AI may flag, and where a flag stands in its review.

use crate::vocab::vocab;

vocab! {
    /// What a vendor's AI flagged in a kitchen.
    pub enum FlagKind {
        NoHat = "未戴帽" => "No hat";
        NoMask = "未戴口罩" => "No mask";
        Rodent = "鼠患" => "Rodent";
        Smoking = "吸烟" => "Smoking";
        Other = "其他" => "Other";
    }
}

impl FlagKind {
    /// The vendor-neutral code of a kind (`no_hat`…), also accepted in batches.
    pub fn code(self) -> &'static str {
        match self {
            FlagKind::NoHat => "no_hat",
            FlagKind::NoMask => "no_mask",
            FlagKind::Rodent => "rodent",
            FlagKind::Smoking => "smoking",
            FlagKind::Other => "other",
        }
    }

    /// The stored string or the code.
    pub fn parse_sent(s: &str) -> Option<FlagKind> {
        let s = s.trim();
        FlagKind::parse(s).or_else(|| FlagKind::ALL.iter().copied().find(|k| k.code() == s))
    }
}

vocab! {
    /// Where a flag stands: 待审核 until staff review it; only 属实 is ever public.
    pub enum FlagStatus {
        Pending = "待审核" => "Pending review";
        Confirmed = "属实" => "Confirmed";
        Dismissed = "不属实" => "Dismissed";
    }
}

/// The window of the public uptime figure, in days.
pub const UPTIME_DAYS: i64 = 30;
/// A camera not heard of for this long is shown offline, whatever it last reported.
pub const OFFLINE_AFTER_SECS: i64 = 2 * 86_400;

/// The start (Unix seconds) of the China day (UTC+8) holding `t`.
pub fn china_day(t: i64) -> i64 {
    const CST: i64 = 8 * 3600;
    (t + CST).div_euclid(86_400) * 86_400 - CST
}

/// Permille as a percentage with one decimal: `995` → `99.5%`.
pub fn percent(permille: i64) -> String {
    format!("{}.{}%", permille / 10, permille % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_stored_strings_and_codes() {
        assert_eq!(FlagKind::parse_sent("鼠患"), Some(FlagKind::Rodent));
        assert_eq!(FlagKind::parse_sent(" no_mask "), Some(FlagKind::NoMask));
        assert_eq!(FlagKind::parse_sent("hat"), None);
        assert_eq!(percent(995), "99.5%");
        assert_eq!(percent(1000), "100.0%");
    }
}
