//! 新闻动态: the Atom feed and covers, the news API, and the staff form posts. (The pages are declared in
//! `app::news`.)

/// `GET /api/v1/news` and `GET /api/v1/news/{id}`.
pub mod api;
/// `/news/feed.xml` and article covers.
pub mod feed;
/// Staff writing articles (multipart, with an optional cover).
pub mod staff;

use crate::http::routes::Routes;
use domain::route::Facts;
use domain::staff::Role;

pub fn routes() -> Routes {
    let write = Facts::staff_write(Role::Moderator).body_limit(staff::ARTICLE.body_limit());
    Routes::new()
        // Built with the request's Host: never cached for everyone.
        .get("/news/feed.xml", Facts::PAGE.host_bound(), feed::feed)
        .get("/news/{id}/cover.jpg", Facts::PAGE.cached(60), feed::cover)
        .get("/api/v1/news", Facts::API, api::list)
        .get("/api/v1/news/{id}", Facts::API, api::get)
        .form("/staff/news", write, "/staff/news", staff::create)
        .form("/staff/news/{id}", write, "/staff/news/{id}", staff::update)
}
