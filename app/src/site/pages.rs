//! The 404 page.

use crate::lang::tr;
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page; on the server it also sets the status.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=format!("404 · {}", tr(T::NotFoundTitle))/>
        <section class="page not-found">
            <h1>{tr(T::NotFoundTitle)}</h1>
            <p>{tr(T::NotFoundBody)}</p>
            <p>
                <a class="button" href="/">{tr(T::BackHome)}</a>
            </p>
        </section>
    }
}
