//! Small pieces every page uses: the loading/error block around a resource, and field errors left by a failed
//! form post (post/redirect/get).

use crate::lang::{tr, use_lang};
use domain::{AppError, ErrCode, T};
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// Renders `ok(value)` once `resource` has loaded, or its error in the page's language.
#[component]
pub fn Loaded<D, V, F>(resource: Resource<Result<D, AppError>>, ok: F) -> impl IntoView
where
    D: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    V: IntoView + 'static,
    F: Fn(D) -> V + Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || {
                let ok = ok.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(v) => ok(v).into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.message(lang)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Reads `?error=code&field=name` left by a form post that failed.
pub fn form_error() -> (Memo<Option<ErrCode>>, Memo<Option<String>>) {
    let query = leptos_router::hooks::use_query_map();
    let code = Memo::new(move |_| {
        query.read().get("error").and_then(|c| serde_json::from_value::<ErrCode>(serde_json::Value::String(c)).ok())
    });
    let field = Memo::new(move |_| query.read().get("field"));
    (code, field)
}

/// The message for one field, shown next to it.
#[component]
pub fn FieldError(name: &'static str, code: Memo<Option<ErrCode>>, field: Memo<Option<String>>) -> impl IntoView {
    let lang = use_lang();
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

/// A scrollable data table with column headers; the rows are the children (`<tr>`s).
#[component]
pub fn DataTable(headers: Vec<T>, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>{headers.into_iter().map(|h| view! { <th scope="col">{tr(h)}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Open Graph and Twitter metadata of a page, for link previews in chat apps and social sites. Images are
/// paths on this site (the page is cached for every `Host`, so no absolute address is built from the request).
#[component]
pub fn Og(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(optional, into)] image: String,
    #[prop(optional)] kind: Option<&'static str>,
) -> impl IntoView {
    use leptos_meta::Meta;
    let image = if image.is_empty() { "/og-image.png".to_owned() } else { image };
    view! {
        <Meta property="og:site_name" content=tr(T::BrandName)/>
        <Meta property="og:title" content=title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:type" content=kind.unwrap_or("website")/>
        <Meta property="og:image" content=image/>
        <Meta property="og:locale" content=match use_lang() { domain::Lang::Zh => "zh_CN", domain::Lang::En => "en_US" }/>
        <Meta name="twitter:card" content="summary_large_image"/>
    }
}

/// Previous / next links of a paged list (nothing when there is one page).
#[component]
pub fn Pager(current: i64, pages: i64, prev: Option<String>, next: Option<String>) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=tr(T::Pages)>
                {prev.map(|href| view! { <a href=href rel="prev">{tr(T::PrevPage)}</a> })}
                <span>{format!("{current} / {pages}")}</span>
                {next.map(|href| view! { <a href=href rel="next">{tr(T::NextPage)}</a> })}
            </nav>
        }
    })
}

/// The page of an item that could not be loaded: the error's status on the server, its message, a way back.
#[component]
pub fn LoadFailed(err: AppError, back: &'static str, back_label: T) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::from_u16(err.status()).unwrap_or(http::StatusCode::NOT_FOUND));
    }
    let lang = use_lang();
    view! {
        <leptos_meta::Title text=tr(T::NotFoundTitle)/>
        <section class="page">
            <h1>{tr(T::NotFoundTitle)}</h1>
            <p class="error" role="alert">{err.message(lang)}</p>
            <p><a href=back>{tr(back_label)}</a></p>
        </section>
    }
}
