//! Demo results: the finished demo round's top picks sampled and published with lab reports, and a few hundred
//! routine batches across demo businesses, mostly passing. Skipped when any batch exists (idempotent).

use crate::clock::now;
use crate::seed::rng::Rng;
use crate::staff::audit::Actor;
use crate::store::col;
use crate::AppState;
use domain::credit::CreditCode;
use domain::sampling::{DisposalFields, FailingItem, PlaceKind, SamplingInput};
use domain::AppError;

/// A one-page PDF standing in for a lab report.
pub const DEMO_REPORT: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n4 0 obj<</Length 61>>stream\nBT /F1 18 Tf 60 780 Td (Demo lab report - Food-Safe Mianyang) Tj ET\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Items tested per food category, with a failing value and its limit for the first item.
fn items(category: &str) -> (&'static [&'static str], &'static str, &'static str) {
    match category {
        "水产品" => (&["镉", "恩诺沙星", "孔雀石绿", "氯霉素"], "0.82 mg/kg", "≤0.5 mg/kg"),
        "蔬菜" | "水果" => (&["腐霉利", "毒死蜱", "克百威", "铅"], "0.52 mg/kg", "≤0.2 mg/kg"),
        "肉制品" | "畜禽肉及副产品" => {
            (&["亚硝酸盐", "菌落总数", "克伦特罗", "苯甲酸"], "45 mg/kg", "≤30 mg/kg")
        }
        "食用油" => (&["酸价", "过氧化值", "苯并[a]芘", "黄曲霉毒素B1"], "4.1 mg/g", "≤3 mg/g"),
        "乳制品" | "饮料" => (&["菌落总数", "大肠菌群", "蛋白质", "三聚氰胺"], "1.2×10⁵ CFU/g", "≤1×10⁵ CFU/g"),
        "蛋类" => (&["恩诺沙星", "氟苯尼考", "甲硝唑"], "15 μg/kg", "不得检出"),
        "粮食加工品" => (&["二氧化硫残留量", "苯甲酸", "脱氢乙酸", "铅"], "0.13 g/kg", "不得使用"),
        "调味品" => (&["罂粟碱", "苏丹红", "铅", "苯甲酸"], "检出", "不得检出"),
        _ => (&["菌落总数", "大肠菌群", "铅", "山梨酸"], "2.1×10⁴ CFU/g", "≤1×10⁴ CFU/g"),
    }
}

struct Place {
    code: Option<CreditCode>,
    name: String,
    district: String,
}

/// Loads the demo results: 300 routine batches for the city's registry, fewer for the small ones of tests.
/// Returns the batches published.
pub async fn load(state: &AppState, businesses: u64) -> Result<u64, AppError> {
    let store = &state.store;
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sampling_batches").fetch_one(store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let places: Vec<Place> = sqlx::query("SELECT credit_code, name, district FROM businesses ORDER BY id LIMIT 600")
        .fetch_all(store.pool())
        .await?
        .iter()
        .filter_map(|r| {
            Some(Place {
                code: CreditCode::parse(&col::<String>(r, "credit_code").ok()?).ok(),
                name: col(r, "name").ok()?,
                district: col(r, "district").ok()?,
            })
        })
        .collect();
    let fallback = || Place { code: None, name: "涪城区农贸市场".into(), district: "涪城区".into() };
    let t = now();
    let actor = Actor::cli();
    let mut rng = Rng::new(0x5a3_91e7);
    let mut published = 0;
    // The finished round's five most-voted candidates, two batches each.
    let finished: Option<i64> = sqlx::query_scalar("SELECT id FROM rounds WHERE publish_at <= $1 ORDER BY id LIMIT 1")
        .bind(t)
        .fetch_optional(store.pool())
        .await?;
    if let Some(round) = finished {
        let top = sqlx::query(
            "SELECT c.id, c.food, c.category, COUNT(p.ballot_id) AS n FROM candidates c \
             LEFT JOIN ballot_picks p ON p.candidate_id = c.id WHERE c.round_id = $1 \
             GROUP BY c.id, c.food, c.category ORDER BY n DESC, c.id LIMIT 5",
        )
        .bind(round)
        .fetch_all(store.pool())
        .await?;
        for (i, row) in top.iter().enumerate() {
            for j in 0..2 {
                let place = places.get(i * 2 + j).map(|p| Place {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    district: p.district.clone(),
                });
                let fail = i == 1 && j == 0;
                let batch = input(
                    &mut rng,
                    col(row, "food")?,
                    col(row, "category")?,
                    place.unwrap_or_else(fallback),
                    fail,
                    t - 40 * 86_400,
                );
                let batch = SamplingInput { round_id: Some(round), candidate_id: Some(col(row, "id")?), ..batch };
                super::publish(store, &actor, &batch, Some(DEMO_REPORT)).await?;
                published += 1;
            }
        }
    }
    // Routine sampling over the last year, about 3 % failing.
    const ROUTINE: &[(&str, &str)] = &[
        ("大米", "粮食加工品"),
        ("挂面", "粮食加工品"),
        ("菜籽油", "食用油"),
        ("酱油", "调味品"),
        ("食醋", "调味品"),
        ("猪肉", "畜禽肉及副产品"),
        ("鸡肉", "畜禽肉及副产品"),
        ("卤牛肉", "肉制品"),
        ("纯牛奶", "乳制品"),
        ("矿泉水", "饮料"),
        ("月饼", "糕点"),
        ("面包", "糕点"),
        ("白酒", "酒类"),
        ("啤酒", "酒类"),
        ("白菜", "蔬菜"),
        ("芹菜", "蔬菜"),
        ("苹果", "水果"),
        ("草鱼", "水产品"),
        ("鸡蛋", "蛋类"),
        ("豆腐", "豆制品"),
        ("凉面", "餐饮食品"),
    ];
    for k in 0..(businesses / 140).clamp(20, 300) {
        let (food, category) = *rng.pick(ROUTINE);
        let place = if places.is_empty() {
            fallback()
        } else {
            let p = &places[rng.below(places.len() as u64) as usize];
            Place { code: p.code.clone(), name: p.name.clone(), district: p.district.clone() }
        };
        let fail = rng.below(33) == 0;
        let day = t - (5 + rng.below(360) as i64) * 86_400 - (k as i64 % 7);
        let batch = input(&mut rng, food.into(), category.into(), place, fail, day);
        super::publish(store, &actor, &batch, None).await?;
        published += 1;
    }
    disposals(state, t).await?;
    Ok(published)
}

const DAY: i64 = 86_400;

/// 核查处置 of the failing batches. A result reaches the bureau a week after sampling (the seed publishes every
/// batch today, so the dates are moved back); then, in turn: a record closed by the follow-up inspection after
/// a penalty, one closed by a passed retest, one where nothing was done (its 核查 overdue), one with a case open.
/// Only steps dated up to today are recorded.
async fn disposals(state: &AppState, t: i64) -> Result<(), AppError> {
    let store = &state.store;
    sqlx::query("UPDATE sampling_batches SET published_at = sampled_at + $1 WHERE sampled_at + $1 < $2")
        .bind(7 * DAY)
        .bind(t)
        .execute(store.pool())
        .await?;
    let failing = sqlx::query("SELECT id, published_at FROM sampling_batches WHERE passed = 0 ORDER BY id LIMIT 40")
        .fetch_all(store.pool())
        .await?;
    let actor = Actor { id: None, name: "demo".to_owned() };
    for (i, row) in failing.iter().enumerate() {
        let id: i64 = col(row, "id")?;
        let result: i64 = col(row, "published_at")?;
        let day = |n: i64| domain::clock::format_date(result + n * DAY);
        let step = |kind: &str, n: i64| DisposalFields { kind: kind.into(), done_on: day(n), ..Default::default() };
        let steps: Vec<(i64, DisposalFields)> = match i % 4 {
            0 => vec![
                (1, DisposalFields { note: "已约谈经营者并送达检验结论。".into(), ..step("check", 1) }),
                (2, DisposalFields { removed: "200".into(), unit: "kg".into(), ..step("control", 2) }),
                (
                    9,
                    DisposalFields {
                        note: "涉嫌经营不合格食品，依法立案调查。".into(), ..step("case_filed", 9)
                    },
                ),
                (
                    40,
                    DisposalFields {
                        decision_no: format!("绵市监罚〔2026〕{}号", 100 + i),
                        measures: "没收违法所得，罚款五万元，责令改正。".into(),
                        ..step("penalty", 40)
                    },
                ),
                (60, DisposalFields { note: "复查：进货查验记录已建立。".into(), ..step("recheck", 60) }),
            ],
            1 => vec![
                (2, step("check", 2)),
                (3, DisposalFields { recalled: "50".into(), unit: "box".into(), ..step("control", 3) }),
                (6, DisposalFields { retest_result: "passed".into(), ..step("retest", 6) }),
            ],
            // Nothing done: its 核查 is overdue.
            2 => vec![],
            _ => vec![
                (1, step("check", 1)),
                (1, DisposalFields { removed: "35.5".into(), unit: "kg".into(), ..step("control", 1) }),
                (8, step("case_filed", 8)),
            ],
        };
        for (n, f) in steps {
            if result + n * DAY > t {
                break;
            }
            super::disposal::add_step(state, &actor, id, &f.parse()?).await?;
        }
    }
    Ok(())
}

fn input(rng: &mut Rng, food: String, category: String, place: Place, fail: bool, day: i64) -> SamplingInput {
    let (tested, value, limit) = items(&category);
    let kind = match category.as_str() {
        "餐饮食品" => PlaceKind::Restaurant,
        _ => *rng.pick(&[PlaceKind::Market, PlaceKind::Supermarket, PlaceKind::Supermarket, PlaceKind::Online]),
    };
    SamplingInput {
        round_id: None,
        candidate_id: None,
        food,
        food_category: category,
        place: kind,
        credit_code: place.code,
        business_name: place.name,
        district: place.district,
        sampled_at: day,
        items: tested.iter().map(|s| (*s).to_owned()).collect(),
        passed: !fail,
        failures: if fail {
            vec![FailingItem { item: tested[0].into(), result: value.into(), limit: limit.into() }]
        } else {
            Vec::new()
        },
    }
}
