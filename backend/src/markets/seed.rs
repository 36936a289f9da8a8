//! The demo's markets: six markets with 300 stalls operated by registry businesses, a week of rapid tests (about
//! 1 % failing; one failing test today in the first market, so the demo always shows a flagged stall) and
//! certificates, some of them held by several stalls (so a trace has something to show). Stalls are written
//! directly with codes from the demo's generator; tests and certificates go through [`ingest::apply`], one batch
//! per market per day. Skipped when any market exists (idempotent).

use super::ingest::{self, insert_stall, Source};
use crate::clock::now;
use crate::seed::rng::Rng;
use crate::store::col;
use crate::AppState;
use domain::clock::{format_date, format_datetime_local};
use domain::markets::{day_start, BatchBody, CertificateFields, Commitment, RapidTestFields, StallCode};
use domain::AppError;

pub const MARKETS: [(&str, &str, &str, &str); 6] = [
    ("涪城区临园路农贸市场", "农贸市场", "涪城区", "涪城区临园路东段88号"),
    ("游仙区沈家坝农贸市场", "农贸市场", "游仙区", "游仙区沈家坝北街12号"),
    ("高新区磨家农贸市场", "农贸市场", "高新区", "高新区磨家镇永兴路6号"),
    ("经开区塘汛农贸市场", "农贸市场", "经开区", "经开区塘汛街道三江路20号"),
    ("科技城园艺山生鲜超市", "商超生鲜区", "科技城新区", "科技城新区园艺山路1号"),
    ("安州区花荄农贸市场", "农贸市场", "安州区", "安州区花荄镇安昌路15号"),
];
/// Stalls per market in the full demo (44,000 businesses).
pub const STALLS_PER_MARKET: usize = 50;
pub const DAYS: i64 = 7;

/// (goods, samples, item, method) of a stall's rapid tests.
const GOODS: [(&str, &[&str], &str, &str); 5] = [
    ("蔬菜", &["小白菜", "菠菜", "芹菜", "韭菜", "豇豆"], "有机磷和氨基甲酸酯类农药", "酶抑制率法"),
    ("猪肉", &["猪肉", "猪肝"], "克伦特罗", "胶体金"),
    ("水产", &["草鱼", "鲫鱼", "鲈鱼"], "孔雀石绿", "胶体金"),
    ("水果", &["苹果", "柑橘", "葡萄"], "有机磷和氨基甲酸酯类农药", "酶抑制率法"),
    ("禽蛋", &["鸡蛋", "鸭蛋"], "恩诺沙星", "胶体金"),
];
const PRODUCERS: [(&str, &str, &str); 6] = [
    ("游仙区绿源蔬菜专业合作社", "0816-2345601", "四川省绵阳市游仙区"),
    ("安州区花荄生猪养殖场", "0816-4321602", "四川省绵阳市安州区"),
    ("三台县鲁班湖水产养殖合作社", "0816-5432603", "四川省绵阳市三台县"),
    ("江油市青莲果业合作社", "0816-3216604", "四川省绵阳市江油市"),
    ("梓潼县双板禽蛋合作社", "0816-8221605", "四川省绵阳市梓潼县"),
    ("盐亭县嫘祖蔬菜基地", "0816-7212606", "四川省绵阳市盐亭县"),
];
const TESTERS: [&str; 4] = ["王敏", "李娜", "张伟", "刘洋"];
const BASES: [&str; 4] = ["自控自检", "委托检测", "内部质量控制", "自我承诺"];

/// Stalls per market for a demo registry of `businesses`: 50 for the full 44,000, fewer (at least 10) for the
/// small registries the tests seed, which would otherwise spend most of their set-up on 4,200 rapid tests.
pub fn stalls_for(businesses: u64) -> usize {
    ((businesses / 880) as usize).clamp(10, STALLS_PER_MARKET)
}

/// Loads the full demo markets; returns the rapid tests stored.
pub async fn load(state: &AppState) -> Result<u64, AppError> {
    load_sized(state, STALLS_PER_MARKET).await
}

/// Loads the demo markets with `stalls_per_market` stalls each (at most 50); returns the rapid tests stored.
pub async fn load_sized(state: &AppState, stalls_per_market: usize) -> Result<u64, AppError> {
    let stalls_per_market = stalls_per_market.clamp(1, STALLS_PER_MARKET);
    let store = &state.store;
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM markets").fetch_one(store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let businesses: Vec<i64> = sqlx::query("SELECT id FROM businesses ORDER BY id LIMIT 300")
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| col(r, "id"))
        .collect::<Result<_, _>>()?;
    if businesses.is_empty() {
        return Ok(0);
    }
    let t = now();
    let today = day_start(t);
    let mut rng = Rng::new(0x01c0_de22);
    let mut markets = Vec::new();
    {
        let mut tx = store.begin_write().await?;
        for (m, (name, kind, district, address)) in MARKETS.iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO markets (name, kind, district, address, created_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING id",
            )
            .bind(*name)
            .bind(*kind)
            .bind(*district)
            .bind(*address)
            .bind(t - DAYS * 86_400)
            .fetch_one(&mut *tx)
            .await?;
            let mut stalls = Vec::new();
            for s in 0..stalls_per_market {
                let code = StallCode::from_random(|| rng.next_u64());
                let goods = (m + s) % GOODS.len();
                let business = businesses[(m * stalls_per_market + s) % businesses.len()];
                let number = format!("{}-{:02}", ["A", "B", "C", "D", "E"][s / 10], s % 10 + 1);
                insert_stall(&mut tx, id, code.as_str(), &number, business, GOODS[goods].0, t - DAYS * 86_400).await?;
                stalls.push((code, goods));
            }
            markets.push((id, stalls));
        }
        tx.commit().await?;
    }
    let mut added = 0;
    for (m, (id, stalls)) in markets.iter().enumerate() {
        for d in (0..DAYS).rev() {
            let day = today - d * 86_400;
            let mut body = BatchBody { batch_id: format!("seed-{}", format_date(day)), ..BatchBody::default() };
            for (s, (code, goods)) in stalls.iter().enumerate() {
                let (_, samples, item, method) = GOODS[*goods];
                for k in 0..2 {
                    let mut at = day + 6 * 3600 + (rng.below(180) as i64) * 60 + k * 3 * 3600;
                    if at > t {
                        at = t - rng.below(3600) as i64;
                    }
                    let fail = rng.below(100) == 0 || (m == 0 && s == 0 && d == 0 && k == 0);
                    body.rapid_tests.push(RapidTestFields {
                        test_no: format!("{}-{}-{k}", format_date(day).replace('-', ""), code),
                        stall: code.to_string(),
                        sample: rng.pick(samples).to_string(),
                        item: item.into(),
                        method: method.into(),
                        result: if fail { "不合格" } else { "合格" }.into(),
                        tested_at: format_datetime_local(at),
                        tester: rng.pick(&TESTERS).to_string(),
                    });
                }
                // A certificate per stall per day; the producer's number is shared by the stalls of the same goods
                // in every market that day, so tracing one finds the others.
                let (producer, contact, origin) = PRODUCERS[*goods];
                body.certificates.push(CertificateFields {
                    cert_no: format!("HG{}{:02}", format_date(day).replace('-', ""), goods),
                    stall: code.to_string(),
                    product: rng.pick(GOODS[*goods].1).to_string(),
                    quantity: format!("{}千克", 20 + rng.below(80)),
                    origin: origin.into(),
                    producer: producer.into(),
                    producer_contact: contact.into(),
                    issued_on: format_date(day),
                    commitments: Commitment::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";"),
                    basis: rng.pick(&BASES).to_string(),
                });
            }
            let hash = format!("seed-{id}-{day}");
            let receipt = ingest::apply(store, *id, &body, &hash, Source::Seed, t).await.map_err(|e| match e {
                ingest::Refused::Error(e) => e,
                ingest::Refused::Rows(rows) => AppError::internal(format!("demo batch refused: {rows:?}")),
            })?;
            added += receipt.tests_added;
        }
    }
    Ok(added)
}
