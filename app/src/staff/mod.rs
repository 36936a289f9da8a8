//! The staff console. Every page route here declares its role in [`PAGES`]; the server checks the session and
//! role before rendering, and each server function checks again, since it is reachable on its own.

/// The audit log (admins).
pub mod audit;
/// 投诉 / 举报 handling (moderators).
pub mod cases;
/// Console home: who is signed in, the campaign figures form.
pub mod home;
/// 阳光餐饮: the review of AI flags, vendors and keys (admins), status CSV uploads.
pub mod kitchens;
/// Sign-in form (a plain form post, so it works without JavaScript).
pub mod login;
/// 一码通: markets, their keys and CSV uploads (moderators; keys and new markets: admins).
pub mod markets;
/// News articles (moderators).
pub mod news;
/// Objections, credit repair and re-inspection requests to decide (moderators).
pub mod objections;
/// Open311 partner keys (admins).
pub mod partners;
/// Registry tools and import jobs (moderators).
pub mod registry;
/// The reply moderation queue (moderators).
pub mod replies;
/// Publishing sampling results (moderators).
pub mod results;
/// 你点我检 rounds, candidates and the nomination queue (moderators).
pub mod rounds;
/// 食安志愿者: sign-ups to approve, reject or suspend (moderators).
pub mod volunteers;
/// Partner webhooks and their delivery log (admins).
pub mod webhooks;

use domain::route::Facts;
use domain::staff::{Role, StaffUser};
use domain::AppError;
use leptos::prelude::*;

/// The sign-in page, where signed-out staff are sent.
pub const SIGN_IN: &str = "/staff/login";

/// The pages of this module and what each needs.
pub const PAGES: &[(&str, Facts)] = &[
    (SIGN_IN, Facts::PAGE),
    ("/staff", Facts::staff(Role::Viewer)),
    ("/staff/audit", Facts::staff(Role::Admin)),
    ("/staff/partners", Facts::staff(Role::Admin)),
    ("/staff/businesses", Facts::staff(Role::Moderator)),
    ("/staff/imports/{id}", Facts::staff(Role::Moderator)),
    ("/staff/replies", Facts::staff(Role::Moderator)),
    ("/staff/objections", Facts::staff(Role::Moderator)),
    ("/staff/rounds", Facts::staff(Role::Moderator)),
    ("/staff/rounds/{id}", Facts::staff(Role::Moderator)),
    ("/staff/results", Facts::staff(Role::Moderator)),
    ("/staff/results/{id}", Facts::staff(Role::Moderator)),
    ("/staff/cases", Facts::staff(Role::Moderator)),
    ("/staff/markets", Facts::staff(Role::Moderator)),
    ("/staff/kitchens", Facts::staff(Role::Moderator)),
    ("/staff/markets/{id}", Facts::staff(Role::Moderator)),
    ("/staff/volunteers", Facts::staff(Role::Moderator)),
    ("/staff/news", Facts::staff(Role::Moderator)),
    ("/staff/news/{id}", Facts::staff(Role::Moderator)),
    ("/staff/cases/{id}", Facts::staff(Role::Moderator)),
    ("/staff/webhooks", Facts::staff(Role::Admin)),
    ("/staff/webhooks/{id}", Facts::staff(Role::Admin)),
];

/// The signed-in staff member, if any.
#[server(prefix = "/_sf", endpoint = "staff_me")]
pub async fn staff_me() -> Result<Option<StaffUser>, AppError> {
    crate::ssr::current_staff().await
}
