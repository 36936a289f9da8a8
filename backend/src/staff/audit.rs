//! The append-only audit log of staff actions. The database refuses UPDATE and DELETE on it (triggers).

use crate::clock::now;
use crate::store::{col, Store};
use domain::staff::StaffUser;
pub use domain::staff::{AuditAction, AuditEntry};
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

/// One entry to append: what was done (typed), to what, with which detail, from which address.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub action: AuditAction,
    pub target: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub ip: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(action: AuditAction) -> Entry<'a> {
        Entry { action, target: None, detail: None, ip: None }
    }
    /// What it was done to, e.g. `case:JB-20261207-123456`.
    pub fn target(self, target: &'a str) -> Entry<'a> {
        Entry { target: Some(target), ..self }
    }
    pub fn target_opt(self, target: Option<&'a str>) -> Entry<'a> {
        Entry { target, ..self }
    }
    pub fn detail(self, detail: &'a str) -> Entry<'a> {
        Entry { detail: Some(detail), ..self }
    }
    pub fn detail_opt(self, detail: Option<&'a str>) -> Entry<'a> {
        Entry { detail, ..self }
    }
    /// The address it came from, when an HTTP request did it.
    pub fn ip_opt(self, ip: Option<&'a str>) -> Entry<'a> {
        Entry { ip, ..self }
    }
}

/// Appends one entry on the caller's connection or transaction, so an action and its audit entry commit
/// together (`&mut *store.pool().acquire().await?` when there is nothing else to commit).
pub async fn record(conn: &mut sqlx::AnyConnection, actor: &Actor, entry: Entry<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now())
    .bind(actor.id)
    .bind(&actor.name)
    .bind(entry.action.as_str())
    .bind(entry.target)
    .bind(entry.detail)
    .bind(entry.ip)
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
