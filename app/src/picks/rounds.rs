//! Every round, newest first, with its phase and (when visible) how many have voted.

use super::{PhaseBadge, ScheduleFacts};
use crate::lang::tr;
use crate::ui::Loaded;
use domain::picks::{Phase, RoundSummary};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// Every round (public).
#[server(prefix = "/_sf", endpoint = "rounds")]
pub async fn rounds() -> Result<Vec<RoundSummary>, AppError> {
    let state = crate::ssr::state()?;
    backend::picks::list(&state.store, false).await
}

#[component]
pub fn PicksPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| rounds());
    let show = |items: Vec<RoundSummary>| {
        if items.is_empty() {
            return view! { <p class="notice">{tr(T::PicksNone)}</p> }.into_any();
        }
        view! {
            <ul class="rounds">
                {items
                    .into_iter()
                    .map(|r| {
                        let action = if r.phase == Phase::Voting { T::RoundOpen } else { T::RoundView };
                        view! {
                            <li class="round-card">
                                <PhaseBadge phase=r.phase/>
                                <h2><a href=format!("/picks/{}", r.id)>{r.title.clone()}</a></h2>
                                <dl class="facts compact">
                                    <ScheduleFacts schedule=r.schedule/>
                                    <div><dt>{tr(T::RoundCandidates)}</dt><dd>{r.candidate_count}</dd></div>
                                    {r.ballots.map(|b| view! { <div><dt>{tr(T::RoundBallots)}</dt><dd>{b}</dd></div> })}
                                </dl>
                                <a class="button primary" href=format!("/picks/{}", r.id)>{tr(action)}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Title text=format!("{} · {}", tr(T::PicksTitle), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::PicksTitle) description=tr(T::PicksIntro)/>
        <section class="page">
            <h1>{tr(T::PicksTitle)}</h1>
            <p class="lead">{tr(T::PicksIntro)}</p>
            <Loaded resource=list ok=show/>
            <p><a href="/results">{tr(T::NavResults)} " →"</a></p>
        </section>
    }
}
