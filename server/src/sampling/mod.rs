//! 抽检结果: the results API, lab report downloads, and the staff publication form. (The pages are declared
//! in `app::sampling`.)

use crate::http::client_ip::ClientIp;
use crate::http::extract::{Id, Staff};
use crate::http::multipart::{Caps, Upload};
use crate::http::query::{Num, Query};
use crate::http::reply::Reply;
use crate::http::routes::Routes;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use backend::staff::audit::Actor;
use domain::route::Facts;
use domain::sampling::{Disposal, DisposalFields, ResultsQuery, SamplingBatch, SamplingFields, MAX_REPORT_BYTES};
use domain::staff::Role;
use domain::{AppError, Page};
use http::{header, StatusCode};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/results", Facts::API, list)
        .get("/api/v1/results/{id}/disposal", Facts::API, disposal)
        // A published report never changes.
        .get("/results/{id}/report.pdf", Facts::PAGE.cached(60), report)
        .form(
            "/staff/results",
            Facts::staff_write(Role::Moderator).body_limit(PUBLISH.body_limit()),
            "/staff/results",
            publish,
        )
        .form("/staff/results/{id}/disposal", Facts::staff_write(Role::Moderator), "/staff/results/{id}", add_step)
}

/// The query string of the results list, as the OpenAPI document states it.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ResultsParams {
    /// substring of the food's name
    #[param(max_length = 40)]
    pub food: Option<String>,
    #[param(value_type = Option<crate::credit::api::DistrictParam>)]
    pub district: Option<String>,
    /// pass or fail; empty = any
    #[param(pattern = "^(pass|fail)?$")]
    pub verdict: Option<String>,
    /// a 你点我检 round's id
    #[param(value_type = Option<i64>, minimum = 1)]
    pub round: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 10000)]
    pub page: Option<Num>,
    /// 1–100, default 20
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<Num>,
}

impl ResultsParams {
    pub fn parse(&self) -> Result<ResultsQuery, AppError> {
        ResultsQuery::parse(
            self.food.as_deref(),
            self.district.as_deref(),
            self.verdict.as_deref(),
            self.round.as_deref(),
            Num::raw(self.page).as_deref(),
            Num::raw(self.per_page).as_deref(),
        )
    }
}

/// Published sampling results, newest first: routine sampling and 你点我检 rounds alike.
#[utoipa::path(get, path = "/api/v1/results", tag = "results",
    params(ResultsParams),
    responses(
        (status = 200, description = "`{items, total, page, per_page}`", body = Page<SamplingBatch>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn list(
    State(shared): State<Shared>,
    Query(p): Query<ResultsParams>,
) -> Result<Json<Page<SamplingBatch>>, AppError> {
    Ok(Json(backend::sampling::list(&shared.app, &p.parse()?).await?))
}

/// A batch's lab report, as the PDF staff uploaded.
#[utoipa::path(get, path = "/results/{id}/report.pdf", tag = "results",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, content_type = "application/pdf", description = "the lab report"),
        (status = 404, body = crate::http::json::ErrorBody)))]
pub async fn report(State(shared): State<Shared>, Id(id): Id) -> Result<Response, AppError> {
    let pdf = backend::sampling::report(&shared.app.store, id).await?.ok_or_else(AppError::not_found)?;
    let headers = [
        (header::CONTENT_TYPE, "application/pdf".to_owned()),
        (header::CONTENT_DISPOSITION, format!("inline; filename=\"lab-report-{id}.pdf\"")),
    ];
    Ok((headers, pdf).into_response())
}

/// What was done about a failing batch (核查处置): every step, recorded or expected, with its deadline and whether
/// it is overdue, and the 消费提示 published about the batch.
#[utoipa::path(get, path = "/api/v1/results/{id}/disposal", tag = "results",
    params(("id" = i64, Path, minimum = 1)),
    responses(
        (status = 200, description = "the timeline", body = Disposal),
        (status = 404, description = "no public failing batch of that id", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn disposal(State(shared): State<Shared>, Id(id): Id) -> Result<Json<Disposal>, AppError> {
    Ok(Json(backend::sampling::disposal::of_batch(&shared.app, id).await?.ok_or_else(AppError::not_found)?))
}

/// Staff record a step of a failing batch's 核查处置 (the fields of `DisposalFields`).
pub async fn add_step(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<DisposalFields>,
) -> Result<Reply, AppError> {
    backend::sampling::disposal::add_step(&shared.app, &Actor::staff(&user), id, &f.parse()?).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "ok": true })).see(format!("/staff/results/{id}?saved=1")))
}

/// The publication form: the fields of `SamplingFields` and at most one PDF as `report`.
pub const PUBLISH: Caps = Caps {
    texts: SamplingFields::FIELDS,
    text_bytes: 20_000,
    file: "report",
    files: 1,
    file_bytes: MAX_REPORT_BYTES,
    total: MAX_REPORT_BYTES + 192 * 1024,
};

/// Staff publish a batch (multipart: the fields of `SamplingFields` and the PDF as `report`).
pub async fn publish(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Extension(ClientIp(_ip)): Extension<ClientIp>,
    upload: Upload,
) -> Result<Reply, AppError> {
    let mut parts = upload.read(&PUBLISH).await?;
    let f: SamplingFields = parts.fields()?;
    let id = backend::sampling::publish(&shared.app.store, &Actor::staff(&user), &f.parse()?, parts.file().as_deref())
        .await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see(format!("/staff/results?published={id}")))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, report, disposal),
    components(schemas(
        Page<SamplingBatch>,
        SamplingBatch,
        domain::sampling::FailingItem,
        domain::sampling::PlaceKind,
        Disposal,
        domain::sampling::TimelineEntry,
        domain::sampling::DisposalRecord,
        domain::sampling::StepStatus
    )),
    tags((name = "results", description = "Published food sampling results and lab reports"))
)]
pub struct ResultsApi;
