//! 关注: one Atom feed per followed subject, no account needed (`/feeds/…`). Each handler takes the subject,
//! asks `backend::follow` for its entries and writes them with the one Atom writer. Public, cached briefly,
//! with an ETag; built with absolute URLs, so host-bound like the news feed.

use crate::credit::badges::absolute_url;
use crate::http::atom::{self, link, rfc3339, Head};
use crate::http::extract::{Code, Id, Term};
use crate::http::query::Query;
use crate::http::routes::Routes;
use crate::http::Shared;
use atom_syndication::{Category, Entry, Text};
use axum::extract::State;
use axum::response::Response;
use backend::clock::now;
use domain::credit::District;
use domain::follow::{Feed, Only};
use domain::i18n::Lang;
use domain::picks::FoodCategory;
use domain::route::Facts;
use domain::staff::Role;
use domain::AppError;
use http::HeaderMap;
use serde::Deserialize;

/// Public, host-bound (absolute URLs), 30 s in the page cache, answered with an `ETag` and 304s.
const FEED: Facts = Facts { etag: true, ..Facts::PAGE }.cached(30).host_bound();

/// 关注 by SMS: API, forms, the gateway's replies.
pub mod sms;
/// Partner webhooks in the staff console.
pub mod webhooks;

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/follow/sms", Facts::WRITE, sms::post_follow)
        .post("/api/v1/follow/sms/confirm", Facts::WRITE.credential(), sms::post_confirm)
        .post("/api/v1/follow/sms/unsubscribe", Facts::WRITE.credential(), sms::post_unsubscribe)
        // The gateway's callback: signed, not a public API (not in the OpenAPI document).
        .post("/api/v1/sms/inbound", Facts::WRITE.credential(), sms::inbound)
        .form("/follow/{subject}/sms", Facts::WRITE, "/follow/{subject}", sms::form_follow)
        .form("/follow/confirm/{token}", Facts::WRITE.credential(), "/follow/confirm/{token}", sms::form_confirm)
        .form("/u/{token}", Facts::WRITE.credential(), "/u/{token}", sms::form_unsubscribe)
        .form("/staff/webhooks", Facts::staff_write(Role::Admin), "/staff/webhooks", webhooks::register)
        .form(
            "/staff/webhooks/{id}/active",
            Facts::staff_write(Role::Admin),
            "/staff/webhooks/{id}",
            webhooks::set_active,
        )
        .get("/feeds/businesses/{credit_code}", FEED, business)
        .get("/feeds/districts/{district}", FEED, district)
        .get("/feeds/food/{category}", FEED, food)
        .get("/feeds/rounds/{id}", FEED, round)
}

/// `?only=` of a district's feed.
#[derive(Deserialize)]
pub struct DistrictParams {
    pub only: Option<Only>,
}

/// A business's feed: new credit records and grade changes.
async fn business(State(shared): State<Shared>, headers: HeaderMap, Code(code): Code) -> Result<Response, AppError> {
    let feed = backend::follow::business(&shared.app.store, &code).await?;
    Ok(atom::reply(render(&feed, |p| absolute_url(&shared, &headers, p))))
}

/// A district's feed: grade drops, failing batches, 消费提示 (or `only` one of the first two).
async fn district(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Term(d): Term<District>,
    Query(p): Query<DistrictParams>,
) -> Result<Response, AppError> {
    let feed = backend::follow::district(&shared.app.store, d, p.only, now()).await?;
    Ok(atom::reply(render(&feed, |p| absolute_url(&shared, &headers, p))))
}

/// A food category's feed: failing batches and 消费提示.
async fn food(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Term(c): Term<FoodCategory>,
) -> Result<Response, AppError> {
    let feed = backend::follow::food(&shared.app.store, c, now()).await?;
    Ok(atom::reply(render(&feed, |p| absolute_url(&shared, &headers, p))))
}

/// A round's feed: voting opens, closes, results published.
async fn round(State(shared): State<Shared>, headers: HeaderMap, Id(id): Id) -> Result<Response, AppError> {
    let feed = backend::follow::round(&shared.app.store, id, now()).await?;
    Ok(atom::reply(render(&feed, |p| absolute_url(&shared, &headers, p))))
}

/// A followed subject's feed as Atom, `url` making this site's absolute URLs. An entry's id is this site's
/// `/feeds#` and its key (`event-12`): the same entry keeps its id in every feed and every request.
pub fn render(feed: &Feed, url: impl Fn(&str) -> String) -> String {
    let entries = feed
        .entries
        .iter()
        .map(|e| Entry {
            id: format!("{}#{}", url("/feeds"), e.key()),
            title: Text::plain(e.title.clone()),
            updated: rfc3339(e.at),
            summary: (!e.detail.is_empty()).then(|| Text::plain(e.detail.clone())),
            links: vec![link(url(&e.path), "alternate")],
            categories: vec![Category {
                term: e.kind.slug().to_owned(),
                label: Some(e.kind.label().get(Lang::Zh).to_owned()),
                ..Category::default()
            }],
            ..Entry::default()
        })
        .collect();
    let head = Head {
        id: url(&feed.path),
        title: format!("{} · {}", feed.subject, feed.label.get(Lang::Zh)),
        subtitle: Some("食安绵阳 · 关注".to_owned()),
        self_href: url(&feed.path),
        page_href: url(&feed.page),
    };
    atom::write(head, entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::follow::{EntryKind, FeedEntry};
    use domain::i18n::T;

    fn feed(entries: Vec<FeedEntry>) -> Feed {
        Feed {
            subject: "米粉 <店> & \"面\"".into(),
            label: T::FeedOfBusiness,
            page: "/credit/X".into(),
            path: "/feeds/businesses/X".into(),
            entries,
        }
    }

    fn entry(record: i64, at: i64) -> FeedEntry {
        FeedEntry {
            kind: EntryKind::EventRecorded,
            record,
            title: "A&B <script>".into(),
            detail: "x < y & z".into(),
            at,
            path: "/credit/X?a=1&b=2".into(),
        }
    }

    #[test]
    fn every_text_is_escaped_and_the_feed_parses() {
        let xml = render(&feed(vec![entry(2, 200), entry(1, 100)]), |p| format!("https://example.org{p}"));
        assert!(!xml.contains("<script>") && !xml.contains("<店>"), "{xml}");
        assert!(xml.contains("米粉 &lt;店&gt; &amp;"), "{xml}");
        assert!(xml.contains("A&amp;B &lt;script&gt;") && xml.contains("x &lt; y &amp; z"), "{xml}");
        assert!(xml.contains("href=\"https://example.org/credit/X?a=1&amp;b=2\""), "{xml}");
        let parsed: atom_syndication::Feed = xml.parse().unwrap();
        assert_eq!(parsed.title().as_str(), "米粉 <店> & \"面\" · 企业动态");
        assert_eq!(parsed.entries()[0].title().as_str(), "A&B <script>");
        assert_eq!(parsed.entries()[0].id(), "https://example.org/feeds#event-2");
        assert_eq!(parsed.updated(), parsed.entries()[0].updated(), "the feed is as new as its newest entry");
    }

    #[test]
    fn ids_do_not_change_with_the_entrys_time_or_the_feeds_length() {
        let one = render(&feed(vec![entry(1, 100)]), |p| format!("https://example.org{p}"));
        let two = render(&feed(vec![entry(2, 300), entry(1, 150)]), |p| format!("https://example.org{p}"));
        let ids = |xml: &str| {
            let f: atom_syndication::Feed = xml.parse().unwrap();
            f.entries().iter().map(|e| e.id().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(ids(&one), ["https://example.org/feeds#event-1"]);
        assert_eq!(ids(&two), ["https://example.org/feeds#event-2", "https://example.org/feeds#event-1"]);
    }
}
