//! Staff publish sampling results: one batch per form (multipart, with the lab report PDF). A failing batch of
//! a registry business records a sampling-failure event on its credit.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError};
use domain::credit::District;
use domain::picks::FoodCategory;
use domain::sampling::{PlaceKind, SamplingFields as S};
use domain::T;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
        </section>
    }
}
