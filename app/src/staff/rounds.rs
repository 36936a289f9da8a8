//! Staff tools for 你点我检: the rounds with a form for a new one, the nomination queue, and one round's page
//! (edit its dates and rules, add candidates, see the tally whatever the public setting).

use crate::lang::{tr, use_lang};
use crate::picks::{PhaseBadge, ScheduleFacts};
use crate::ui::{form_error, FieldError, Loaded};
use domain::clock::format_date;
use domain::picks::{
    CandidateFields as C, FoodCategory, NominationView, RoundDetail, RoundFields as R, RoundSummary, VoterCheck,
};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Every round with staff counts, and the nominations awaiting moderation (moderators).
#[server(prefix = "/_sf", endpoint = "staff_rounds")]
pub async fn staff_rounds() -> Result<(Vec<RoundSummary>, Vec<NominationView>), AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let state = crate::ssr::state()?;
    let rounds = backend::picks::list(&state.store, true).await?;
    let queue = backend::picks::nominations::pending(&state.store, 100).await?;
    Ok((rounds, queue))
}

/// One round as staff see it (moderators).
#[server(prefix = "/_sf", endpoint = "staff_round")]
pub async fn staff_round(id: String) -> Result<RoundDetail, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    let state = crate::ssr::state()?;
    backend::picks::detail(&state, id, true).await
}

/// The round form, empty or filled with a round's values.
#[component]
fn RoundForm(action: String, round: Option<RoundSummary>, description: String) -> impl IntoView {
    let (err, field) = form_error();
    let date = move |t: Option<i64>| t.map(format_date).unwrap_or_default();
    let s = round.as_ref().map(|r| r.schedule);
    let check = round.as_ref().map(|r| r.voter_check).unwrap_or(VoterCheck::Device);
    let input = move |name: &'static str, label: T, kind: &'static str, value: String| {
        view! {
            <label for=format!("round-{name}")>{tr(label)}</label>
            <input id=format!("round-{name}") name=name type=kind value=value required=kind != "text" || name == R::title maxlength="80"/>
            <FieldError name code=err field/>
        }
    };
    view! {
        <form method="post" action=action class="form">
            {input(R::title, T::RoundTitleLabel, "text", round.as_ref().map(|r| r.title.clone()).unwrap_or_default())}
            <label for="round-description">{tr(T::RoundDescriptionLabel)}</label>
            <textarea id="round-description" name=R::description rows="3" maxlength="2000">{description}</textarea>
            <FieldError name=R::description code=err field/>
            {input(R::nominate_from, T::RoundNominateFrom, "date", date(s.map(|s| s.nominate_from)))}
            {input(R::vote_from, T::RoundVoteFrom, "date", date(s.map(|s| s.vote_from)))}
            {input(R::vote_until, T::RoundVoteUntil, "date", date(s.map(|s| s.vote_until - 1)))}
            {input(R::publish_at, T::RoundPublishAt, "date", date(s.map(|s| s.publish_at)))}
            <label for="round-max_picks">{tr(T::RoundMaxPicks)}</label>
            <input id="round-max_picks" name=R::max_picks type="number" min="1" max="20" value=round.as_ref().map(|r| r.max_picks).unwrap_or(3)/>
            <FieldError name=R::max_picks code=err field/>
            <label class="inline">
                <input type="checkbox" name=R::show_live value="1" checked=round.as_ref().is_none_or(|r| r.show_live)/>
                {tr(T::RoundShowLive)}
            </label>
            <label for="round-voter_check">{tr(T::RoundVoterCheck)}</label>
            <select id="round-voter_check" name=R::voter_check>
                {[VoterCheck::Device, VoterCheck::Sms]
                    .into_iter()
                    .map(|v| view! { <option value=v.as_str() selected=v == check>{tr(v.label())}</option> })
                    .collect_view()}
            </select>
            <FieldError name=R::voter_check code=err field/>
            <button type="submit" class="button primary">{tr(T::StaffRoundSave)}</button>
        </form>
    }
}

#[component]
pub fn StaffRoundsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| staff_rounds());
    let show = |(rounds, queue): (Vec<RoundSummary>, Vec<NominationView>)| {
        view! {
            <ul class="rounds">
                {rounds
                    .into_iter()
                    .map(|r| view! {
                        <li class="round-card">
                            <PhaseBadge phase=r.phase/>
                            <h3><a href=format!("/staff/rounds/{}", r.id)>{r.title.clone()}</a></h3>
                            <dl class="facts compact">
                                <ScheduleFacts schedule=r.schedule/>
                                <div><dt>{tr(T::RoundCandidates)}</dt><dd>{r.candidate_count}</dd></div>
                                <div><dt>{tr(T::RoundBallots)}</dt><dd>{r.ballots.unwrap_or(0)}</dd></div>
                            </dl>
                        </li>
                    })
                    .collect_view()}
            </ul>
            <h2 id="nominations">{tr(T::StaffNominationsTitle)}</h2>
            {queue.is_empty().then(|| view! { <p class="notice">{tr(T::StaffNominationsNone)}</p> })}
            <ul class="queue">
                {queue.into_iter().map(|n| view! { <NominationItem n/> }).collect_view()}
            </ul>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffRoundsTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffRoundsTitle)}</h1>
            <Loaded resource=data ok=show/>
            <h2>{tr(T::StaffRoundNew)}</h2>
            <RoundForm action="/staff/rounds".into() round=None description=String::new()/>
        </section>
    }
}

#[component]
fn NominationItem(n: NominationView) -> impl IntoView {
    let lang = use_lang();
    let id = n.id;
    view! {
        <li class="queue-item">
            <p>
                <strong>{n.food.clone()}</strong> " · " {FoodCategory::label_of(&n.category, lang).to_owned()} " · "
                <a href=format!("/staff/rounds/{}", n.round_id)>"#" {n.round_id}</a> " · " {format_date(n.created_at)}
            </p>
            {(!n.reason.is_empty()).then(|| view! { <blockquote>{n.reason.clone()}</blockquote> })}
            <form method="post" action=format!("/staff/nominations/{id}/decide") class="form">
                <label for=format!("merge-{id}")>{tr(T::DecideMerge)} " (ID)"</label>
                <input id=format!("merge-{id}") name="candidate_id" type="number" min="1"/>
                <label for=format!("reason-{id}")>{tr(T::DecideReason)}</label>
                <input id=format!("reason-{id}") name="reason" type="text" maxlength="200"/>
                <div class="actions-row">
                    <button type="submit" name="decision" value="approve" class="button primary">{tr(T::DecideApprove)}</button>
                    <button type="submit" name="decision" value="merge" class="button">{tr(T::DecideMerge)}</button>
                    <button type="submit" name="decision" value="reject" class="button">{tr(T::DecideReject)}</button>
                </div>
            </form>
        </li>
    }
}

#[component]
pub fn StaffRoundPage() -> impl IntoView {
    let params = use_params_map();
    let lang = use_lang();
    let data = Resource::new(move || params.read().get("id").unwrap_or_default(), staff_round);
    let show = move |d: RoundDetail| {
        let (err, field) = form_error();
        let id = d.summary.id;
        view! {
            <h1>{d.summary.title.clone()}</h1>
            <p><PhaseBadge phase=d.summary.phase/> " " <a href=format!("/picks/{id}")>{tr(T::RoundView)}</a></p>
            <h2>{tr(T::RoundCandidates)}</h2>
            <ol class="candidates">
                {d.candidates
                    .iter()
                    .map(|c| view! {
                        <li>"ID " {c.id} " · " <strong>{c.food.clone()}</strong> " · " {FoodCategory::label_of(&c.category, lang).to_owned()}
                            " · " {c.votes.unwrap_or(0)} " " {tr(T::RoundVotes)}</li>
                    })
                    .collect_view()}
            </ol>
            <h3>{tr(T::StaffCandidateAdd)}</h3>
            <form method="post" action=format!("/staff/rounds/{id}/candidates") class="form">
                <label for="candidate-food">{tr(T::NominateFood)}</label>
                <input id="candidate-food" name=C::food type="text" maxlength="40" required/>
                <FieldError name=C::food code=err field/>
                <label for="candidate-category">{tr(T::NominateCategory)}</label>
                <select id="candidate-category" name=C::category>
                    {FoodCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label(lang)}</option> }).collect_view()}
                </select>
                <label for="candidate-reason">{tr(T::NominateReason)}</label>
                <input id="candidate-reason" name=C::reason type="text" maxlength="300"/>
                <button type="submit" class="button primary">{tr(T::StaffCandidateAdd)}</button>
            </form>
            <h2>{tr(T::StaffRoundEdit)}</h2>
            <RoundForm action=format!("/staff/rounds/{id}") round=Some(d.summary.clone()) description=d.description.clone()/>
            <p><a href=format!("/staff/results?round={id}")>{tr(T::StaffResultsTitle)}</a></p>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffRoundsTitle), tr(T::BrandName))/>
        <section class="page">
            <p><a href="/staff/rounds">"← " {tr(T::StaffRoundsTitle)}</a></p>
            <Loaded resource=data ok=show/>
        </section>
    }
}
