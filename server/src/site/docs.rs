//! The OpenAPI document, generated from the handlers' annotations, and a readable page made from it on the
//! server (no third-party viewer: it would need assets from outside and inline scripts).

use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use crate::http::json::{ErrorBody, ErrorDetail};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "食安绵阳 Food-Safe Mianyang API",
        version = "1.0.0",
        description = "Public data of Mianyang's food-safety campaign. Lists are `{items, total, page, per_page}`; \
                       errors are `{\"error\": {\"code\", \"message\", \"field\"}}`. Rate limited per client: \
                       429 with `Retry-After` and `RateLimit-*` headers."
    ),
    paths(super::health::healthz, super::health::readyz, super::api::get_figures),
    components(schemas(ErrorBody, ErrorDetail, domain::figures::CampaignFigures)),
    tags((name = "health"), (name = "campaign"), (name = "credit"), (name = "picks"), (name = "results"), (name = "cases"))
)]
pub struct ApiDoc;

/// The whole document: this module's operations merged with every other module's.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::credit::api::CreditApi::openapi());
    doc.merge(crate::picks::api::PicksApi::openapi());
    doc.merge(crate::sampling::ResultsApi::openapi());
    doc.merge(crate::cases::api::CasesApi::openapi());
    doc
}

pub async fn openapi_json() -> Response {
    Json(document()).into_response()
}

use crate::http::forms::esc;

/// A plain, script-free page listing every operation of the document.
pub async fn docs_page() -> Html<String> {
    let doc = document();
    let mut rows = String::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            if let Some(op) = op {
                let summary = op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default();
                let statuses = op.responses.responses.keys().cloned().collect::<Vec<_>>().join(", ");
                rows.push_str(&format!(
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    method,
                    esc(path),
                    esc(&summary),
                    esc(&statuses)
                ));
            }
        }
    }
    let info = &doc.info;
    Html(format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>开放数据接口 API · 食安绵阳</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
         <body><main class=\"main\"><section class=\"page\"><h1>开放数据接口 · Open data API</h1><p>{}</p>\
         <p>OpenAPI: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a></p>\
         <div class=\"table-wrap\"><table class=\"table\"><thead><tr><th>方法 Method</th><th>路径 Path</th>\
         <th>说明 Summary</th><th>状态 Statuses</th></tr></thead><tbody>{}</tbody></table></div>\
         <p><a href=\"/\">返回首页 · Home</a></p></section></main></body></html>",
        esc(info.description.as_deref().unwrap_or("")),
        rows
    ))
}
