//! Filing a case. Everything an acknowledged case has — its row, every photo, its first event — is written in
//! one transaction (on SQLite with `synchronous = FULL`), so a case either exists whole or not at all, survives
//! power loss once answered, and every instance and every backup sees its photos. The reporter's name and phone
//! are sealed (AEAD) before they reach the database; only a keyed hash of the phone is kept in clear, for the
//! first-reporter rule.
//!
//! Public submissions pass the cheap checks before anything costly: the network's case bound (before the body
//! is read, with the upload's memory reserved: [`admit`]), every text field, then the photos' headers, the
//! network's daily photo bytes, and only then decoding within the instance's budget ([`submit`]).
//!
//! An idempotency key is a secret of the client that chose it: it is stored as a keyed hash of the client's
//! network and the key, beside a hash of the content. The same request again answers the same receipt; the same
//! key with other content answers 409 `idempotency_conflict` and reveals nothing; another client's key is
//! another key.

use crate::abuse;
use crate::clock::now;
use crate::images::Photo;
use crate::sealed;
use crate::sealed::keyed_hash;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::col;
use crate::AppState;
use domain::cases::{CaseFields, CaseInput, CaseKind, CaseReceipt, MAX_PHOTOS};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use rand::Rng;
use sha2::Digest;
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

/// Where a case's sealed values live: they open only in the row of this tracking number.
pub fn case_place(tracking_no: &str) -> String {
    format!("cases/{tracking_no}")
}

/// Re-seals the reporters and access codes stored before sealed values were bound to their case (run at start;
/// a no-op once done). Returns how many cases it re-sealed.
pub async fn reseal_legacy(state: &AppState) -> Result<u64, AppError> {
    let secret = state.config.secret_key.expose();
    let rows = sqlx::query("SELECT id, tracking_no, reporter_sealed, access_sealed FROM cases")
        .fetch_all(state.store.pool())
        .await?;
    let mut n = 0;
    for row in &rows {
        let place = case_place(&col::<String>(row, "tracking_no")?);
        let reporter: Option<Vec<u8>> = col(row, "reporter_sealed")?;
        let access: Option<Vec<u8>> = col(row, "access_sealed")?;
        let reporter = reporter.map(|r| sealed::reseal(secret, "reporter", &place, &r)).transpose()?.flatten();
        let access = access.map(|a| sealed::reseal(secret, "case-access", &place, &a)).transpose()?.flatten();
        if reporter.is_none() && access.is_none() {
            continue;
        }
        sqlx::query("UPDATE cases SET reporter_sealed = COALESCE($1, reporter_sealed), access_sealed = COALESCE($2, access_sealed) WHERE id = $3")
            .bind(reporter)
            .bind(access)
            .bind(col::<i64>(row, "id")?)
            .execute(state.store.pool())
            .await?;
        n += 1;
    }
    Ok(n)
}

/// The keyed hash of an access code, bound to its case.
pub fn access_hash(secret: &[u8], tracking_no: &str, code: &str) -> String {
    keyed_hash(secret, "case-access", &format!("{tracking_no}:{}", code.trim().to_ascii_uppercase()))
}

/// A public upload as its adapter read it: the fields as typed and the photos' bytes, not yet looked at.
pub type Upload = (CaseFields, Vec<bytes::Bytes>);

/// Files a case from the public (web form or API) from `network`, the whole use case: the network's case bound
/// for the minute and the day is spent (429 with `Retry-After` past either) and the upload's memory reserved
/// (`declared_len`, else the largest upload; 503 `photos_busy` when the instance's uploads are full for too
/// long) before `read` reads the body; then the honeypot and every text field, the photos' headers, the
/// network's photo bytes for the day, decoding within the budget, and the one transaction. A failure comes back
/// with the fields as typed, when they were read (a form keeps them for the page).
pub async fn submit<R>(
    state: &AppState,
    network: &str,
    declared_len: Option<u64>,
    read: R,
) -> Result<CaseReceipt, (AppError, Option<CaseFields>)>
where
    R: std::future::Future<Output = Result<Upload, AppError>>,
{
    abuse::spend_bound(&state.store, "cases", Some(network), state.config.network_bounds.cases)
        .await
        .map_err(|e| (e, None))?;
    let _upload = state.photos.reserve_upload(declared_len).await.map_err(|e| (e, None))?;
    let (f, raw) = read.await.map_err(|e| (e, None))?;
    file_upload(state, network, &f, raw).await.map_err(|e| (e, Some(f)))
}

async fn file_upload(
    state: &AppState,
    network: &str,
    f: &CaseFields,
    raw: Vec<bytes::Bytes>,
) -> Result<CaseReceipt, AppError> {
    if f.is_bot() {
        return Err(AppError::field(ErrCode::InvalidValue, "website"));
    }
    let mut c = f.parse(now())?;
    // The public files web cases; other channels are typed in by staff.
    c.channel = domain::cases::Channel::Web;
    if raw.len() > MAX_PHOTOS {
        return Err(AppError::field(ErrCode::TooMany, "photos"));
    }
    for b in &raw {
        crate::images::inspect(b)?;
    }
    let bytes: i64 = raw.iter().map(|b| b.len() as i64).sum();
    if bytes > 0 {
        let limit = state.config.network_bounds.photo_mb_per_day * 1024 * 1024;
        abuse::spend_amount(&state.store, "photo-bytes", network, abuse::DAY, limit, bytes).await.map_err(
            |mut e| {
                e.field = Some("photos".to_owned());
                e
            },
        )?;
    }
    let photos = state.photos.process_all(raw).await?;
    file_from(state, &c, &photos, None, network, None).await
}

/// Files a case with its photos (already processed): the staff member typing in a hotline, counter,
/// complaint-box or volunteer case, the demo data and tests. Public submissions go through [`submit`].
pub async fn file(
    state: &AppState,
    c: &CaseInput,
    photos: &[Photo],
    actor: Option<&Actor>,
) -> Result<CaseReceipt, AppError> {
    let client = match actor {
        Some(a) => format!("staff:{}", a.name),
        None => "local".to_owned(),
    };
    file_from(state, c, photos, actor, &client, None).await
}

/// Where a partner's case came from: the partner (`partners.id`) and the coordinates it gave, if any.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartnerOrigin {
    pub partner_id: i64,
    pub at: Option<(f64, f64)>,
}

/// Files a case another app sent through Open311 (`backend::open311::file` checks its key and quota and parses
/// it first): the same transaction as every case, channel `partner`, the partner and the coordinates on the row.
/// The access code is drawn and kept hashed as for every case, but shown to nobody: the partner follows its case
/// with its key.
pub async fn file_for_partner(state: &AppState, c: &CaseInput, origin: PartnerOrigin) -> Result<CaseReceipt, AppError> {
    let mut c = c.clone();
    c.channel = domain::cases::Channel::Partner;
    let client = format!("partner:{}", origin.partner_id);
    file_from(state, &c, &[], None, &client, Some(Origin::Partner(origin))).await
}

/// Files a 食安志愿者's report (`backend::volunteers::report` checks the volunteer, the target and the day's cap
/// first): the same transaction as every case, channel `volunteer`, the volunteer on the row.
pub async fn file_for_volunteer(state: &AppState, c: &CaseInput, volunteer_id: i64) -> Result<CaseReceipt, AppError> {
    let mut c = c.clone();
    c.channel = domain::cases::Channel::Volunteer;
    let client = format!("volunteer:{volunteer_id}");
    file_from(state, &c, &[], None, &client, Some(Origin::Volunteer(volunteer_id))).await
}

/// Who besides the public brought a case in, written on its row.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Origin {
    Partner(PartnerOrigin),
    Volunteer(i64),
}

/// Files a case for `client` (whose idempotency keys are its own).
async fn file_from(
    state: &AppState,
    c: &CaseInput,
    photos: &[Photo],
    actor: Option<&Actor>,
    client: &str,
    origin: Option<Origin>,
) -> Result<CaseReceipt, AppError> {
    // In a task of its own: a client that hangs up mid-request does not cut the filing short.
    let (state, c, photos, actor, client) =
        (state.clone(), c.clone(), photos.to_vec(), actor.cloned(), client.to_owned());
    tokio::spawn(async move { file_now(&state, &c, &photos, actor.as_ref(), &client, origin).await })
        .await
        .map_err(AppError::internal)?
}

/// The stored form of a client's idempotency key: a keyed hash of the client and the key.
fn scoped_key(secret: &[u8], client: &str, key: &str) -> String {
    keyed_hash(secret, "case-idempotency", &format!("{client}\n{key}"))
}

/// A hash of everything a case says, photos included (their SHA-256), to tell a replay from another request.
fn content_hash(c: &CaseInput, photos: &[Photo]) -> String {
    let canonical = serde_json::json!([
        c.kind.as_str(),
        c.channel.as_str(),
        c.credit_code.as_ref().map(|k| k.as_str().to_owned()),
        c.business_name,
        c.category,
        c.description,
        c.occurred_at,
        c.place,
        c.reporter,
        photos.iter().map(|p| p.sha256.as_str()).collect::<Vec<_>>(),
    ]);
    hex::encode(sha2::Sha256::digest(canonical.to_string().as_bytes()))
}

async fn file_now(
    state: &AppState,
    c: &CaseInput,
    photos: &[Photo],
    actor: Option<&Actor>,
    client: &str,
    origin: Option<Origin>,
) -> Result<CaseReceipt, AppError> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::field(ErrCode::TooMany, "photos"));
    }
    let secret = state.config.secret_key.expose();
    let content = content_hash(c, photos);
    let scoped = c.idempotency_key.as_deref().map(|k| scoped_key(secret, client, k));
    if let Some(key) = &scoped {
        if let Some(r) = existing(state, key, &content).await? {
            return Ok(r);
        }
    }
    // The contact as it will be sealed (bound to the case's tracking number, once one is drawn).
    let reporter = c.reporter.as_ref().map(|(name, phone)| {
        (
            serde_json::json!({ "name": name, "phone": phone }).to_string().into_bytes(),
            keyed_hash(secret, "reporter-phone", phone),
        )
    });
    let mut conn = state.store.pool().acquire().await?;
    let dialect = state.store.dialect();
    dialect.sync_fully(&mut conn).await?;
    // A sqlx transaction: should this future ever be dropped half-way, the transaction is rolled back, never
    // left open on a pooled connection.
    let result = async {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, dialect.begin_write()).await?;
        let idempotency = scoped.as_deref().map(|k| (k, content.as_str()));
        let written = write(&mut tx, state, c, photos, actor, reporter, idempotency, origin).await?;
        if written.is_some() {
            tx.commit().await?;
        }
        Ok::<_, AppError>(written)
    }
    .await;
    dialect.relax(&mut conn).await;
    drop(conn);
    match result {
        // Another request with the same key won the race: answer its receipt.
        Ok(None) => match &scoped {
            Some(key) => {
                existing(state, key, &content).await?.ok_or_else(|| AppError::internal("idempotent case vanished"))
            }
            None => Err(AppError::internal("case not inserted")),
        },
        Ok(Some(r)) => Ok(r),
        Err(e) => Err(e),
    }
}

/// The receipt of the case filed under this scoped key, when the content is the same; another content is a 409
/// that reveals nothing of the case.
async fn existing(state: &AppState, key: &str, content: &str) -> Result<Option<CaseReceipt>, AppError> {
    let row =
        sqlx::query("SELECT tracking_no, access_sealed, idempotency_content FROM cases WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(state.store.pool())
            .await?;
    let Some(row) = row else { return Ok(None) };
    let stored: Option<String> = col(&row, "idempotency_content")?;
    if stored.as_deref() != Some(content) {
        return Err(AppError::field(ErrCode::IdempotencyConflict, "idempotency_key"));
    }
    let sealed_code: Vec<u8> = col(&row, "access_sealed")?;
    let tracking_no: String = col(&row, "tracking_no")?;
    let code = sealed::open(state.config.secret_key.expose(), "case-access", &case_place(&tracking_no), &sealed_code)?;
    Ok(Some(CaseReceipt { tracking_no, access_code: String::from_utf8(code).map_err(AppError::internal)? }))
}

#[expect(
    clippy::too_many_arguments,
    reason = "the one writer of every intake path: each argument is a part of the case"
)]
async fn write(
    conn: &mut AnyConnection,
    state: &AppState,
    c: &CaseInput,
    photos: &[Photo],
    actor: Option<&Actor>,
    reporter: Option<(Vec<u8>, String)>,
    // The scoped idempotency key and the content hash.
    idempotency: Option<(&str, &str)>,
    origin: Option<Origin>,
) -> Result<Option<CaseReceipt>, AppError> {
    let scoped_key = idempotency.map(|(k, _)| k);
    let t = now();
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
    let (plain_reporter, phone_hash) = match reporter {
        Some((s, h)) => (Some(s), Some(h)),
        None => (None, None),
    };
    // A clash of random tracking numbers is retried with another.
    for _ in 0..5 {
        let no = tracking_no(c.kind, t);
        let place = case_place(&no);
        let sealed_reporter =
            plain_reporter.as_deref().map(|p| sealed::seal(secret, "reporter", &place, p)).transpose()?;
        let row = sqlx::query(
            "INSERT INTO cases (tracking_no, access_hash, access_sealed, kind, channel, business_id, business_name, \
             category, description, occurred_at, place, reporter_sealed, phone_hash, state, state_since, \
             idempotency_key, idempotency_content, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, 'submitted', $14, $15, $16, $14, $14) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&no)
        .bind(access_hash(secret, &no, &code))
        .bind(sealed::seal(secret, "case-access", &place, code.as_bytes())?)
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
        .bind(scoped_key)
        .bind(idempotency.map(|(_, content)| content))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            // The conflict may be the idempotency key (another request filed it): the caller answers that one.
            if let Some(key) = scoped_key {
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
        if let Some(Origin::Volunteer(v)) = origin {
            sqlx::query("UPDATE cases SET volunteer_id = $1 WHERE id = $2")
                .bind(v)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        if let Some(Origin::Partner(o)) = origin {
            sqlx::query("UPDATE cases SET partner_id = $1 WHERE id = $2")
                .bind(o.partner_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            // Coordinates only when given: a typeless NULL bound through the Any driver fails on PostgreSQL.
            if let Some((lat, lng)) = o.at {
                sqlx::query("UPDATE cases SET lat = $1, lng = $2 WHERE id = $3")
                    .bind(lat)
                    .bind(lng)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
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
            audit::record(conn, a, Entry::new(A::CaseFile).target(&format!("case:{no}")).detail(c.channel.as_str()))
                .await?;
        }
        return Ok(Some(CaseReceipt { tracking_no: no, access_code: code }));
    }
    Err(AppError::internal("no free tracking number after five tries"))
}
