//! The one reader of multipart forms. Each form declares its [`Caps`] beside its route (the route's body limit
//! is made from them): which text parts it takes and how large each may be, which part carries files, how many
//! files and how large each, and how much of everything together. Parts are read in chunks and refused as soon
//! as one passes its cap, naming the part: nothing over a cap is held in memory, and nothing is stored.

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{FromRequest, Multipart, Request};
use bytes::{Bytes, BytesMut};
use domain::{AppError, ErrCode};
use http::StatusCode;
use serde::de::DeserializeOwned;

/// What a multipart form may hold.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// The text parts taken (a `fields!` struct's `FIELDS`); any other part is skipped unread.
    pub texts: &'static [&'static str],
    /// Largest text part, in bytes.
    pub text_bytes: usize,
    /// The part that carries files.
    pub file: &'static str,
    /// Most files.
    pub files: usize,
    /// Largest file, in bytes.
    pub file_bytes: usize,
    /// Most bytes of all taken parts together.
    pub total: usize,
}

/// Room for the multipart framing (boundaries, part headers) on top of [`Caps::total`].
pub const FRAMING: usize = 64 * 1024;

impl Caps {
    /// The route's body limit: everything the caps allow, and its framing.
    pub const fn body_limit(&self) -> usize {
        self.total + FRAMING
    }
}

/// A multipart body, not yet read. A request that is not `multipart/form-data` is a 415.
pub struct Upload(Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Multipart::from_request(req, state)
            .await
            .map(Upload)
            .map_err(|_: MultipartRejection| AppError::new(ErrCode::UnsupportedMediaType))
    }
}

/// A form as read: its text parts in order, and its files.
#[derive(Debug, Default)]
pub struct Parts {
    texts: Vec<(String, String)>,
    pub files: Vec<Bytes>,
}

impl Upload {
    /// Reads every part within `caps`. A file input left empty sends an empty part without a file name: that is
    /// no file. An empty file with a name is kept (the service says it is required).
    pub async fn read(self, caps: &Caps) -> Result<Parts, AppError> {
        let Upload(mut multipart) = self;
        let mut parts = Parts::default();
        let mut total = 0usize;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) => return Err(broken(&e, caps.file)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == caps.file {
                let named = field.file_name().is_some_and(|n| !n.is_empty());
                let bytes =
                    chunks(field, caps.file, caps.file_bytes, caps.total - total, ErrCode::PayloadTooLarge).await?;
                if bytes.is_empty() && !named {
                    continue;
                }
                total += bytes.len();
                parts.files.push(bytes);
                if parts.files.len() > caps.files {
                    return Err(AppError::field(ErrCode::TooMany, caps.file));
                }
            } else if let Some(&known) = caps.texts.iter().find(|t| **t == name) {
                // A text part over its cap is too long, as a form field is.
                let bytes = chunks(field, known, caps.text_bytes, caps.total - total, ErrCode::TooLong).await?;
                total += bytes.len();
                parts.texts.push((name, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        Ok(parts)
    }
}

/// A part's bytes, refused with `over` naming the part once they pass `cap` or what is left of the total.
async fn chunks(mut field: Field<'_>, name: &str, cap: usize, left: usize, over: ErrCode) -> Result<Bytes, AppError> {
    let cap = cap.min(left);
    let mut buf = BytesMut::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > cap {
                    return Err(AppError::field(over, name));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buf.freeze()),
            Err(e) => return Err(broken(&e, name)),
        }
    }
}

/// A body that could not be read: over the route's limit (413), or not well-formed (400), named by `part`.
fn broken(e: &MultipartError, part: &str) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::field(ErrCode::PayloadTooLarge, part)
    } else {
        AppError::field(ErrCode::InvalidValue, part)
    }
}

impl Parts {
    /// The text parts as a `fields!` struct: a part sent twice keeps its last value, an absent one is empty.
    pub fn fields<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        let map: serde_json::Map<String, serde_json::Value> =
            self.texts.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        serde_json::from_value(serde_json::Value::Object(map)).map_err(AppError::internal)
    }

    /// Replaces every value of a repeated part (checkboxes) by one, joined with `sep` (empty when none was sent).
    pub fn join(&mut self, name: &str, sep: &str) {
        let joined =
            self.texts.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(sep);
        self.texts.retain(|(k, _)| k != name);
        self.texts.push((name.to_owned(), joined));
    }

    /// The one file of a form that takes one, if it was sent with content.
    pub fn file(&mut self) -> Option<Vec<u8>> {
        self.files.pop().filter(|f| !f.is_empty()).map(|f| f.to_vec())
    }
}
