//! The Atom feed of the latest articles, and the articles' covers.

use crate::credit::badges::absolute_url;
use crate::http::atom::{self, link, rfc3339, Head};
use crate::http::extract::Id;
use crate::http::Shared;
use atom_syndication::{Category, Content, Entry, Text};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use backend::clock::now;
use domain::AppError;
use http::{header, HeaderMap};

/// `/news/feed.xml`: the latest 20 articles as an Atom feed, each with its sanitised HTML.
pub async fn feed(State(shared): State<Shared>, headers: HeaderMap) -> Result<Response, AppError> {
    let articles = backend::news::feed(&shared.app.store, now(), 20).await?;
    let url = |path: &str| absolute_url(&shared, &headers, path);
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
    let head = Head {
        id: url("/news"),
        title: "食安绵阳 · 新闻动态".to_owned(),
        subtitle: Some("绵阳市市场监督管理局 · Food-Safe Mianyang news".to_owned()),
        self_href: url("/news/feed.xml"),
        page_href: url("/news"),
    };
    Ok(atom::reply(atom::write(head, entries)))
}

/// A published article's cover (re-encoded JPEG).
pub async fn cover(State(shared): State<Shared>, Id(id): Id) -> Result<Response, AppError> {
    let jpeg = backend::news::cover(&shared.app.store, id, now()).await?.ok_or_else(AppError::not_found)?;
    Ok(([(header::CONTENT_TYPE, "image/jpeg")], jpeg).into_response())
}
