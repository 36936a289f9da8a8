//! 阳光餐饮 (互联网+明厨亮灶): kitchens on camera. What a business's page and the API show (`sunshine_in`), the
//! vendors staff add, the review that alone makes an AI flag public (confirm with the action taken, optionally
//! recording a credit event; or dismiss), the console's page; the keys vendors sign with (`keys`), the batches
//! they send and staff upload (`ingest`), the demo (`seed`).

/// Batches: signed JSON from vendors and status CSVs from the console, all or nothing, idempotent.
pub mod ingest;
/// Vendor keys: issued (shown once, sealed at rest), checked against a batch's signature.
pub mod keys;
/// The demo's kitchens: up to 400, with 30 days of uptime and reviewed flags.
pub mod seed;

use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::credit::{CreditCode, EventInput, EventKind, Severity};
use domain::kitchens::{
    china_day, Confirmation, ConfirmedFlag, FlagKind, FlagStatus, KitchenRow, PendingFlag, StaffKitchens, SunshineView,
    VendorView, OFFLINE_AFTER_SECS, UPTIME_DAYS,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode, Lang};
use sqlx::AnyConnection;

/// Confirmed flags a business's page shows at most (newest first).
pub const PUBLIC_FLAGS: i64 = 20;

/// The first day of the uptime window ending today (`t`'s China day included).
fn window_start(t: i64) -> i64 {
    china_day(t) - (UPTIME_DAYS - 1) * 86_400
}

/// A business's 阳光餐饮 section, `None` when it is not in the programme. Only confirmed flags, and the live
/// view only with consent.
pub(crate) async fn sunshine_in(
    conn: &mut AnyConnection,
    business_id: i64,
    t: i64,
) -> Result<Option<SunshineView>, AppError> {
    let row = sqlx::query(
        "SELECT k.id, k.joined_at, k.camera_connected, k.last_seen_at, k.live_url, k.live_consent, v.name AS vendor, \
         (SELECT COUNT(*) FROM kitchen_uptime u WHERE u.kitchen_id = k.id AND u.day >= $2) AS days, \
         (SELECT CAST(COALESCE(SUM(u.permille), 0) AS BIGINT) FROM kitchen_uptime u WHERE u.kitchen_id = k.id AND u.day >= $2) \
         AS permille \
         FROM kitchens k JOIN kitchen_vendors v ON v.id = k.vendor_id WHERE k.business_id = $1",
    )
    .bind(business_id)
    .bind(window_start(t))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_seen_at: Option<i64> = col(&row, "last_seen_at")?;
    let days: i64 = col(&row, "days")?;
    let sum: i64 = col(&row, "permille")?;
    let flags = sqlx::query(
        "SELECT kind, detected_at, reviewed_at, action_taken FROM kitchen_flags WHERE business_id = $1 \
         AND status = $2 ORDER BY detected_at DESC, id DESC LIMIT $3",
    )
    .bind(business_id)
    .bind(FlagStatus::Confirmed.as_str())
    .bind(PUBLIC_FLAGS)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ConfirmedFlag {
            kind: col(r, "kind")?,
            detected_at: col(r, "detected_at")?,
            reviewed_at: col::<Option<i64>>(r, "reviewed_at")?.unwrap_or_default(),
            action_taken: col::<Option<String>>(r, "action_taken")?.unwrap_or_default(),
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let consent = col::<i64>(&row, "live_consent")? != 0;
    Ok(Some(SunshineView {
        vendor: col(&row, "vendor")?,
        joined_at: col(&row, "joined_at")?,
        camera_connected: col::<i64>(&row, "camera_connected")? != 0
            && last_seen_at.is_some_and(|s| s >= t - OFFLINE_AFTER_SECS),
        last_seen_at,
        uptime_permille: (days > 0).then(|| (sum + days / 2) / days),
        days_reported: days,
        live_url: if consent { col(&row, "live_url")? } else { None },
        flags,
    }))
}

/// Adds a vendor (admins); its name is unique.
pub async fn create_vendor(store: &Store, actor: &Actor, name: &str) -> Result<i64, AppError> {
    let mut tx = store.begin_write().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM kitchen_vendors WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::field(ErrCode::Conflict, "name"));
    }
    let id: i64 = sqlx::query_scalar("INSERT INTO kitchen_vendors (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(A::KitchenVendorCreate).target(&format!("kitchen_vendor:{id}")).detail(name),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The console's page: vendors with their keys, flags awaiting review (oldest first, 100 at most), the latest
/// uploads, the first 500 kitchens (by name) with their 30-day uptime.
pub async fn staff_view(store: &Store) -> Result<StaffKitchens, AppError> {
    let t = now();
    let mut conn = store.pool().acquire().await?;
    let mut vendors = Vec::new();
    for r in sqlx::query(
        "SELECT v.id, v.name, (SELECT COUNT(*) FROM kitchens k WHERE k.vendor_id = v.id) AS kitchens \
         FROM kitchen_vendors v ORDER BY v.id",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        vendors.push(VendorView {
            id: col(&r, "id")?,
            name: col(&r, "name")?,
            kitchens: col(&r, "kitchens")?,
            keys: vec![],
        });
    }
    for v in &mut vendors {
        v.keys = keys::list_in(&mut conn, v.id).await?;
    }
    let pending = sqlx::query(
        "SELECT f.id, f.event_id, v.name AS vendor, b.credit_code, b.name AS business, f.kind, f.detected_at, \
         f.snapshot_url FROM kitchen_flags f JOIN kitchen_vendors v ON v.id = f.vendor_id \
         JOIN businesses b ON b.id = f.business_id WHERE f.status = $1 ORDER BY f.detected_at, f.id LIMIT 100",
    )
    .bind(FlagStatus::Pending.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(PendingFlag {
            id: col(r, "id")?,
            event_id: col(r, "event_id")?,
            vendor: col(r, "vendor")?,
            credit_code: col(r, "credit_code")?,
            business: col(r, "business")?,
            kind: col(r, "kind")?,
            detected_at: col(r, "detected_at")?,
            snapshot_url: col(r, "snapshot_url")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let uploads = ingest::uploads_in(&mut conn).await?;
    let kitchens = sqlx::query(
        "SELECT b.credit_code, b.name, v.name AS vendor, k.camera_connected, k.last_seen_at, k.live_consent, \
         (SELECT COUNT(*) FROM kitchen_uptime u WHERE u.kitchen_id = k.id AND u.day >= $1) AS days, \
         (SELECT CAST(COALESCE(SUM(u.permille), 0) AS BIGINT) FROM kitchen_uptime u WHERE u.kitchen_id = k.id AND u.day >= $1) \
         AS permille, \
         (SELECT COUNT(*) FROM kitchen_flags f WHERE f.kitchen_id = k.id AND f.status = $2) AS pending \
         FROM kitchens k JOIN businesses b ON b.id = k.business_id JOIN kitchen_vendors v ON v.id = k.vendor_id \
         ORDER BY b.name, b.id LIMIT 500",
    )
    .bind(window_start(t))
    .bind(FlagStatus::Pending.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let days: i64 = col(r, "days")?;
        let seen: Option<i64> = col(r, "last_seen_at")?;
        Ok(KitchenRow {
            credit_code: col(r, "credit_code")?,
            name: col(r, "name")?,
            vendor: col(r, "vendor")?,
            camera_connected: col::<i64>(r, "camera_connected")? != 0
                && seen.is_some_and(|s| s >= t - OFFLINE_AFTER_SECS),
            uptime_permille: (days > 0).then(|| (col::<i64>(r, "permille").unwrap_or(0) + days / 2) / days),
            live_consent: col::<i64>(r, "live_consent")? != 0,
            pending: col(r, "pending")?,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kitchens").fetch_one(&mut *conn).await?;
    Ok(StaffKitchens { vendors, pending, uploads, kitchens, total })
}

/// The flag to review, locked: (business id, credit code, kind, detected_at, vendor's event id); a flag already
/// reviewed is 409 naming `status`.
async fn pending_in(
    tx: &mut AnyConnection,
    store: &Store,
    flag: i64,
) -> Result<(i64, String, String, i64, String), AppError> {
    store.dialect().lock_key(tx, &format!("kitchen-flag:{flag}")).await?;
    let row = sqlx::query(
        "SELECT f.business_id, b.credit_code, f.kind, f.detected_at, f.event_id, f.status FROM kitchen_flags f \
         JOIN businesses b ON b.id = f.business_id WHERE f.id = $1",
    )
    .bind(flag)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(AppError::not_found)?;
    if col::<String>(&row, "status")? != FlagStatus::Pending.as_str() {
        return Err(AppError::field(ErrCode::Conflict, "status"));
    }
    Ok((
        col(&row, "business_id")?,
        col(&row, "credit_code")?,
        col(&row, "kind")?,
        col(&row, "detected_at")?,
        col(&row, "event_id")?,
    ))
}

/// Confirms a flag (moderators): 属实, with the action taken; public from now on. With `credit_event`, an
/// inspection finding (minor) is recorded on the business's credit record in the same transaction, dated when
/// the flag was detected, and linked from the flag. Audited.
pub async fn confirm(store: &Store, actor: &Actor, flag: i64, c: &Confirmation) -> Result<(), AppError> {
    let t = now();
    let mut tx = store.begin_write().await?;
    let (business, code, kind, detected_at, event_id) = pending_in(&mut tx, store, flag).await?;
    let mut event_sql = "NULL".to_owned();
    if c.credit_event {
        let source = format!("阳光餐饮 {event_id}");
        let label = FlagKind::label_of(&kind, Lang::Zh).to_owned();
        let event = EventInput {
            credit_code: CreditCode::parse(&code)?,
            kind: EventKind::InspectionFinding,
            severity: Severity::Minor,
            // Record events are dated by day (as the registry exports and imports them).
            occurred_at: china_day(detected_at),
            source: source.clone(),
            description: format!("明厨亮灶AI抓拍经核实属实：{label}。处置：{}", c.action_taken),
        };
        crate::credit::events::add_event_in(&mut tx, actor, &event, t).await?;
        let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM credit_events WHERE business_id = $1 AND source = $2")
            .bind(business)
            .bind(&source)
            .fetch_one(&mut *tx)
            .await?;
        event_sql = id.to_string();
    }
    sqlx::query(&format!(
        "UPDATE kitchen_flags SET status = $1, reviewed_by = $2, reviewed_at = $3, action_taken = $4, \
         credit_event_id = {event_sql} WHERE id = $5"
    ))
    .bind(FlagStatus::Confirmed.as_str())
    .bind(&actor.name)
    .bind(t)
    .bind(&c.action_taken)
    .bind(flag)
    .execute(&mut *tx)
    .await?;
    let detail = if c.credit_event { format!("{kind}; credit event") } else { kind };
    audit::record(
        &mut tx,
        actor,
        Entry::new(A::KitchenFlagConfirmed).target(&format!("kitchen_flag:{flag}")).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    store.announce(Change::Registry);
    Ok(())
}

/// Dismisses a flag (moderators): 不属实, never public. Audited.
pub async fn dismiss(store: &Store, actor: &Actor, flag: i64) -> Result<(), AppError> {
    let t = now();
    let mut tx = store.begin_write().await?;
    let (_, _, kind, _, _) = pending_in(&mut tx, store, flag).await?;
    sqlx::query("UPDATE kitchen_flags SET status = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4")
        .bind(FlagStatus::Dismissed.as_str())
        .bind(&actor.name)
        .bind(t)
        .bind(flag)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        actor,
        Entry::new(A::KitchenFlagDismissed).target(&format!("kitchen_flag:{flag}")).detail(&kind),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
