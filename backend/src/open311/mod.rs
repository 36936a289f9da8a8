//! Open311 GeoReport v2 (#21): another app files a case with its partner key, and follows the cases it filed.
//! Each function is a whole use case over the spec's parsed input (`domain::open311`); filing goes through the
//! one case intake (`cases::intake::file_for_partner`), so a partner's case is every other case.

/// Partners and their keys: issue (shown once), revoke, list, authenticate.
pub mod partners;

use crate::abuse;
use crate::cases::calendar;
use crate::cases::intake::{self, PartnerOrigin};
use crate::clock::now;
use crate::store::col;
use crate::AppState;
use domain::cases::{case_deadline, CaseKind, CaseState, WorkCalendar};
use domain::open311::{CaseRow, Filed, Post, RequestsFilter, RequestsQuery, ServiceRequest, MAX_REQUESTS};
use domain::{AppError, ErrCode};
pub use partners::Partner;

/// What a partner is told when its case is filed.
const NOTICE: &str =
    "已收到，我们将在7个工作日内决定是否受理。Received: whether it is accepted is decided within 7 working days.";

/// Files a partner's case, the whole use case: the key (400 `api_key` missing, 403 unknown or revoked), the
/// key's quota for the minute and the day (429 with `Retry-After`, every attempt counted), the spec's fields
/// and the service's required attributes, our case rules, then the one intake transaction. A refusal stores no
/// case.
pub async fn file(state: &AppState, post: &Post) -> Result<Filed, AppError> {
    let partner = partners::authenticate(state, &post.api_key).await?;
    let key = partner.id.to_string();
    abuse::spend(&state.store, "open311", &key, abuse::MINUTE, partner.quota.per_min).await?;
    abuse::spend(&state.store, "open311", &key, abuse::DAY, partner.quota.per_day).await?;
    let filing = post.parse()?;
    let (input, at) = (filing.fields.parse(now())?, filing.at);
    let receipt = intake::file_for_partner(state, &input, PartnerOrigin { partner_id: partner.id, at }).await?;
    Ok(Filed { service_request_id: receipt.tracking_no, service_notice: NOTICE.to_owned(), account_id: None })
}

/// The columns a request view is made from; the public note is the last message to the reporter.
const COLUMNS: &str = "c.tracking_no, c.kind, c.category, c.state, c.description, c.place, c.lat, c.lng, \
    c.created_at, c.updated_at, c.accepted_at, c.reopened_at, c.partner_id, (SELECT e.message FROM case_events e WHERE e.case_id = c.id \
    AND e.message <> '' ORDER BY e.at DESC, e.id DESC LIMIT 1) AS note";

/// A request's row, with the deadline of its current stage by the holiday calendar.
fn row_of(r: &sqlx::any::AnyRow, cal: &WorkCalendar) -> Result<(CaseRow, Option<i64>), AppError> {
    let kind: String = col(r, "kind")?;
    let state: String = col(r, "state")?;
    let kind = CaseKind::parse(&kind).ok_or_else(|| AppError::internal(format!("bad kind {kind}")))?;
    let state = CaseState::parse(&state).ok_or_else(|| AppError::internal(format!("bad state {state}")))?;
    let filed_at: i64 = col(r, "created_at")?;
    let case = CaseRow {
        tracking_no: col(r, "tracking_no")?,
        kind,
        category: col(r, "category")?,
        state,
        description: col(r, "description")?,
        place: col(r, "place")?,
        lat: col(r, "lat")?,
        lng: col(r, "lng")?,
        filed_at,
        updated_at: col(r, "updated_at")?,
        public_note: col(r, "note")?,
        expected_at: case_deadline(cal, kind, state, filed_at, col(r, "accepted_at")?, col(r, "reopened_at")?),
    };
    Ok((case, col(r, "partner_id")?))
}

/// `GET requests.json`: the key's own requests only (the key is required), newest first, at most
/// [`MAX_REQUESTS`]; by ids (which override every other filter), or by service codes, window and status.
pub async fn requests(state: &AppState, q: &RequestsQuery) -> Result<Vec<ServiceRequest>, AppError> {
    let partner = partners::authenticate(state, &q.api_key).await?;
    let filter = q.parse(now())?;
    let mut sql = format!("SELECT {COLUMNS} FROM cases c WHERE c.partner_id = $1");
    let mut binds: Vec<String> = Vec::new();
    let param = |v: String, binds: &mut Vec<String>| {
        binds.push(v);
        format!("${}", binds.len() + 1)
    };
    let (from, until) = match &filter {
        RequestsFilter::Ids(ids) => {
            let list: Vec<String> = ids.iter().map(|i| param(i.clone(), &mut binds)).collect();
            sql.push_str(&format!(" AND c.tracking_no IN ({})", list.join(", ")));
            (None, None)
        }
        RequestsFilter::Search { codes, from, until, open } => {
            if !codes.is_empty() {
                let any: Vec<String> = codes
                    .iter()
                    .map(|c| {
                        let kind = param(c.kind.as_str().to_owned(), &mut binds);
                        let category = param(c.category.as_str().to_owned(), &mut binds);
                        format!("(c.kind = {kind} AND c.category = {category})")
                    })
                    .collect();
                sql.push_str(&format!(" AND ({})", any.join(" OR ")));
            }
            let open_states = "('submitted', 'accepted', 'investigating')";
            match open {
                Some(true) => sql.push_str(&format!(" AND c.state IN {open_states}")),
                Some(false) => sql.push_str(&format!(" AND c.state NOT IN {open_states}")),
                None => {}
            }
            (Some(*from), Some(*until))
        }
    };
    if from.is_some() {
        let n = binds.len() + 2;
        sql.push_str(&format!(" AND c.created_at >= ${n} AND c.created_at <= ${}", n + 1));
    }
    sql.push_str(&format!(" ORDER BY c.created_at DESC, c.id DESC LIMIT {MAX_REQUESTS}"));
    let mut query = sqlx::query(&sql).bind(partner.id);
    for b in &binds {
        query = query.bind(b);
    }
    if let (Some(f), Some(u)) = (from, until) {
        query = query.bind(f).bind(u);
    }
    let mut conn = state.store.pool().acquire().await?;
    let rows = query.fetch_all(&mut *conn).await?;
    let cal = calendar::load_in(&mut conn).await?;
    rows.iter().map(|r| row_of(r, &cal).map(|(case, _)| case.view(true))).collect()
}

/// `GET requests/{id}.json`: one request filed through Open311, as an array of one. With a key, only that
/// key's own requests (another's is 404), shown with its description (never a 举报's) and place; without one
/// (the spec lets anyone look a request up), its status and public notes only. Cases filed on the web or by
/// staff are not Open311 requests: 404.
pub async fn request(state: &AppState, api_key: &str, id: &str) -> Result<Vec<ServiceRequest>, AppError> {
    let partner = match api_key.trim() {
        "" => None,
        key => Some(partners::authenticate(state, key).await?),
    };
    if id.is_empty() || id.len() > 40 {
        return Err(AppError::not_found());
    }
    let sql = format!("SELECT {COLUMNS} FROM cases c WHERE c.tracking_no = $1 AND c.partner_id IS NOT NULL");
    let mut conn = state.store.pool().acquire().await?;
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *conn).await?.ok_or_else(AppError::not_found)?;
    let cal = calendar::load_in(&mut conn).await?;
    drop(conn);
    let (case, owner) = row_of(&row, &cal)?;
    let own = match &partner {
        Some(p) if owner != Some(p.id) => return Err(AppError::new(ErrCode::NotFound)),
        Some(_) => true,
        None => false,
    };
    Ok(vec![case.view(own)])
}
