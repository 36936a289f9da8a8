//! 抽检结果: the results API, lab report downloads, and the staff publication form. (The pages are declared
//! in `app::sampling`.)

use crate::http::client_ip::ClientIp;
use crate::http::forms::answer;
use crate::http::routes::Routes;
use crate::http::Shared;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use backend::staff::audit::Actor;
use domain::route::Facts;
use domain::sampling::{ResultsQuery, SamplingBatch, SamplingFields, MAX_REPORT_BYTES};
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode, Page};
use http::{header, HeaderMap, StatusCode};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/results", Facts::API, list)
        // A published report never changes.
        .get("/results/{id}/report.pdf", Facts::PAGE.cached(60), report)
        .post("/staff/results", Facts::staff_write(Role::Moderator).body_limit(MAX_REPORT_BYTES + 256 * 1024), publish)
}

/// Parses the query string of the results list.
pub fn results_query(p: &HashMap<String, String>) -> Result<ResultsQuery, AppError> {
    let g = |k: &str| p.get(k).map(String::as_str);
    ResultsQuery::parse(g("food"), g("district"), g("verdict"), g("round"), g("page"), g("per_page"))
}

/// Published sampling results, newest first: routine sampling and 你点我检 rounds alike.
#[utoipa::path(get, path = "/api/v1/results", tag = "results",
    params(
        ("food" = Option<String>, Query, description = "substring of the food's name", max_length = 40),
        ("district" = Option<crate::credit::api::DistrictParam>, Query),
        ("verdict" = Option<String>, Query, description = "pass or fail; empty = any", pattern = "^(pass|fail)?$"),
        ("round" = Option<i64>, Query, description = "a 你点我检 round's id", minimum = 1),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 10000),
        ("per_page" = Option<i64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "`{items, total, page, per_page}`", body = Page<SamplingBatch>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn list(State(shared): State<Shared>, Query(p): Query<HashMap<String, String>>) -> Response {
    let result = async { backend::sampling::list(&shared.app.store, &results_query(&p)?).await }.await;
    match result {
        Ok(page) => Json(page).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A batch's lab report, as the PDF staff uploaded.
#[utoipa::path(get, path = "/results/{id}/report.pdf", tag = "results",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, content_type = "application/pdf", description = "the lab report"),
        (status = 404, body = crate::http::json::ErrorBody)))]
pub async fn report(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return AppError::not_found().into_response() };
    match backend::sampling::report(&shared.app.store, id).await {
        Ok(Some(pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (header::CONTENT_DISPOSITION, format!("inline; filename=\"lab-report-{id}.pdf\"")),
            ],
            pdf,
        )
            .into_response(),
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => e.into_response(),
    }
}

/// Staff publish a batch (multipart: the fields of `SamplingFields` and the PDF as `report`).
pub async fn publish(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(_ip)): Extension<ClientIp>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let mut fields: HashMap<String, String> = HashMap::new();
        let mut report: Option<Vec<u8>> = None;
        while let Some(field) = multipart.next_field().await.map_err(|_| AppError::field(ErrCode::InvalidValue, "report"))? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "report" {
                let bytes = field.bytes().await.map_err(|_| AppError::field(ErrCode::PayloadTooLarge, "report"))?;
                // An empty file input sends an empty part: no report.
                if !bytes.is_empty() {
                    report = Some(bytes.to_vec());
                }
            } else if SamplingFields::FIELDS.contains(&name.as_str()) {
                let text = field.text().await.map_err(|_| AppError::field(ErrCode::InvalidValue, &name))?;
                if text.len() > 20_000 {
                    return Err(AppError::field(ErrCode::TooLong, &name));
                }
                fields.insert(name, text);
            }
        }
        let f: SamplingFields = serde_json::from_value(json!(fields)).map_err(AppError::internal)?;
        backend::sampling::publish(&shared.app.store, &Actor::staff(&user), &f.parse()?, report.as_deref()).await
    }
    .await;
    answer(&headers, "/staff/results", result, |id| format!("/staff/results?published={id}"), |id| {
        (StatusCode::CREATED, json!({ "id": id }))
    })
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, report),
    components(schemas(Page<SamplingBatch>, SamplingBatch, domain::sampling::FailingItem, domain::sampling::PlaceKind)),
    tags((name = "results", description = "Published food sampling results and lab reports"))
)]
pub struct ResultsApi;
