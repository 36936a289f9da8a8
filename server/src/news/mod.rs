//! 新闻动态: the Atom feed, covers, the news API and the staff form posts. (The pages are declared in
//! `app::news`.)

use crate::credit::badges::absolute_url;
use crate::http::client_ip::ClientIp;
use crate::http::forms::{answer, digits};
use crate::http::routes::Routes;
use crate::http::Shared;
use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use backend::clock::now;
use backend::staff::audit::Actor;
use domain::news::{Article, ArticleFields, ArticleSummary, MAX_COVER_BYTES, PER_PAGE};
use domain::route::Facts;
use domain::staff::{Role, StaffUser};
use domain::{AppError, ErrCode, Page};
use http::{header, HeaderMap, StatusCode};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Routes {
    Routes::new()
        // Built with the request's Host: never cached for everyone.
        .get("/news/feed.xml", Facts::PAGE.host_bound(), feed)
        .get("/news/{id}/cover.jpg", Facts::PAGE.cached(60), cover)
        .get("/api/v1/news", Facts::API, list)
        .get("/api/v1/news/{id}", Facts::API, get)
        .post("/staff/news", Facts::staff_write(Role::Moderator).body_limit(MAX_COVER_BYTES + 256 * 1024), create)
        .post("/staff/news/{id}", Facts::staff_write(Role::Moderator).body_limit(MAX_COVER_BYTES + 256 * 1024), update)
}

/// The tags the list may be narrowed to, in the OpenAPI document: `""` and `domain::news::NewsTag`.
pub struct TagParam;

impl utoipa::PartialSchema for TagParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::credit::api::any_or(domain::news::NewsTag::STORED.iter().copied(), "an article tag")
    }
}

impl utoipa::ToSchema for TagParam {}

/// Published news, newest first.
#[utoipa::path(get, path = "/api/v1/news", tag = "news",
    params(
        ("tag" = Option<TagParam>, Query),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "`{items, total, page, per_page}`", body = Page<ArticleSummary>),
        (status = 400, description = "invalid parameter (named in `field`)", body = crate::http::json::ErrorBody),
        (status = 429, body = crate::http::json::ErrorBody)
    ))]
pub async fn list(State(shared): State<Shared>, Query(p): Query<HashMap<String, String>>) -> Response {
    let result = async {
        // The page form sends no `page`; an API client that sends one sends a number.
        if p.get("page").is_some_and(|v| v.trim().is_empty()) {
            return Err(AppError::field(ErrCode::InvalidValue, "page"));
        }
        let (tag, page) = domain::news::list_query(p.get("tag").map(String::as_str), p.get("page").map(String::as_str))?;
        backend::news::list_public(&shared.app.store, tag.as_deref(), page, PER_PAGE, now()).await
    }
    .await;
    match result {
        Ok(page) => Json(page).into_response(),
        Err(e) => e.into_response(),
    }
}

/// One published article, its body as sanitised HTML. Drafts and scheduled articles are 404 until their time.
#[utoipa::path(get, path = "/api/v1/news/{id}", tag = "news",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Article), (status = 404, body = crate::http::json::ErrorBody)))]
pub async fn get(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return AppError::not_found().into_response() };
    match backend::news::get_public(&shared.app.store, id, now()).await {
        Ok(Some(a)) => Json(a).into_response(),
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => e.into_response(),
    }
}

fn rfc3339(t: i64) -> FixedDateTime {
    let s = time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|d| d.to_offset(time::macros::offset!(+8)))
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".to_owned());
    FixedDateTime::parse_from_rfc3339(&s).unwrap_or_default()
}

/// `/news/feed.xml`: the latest 20 articles as an Atom feed, each with its sanitised HTML.
pub async fn feed(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let articles = match backend::news::feed(&shared.app.store, now(), 20).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let url = |path: &str| absolute_url(&shared, &headers, path);
    let link = |href: String, rel: &str| Link { href, rel: rel.to_owned(), ..Link::default() };
    let entries: Vec<Entry> = articles
        .iter()
        .map(|a| {
            let href = url(&format!("/news/{}", a.summary.id));
            Entry {
                id: href.clone(),
                title: Text::plain(a.summary.title.clone()),
                updated: rfc3339(a.updated_at.max(a.summary.published_at)),
                published: Some(rfc3339(a.summary.published_at)),
                summary: (!a.summary.summary.is_empty()).then(|| Text::plain(a.summary.summary.clone())),
                content: Some(Content { value: Some(a.body_html.clone()), content_type: Some("html".to_owned()), ..Content::default() }),
                links: vec![link(href, "alternate")],
                categories: a.summary.tags.iter().map(|t| Category { term: t.clone(), ..Category::default() }).collect(),
                ..Entry::default()
            }
        })
        .collect();
    let feed = Feed {
        id: url("/news"),
        title: Text::plain("食安绵阳 · 新闻动态"),
        subtitle: Some(Text::plain("绵阳市市场监督管理局 · Food-Safe Mianyang news")),
        updated: rfc3339(articles.iter().map(|a| a.updated_at.max(a.summary.published_at)).max().unwrap_or(0)),
        authors: vec![Person { name: "绵阳市市场监督管理局".to_owned(), ..Person::default() }],
        links: vec![link(url("/news/feed.xml"), "self"), link(url("/news"), "alternate")],
        lang: Some("zh-CN".to_owned()),
        entries,
        ..Feed::default()
    };
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response()
}

/// A published article's cover (re-encoded JPEG).
pub async fn cover(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return AppError::not_found().into_response() };
    match backend::news::cover(&shared.app.store, id, now()).await {
        Ok(Some(jpeg)) => ([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response(),
        Ok(None) => AppError::not_found().into_response(),
        Err(e) => e.into_response(),
    }
}

/// Reads the staff form: text fields (each tag checkbox adds to `tags`) and the optional cover.
async fn read_form(multipart: &mut Multipart) -> Result<(ArticleFields, Option<Vec<u8>>), AppError> {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut tags: Vec<String> = Vec::new();
    let mut cover = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| AppError::field(ErrCode::InvalidValue, "cover"))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "cover" {
            let bytes = field.bytes().await.map_err(|_| AppError::field(ErrCode::PayloadTooLarge, "cover"))?;
            // An empty file input sends an empty part: no new cover.
            if !bytes.is_empty() {
                cover = Some(bytes.to_vec());
            }
        } else if ArticleFields::FIELDS.contains(&name.as_str()) {
            let text = field.text().await.map_err(|_| AppError::field(ErrCode::InvalidValue, &name))?;
            if text.len() > 200_000 {
                return Err(AppError::field(ErrCode::TooLong, &name));
            }
            if name == ArticleFields::tags {
                tags.push(text);
            } else {
                fields.insert(name, text);
            }
        }
    }
    fields.insert(ArticleFields::tags.to_owned(), tags.join(","));
    let f: ArticleFields = serde_json::from_value(json!(fields)).map_err(AppError::internal)?;
    Ok((f, cover))
}

async fn save(shared: &Shared, user: &StaffUser, ip: &str, id: Option<i64>, multipart: &mut Multipart) -> Result<i64, AppError> {
    user.role.require(Role::Moderator)?;
    let (fields, cover) = read_form(multipart).await?;
    let input = fields.parse(now())?;
    let cover = match cover {
        Some(bytes) => Some(backend::news::prepare_cover(&shared.app.photos, bytes).await?),
        None => None,
    };
    backend::news::save(&shared.app.store, &Actor::staff(user), id, &input, cover, Some(ip)).await
}

/// Staff create an article (multipart: the fields of `ArticleFields`, `tags` repeated, the image as `cover`).
pub async fn create(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let result = save(&shared, &user, &ip.to_string(), None, &mut multipart).await;
    answer(&headers, "/staff/news", result, |id| format!("/staff/news/{id}?saved=1"), |id| (StatusCode::CREATED, json!({ "id": id })))
}

/// Staff edit an article.
pub async fn update(
    State(shared): State<Shared>,
    Extension(user): Extension<StaffUser>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let back = format!("/staff/news/{}", digits(&id));
    let result = match id.parse::<i64>() {
        Ok(n) => save(&shared, &user, &ip.to_string(), Some(n), &mut multipart).await,
        Err(_) => Err(AppError::not_found()),
    };
    answer(&headers, &back, result, |id| format!("/staff/news/{id}?saved=1"), |id| (StatusCode::OK, json!({ "id": id })))
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list, get),
    components(schemas(Page<ArticleSummary>, ArticleSummary, Article)),
    tags((name = "news", description = "News and announcements of the campaign"))
)]
pub struct NewsApi;
