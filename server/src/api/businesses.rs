//! The business registry: search, one business, bulk downloads.

use crate::http::Shared;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::credit::{BusinessDetail, BusinessSummary, CreditCode, SearchQuery};
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
        ("q" = Option<String>, Query, description = "2–100 characters: name/address substring, credit code or licence number"),
        ("district" = Option<String>, Query, description = "e.g. 涪城区"),
        ("grade" = Option<String>, Query, description = "A, B, C or D"),
        ("category" = Option<String>, Query, description = "生产, 销售, 餐饮, 网络食品, 集中用餐单位"),
        ("watch_list" = Option<bool>, Query),
        ("page" = Option<i64>, Query, description = "from 1"),
        ("per_page" = Option<i64>, Query, description = "1–100, default 20"),
    ),
    responses(
        (status = 200, description = "`{items, total, page, per_page}`", body = BusinessPage),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::api::ErrorBody),
        (status = 429, description = "rate limited", body = crate::api::ErrorBody)
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

/// A page of businesses (schema for the docs).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BusinessPage {
    pub items: Vec<BusinessSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// One business with the events behind its grade and its grade history. An invalid code is a 400, not a 404.
#[utoipa::path(get, path = "/api/v1/businesses/{credit_code}", tag = "credit",
    params(("credit_code" = String, Path, description = "18-character unified social credit code")),
    responses(
        (status = 200, body = BusinessDetail),
        (status = 400, description = "invalid credit code", body = crate::api::ErrorBody),
        (status = 404, description = "no such business", body = crate::api::ErrorBody)
    ))]
pub async fn get_one(State(shared): State<Shared>, Path(code): Path<String>) -> Response {
    let code = match CreditCode::parse(&code) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    // A short-lived cache of the serialised answer: a popular shop's QR code is scanned again and again.
    let key = (code.to_string(), domain::Lang::Zh);
    if let Some(hit) = shared.api_cache.get(&key) {
        return hit;
    }
    match backend::credit::detail(&shared.app.store, &code).await {
        Ok(Some(d)) => match serde_json::to_vec(&d) {
            Ok(body) => {
                let mut headers = http::HeaderMap::new();
                headers.insert(header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
                let body = bytes::Bytes::from(body);
                shared.api_cache.put(key, headers, body.clone());
                ([(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
            Err(e) => AppError::internal(e).into_response(),
        },
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
            b.name.as_str(),
            b.address.as_str(),
            b.district.as_str(),
            b.category.as_str(),
            b.status.as_str(),
            b.grade.as_str(),
            &b.score.to_string(),
            if b.watch_list { "1" } else { "0" },
            b.dynamic_grade.as_deref().unwrap_or(""),
            &b.last_inspected_at.map(domain::clock::format_date).unwrap_or_default(),
        ])
        .map_err(AppError::internal)?;
    }
    w.into_inner().map_err(AppError::internal)
}

/// A reply or credit-repair request from the business, as JSON.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ReplyRequest {
    /// `reply` (published after review) or `repair` (a credit-repair request for staff).
    pub kind: String,
    /// 10–2000 characters.
    pub body: String,
    /// Contact name and phone, 5–100 characters; staff only, never published.
    pub contact: String,
}

/// The business answers its record or asks for credit repair. Moderated before anything is published.
#[utoipa::path(post, path = "/api/v1/businesses/{credit_code}/replies", tag = "credit",
    params(("credit_code" = String, Path)),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "`{id, status: \"pending\"}`"),
        (status = 400, description = "invalid JSON or field (named in `field`)", body = crate::api::ErrorBody),
        (status = 404, description = "no such business", body = crate::api::ErrorBody),
        (status = 409, description = "too many pending submissions for this business", body = crate::api::ErrorBody),
        (status = 415, description = "not JSON", body = crate::api::ErrorBody)
    ))]
pub async fn post_reply(
    State(shared): State<Shared>,
    Path(code): Path<String>,
    body: Result<super::json::ApiJson<ReplyRequest>, AppError>,
) -> Response {
    let result = async {
        let code = CreditCode::parse(&code)?;
        let super::json::ApiJson(r) = body?;
        backend::replies::submit(&shared.app.store, &code, &r.kind, &r.body, &r.contact).await
    }
    .await;
    match result {
        Ok(id) => (http::StatusCode::CREATED, Json(serde_json::json!({ "id": id, "status": "pending" }))).into_response(),
        Err(e) => e.into_response(),
    }
}
