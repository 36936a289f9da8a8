//! 信用: the registry's API, form posts, QR codes and badges. (The pages are declared in `app::credit`.)

/// The registry API: search, one business, bulk downloads, replies.
pub mod api;
/// QR codes and embeddable badges.
pub mod badges;
/// Form posts: replies, staff registry tools, CSV upload, moderation.
pub mod forms;
/// Objections, credit repair, re-inspection requests and waivers (API and forms); staff decisions.
pub mod objections;

use crate::http::routes::Routes;
use domain::route::{Facts, Limit};
use domain::staff::Role;

/// Largest registry CSV staff may upload in the console (the whole city is ~6 MB).
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/businesses", Facts::API, api::search)
        // Cached briefly: QR codes at popular stalls are scanned in bursts.
        .get("/api/v1/businesses/{credit_code}", Facts::API.cached(5), api::get_one)
        .post("/api/v1/businesses/{credit_code}/replies", Facts::WRITE, api::post_reply)
        .post("/api/v1/businesses/{credit_code}/objections", Facts::WRITE, objections::post_objection)
        .post("/api/v1/businesses/{credit_code}/waiver", Facts::WRITE, objections::post_waiver)
        .post("/api/v1/businesses/{credit_code}/objections/code", Facts::WRITE, objections::post_code)
        // The whole registry: rebuilt at most once a minute per instance, on its own small quota.
        // Streamed page by page with an ETag of their own: neither the page cache nor the ETag layer buffers them.
        .get(
            "/api/v1/downloads/businesses.csv",
            Facts { etag: false, ..Facts::API.limit(Limit::Download) },
            api::download_csv,
        )
        .get(
            "/api/v1/downloads/businesses.json",
            Facts { etag: false, ..Facts::API.limit(Limit::Download) },
            api::download_json,
        )
        // Not cached: the code points at the host the request named.
        .get("/credit/{code}/qr.svg", Facts::PAGE.host_bound(), badges::qr)
        .get("/credit/{code}/badge.svg", Facts::PAGE.cached(60), badges::badge)
        .form("/credit/{code}/reply", Facts::WRITE, "/credit/{code}", forms::submit_reply)
        .form("/credit/{code}/objection", Facts::WRITE, "/credit/{code}", objections::form_objection)
        .form("/credit/{code}/waive", Facts::WRITE, "/credit/{code}", objections::form_waiver)
        .form("/credit/{code}/objection-code", Facts::WRITE, "/credit/{code}", objections::form_code)
        // The type-ahead island's source: a few lines of text per keystroke, on the page quota.
        .get("/credit/suggest", Facts::PAGE, api::suggest)
        .form("/staff/businesses", Facts::staff_write(Role::Moderator), "/staff/businesses", forms::save_business)
        .form("/staff/events", Facts::staff_write(Role::Moderator), "/staff/businesses", forms::add_event)
        .form(
            "/staff/businesses/import",
            Facts::staff_write(Role::Moderator).body_limit(forms::IMPORT.body_limit()),
            "/staff/businesses",
            forms::import_upload,
        )
        .form("/staff/replies/{id}/decide", Facts::staff_write(Role::Moderator), "/staff/replies", forms::decide_reply)
        .form(
            "/staff/objections/{id}/decide",
            Facts::staff_write(Role::Moderator),
            "/staff/objections",
            objections::decide,
        )
}
