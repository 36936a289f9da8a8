//! Form posts of the credit section: a business's reply from its public page; staff editing businesses and
//! events, importing CSV, and moderating replies. Same conventions as `forms`: 303 on success, 303 back with
//! `?error=…&field=…` on failure for browsers, status + JSON for programs.

use crate::forms::{fail, wants_html};
use crate::http::client_ip::ClientIp;
use crate::http::Shared;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use backend::audit::Actor;
use backend::credit::{BusinessInput, EventInput, Upserted};
use domain::credit::CreditCode;
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode};
use http::HeaderMap;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    contact: String,
}

/// A business answers its record or asks for credit repair (public, moderated).
pub async fn submit_reply(
    State(shared): State<Shared>,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<ReplyForm>,
) -> Response {
    let back = format!("/credit/{}", code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>());
    let result = async {
        let code = CreditCode::parse(&code)?;
        backend::replies::submit(&shared.app.store, &code, &f.kind, &f.body, &f.contact).await
    }
    .await;
    match result {
        Ok(_) if wants_html(&headers) => Redirect::to(&format!("{back}?replied=1#reply")).into_response(),
        Ok(id) => (http::StatusCode::CREATED, axum::Json(serde_json::json!({ "id": id, "status": "pending" })))
            .into_response(),
        Err(e) => fail(&headers, &back, e),
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide_reply(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(f): Form<DecideForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let approve = match f.decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(AppError::field(ErrCode::InvalidValue, "decision")),
        };
        backend::replies::decide(&shared.app.store, &Actor::staff(&user), id, approve, &f.note).await?;
        shared.invalidate();
        Ok(())
    }
    .await;
    match result {
        Ok(()) if wants_html(&headers) => Redirect::to("/staff/replies?saved=1").into_response(),
        Ok(()) => axum::Json(serde_json::json!({ "id": id })).into_response(),
        Err(e) => fail(&headers, "/staff/replies", e),
    }
}

#[derive(Deserialize)]
pub struct BusinessForm {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    licence_no: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    dynamic_grade: String,
    #[serde(default)]
    last_inspected: String,
}

/// Staff create or edit a business.
pub async fn save_business(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<BusinessForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let b = BusinessInput::parse(
            &f.credit_code,
            &f.licence_no,
            &f.name,
            &f.address,
            &f.district,
            &f.category,
            &f.status,
            &f.dynamic_grade,
            &f.last_inspected,
        )?;
        let outcome = backend::credit::save_business(&shared.app.store, &Actor::staff(&user), &b).await?;
        shared.invalidate();
        Ok::<_, AppError>((b.credit_code, outcome))
    }
    .await;
    match result {
        Ok((code, outcome)) if wants_html(&headers) => {
            let _ = outcome;
            Redirect::to(&format!("/credit/{code}")).into_response()
        }
        Ok((code, outcome)) => {
            let status = if outcome == Upserted::Created { http::StatusCode::CREATED } else { http::StatusCode::OK };
            (status, axum::Json(serde_json::json!({ "credit_code": code.as_str(), "outcome": format!("{outcome:?}").to_lowercase() })))
                .into_response()
        }
        Err(e) => fail(&headers, "/staff/businesses", e),
    }
}

#[derive(Deserialize)]
pub struct EventForm {
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    description: String,
}

/// Staff record an event (inspection finding, sampling failure, penalty, substantiated report, commendation).
pub async fn add_event(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    headers: HeaderMap,
    Form(f): Form<EventForm>,
) -> Response {
    let result = async {
        user.role.require(Role::Moderator)?;
        let code = CreditCode::parse(&f.credit_code)?;
        let e = EventInput::parse(&f.kind, &f.severity, &f.occurred_at, &f.source, &f.description)?;
        backend::credit::add_event(&shared.app.store, &Actor::staff(&user), &code, &e).await?;
        shared.invalidate();
        Ok::<_, AppError>(code)
    }
    .await;
    match result {
        Ok(code) if wants_html(&headers) => Redirect::to(&format!("/credit/{code}")).into_response(),
        Ok(code) => (http::StatusCode::CREATED, axum::Json(serde_json::json!({ "credit_code": code.as_str() }))).into_response(),
        Err(e) => fail(&headers, "/staff/businesses", e),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Staff upload a registry CSV from the console; the answer lists every rejected row with its line number.
pub async fn import_upload(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(_ip)): Extension<ClientIp>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    if let Err(e) = user.role.require(Role::Moderator) {
        return e.into_response();
    }
    let mut data = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(b) => data = Some(b),
                Err(_) => return AppError::new(ErrCode::PayloadTooLarge).into_response(),
            },
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => return AppError::field(ErrCode::InvalidValue, "file").into_response(),
        }
    }
    let Some(data) = data.filter(|d| !d.is_empty()) else {
        return fail(&headers, "/staff/businesses", AppError::field(ErrCode::Required, "file"));
    };
    let report =
        match crate::import::import_businesses(&shared.app.store, &Actor::staff(&user), &data, |_, _| {}).await {
            Ok(r) => {
                shared.invalidate();
                r
            }
            Err(e) => {
                let msg = esc(&e.to_string());
                return (
                    http::StatusCode::BAD_REQUEST,
                    Html(format!(
                        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>导入失败 Import failed</title>\
                         <link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head><body><main class=\"main\"><section class=\"page\">\
                         <h1>导入失败 · Import failed</h1><p class=\"error\" role=\"alert\">{msg}</p>\
                         <p><a href=\"/staff/businesses\">返回 · Back</a></p></section></main></body></html>"
                    )),
                )
                    .into_response();
            }
        };
    if !wants_html(&headers) {
        return axum::Json(serde_json::json!({
            "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
            "errors": report.errors.iter().map(|(l, f, m)| serde_json::json!({"line": l, "field": f, "message": m})).collect::<Vec<_>>(),
        }))
        .into_response();
    }
    let rows: String = report
        .errors
        .iter()
        .take(1000)
        .map(|(l, f, m)| format!("<tr><td>{l}</td><td>{}</td><td>{}</td></tr>", esc(f), esc(m)))
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>导入结果 Import report</title>\
         <link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head><body><main class=\"main\"><section class=\"page\">\
         <h1>导入结果 · Import report</h1>\
         <p role=\"status\">新增 created {} · 更新 updated {} · 未变 unchanged {} · 拒绝 rejected {}</p>\
         <div class=\"table-wrap\"><table class=\"table\"><thead><tr><th>行 Line</th><th>字段 Field</th>\
         <th>原因 Reason</th></tr></thead><tbody>{rows}</tbody></table></div>\
         <p><a href=\"/staff/businesses\">返回 · Back</a></p></section></main></body></html>",
        report.created,
        report.updated,
        report.unchanged,
        report.errors.len()
    ))
    .into_response()
}
