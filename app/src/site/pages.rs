//! Sections still being built, and the 404 page.

use crate::lang::tr;
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Placeholder(title: T) -> impl IntoView {
    view! {
        <Title text=format!("{} · {}", tr(title), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(title)}</h1>
            <p class="notice">{tr(T::ComingSoon)}</p>
            <p>
                <a href="/">{tr(T::BackHome)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn NewsPage() -> impl IntoView {
    view! { <Placeholder title=T::NavNews/> }
}

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
