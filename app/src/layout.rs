//! The frame around every page: brand header, navigation, language switch, footer.

use crate::lang::{tr, use_lang};
use domain::T;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

const NAV: [(&str, T); 7] = [
    ("/", T::NavHome),
    ("/picks", T::NavPicks),
    ("/report", T::NavReport),
    ("/track", T::NavTrack),
    ("/credit", T::NavCredit),
    ("/results", T::NavResults),
    ("/news", T::NavNews),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip" href="#main">{tr(T::SkipToContent)}</a>
        <Header/>
        <main id="main" class="main">{children()}</main>
        <Footer/>
    }
}

#[component]
fn Header() -> impl IntoView {
    // The menu button only exists once the app is hydrated: without JavaScript the navigation is always open.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| {
        set_hydrated.set(true);
        // A marker for tests and styles: the WASM app is running.
        #[cfg(not(feature = "ssr"))]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    let (open, set_open) = signal(false);
    let location = use_location();
    let lang = use_lang();
    let next = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    view! {
        <header class="site-header">
            <div class="bar">
                <a class="brand" href="/">
                    <img src="/logo.svg" width="40" height="40" alt=tr(T::LogoAlt)/>
                    <span class="brand-text">
                        <strong>{tr(T::BrandName)}</strong>
                        <small>{tr(T::BrandOwner)}</small>
                    </span>
                </a>
                <form class="lang-switch" method="post" action="/lang">
                    <input type="hidden" name="lang" value=lang.other().code()/>
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" lang=lang.other().tag() title=tr(T::SwitchLanguageLabel)>
                        {tr(T::SwitchLanguage)}
                    </button>
                </form>
                <button
                    type="button"
                    class="menu-toggle"
                    aria-controls="site-nav"
                    hidden=move || !hydrated.get()
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| set_open.update(|o| *o = !*o)
                >
                    {move || if open.get() { tr(T::MenuClose) } else { tr(T::Menu) }}
                </button>
            </div>
            <nav id="site-nav" class="site-nav" class:collapsed=move || hydrated.get() && !open.get()>
                <ul>
                    {NAV
                        .iter()
                        .map(|(href, t)| {
                            let href = *href;
                            let current = move || {
                                let p = location.pathname.get();
                                let on = if href == "/" { p == "/" } else { p.starts_with(href) };
                                on.then_some("page")
                            };
                            view! {
                                <li>
                                    <a href=href aria-current=current>{tr(*t)}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}

#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p class="demo-note">{tr(T::FooterDemo)}</p>
            <p>
                <span>{tr(T::FooterHotline)}</span>
                " · "
                <a href="/api/v1/docs">{tr(T::FooterApi)}</a>
                " · "
                <a href="/staff">{tr(T::NavStaff)}</a>
            </p>
            <p class="copy">{tr(T::FooterCopyright)}</p>
        </footer>
    }
}
