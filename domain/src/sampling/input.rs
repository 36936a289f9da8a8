//! A sampled batch as staff publish it, and the filters of the public results list.

use super::{FailingItem, PlaceKind};
use crate::clock::parse_date;
use crate::credit::{CreditCode, District};
use crate::error::{AppError, ErrCode};
use crate::picks::FoodCategory;
use crate::text::TextRule;

crate::fields! {
    /// The staff form (multipart, with the lab report as the file field `report`). `items` holds one tested
    /// item per line; `failures` one failing item per line as `item | result | limit`.
    pub struct SamplingFields {
        round_id,
        candidate_id,
        food,
        food_category,
        place,
        credit_code,
        business_name,
        district,
        sampled_on,
        items,
        verdict,
        failures,
    }
}

/// A batch, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamplingInput {
    pub round_id: Option<i64>,
    pub candidate_id: Option<i64>,
    pub food: String,
    pub food_category: String,
    pub place: PlaceKind,
    pub credit_code: Option<CreditCode>,
    pub business_name: String,
    pub district: String,
    pub sampled_at: i64,
    pub items: Vec<String>,
    pub passed: bool,
    pub failures: Vec<FailingItem>,
}

/// Largest lab report accepted.
pub const MAX_REPORT_BYTES: usize = 5 * 1024 * 1024;
/// Most items per batch.
pub const MAX_ITEMS: usize = 60;
const ITEM: TextRule = TextRule::line(60);

/// A lab report must be a PDF: checked by its content, not its name.
pub fn check_report(bytes: &[u8]) -> Result<(), AppError> {
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(AppError::field(ErrCode::PayloadTooLarge, "report"));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(AppError::field(ErrCode::UnsupportedMediaType, "report"));
    }
    Ok(())
}

fn optional_id(v: &str, field: &'static str) -> Result<Option<i64>, AppError> {
    match v.trim() {
        "" => Ok(None),
        n => n.parse().map(Some).map_err(|_| AppError::field(ErrCode::InvalidValue, field)),
    }
}

impl SamplingFields {
    pub fn parse(&self) -> Result<SamplingInput, AppError> {
        let round_id = optional_id(&self.round_id, Self::round_id)?;
        let candidate_id = optional_id(&self.candidate_id, Self::candidate_id)?;
        if candidate_id.is_some() && round_id.is_none() {
            return Err(AppError::field(ErrCode::Required, Self::round_id));
        }
        let food = TextRule::line(40).check(Self::food, &self.food)?;
        let food_category = match self.food_category.trim() {
            "" => FoodCategory::Other.as_str().to_owned(),
            c => FoodCategory::parse(c)
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::food_category))?
                .as_str()
                .to_owned(),
        };
        let place = PlaceKind::parse(&self.place).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::place))?;
        let credit_code = match self.credit_code.trim() {
            "" => None,
            c => Some(CreditCode::parse(c)?),
        };
        // With a registry business the name and district come from the registry.
        let business_name = TextRule::optional(100).check(Self::business_name, &self.business_name)?;
        if credit_code.is_none() && business_name.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::business_name));
        }
        let district = self.district.trim().to_owned();
        if credit_code.is_none() && District::parse(&district).is_none() {
            return Err(AppError::field(ErrCode::InvalidValue, Self::district));
        }
        let sampled_at = parse_date(&self.sampled_on).ok_or_else(|| {
            let code = if self.sampled_on.trim().is_empty() { ErrCode::Required } else { ErrCode::InvalidValue };
            AppError::field(code, Self::sampled_on)
        })?;
        let mut items = Vec::new();
        for line in self.items.split(['\n', '、', ',', '，']).map(str::trim).filter(|l| !l.is_empty()) {
            let item = ITEM.check(Self::items, line)?;
            if !items.contains(&item) {
                items.push(item);
            }
        }
        if items.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::items));
        }
        if items.len() > MAX_ITEMS {
            return Err(AppError::field(ErrCode::TooLong, Self::items));
        }
        let passed = match self.verdict.trim() {
            "pass" => true,
            "fail" => false,
            "" => return Err(AppError::field(ErrCode::Required, Self::verdict)),
            _ => return Err(AppError::field(ErrCode::InvalidValue, Self::verdict)),
        };
        let mut failures = Vec::new();
        for line in self.failures.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            let [item, result, limit] = parts[..] else {
                return Err(AppError::field(ErrCode::InvalidValue, Self::failures));
            };
            let item = ITEM.check(Self::failures, item)?;
            // A failing item must be one of the items tested.
            if !items.contains(&item) {
                return Err(AppError::field(ErrCode::InvalidValue, Self::failures));
            }
            failures.push(FailingItem {
                item,
                result: ITEM.check(Self::failures, result)?,
                limit: ITEM.check(Self::failures, limit)?,
            });
        }
        // The verdict and the failing items must agree.
        if passed != failures.is_empty() {
            return Err(AppError::field(
                if passed { ErrCode::InvalidValue } else { ErrCode::Required },
                Self::failures,
            ));
        }
        Ok(SamplingInput {
            round_id,
            candidate_id,
            food,
            food_category,
            place,
            credit_code,
            business_name,
            district,
            sampled_at,
            items,
            passed,
            failures,
        })
    }
}

/// Filters of the public results list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultsQuery {
    /// A substring of the food's name.
    pub food: Option<String>,
    pub district: Option<String>,
    pub passed: Option<bool>,
    pub round_id: Option<i64>,
    /// Only the batches of one business (its page).
    pub credit_code: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

impl ResultsQuery {
    /// From the query string (`food`, `district`, `verdict` = pass|fail, `round`, `page`, `per_page`); empty
    /// values mean "any".
    pub fn parse(
        food: Option<&str>,
        district: Option<&str>,
        verdict: Option<&str>,
        round: Option<&str>,
        page: Option<&str>,
        per_page: Option<&str>,
    ) -> Result<ResultsQuery, AppError> {
        let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let food = match nonempty(food) {
            Some(f) if f.chars().count() > 40 => return Err(AppError::field(ErrCode::TooLong, "food")),
            Some(f) => Some(TextRule::line(40).check("food", &f)?),
            None => None,
        };
        let district = nonempty(district);
        if district.as_deref().is_some_and(|d| District::parse(d).is_none()) {
            return Err(AppError::field(ErrCode::InvalidValue, "district"));
        }
        let passed = match nonempty(verdict).as_deref() {
            None => None,
            Some("pass") => Some(true),
            Some("fail") => Some(false),
            Some(_) => return Err(AppError::field(ErrCode::InvalidValue, "verdict")),
        };
        let num = |s: Option<&str>, field: &str, default: i64, range: std::ops::RangeInclusive<i64>| match nonempty(s) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or_else(|| AppError::field(ErrCode::InvalidValue, field)),
        };
        let round_id = match nonempty(round) {
            None => None,
            Some(_) => Some(num(round, "round", 0, 1..=i64::MAX)?),
        };
        Ok(ResultsQuery {
            food,
            district,
            passed,
            round_id,
            credit_code: None,
            page: num(page, "page", 1, 1..=10_000)?,
            per_page: num(per_page, "per_page", 20, 1..=100)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> SamplingFields {
        SamplingFields {
            food: "韭菜".into(),
            food_category: "蔬菜".into(),
            place: "market".into(),
            business_name: "涪城区农贸市场".into(),
            district: "涪城区".into(),
            sampled_on: "2026-11-20".into(),
            items: "腐霉利\n毒死蜱、镉".into(),
            verdict: "fail".into(),
            failures: "腐霉利 | 0.52 mg/kg | ≤0.2 mg/kg".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_failing_batch_lists_its_failing_items() {
        let b = batch().parse().unwrap();
        assert_eq!(b.items, ["腐霉利", "毒死蜱", "镉"]);
        assert!(!b.passed);
        assert_eq!(b.failures[0].limit, "≤0.2 mg/kg");
        let field = |f: SamplingFields| f.parse().unwrap_err().field.unwrap();
        assert_eq!(field(SamplingFields { failures: "".into(), ..batch() }), "failures");
        assert_eq!(field(SamplingFields { verdict: "pass".into(), ..batch() }), "failures");
        assert_eq!(field(SamplingFields { failures: "铅 | 1 | 0.5".into(), ..batch() }), "failures");
        assert_eq!(field(SamplingFields { failures: "腐霉利 0.52".into(), ..batch() }), "failures");
        assert_eq!(field(SamplingFields { place: "moon".into(), ..batch() }), "place");
        assert_eq!(field(SamplingFields { sampled_on: "".into(), ..batch() }), "sampled_on");
        assert_eq!(field(SamplingFields { business_name: "".into(), ..batch() }), "business_name");
        assert_eq!(field(SamplingFields { candidate_id: "4".into(), ..batch() }), "round_id");
        assert_eq!(field(SamplingFields { items: " ".into(), ..batch() }), "items");
    }

    #[test]
    fn a_report_must_be_a_pdf_by_content() {
        assert!(check_report(b"%PDF-1.7\n...").is_ok());
        assert_eq!(check_report(b"\x89PNG....").unwrap_err().code, ErrCode::UnsupportedMediaType);
        assert_eq!(check_report(&vec![b'%'; MAX_REPORT_BYTES + 1]).unwrap_err().code, ErrCode::PayloadTooLarge);
    }

    #[test]
    fn results_filters() {
        let q = ResultsQuery::parse(Some("韭菜"), Some("涪城区"), Some("fail"), Some("2"), None, None).unwrap();
        assert_eq!((q.passed, q.round_id, q.page, q.per_page), (Some(false), Some(2), 1, 20));
        let field = |r: Result<ResultsQuery, AppError>| r.unwrap_err().field.unwrap();
        assert_eq!(field(ResultsQuery::parse(None, Some("火星"), None, None, None, None)), "district");
        assert_eq!(field(ResultsQuery::parse(None, None, Some("maybe"), None, None, None)), "verdict");
        assert_eq!(field(ResultsQuery::parse(None, None, None, Some("x"), None, None)), "round");
        assert_eq!(field(ResultsQuery::parse(None, None, None, None, None, Some("1000"))), "per_page");
    }
}
