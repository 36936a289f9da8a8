//! The business registry: search, one business, bulk downloads.

use crate::http::client_ip::{network, ClientIp};
use crate::http::json::ApiJson;
use crate::http::Shared;
use axum::extract::{Path, Query, State};
use axum::Extension;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::credit::{BusinessDetail, BusinessSummary, CreditCode, Page, ReplyFields, SearchQuery};
use domain::text::csv_cell;
use domain::AppError;
use std::collections::HashMap;

fn param<'a>(p: &'a HashMap<String, String>, k: &str) -> Option<&'a str> {
    p.get(k).map(String::as_str)
}

/// Parses the query string of a registry search.
pub fn search_query(p: &HashMap<String, String>) -> Result<SearchQuery, AppError> {
    SearchQuery::parse(
        param(p, "q"),
        param(p, "district"),
        param(p, "grade"),
        param(p, "category"),
        param(p, "watch_list"),
        param(p, "page"),
        param(p, "per_page"),
    )
}

/// Search the registry: substring of name or address (2+ characters), exact credit code or licence number;
/// filters by district, grade, category, watch list. Ranked exact > prefix > substring.
#[utoipa::path(get, path = "/api/v1/businesses", tag = "credit",
    params(
        ("q" = Option<String>, Query, description = "name/address substring (at least 2 letters or digits), credit code or licence number; empty = any", max_length = 100),
        ("district" = Option<DistrictParam>, Query, description = "one of Mianyang's districts and zones"),
        ("grade" = Option<String>, Query, description = "A, B, C or D; empty = any", pattern = "^[ABCDabcd]?$"),
        ("category" = Option<CategoryParam>, Query),
        ("watch_list" = Option<bool>, Query),
        ("page" = Option<i64>, Query, description = "from 1", minimum = 1, maximum = 10000),
        ("per_page" = Option<i64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "`{items, total, page, per_page, total_is_lower_bound}`", body = Page<BusinessSummary>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn search(State(shared): State<Shared>, Query(p): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let q = search_query(&p)?;
        backend::credit::search(&shared.app, &q).await
    }
    .await;
    match result {
        Ok(page) => Json(page).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The districts a search may be narrowed to, in the OpenAPI document: `""` (any, what the search form sends)
/// and every stored name of `domain::credit::District`, the vocabulary the parser checks against.
pub struct DistrictParam;

/// The business categories a search may be narrowed to: `""` and `domain::credit::BusinessCategory`.
pub struct CategoryParam;

pub(crate) fn any_or(values: impl Iterator<Item = &'static str>, what: &str) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::String))
        .description(Some(format!("{what}; empty = any")))
        .enum_values(Some(std::iter::once("").chain(values)))
        .into()
}

impl utoipa::PartialSchema for DistrictParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        any_or(domain::credit::District::STORED.iter().copied(), "a district or zone of Mianyang")
    }
}

impl utoipa::ToSchema for DistrictParam {}

impl utoipa::PartialSchema for CategoryParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        any_or(domain::credit::BusinessCategory::STORED.iter().copied(), "a business category")
    }
}

impl utoipa::ToSchema for CategoryParam {}

/// One business with the events behind its grade and its grade history. An invalid code is a 400, not a 404.
#[utoipa::path(get, path = "/api/v1/businesses/{credit_code}", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code", pattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    responses(
        (status = 200, body = BusinessDetail),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 400, description = "invalid credit code", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business", body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn get_one(State(shared): State<Shared>, Path(code): Path<String>) -> Response {
    let code = match CreditCode::parse(&code) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    // Cached briefly by the route's facts: a popular shop's QR code is scanned again and again.
    match backend::credit::detail(&shared.app, &code).await {
        Ok(Some(d)) => Json(d).into_response(),
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => e.into_response(),
    }
}

/// Businesses per page of a streamed download: one short query each.
pub const DOWNLOAD_PAGE: i64 = 2_000;

/// How a download renders: what comes first, each page, and what comes last.
#[derive(Clone, Copy)]
enum Format {
    Csv,
    Json,
}

/// Streams the whole registry in `format`: the `ETag` is the registry's stored version (read without the rows),
/// so an unchanged download answers 304 at once; otherwise pages of [`DOWNLOAD_PAGE`] rows are read and sent
/// one after another, never the whole registry in memory (1 M businesses are ~200 MB of CSV). A failure after
/// the first bytes ends the stream early (the status is already sent); a client sees a truncated file.
async fn download(shared: Shared, headers: HeaderMap, format: Format) -> Response {
    let version = match backend::credit::export_version(&shared.app.store).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let tag = format!("\"registry-{version}-{}\"", match format { Format::Csv => "csv", Format::Json => "json" });
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*"));
    let mut res = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let store = shared.app.store.clone();
        // State: the last credit code sent, whether anything was sent, whether the end was written.
        let pages = futures_util::stream::try_unfold((None::<String>, false, false), move |(after, any, done)| {
            let store = store.clone();
            async move {
                if done {
                    return Ok::<_, AppError>(None);
                }
                let rows = backend::credit::export_page(&store, after.as_deref(), DOWNLOAD_PAGE).await?;
                let last = rows.last().map(|b| b.credit_code.as_str().to_owned());
                let end = (rows.len() as i64) < DOWNLOAD_PAGE;
                let mut chunk = Vec::new();
                if after.is_none() {
                    chunk.extend_from_slice(match format {
                        Format::Csv => b"",
                        Format::Json => b"[",
                    });
                }
                match format {
                    Format::Csv => chunk.extend(to_csv(&rows, after.is_none())?),
                    Format::Json => {
                        for (i, b) in rows.iter().enumerate() {
                            if any || i > 0 {
                                chunk.push(b',');
                            }
                            serde_json::to_writer(&mut chunk, b).map_err(AppError::internal)?;
                        }
                    }
                }
                if end {
                    if let Format::Json = format {
                        chunk.push(b']');
                    }
                }
                let any = any || !rows.is_empty();
                Ok(Some((bytes::Bytes::from(chunk), (last.or(after), any, end))))
            }
        });
        axum::body::Body::from_stream(pages).into_response()
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    if !unchanged {
        let (kind, name) = match format {
            Format::Csv => ("text/csv; charset=utf-8", "attachment; filename=\"mianyang-food-businesses.csv\""),
            Format::Json => ("application/json", "attachment; filename=\"mianyang-food-businesses.json\""),
        };
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(name));
    }
    res
}

/// The whole public registry with grades, as CSV (UTF-8 with BOM, for spreadsheet programs), streamed. Carries an
/// `ETag` (the registry's version): send it back in `If-None-Match` to get 304 while nothing changed.
#[utoipa::path(get, path = "/api/v1/downloads/businesses.csv", tag = "credit",
    responses(
        (status = 200, content_type = "text/csv", description = "one row per business"),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 429, description = "rate limited (downloads have a small quota of their own)", body = crate::http::json::ErrorBody)
    ))]
pub async fn download_csv(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    download(shared, headers, Format::Csv).await
}

/// The whole public registry with grades, as a JSON array, streamed; `ETag` as for the CSV.
#[utoipa::path(get, path = "/api/v1/downloads/businesses.json", tag = "credit",
    responses(
        (status = 200, body = Vec<BusinessSummary>),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        (status = 429, description = "rate limited (downloads have a small quota of their own)", body = crate::http::json::ErrorBody)
    ))]
pub async fn download_json(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    download(shared, headers, Format::Json).await
}

pub const CSV_HEADER: [&str; 12] = [
    "credit_code",
    "licence_no",
    "name",
    "address",
    "district",
    "category",
    "status",
    "grade",
    "score",
    "watch_list",
    "dynamic_grade",
    "last_inspected",
];

/// Rows as CSV; the first page starts with the byte-order mark and the header.
fn to_csv(rows: &[BusinessSummary], first: bool) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(if first { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() });
    if first {
        w.write_record(CSV_HEADER).map_err(AppError::internal)?;
    }
    for b in rows {
        w.write_record([
            b.credit_code.as_str(),
            b.licence_no.as_deref().unwrap_or(""),
            &csv_cell(&b.name),
            &csv_cell(&b.address),
            b.district.as_str(),
            b.category.as_str(),
            b.status.as_str(),
            b.grade.as_str(),
            &b.score.to_string(),
            if b.watch_list { "1" } else { "0" },
            b.dynamic_grade.map(|g| g.as_str()).unwrap_or(""),
            &b.last_inspected_at.map(domain::clock::format_date).unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// The business answers its record or asks for credit repair. Moderated before anything is published.
#[utoipa::path(post, path = "/api/v1/businesses/{credit_code}/replies", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code", pattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")),
    request_body = ReplyFields,
    responses(
        (status = 201, description = "`{id, status: \"pending\"}`"),
        (status = 400, description = "invalid JSON or field (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 404, description = "no such business", body = crate::http::json::ErrorBody),
        (status = 409, description = "too many pending submissions for this business", body = crate::http::json::ErrorBody),
        (status = 413, description = "body too large", body = crate::http::json::ErrorBody),
        (status = 415, description = "not JSON", body = crate::http::json::ErrorBody),
        (status = 429, description = "too many submissions from this network, or rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn post_reply(
    State(shared): State<Shared>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(code): Path<String>,
    body: Result<ApiJson<ReplyFields>, AppError>,
) -> Response {
    let result = async {
        let code = CreditCode::parse(&code)?;
        let ApiJson(fields) = body?;
        backend::credit::replies::submit(&shared.app, &code, &fields.parse()?, Some(&network(ip))).await
    }
    .await;
    match result {
        Ok(id) => (http::StatusCode::CREATED, Json(serde_json::json!({ "id": id, "status": "pending" }))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(search, get_one, post_reply, download_csv, download_json),
    components(schemas(DistrictParam, CategoryParam, Page<BusinessSummary>, ReplyFields, BusinessSummary, BusinessDetail,
        domain::credit::CreditEventView, domain::credit::GradePoint, domain::credit::ReplyView,
        domain::credit::ReplyOrigin, domain::credit::Grade, domain::credit::EventKind, domain::credit::Severity,
        domain::credit::DynamicGrade, domain::credit::ReplyKind, domain::credit::ReplyStatus)),
    tags((name = "credit", description = "The business registry and credit grades"))
)]
pub struct CreditApi;

/// Type-ahead suggestions for the search page's island: up to six businesses, one per line as
/// `credit_code<TAB>grade<TAB>name` (names never hold control characters), plain text so the browser side needs
/// no JSON. A query of fewer than two letters or digits answers nothing.
pub async fn suggest(State(shared): State<Shared>, Query(p): Query<HashMap<String, String>>) -> Response {
    let Some(q) = p.get("q").and_then(|q| domain::credit::normalise_query(q)) else {
        return ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], String::new()).into_response();
    };
    let query = SearchQuery { q: Some(q), page: 1, per_page: 6, ..Default::default() };
    match backend::credit::search(&shared.app, &query).await {
        Ok(page) => {
            let body: String = page
                .items
                .iter()
                .map(|b| format!("{}\t{}\t{}\n", b.credit_code, b.grade.as_str(), b.name))
                .collect();
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
        }
        Err(e) => e.into_response(),
    }
}
