//! 一码通: the markets API (reads, and the signed batches market systems send), stall QR codes, and the staff
//! console's forms (markets, keys, CSV uploads). Each handler parses, calls one service of `backend::markets`,
//! replies. (The pages are declared in `app::markets` and `app::staff::markets`.)

/// The public reads and the signed batch endpoint.
pub mod api;
/// Staff: markets, keys, uploads.
pub mod staff;

use crate::http::routes::Routes;
use domain::route::Facts;
use domain::staff::Role;

/// Largest signed batch: 10,000 rows of ~400 bytes.
pub const BATCH_BYTES: usize = 4 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/markets", Facts::API.cached(30), api::list)
        .get("/api/v1/markets/{id}", Facts::API.cached(30), api::get_one)
        .get("/api/v1/stalls/{code}", Facts::API.cached(30), api::stall)
        .get("/api/v1/certificates/{cert_no}/trace", Facts::API.cached(30), api::trace)
        // Authenticated by the market's key and signature, not by a session: a write with a large body.
        .post("/api/v1/markets/{id}/batches", Facts::WRITE.body_limit(BATCH_BYTES), api::batch)
        .get("/m/{code}/qr.svg", Facts::PAGE.host_bound(), api::qr)
        .form("/staff/markets", Facts::staff_write(Role::Admin), "/staff/markets", staff::create)
        .form("/staff/markets/{id}/keys", Facts::staff_write(Role::Admin), "/staff/markets/{id}", staff::issue_key)
        .form(
            "/staff/markets/{id}/keys/revoke",
            Facts::staff_write(Role::Admin),
            "/staff/markets/{id}",
            staff::revoke_key,
        )
        .form("/staff/rapid-tests/{id}/case", Facts::staff_write(Role::Moderator), "/staff/markets", staff::open_case)
        .form(
            "/staff/markets/{id}/upload",
            Facts::staff_write(Role::Moderator).body_limit(staff::UPLOAD.body_limit()),
            "/staff/markets/{id}",
            staff::upload,
        )
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::list, api::get_one, api::stall, api::trace, api::batch),
    components(schemas(domain::markets::MarketSummary, domain::markets::MarketDetail, domain::markets::StallDetail,
        domain::markets::StallSummary, domain::markets::RapidTestView, domain::markets::CertificateView,
        domain::markets::GradeCount, domain::markets::TraceView, domain::markets::TraceStall,
        domain::markets::BatchBody, domain::markets::BatchReceipt, domain::markets::NewStall,
        domain::markets::BatchRowError, domain::markets::StallFields, domain::markets::RapidTestFields,
        domain::markets::CertificateFields, api::BatchRefused)),
    tags((name = "markets", description = "一码通: markets, stalls, rapid tests (快检) and 承诺达标合格证"))
)]
pub struct MarketsApi;
