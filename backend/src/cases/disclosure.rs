//! 投诉公示: what a business's page and the API show of the cases against it — the decided ones of the last 12
//! months, counted by category and by outcome. Never a reporter, a description, a date or an open case (a case
//! reopened after a 不满意 leaves the disclosure until it is decided again).

use crate::store::col;
use domain::cases::{CaseKind, CaseState, Disclosure, Outcome, DISCLOSURE_DAYS};
use domain::AppError;
use sqlx::AnyConnection;

/// The condition (on `cases c`, the business bound as `$1`, the window's start as `$2`) of a disclosed case.
pub const DISCLOSED: &str = "c.business_id = $1 AND c.decision IS NOT NULL AND c.decided_at >= $2 \
     AND c.state IN ('substantiated', 'unsubstantiated', 'closed')";

/// The first second of the disclosure window at `now`.
pub fn since(now: i64) -> i64 {
    now - DISCLOSURE_DAYS * 86_400
}

/// The disclosure of the registry business `business_id` at `now`.
pub async fn disclosure_in(conn: &mut AnyConnection, business_id: i64, now: i64) -> Result<Disclosure, AppError> {
    let from = since(now);
    let rows = sqlx::query(&format!(
        "SELECT c.kind AS kind, c.category AS category, c.decision AS decision, COUNT(*) AS n FROM cases c \
         WHERE {DISCLOSED} GROUP BY c.kind, c.category, c.decision"
    ))
    .bind(business_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let mut d = Disclosure { since: from, ..Disclosure::default() };
    for r in &rows {
        let (kind, category, decision, n): (String, String, String, i64) =
            (col(r, "kind")?, col(r, "category")?, col(r, "decision")?, col(r, "n")?);
        let outcome = CaseKind::parse(&kind).zip(CaseState::parse(&decision)).and_then(|(k, s)| Outcome::of(k, s));
        if let Some(o) = outcome {
            d.add(&category, o, n);
        }
    }
    Ok(d)
}
