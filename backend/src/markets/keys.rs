//! The keys market systems sign their batches with. Staff issue one per market system (the secret is shown once),
//! and revoke it; both audited. Checking an HMAC needs the secret, so it is kept sealed (AEAD under a key derived
//! from `PORTAL_SECRET_KEY`, bound to its key id), never hashed; the key id travels in clear.
//!
//! A batch is signed as the outbox signs webhooks: `X-Market-Key: <key id>` and
//! `X-Market-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`. A `t` more than
//! five minutes from our clock is refused, so a captured batch cannot be replayed later; within the five minutes
//! a replay carries the same `batch_id`, which is answered from the stored receipt and changes nothing.

use crate::clock::now;
use crate::sealed;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Store};
use crate::AppState;
use domain::markets::{IssuedKey, MarketKeyView};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use rand::RngCore;
use sqlx::AnyConnection;

/// The header naming the key.
pub const KEY_HEADER: &str = "x-market-key";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-market-signature";
/// How far a signature's time may be from ours.
pub const MAX_SKEW_SECS: i64 = sealed::SIGNATURE_MAX_SKEW_SECS;

const PURPOSE: &str = "market-key";

fn place(key_id: &str) -> String {
    format!("market-keys/{key_id}")
}

fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Issues a new key for a market; the answer is the only time its secret is shown.
pub async fn issue(state: &AppState, actor: &Actor, market_id: i64) -> Result<IssuedKey, AppError> {
    let key = IssuedKey { key_id: format!("mk_{}", random_hex(8)), secret: random_hex(32) };
    let sealed = sealed::seal(state.config.secret_key.expose(), PURPOSE, &place(&key.key_id), key.secret.as_bytes())?;
    let mut tx = state.store.begin_write().await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM markets WHERE id = $1").bind(market_id).fetch_optional(&mut *tx).await?;
    exists.ok_or_else(AppError::not_found)?;
    sqlx::query(
        "INSERT INTO market_keys (market_id, key_id, secret_sealed, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(market_id)
    .bind(&key.key_id)
    .bind(sealed)
    .bind(now())
    .bind(&actor.name)
    .execute(&mut *tx)
    .await?;
    let target = format!("market:{market_id}");
    audit::record(&mut tx, actor, Entry::new(A::MarketKeyIssued).target(&target).detail(&key.key_id)).await?;
    tx.commit().await?;
    Ok(key)
}

/// Revokes a key of a market (404 when the market has no such key; revoking twice changes nothing).
pub async fn revoke(store: &Store, actor: &Actor, market_id: i64, key_id: &str) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE market_keys SET revoked_at = $1, revoked_by = $2 WHERE market_id = $3 AND key_id = $4 \
         AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(&actor.name)
    .bind(market_id)
    .bind(key_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM market_keys WHERE market_id = $1 AND key_id = $2")
            .bind(market_id)
            .bind(key_id)
            .fetch_optional(&mut *tx)
            .await?;
        known.ok_or_else(|| AppError::field(ErrCode::NotFound, "key_id"))?;
        return Ok(());
    }
    let target = format!("market:{market_id}");
    audit::record(&mut tx, actor, Entry::new(A::MarketKeyRevoked).target(&target).detail(key_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// A market's keys, newest first (never their secrets).
pub(crate) async fn list_in(conn: &mut AnyConnection, market_id: i64) -> Result<Vec<MarketKeyView>, AppError> {
    sqlx::query(
        "SELECT key_id, issued_at, issued_by, revoked_at FROM market_keys WHERE market_id = $1 ORDER BY id DESC",
    )
    .bind(market_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(MarketKeyView {
            key_id: col(r, "key_id")?,
            issued_at: col(r, "issued_at")?,
            issued_by: col(r, "issued_by")?,
            revoked_at: col(r, "revoked_at")?,
        })
    })
    .collect()
}

/// The signature of `body` at `t` under `secret`, as a market system computes it.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    sealed::batch_signature(secret.as_bytes(), t, body)
}

fn unsigned(field: &str) -> AppError {
    AppError::field(ErrCode::Unauthorized, field)
}

/// Checks a batch's key and signature for `market_id` at `t`: no key, an unknown or revoked key, a missing,
/// malformed, stale or wrong signature are 401 naming the header; another market's key is 403.
pub async fn verify(
    state: &AppState,
    market_id: i64,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    t: i64,
) -> Result<(), AppError> {
    let key_id = key_id.map(str::trim).filter(|k| !k.is_empty()).ok_or_else(|| unsigned(KEY_HEADER))?;
    let signature = signature.ok_or_else(|| unsigned(SIGNATURE_HEADER))?;
    let row = sqlx::query("SELECT market_id, secret_sealed FROM market_keys WHERE key_id = $1 AND revoked_at IS NULL")
        .bind(key_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| unsigned(KEY_HEADER))?;
    if col::<i64>(&row, "market_id")? != market_id {
        return Err(AppError::field(ErrCode::Forbidden, KEY_HEADER));
    }
    let sealed: Vec<u8> = col(&row, "secret_sealed")?;
    let secret = sealed::open(state.config.secret_key.expose(), PURPOSE, &place(key_id), &sealed)?;
    if sealed::verify_batch_signature(&secret, signature, body, t) {
        Ok(())
    } else {
        Err(unsigned(SIGNATURE_HEADER))
    }
}

/// For a browser: the issued key kept sealed for ten minutes under a random id (the page shows it once, by that
/// id, and deletes it), so the secret never travels in a URL. (The cases' sealed drafts table serves this.)
pub async fn keep_shown(state: &AppState, key: &IssuedKey) -> Result<String, AppError> {
    crate::cases::drafts::save_for(state, PURPOSE, key, 600).await
}

/// The issued key kept by [`keep_shown`], read once.
pub async fn take_shown(state: &AppState, id: &str) -> Result<Option<IssuedKey>, AppError> {
    crate::cases::drafts::take(state, PURPOSE, id).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn signatures_cover_the_time_and_the_body() {
        let a = super::sign("s", 10, b"{}");
        assert!(a.starts_with("t=10,v1="));
        assert_ne!(a, super::sign("s", 11, b"{}"));
        assert_ne!(a, super::sign("s", 10, b"{ }"));
        assert_ne!(a, super::sign("t", 10, b"{}"));
    }
}
