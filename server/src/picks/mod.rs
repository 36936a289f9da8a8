//! 你点我检: rounds (the API, staff editing them), ballots (API and form, SMS codes), nominations (API and
//! form, staff moderating them). Each handler parses, calls one service of `backend::picks`, replies. (The pages
//! are declared in `app::picks`.)

/// Ballots (API and form) and the SMS codes that verify phone voters.
pub mod ballots;
/// Nominations (API and form) and their moderation.
pub mod nominations;
/// Rounds: the list and one round (API), device voters, staff creating and editing rounds and candidates.
pub mod rounds;

use crate::http::client_ip::ClientIp;
use crate::http::routes::Routes;
use axum::extract::FromRequestParts;
use backend::picks::voter::VOTER_COOKIE;
use backend::picks::Requester;
use domain::route::{Facts, Limit};
use domain::staff::Role;
use domain::AppError;
use http::request::Parts;
use std::net::IpAddr;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/rounds", Facts::API, rounds::list)
        .get("/api/v1/rounds/{id}", Facts::API, rounds::get_one)
        .get("/api/v1/rounds/{id}/voter", Facts { etag: false, ..Facts::API }.credential(), rounds::voter)
        .post("/api/v1/rounds/{id}/ballot", Facts::WRITE.limit(Limit::Vote), ballots::post_ballot)
        .post("/api/v1/rounds/{id}/nominations", Facts::WRITE, nominations::post_nomination)
        // Codes cost money: the write quota per address, then the database-backed bounds (`sms::request_code`).
        .post("/api/v1/rounds/{id}/code", Facts::WRITE, ballots::post_code)
        .form("/picks/{id}/ballot", Facts::WRITE.limit(Limit::Vote), "/picks/{id}", ballots::ballot)
        .form("/picks/{id}/nominate", Facts::WRITE, "/picks/{id}", nominations::nominate)
        .form("/picks/{id}/code", Facts::WRITE, "/picks/{id}", ballots::code)
        .form("/staff/rounds", Facts::staff_write(Role::Moderator), "/staff/rounds", rounds::create_round)
        .form("/staff/rounds/{id}", Facts::staff_write(Role::Moderator), "/staff/rounds/{id}", rounds::update_round)
        .form(
            "/staff/rounds/{id}/candidates",
            Facts::staff_write(Role::Moderator),
            "/staff/rounds/{id}",
            rounds::add_candidate,
        )
        .form(
            "/staff/nominations/{id}/decide",
            Facts::staff_write(Role::Moderator),
            "/staff/rounds",
            nominations::decide,
        )
}

/// Who is voting or nominating, as read off the request: the client's address and the `portal_voter` cookie
/// (issued only by the round's page or `GET …/voter`; checked by the service).
pub struct Caller {
    ip: IpAddr,
    voter_cookie: Option<String>,
}

impl Caller {
    pub fn requester(&self) -> Requester<'_> {
        Requester { ip: self.ip, voter_cookie: self.voter_cookie.as_deref() }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let ip =
            parts.extensions.get::<ClientIp>().map(|c| c.0).ok_or_else(|| AppError::internal("no client address"))?;
        Ok(Caller { ip, voter_cookie: app::ssr::cookie(&parts.headers, VOTER_COOKIE) })
    }
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(rounds::list, rounds::get_one, rounds::voter, ballots::post_ballot, nominations::post_nomination, ballots::post_code),
    components(schemas(domain::picks::RoundSummary, domain::picks::RoundDetail, domain::picks::BallotBody,
        domain::picks::BallotReceipt, domain::picks::CandidateFields, ballots::CodeRequest, rounds::VoterIssued,
        domain::picks::Phase, domain::picks::Schedule, domain::picks::VoterCheck, domain::picks::CandidateView,
        domain::picks::IntegrityReport, domain::picks::Refusal, domain::picks::RefusalReason)),
    tags((name = "picks", description = "你点我检: rounds, candidates, ballots and nominations"))
)]
pub struct PicksApi;
