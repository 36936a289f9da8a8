//! What arrives: a market as staff type it, and the rows of a batch (stalls, rapid tests, certificates) as a
//! market system sends them in JSON or staff upload them as CSV. Each row parses to a typed value or to the
//! error naming its field; a batch is refused whole when any row is (nothing is half-stored).

use super::{CertBasis, Commitment, MarketKind, StallCode, TestMethod, TestResult};
use crate::clock::{parse_date, parse_datetime_local};
use crate::credit::{CreditCode, District};
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;
use serde::{Deserialize, Serialize};

/// Rows in one batch at most (a busy market's day is a few hundred tests).
pub const MAX_BATCH_ROWS: usize = 10_000;
/// A rapid test may be sent up to this long after its clock says (clocks of market systems drift).
pub const CLOCK_SKEW_SECS: i64 = 300;

pub const NAME: TextRule = TextRule::line(60);
pub const ADDRESS: TextRule = TextRule::line(120);
pub const SHORT: TextRule = TextRule::line(40);
pub const LONG: TextRule = TextRule::line(80);
pub const BATCH_ID: TextRule = TextRule::line(64);

crate::fields! {
    /// A market as the staff form gives it.
    pub struct MarketFields {
        name,
        kind,
        district,
        address,
    }
}

/// A market, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketInput {
    pub name: String,
    pub kind: MarketKind,
    pub district: District,
    pub address: String,
}

fn vocab<V>(field: &'static str, v: &str, parse: fn(&str) -> Option<V>) -> Result<V, AppError> {
    match v.trim() {
        "" => Err(AppError::field(ErrCode::Required, field)),
        s => parse(s).ok_or_else(|| AppError::field(ErrCode::InvalidValue, field)),
    }
}

impl MarketFields {
    pub fn parse(&self) -> Result<MarketInput, AppError> {
        Ok(MarketInput {
            name: NAME.check(Self::name, &self.name)?,
            kind: vocab(Self::kind, &self.kind, MarketKind::parse)?,
            district: vocab(Self::district, &self.district, District::parse)?,
            address: ADDRESS.check(Self::address, &self.address)?,
        })
    }
}

crate::fields! {
    /// A stall of the sending market: its number there (摊位号), the registry's credit code of its operator, what
    /// it sells. Created on first sight (with a new code), updated when sent again.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct StallFields {
        number,
        credit_code,
        goods,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StallInput {
    pub number: String,
    pub credit_code: CreditCode,
    pub goods: String,
}

impl StallFields {
    pub fn parse(&self) -> Result<StallInput, AppError> {
        Ok(StallInput {
            number: SHORT.check(Self::number, &self.number)?,
            credit_code: CreditCode::parse(&self.credit_code)
                .map_err(|e| AppError::field(e.code, Self::credit_code))?,
            goods: SHORT.check(Self::goods, &self.goods)?,
        })
    }
}

crate::fields! {
    /// One rapid test (快检): the market system's own number for it (`test_no`, unique in the market: sending it
    /// again is a no-op), the stall's code, the sample, the item tested, the method, the result, when
    /// (`2026-12-07T08:30`, China time) and who tested.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct RapidTestFields {
        test_no,
        stall,
        sample,
        item,
        method,
        result,
        tested_at,
        tester,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RapidTestInput {
    pub test_no: String,
    pub stall: StallCode,
    pub sample: String,
    pub item: String,
    pub method: TestMethod,
    pub result: TestResult,
    pub tested_at: i64,
    pub tester: String,
}

impl RapidTestFields {
    /// Parses the row; a test dated after `now` (beyond the clock skew) is refused naming `tested_at`.
    pub fn parse(&self, now: i64) -> Result<RapidTestInput, AppError> {
        let tested_at = match self.tested_at.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::tested_at)),
            s => parse_datetime_local(s)
                .filter(|t| *t <= now + CLOCK_SKEW_SECS)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::tested_at))?,
        };
        Ok(RapidTestInput {
            test_no: SHORT.check(Self::test_no, &self.test_no)?,
            stall: stall(Self::stall, &self.stall)?,
            sample: SHORT.check(Self::sample, &self.sample)?,
            item: LONG.check(Self::item, &self.item)?,
            method: vocab(Self::method, &self.method, TestMethod::parse)?,
            result: vocab(Self::result, &self.result, TestResult::parse)?,
            tested_at,
            tester: SHORT.check(Self::tester, &self.tester)?,
        })
    }
}

fn stall(field: &'static str, v: &str) -> Result<StallCode, AppError> {
    if v.trim().is_empty() {
        return Err(AppError::field(ErrCode::Required, field));
    }
    StallCode::parse(v).map_err(|e| AppError::field(e.code, field))
}

crate::fields! {
    /// One 承诺达标合格证 held by a stall for goods on sale (fields of the 2025 rules): its number, the stall's
    /// code, 产品名称, 数量（重量）, 产地, 生产者名称, 联系方式, 开具日期 (`2026-12-07`), the commitments ticked
    /// (stored strings separated by `;`; all three are required) and the basis of the promise.
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub struct CertificateFields {
        cert_no,
        stall,
        product,
        quantity,
        origin,
        producer,
        producer_contact,
        issued_on,
        commitments,
        basis,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInput {
    pub cert_no: String,
    pub stall: StallCode,
    pub product: String,
    pub quantity: String,
    pub origin: String,
    pub producer: String,
    pub producer_contact: String,
    /// Midnight (China time) of the day it was issued.
    pub issued_on: i64,
    pub commitments: Vec<Commitment>,
    pub basis: CertBasis,
}

impl CertificateInput {
    /// The commitments as stored: their strings joined by `;`.
    pub fn commitments_stored(&self) -> String {
        self.commitments.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";")
    }
}

/// The commitments of a stored or sent list (`;`, `；`, `|` or line breaks between them).
pub fn parse_commitments(v: &str) -> Option<Vec<Commitment>> {
    let mut out = Vec::new();
    for part in v.split([';', '；', '|', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let c = Commitment::parse(part)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Some(out)
}

impl CertificateFields {
    /// Parses the row; a certificate issued after today (`now`'s China day) is refused naming `issued_on`.
    pub fn parse(&self, now: i64) -> Result<CertificateInput, AppError> {
        let issued_on = match self.issued_on.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::issued_on)),
            s => parse_date(s)
                .filter(|d| *d <= super::day_start(now))
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::issued_on))?,
        };
        let commitments = match self.commitments.trim() {
            "" => return Err(AppError::field(ErrCode::Required, Self::commitments)),
            s => parse_commitments(s)
                .filter(|c| c.len() == Commitment::ALL.len())
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::commitments))?,
        };
        Ok(CertificateInput {
            cert_no: SHORT.check(Self::cert_no, &self.cert_no)?,
            stall: stall(Self::stall, &self.stall)?,
            product: SHORT.check(Self::product, &self.product)?,
            quantity: SHORT.check(Self::quantity, &self.quantity)?,
            origin: LONG.check(Self::origin, &self.origin)?,
            producer: LONG.check(Self::producer, &self.producer)?,
            producer_contact: SHORT.check(Self::producer_contact, &self.producer_contact)?,
            issued_on,
            commitments,
            basis: vocab(Self::basis, &self.basis, CertBasis::parse)?,
        })
    }
}

/// A batch as a market system sends it (`POST /api/v1/markets/{id}/batches`): its own id (a retry with the same
/// id and the same bytes is answered as the first time and changes nothing), and any of stalls, rapid tests and
/// certificates. Stalls are applied first, so a batch may bring a new stall and its tests together (a new
/// stall's code is in the receipt; rows of the same batch name it by `number` only through a later batch).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchBody {
    pub batch_id: String,
    #[serde(default)]
    pub stalls: Vec<StallFields>,
    #[serde(default)]
    pub rapid_tests: Vec<RapidTestFields>,
    #[serde(default)]
    pub certificates: Vec<CertificateFields>,
}

/// A batch, parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchInput {
    pub batch_id: String,
    /// Each row with its index in its list (from 0), for errors found against the database.
    pub stalls: Vec<(usize, StallInput)>,
    pub rapid_tests: Vec<(usize, RapidTestInput)>,
    pub certificates: Vec<(usize, CertificateInput)>,
}

/// One refused row: the list (`stalls`, `rapid_tests`, `certificates`; `batch` for the batch itself), the row's
/// index in it (from 0; for a CSV upload the file's line), the field and the error's code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchRowError {
    pub section: String,
    pub row: u64,
    pub field: String,
    /// The error's code (`required`, `invalid_value`, `not_found`, `conflict`…), as in the error body.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub code: ErrCode,
    pub message: String,
}

impl BatchRowError {
    pub fn new(section: &str, row: u64, e: &AppError) -> BatchRowError {
        BatchRowError {
            section: section.to_owned(),
            row,
            field: e.field.clone().unwrap_or_default(),
            code: e.code,
            message: e.message(crate::Lang::Zh).to_owned(),
        }
    }
}

impl BatchBody {
    /// Every row parsed, or every refused row (all of them, not only the first).
    pub fn parse(&self, now: i64) -> Result<BatchInput, Vec<BatchRowError>> {
        let mut errors = Vec::new();
        let batch_id = match BATCH_ID.check("batch_id", &self.batch_id) {
            Ok(id) => id,
            Err(e) => {
                errors.push(BatchRowError::new("batch", 0, &e));
                String::new()
            }
        };
        let rows = self.stalls.len() + self.rapid_tests.len() + self.certificates.len();
        if rows == 0 || rows > MAX_BATCH_ROWS {
            let code = if rows == 0 { ErrCode::Required } else { ErrCode::TooMany };
            errors.push(BatchRowError::new("batch", 0, &AppError::field(code, "rapid_tests")));
            return Err(errors);
        }
        let mut out = BatchInput { batch_id, ..BatchInput::default() };
        for (i, f) in self.stalls.iter().enumerate() {
            match f.parse() {
                Ok(s) => out.stalls.push((i, s)),
                Err(e) => errors.push(BatchRowError::new("stalls", i as u64, &e)),
            }
        }
        for (i, f) in self.rapid_tests.iter().enumerate() {
            match f.parse(now) {
                Ok(t) => out.rapid_tests.push((i, t)),
                Err(e) => errors.push(BatchRowError::new("rapid_tests", i as u64, &e)),
            }
        }
        for (i, f) in self.certificates.iter().enumerate() {
            match f.parse(now) {
                Ok(c) => out.certificates.push((i, c)),
                Err(e) => errors.push(BatchRowError::new("certificates", i as u64, &e)),
            }
        }
        let dup = |section: &str, keys: Vec<(usize, String)>, field: &str, errors: &mut Vec<BatchRowError>| {
            let mut seen = std::collections::HashSet::new();
            for (i, k) in keys {
                if !seen.insert(k) {
                    errors.push(BatchRowError::new(section, i as u64, &AppError::field(ErrCode::Conflict, field)));
                }
            }
        };
        dup("stalls", out.stalls.iter().map(|(i, s)| (*i, s.number.clone())).collect(), "number", &mut errors);
        dup(
            "rapid_tests",
            out.rapid_tests.iter().map(|(i, t)| (*i, t.test_no.clone())).collect(),
            "test_no",
            &mut errors,
        );
        dup(
            "certificates",
            out.certificates.iter().map(|(i, c)| (*i, format!("{}/{}", c.stall, c.cert_no))).collect(),
            "cert_no",
            &mut errors,
        );
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        parse_date("2026-12-07").unwrap() + 10 * 3600
    }

    fn test_row() -> RapidTestFields {
        RapidTestFields {
            test_no: "T1".into(),
            stall: "7KQ4M2X".into(),
            sample: "小白菜".into(),
            item: "有机磷和氨基甲酸酯类农药".into(),
            method: "酶抑制率法".into(),
            result: "合格".into(),
            tested_at: "2026-12-07T08:30".into(),
            tester: "王敏".into(),
        }
    }

    fn cert_row() -> CertificateFields {
        CertificateFields {
            cert_no: "HG-001".into(),
            stall: "7KQ4M2X".into(),
            product: "小白菜".into(),
            quantity: "50千克".into(),
            origin: "四川省绵阳市游仙区".into(),
            producer: "游仙区绿源蔬菜合作社".into(),
            producer_contact: "0816-2345678".into(),
            issued_on: "2026-12-07".into(),
            commitments: Commitment::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";"),
            basis: "自控自检".into(),
        }
    }

    #[test]
    fn rows_parse_and_name_the_field_at_fault() {
        let t = test_row().parse(now()).unwrap();
        assert_eq!((t.result, t.method), (TestResult::Pass, TestMethod::EnzymeInhibition));
        let c = cert_row().parse(now()).unwrap();
        assert_eq!(c.commitments.len(), 3);
        assert_eq!(parse_commitments(&c.commitments_stored()), Some(c.commitments));

        let field = |r: Result<RapidTestInput, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(
            field(RapidTestFields { tested_at: "2026-12-08T08:30".into(), ..test_row() }.parse(now())),
            "tested_at"
        );
        assert_eq!(field(RapidTestFields { result: "阴性?".into(), ..test_row() }.parse(now())), "result");
        assert_eq!(field(RapidTestFields { stall: "".into(), ..test_row() }.parse(now())), "stall");

        let field = |r: Result<CertificateInput, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(CertificateFields { issued_on: "2026-12-08".into(), ..cert_row() }.parse(now())), "issued_on");
        assert_eq!(field(CertificateFields { producer: " ".into(), ..cert_row() }.parse(now())), "producer");
        let two = Commitment::ALL[..2].iter().map(|c| c.as_str()).collect::<Vec<_>>().join("；");
        assert_eq!(field(CertificateFields { commitments: two, ..cert_row() }.parse(now())), "commitments");
        assert_eq!(field(CertificateFields { basis: "口头".into(), ..cert_row() }.parse(now())), "basis");
    }

    #[test]
    fn a_batch_reports_every_bad_row_and_duplicates() {
        let body = BatchBody {
            batch_id: "b1".into(),
            stalls: vec![],
            rapid_tests: vec![test_row(), RapidTestFields { method: "".into(), ..test_row() }, test_row()],
            certificates: vec![cert_row(), CertificateFields { quantity: "".into(), ..cert_row() }],
        };
        let errors = body.parse(now()).unwrap_err();
        let at: Vec<(&str, u64, &str)> = errors.iter().map(|e| (e.section.as_str(), e.row, e.field.as_str())).collect();
        assert_eq!(at, [("rapid_tests", 1, "method"), ("certificates", 1, "quantity"), ("rapid_tests", 2, "test_no")]);
        assert!(BatchBody { batch_id: "x".into(), ..BatchBody::default() }.parse(now()).is_err(), "empty batch");
        let ok = BatchBody { batch_id: "b2".into(), rapid_tests: vec![test_row()], ..BatchBody::default() };
        assert_eq!(ok.parse(now()).unwrap().rapid_tests.len(), 1);
    }
}
