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

/// Whether the visitor turned large-text mode (适老化) on: the `large_text` cookie, remembered a year.
#[cfg(feature = "ssr")]
pub fn request_large_text(headers: &http::HeaderMap) -> bool {
    crate::ssr::cookie(headers, "large_text").as_deref() == Some("1")
}

/// Large-text mode as the page was rendered with (the class on `<html>`).
pub fn initial_large_text() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|parts| request_large_text(&parts.headers))
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("class"))
            .is_some_and(|c| c.split(' ').any(|x| x == "large"))
    }
}

/// Large-text mode in context (provided by `App`).
pub fn use_large_text() -> bool {
    use_context::<LargeText>().is_some_and(|l| l.0)
}

/// Whether large-text mode is on, as context.
#[derive(Clone, Copy, Debug)]
pub struct LargeText(pub bool);
