//! The news API: published articles, newest first, and one article.

use crate::http::extract::Id;
use crate::http::query::{Num, Query};
use crate::http::Shared;
use axum::extract::State;
use axum::Json;
use backend::clock::now;
use domain::news::{Article, ArticleSummary, PER_PAGE};
use domain::{AppError, Page};
use serde::Deserialize;
use utoipa::IntoParams;

/// The tags the list may be narrowed to, in the OpenAPI document: `""` and `domain::news::NewsTag`.
pub struct TagParam;

impl utoipa::PartialSchema for TagParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::credit::api::any_or(domain::news::NewsTag::STORED.iter().copied(), "an article tag")
    }
}

impl utoipa::ToSchema for TagParam {}

/// The query string of the news list. The page form sends no `page`; a client that sends one sends a number.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct NewsParams {
    #[param(value_type = Option<TagParam>)]
    pub tag: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub page: Option<Num>,
}

/// Published news, newest first.
#[utoipa::path(get, path = "/api/v1/news", tag = "news",
    params(NewsParams),
    responses(
        (status = 200, description = "`{items, total, page, per_page}`", body = Page<ArticleSummary>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn list(
    State(shared): State<Shared>,
    Query(p): Query<NewsParams>,
) -> Result<Json<Page<ArticleSummary>>, AppError> {
    let (tag, page) = domain::news::list_query(p.tag.as_deref(), Num::raw(p.page).as_deref())?;
    Ok(Json(backend::news::list_public(&shared.app.store, tag.as_deref(), page, PER_PAGE, now()).await?))
}

/// One published article, its body as sanitised HTML. Drafts and scheduled articles are 404 until their time.
#[utoipa::path(get, path = "/api/v1/news/{id}", tag = "news",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Article), (status = 404, body = crate::http::json::ErrorBody)))]
pub async fn get(State(shared): State<Shared>, Id(id): Id) -> Result<Json<Article>, AppError> {
    backend::news::get_public(&shared.app.store, id, now()).await?.map(Json).ok_or_else(AppError::not_found)
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, get),
    components(schemas(Page<ArticleSummary>, ArticleSummary, Article)),
    tags((name = "news", description = "News and announcements of the campaign"))
)]
pub struct NewsApi;
