//! Right to reply and credit repair: a business submits text and a contact from its public page; staff approve
//! or reject; approved replies are published on the page as the business's own words.

use crate::audit::{self, Actor};
use crate::clock::now;
use crate::store::{col, Store};
use domain::credit::{CreditCode, ReplyView};
use domain::{AppError, ErrCode};

/// Pending submissions per business, so one business cannot flood the queue.
pub const MAX_PENDING_PER_BUSINESS: i64 = 3;

fn check(field: &str, v: &str, min: usize, max: usize) -> Result<String, AppError> {
    let v = v.trim();
    let n = v.chars().count();
    if n == 0 {
        Err(AppError::field(ErrCode::Required, field))
    } else if n < min {
        Err(AppError::field(ErrCode::TooShort, field))
    } else if n > max {
        Err(AppError::field(ErrCode::TooLong, field))
    } else if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        Err(AppError::field(ErrCode::InvalidValue, field))
    } else {
        Ok(v.to_owned())
    }
}

/// Files a reply or repair request. Returns its id.
pub async fn submit(store: &Store, code: &CreditCode, kind: &str, body: &str, contact: &str) -> Result<i64, AppError> {
    if kind != "reply" && kind != "repair" {
        return Err(AppError::field(ErrCode::InvalidValue, "kind"));
    }
    let body = check("body", body, 10, 2000)?;
    let contact = check("contact", contact, 5, 100)?;
    let row = sqlx::query("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(code.as_str())
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(AppError::not_found)?;
    let id: i64 = col(&row, "id")?;
    let pending: i64 = col(
        &sqlx::query("SELECT COUNT(*) AS n FROM business_replies WHERE business_id = $1 AND status = 'pending'")
            .bind(id)
            .fetch_one(store.pool())
            .await?,
        "n",
    )?;
    if pending >= MAX_PENDING_PER_BUSINESS {
        return Err(AppError::field(ErrCode::Conflict, "body"));
    }
    let row = sqlx::query(
        "INSERT INTO business_replies (business_id, kind, body, contact, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
    )
    .bind(id)
    .bind(kind)
    .bind(body)
    .bind(contact)
    .bind(now())
    .fetch_one(store.pool())
    .await?;
    col(&row, "id")
}

fn view(r: &sqlx::any::AnyRow, with_contact: bool) -> Result<ReplyView, AppError> {
    Ok(ReplyView {
        id: col(r, "id")?,
        credit_code: col(r, "credit_code")?,
        business_name: col(r, "name")?,
        kind: col(r, "kind")?,
        body: col(r, "body")?,
        contact: if with_contact { Some(col(r, "contact")?) } else { None },
        status: col(r, "status")?,
        created_at: col(r, "created_at")?,
    })
}

/// The moderation queue (staff), oldest first.
pub async fn pending(store: &Store, limit: i64) -> Result<Vec<ReplyView>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, b.credit_code, b.name, r.kind, r.body, r.contact, r.status, r.created_at \
         FROM business_replies r JOIN businesses b ON b.id = r.business_id \
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $1",
    )
    .bind(limit.clamp(1, 200))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| view(r, true)).collect()
}

/// Approved replies of one business (public; never the contact).
pub async fn published(store: &Store, code: &CreditCode) -> Result<Vec<ReplyView>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, b.credit_code, b.name, r.kind, r.body, r.contact, r.status, r.decided_at AS created_at \
         FROM business_replies r JOIN businesses b ON b.id = r.business_id \
         WHERE b.credit_code = $1 AND r.status = 'approved' AND r.kind = 'reply' ORDER BY r.decided_at DESC",
    )
    .bind(code.as_str())
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|r| view(r, false)).collect()
}

/// Approves or rejects a pending submission.
pub async fn decide(store: &Store, actor: &Actor, id: i64, approve: bool, note: &str) -> Result<(), AppError> {
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::field(ErrCode::TooLong, "note"));
    }
    let status = if approve { "approved" } else { "rejected" };
    let done = sqlx::query(
        "UPDATE business_replies SET status = $1, decided_at = $2, decided_by = $3, note = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status)
    .bind(now())
    .bind(&actor.name)
    .bind(note)
    .bind(id)
    .execute(store.pool())
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::not_found());
    }
    audit::record(store, actor, &format!("reply.{status}"), Some(&format!("reply:{id}")), None, None).await
}
