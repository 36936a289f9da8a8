use crate::lang::{tr, use_lang};
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
    let lang = use_lang();
    view! {
        <Title text=format!("{} · {}", tr(T::StaffAuditTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffAuditTitle)}</h1>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(rows) => {
                            let older = rows.last().map(|r| format!("/staff/audit?before={}", r.id));
                            view! {
                                <div class="table-wrap">
                                    <table class="table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{tr(T::AuditAt)}</th>
                                                <th scope="col">{tr(T::AuditActor)}</th>
                                                <th scope="col">{tr(T::AuditAction)}</th>
                                                <th scope="col">{tr(T::AuditTarget)}</th>
                                                <th scope="col">{tr(T::AuditIp)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|r| {
                                                    view! {
                                                        <tr>
                                                            <td>{format_datetime(r.at)}</td>
                                                            <td>{r.actor}</td>
                                                            <td>{r.action}</td>
                                                            <td>{r.target.unwrap_or_default()}</td>
                                                            <td>{r.ip.unwrap_or_default()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {older.map(|href| view! { <p><a href=href>{tr(T::AuditOlder)}</a></p> })}
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
