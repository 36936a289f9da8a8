//! The one Atom writer (`atom_syndication`, which escapes every text it writes): the news feed and the follow
//! feeds build their entries and hand them here with the feed's own facts.

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::response::{IntoResponse, Response};
use http::header;

/// The content type of every feed.
pub const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

/// A unix time as RFC 3339 in China time (what a reader shows).
pub fn rfc3339(t: i64) -> FixedDateTime {
    let s = time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|d| d.to_offset(time::macros::offset!(+8)))
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T08:00:00+08:00".to_owned());
    FixedDateTime::parse_from_rfc3339(&s).unwrap_or_default()
}

/// A link with its relation.
pub fn link(href: String, rel: &str) -> Link {
    Link { href, rel: rel.to_owned(), ..Link::default() }
}

/// What a feed says about itself; its entries come with it.
pub struct Head {
    /// The feed's id (an absolute URL of this site).
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// The feed's own absolute URL (`rel="self"`).
    pub self_href: String,
    /// The page it follows (`rel="alternate"`).
    pub page_href: String,
}

/// The feed as XML, its `updated` the newest entry's (or the epoch for an empty feed, so it never changes by
/// itself).
pub fn write(head: Head, entries: Vec<Entry>) -> String {
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or_else(|| rfc3339(0));
    Feed {
        id: head.id,
        title: Text::plain(head.title),
        subtitle: head.subtitle.map(Text::plain),
        updated,
        authors: vec![Person { name: "绵阳市市场监督管理局".to_owned(), ..Person::default() }],
        links: vec![link(head.self_href, "self"), link(head.page_href, "alternate")],
        lang: Some("zh-CN".to_owned()),
        entries,
        ..Feed::default()
    }
    .to_string()
}

/// The answer: the XML with the feed content type.
pub fn reply(xml: String) -> Response {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], xml).into_response()
}
