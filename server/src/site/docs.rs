//! The OpenAPI document, generated from the handlers' annotations, and a readable page made from it on the
//! server (no third-party viewer: it would need assets from outside and inline scripts).

use crate::http::json::{ErrorBody, ErrorDetail};
use axum::Json;
use domain::route::Limit;
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

/// The whole document: this module's operations merged with every other module's, the 429s from the facts of
/// `table` (the modules' routes, given by the composition root).
pub fn document(table: &[crate::http::routes::Route]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::credit::api::CreditApi::openapi());
    doc.merge(crate::credit::objections::ObjectionsApi::openapi());
    doc.merge(crate::picks::PicksApi::openapi());
    doc.merge(crate::markets::MarketsApi::openapi());
    doc.merge(crate::volunteers::VolunteersApi::openapi());
    doc.merge(crate::kitchens::KitchensApi::openapi());
    doc.merge(crate::sampling::ResultsApi::openapi());
    doc.merge(crate::cases::api::CasesApi::openapi());
    doc.merge(crate::news::api::NewsApi::openapi());
    doc.merge(crate::stats::StatsApi::openapi());
    doc.merge(crate::follow::sms::FollowApi::openapi());
    document_rate_limits(&mut doc, table);
    doc
}

/// What a 429 says of its quota, by the route's limit group.
fn quota_text(limit: Limit) -> Option<&'static str> {
    Some(match limit {
        Limit::Unlimited => return None,
        Limit::Api => "rate limited: the API quota per client (`PORTAL_RATE_API_PER_MIN`, shown on `/api`)",
        Limit::Download => {
            "rate limited: bulk downloads have a small quota of their own per client (`PORTAL_RATE_DOWNLOAD_PER_MIN`, \
             shown on `/api`)"
        }
        Limit::Write => {
            "rate limited: the write quota per client (`PORTAL_RATE_WRITE_PER_MIN`), or a bound of the network"
        }
        Limit::Vote => "rate limited: the ballot quota per client (`PORTAL_RATE_VOTE_PER_MIN`) or per voter",
        Limit::Page => "rate limited: the page quota per client (`PORTAL_RATE_PAGE_PER_MIN`)",
        Limit::Login => "rate limited: the sign-in quota per client",
    })
}

/// Every rate-limited operation may answer 429: documented from its route's facts (the one place its limit group
/// is written) with the headers the refusal carries, so no operation can leave it out. A 429 an operation
/// describes in its own words (a network's bounds) keeps its description.
fn document_rate_limits(doc: &mut utoipa::openapi::OpenApi, table: &[crate::http::routes::Route]) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let seconds = |what: &str| {
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
            .description(Some(what))
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [(http::Method::GET, &mut item.get), (http::Method::POST, &mut item.post)] {
            let Some(op) = op else { continue };
            let Some(route) = table.iter().find(|r| r.path == path.as_str() && r.method == method) else { continue };
            let Some(quota) = quota_text(route.facts.limit) else { continue };
            let described = match op.responses.responses.get("429") {
                Some(RefOr::T(r)) if !r.description.is_empty() && r.description != "rate limited" => {
                    r.description.clone()
                }
                _ => quota.to_owned(),
            };
            let response = ResponseBuilder::new()
                .description(described)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .header("Retry-After", seconds("whole seconds to wait, at least 1"))
                .header("RateLimit-Limit", seconds("requests per minute of the quota"))
                .header("RateLimit-Remaining", seconds("requests left in the quota (0)"))
                .header("RateLimit-Reset", seconds("seconds until a request is admitted again"))
                .build();
            op.responses.responses.insert("429".to_owned(), RefOr::T(response));
        }
    }
}

pub async fn openapi_json(
    axum::extract::State(shared): axum::extract::State<crate::http::Shared>,
) -> Json<utoipa::openapi::OpenApi> {
    Json(shared.api_document.as_ref().clone())
}

/// The document summarised for the `/api` page (built once at start-up: the document does not change).
pub fn catalog(doc: &utoipa::openapi::OpenApi) -> domain::site::api::ApiCatalog {
    use domain::site::api::{ApiCatalog, ApiOperation, ApiParam};
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::Required;
    let mut operations = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
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
    ApiCatalog { title: doc.info.title.clone(), version: doc.info.version.clone(), operations }
}

/// The old address of the documentation page.
pub async fn docs_moved() -> axum::response::Redirect {
    axum::response::Redirect::permanent("/api")
}
