//! The Atom feed of the latest articles, and the articles' covers.

use crate::credit::badges::absolute_url;
use crate::http::extract::Id;
use crate::http::Shared;
use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use backend::clock::now;
use domain::AppError;
use http::{header, HeaderMap};

fn rfc3339(t: i64) -> FixedDateTime {
    let s = time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|d| d.to_offset(time::macros::offset!(+8)))
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".to_owned());
    FixedDateTime::parse_from_rfc3339(&s).unwrap_or_default()
}

/// `/news/feed.xml`: the latest 20 articles as an Atom feed, each with its sanitised HTML.
pub async fn feed(State(shared): State<Shared>, headers: HeaderMap) -> Result<Response, AppError> {
    let articles = backend::news::feed(&shared.app.store, now(), 20).await?;
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
                content: Some(Content {
                    value: Some(a.body_html.clone()),
                    content_type: Some("html".to_owned()),
                    ..Content::default()
                }),
                links: vec![link(href, "alternate")],
                categories: a
                    .summary
                    .tags
                    .iter()
                    .map(|t| Category { term: t.clone(), ..Category::default() })
                    .collect(),
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
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response())
}

/// A published article's cover (re-encoded JPEG).
pub async fn cover(State(shared): State<Shared>, Id(id): Id) -> Result<Response, AppError> {
    let jpeg = backend::news::cover(&shared.app.store, id, now()).await?.ok_or_else(AppError::not_found)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response())
}
