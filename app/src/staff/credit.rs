//! Staff tools for the registry: create or edit a business, record an event, import a CSV, export; and the
//! moderation queue of business replies.

use super::{form_error, FieldError};
use crate::lang::{tr, use_lang};
use domain::clock::format_datetime;
use domain::credit::{ReplyView, EventKind, Severity, CATEGORIES, DISTRICTS, STATUSES};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// Pending replies and repair requests (moderators).
#[server(prefix = "/_sf", endpoint = "pending_replies")]
pub async fn pending_replies() -> Result<Vec<ReplyView>, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    backend::replies::pending(&state.store, 100).await
}

#[component]
pub fn StaffBusinessesPage() -> impl IntoView {
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
                {input("credit_code", T::CreditCodeLabel, true)}
                {input("licence_no", T::LicenceLabel, false)}
                {input("name", T::NameLabel, true)}
                {input("address", T::Address, true)}
                <label for="district">{tr(T::District)}</label>
                <select id="district" name="district" required>
                    {DISTRICTS.iter().map(|(d, _, _)| view! { <option value=*d>{*d}</option> }).collect_view()}
                </select>
                <label for="category">{tr(T::Category)}</label>
                <select id="category" name="category" required>
                    {CATEGORIES.iter().map(|(c, _)| view! { <option value=*c>{*c}</option> }).collect_view()}
                </select>
                <label for="status">{tr(T::Status)}</label>
                <select id="status" name="status">
                    {STATUSES.iter().map(|(s, _)| view! { <option value=*s>{*s}</option> }).collect_view()}
                </select>
                <label for="dynamic_grade">{tr(T::DynamicGrade)}</label>
                <select id="dynamic_grade" name="dynamic_grade">
                    <option value="">"—"</option>
                    <option value="excellent">{tr(T::DynExcellent)}</option>
                    <option value="good">{tr(T::DynGood)}</option>
                    <option value="fair">{tr(T::DynFair)}</option>
                </select>
                <label for="last_inspected">{tr(T::LastInspected)}</label>
                <input id="last_inspected" name="last_inspected" type="date"/>
                <FieldError name="last_inspected" code field/>
                <button type="submit" class="button primary">{tr(T::StaffSaveBusiness)}</button>
            </form>

            <h2>{tr(T::StaffAddEvent)}</h2>
            <form method="post" action="/staff/events" class="form" aria-label=tr(T::StaffAddEvent)>
                <label for="ev-code">{tr(T::CreditCodeLabel)}</label>
                <input id="ev-code" name="credit_code" type="text" maxlength="18" required/>
                <label for="kind">{tr(T::EventKindLabel)}</label>
                <select id="kind" name="kind">
                    {EventKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{tr(k.label())}</option> }).collect_view()}
                </select>
                <label for="severity">{tr(T::Severity)}</label>
                <select id="severity" name="severity">
                    {Severity::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr(s.label())}</option> }).collect_view()}
                </select>
                <label for="occurred_at">{tr(T::EventOccurred)}</label>
                <input id="occurred_at" name="occurred_at" type="date" required/>
                <FieldError name="occurred_at" code field/>
                <label for="source">{tr(T::EventSource)}</label>
                <input id="source" name="source" type="text" maxlength="200" required/>
                <FieldError name="source" code field/>
                <label for="description">{tr(T::EventDescription)}</label>
                <textarea id="description" name="description" rows="3" maxlength="2000" required></textarea>
                <FieldError name="description" code field/>
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

#[component]
pub fn StaffRepliesPage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| pending_replies());
    let lang = use_lang();
    view! {
        <Title text=format!("{} · {}", tr(T::StaffRepliesTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffRepliesTitle)}</h1>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(items) if items.is_empty() => view! { <p class="notice">{tr(T::QueueEmpty)}</p> }.into_any(),
                        Ok(items) => {
                            view! {
                                <ul class="queue">
                                    {items
                                        .into_iter()
                                        .map(|r| {
                                            let kind = if r.kind == "repair" { tr(T::ReplyKindRepair) } else { tr(T::ReplyKindReply) };
                                            view! {
                                                <li class="queue-item">
                                                    <p>
                                                        <a href=format!("/credit/{}", r.credit_code)>{r.business_name.clone()}</a>
                                                        " · " {kind} " · " {format_datetime(r.created_at)}
                                                    </p>
                                                    <blockquote>{r.body.clone()}</blockquote>
                                                    <p class="hint">{tr(T::ReplyContact)} ": " {r.contact.clone().unwrap_or_default()}</p>
                                                    <form method="post" action=format!("/staff/replies/{}/decide", r.id) class="form">
                                                        <label for=format!("note-{}", r.id)>{tr(T::DecisionNote)}</label>
                                                        <input id=format!("note-{}", r.id) name="note" type="text" maxlength="500"/>
                                                        <div class="actions-row">
                                                            <button type="submit" name="decision" value="approve" class="button primary">{tr(T::Approve)}</button>
                                                            <button type="submit" name="decision" value="reject" class="button">{tr(T::Reject)}</button>
                                                        </div>
                                                    </form>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="error">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
