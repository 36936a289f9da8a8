//! Staff handling of 投诉 / 举报: the queue (open cases, overdue first; or one state), quick entry for the phone
//! and the counter, the holiday calendar, and one case with its photos, events, moves, assignment, reward and
//! the audited reveal of the reporter's contact.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError, Loaded};
use domain::cases::{
    CaseCategory, CaseDetail, CaseFields as F, CaseState, CaseSummary, Channel, Contact, RewardStatus,
};
use domain::clock::{format_date, format_datetime};
use domain::{AppError, T};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The queue, the calendar's exceptional days (day, kind, name) and the messages waiting in the outbox.
pub type CasesPage = (Vec<CaseSummary>, Vec<(i64, String, String)>, Vec<backend_pending::Pending>);

/// The queue: open cases, or those in `state`; `overdue` keeps the overdue ones (moderators).
#[server(prefix = "/_sf", endpoint = "staff_cases")]
pub async fn staff_cases(state: String, overdue: String, order: String) -> Result<CasesPage, AppError> {
    crate::ssr::require(domain::staff::Role::Moderator).await?;
    let app = crate::ssr::state()?;
    let filter = match state.as_str() {
        "" => None,
        s => Some(CaseState::parse(s).ok_or_else(|| AppError::field(domain::ErrCode::InvalidValue, "state"))?),
    };
    use backend::cases::handle::QueueOrder;
    let order = if order == "newest" { QueueOrder::Newest } else { QueueOrder::Deadline };
    let queue = backend::cases::handle::queue(&app.store, filter, overdue == "1", order).await?;
    let days = backend::cases::calendar::days(&app.store).await?;
    let waiting = backend::outbox::pending(&app.store).await?.into_iter().map(backend_pending::from).collect();
    Ok((queue, days, waiting))
}

/// One case (moderators), and the reporter's contact once after this moderator revealed it: the reveal itself is
/// the audited post `/staff/cases/{id}/reveal`, which leaves a one-minute sealed flag named by a cookie; reading
/// the page never reveals anything by itself.
#[server(prefix = "/_sf", endpoint = "staff_case")]
pub async fn staff_case(id: String) -> Result<(CaseDetail, Option<Contact>), AppError> {
    use backend::cases::handle;
    let user = crate::ssr::require(domain::staff::Role::Moderator).await?;
    let app = crate::ssr::state()?;
    let id = id.parse::<i64>().map_err(|_| AppError::not_found())?;
    let detail = handle::detail(&app.store, id).await?;
    let flag =
        use_context::<http::request::Parts>().and_then(|p| crate::ssr::cookie(&p.headers, handle::REVEAL_COOKIE));
    let contact = match flag {
        Some(flag) => handle::take_revealed(&app, user.id, id, &flag).await?,
        None => None,
    };
    Ok((detail, contact))
}

#[component]
fn Queue(items: Vec<CaseSummary>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead><tr>
                    <th scope="col">{tr(T::ReceiptNumber)}</th>
                    <th scope="col">{tr(T::ReportKind)}</th>
                    <th scope="col">{tr(T::ReportBusinessName)}</th>
                    <th scope="col">{tr(T::TrackState)}</th>
                    <th scope="col">{tr(T::TrackDeadline)}</th>
                    <th scope="col">{tr(T::StaffCaseAssign)}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|c| view! {
                        <tr class:overdue=c.overdue>
                            <td><a href=format!("/staff/cases/{}", c.id)><code>{c.tracking_no.clone()}</code></a><br/><small>{tr(c.channel.label())}</small></td>
                            <td>{tr(c.kind.label())}<br/><small>{CaseCategory::label_of(&c.category, lang).to_owned()}</small></td>
                            <td>{c.business_name.clone()}</td>
                            <td>{tr(c.state.label())}
                                {c.reopened.then(|| view! { <br/><strong class="watch reopened-flag">{tr(T::StaffReopenedFlag)}</strong> })}</td>
                            <td>{c.deadline.map(format_date).unwrap_or_default()}
                                {c.overdue.then(|| view! { <br/><strong class="watch">{tr(T::StaffCasesOverdue)}</strong> })}</td>
                            <td>{c.assigned_to.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn StaffCasesPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let (err, field) = form_error();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("state").unwrap_or_default(),
                q.get("overdue").unwrap_or_default(),
                q.get("order").unwrap_or_default(),
            )
        },
        |(s, o, n)| staff_cases(s, o, n),
    );
    let show = |(queue, days, waiting): CasesPage| {
        view! {
            <Queue items=queue/>
            <h2 id="outbox">{tr(T::StaffOutbox)}</h2>
            {waiting.is_empty().then(|| view! { <p class="hint">{tr(T::StaffOutboxEmpty)}</p> })}
            <ul>
                {waiting.into_iter().map(|p| view! {
                    <li><code>{p.key}</code> " · " {p.kind} " · " {tr(T::StaffOutboxAttempts)} " " {p.attempts}
                        {p.last_error.map(|e| view! { " · " <span class="watch">{e}</span> })}
                        " · " {tr(T::StaffOutboxNext)} " " {format_datetime(p.next_at)}</li>
                }).collect_view()}
            </ul>
            <h2 id="calendar">{tr(T::StaffCalendar)}</h2>
            <ul>
                {days.into_iter().map(|(day, kind, name)| view! {
                    <li>{format_date(day * 86_400)} " · " {if kind == "workday" { tr(T::CalendarWorkday) } else { tr(T::CalendarHoliday) }} " " {name}</li>
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffCasesTitle), tr(T::BrandName))/>
        <section class="page">
            <h1>{tr(T::StaffCasesTitle)}</h1>
            <nav class="filters" aria-label=tr(T::StaffCasesTitle)>
                <a href="/staff/cases">{tr(T::StaffCasesOpen)}</a>
                <a href="/staff/cases?overdue=1">{tr(T::StaffCasesOverdue)}</a>
                <a href="/staff/cases?order=newest">{tr(T::StaffCasesNewest)}</a>
                {CaseState::ALL.into_iter().map(|s| view! { <a href=format!("/staff/cases?state={}", s.as_str())>{tr(s.label())}</a> }).collect_view()}
            </nav>
            <Loaded resource=data ok=show/>
            <form method="post" action="/staff/calendar" class="form">
                <label for="calendar-day">{tr(T::StaffCalendarDay)}</label>
                <input id="calendar-day" name="day" type="date" required/>
                <FieldError name="day" code=err field/>
                <label for="calendar-kind">{tr(T::StaffCalendarKind)}</label>
                <select id="calendar-kind" name="kind">
                    <option value="holiday">{tr(T::CalendarHoliday)}</option>
                    <option value="workday">{tr(T::CalendarWorkday)}</option>
                    <option value="normal">{tr(T::CalendarNormal)}</option>
                </select>
                <label for="calendar-name">{tr(T::RoundTitleLabel)}</label>
                <input id="calendar-name" name="name" type="text" maxlength="40"/>
                <button type="submit" class="button primary">{tr(T::StaffRoundSave)}</button>
            </form>
            <h2>{tr(T::StaffCaseQuickEntry)}</h2>
            <form method="post" action="/staff/cases" class="form">
                <label for="quick-channel">{tr(T::StaffCaseChannel)}</label>
                <select id="quick-channel" name=F::channel>
                    {Channel::ALL.into_iter().filter(|c| c.typed_by_staff()).map(|c| view! { <option value=c.as_str()>{tr(c.label())}</option> }).collect_view()}
                </select>
                <FieldError name=F::channel code=err field/>
                <label for="quick-kind">{tr(T::ReportKind)}</label>
                <select id="quick-kind" name=F::kind>
                    <option value="举报">{tr(T::CaseKindReport)}</option>
                    <option value="投诉">{tr(T::CaseKindComplaint)}</option>
                </select>
                <label for="quick-business">{tr(T::ReportBusinessName)}</label>
                <input id="quick-business" name=F::business_name type="text" maxlength="100"/>
                <FieldError name=F::business_name code=err field/>
                <label for="quick-code">{tr(T::ReportBusinessCode)}</label>
                <input id="quick-code" name=F::credit_code type="text" maxlength="18"/>
                <FieldError name=F::credit_code code=err field/>
                <label for="quick-category">{tr(T::ReportCategory)}</label>
                <select id="quick-category" name=F::category>
                    {CaseCategory::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label(lang)}</option> }).collect_view()}
                </select>
                <label for="quick-description">{tr(T::ReportDescription)}</label>
                <textarea id="quick-description" name=F::description rows="4" maxlength="5000" required></textarea>
                <FieldError name=F::description code=err field/>
                <label for="quick-name">{tr(T::ReportName)}</label>
                <input id="quick-name" name=F::reporter_name type="text" maxlength="40"/>
                <label for="quick-phone">{tr(T::ReportPhone)}</label>
                <input id="quick-phone" name=F::reporter_phone type="tel" maxlength="20"/>
                <FieldError name=F::reporter_phone code=err field/>
                <button type="submit" class="button primary">{tr(T::ReportSubmit)}</button>
            </form>
        </section>
    }
}

#[component]
pub fn StaffCasePage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(move || params.read().get("id").unwrap_or_default(), staff_case);
    let show = |(d, contact): (CaseDetail, Option<Contact>)| view! { <CaseView d contact/> };
    view! {
        <Title text=format!("{} · {}", tr(T::StaffCasesTitle), tr(T::BrandName))/>
        <section class="page">
            <p><a href="/staff/cases">"← " {tr(T::StaffCasesTitle)}</a></p>
            <Loaded resource=data ok=show/>
        </section>
    }
}

#[component]
fn CaseView(d: CaseDetail, contact: Option<Contact>) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let s = d.summary.clone();
    let id = s.id;
    let next = s.state.next();
    view! {
        <h1><code>{s.tracking_no.clone()}</code> " · " {tr(s.kind.label())}</h1>
        <dl class="facts">
            <div><dt>{tr(T::TrackState)}</dt><dd>{tr(s.state.label())}
                {s.reopened.then(|| view! { " " <strong class="watch reopened-flag">{tr(T::StaffReopenedFlag)}</strong> })}</dd></div>
            <div><dt>{tr(T::TrackDeadline)}</dt><dd>{s.deadline.map(format_date).unwrap_or_default()}
                {s.overdue.then(|| view! { " " <strong class="watch">{tr(T::StaffCasesOverdue)}</strong> })}</dd></div>
            <div><dt>{tr(T::StaffCaseChannel)}</dt><dd>{tr(s.channel.label())}</dd></div>
            <div><dt>{tr(T::ReportBusinessName)}</dt><dd>{match s.credit_code.clone() {
                Some(code) => view! { <a href=format!("/credit/{code}")>{s.business_name.clone()}</a> }.into_any(),
                None => view! { <span>{s.business_name.clone()}</span> }.into_any(),
            }}</dd></div>
            <div><dt>{tr(T::ReportCategory)}</dt><dd>{CaseCategory::label_of(&s.category, lang).to_owned()}</dd></div>
            <div><dt>{tr(T::ReportOccurred)}</dt><dd>{d.occurred_at.map(format_date).unwrap_or_default()}</dd></div>
            <div><dt>{tr(T::ReportPlace)}</dt><dd>{d.place.clone()}</dd></div>
            <div><dt>{tr(T::StaffCaseAssign)}</dt><dd>{s.assigned_to.clone().unwrap_or_default()}</dd></div>
        </dl>
        <blockquote class="pre">{d.description.clone()}</blockquote>
        {if s.anonymous {
            view! { <p class="hint">{tr(T::StaffCaseAnonymous)}</p> }.into_any()
        } else {
            match contact {
                Some(c) => view! { <p class="notice" id="contact">{tr(T::ReportName)} ": " {c.name} " · " {tr(T::ReportPhone)} ": " {c.phone}</p> }.into_any(),
                None => view! {
                    <form method="post" action=format!("/staff/cases/{id}/reveal") class="form" id="contact">
                        <button type="submit" class="button">{tr(T::StaffCaseReveal)}</button>
                    </form>
                }.into_any(),
            }
        }}
        {(!d.similar.is_empty()).then(|| view! { <p class="notice">{tr(T::StaffCaseSimilar)} ": " {d.similar.join("、")}</p> })}
        {(!d.photos.is_empty()).then(|| view! {
            <h2>{tr(T::StaffCasePhotos)}</h2>
            <div class="photos">
                {d.photos.iter().map(|p| view! {
                    <a href=format!("/staff/cases/{id}/photos/{}.jpg", p.id)>
                        <img src=format!("/staff/cases/{id}/photos/{}.jpg", p.id) width=p.width.min(320) alt=format!("{} #{}", tr(T::StaffCasePhotos), p.id)/>
                    </a>
                    <small class="hint">"SHA-256 " {p.sha256.clone()}</small>
                }).collect_view()}
            </div>
        })}
        <h2>{tr(T::TrackTimeline)}</h2>
        <ol class="timeline">
            {d.events.iter().map(|e| view! {
                <li><time>{format_datetime(e.at)}</time> " " <strong>{tr(e.state.label())}</strong> " · " {e.actor.clone()}
                    {e.reopened.then(|| view! { " · " <em>{tr(T::TimelineReopened)}</em> })}
                    {(!e.message.is_empty()).then(|| view! { <p>{e.message.clone()}</p> })}
                    {(!e.note.is_empty()).then(|| view! { <p class="hint">{e.note.clone()}</p> })}</li>
            }).collect_view()}
        </ol>
        {(!d.rating.ratings.is_empty() || d.callback_due).then(|| view! { <h2 id="rating">{tr(T::RateTitle)}</h2> })}
        {(!d.rating.ratings.is_empty()).then(|| view! { <crate::cases::rating::Ratings list=d.rating.ratings.clone()/> })}
        {d.callback_due.then(|| view! {
            <h3>{tr(T::StaffCallbackTitle)}</h3>
            <p class="hint">{tr(T::StaffCallbackIntro)}</p>
            <crate::cases::rating::RatingForm action=format!("/staff/cases/{id}/callback") can_reopen=d.rating.can_reopen submit=T::StaffCallbackSubmit/>
        })}
        {(!next.is_empty()).then(|| view! {
            <h2>{tr(T::StaffCaseMove)}</h2>
            <form method="post" action=format!("/staff/cases/{id}/transition") class="form">
                <label for="move-to">{tr(T::StaffCaseTo)}</label>
                <select id="move-to" name="to">
                    {next.iter().map(|n| view! { <option value=n.as_str()>{tr(n.label())}</option> }).collect_view()}
                </select>
                <FieldError name="to" code=err field/>
                {next.contains(&CaseState::Rejected).then(|| view! {
                    <label for="move-reason">{tr(T::StateRejected)}</label>
                    <select id="move-reason" name="reject_reason">
                        <option value="">"—"</option>
                        {[domain::cases::RejectReason::Duplicate, domain::cases::RejectReason::OutOfScope, domain::cases::RejectReason::Insufficient]
                            .into_iter().map(|r| view! { <option value=r.as_str()>{tr(r.label())}</option> }).collect_view()}
                    </select>
                    <FieldError name="reject_reason" code=err field/>
                    <label for="move-dup">{tr(T::StaffCaseDuplicateOf)}</label>
                    <input id="move-dup" name="duplicate_of" type="text" maxlength="40"/>
                    <FieldError name="duplicate_of" code=err field/>
                })}
                <label for="move-note">{tr(T::StaffCaseNote)}</label>
                <textarea id="move-note" name="note" rows="2" maxlength="2000"></textarea>
                <label for="move-message">{tr(T::StaffCaseMessage)}</label>
                <textarea id="move-message" name="message" rows="2" maxlength="1000"></textarea>
                <button type="submit" class="button primary">{tr(T::StaffRoundSave)}</button>
            </form>
        })}
        <form method="post" action=format!("/staff/cases/{id}/assign") class="form">
            <label for="assign-to">{tr(T::StaffCaseAssign)}</label>
            <input id="assign-to" name="assigned_to" type="text" maxlength="40" value=s.assigned_to.clone().unwrap_or_default()/>
            <button type="submit" class="button">{tr(T::StaffRoundSave)}</button>
        </form>
        {d.reward.clone().map(|r| view! {
            <h2>{tr(T::TrackReward)}</h2>
            <p>{tr(r.status.label())} {r.amount.map(|a| format!(" · ¥{a}"))}</p>
            {(r.status == RewardStatus::Eligible).then(|| view! {
                <form method="post" action=format!("/staff/cases/{id}/reward") class="form">
                    <input type="hidden" name="to" value="approved"/>
                    <label for="reward-level">{tr(T::RewardLevelLabel)}</label>
                    <select id="reward-level" name="reward_level"><option value="1">"1"</option><option value="2">"2"</option><option value="3">"3"</option></select>
                    <label for="reward-base">{tr(T::RewardBaseLabel)}</label>
                    <input id="reward-base" name="base_amount" type="number" min="0" required/>
                    <FieldError name="base_amount" code=err field/>
                    <button type="submit" class="button primary">{tr(T::StaffRewardSet)}</button>
                </form>
            })}
            {match r.status {
                RewardStatus::Approved => Some(("notified", T::RewardNotified)),
                RewardStatus::Notified => Some(("paid", T::RewardPaid)),
                _ => None,
            }.map(|(to, label)| view! {
                <form method="post" action=format!("/staff/cases/{id}/reward") class="form">
                    <input type="hidden" name="to" value=to/>
                    <button type="submit" class="button primary">{tr(label)}</button>
                </form>
            })}
        })}
    }
}

/// A message waiting in the outbox, as the console lists it (the same fields in the browser and the server).
pub mod backend_pending {
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Pending {
        pub kind: String,
        pub key: String,
        pub attempts: i64,
        pub next_at: i64,
        pub last_error: Option<String>,
    }

    #[cfg(feature = "ssr")]
    pub fn from(p: backend::outbox::Pending) -> Pending {
        Pending { kind: p.kind, key: p.key, attempts: p.attempts, next_at: p.next_at, last_error: p.last_error }
    }
}
