//! A stall's page, what its QR code opens (`/m/{code}`): the operator and their credit grade, today's rapid
//! tests, the 承诺达标合格证 of the goods on sale with their commitments; and a certificate's trace
//! (`/trace/{cert_no}`): the producer and every stall holding the same certificate.

use super::{ResultBadge, TestsTable};
use crate::credit::GradeBadge;
use crate::lang::{tr, use_lang};
use crate::ui::encode;
use domain::clock::format_date;
use domain::markets::{CertBasis, CertificateView, Commitment, StallDetail, TraceView};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One stall (public).
#[server(prefix = "/_sf", endpoint = "stall")]
pub async fn stall(code: String) -> Result<StallDetail, AppError> {
    let code = domain::markets::StallCode::parse(&code).map_err(|_| AppError::not_found())?;
    backend::markets::stall_detail(&crate::ssr::state()?.store, &code).await
}

/// A certificate's trace (public).
#[server(prefix = "/_sf", endpoint = "trace")]
pub async fn trace(cert_no: String) -> Result<TraceView, AppError> {
    if cert_no.chars().count() > 40 {
        return Err(AppError::not_found());
    }
    backend::markets::trace(&crate::ssr::state()?.store, &cert_no).await
}

#[component]
pub fn StallPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("code").unwrap_or_default(), stall);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <StallView d/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/markets" back_label=T::NavMarkets/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Certificate(c: CertificateView) -> impl IntoView {
    let lang = use_lang();
    let commitments =
        c.commitments.iter().map(|s| view! { <li>"☑ " {Commitment::label_of(s, lang).to_owned()}</li> }).collect_view();
    let trace = format!("/trace/{}", encode(&c.cert_no));
    view! {
        <li class="round-card">
            <h3>{c.product.clone()} " · " {c.quantity.clone()}</h3>
            <dl class="facts compact">
                <div><dt>{tr(T::CertNo)}</dt><dd>{c.cert_no.clone()} " · " <a href=trace>{tr(T::CertTrace)}</a></dd></div>
                <div><dt>{tr(T::CertOrigin)}</dt><dd>{c.origin.clone()}</dd></div>
                <div><dt>{tr(T::CertProducer)}</dt><dd>{c.producer.clone()} " · " {c.producer_contact.clone()}</dd></div>
                <div><dt>{tr(T::CertIssued)}</dt><dd>{format_date(c.issued_on)}</dd></div>
                <div><dt>{tr(T::CertBasis)}</dt><dd>{CertBasis::label_of(&c.basis, lang).to_owned()}</dd></div>
            </dl>
            <p class="hint">{tr(T::CertCommitments)}</p>
            <ul class="plain">{commitments}</ul>
        </li>
    }
}

#[component]
fn StallView(d: StallDetail) -> impl IntoView {
    let s = d.stall;
    let title = format!("{} · {}", s.number, d.market_name);
    let today = if d.today.is_empty() {
        view! { <p class="notice">{tr(T::StallNoTests)}</p> }.into_any()
    } else {
        view! { <TestsTable tests=d.today/> }.into_any()
    };
    let certificates = if d.certificates.is_empty() {
        view! { <p class="notice">{tr(T::StallNoCertificates)}</p> }.into_any()
    } else {
        view! { <ul class="rounds">{d.certificates.into_iter().map(|c| view! { <Certificate c/> }).collect_view()}</ul> }
            .into_any()
    };
    view! {
        <Title text=format!("{} · {}", title, tr(T::NavMarkets))/>
        <crate::ui::Og title=title.clone() description=s.operator.clone()/>
        <article class="page stall">
            <header class="business-head">
                <GradeBadge grade=s.grade large=true awaiting=s.awaiting_inspection/>
                <div>
                    <h1>{title}</h1>
                    <p>
                        {tr(T::StallOperator)} ": " <a href=format!("/credit/{}", s.credit_code)>{s.operator.clone()}</a>
                        " · " {tr(T::StallGoods)} ": " {s.goods.clone()}
                    </p>
                    <p class="hint">
                        {tr(T::StallMarket)} ": " <a href=format!("/markets/{}", d.market_id)>{d.market_name.clone()}</a>
                        " · " {tr(T::StallCodeLabel)} ": " <code>{s.code.clone()}</code>
                    </p>
                    {s.flagged_at.map(|t| view! {
                        <p class="notice warn" role="status">
                            <ResultBadge result=domain::markets::TestResult::Fail.as_str().to_owned()/>
                            " " {tr(T::StallFlagged)} " · " {domain::clock::format_datetime(t)}
                        </p>
                    })}
                </div>
            </header>
            <h2>{tr(T::StallToday)}</h2>
            {today}
            <h2>{tr(T::StallCertificates)}</h2>
            {certificates}
            <p>
                <a class="button" href=format!("/volunteers/report?stall={}", s.code)>{tr(T::VolunteerReportLink)}</a>
            </p>
            <p class="hint">
                <a href=format!("/m/{}/qr.svg", s.code)>{tr(T::StallQr)}</a>
            </p>
        </article>
    }
}

#[component]
pub fn TracePage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("cert_no").unwrap_or_default(), trace);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(t) => view! { <TraceList t/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/markets" back_label=T::NavMarkets/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TraceList(t: TraceView) -> impl IntoView {
    let rows = t
        .stalls
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td><a href=format!("/m/{}", s.code)>{s.number.clone()}</a></td>
                    <td>{s.operator.clone()}</td>
                    <td><a href=format!("/markets/{}", s.market_id)>{s.market_name.clone()}</a></td>
                    <td>{s.quantity.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} · {}", t.cert_no, tr(T::TraceTitle))/>
        <article class="page">
            <h1>{tr(T::TraceTitle)}</h1>
            <dl class="facts compact">
                <div><dt>{tr(T::CertNo)}</dt><dd>{t.cert_no.clone()}</dd></div>
                <div><dt>{tr(T::CertProduct)}</dt><dd>{t.product.clone()}</dd></div>
                <div><dt>{tr(T::CertProducer)}</dt><dd>{t.producer.clone()} " · " {t.producer_contact.clone()}</dd></div>
                <div><dt>{tr(T::CertOrigin)}</dt><dd>{t.origin.clone()}</dd></div>
                <div><dt>{tr(T::CertIssued)}</dt><dd>{format_date(t.issued_on)}</dd></div>
            </dl>
            <crate::ui::DataTable headers=vec![T::StallNumber, T::StallOperator, T::StallMarket, T::CertQuantity]>
                {rows}
            </crate::ui::DataTable>
        </article>
    }
}
