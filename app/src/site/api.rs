//! 开放数据接口: the public API's documentation, rendered from the same OpenAPI document `/api/v1/openapi.json`
//! serves, with an example request per operation, the quotas in force, the open-data licence and the bulk
//! downloads.

use crate::lang::tr;
use crate::ui::Og;
use domain::site::api::{ApiCatalog, ApiOperation, Quotas};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The API summary and the quotas (public).
#[server(prefix = "/_sf", endpoint = "api_catalog")]
pub async fn get_api_catalog() -> Result<(ApiCatalog, Quotas), AppError> {
    let state = crate::ssr::state()?;
    let catalog =
        use_context::<std::sync::Arc<ApiCatalog>>().ok_or_else(|| AppError::internal("no API catalog in context"))?;
    let l = &state.config.rate_limits;
    let b = &state.config.network_bounds;
    let pair = |b: backend::config::Bound| (b.per_min, b.per_day);
    Ok((
        (*catalog).clone(),
        Quotas {
            api: l.api_per_min,
            download: l.download_per_min,
            write: l.write_per_min,
            vote: l.vote_per_min,
            net_cases: pair(b.cases),
            net_drafts: pair(b.drafts),
            net_nominations: pair(b.nominations),
            net_replies: pair(b.replies),
            net_ballots: pair(b.ballots),
            net_sms: pair(b.sms),
            photo_mb_per_day: b.photo_mb_per_day,
            new_devices_per_hour: b.new_devices_per_hour,
            sms_per_phone_per_day: b.sms_per_phone_per_day,
            sms_daily_budget: b.sms_daily_budget,
        },
    ))
}

#[component]
pub fn ApiPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_api_catalog());
    let show = |(c, q): (ApiCatalog, Quotas)| view! { <Catalog c q/> };
    view! {
        <Title text=format!("{} · {}", tr(T::FooterApi), tr(T::BrandName))/>
        <Og title=tr(T::FooterApi) description=tr(T::ApiIntro)/>
        <section class="page api-docs">
            <h1>{tr(T::FooterApi)}</h1>
            <p class="lead">{tr(T::ApiIntro)}</p>
            <ul>
                <li>"OpenAPI 3.1: " <a href="/api/v1/openapi.json">"/api/v1/openapi.json"</a></li>
                <li>{tr(T::ApiDownloads)} ": " <a href="/api/v1/downloads/businesses.csv">"businesses.csv"</a> " · "
                    <a href="/api/v1/downloads/businesses.json">"businesses.json"</a></li>
                <li>{tr(T::ApiFeed)} ": " <a href="/news/feed.xml">"/news/feed.xml"</a></li>
            </ul>
            <h2>{tr(T::ApiLicenceTitle)}</h2>
            <p>{tr(T::ApiLicence)}</p>
            <crate::ui::Loaded resource=data ok=show/>
        </section>
    }
}

#[component]
fn Catalog(c: ApiCatalog, q: Quotas) -> impl IntoView {
    let quotas = [
        (T::ApiQuotaRead, q.api),
        (T::ApiQuotaDownload, q.download),
        (T::ApiQuotaWrite, q.write),
        (T::ApiQuotaVote, q.vote),
    ];
    let bounds = [
        (T::ApiBoundCases, q.net_cases),
        (T::ApiBoundDrafts, q.net_drafts),
        (T::ApiBoundNominations, q.net_nominations),
        (T::ApiBoundReplies, q.net_replies),
        (T::ApiBoundBallots, q.net_ballots),
        (T::ApiBoundSms, q.net_sms),
    ];
    let totals = [
        (T::ApiBoundPhotos, q.photo_mb_per_day),
        (T::ApiBoundDevices, q.new_devices_per_hour),
        (T::ApiBoundSmsPhone, q.sms_per_phone_per_day),
        (T::ApiBoundSmsBudget, q.sms_daily_budget),
    ];
    view! {
        <h2>{tr(T::ApiQuotasTitle)}</h2>
        <p>{tr(T::ApiQuotasIntro)}</p>
        <ul>
            {quotas.into_iter().map(|(t, n)| view! { <li>{tr(t)} ": " <strong>{n}</strong> " " {tr(T::PerMinute)}</li> }).collect_view()}
        </ul>
        <h3>{tr(T::ApiBoundsTitle)}</h3>
        <p>{tr(T::ApiBoundsIntro)}</p>
        <ul>
            {bounds.into_iter().map(|(t, (m, d))| view! {
                <li>{tr(t)} ": " <strong>{m}</strong> " " {tr(T::PerMinute)} " · " <strong>{d}</strong> " " {tr(T::PerDay)}</li>
            }).collect_view()}
            {totals.into_iter().map(|(t, n)| view! { <li>{tr(t)} ": " <strong>{n}</strong></li> }).collect_view()}
        </ul>
        <h2>{tr(T::ApiOperations)} " (" {c.operations.len()} ")"</h2>
        <p class="hint">{c.title} " " {c.version}</p>
        {c.operations.into_iter().map(|op| view! { <Operation op/> }).collect_view()}
    }
}

#[component]
fn Operation(op: ApiOperation) -> impl IntoView {
    let example = op.example();
    view! {
        <section class="operation">
            <h3><code>{format!("{} {}", op.method, op.path)}</code></h3>
            {(!op.summary.is_empty()).then(|| view! { <p>{op.summary.clone()}</p> })}
            {(!op.params.is_empty()).then(|| view! {
                <ul class="params">
                    {op.params.iter().map(|p| view! {
                        <li>
                            <code>{p.name.clone()}</code> " (" {p.location.clone()} {p.required.then_some(", required")} ") "
                            {p.description.clone()}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <p class="hint">{tr(T::ApiStatuses)} ": " {op.statuses.join(", ")}</p>
            // Scrolls sideways on a phone: focusable, so keyboard users can scroll it too.
            <pre class="example" tabindex="0" aria-label=tr(T::ApiExample)><code>{example}</code></pre>
        </section>
    }
}
