//! Batches from market systems (signed JSON, `receive`) and from the console (CSV, `upload`), applied by one
//! function (`apply`): **all or nothing**, in one write transaction (on SQLite with `synchronous = FULL`).
//!
//! - Every row is parsed first; any refused row refuses the batch, and the answer lists **every** refused row
//!   (list, row, field, code). Rows checked against the database (an unknown stall, a stall of another market, an
//!   operator not in the registry, a `test_no` already recorded with other content) are refused the same way and
//!   the transaction is rolled back: nothing of a refused batch is stored.
//! - **A batch id is used once per market.** The same id with the same bytes again (a retry after a lost answer,
//!   or a replay within the signature's five minutes) is answered with the first receipt (`replayed: true`) and
//!   writes nothing; the same id with other bytes is 409 `idempotency_conflict` naming `batch_id`.
//! - Rows are idempotent too: a rapid test is known by its `test_no` in the market, a certificate by its number
//!   at the stall; sent again with the same content it is counted unchanged, with other content refused (a
//!   recorded result is never silently rewritten).
//! - A failing rapid test flags its stall (`stalls.flagged_at`, shown for 30 days).

use super::keys;
use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use crate::AppState;
use domain::markets::{
    BatchBody, BatchReceipt, BatchRowError, CertificateFields, CertificateInput, NewStall, RapidTestFields,
    RapidTestInput, StallCode, StallFields, TestResult, UploadView,
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
    Rows(Vec<BatchRowError>),
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

/// A market system's signed batch (`POST /api/v1/markets/{id}/batches`): the key and signature checked, the
/// body parsed, then [`apply`].
pub async fn receive(
    state: &AppState,
    market_id: i64,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<BatchReceipt, Refused> {
    let t = now();
    keys::verify(state, market_id, key_id, signature, body, t).await?;
    let batch: BatchBody = serde_json::from_slice(body)
        .map_err(|e| AppError::new(if e.is_data() { ErrCode::InvalidValue } else { ErrCode::InvalidJson }))?;
    apply(&state.store, market_id, &batch, &hash(body), Source::Api, t).await
}

/// The receipt of a batch id already stored: the same content is a replay (`replayed: true`), other content a
/// conflict.
async fn stored(
    conn: &mut AnyConnection,
    market_id: i64,
    batch_id: &str,
    body_hash: &str,
) -> Result<Option<BatchReceipt>, AppError> {
    let row = sqlx::query("SELECT body_hash, receipt FROM market_batches WHERE market_id = $1 AND batch_id = $2")
        .bind(market_id)
        .bind(batch_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    if col::<String>(&row, "body_hash")? != body_hash {
        return Err(AppError::field(ErrCode::IdempotencyConflict, "batch_id"));
    }
    let mut receipt: BatchReceipt =
        serde_json::from_str(&col::<String>(&row, "receipt")?).map_err(AppError::internal)?;
    receipt.replayed = true;
    Ok(Some(receipt))
}

/// Applies a batch to a market: the whole batch in one transaction, or nothing (see the module documentation).
pub async fn apply(
    store: &Store,
    market_id: i64,
    batch: &BatchBody,
    body_hash: &str,
    source: Source,
    t: i64,
) -> Result<BatchReceipt, Refused> {
    {
        let mut conn = store.pool().acquire().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM markets WHERE id = $1")
            .bind(market_id)
            .fetch_optional(&mut *conn)
            .await?;
        known.ok_or_else(AppError::not_found)?;
        if let Some(r) = stored(&mut conn, market_id, batch.batch_id.trim(), body_hash).await? {
            return Ok(r);
        }
    }
    let input = batch.parse(t).map_err(Refused::Rows)?;
    let dialect = store.dialect();
    let mut conn = store.pool().acquire().await?;
    dialect.sync_fully(&mut conn).await?;
    let result = async {
        let mut tx = sqlx::Connection::begin_with(&mut *conn, dialect.begin_write()).await?;
        dialect.lock_key(&mut tx, &format!("market-batch:{market_id}:{}", input.batch_id)).await?;
        // Another request with the same batch id may have committed while this one parsed.
        if let Some(r) = stored(&mut tx, market_id, &input.batch_id, body_hash).await? {
            return Ok(r);
        }
        let batch_row: i64 = sqlx::query_scalar(
            "INSERT INTO market_batches (market_id, batch_id, body_hash, source, received_at, receipt) \
             VALUES ($1, $2, $3, $4, $5, '{}') RETURNING id",
        )
        .bind(market_id)
        .bind(&input.batch_id)
        .bind(body_hash)
        .bind(source.as_str())
        .bind(t)
        .fetch_one(&mut *tx)
        .await?;
        let mut receipt = BatchReceipt { batch_id: input.batch_id.clone(), ..BatchReceipt::default() };
        let mut errors = Vec::new();
        stalls(&mut tx, market_id, &input.stalls, t, &mut receipt, &mut errors).await?;
        let ids = resolve(&mut tx, market_id, &input, &mut errors).await?;
        tests(&mut tx, market_id, batch_row, &input.rapid_tests, &ids, &mut receipt, &mut errors).await?;
        certificates(&mut tx, batch_row, &input.certificates, &ids, &mut receipt, &mut errors).await?;
        if !errors.is_empty() {
            tx.rollback().await?;
            errors.sort_by(|a, b| (&a.section, a.row).cmp(&(&b.section, b.row)));
            return Err(Refused::Rows(errors));
        }
        let json = serde_json::to_string(&receipt).map_err(AppError::internal)?;
        sqlx::query("UPDATE market_batches SET receipt = $1 WHERE id = $2")
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
        store.announce(Change::Markets);
    }
    result
}

fn row_error(section: &str, row: usize, code: ErrCode, field: &str) -> BatchRowError {
    BatchRowError::new(section, row as u64, &AppError::field(code, field))
}

fn random_code() -> StallCode {
    use rand::RngCore;
    StallCode::from_random(|| rand::rngs::OsRng.next_u64())
}

/// Creates the stalls new to the market (each with a fresh code) and updates the others.
async fn stalls(
    tx: &mut AnyConnection,
    market_id: i64,
    rows: &[(usize, domain::markets::StallInput)],
    t: i64,
    receipt: &mut BatchReceipt,
    errors: &mut Vec<BatchRowError>,
) -> Result<(), AppError> {
    for (i, s) in rows {
        let business: Option<i64> = sqlx::query_scalar("SELECT id FROM businesses WHERE credit_code = $1")
            .bind(s.credit_code.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(business) = business else {
            errors.push(row_error("stalls", *i, ErrCode::NotFound, "credit_code"));
            continue;
        };
        let existing = sqlx::query("SELECT id, business_id, goods FROM stalls WHERE market_id = $1 AND number = $2")
            .bind(market_id)
            .bind(&s.number)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            Some(r) => {
                if col::<i64>(&r, "business_id")? != business || col::<String>(&r, "goods")? != s.goods {
                    sqlx::query("UPDATE stalls SET business_id = $1, goods = $2 WHERE id = $3")
                        .bind(business)
                        .bind(&s.goods)
                        .bind(col::<i64>(&r, "id")?)
                        .execute(&mut *tx)
                        .await?;
                    receipt.stalls_updated += 1;
                }
            }
            None => {
                let code = loop {
                    let code = random_code();
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM stalls WHERE code = $1")
                        .bind(code.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    if taken.is_none() {
                        break code;
                    }
                };
                insert_stall(tx, market_id, code.as_str(), &s.number, business, &s.goods, t).await?;
                receipt.stalls_created += 1;
                receipt.new_stalls.push(NewStall { number: s.number.clone(), code: code.to_string() });
            }
        }
    }
    Ok(())
}

pub(crate) async fn insert_stall(
    tx: &mut AnyConnection,
    market_id: i64,
    code: &str,
    number: &str,
    business: i64,
    goods: &str,
    t: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO stalls (market_id, code, number, business_id, goods, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(market_id)
    .bind(code)
    .bind(number)
    .bind(business)
    .bind(goods)
    .bind(t)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The stalls the rows name, by code: each must exist and belong to this market (a row naming another market's
/// stall is refused naming `stall`, whether or not it exists, so a key reveals nothing of other markets).
async fn resolve(
    tx: &mut AnyConnection,
    market_id: i64,
    input: &domain::markets::BatchInput,
    errors: &mut Vec<BatchRowError>,
) -> Result<HashMap<String, i64>, AppError> {
    let mut codes: Vec<&str> = input
        .rapid_tests
        .iter()
        .map(|(_, r)| r.stall.as_str())
        .chain(input.certificates.iter().map(|(_, c)| c.stall.as_str()))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut ids = HashMap::new();
    for chunk in codes.chunks(200) {
        let holes: Vec<String> = (2..chunk.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT id, code FROM stalls WHERE market_id = $1 AND code IN ({})", holes.join(", "));
        let mut q = sqlx::query(&sql).bind(market_id);
        for c in chunk {
            q = q.bind(*c);
        }
        for r in q.fetch_all(&mut *tx).await? {
            ids.insert(col::<String>(&r, "code")?, col::<i64>(&r, "id")?);
        }
    }
    for (i, r) in &input.rapid_tests {
        if !ids.contains_key(r.stall.as_str()) {
            errors.push(row_error("rapid_tests", *i, ErrCode::NotFound, "stall"));
        }
    }
    for (i, c) in &input.certificates {
        if !ids.contains_key(c.stall.as_str()) {
            errors.push(row_error("certificates", *i, ErrCode::NotFound, "stall"));
        }
    }
    Ok(ids)
}

/// Rows per multi-row `INSERT`.
const CHUNK: usize = 100;

fn values(rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=per_row).map(|c| format!("${}", r * per_row + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn tests(
    tx: &mut AnyConnection,
    market_id: i64,
    batch_row: i64,
    rows: &[(usize, RapidTestInput)],
    ids: &HashMap<String, i64>,
    receipt: &mut BatchReceipt,
    errors: &mut Vec<BatchRowError>,
) -> Result<(), AppError> {
    let rows: Vec<&(usize, RapidTestInput)> = rows.iter().filter(|(_, r)| ids.contains_key(r.stall.as_str())).collect();
    let mut flagged: HashMap<i64, (i64, String)> = HashMap::new();
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO rapid_tests (market_id, stall_id, test_no, sample, item, method, result, tested_at, tester, \
             batch_id) VALUES {} ON CONFLICT (market_id, test_no) DO NOTHING RETURNING test_no",
            values(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (_, r) in chunk {
            q = q
                .bind(market_id)
                .bind(ids[r.stall.as_str()])
                .bind(&r.test_no)
                .bind(&r.sample)
                .bind(&r.item)
                .bind(r.method.as_str())
                .bind(r.result.as_str())
                .bind(r.tested_at)
                .bind(&r.tester)
                .bind(batch_row);
        }
        let inserted: std::collections::HashSet<String> =
            q.fetch_all(&mut *tx).await?.iter().map(|r| col::<String>(r, "test_no")).collect::<Result<_, _>>()?;
        for (i, r) in chunk {
            let stall = ids[r.stall.as_str()];
            if inserted.contains(&r.test_no) {
                receipt.tests_added += 1;
                if r.result == TestResult::Fail {
                    let e = flagged.entry(stall).or_insert((r.tested_at, r.stall.to_string()));
                    e.0 = e.0.max(r.tested_at);
                }
                continue;
            }
            let same = sqlx::query(
                "SELECT stall_id, sample, item, method, result, tested_at, tester FROM rapid_tests \
                 WHERE market_id = $1 AND test_no = $2",
            )
            .bind(market_id)
            .bind(&r.test_no)
            .fetch_one(&mut *tx)
            .await?;
            let unchanged = col::<i64>(&same, "stall_id")? == stall
                && col::<String>(&same, "sample")? == r.sample
                && col::<String>(&same, "item")? == r.item
                && col::<String>(&same, "method")? == r.method.as_str()
                && col::<String>(&same, "result")? == r.result.as_str()
                && col::<i64>(&same, "tested_at")? == r.tested_at
                && col::<String>(&same, "tester")? == r.tester;
            if unchanged {
                receipt.tests_unchanged += 1;
            } else {
                errors.push(row_error("rapid_tests", *i, ErrCode::Conflict, "test_no"));
            }
        }
    }
    let mut flagged: Vec<(i64, (i64, String))> = flagged.into_iter().collect();
    flagged.sort_by(|a, b| a.1 .1.cmp(&b.1 .1));
    for (stall, (at, code)) in flagged {
        sqlx::query("UPDATE stalls SET flagged_at = $1 WHERE id = $2 AND (flagged_at IS NULL OR flagged_at < $1)")
            .bind(at)
            .bind(stall)
            .execute(&mut *tx)
            .await?;
        receipt.flagged.push(code);
    }
    Ok(())
}

async fn certificates(
    tx: &mut AnyConnection,
    batch_row: i64,
    rows: &[(usize, CertificateInput)],
    ids: &HashMap<String, i64>,
    receipt: &mut BatchReceipt,
    errors: &mut Vec<BatchRowError>,
) -> Result<(), AppError> {
    for (i, c) in rows.iter().filter(|(_, c)| ids.contains_key(c.stall.as_str())) {
        let stall = ids[c.stall.as_str()];
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO certificates (stall_id, cert_no, product, quantity, origin, producer, producer_contact, \
             issued_on, commitments, basis, batch_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (stall_id, cert_no) DO NOTHING RETURNING id",
        )
        .bind(stall)
        .bind(&c.cert_no)
        .bind(&c.product)
        .bind(&c.quantity)
        .bind(&c.origin)
        .bind(&c.producer)
        .bind(&c.producer_contact)
        .bind(c.issued_on)
        .bind(c.commitments_stored())
        .bind(c.basis.as_str())
        .bind(batch_row)
        .fetch_optional(&mut *tx)
        .await?;
        if inserted.is_some() {
            receipt.certificates_added += 1;
            continue;
        }
        let same = sqlx::query(
            "SELECT product, quantity, origin, producer, producer_contact, issued_on, commitments, basis \
             FROM certificates WHERE stall_id = $1 AND cert_no = $2",
        )
        .bind(stall)
        .bind(&c.cert_no)
        .fetch_one(&mut *tx)
        .await?;
        let unchanged = col::<String>(&same, "product")? == c.product
            && col::<String>(&same, "quantity")? == c.quantity
            && col::<String>(&same, "origin")? == c.origin
            && col::<String>(&same, "producer")? == c.producer
            && col::<String>(&same, "producer_contact")? == c.producer_contact
            && col::<i64>(&same, "issued_on")? == c.issued_on
            && col::<String>(&same, "commitments")? == c.commitments_stored()
            && col::<String>(&same, "basis")? == c.basis.as_str();
        if unchanged {
            receipt.certificates_unchanged += 1;
        } else {
            errors.push(row_error("certificates", *i, ErrCode::Conflict, "cert_no"));
        }
    }
    Ok(())
}

/// What a console CSV holds: one list of a batch, its columns the fields of that list's rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadKind {
    Stalls,
    RapidTests,
    Certificates,
}

impl UploadKind {
    pub fn parse(s: &str) -> Option<UploadKind> {
        match s.trim() {
            "stalls" => Some(UploadKind::Stalls),
            "rapid_tests" => Some(UploadKind::RapidTests),
            "certificates" => Some(UploadKind::Certificates),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Stalls => "stalls",
            UploadKind::RapidTests => "rapid_tests",
            UploadKind::Certificates => "certificates",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            UploadKind::Stalls => StallFields::FIELDS,
            UploadKind::RapidTests => RapidTestFields::FIELDS,
            UploadKind::Certificates => CertificateFields::FIELDS,
        }
    }
}

/// The rows of a CSV of `kind` with their line numbers, or the errors that refuse it (wrong columns, a row that
/// cannot be read). Columns must be exactly the list's fields, in any order.
pub fn parse_csv(kind: UploadKind, data: &[u8]) -> Result<(BatchBody, Vec<u64>), Vec<BatchRowError>> {
    let section = kind.as_str();
    let err = |line: u64, code: ErrCode, field: &str| BatchRowError::new(section, line, &AppError::field(code, field));
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut rdr = csv::ReaderBuilder::new().from_reader(data);
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(_) => return Err(vec![err(1, ErrCode::InvalidValue, "file")]),
    };
    let missing: Vec<&str> = kind.columns().iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
    let unknown: Vec<&str> = headers.iter().map(String::as_str).filter(|h| !kind.columns().contains(h)).collect();
    if !missing.is_empty() || !unknown.is_empty() {
        let mut errors: Vec<BatchRowError> = missing.iter().map(|c| err(1, ErrCode::Required, c)).collect();
        errors.extend(unknown.iter().map(|c| err(1, ErrCode::InvalidValue, c)));
        return Err(errors);
    }
    let headers = csv::StringRecord::from(headers);
    let mut body = BatchBody::default();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(line, ErrCode::InvalidValue, ""));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let cells: csv::StringRecord = rec.iter().map(|c| domain::text::from_csv_cell(c).to_owned()).collect();
        let parsed = match kind {
            UploadKind::Stalls => cells.deserialize(Some(&headers)).map(|f| body.stalls.push(f)),
            UploadKind::RapidTests => cells.deserialize(Some(&headers)).map(|f| body.rapid_tests.push(f)),
            UploadKind::Certificates => cells.deserialize(Some(&headers)).map(|f| body.certificates.push(f)),
        };
        match parsed {
            Ok(()) => lines.push(line),
            Err(_) => errors.push(err(line, ErrCode::InvalidValue, "")),
        }
    }
    if errors.is_empty() {
        Ok((body, lines))
    } else {
        Err(errors)
    }
}

/// A console upload: the CSV parsed and applied as one batch (its id from the file's content, so uploading
/// the same file again changes nothing), then recorded with its outcome and audited. Returns the upload's id
/// and the outcome; refused rows name the file's line.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    market_id: i64,
    kind: UploadKind,
    data: &[u8],
) -> Result<(i64, Result<BatchReceipt, Vec<BatchRowError>>), AppError> {
    if data.is_empty() {
        return Err(AppError::field(ErrCode::Required, "file"));
    }
    let t = now();
    let digest = hash(data);
    let (outcome, rows) = match parse_csv(kind, data) {
        Err(errors) => (Err(errors), 0),
        Ok((mut body, lines)) => {
            body.batch_id = format!("csv-{}-{}", kind.as_str(), &digest[..24]);
            let rows = lines.len() as i64;
            let outcome = match apply(&state.store, market_id, &body, &digest, Source::Csv, t).await {
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
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO market_uploads (market_id, kind, uploaded_by, uploaded_at, row_count, accepted, receipt, errors) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(market_id)
    .bind(kind.as_str())
    .bind(&actor.name)
    .bind(t)
    .bind(rows)
    .bind(outcome.is_ok() as i64)
    .bind(receipt)
    .bind(errors)
    .fetch_one(&mut *tx)
    .await?;
    let detail = format!(
        "upload {id} {} rows {rows} {}",
        kind.as_str(),
        match &outcome {
            Ok(r) if r.replayed => "replayed".to_owned(),
            Ok(_) => "accepted".to_owned(),
            Err(e) => format!("refused {} errors", e.len()),
        }
    );
    let target = format!("market:{market_id}");
    audit::record(&mut tx, actor, Entry::new(A::MarketUpload).target(&target).detail(&detail)).await?;
    tx.commit().await?;
    Ok((id, outcome))
}

/// A market's 20 latest uploads, newest first.
pub(crate) async fn uploads_in(conn: &mut AnyConnection, market_id: i64) -> Result<Vec<UploadView>, AppError> {
    sqlx::query(
        "SELECT id, kind, uploaded_by, uploaded_at, row_count, accepted, receipt, errors FROM market_uploads \
         WHERE market_id = $1 ORDER BY id DESC LIMIT 20",
    )
    .bind(market_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let receipt: Option<String> = col(r, "receipt")?;
        Ok(UploadView {
            id: col(r, "id")?,
            kind: col(r, "kind")?,
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

/// One upload of a market (for its page), or 404.
pub async fn upload_view(store: &Store, market_id: i64, id: i64) -> Result<UploadView, AppError> {
    let mut conn = store.pool().acquire().await?;
    uploads_in(&mut conn, market_id).await?.into_iter().find(|u| u.id == id).ok_or_else(AppError::not_found)
}
