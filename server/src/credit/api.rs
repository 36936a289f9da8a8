//! The business registry: search, one business, bulk downloads.

use crate::http::client_ip::{network, ClientIp};
use crate::http::extract::Code;
use crate::http::json::ApiJson;
use crate::http::query::{Num, Query};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use domain::credit::{BusinessDetail, BusinessSummary, Page, ReplyFields, SearchQuery};
use domain::text::csv_cell;
use domain::AppError;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// The query string of a registry search, as the OpenAPI document states it.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// name/address substring (at least 2 letters or digits), credit code or licence number; empty = any
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// one of Mianyang's districts and zones
    #[param(value_type = Option<DistrictParam>)]
    pub district: Option<String>,
    /// A, B, C or D; empty = any
    #[param(pattern = "^[ABCDabcd]?$")]
    pub grade: Option<String>,
    #[param(value_type = Option<CategoryParam>)]
    pub category: Option<String>,
    #[param(value_type = Option<bool>)]
    pub watch_list: Option<String>,
    /// 阳光餐饮: `1`/`true` only businesses whose kitchen is on camera (互联网+明厨亮灶), `0`/`false` the others
    #[param(value_type = Option<bool>)]
    pub sunshine: Option<String>,
    /// from 1
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10000)]
    pub page: Option<Num>,
    /// 1–100, default 20
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<Num>,
    /// 附近: `lat,lng` in WGS-84 decimal degrees (latitude −90…90, longitude −180…180); answers nearest first,
    /// each item with `distance_m`; empty = none
    #[param(max_length = 60, pattern = "^(-?[0-9]+(\\.[0-9]+)?,-?[0-9]+(\\.[0-9]+)?)?$", example = "31.46,104.68")]
    pub near: Option<String>,
    /// metres around `near` (only with `near`): more than 0, at most 20000, default 2000
    #[param(value_type = Option<f64>, exclusive_minimum = 0.0, maximum = 20000.0)]
    pub radius: Option<String>,
}

impl SearchParams {
    pub fn parse(&self) -> Result<SearchQuery, AppError> {
        SearchQuery::parse(
            self.q.as_deref(),
            self.district.as_deref(),
            self.grade.as_deref(),
            self.category.as_deref(),
            self.watch_list.as_deref(),
            Num::raw(self.page).as_deref(),
            Num::raw(self.per_page).as_deref(),
        )?
        .with_sunshine(self.sunshine.as_deref())
    }

    /// The near query, if any (`near` and `radius` named when wrong).
    pub fn near(&self) -> Result<Option<domain::credit::geo::Near>, AppError> {
        domain::credit::geo::Near::parse(self.near.as_deref(), self.radius.as_deref())
    }
}

/// Search the registry: substring of name or address (2+ characters), exact credit code or licence number;
/// filters by district, grade, category, watch list, 阳光餐饮 (`sunshine`). Ranked exact > prefix > substring; with `near=lat,lng`
/// (and `radius`, metres) the businesses within the radius, nearest first, each with `distance_m`.
#[utoipa::path(get, path = "/api/v1/businesses", tag = "credit",
    params(SearchParams),
    responses(
        (status = 200, description = "`{items, total, page, per_page, total_is_lower_bound}`", body = Page<BusinessSummary>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, description = "rate limited", body = crate::http::json::ErrorBody)
    ))]
pub async fn search(
    State(shared): State<Shared>,
    Query(p): Query<SearchParams>,
) -> Result<Json<Page<BusinessSummary>>, AppError> {
    let (q, near) = (p.parse()?, p.near()?);
    Ok(Json(backend::credit::lookup(&shared.app, &q, near.as_ref()).await?))
}

/// The districts a search may be narrowed to, in the OpenAPI document: `""` (any, what the search form sends)
/// and every stored name of `domain::credit::District`, the vocabulary the parser checks against.
pub struct DistrictParam;

/// The business categories a search may be narrowed to: `""` and `domain::credit::BusinessCategory`.
pub struct CategoryParam;

pub(crate) fn any_or(
    values: impl Iterator<Item = &'static str>,
    what: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
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
pub async fn get_one(State(shared): State<Shared>, Code(code): Code) -> Result<Json<BusinessDetail>, AppError> {
    // Cached briefly by the route's facts: a popular shop's QR code is scanned again and again.
    backend::credit::detail(&shared.app, &code).await?.map(Json).ok_or_else(AppError::not_found)
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
async fn download(shared: Shared, headers: HeaderMap, format: Format) -> Result<Response, AppError> {
    let version = backend::credit::export_version(&shared.app.store).await?;
    let tag = format!(
        "\"registry-{version}-{}\"",
        match format {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    );
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
    Ok(res)
}

/// The whole public registry with grades, as CSV (UTF-8 with BOM, for spreadsheet programs), streamed. Carries an
/// `ETag` (the registry's version): send it back in `If-None-Match` to get 304 while nothing changed.
#[utoipa::path(get, path = "/api/v1/downloads/businesses.csv", tag = "credit",
    responses(
        (status = 200, content_type = "text/csv", description = "one row per business"),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        // 429: documented from the route's facts (`site::docs::document_rate_limits`), with the download quota.
    ))]
pub async fn download_csv(State(shared): State<Shared>, headers: HeaderMap) -> Result<Response, AppError> {
    download(shared, headers, Format::Csv).await
}

/// The whole public registry with grades, as a JSON array, streamed; `ETag` as for the CSV.
#[utoipa::path(get, path = "/api/v1/downloads/businesses.json", tag = "credit",
    responses(
        (status = 200, body = Vec<BusinessSummary>),
        (status = 304, description = "unchanged since the `ETag` in `If-None-Match`"),
        // 429: documented from the route's facts (`site::docs::document_rate_limits`), with the download quota.
    ))]
pub async fn download_json(State(shared): State<Shared>, headers: HeaderMap) -> Result<Response, AppError> {
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
    Code(code): Code,
    ApiJson(fields): ApiJson<ReplyFields>,
) -> Result<Reply, AppError> {
    let id = backend::credit::replies::submit(&shared.app, &code, &fields.parse()?, Some(&network(ip))).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id, "status": "pending" })))
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
pub async fn suggest(State(shared): State<Shared>, Query(p): Query<SuggestParams>) -> Result<Response, AppError> {
    let text = |body: String| ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response();
    let Some(q) = p.q.as_deref().and_then(domain::credit::normalise_query) else {
        return Ok(text(String::new()));
    };
    let query = SearchQuery { q: Some(q), page: 1, per_page: 6, ..Default::default() };
    let page = backend::credit::search(&shared.app, &query).await?;
    Ok(text(page.items.iter().map(|b| format!("{}\t{}\t{}\n", b.credit_code, b.grade.as_str(), b.name)).collect()))
}

/// The type-ahead's query string.
#[derive(Deserialize)]
pub struct SuggestParams {
    pub q: Option<String>,
}
