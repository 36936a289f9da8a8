//! 食安志愿者 in the console (moderators): every sign-up, pending first, with its group, district, whether the
//! phone was confirmed by SMS, its reports; approve, reject or suspend (audited). The phone is not shown.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, DataTable, Loaded};
use domain::clock::format_date;
use domain::credit::District;
use domain::volunteers::{Group, StaffVolunteer, VolunteerState};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// Every sign-up (moderators).
#[server(prefix = "/_sf", endpoint = "staff_volunteers")]
pub async fn staff_volunteers() -> Result<Vec<StaffVolunteer>, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    backend::volunteers::staff_list(&crate::ssr::state()?.store).await
}

#[component]
pub fn StaffVolunteersPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| staff_volunteers());
    let (code, _field) = form_error();
    let lang = use_lang();
    let show = |items: Vec<StaffVolunteer>| view! { <Table items/> };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffVolunteersTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffVolunteersTitle)}</h1>
            {move || code.get().map(|c| view! { <p class="error" role="alert">{c.text().get(lang)}</p> })}
            <Loaded resource=list ok=show/>
        </section>
    }
}

#[component]
fn Table(items: Vec<StaffVolunteer>) -> impl IntoView {
    let lang = use_lang();
    if items.is_empty() {
        return view! { <p>{tr(T::StaffVolunteersEmpty)}</p> }.into_any();
    }
    let button = |id: i64, decision: &'static str, label: T| {
        view! {
            <form method="post" action=format!("/staff/volunteers/{id}/decision") class="inline">
                <input type="hidden" name="decision" value=decision/>
                <button type="submit" class="button">{tr(label)}</button>
            </form>
        }
    };
    view! {
        <DataTable headers=vec![T::VolunteerNumber, T::VolunteerGroup, T::District, T::VolunteerStateLabel, T::VolunteerSignedUp, T::VolunteersColReports, T::VolunteerActions]>
            {items
                .into_iter()
                .map(|v| {
                    let st = VolunteerState::parse(&v.state);
                    let verified = if v.verified { tr(T::VolunteerVerifiedLabel) } else { tr(T::VolunteerUnverified) };
                    view! {
                        <tr>
                            <td><code>{v.number.clone()}</code></td>
                            <td>{Group::label_of(&v.group, lang).to_owned()}</td>
                            <td>{District::label_of(&v.district, lang).to_owned()}</td>
                            <td>{VolunteerState::label_of(&v.state, lang).to_owned()} " · " {verified}</td>
                            <td>{format_date(v.created_at)}</td>
                            <td>{v.reports}</td>
                            <td>
                                {matches!(st, Some(VolunteerState::Pending | VolunteerState::Suspended))
                                    .then(|| button(v.id, "approve", T::VolunteerApprove))}
                                {matches!(st, Some(VolunteerState::Pending)).then(|| button(v.id, "reject", T::VolunteerReject))}
                                {matches!(st, Some(VolunteerState::Approved)).then(|| button(v.id, "suspend", T::VolunteerSuspend))}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
    .into_any()
}
