//! One-time SMS codes for rounds that verify phone numbers. Codes are six digits, valid ten minutes, single
//! use, five attempts; only keyed hashes of the phone and the code are stored, and neither is ever logged.
//! Sending costs the city money, so requests are bounded per network (minute and day, on all instances), to one
//! a minute and five a day per phone, and by a city-wide daily budget (`PORTAL_SMS_DAILY_BUDGET`).
//! Codes go out through `PORTAL_SMS_URL` (POST JSON `{"phone", "message"}`); without it no SMS round opens.

use super::rounds::rules_in;
use crate::clock::now;
use crate::sealed::keyed_hash;
use crate::AppState;
use domain::clock::format_date;
use domain::picks::{Phase, VoterCheck};
use domain::{AppError, ErrCode};
use rand::Rng;
use sqlx::AnyConnection;

pub const CODE_TTL_SECS: i64 = 600;
pub const MAX_ATTEMPTS: i64 = 5;
/// A new code for the same phone and round at most this often.
pub const RESEND_SECS: i64 = 60;
/// The `abuse` scope of the per-network bound on code requests (`config.network_bounds.sms`).
pub const SMS_SCOPE: &str = "sms";

/// Seconds until the next midnight in China (UTC+8), when the daily caps start again.
pub fn secs_to_china_midnight(t: i64) -> i64 {
    86_400 - (t + 8 * 3600).rem_euclid(86_400)
}

/// Sends a code to `phone` (already validated) for voting in `round_id`, asked from `network`
/// (`abuse::network_key`; `None` for tools). Refused, in this order and spending nothing further: the round
/// (404, 400 not an SMS round, 409 not voting); the per-network bound (429); then, in one transaction, so
/// parallel requests cannot all pass: one code a minute per phone and round (429), five codes a day per phone
/// (`PORTAL_SMS_PER_PHONE_PER_DAY`; 429 until midnight), the city's daily budget (`PORTAL_SMS_DAILY_BUDGET`;
/// 503 `sms_budget_exhausted` until midnight China time).
pub async fn request_code(state: &AppState, round_id: i64, phone: &str, network: Option<&str>) -> Result<(), AppError> {
    let url = state.config.sms_url.clone().ok_or_else(|| AppError::field(ErrCode::SmsNotConfigured, "phone"))?;
    let key = state.config.secret_key.expose();
    let rules = {
        let mut conn = state.store.pool().acquire().await?;
        rules_in(&mut conn, round_id).await?
    };
    if rules.voter_check != VoterCheck::Sms {
        return Err(AppError::field(ErrCode::InvalidValue, "phone"));
    }
    if rules.phase() != Phase::Voting {
        return Err(AppError::field(ErrCode::PhaseClosed, "phone"));
    }
    let bounds = state.config.network_bounds;
    crate::abuse::spend_bound(&state.store, SMS_SCOPE, network, bounds.sms).await?;
    let t = now();
    let code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let phone_hash = keyed_hash(key, "sms-phone", phone);
    let day = format_date(t);
    let first_of_day = {
        let mut tx = state.store.begin_write().await?;
        // Replaces the phone's code only if the last one is a minute old: one statement, so of parallel requests
        // exactly one passes (PostgreSQL re-checks the condition on the row the first one committed).
        let replaced = sqlx::query(
            "INSERT INTO sms_codes (round_id, phone_hash, code_hash, expires_at, attempts, used_at, created_at) \
             VALUES ($1, $2, $3, $4, 0, NULL, $5) ON CONFLICT (round_id, phone_hash) DO UPDATE SET \
             code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0, used_at = NULL, \
             created_at = excluded.created_at WHERE sms_codes.created_at <= $6 RETURNING round_id",
        )
        .bind(round_id)
        .bind(&phone_hash)
        .bind(keyed_hash(key, "sms-code", &format!("{round_id}:{phone}:{code}")))
        .bind(t + CODE_TTL_SECS)
        .bind(t)
        .bind(t - RESEND_SECS)
        .fetch_optional(&mut *tx)
        .await?;
        if replaced.is_none() {
            return Err(AppError::rate_limited(RESEND_SECS as u64));
        }
        let wait = secs_to_china_midnight(t) as u64;
        if count_sent(&mut tx, &day, &phone_hash, bounds.sms_per_phone_per_day).await?.is_none() {
            return Err(AppError::rate_limited(wait));
        }
        let Some(city) = count_sent(&mut tx, &day, "city", bounds.sms_daily_budget).await? else {
            tracing::warn!(
                budget = bounds.sms_daily_budget,
                "the day's SMS budget is spent; codes refused until midnight"
            );
            return Err(budget_exhausted(t));
        };
        tx.commit().await?;
        city == 1
    };
    if first_of_day {
        // Housekeeping once a day: the per-phone counts of last week are no longer needed.
        let week_ago = format_date(t - 7 * 86_400);
        let _ = sqlx::query("DELETE FROM sms_sent WHERE day < $1").bind(week_ago).execute(state.store.pool()).await;
    }
    // Sent after the commit, with no connection held: the gateway may be slow.
    let message =
        format!("【食安绵阳】你点我检投票验证码 {code}，10分钟内有效。Your voting code is {code}, valid 10 minutes.");
    send_now(&url, phone, &message).await
}

/// Sends a one-time code's message to the gateway at once (codes cannot wait in the outbox): 503 `unavailable`
/// when the gateway refuses or cannot be reached. Call it with no connection held: the gateway may be slow. The
/// phone and the message stay out of the log.
pub(crate) async fn send_now(url: &str, phone: &str, message: &str) -> Result<(), AppError> {
    let sent = reqwest::Client::new()
        .post(url)
        .timeout(std::time::Duration::from_secs(10))
        .json(&serde_json::json!({ "phone": phone, "message": message }))
        .send()
        .await
        .and_then(|r| r.error_for_status());
    if let Err(e) = sent {
        tracing::warn!(status = ?e.status(), "SMS gateway refused or unreachable");
        return Err(AppError::new(ErrCode::Unavailable));
    }
    Ok(())
}

/// Counts one more code for `subject` on `day` unless `cap` are counted already: the new count, or `None` at the
/// cap. One statement, so parallel transactions queue on the row.
pub(crate) async fn count_sent(
    conn: &mut AnyConnection,
    day: &str,
    subject: &str,
    cap: i64,
) -> Result<Option<i64>, AppError> {
    if cap <= 0 {
        return Ok(None);
    }
    let n: Option<i64> = sqlx::query_scalar(
        "INSERT INTO sms_sent (day, subject, sent) VALUES ($1, $2, 1) ON CONFLICT (day, subject) DO UPDATE \
         SET sent = sms_sent.sent + 1 WHERE sms_sent.sent < $3 RETURNING sent",
    )
    .bind(day)
    .bind(subject)
    .bind(cap)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(n)
}

/// Counts one SMS that is not a voting code (a notice to a reporter, say) against the city's daily budget:
/// 503 `sms_budget_exhausted` with `Retry-After` until midnight China time once the day's budget is spent.
pub async fn spend_budget(state: &AppState) -> Result<(), AppError> {
    let t = now();
    let mut conn = state.store.pool().acquire().await?;
    match count_sent(&mut conn, &format_date(t), "city", state.config.network_bounds.sms_daily_budget).await? {
        Some(_) => Ok(()),
        None => Err(budget_exhausted(t)),
    }
}

fn budget_exhausted(t: i64) -> AppError {
    let wait = secs_to_china_midnight(t) as u64;
    AppError { code: ErrCode::SmsBudgetExhausted, field: Some("phone".into()), retry_after: Some(wait) }
}

/// SMS sent today (China calendar day) in the whole city, and the day's budget: for the staff console.
pub async fn sent_today(state: &AppState) -> Result<(i64, i64), AppError> {
    let n: Option<i64> = sqlx::query_scalar("SELECT sent FROM sms_sent WHERE day = $1 AND subject = 'city'")
        .bind(format_date(now()))
        .fetch_optional(state.store.pool())
        .await?;
    Ok((n.unwrap_or(0), state.config.network_bounds.sms_daily_budget))
}

/// Checks and uses up a code. The attempt is counted before the code is compared, in one statement that
/// refuses a sixth, so parallel guesses cannot all be compared: at most five are, right or wrong. Wrong, expired,
/// used, exhausted or unknown codes all answer `invalid_code` naming `code`.
pub async fn verify_code(state: &AppState, round_id: i64, phone: &str, code: &str) -> Result<(), AppError> {
    let key = state.config.secret_key.expose();
    let phone_hash = keyed_hash(key, "sms-phone", phone);
    let given = keyed_hash(key, "sms-code", &format!("{round_id}:{phone}:{}", code.trim()));
    let t = now();
    let bad = || AppError::field(ErrCode::InvalidCode, "code");
    let stored: Option<String> = sqlx::query_scalar(
        "UPDATE sms_codes SET attempts = attempts + 1 WHERE round_id = $1 AND phone_hash = $2 AND attempts < $3 \
         AND used_at IS NULL AND expires_at > $4 RETURNING code_hash",
    )
    .bind(round_id)
    .bind(&phone_hash)
    .bind(MAX_ATTEMPTS)
    .bind(t)
    .fetch_optional(state.store.pool())
    .await?;
    if stored.as_deref() != Some(given.as_str()) {
        return Err(bad());
    }
    let done = sqlx::query(
        "UPDATE sms_codes SET used_at = $1 WHERE round_id = $2 AND phone_hash = $3 AND used_at IS NULL AND code_hash = $4",
    )
        .bind(t)
        .bind(round_id)
        .bind(&phone_hash)
        .bind(&given)
        .execute(state.store.pool())
        .await?
        .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_caps_start_again_at_midnight_china_time() {
        let midnight = domain::clock::parse_date("2026-12-08").unwrap();
        assert_eq!(secs_to_china_midnight(midnight - 5), 5);
        assert_eq!(secs_to_china_midnight(midnight), 86_400);
        assert_eq!(format_date(midnight - 1), "2026-12-07");
        assert_eq!(format_date(midnight), "2026-12-08");
    }
}
