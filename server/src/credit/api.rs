//! The business registry: search, one business, bulk downloads.

use crate::http::client_ip::{network, ClientIp};
use crate::http::json::ApiJson;
use crate::http::Shared;
use axum::extract::{Path, Query, State};
use axum::Extension;
use axum::http::header;
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
        backend::credit::search(&shared.app.store, &q).await
    }
    .await;
    match result {
        Ok(page) => Json(page).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The districts a search may be narrowed to, in the OpenAPI document: `""` (any, what the search form sends)
/// and every name of `domain::credit::DISTRICTS`, the list the parser checks against.
pub struct DistrictParam;

/// The business categories a search may be narrowed to: `""` and `domain::credit::CATEGORIES`.
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
        any_or(domain::credit::DISTRICTS.iter().map(|(d, _, _)| *d), "a district or zone of Mianyang")
    }
}

impl utoipa::ToSchema for DistrictParam {}

impl utoipa::PartialSchema for CategoryParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        any_or(domain::credit::CATEGORIES.iter().map(|(c, _)| *c), "a business category")
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
    match backend::credit::detail(&shared.app.store, &code).await {
        Ok(Some(d)) => Json(d).into_response(),
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => e.into_response(),
    }
}

/// The whole public registry with grades, as CSV (UTF-8 with BOM, for spreadsheet programs).
#[utoipa::path(get, path = "/api/v1/downloads/businesses.csv", tag = "credit",
    responses((status = 200, content_type = "text/csv", description = "one row per business")))]
pub async fn download_csv(State(shared): State<Shared>) -> Response {
    match backend::credit::export(&shared.app.store).await.and_then(|rows| to_csv(&rows)) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"mianyang-food-businesses.csv\""),
            ],
            body,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// The whole public registry with grades, as a JSON array.
#[utoipa::path(get, path = "/api/v1/downloads/businesses.json", tag = "credit",
    responses((status = 200, body = Vec<BusinessSummary>)))]
pub async fn download_json(State(shared): State<Shared>) -> Response {
    match backend::credit::export(&shared.app.store).await {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => e.into_response(),
    }
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

fn to_csv(rows: &[BusinessSummary]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(CSV_HEADER).map_err(AppError::internal)?;
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
    match backend::credit::search(&shared.app.store, &query).await {
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
