//! Live statistics, computed from the data (never typed in), and the 消费环境指数 (consumption-environment
//! index) of each district.
//!
//! **The index** (0–100, higher is better), per district:
//! `index = 0.5 × G + 0.3 × P + 0.2 × C`, where
//! - `G` = the mean grade score of its businesses (A = 100, B = 80, C = 50, D = 0);
//! - `P` = its sampling pass rate in percent (the city-wide rate when it has no batch yet, so a district is
//!   neither rewarded nor punished for not having been sampled);
//! - `C` = `100 − min(100, 10 × substantiated cases per 1,000 businesses)`: ten substantiated cases per
//!   thousand businesses take the whole 20 points.
//!
//! A district without businesses has no index (it is listed last, without a rank).

use serde::{Deserialize, Serialize};

/// The statistics of one district.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DistrictStats {
    pub district: String,
    pub businesses: i64,
    /// Businesses graded A, B, C, D.
    pub grades: [i64; 4],
    pub batches: i64,
    pub batches_passed: i64,
    pub substantiated_cases: i64,
    /// The 消费环境指数, one decimal; `None` without businesses.
    pub index: Option<f64>,
}

/// Everything `/stats` shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stats {
    pub businesses: i64,
    /// Businesses graded A, B, C, D.
    pub grades: [i64; 4],
    /// Districts, ranked by index (best first; those without an index last).
    pub districts: Vec<DistrictStats>,
    pub batches: i64,
    pub batches_passed: i64,
    /// 你点我检 rounds whose voting has closed.
    pub rounds_held: i64,
    pub ballots: i64,
    pub cases_received: i64,
    /// Cases accepted (whatever happened next).
    pub cases_accepted: i64,
    /// Cases whose first decision (accept or reject) has been taken.
    pub cases_decided: i64,
    /// Of those, decided within the statutory 7 working days.
    pub cases_decided_on_time: i64,
    pub cases_substantiated: i64,
    pub rewards_paid: i64,
    /// Yuan.
    pub rewards_paid_amount: i64,
    /// 满意度: ratings of decided cases, overall, by district and by channel, and the share reopened.
    #[serde(default)]
    pub satisfaction: crate::cases::SatisfactionStats,
    /// 食安志愿者: approved volunteers, their reports, and how many were substantiated.
    #[serde(default)]
    pub volunteers: crate::volunteers::VolunteerFigures,
    /// Unix seconds.
    pub computed_at: i64,
}

/// Score of a grade in the index (A, B, C, D).
pub const GRADE_SCORE: [f64; 4] = [100.0, 80.0, 50.0, 0.0];

/// `part / whole` in percent with one decimal, `None` when `whole` is zero (defined with the satisfaction
/// figures, which use it too).
pub use crate::cases::satisfaction::percent;

/// The index of a district (see the module documentation); `city_pass_rate` in percent.
pub fn district_index(d: &DistrictStats, city_pass_rate: f64) -> Option<f64> {
    let n: i64 = d.grades.iter().sum();
    if n == 0 {
        return None;
    }
    let g = d.grades.iter().zip(GRADE_SCORE).map(|(c, s)| *c as f64 * s).sum::<f64>() / n as f64;
    let p = if d.batches > 0 { d.batches_passed as f64 * 100.0 / d.batches as f64 } else { city_pass_rate };
    let per_thousand = d.substantiated_cases as f64 * 1000.0 / n as f64;
    let c = 100.0 - (10.0 * per_thousand).min(100.0);
    Some(((0.5 * g + 0.3 * p + 0.2 * c) * 10.0).round() / 10.0)
}

impl Stats {
    /// Fills each district's index and ranks them, best first (ties by name, so the order is stable).
    pub fn rank_districts(&mut self) {
        let city = percent(self.batches_passed, self.batches).unwrap_or(100.0);
        for d in &mut self.districts {
            d.index = district_index(d, city);
        }
        self.districts.sort_by(|a, b| {
            b.index.unwrap_or(-1.0).total_cmp(&a.index.unwrap_or(-1.0)).then_with(|| a.district.cmp(&b.district))
        });
    }

    /// The sampling pass rate in percent.
    pub fn pass_rate(&self) -> Option<f64> {
        percent(self.batches_passed, self.batches)
    }

    /// The share of first decisions taken on time, in percent.
    pub fn on_time_rate(&self) -> Option<f64> {
        percent(self.cases_decided_on_time, self.cases_decided)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn district(name: &str, grades: [i64; 4], batches: i64, passed: i64, cases: i64) -> DistrictStats {
        DistrictStats {
            district: name.into(),
            businesses: grades.iter().sum(),
            grades,
            batches,
            batches_passed: passed,
            substantiated_cases: cases,
            index: None,
        }
    }

    #[test]
    fn the_index_follows_its_formula() {
        // All A, all batches passed, no case: 100.
        assert_eq!(district_index(&district("a", [10, 0, 0, 0], 5, 5, 0), 90.0), Some(100.0));
        // G = (100 + 0) / 2 = 50; P = 50; C = 100 - 10 × 500 capped = 0 → 25 + 15 + 0 = 40.
        assert_eq!(district_index(&district("b", [1, 0, 0, 1], 2, 1, 1), 90.0), Some(40.0));
        // No batch: the city rate stands in. G = 80, P = 97, C = 100 - 10 × (1 per 1,000) = 90.
        assert_eq!(district_index(&district("c", [0, 1000, 0, 0], 0, 0, 1), 97.0), Some(87.1));
        assert_eq!(district_index(&district("d", [0; 4], 3, 3, 0), 97.5), None);
    }

    #[test]
    fn districts_rank_best_first_and_empty_ones_last() {
        let mut s = Stats {
            batches: 10,
            batches_passed: 9,
            districts: vec![
                district("乙", [0; 4], 0, 0, 0),
                district("甲", [0, 0, 10, 0], 1, 1, 0),
                district("丙", [10, 0, 0, 0], 1, 1, 0),
            ],
            ..Default::default()
        };
        s.rank_districts();
        let order: Vec<&str> = s.districts.iter().map(|d| d.district.as_str()).collect();
        assert_eq!(order, ["丙", "甲", "乙"]);
        assert_eq!(s.pass_rate(), Some(90.0));
        assert_eq!(Stats::default().pass_rate(), None, "an empty database shows no rate, not a division by zero");
        assert_eq!(percent(2, 3), Some(66.7));
    }
}
