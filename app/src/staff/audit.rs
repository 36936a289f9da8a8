//! The audit log (admins), newest first, 50 a page.

use crate::lang::tr;
use crate::ui::{DataTable, Loaded};
use domain::clock::format_datetime;
use domain::staff::AuditEntry;
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The newest audit entries (admins only), 50 a page, older than `before`.
#[server(prefix = "/_sf", endpoint = "audit_log")]
pub async fn audit_log(before: Option<i64>) -> Result<Vec<AuditEntry>, AppError> {
    crate::ssr::require(domain::staff::Role::Admin).await?;
    let state = crate::ssr::state()?;
    backend::staff::audit::recent(&state.store, 50, before).await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let before = move || query.read().get("before").and_then(|b| b.parse::<i64>().ok());
    let entries = Resource::new(before, audit_log);
    let lang = crate::lang::use_lang();
    let show = move |rows: Vec<AuditEntry>| {
        let older = rows.last().map(|r| format!("/staff/audit?before={}", r.id));
        view! {
            <DataTable headers=vec![T::AuditAt, T::AuditActor, T::AuditAction, T::AuditTarget, T::AuditIp]>
                {rows
                    .into_iter()
                    .map(|r| {
                        view! {
                            <tr>
                                <td>{format_datetime(r.at)}</td>
                                <td>{r.actor}</td>
                                <td>
                                    {domain::staff::AuditAction::label_of(&r.action, lang).to_owned()} " "
                                    <code>{r.action}</code>
                                </td>
                                <td>{r.target.unwrap_or_default()}</td>
                                <td>{r.ip.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </DataTable>
            {older.map(|href| view! { <p><a href=href>{tr(T::AuditOlder)}</a></p> })}
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffAuditTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffAuditTitle)}</h1>
            <Loaded resource=entries ok=show/>
        </section>
    }
}
