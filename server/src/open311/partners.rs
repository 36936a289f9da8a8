//! Admins issue and revoke partner keys (form posts from `/staff/partners`). The new key goes back to the page
//! as a sealed draft, shown once: it never travels in a URL or a log.

use crate::http::extract::{Id, Staff};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use backend::staff::audit::Actor;
use domain::open311::PartnerFields;
use domain::AppError;
use http::StatusCode;
use serde_json::json;

/// Issues a key: a browser goes back to the page, which shows it once; a program gets it in the answer.
pub async fn issue(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(f): Form<PartnerFields>,
) -> Result<Reply, AppError> {
    let issued = backend::open311::partners::issue(&shared.app, &Actor::staff(&user), &f.parse()?).await?;
    let draft = backend::cases::drafts::save(&shared.app, "partner-key", &issued).await?;
    Ok(Reply::json(StatusCode::CREATED, issued).see(format!("/staff/partners?issued={draft}")))
}

/// Revokes a partner's key at once.
pub async fn revoke(State(shared): State<Shared>, Staff(user): Staff, Id(id): Id) -> Result<Reply, AppError> {
    backend::open311::partners::revoke(&shared.app, &Actor::staff(&user), id).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id, "revoked": true })).see("/staff/partners"))
}
