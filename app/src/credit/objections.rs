//! A business's objections, credit repairs and re-inspection requests with their decisions, the form to file one
//! (a plain form post: works with JavaScript off), and the waiver of a pending downgrade's objection window.

use crate::lang::{tr, use_lang};
use crate::ui::{form_error, FieldError};
use domain::clock::format_date;
use domain::credit::{ObjectionFields, ObjectionKind, ObjectionState, ObjectionView, WaiverFields};
use domain::T;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The requests of one business and the forms. `events` are the ones a request may name: `(id, label)`.
#[component]
pub fn Objections(
    code: String,
    items: Vec<ObjectionView>,
    events: Vec<(i64, String)>,
    pending: bool,
    /// Whether the contact's phone must be verified by an SMS code.
    sms: bool,
) -> impl IntoView {
    let lang = use_lang();
    let (err, field) = form_error();
    let query = use_query_map();
    let objected = move || query.read().get("objected").is_some();
    let waived = move || query.read().get("waived").is_some();
    let code_sent = move || query.read().get("code_sent").is_some();
    let ours = move || field.get().is_some_and(|f| ObjectionFields::FIELDS.contains(&f.as_str()));
    view! {
        <section id="objections" aria-labelledby="objections-title">
            <h2 id="objections-title">{tr(T::ObjectionsTitle)}</h2>
            <p class="hint">{tr(T::ObjectionsIntro)}</p>
            {move || objected().then(|| view! { <p class="success" role="status">{tr(T::ObjectionReceived)}</p> })}
            {move || waived().then(|| view! { <p class="success" role="status">{tr(T::Waived)}</p> })}
            {move || code_sent().then(|| view! { <p class="success" role="status">{tr(T::ObjectionCodeSent)}</p> })}
            {if items.is_empty() {
                view! { <p class="notice">{tr(T::ObjectionNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="objections">
                        {items
                            .into_iter()
                            .map(|o| {
                                let kind = ObjectionKind::label_of(&o.kind, lang).to_owned();
                                let state = ObjectionState::label_of(&o.state, lang).to_owned();
                                view! {
                                    <li class=format!("objection objection-{}", o.state)>
                                        <p>
                                            <strong>{kind}</strong>
                                            {o.event_id.map(|id| view! { " · " {tr(T::EventIdLabel)} " " <a href=format!("#event-{id}")>{id}</a> })}
                                            " · " <span class="state">{state}</span>
                                        </p>
                                        <p class="hint">
                                            {tr(T::ObjectionFiled)} ": " {format_date(o.filed_at)} " · "
                                            {tr(T::ObjectionDue)} ": " {format_date(o.due_at)}
                                            {o.decided_at.map(|at| view! { " · " {tr(T::ObjectionDecided)} ": " {format_date(at)} })}
                                        </p>
                                        {o.reasons.map(|r| view! { <p>{tr(T::ObjectionReasons)} ": " {r}</p> })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {pending.then(|| {
                let code = code.clone();
                view! {
                    <details class="waive-form">
                        <summary>{tr(T::WaiveTitle)}</summary>
                        <form method="post" action=format!("/credit/{code}/waive") class="form">
                            <label for="waive-licence">{tr(T::ObjectionLicence)}</label>
                            <input id="waive-licence" name=WaiverFields::licence_no type="text" maxlength="16" required/>
                            <button type="submit" class="button">{tr(T::WaiveSubmit)}</button>
                        </form>
                    </details>
                }
            })}
            <details class="objection-form" open=move || ours() || code_sent()>
                <summary>{tr(T::ObjectionOpen)}</summary>
                <form method="post" action=format!("/credit/{code}/objection") class="form">
                    <fieldset>
                        <legend>{tr(T::ObjectionKindLabel)}</legend>
                        {ObjectionKind::ALL
                            .iter()
                            .enumerate()
                            .map(|(i, k)| view! {
                                <label class="inline">
                                    <input type="radio" name=ObjectionFields::kind value=k.as_str() checked=i == 0/>
                                    {k.label(lang)}
                                </label>
                            })
                            .collect_view()}
                    </fieldset>
                    <FieldError name=ObjectionFields::kind code=err field/>
                    <label for="objection-event">{tr(T::ObjectionEvent)}</label>
                    <select id="objection-event" name=ObjectionFields::event_id>
                        <option value="">{tr(T::ObjectionEventNone)}</option>
                        {events.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                    </select>
                    <FieldError name=ObjectionFields::event_id code=err field/>
                    <label for="objection-licence">{tr(T::ObjectionLicence)}</label>
                    <input id="objection-licence" name=ObjectionFields::licence_no type="text" maxlength="16" required/>
                    <FieldError name=ObjectionFields::licence_no code=err field/>
                    <label for="objection-statement">{tr(T::ObjectionStatement)}</label>
                    <textarea id="objection-statement" name=ObjectionFields::statement rows="5" minlength="10" maxlength="2000" required></textarea>
                    <FieldError name=ObjectionFields::statement code=err field/>
                    <label for="objection-contact">{tr(T::ReplyContact)}</label>
                    <input id="objection-contact" name=ObjectionFields::contact type="text" maxlength="100" required/>
                    <FieldError name=ObjectionFields::contact code=err field/>
                    {sms.then(|| {
                        let send = format!("/credit/{code}/objection-code");
                        view! {
                            <label for="objection-phone">{tr(T::ObjectionPhone)}</label>
                            <input id="objection-phone" name=ObjectionFields::phone type="tel" maxlength="20" required/>
                            <FieldError name=ObjectionFields::phone code=err field/>
                            <button type="submit" class="button" formaction=send formnovalidate>{tr(T::ObjectionSendCode)}</button>
                            <label for="objection-sms-code">{tr(T::ObjectionSmsCode)}</label>
                            <input id="objection-sms-code" name=ObjectionFields::sms_code type="text" inputmode="numeric" maxlength="6"/>
                            <FieldError name=ObjectionFields::sms_code code=err field/>
                        }
                    })}
                    <p class="hint">{tr(T::ReplyPrivacy)}</p>
                    <button type="submit" class="button primary">{tr(T::ObjectionSubmit)}</button>
                </form>
            </details>
        </section>
    }
}
