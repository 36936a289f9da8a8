//! Bulk import of the registry from CSV. Parsing checks the header and reports every bad row with its line
//! number (quoted line breaks counted); valid rows are applied in batches of [`BATCH`], each batch one
//! transaction with a savepoint per row, so one bad row costs only itself and re-running the same file changes
//! nothing. From the console an import is a background job (audited when it starts, progress in the database,
//! untouched by request timeouts); the CLI runs the same code in the foreground with a progress bar.

use super::registry::{upsert_business, Upserted};
use crate::clock::now;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::credit::{BusinessFields, BusinessInput, ImportJob, ImportReport, ImportStatus, RowError};
use domain::staff::AuditAction as A;
use domain::{AppError, ErrCode, Lang};
use std::collections::HashMap;

/// Columns every file must have; the other fields of [`BusinessFields`] are optional.
pub const REQUIRED: [&str; 5] = ["credit_code", "name", "address", "district", "category"];
/// Rows applied per transaction.
pub const BATCH: usize = 500;
/// Rows per file (the whole city is ~44,000).
pub const MAX_ROWS: usize = 2_000_000;

fn row_error(line: u64, field: &str, message: impl Into<String>) -> RowError {
    RowError { line, field: field.to_owned(), message: message.into() }
}

/// The rows of a CSV file: valid ones with their line numbers, and the errors. A file that cannot be imported
/// at all (missing columns, not CSV, too many rows) is one error on line 1 and no rows.
pub fn parse(data: &[u8]) -> (Vec<(u64, BusinessInput)>, Vec<RowError>) {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let headers = match rdr.byte_headers() {
        Ok(h) => csv::ByteRecord::from(
            h.iter().map(|c| String::from_utf8_lossy(c).trim().to_lowercase()).collect::<Vec<_>>(),
        ),
        Err(e) => return (Vec::new(), vec![row_error(1, "", format!("不是CSV文件 (not a CSV file): {e}"))]),
    };
    let has = |name: &str| headers.iter().any(|h| h == name.as_bytes());
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|r| !has(r)).collect();
    if !missing.is_empty() {
        let msg = format!("缺少列 (missing columns): {} (required: {})", missing.join(", "), REQUIRED.join(", "));
        return (Vec::new(), vec![row_error(1, &missing.join(","), msg)]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut rec = csv::ByteRecord::new();
    // csv's own record positions lag by one line after CRLF; count line breaks up to the record's first byte.
    let (mut counted_to, mut line_at) = (0usize, 1u64);
    let mut start_line = |offset: u64| {
        let mut s = (offset as usize).min(data.len());
        while s < data.len() && matches!(data[s], b'\r' | b'\n') {
            s += 1;
        }
        if s > counted_to {
            line_at += data[counted_to..s].iter().filter(|&&b| b == b'\n').count() as u64;
            counted_to = s;
        }
        line_at
    };
    loop {
        let line = start_line(rdr.position().byte());
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(row_error(line, "", format!("无法读取的行 (unreadable row): {e}")));
                continue;
            }
        }
        let line = rec.position().map(|p| start_line(p.byte())).unwrap_or(line);
        if rows.len() + errors.len() >= MAX_ROWS {
            return (Vec::new(), vec![row_error(line, "", format!("超过 {MAX_ROWS} 行 (more than {MAX_ROWS} rows)"))]);
        }
        if rec.len() != headers.len() {
            errors.push(row_error(
                line,
                "",
                format!("{} 个字段，应为 {} (fields, expected)", rec.len(), headers.len()),
            ));
            continue;
        }
        match rec.deserialize::<BusinessFields>(Some(&headers)) {
            Ok(mut f) => {
                // Exports neutralise spreadsheet formulas with a leading apostrophe; take it off again.
                f.name = domain::text::from_csv_cell(&f.name).to_owned();
                f.address = domain::text::from_csv_cell(&f.address).to_owned();
                match f.parse() {
                    Ok(b) => rows.push((line, b)),
                    Err(e) => errors.push(row_error(line, e.field.as_deref().unwrap_or(""), e.message(Lang::Zh))),
                }
            }
            Err(e) => {
                let field = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.field(),
                    _ => None,
                }
                .and_then(|i| headers.get(i as usize))
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .unwrap_or_default();
                errors.push(row_error(line, &field, "不是UTF-8编码 (not UTF-8: save the file as UTF-8)"));
            }
        }
    }
    // A code twice in one file is ambiguous: every row carrying it is refused.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, b) in &rows {
        *seen.entry(b.credit_code.to_string()).or_default() += 1;
    }
    let (rows, dups): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, b)| seen[b.credit_code.as_str()] == 1);
    for (line, _) in dups {
        errors.push(row_error(line, "credit_code", "文件中重复的统一社会信用代码 (duplicate in this file)"));
    }
    (rows, errors)
}

/// Applies parsed rows in batches; `progress(done, total)` after each batch. Holds one connection at a time.
pub async fn apply(
    store: &Store,
    rows: &[(u64, BusinessInput)],
    mut errors: Vec<RowError>,
    progress: impl AsyncProgress,
) -> Result<ImportReport, AppError> {
    let mut report = ImportReport::default();
    let total = rows.len() as u64;
    let t = now();
    let mut done = 0u64;
    for batch in rows.chunks(BATCH) {
        let mut tx = store.begin_write().await?;
        for (line, b) in batch {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match upsert_business(&mut sp, b, t).await {
                Ok(outcome) => {
                    sp.commit().await?;
                    match outcome {
                        Upserted::Created => report.created += 1,
                        Upserted::Updated => report.updated += 1,
                        Upserted::Unchanged => report.unchanged += 1,
                    }
                }
                Err(e) => {
                    sp.rollback().await?;
                    errors.push(row_error(*line, e.field.as_deref().unwrap_or(""), e.message(Lang::Zh)));
                }
            }
        }
        tx.commit().await?;
        done += batch.len() as u64;
        progress.report(done, total, &report).await?;
    }
    errors.sort_by(|a, b| (a.line, &a.field).cmp(&(b.line, &b.field)));
    report.errors = errors;
    if report.created + report.updated > 0 {
        store.announce(Change::Registry);
    }
    Ok(report)
}

/// Where progress goes: a callback (CLI) or the job row (console).
pub trait AsyncProgress {
    fn report(
        &self,
        done: u64,
        total: u64,
        so_far: &ImportReport,
    ) -> impl std::future::Future<Output = Result<(), AppError>> + Send;
}

impl<F: Fn(u64, u64) + Sync> AsyncProgress for F {
    async fn report(&self, done: u64, total: u64, _: &ImportReport) -> Result<(), AppError> {
        self(done, total);
        Ok(())
    }
}

fn summary(r: &ImportReport) -> String {
    format!("created {} updated {} unchanged {} errors {}", r.created, r.updated, r.unchanged, r.errors.len())
}

/// Imports a file in the foreground (the CLI), audited like a console import.
pub async fn import_now(
    store: &Store,
    actor: &Actor,
    data: &[u8],
    progress: impl Fn(u64, u64) + Sync,
) -> Result<ImportReport, AppError> {
    let (rows, errors) = parse(data);
    audit::record(
        &mut *store.pool().acquire().await?,
        actor,
        Entry::new(A::BusinessImportStarted).target("businesses").detail(&format!("rows {}", rows.len())),
    )
    .await?;
    let report = apply(store, &rows, errors, progress).await?;
    audit::record(
        &mut *store.pool().acquire().await?,
        actor,
        Entry::new(A::BusinessImport).target("businesses").detail(&summary(&report)),
    )
    .await?;
    Ok(report)
}

struct JobProgress {
    store: Store,
    id: i64,
}

impl AsyncProgress for JobProgress {
    async fn report(&self, done: u64, total: u64, r: &ImportReport) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE import_jobs SET done = $1, total = $2, created = $3, updated = $4, unchanged = $5 WHERE id = $6",
        )
        .bind(done as i64)
        .bind(total as i64)
        .bind(r.created as i64)
        .bind(r.updated as i64)
        .bind(r.unchanged as i64)
        .bind(self.id)
        .execute(self.store.pool())
        .await?;
        Ok(())
    }
}

/// Starts a console import as a background job and returns its id at once.
pub async fn start(store: &Store, actor: &Actor, data: Vec<u8>, ip: Option<&str>) -> Result<i64, AppError> {
    if data.is_empty() {
        return Err(AppError::field(ErrCode::Required, "file"));
    }
    let (rows, errors) = parse(&data);
    drop(data);
    let mut tx = store.begin_write().await?;
    let row = sqlx::query(
        "INSERT INTO import_jobs (started_by, started_at, status, total, done, created, updated, unchanged) \
         VALUES ($1, $2, 'running', $3, 0, 0, 0, 0) RETURNING id",
    )
    .bind(&actor.name)
    .bind(now())
    .bind(rows.len() as i64)
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = col(&row, "id")?;
    let detail = format!("job {id} rows {} rejected {}", rows.len(), errors.len());
    audit::record(&mut tx, actor, Entry::new(A::BusinessImportStarted).target("businesses").detail(&detail).ip_opt(ip))
        .await?;
    tx.commit().await?;
    let (store, actor) = (store.clone(), actor.clone());
    tokio::spawn(async move {
        let progress = JobProgress { store: store.clone(), id };
        let outcome = apply(&store, &rows, errors, progress).await;
        if let Err(e) = finish(&store, &actor, id, outcome).await {
            tracing::error!(job = id, error = %e.message(Lang::En), "could not record the end of an import");
        }
    });
    Ok(id)
}

async fn finish(
    store: &Store,
    actor: &Actor,
    id: i64,
    outcome: Result<ImportReport, AppError>,
) -> Result<(), AppError> {
    let (status, report, failure) = match outcome {
        Ok(r) => (ImportStatus::Done, r, None),
        Err(e) => (ImportStatus::Failed, ImportReport::default(), Some(e.message(Lang::Zh).to_owned())),
    };
    let errors = serde_json::to_string(&report.errors).map_err(AppError::internal)?;
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE import_jobs SET status = $1, finished_at = $2, errors = $3, failure = $4, created = $5, \
         updated = $6, unchanged = $7 WHERE id = $8",
    )
    .bind(status.as_str())
    .bind(now())
    .bind(errors)
    .bind(failure)
    .bind(report.created as i64)
    .bind(report.updated as i64)
    .bind(report.unchanged as i64)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let detail = format!("job {id} {} {}", status.as_str(), summary(&report));
    audit::record(&mut tx, actor, Entry::new(A::BusinessImport).target("businesses").detail(&detail)).await?;
    tx.commit().await?;
    Ok(())
}

/// One import job, for its status page.
pub async fn job(store: &Store, id: i64) -> Result<Option<ImportJob>, AppError> {
    let row = sqlx::query(
        "SELECT id, started_by, started_at, finished_at, status, total, done, created, updated, unchanged, errors, \
         failure FROM import_jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let status: String = col(&r, "status")?;
    let errors: Option<String> = col(&r, "errors")?;
    let count = |name: &str| col::<i64>(&r, name).map(|n| n.max(0) as u64);
    Ok(Some(ImportJob {
        id: col(&r, "id")?,
        started_by: col(&r, "started_by")?,
        started_at: col(&r, "started_at")?,
        finished_at: col(&r, "finished_at")?,
        status: ImportStatus::parse(&status).ok_or_else(|| AppError::internal(format!("bad job status {status}")))?,
        total: count("total")?,
        done: count("done")?,
        report: ImportReport {
            created: count("created")?,
            updated: count("updated")?,
            unchanged: count("unchanged")?,
            errors: match errors {
                Some(e) => serde_json::from_str(&e).map_err(AppError::internal)?,
                None => Vec::new(),
            },
        },
        failure: col(&r, "failure")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "credit_code,name,address,district,category\n";

    #[test]
    fn line_numbers_survive_quoted_line_breaks_and_crlf() {
        let csv = format!(
            "\u{FEFF}{}91350100M000100Y43,\"老王,米粉\",涪城区临园路1号,涪城区,餐饮\r\n\
             91110000600037341L,\"两行\n店名\",地址,涪城区,餐饮\r\n123,坏,地址,涪城区,餐饮\r\n",
            HEADER.to_uppercase().replace("CREDIT_CODE", " Credit_Code ")
        );
        let (rows, errors) = parse(csv.as_bytes());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[0].1.name, "老王,米粉");
        let at: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(at, [(3, "name"), (5, "credit_code")], "a quoted line break is one row spanning lines 3-4");
    }

    #[test]
    fn header_problems_and_field_counts_are_reported() {
        let (rows, errors) = parse(b"credit_code,name\n1,2\n");
        assert!(rows.is_empty());
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("address"), "{}", errors[0].message);
        let (rows, errors) = parse(format!("{HEADER}91350100M000100Y43,a,b\n").as_bytes());
        assert!(rows.is_empty());
        assert_eq!(errors[0].line, 2);
        let (rows, errors) = parse(b"");
        assert!(rows.is_empty() && !errors.is_empty());
    }

    #[test]
    fn exported_formulas_import_back_and_duplicates_are_refused() {
        let csv = format!("{HEADER}91350100M000100Y43,'=老王,地址,涪城区,餐饮\n91350100M000100Y43,b,c,涪城区,餐饮\n");
        let (rows, errors) = parse(csv.as_bytes());
        assert!(rows.is_empty());
        assert_eq!(errors.len(), 2);
        let csv = format!("{HEADER}91350100M000100Y43,'=老王,地址,涪城区,餐饮\n");
        let (rows, _) = parse(csv.as_bytes());
        assert_eq!(rows[0].1.name, "=老王");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_rows_or_errors_never_a_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let (rows, errors) = parse(&data);
            proptest::prop_assert!(rows.iter().all(|(line, _)| *line >= 2));
            proptest::prop_assert!(errors.iter().all(|e| e.line >= 1));
        }

        #[test]
        fn csv_like_text_keeps_line_numbers_in_order(
            cells in proptest::collection::vec("[a-z,\"\\n\\r米]{0,12}", 0..30),
        ) {
            let text = format!("{HEADER}{}", cells.join("\n"));
            let (rows, errors) = parse(text.as_bytes());
            let last_line = text.lines().count() as u64 + 1;
            for line in rows.iter().map(|(l, _)| *l).chain(errors.iter().map(|e| e.line)) {
                proptest::prop_assert!((1..=last_line).contains(&line), "line {line} of {last_line}");
            }
        }
    }
}
