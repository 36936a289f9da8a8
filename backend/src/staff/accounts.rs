//! Staff accounts.

use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::staff::auth::hash_password;
use crate::store::col;
use crate::AppState;
use domain::staff::AuditAction as A;
use domain::staff::{check_new_password, Role, StaffUser, Username};
use domain::AppError;

/// Creates an account. A taken username is a 409 naming `username`.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    username: &str,
    password: &str,
    role: Role,
) -> Result<StaffUser, AppError> {
    let username = Username::parse(username)?;
    check_new_password(password)?;
    let hash = hash_password(state, password.to_owned()).await?;
    let row = sqlx::query(
        "INSERT INTO staff (username, password_hash, role, active, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id",
    )
    .bind(username.as_str())
    .bind(hash)
    .bind(role.as_str())
    .bind(now())
    .fetch_one(state.store.pool())
    .await?;
    let user = StaffUser { id: col(&row, "id")?, username: username.as_str().to_owned(), role };
    let target = format!("staff:{}", user.username);
    audit::record(
        &mut *state.store.pool().acquire().await?,
        actor,
        Entry::new(A::StaffCreate).target(&target).detail(role.as_str()),
    )
    .await?;
    Ok(user)
}

/// Whether an account with this username exists.
pub async fn exists(state: &AppState, username: &str) -> Result<bool, AppError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM staff WHERE username = $1")
        .bind(username.trim().to_lowercase())
        .fetch_one(state.store.pool())
        .await?;
    Ok(col::<i64>(&row, "n")? > 0)
}

/// Sets a new password (the demo seed; an admin reset). Ends the account's sessions.
pub async fn set_password(state: &AppState, actor: &Actor, username: &str, password: &str) -> Result<(), AppError> {
    let username = Username::parse(username)?;
    check_new_password(password)?;
    let hash = hash_password(state, password.to_owned()).await?;
    let mut tx = state.store.begin_write().await?;
    let row = sqlx::query("UPDATE staff SET password_hash = $1 WHERE username = $2 RETURNING id")
        .bind(hash)
        .bind(username.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let id: i64 = col(&row, "id")?;
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1").bind(id).execute(&mut *tx).await?;
    let target = format!("staff:{}", username.as_str());
    audit::record(&mut tx, actor, Entry::new(A::StaffPasswordSet).target(&target)).await?;
    tx.commit().await?;
    Ok(())
}
