//! The page's language: decided on the server from the `lang` cookie or `Accept-Language`, written into
//! `<html lang>`, and read back from there in the browser so hydration sees the same value.

use domain::{Lang, T};
use leptos::prelude::*;

/// The language of the current request (server) or document (browser).
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map(|parts| request_lang(&parts.headers)).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
}

/// The language a request asks for.
#[cfg(feature = "ssr")]
pub fn request_lang(headers: &http::HeaderMap) -> Lang {
    let cookie = crate::ssr::cookie(headers, "lang");
    let accept = headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Lang::negotiate(cookie.as_deref(), accept)
}

/// The language in context (provided by `App`).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// A text in the page's language.
pub fn tr(t: T) -> &'static str {
    t.get(use_lang())
}
