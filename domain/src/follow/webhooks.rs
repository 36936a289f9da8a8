//! Partner webhooks: receivers admins register (a district bureau's system, a newsroom) for kinds of happenings.
//! Pure: the registration's input and the views staff read.

use super::EntryKind;
use crate::error::{AppError, ErrCode};
use crate::text::TextRule;

pub const NAME: TextRule = TextRule { min: 2, max: 100, multiline: false };
pub const MAX_URL: usize = 500;
/// Receivers registered at once (active or not).
pub const MAX_RECEIVERS: i64 = 50;

crate::fields! {
    /// An admin registers a receiver. `events` is repeated (one per checked box) or comma-separated.
    pub struct WebhookFields {
        name,
        url,
        events,
    }
}

/// A registration, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    pub events: Vec<EntryKind>,
}

impl WebhookFields {
    pub fn parse(&self) -> Result<WebhookInput, AppError> {
        let name = NAME.check(Self::name, &self.name)?;
        let url = self.url.trim();
        if url.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::url));
        }
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        let host_ok = host.is_some_and(|h| !h.is_empty() && !h.contains('@'));
        if !host_ok || url.len() > MAX_URL || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::field(ErrCode::InvalidValue, Self::url));
        }
        let mut events = Vec::new();
        for e in self.events.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let k = EntryKind::from_slug(e).ok_or_else(|| AppError::field(ErrCode::InvalidValue, Self::events))?;
            if !events.contains(&k) {
                events.push(k);
            }
        }
        if events.is_empty() {
            return Err(AppError::field(ErrCode::Required, Self::events));
        }
        Ok(WebhookInput { name, url: url.to_owned(), events })
    }
}

/// A receiver, for the staff page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReceiverView {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: i64,
    /// Deliveries waiting (not yet accepted by the receiver).
    pub waiting: i64,
    pub delivered: i64,
    /// The last error of a waiting delivery, if any.
    pub last_error: Option<String>,
}

/// One delivery to a receiver, with its attempts (the delivery log).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    pub subject: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
    pub next_at: i64,
    pub attempts: Vec<AttemptView>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttemptView {
    pub at: i64,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<i64>,
    pub error: Option<String>,
    pub millis: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_names_its_bad_field() {
        let ok = WebhookFields {
            name: "涪城区局".into(),
            url: "https://bureau.example/hook".into(),
            events: "grade,batch,grade".into(),
        };
        assert_eq!(ok.parse().unwrap().events, vec![EntryKind::GradeChange, EntryKind::FailingBatch]);
        for (f, field) in [
            (WebhookFields { url: "ftp://x/y".into(), ..ok.clone() }, "url"),
            (WebhookFields { url: "https://".into(), ..ok.clone() }, "url"),
            (WebhookFields { url: "https://user@host/".into(), ..ok.clone() }, "url"),
            (WebhookFields { url: String::new(), ..ok.clone() }, "url"),
            (WebhookFields { events: "grade,weather".into(), ..ok.clone() }, "events"),
            (WebhookFields { events: String::new(), ..ok.clone() }, "events"),
            (WebhookFields { name: "x".into(), ..ok }, "name"),
        ] {
            assert_eq!(f.parse().unwrap_err().field.as_deref(), Some(field), "{f:?}");
        }
    }
}
