//! Partner apps and their API keys: issued by admins (the key shown once, only a keyed hash stored), revoked,
//! listed; and the key of a request looked up. Every issue and revocation is audited in its own transaction.

use crate::clock::now;
use crate::config::Bound;
use crate::sealed::keyed_hash;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Store};
use crate::AppState;
use domain::open311::{IssuedKey, PartnerInput, PartnerView};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use rand::RngCore;

/// A partner whose key a request carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    /// Its own quota, or the configured default.
    pub quota: Bound,
}

/// `o311_` and 192 random bits in hex: a secret as strong as a session token, recognisable in a leak scan.
fn new_key() -> String {
    let mut raw = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    format!("o311_{}", hex::encode(raw))
}

/// The stored form of a key.
fn key_hash(secret: &[u8], key: &str) -> String {
    keyed_hash(secret, "open311-key", key.trim())
}

/// Issues a key for a new partner: answers the key, which is never stored or shown again.
pub async fn issue(state: &AppState, actor: &Actor, p: &PartnerInput) -> Result<IssuedKey, AppError> {
    let key = new_key();
    let hash = key_hash(state.config.secret_key.expose(), &key);
    let mut tx = state.store.begin_write().await?;
    // A quota left empty stays NULL in the statement (a typeless NULL bound through the Any driver fails on
    // PostgreSQL); a given one is a plain integer.
    let quota = |v: Option<i64>| v.map_or_else(|| "NULL".to_owned(), |n| n.to_string());
    let sql = format!(
        "INSERT INTO partners (name, key_hash, per_min, per_day, created_at, created_by) \
         VALUES ($1, $2, {}, {}, $3, $4) RETURNING id",
        quota(p.per_min),
        quota(p.per_day)
    );
    let id: i64 = sqlx::query_scalar(&sql)
        .bind(&p.name)
        .bind(&hash)
        .bind(now())
        .bind(&actor.name)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match AppError::from(e) {
            // The name is the partner's identity: a second key for it is a revocation and a new name.
            e if e.code == ErrCode::Conflict => AppError::field(ErrCode::Conflict, "name"),
            e => e,
        })?;
    audit::record(&mut tx, actor, Entry::new(A::PartnerKeyIssued).target(&format!("partner:{id}")).detail(&p.name))
        .await?;
    tx.commit().await?;
    Ok(IssuedKey { partner_id: id, name: p.name.clone(), api_key: key })
}

/// Revokes a partner's key at once (its cases stay, named after it). Revoking twice changes nothing.
pub async fn revoke(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let mut tx = state.store.begin_write().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM partners WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
    if exists.is_none() {
        return Err(AppError::not_found());
    }
    let done = sqlx::query("UPDATE partners SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
        .bind(now())
        .bind(&actor.name)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if done > 0 {
        audit::record(&mut tx, actor, Entry::new(A::PartnerKeyRevoked).target(&format!("partner:{id}"))).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every partner, newest first, with the cases each filed.
pub async fn list(store: &Store) -> Result<Vec<PartnerView>, AppError> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.per_min, p.per_day, p.created_at, p.created_by, p.revoked_at, \
         (SELECT COUNT(*) FROM cases c WHERE c.partner_id = p.id) AS cases FROM partners p ORDER BY p.id DESC",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PartnerView {
                id: col(r, "id")?,
                name: col(r, "name")?,
                per_min: col(r, "per_min")?,
                per_day: col(r, "per_day")?,
                created_at: col(r, "created_at")?,
                created_by: col(r, "created_by")?,
                revoked_at: col(r, "revoked_at")?,
                cases: col(r, "cases")?,
            })
        })
        .collect()
}

/// The partner of a key: 400 `api_key` missing when none was sent, 403 when it is unknown or revoked (which
/// of the two is not said).
pub async fn authenticate(state: &AppState, key: &str) -> Result<Partner, AppError> {
    let key = key.trim();
    if key.is_empty() {
        return Err(AppError::field(ErrCode::Required, "api_key"));
    }
    if key.len() > 128 {
        return Err(AppError::field(ErrCode::Forbidden, "api_key"));
    }
    let row = sqlx::query("SELECT id, name, per_min, per_day FROM partners WHERE key_hash = $1 AND revoked_at IS NULL")
        .bind(key_hash(state.config.secret_key.expose(), key))
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| AppError::field(ErrCode::Forbidden, "api_key"))?;
    let default = state.config.network_bounds.open311;
    let (per_min, per_day): (Option<i64>, Option<i64>) = (col(&row, "per_min")?, col(&row, "per_day")?);
    Ok(Partner {
        id: col(&row, "id")?,
        name: col(&row, "name")?,
        quota: Bound::new(per_min.unwrap_or(default.per_min), per_day.unwrap_or(default.per_day)),
    })
}
