//! The document and the routes.

use crate::lang::initial_lang;
use crate::layout::Layout;
use crate::{credit, home, pages, staff};
use domain::T;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The whole HTML document, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0a7c4a"/>
                <meta name="description" content=T::HomeIntro.get(lang)/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=css/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The app: language context, layout and routes. Every route renders fully on the server
/// (`SsrMode::Async`), so pages work with JavaScript off and can be cached whole.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(initial_lang());
    view! {
        <Router>
            <Layout>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("picks") view=pages::PicksPage ssr=SsrMode::Async/>
                    <Route path=path!("report") view=pages::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("track") view=pages::TrackPage ssr=SsrMode::Async/>
                    <Route path=path!("credit") view=credit::CreditSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("credit/:code") view=credit::BusinessPage ssr=SsrMode::Async/>
                    <Route path=path!("results") view=pages::ResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("news") view=pages::NewsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/login") view=staff::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("staff") view=staff::home::StaffHome ssr=SsrMode::Async/>
                    <Route path=path!("staff/audit") view=staff::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/businesses") view=staff::credit::StaffBusinessesPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/replies") view=staff::credit::StaffRepliesPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
