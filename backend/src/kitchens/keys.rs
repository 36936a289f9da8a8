//! The keys vendors sign their batches with: issued by admins per vendor (the secret shown once), audited. As
//! with market keys, checking an HMAC needs the secret, so it is kept sealed (AEAD under a key derived from
//! `PORTAL_SECRET_KEY`, bound to its key id), never stored in clear; the key id travels in clear.
//!
//! A batch is signed as market batches are: `X-Kitchen-Key: <key id>` and
//! `X-Kitchen-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`. A `t` more than
//! five minutes from our clock is refused, so a captured batch cannot be replayed later; within the five minutes
//! a replay carries the same `batch_id`, answered from the stored receipt without writing anything.

use crate::clock::now;
use crate::sealed;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::col;
use crate::AppState;
use domain::kitchens::{VendorKey, VendorKeyView};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use rand::RngCore;
use sqlx::AnyConnection;

/// The header naming the key.
pub const KEY_HEADER: &str = "x-kitchen-key";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-kitchen-signature";
/// How far a signature's time may be from ours.
pub const MAX_SKEW_SECS: i64 = sealed::SIGNATURE_MAX_SKEW_SECS;

const PURPOSE: &str = "kitchen-key";

fn place(key_id: &str) -> String {
    format!("kitchen-keys/{key_id}")
}

fn random_hex(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Issues a new key for a vendor; the answer is the only time its secret is shown.
pub async fn issue(state: &AppState, actor: &Actor, vendor_id: i64) -> Result<VendorKey, AppError> {
    let key = VendorKey { key_id: format!("kk_{}", random_hex(8)), secret: random_hex(32) };
    let sealed = sealed::seal(state.config.secret_key.expose(), PURPOSE, &place(&key.key_id), key.secret.as_bytes())?;
    let mut tx = state.store.begin_write().await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM kitchen_vendors WHERE id = $1")
        .bind(vendor_id)
        .fetch_optional(&mut *tx)
        .await?;
    exists.ok_or_else(AppError::not_found)?;
    sqlx::query(
        "INSERT INTO kitchen_keys (vendor_id, key_id, secret_sealed, issued_at, issued_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(vendor_id)
    .bind(&key.key_id)
    .bind(sealed)
    .bind(now())
    .bind(&actor.name)
    .execute(&mut *tx)
    .await?;
    let target = format!("kitchen_vendor:{vendor_id}");
    audit::record(&mut tx, actor, Entry::new(A::KitchenKeyIssued).target(&target).detail(&key.key_id)).await?;
    tx.commit().await?;
    Ok(key)
}

/// A vendor's keys, newest first (never their secrets).
pub(crate) async fn list_in(conn: &mut AnyConnection, vendor_id: i64) -> Result<Vec<VendorKeyView>, AppError> {
    sqlx::query(
        "SELECT key_id, issued_at, issued_by, revoked_at FROM kitchen_keys WHERE vendor_id = $1 ORDER BY id DESC",
    )
    .bind(vendor_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(VendorKeyView {
            key_id: col(r, "key_id")?,
            issued_at: col(r, "issued_at")?,
            issued_by: col(r, "issued_by")?,
            revoked_at: col(r, "revoked_at")?,
        })
    })
    .collect()
}

/// The signature of `body` at `t` under `secret`, as a vendor computes it.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    sealed::batch_signature(secret.as_bytes(), t, body)
}

fn unsigned(field: &str) -> AppError {
    AppError::field(ErrCode::Unauthorized, field)
}

/// Checks a batch's key and signature at `t` and answers the vendor it belongs to: no key, an unknown or
/// revoked key, a missing, malformed, stale or wrong signature are 401 naming the header.
pub async fn verify(
    state: &AppState,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    t: i64,
) -> Result<i64, AppError> {
    let key_id = key_id.map(str::trim).filter(|k| !k.is_empty()).ok_or_else(|| unsigned(KEY_HEADER))?;
    let signature = signature.ok_or_else(|| unsigned(SIGNATURE_HEADER))?;
    let row = sqlx::query("SELECT vendor_id, secret_sealed FROM kitchen_keys WHERE key_id = $1 AND revoked_at IS NULL")
        .bind(key_id)
        .fetch_optional(state.store.pool())
        .await?
        .ok_or_else(|| unsigned(KEY_HEADER))?;
    let vendor: i64 = col(&row, "vendor_id")?;
    let sealed: Vec<u8> = col(&row, "secret_sealed")?;
    let secret = sealed::open(state.config.secret_key.expose(), PURPOSE, &place(key_id), &sealed)?;
    if sealed::verify_batch_signature(&secret, signature, body, t) {
        Ok(vendor)
    } else {
        Err(unsigned(SIGNATURE_HEADER))
    }
}

/// For a browser: the issued key kept sealed for ten minutes under a random id (the page shows it once).
pub async fn keep_shown(state: &AppState, key: &VendorKey) -> Result<String, AppError> {
    crate::cases::drafts::save_for(state, PURPOSE, key, 600).await
}

/// The issued key kept by [`keep_shown`], read once.
pub async fn take_shown(state: &AppState, id: &str) -> Result<Option<VendorKey>, AppError> {
    crate::cases::drafts::take(state, PURPOSE, id).await
}
