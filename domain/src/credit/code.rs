//! The 统一社会信用代码 (GB 32100-2015): 18 characters, check character verified.

use crate::error::{AppError, ErrCode};
use crate::text::to_half_width;
use serde::{Deserialize, Serialize};

/// GB 32100-2015 charset of the unified social credit code (no I, O, Z, S, V).
const CODE_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17: 3^(i-1) mod 31.
const CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn code_value(c: u8) -> Option<u32> {
    CODE_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a credit code.
pub fn credit_check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in first17.iter().enumerate() {
        sum += code_value(c)? * CODE_WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(CODE_CHARS[check as usize] as char)
}

/// A 统一社会信用代码: 18 characters, check character verified. Parsed once, shared by browser and server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Accepts surrounding spaces, lower case and full-width characters (as typed on phones).
    pub fn parse(s: &str) -> Result<CreditCode, AppError> {
        let bad = |code| AppError::field(code, "credit_code");
        let s: String = s.trim().chars().map(to_half_width).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(bad(ErrCode::Required));
        }
        if s.chars().count() != 18 {
            return Err(bad(ErrCode::InvalidCreditCode));
        }
        let bytes = s.as_bytes();
        if !bytes.iter().all(|&b| code_value(b).is_some()) {
            return Err(bad(ErrCode::InvalidCreditCode));
        }
        match credit_check_char(&bytes[..17]) {
            Some(c) if c as u8 == bytes[17] => Ok(CreditCode(s)),
            _ => Err(bad(ErrCode::InvalidCreditCode)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative division code (positions 3–8).
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = AppError;
    fn try_from(s: String) -> Result<Self, AppError> {
        CreditCode::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(c: CreditCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", credit_check_char(first17.as_bytes()).unwrap())
    }

    #[test]
    fn credit_code_check_digit() {
        // Published examples.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("91110000600037341L").is_ok());
        // Computed ones for Mianyang.
        for body in ["91510703MA6XXXXX0", "92510781L12345678", "93510726MA00000AB"] {
            let code = with_check(body);
            let parsed = CreditCode::parse(&code).unwrap();
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.division(), &body[2..8]);
        }
        let good = with_check("91510703MA6XXXXX0");
        // Lower case, spaces and full width are accepted.
        let full_width: String =
            good.to_lowercase().chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert_eq!(CreditCode::parse(&format!("  {full_width} ")).unwrap().as_str(), good);
    }

    #[test]
    fn credit_code_rejections_name_the_field() {
        let good = with_check("91510703MA6XXXXX0");
        let mut wrong_check = good.clone();
        let last = wrong_check.pop().unwrap();
        wrong_check.push(if last == '0' { '1' } else { '0' });
        for bad in [&good[..17], &format!("{good}1"), &wrong_check, "91510703MA6XXXXXI0", "9151070３MA6XXXXX%"] {
            let e = CreditCode::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrCode::InvalidCreditCode, "{bad}");
            assert_eq!(e.field.as_deref(), Some("credit_code"));
        }
        assert_eq!(CreditCode::parse(" ").unwrap_err().code, ErrCode::Required);
        assert!(CreditCode::parse("'; DROP TABLE businesses;--").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_parsed_without_panicking(s in "\\PC{0,40}") {
            let _ = CreditCode::parse(&s);
        }

        #[test]
        fn every_well_formed_code_parses_in_any_case(body in "[0-9A-HJ-NPQRTUWXY]{17}") {
            let code = format!("{body}{}", credit_check_char(body.as_bytes()).unwrap());
            let parsed = CreditCode::parse(&code.to_lowercase()).unwrap();
            proptest::prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn any_single_changed_character_is_caught(
            body in "[0-9A-HJ-NPQRTUWXY]{17}",
            pos in 0usize..18,
            with in proptest::sample::select(CODE_CHARS.to_vec()),
        ) {
            let mut code = format!("{body}{}", credit_check_char(body.as_bytes()).unwrap()).into_bytes();
            proptest::prop_assume!(code[pos] != with);
            code[pos] = with;
            let changed = String::from_utf8(code).unwrap();
            proptest::prop_assert!(CreditCode::parse(&changed).is_err(), "{changed}");
        }
    }
}
