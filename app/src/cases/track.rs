//! Tracking a case: a form that posts the number and the access code (never in a URL); the server keeps them
//! in an `HttpOnly` cookie for this page, which shows the timeline, the deadline and the reward.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError, Loaded};
use domain::cases::{CaseCategory, CaseTrack, RatingState};
use domain::clock::{format_date, format_datetime};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;

/// The case named by this visitor's track cookie, if any (public).
#[server(prefix = "/_sf", endpoint = "tracked_case")]
pub async fn tracked_case() -> Result<Option<CaseTrack>, AppError> {
    let state = crate::ssr::state()?;
    let cookie = use_context::<http::request::Parts>().and_then(|p| crate::ssr::cookie(&p.headers, "portal_track"));
    let Some((no, code)) = cookie.as_deref().and_then(|c| c.split_once(':')) else { return Ok(None) };
    match backend::cases::track(&state, no, code).await {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.code == domain::ErrCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[component]
pub fn TrackPage() -> impl IntoView {
    let (err, field) = form_error();
    let case = Resource::new(|| (), |_| tracked_case());
    let show = |c: Option<CaseTrack>| c.map(|c| view! { <Tracked c/> });
    view! {
        <Title text=format!("{} · {}", tr(T::TrackTitle), tr(T::BrandName))/>
        <crate::ui::Og title=tr(T::TrackTitle) description=tr(T::ActionTrack)/>
        <section class="page">
            <h1>{tr(T::TrackTitle)}</h1>
            <form method="post" action="/track" class="form">
                <label for="track-no">{tr(T::ReceiptNumber)}</label>
                <input id="track-no" name="tracking_no" type="text" maxlength="40" required autocomplete="off"/>
                <label for="track-code">{tr(T::ReceiptCode)}</label>
                <input id="track-code" name="access_code" type="password" maxlength="40" required autocomplete="off"/>
                {move || (err.get() == Some(domain::ErrCode::NotFound)).then(|| view! {
                    <p class="field-error" role="alert">{tr(T::ErrNotFound)}</p>
                })}
                <FieldError name="tracking_no" code=err field/>
                <button type="submit" class="button primary">{tr(T::TrackSubmit)}</button>
            </form>
            <Loaded resource=case ok=show/>
        </section>
    }
}

/// The rating: the form while the decision can be rated, the ratings given, and what a reopening promised.
#[component]
fn RatingPart(r: RatingState, open: bool, deadline: Option<i64>) -> impl IntoView {
    let lang = use_lang();
    let query = leptos_router::hooks::use_query_map();
    let rated = move || query.read().get("rated").is_some();
    // Reopened and not yet decided again: when the second answer is due.
    let reopened_due = deadline.filter(|_| open && r.reopened_at.is_some());
    view! {
        <section id="rating" aria-labelledby="rating-title">
            {(r.can_rate || !r.ratings.is_empty()).then(|| view! { <h3 id="rating-title">{tr(T::RateTitle)}</h3> })}
            {move || rated().then(|| view! { <p class="notice" role="status">{tr(T::RateThanks)}</p> })}
            {reopened_due.map(|d| view! { <p class="notice">{T::RateReopenedNotice.fill(lang, &[("date", &format_date(d))])}</p> })}
            {(!r.ratings.is_empty()).then(|| view! { <crate::cases::rating::Ratings list=r.ratings.clone()/> })}
            {r.rate_until.filter(|_| r.can_rate).map(|until| view! {
                <p>{T::RateIntro.fill(lang, &[("date", &format_date(until))])}</p>
                <crate::cases::rating::RatingForm action="/track/rating".to_owned() can_reopen=r.can_reopen submit=T::RateSubmit/>
            })}
        </section>
    }
}

#[component]
fn Tracked(c: CaseTrack) -> impl IntoView {
    let lang = use_lang();
    view! {
        <article class="tracked" aria-labelledby="tracked-title">
            <h2 id="tracked-title"><code>{c.tracking_no.clone()}</code> " · " {tr(c.kind.label())}</h2>
            <dl class="facts">
                <div><dt>{tr(T::TrackState)}</dt><dd><strong class=format!("state state-{}", c.state.as_str())>{tr(c.state.label())}</strong></dd></div>
                <div><dt>{tr(T::ReportBusinessName)}</dt><dd>{c.business_name.clone()}</dd></div>
                <div><dt>{tr(T::ReportCategory)}</dt><dd>{CaseCategory::label_of(&c.category, lang).to_owned()}</dd></div>
                {c.deadline.map(|d| view! { <div><dt>{tr(T::TrackDeadline)}</dt><dd>{format_date(d)}</dd></div> })}
            </dl>
            {c.overdue.then(|| view! { <p class="error" role="alert">{tr(T::TrackOverdue)}</p> })}
            {c.reject_reason.map(|r| view! { <p class="notice">{tr(r.label())}</p> })}
            <h3>{tr(T::TrackTimeline)}</h3>
            <ol class="timeline">
                {c.timeline
                    .into_iter()
                    .map(|e| view! {
                        <li class:reopened=e.reopened><time>{format_datetime(e.at)}</time> " " <strong>{tr(e.state.label())}</strong>
                            {e.reopened.then(|| view! { " · " <em>{tr(T::TimelineReopened)}</em> })}
                            {(!e.message.is_empty()).then(|| view! { <p>{e.message}</p> })}</li>
                    })
                    .collect_view()}
            </ol>
            <RatingPart r=c.rating open=c.state.is_open() deadline=c.deadline/>
            {c.reward.map(|r| view! {
                <h3>{tr(T::TrackReward)}</h3>
                <dl class="facts">
                    <div><dt>{tr(T::TrackState)}</dt><dd>{tr(r.status.label())}</dd></div>
                    {r.amount.map(|a| view! { <div><dt>{tr(T::TrackRewardAmount)}</dt><dd>{a}</dd></div> })}
                    {r.claim_by.map(|d| view! { <div><dt>{tr(T::TrackClaimBy)}</dt><dd>{format_date(d)}</dd></div> })}
                </dl>
            })}
        </article>
    }
}
