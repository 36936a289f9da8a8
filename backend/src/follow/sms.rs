//! 关注 by SMS: subscribe (a code to the phone), confirm (double opt-in), unsubscribe (a short link in every
//! message, or a reply word through the gateway), and the wording of each alert and digest when the outbox sends
//! it. The phone is sealed to its row and found by a keyed hash; it is never logged. Only confirmed, uncancelled
//! subscriptions are told anything; a phone that never confirms gets the one code it asked for and nothing else.
//!
//! Caps: subscriptions asked for per network (minute and day, `PORTAL_BOUND_FOLLOWS`); one code a minute per
//! subscription; codes per phone per day (`PORTAL_SMS_PER_PHONE_PER_DAY`, shared with voting codes); the city's
//! daily SMS budget; [`MAX_PER_PHONE`] subscriptions per phone; alerts per phone per day
//! (`PORTAL_FOLLOW_SMS_PER_PHONE_PER_DAY`), past which an alert waits for the evening's digest instead.

use crate::clock::now;
use crate::picks::sms::{count_sent, send_now};
use crate::sealed::{self, keyed_hash};
use crate::store::{col, Store};
use crate::AppState;
use domain::clock::format_date;
use domain::follow::sms::{
    digest, notice, Mode, Subject, CODE_TTL_SECS, DIGEST_HOUR, MAX_ATTEMPTS, MAX_PER_PHONE, RESEND_SECS,
};
use domain::i18n::{Lang, T};
use domain::{AppError, ErrCode};
use rand::Rng;
use sqlx::AnyConnection;

/// The `abuse` scope of the per-network bound on subscriptions asked for.
pub const SCOPE: &str = "follow";

fn place(id: i64) -> String {
    format!("follow/{id}")
}

/// A token naming subscription `id` for `purpose` (`confirm`, `stop`): the id and 12 hex digits of a MAC, short
/// enough for an SMS link, and unguessable for any other id.
fn token(key: &[u8], purpose: &str, id: i64) -> String {
    format!("{id}-{}", &keyed_hash(key, &format!("follow-{purpose}"), &id.to_string())[..12])
}

/// The subscription a token names, if its MAC is right.
fn token_id(key: &[u8], purpose: &str, t: &str) -> Result<i64, AppError> {
    let bad = || AppError::field(ErrCode::NotFound, "token");
    let (id, _) = t.split_once('-').ok_or_else(bad)?;
    let id = id.parse::<i64>().map_err(|_| bad())?;
    let want = token(key, purpose, id);
    // Constant time: the MAC part is compared as HMAC output, not as text.
    if sealed::mac(key, &[want.as_bytes()]) != sealed::mac(key, &[t.as_bytes()]) {
        return Err(bad());
    }
    Ok(id)
}

/// The unsubscribe path (`/u/…`) of subscription `id`.
pub fn stop_path(state: &AppState, id: i64) -> String {
    format!("/u/{}", token(state.config.secret_key.expose(), "stop", id))
}

/// A subject's name for people: a business's name, a district, a category, a round's title. 404 naming
/// `subject` when the business or round does not exist.
pub async fn subject_name(conn: &mut AnyConnection, s: &Subject) -> Result<String, AppError> {
    let missing = || AppError::field(ErrCode::NotFound, "subject");
    Ok(match s {
        Subject::Business(code) => sqlx::query_scalar("SELECT name FROM businesses WHERE credit_code = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(missing)?,
        Subject::Round(id) => sqlx::query_scalar("SELECT title FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(missing)?,
        Subject::District(d, _) => d.as_str().to_owned(),
        Subject::Food(f) => f.as_str().to_owned(),
    })
}

/// A subject's name for its follow page (404 naming `subject` for an unknown business or round).
pub async fn name_of(state: &AppState, s: &Subject) -> Result<String, AppError> {
    let mut conn = state.store.pool().acquire().await?;
    subject_name(&mut conn, s).await
}

/// What a subscription request answers: the token to confirm with (the code went to the phone).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Requested {
    pub confirm: String,
    pub expires_in: i64,
}

/// Asks to follow `subject` by SMS from `network`: sends a code. Refused, spending nothing further, in this
/// order: no gateway (400 `sms_not_configured`, `phone`); the network's bound (429); an unknown business or round
/// (404 `subject`); then in one transaction: the phone's [`MAX_PER_PHONE`] (400 `too_many`, `phone`), a code for
/// the same subscription less than a minute old (429), the phone's codes today (429 until midnight), the city's
/// budget (503). Asking again for a subscription already confirmed sends a code too (so nobody learns what a
/// phone follows), and changes nothing until that code is confirmed.
pub async fn subscribe(
    state: &AppState,
    subject: &Subject,
    phone: &str,
    mode: Mode,
    lang: Lang,
    network: Option<&str>,
) -> Result<Requested, AppError> {
    let url = state.config.sms_url.clone().ok_or_else(|| AppError::field(ErrCode::SmsNotConfigured, "phone"))?;
    let bounds = state.config.network_bounds;
    crate::abuse::spend_bound(&state.store, SCOPE, network, bounds.follows).await?;
    let key = state.config.secret_key.expose();
    let t = now();
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let phone_hash = keyed_hash(key, "sms-phone", phone);
    let day = format_date(t);
    let id = {
        let mut tx = state.store.begin_write().await?;
        subject_name(&mut tx, subject).await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM follow_subscriptions WHERE phone_hash = $1 AND cancelled_at IS NULL \
             AND NOT (subject_kind = $2 AND subject = $3 AND only_filter = $4)",
        )
        .bind(&phone_hash)
        .bind(subject.kind())
        .bind(subject.value())
        .bind(subject.only())
        .fetch_one(&mut *tx)
        .await?;
        if held >= MAX_PER_PHONE {
            return Err(AppError::field(ErrCode::TooMany, "phone"));
        }
        // The row is made once per phone and subject; a new code replaces the last only when it is a minute old
        // (one statement, so of parallel requests one passes). The phone is sealed after the id is known.
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO follow_subscriptions (subject_kind, subject, only_filter, phone_hash, phone, mode, lang, \
             code_hash, code_expires_at, code_sent_at, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, 0, $9) \
             ON CONFLICT (phone_hash, subject_kind, subject, only_filter) DO UPDATE SET \
             code_expires_at = excluded.code_expires_at, code_sent_at = excluded.code_sent_at, attempts = 0, \
             lang = CASE WHEN follow_subscriptions.confirmed_at IS NULL THEN excluded.lang \
             ELSE follow_subscriptions.lang END \
             WHERE follow_subscriptions.code_sent_at IS NULL OR follow_subscriptions.code_sent_at <= $10 \
             RETURNING id",
        )
        .bind(subject.kind())
        .bind(subject.value())
        .bind(subject.only())
        .bind(&phone_hash)
        .bind(Vec::<u8>::new())
        .bind(mode.as_str())
        .bind(lang.code())
        .bind(t + CODE_TTL_SECS)
        .bind(t)
        .bind(t - RESEND_SECS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else { return Err(AppError::rate_limited(RESEND_SECS as u64)) };
        // The code is bound to the row and the mode asked for: confirming it sets that mode.
        sqlx::query("UPDATE follow_subscriptions SET phone = $1, code_hash = $2 WHERE id = $3")
            .bind(sealed::seal(key, "follow-phone", &place(id), phone.as_bytes())?)
            .bind(code_hash(key, id, mode, &code))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let wait = crate::picks::sms::secs_to_china_midnight(t) as u64;
        if count_sent(&mut tx, &day, &phone_hash, bounds.sms_per_phone_per_day).await?.is_none() {
            return Err(AppError::rate_limited(wait));
        }
        if count_sent(&mut tx, &day, "city", bounds.sms_daily_budget).await?.is_none() {
            return Err(AppError {
                code: ErrCode::SmsBudgetExhausted,
                field: Some("phone".into()),
                retry_after: Some(wait),
            });
        }
        tx.commit().await?;
        id
    };
    // Sent after the commit, with no connection held: the gateway may be slow.
    send_now(&url, phone, &T::SmsFollowCode.fill(lang, &[("code", &code)])).await?;
    Ok(Requested { confirm: token(key, "confirm", id), expires_in: CODE_TTL_SECS })
}

/// The stored hash of a code, bound to its subscription and the mode it was asked with.
fn code_hash(key: &[u8], id: i64, mode: Mode, code: &str) -> String {
    keyed_hash(key, "follow-code", &format!("{id}:{}:{code}", mode.as_str()))
}

/// What a confirmation answers.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Confirmed {
    pub subject: String,
    pub mode: Mode,
    /// The path of the subscription's unsubscribe page (also in every message).
    pub unsubscribe: String,
}

/// Confirms a subscription with its code (tries bounded per network like subscriptions, `PORTAL_BOUND_FOLLOWS`): it starts (again, if it was cancelled) in the mode it was asked with.
/// The attempt is counted and committed before the code is compared, so guesses in parallel cannot pass
/// [`MAX_ATTEMPTS`]; a code is good for ten minutes and once. A token whose MAC is wrong is 404 naming `token`;
/// a wrong, spent or expired code 400 `invalid_code` naming `code`.
pub async fn confirm(
    state: &AppState,
    token_text: &str,
    code: &str,
    network: Option<&str>,
) -> Result<Confirmed, AppError> {
    crate::abuse::spend_bound(&state.store, "follow-confirm", network, state.config.network_bounds.follows).await?;
    let key = state.config.secret_key.expose();
    let id = token_id(key, "confirm", token_text)?;
    let t = now();
    let row = {
        let mut tx = state.store.begin_write().await?;
        let row = sqlx::query(
            "UPDATE follow_subscriptions SET attempts = attempts + 1 WHERE id = $1 AND code_hash IS NOT NULL \
             AND code_expires_at >= $2 AND attempts < $3 \
             RETURNING code_hash, subject_kind, subject, only_filter, mode",
        )
        .bind(id)
        .bind(t)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row
    };
    let bad = || AppError::field(ErrCode::InvalidCode, "code");
    let row = row.ok_or_else(bad)?;
    let stored: String = col(&row, "code_hash")?;
    let mode =
        [Mode::Immediate, Mode::Digest].into_iter().find(|m| code_hash(key, id, *m, code) == stored).ok_or_else(bad)?;
    let done = sqlx::query(
        "UPDATE follow_subscriptions SET confirmed_at = $1, cancelled_at = NULL, mode = $2, code_hash = NULL \
         WHERE id = $3 AND code_hash = $4",
    )
    .bind(t)
    .bind(mode.as_str())
    .bind(id)
    .bind(&stored)
    .execute(state.store.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(bad());
    }
    let subject = Subject::from_stored(
        &col::<String>(&row, "subject_kind")?,
        &col::<String>(&row, "subject")?,
        &col::<String>(&row, "only_filter")?,
    )
    .ok_or_else(|| AppError::internal("stored subject"))?;
    Ok(Confirmed { subject: subject.param(), mode, unsubscribe: stop_path(state, id) })
}

/// The subscription an unsubscribe token names, for its page: its subject's name, and whether it is already
/// cancelled. 404 naming `token` for an altered token.
pub async fn describe_stop(state: &AppState, token_text: &str) -> Result<(String, bool), AppError> {
    let id = token_id(state.config.secret_key.expose(), "stop", token_text)?;
    let mut conn = state.store.pool().acquire().await?;
    let row =
        sqlx::query("SELECT subject_kind, subject, only_filter, cancelled_at FROM follow_subscriptions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::field(ErrCode::NotFound, "token"))?;
    let subject = Subject::from_stored(
        &col::<String>(&row, "subject_kind")?,
        &col::<String>(&row, "subject")?,
        &col::<String>(&row, "only_filter")?,
    )
    .ok_or_else(|| AppError::internal("stored subject"))?;
    let name = subject_name(&mut conn, &subject).await.unwrap_or_else(|_| subject.value());
    Ok((name, col::<Option<i64>>(&row, "cancelled_at")?.is_some()))
}

/// Cancels the subscription an unsubscribe token names (bounded per network, `PORTAL_BOUND_FOLLOWS`): one step, no code, and again is the same. 404 naming
/// `token` for an altered token. Messages already queued for it are not sent.
pub async fn unsubscribe(state: &AppState, token_text: &str, network: Option<&str>) -> Result<(), AppError> {
    crate::abuse::spend_bound(&state.store, "follow-stop", network, state.config.network_bounds.follows).await?;
    let id = token_id(state.config.secret_key.expose(), "stop", token_text)?;
    let found: Option<i64> = sqlx::query_scalar(
        "UPDATE follow_subscriptions SET cancelled_at = COALESCE(cancelled_at, $1) WHERE id = $2 RETURNING id",
    )
    .bind(now())
    .bind(id)
    .fetch_optional(state.store.pool())
    .await?;
    found.map(|_| ()).ok_or_else(|| AppError::field(ErrCode::NotFound, "token"))
}

/// A reply from a phone, posted by the SMS gateway (its signature checked by the adapter): a stop word cancels
/// every subscription of that phone. Returns how many were cancelled (0 for any other text, which is ignored).
pub async fn reply(state: &AppState, phone: &str, text: &str) -> Result<u64, AppError> {
    if !domain::follow::sms::is_stop_word(text) {
        return Ok(0);
    }
    let phone = domain::text::parse_phone(phone)?;
    let done =
        sqlx::query("UPDATE follow_subscriptions SET cancelled_at = $1 WHERE phone_hash = $2 AND cancelled_at IS NULL")
            .bind(now())
            .bind(keyed_hash(state.config.secret_key.expose(), "sms-phone", &phone))
            .execute(state.store.pool())
            .await?;
    Ok(done.rows_affected())
}

/// What the outbox does with an alert or a digest due to be sent.
#[derive(Debug)]
pub enum Outgoing {
    /// Send this to the gateway.
    Send { phone: String, message: String },
    /// Nothing to send: the subscription was cancelled, or the alert went into the digest (over the day's cap).
    Skip(&'static str),
}

struct Sub {
    phone: String,
    phone_hash: String,
    lang: Lang,
    subject: Subject,
    cancelled: bool,
}

async fn load_sub(state: &AppState, conn: &mut AnyConnection, id: i64) -> Result<Option<Sub>, AppError> {
    let Some(row) = sqlx::query(
        "SELECT phone, phone_hash, lang, subject_kind, subject, only_filter, cancelled_at, confirmed_at \
         FROM follow_subscriptions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let phone =
        sealed::open(state.config.secret_key.expose(), "follow-phone", &place(id), &col::<Vec<u8>>(&row, "phone")?)?;
    let subject = Subject::from_stored(
        &col::<String>(&row, "subject_kind")?,
        &col::<String>(&row, "subject")?,
        &col::<String>(&row, "only_filter")?,
    )
    .ok_or_else(|| AppError::internal("stored subject"))?;
    Ok(Some(Sub {
        phone: String::from_utf8(phone).map_err(AppError::internal)?,
        phone_hash: col(&row, "phone_hash")?,
        lang: Lang::parse(&col::<String>(&row, "lang")?).unwrap_or_default(),
        subject,
        cancelled: col::<Option<i64>>(&row, "cancelled_at")?.is_some()
            || col::<Option<i64>>(&row, "confirmed_at")?.is_none(),
    }))
}

fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config.public_url.as_deref().unwrap_or_default())
}

/// The alert `follow:<subscription>:<event>` as it is sent now: skipped if the subscription was cancelled since,
/// or folded into the evening's digest once the phone had its alerts for the day.
pub async fn alert(state: &AppState, key: &str) -> Result<Outgoing, AppError> {
    let mut parts = key.split(':').skip(1).map(|p| p.parse::<i64>());
    let (Some(Ok(sub)), Some(Ok(event))) = (parts.next(), parts.next()) else {
        return Err(AppError::internal(format!("bad follow key {key}")));
    };
    let mut tx = state.store.begin_write().await?;
    let Some(s) = load_sub(state, &mut tx, sub).await? else { return Ok(Outgoing::Skip("subscription gone")) };
    if s.cancelled {
        return Ok(Outgoing::Skip("unsubscribed"));
    }
    let row =
        sqlx::query("SELECT title, path FROM follow_events WHERE id = $1").bind(event).fetch_one(&mut *tx).await?;
    let t = now();
    let cap = state.config.network_bounds.follow_sms_per_phone_per_day;
    if count_sent(&mut tx, &format_date(t), &format!("follow:{}", s.phone_hash), cap).await?.is_none() {
        sqlx::query(
            "INSERT INTO follow_digest (subscription_id, event_id, digest_day, created_at) VALUES ($1, $2, NULL, $3) \
             ON CONFLICT (subscription_id, event_id) DO NOTHING",
        )
        .bind(sub)
        .bind(event)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Outgoing::Skip("over the day's cap: in the digest"));
    }
    tx.commit().await?;
    let message = notice(
        s.lang,
        &col::<String>(&row, "title")?,
        &absolute(state, &col::<String>(&row, "path")?),
        &absolute(state, &stop_path(state, sub)),
    );
    Ok(Outgoing::Send { phone: s.phone, message })
}

/// The digest `digest:<subscription>:<day>` as it is sent now: every happening attached to it, newest last.
pub async fn digest_of(state: &AppState, key: &str) -> Result<Outgoing, AppError> {
    let mut parts = key.split(':').skip(1);
    let (Some(Ok(sub)), Some(day)) = (parts.next().map(str::parse::<i64>), parts.next()) else {
        return Err(AppError::internal(format!("bad digest key {key}")));
    };
    let mut conn = state.store.pool().acquire().await?;
    let Some(s) = load_sub(state, &mut conn, sub).await? else { return Ok(Outgoing::Skip("subscription gone")) };
    if s.cancelled {
        return Ok(Outgoing::Skip("unsubscribed"));
    }
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT e.title FROM follow_digest d JOIN follow_events e ON e.id = d.event_id \
         WHERE d.subscription_id = $1 AND d.digest_day = $2 ORDER BY e.due_at, e.id",
    )
    .bind(sub)
    .bind(day)
    .fetch_all(&mut *conn)
    .await?;
    if titles.is_empty() {
        return Ok(Outgoing::Skip("empty digest"));
    }
    let name = subject_name(&mut conn, &s.subject).await.unwrap_or_else(|_| s.subject.value());
    let message =
        digest(s.lang, &name, &titles, &absolute(state, &s.subject.page()), &absolute(state, &stop_path(state, sub)));
    Ok(Outgoing::Send { phone: s.phone, message })
}

/// Queues the day's digests once it is past [`DIGEST_HOUR`] China time: one message per subscription with
/// happenings waiting, each keyed by subscription and day (so at most one a day), the happenings attached to it
/// in the same transaction. A happening that arrives after its subscription's digest went waits for the next.
/// Returns how many digests were queued.
pub async fn queue_digests(store: &Store, t: i64) -> Result<u64, AppError> {
    let china = t + 8 * 3600;
    if china.rem_euclid(86_400) < DIGEST_HOUR * 3600 {
        return Ok(0);
    }
    let day = format_date(t);
    let mut tx = store.begin_write().await?;
    let queued: Vec<String> = sqlx::query_scalar(
        "INSERT INTO outbox (kind, idempotency_key, payload, next_at, created_at) \
         SELECT DISTINCT 'digest', 'digest:' || CAST(subscription_id AS TEXT) || ':' || $1, $2, $3, $3 \
         FROM follow_digest WHERE digest_day IS NULL \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
    )
    .bind(&day)
    .bind(Vec::<u8>::new())
    .bind(t)
    .fetch_all(&mut *tx)
    .await?;
    for key in &queued {
        let sub: i64 = key.split(':').nth(1).and_then(|s| s.parse().ok()).unwrap_or_default();
        sqlx::query("UPDATE follow_digest SET digest_day = $1 WHERE subscription_id = $2 AND digest_day IS NULL")
            .bind(&day)
            .bind(sub)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(queued.len() as u64)
}

/// Housekeeping: subscriptions never confirmed a day after their last code are deleted (with their sealed phone).
pub async fn sweep(store: &Store, t: i64) -> Result<u64, AppError> {
    let done = sqlx::query("DELETE FROM follow_subscriptions WHERE confirmed_at IS NULL AND code_sent_at < $1")
        .bind(t - 86_400)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}
