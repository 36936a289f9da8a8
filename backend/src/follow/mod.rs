//! 关注: the dispatcher of the journal's happenings to SMS subscribers and partner webhooks ([`dispatch`],
//! [`sms`], [`webhooks`]), and here the entries of each followed subject's Atom feed — a business (its new credit records and grade
//! changes), a district (grade drops, public failing batches, 消费提示; or only one of the first two), a food
//! category (failing batches, 消费提示), a round (voting opens, closes, results published). Each feed is read on
//! one connection, at most [`MAX_ENTRIES`] per query, merged newest first. Only what is already public is read:
//! batches from [`crate::sampling::public_at`], articles published and due, round dates that have passed.

pub mod dispatch;
pub mod sms;
pub mod webhooks;

use crate::store::{col, Store};
use domain::credit::{CreditCode, District, EventKind};
use domain::follow::{newest_first, paths, EntryKind, Feed, FeedEntry, Only, MAX_ENTRIES};
use domain::i18n::{Lang, T};
use domain::news::NewsTag;
use domain::picks::FoodCategory;
use domain::AppError;
use sqlx::AnyConnection;

const N: usize = MAX_ENTRIES;

/// A business's feed: every credit record (when it was recorded on the portal) and every row of its grade
/// history. An unknown credit code is a 404.
pub async fn business(store: &Store, code: &CreditCode) -> Result<Feed, AppError> {
    let mut conn = store.pool().acquire().await?;
    let row = sqlx::query("SELECT id, name FROM businesses WHERE credit_code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (id, name): (i64, String) = (col(&row, "id")?, col(&row, "name")?);
    let page = format!("/credit/{}", code.as_str());
    let mut entries = Vec::new();
    let events = sqlx::query(&format!(
        "SELECT id, kind, description, source, created_at, annulled_at FROM credit_events WHERE business_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT {N}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &events {
        let kind: String = col(r, "kind")?;
        let label = EventKind::parse(&kind).map_or(kind.clone(), |k| k.label().get(Lang::Zh).to_owned());
        let annulled: Option<i64> = col(r, "annulled_at")?;
        entries.push(FeedEntry {
            kind: EntryKind::EventRecorded,
            record: col(r, "id")?,
            title: format!("{name}：{label}"),
            detail: format!("{}（{}）", col::<String>(r, "description")?, col::<String>(r, "source")?),
            // An annulled record is the same entry, updated.
            at: annulled.unwrap_or(col(r, "created_at")?),
            path: page.clone(),
        });
    }
    let grades = sqlx::query(&format!(
        "SELECT id, at, score, grade FROM grade_history WHERE business_id = $1 ORDER BY at DESC, id DESC LIMIT {N}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &grades {
        entries.push(grade_entry(r, &name, &page)?);
    }
    Ok(Feed {
        subject: name,
        label: T::FeedOfBusiness,
        page,
        path: paths::business(code.as_str()),
        entries: newest_first(entries),
    })
}

/// A district's feed at `at`: grade drops of its businesses, its public failing batches and the 消费提示 about
/// them; `only` narrows it to the drops or the batches. A drop is a grade-history row worse than the row before
/// (grades sort A < B < C < D as text), or than A for a business's first row (a business starts at A).
pub async fn district(store: &Store, district: District, only: Option<Only>, at: i64) -> Result<Feed, AppError> {
    let mut conn = store.pool().acquire().await?;
    let name = district.as_str();
    let mut entries = Vec::new();
    if only != Some(Only::FailingBatches) {
        let rows = sqlx::query(&format!(
            "SELECT g.id, g.at, g.score, g.grade, b.name, b.credit_code FROM grade_history g \
             JOIN businesses b ON b.id = g.business_id WHERE b.district = $1 \
             AND g.grade > COALESCE((SELECT p.grade FROM grade_history p \
                 WHERE p.business_id = g.business_id AND p.id < g.id ORDER BY p.id DESC LIMIT 1), 'A') \
             ORDER BY g.at DESC, g.id DESC LIMIT {N}"
        ))
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let page = format!("/credit/{}", col::<String>(r, "credit_code")?);
            entries.push(grade_entry(r, &col::<String>(r, "name")?, &page)?);
        }
    }
    if only != Some(Only::GradeDrops) {
        entries.extend(failing_batches(&mut conn, "s.district", name, at).await?);
    }
    if only.is_none() {
        entries.extend(alerts(&mut conn, "s.district", name, at).await?);
    }
    Ok(Feed {
        subject: name.to_owned(),
        label: T::FeedOfDistrict,
        page: format!("/stats#district-{}", paths::encode(name)),
        path: paths::district(name, only),
        entries: newest_first(entries),
    })
}

/// A food category's feed at `at`: its public failing batches and the 消费提示 about them.
pub async fn food(store: &Store, category: FoodCategory, at: i64) -> Result<Feed, AppError> {
    let mut conn = store.pool().acquire().await?;
    let name = category.as_str();
    let mut entries = failing_batches(&mut conn, "s.food_category", name, at).await?;
    entries.extend(alerts(&mut conn, "s.food_category", name, at).await?);
    Ok(Feed {
        subject: name.to_owned(),
        label: T::FeedOfFood,
        // The results page filters by food name, not category: the feed links the whole list.
        page: "/results".to_owned(),
        path: paths::food(name),
        entries: newest_first(entries),
    })
}

/// A round's feed at `at`: voting opened, voting closed, results published — each once its time has come.
/// An unknown round is a 404.
pub async fn round(store: &Store, id: i64, at: i64) -> Result<Feed, AppError> {
    let row = sqlx::query("SELECT title, vote_from, vote_until, publish_at FROM rounds WHERE id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(AppError::not_found)?;
    let title: String = col(&row, "title")?;
    let page = format!("/picks/{id}");
    let steps = [
        (EntryKind::VotingOpens, col::<i64>(&row, "vote_from")?),
        (EntryKind::VotingCloses, col(&row, "vote_until")?),
        (EntryKind::ResultsPublished, col(&row, "publish_at")?),
    ];
    let entries = steps
        .into_iter()
        .filter(|(_, t)| *t <= at)
        .map(|(kind, t)| FeedEntry {
            kind,
            record: id,
            title: format!("{title}：{}", kind.label().get(Lang::Zh)),
            detail: String::new(),
            at: t,
            path: page.clone(),
        })
        .collect();
    Ok(Feed { subject: title, label: T::FeedOfRound, page, path: paths::round(id), entries: newest_first(entries) })
}

fn grade_entry(r: &sqlx::any::AnyRow, name: &str, page: &str) -> Result<FeedEntry, AppError> {
    let score = col::<i64>(r, "score")?.to_string();
    Ok(FeedEntry {
        kind: EntryKind::GradeChange,
        record: col(r, "id")?,
        title: format!("{name}：{} {}", T::FeedGradeChange.get(Lang::Zh), col::<String>(r, "grade")?),
        detail: T::FeedScore.fill(Lang::Zh, &[("score", &score)]),
        at: col(r, "at")?,
        path: page.to_owned(),
    })
}

/// Public failing batches whose `column` (`s.district` or `s.food_category`, never user input) is `value`. A
/// round's batch is dated when it became public (the round's `publish_at`), not when it was entered.
async fn failing_batches(
    conn: &mut AnyConnection,
    column: &'static str,
    value: &str,
    at: i64,
) -> Result<Vec<FeedEntry>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.food, s.business_name, s.district, s.published_at, \
         (SELECT r.publish_at FROM rounds r WHERE r.id = s.round_id) AS due \
         FROM sampling_batches s WHERE s.passed = 0 AND {column} = $2 AND {} \
         ORDER BY s.published_at DESC, s.id DESC LIMIT {N}",
        crate::sampling::public_at(1)
    ))
    .bind(at)
    .bind(value)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = col(r, "id")?;
            let published: i64 = col(r, "published_at")?;
            let due: Option<i64> = col(r, "due")?;
            Ok(FeedEntry {
                kind: EntryKind::FailingBatch,
                record: id,
                title: format!("{}：{}", T::FeedFailingBatch.get(Lang::Zh), col::<String>(r, "food")?),
                detail: format!("{} · {}", col::<String>(r, "business_name")?, col::<String>(r, "district")?),
                at: due.map_or(published, |d| d.max(published)),
                path: format!("/results#batch-{id}"),
            })
        })
        .collect()
}

/// Published, due 消费提示 about a batch whose `column` is `value`.
async fn alerts(
    conn: &mut AnyConnection,
    column: &'static str,
    value: &str,
    at: i64,
) -> Result<Vec<FeedEntry>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT a.id, a.title, a.summary, a.publish_at FROM news_articles a JOIN sampling_batches s ON s.id = a.batch_id \
         WHERE a.published = 1 AND a.publish_at <= $1 AND {column} = $2 AND (',' || a.tags || ',') LIKE $3 \
         ORDER BY a.publish_at DESC, a.id DESC LIMIT {N}"
    ))
    .bind(at)
    .bind(value)
    .bind(format!("%,{},%", NewsTag::ConsumerAlert.as_str()))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let id: i64 = col(r, "id")?;
            Ok(FeedEntry {
                kind: EntryKind::ConsumerAlert,
                record: id,
                // The article's own title (staff write them as 消费提示：…); the kind is the entry's category.
                title: col(r, "title")?,
                detail: col(r, "summary")?,
                at: col(r, "publish_at")?,
                path: format!("/news/{id}"),
            })
        })
        .collect()
}
