//! Rules for what people type, applied by every module: one text validator, full-width folding, and the
//! neutralising of spreadsheet formulas in exports.

use crate::error::{AppError, ErrCode};
use std::borrow::Cow;

/// Full-width ASCII (Ａ-Ｚ, ０-９, the ideographic space) to half-width.
pub fn to_half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Characters no stored text may hold: control characters (line breaks and tabs only in multi-line text),
/// bidirectional overrides and isolates (they can make a name read backwards, "Trojan source"), and zero-width
/// characters (they make two names that look the same compare different).
pub fn is_forbidden(c: char, multiline: bool) -> bool {
    (c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
        || matches!(
            c,
            '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

/// The length and shape a text field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRule {
    /// Minimum length in characters (after trimming); 0 means optional.
    pub min: usize,
    pub max: usize,
    pub multiline: bool,
}

impl TextRule {
    /// A required single line of at most `max` characters.
    pub const fn line(max: usize) -> TextRule {
        TextRule { min: 1, max, multiline: false }
    }

    /// Required text of `min..=max` characters that may span lines.
    pub const fn para(min: usize, max: usize) -> TextRule {
        TextRule { min, max, multiline: true }
    }

    /// An optional single line (empty is allowed).
    pub const fn optional(max: usize) -> TextRule {
        TextRule { min: 0, max, multiline: false }
    }

    /// The same rule, allowing line breaks and tabs.
    pub const fn multiline(self) -> TextRule {
        TextRule { multiline: true, ..self }
    }

    /// Checks `v` for `field`: trimmed, then required / too short / too long / forbidden characters, each an
    /// error naming the field.
    pub fn check(self, field: &str, v: &str) -> Result<String, AppError> {
        let v = v.trim();
        let n = v.chars().count();
        if n == 0 && self.min > 0 {
            return Err(AppError::field(ErrCode::Required, field));
        }
        if n < self.min {
            return Err(AppError::field(ErrCode::TooShort, field));
        }
        if n > self.max {
            return Err(AppError::field(ErrCode::TooLong, field));
        }
        if v.chars().any(|c| is_forbidden(c, self.multiline)) {
            return Err(AppError::field(ErrCode::InvalidValue, field));
        }
        Ok(v.to_owned())
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage return) gets
/// a leading apostrophe in exports; [`from_csv_cell`] takes it off again on import.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// The inverse of [`csv_cell`], so an exported file imports back unchanged.
pub fn from_csv_cell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if matches!(rest.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => rest,
        _ => s,
    }
}

/// A phone number for SMS verification: 11 digits of a mainland mobile number, starting with 1 (spaces, dashes
/// and `+86` allowed). Refusals name `phone`.
pub fn parse_phone(s: &str) -> Result<String, crate::error::AppError> {
    let digits: String = s.chars().map(to_half_width).filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits).to_owned();
    if digits.len() == 11 && digits.starts_with('1') && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(crate::error::AppError::field(crate::error::ErrCode::InvalidValue, "phone"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_validator_names_the_field() {
        let r = TextRule::para(10, 20);
        assert_eq!(r.check("body", "  0123456789 ").unwrap(), "0123456789");
        assert_eq!(r.check("body", " ").unwrap_err().code, ErrCode::Required);
        assert_eq!(r.check("body", "short").unwrap_err().code, ErrCode::TooShort);
        assert_eq!(r.check("body", &"长".repeat(21)).unwrap_err().code, ErrCode::TooLong);
        assert_eq!(r.check("body", "line one\nline two").unwrap(), "line one\nline two");
        assert_eq!(TextRule::line(50).check("name", "a\nb").unwrap_err().field.as_deref(), Some("name"));
        assert_eq!(TextRule::optional(5).check("x", "").unwrap(), "");
    }

    #[test]
    fn bidi_overrides_and_zero_width_characters_are_refused() {
        for bad in ["老王\u{202E}粉米", "老\u{200B}王", "\u{2066}x\u{2069}米粉", "米\u{FEFF}粉", "a\u{0007}b"]
        {
            let e = TextRule::line(50).check("name", bad).unwrap_err();
            assert_eq!((e.code, e.field.as_deref()), (ErrCode::InvalidValue, Some("name")), "{bad:?}");
        }
        assert!(TextRule::line(50).check("name", "老王米粉（涪城店）😀").is_ok());
    }

    #[test]
    fn formulas_are_neutralised_in_exports_and_restored_on_import() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx"] {
            let cell = csv_cell(s);
            assert!(cell.starts_with('\''), "{s}");
            assert_eq!(from_csv_cell(&cell), s);
        }
        assert_eq!(csv_cell("老王米粉"), "老王米粉");
        assert_eq!(from_csv_cell("'quoted"), "'quoted");
    }
}
