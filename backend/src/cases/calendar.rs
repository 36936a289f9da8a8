//! The holiday calendar: days that differ from the weekly rule, edited by staff (audited).

use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Store};
use domain::cases::WorkCalendar;
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sqlx::AnyConnection;

/// The calendar, on the caller's connection.
pub async fn load_in(conn: &mut AnyConnection) -> Result<WorkCalendar, AppError> {
    let rows = sqlx::query("SELECT day, kind FROM holidays").fetch_all(&mut *conn).await?;
    let mut cal = WorkCalendar::default();
    for r in &rows {
        let day: i64 = col(r, "day")?;
        match col::<String>(r, "kind")?.as_str() {
            "workday" => cal.workdays.insert(day),
            _ => cal.holidays.insert(day),
        };
    }
    Ok(cal)
}

pub async fn load(store: &Store) -> Result<WorkCalendar, AppError> {
    load_in(&mut *store.pool().acquire().await?).await
}

/// Every exceptional day, in order: (day, kind, name).
pub async fn days(store: &Store) -> Result<Vec<(i64, String, String)>, AppError> {
    let rows = sqlx::query("SELECT day, kind, name FROM holidays ORDER BY day").fetch_all(store.pool()).await?;
    rows.iter().map(|r| Ok((col(r, "day")?, col(r, "kind")?, col(r, "name")?))).collect()
}

/// Marks a day (`holiday`, `workday`) or, with `kind` = `normal`, returns it to the weekly rule.
pub async fn set_day(store: &Store, actor: &Actor, day: i64, kind: &str, name: &str) -> Result<(), AppError> {
    let name = domain::text::TextRule::optional(40).check("name", name)?;
    let mut tx = store.begin_write().await?;
    match kind {
        "holiday" | "workday" => {
            sqlx::query(
                "INSERT INTO holidays (day, kind, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name",
            )
            .bind(day)
            .bind(kind)
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        }
        "normal" => {
            sqlx::query("DELETE FROM holidays WHERE day = $1").bind(day).execute(&mut *tx).await?;
        }
        _ => return Err(AppError::field(ErrCode::InvalidValue, "kind")),
    }
    audit::record(&mut tx, actor, Entry::new(A::CalendarSet).target(&format!("day:{day}")).detail(kind)).await?;
    tx.commit().await?;
    Ok(())
}
