//! Batches from vendors (signed JSON, `receive`) and status CSVs from the console (`upload`), applied by one
//! function (`apply`): **all or nothing**, in one write transaction (on SQLite with `synchronous = FULL`).
//!
//! - Every row is parsed first; any refused row refuses the batch, and the answer lists **every** refused row
//!   (list, row, field, code). Rows checked against the database (a business not in the registry, a kitchen
//!   watched by another vendor, a flag for a business not in this vendor's programme, an event id recorded with
//!   other content) are refused the same way and the transaction rolled back: nothing of a refused batch stays.
//! - **A batch id is used once per vendor.** The same id with the same bytes again is answered with the first
//!   receipt (`replayed: true`) and writes nothing; with other bytes it is 409 `idempotency_conflict`.
//! - Rows are idempotent too: a day's uptime sent again replaces that day (vendors recompute it), a flag is known
//!   by the vendor's event id (sent again with the same content it is counted unchanged, with other content
//!   refused: a flag under review is never silently rewritten).
//! - A business's first status brings it into the programme (`kitchens` row, `businesses.sunshine = 1`, which
//!   stamps it so every instance's search index follows). Flags arrive 待审核 and change nothing public.

use super::keys;
use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::kitchens::{
    FlagInput, KitchenBatch, KitchenBatchInput, KitchenReceipt, KitchenRowError, KitchenUploadView, StatusFields,
    StatusInput,
};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Why a batch was refused: one error (signature, JSON, replay conflict…), or its rows.
#[derive(Debug)]
pub enum Refused {
    Error(AppError),
    Rows(Vec<KitchenRowError>),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::Error(e)
    }
}

impl From<sqlx::Error> for Refused {
    #[track_caller]
    fn from(e: sqlx::Error) -> Refused {
        Refused::Error(AppError::from(e))
    }
}

/// Where a batch came from (stored with it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Api,
    Csv,
    Seed,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Csv => "csv",
            Source::Seed => "seed",
        }
    }
}

fn hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// A vendor's signed batch (`POST /api/v1/kitchens/batches`): the key and signature checked (the key names the
/// vendor), the body parsed, then [`apply`].
pub async fn receive(
    state: &AppState,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<KitchenReceipt, Refused> {
    let t = now();
    let vendor = keys::verify(state, key_id, signature, body, t).await?;
    let batch: KitchenBatch = serde_json::from_slice(body)
        .map_err(|e| AppError::new(if e.is_data() { ErrCode::InvalidValue } else { ErrCode::InvalidJson }))?;
    apply(&state.store, vendor, &batch, &hash(body), Source::Api, t).await
}

async fn stored(
    conn: &mut AnyConnection,
    vendor: i64,
    batch_id: &str,
    body_hash: &str,
) -> Result<Option<KitchenReceipt>, AppError> {
    let row = sqlx::query("SELECT body_hash, receipt FROM kitchen_batches WHERE vendor_id = $1 AND batch_id = $2")
        .bind(vendor)
        .bind(batch_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    if col::<String>(&row, "body_hash")? != body_hash {
        return Err(AppError::field(ErrCode::IdempotencyConflict, "batch_id"));
    }
    let mut receipt: KitchenReceipt =
        serde_json::from_str(&col::<String>(&row, "receipt")?).map_err(AppError::internal)?;
    receipt.replayed = true;
    Ok(Some(receipt))
}

/// Applies a batch of a vendor: the whole batch in one transaction, or nothing (see the module documentation).
pub async fn apply(
    store: &Store,
    vendor: i64,
    batch: &KitchenBatch,
    body_hash: &str,
    source: Source,
    t: i64,
) -> Result<KitchenReceipt, Refused> {
    {
        let mut conn = store.pool().acquire().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM kitchen_vendors WHERE id = $1")
            .bind(vendor)
            .fetch_optional(&mut *conn)
            .await?;
        known.ok_or_else(AppError::not_found)?;
        if let Some(r) = stored(&mut conn, vendor, batch.batch_id.trim(), body_hash).await? {
            return Ok(r);
        }
    }
    let input = batch.parse(t).map_err(Refused::Rows)?;
    let dialect = store.dialect();
    let mut conn = store.pool().acquire().await?;
    dialect.sync_fully(&mut conn).await?;
    let result = async {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, dialect.begin_write()).await?;
        dialect.lock_key(&mut tx, &format!("kitchen-batch:{vendor}:{}", input.batch_id)).await?;
        if let Some(r) = stored(&mut tx, vendor, &input.batch_id, body_hash).await? {
            return Ok(r);
        }
        let batch_row: i64 = sqlx::query_scalar(
            "INSERT INTO kitchen_batches (vendor_id, batch_id, body_hash, source, received_at, receipt) \
             VALUES ($1, $2, $3, $4, $5, '{}') RETURNING id",
        )
        .bind(vendor)
        .bind(&input.batch_id)
        .bind(body_hash)
        .bind(source.as_str())
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        let mut receipt = KitchenReceipt { batch_id: input.batch_id.clone(), ..KitchenReceipt::default() };
        let mut errors = Vec::new();
        let businesses = resolve(&mut tx, &input, &mut errors).await?;
        let kitchens = status(&mut tx, vendor, &input.status, &businesses, t, &mut receipt, &mut errors).await?;
        flags(&mut tx, vendor, batch_row, &input.flags, &businesses, &kitchens, &mut receipt, &mut errors).await?;
        if !errors.is_empty() {
            tx.rollback().await?;
            errors.sort_by(|a, b| (&a.section, a.row).cmp(&(&b.section, b.row)));
            return Err(Refused::Rows(errors));
        }
        let json = serde_json::to_string(&receipt).map_err(AppError::internal)?;
        sqlx::query("UPDATE kitchen_batches SET receipt = $1 WHERE id = $2")
            .bind(json)
            .bind(batch_row)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(receipt)
    }
    .await;
    dialect.relax(&mut conn).await;
    drop(conn);
    if matches!(&result, Ok(r) if !r.replayed) {
        // Business pages show the status; joining changes the search's 阳光餐饮 filter.
        store.announce(Change::Registry);
    }
    result
}

fn row_error(section: &str, row: usize, code: ErrCode, field: &str) -> KitchenRowError {
    KitchenRowError::new(section, row as u64, &AppError::field(code, field))
}

/// The registry ids of the credit codes the rows name; a code not in the registry refuses its row naming
/// `credit_code`.
async fn resolve(
    tx: &mut AnyConnection,
    input: &KitchenBatchInput,
    errors: &mut Vec<KitchenRowError>,
) -> Result<HashMap<String, i64>, AppError> {
    let mut codes: Vec<&str> = input
        .status
        .iter()
        .map(|(_, s)| s.credit_code.as_str())
        .chain(input.flags.iter().map(|(_, f)| f.credit_code.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut ids = HashMap::new();
    for chunk in codes.chunks(200) {
        let holes: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT id, credit_code FROM businesses WHERE credit_code IN ({})", holes.join(", "));
        let mut q = sqlx::query(&sql);
        for c in chunk {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut *tx).await? {
            ids.insert(col::<String>(&r, "credit_code")?, col::<i64>(&r, "id")?);
        }
    }
    for (i, s) in &input.status {
        if !ids.contains_key(s.credit_code.as_str()) {
            errors.push(row_error("status", *i, ErrCode::NotFound, "credit_code"));
        }
    }
    for (i, f) in &input.flags {
        if !ids.contains_key(f.credit_code.as_str()) {
            errors.push(row_error("flags", *i, ErrCode::NotFound, "credit_code"));
        }
    }
    Ok(ids)
}

/// The kitchens of these businesses: business id → (kitchen id, vendor id).
async fn kitchens_of(tx: &mut AnyConnection, businesses: &[i64]) -> Result<HashMap<i64, (i64, i64)>, AppError> {
    let mut out = HashMap::new();
    for chunk in businesses.chunks(500) {
        let ids: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!("SELECT id, business_id, vendor_id FROM kitchens WHERE business_id IN ({})", ids.join(","));
        for r in sqlx::query(&sql).fetch_all(&mut *tx).await? {
            out.insert(col::<i64>(&r, "business_id")?, (col::<i64>(&r, "id")?, col::<i64>(&r, "vendor_id")?));
        }
    }
    Ok(out)
}

fn text_or_null(v: &Option<String>, hole: usize) -> String {
    match v {
        Some(_) => format!("${hole}"),
        None => "NULL".to_owned(),
    }
}

/// Status rows: joins new kitchens, stores each day's uptime, and sets each kitchen's camera and live view from
/// its latest day in the batch. Answers the kitchens of this vendor by business id.
async fn status(
    tx: &mut AnyConnection,
    vendor: i64,
    rows: &[(usize, StatusInput)],
    businesses: &HashMap<String, i64>,
    t: i64,
    receipt: &mut KitchenReceipt,
    errors: &mut Vec<KitchenRowError>,
) -> Result<HashMap<i64, i64>, AppError> {
    let mut ids: Vec<i64> = businesses.values().copied().collect();
    ids.sort_unstable();
    let mut known = kitchens_of(tx, &ids).await?;
    let mut latest: HashMap<i64, &StatusInput> = HashMap::new();
    for (i, s) in rows {
        let Some(&business) = businesses.get(s.credit_code.as_str()) else { continue };
        let kitchen = match known.get(&business) {
            Some(&(k, v)) if v == vendor => k,
            Some(_) => {
                errors.push(row_error("status", *i, ErrCode::Conflict, "credit_code"));
                continue;
            }
            None => {
                let k: i64 = sqlx::query_scalar(
                    "INSERT INTO kitchens (business_id, vendor_id, joined_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(business)
                .bind(vendor)
                .bind(t)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("UPDATE businesses SET sunshine = 1 WHERE id = $1 AND sunshine = 0")
                    .bind(business)
                    .execute(&mut *tx)
                    .await?;
                known.insert(business, (k, vendor));
                receipt.kitchens_joined += 1;
                k
            }
        };
        sqlx::query(
            "INSERT INTO kitchen_uptime (kitchen_id, day, permille) VALUES ($1, $2, $3) \
             ON CONFLICT (kitchen_id, day) DO UPDATE SET permille = excluded.permille",
        )
        .bind(kitchen)
        .bind(s.day)
        .bind(s.permille)
        .execute(&mut *tx)
        .await?;
        receipt.status_rows += 1;
        let e = latest.entry(kitchen).or_insert(s);
        if s.day >= e.day {
            *e = s;
        }
    }
    let mut latest: Vec<(i64, &StatusInput)> = latest.into_iter().collect();
    latest.sort_by_key(|(k, _)| *k);
    for (kitchen, s) in latest {
        let sql = format!(
            "UPDATE kitchens SET camera_connected = $1, last_seen_at = $2, live_consent = $3, live_url = {} \
             WHERE id = $4",
            text_or_null(&s.live_url, 5)
        );
        let mut q =
            sqlx::query(&sql).bind(i64::from(s.camera_connected)).bind(t).bind(i64::from(s.live_consent)).bind(kitchen);
        if let Some(u) = &s.live_url {
            q = q.bind(u.clone());
        }
        q.execute(&mut *tx).await?;
    }
    Ok(known.into_iter().filter(|(_, (_, v))| *v == vendor).map(|(b, (k, _))| (b, k)).collect())
}

#[expect(clippy::too_many_arguments, reason = "one step of one transaction, its inputs and outputs spelled out")]
async fn flags(
    tx: &mut AnyConnection,
    vendor: i64,
    batch_row: i64,
    rows: &[(usize, FlagInput)],
    businesses: &HashMap<String, i64>,
    kitchens: &HashMap<i64, i64>,
    receipt: &mut KitchenReceipt,
    errors: &mut Vec<KitchenRowError>,
) -> Result<(), AppError> {
    for (i, f) in rows {
        let Some(&business) = businesses.get(f.credit_code.as_str()) else { continue };
        // A business not in this vendor's programme is refused as unknown: a key reveals nothing of others.
        let Some(&kitchen) = kitchens.get(&business) else {
            errors.push(row_error("flags", *i, ErrCode::NotFound, "credit_code"));
            continue;
        };
        let sql = format!(
            "INSERT INTO kitchen_flags (vendor_id, event_id, kitchen_id, business_id, kind, detected_at, snapshot_url, \
             batch_id) VALUES ($1, $2, $3, $4, $5, $6, {}, $7) ON CONFLICT (vendor_id, event_id) DO NOTHING \
             RETURNING id",
            text_or_null(&f.snapshot_url, 8)
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql)
            .bind(vendor)
            .bind(&f.event_id)
            .bind(kitchen)
            .bind(business)
            .bind(f.kind.as_str())
            .bind(f.detected_at)
            .bind(batch_row);
        if let Some(u) = &f.snapshot_url {
            q = q.bind(u.clone());
        }
        if q.fetch_optional(&mut *tx).await?.is_some() {
            receipt.flags_added += 1;
            continue;
        }
        let same = sqlx::query(
            "SELECT business_id, kind, detected_at, snapshot_url FROM kitchen_flags WHERE vendor_id = $1 \
             AND event_id = $2",
        )
        .bind(vendor)
        .bind(&f.event_id)
        .fetch_one(&mut *tx)
        .await?;
        let unchanged = col::<i64>(&same, "business_id")? == business
            && col::<String>(&same, "kind")? == f.kind.as_str()
            && col::<i64>(&same, "detected_at")? == f.detected_at
            && col::<Option<String>>(&same, "snapshot_url")? == f.snapshot_url;
        if unchanged {
            receipt.flags_unchanged += 1;
        } else {
            errors.push(row_error("flags", *i, ErrCode::Conflict, "event_id"));
        }
    }
    Ok(())
}

/// The columns a status CSV must have, and those it may have.
const CSV_REQUIRED: [&str; 4] = ["credit_code", "day", "uptime", "camera_connected"];

/// The status rows of a CSV with their line numbers, or the errors that refuse it (a missing or unknown column
/// named by its header, a row that cannot be read).
pub fn parse_csv(data: &[u8]) -> Result<(KitchenBatch, Vec<u64>), Vec<KitchenRowError>> {
    let err =
        |line: u64, code: ErrCode, field: &str| KitchenRowError::new("status", line, &AppError::field(code, field));
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut rdr = csv::ReaderBuilder::new().from_reader(data);
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(_) => return Err(vec![err(1, ErrCode::InvalidValue, "file")]),
    };
    let missing: Vec<&str> = CSV_REQUIRED.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
    let unknown: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !StatusFields::FIELDS.contains(h)).collect();
    if !missing.is_empty() || !unknown.is_empty() {
        let mut errors: Vec<KitchenRowError> = missing.iter().map(|c| err(1, ErrCode::Required, c)).collect();
        errors.extend(unknown.iter().map(|c| err(1, ErrCode::InvalidValue, c)));
        return Err(errors);
    }
    let headers = csv::StringRecord::from(headers);
    let mut body = KitchenBatch::default();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(e.position().map_or(0, |p| p.line()), ErrCode::InvalidValue, ""));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let cells: csv::StringRecord = rec.iter().map(|c| domain::text::from_csv_cell(c).to_owned()).collect();
        match cells.deserialize::<StatusFields>(Some(&headers)) {
            Ok(f) => {
                body.status.push(f);
                lines.push(line);
            }
            Err(_) => errors.push(err(line, ErrCode::InvalidValue, "")),
        }
    }
    if errors.is_empty() {
        Ok((body, lines))
    } else {
        Err(errors)
    }
}

/// A console upload of a vendor's status CSV: parsed and applied as one batch (its id from the file's content,
/// so uploading the same file again changes nothing), recorded with its outcome and audited. Refused rows name
/// the file's line.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    vendor: i64,
    data: &[u8],
) -> Result<(i64, Result<KitchenReceipt, Vec<KitchenRowError>>), AppError> {
    if data.is_empty() {
        return Err(AppError::field(ErrCode::Required, "file"));
    }
    let t = now();
    let digest = hash(data);
    let (outcome, rows) = match parse_csv(data) {
        Err(errors) => (Err(errors), 0),
        Ok((mut body, lines)) => {
            body.batch_id = format!("csv-status-{}", &digest[..24]);
            let rows = lines.len() as i64;
            let outcome = match apply(&state.store, vendor, &body, &digest, Source::Csv, t).await {
                Ok(r) => Ok(r),
                Err(Refused::Error(e)) => return Err(e),
                Err(Refused::Rows(errors)) => Err(errors
                    .into_iter()
                    .map(|mut e| {
                        if e.section != "batch" {
                            e.row = lines.get(e.row as usize).copied().unwrap_or(e.row);
                        }
                        e
                    })
                    .collect()),
            };
            (outcome, rows)
        }
    };
    let (receipt, errors) = match &outcome {
        Ok(r) => (Some(serde_json::to_string(r).map_err(AppError::internal)?), "[]".to_owned()),
        Err(e) => (None, serde_json::to_string(e).map_err(AppError::internal)?),
    };
    let mut tx = state.store.begin_write().await?;
    let sql = format!(
        "INSERT INTO kitchen_uploads (vendor_id, uploaded_by, uploaded_at, row_count, accepted, receipt, errors) \
         VALUES ($1, $2, $3, $4, $5, {}, $6) RETURNING id",
        text_or_null(&receipt, 7)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql)
        .bind(vendor)
        .bind(&actor.name)
        .bind(t)
        .bind(rows)
        .bind(i64::from(outcome.is_ok()))
        .bind(errors);
    if let Some(r) = receipt {
        q = q.bind(r);
    }
    let id = q.fetch_one(&mut *tx).await?;
    let detail = format!(
        "upload {id} rows {rows} {}",
        match &outcome {
            Ok(r) if r.replayed => "replayed".to_owned(),
            Ok(_) => "accepted".to_owned(),
            Err(e) => format!("refused {} errors", e.len()),
        }
    );
    let target = format!("kitchen_vendor:{vendor}");
    audit::record(&mut tx, actor, Entry::new(A::KitchenUpload).target(&target).detail(&detail)).await?;
    tx.commit().await?;
    Ok((id, outcome))
}

/// The 20 latest uploads, newest first.
pub(crate) async fn uploads_in(conn: &mut AnyConnection) -> Result<Vec<KitchenUploadView>, AppError> {
    sqlx::query(
        "SELECT u.id, v.name AS vendor, u.uploaded_by, u.uploaded_at, u.row_count, u.accepted, u.receipt, u.errors \
         FROM kitchen_uploads u JOIN kitchen_vendors v ON v.id = u.vendor_id ORDER BY u.id DESC LIMIT 20",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let receipt: Option<String> = col(r, "receipt")?;
        Ok(KitchenUploadView {
            id: col(r, "id")?,
            vendor: col(r, "vendor")?,
            uploaded_by: col(r, "uploaded_by")?,
            uploaded_at: col(r, "uploaded_at")?,
            rows: col(r, "row_count")?,
            accepted: col::<i64>(r, "accepted")? != 0,
            receipt: receipt.map(|s| serde_json::from_str(&s)).transpose().map_err(AppError::internal)?,
            errors: serde_json::from_str(&col::<String>(r, "errors")?).map_err(AppError::internal)?,
        })
    })
    .collect()
}
