//! The public page of one business: grade and score, every event behind it, the grade history, replies, and
//! the QR code and badge to share it.

use super::GradeBadge;
use crate::lang::{tr, use_lang};
use crate::ui::DataTable;
use domain::clock::format_date;
use domain::credit::{BusinessCategory, BusinessDetail, BusinessStatus, District, GradePoint};
use domain::follow::paths;
use domain::{AppError, Lang, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::use_params_map;

/// The public record of one business (public).
#[server(prefix = "/_sf", endpoint = "business_detail")]
pub async fn get_business(credit_code: String) -> Result<BusinessDetail, AppError> {
    let code = domain::credit::CreditCode::parse(&credit_code)?;
    let state = crate::ssr::state()?;
    backend::credit::detail(&state, &code).await?.ok_or_else(AppError::not_found)
}

#[component]
pub fn BusinessPage() -> impl IntoView {
    let params = use_params_map();
    let detail = Resource::new(move || params.read().get("code").unwrap_or_default(), get_business);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <BusinessView d/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/credit" back_label=T::NavCredit/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BusinessView(d: BusinessDetail) -> impl IntoView {
    let lang = use_lang();
    let b = d.summary;
    let code = b.credit_code.clone();
    let dynamic = b.dynamic_grade;
    let status = BusinessStatus::label_of(&b.status, lang).to_owned();
    // The events a request may name: those still counted, newest first.
    let objectable: Vec<(i64, String)> = d
        .events
        .iter()
        .filter(|e| !e.annulled)
        .map(|e| (e.id, format!("{} · {} · {}", e.id, format_date(e.occurred_at), tr(e.kind.label()))))
        .collect();
    let pending = b.new_rating_pending;
    view! {
        <Title text=format!("{} · {}", b.name, tr(T::NavCredit))/>
        <Link rel="alternate" type_="application/atom+xml" href=paths::business(&code) title=tr(T::FollowFeed)/>
        <crate::ui::Og title=format!("{} · {}", b.name, tr(b.grade.label())) description=b.address.clone()/>
        <article class="page business">
            <header class="business-head">
                <GradeBadge grade=b.grade large=true awaiting=b.awaiting_inspection/>
                <div>
                    <h1>{b.name.clone()}</h1>
                    {if b.awaiting_inspection {
                        view! { <p class="notice" role="note">{tr(T::AwaitingInspectionNote)}</p> }.into_any()
                    } else {
                        view! {
                            <p class="score">
                                {tr(T::CreditScore)} ": " <strong>{b.score}</strong> " / 100"
                            </p>
                        }
                            .into_any()
                    }}
                    {b.new_rating_pending.then(|| view! {
                        <p class="pending-banner" role="note">
                            <strong>{tr(T::NewRatingPending)}</strong> " " {tr(T::NewRatingPendingNote)}
                        </p>
                    })}
                    {d.open_objection.clone().map(|o| view! {
                        <p class="notice" role="note">{tr(T::ObjectionOpenNote)} " " {format_date(o.due_at)}</p>
                    })}
                    {b.watch_list.then(|| view! { <p class="watch-banner" role="note">{tr(T::WatchListNote)}</p> })}
                </div>
            </header>
            <dl class="facts">
                <div><dt>{tr(T::CreditCodeLabel)}</dt><dd><code>{code.clone()}</code></dd></div>
                <div><dt>{tr(T::LicenceLabel)}</dt><dd><code>{b.licence_no.clone().unwrap_or_else(|| "—".into())}</code></dd></div>
                <div><dt>{tr(T::District)}</dt><dd>{District::label_of(&b.district, lang).to_owned()}</dd></div>
                <div><dt>{tr(T::Category)}</dt><dd>{BusinessCategory::label_of(&b.category, lang).to_owned()}</dd></div>
                <div><dt>{tr(T::Address)}</dt><dd>{b.address.clone()}</dd></div>
                <div><dt>{tr(T::Status)}</dt><dd>{status}</dd></div>
                <div><dt>{tr(T::RatingDate)}</dt><dd>{b.rating_date.map(format_date).unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>{tr(T::LastInspected)}</dt><dd>{b.last_inspected_at.map(format_date).unwrap_or_else(|| "—".into())}</dd></div>
                {dynamic.map(|g| view! { <div><dt>{tr(T::DynamicGrade)}</dt><dd>{tr(g.label())}</dd></div> })}
            </dl>
            <section aria-labelledby="events-title">
                <h2 id="events-title">{tr(T::CreditEvents)}</h2>
                {if d.events.is_empty() {
                    view! { <p class="notice">{tr(T::NoEvents)}</p> }.into_any()
                } else {
                    view! {
                        <DataTable headers=vec![T::EventDate, T::EventKindLabel, T::EventPoints, T::EventSource]>
                                    {d.events
                                        .into_iter()
                                        .map(|e| {
                                            let kind = tr(e.kind.label());
                                            let sev = tr(e.severity.label());
                                            let points = if e.points > 0 { format!("+{}", e.points) } else { e.points.to_string() };
                                            view! {
                                                <tr class:expired={!e.in_period || e.annulled} id=format!("event-{}", e.id)>
                                                    <td>{format_date(e.occurred_at)}<br/><small>{tr(T::EventIdLabel)} " " {e.id}</small></td>
                                                    <td>{match lang { Lang::Zh => format!("{kind}（{sev}）"), Lang::En => format!("{kind} ({sev})") }}<br/><small>{e.description}</small></td>
                                                    <td>{points}{(!e.in_period).then(|| view! { <br/><small>{tr(T::OutOfPeriod)}</small> })}{e.annulled.then(|| view! { <br/><small>{tr(T::EventAnnulled)}</small> })}</td>
                                                    <td>{e.source}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </DataTable>
                    }
                        .into_any()
                }}
            </section>
            <section aria-labelledby="history-title">
                <h2 id="history-title">{tr(T::GradeHistory)}</h2>
                <HistoryChart points=d.history/>
            </section>
            {d.sunshine.map(|s| view! { <crate::kitchens::SunshineSection s/> })}
            <crate::sampling::results::BusinessResults code=code.clone()/>
            <crate::cases::disclosure::Disclosed d=d.complaints/>
            <p>
                <a class="button" href=format!("/report?credit_code={code}")>{tr(T::ReportAgainst)}</a>
                " "
                <a class="button" href=format!("/volunteers/report?business={code}")>{tr(T::VolunteerReportLink)}</a>
            </p>
            <super::objections::Objections code=code.clone() items=d.objections events=objectable pending sms=d.sms_verification/>
            <super::reply::Replies code=code.clone() replies=d.replies/>
            <section class="share" aria-labelledby="share-title">
                <h2 id="share-title">{tr(T::ShareTitle)}</h2>
                <p class="follow">
                    <a href=paths::business(&code) type="application/atom+xml">{tr(T::FollowFeed)}</a>
                    " · "
                    <a href=paths::district(&b.district, None) type="application/atom+xml">
                        {format!("{} · {}", District::label_of(&b.district, lang), tr(T::FeedOfDistrict))}
                    </a>
                    " · "
                    <a href=format!("/follow/business:{code}")>{tr(T::FollowSmsLink)}</a>
                    " " <small>{tr(T::FollowHint)}</small>
                </p>
                <img src=format!("/credit/{code}/qr.svg") width="160" height="160" alt=tr(T::QrAlt)/>
                <p>{tr(T::BadgeHelp)}</p>
                <img src=format!("/credit/{code}/badge.svg") width="220" height="40" alt=tr(T::BadgeAlt)/>
                <pre class="embed"><code>{format!("<a href=\"/credit/{code}\"><img src=\"/credit/{code}/badge.svg\" alt=\"食安绵阳信用等级\"></a>")}</code></pre>
            </section>
        </article>
    }
}

/// The score over time as a small SVG chart (no script needed).
#[component]
fn HistoryChart(points: Vec<GradePoint>) -> impl IntoView {
    if points.is_empty() {
        return view! { <p class="notice">{tr(T::NoHistory)}</p> }.into_any();
    }
    let (w, h, pad) = (320.0_f64, 120.0_f64, 10.0_f64);
    let first = points.first().map(|p| p.at).unwrap_or(0);
    let last = points.last().map(|p| p.at).unwrap_or(0).max(first + 1);
    let x = |at: i64| pad + (at - first) as f64 / (last - first) as f64 * (w - 2.0 * pad);
    let y = |score: i64| pad + (100 - score.clamp(0, 100)) as f64 / 100.0 * (h - 2.0 * pad);
    let line = points.iter().map(|p| format!("{:.1},{:.1}", x(p.at), y(p.score))).collect::<Vec<_>>().join(" ");
    let summary = points
        .iter()
        .map(|p| format!("{} {} {}", format_date(p.at), p.grade.as_str(), p.score))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <svg class="chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label=format!("{}: {summary}", tr(T::GradeHistory))>
            <line x1=pad y1=y(90) x2=w - pad y2=y(90) class="th"/>
            <line x1=pad y1=y(75) x2=w - pad y2=y(75) class="th"/>
            <line x1=pad y1=y(60) x2=w - pad y2=y(60) class="th"/>
            <polyline points=line fill="none" stroke="var(--brand, #0a7c4a)" stroke-width="2"/>
            {points
                .iter()
                .map(|p| view! { <circle cx=x(p.at) cy=y(p.score) r="3" fill="#f28c28"/> })
                .collect_view()}
        </svg>
        <ol class="history">
            {points
                .into_iter()
                .rev()
                .map(|p| view! { <li>{format!("{} · {} · {}", format_date(p.at), p.grade.as_str(), p.score)}</li> })
                .collect_view()}
        </ol>
    }
        .into_any()
}
