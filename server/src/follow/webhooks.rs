//! Partner webhooks in the staff console (admins): register a receiver, turn it off or on. The delivery log is a
//! page (`app::staff::webhooks`).

use crate::http::extract::{Id, Staff};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use backend::staff::audit::Actor;
use domain::follow::webhooks::WebhookFields;
use domain::AppError;
use serde_json::json;

/// Registers a receiver; its signing secret is on its page (admins only, each view audited). The form's
/// checkboxes send `events` once per kind checked: they are gathered into one list.
pub async fn register(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Reply, AppError> {
    let mut f = WebhookFields::default();
    let mut events = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            WebhookFields::name => f.name = v,
            WebhookFields::url => f.url = v,
            WebhookFields::events => events.push(v),
            _ => {}
        }
    }
    f.events = events.join(",");
    let w = f.parse()?;
    let (id, _) = backend::follow::webhooks::register(&shared.app, &Actor::staff(&user), &w).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see(format!("/staff/webhooks/{id}")))
}

#[derive(serde::Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// Turns a receiver off (`active=0`) or on (`active=1`).
pub async fn set_active(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Id(id): Id,
    Form(f): Form<ActiveForm>,
) -> Result<Reply, AppError> {
    let active = match f.active.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::field(domain::ErrCode::InvalidValue, "active")),
    };
    backend::follow::webhooks::set_active(&shared.app.store, &Actor::staff(&user), id, active).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id, "active": active })).see(format!("/staff/webhooks/{id}")))
}
