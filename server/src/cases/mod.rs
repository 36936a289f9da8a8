//! 投诉 / 举报: the complaints API (multipart intake, tracking with the access code in a header), the report and
//! track forms without JavaScript, staff handling forms and evidence photos. (Pages are in `app::cases`.)

/// The complaints API and the multipart reading the form shares.
pub mod api;
/// Form posts: report, track, staff quick entry and handling.
pub mod forms;

use crate::http::routes::Routes;
use domain::cases::{MAX_PHOTOS, MAX_PHOTO_BYTES};
use domain::route::Facts;
use domain::staff::Role;

/// Largest case upload: five photos at their limit and the text.
pub const MAX_CASE_BODY: usize = MAX_PHOTOS * MAX_PHOTO_BYTES + 512 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/complaints", Facts::WRITE.body_limit(MAX_CASE_BODY), api::file)
        .get("/api/v1/complaints/{tracking_no}", Facts::API.credential(), api::track)
        .post("/report", Facts::WRITE.body_limit(MAX_CASE_BODY), forms::report)
        .post("/track", Facts::WRITE, forms::track)
        .post("/staff/cases", Facts::staff_write(Role::Moderator), forms::quick_entry)
        .post("/staff/cases/{id}/transition", Facts::staff_write(Role::Moderator), forms::transition)
        .post("/staff/cases/{id}/assign", Facts::staff_write(Role::Moderator), forms::assign)
        .post("/staff/cases/{id}/reward", Facts::staff_write(Role::Moderator), forms::reward)
        .post("/staff/cases/{id}/reveal", Facts::staff_write(Role::Moderator), forms::reveal)
        .post("/staff/calendar", Facts::staff_write(Role::Moderator), forms::calendar)
        .get("/staff/cases/{id}/photos/{photo}", Facts::staff(Role::Moderator), forms::photo)
}
