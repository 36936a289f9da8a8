//! 阳光餐饮: the signed batch vendors send, and the staff console's forms (vendors and keys: admins; status CSV
//! uploads and the review of AI flags: moderators). Each handler parses, calls one service of
//! `backend::kitchens`, replies. (The console page is declared in `app::staff::kitchens`; the public part is the
//! business's page and `GET /api/v1/businesses/{code}`.)

/// The signed batch endpoint.
pub mod api;
/// Staff: vendors, keys, uploads, reviews.
pub mod staff;

use crate::http::routes::Routes;
use domain::route::Facts;
use domain::staff::Role;

/// Largest signed batch: 5,000 rows of ~300 bytes.
pub const BATCH_BYTES: usize = 2 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        // Authenticated by the vendor's key and signature, not by a session: a write with a large body.
        .post("/api/v1/kitchens/batches", Facts::WRITE.body_limit(BATCH_BYTES), api::batch)
        .form("/staff/kitchens/vendors", Facts::staff_write(Role::Admin), "/staff/kitchens", staff::create_vendor)
        .form("/staff/kitchens/vendors/{id}/keys", Facts::staff_write(Role::Admin), "/staff/kitchens", staff::issue_key)
        .form(
            "/staff/kitchens/vendors/{id}/upload",
            Facts::staff_write(Role::Moderator).body_limit(staff::UPLOAD.body_limit()),
            "/staff/kitchens",
            staff::upload,
        )
        .form(
            "/staff/kitchen-flags/{id}/confirm",
            Facts::staff_write(Role::Moderator),
            "/staff/kitchens",
            staff::confirm,
        )
        .form(
            "/staff/kitchen-flags/{id}/dismiss",
            Facts::staff_write(Role::Moderator),
            "/staff/kitchens",
            staff::dismiss,
        )
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(api::batch),
    components(schemas(domain::kitchens::KitchenBatch, domain::kitchens::KitchenReceipt,
        domain::kitchens::KitchenRowError, domain::kitchens::StatusFields, domain::kitchens::FlagFields,
        domain::kitchens::SunshineView, domain::kitchens::ConfirmedFlag, api::KitchenBatchRefused)),
    tags((name = "kitchens", description = "阳光餐饮 (互联网+明厨亮灶): vendors' signed status and AI flags"))
)]
pub struct KitchensApi;
