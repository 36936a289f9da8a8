//! 阳光餐饮 in the console: the flags awaiting review (confirm with the action taken, optionally recording a
//! credit event; or dismiss), the vendors with their keys (issue: the secret shown once) and the form to add one
//! (admins), the status CSV upload and the latest uploads with their refused rows by line, the kitchens.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, DataTable, FieldError, Loaded};
use domain::clock::format_datetime;
use domain::kitchens::{percent, FlagKind, ReviewFields as R, StaffKitchens, VendorFields, VendorKey};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The console's page, and the key just issued when `key` names it (read once).
#[server(prefix = "/_sf", endpoint = "staff_kitchens")]
pub async fn load_staff_kitchens(key: Option<String>) -> Result<(StaffKitchens, Option<VendorKey>), AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let page = backend::kitchens::staff_view(&state.store).await?;
    let shown = match key.filter(|k| !k.is_empty() && k.len() <= 64) {
        Some(k) => backend::kitchens::keys::take_shown(&state, &k).await?,
        None => None,
    };
    Ok((page, shown))
}

#[component]
pub fn StaffKitchensPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("key"), load_staff_kitchens);
    view! { <Loaded resource=data ok=|(page, key)| view! { <StaffKitchensView page key/> }/> }
}

#[component]
fn StaffKitchensView(page: StaffKitchens, key: Option<VendorKey>) -> impl IntoView {
    let lang = use_lang();
    let (code, field) = form_error();
    let shown = key.map(|k| {
        view! {
            <div class="notice" role="status">
                <p><strong>{tr(T::MarketKeyShownOnce)}</strong></p>
                <p>{tr(T::MarketKeyId)} ": " <code>{k.key_id}</code></p>
                <p>{tr(T::MarketKeySecret)} ": " <code>{k.secret}</code></p>
            </div>
        }
    });
    let pending = if page.pending.is_empty() {
        view! { <p class="notice">{tr(T::KitchenNoPending)}</p> }.into_any()
    } else {
        page.pending
            .into_iter()
            .map(|f| {
                let id = f.id;
                let action_id = format!("action-{id}");
                let event_id = format!("event-{id}");
                let label = format!("{} · {}", f.business, FlagKind::label_of(&f.kind, lang));
                view! {
                    <li class="queue-item" id=format!("flag-{id}")>
                        <p>
                            <strong>{FlagKind::label_of(&f.kind, lang).to_owned()}</strong> " · "
                            <a href=format!("/credit/{}", f.credit_code)>{f.business.clone()}</a> " · "
                            {format_datetime(f.detected_at)} " · " {f.vendor.clone()} " · " <code>{f.event_id.clone()}</code>
                            {f.snapshot_url.clone().map(|u| view! { " · " <a href=u rel="noopener nofollow external" target="_blank">{tr(T::KitchenSnapshot)}</a> })}
                        </p>
                        <form method="post" action=format!("/staff/kitchen-flags/{id}/confirm") class="form" aria-label=format!("{} · {}", tr(T::KitchenConfirm), label)>
                            <label for=action_id.clone()>{tr(T::FlagAction)}</label>
                            <input id=action_id name=R::action_taken type="text" maxlength="200" required/>
                            <FieldError name=R::action_taken code field/>
                            <label>
                                <input id=event_id name=R::credit_event type="checkbox" value="1"/>
                                " " {tr(T::KitchenRecordEvent)}
                            </label>
                            <button type="submit" class="button primary">{tr(T::KitchenConfirm)}</button>
                        </form>
                        <form method="post" action=format!("/staff/kitchen-flags/{id}/dismiss") class="inline" aria-label=format!("{} · {}", tr(T::KitchenDismiss), label)>
                            <button type="submit" class="button">{tr(T::KitchenDismiss)}</button>
                        </form>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };
    let vendors = page
        .vendors
        .into_iter()
        .map(|v| {
            let keys = v
                .keys
                .iter()
                .map(|k| view! {
                    <li><code>{k.key_id.clone()}</code> " · " {format_datetime(k.issued_at)} " · " {k.issued_by.clone()}
                        {k.revoked_at.map(|t| format!(" · {} {}", tr(T::MarketKeyRevoked), format_datetime(t)))}</li>
                })
                .collect_view();
            let file_id = format!("file-{}", v.id);
            view! {
                <li class="queue-item">
                    <p><strong>{v.name.clone()}</strong> " · " {T::KitchenCount.fill(lang, &[("n", &v.kitchens.to_string())])}</p>
                    <ul>{keys}</ul>
                    <form method="post" action=format!("/staff/kitchens/vendors/{}/keys", v.id) class="inline" aria-label=format!("{} · {}", tr(T::MarketKeyIssue), v.name)>
                        <button type="submit" class="button">{tr(T::MarketKeyIssue)}</button>
                    </form>
                    <form method="post" action=format!("/staff/kitchens/vendors/{}/upload", v.id) enctype="multipart/form-data" class="form" aria-label=format!("{} · {}", tr(T::KitchenUpload), v.name)>
                        <label for=file_id.clone()>{tr(T::KitchenUpload)}</label>
                        <input id=file_id name="file" type="file" accept=".csv,text/csv" required/>
                        <button type="submit" class="button primary">{tr(T::KitchenUpload)}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    let uploads = page
        .uploads
        .into_iter()
        .map(|u| {
            let errors = (!u.errors.is_empty()).then(|| {
                let rows = u
                    .errors
                    .iter()
                    .map(|e| view! { <tr><td>{e.row}</td><td>{e.field.clone()}</td><td>{e.code.text().get(lang)}</td></tr> })
                    .collect_view();
                view! { <DataTable headers=vec![T::UploadLine, T::UploadField, T::UploadError]>{rows}</DataTable> }
            });
            let receipt = u.receipt.map(|r| format!("+{} / {} · {}", r.kitchens_joined, r.status_rows, r.flags_added));
            view! {
                <li class="queue-item" id=format!("upload-{}", u.id)>
                    <p>
                        "#" {u.id} " · " {u.vendor.clone()} " · " {format_datetime(u.uploaded_at)} " · " {u.uploaded_by.clone()}
                        " · " <strong>{tr(if u.accepted { T::UploadAccepted } else { T::UploadRefused })}</strong>
                        {receipt.map(|r| view! { " · " {r} })}
                    </p>
                    {errors}
                </li>
            }
        })
        .collect_view();
    let kitchens = page
        .kitchens
        .into_iter()
        .map(|k| {
            view! {
                <tr>
                    <td><a href=format!("/credit/{}", k.credit_code)>{k.name.clone()}</a></td>
                    <td>{k.vendor.clone()}</td>
                    <td>{tr(if k.camera_connected { T::SunshineOnline } else { T::SunshineOffline })}</td>
                    <td>{k.uptime_permille.map(percent).unwrap_or_else(|| "—".into())}</td>
                    <td>{if k.live_consent { "✓" } else { "" }}</td>
                    <td>{k.pending}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} · {}", tr(T::StaffKitchensTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffKitchensTitle)}</h1>
            <p class="lead">{T::KitchenCount.fill(lang, &[("n", &page.total.to_string())])}</p>
            {shown}
            <h2 id="pending">{tr(T::KitchenPending)}</h2>
            <ul class="queue">{pending}</ul>
            <h2>{tr(T::KitchenVendors)}</h2>
            <ul class="queue">{vendors}</ul>
            <form method="post" action="/staff/kitchens/vendors" class="form" aria-label=tr(T::KitchenVendorCreate)>
                <label for="vendor-name">{tr(T::NameLabel)}</label>
                <input id="vendor-name" name=VendorFields::name type="text" maxlength="60" required/>
                <FieldError name=VendorFields::name code field/>
                <button type="submit" class="button primary">{tr(T::KitchenVendorCreate)}</button>
            </form>
            <h2 id="uploads">{tr(T::MarketUploads)}</h2>
            <ul class="queue">{uploads}</ul>
            <h2>{tr(T::KitchenList)}</h2>
            <DataTable headers=vec![T::NameLabel, T::SunshineVendor, T::SunshineCamera, T::SunshineUptime, T::KitchenConsent, T::KitchenPendingCount]>
                {kitchens}
            </DataTable>
        </section>
    }
}
