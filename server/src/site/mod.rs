//! The brand site: health checks, the language switch, the campaign figures (page form and API), the OpenAPI
//! document and its readable page, and the API's JSON 404. (The pages are declared in `app::site`.)

/// `GET /api/v1/figures`.
pub mod api;
/// The OpenAPI document (every module's operations) and its readable page.
pub mod docs;
/// The language switch and the figures form.
pub mod forms;
/// `/healthz` and `/readyz`.
pub mod health;

use crate::http::routes::Routes;
use axum::response::Response;
use domain::route::Facts;
use domain::staff::Role;
use domain::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", Facts::HEALTH, health::healthz)
        .get("/readyz", Facts::HEALTH, health::readyz)
        .form("/lang", Facts::WRITE, "/", forms::set_lang)
        .form("/display", Facts::WRITE, "/", forms::set_display)
        .form("/staff/figures", Facts::staff_write(Role::Moderator), "/staff", forms::update_figures)
        .get("/api/v1/figures", Facts::API, api::get_figures)
        .get("/api/v1/openapi.json", Facts::API, docs::openapi_json)
        .get("/api/v1/docs", Facts::PAGE, docs::docs_moved)
        // The poster's QR code carries this site's address from the request's Host: never cached for everyone.
        .get("/poster/qr.svg", Facts::PAGE.host_bound(), poster_qr)
        // Unknown API paths answer in JSON, like the rest of the API.
        .any("/api/{*rest}", Facts::API, not_found)
}

async fn poster_qr(
    axum::extract::State(shared): axum::extract::State<crate::http::Shared>,
    headers: http::HeaderMap,
) -> Result<Response, AppError> {
    crate::credit::badges::qr_svg(&crate::credit::badges::absolute_url(&shared, &headers, "/"), 320)
}

async fn not_found() -> AppError {
    AppError::not_found()
}
