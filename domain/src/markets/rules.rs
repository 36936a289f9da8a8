//! Stall codes, and the values rapid tests and 承诺达标合格证 take.
//!
//! The certificate's fields, commitments and bases follow 农业农村部《承诺达标合格证管理办法》(2025): 产品名称,
//! 数量（重量）, 产地, 生产者名称及联系方式, 开具日期, the producer's commitments and the basis of the promise.

use crate::error::{AppError, ErrCode};
use crate::vocab::vocab;

/// The letters of a stall code: digits and capitals without 0/O, 1/I/L, so a code read off a printed card
/// cannot be mistyped into another.
pub const STALL_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a stall code: 31^7 ≈ 2.7 × 10^10 codes, short enough to print under the QR code.
pub const STALL_CODE_LEN: usize = 7;

/// A stall's own code (`/m/{code}`), e.g. `7KQ4M2X`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StallCode(String);

impl StallCode {
    /// Reads a code as printed; lower case is taken as upper case.
    pub fn parse(s: &str) -> Result<StallCode, AppError> {
        let s = s.trim().to_ascii_uppercase();
        if s.len() == STALL_CODE_LEN && s.bytes().all(|b| STALL_ALPHABET.contains(&b)) {
            Ok(StallCode(s))
        } else {
            Err(AppError::field(ErrCode::InvalidValue, "stall"))
        }
    }

    /// A code from `STALL_CODE_LEN` random numbers (any `u64`s: each picks one letter).
    pub fn from_random(mut next: impl FnMut() -> u64) -> StallCode {
        let n = STALL_ALPHABET.len() as u64;
        StallCode((0..STALL_CODE_LEN).map(|_| STALL_ALPHABET[(next() % n) as usize] as char).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StallCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

vocab! {
    /// What kind of market.
    pub enum MarketKind {
        FarmersMarket = "农贸市场" => "Farmers' market";
        Supermarket = "商超生鲜区" => "Supermarket fresh section";
        Wholesale = "批发市场" => "Wholesale market";
    }
}

vocab! {
    /// How a rapid test (快检) was done.
    pub enum TestMethod {
        ColloidalGold = "胶体金" => "Colloidal gold";
        EnzymeInhibition = "酶抑制率法" => "Enzyme inhibition";
        Colorimetric = "化学比色" => "Chemical colorimetry";
        TestStrip = "试纸条" => "Test strip";
    }
}

vocab! {
    /// A rapid test's result: negative or positive.
    pub enum TestResult {
        Pass = "合格" => "Pass (negative)";
        Fail = "不合格" => "Fail (positive)";
    }
}

vocab! {
    /// The producer's commitments on a 承诺达标合格证 (2025).
    pub enum Commitment {
        NoBanned = "不使用禁用农药兽药及非法添加物" => "No banned pesticides, veterinary drugs or illegal additives";
        Withdrawal = "遵守农药安全间隔期、兽药休药期规定" => "Pesticide intervals and veterinary withdrawal periods observed";
        Residues = "销售的食用农产品符合农药兽药残留食品安全国家强制性标准" => "Residues within the mandatory national food-safety standards";
    }
}

vocab! {
    /// What a 承诺达标合格证's promise rests on (2025).
    pub enum CertBasis {
        SelfTest = "自控自检" => "Own testing";
        Commissioned = "委托检测" => "Commissioned testing";
        InternalControl = "内部质量控制" => "Internal quality control";
        SelfPromise = "自我承诺" => "Self-declaration";
    }
}

/// Rapid tests shown as "today" are those of the China day of the given time.
pub fn day_start(t: i64) -> i64 {
    const CST: i64 = 8 * 3600;
    (t + CST).div_euclid(86_400) * 86_400 - CST
}

/// A stall is flagged for 30 days after a failing rapid test.
pub const FLAG_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stall_codes_are_short_and_unambiguous() {
        assert_eq!(StallCode::parse(" 7kq4m2x ").unwrap().as_str(), "7KQ4M2X");
        for bad in ["7KQ4M2", "7KQ4M2XX", "7KQ4M2O", "7KQ4M21", "7KQ4M2I", "7KQ4M2L", "7KQ-M2X", ""] {
            assert_eq!(StallCode::parse(bad).unwrap_err().field.as_deref(), Some("stall"), "{bad}");
        }
        let mut n = 0u64;
        let c = StallCode::from_random(|| {
            n += 7;
            n
        });
        assert!(StallCode::parse(c.as_str()).is_ok());
    }

    #[test]
    fn the_china_day_starts_at_midnight_utc_plus_8() {
        let d = crate::clock::parse_date("2026-12-07").unwrap();
        assert_eq!(day_start(d), d);
        assert_eq!(day_start(d + 86_399), d);
        assert_eq!(day_start(d - 1), d - 86_400);
    }
}
