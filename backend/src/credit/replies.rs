//! Right to reply and credit repair: a business submits text and a contact from its public page; staff approve
//! or reject; approved replies are published on the page as the business's own words. Caps are checked and
//! applied in one atomic step, so parallel submissions cannot slip past them.

use crate::clock::now;
use crate::sealed;
use crate::sealed::keyed_hash;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::credit::{CreditCode, ReplyInput, ReplyKind, ReplyOrigin, ReplyStatus, ReplyView};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::AnyConnection;

/// Pending submissions per business, so one business cannot flood the queue.
pub const MAX_PENDING_PER_BUSINESS: i64 = 3;
/// Pending submissions per contact, across businesses: one impersonator cannot freeze many businesses.
pub const MAX_PENDING_PER_CONTACT: i64 = 3;
const INSERT: &str = "INSERT INTO business_replies (business_id, kind, body, contact, contact_hash, contact_sealed, status, \
     created_at, ip_prefix) SELECT b.id, $2, $3, '', $4, $9, 'pending', $5, $6 FROM businesses b WHERE b.credit_code = $1 \
     AND (SELECT COUNT(*) FROM business_replies r WHERE r.business_id = b.id AND r.status = 'pending') < $7 \
     AND (SELECT COUNT(*) FROM business_replies r WHERE r.contact_hash = $4 AND r.status = 'pending') < $8 \
     RETURNING id";

/// Files a reply or repair request from `ip_prefix`. Returns its id. Refusals: the network's bound for the
/// minute or the day (`PORTAL_BOUND_REPLIES`, shared by every instance) 429; unknown business 404; the
/// business's queue full 409 naming `body`; the contact's 409 naming `contact`.
pub async fn submit(
    state: &AppState,
    code: &CreditCode,
    r: &ReplyInput,
    ip_prefix: Option<&str>,
) -> Result<i64, AppError> {
    let store = &state.store;
    crate::abuse::spend_bound(store, "replies", ip_prefix, state.config.network_bounds.replies).await?;
    let t = now();
    let secret = state.config.secret_key.expose();
    let hash = contact_hash(secret, &r.contact);
    let contact = Contact {
        sealed: sealed::seal(secret, "reply-contact", &place(code.as_str(), &hash), r.contact.as_bytes())?,
        hash,
    };
    let mut conn = store.pool().acquire().await?;
    // Submissions for the same business and the same contact are serialised (the business's row and the
    // contact's key locked on PostgreSQL; SQLite's write transaction excludes every other writer), then counted
    // and inserted in one statement that sees every committed row.
    let dialect = store.dialect();
    let mut tx = sqlx::Connection::begin_with(&mut *conn, dialect.begin_write()).await?;
    sqlx::query(&format!("SELECT id FROM businesses WHERE credit_code = $1{}", dialect.lock_rows()))
        .bind(code.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    dialect.lock_key(&mut tx, &contact.hash).await?;
    let inserted = insert(&mut tx, code, r, &contact, ip_prefix, t).await?;
    tx.commit().await?;
    if let Some(id) = inserted {
        return Ok(id);
    }
    // Refused: say why.
    let exists = sqlx::query("SELECT id FROM businesses WHERE credit_code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = exists else { return Err(AppError::not_found()) };
    let id: i64 = col(&row, "id")?;
    let pending = |sql: &'static str| sqlx::query(sql);
    let per_business =
        pending("SELECT COUNT(*) AS n FROM business_replies WHERE business_id = $1 AND status = 'pending'")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    if col::<i64>(&per_business, "n")? >= MAX_PENDING_PER_BUSINESS {
        return Err(AppError::field(ErrCode::Conflict, "body"));
    }
    let per_contact =
        pending("SELECT COUNT(*) AS n FROM business_replies WHERE contact_hash = $1 AND status = 'pending'")
            .bind(&contact.hash)
            .fetch_one(&mut *conn)
            .await?;
    if col::<i64>(&per_contact, "n")? >= MAX_PENDING_PER_CONTACT {
        return Err(AppError::field(ErrCode::Conflict, "contact"));
    }
    // The caps moved between the insert and these counts (another submission was decided meanwhile).
    Err(AppError::field(ErrCode::Conflict, "body"))
}

async fn insert(
    conn: &mut AnyConnection,
    code: &CreditCode,
    r: &ReplyInput,
    contact: &Contact,
    ip_prefix: Option<&str>,
    t: i64,
) -> Result<Option<i64>, AppError> {
    // Without a known network the per-prefix cap cannot apply (the CLI, tests): an impossible prefix counts 0.
    let prefix = ip_prefix.unwrap_or("-");
    let row = sqlx::query(INSERT)
        .bind(code.as_str())
        .bind(r.kind.as_str())
        .bind(&r.body)
        .bind(&contact.hash)
        .bind(t)
        .bind(prefix)
        .bind(MAX_PENDING_PER_BUSINESS)
        .bind(MAX_PENDING_PER_CONTACT)
        .bind(contact.sealed.clone())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| col(&r, "id")).transpose()
}

/// A contact as stored: a keyed hash (for the caps) and the sealed text (for moderators).
struct Contact {
    hash: String,
    sealed: Vec<u8>,
}

/// Contacts are compared without case or surrounding space.
fn contact_hash(secret: &[u8], contact: &str) -> String {
    keyed_hash(secret, "reply-contact", &contact.trim().to_lowercase())
}

/// A reply's sealed contact opens only for its business and its contact.
fn place(credit_code: &str, contact_hash: &str) -> String {
    format!("business_replies/{credit_code}/{contact_hash}")
}

/// Seals the contacts of replies stored before they were sealed, and re-seals those sealed before sealed values
/// were bound to their row (run at start; a no-op once done).
pub async fn seal_legacy_contacts(state: &AppState) -> Result<u64, AppError> {
    let secret = state.config.secret_key.expose();
    let rows = sqlx::query(
        "SELECT r.id, r.contact, r.contact_hash, r.contact_sealed, b.credit_code FROM business_replies r \
         JOIN businesses b ON b.id = r.business_id",
    )
    .fetch_all(state.store.pool())
    .await?;
    let mut n = 0;
    for row in &rows {
        let id: i64 = col(row, "id")?;
        let code: String = col(row, "credit_code")?;
        let stored: Option<Vec<u8>> = col(row, "contact_sealed")?;
        let (hash, sealed) = match stored {
            None => {
                let contact: String = col(row, "contact")?;
                let hash = contact_hash(secret, &contact);
                let s = sealed::seal(secret, "reply-contact", &place(&code, &hash), contact.as_bytes())?;
                (hash, s)
            }
            Some(s) => {
                let hash: String = col(row, "contact_hash")?;
                match sealed::reseal(secret, "reply-contact", &place(&code, &hash), &s)? {
                    Some(s) => (hash, s),
                    None => continue,
                }
            }
        };
        sqlx::query("UPDATE business_replies SET contact = '', contact_hash = $1, contact_sealed = $2 WHERE id = $3")
            .bind(hash)
            .bind(sealed)
            .bind(id)
            .execute(state.store.pool())
            .await?;
        n += 1;
    }
    Ok(n)
}

fn view(r: &sqlx::any::AnyRow, staff: Option<&[u8]>) -> Result<ReplyView, AppError> {
    let kind: String = col(r, "kind")?;
    let status: String = col(r, "status")?;
    Ok(ReplyView {
        id: col(r, "id")?,
        credit_code: col(r, "credit_code")?,
        business_name: col(r, "name")?,
        kind: ReplyKind::parse(&kind).ok_or_else(|| AppError::internal(format!("bad reply kind {kind}")))?,
        body: col(r, "body")?,
        contact: match staff {
            Some(secret) => {
                let sealed_contact: Option<Vec<u8>> = col(r, "contact_sealed")?;
                Some(match sealed_contact {
                    Some(s) => {
                        let place = place(&col::<String>(r, "credit_code")?, &col::<String>(r, "contact_hash")?);
                        String::from_utf8(sealed::open(secret, "reply-contact", &place, &s)?)
                            .map_err(AppError::internal)?
                    }
                    None => col(r, "contact")?,
                })
            }
            None => None,
        },
        status: ReplyStatus::parse(&status).ok_or_else(|| AppError::internal(format!("bad status {status}")))?,
        created_at: col(r, "created_at")?,
        origin: if staff.is_some() {
            Some(ReplyOrigin {
                ip_prefix: col::<Option<String>>(r, "ip_prefix")?.filter(|p| p != "-"),
                contact_submissions: col(r, "contact_submissions")?,
                contact_businesses: col(r, "contact_businesses")?,
            })
        } else {
            None
        },
    })
}

/// The moderation queue (staff), oldest first, with where each came from and the contact's history. The
/// contacts are opened for the moderator; the caller records that in the audit log.
pub async fn pending(state: &AppState, limit: i64) -> Result<Vec<ReplyView>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, b.credit_code, b.name, r.kind, r.body, r.contact, r.contact_hash, r.contact_sealed, r.status, \
         r.created_at, r.ip_prefix, (SELECT COUNT(*) FROM business_replies c WHERE c.contact_hash = r.contact_hash) AS contact_submissions, \
         (SELECT COUNT(DISTINCT c.business_id) FROM business_replies c WHERE c.contact_hash = r.contact_hash) AS contact_businesses \
         FROM business_replies r JOIN businesses b ON b.id = r.business_id \
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $1",
    )
    .bind(limit.clamp(1, 200))
    .fetch_all(state.store.pool())
    .await?;
    let secret = state.config.secret_key.expose();
    rows.iter().map(|r| view(r, Some(secret))).collect()
}

/// Approved replies of one business (public; never the contact), on the caller's connection.
pub(crate) async fn published_in(conn: &mut AnyConnection, business_id: i64) -> Result<Vec<ReplyView>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, b.credit_code, b.name, r.kind, r.body, r.status, r.decided_at AS created_at \
         FROM business_replies r JOIN businesses b ON b.id = r.business_id \
         WHERE r.business_id = $1 AND r.status = 'approved' AND r.kind = 'reply' ORDER BY r.decided_at DESC",
    )
    .bind(business_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| view(r, None)).collect()
}

/// Approves or rejects a pending submission.
pub async fn decide(store: &Store, actor: &Actor, id: i64, approve: bool, note: &str) -> Result<(), AppError> {
    let note = domain::text::TextRule::optional(500).check("note", note)?;
    let status = if approve { ReplyStatus::Approved } else { ReplyStatus::Rejected };
    let mut tx = store.begin_write().await?;
    let done = sqlx::query(
        "UPDATE business_replies SET status = $1, decided_at = $2, decided_by = $3, note = $4 \
         WHERE id = $5 AND status = 'pending'",
    )
    .bind(status.as_str())
    .bind(now())
    .bind(&actor.name)
    .bind(note)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::not_found());
    }
    audit::record(
        &mut tx,
        actor,
        Entry::new(if approve { A::ReplyApproved } else { A::ReplyRejected }).target(&format!("reply:{id}")),
    )
    .await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(())
}
