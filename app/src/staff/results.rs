//! Staff publish sampling results: one batch per form (multipart, with the lab report PDF). A failing batch of
//! a registry business records a sampling-failure event on its credit.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, DataTable, FieldError, Loaded};
use domain::clock::format_date;
use domain::credit::District;
use domain::picks::FoodCategory;
use domain::sampling::{
    DisposalFields as D, DisposalStep, PlaceKind, QuantityUnit, RetestResult, SamplingBatch, SamplingFields as S,
};
use domain::{AppError, Page, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The latest public failing batches with their 核查处置, overdue ones first (moderators).
#[server(prefix = "/_sf", endpoint = "staff_failing_batches")]
pub async fn staff_failing_batches() -> Result<Page<SamplingBatch>, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let q = domain::sampling::ResultsQuery {
        per_page: 100,
        ..domain::sampling::ResultsQuery::parse(None, None, Some("fail"), None, None, None)?
    };
    let mut page = backend::sampling::list(&state, &q).await?;
    page.items.sort_by_key(|b| !b.disposal.as_ref().is_some_and(|d| d.overdue));
    Ok(page)
}

/// One batch, public or not, with its 核查处置 (moderators).
#[server(prefix = "/_sf", endpoint = "staff_batch")]
pub async fn staff_batch(id: String) -> Result<SamplingBatch, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    let state = crate::ssr::state()?;
    backend::sampling::staff_batch(&state, id).await?.ok_or_else(AppError::not_found)
}

#[component]
pub fn StaffResultsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let (err, field) = form_error();
    let round = query.read_untracked().get("round").unwrap_or_default();
    let published = move || query.read().get("published");
    let input = move |name: &'static str, label: T, kind: &'static str, value: String| {
        view! {
            <label for=format!("result-{name}")>{tr(label)}</label>
            <input id=format!("result-{name}") name=name type=kind value=value maxlength="100"/>
            <FieldError name code=err field/>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffResultsTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffResultsTitle)}</h1>
            {move || published().map(|id| view! {
                <p class="success" role="status">{tr(T::ResultPublished)} " " <a href="/results">"#" {id}</a></p>
            })}
            <form method="post" action="/staff/results" enctype="multipart/form-data" class="form">
                {input(S::round_id, T::ResultsFilterRound, "number", round)}
                {input(S::candidate_id, T::ResultCandidate, "number", String::new())}
                {input(S::food, T::ResultFood, "text", String::new())}
                <label for="result-food_category">{tr(T::NominateCategory)}</label>
                <select id="result-food_category" name=S::food_category>
                    {FoodCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label(lang)}</option> }).collect_view()}
                </select>
                <label for="result-place">{tr(T::ResultPlace)}</label>
                <select id="result-place" name=S::place>
                    {PlaceKind::ALL.into_iter().map(|p| view! { <option value=p.as_str()>{tr(p.label())}</option> }).collect_view()}
                </select>
                <FieldError name=S::place code=err field/>
                {input(S::credit_code, T::ResultCreditCode, "text", String::new())}
                {input(S::business_name, T::ResultBusinessName, "text", String::new())}
                <label for="result-district">{tr(T::District)}</label>
                <select id="result-district" name=S::district>
                    {District::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label(lang)}</option> }).collect_view()}
                </select>
                <FieldError name=S::district code=err field/>
                {input(S::sampled_on, T::ResultDate, "date", String::new())}
                <label for="result-items">{tr(T::ResultItems)} " (" {tr(T::ResultItemsHint)} ")"</label>
                <textarea id="result-items" name=S::items rows="4" required></textarea>
                <FieldError name=S::items code=err field/>
                <fieldset>
                    <legend>{tr(T::ResultVerdict)}</legend>
                    <label class="inline"><input type="radio" name=S::verdict value="pass" checked/>{tr(T::ResultPass)}</label>
                    <label class="inline"><input type="radio" name=S::verdict value="fail"/>{tr(T::ResultFail)}</label>
                </fieldset>
                <FieldError name=S::verdict code=err field/>
                <label for="result-failures">{tr(T::ResultFailing)} " (" {tr(T::ResultFailuresHint)} ")"</label>
                <textarea id="result-failures" name=S::failures rows="3"></textarea>
                <FieldError name=S::failures code=err field/>
                <label for="result-report">{tr(T::ResultReport)}</label>
                <input id="result-report" name="report" type="file" accept="application/pdf"/>
                <FieldError name="report" code=err field/>
                <button type="submit" class="button primary">{tr(T::StaffResultPublish)}</button>
            </form>
            <FailingBatches/>
        </section>
    }
}

/// Failing batches and where their 核查处置 stands, each linking to its page.
#[component]
fn FailingBatches() -> impl IntoView {
    let list = Resource::new(|| (), |_| staff_failing_batches());
    let lang = use_lang();
    let show = move |page: Page<SamplingBatch>| {
        view! {
            <DataTable headers=vec![T::ResultDate, T::ResultFood, T::ResultBusiness, T::DisposalTitle]>
                {page
                    .items
                    .into_iter()
                    .map(|b| {
                        let d = b.disposal.clone();
                        let overdue = d.as_ref().is_some_and(|d| d.overdue);
                        let done: Vec<&'static str> = d
                            .iter()
                            .flat_map(|d| d.steps.iter())
                            .filter(|e| e.step.is_some())
                            .map(|e| e.kind.label(lang))
                            .collect();
                        view! {
                            <tr>
                                <td>{format_date(b.sampled_at)}</td>
                                <td><a href=format!("/staff/results/{}", b.id)>"#" {b.id} " " {b.food.clone()}</a></td>
                                <td>{b.business_name}</td>
                                <td>
                                    {overdue.then(|| view! { <span class="flag overdue">{tr(T::DisposalSummaryOverdue)}</span> " " })}
                                    {if done.is_empty() { tr(T::DisposalNone).to_owned() } else { done.join(" → ") }}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
        }
    };
    view! {
        <h2>{tr(T::StaffDisposalTitle)}</h2>
        <Loaded resource=list ok=show/>
    }
}

/// A batch's page for staff: the batch and its timeline, the form recording the next step, and the way to
/// publish a 消费提示 about it.
#[component]
pub fn StaffBatchPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let batch = Resource::new(move || params.read().get("id").unwrap_or_default(), staff_batch);
    let saved = move || query.read().get("saved").is_some();
    let show = move |b: SamplingBatch| {
        let id = b.id;
        let failing = !b.passed;
        view! {
            <h1>{T::StaffBatchTitle.fill(use_lang(), &[("id", &id.to_string())])}</h1>
            <crate::sampling::results::BatchList items=vec![b]/>
            {failing.then(|| view! {
                <StepForm id/>
                <p><a class="button" href=format!("/staff/news?batch={id}#new-article")>{tr(T::DisposalPublishAlert)}</a></p>
            })}
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffDisposalTitle), tr(T::BrandName))/>
        <section class="page">
            <p><a href="/staff/results">{tr(T::StaffResultsTitle)}</a></p>
            {move || saved().then(|| view! { <p class="success" role="status">{tr(T::DisposalSaved)}</p> })}
            <Loaded resource=batch ok=show/>
        </section>
    }
}

/// The form recording a step (a plain post: works without JavaScript; a refusal comes back naming the field).
#[component]
fn StepForm(id: i64) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let input = move |name: &'static str, label: T, kind: &'static str, hint: Option<T>| {
        view! {
            <label for=format!("step-{name}")>{tr(label)} {hint.map(|h| view! { " (" {tr(h)} ")" })}</label>
            <input id=format!("step-{name}") name=name type=kind maxlength="60"/>
            <FieldError name code=err field/>
        }
    };
    view! {
        <h2 id="add-step">{tr(T::DisposalAddStep)}</h2>
        <p class="hint">{tr(T::DisposalOrderHint)}</p>
        <form method="post" action=format!("/staff/results/{id}/disposal") class="form">
            <label for="step-kind">{tr(T::DisposalKind)}</label>
            <select id="step-kind" name=D::kind>
                {DisposalStep::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label(lang)}</option> }).collect_view()}
            </select>
            <FieldError name=D::kind code=err field/>
            <label for="step-done_on">{tr(T::DisposalDoneOn)}</label>
            <input id="step-done_on" name=D::done_on type="date" required/>
            <FieldError name=D::done_on code=err field/>
            <fieldset>
                <legend>{DisposalStep::Control.label(lang)}</legend>
                {input(D::removed, T::DisposalRemoved, "text", Some(T::DisposalQuantityHint))}
                {input(D::recalled, T::DisposalRecalled, "text", Some(T::DisposalQuantityHint))}
                <label for="step-unit">{tr(T::DisposalUnit)}</label>
                <select id="step-unit" name=D::unit>
                    {QuantityUnit::ALL.iter().map(|u| view! { <option value=u.as_str()>{u.label(lang)}</option> }).collect_view()}
                </select>
                <FieldError name=D::unit code=err field/>
            </fieldset>
            <fieldset>
                <legend>{DisposalStep::Retest.label(lang)}</legend>
                <label for="step-retest_result">{tr(T::DisposalRetestResult)}</label>
                <select id="step-retest_result" name=D::retest_result>
                    <option value="">"—"</option>
                    {RetestResult::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label(lang)}</option> }).collect_view()}
                </select>
                <FieldError name=D::retest_result code=err field/>
            </fieldset>
            <fieldset>
                <legend>{DisposalStep::Penalty.label(lang)}</legend>
                {input(D::decision_no, T::DisposalDecisionNo, "text", None)}
                <label for="step-measures">{tr(T::DisposalMeasures)}</label>
                <textarea id="step-measures" name=D::measures rows="3" maxlength="500"></textarea>
                <FieldError name=D::measures code=err field/>
            </fieldset>
            <label for="step-note">{tr(T::DisposalNote)}</label>
            <textarea id="step-note" name=D::note rows="3" maxlength="500"></textarea>
            <FieldError name=D::note code=err field/>
            <button type="submit" class="button primary">{tr(T::DisposalAddStep)}</button>
        </form>
    }
}
