//! 你点我检: the rounds API, the ballot and nomination forms, staff round management and moderation. (The
//! pages are declared in `app::picks`.)

/// The rounds API: list, detail, ballots, nominations, SMS codes.
pub mod api;
/// Form posts: ballots, nominations, codes; staff rounds, candidates, moderation.
pub mod forms;

use crate::http::routes::Routes;
use crate::http::Shared;
use backend::picks::voter::{device_of, Device, VOTER_COOKIE};
use domain::route::{Facts, Limit};
use domain::staff::Role;
use http::HeaderMap;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/rounds", Facts::API, api::list)
        .get("/api/v1/rounds/{id}", Facts::API, api::get_one)
        .get("/api/v1/rounds/{id}/voter", Facts { etag: false, ..Facts::API }.credential(), api::voter)
        .post("/api/v1/rounds/{id}/ballot", Facts::WRITE.limit(Limit::Vote), api::post_ballot)
        .post("/api/v1/rounds/{id}/nominations", Facts::WRITE, api::post_nomination)
        // Codes cost money: the write quota per address, then the database-backed bounds (`sms::request_code`).
        .post("/api/v1/rounds/{id}/code", Facts::WRITE, api::post_code)
        .post("/picks/{id}/ballot", Facts::WRITE.limit(Limit::Vote), forms::ballot)
        .post("/picks/{id}/nominate", Facts::WRITE, forms::nominate)
        .post("/picks/{id}/code", Facts::WRITE, forms::code)
        .post("/staff/rounds", Facts::staff_write(Role::Moderator), forms::create_round)
        .post("/staff/rounds/{id}", Facts::staff_write(Role::Moderator), forms::update_round)
        .post("/staff/rounds/{id}/candidates", Facts::staff_write(Role::Moderator), forms::add_candidate)
        .post("/staff/nominations/{id}/decide", Facts::staff_write(Role::Moderator), forms::decide_nomination)
}

/// The device voter of a request, from its signed cookie (see `backend::picks::cast`).
pub fn device(shared: &Shared, headers: &HeaderMap) -> Option<Device> {
    device_of(shared.app.config.secret_key.expose(), voter_cookie(headers).as_deref())
}

/// The `portal_voter` cookie as sent.
pub fn voter_cookie(headers: &HeaderMap) -> Option<String> {
    app::ssr::cookie(headers, VOTER_COOKIE)
}
