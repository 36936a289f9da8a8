//! Staff writing articles: multipart forms with the fields of `ArticleFields` (`tags` once per ticked box) and
//! an optional cover, re-encoded like evidence photos. Each save is audited.

use crate::http::client_ip::ClientIp;
use crate::http::extract::{Id, Staff};
use crate::http::multipart::{Caps, Upload};
use crate::http::reply::Reply;
use crate::http::Shared;
use axum::extract::State;
use axum::Extension;
use backend::clock::now;
use backend::staff::audit::Actor;
use domain::news::{ArticleFields, MAX_COVER_BYTES};
use domain::staff::StaffUser;
use domain::AppError;
use http::StatusCode;
use serde_json::json;

/// The article form: its text fields and at most one cover.
pub const ARTICLE: Caps = Caps {
    texts: ArticleFields::FIELDS,
    text_bytes: 200_000,
    file: "cover",
    files: 1,
    file_bytes: MAX_COVER_BYTES,
    total: MAX_COVER_BYTES + 192 * 1024,
};

/// Reads the form (the tag checkboxes joined into one field), prepares the cover, saves.
async fn save(shared: &Shared, user: &StaffUser, ip: &str, id: Option<i64>, upload: Upload) -> Result<i64, AppError> {
    let mut parts = upload.read(&ARTICLE).await?;
    parts.join(ArticleFields::tags, ",");
    let fields: ArticleFields = parts.fields()?;
    let input = fields.parse(now())?;
    let cover = match parts.file() {
        Some(bytes) => Some(backend::news::prepare_cover(&shared.app.photos, bytes).await?),
        None => None,
    };
    backend::news::save(&shared.app.store, &Actor::staff(user), id, &input, cover, Some(ip)).await
}

/// Staff create an article (multipart: the fields of `ArticleFields`, `tags` repeated, the image as `cover`).
pub async fn create(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    upload: Upload,
) -> Result<Reply, AppError> {
    let id = save(&shared, &user, &ip.to_string(), None, upload).await?;
    Ok(Reply::json(StatusCode::CREATED, json!({ "id": id })).see(format!("/staff/news/{id}?saved=1")))
}

/// Staff edit an article.
pub async fn update(
    State(shared): State<Shared>,
    Staff(user): Staff,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Id(id): Id,
    upload: Upload,
) -> Result<Reply, AppError> {
    let id = save(&shared, &user, &ip.to_string(), Some(id), upload).await?;
    Ok(Reply::json(StatusCode::OK, json!({ "id": id })).see(format!("/staff/news/{id}?saved=1")))
}
