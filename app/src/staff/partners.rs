//! Open311 partner keys (admins): issue a key for a partner app (shown once, on this page, right after), revoke
//! one, and see each partner's quota and the cases it filed. Every issue and revocation is on the record.

use crate::lang::tr;
use crate::ui::{form_error, FieldError, Loaded};
use domain::clock::format_datetime;
use domain::open311::{IssuedKey, PartnerFields as F, PartnerView};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// The partners, and the key just issued when `issued` names it (taken: a second look finds nothing).
#[server(prefix = "/_sf", endpoint = "staff_partners")]
pub async fn staff_partners(issued: String) -> Result<(Vec<PartnerView>, Option<IssuedKey>), AppError> {
    crate::ssr::require(domain::staff::Role::Admin).await?;
    let state = crate::ssr::state()?;
    let key = match issued.as_str() {
        "" => None,
        id => backend::cases::drafts::take(&state, "partner-key", id).await?,
    };
    Ok((backend::open311::partners::list(&state.store).await?, key))
}

#[component]
pub fn StaffPartnersPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("issued").unwrap_or_default(), staff_partners);
    let (code, field) = form_error();
    let show = move |(partners, issued): (Vec<PartnerView>, Option<IssuedKey>)| {
        view! {
            {issued.map(|k| view! {
                <div class="receipt" role="status">
                    <p class="notice">{tr(T::PartnerKeyOnce)}</p>
                    <p>{k.name.clone()}</p>
                    <p class="big"><code>{k.api_key}</code></p>
                </div>
            })}
            {if partners.is_empty() {
                view! { <p class="notice">{tr(T::PartnerNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="queue">
                        {partners.into_iter().map(|p| {
                            let quota = format!(
                                "{}/min, {}/day",
                                p.per_min.map_or("—".to_owned(), |n| n.to_string()),
                                p.per_day.map_or("—".to_owned(), |n| n.to_string()),
                            );
                            let revoked = p.revoked_at;
                            view! {
                                <li class="queue-item">
                                    <p><strong>{p.name.clone()}</strong> " · "
                                        {match revoked {
                                            Some(t) => format!("{} {}", tr(T::PartnerRevoked), format_datetime(t)),
                                            None => tr(T::PartnerActive).to_owned(),
                                        }}
                                    </p>
                                    <p class="hint">{quota} " · " {tr(T::PartnerCases)} ": " {p.cases}
                                        " · " {format_datetime(p.created_at)} " · " {p.created_by.clone()}</p>
                                    {revoked.is_none().then(|| view! {
                                        <form method="post" action=format!("/staff/partners/{}/revoke", p.id)>
                                            <button type="submit" class="button">{tr(T::PartnerRevoke)}</button>
                                        </form>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffPartnersTitle), tr(T::BrandName))/>
        // The key is a secret shown once: no referrer to other sites, not indexed.
        <Meta name="robots" content="noindex"/>
        <section class="page">
            <h1>{tr(T::StaffPartnersTitle)}</h1>
            <Loaded resource=data ok=show/>
            <form method="post" action="/staff/partners" class="form">
                <label for="partner-name">{tr(T::PartnerName)}</label>
                <input id="partner-name" name=F::name required maxlength="60"/>
                <FieldError name=F::name code field/>
                <label for="partner-min">{tr(T::PartnerQuotaMin)}</label>
                <input id="partner-min" name=F::per_min type="number" min="1"/>
                <FieldError name=F::per_min code field/>
                <label for="partner-day">{tr(T::PartnerQuotaDay)}</label>
                <input id="partner-day" name=F::per_day type="number" min="1"/>
                <FieldError name=F::per_day code field/>
                <button type="submit" class="button primary">{tr(T::PartnerIssue)}</button>
            </form>
        </section>
    }
}
