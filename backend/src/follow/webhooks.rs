//! Partner webhooks: admins register receivers for kinds of happenings; each receiver has its own signing secret,
//! shown once. Deliveries go through the outbox (exactly once, retried with backoff for as long as it takes, in
//! order per receiver and subject), each attempt in the delivery log staff read.

use crate::clock::now;
use crate::sealed;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Store};
use crate::AppState;
use domain::follow::webhooks::{AttemptView, DeliveryView, ReceiverView, WebhookInput, MAX_RECEIVERS};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use rand::RngCore;

fn place(id: i64) -> String {
    format!("webhook/{id}")
}

/// Registers a receiver: returns its id and its signing secret (shown to the admin once, stored sealed).
pub async fn register(state: &AppState, actor: &Actor, w: &WebhookInput) -> Result<(i64, String), AppError> {
    let mut raw = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = format!("whsec_{}", hex::encode(raw));
    let events = w.events.iter().map(|k| k.slug()).collect::<Vec<_>>().join(",");
    let mut tx = state.store.begin_write().await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_receivers").fetch_one(&mut *tx).await?;
    if n >= MAX_RECEIVERS {
        return Err(AppError::field(ErrCode::TooMany, "url"));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO webhook_receivers (name, url, secret, events, active, created_at) VALUES ($1, $2, $3, $4, 1, $5) \
         RETURNING id",
    )
    .bind(&w.name)
    .bind(&w.url)
    .bind(Vec::<u8>::new())
    .bind(&events)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let sealed = sealed::seal(state.config.secret_key.expose(), "webhook-secret", &place(id), secret.as_bytes())?;
    sqlx::query("UPDATE webhook_receivers SET secret = $1 WHERE id = $2")
        .bind(sealed)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let target = format!("webhook:{id}");
    audit::record(
        &mut tx,
        actor,
        Entry::new(A::WebhookRegister).target(&target).detail(&format!("{} {events}", w.name)),
    )
    .await?;
    tx.commit().await?;
    Ok((id, secret))
}

/// Turns a receiver off (nothing more is queued for it; what is queued waits) or on again. 404 for an unknown id.
pub async fn set_active(store: &Store, actor: &Actor, id: i64, active: bool) -> Result<(), AppError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("UPDATE webhook_receivers SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::not_found());
    }
    let action = if active { A::WebhookEnable } else { A::WebhookDisable };
    audit::record(&mut tx, actor, Entry::new(action).target(&format!("webhook:{id}"))).await?;
    tx.commit().await?;
    Ok(())
}

/// A receiver's signing secret, for an admin: the view is audited.
pub async fn secret(state: &AppState, actor: &Actor, id: i64) -> Result<String, AppError> {
    let mut tx = state.store.begin_write().await?;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT secret FROM webhook_receivers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plain = sealed::open(state.config.secret_key.expose(), "webhook-secret", &place(id), &sealed)?;
    audit::record(&mut tx, actor, Entry::new(A::WebhookSecretViewed).target(&format!("webhook:{id}"))).await?;
    tx.commit().await?;
    String::from_utf8(plain).map_err(AppError::internal)
}

/// Every receiver with its delivery counts.
pub async fn list(store: &Store) -> Result<Vec<ReceiverView>, AppError> {
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.url, r.events, r.active, r.created_at, \
         (SELECT COUNT(*) FROM outbox o WHERE o.receiver_id = r.id AND o.delivered_at IS NULL) AS waiting, \
         (SELECT COUNT(*) FROM outbox o WHERE o.receiver_id = r.id AND o.delivered_at IS NOT NULL) AS delivered, \
         (SELECT o.last_error FROM outbox o WHERE o.receiver_id = r.id AND o.delivered_at IS NULL \
          AND o.last_error IS NOT NULL ORDER BY o.id LIMIT 1) AS last_error \
         FROM webhook_receivers r ORDER BY r.id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReceiverView {
                id: col(r, "id")?,
                name: col(r, "name")?,
                url: col(r, "url")?,
                events: col::<String>(r, "events")?.split(',').map(str::to_owned).collect(),
                active: col::<i64>(r, "active")? != 0,
                created_at: col(r, "created_at")?,
                waiting: col(r, "waiting")?,
                delivered: col(r, "delivered")?,
                last_error: col(r, "last_error")?,
            })
        })
        .collect()
}

/// A receiver's delivery log: its latest 100 deliveries (waiting ones first), each with every attempt.
pub async fn log(store: &Store, id: i64) -> Result<(ReceiverView, Vec<DeliveryView>), AppError> {
    let receiver = list(store).await?.into_iter().find(|r| r.id == id).ok_or_else(AppError::not_found)?;
    let mut conn = store.pool().acquire().await?;
    let rows = sqlx::query(
        "SELECT o.id, o.idempotency_key, o.subject_key, o.created_at, o.delivered_at, o.next_at FROM outbox o \
         WHERE o.receiver_id = $1 ORDER BY (CASE WHEN o.delivered_at IS NULL THEN 0 ELSE 1 END), o.id DESC LIMIT 100",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let oid: i64 = col(r, "id")?;
        let attempts =
            sqlx::query("SELECT at, status, error, millis FROM outbox_attempts WHERE outbox_id = $1 ORDER BY id")
                .bind(oid)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|a| {
                    Ok(AttemptView {
                        at: col(a, "at")?,
                        status: col(a, "status")?,
                        error: col(a, "error")?,
                        millis: col(a, "millis")?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
        let key: String = col(r, "idempotency_key")?;
        out.push(DeliveryView {
            id: oid,
            event: key.rsplit(':').next().unwrap_or_default().to_owned(),
            subject: col::<Option<String>>(r, "subject_key")?.unwrap_or_default(),
            created_at: col(r, "created_at")?,
            delivered_at: col(r, "delivered_at")?,
            next_at: col(r, "next_at")?,
            attempts,
        });
    }
    Ok((receiver, out))
}

/// What the outbox sends for delivery `partner:<receiver>:<event>`: the receiver's URL, its secret, and the JSON
/// body. `None` when the receiver was deleted.
pub async fn outgoing(state: &AppState, key: &str) -> Result<Option<(String, Vec<u8>, Vec<u8>)>, AppError> {
    let mut parts = key.split(':').skip(1).map(str::parse::<i64>);
    let (Some(Ok(receiver)), Some(Ok(event))) = (parts.next(), parts.next()) else {
        return Err(AppError::internal(format!("bad partner key {key}")));
    };
    let mut conn = state.store.pool().acquire().await?;
    let Some(r) = sqlx::query("SELECT url, secret FROM webhook_receivers WHERE id = $1")
        .bind(receiver)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let secret = sealed::open(
        state.config.secret_key.expose(),
        "webhook-secret",
        &place(receiver),
        &col::<Vec<u8>>(&r, "secret")?,
    )?;
    let e = sqlx::query(
        "SELECT event_key, kind, business_code, district, food_category, round_id, title, path, due_at \
         FROM follow_events WHERE id = $1",
    )
    .bind(event)
    .fetch_one(&mut *conn)
    .await?;
    let opt = |s: String| if s.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(s) };
    let path: String = col(&e, "path")?;
    let body = serde_json::json!({
        "id": col::<String>(&e, "event_key")?,
        "type": col::<String>(&e, "kind")?,
        "title": col::<String>(&e, "title")?,
        "path": path,
        "url": state.config.public_url.as_deref().map(|u| format!("{u}{path}")),
        "at": col::<i64>(&e, "due_at")?,
        "subject": {
            "business_code": opt(col(&e, "business_code")?),
            "district": opt(col(&e, "district")?),
            "food_category": opt(col(&e, "food_category")?),
            "round_id": opt(col(&e, "round_id")?),
        },
    });
    Ok(Some((col(&r, "url")?, secret, body.to_string().into_bytes())))
}
