//! The append-only audit log of staff actions. The database refuses UPDATE and DELETE on it (triggers).

use crate::clock::now;
use crate::store::{col, Store};
pub use domain::staff::AuditEntry;
use domain::staff::StaffUser;
use domain::AppError;

/// Who did something.
#[derive(Clone, Debug)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn staff(user: &StaffUser) -> Actor {
        Actor { id: Some(user.id), name: user.username.clone() }
    }
    pub fn anonymous() -> Actor {
        Actor { id: None, name: "anonymous".into() }
    }
    /// An operator at the command line.
    pub fn cli() -> Actor {
        Actor { id: None, name: "cli".into() }
    }
}


/// Appends one entry on the caller's connection or transaction, so an action and its audit entry commit
/// together (`&mut *store.pool().acquire().await?` when there is nothing else to commit).
pub async fn record(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(actor.id)
    .bind(&actor.name)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(ip)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The newest entries first, at most `limit` (capped at 200), older than `before_id` when given.
pub async fn recent(store: &Store, limit: i64, before_id: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, target, detail, ip FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(limit.clamp(1, 200))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: col(r, "id")?,
                at: col(r, "at")?,
                actor: col(r, "actor")?,
                action: col(r, "action")?,
                target: col(r, "target")?,
                detail: col(r, "detail")?,
                ip: col(r, "ip")?,
            })
        })
        .collect()
}
