//! The dispatcher: takes each due happening of the journal once, checks it is still public as written (a round's
//! dates or an article may have changed since), and fans it out in one transaction: an outbox message per
//! immediate SMS subscriber and per partner receiver of its kind, a digest line per digest subscriber; then marks
//! it dispatched. Set-based statements (one per audience), so 10,000 subscribers are queued in one `INSERT …
//! SELECT`. Each message's idempotency key names the subscription (or receiver) and the happening: nothing is
//! queued twice, whatever the instance. On PostgreSQL a happening is taken `FOR UPDATE SKIP LOCKED`, so several
//! instances dispatch different happenings at once; SQLite has one writer.

use crate::store::{col, Store};
use domain::AppError;

/// Happenings one round takes.
const BATCH: usize = 50;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dispatched {
    pub happenings: u64,
    /// Outbox messages queued (SMS alerts and partner deliveries).
    pub messages: u64,
    /// Digest lines added.
    pub digest_lines: u64,
}

/// Dispatches what is due at `t`.
pub async fn dispatch_due(store: &Store, t: i64) -> Result<Dispatched, AppError> {
    let mut done = Dispatched::default();
    for _ in 0..BATCH {
        match dispatch_one(store, t).await? {
            Some(d) => {
                done.happenings += 1;
                done.messages += d.messages;
                done.digest_lines += d.digest_lines;
            }
            None => break,
        }
    }
    Ok(done)
}

/// When a happening's source says it is public, or `None` when its source is gone or withdrawn.
async fn public_at(conn: &mut sqlx::AnyConnection, kind: &str, record: i64) -> Result<Option<i64>, AppError> {
    let at: Option<Option<i64>> = match kind {
        "batch" => sqlx::query_scalar(
            "SELECT (SELECT r.publish_at FROM rounds r WHERE r.id = s.round_id) FROM sampling_batches s WHERE s.id = $1",
        )
        .bind(record)
        .fetch_optional(&mut *conn)
        .await?
        .map(|p: Option<i64>| Some(p.unwrap_or(0))),
        "alert" => sqlx::query_scalar("SELECT CASE WHEN published = 1 THEN publish_at END FROM news_articles WHERE id = $1")
            .bind(record)
            .fetch_optional(&mut *conn)
            .await?,
        "voting-opens" | "voting-closes" | "results" => {
            let column = match kind {
                "voting-opens" => "vote_from",
                "voting-closes" => "vote_until",
                _ => "publish_at",
            };
            sqlx::query_scalar(&format!("SELECT {column} FROM rounds WHERE id = $1"))
                .bind(record)
                .fetch_optional(&mut *conn)
                .await?
                .map(Some)
        }
        _ => Some(Some(0)),
    };
    Ok(at.flatten())
}

async fn dispatch_one(store: &Store, t: i64) -> Result<Option<Dispatched>, AppError> {
    let skip = store.dialect().skip_locked();
    let mut tx = store.begin_write().await?;
    let Some(row) = sqlx::query(&format!(
        "SELECT id, event_key, kind, business_code, district, district_only, food_category, round_id \
         FROM follow_events WHERE dispatched_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT 1{skip}"
    ))
    .bind(t)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = col(&row, "id")?;
    let key: String = col(&row, "event_key")?;
    let kind: String = col(&row, "kind")?;
    let record: i64 = key.rsplit('-').next().and_then(|r| r.parse().ok()).unwrap_or_default();
    match public_at(&mut tx, &kind, record).await? {
        None => {
            // Withdrawn: nobody is told.
            sqlx::query("DELETE FROM follow_events WHERE id = $1").bind(id).execute(&mut *tx).await?;
            tx.commit().await?;
            return Ok(Some(Dispatched::default()));
        }
        Some(at) if at > t => {
            sqlx::query("UPDATE follow_events SET due_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Some(Dispatched::default()));
        }
        Some(_) => {}
    }
    let (code, district, only, food, round): (String, String, String, String, String) = (
        col(&row, "business_code")?,
        col(&row, "district")?,
        col(&row, "district_only")?,
        col(&row, "food_category")?,
        col(&row, "round_id")?,
    );
    // '' never matches a subject: a happening with no district is told to no district's followers.
    let audience = "s.confirmed_at IS NOT NULL AND s.cancelled_at IS NULL AND s.mode = $1 AND ( \
        (s.subject_kind = 'business' AND s.subject = $2 AND $2 <> '') \
        OR (s.subject_kind = 'district' AND s.subject = $3 AND $3 <> '' AND (s.only_filter = '' OR s.only_filter = $4)) \
        OR (s.subject_kind = 'food' AND s.subject = $5 AND $5 <> '') \
        OR (s.subject_kind = 'round' AND s.subject = $6 AND $6 <> ''))";
    let alerts = sqlx::query(&format!(
        "INSERT INTO outbox (kind, idempotency_key, payload, next_at, created_at) \
         SELECT 'follow', 'follow:' || CAST(s.id AS TEXT) || ':' || $7, $8, $9, $9 FROM follow_subscriptions s \
         WHERE {audience} ON CONFLICT (idempotency_key) DO NOTHING"
    ))
    .bind("immediate")
    .bind(&code)
    .bind(&district)
    .bind(&only)
    .bind(&food)
    .bind(&round)
    .bind(id.to_string())
    .bind(Vec::<u8>::new())
    .bind(t)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let lines = sqlx::query(&format!(
        "INSERT INTO follow_digest (subscription_id, event_id, digest_day, created_at) \
         SELECT s.id, $7, NULL, $8 FROM follow_subscriptions s WHERE {audience} \
         ON CONFLICT (subscription_id, event_id) DO NOTHING"
    ))
    .bind("digest")
    .bind(&code)
    .bind(&district)
    .bind(&only)
    .bind(&food)
    .bind(&round)
    .bind(id)
    .bind(t)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Partners get one subject's happenings in order: the subject is the business, else the district (or the
    // category), else the round.
    let subject = if !code.is_empty() {
        format!("business:{code}")
    } else if !district.is_empty() {
        format!("district:{district}")
    } else if !food.is_empty() {
        format!("food:{food}")
    } else {
        format!("round:{round}")
    };
    let partners = sqlx::query(
        "INSERT INTO outbox (kind, idempotency_key, payload, next_at, created_at, receiver_id, subject_key) \
         SELECT 'partner', 'partner:' || CAST(r.id AS TEXT) || ':' || $1, $2, $3, $3, r.id, $4 \
         FROM webhook_receivers r WHERE r.active = 1 AND (',' || r.events || ',') LIKE $5 \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(Vec::<u8>::new())
    .bind(t)
    .bind(&subject)
    .bind(format!("%,{kind},%"))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("UPDATE follow_events SET dispatched_at = $1 WHERE id = $2").bind(t).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(Dispatched { happenings: 1, messages: alerts + partners, digest_lines: lines }))
}
