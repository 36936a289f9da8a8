//! The OpenAPI document, generated from the handlers' annotations, and a readable page made from it on the
//! server (no third-party viewer: it would need assets from outside and inline scripts).

use axum::response::{IntoResponse, Response};
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
    tags((name = "health"), (name = "campaign"), (name = "credit"), (name = "picks"), (name = "results"), (name = "cases"), (name = "news"))
)]
pub struct ApiDoc;

/// The whole document: this module's operations merged with every other module's.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::credit::api::CreditApi::openapi());
    doc.merge(crate::picks::api::PicksApi::openapi());
    doc.merge(crate::sampling::ResultsApi::openapi());
    doc.merge(crate::cases::api::CasesApi::openapi());
    doc.merge(crate::news::api::NewsApi::openapi());
    doc.merge(crate::stats::StatsApi::openapi());
    doc
}

pub async fn openapi_json() -> Response {
    Json(document()).into_response()
}

/// The document summarised for the `/api` page (built once at start-up: the document does not change).
pub fn catalog() -> domain::site::api::ApiCatalog {
    use domain::site::api::{ApiCatalog, ApiOperation, ApiParam};
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::Required;
    let doc = document();
    let mut operations = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("PATCH", &item.patch), ("DELETE", &item.delete)];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let params = op
                .parameters
                .iter()
                .flatten()
                .map(|p| ApiParam {
                    name: p.name.clone(),
                    location: match p.parameter_in {
                        ParameterIn::Path => "path",
                        ParameterIn::Query => "query",
                        ParameterIn::Header => "header",
                        ParameterIn::Cookie => "cookie",
                    }
                    .to_owned(),
                    required: matches!(p.required, Required::True),
                    description: p.description.clone().unwrap_or_default(),
                })
                .collect();
            operations.push(ApiOperation {
                method: method.to_owned(),
                path: path.clone(),
                tag: op.tags.as_ref().and_then(|t| t.first().cloned()).unwrap_or_default(),
                summary: op.summary.clone().or_else(|| op.description.clone()).unwrap_or_default(),
                params,
                statuses: op.responses.responses.keys().cloned().collect(),
            });
        }
    }
    operations.sort_by(|a, b| (&a.tag, &a.path, &a.method).cmp(&(&b.tag, &b.path, &b.method)));
    ApiCatalog { title: doc.info.title.clone(), version: doc.info.version, operations }
}

/// The old address of the documentation page.
pub async fn docs_moved() -> axum::response::Redirect {
    axum::response::Redirect::permanent("/api")
}
