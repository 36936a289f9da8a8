//! The campaign figures on the home page.

use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::figures::CampaignFigures;
use domain::staff::AuditAction as A;
use domain::AppError;

pub async fn get(store: &Store) -> Result<Option<CampaignFigures>, AppError> {
    let row = sqlx::query(
        "SELECT businesses, pass_rate_bp, batches_sampled, cases_investigated, volunteers, updated_at \
         FROM campaign_figures WHERE id = 1",
    )
    .fetch_optional(store.pool())
    .await?;
    row.map(|r| {
        Ok(CampaignFigures {
            businesses: col(&r, "businesses")?,
            pass_rate_bp: col(&r, "pass_rate_bp")?,
            batches_sampled: col(&r, "batches_sampled")?,
            cases_investigated: col(&r, "cases_investigated")?,
            volunteers: col(&r, "volunteers")?,
            updated_at: col(&r, "updated_at")?,
        })
    })
    .transpose()
}

/// Replaces the figures (validated), recording who did it.
pub async fn update(
    store: &Store,
    actor: &Actor,
    figures: &CampaignFigures,
    ip: Option<&str>,
) -> Result<CampaignFigures, AppError> {
    figures.validate()?;
    let updated = CampaignFigures { updated_at: now(), ..figures.clone() };
    upsert(store, &updated, true).await?;
    let detail = serde_json::to_string(&updated).map_err(AppError::internal)?;
    audit::record(
        &mut *store.pool().acquire().await?,
        actor,
        Entry::new(A::FiguresUpdate).target("campaign_figures").detail(&detail).ip_opt(ip),
    )
    .await?;
    store.announce(Change::Figures);
    Ok(updated)
}

/// Writes the single figures row; with `overwrite = false` an existing row is kept (idempotent seeding).
pub(crate) async fn upsert(store: &Store, f: &CampaignFigures, overwrite: bool) -> Result<(), AppError> {
    let conflict = if overwrite {
        "ON CONFLICT (id) DO UPDATE SET businesses = excluded.businesses, pass_rate_bp = excluded.pass_rate_bp, \
         batches_sampled = excluded.batches_sampled, cases_investigated = excluded.cases_investigated, \
         volunteers = excluded.volunteers, updated_at = excluded.updated_at"
    } else {
        "ON CONFLICT (id) DO NOTHING"
    };
    sqlx::query(&format!(
        "INSERT INTO campaign_figures (id, businesses, pass_rate_bp, batches_sampled, cases_investigated, \
         volunteers, updated_at) VALUES (1, $1, $2, $3, $4, $5, $6) {conflict}"
    ))
    .bind(f.businesses)
    .bind(f.pass_rate_bp)
    .bind(f.batches_sampled)
    .bind(f.cases_investigated)
    .bind(f.volunteers)
    .bind(f.updated_at)
    .execute(store.pool())
    .await?;
    Ok(())
}
