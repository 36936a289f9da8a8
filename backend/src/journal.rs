//! The journal of happenings followers are told about (`follow_events`): a grade change or a new credit record
//! of a business, a failing batch, a 消费提示, a round's three steps. Each capability writes its happening in the
//! transaction of the change, keyed like the feed entry it also becomes (`grade-12`), with the time it becomes
//! public; `follow::dispatch` fans each out once it is due. Saving the same source again rewrites its row while it
//! waits (a round's new dates, an article's new title) and never after it went out; a happening withdrawn before
//! it is due (an article unpublished) is deleted.

use crate::store::col;
use domain::follow::EntryKind;
use domain::AppError;
use sqlx::AnyConnection;

/// A happening, with the subjects it concerns (`''` where none).
#[derive(Clone, Debug, Default)]
pub struct Happening {
    pub key: String,
    pub kind: &'static str,
    pub business_code: String,
    /// The district whose followers are told ('' if none are: a grade rise is not a district's news).
    pub district: String,
    /// The narrowed district feed it belongs to (`grade_drops`, `failing_batches`), '' for the full feed only.
    pub district_only: &'static str,
    pub food_category: String,
    pub round_id: String,
    pub title: String,
    /// The page on this site it links to.
    pub path: String,
    /// When it becomes public (unix seconds).
    pub due_at: i64,
}

impl Happening {
    /// A happening of `kind` about record `record`, keyed as its feed entry is.
    pub fn new(kind: EntryKind, record: i64, title: String, path: String, due_at: i64) -> Happening {
        Happening {
            key: format!("{}-{record}", kind.slug()),
            kind: kind.slug(),
            title,
            path,
            due_at,
            ..Happening::default()
        }
    }
}

/// Writes (or, while it waits, rewrites) a happening on the caller's transaction.
pub async fn record_in(conn: &mut AnyConnection, h: &Happening, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO follow_events (event_key, kind, business_code, district, district_only, food_category, round_id, \
         title, path, due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (event_key) DO UPDATE SET business_code = excluded.business_code, district = excluded.district, \
         district_only = excluded.district_only, food_category = excluded.food_category, \
         round_id = excluded.round_id, title = excluded.title, path = excluded.path, due_at = excluded.due_at \
         WHERE follow_events.dispatched_at IS NULL",
    )
    .bind(&h.key)
    .bind(h.kind)
    .bind(&h.business_code)
    .bind(&h.district)
    .bind(h.district_only)
    .bind(&h.food_category)
    .bind(&h.round_id)
    .bind(&h.title)
    .bind(&h.path)
    .bind(h.due_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Deletes a happening that has not gone out yet (its source was withdrawn before it became public).
pub async fn withdraw_in(conn: &mut AnyConnection, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM follow_events WHERE event_key = $1 AND dispatched_at IS NULL")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A business's name, credit code and district, for its happenings.
pub async fn business_in(conn: &mut AnyConnection, id: i64) -> Result<(String, String, String), AppError> {
    let row = sqlx::query("SELECT name, credit_code, district FROM businesses WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok((col(&row, "name")?, col(&row, "credit_code")?, col(&row, "district")?))
}
