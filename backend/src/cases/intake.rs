//! Filing a case. Everything an acknowledged case has — its row, every photo, its first event — is written in
//! one transaction (on SQLite with `synchronous = FULL`), so a case either exists whole or not at all, survives
//! power loss once answered, and every instance and every backup sees its photos. The reporter's name and phone
//! are sealed (AEAD) before they reach the database; only a keyed hash of the phone is kept in clear, for the
//! first-reporter rule. A repeated submission with the same idempotency key answers the same receipt.

use super::photos::Photo;
use crate::clock::now;
use crate::config::DbKind;
use crate::picks::voter::keyed_hash;
use crate::sealed;
use crate::staff::audit::{self, Actor};
use crate::store::col;
use crate::AppState;
use domain::cases::{CaseInput, CaseKind, CaseReceipt, MAX_PHOTOS};
use domain::{AppError, ErrCode};
use rand::Rng;
use sqlx::AnyConnection;

const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn access_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..10).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// `JB-20261129-482931` (举报) or `TS-…` (投诉): the day filed and six random digits.
fn tracking_no(kind: CaseKind, t: i64) -> String {
    let prefix = match kind {
        CaseKind::Report => "JB",
        CaseKind::Complaint => "TS",
    };
    let day = domain::clock::format_date(t).replace('-', "");
    format!("{prefix}-{day}-{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
}

/// The keyed hash of an access code, bound to its case.
pub fn access_hash(secret: &[u8], tracking_no: &str, code: &str) -> String {
    keyed_hash(secret, "case-access", &format!("{tracking_no}:{}", code.trim().to_ascii_uppercase()))
}

/// Files a case with its photos (already processed). `actor` is `None` for the public, or the staff member
/// typing in a hotline, counter, complaint-box or volunteer case.
pub async fn file(state: &AppState, c: &CaseInput, photos: &[Photo], actor: Option<&Actor>) -> Result<CaseReceipt, AppError> {
    // In a task of its own: a client that hangs up mid-request does not cut the filing short.
    let (state, c, photos, actor) = (state.clone(), c.clone(), photos.to_vec(), actor.cloned());
    tokio::spawn(async move { file_now(&state, &c, &photos, actor.as_ref()).await })
        .await
        .map_err(AppError::internal)?
}

async fn file_now(state: &AppState, c: &CaseInput, photos: &[Photo], actor: Option<&Actor>) -> Result<CaseReceipt, AppError> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::field(ErrCode::TooMany, "photos"));
    }
    let secret = state.config.secret_key.expose();
    if let Some(key) = &c.idempotency_key {
        if let Some(r) = existing(state, key).await? {
            return Ok(r);
        }
    }
    let t = now();
    let reporter = match &c.reporter {
        Some((name, phone)) => {
            let plain = serde_json::json!({ "name": name, "phone": phone }).to_string();
            Some((sealed::seal(secret, "reporter", plain.as_bytes())?, keyed_hash(secret, "reporter-phone", phone)))
        }
        None => None,
    };
    let mut conn = state.store.pool().acquire().await?;
    let sqlite = state.store.kind() == DbKind::Sqlite;
    if sqlite {
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
    }
    // A sqlx transaction: should this future ever be dropped half-way, the transaction is rolled back, never
    // left open on a pooled connection.
    let result = async {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, if sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" }).await?;
        let written = write(&mut tx, state, c, photos, actor, reporter, t).await?;
        if written.is_some() {
            tx.commit().await?;
        }
        Ok::<_, AppError>(written)
    }
    .await;
    if sqlite {
        let _ = sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await;
    }
    drop(conn);
    match result {
        // Another request with the same key won the race: answer its receipt.
        Ok(None) => match &c.idempotency_key {
            Some(key) => existing(state, key).await?.ok_or_else(|| AppError::internal("idempotent case vanished")),
            None => Err(AppError::internal("case not inserted")),
        },
        Ok(Some(r)) => Ok(r),
        Err(e) => Err(e),
    }
}

async fn existing(state: &AppState, key: &str) -> Result<Option<CaseReceipt>, AppError> {
    let row = sqlx::query("SELECT tracking_no, access_sealed FROM cases WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(state.store.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let sealed_code: Vec<u8> = col(&row, "access_sealed")?;
    let code = sealed::open(state.config.secret_key.expose(), "case-access", &sealed_code)?;
    Ok(Some(CaseReceipt {
        tracking_no: col(&row, "tracking_no")?,
        access_code: String::from_utf8(code).map_err(AppError::internal)?,
    }))
}

async fn write(
    conn: &mut AnyConnection,
    state: &AppState,
    c: &CaseInput,
    photos: &[Photo],
    actor: Option<&Actor>,
    reporter: Option<(Vec<u8>, String)>,
    t: i64,
) -> Result<Option<CaseReceipt>, AppError> {
    let secret = state.config.secret_key.expose();
    let (business_id, business_name) = match &c.credit_code {
        Some(code) => {
            let row = sqlx::query("SELECT id, name FROM businesses WHERE credit_code = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| AppError::field(ErrCode::NotFound, "credit_code"))?;
            (Some(col::<i64>(&row, "id")?), col::<String>(&row, "name")?)
        }
        None => (None, c.business_name.clone()),
    };
    let code = access_code();
    let (sealed_reporter, phone_hash) = match reporter {
        Some((s, h)) => (Some(s), Some(h)),
        None => (None, None),
    };
    // A clash of random tracking numbers is retried with another.
    for _ in 0..5 {
        let no = tracking_no(c.kind, t);
        let row = sqlx::query(
            "INSERT INTO cases (tracking_no, access_hash, access_sealed, kind, channel, business_id, business_name, \
             category, description, occurred_at, place, reporter_sealed, phone_hash, state, state_since, \
             idempotency_key, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
             'submitted', $14, $15, $14, $14) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&no)
        .bind(access_hash(secret, &no, &code))
        .bind(sealed::seal(secret, "case-access", code.as_bytes())?)
        .bind(c.kind.as_str())
        .bind(c.channel.as_str())
        .bind(business_id)
        .bind(&business_name)
        .bind(&c.category)
        .bind(&c.description)
        .bind(c.occurred_at)
        .bind(&c.place)
        .bind(sealed_reporter.clone())
        .bind(phone_hash.clone())
        .bind(t)
        .bind(c.idempotency_key.clone())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            // The conflict may be the idempotency key (another request filed it): the caller answers that one.
            if let Some(key) = &c.idempotency_key {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE idempotency_key = $1")
                    .bind(key)
                    .fetch_optional(&mut *conn)
                    .await?;
                if taken.is_some() {
                    return Ok(None);
                }
            }
            continue;
        };
        let id: i64 = col(&row, "id")?;
        for p in photos {
            sqlx::query(
                "INSERT INTO case_photos (case_id, original, media_type, shown, width, height, sha256, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(p.original.clone())
            .bind(p.media_type)
            .bind(p.shown.clone())
            .bind(i64::from(p.width))
            .bind(i64::from(p.height))
            .bind(&p.sha256)
            .bind(t)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("INSERT INTO case_events (case_id, at, state, actor, note, message) VALUES ($1, $2, 'submitted', $3, '', $4)")
            .bind(id)
            .bind(t)
            .bind(actor.map(|a| a.name.as_str()).unwrap_or("reporter"))
            .bind("已收到您的投诉举报，我们将在7个工作日内决定是否受理。")
            .execute(&mut *conn)
            .await?;
        if let Some(a) = actor {
            audit::record(conn, a, "cases.file", Some(&format!("case:{no}")), Some(c.channel.as_str()), None).await?;
        }
        return Ok(Some(CaseReceipt { tracking_no: no, access_code: code }));
    }
    Err(AppError::internal("no free tracking number after five tries"))
}
