//! Short-lived sealed drafts in the database (so any instance can answer the next request): the fields of a
//! case form that failed, to fill it in again without JavaScript, and a receipt waiting to be shown. Sealed,
//! because they hold a reporter's contact or an access code; keyed by a random id that is all the URL carries.

use crate::clock::now;
use crate::sealed;
use crate::store::{col, Store};
use crate::AppState;
use domain::AppError;
use rand::RngCore;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How long a draft or a receipt is kept.
pub const TTL_SECS: i64 = 15 * 60;

/// 128 random bits in hex: draft ids and the report form's idempotency keys.
pub fn random_id() -> String {
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Keeps `value` for a quarter of an hour; returns its id.
pub async fn save<T: Serialize>(state: &AppState, purpose: &str, value: &T) -> Result<String, AppError> {
    save_for(state, purpose, value, TTL_SECS).await
}

/// Keeps `value` for `ttl` seconds; returns its id.
pub async fn save_for<T: Serialize>(state: &AppState, purpose: &str, value: &T, ttl: i64) -> Result<String, AppError> {
    let id = random_id();
    let json = serde_json::to_vec(value).map_err(AppError::internal)?;
    let sealed = sealed::seal(state.config.secret_key.expose(), purpose, &place(&id), &json)?;
    sqlx::query("INSERT INTO case_drafts (id, sealed, expires_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(sealed)
        .bind(now() + ttl)
        .execute(state.store.pool())
        .await?;
    Ok(id)
}

/// The most a kept form may take, sealed: every field at its limit fits (the description's 5,000 characters are
/// at most 15 KB); a post stuffed with more is not kept.
pub const MAX_DRAFT_BYTES: usize = 32 * 1024;

/// Keeps a failed public report's fields for the page to fill in again, within the network's draft bound and
/// the size limit; `None` when it is not kept (the form then starts empty, with the message).
pub async fn save_typed(state: &AppState, network: &str, f: &domain::cases::CaseFields) -> Result<String, AppError> {
    let json = serde_json::to_vec(f).map_err(AppError::internal)?;
    if json.len() > MAX_DRAFT_BYTES {
        return Err(AppError::new(domain::ErrCode::PayloadTooLarge));
    }
    crate::abuse::spend_bound(&state.store, "drafts", Some(network), state.config.network_bounds.drafts).await?;
    save(state, "report-draft", f).await
}

/// Shows a kept value once: read and removed in one statement, so a receipt's access code cannot be read again
/// from its link (a shared screen, the browser history, a proxy's log).
pub async fn take<T: DeserializeOwned>(state: &AppState, purpose: &str, id: &str) -> Result<Option<T>, AppError> {
    read(state, purpose, id, "DELETE FROM case_drafts WHERE id = $1 AND expires_at > $2 RETURNING sealed").await
}

/// The value kept under `id` for `purpose`, while it lasts.
pub async fn load<T: DeserializeOwned>(state: &AppState, purpose: &str, id: &str) -> Result<Option<T>, AppError> {
    read(state, purpose, id, "SELECT sealed FROM case_drafts WHERE id = $1 AND expires_at > $2").await
}

/// Reads (or takes) the sealed value under `id` with `sql` and opens it for `purpose`.
async fn read<T: DeserializeOwned>(
    state: &AppState,
    purpose: &str,
    id: &str,
    sql: &str,
) -> Result<Option<T>, AppError> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row = sqlx::query(sql).bind(id).bind(now()).fetch_optional(state.store.pool()).await?;
    let Some(row) = row else { return Ok(None) };
    // A draft sealed for another purpose or another id does not open: ids cannot be swapped between forms.
    let Ok(plain) =
        sealed::open(state.config.secret_key.expose(), purpose, &place(id), &col::<Vec<u8>>(&row, "sealed")?)
    else {
        return Ok(None);
    };
    Ok(serde_json::from_slice(&plain).ok())
}

/// A draft opens only under its own id.
fn place(id: &str) -> String {
    format!("case_drafts/{id}")
}

/// Drafts sealed before values were bound to their row are dropped (they live a quarter of an hour anyway).
pub async fn drop_legacy(store: &Store) -> Result<u64, AppError> {
    let rows = sqlx::query("SELECT id, sealed FROM case_drafts").fetch_all(store.pool()).await?;
    let mut n = 0;
    for row in &rows {
        if !sealed::is_bound(&col::<Vec<u8>>(row, "sealed")?) {
            sqlx::query("DELETE FROM case_drafts WHERE id = $1")
                .bind(col::<String>(row, "id")?)
                .execute(store.pool())
                .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Removes expired drafts (the periodic sweep).
pub async fn sweep(store: &Store) -> Result<u64, AppError> {
    Ok(sqlx::query("DELETE FROM case_drafts WHERE expires_at <= $1")
        .bind(now())
        .execute(store.pool())
        .await?
        .rows_affected())
}
