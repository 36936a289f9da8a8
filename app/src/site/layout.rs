//! The frame around every page: brand header, navigation, language switch, footer. No script: on a phone the
//! navigation is one row that scrolls sideways, every section one tap away.

use crate::lang::{tr, use_lang};
use domain::T;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

const NAV: [(&str, T); 10] = [
    ("/", T::NavHome),
    ("/picks", T::NavPicks),
    ("/report", T::NavReport),
    ("/track", T::NavTrack),
    ("/credit", T::NavCredit),
    ("/results", T::NavResults),
    ("/markets", T::NavMarkets),
    ("/volunteers", T::NavVolunteers),
    ("/news", T::NavNews),
    ("/stats", T::NavStats),
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
    let location = use_location();
    let lang = use_lang();
    let large = crate::lang::use_large_text();
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
                <form class="lang-switch" method="post" action="/display">
                    <input type="hidden" name="large" value=if large { "0" } else { "1" }/>
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" aria-pressed=if large { "true" } else { "false" } title=tr(T::LargeTextLabel)>
                        {if large { tr(T::LargeTextOff) } else { tr(T::LargeTextOn) }}
                    </button>
                </form>
                <form class="lang-switch" method="post" action="/lang">
                    <input type="hidden" name="lang" value=lang.other().code()/>
                    <input type="hidden" name="next" value=next/>
                    <button type="submit" lang=lang.other().tag() title=tr(T::SwitchLanguageLabel)>
                        {tr(T::SwitchLanguage)}
                    </button>
                </form>
            </div>
            <nav id="site-nav" class="site-nav" aria-label=tr(T::NavLabel)>
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
                <a href="/api">{tr(T::FooterApi)}</a> " · " <a href="/poster">{tr(T::PosterTitle)}</a>
                " · "
                <a href="/staff">{tr(T::NavStaff)}</a>
            </p>
            <p class="copy">{tr(T::FooterCopyright)}</p>
        </footer>
    }
}
