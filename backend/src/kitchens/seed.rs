//! The demo's 阳光餐饮: two vendors and `(businesses / 110).clamp(20, 400)` catering kitchens (400 for the
//! 44,000-business demo), 30 days of uptime (most 95–100 %, a few poor), about 2 % of cameras offline, about half
//! consenting to a live view (at an obviously fake address), and flags: mostly reviewed (属实 with the action
//! taken, some with a credit event; some 不属实), a few pending. Status and flags go through [`ingest::apply`] (one
//! batch per vendor per day), reviews through [`super::confirm`] and [`super::dismiss`]. Skipped when any vendor
//! exists (idempotent).

use super::ingest::{self, Source};
use crate::clock::now;
use crate::seed::rng::Rng;
use crate::staff::audit::Actor;
use crate::store::col;
use crate::AppState;
use domain::clock::{format_date, format_datetime_local};
use domain::kitchens::{china_day, Confirmation, FlagFields, FlagKind, KitchenBatch, StatusFields, UPTIME_DAYS};
use domain::AppError;

pub const VENDORS: [&str; 2] = ["明厨亮灶云平台（演示）", "阳光厨房智慧监管平台（演示）"];
const ACTIONS: [&str; 4] = [
    "已责令整改，复查合格",
    "已约谈负责人，从业人员培训后复查合格",
    "已责令限期整改，复查合格",
    "已开展消杀并加装防鼠设施，复查合格",
];

/// How many demo kitchens a registry of `businesses` gets.
pub fn kitchens_for(businesses: u64) -> u64 {
    (businesses / 110).clamp(20, 400)
}

fn refused(e: ingest::Refused) -> AppError {
    match e {
        ingest::Refused::Error(e) => e,
        ingest::Refused::Rows(rows) => AppError::internal(format!("demo kitchen batch refused: {rows:?}")),
    }
}

/// Loads the demo kitchens; returns how many joined.
pub async fn load(state: &AppState, businesses: u64) -> Result<u64, AppError> {
    let store = &state.store;
    let any: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kitchen_vendors").fetch_one(store.pool()).await?;
    if any > 0 {
        return Ok(0);
    }
    let want = kitchens_for(businesses) as i64;
    // Catering businesses first, others when the registry has too few.
    let codes: Vec<String> = sqlx::query(
        "SELECT credit_code FROM businesses ORDER BY CASE WHEN category = '餐饮' THEN 0 ELSE 1 END, id LIMIT $1",
    )
    .bind(want)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| col(r, "credit_code"))
    .collect::<Result<_, _>>()?;
    if codes.is_empty() {
        return Ok(0);
    }
    let actor = Actor::cli();
    let mut vendors = Vec::new();
    for name in VENDORS {
        vendors.push(super::create_vendor(store, &actor, name).await?);
    }
    let t = now();
    let today = china_day(t);
    let mut rng = Rng::new(0x5a11_c0de);
    // Per kitchen: its vendor, a quality (poor uptime for ~5 %), offline (~2 %), consent (~half).
    let plans: Vec<(usize, bool, bool, bool)> = (0..codes.len())
        .map(|i| (i % vendors.len(), rng.below(20) == 0, rng.below(50) == 0, rng.below(2) == 0))
        .collect();
    let mut joined = 0;
    for (v, &vendor) in vendors.iter().enumerate() {
        for d in (0..UPTIME_DAYS).rev() {
            let day = today - d * 86_400;
            let mut batch = KitchenBatch { batch_id: format!("seed-{}", format_date(day)), ..KitchenBatch::default() };
            for (i, code) in codes.iter().enumerate() {
                let (kv, poor, offline, consent) = plans[i];
                if kv != v {
                    continue;
                }
                let permille = if offline && d < 3 {
                    0
                } else if poor {
                    600 + rng.below(300) as i64
                } else {
                    950 + rng.below(51) as i64
                };
                batch.status.push(StatusFields {
                    credit_code: code.clone(),
                    day: format_date(day),
                    uptime: format!("{}.{}", permille / 10, permille % 10),
                    camera_connected: if offline { "0" } else { "1" }.into(),
                    live_url: if consent {
                        format!("https://live.example.invalid/{}/{code}", v + 1)
                    } else {
                        String::new()
                    },
                    live_consent: if consent { "1" } else { "0" }.into(),
                });
                // About one kitchen in six had a flag some day of the month.
                if rng.below(180) == 0 {
                    let mut at = day + 9 * 3600 + rng.below(12 * 60) as i64 * 60;
                    if at > t {
                        at = t - 3600;
                    }
                    batch.flags.push(FlagFields {
                        event_id: format!("AI-{}-{}-{i}", v + 1, format_date(day).replace('-', "")),
                        credit_code: code.clone(),
                        kind: rng.pick(FlagKind::ALL).as_str().into(),
                        detected_at: format_datetime_local(at),
                        snapshot_url: format!("https://live.example.invalid/{}/snapshots/{i}-{d}.jpg", v + 1),
                    });
                }
            }
            if batch.status.is_empty() {
                continue;
            }
            let hash = format!("seed-kitchens-{vendor}-{day}");
            let r = ingest::apply(store, vendor, &batch, &hash, Source::Seed, t).await.map_err(refused)?;
            joined += r.kitchens_joined;
        }
    }
    // Reviews: the newest few stay pending; of the others ~85 % are confirmed (a third of those with a credit
    // event), the rest dismissed.
    let flags: Vec<(i64, String)> =
        sqlx::query("SELECT id, kind FROM kitchen_flags ORDER BY detected_at DESC, id DESC")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| Ok((col(r, "id")?, col(r, "kind")?)))
            .collect::<Result<_, AppError>>()?;
    let pending = (flags.len() / 10).max(3).min(flags.len());
    for (n, (id, kind)) in flags.iter().enumerate().skip(pending) {
        if rng.below(100) < 85 {
            let action = if kind == FlagKind::Rodent.as_str() { ACTIONS[3] } else { *rng.pick(&ACTIONS[..3]) };
            let c = Confirmation { action_taken: action.into(), credit_event: n % 3 == 0 };
            super::confirm(store, &actor, *id, &c).await?;
        } else {
            super::dismiss(store, &actor, *id).await?;
        }
    }
    Ok(joined)
}
