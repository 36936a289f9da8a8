//! The results list: a GET form of filters (food, district, verdict, round) that works without JavaScript,
//! the batches with what failed and the limit it broke, and a link to each lab report.

use crate::lang::{tr, use_lang};
use crate::ui::{encode, Loaded};
use domain::clock::format_date;
use domain::credit::District;
use domain::picks::FoodCategory;
use domain::sampling::SamplingBatch;
use domain::{AppError, Page, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Published results, filtered (public).
#[server(prefix = "/_sf", endpoint = "results")]
pub async fn results(
    food: Option<String>,
    district: Option<String>,
    verdict: Option<String>,
    round: Option<String>,
    page: Option<String>,
) -> Result<Page<SamplingBatch>, AppError> {
    let q = domain::sampling::ResultsQuery::parse(
        food.as_deref(),
        district.as_deref(),
        verdict.as_deref(),
        round.as_deref(),
        page.as_deref(),
        None,
    )?;
    let state = crate::ssr::state()?;
    backend::sampling::list(&state, &q).await
}

/// The results of one business (its public page).
#[server(prefix = "/_sf", endpoint = "business_results")]
pub async fn business_results(credit_code: String) -> Result<Page<SamplingBatch>, AppError> {
    let code = domain::credit::CreditCode::parse(&credit_code)?;
    let q = domain::sampling::ResultsQuery {
        credit_code: Some(code.as_str().to_owned()),
        page: 1,
        per_page: 20,
        ..Default::default()
    };
    let state = crate::ssr::state()?;
    backend::sampling::list(&state, &q).await
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let query = use_query_map();
    let lang = use_lang();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let list = Resource::new(
        move || (get("food"), get("district"), get("verdict"), get("round"), get("page")),
        |(food, district, verdict, round, page)| {
            results(Some(food), Some(district), Some(verdict), Some(round), Some(page))
        },
    );
    let verdict = get("verdict");
    let district = get("district");
    let show = move |page: Page<SamplingBatch>| view! { <ResultsPageList page/> };
    view! {
        <Title text=format!("{} · {}", tr(T::ResultsTitle), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::ResultsTitle) description=tr(T::ResultsIntro)/>
        <section class="page">
            <h1>{tr(T::ResultsTitle)}</h1>
            <p class="lead">{tr(T::ResultsIntro)}</p>
            <form class="search-form" method="get" action="/results" role="search">
                <div class="filters">
                    <label>
                        {tr(T::ResultsFilterFood)}
                        <input name="food" type="search" maxlength="40" value=get("food")/>
                    </label>
                    <label>
                        {tr(T::District)}
                        <select name="district">
                            <option value="">{tr(T::Any)}</option>
                            {District::ALL
                                .iter()
                                .map(|d| view! { <option value=d.as_str() selected=district == d.as_str()>{d.label(lang)}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        {tr(T::ResultsFilterVerdict)}
                        <select name="verdict">
                            <option value="">{tr(T::Any)}</option>
                            <option value="pass" selected=verdict == "pass">{tr(T::ResultPass)}</option>
                            <option value="fail" selected=verdict == "fail">{tr(T::ResultFail)}</option>
                        </select>
                    </label>
                    <input type="hidden" name="round" value=get("round")/>
                </div>
                <button type="submit" class="button primary">{tr(T::Search)}</button>
            </form>
            <Loaded resource=list ok=show/>
        </section>
    }
}

#[component]
fn ResultsPageList(page: Page<SamplingBatch>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let pages = page.pages();
    let current = page.page;
    let link = move |p: i64| {
        let q = query.read();
        let enc = |k: &str| q.get(k).map(|v| encode(&v)).unwrap_or_default();
        format!(
            "/results?food={}&district={}&verdict={}&round={}&page={p}",
            enc("food"),
            enc("district"),
            enc("verdict"),
            enc("round")
        )
    };
    let (prev, next) = ((current > 1).then(|| link(current - 1)), (current < pages).then(|| link(current + 1)));
    view! {
        <p class="count" role="status">
            {T::ResultsCount.fill(lang, &[("n", &page.total.to_string())])}
        </p>
        {page.items.is_empty().then(|| view! { <p class="notice">{tr(T::ResultsNone)}</p> })}
        <BatchList items=page.items/>
        <crate::ui::Pager current pages prev next/>
    }
}

/// Batches as cards: the food, where and when, the verdict, what failed and the limit, the report.
#[component]
pub fn BatchList(items: Vec<SamplingBatch>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ul class="batches">
            {items
                .into_iter()
                .map(|b| {
                    let verdict = if b.passed { T::ResultPass } else { T::ResultFail };
                    let business = match &b.credit_code {
                        Some(code) => view! { <a href=format!("/credit/{code}")>{b.business_name.clone()}</a> }.into_any(),
                        None => view! { <span>{b.business_name.clone()}</span> }.into_any(),
                    };
                    let id = b.id;
                    let disposal = b.disposal.clone();
                    view! {
                        <li class=if b.passed { "batch pass" } else { "batch fail" } id=format!("batch-{id}")>
                            <p class="batch-head">
                                <strong>{b.food.clone()}</strong>
                                <small>{FoodCategory::label_of(&b.food_category, lang).to_owned()}</small>
                                <span class=if b.passed { "verdict pass" } else { "verdict fail" }>{tr(verdict)}</span>
                            </p>
                            <dl class="facts compact">
                                <div><dt>{tr(T::ResultBusiness)}</dt><dd>{business}</dd></div>
                                <div><dt>{tr(T::ResultPlace)}</dt><dd>{tr(b.place.label())} " · " {District::label_of(&b.district, lang).to_owned()}</dd></div>
                                <div><dt>{tr(T::ResultDate)}</dt><dd>{format_date(b.sampled_at)}</dd></div>
                                <div><dt>{tr(T::ResultItems)}</dt><dd>{b.items.join("、")}</dd></div>
                            </dl>
                            {(!b.failures.is_empty()).then(|| view! {
                                <table class="table failures">
                                    <caption>{tr(T::ResultFailing)}</caption>
                                    <thead><tr>
                                        <th scope="col">{tr(T::ResultItems)}</th>
                                        <th scope="col">{tr(T::ResultMeasured)}</th>
                                        <th scope="col">{tr(T::ResultLimit)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {b.failures.iter().map(|f| view! { <tr><td>{f.item.clone()}</td><td>{f.result.clone()}</td><td>{f.limit.clone()}</td></tr> }).collect_view()}
                                    </tbody>
                                </table>
                            })}
                            {b.has_report.then(|| view! { <p><a href=format!("/results/{}/report.pdf", b.id)>{tr(T::ResultReport)}</a></p> })}
                            {disposal.map(|d| view! { <super::disposal::DisposalTimeline id d/> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The sampling record on a business's page.
#[component]
pub fn BusinessResults(code: String) -> impl IntoView {
    let list = Resource::new(move || code.clone(), business_results);
    let show = |page: Page<SamplingBatch>| {
        view! {
            <section id="sampling" aria-labelledby="sampling-title">
                <h2 id="sampling-title">{tr(T::BusinessResultsTitle)}</h2>
                {page.items.is_empty().then(|| view! { <p class="hint">{tr(T::ResultsNone)}</p> })}
                {(!page.items.is_empty()).then(|| view! { <super::disposal::SummaryLine batches=page.items.clone()/> })}
                <BatchList items=page.items/>
            </section>
        }
    };
    view! { <Loaded resource=list ok=show/> }
}
