//! The document and the routes.

use crate::lang::initial_lang;
use crate::site::layout::Layout;
use crate::{cases, credit, follow, markets, news, picks, sampling, site, staff, stats, volunteers};
use domain::T;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The whole HTML document, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    let large = crate::lang::initial_large_text();
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag() class=large.then_some("large")>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0a7c4a"/>
                <meta name="description" content=T::HomeIntro.get(lang)/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=css/>
                <IslandScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The loader of the islands' WASM, which fetches nothing on pages without an island (most pages): Leptos'
/// own `HydrationScripts` preloads the module and the WASM on every page.
#[component]
fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    let js = options.output_name.to_string();
    // cargo-leptos names the WASM like the JS; a plain wasm-bindgen build appends `_bg`.
    let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { js.clone() } else { format!("{js}_bg") };
    let script = format!("{}({:?}, {js:?}, {wasm:?});", include_str!("islands.js"), options.site_pkg_dir.as_ref());
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// The app: language context, layout and routes. Every route renders fully on the server
/// (`SsrMode::Async`), so pages work with JavaScript off and can be cached whole. Each module lists its page
/// routes' facts beside them (`PAGES`); the server refuses to start if a route here has none.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(initial_lang());
    provide_context(crate::lang::LargeText(crate::lang::initial_large_text()));
    view! {
        <Router>
            <Layout>
                <Routes fallback=site::pages::NotFound>
                    <Route path=path!("") view=site::home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("picks") view=picks::rounds::PicksPage ssr=SsrMode::Async/>
                    <Route path=path!("picks/:id") view=picks::round::RoundPage ssr=SsrMode::Async/>
                    <Route path=path!("report") view=cases::report::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("report/receipt/:id") view=cases::report::ReceiptPage ssr=SsrMode::Async/>
                    <Route path=path!("track") view=cases::track::TrackPage ssr=SsrMode::Async/>
                    <Route path=path!("results") view=sampling::results::ResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("markets") view=markets::market::MarketsPage ssr=SsrMode::Async/>
                    <Route path=path!("markets/:id") view=markets::market::MarketPage ssr=SsrMode::Async/>
                    <Route path=path!("m/:code") view=markets::stall::StallPage ssr=SsrMode::Async/>
                    <Route path=path!("trace/:cert_no") view=markets::stall::TracePage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers") view=volunteers::VolunteersPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/join") view=volunteers::JoinPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/joined/:id") view=volunteers::JoinedPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/verify") view=volunteers::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/login") view=volunteers::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/report") view=volunteers::ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("volunteers/me") view=volunteers::MePage ssr=SsrMode::Async/>
                    <Route path=path!("news") view=news::pages::NewsPage ssr=SsrMode::Async/>
                    <Route path=path!("news/:id") view=news::pages::ArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("stats") view=stats::StatsPage ssr=SsrMode::Async/>
                    <Route path=path!("poster") view=site::poster::PosterPage ssr=SsrMode::Async/>
                    <Route path=path!("api") view=site::api::ApiPage ssr=SsrMode::Async/>
                    <Route path=path!("credit") view=credit::search::CreditSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("credit/:code") view=credit::business::BusinessPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/login") view=staff::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("staff") view=staff::home::StaffHome ssr=SsrMode::Async/>
                    <Route path=path!("staff/audit") view=staff::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/businesses") view=staff::registry::StaffBusinessesPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/imports/:id") view=staff::registry::ImportJobPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/replies") view=staff::replies::StaffRepliesPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/objections") view=staff::objections::StaffObjectionsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/partners") view=staff::partners::StaffPartnersPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/rounds") view=staff::rounds::StaffRoundsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/rounds/:id") view=staff::rounds::StaffRoundPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/results") view=staff::results::StaffResultsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/results/:id") view=staff::results::StaffBatchPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/cases") view=staff::cases::StaffCasesPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/cases/:id") view=staff::cases::StaffCasePage ssr=SsrMode::Async/>
                    <Route path=path!("staff/markets") view=staff::markets::StaffMarketsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/kitchens") view=staff::kitchens::StaffKitchensPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/markets/:id") view=staff::markets::StaffMarketPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/volunteers") view=staff::volunteers::StaffVolunteersPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/news") view=staff::news::StaffNewsPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/news/:id") view=staff::news::StaffArticlePage ssr=SsrMode::Async/>
                    <Route path=path!("staff/webhooks") view=staff::webhooks::StaffWebhooksPage ssr=SsrMode::Async/>
                    <Route path=path!("staff/webhooks/:id") view=staff::webhooks::StaffWebhookPage ssr=SsrMode::Async/>
                    <Route path=path!("follow/confirm/:token") view=follow::ConfirmPage ssr=SsrMode::Async/>
                    <Route path=path!("follow/:subject") view=follow::FollowPage ssr=SsrMode::Async/>
                    <Route path=path!("u/:token") view=follow::UnsubscribePage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Every page route with its facts, gathered from the modules.
pub fn page_facts() -> impl Iterator<Item = (&'static str, domain::route::Facts)> {
    [
        site::PAGES,
        credit::PAGES,
        picks::PAGES,
        markets::PAGES,
        sampling::PAGES,
        cases::PAGES,
        news::PAGES,
        stats::PAGES,
        staff::PAGES,
        follow::PAGES,
        volunteers::PAGES,
    ]
    .into_iter()
    .flatten()
    .copied()
}
