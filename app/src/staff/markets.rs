//! 一码通 in the console: every market and the form to add one (admins); a market's page with its keys (issue:
//! the secret shown once; revoke), the CSV upload and every upload with its refused rows by line, and the
//! failing rapid tests of the last 30 days.

use crate::lang::{tr, use_lang};
use crate::markets::{today_line, TestsTable};
use crate::ui::{form_error, DataTable, FieldError, Loaded};
use domain::clock::format_datetime;
use domain::credit::District;
use domain::markets::{IssuedKey, MarketFields as F, MarketKind, MarketSummary, StaffMarket};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Every market (moderators).
#[server(prefix = "/_sf", endpoint = "staff_markets")]
pub async fn staff_markets() -> Result<Vec<MarketSummary>, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    backend::markets::list(&crate::ssr::state()?.store).await
}

/// One market for the console, and the key just issued when `key` names it (read once).
#[server(prefix = "/_sf", endpoint = "staff_market")]
pub async fn load_staff_market(id: String, key: Option<String>) -> Result<(StaffMarket, Option<IssuedKey>), AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let id = id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(AppError::not_found)?;
    let market = backend::markets::staff_detail(&state.store, id).await?;
    let shown = match key.filter(|k| !k.is_empty() && k.len() <= 64) {
        Some(k) => backend::markets::keys::take_shown(&state, &k).await?,
        None => None,
    };
    Ok((market, shown))
}

#[component]
pub fn StaffMarketsPage() -> impl IntoView {
    let lang = use_lang();
    let (code, field) = form_error();
    let list = Resource::new(|| (), |_| staff_markets());
    let show = |items: Vec<MarketSummary>| {
        view! {
            <ul class="queue">
                {items
                    .into_iter()
                    .map(|m| view! {
                        <li class="queue-item">
                            <a href=format!("/staff/markets/{}", m.id)>{m.name.clone()}</a>
                            " · " {today_line(m.tests_today, m.passed_today)}
                        </li>
                    })
                    .collect_view()}
            </ul>
        }
    };
    let input = move |name: &'static str, label: T| {
        view! {
            <label for=name>{tr(label)}</label>
            <input id=name name=name type="text" maxlength="120" required/>
            <FieldError name code field/>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffMarketsTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffMarketsTitle)}</h1>
            <Loaded resource=list ok=show/>
            <h2>{tr(T::MarketCreate)}</h2>
            <form method="post" action="/staff/markets" class="form" aria-label=tr(T::MarketCreate)>
                {input(F::name, T::NameLabel)}
                <label for="kind">{tr(T::MarketKindLabel)}</label>
                <select id="kind" name=F::kind required>
                    {MarketKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label(lang)}</option> }).collect_view()}
                </select>
                <label for="district">{tr(T::District)}</label>
                <select id="district" name=F::district required>
                    {District::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label(lang)}</option> }).collect_view()}
                </select>
                {input(F::address, T::Address)}
                <button type="submit" class="button primary">{tr(T::MarketCreate)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn StaffMarketPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), query.read().get("key")),
        |(id, key)| load_staff_market(id, key),
    );
    view! { <Loaded resource=data ok=|(m, key)| view! { <StaffMarketView m key/> }/> }
}

#[component]
fn StaffMarketView(m: StaffMarket, key: Option<IssuedKey>) -> impl IntoView {
    let lang = use_lang();
    let (code, field) = form_error();
    let id = m.market.id;
    let name = m.market.name.clone();
    let shown = key.map(|k| {
        view! {
            <div class="notice" role="status">
                <p><strong>{tr(T::MarketKeyShownOnce)}</strong></p>
                <p>{tr(T::MarketKeyId)} ": " <code>{k.key_id}</code></p>
                <p>{tr(T::MarketKeySecret)} ": " <code>{k.secret}</code></p>
            </div>
        }
    });
    let keys = m
        .keys
        .into_iter()
        .map(|k| {
            let revoke = k.revoked_at.is_none().then(|| {
                view! {
                    <form method="post" action=format!("/staff/markets/{id}/keys/revoke") class="inline">
                        <input type="hidden" name="key_id" value=k.key_id.clone()/>
                        <button type="submit" class="button">{tr(T::MarketKeyRevoke)}</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td><code>{k.key_id.clone()}</code></td>
                    <td>{format_datetime(k.issued_at)} " · " {k.issued_by.clone()}</td>
                    <td>{k.revoked_at.map(|t| format!("{} {}", tr(T::MarketKeyRevoked), format_datetime(t)))}{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    let uploads = m
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
            let receipt = u.receipt.map(|r| {
                format!(
                    "+{} / ={} · +{} / ={}",
                    r.tests_added, r.tests_unchanged, r.certificates_added, r.certificates_unchanged
                )
            });
            view! {
                <li class="queue-item" id=format!("upload-{}", u.id)>
                    <p>
                        "#" {u.id} " · " {u.kind.clone()} " · " {format_datetime(u.uploaded_at)} " · " {u.uploaded_by.clone()}
                        " · " <strong>{tr(if u.accepted { T::UploadAccepted } else { T::UploadRefused })}</strong>
                        {receipt.map(|r| view! { " · " {r} })}
                    </p>
                    {errors}
                </li>
            }
        })
        .collect_view();
    let failing = m.failing.clone();
    view! {
        <Title text=format!("{} · {}", name, tr(T::StaffMarketsTitle))/>
        <section class="page">
            <h1>{name}</h1>
            <p class="lead">{today_line(m.market.tests_today, m.market.passed_today)}</p>
            <p><a href=format!("/markets/{id}")>{tr(T::NavMarkets)} " →"</a></p>
            {shown}
            <h2>{tr(T::MarketKeys)}</h2>
            <DataTable headers=vec![T::MarketKeyId, T::CertIssued, T::MarketKeyRevoked]>{keys}</DataTable>
            <form method="post" action=format!("/staff/markets/{id}/keys") class="form" aria-label=tr(T::MarketKeyIssue)>
                <button type="submit" class="button primary">{tr(T::MarketKeyIssue)}</button>
            </form>
            <h2>{tr(T::MarketUpload)}</h2>
            <form method="post" action=format!("/staff/markets/{id}/upload") enctype="multipart/form-data" class="form" aria-label=tr(T::MarketUpload)>
                <label for="kind">{tr(T::MarketUploadKind)}</label>
                <select id="kind" name="kind" required>
                    <option value="rapid_tests">{tr(T::UploadKindTests)}</option>
                    <option value="certificates">{tr(T::UploadKindCertificates)}</option>
                    <option value="stalls">{tr(T::UploadKindStalls)}</option>
                </select>
                <FieldError name="kind" code field/>
                <label for="file">{tr(T::MarketUploadFile)}</label>
                <input id="file" name="file" type="file" accept=".csv,text/csv" required/>
                <FieldError name="file" code field/>
                <button type="submit" class="button primary">{tr(T::MarketUpload)}</button>
            </form>
            <h2 id="uploads">{tr(T::MarketUploads)}</h2>
            <ul class="queue">{uploads}</ul>
            <h2>{tr(T::MarketFailing)}</h2>
            <TestsTable tests=failing.clone() with_stall=true/>
            <ul class="queue">
                {failing
                    .into_iter()
                    .map(|t| {
                        let case = match t.case_no.clone() {
                            Some(no) => view! { <span>{tr(T::MarketCase)} ": " <code>{no}</code></span> }.into_any(),
                            None => view! {
                                <form method="post" action=format!("/staff/rapid-tests/{}/case", t.id) class="inline">
                                    <button type="submit" class="button">{tr(T::MarketOpenCase)}</button>
                                </form>
                            }
                            .into_any(),
                        };
                        view! { <li class="queue-item">{t.stall_number.clone()} " · " {t.sample.clone()} " · " {t.item} " · " {case}</li> }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
