//! One-time SMS codes for rounds that verify phone numbers. Codes are six digits, valid ten minutes, single
//! use, five attempts; only keyed hashes of the phone and the code are stored, and neither is ever logged.
//! Codes go out through `PORTAL_SMS_URL` (POST JSON `{"phone", "message"}`); without it no SMS round opens.

use super::rounds::rules_in;
use super::voter::keyed_hash;
use crate::clock::now;
use crate::AppState;
use domain::picks::{Phase, VoterCheck};
use domain::{AppError, ErrCode};
use rand::Rng;

pub const CODE_TTL_SECS: i64 = 600;
pub const MAX_ATTEMPTS: i64 = 5;
/// A new code for the same phone and round at most this often.
pub const RESEND_SECS: i64 = 60;

/// Sends a code to `phone` (already validated) for voting in `round_id`.
pub async fn request_code(state: &AppState, round_id: i64, phone: &str) -> Result<(), AppError> {
    let url = state.config.sms_url.clone().ok_or_else(|| AppError::field(ErrCode::SmsNotConfigured, "phone"))?;
    let key = state.config.secret_key.expose();
    let t = now();
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let phone_hash = keyed_hash(key, "sms-phone", phone);
    {
        let mut tx = state.store.begin_write().await?;
        let rules = rules_in(&mut tx, round_id).await?;
        if rules.voter_check != VoterCheck::Sms {
            return Err(AppError::field(ErrCode::InvalidValue, "phone"));
        }
        if rules.phase() != Phase::Voting {
            return Err(AppError::field(ErrCode::PhaseClosed, "phone"));
        }
        let last: Option<i64> = sqlx::query_scalar("SELECT created_at FROM sms_codes WHERE round_id = $1 AND phone_hash = $2")
            .bind(round_id)
            .bind(&phone_hash)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(last) = last.filter(|l| t - l < RESEND_SECS) {
            return Err(AppError::rate_limited((RESEND_SECS - (t - last)).max(1) as u64));
        }
        sqlx::query(
            "INSERT INTO sms_codes (round_id, phone_hash, code_hash, expires_at, attempts, used_at, created_at) \
             VALUES ($1, $2, $3, $4, 0, NULL, $5) ON CONFLICT (round_id, phone_hash) DO UPDATE SET \
             code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, used_at = NULL, \
             created_at = excluded.created_at",
        )
        .bind(round_id)
        .bind(&phone_hash)
        .bind(keyed_hash(key, "sms-code", &format!("{round_id}:{phone}:{code}")))
        .bind(t + CODE_TTL_SECS)
        .bind(t)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    // Sent after the commit, with no connection held: the gateway may be slow.
    let message = format!("【食安绵阳】你点我检投票验证码 {code}，10分钟内有效。Your voting code is {code}, valid 10 minutes.");
    let sent = reqwest::Client::new()
        .post(url)
        .timeout(std::time::Duration::from_secs(10))
        .json(&serde_json::json!({ "phone": phone, "message": message }))
        .send()
        .await
        .and_then(|r| r.error_for_status());
    if let Err(e) = sent {
        // The phone and the code stay out of the log.
        tracing::warn!(status = ?e.status(), "SMS gateway refused or unreachable");
        return Err(AppError::new(ErrCode::Unavailable));
    }
    Ok(())
}

/// Checks and uses up a code. A wrong code spends an attempt; wrong, expired, used or unknown codes all answer
/// `invalid_code` naming `code`.
pub async fn verify_code(state: &AppState, round_id: i64, phone: &str, code: &str) -> Result<(), AppError> {
    let key = state.config.secret_key.expose();
    let phone_hash = keyed_hash(key, "sms-phone", phone);
    let given = keyed_hash(key, "sms-code", &format!("{round_id}:{phone}:{}", code.trim()));
    let t = now();
    let mut tx = state.store.begin_write().await?;
    let row = sqlx::query(
        "SELECT code_hash, expires_at, attempts, used_at FROM sms_codes WHERE round_id = $1 AND phone_hash = $2",
    )
    .bind(round_id)
    .bind(&phone_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let bad = || AppError::field(ErrCode::InvalidCode, "code");
    let Some(row) = row else { return Err(bad()) };
    let stored: String = crate::store::col(&row, "code_hash")?;
    let expires: i64 = crate::store::col(&row, "expires_at")?;
    let attempts: i64 = crate::store::col(&row, "attempts")?;
    let used: Option<i64> = crate::store::col(&row, "used_at")?;
    if used.is_some() || expires <= t || attempts >= MAX_ATTEMPTS {
        return Err(bad());
    }
    if stored != given {
        sqlx::query("UPDATE sms_codes SET attempts = attempts + 1 WHERE round_id = $1 AND phone_hash = $2")
            .bind(round_id)
            .bind(&phone_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(bad());
    }
    let done = sqlx::query("UPDATE sms_codes SET used_at = $1 WHERE round_id = $2 AND phone_hash = $3 AND used_at IS NULL")
        .bind(t)
        .bind(round_id)
        .bind(&phone_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    if done == 1 {
        Ok(())
    } else {
        Err(bad())
    }
}
