use super::staff_me;
use crate::lang::{tr, use_lang};
use crate::site::figures::get_figures;
use crate::ui::{form_error, FieldError};
use domain::figures::{CampaignFigures, FiguresFields as F};
use domain::staff::{Role, StaffUser};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// SMS voting codes sent today in the whole city and the day's budget (any staff member).
#[server(prefix = "/_sf", endpoint = "sms_today")]
pub async fn sms_today() -> Result<(i64, i64), AppError> {
    crate::ssr::require(Role::Viewer).await?;
    backend::picks::sms::sent_today(&crate::ssr::state()?).await
}

#[component]
pub fn StaffHome() -> impl IntoView {
    let me = Resource::new(|| (), |_| staff_me());
    let figures = Resource::new(|| (), |_| get_figures());
    let sms = Resource::new(|| (), |_| sms_today());
    let lang = use_lang();
    view! {
        <Title text=format!("{} · {}", tr(T::StaffHomeTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffHomeTitle)}</h1>
            <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match (me.await, figures.await) {
                        (Ok(Some(user)), Ok(f)) => {
                            let sms = sms.await.ok();
                            view! { <Console user f sms/> }.into_any()
                        }
                        (Ok(None), _) => view! {
                            <p>
                                <a href="/staff/login">{tr(T::StaffLoginTitle)}</a>
                            </p>
                        }
                            .into_any(),
                        (Err(e), _) | (_, Err(e)) => view! { <p class="error">{e.message(lang)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Console(user: StaffUser, f: Option<CampaignFigures>, sms: Option<(i64, i64)>) -> impl IntoView {
    let role = user.role;
    let sms = sms.map(|(sent, budget)| {
        let spent = sent >= budget;
        view! {
            <p class=if spent { "notice sms-budget spent" } else { "sms-budget" } role=spent.then_some("alert")>
                {tr(T::StaffSmsToday)} ": " <strong>{format!("{sent} / {budget}")}</strong>
                {spent.then(|| view! { " · " {tr(T::StaffSmsExhausted)} })}
            </p>
        }
    });
    view! {
        {sms}
        <div class="whoami">
            <p>
                {tr(T::StaffWelcome)} <strong>{user.username}</strong> " · " {tr(T::StaffRole)} ": "
                {tr(role.label())}
            </p>
            <form method="post" action="/staff/logout">
                <button type="submit" class="button">{tr(T::StaffLogout)}</button>
            </form>
        </div>
        {(role == Role::Admin)
            .then(|| {
                view! {
                    <p>
                        <a href="/staff/audit">{tr(T::StaffAuditTitle)}</a>
                        " · "
                        <a href="/staff/webhooks">{tr(T::NavWebhooks)}</a>
                        " · "
                        <a href="/staff/partners">{tr(T::StaffPartnersTitle)}</a>
                    </p>
                }
            })}
        {if role.allows(Role::Moderator) {
            view! {
                <ul class="staff-links">
                    <li><a href="/staff/businesses">{tr(T::StaffBusinessesTitle)}</a></li>
                    <li><a href="/staff/replies">{tr(T::StaffRepliesTitle)}</a></li>
                    <li><a href="/staff/objections">{tr(T::StaffObjectionsTitle)}</a></li>
                    <li><a href="/staff/rounds">{tr(T::StaffRoundsTitle)}</a></li>
                    <li><a href="/staff/results">{tr(T::StaffResultsTitle)}</a></li>
                    <li><a href="/staff/cases">{tr(T::StaffCasesTitle)}</a></li>
                    <li><a href="/staff/cases?overdue=1">{tr(T::StaffCasesOverdue)}</a></li>
                    <li><a href="/staff/news">{tr(T::StaffNewsTitle)}</a></li>
                    <li><a href="/staff/volunteers">{tr(T::StaffVolunteersTitle)}</a></li>
                    <li><a href="/staff/kitchens">{tr(T::StaffKitchensTitle)}</a></li>
                </ul>
                <FiguresForm f/>
            }
                .into_any()
        } else {
            view! { <p class="notice">{tr(T::StaffViewerNote)}</p> }.into_any()
        }}
    }
}

#[component]
fn FiguresForm(f: Option<CampaignFigures>) -> impl IntoView {
    let (code, field) = form_error();
    let query = leptos_router::hooks::use_query_map();
    let saved = move || query.read().get("saved").is_some();
    let f = f.unwrap_or(CampaignFigures {
        businesses: 0,
        pass_rate_bp: 0,
        batches_sampled: 0,
        cases_investigated: 0,
        volunteers: 0,
        updated_at: 0,
    });
    let pass_rate = format!("{}.{:02}", f.pass_rate_bp / 100, f.pass_rate_bp % 100);
    let number = move |name: &'static str, label: T, value: i64| {
        view! {
            <label for=name>{tr(label)}</label>
            <input id=name name=name type="number" min="0" max="100000000" step="1" required value=value/>
            <FieldError name code field/>
        }
    };
    view! {
        <h2>{tr(T::StaffFiguresTitle)}</h2>
        {move || saved().then(|| view! { <p class="success" role="status">{tr(T::StaffFiguresSaved)}</p> })}
        <form method="post" action="/staff/figures" class="form">
            {number(F::businesses, T::FigureBusinesses, f.businesses)}
            <label for=F::pass_rate>{tr(T::FigurePassRate)} " (%)"</label>
            <input id=F::pass_rate name=F::pass_rate type="text" inputmode="decimal" maxlength="8" required value=pass_rate/>
            <FieldError name=F::pass_rate code field/>
            {number(F::batches_sampled, T::FigureBatches, f.batches_sampled)}
            {number(F::cases_investigated, T::FigureCases, f.cases_investigated)}
            {number(F::volunteers, T::FigureVolunteers, f.volunteers)}
            <button type="submit" class="button primary">{tr(T::StaffFiguresSave)}</button>
        </form>
    }
}
