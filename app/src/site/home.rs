//! The brand home page: live and reported figures, the ways to take part, the latest news.

use crate::lang::tr;
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};

/// The latest three articles (public).
#[server(prefix = "/_sf", endpoint = "home_news")]
pub async fn home_news() -> Result<Vec<domain::news::ArticleSummary>, AppError> {
    let state = crate::ssr::state()?;
    backend::news::latest(&state.store, 3, backend::clock::now()).await
}

/// The current 消费提示 (consumer alerts), at most three (public).
#[server(prefix = "/_sf", endpoint = "home_alerts")]
pub async fn home_alerts() -> Result<Vec<domain::news::ArticleSummary>, AppError> {
    let state = crate::ssr::state()?;
    backend::news::current_alerts(&state.store, 3, backend::clock::now()).await
}

#[component]
pub fn HomePage() -> impl IntoView {
    let alerts = Resource::new(|| (), |_| home_alerts());
    let figures = Resource::new(|| (), |_| crate::site::figures::get_figures());
    let stats = Resource::new(|| (), |_| crate::stats::get_stats());
    let news = Resource::new(|| (), |_| home_news());
    let lang = crate::lang::use_lang();
    let show_news = move |items: Vec<domain::news::ArticleSummary>| {
        view! {
            <ul class="articles">
                {items.into_iter().map(|a| view! { <li><crate::news::pages::ArticleCard a lang nested=true/></li> }).collect_view()}
            </ul>
            <p><a href="/news">{tr(T::HomeNewsMore)}</a></p>
        }
    };
    let show_alerts = move |items: Vec<domain::news::ArticleSummary>| {
        (!items.is_empty()).then(|| {
            view! {
                <section class="alerts" aria-labelledby="alerts-title">
                    <h2 id="alerts-title">{tr(T::HomeAlertsTitle)}</h2>
                    <ul class="articles">
                        {items.into_iter().map(|a| view! { <li><crate::news::pages::ArticleCard a lang nested=true/></li> }).collect_view()}
                    </ul>
                </section>
            }
        })
    };
    let show_stats = |s: domain::stats::Stats| view! { <crate::stats::HomeLive s/> };
    view! {
        <Title text=tr(T::HomeTitle)/>
        <Link rel="alternate" type_="application/atom+xml" href="/news/feed.xml" title=tr(T::NewsFeed)/>
        <crate::ui::Og title=tr(T::HomeTitle) description=tr(T::HomeIntro)/>
        <section class="hero">
            <div class="hero-text">
                <h1>{tr(T::HomeTitle)}</h1>
                <p>{tr(T::HomeIntro)}</p>
            </div>
            <figure class="mascot">
                <img src="/mascot.svg" width="160" height="160" alt=tr(T::MascotAlt)/>
                <figcaption>{tr(T::MascotName)}</figcaption>
            </figure>
        </section>
        <crate::ui::Loaded resource=alerts ok=show_alerts/>
        <section class="figures" aria-labelledby="live-title">
            <h2 id="live-title">{tr(T::StatsLiveTitle)}</h2>
            <crate::ui::Loaded resource=stats ok=show_stats/>
        </section>
        <section class="figures" aria-labelledby="figures-title">
            <h2 id="figures-title">{tr(T::HomeFiguresTitle)}</h2>
            <p class="hint">{tr(T::StatsReportedNote)}</p>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(Some(f)) => view! { <crate::site::figures::FigureGrid f/> }.into_any(),
                        Ok(None) => view! { <p class="notice">{tr(T::ComingSoon)}</p> }.into_any(),
                        Err(e) => view! { <p class="error">{e.message(crate::lang::use_lang())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="actions">
            <h2>{tr(T::HomeActionsTitle)}</h2>
            <ul class="cards">
                <li>
                    <a href="/picks">
                        <strong>{tr(T::NavPicks)}</strong>
                        <span>{tr(T::ActionPicks)}</span>
                    </a>
                </li>
                <li>
                    <a href="/report">
                        <strong>{tr(T::NavReport)}</strong>
                        <span>{tr(T::ActionReport)}</span>
                    </a>
                </li>
                <li>
                    <a href="/credit">
                        <strong>{tr(T::NavCredit)}</strong>
                        <span>{tr(T::ActionCredit)}</span>
                    </a>
                </li>
                <li>
                    <a href="/track">
                        <strong>{tr(T::NavTrack)}</strong>
                        <span>{tr(T::ActionTrack)}</span>
                    </a>
                </li>
            </ul>
        </section>
        <section class="latest" aria-labelledby="news-title">
            <h2 id="news-title">{tr(T::HomeNewsTitle)}</h2>
            <crate::ui::Loaded resource=news ok=show_news/>
        </section>
    }
}
