//! The outbox: messages to other systems — an accepted case forwarded to `PORTAL_WEBHOOK_URL` (JSON, HMAC-signed
//! with a timestamp and the idempotency key: see [`signature`]), status notices by SMS to a reporter who gave a
//! phone — are written in the same transaction as the change they report, then delivered by a worker with retries
//! and backoff. A receiver that is down for hours loses nothing; a restart loses nothing (the rows are the queue).
//! With several instances each message is claimed by one (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one
//! writer) just before it is sent, for longer than a send may take, so no other instance sends it meanwhile.

use crate::clock::now;
use crate::sealed;
use crate::store::{col, Store};
use crate::AppState;
use domain::AppError;
use sqlx::AnyConnection;
use std::time::Duration;

/// Messages one worker round takes.
const BATCH: i64 = 20;

/// How long a claim keeps other instances off a message, and how long one delivery may take. A claim always
/// outlives a send (see [`Timing::lease_secs`]).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub claim_secs: i64,
    pub send_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing { claim_secs: 60, send_timeout: Duration::from_secs(10) }
    }
}

impl Timing {
    /// The claim taken for one message: at least the send timeout and two seconds more (the claim is kept in whole
    /// seconds), so it cannot run out while the message is on the wire.
    pub fn lease_secs(&self) -> i64 {
        self.claim_secs.max(self.send_timeout.as_secs() as i64 + 2)
    }
}
/// A message's payload opens only under its own idempotency key.
fn place(key: &str) -> String {
    format!("outbox/{key}")
}

/// Re-seals the payloads of messages queued before sealed values were bound to their row (run at start).
pub async fn reseal_legacy(state: &AppState) -> Result<u64, AppError> {
    let secret = state.config.secret_key.expose();
    let rows = sqlx::query("SELECT id, idempotency_key, payload FROM outbox").fetch_all(state.store.pool()).await?;
    let mut n = 0;
    for row in &rows {
        let key: String = col(row, "idempotency_key")?;
        if let Some(p) = sealed::reseal(secret, "outbox", &place(&key), &col::<Vec<u8>>(row, "payload")?)? {
            sqlx::query("UPDATE outbox SET payload = $1 WHERE id = $2")
                .bind(p)
                .bind(col::<i64>(row, "id")?)
                .execute(state.store.pool())
                .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Backoff: 2 s, 4 s, 8 s … at most 15 minutes between attempts, for as long as it takes.
pub fn backoff_secs(attempts: i64) -> i64 {
    2i64.saturating_pow(attempts.clamp(1, 20) as u32).min(900)
}

/// Queues a message on the caller's transaction. A second message with the same key is ignored.
pub async fn enqueue_in(
    conn: &mut AnyConnection,
    state: &AppState,
    kind: &str,
    key: &str,
    payload: &serde_json::Value,
) -> Result<(), AppError> {
    let sealed = sealed::seal(state.config.secret_key.expose(), "outbox", &place(key), payload.to_string().as_bytes())?;
    sqlx::query(
        "INSERT INTO outbox (kind, idempotency_key, payload, next_at, created_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(kind)
    .bind(key)
    .bind(sealed)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

struct Claimed {
    id: i64,
    kind: String,
    key: String,
    payload: Vec<u8>,
    attempts: i64,
}

/// Claims the next message due, for `lease` seconds. One at a time, just before it is sent: a batch claimed at
/// once could run out of its claim while its first messages were still being sent (20 × 10 s against 60 s), and
/// another instance would send the rest again. `id = (scalar subquery)`, evaluated once per statement: with
/// `id IN (… LIMIT 1 FOR UPDATE SKIP LOCKED)` PostgreSQL's re-check under a concurrent claim was seen to claim
/// two rows in one statement.
async fn claim_one(store: &Store, lease: i64) -> Result<Option<Claimed>, AppError> {
    let t = now();
    let skip = store.dialect().skip_locked();
    let row = sqlx::query(&format!(
        "UPDATE outbox SET claimed_until = $1 WHERE id = (SELECT id FROM outbox q WHERE q.delivered_at IS NULL \
         AND q.next_at <= $2 AND (q.claimed_until IS NULL OR q.claimed_until < $2) \
         AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.receiver_id = q.receiver_id \
             AND p.subject_key = q.subject_key AND p.delivered_at IS NULL AND p.id < q.id) \
         ORDER BY q.id LIMIT 1{skip}) \
         AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2) \
         RETURNING id, kind, idempotency_key, payload, attempts"
    ))
    .bind(t + lease)
    .bind(t)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref()
        .map(|r| {
            Ok(Claimed {
                id: col(r, "id")?,
                kind: col(r, "kind")?,
                key: col(r, "idempotency_key")?,
                payload: col(r, "payload")?,
                attempts: col(r, "attempts")?,
            })
        })
        .transpose()
}

/// The `X-Portal-Signature` of a webhook sent at `t` (Unix seconds) with idempotency key `key`:
/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<key>.<body>">` under `PORTAL_WEBHOOK_SECRET` (or, without one, a key
/// derived from the secret key). A receiver recomputes the HMAC over the `t` it was given, the `Idempotency-Key`
/// header and the raw body, compares in constant time, and refuses a `t` more than five minutes from its clock:
/// a captured request cannot be replayed later, nor its signature moved to another key or body. Within the five
/// minutes a replay carries the same idempotency key, which the receiver already deduplicates on.
pub fn signature(state: &AppState, t: i64, key: &str, body: &[u8]) -> String {
    let secret: Vec<u8> = match &state.config.webhook_secret {
        Some(s) => s.expose().as_bytes().to_vec(),
        None => crate::sealed::keyed_hash(state.config.secret_key.expose(), "webhook", "signing").into_bytes(),
    };
    sealed::signature(&secret, t, key, body)
}

/// What became of one attempt.
enum Sent {
    Delivered,
    /// Nothing to send any more (an alert to a cancelled subscription, one folded into the digest): done.
    Skipped(&'static str),
}

/// A message as it is to be sent now: its receiver's URL (if one is configured), its body, and the secret a
/// partner's delivery is signed with. `Err` with a reason when there is nothing to send any more.
type Composed = Result<(Option<String>, Vec<u8>, Option<Vec<u8>>), &'static str>;

async fn outgoing(state: &AppState, m: &Claimed) -> Result<Composed, String> {
    use crate::follow::sms::Outgoing;
    let failed = |e: AppError| format!("message not composed: {}", e.message(domain::Lang::En));
    let sms = |o: Outgoing| -> Composed {
        match o {
            Outgoing::Send { phone, message } => Ok((
                state.config.sms_url.clone(),
                serde_json::json!({ "phone": phone, "message": message }).to_string().into_bytes(),
                None,
            )),
            Outgoing::Skip(why) => Err(why),
        }
    };
    Ok(match m.kind.as_str() {
        "follow" => sms(crate::follow::sms::alert(state, &m.key).await.map_err(failed)?),
        "digest" => sms(crate::follow::sms::digest_of(state, &m.key).await.map_err(failed)?),
        "partner" => match crate::follow::webhooks::outgoing(state, &m.key).await.map_err(failed)? {
            Some((url, secret, body)) => Ok((Some(url), body, Some(secret))),
            None => Err("receiver deleted"),
        },
        kind => {
            let plain = sealed::open(state.config.secret_key.expose(), "outbox", &place(&m.key), &m.payload)
                .map_err(|_| "payload does not open".to_owned())?;
            let url = if kind == "webhook" { state.config.webhook_url.clone() } else { state.config.sms_url.clone() };
            Ok((url, plain, None))
        }
    })
}

async fn send(
    state: &AppState,
    client: &reqwest::Client,
    m: &Claimed,
    timeout: Duration,
) -> (Result<Sent, String>, Option<u16>) {
    let (url, body, partner_secret) = match outgoing(state, m).await {
        Ok(Ok((Some(url), body, secret))) => (url, body, secret),
        Ok(Ok((None, ..))) => return (Err("no receiver configured".to_owned()), None),
        Ok(Err(why)) => return (Ok(Sent::Skipped(why)), None),
        Err(e) => return (Err(e), None),
    };
    // A text costs the city like a code does: within the day's budget, else it waits (with backoff) for the next
    // day. Counted per attempt that reaches the gateway.
    if matches!(m.kind.as_str(), "sms" | "follow" | "digest") {
        if let Err(e) = crate::picks::sms::spend_budget(state).await {
            return (
                Err(if e.code == domain::ErrCode::SmsBudgetExhausted {
                    "daily SMS budget spent".to_owned()
                } else {
                    "budget check failed".to_owned()
                }),
                None,
            );
        }
    }
    let mut req =
        client.post(url).timeout(timeout).header("content-type", "application/json").header("idempotency-key", &m.key);
    match (m.kind.as_str(), &partner_secret) {
        ("webhook", _) => req = req.header("x-portal-signature", signature(state, now(), &m.key, &body)),
        (_, Some(secret)) => req = req.header("x-portal-signature", sealed::signature(secret, now(), &m.key, &body)),
        _ => {}
    }
    match req.body(body).send().await {
        Ok(r) if r.status().is_success() => (Ok(Sent::Delivered), Some(r.status().as_u16())),
        Ok(r) => (Err(format!("receiver answered {}", r.status())), Some(r.status().as_u16())),
        // The error text names the URL, never the payload.
        Err(e) => (
            Err(if e.is_timeout() {
                "timeout".to_owned()
            } else if e.is_connect() {
                "connection refused".to_owned()
            } else {
                "request failed".to_owned()
            }),
            None,
        ),
    }
}

/// Webhook deliveries (the case webhook, partners) keep every attempt in the delivery log.
async fn log_attempt(
    state: &AppState,
    m: &Claimed,
    at: i64,
    status: Option<u16>,
    error: Option<&str>,
    millis: i64,
) -> Result<(), AppError> {
    if !matches!(m.kind.as_str(), "webhook" | "partner") {
        return Ok(());
    }
    let status = match status {
        Some(s) => s.to_string(),
        None => "NULL".to_owned(),
    };
    sqlx::query(&format!(
        "INSERT INTO outbox_attempts (outbox_id, at, status, error, millis) VALUES ($1, $2, {status}, NULLIF($3, ''), $4)"
    ))
    .bind(m.id)
    .bind(at)
    .bind(error.map(str::to_owned).unwrap_or_default())
    .bind(millis)
    .execute(state.store.pool())
    .await?;
    Ok(())
}

/// One round: claims what is due and tries to deliver it. Returns how many were delivered.
pub async fn deliver_due(state: &AppState, client: &reqwest::Client) -> Result<usize, AppError> {
    deliver_due_with(state, client, Timing::default()).await
}

/// [`deliver_due`] with other timing (tests).
pub async fn deliver_due_with(state: &AppState, client: &reqwest::Client, timing: Timing) -> Result<usize, AppError> {
    let mut delivered = 0;
    for _ in 0..BATCH {
        let Some(m) = claim_one(&state.store, timing.lease_secs()).await? else { break };
        let started = std::time::Instant::now();
        let (result, status) = send(state, client, &m, timing.send_timeout).await;
        let t = now();
        let millis = started.elapsed().as_millis() as i64;
        log_attempt(state, &m, t, status, result.as_ref().err().map(String::as_str), millis).await?;
        match result {
            Ok(sent) => {
                let note = match sent {
                    Sent::Delivered => None,
                    Sent::Skipped(why) => Some(why),
                };
                sqlx::query(
                    "UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULLIF($2, '') WHERE id = $3",
                )
                .bind(t)
                .bind(note.unwrap_or_default())
                .bind(m.id)
                .execute(state.store.pool())
                .await?;
                delivered += 1;
            }
            Err(e) => {
                sqlx::query("UPDATE outbox SET attempts = attempts + 1, next_at = $1, claimed_until = NULL, last_error = $2 WHERE id = $3")
                    .bind(t + backoff_secs(m.attempts + 1))
                    .bind(&e)
                    .bind(m.id)
                    .execute(state.store.pool())
                    .await?;
                tracing::warn!(id = m.id, kind = %m.kind, attempts = m.attempts + 1, error = %e, "outbound message not delivered; will retry");
            }
        }
    }
    Ok(delivered)
}

/// The worker: a round every `every` (and at once after a round that delivered a full batch).
pub fn spawn_worker(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        loop {
            match deliver_due(&state, &client).await {
                Ok(n) if n as i64 >= BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message(domain::Lang::En), "outbox round failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// A message not delivered yet, for staff.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub key: String,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Messages waiting, those that failed at least once first.
pub async fn pending(store: &Store) -> Result<Vec<Pending>, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, idempotency_key, attempts, next_at, last_error, created_at FROM outbox \
         WHERE delivered_at IS NULL ORDER BY attempts DESC, id LIMIT 100",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Pending {
                id: col(r, "id")?,
                kind: col(r, "kind")?,
                key: col(r, "idempotency_key")?,
                attempts: col(r, "attempts")?,
                next_at: col(r, "next_at")?,
                last_error: col(r, "last_error")?,
                created_at: col(r, "created_at")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!([1, 2, 3, 9, 10, 100].map(super::backoff_secs), [2, 4, 8, 512, 900, 900]);
    }
}
