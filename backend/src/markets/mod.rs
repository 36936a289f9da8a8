//! 一码通: markets and their stalls. Reads for the pages and the API (each on one connection), markets created
//! by staff, the trace of a certificate; the keys market systems sign with (`keys`), the batches they send and
//! staff upload (`ingest`), the demo (`seed`).

/// Batches: signed JSON from market systems and CSV uploads from the console, all or nothing, idempotent.
pub mod ingest;
/// Market keys: issued (shown once, sealed at rest), revoked, checked against a batch's signature.
pub mod keys;
/// Six demo markets with 300 stalls, a week of rapid tests and certificates.
pub mod seed;

use crate::clock::now;
use crate::credit::registry::grade_col;
use crate::staff::audit::{self, Actor, Entry};
use crate::store::{col, Change, Store};
use domain::markets::{
    day_start, parse_commitments, CertificateView, GradeCount, MarketDetail, MarketInput, MarketSummary, RapidTestView,
    StallCode, StallDetail, StallSummary, TraceStall, TraceView, FLAG_DAYS,
};
use domain::staff::AuditAction as A;
use domain::AppError;
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// Certificates of goods on sale: those issued in the last 7 days.
pub const ON_SALE_DAYS: i64 = 7;

const MARKET_COLS: &str = "m.id, m.name, m.kind, m.district, m.address, \
    (SELECT COUNT(*) FROM stalls s WHERE s.market_id = m.id) AS stalls, \
    (SELECT COUNT(*) FROM rapid_tests t WHERE t.market_id = m.id AND t.tested_at >= $1 AND t.tested_at < $2) \
        AS tests_today, \
    (SELECT COUNT(*) FROM rapid_tests t WHERE t.market_id = m.id AND t.tested_at >= $1 AND t.tested_at < $2 \
        AND t.result = '合格') AS passed_today, \
    (SELECT COUNT(*) FROM stalls s WHERE s.market_id = m.id AND s.flagged_at >= $3) AS flagged_stalls";

fn market(r: &AnyRow) -> Result<MarketSummary, AppError> {
    Ok(MarketSummary {
        id: col(r, "id")?,
        name: col(r, "name")?,
        kind: col(r, "kind")?,
        district: col(r, "district")?,
        address: col(r, "address")?,
        stalls: col(r, "stalls")?,
        tests_today: col(r, "tests_today")?,
        passed_today: col(r, "passed_today")?,
        flagged_stalls: col(r, "flagged_stalls")?,
    })
}

/// Today (China day) as `[from, until)`, and the start of the flag window.
fn windows(t: i64) -> (i64, i64, i64) {
    let day = day_start(t);
    (day, day + 86_400, t - FLAG_DAYS * 86_400)
}

const STALL_COLS: &str = "s.id AS stall_id, s.market_id, s.code, s.number, s.goods, s.flagged_at, b.name AS operator, \
    b.credit_code, b.grade, b.score, b.watch_list, b.last_inspected_at, b.pending_grade";

fn stall(r: &AnyRow, flag_from: i64) -> Result<StallSummary, AppError> {
    let (score, watch, inspected): (i64, bool, Option<i64>) =
        (col(r, "score")?, col::<i64>(r, "watch_list")? != 0, col(r, "last_inspected_at")?);
    let pending = col::<Option<String>>(r, "pending_grade")?.is_some();
    Ok(StallSummary {
        code: col(r, "code")?,
        number: col(r, "number")?,
        goods: col(r, "goods")?,
        operator: col(r, "operator")?,
        credit_code: col(r, "credit_code")?,
        grade: grade_col(r, "grade")?,
        awaiting_inspection: domain::credit::awaiting_inspection(inspected, score, watch, pending),
        flagged_at: col::<Option<i64>>(r, "flagged_at")?.filter(|t| *t >= flag_from),
    })
}

const TEST_COLS: &str = "t.id, s.code AS stall, s.number AS stall_number, t.test_no, t.sample, t.item, t.method, \
    t.result, t.tested_at, t.tester, t.case_no";

fn test(r: &AnyRow, with_case: bool) -> Result<RapidTestView, AppError> {
    Ok(RapidTestView {
        id: col(r, "id")?,
        stall: col(r, "stall")?,
        stall_number: col(r, "stall_number")?,
        test_no: col(r, "test_no")?,
        sample: col(r, "sample")?,
        item: col(r, "item")?,
        method: col(r, "method")?,
        result: col(r, "result")?,
        tested_at: col(r, "tested_at")?,
        tester: col(r, "tester")?,
        case_no: if with_case { col(r, "case_no")? } else { None },
    })
}

fn certificate(r: &AnyRow) -> Result<CertificateView, AppError> {
    let stored: String = col(r, "commitments")?;
    Ok(CertificateView {
        cert_no: col(r, "cert_no")?,
        product: col(r, "product")?,
        quantity: col(r, "quantity")?,
        origin: col(r, "origin")?,
        producer: col(r, "producer")?,
        producer_contact: col(r, "producer_contact")?,
        issued_on: col(r, "issued_on")?,
        commitments: parse_commitments(&stored)
            .map(|c| c.iter().map(|c| c.as_str().to_owned()).collect())
            .unwrap_or_else(|| stored.split(';').map(str::to_owned).collect()),
        basis: col(r, "basis")?,
    })
}

/// Every market with today's figures.
pub async fn list(store: &Store) -> Result<Vec<MarketSummary>, AppError> {
    let (from, until, flag_from) = windows(now());
    sqlx::query(&format!("SELECT {MARKET_COLS} FROM markets m ORDER BY m.id"))
        .bind(from)
        .bind(until)
        .bind(flag_from)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(market)
        .collect()
}

async fn market_in(conn: &mut AnyConnection, id: i64, t: i64) -> Result<Option<MarketSummary>, AppError> {
    let (from, until, flag_from) = windows(t);
    sqlx::query(&format!("SELECT {MARKET_COLS} FROM markets m WHERE m.id = $4"))
        .bind(from)
        .bind(until)
        .bind(flag_from)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(market)
        .transpose()
}

/// Failing rapid tests of a market in the last 30 days, newest first (at most 200).
async fn failing_in(
    conn: &mut AnyConnection,
    market_id: i64,
    t: i64,
    with_case: bool,
) -> Result<Vec<RapidTestView>, AppError> {
    sqlx::query(&format!(
        "SELECT {TEST_COLS} FROM rapid_tests t JOIN stalls s ON s.id = t.stall_id \
         WHERE t.market_id = $1 AND t.result = '不合格' AND t.tested_at >= $2 ORDER BY t.tested_at DESC, t.id DESC \
         LIMIT 200"
    ))
    .bind(market_id)
    .bind(t - FLAG_DAYS * 86_400)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| test(r, with_case))
    .collect()
}

/// A market's page: today's figures, stalls by grade, failing tests of the last 30 days.
pub async fn detail(store: &Store, id: i64) -> Result<MarketDetail, AppError> {
    let t = now();
    let mut conn = store.pool().acquire().await?;
    let market = market_in(&mut conn, id, t).await?.ok_or_else(AppError::not_found)?;
    let (_, _, flag_from) = windows(t);
    let stalls: Vec<StallSummary> = sqlx::query(&format!(
        "SELECT {STALL_COLS} FROM stalls s JOIN businesses b ON b.id = s.business_id WHERE s.market_id = $1 \
         ORDER BY b.grade, s.number"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| stall(r, flag_from))
    .collect::<Result<_, _>>()?;
    use domain::credit::Grade;
    let grades = [Grade::A, Grade::B, Grade::C, Grade::D]
        .into_iter()
        .map(|g| GradeCount { grade: g, stalls: stalls.iter().filter(|s| s.grade == g).count() as i64 })
        .collect();
    let failing = failing_in(&mut conn, id, t, false).await?;
    Ok(MarketDetail { market, grades, stalls, failing })
}

/// A stall's page: the operator's grade, today's rapid tests, certificates of goods on sale.
pub async fn stall_detail(store: &Store, code: &StallCode) -> Result<StallDetail, AppError> {
    let t = now();
    let (from, until, flag_from) = windows(t);
    let mut conn = store.pool().acquire().await?;
    let row = sqlx::query(&format!(
        "SELECT {STALL_COLS}, m.name AS market_name FROM stalls s JOIN businesses b ON b.id = s.business_id \
         JOIN markets m ON m.id = s.market_id WHERE s.code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(AppError::not_found)?;
    let stall_id: i64 = col(&row, "stall_id")?;
    let today = sqlx::query(&format!(
        "SELECT {TEST_COLS} FROM rapid_tests t JOIN stalls s ON s.id = t.stall_id \
         WHERE t.stall_id = $1 AND t.tested_at >= $2 AND t.tested_at < $3 ORDER BY t.tested_at DESC, t.id DESC LIMIT 100"
    ))
    .bind(stall_id)
    .bind(from)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| test(r, false))
    .collect::<Result<_, _>>()?;
    let certificates = sqlx::query(
        "SELECT cert_no, product, quantity, origin, producer, producer_contact, issued_on, commitments, basis \
         FROM certificates WHERE stall_id = $1 AND issued_on >= $2 ORDER BY issued_on DESC, id DESC LIMIT 20",
    )
    .bind(stall_id)
    .bind(from - (ON_SALE_DAYS - 1) * 86_400)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(certificate)
    .collect::<Result<_, _>>()?;
    Ok(StallDetail {
        stall: stall(&row, flag_from)?,
        market_id: col(&row, "market_id")?,
        market_name: col(&row, "market_name")?,
        today,
        certificates,
    })
}

/// A certificate traced: its goods' producer and origin, and every stall holding the same certificate number.
pub async fn trace(store: &Store, cert_no: &str) -> Result<TraceView, AppError> {
    let rows = sqlx::query(
        "SELECT c.cert_no, c.product, c.quantity, c.origin, c.producer, c.producer_contact, c.issued_on, s.code, \
         s.number, b.name AS operator, m.id AS market_id, m.name AS market_name FROM certificates c \
         JOIN stalls s ON s.id = c.stall_id JOIN businesses b ON b.id = s.business_id \
         JOIN markets m ON m.id = s.market_id WHERE c.cert_no = $1 ORDER BY m.id, s.number LIMIT 500",
    )
    .bind(cert_no)
    .fetch_all(store.pool())
    .await?;
    let first = rows.first().ok_or_else(AppError::not_found)?;
    Ok(TraceView {
        cert_no: col(first, "cert_no")?,
        product: col(first, "product")?,
        producer: col(first, "producer")?,
        producer_contact: col(first, "producer_contact")?,
        origin: col(first, "origin")?,
        issued_on: col(first, "issued_on")?,
        stalls: rows
            .iter()
            .map(|r| {
                Ok(TraceStall {
                    code: col(r, "code")?,
                    number: col(r, "number")?,
                    operator: col(r, "operator")?,
                    market_id: col(r, "market_id")?,
                    market_name: col(r, "market_name")?,
                    quantity: col(r, "quantity")?,
                })
            })
            .collect::<Result<_, AppError>>()?,
    })
}

/// Adds a market (staff), audited.
pub async fn create_market(store: &Store, actor: &Actor, m: &MarketInput) -> Result<i64, AppError> {
    let mut tx = store.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO markets (name, kind, district, address, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&m.name)
    .bind(m.kind.as_str())
    .bind(m.district.as_str())
    .bind(&m.address)
    .bind(now())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match AppError::from(e) {
        e if e.code == domain::ErrCode::Conflict => AppError::field(domain::ErrCode::Conflict, "name"),
        e => e,
    })?;
    audit::record(&mut tx, actor, Entry::new(A::MarketCreate).target(&format!("market:{id}")).detail(&m.name)).await?;
    tx.commit().await?;
    store.announce(Change::Markets);
    Ok(id)
}

/// A market in the staff console: its keys, recent uploads and failing tests with their cases.
pub async fn staff_detail(store: &Store, id: i64) -> Result<domain::markets::StaffMarket, AppError> {
    let t = now();
    let mut conn = store.pool().acquire().await?;
    let market = market_in(&mut conn, id, t).await?.ok_or_else(AppError::not_found)?;
    let keys = keys::list_in(&mut conn, id).await?;
    let uploads = ingest::uploads_in(&mut conn, id).await?;
    let failing = failing_in(&mut conn, id, t, true).await?;
    Ok(domain::markets::StaffMarket { market, keys, uploads, failing })
}

/// Opens a case (举报, typed in by staff) from a failing rapid test: the stall's operator named by credit code,
/// the test described. Filing uses an idempotency key of the test, so a retry after a failure between the two
/// steps files nothing twice; the test then records the case's number (audited). A test that has a case
/// already answers that case; a passing test is 409 naming `result`.
pub async fn open_case(state: &crate::AppState, actor: &Actor, test_id: i64) -> Result<String, AppError> {
    use domain::cases::{CaseCategory, CaseInput, CaseKind, Channel};
    let row = sqlx::query(
        "SELECT t.test_no, t.sample, t.item, t.method, t.result, t.tested_at, t.tester, t.case_no, s.number, \
         b.credit_code, b.name AS operator, m.name AS market FROM rapid_tests t JOIN stalls s ON s.id = t.stall_id \
         JOIN businesses b ON b.id = s.business_id JOIN markets m ON m.id = t.market_id WHERE t.id = $1",
    )
    .bind(test_id)
    .fetch_optional(state.store.pool())
    .await?
    .ok_or_else(AppError::not_found)?;
    if let Some(no) = col::<Option<String>>(&row, "case_no")? {
        return Ok(no);
    }
    if col::<String>(&row, "result")? != domain::markets::TestResult::Fail.as_str() {
        return Err(AppError::field(domain::ErrCode::Conflict, "result"));
    }
    let (market, number): (String, String) = (col(&row, "market")?, col(&row, "number")?);
    let tested_at: i64 = col(&row, "tested_at")?;
    let description = format!(
        "快检不合格：{market} {number} 摊位，样品 {}，检测项目 {}（{}），{} 由 {} 检测，检测编号 {}。",
        col::<String>(&row, "sample")?,
        col::<String>(&row, "item")?,
        col::<String>(&row, "method")?,
        domain::clock::format_datetime(tested_at),
        col::<String>(&row, "tester")?,
        col::<String>(&row, "test_no")?,
    );
    let code: String = col(&row, "credit_code")?;
    let case = CaseInput {
        kind: CaseKind::Report,
        channel: Channel::Counter,
        credit_code: domain::credit::CreditCode::parse(&code).ok(),
        business_name: col(&row, "operator")?,
        category: CaseCategory::IllegalAdditives.as_str().to_owned(),
        description,
        occurred_at: Some(tested_at),
        place: format!("{market} {number}"),
        reporter: None,
        idempotency_key: Some(format!("rapid-test-{test_id}")),
    };
    let receipt = crate::cases::intake::file(state, &case, &[], Some(actor)).await?;
    let mut tx = state.store.begin_write().await?;
    sqlx::query("UPDATE rapid_tests SET case_no = $1 WHERE id = $2 AND case_no IS NULL")
        .bind(&receipt.tracking_no)
        .bind(test_id)
        .execute(&mut *tx)
        .await?;
    let target = format!("rapid_test:{test_id}");
    audit::record(&mut tx, actor, Entry::new(A::MarketCaseOpened).target(&target).detail(&receipt.tracking_no)).await?;
    tx.commit().await?;
    Ok(receipt.tracking_no)
}
