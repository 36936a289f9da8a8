//! 投诉 / 举报: the complaints API (multipart intake, tracking with the access code in a header), the report and
//! track forms without JavaScript, staff handling forms and evidence photos. (Pages are in `app::cases`.)

/// The complaints API and the multipart reading the form shares.
pub mod api;
/// Form posts: report, track, staff quick entry and handling.
pub mod forms;

use crate::http::routes::Routes;
use domain::route::Facts;
use domain::staff::Role;

/// Largest case upload: five photos at their limit, the text, and the framing.
pub const MAX_CASE_BODY: usize = api::CASE.body_limit();

pub fn routes() -> Routes {
    Routes::new()
        .post("/api/v1/complaints", Facts::WRITE.body_limit(MAX_CASE_BODY), api::file)
        .get("/api/v1/complaints/{tracking_no}", Facts::API.credential(), api::track)
        .post("/api/v1/complaints/{tracking_no}/rating", Facts::WRITE.credential(), api::rate)
        .form("/report", Facts::WRITE.body_limit(MAX_CASE_BODY), "/report", forms::report)
        .form("/track", Facts::WRITE, "/track", forms::track)
        .form("/track/rating", Facts::WRITE.credential(), "/track", forms::rate)
        .form("/staff/cases", Facts::staff_write(Role::Moderator), "/staff/cases", forms::quick_entry)
        .form(
            "/staff/cases/{id}/transition",
            Facts::staff_write(Role::Moderator),
            "/staff/cases/{id}",
            forms::transition,
        )
        .form("/staff/cases/{id}/assign", Facts::staff_write(Role::Moderator), "/staff/cases/{id}", forms::assign)
        .form("/staff/cases/{id}/reward", Facts::staff_write(Role::Moderator), "/staff/cases/{id}", forms::reward)
        .form("/staff/cases/{id}/callback", Facts::staff_write(Role::Moderator), "/staff/cases/{id}", forms::callback)
        .form("/staff/cases/{id}/reveal", Facts::staff_write(Role::Moderator), "/staff/cases/{id}", forms::reveal)
        .form("/staff/calendar", Facts::staff_write(Role::Moderator), "/staff/cases", forms::calendar)
        .get("/staff/cases/{id}/photos/{photo}", Facts::staff(Role::Moderator), forms::photo)
}
