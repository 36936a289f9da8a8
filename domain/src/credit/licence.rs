//! Food licence numbers (食品经营/生产许可证编号).

use crate::error::{AppError, ErrCode};
use crate::text::to_half_width;
use serde::{Deserialize, Serialize};

/// A food licence number: `JY` (经营) or `SC` (生产) + 14 digits.
///
/// The last digit is a check digit; its official algorithm is not published, so we verify the shape only and
/// our generated demo numbers use ISO 7064 MOD 11-10 (see [`licence_check_digit`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LicenceNo(String);

impl LicenceNo {
    pub fn parse(s: &str) -> Result<LicenceNo, AppError> {
        let s: String = s.trim().chars().map(to_half_width).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(AppError::field(ErrCode::Required, "licence_no"));
        }
        let ok =
            s.len() == 16 && (s.starts_with("JY") || s.starts_with("SC")) && s[2..].bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(LicenceNo(s))
        } else {
            Err(AppError::field(ErrCode::InvalidLicenceNo, "licence_no"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LicenceNo {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        LicenceNo::parse(&s)
    }
}

impl From<LicenceNo> for String {
    fn from(c: LicenceNo) -> String {
        c.0
    }
}

/// ISO 7064 MOD 11-10 check digit over a string of digits.
pub fn licence_check_digit(digits: &str) -> Option<char> {
    let mut p = 10u32;
    for b in digits.bytes() {
        let d = (b as char).to_digit(10)?;
        let mut s = (d + p) % 10;
        if s == 0 {
            s = 10;
        }
        p = (s * 2) % 11;
    }
    let check = (11 - p) % 10;
    char::from_digit(check, 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_numbers() {
        assert_eq!(LicenceNo::parse("jy25107030000019").unwrap().as_str(), "JY25107030000019");
        assert!(LicenceNo::parse("SC12345678901234").is_ok());
        for bad in ["JY2510703000001", "XX25107030000019", "JY2510703000001A", "JY251070300000199"] {
            assert_eq!(LicenceNo::parse(bad).unwrap_err().code, ErrCode::InvalidLicenceNo, "{bad}");
        }
        // ISO 7064 MOD 11-10 reference value.
        assert_eq!(licence_check_digit("0794"), Some('5'));
        assert_eq!(licence_check_digit("1a"), None);
    }

    proptest::proptest! {
        #[test]
        fn licences_parse_by_shape_only(s in "\\PC{0,30}", digits in "[0-9]{14}", kind in "(JY|SC|jy|sc)") {
            let _ = LicenceNo::parse(&s);
            let l = format!("{kind}{digits}");
            let parsed = LicenceNo::parse(&l).unwrap();
            proptest::prop_assert_eq!(parsed.as_str(), l.to_ascii_uppercase());
        }
    }
}
