//! Every market with today's rapid tests, and one market: "今日快检 n 批次 · 合格 m", its stalls by grade, the
//! failing tests of the last 30 days.

use super::{today_line, TestsTable};
use crate::credit::GradeBadge;
use crate::lang::{tr, use_lang};
use crate::ui::Loaded;
use domain::credit::District;
use domain::markets::{MarketDetail, MarketKind, MarketSummary};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Every market (public).
#[server(prefix = "/_sf", endpoint = "markets")]
pub async fn markets() -> Result<Vec<MarketSummary>, AppError> {
    backend::markets::list(&crate::ssr::state()?.store).await
}

/// One market (public).
#[server(prefix = "/_sf", endpoint = "market")]
pub async fn market(id: String) -> Result<MarketDetail, AppError> {
    let id = id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(AppError::not_found)?;
    backend::markets::detail(&crate::ssr::state()?.store, id).await
}

#[component]
fn Facts(m: MarketSummary) -> impl IntoView {
    let lang = use_lang();
    let flagged =
        (m.flagged_stalls > 0).then(|| T::MarketFlaggedCount.fill(lang, &[("n", &m.flagged_stalls.to_string())]));
    view! {
        <p class="hint">
            {MarketKind::label_of(&m.kind, lang).to_owned()} " · " {District::label_of(&m.district, lang).to_owned()}
            " · " {m.address.clone()} " · " {T::MarketStallCount.fill(lang, &[("n", &m.stalls.to_string())])}
        </p>
        <p class="lead"><strong>{today_line(m.tests_today, m.passed_today)}</strong></p>
        {flagged.map(|f| view! { <p class="notice warn">{f}</p> })}
    }
}

#[component]
pub fn MarketsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| markets());
    let show = |items: Vec<MarketSummary>| {
        if items.is_empty() {
            return view! { <p class="notice">{tr(T::MarketsNone)}</p> }.into_any();
        }
        view! {
            <ul class="rounds">
                {items
                    .into_iter()
                    .map(|m| {
                        view! {
                            <li class="round-card">
                                <h2><a href=format!("/markets/{}", m.id)>{m.name.clone()}</a></h2>
                                <Facts m/>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Title text=format!("{} · {}", tr(T::MarketsTitle), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::MarketsTitle) description=tr(T::MarketsIntro)/>
        <section class="page">
            <h1>{tr(T::MarketsTitle)}</h1>
            <p class="lead">{tr(T::MarketsIntro)}</p>
            <Loaded resource=list ok=show/>
        </section>
    }
}

#[component]
pub fn MarketPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("id").unwrap_or_default(), market);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <MarketView d/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/markets" back_label=T::NavMarkets/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MarketView(d: MarketDetail) -> impl IntoView {
    let name = d.market.name.clone();
    let grades = d.grades.iter().map(|g| view! { <li><GradeBadge grade=g.grade/> " " {g.stalls}</li> }).collect_view();
    let stalls = d
        .stalls
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td><a href=format!("/m/{}", s.code)>{s.number.clone()}</a></td>
                    <td>{s.operator.clone()}</td>
                    <td>{s.goods.clone()}</td>
                    <td><GradeBadge grade=s.grade awaiting=s.awaiting_inspection/></td>
                    <td>{s.flagged_at.is_some().then(|| view! { <span class="result result-fail">{tr(T::StallFlagged)}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let failing = if d.failing.is_empty() {
        view! { <p class="notice">{tr(T::MarketNoFailing)}</p> }.into_any()
    } else {
        view! { <TestsTable tests=d.failing with_stall=true/> }.into_any()
    };
    view! {
        <Title text=format!("{} · {}", name, tr(T::NavMarkets))/>
        <crate::ui::Og title=name.clone() description=today_line(d.market.tests_today, d.market.passed_today)/>
        <article class="page">
            <h1>{name}</h1>
            <Facts m=d.market/>
            <h2>{tr(T::MarketStallsByGrade)}</h2>
            <ul class="inline-list">{grades}</ul>
            <crate::ui::DataTable headers=vec![T::StallNumber, T::StallOperator, T::StallGoods, T::Grade, T::StallFlagged]>
                {stalls}
            </crate::ui::DataTable>
            <h2>{tr(T::MarketFailing)}</h2>
            {failing}
            <p><a href="/markets">{tr(T::NavMarkets)} " →"</a></p>
        </article>
    }
}
