//! The staff console. Every page here is also guarded by the server's staff middleware (session and role per
//! path); the server functions check the role again, since they are reachable on their own.

/// Sign-in form (a plain form post, so it works without JavaScript).
pub mod login;
/// Console home: who is signed in, the campaign figures form.
pub mod home;
/// The audit log (admins).
pub mod audit;
/// Registry tools and the reply moderation queue (moderators).
pub mod credit;

use domain::staff::StaffUser;
use domain::{AppError, ErrCode};
use leptos::prelude::*;

/// The signed-in staff member, if any.
#[server(prefix = "/_sf", endpoint = "staff_me")]
pub async fn staff_me() -> Result<Option<StaffUser>, AppError> {
    crate::ssr::current_staff().await
}

/// Reads `?error=code&field=name` left by a form post that failed (post/redirect/get).
pub fn form_error() -> (Memo<Option<ErrCode>>, Memo<Option<String>>) {
    let query = leptos_router::hooks::use_query_map();
    let code = Memo::new(move |_| {
        query
            .read()
            .get("error")
            .and_then(|c| serde_json::from_value::<ErrCode>(serde_json::Value::String(c)).ok())
    });
    let field = Memo::new(move |_| query.read().get("field"));
    (code, field)
}

/// The message for one field, shown next to it.
#[component]
pub fn FieldError(name: &'static str, code: Memo<Option<ErrCode>>, field: Memo<Option<String>>) -> impl IntoView {
    let lang = crate::lang::use_lang();
    move || {
        (field.get().as_deref() == Some(name)).then(|| code.get()).flatten().map(|c| {
            view! {
                <p class="field-error" id=format!("{name}-error") role="alert">
                    {c.text().get(lang)}
                </p>
            }
        })
    }
}
