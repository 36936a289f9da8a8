//! 新闻动态: staff save articles (audited, with their cover re-encoded); the public reads only those published
//! whose time has come. The Markdown is rendered and sanitised when read, so a better sanitiser applies to
//! every article at once.

/// Markdown rendering and sanitising.
pub mod markdown;
/// The demo articles.
pub mod seed;

use crate::clock::now;
use crate::journal::Happening;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::follow::EntryKind;
use domain::news::{
    Article, ArticleInput, ArticleState, ArticleSummary, NewsTag, StaffArticle, ALERT_DAYS, MAX_COVER_BYTES,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode, Page};
use sqlx::any::AnyRow;

const SUMMARY_COLUMNS: &str = "id, title, summary, tags, publish_at, cover_alt, batch_id, \
     CASE WHEN cover IS NULL THEN 0 ELSE 1 END AS has_cover";
/// Published and due at `$1`.
const PUBLIC: &str = "published = 1 AND publish_at <= $1";

fn tags(s: &str) -> Vec<String> {
    s.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn summary(r: &AnyRow) -> Result<ArticleSummary, AppError> {
    Ok(ArticleSummary {
        id: col(r, "id")?,
        title: col(r, "title")?,
        summary: col(r, "summary")?,
        tags: tags(&col::<String>(r, "tags")?),
        published_at: col::<Option<i64>>(r, "publish_at")?.unwrap_or_default(),
        has_cover: col::<i64>(r, "has_cover")? != 0,
        cover_alt: col(r, "cover_alt")?,
        batch_id: col(r, "batch_id")?,
    })
}

fn article(r: &AnyRow) -> Result<Article, AppError> {
    Ok(Article {
        summary: summary(r)?,
        body_html: markdown::render(&col::<String>(r, "body")?),
        updated_at: col(r, "updated_at")?,
    })
}

/// Checks and re-encodes a cover image (JPEG, PNG or WebP by content; EXIF dropped). Refusals name `cover`.
/// Decoded within the instance's photo budget, like evidence photos.
pub async fn prepare_cover(
    budget: &std::sync::Arc<crate::images::DecodeBudget>,
    bytes: Vec<u8>,
) -> Result<Vec<u8>, AppError> {
    if bytes.len() > MAX_COVER_BYTES {
        return Err(AppError::field(ErrCode::PayloadTooLarge, "cover"));
    }
    let mut photo = budget.process_all(vec![bytes::Bytes::from(bytes)]).await.map_err(|mut e| {
        e.field = Some("cover".to_owned());
        e
    })?;
    Ok(photo.pop().map(|p| p.shown).unwrap_or_default())
}

/// Creates (`id` = `None`) or updates an article, with its audit entry in the same transaction. A new cover
/// replaces the old one; `remove_cover` drops it. An unknown `id` is a 404; an unknown `batch_id` is refused
/// naming it.
pub async fn save(
    store: &Store,
    actor: &Actor,
    id: Option<i64>,
    a: &ArticleInput,
    cover: Option<Vec<u8>>,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let t = now();
    let action = if id.is_none() { A::NewsCreate } else { A::NewsUpdate };
    let mut tx = store.begin_write().await?;
    if let Some(b) = a.batch_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM sampling_batches WHERE id = $1")
            .bind(b)
            .fetch_optional(&mut *tx)
            .await?;
        found.ok_or_else(|| AppError::field(ErrCode::NotFound, "batch_id"))?;
    }
    let id = match id {
        None => {
            let row = sqlx::query(
                "INSERT INTO news_articles (title, summary, body, tags, published, publish_at, cover_alt, created_at, \
                 updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            )
            .bind(&a.title)
            .bind(&a.summary)
            .bind(&a.body)
            .bind(a.tags.join(","))
            .bind(i64::from(a.published))
            .bind(a.publish_at)
            .bind(&a.cover_alt)
            .bind(t)
            .bind(&actor.name)
            .fetch_one(&mut *tx)
            .await?;
            col::<i64>(&row, "id")?
        }
        Some(id) => {
            let done = sqlx::query(
                "UPDATE news_articles SET title = $1, summary = $2, body = $3, tags = $4, published = $5, \
                 publish_at = $6, cover_alt = $7, updated_at = $8, updated_by = $9 WHERE id = $10",
            )
            .bind(&a.title)
            .bind(&a.summary)
            .bind(&a.body)
            .bind(a.tags.join(","))
            .bind(i64::from(a.published))
            .bind(a.publish_at)
            .bind(&a.cover_alt)
            .bind(t)
            .bind(&actor.name)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(AppError::not_found());
            }
            id
        }
    };
    sqlx::query("UPDATE news_articles SET batch_id = $1 WHERE id = $2")
        .bind(a.batch_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    // A published 消费提示 about a batch tells the batch's district and food category, once due; any other
    // article (or this one unpublished, untagged or unlinked again before it was due) tells no one.
    let key = format!("{}-{id}", EntryKind::ConsumerAlert.slug());
    let alert = a.published && a.tags.iter().any(|t| t == NewsTag::ConsumerAlert.as_str());
    match (a.batch_id, a.publish_at) {
        (Some(batch), Some(at)) if alert => {
            let row = sqlx::query("SELECT district, food_category FROM sampling_batches WHERE id = $1")
                .bind(batch)
                .fetch_one(&mut *tx)
                .await?;
            let mut h = Happening::new(EntryKind::ConsumerAlert, id, a.title.clone(), format!("/news/{id}"), at.max(t));
            h.district = col(&row, "district")?;
            h.food_category = col(&row, "food_category")?;
            crate::journal::record_in(&mut tx, &h, t).await?;
        }
        _ => crate::journal::withdraw_in(&mut tx, &key).await?,
    }
    if cover.is_some() || a.remove_cover {
        sqlx::query("UPDATE news_articles SET cover = $1 WHERE id = $2").bind(cover).bind(id).execute(&mut *tx).await?;
    }
    let state = ArticleState::at(a.published, a.publish_at, t);
    let detail = format!("{:?}: {}", state, a.title);
    audit::record(&mut tx, actor, Entry::new(action).target(&format!("article:{id}")).detail(&detail).ip_opt(ip))
        .await?;
    tx.commit().await?;
    store.announce(Change::News);
    Ok(id)
}

/// Published articles due at `at`, newest first, optionally of one tag.
pub async fn list_public(
    store: &Store,
    tag: Option<&str>,
    page: i64,
    per_page: i64,
    at: i64,
) -> Result<Page<ArticleSummary>, AppError> {
    let (filter, pattern) = match tag {
        Some(t) => (" AND (',' || tags || ',') LIKE $2", Some(format!("%,{t},%"))),
        None => ("", None),
    };
    let mut conn = store.pool().acquire().await?;
    let count_sql = format!("SELECT COUNT(*) FROM news_articles WHERE {PUBLIC}{filter}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(at);
    if let Some(p) = &pattern {
        count = count.bind(p.clone());
    }
    let total = count.fetch_one(&mut *conn).await?;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM news_articles WHERE {PUBLIC}{filter} ORDER BY publish_at DESC, id DESC \
         LIMIT {per_page} OFFSET {}",
        (page - 1) * per_page
    );
    let mut query = sqlx::query(&sql).bind(at);
    if let Some(p) = pattern {
        query = query.bind(p);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let items = rows.iter().map(summary).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, total, page, per_page, total_is_lower_bound: false })
}

/// The latest `n` published articles due at `at` (the home page: no count).
pub async fn latest(store: &Store, n: i64, at: i64) -> Result<Vec<ArticleSummary>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM news_articles WHERE {PUBLIC} ORDER BY publish_at DESC, id DESC LIMIT {n}"
    ))
    .bind(at)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(summary).collect()
}

/// The current 消费提示 (consumer alerts) at `at`: published in the last [`ALERT_DAYS`] days, newest first (the
/// home page).
pub async fn current_alerts(store: &Store, n: i64, at: i64) -> Result<Vec<ArticleSummary>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM news_articles WHERE {PUBLIC} AND publish_at > $2 \
         AND (',' || tags || ',') LIKE $3 ORDER BY publish_at DESC, id DESC LIMIT {n}"
    ))
    .bind(at)
    .bind(at - ALERT_DAYS * 86_400)
    .bind(format!("%,{},%", NewsTag::ConsumerAlert.as_str()))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(summary).collect()
}

/// One published article, if it is due at `at` (a draft or a scheduled article is `None`, like a missing one).
pub async fn get_public(store: &Store, id: i64, at: i64) -> Result<Option<Article>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS}, body, updated_at FROM news_articles WHERE {PUBLIC} AND id = $2"
    ))
    .bind(at)
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(article).transpose()
}

/// The latest published articles, for the feed.
pub async fn feed(store: &Store, at: i64, limit: i64) -> Result<Vec<Article>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {SUMMARY_COLUMNS}, body, updated_at FROM news_articles WHERE {PUBLIC} \
         ORDER BY publish_at DESC, id DESC LIMIT {limit}"
    ))
    .bind(at)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(article).collect()
}

/// A published article's cover (JPEG).
pub async fn cover(store: &Store, id: i64, at: i64) -> Result<Option<Vec<u8>>, AppError> {
    let c: Option<Option<Vec<u8>>> =
        sqlx::query_scalar(&format!("SELECT cover FROM news_articles WHERE {PUBLIC} AND id = $2"))
            .bind(at)
            .bind(id)
            .fetch_optional(store.pool())
            .await?;
    Ok(c.flatten())
}

fn staff_article(r: &AnyRow, at: i64) -> Result<StaffArticle, AppError> {
    let publish_at: Option<i64> = col(r, "publish_at")?;
    let published = col::<i64>(r, "published")? != 0;
    Ok(StaffArticle {
        id: col(r, "id")?,
        title: col(r, "title")?,
        summary: col(r, "summary")?,
        body: col(r, "body")?,
        tags: tags(&col::<String>(r, "tags")?),
        state: ArticleState::at(published, publish_at, at),
        publish_at,
        has_cover: col::<i64>(r, "has_cover")? != 0,
        cover_alt: col(r, "cover_alt")?,
        updated_at: col(r, "updated_at")?,
        updated_by: col(r, "updated_by")?,
        batch_id: col(r, "batch_id")?,
    })
}

const STAFF_COLUMNS: &str =
    "id, title, summary, body, tags, published, publish_at, cover_alt, updated_at, updated_by, batch_id, \
     CASE WHEN cover IS NULL THEN 0 ELSE 1 END AS has_cover";

/// Every article for staff (drafts and scheduled ones too), last edited first.
pub async fn list_staff(store: &Store) -> Result<Vec<StaffArticle>, AppError> {
    let at = now();
    let rows =
        sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM news_articles ORDER BY updated_at DESC, id DESC LIMIT 500"))
            .fetch_all(store.pool())
            .await?;
    rows.iter().map(|r| staff_article(r, at)).collect()
}

/// One article for staff.
pub async fn get_staff(store: &Store, id: i64) -> Result<Option<StaffArticle>, AppError> {
    let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM news_articles WHERE id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| staff_article(&r, now())).transpose()
}
