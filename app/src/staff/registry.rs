//! Staff tools for the registry: create or edit a business, record an event, import a CSV (a background job
//! with its own status page), export.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, DataTable, FieldError, Loaded};
use domain::clock::format_datetime;
use domain::credit::{
    BusinessCategory, BusinessFields as B, BusinessStatus, District, DynamicGrade, EventFields as E, EventKind,
    ImportJob, ImportStatus, Severity,
};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn StaffBusinessesPage() -> impl IntoView {
    let lang = use_lang();
    let (code, field) = form_error();
    let input = move |name: &'static str, label: T, required: bool| {
        view! {
            <label for=name>{tr(label)}</label>
            <input id=name name=name type="text" maxlength="200" required=required/>
            <FieldError name code field/>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffBusinessesTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffBusinessesTitle)}</h1>
            <p><a href="/api/v1/downloads/businesses.csv">{tr(T::StaffExport)}</a></p>
            <h2>{tr(T::StaffSaveBusiness)}</h2>
            <form method="post" action="/staff/businesses" class="form" aria-label=tr(T::StaffSaveBusiness)>
                {input(B::credit_code, T::CreditCodeLabel, true)}
                {input(B::licence_no, T::LicenceLabel, false)}
                {input(B::name, T::NameLabel, true)}
                {input(B::address, T::Address, true)}
                <label for="district">{tr(T::District)}</label>
                <select id="district" name=B::district required>
                    {District::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label(lang)}</option> }).collect_view()}
                </select>
                <label for="category">{tr(T::Category)}</label>
                <select id="category" name=B::category required>
                    {BusinessCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label(lang)}</option> }).collect_view()}
                </select>
                <label for="status">{tr(T::Status)}</label>
                <select id="status" name=B::status>
                    {BusinessStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label(lang)}</option> }).collect_view()}
                </select>
                <label for="dynamic_grade">{tr(T::DynamicGrade)}</label>
                <select id="dynamic_grade" name=B::dynamic_grade>
                    <option value="">"—"</option>
                    {[DynamicGrade::Excellent, DynamicGrade::Good, DynamicGrade::Fair]
                        .into_iter()
                        .map(|g| view! { <option value=g.as_str()>{tr(g.label())}</option> })
                        .collect_view()}
                </select>
                <label for="last_inspected">{tr(T::LastInspected)}</label>
                <input id="last_inspected" name=B::last_inspected type="date"/>
                <FieldError name=B::last_inspected code field/>
                <button type="submit" class="button primary">{tr(T::StaffSaveBusiness)}</button>
            </form>

            <h2>{tr(T::StaffAddEvent)}</h2>
            <form method="post" action="/staff/events" class="form" aria-label=tr(T::StaffAddEvent)>
                <label for="ev-code">{tr(T::CreditCodeLabel)}</label>
                <input id="ev-code" name=E::credit_code type="text" maxlength="18" required/>
                <label for="kind">{tr(T::EventKindLabel)}</label>
                <select id="kind" name=E::kind>
                    {EventKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{tr(k.label())}</option> }).collect_view()}
                </select>
                <label for="severity">{tr(T::Severity)}</label>
                <select id="severity" name=E::severity>
                    {Severity::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr(s.label())}</option> }).collect_view()}
                </select>
                <label for="occurred_at">{tr(T::EventOccurred)}</label>
                <input id="occurred_at" name=E::occurred_at type="date" required/>
                <FieldError name=E::occurred_at code field/>
                <label for="source">{tr(T::EventSource)}</label>
                <input id="source" name=E::source type="text" maxlength="200" required/>
                <FieldError name=E::source code field/>
                <label for="description">{tr(T::EventDescription)}</label>
                <textarea id="description" name=E::description rows="3" maxlength="2000" required></textarea>
                <FieldError name=E::description code field/>
                <button type="submit" class="button primary">{tr(T::StaffAddEvent)}</button>
            </form>

            <h2>{tr(T::StaffImport)}</h2>
            <p class="hint">{tr(T::StaffImportHelp)}</p>
            <form method="post" action="/staff/businesses/import" enctype="multipart/form-data" class="form" aria-label=tr(T::StaffImport)>
                <label for="file">"CSV"</label>
                <input id="file" name="file" type="file" accept=".csv,text/csv" required/>
                <FieldError name="file" code field/>
                <button type="submit" class="button primary">{tr(T::StaffImportButton)}</button>
            </form>
        </section>
    }
}

/// One import job (moderators).
#[server(prefix = "/_sf", endpoint = "import_job")]
pub async fn get_import_job(id: i64) -> Result<ImportJob, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    backend::credit::import::job(&state.store, id).await?.ok_or_else(AppError::not_found)
}

/// The status of a console import: progress while it runs (the page refreshes itself, no script), then the
/// report with every refused row and its line number.
#[component]
pub fn ImportJobPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let job =
        Resource::new(move || params.read().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0), get_import_job);
    let show = |j: ImportJob| view! { <ImportJobView j/> };
    view! {
        <Title text=format!("{} · {}", tr(T::ImportJobTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::ImportJobTitle)}</h1>
            <Loaded resource=job ok=show/>
            <p><a href="/staff/businesses">{tr(T::BackToRegistry)}</a></p>
        </section>
    }
}

#[component]
fn ImportJobView(j: ImportJob) -> impl IntoView {
    let r = j.report;
    let status = match j.status {
        ImportStatus::Running => view! {
            <Meta http_equiv="refresh" content="3"/>
            <p class="notice" role="status">{tr(T::ImportRunning)}</p>
        }
        .into_any(),
        ImportStatus::Done => view! { <p class="success" role="status">{tr(T::ImportDone)}</p> }.into_any(),
        ImportStatus::Failed => view! {
            <p class="error" role="alert">{tr(T::ImportFailed)} ": " {j.failure.unwrap_or_default()}</p>
        }
        .into_any(),
    };
    view! {
        {status}
        <dl class="facts">
            <div><dt>{tr(T::ImportStartedBy)}</dt><dd>{j.started_by} " · " {format_datetime(j.started_at)}</dd></div>
            <div><dt>{tr(T::ImportProgress)}</dt><dd>{format!("{} / {}", j.done, j.total)}</dd></div>
            <div><dt>{tr(T::ImportCreated)}</dt><dd>{r.created}</dd></div>
            <div><dt>{tr(T::ImportUpdated)}</dt><dd>{r.updated}</dd></div>
            <div><dt>{tr(T::ImportUnchanged)}</dt><dd>{r.unchanged}</dd></div>
            <div><dt>{tr(T::ImportRejected)}</dt><dd>{r.errors.len()}</dd></div>
        </dl>
        {(!r.errors.is_empty()).then(|| view! {
            <DataTable headers=vec![T::ImportLine, T::ImportField, T::ImportReason]>
                        {r.errors
                            .into_iter()
                            .take(1000)
                            .map(|e| view! { <tr><td>{e.line}</td><td>{e.field}</td><td>{e.message}</td></tr> })
                            .collect_view()}
                    </DataTable>
        })}
    }
}
