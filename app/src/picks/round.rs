//! One round's page: its dates and rules; the ballot form while voting (plain form, the picker island adds
//! the running count); the nomination form and the visitor's own nominations while nominating; the tally when
//! visible; the integrity report once voting has closed; the sampling results once published.

use super::tally::Tally;
use super::{PhaseBadge, ScheduleFacts};
use crate::lang::{tr, use_lang};
use crate::sampling::results::BatchList;
use crate::ui::{form_error, FieldError};
use domain::clock::format_date;
use domain::follow::paths;
use domain::picks::{
    CandidateFields, FoodCategory, IntegrityReport, NominationView, Phase, RoundDetail, VoterCheck, BALLOT_FIELD,
    HONEYPOT_FIELD,
};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::{Link, Title};
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// What the round page shows: the round, and this visitor's ballot and nominations (by their voter cookie).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundPageData {
    pub detail: RoundDetail,
    pub my_ballot: Vec<i64>,
    pub my_nominations: Vec<NominationView>,
    /// This visitor has no device voter and their network has used up its new ones for now.
    pub network_busy: bool,
}

/// A round and the visitor's own part in it (public).
#[server(prefix = "/_sf", endpoint = "round_page")]
pub async fn round_page(id: String) -> Result<RoundPageData, AppError> {
    use backend::picks::voter::{device_of, voter_hash, Identity, VOTER_COOKIE};
    let id = id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(AppError::not_found)?;
    let state = crate::ssr::state()?;
    let detail = backend::picks::detail(&state, id, false).await?;
    let key = state.config.secret_key.expose();
    let cookie = use_context::<http::request::Parts>().and_then(|p| crate::ssr::cookie(&p.headers, VOTER_COOKIE));
    let device = device_of(key, cookie.as_deref());
    let (my_ballot, my_nominations) = match &device {
        Some(device) => {
            let hash = voter_hash(key, id, &Identity::Device(device.id.clone()));
            let ballot = if detail.summary.voter_check == VoterCheck::Device {
                backend::picks::ballots::ballot_of(&state.store, id, &hash).await?.unwrap_or_default()
            } else {
                Vec::new()
            };
            (ballot, backend::picks::nominations::mine(&state.store, id, &hash).await?)
        }
        None => (Vec::new(), Vec::new()),
    };
    // The page issues the device voter its forms need (a ballot or nomination never does): this page is never
    // cached, and the answer that carries the cookie is `private, no-store`.
    let s = &detail.summary;
    let needs = s.phase == Phase::Nominating || (s.phase == Phase::Voting && s.voter_check == VoterCheck::Device);
    let mut network_busy = false;
    if needs && device.is_none() {
        let network = crate::ssr::client_ip().map(backend::abuse::network_key).unwrap_or_default();
        match backend::picks::voter::issue_device(&state, id, &network).await {
            Ok(token) => {
                if let (Some(res), Ok(v)) = (
                    use_context::<leptos_axum::ResponseOptions>(),
                    http::HeaderValue::from_str(&backend::picks::voter::voter_cookie(&state.config, &token)),
                ) {
                    res.append_header(http::header::SET_COOKIE, v);
                    res.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("private, no-store"));
                }
            }
            Err(e) if e.code == domain::ErrCode::RateLimited => network_busy = true,
            Err(e) if e.code == domain::ErrCode::PhaseClosed => {}
            Err(e) => return Err(e),
        }
    }
    Ok(RoundPageData { detail, my_ballot, my_nominations, network_busy })
}

#[component]
pub fn RoundPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(move || params.read().get("id").unwrap_or_default(), round_page);
    view! {
        <Suspense fallback=|| view! { <p>{tr(T::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <RoundView d/> }.into_any(),
                    Err(err) => view! { <crate::ui::LoadFailed err back="/picks" back_label=T::PicksTitle/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoundView(d: RoundPageData) -> impl IntoView {
    let query = use_query_map();
    let flag = move |k: &str| query.read().get(k);
    let RoundPageData { detail, my_ballot, my_nominations, network_busy } = d;
    let s = detail.summary.clone();
    let visible = detail.counts_visible();
    view! {
        <Title text=format!("{} · {}", s.title, tr(T::PicksTitle))/>
        <Link rel="alternate" type_="application/atom+xml" href=paths::round(s.id) title=tr(T::FollowFeed)/>
        <crate::ui::Og title=s.title.clone() description=tr(T::ActionPicks)/>
        <article class="page round">
            <p><PhaseBadge phase=s.phase/></p>
            <h1>{s.title.clone()}</h1>
            {(!detail.description.is_empty()).then(|| view! { <p class="lead pre">{detail.description.clone()}</p> })}
            <dl class="facts">
                <ScheduleFacts schedule=s.schedule/>
                <div><dt>{tr(T::RoundMaxPicks)}</dt><dd>{s.max_picks}</dd></div>
                <div><dt>{tr(T::RoundVoterCheckLabel)}</dt><dd>{tr(s.voter_check.label())}</dd></div>
            </dl>
            {move || match flag("voted").as_deref() {
                Some("replaced") => Some(view! { <p class="success" role="status">{tr(T::BallotThanks)} " " {tr(T::BallotReplaced)}</p> }.into_any()),
                Some(_) => Some(view! { <p class="success" role="status">{tr(T::BallotThanks)}</p> }.into_any()),
                None => None,
            }}
            {move || flag("nominated").map(|_| view! { <p class="success" role="status">{tr(T::NominateThanks)}</p> })}
            {move || flag("code_sent").map(|_| view! { <p class="success" role="status">{tr(T::BallotCodeSent)}</p> })}
            {network_busy.then(|| view! { <p class="notice" role="alert">{tr(T::VoterNetworkBusy)}</p> })}
            {(s.phase == Phase::Voting).then(|| view! { <Ballot detail=detail.clone() mine=my_ballot.clone()/> })}
            {(s.phase == Phase::Nominating).then(|| view! { <Nominate round=s.id/> })}
            {(!my_nominations.is_empty()).then(|| view! { <MyNominations items=my_nominations.clone()/> })}
            {if visible {
                view! { <Tally candidates=detail.candidates.clone() ballots=s.ballots.unwrap_or(0)/> }.into_any()
            } else if s.phase == Phase::Voting {
                view! { <p class="notice">{tr(T::RoundCountsHidden)}</p> }.into_any()
            } else {
                ().into_any()
            }}
            {detail.integrity.clone().map(|r| view! { <Integrity r/> })}
            {(!detail.results.is_empty()).then(|| view! {
                <section id="results" aria-labelledby="round-results">
                    <h2 id="round-results">{tr(T::ResultsRoundTitle)}</h2>
                    <CandidateSummaries detail=detail.clone()/>
                    <BatchList items=detail.results.clone()/>
                </section>
            })}
            <p class="follow">
                <a href=paths::round(s.id) type="application/atom+xml">{tr(T::FollowFeed)}</a>
                " · "
                <a href=format!("/follow/round:{}", s.id)>{tr(T::FollowSmsLink)}</a>
                " " <small>{tr(T::FollowHint)}</small>
            </p>
            <p><a href="/picks">"← " {tr(T::PicksTitle)}</a></p>
        </article>
    }
}

#[component]
fn Ballot(detail: RoundDetail, mine: Vec<i64>) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let id = detail.summary.id;
    let max = detail.summary.max_picks;
    let sms = detail.summary.voter_check == VoterCheck::Sms;
    let hint = T::BallotMaxPicks.fill(lang, &[("max", &max.to_string())]);
    view! {
        <section id="ballot" aria-labelledby="ballot-title">
            <h2 id="ballot-title">{if mine.is_empty() { tr(T::BallotTitle) } else { tr(T::BallotYours) }}</h2>
            <p class="hint">{tr(T::BallotHint)} " " {hint.clone()}</p>
            {sms.then(|| view! {
                <form method="post" action=format!("/picks/{id}/code") class="form inline-form">
                    <label for="code-phone">{tr(T::BallotPhone)}</label>
                    <input id="code-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20" required/>
                    <FieldError name="phone" code=err field/>
                    <button type="submit" class="button">{tr(T::BallotSendCode)}</button>
                </form>
            })}
            <form id="ballot-form" method="post" action=format!("/picks/{id}/ballot") class="form ballot" data-max=max data-picked=tr(T::BallotPicked)>
                <fieldset>
                    <legend>{tr(T::RoundCandidates)} " (" {hint} ")"</legend>
                    <ul class="picks">
                        {detail
                            .candidates
                            .iter()
                            .map(|c| {
                                let input_id = format!("pick-{}", c.id);
                                view! {
                                    <li>
                                        <input type="checkbox" id=input_id.clone() name=BALLOT_FIELD value=c.id checked=mine.contains(&c.id)/>
                                        <label for=input_id>
                                            <strong>{c.food.clone()}</strong>
                                            <small>
                                                {FoodCategory::label_of(&c.category, lang).to_owned()}
                                                {(!c.reason.is_empty()).then(|| format!(" · {}", c.reason))}
                                                {c.votes.map(|v| format!(" · {v} {}", tr(T::RoundVotes)))}
                                            </small>
                                        </label>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </fieldset>
                <p id="pick-count" class="hint" aria-live="polite"></p>
                <FieldError name=BALLOT_FIELD code=err field/>
                <FieldError name="voter" code=err field/>
                {sms.then(|| view! {
                    <label for="ballot-phone">{tr(T::BallotPhone)}</label>
                    <input id="ballot-phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="20" required/>
                    <label for="ballot-code">{tr(T::BallotCode)}</label>
                    <input id="ballot-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required/>
                    <FieldError name="code" code=err field/>
                })}
                <div class="hp" aria-hidden="true">
                    <label for="ballot-website">"Website"</label>
                    <input id="ballot-website" name=HONEYPOT_FIELD type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit" class="button primary">{tr(T::BallotSubmit)}</button>
            </form>
            <super::picker::BallotPicker/>
        </section>
    }
}

#[component]
fn Nominate(round: i64) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    view! {
        <section id="nominate" aria-labelledby="nominate-title">
            <h2 id="nominate-title">{tr(T::NominateTitle)}</h2>
            <p class="hint">{tr(T::NominateHint)}</p>
            <form method="post" action=format!("/picks/{round}/nominate") class="form">
                <label for="nominate-food">{tr(T::NominateFood)}</label>
                <input id="nominate-food" name=CandidateFields::food type="text" maxlength="40" required/>
                <FieldError name=CandidateFields::food code=err field/>
                <label for="nominate-category">{tr(T::NominateCategory)}</label>
                <select id="nominate-category" name=CandidateFields::category>
                    {FoodCategory::ALL
                        .iter()
                        .map(|c| view! { <option value=c.as_str()>{c.label(lang)}</option> })
                        .collect_view()}
                </select>
                <FieldError name=CandidateFields::category code=err field/>
                <label for="nominate-reason">{tr(T::NominateReason)}</label>
                <textarea id="nominate-reason" name=CandidateFields::reason rows="3" maxlength="300"></textarea>
                <FieldError name=CandidateFields::reason code=err field/>
                <FieldError name="voter" code=err field/>
                <div class="hp" aria-hidden="true">
                    <label for="nominate-website">"Website"</label>
                    <input id="nominate-website" name=CandidateFields::website type="text" tabindex="-1" autocomplete="off"/>
                </div>
                <button type="submit" class="button primary">{tr(T::NominateSubmit)}</button>
            </form>
        </section>
    }
}

#[component]
fn MyNominations(items: Vec<NominationView>) -> impl IntoView {
    view! {
        <section id="my-nominations" aria-labelledby="my-nominations-title">
            <h2 id="my-nominations-title">{tr(T::NominationsYours)}</h2>
            <ul class="nominations">
                {items
                    .into_iter()
                    .map(|n| {
                        view! {
                            <li>
                                <strong>{n.food}</strong> " · " {format_date(n.created_at)} " · "
                                <span class=format!("status status-{}", n.status.as_str())>{tr(n.status.label())}</span>
                                {n.decision_reason.map(|r| view! { <small>" (" {r} ")"</small> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// `n` of `total` as a percentage with one decimal (`—` of nothing).
fn share(n: i64, total: i64) -> String {
    if total <= 0 {
        return "—".to_owned();
    }
    format!("{:.1}%", n as f64 * 100.0 / total as f64)
}

#[component]
fn Integrity(r: IntegrityReport) -> impl IntoView {
    view! {
        <section id="integrity" aria-labelledby="integrity-title">
            <h2 id="integrity-title">{tr(T::IntegrityTitle)}</h2>
            <dl class="facts">
                <div><dt>{tr(T::IntegrityBallots)}</dt><dd>{r.ballots}</dd></div>
                <div><dt>{tr(T::IntegrityVoters)}</dt><dd>{r.distinct_voters}</dd></div>
                <div><dt>{tr(T::IntegritySubmissions)}</dt><dd>{r.submissions}</dd></div>
                <div><dt>{tr(T::IntegrityReplaced)}</dt><dd>{r.replaced}</dd></div>
                <div><dt>{tr(T::IntegrityMethod)}</dt><dd>{tr(r.method.label())}</dd></div>
                <div><dt>{tr(T::IntegrityNetworks)}</dt><dd>{r.networks}</dd></div>
                <div><dt>{tr(T::IntegrityTopNetworks)}</dt><dd>{share(r.top_networks_ballots, r.ballots)}</dd></div>
                <div><dt>{tr(T::IntegrityNewDevices)}</dt><dd>{r.new_device_ballots} " (" {share(r.new_device_ballots, r.ballots)} ")"</dd></div>
            </dl>
            <p class="hint">{tr(T::IntegrityConcentrationNote)}</p>
            <h3>{tr(T::IntegrityRefused)}</h3>
            <ul class="refusals">
                {r.refused
                    .into_iter()
                    .map(|x| view! { <li>{tr(x.reason.label())} ": " <strong>{x.count}</strong></li> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// Per candidate sampled, one line: "米粉：3 批抽检，1 批不合格，已下架 200 千克，已立案".
#[component]
fn CandidateSummaries(detail: RoundDetail) -> impl IntoView {
    let lines: Vec<(String, Vec<domain::sampling::SamplingBatch>)> = detail
        .candidates
        .iter()
        .map(|c| (c.food.clone(), detail.results.iter().filter(|b| b.candidate_id == Some(c.id)).cloned().collect()))
        .filter(|(_, batches): &(String, Vec<_>)| !batches.is_empty())
        .collect();
    view! {
        <ul class="candidate-summaries">
            {lines
                .into_iter()
                .map(|(food, batches)| view! {
                    <li><strong>{food}</strong><crate::sampling::disposal::SummaryLine batches/></li>
                })
                .collect_view()}
        </ul>
    }
}
